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
from jfs.grants import models as gm
from jfs.lawyers import fees
from jfs.lawyers import models as lm
from jfs.lawyers import services as lawyer_services
from jfs.recovery import models as rm
from jfs.recovery import selectors as recovery_selectors
from jfs.recovery import services as recovery_services
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
    _lawyers_are_paid_by_milestone_to_the_engaged_lawyer()
    _grants_pay_instalments_within_the_commitment()
    _absconders_owe_what_was_forfeited_and_the_figures_come_from_the_records()


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
    forfeited = _per_item(fm.FORFEITURE)  # bail money the court kept (absconders)
    assert len(paid) > 1000 and len(returned) > 100 and forfeited
    for key, value in paid.items():
        assert Decimal(0) < value <= committed[key], key
        assert -returned.get(key, Decimal(0)) - forfeited.get(key, Decimal(0)) <= value, key
        assert services.paid_for(*key) == value + returned.get(key, Decimal(0)) + forfeited.get(key, Decimal(0))
    assert set(returned) <= set(paid)
    # most approvals older than a few weeks are paid, the last days' not yet
    old = {k for k, c in committed.items() if k[1] in ("bail_amount", "amount")}
    decided = dict(fm.Commitment.objects.values_list("request_id", "entry__on_date"))
    older = [k for k in old if decided[k[0]] < TODAY - timedelta(days=60)]
    assert sum(1 for k in older if k in paid) >= 0.97 * len(older)
    recent = [k for k in committed if decided[k[0]] >= TODAY - timedelta(days=3)]
    assert recent and not any(k in paid for k in recent if k[1] == "amount")
    # lawyers are paid through their milestones, projects through their instalments (below)
    assert fm.Entry.objects.filter(kind=fm.DISBURSEMENT, item_key="lawyer").count() == \
        lm.Milestone.objects.filter(payment__isnull=False).count()
    assert fm.Entry.objects.filter(kind=fm.DISBURSEMENT, service="PROJECT").count() == \
        gm.InstalmentShare.objects.filter(entry__isnull=False).count()


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
    recovered = fm.Line.objects.filter(account=acc.CASH, entry__kind=fm.RECOVERY).aggregate(s=Sum("amount"))["s"]
    cent = Decimal("0.01")  # SQLite sums decimals as floats: compare to the satang
    assert cash.quantize(cent) == (out + back + recovered).quantize(cent) and out < 0 < back and recovered > 0
    assert set(fm.Entry.objects.values_list("kind", flat=True)) == {
        fm.ALLOTMENT, fm.COMMITMENT, fm.DISBURSEMENT, fm.RETURN, fm.FORFEITURE, fm.RECOVERY, fm.WRITE_OFF}


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
    records = list(bm.BailRecord.objects.select_related("request", "abscondence"))
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
        ab = getattr(r, "abscondence", None)
        if r.status in (bm.ABSCONDED, bm.CLOSED):
            assert ab is not None and deposited > 0 and back == 0 and "release" in kinds
            missed = [h for h in dates if h.appeared is False]
            assert len(missed) == 1 and missed[0].at.date() == ab.absconded_on == max(h.at.date() for h in dates)
            assert (r.status == bm.CLOSED) == (ab.closed_on is not None) and r.closed_on == ab.closed_on
            statuses[r.status] += 1
            continue
        assert ab is None
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
    released = statuses[bm.RELEASED] + statuses[bm.RETURNED] + statuses[bm.ABSCONDED] + statuses[bm.CLOSED]
    assert 0.008 * released <= statuses[bm.ABSCONDED] + statuses[bm.CLOSED] <= 0.035 * released, statuses


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


