"""Project grants (กทย.4): the assessment before the decision, the agreement and its instalments
split over the budget lines, progress and final reports, the return of unspent money and the
grantee's history; and the bad input the issue names."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from jfs.cases import services as case_services
from jfs.cases.errors import CaseError, Conflict, NotPermitted
from jfs.cases.models import Request
from jfs.core import clock
from jfs.finance import models as fm
from jfs.finance import selectors as ledger_selectors
from jfs.finance import services as ledger
from jfs.grants import models as m
from jfs.grants import selectors, services
from jfs.grants.services import PlannedInstalment
from tests.conftest import SAMPLE_FILES
from tests.decisions_support import decide_at_a_meeting, to_consideration

pytestmark = pytest.mark.django_db

PROJECT = {"organisation": "มูลนิธิเพื่อความรู้กฎหมาย", "organisation_registration_no": "กท-123/2560",
           "title": "อบรมกฎหมายชุมชน", "plan": "อบรม 3 รุ่น",
           "budget_lines": [{"item": "ค่าวิทยากร", "amount": "60000"}, {"item": "ค่าเอกสาร", "amount": "40000"}],
           "participants": 120}
SCORES = {"relevance": {"score": 5, "note": "ตรงวัตถุประสงค์"}, "target_group": {"score": 4},
          "feasibility": {"score": 4}, "budget": {"score": 3, "note": "ค่าเอกสารสูง"}, "track_record": {"score": 4}}
STEPS_TO_FACT_FINDING = [("intake.cm", "start_screening"), ("intake.cm", "accept")]
STEPS_ON = [("officer.cm", "complete_fact_finding"), ("officer.cm", "submit_opinion")]


def _upload(req: Request, users: dict[str, Any], doc_type: str, who: str = "officer.cm") -> int:
    data = SAMPLE_FILES["pdf"]
    return case_services.add_document(actor=users[who], request_id=req.pk, doc_type=doc_type, name=f"{doc_type}.pdf",
                                      chunks=[data], size=len(data)).pk


def approved_project(make_request: Any, users: dict[str, Any], details: dict[str, Any] | None = None,
                     assess: bool = True) -> Request:
    req = make_request(service="PROJECT", details=details or PROJECT)
    req = to_consideration(req, users, STEPS_TO_FACT_FINDING)
    if assess:
        services.assess(actor=users["officer.cm"], request_id=req.pk, scores=SCORES, recommendation="support",
                        summary="เห็นควรสนับสนุน")
    req = to_consideration(req, users, STEPS_ON)
    return decide_at_a_meeting(req, users, outcome="approved", reason_codes=["A01"], comment="อนุมัติ")


def agreement(req: Request, users: dict[str, Any], amounts: tuple[str, ...] = ("40000", "40000", "20000"),
              number: str = "กทย.4-001/2569") -> m.GrantAgreement:
    today = clock.today()
    return services.make_agreement(
        actor=users["officer.cm"], request_id=req.pk, number=number, signed_on=today, period_start=today,
        period_end=today + timedelta(days=180), signed_for_grantee="นางสาวผู้แทน องค์กร",
        instalments=[PlannedInstalment(a, today + timedelta(days=60 * i) if i else None) for i, a in enumerate(amounts)])


def progress(ag: m.GrantAgreement, users: dict[str, Any], people: int = 40, spent: str = "30000") -> m.ProgressReport:
    today = clock.today()
    return services.record_progress_report(
        actor=users["officer.cm"], agreement_id=ag.pk, received_on=today, period_from=today - timedelta(days=30),
        period_to=today, activities="อบรมรุ่นที่ 1", people_reached=people, spent=spent,
        document_id=_upload(ag.request, users, "progress_report"))


def pay(inst: m.Instalment, users: dict[str, Any], key: str) -> m.Instalment:
    return services.pay_instalment(actor=users["finance.cm"], instalment_id=inst.pk, key=key, on=clock.today(),
                                   method="transfer", reference="TRF-9")


def test_the_assessment_is_made_before_the_decision_and_read_by_the_committee(make_request: Any,
                                                                            users: dict[str, Any]) -> None:
    req = make_request(service="PROJECT", details=PROJECT)
    with pytest.raises(Conflict):  # received: not yet in fact-finding
        services.assess(actor=users["officer.cm"], request_id=req.pk, scores=SCORES, recommendation="support")
    req = to_consideration(req, users, STEPS_TO_FACT_FINDING)
    with pytest.raises(NotPermitted):
        services.assess(actor=users["finance.cm"], request_id=req.pk, scores=SCORES, recommendation="support")
    with pytest.raises(NotPermitted):  # another province's officer
        services.assess(actor=users["officer.kk"], request_id=req.pk, scores=SCORES, recommendation="support")
    with pytest.raises(CaseError) as bad:
        services.assess(actor=users["officer.cm"], request_id=req.pk,
                        scores={**SCORES, "budget": {"score": 6}, "nonsense": {"score": 1}}, recommendation="maybe")
    fields = {e["field"] for e in bad.value.errors}
    assert fields == {"scores.budget", "scores.nonsense", "recommendation"}
    services.assess(actor=users["officer.cm"], request_id=req.pk, scores=SCORES, recommendation="support_with_changes")
    row = selectors.assessment_of(req)
    assert row is not None and row.recommendation == "support_with_changes"
    assert selectors.assessment_total(row) == (20, 25)
    names = [r["score_name"] for r in selectors.assessment_rows(row, "en")]
    assert names == ["Excellent", "Good", "Good", "Fair", "Good"]
    req = to_consideration(req, users, STEPS_ON)
    with pytest.raises(Conflict):  # in consideration: the committee has it, the officer no longer changes it
        services.assess(actor=users["officer.cm"], request_id=req.pk, scores=SCORES, recommendation="support")


def test_an_instalment_waits_for_its_progress_report_and_is_paid_pro_rata(make_request: Any,
                                                                         users: dict[str, Any]) -> None:
    req = approved_project(make_request, users)
    ag = agreement(req, users)
    assert ag.total == Decimal("100000.00") and ag.organisation == "มูลนิธิเพื่อความรู้กฎหมาย"
    first, second, third = list(ag.instalments.all())
    assert {s.item_key: s.amount for s in first.shares.all()} == {"line-1": Decimal("24000.00"),
                                                                  "line-2": Decimal("16000.00")}
    with pytest.raises(NotPermitted):  # the case officer does not pay
        services.pay_instalment(actor=users["officer.cm"], instalment_id=first.pk, key="k1", on=clock.today(),
                                method="transfer")
    with pytest.raises(CaseError, match="earlier instalments"):
        pay(second, users, "k2")
    pay(first, users, "k1")
    with pytest.raises(CaseError, match="progress report 1"):
        pay(second, users, "k2")
    assert not fm.Entry.objects.filter(key__startswith="k2/").exists()
    progress(ag, users)
    with pytest.raises(CaseError, match="earlier instalments"):
        pay(third, users, "k3")
    pay(second, users, "k2")
    entries = fm.Entry.objects.filter(kind=fm.DISBURSEMENT, request=req)
    assert ledger.paid_for(req.pk, "line-1") == Decimal("48000.00")
    assert ledger.paid_for(req.pk, "line-2") == Decimal("32000.00")
    assert set(entries.values_list("payee", flat=True)) == {"มูลนิธิเพื่อความรู้กฎหมาย"}
    assert ledger_selectors.unbalanced_entries() == []


def test_the_last_instalment_pays_each_line_exactly_what_is_left(make_request: Any, users: dict[str, Any]) -> None:
    details = {**PROJECT, "budget_lines": [{"item": "ก", "amount": "333.33"}, {"item": "ข", "amount": "666.67"},
                                          {"item": "ค", "amount": "100.01"}]}
    req = approved_project(make_request, users, details, assess=False)
    ag = agreement(req, users, ("366.67", "366.67", "366.67"))
    plans = [{s.item_key: s.amount for s in i.shares.all()} for i in ag.instalments.all()]
    totals = {k: sum(p.get(k, Decimal(0)) for p in plans) for k in ("line-1", "line-2", "line-3")}
    assert totals == {"line-1": Decimal("333.33"), "line-2": Decimal("666.67"), "line-3": Decimal("100.01")}
    assert [sum(p.values()) for p in plans] == [Decimal("366.67")] * 3


def test_instalments_above_the_committed_amount_are_refused(make_request: Any, users: dict[str, Any]) -> None:
    req = approved_project(make_request, users, assess=False)
    with pytest.raises(CaseError) as refused:
        agreement(req, users, ("60000", "40000.01"))
    assert refused.value.errors[0]["field"] == "instalments" and "100,000.00" in refused.value.en
    assert not m.GrantAgreement.objects.filter(request=req).exists()
    with pytest.raises(CaseError):
        agreement(req, users, ("0",))
    ag = agreement(req, users, ("50000", "30000"))  # less than the total: allowed
    assert sum(i.amount for i in ag.instalments.all()) == Decimal("80000.00")
    with pytest.raises(Conflict):
        agreement(req, users, ("1",), number="another")


def test_an_agreement_needs_an_approved_project(make_request: Any, users: dict[str, Any]) -> None:
    req = make_request(service="PROJECT", details=PROJECT)
    req = to_consideration(req, users)
    with pytest.raises(Conflict):
        agreement(req, users)
    lit = make_request()
    with pytest.raises(CaseError, match="not a project grant"):
        agreement(lit, users)


def test_a_double_submitted_payment_posts_once(make_request: Any, users: dict[str, Any]) -> None:
    req = approved_project(make_request, users, assess=False)
    first = agreement(req, users).instalments.get(sequence=1)
    a = pay(first, users, "form-uuid-1")
    b = pay(first, users, "form-uuid-1")
    assert a.pk == b.pk and a.paid_key == "form-uuid-1"
    assert fm.Entry.objects.filter(kind=fm.DISBURSEMENT, request=req).count() == 2  # one per budget line
    with pytest.raises(Conflict, match="paid already"):
        pay(first, users, "form-uuid-2")
    assert ledger.paid_for(req.pk, "line-1") + ledger.paid_for(req.pk, "line-2") == Decimal("40000.00")


def test_final_report_return_of_unspent_money_and_closing(make_request: Any, users: dict[str, Any]) -> None:
    req = approved_project(make_request, users, assess=False)
    ag = agreement(req, users, ("40000", "40000"))
    pay(ag.instalments.get(sequence=1), users, "p1")
    progress(ag, users)
    pay(ag.instalments.get(sequence=2), users, "p2")
    today = clock.today()
    with pytest.raises(CaseError, match="above the 80,000.00 baht"):
        services.record_final_report(actor=users["officer.cm"], agreement_id=ag.pk, received_on=today, outputs="x",
                                     people_reached=1, total_spent="80000.01",
                                     document_id=_upload(req, users, "final_report"))
    with pytest.raises(CaseError, match="document"):  # a progress report's file is not the final report
        services.record_final_report(actor=users["officer.cm"], agreement_id=ag.pk, received_on=today,
                                     outputs="อบรม 3 รุ่น", people_reached=118, total_spent="75000",
                                     document_id=_upload(req, users, "progress_report"))
    final = services.record_final_report(actor=users["officer.cm"], agreement_id=ag.pk, received_on=today,
                                         outputs="อบรม 3 รุ่น คู่มือ 500 เล่ม", people_reached=118, total_spent="75000",
                                         document_id=_upload(req, users, "final_report"))
    assert final.on_time
    with pytest.raises(CaseError, match="5,000.00 baht unspent"):
        services.close_grant(actor=users["officer.cm"], agreement_id=ag.pk)
    back = {"actor": users["finance.cm"], "agreement_id": ag.pk, "on": today, "receipt_number": "RC-77"}
    with pytest.raises(CaseError, match="At most the 80,000.00 baht"):
        services.receive_unspent(key="r0", amount="80000.01", **back)
    with pytest.raises(CaseError, match="receipt"):
        services.receive_unspent(key="r0", amount="5000", **{**back, "receipt_number": " "})
    ret = services.receive_unspent(key="r1", amount="5000", **back)
    assert services.receive_unspent(key="r1", amount="5000", **back).pk == ret.pk  # a double submit
    assert {s.item_key: s.amount for s in ret.shares.all()} == {"line-1": Decimal("3000.00"),
                                                                "line-2": Decimal("2000.00")}
    assert ledger.paid_for(req.pk, "line-1") + ledger.paid_for(req.pk, "line-2") == Decimal("75000.00")
    closed = services.close_grant(actor=users["officer.cm"], agreement_id=ag.pk)
    assert closed.status == m.CLOSED
    assert ledger_selectors.unbalanced_entries() == []
    money = selectors.money(closed)
    assert (money.paid, money.returned, money.net_paid) == (Decimal("80000.00"), Decimal("5000.00"), Decimal("75000.00"))


def test_the_grantee_history_for_the_next_proposal(make_request: Any, users: dict[str, Any]) -> None:
    earlier = approved_project(make_request, users, assess=False)
    ag = agreement(earlier, users, ("50000", "50000"))
    pay(ag.instalments.get(sequence=1), users, "h1")
    progress(ag, users, people=55)
    # the next proposal: the same registration written differently, the name spelt another way
    later = make_request(service="PROJECT", details={**PROJECT, "organisation": "มูลนิธิฯ เพื่อความรู้กฎหมาย",
                                                     "organisation_registration_no": "กท 123/2560"})
    rows = selectors.history_for_request(users["officer.cm"], later)
    assert len(rows) == 1
    row = rows[0]
    assert (row["total"], row["instalments_paid"], row["instalments"], row["people_reached"], row["returned"]) == (
        Decimal("100000.00"), 1, 2, 55, Decimal(0))
    assert row["final_on_time"] is None  # not due yet
    by_name = selectors.history(users["officer.cm"], organisation="มูลนิธิ เพื่อความรู้กฎหมาย")
    assert [r["request_number"] for r in by_name] == [earlier.number]
    assert selectors.history(users["officer.cm"], registration_no="อื่น-999") == []
    assert selectors.history(users["officer.kk"], registration_no="กท-123/2560") == []  # another office's grant


def test_a_progress_report_needs_its_own_document(make_request: Any, users: dict[str, Any]) -> None:
    req = approved_project(make_request, users, assess=False)
    ag = agreement(req, users)
    today = clock.today()
    report = {"actor": users["officer.cm"], "agreement_id": ag.pk, "received_on": today, "period_from": today,
              "period_to": today, "activities": "อบรม", "people_reached": 10, "spent": "100"}
    with pytest.raises(CaseError) as refused:
        services.record_progress_report(**report, document_id=None)
    assert refused.value.errors[0]["field"] == "document_id"
    doc = _upload(req, users, "progress_report")
    services.record_progress_report(**report, document_id=doc)
    with pytest.raises(CaseError, match="another report"):
        services.record_progress_report(**report, document_id=doc)
    with pytest.raises(CaseError) as negative:
        services.record_progress_report(**{**report, "people_reached": -1}, document_id=_upload(req, users, "progress_report"))
    assert negative.value.errors[0]["field"] == "people_reached"
    with pytest.raises(NotPermitted):
        services.record_progress_report(**{**report, "actor": users["executive"]}, document_id=doc)


def test_a_projects_money_is_paid_only_as_an_instalment(make_request: Any, users: dict[str, Any]) -> None:
    req = approved_project(make_request, users)
    line = fm.Commitment.objects.filter(request=req).order_by("id").first()
    assert line is not None

    def pay_around(key: str) -> None:
        ledger.disburse(actor=users["finance.cm"], key=key, request_id=req.pk, item_key=line.item_key, amount="100",
                        on=clock.today(), payee="มูลนิธิ", method="transfer")

    with pytest.raises(ledger.PostingRefused) as before:  # no agreement yet
        pay_around("around-1")
    assert before.value.errors[0]["field"] == "item_key"
    ag = agreement(req, users)
    with pytest.raises(ledger.PostingRefused):  # with an agreement, still only through its instalments
        pay_around("around-2")
    assert not fm.Entry.objects.filter(kind=fm.DISBURSEMENT, request=req).exists()
    first = ag.instalments.order_by("sequence").first()
    assert first is not None
    pay(first, users, "through-1")
    assert fm.Entry.objects.filter(kind=fm.DISBURSEMENT, request=req).exists()
