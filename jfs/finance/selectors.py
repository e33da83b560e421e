"""Reads of the ledger: balances are sums of lines, never stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet, Sum

from jfs.accounts.models import Office, User
from jfs.cases import selectors as case_selectors
from jfs.cases.models import Request
from jfs.finance import accounts as acc
from jfs.finance import models as m
from jfslib import roles
from jfslib.thaidate import fiscal_year

BUDGET_ACCOUNTS = (acc.BUDGET_ALLOTTED, acc.BUDGET_AVAILABLE, acc.BUDGET_COMMITTED, acc.BUDGET_SPENT)


def balance(account: str, *, fiscal_year: int | None = None, office_id: int | None = None,
            service: str | None = None) -> Decimal:
    """An account's balance (debits less credits) for a fiscal year, office and service, or any slice."""
    qs = m.Line.objects.filter(account=account)
    if fiscal_year is not None:
        qs = qs.filter(fiscal_year=fiscal_year)
    if office_id is not None:
        qs = qs.filter(office_dim=office_id)
    if service is not None:
        qs = qs.filter(service=service)
    return qs.aggregate(s=Sum("amount"))["s"] or Decimal(0)


def budget(fiscal_year: int, office_id: int, service: str) -> dict[str, Decimal]:
    """Allotted, committed, spent and available (negative: more committed than allotted) for one
    office, service and fiscal year."""
    rows = dict(m.Line.objects.filter(fiscal_year=fiscal_year, office_dim=office_id, service=service,
                                      account__in=(acc.BUDGET_ALLOTTED, acc.BUDGET_AVAILABLE, acc.BUDGET_COMMITTED,
                                                   acc.BUDGET_SPENT))
                .values_list("account").annotate(s=Sum("amount")).order_by())
    return {"allotted": -(rows.get(acc.BUDGET_ALLOTTED) or Decimal(0)),
            "available": rows.get(acc.BUDGET_AVAILABLE) or Decimal(0),
            "committed": rows.get(acc.BUDGET_COMMITTED) or Decimal(0),
            "spent": rows.get(acc.BUDGET_SPENT) or Decimal(0)}


def unbalanced_entries() -> list[int]:
    """Entries whose lines do not sum to zero (there must be none)."""
    return list(m.Line.objects.values("entry_id").annotate(s=Sum("amount")).exclude(s=0)
                .values_list("entry_id", flat=True))


def trial_balance(fiscal_year: int | None = None) -> dict[str, Decimal]:
    qs = m.Line.objects.all()
    if fiscal_year is not None:
        qs = qs.filter(fiscal_year=fiscal_year)
    return {a: s for a, s in qs.values_list("account").annotate(s=Sum("amount")).order_by("account")}


def commitments_of(request_id: int) -> list[m.Commitment]:
    return list(m.Commitment.objects.filter(request_id=request_id).order_by("id"))


# --------------------------------------------------------------------------- who reads the money

#: who reads the budgets and the ledger: finance officers and office heads (their own office; the
#: central office's: every office), executives and auditors (every office)
READERS = frozenset({roles.FINANCE_OFFICER, roles.OFFICE_HEAD, roles.EXECUTIVE, roles.AUDITOR})
#: read every office's money whatever their office
READ_ALL = frozenset({roles.EXECUTIVE, roles.AUDITOR})


def reads_money(user: User) -> bool:
    return bool(user.is_authenticated and getattr(user, "role", "") in READERS)


def money_offices(user: User) -> set[int] | None:
    """The offices whose money ``user`` reads: ``None`` for every office, an empty set for none."""
    if not reads_money(user):
        return set()
    if user.role in READ_ALL or (user.office is not None and user.office.is_central):
        return None
    return {user.office_id} if user.office_id else set()


def reads_office(user: User, office_id: int) -> bool:
    offices = money_offices(user)
    return offices is None or office_id in offices