def _lawyers_are_paid_by_milestone_to_the_engaged_lawyer() -> None:
    """A roster per office with valid licences; engagements on most approved litigation requests with a
    lawyer item, with the scale in force; milestones within the agreed fee, each paid to the engaged lawyer
    (the lawyers' payment check accepts every payment); results for closed cases."""
    offices = set(Request.objects.values_list("office_id", flat=True))
    per_office = dict(lm.Lawyer.objects.values_list("office_id").annotate(n=Count("id")).order_by())
    assert offices <= set(per_office) and min(per_office.values()) >= 4
    for licence in lm.Lawyer.objects.values_list("licence_no", flat=True):
        assert lawyer_services.normalise_licence(licence) == licence
    assert lm.LawyerConflict.objects.exists()
    committed = {r: v for r, v in fm.Commitment.objects.filter(item_key="lawyer").values_list("request_id")
                 .annotate(v=Sum("amount")).order_by()}
    old = set(fm.Commitment.objects.filter(item_key="lawyer", entry__on_date__lt=TODAY - timedelta(days=40))
              .values_list("request_id", flat=True))
    engagements = list(lm.Engagement.objects.select_related("lawyer", "lawyer__office", "request", "request__applicant"))
    milestones: dict[int, list[lm.Milestone]] = defaultdict(list)
    for ms in lm.Milestone.objects.select_related("payment"):
        milestones[ms.engagement_id].append(ms)
    cash = dict(fm.Line.objects.filter(account=acc.CASH, entry__item_key="lawyer").values_list("entry_id", "amount"))
    conflicted: dict[int, list[str]] = defaultdict(list)
    for lawyer_id, party in lm.LawyerConflict.objects.values_list("lawyer_id", "party_name"):
        conflicted[lawyer_id].append(party)
    engaged = {e.request_id for e in engagements}
    assert len(engaged) == len(engagements) and len(engaged & old) >= 0.8 * len(old)
    results = 0
    for e in engagements:
        req = e.request
        assert req.service == "LIT" and e.status == lm.ACTIVE and e.agreed_fee == committed[req.pk]
        assert e.lawyer.office_id == req.office_id or e.lawyer.office.is_central
        assert e.lawyer.registered_on <= e.engaged_on
        scale = fees.scale_on(e.engaged_on)
        assert scale is not None and e.scale_effective == scale.effective
        assert e.scale == {k: f"{v:.2f}" for k, v in scale.for_case(e.case_kind).items()}
        applicant = req.applicant
        assert not {f"{applicant.title}{applicant.first_name} {applicant.last_name}", e.opposing_party} & set(
            conflicted[e.lawyer_id])
        due = Decimal(0)
        for ms in milestones[e.pk]:
            assert ms.amount_due <= Decimal(e.scale[ms.kind]) and ms.report_on >= e.engaged_on
            assert ms.report_on <= TODAY and ms.document_id is not None
            due += ms.amount_due
            if ms.payment is not None:
                p = ms.payment
                assert p.kind == fm.DISBURSEMENT and p.item_key == "lawyer" and p.request_id == req.pk
                assert p.payee == e.lawyer.payee and p.on_date >= ms.report_on
                assert cash[p.pk] == -ms.amount_due
        assert due <= e.agreed_fee
        if e.result:
            results += 1
            rule = fees.result(e.result)
            assert rule is not None and e.repayment_required == rule.repayment_required
            assert e.result_on is not None and e.engaged_on <= e.result_on <= TODAY
            if rule.repayment_required:
                assert e.repayment_amount is not None
                assert Decimal(0) < e.repayment_amount <= services.paid_for(req.pk, "lawyer")
            else:
                assert e.repayment_amount is None
    assert results > 50 and lm.Milestone.objects.filter(payment__isnull=True).exists()
    for e in engagements[:200]:  # the lawyers' payment check (what finance asks on every disbursement) accepts them
        for ms in milestones[e.pk]:
            if ms.payment is not None:
                lawyer_services.lawyer_payment_check(e.request, "lawyer", ms.payment.payee, ms.amount_due)
    with_conflict = lm.Lawyer.objects.filter(conflicts__isnull=False).prefetch_related("conflicts").first()
    assert with_conflict is not None
    party = with_conflict.conflicts.all()[0].party_name
    assert lawyer_services.conflicts_with(with_conflict, [party])  # the service sees the declared conflict
    with pytest.raises(PostingRefused):  # a lawyer who is not the one engaged is never paid
        e = engagements[0]
        lawyer_services.lawyer_payment_check(e.request, "lawyer", "นายสมมติ ไม่ได้แต่งตั้ง (ใบอนุญาตทนายความเลขที่ 1/2550)",
                                             Decimal(100))


