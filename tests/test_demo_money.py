"""The demo data's money (``jfs.demo.money``): budgets, commitments, payments, returns and bail records,
consistent with the demo's decisions and with what ``jfs.finance.services`` would have written.

One load inside the test's transaction (rolled back afterwards): FY2564 whole and FY2565 up to
15 August 2022 (the demo's "today"), so FY2564's bail money has come back and FY2565's is still out
with hearings to come.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models import Count, F, Q, Sum

from jfs.accounts.models import User
from jfs.bail import models as bm
from jfs.cases.models import Request
from jfs.decisions import models as dm
from jfs.demo import generator, money
from jfs.finance import accounts as acc
from jfs.finance import models as fm
from jfs.finance import selectors, services
from jfs.finance.services import PostingRefused
from jfslib.thaidate import fiscal_year

TODAY = date(2022, 8, 15)  # FY2565
#: DOMAIN.md, FY2565 (the Justice Minister's figures): baht per service, 197M in all
FY2565 = {"LIT": Decimal(45_000_000), "BAIL": Decimal(130_000_000), "HR": Decimal(2_000_000),
          "PROJECT": Decimal(20_000_000)}
APPROVING = ("approved", "partially_approved")


def test_apportion_is_exact_and_proportional() -> None:
    parts = money.apportion(Decimal(130_000_000), {1: 7, 2: 2, 3: 1, 4: 0})
    assert sum(parts.values()) == Decimal(130_000_000)
    assert parts == {1: Decimal(91_000_000), 2: Decimal(26_000_000), 3: Decimal(13_000_000)}
    odd = money.apportion(Decimal(100), {1: 1, 2: 1, 3: 1})
    assert sorted(odd.values()) == [Decimal(33), Decimal(33), Decimal(34)]
    assert money.national_budget(2565) == FY2565
    assert sum(money.national_budget(2565).values()) == Decimal(197_000_000)


@pytest.mark.django_db
def test_demo_money() -> None:
    """One load, every check on it."""
    generator.generate(generator.Options(seed=7, today=TODAY, first_year=2564, last_year=2565))
    _budgets_are_exact()
    _commitments_are_the_approved_items()
    _paid_never_above_committed_and_returns_never_above_paid()
    _the_books_balance_and_dates_make_sense()
    _payees_by_service()
    _bail_records_match_their_entries_and_statuses()
    _the_services_agree_with_the_demo_rows()


def _budgets_are_exact() -> None:
    allotted = {s: -v for s, v in fm.Line.objects.filter(account=acc.BUDGET_ALLOTTED, fiscal_year=2565)
                .values_list("service").annotate(v=Sum("amount")).order_by()}
    assert allotted == FY2565
    other = money.national_budget(2564)
    assert {s: -v for s, v in fm.Line.objects.filter(account=acc.BUDGET_ALLOTTED, fiscal_year=2564)
            .values_list("service").annotate(v=Sum("amount")).order_by()} == other
    # by the offices' share of the year's requests of the service, the central office included
    requests = dict(Request.objects.filter(fiscal_year=2565, service="BAIL").values_list("office_id")
                    .annotate(n=Count("id")).order_by())
    per_office = {o: selectors.budget(2565, o, "BAIL")["allotted"] for o in requests}
    total = sum(requests.values())
    for office, n in requests.items():
        assert abs(per_office[office] - FY2565["BAIL"] * n / total) <= 1
    assert any(Request.objects.filter(office_id=o, office__code="00").exists() for o in requests)
    entry = fm.Entry.objects.filter(kind=fm.ALLOTMENT, fiscal_year=2565).first()
    assert entry is not None and entry.on_date == date(2021, 10, 1)


def _commitments_are_the_approved_items() -> None:
    items = {(i.decision_id, i.key): i for i in dm.DecisionItem.objects.filter(
        decision__outcome__in=APPROVING, approved__gt=0).select_related("decision")}
    commitments = {(c.decision_id, c.item_key): c for c in fm.Commitment.objects.select_related("entry")}
    assert items and set(commitments) == set(items)
    kinds = set(dm.Decision.objects.filter(commitments__isnull=False).values_list("kind", flat=True))
    assert kinds == {"first"}  # FY2564/2565 appeals are all upheld (docs/demo-data.md)
    for key, c in commitments.items():
        item = items[key]
        d = item.decision
        assert c.amount == item.approved and c.request_id == d.request_id
        assert c.entry.key == f"commit/{d.pk}/{item.key}" and c.entry.kind == fm.COMMITMENT
        assert c.entry.on_date == d.decided_on and c.fiscal_year == d.fiscal_year == c.entry.fiscal_year
        assert c.label_th == item.label_th and c.service == d.service
    lines: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for entry_id, account, amount in fm.Line.objects.filter(entry__kind=fm.COMMITMENT).values_list(
            "entry_id", "account", "amount"):
        lines[entry_id][account] = amount
    for c in commitments.values():
        assert lines[c.entry_id] == {acc.BUDGET_COMMITTED: c.amount, acc.BUDGET_AVAILABLE: -c.amount}
    # no commitment without an approving decision; a refusal commits nothing
    assert not fm.Commitment.objects.exclude(decision__outcome__in=APPROVING).exists()
    assert not fm.Entry.objects.filter(kind=fm.COMMITMENT).exclude(decision__outcome__in=APPROVING).exists()


def _per_item(kind: str) -> dict[tuple[int, str], Decimal]:
    return {(r, k): v for r, k, v in fm.Entry.objects.filter(kind=kind).values_list("request_id", "item_key")
            .annotate(v=Sum("lines__amount", filter=Q(lines__account__in=(acc.AID_EXPENSE, acc.BAIL_DEPOSITED))))
            .order_by()}


def _paid_never_above_committed_and_returns_never_above_paid() -> None:
    committed = {(r, k): v for r, k, v in fm.Commitment.objects.values_list("request_id", "item_key")
                 .annotate(v=Sum("amount")).order_by()}
    paid, returned = _per_item(fm.DISBURSEMENT), _per_item(fm.RETURN)
    assert len(paid) > 1000 and len(returned) > 100
    for key, value in paid.items():
        assert Decimal(0) < value <= committed[key], key
        assert -returned.get(key, Decimal(0)) <= value, key
        assert services.paid_for(*key) == value + returned.get(key, Decimal(0))
    assert set(returned) <= set(paid)
    # most approvals older than a few weeks are paid, the last days' not yet
    old = {k for k, c in committed.items() if k[1] in ("bail_amount", "amount")}
    decided = dict(fm.Commitment.objects.values_list("request_id", "entry__on_date"))
    older = [k for k in old if decided[k[0]] < TODAY - timedelta(days=60)]
    assert sum(1 for k in older if k in paid) >= 0.97 * len(older)
    recent = [k for k in committed if decided[k[0]] >= TODAY - timedelta(days=3)]
    assert recent and not any(k in paid for k in recent if k[1] == "amount")
    # lawyers are paid by the lawyers' pass, projects by the grants pass
    assert not fm.Entry.objects.filter(kind=fm.DISBURSEMENT).filter(Q(item_key="lawyer") | Q(service="PROJECT")).exists()


def _the_books_balance_and_dates_make_sense() -> None:
    assert selectors.unbalanced_entries() == []
    assert not fm.Entry.objects.filter(on_date__gt=TODAY).exists()
    for on, fy in fm.Entry.objects.values_list("on_date", "fiscal_year").distinct():
        assert fiscal_year(on) == fy
    # each line repeats its entry's dimensions
    assert not fm.Line.objects.exclude(fiscal_year=F("entry__fiscal_year"), office_dim=F("entry__office_id"),
                                       service=F("entry__service"), item_key=F("entry__item_key")).exists()
    keys = list(fm.Entry.objects.values_list("key", flat=True))
    assert len(keys) == len(set(keys))
    # the whole ledger sums to zero and cash moved only by payments and returns
    assert sum(selectors.trial_balance().values()) == 0
    cash = selectors.balance(acc.CASH)
    out = fm.Line.objects.filter(account=acc.CASH, entry__kind=fm.DISBURSEMENT).aggregate(s=Sum("amount"))["s"]
    back = fm.Line.objects.filter(account=acc.CASH, entry__kind=fm.RETURN).aggregate(s=Sum("amount"))["s"]
    assert cash == out + back and out < 0 < back


def _payees_by_service() -> None:
    hr = list(fm.Entry.objects.filter(kind=fm.DISBURSEMENT, service="HR").select_related("receipt", "request__applicant"))
    assert hr
    for e in hr:
        p = e.request.applicant
        assert e.payee == f"{p.title}{p.first_name} {p.last_name}" and e.receipt.issued_by == e.payee
        assert e.method in ("transfer", "promptpay") and e.reference
    bail = fm.Entry.objects.filter(kind=fm.DISBURSEMENT, service="BAIL").select_related("request")[:200]
    for e in bail:
        assert e.payee == e.request.details["authority_name"] and e.reference
    court = fm.Entry.objects.filter(kind=fm.DISBURSEMENT, item_key="court_fee").select_related("request")[:200]
    for e in court:
        assert e.payee == e.request.details["court"]
    assert set(fm.Entry.objects.filter(kind=fm.DISBURSEMENT).values_list("method", flat=True)) <= {
        "transfer", "cheque", "promptpay"}


def _bail_records_match_their_entries_and_statuses() -> None:
    records = list(bm.BailRecord.objects.select_related("request"))
    assert records
    approved = set(dm.Decision.objects.filter(service="BAIL", outcome__in=APPROVING, decided_on__lte=TODAY - timedelta(
        days=7)).values_list("request_id", flat=True))
    assert approved <= {r.request_id for r in records}
    cash = dict(fm.Line.objects.filter(account=acc.CASH, entry__service="BAIL").values_list("entry_id", "amount"))
    entries = {e.pk: e for e in fm.Entry.objects.filter(service="BAIL", kind__in=(fm.DISBURSEMENT, fm.RETURN))}
    deposits: dict[int, list[bm.BailDeposit]] = defaultdict(list)
    returns: dict[int, list[bm.BailReturn]] = defaultdict(list)
    for d in bm.BailDeposit.objects.all():
        deposits[d.record_id].append(d)
    for ret in bm.BailReturn.objects.all():
        returns[ret.record_id].append(ret)
    orders: dict[int, set[str]] = defaultdict(set)
    hearings: dict[int, list[bm.Hearing]] = defaultdict(list)
    for record_id, kind in bm.BailOrder.objects.values_list("record_id", "kind"):
        orders[record_id].add(kind)
    for h in bm.Hearing.objects.all():
        hearings[h.record_id].append(h)
    # every bail payment and return is a deposit or a return of a bail record
    assert {d.entry_id for ds in deposits.values() for d in ds} | {x.entry_id for xs in returns.values() for x in xs} \
        == set(entries)
    statuses: dict[str, int] = defaultdict(int)
    soon = 0
    for r in records:
        statuses[r.status] += 1
        assert r.request.service == "BAIL" and r.role == bm.DEPOSITOR
        assert r.authority == r.request.details["authority"] and r.authority_name == r.request.details["authority_name"]
        deposited = Decimal(0)
        for d in deposits[r.pk]:
            e = entries[d.entry_id]
            assert e.kind == fm.DISBURSEMENT and e.request_id == r.request_id and e.item_key == "bail_amount"
            assert e.on_date == d.deposited_on >= r.contract_on and -cash[e.pk] == d.amount and d.receipt_number
            deposited += d.amount
        back = Decimal(0)
        for ret in returns[r.pk]:
            e = entries[ret.entry_id]
            assert e.kind == fm.RETURN and e.reference == ret.court_receipt_number != ""
            assert e.on_date == ret.returned_on and cash[e.pk] == ret.amount and e.request_id == r.request_id
            back += ret.amount
        kinds, dates = orders[r.pk], hearings[r.pk]
        assert back <= deposited
        if r.status == bm.CONTRACTED:
            assert deposited == 0 and not kinds
        elif r.status == bm.RETURNED:
            assert deposited > 0 and back == deposited
            assert r.closed_on == max(x.returned_on for x in returns[r.pk])
            assert kinds & {"refused", "case_ended"}
            assert all(h.appeared for h in dates) and all(h.at.date() <= r.closed_on for h in dates)
        else:
            assert r.closed_on is None and back == 0 and deposited > 0
        if r.status == bm.RELEASED:
            assert "release" in kinds and dates
            assert any(h.at.date() > TODAY and h.appeared is None and h.reminded_at is None for h in dates)
            soon += any(TODAY < h.at.date() <= TODAY + timedelta(days=7) for h in dates)
        for h in dates:
            assert (h.appeared is True) == (h.at.date() <= TODAY)
    assert statuses[bm.RETURNED] > 500 and statuses[bm.RELEASED] > 50, statuses
    assert soon >= 10  # the reminder job has work in the next few days
    assert not bm.BailRecord.objects.filter(status__in=(bm.ABSCONDED, bm.CLOSED)).exists()  # the recovery pass


def _the_services_agree_with_the_demo_rows() -> None:
    """A demo payment posted again through the service answers the demo's entry (same lines), the
    decision hook commits nothing more, and a return above what was paid is refused."""
    officer = User.objects.get(username="finance.central")
    entry = (fm.Entry.objects.filter(kind=fm.DISBURSEMENT, office__code="00", service="HR")
             .prefetch_related("lines").first())
    assert entry is not None and entry.request_id is not None
    amount = entry.lines.get(account=acc.CASH).amount
    again = services.disburse(actor=officer, key=entry.key, request_id=entry.request_id, item_key=entry.item_key,
                              amount=-amount, on=entry.on_date, payee=entry.payee, method=entry.method,
                              reference=entry.reference)
    assert again.pk == entry.pk
    count = fm.Commitment.objects.count()
    decision = dm.Decision.objects.filter(commitments__isnull=False).first()
    assert decision is not None
    services.commit_decision(officer, decision)
    assert fm.Commitment.objects.count() == count
    with pytest.raises(PostingRefused):
        services.receive_return(actor=officer, key="demo-test/too-much", request_id=entry.request_id,
                                item_key=entry.item_key, amount=-amount + 1, on=TODAY, reference="R-1")