def offices_read(user: User) -> list[Office]:
    """The offices ``user`` may pick on the money pages (central first, then by code)."""
    offices = money_offices(user)
    qs = Office.objects.order_by("-is_central", "code")
    return list(qs if offices is None else qs.filter(pk__in=offices))


def request_for_money(user: User, pk: int) -> Request:
    """A request whose payments ``user`` may read: one they see on the case pages, or any request of
    an office whose money they read (the central finance officers pay for every office). Else 404."""
    req = Request.objects.select_related("office", "applicant").filter(pk=pk).first()
    if req is not None and reads_money(user) and reads_office(user, req.office_id):
        return req
    return case_selectors.get_visible(user, pk)


# --------------------------------------------------------------------------- budgets


@dataclass(frozen=True)
class BudgetRow:
    office: Office
    service: str
    allotted: Decimal
    committed: Decimal
    spent: Decimal
    available: Decimal

    @property
    def overcommitted(self) -> bool:
        return self.available < 0


def budget_rows(fiscal_year: int, office_ids: set[int] | None, service: str = "") -> list[BudgetRow]:
    """Allotted, committed, spent and available per office and service of a fiscal year: one grouped
    sum over the budget's memo accounts (the ``line_balance`` index), never a row per entry."""
    qs = m.Line.objects.filter(account__in=BUDGET_ACCOUNTS, fiscal_year=fiscal_year)
    if office_ids is not None:
        qs = qs.filter(office_dim__in=office_ids)
    if service:
        qs = qs.filter(service=service)
    sums: dict[tuple[int, str], dict[str, Decimal]] = {}
    for office_id, svc, account, total in (qs.values_list("office_dim", "service", "account")
                                           .annotate(s=Sum("amount")).order_by()):
        sums.setdefault((office_id, svc), {})[account] = total or Decimal(0)
    offices = Office.objects.in_bulk({o for o, _s in sums})
    rows = [BudgetRow(offices[o], svc, -(v.get(acc.BUDGET_ALLOTTED) or Decimal(0)),
                      v.get(acc.BUDGET_COMMITTED) or Decimal(0), v.get(acc.BUDGET_SPENT) or Decimal(0),
                      v.get(acc.BUDGET_AVAILABLE) or Decimal(0))
            for (o, svc), v in sums.items() if o in offices]
    return sorted(rows, key=lambda r: (not r.office.is_central, r.office.code, r.service))


def budget_totals(rows: list[BudgetRow]) -> dict[str, Decimal]:
    return {name: sum((getattr(r, name) for r in rows), Decimal(0))
            for name in ("allotted", "committed", "spent", "available")}


def closed_years() -> set[int]:
    return set(m.FiscalYear.objects.filter(closed_at__isnull=False).values_list("year", flat=True))


def year_choices(today: date) -> list[int]:
    """Fiscal years to choose from: the coming one, the current one and five before it, and any year
    whose books were opened or closed (newest first)."""
    current = fiscal_year(today)
    years = set(range(current - 5, current + 2)) | set(m.FiscalYear.objects.values_list("year", flat=True))
    return sorted(years, reverse=True)


# --------------------------------------------------------------------------- the ledger's entries


@dataclass(frozen=True)
class EntryFilter:
    fiscal_year: int
    office_ids: set[int] | None = None
    service: str = ""
    kind: str = ""
    request_number: str = ""
    date_from: date | None = None
    date_to: date | None = None