def _grants_pay_instalments_within_the_commitment() -> None:
    """Each agreement's total is what the approval committed; instalments split per line add up, are paid
    in order after their progress report with the service's key scheme; returns within what was paid;
    the grantee history has organisations with more than one grant."""
    agreements = list(gm.GrantAgreement.objects.select_related("request"))
    instalments_of: dict[int, list[gm.Instalment]] = defaultdict(list)
    for inst in gm.Instalment.objects.order_by("sequence"):
        instalments_of[inst.agreement_id].append(inst)
    shares_of: dict[int, list[gm.InstalmentShare]] = defaultdict(list)
    for share in gm.InstalmentShare.objects.select_related("entry"):
        shares_of[share.instalment_id].append(share)
    reports_of: dict[int, dict[int, gm.ProgressReport]] = defaultdict(dict)
    for report in gm.ProgressReport.objects.all():
        reports_of[report.agreement_id][report.sequence] = report
    returns_of: dict[int, list[gm.GrantReturn]] = defaultdict(list)
    for ret in gm.GrantReturn.objects.prefetch_related("shares__entry"):
        returns_of[ret.agreement_id].append(ret)
    assert len(agreements) > 50
    committed: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for r, k, v in fm.Commitment.objects.filter(service="PROJECT").values_list("request_id", "item_key", "amount"):
        committed[r][k] = committed[r].get(k, Decimal(0)) + v
    assert set(gm.Assessment.objects.values_list("request_id", flat=True)) >= {a.request_id for a in agreements}
    finals = {f.agreement_id: f for f in gm.FinalReport.objects.all()}
    statuses: dict[str, int] = defaultdict(int)
    for a in agreements:
        statuses[a.status] += 1
        lines = committed[a.request_id]
        assert a.total == sum(lines.values()) and a.organisation == a.request.details["organisation"]
        instalments = instalments_of[a.pk]
        assert sum(i.amount for i in instalments) <= a.total
        reports = reports_of[a.pk]
        paid_lines: dict[str, Decimal] = defaultdict(Decimal)
        for i in instalments:
            shares = shares_of[i.pk]
            assert sum(s.amount for s in shares) == i.amount
            if i.paid_on is None:
                assert all(s.entry is None for s in shares)
                continue
            assert all(x.paid_on is not None for x in instalments if x.sequence < i.sequence)
            if i.after_report:
                assert reports[i.after_report].received_on <= i.paid_on
            for s in shares:
                assert s.entry is not None and s.entry.key == f"{i.paid_key}/{s.item_key}"
                assert s.entry.payee == a.organisation and s.entry.on_date == i.paid_on
                paid_lines[s.item_key] += s.amount
        assert all(paid_lines[k] <= lines[k] for k in paid_lines)
        paid = sum(paid_lines.values(), Decimal(0))
        back = sum((r.amount for r in returns_of[a.pk]), Decimal(0))
        for gr in returns_of[a.pk]:
            assert sum(s.amount for s in gr.shares.all()) == gr.amount
            assert all(s.entry.key == f"{gr.key}/{s.item_key}" for s in gr.shares.all())
        assert back <= paid
        final = finals.get(a.pk)
        if a.status != gm.ACTIVE:
            assert final is not None and final.total_spent <= paid and final.people_reached > 0
        if a.status == gm.CLOSED:
            assert final is not None and paid - back == final.total_spent and a.closed_on is not None
    assert statuses[gm.CLOSED] and statuses[gm.ACTIVE] and gm.GrantReturn.objects.exists(), statuses
    repeat = (gm.GrantAgreement.objects.values("name_key").annotate(n=Count("id")).filter(n__gt=1))
    assert repeat.exists()


def _absconders_owe_what_was_forfeited_and_the_figures_come_from_the_records() -> None:
    """Each abscondence's forfeiture is the deposit; recovered + written off never more than forfeited;
    a debt closes when nothing is owed; instalments paid (from the bank's files), due and overdue; the
    absconder figures by year and region come out of these records."""
    abscondences = list(rm.Abscondence.objects.select_related("entry", "record").prefetch_related(
        "tracings", "suits", "plans__instalments__entry", "write_offs"))
    assert len(abscondences) >= 10
    results, levels = set(), set()
    paid = overdue = ahead = 0
    for ab in abscondences:
        req_id = ab.record.request_id
        assert ab.entry.kind == fm.FORFEITURE and ab.entry.request_id == req_id and ab.ordered_on >= ab.absconded_on
        assert ab.amount == bm.BailDeposit.objects.get(record=ab.record).amount
        money_ = recovery_selectors.money(ab)
        assert money_["forfeited"] == ab.amount
        assert money_["recovered"] + money_["written_off"] <= money_["forfeited"]
        assert money_["owed"] == services.receivable_for(req_id) >= 0
        assert (money_["owed"] == 0) == (ab.closed_on is not None)
        for t in ab.tracings.all():
            results.add(t.result)
            levels.add(t.level)
            assert ab.ordered_on <= t.on <= TODAY
        for plan in ab.plans.all():
            for inst in plan.instalments.all():
                assert inst.reference == f"JF{plan.pk:08d}{inst.number:03d}"
                assert inst.reference in recovery_services.promptpay_payload(inst)
                if inst.entry is not None:
                    paid += 1
                    assert inst.entry.kind == fm.RECOVERY and inst.entry.key == f"bank/{inst.bank_reference}"
                    assert inst.paid_on is not None and inst.paid_on <= TODAY
                    row = rm.BankRow.objects.get(instalment=inst)
                    assert row.status == rm.POSTED and row.entry_id == inst.entry_id and row.ref1 == inst.reference
                elif inst.due_on < TODAY:
                    overdue += 1
                else:
                    ahead += 1
        for w in ab.write_offs.all():
            assert w.entry.kind == fm.WRITE_OFF
            from_rules = recovery_services.rules.tier(w.tier, w.on)
            assert from_rules is not None and (from_rules.up_to is None or w.amount <= from_rules.up_to)
    assert results == {rm.TRACED, rm.NOT_TRACED} and levels == {rm.CENTRAL, rm.PROVINCIAL}
    assert paid and overdue and ahead and rm.WriteOff.objects.exists()
    for batch in rm.BankImport.objects.all():
        assert batch.rows == batch.posted == batch.lines.count() and batch.quarantined == 0
    central = User.objects.get(username="finance.central")
    rows = recovery_selectors.absconder_figures(central)
    assert rows and len({r.fiscal_year for r in rows}) >= 2 and len({r.region for r in rows}) >= 2
    totals = recovery_selectors.totals(rows)
    assert totals["absconders"] == len(abscondences) == totals["central"] + totals["provincial"]
    assert totals["forfeited"] == sum(ab.amount for ab in abscondences)
    assert totals["traced"] + totals["not_traced"] + totals["untraced_yet"] == len(abscondences)
