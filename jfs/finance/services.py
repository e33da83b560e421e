"""Posting to the fund's ledger (issue 11, the ledger's core).

Every posting is one balanced ``Entry`` (its lines sum to zero) with the caller's idempotency key:
the same key posts once; posting it again with the same content answers the first entry, with other
content is refused. A correction is a reversing entry. Rules that need a limit are checked under a
lock on the one row they limit (a request item's ``Commitment``), never on the ledger as a whole, so
postings for different requests never wait for each other.

- **Allotment / transfer**: budget per fiscal year (B.E.), service and office.
- **Commitment**: an approval (``jfs.decisions``) commits its approved amount per cost item, in the
  decision's own transaction (``commit_decision``, a decision hook). The Act leaves decisions to the
  committees: a commitment is never refused for want of budget; the budget shows what is overcommitted.
- **Disbursement**: to a payee, by a method, with a bank reference; never more than what is committed
  for the item, less what was paid (and returned payments count again).
- **Return**: money paid back to the fund (unused money, bail money when the case ends), never more
  than was paid for the item; the item's commitment takes it back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum

from jfs.accounts.models import Office, User
from jfs.audit.services import record
from jfs.cases.errors import Conflict, InvalidInput, NotPermitted, field_error
from jfs.cases.models import Request
from jfs.core import clock
from jfs.decisions import models as dm
from jfs.finance import accounts as acc
from jfs.finance import models as m
from jfslib import roles
from jfslib.thaidate import fiscal_year

#: who posts to the ledger: the finance officers (the committee's approvals commit by themselves)
POSTERS = frozenset({roles.FINANCE_OFFICER})


class PostingRefused(InvalidInput):
    code = "posting_refused"


#: rules the apps above add to every disbursement (``register_payment_check``), run under the item's
#: lock before posting: the lawyers' app refuses a lawyer's fee to a lawyer not engaged on the case,
#: the bail app refuses bail money without a bail record. Each raises ``PostingRefused`` (or another
#: ``InvalidInput``) to refuse; nothing is written then.
PaymentCheck = Callable[["Request", str, str, Decimal], None]
PAYMENT_CHECKS: list[PaymentCheck] = []


def register_payment_check(check: PaymentCheck) -> None:
    """Run ``check(request, item_key, payee, amount)`` before every disbursement (once per function)."""
    if check not in PAYMENT_CHECKS:
        PAYMENT_CHECKS.append(check)


def refuse(th: str, en: str, field: str = "__all__") -> PostingRefused:
    return PostingRefused(th, en, errors=[field_error(field, th, en)])


def _money(value: Any, field: str = "amount") -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise refuse("จำนวนเงินต้องเป็นตัวเลข", "The amount must be a number of baht", field) from None
    if not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise refuse("จำนวนเงินต้องมากกว่า 0 และมีทศนิยมไม่เกิน 2 ตำแหน่ง",
                      "The amount must be above 0 with at most 2 decimals", field)
    return amount


@dataclass(frozen=True)
class Leg:
    """One line to post: an account and a signed amount (debit positive)."""

    account: str
    amount: Decimal


def _require_poster(actor: User, office: Office) -> None:
    if actor.role not in POSTERS or not (actor.office_id == office.pk or (actor.office and actor.office.is_central)):
        raise NotPermitted("เฉพาะเจ้าหน้าที่การเงินของสำนักงานบันทึกรายการบัญชีได้",
                           "Only the office's finance officers post to the ledger")


def _require_open(year: int) -> None:
    if m.FiscalYear.objects.filter(year=year, closed_at__isnull=False).exists():
        raise refuse(f"ปีงบประมาณ {year} ปิดบัญชีแล้ว บันทึกรายการไม่ได้",
                      f"Fiscal year {year} is closed: nothing can be posted to it", "on_date")


def _same(entry: m.Entry, kind: str, legs: list[Leg], request: Request | None, item_key: str) -> bool:
    have = sorted((ln.account, ln.amount) for ln in entry.lines.all())
    want = sorted((leg.account, leg.amount) for leg in legs)
    return (entry.kind == kind and have == want and entry.request_id == (request.pk if request else None)
            and entry.item_key == item_key)


def _post(*, actor: User, key: str, kind: str, on: date, office: Office, service: str, legs: list[Leg],
          request: Request | None = None, decision: dm.Decision | None = None, item_key: str = "",
          payee: str = "", method: str = "", reference: str = "", memo: str = "",
          reverses: m.Entry | None = None) -> m.Entry:
    """Write one balanced entry (inside the caller's transaction). The same key twice: the first
    entry when the content is the same, a refusal when it is not."""
    key = key.strip()
    if not key or len(key) > 100 or "\x00" in key:
        raise refuse("ต้องมีรหัสป้องกันการบันทึกซ้ำ (ไม่เกิน 100 ตัวอักษร)",
                      "An idempotency key (up to 100 characters) is required", "key")
    if sum((leg.amount for leg in legs), Decimal(0)) != 0 or not legs:
        raise refuse("รายการบัญชีไม่สมดุล (เดบิตไม่เท่ากับเครดิต)", "The entry does not balance (debits ≠ credits)")
    unknown = [leg.account for leg in legs if leg.account not in acc.chart()]
    if unknown:
        raise refuse(f"ไม่มีบัญชี {', '.join(unknown)}", f"No such account: {', '.join(unknown)}")
    existing = m.Entry.objects.filter(key=key).prefetch_related("lines").first()
    if existing is not None:
        return _replayed(existing, kind, legs, request, item_key)
    year = fiscal_year(on)
    _require_open(year)
    try:
        with transaction.atomic():
            entry = m.Entry.objects.create(
                key=key, kind=kind, on_date=on, fiscal_year=year, office=office, service=service, request=request,
                decision=decision, item_key=item_key, payee=payee.strip()[:300], method=method,
                reference=reference.strip()[:100], memo=memo.strip()[:500], reverses=reverses, created_by=actor,
                created_at=clock.now())
    except IntegrityError:
        # posted at the same moment by another transaction with the same key (or a second reversal)
        existing = m.Entry.objects.filter(key=key).prefetch_related("lines").first()
        if existing is None:
            raise refuse("รายการนี้กลับรายการไปแล้ว", "This entry has been reversed already") from None
        return _replayed(existing, kind, legs, request, item_key)
    m.Line.objects.bulk_create([
        m.Line(entry=entry, account=leg.account, amount=leg.amount, fiscal_year=year, office_dim=office.pk,
               service=service, request_dim=request.pk if request else None, item_key=item_key)
        for leg in legs])
    record("ledger_posting", actor=actor, object_type="ledger_entry", object_id=str(entry.pk),
           reference=request.number if request else "", details={"kind": kind, "key": key})
    return entry


def _replayed(existing: m.Entry, kind: str, legs: list[Leg], request: Request | None, item_key: str) -> m.Entry:
    if _same(existing, kind, legs, request, item_key):
        return existing
    raise Conflict("รหัสป้องกันการบันทึกซ้ำนี้ใช้กับรายการอื่นไปแล้ว",
                   "This idempotency key was used for a different posting",
                   errors=[field_error("key", "รหัสป้องกันการบันทึกซ้ำนี้ใช้กับรายการอื่นไปแล้ว",
                                       "This idempotency key was used for a different posting")])


# --------------------------------------------------------------------------- budget


@transaction.atomic
def allot(*, actor: User, key: str, year: int, office: Office, service: str, amount: Any, on: date,
          memo: str = "") -> m.Entry:
    """The budget a fiscal year gives an office for a service."""
    _require_poster(actor, office)
    if fiscal_year(on) != year:
        raise refuse(f"วันที่ไม่อยู่ในปีงบประมาณ {year}", f"The date is not in fiscal year {year}", "on_date")
    value = _money(amount)
    return _post(actor=actor, key=key, kind=m.ALLOTMENT, on=on, office=office, service=service, memo=memo,
                 legs=[Leg(acc.BUDGET_AVAILABLE, value), Leg(acc.BUDGET_ALLOTTED, -value)])


@transaction.atomic
def transfer(*, actor: User, key: str, on: date, source: tuple[Office, str], target: tuple[Office, str],
             amount: Any, memo: str = "") -> tuple[m.Entry, m.Entry]:
    """Move available budget from one office and service to another within a fiscal year (two
    entries, one key each: ``key/out`` and ``key/in``)."""
    _require_poster(actor, source[0])
    value = _money(amount)
    out = _post(actor=actor, key=f"{key}/out", kind=m.TRANSFER, on=on, office=source[0], service=source[1],
                memo=memo, legs=[Leg(acc.BUDGET_AVAILABLE, -value), Leg(acc.BUDGET_ALLOTTED, value)])
    into = _post(actor=actor, key=f"{key}/in", kind=m.TRANSFER, on=on, office=target[0], service=target[1],
                 memo=memo, legs=[Leg(acc.BUDGET_AVAILABLE, value), Leg(acc.BUDGET_ALLOTTED, -value)])
    return out, into


# --------------------------------------------------------------------------- commitments (a decision hook)


def commit_decision(actor: User, decision: dm.Decision) -> None:
    """An approval commits the approved amount of each cost item (``Commitment`` and its entry), in the
    decision's transaction. An appeal's approval replaces nothing already committed: it commits what
    the earlier decision did not (the items' amounts above what is committed)."""
    if decision.outcome not in ("approved", "partially_approved"):
        return
    req = decision.request
    for item in decision.items.all():
        already = (m.Commitment.objects.filter(request=req, item_key=item.key).aggregate(s=Sum("amount"))["s"]
                   or Decimal(0))
        more = item.approved - already
        if more <= 0:
            continue
        entry = _post(actor=actor, key=f"commit/{decision.pk}/{item.key}", kind=m.COMMITMENT, on=decision.decided_on,
                      office=req.office, service=req.service, request=req, decision=decision, item_key=item.key,
                      memo=item.label_th, legs=[Leg(acc.BUDGET_COMMITTED, more), Leg(acc.BUDGET_AVAILABLE, -more)])
        m.Commitment.objects.create(request=req, decision=decision, item_key=item.key, label_th=item.label_th,
                                    label_en=item.label_en, amount=more, fiscal_year=entry.fiscal_year,
                                    office=req.office, service=req.service, entry=entry)


# --------------------------------------------------------------------------- payments and returns


def _item_lock(request_id: int, item_key: str) -> list[m.Commitment]:
    """The commitments of one request item, locked: payments for it are checked one at a time."""
    return list(m.Commitment.objects.select_for_update().filter(request_id=request_id, item_key=item_key)
                .order_by("id"))


def paid_for(request_id: int, item_key: str) -> Decimal:
    """Paid for a request item, less what came back (the expense or deposit account's sum)."""
    total = (m.Line.objects.filter(request_dim=request_id, item_key=item_key, account__in=(acc.AID_EXPENSE,
                                                                                            acc.BAIL_DEPOSITED))
             .aggregate(s=Sum("amount"))["s"])
    return total or Decimal(0)


def _paid_account(service: str) -> str:
    return acc.BAIL_DEPOSITED if service == "BAIL" else acc.AID_EXPENSE


@transaction.atomic
def disburse(*, actor: User, key: str, request_id: int, item_key: str, amount: Any, on: date, payee: str,
             method: str, reference: str = "", memo: str = "") -> m.Entry:
    """Pay for a request item: never more than is committed for it, less what was paid."""
    req = Request.objects.select_related("office").get(pk=request_id)
    _require_poster(actor, req.office)
    value = _money(amount)
    if not payee.strip():
        raise refuse("กรุณาระบุผู้รับเงิน", "Name the payee", "payee")
    if method not in dict(m.METHOD_CHOICES):
        raise refuse("กรุณาเลือกวิธีจ่ายเงิน", "Choose how it is paid", "method")
    existing = m.Entry.objects.filter(key=key.strip()).prefetch_related("lines").first()
    account = _paid_account(req.service)
    legs = [Leg(account, value), Leg(acc.CASH, -value), Leg(acc.BUDGET_SPENT, value), Leg(acc.BUDGET_COMMITTED, -value)]
    if existing is not None:  # a replay is answered before the limit: it was checked when first posted
        return _replayed(existing, m.DISBURSEMENT, legs, req, item_key)
    commitments = _item_lock(req.pk, item_key)
    again = m.Entry.objects.filter(key=key.strip()).prefetch_related("lines").first()
    if again is not None:  # the same key posted while this one waited for the item's lock
        return _replayed(again, m.DISBURSEMENT, legs, req, item_key)
    committed = sum((c.amount for c in commitments), Decimal(0))
    if not commitments:
        raise refuse("รายการนี้ยังไม่ได้รับอนุมัติ จึงจ่ายเงินไม่ได้", "Nothing is approved for this item: it cannot be paid",
                      "item_key")
    left = committed - paid_for(req.pk, item_key)
    if value > left:
        raise refuse(f"จ่ายได้ไม่เกินยอดที่อนุมัติและผูกพันคงเหลือ {left:,.2f} บาท",
                      f"At most the {left:,.2f} baht approved and committed and not yet paid can be paid", "amount")
    for check in PAYMENT_CHECKS:
        check(req, item_key, payee.strip(), value)
    return _post(actor=actor, key=key, kind=m.DISBURSEMENT, on=on, office=req.office, service=req.service,
                 request=req, item_key=item_key, payee=payee, method=method, reference=reference, memo=memo,
                 legs=legs)


@transaction.atomic
def receive_return(*, actor: User, key: str, request_id: int, item_key: str, amount: Any, on: date,
                   reference: str, memo: str = "") -> m.Entry:
    """Money back to the fund for a request item (unused money; bail money when the case ends, with
    the receipt): never more than was paid for it. The item's commitment takes it back (it may be
    paid again, up to what was approved); releasing what is left of a commitment is its own posting."""
    req = Request.objects.select_related("office").get(pk=request_id)
    _require_poster(actor, req.office)
    value = _money(amount)
    if not reference.strip():
        raise refuse("กรุณาระบุเลขที่ใบรับเงินหรือหลักฐานการคืนเงิน", "Give the receipt's number", "reference")
    account = _paid_account(req.service)
    legs = [Leg(acc.CASH, value), Leg(account, -value), Leg(acc.BUDGET_COMMITTED, value), Leg(acc.BUDGET_SPENT, -value)]
    existing = m.Entry.objects.filter(key=key.strip()).prefetch_related("lines").first()
    if existing is not None:
        return _replayed(existing, m.RETURN, legs, req, item_key)
    _item_lock(req.pk, item_key)
    again = m.Entry.objects.filter(key=key.strip()).prefetch_related("lines").first()
    if again is not None:
        return _replayed(again, m.RETURN, legs, req, item_key)
    paid = paid_for(req.pk, item_key)
    if value > paid:
        raise refuse(f"รับคืนได้ไม่เกินที่จ่ายไป {paid:,.2f} บาท",
                      f"At most the {paid:,.2f} baht paid can come back", "amount")
    return _post(actor=actor, key=key, kind=m.RETURN, on=on, office=req.office, service=req.service, request=req,
                 item_key=item_key, reference=reference, memo=memo, legs=legs)


@transaction.atomic
def reverse(*, actor: User, key: str, entry_id: int, on: date, memo: str) -> m.Entry:
    """Correct an entry by posting its mirror (every line's sign turned), on an open fiscal year."""
    original = m.Entry.objects.select_for_update().select_related("office").get(pk=entry_id)
    _require_poster(actor, original.office)
    if not memo.strip():
        raise refuse("กรุณาระบุเหตุที่กลับรายการ", "Say why the entry is reversed", "memo")
    if original.kind == m.REVERSAL:
        raise refuse("รายการกลับรายการ กลับซ้ำไม่ได้", "A reversal is not itself reversed: post the entry again")
    if hasattr(original, "reversed_by"):
        raise refuse("รายการนี้กลับรายการไปแล้ว", "This entry has been reversed already")
    if original.kind == m.COMMITMENT:
        raise refuse("ภาระผูกพันตามมติกลับรายการไม่ได้ (แก้ไขด้วยมติใหม่)",
                      "A commitment made by a decision is not reversed here: a new decision changes it")
    legs = [Leg(ln.account, -ln.amount) for ln in original.lines.all()]
    return _post(actor=actor, key=key, kind=m.REVERSAL, on=on, office=original.office, service=original.service,
                 request=original.request, item_key=original.item_key, memo=memo, reverses=original, legs=legs)


@transaction.atomic
def close_year(*, actor: User, year: int) -> m.FiscalYear:
    if actor.role not in POSTERS or not (actor.office and actor.office.is_central):
        raise NotPermitted("เฉพาะเจ้าหน้าที่การเงินส่วนกลางปิดปีงบประมาณได้", "Only the central finance officers close a year")
    book, _created = m.FiscalYear.objects.select_for_update().get_or_create(year=year)
    if book.closed_at is not None:
        raise refuse(f"ปีงบประมาณ {year} ปิดแล้ว", f"Fiscal year {year} is closed already")
    book.closed_at, book.closed_by = clock.now(), actor
    book.save()
    record("fiscal_year_closed", actor=actor, object_type="fiscal_year", object_id=str(year), reference=str(year),
           details={})
    return book


# --------------------------------------------------------------------------- bail money lost and recovered
#
# When the released person absconds (``jfs.recovery``): the court keeps the deposit (forfeiture) or
# fines the fund as surety; the absconder owes the fund (account 1301) and repays by instalments;
# what cannot be recovered is written off by authority. A recovery or a write-off is limited by the
# receivable outstanding: the caller (``jfs.recovery.services``) holds a lock on its own row for the
# debt (the abscondence) while these check and post, so two instalments at once never over-recover.


def deposited_for(request_id: int, item_key: str = "bail_amount") -> Decimal:
    """Bail money with the authority for a request item: deposited less returned and forfeited."""
    total = (m.Line.objects.filter(request_dim=request_id, item_key=item_key, account=acc.BAIL_DEPOSITED)
             .aggregate(s=Sum("amount"))["s"])
    return total or Decimal(0)


def receivable_for(request_id: int) -> Decimal:
    """What the absconder of a request owes the fund: forfeited and fines less recovered and written off."""
    total = (m.Line.objects.filter(request_dim=request_id, account=acc.ABSCONDER_RECEIVABLE)
             .aggregate(s=Sum("amount"))["s"])
    return total or Decimal(0)


def _require_lock_held() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("post a recovery or a write-off inside the caller's transaction, holding its lock")


@transaction.atomic
def forfeit(*, actor: User, key: str, request_id: int, amount: Any, on: date, reference: str,
            item_key: str = "bail_amount", memo: str = "") -> m.Entry:
    """The court keeps the bail deposited (Dr 1301 receivable / Cr 1201 deposited): never more than
    is deposited and not returned for the request item (under the item's lock, as returns are)."""
    req = Request.objects.select_related("office").get(pk=request_id)
    _require_poster(actor, req.office)
    value = _money(amount)
    if not reference.strip():
        raise refuse("กรุณาระบุเลขที่คำสั่งศาล", "Give the court order's number", "reference")
    legs = [Leg(acc.ABSCONDER_RECEIVABLE, value), Leg(acc.BAIL_DEPOSITED, -value)]
    existing = m.Entry.objects.filter(key=key.strip()).prefetch_related("lines").first()
    if existing is not None:
        return _replayed(existing, m.FORFEITURE, legs, req, item_key)
    _item_lock(req.pk, item_key)
    again = m.Entry.objects.filter(key=key.strip()).prefetch_related("lines").first()
    if again is not None:
        return _replayed(again, m.FORFEITURE, legs, req, item_key)
    held = deposited_for(req.pk, item_key)
    if value > held:
        raise refuse(f"ริบได้ไม่เกินเงินประกันที่วางไว้และยังไม่ได้คืน {held:,.2f} บาท",
                      f"At most the {held:,.2f} baht deposited and not returned can be forfeited", "amount")
    return _post(actor=actor, key=key, kind=m.FORFEITURE, on=on, office=req.office, service=req.service,
                 request=req, item_key=item_key, reference=reference, memo=memo, legs=legs)


@transaction.atomic
def pay_fine(*, actor: User, key: str, request_id: int, amount: Any, on: date, payee: str, method: str,
             reference: str, memo: str = "") -> m.Entry:
    """The fund as surety pays the fine the court set (Dr 1301 receivable / Cr 1101 cash; the budget
    spent + / available −): the absconder owes it to the fund."""
    req = Request.objects.select_related("office").get(pk=request_id)
    _require_poster(actor, req.office)
    value = _money(amount)
    if not payee.strip():
        raise refuse("กรุณาระบุผู้รับเงิน (ศาล)", "Name the payee (the court)", "payee")
    if method not in dict(m.METHOD_CHOICES):
        raise refuse("กรุณาเลือกวิธีจ่ายเงิน", "Choose how it is paid", "method")
    if not reference.strip():
        raise refuse("กรุณาระบุเลขที่คำสั่งศาล", "Give the court order's number", "reference")
    legs = [Leg(acc.ABSCONDER_RECEIVABLE, value), Leg(acc.CASH, -value), Leg(acc.BUDGET_SPENT, value),
            Leg(acc.BUDGET_AVAILABLE, -value)]
    return _post(actor=actor, key=key, kind=m.FINE, on=on, office=req.office, service=req.service, request=req,
                 item_key="fine", payee=payee, method=method, reference=reference, memo=memo, legs=legs)


def _within_receivable(req: Request, value: Decimal, kind: str, key: str, legs: list[Leg]) -> m.Entry | None:
    """A replay of ``key`` (its first entry), or None after checking ``value`` against what is owed."""
    _require_lock_held()
    existing = m.Entry.objects.filter(key=key.strip()).prefetch_related("lines").first()
    if existing is not None:
        return _replayed(existing, kind, legs, req, "")
    owed = receivable_for(req.pk)
    if value > owed:
        raise refuse(f"ยอดหนี้คงค้าง {owed:,.2f} บาท จำนวนเงินต้องไม่เกินยอดนี้",
                      f"Only {owed:,.2f} baht is owed: the amount may not be more", "amount")
    return None


@transaction.atomic
def receive_recovery(*, actor: User, key: str, request_id: int, amount: Any, on: date, reference: str,
                     payee: str = "", method: str = "promptpay", memo: str = "") -> m.Entry:
    """An instalment repaid by the absconder (Dr 1101 cash / Cr 1301 receivable): never more than is
    owed. The caller holds its lock on the debt (``jfs.recovery``'s abscondence row)."""
    req = Request.objects.select_related("office").get(pk=request_id)
    _require_poster(actor, req.office)
    value = _money(amount)
    if not reference.strip():
        raise refuse("กรุณาระบุเลขอ้างอิงการชำระเงิน", "Give the payment's reference", "reference")
    legs = [Leg(acc.CASH, value), Leg(acc.ABSCONDER_RECEIVABLE, -value)]
    replay = _within_receivable(req, value, m.RECOVERY, key, legs)
    if replay is not None:
        return replay
    return _post(actor=actor, key=key, kind=m.RECOVERY, on=on, office=req.office, service=req.service, request=req,
                 payee=payee, method=method, reference=reference, memo=memo, legs=legs)


@transaction.atomic
def write_off(*, actor: User, key: str, request_id: int, amount: Any, on: date, reference: str,
              memo: str = "") -> m.Entry:
    """A debt that cannot be recovered, written off by the authority whose decision ``reference`` names
    (Dr 5301 written off / Cr 1301 receivable): never more than is owed. Who may write off how much is
    ``jfs.recovery``'s rule (``governance/recovery.yaml``); it holds its lock on the debt and posts."""
    req = Request.objects.select_related("office").get(pk=request_id)
    value = _money(amount)
    if not reference.strip():
        raise refuse("กรุณาระบุเลขที่หนังสืออนุมัติให้ตัดหนี้สูญ", "Give the write-off approval's reference",
                      "reference")
    legs = [Leg(acc.WRITTEN_OFF, value), Leg(acc.ABSCONDER_RECEIVABLE, -value)]
    replay = _within_receivable(req, value, m.WRITE_OFF, key, legs)
    if replay is not None:
        return replay
    return _post(actor=actor, key=key, kind=m.WRITE_OFF, on=on, office=req.office, service=req.service, request=req,
                 reference=reference, memo=memo, legs=legs)