def entries(f: EntryFilter) -> QuerySet[m.Entry]:
    """The entries of a fiscal year with the filters, newest posted first (``-id``: the primary key's
    index, so a page of a million entries reads only its rows). Never counted."""
    qs = m.Entry.objects.filter(fiscal_year=f.fiscal_year)
    if f.office_ids is not None:
        qs = qs.filter(office_id__in=f.office_ids)
    if f.service:
        qs = qs.filter(service=f.service)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.request_number:
        req_id = Request.objects.filter(number=f.request_number.strip()).values_list("pk", flat=True).first()
        qs = qs.filter(request_id=req_id) if req_id is not None else qs.none()
    if f.date_from:
        qs = qs.filter(on_date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(on_date__lte=f.date_to)
    return qs.select_related("office", "request", "created_by", "receipt", "reverses").order_by("-id")


def page_of(qs: QuerySet[m.Entry], *, before: int | None, limit: int) -> tuple[list[m.Entry], int | None]:
    """One page of entries (keyset paging on the id, never an offset or a count) and the id to ask
    for the next page with (``None``: this is the last)."""
    if before is not None:
        qs = qs.filter(id__lt=before)
    rows = list(qs.prefetch_related("lines")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].pk if more and rows else None)


def entry(pk: int) -> m.Entry | None:
    return (m.Entry.objects.select_related("office", "request", "created_by", "receipt", "receipt__document",
                                           "reverses").prefetch_related("lines").filter(pk=pk).first())


def reversal_of(e: m.Entry) -> m.Entry | None:
    return m.Entry.objects.filter(reverses=e).first()


# --------------------------------------------------------------------------- a request's money


@dataclass(frozen=True)
class ItemMoney:
    key: str
    label_th: str
    label_en: str
    committed: Decimal
    paid: Decimal
    returned: Decimal

    @property
    def net_paid(self) -> Decimal:
        return self.paid - self.returned

    @property
    def payable(self) -> Decimal:
        """What may still be paid: committed, less what was paid and not returned."""
        return self.committed - self.net_paid

    def label(self, lang: str | None) -> str:
        return self.label_en if lang == "en" else self.label_th


def items_of(request_id: int) -> list[ItemMoney]:
    """Each committed cost item of a request: committed, paid (payments, less their reversals) and
    returned (returns, less theirs). Two grouped sums over the request's lines."""
    commitments = commitments_of(request_id)
    if not commitments:
        return []
    paid_accounts = (acc.AID_EXPENSE, acc.BAIL_DEPOSITED)
    moves: dict[tuple[str, str], Decimal] = {}
    for item_key, kind, total in (m.Line.objects.filter(request_dim=request_id, account__in=paid_accounts)
                                  .values_list("item_key", "entry__kind").annotate(s=Sum("amount")).order_by()):
        moves[(item_key, kind)] = total or Decimal(0)
    # a reversal undoes the kind it reverses: its lines count against that kind
    for item_key, kind, total in (m.Line.objects.filter(request_dim=request_id, account__in=paid_accounts,
                                                        entry__kind=m.REVERSAL)
                                  .values_list("item_key", "entry__reverses__kind").annotate(s=Sum("amount"))
                                  .order_by()):
        moves[(item_key, kind)] = moves.get((item_key, kind), Decimal(0)) + (total or Decimal(0))
    items: dict[str, ItemMoney] = {}
    for c in commitments:
        have = items.get(c.item_key)
        committed = c.amount + (have.committed if have else Decimal(0))
        items[c.item_key] = ItemMoney(c.item_key, c.label_th, c.label_en, committed,
                                      moves.get((c.item_key, m.DISBURSEMENT), Decimal(0)),
                                      -moves.get((c.item_key, m.RETURN), Decimal(0)))
    return list(items.values())


def request_entries(request_id: int, limit: int = 200) -> list[m.Entry]:
    """A request's entries, newest first (commitments, payments, returns, reversals)."""
    return list(m.Entry.objects.filter(request_id=request_id).select_related("receipt", "receipt__document",
                                                                              "created_by", "reverses")
                .order_by("-id")[:limit])


def has_commitments(request_id: int) -> bool:
    return m.Commitment.objects.filter(request_id=request_id).exists()


def receipt_of(entry: m.Entry) -> m.Receipt | None:
    return m.Receipt.objects.filter(entry=entry).first()


def key_used(key: str) -> bool:
    """Whether an entry was posted under this idempotency key."""
    return m.Entry.objects.filter(key=key.strip()).exists()
