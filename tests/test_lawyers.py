"""Litigation after approval (issue 11, item 3): the roster, engagements with the fee scale in force,
milestones paid against the lawyer's reports, court costs, refunds, the case's result; and the bad
input the issue names (a payment to a lawyer not engaged on the case, above the approved lawyer item,
a milestone paid twice with the same key, a conflicted lawyer)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from jfs.audit.models import AuditEvent
from jfs.cases.errors import CaseError, Conflict, NotPermitted
from jfs.core import clock
from jfs.finance import models as fm
from jfs.finance import services as ledger
from jfs.lawyers import fees, selectors, services
from jfs.lawyers import models as m
from tests.conftest import SAMPLE_FILES
from tests.decisions_support import decide

pytestmark = pytest.mark.django_db


def approved(make_request: Any, users: dict[str, Any], lawyer: str = "10000", court_fee: str = "2000") -> Any:
    req = make_request()  # lawyer 15,000 + court fee 2,000 asked
    return decide(req, users, "partially_approved", ["A01", "P01"], items={"lawyer": lawyer, "court_fee": court_fee})


def lawyer(users: dict[str, Any], licence: str = "12345/2550", who: str = "officer.cm", **kw: Any) -> m.Lawyer:
    actor = users[who]
    return services.register_lawyer(actor=actor, office=kw.pop("office", actor.office), name=kw.pop("name", "นายทนาย ความดี"),
                                    licence_no=licence, specialities=kw.pop("specialities", ["civil", "labour"]),
                                    phone="081-234-5678", email="lawyer@example.com", **kw)


def test_the_roster_validates_and_is_kept_by_the_office(users: dict[str, Any], offices: Any) -> None:
    first = lawyer(users, " 12345 / 2550 ")
    assert first.licence_no == "12345/2550" and first.speciality_codes() == ["civil", "labour"]
    assert first.payee == "นายทนาย ความดี (ใบอนุญาตทนายความเลขที่ 12345/2550)"
    for bad in ("12345", "ABC/2550", "123/1999", "1/9999"):
        with pytest.raises(CaseError) as refused:
            lawyer(users, bad)
        assert refused.value.errors[0]["field"] == "licence_no"
    with pytest.raises(Conflict):
        lawyer(users, "12345/2550", name="คนอื่น")
    with pytest.raises(CaseError, match="speciality"):
        lawyer(users, "2/2550", specialities=[])
    with pytest.raises(CaseError, match="e-mail"):
        services.register_lawyer(actor=users["officer.cm"], office=users["officer.cm"].office, name="ก ข",
                                 licence_no="3/2550", specialities=["civil"], email="not-an-address")
    # Khon Kaen's officer keeps Khon Kaen's roster, not Chiang Mai's; the finance officer and the
    # executive keep no roster; the central office keeps every office's
    for who in ("officer.kk", "finance.cm", "executive"):
        with pytest.raises(NotPermitted):
            lawyer(users, "4/2550", who=who, office=offices["50"])
    lawyer(users, "5/2550", who="head.central", office=offices["50"], name="นางสาวกลาง ทั่วไป", specialities=["criminal"])
    assert [x.licence_no for x in selectors.roster(users["officer.kk"])] == []
    seen = selectors.roster(users["officer.cm"], speciality="labour")
    assert [x.licence_no for x in seen] == ["12345/2550"]
    assert selectors.roster(users["auditor"], q="กลาง").count() == 1


def test_engagement_takes_the_scale_in_force_and_replaces_the_active_one(make_request: Any,
                                                                         users: dict[str, Any]) -> None:
    req = approved(make_request, users)
    a, b = lawyer(users, "1/2550"), lawyer(users, "2/2550", name="นายสอง ว่าความ")
    officer = users["officer.cm"]
    first = services.engage(actor=officer, request_id=req.pk, lawyer_id=a.pk, agreed_fee="8000",
                            engaged_on=clock.today())
    expected = fees.scale_on(clock.today())
    assert expected is not None and first.scale_effective == expected.effective
    assert Decimal(first.scale["filing"]) == expected.for_case("civil")["filing"]
    assert selectors.workload(a.pk) == 1
    second = services.engage(actor=officer, request_id=req.pk, lawyer_id=b.pk, agreed_fee="10000")
    first.refresh_from_db()
    assert first.status == m.ENDED and first.end_reason == "replaced" and second.status == m.ACTIVE
    assert selectors.workload(a.pk) == 0 and selectors.workload(b.pk) == 1
    assert m.Engagement.objects.filter(request=req, status=m.ACTIVE).count() == 1
    # an older scale for an engagement dated before the newer one came into force
    old = fees.scale_on(date(2020, 6, 1))
    assert old is not None and old.effective == date(2016, 4, 24)


def test_engagement_refusals(make_request: Any, users: dict[str, Any]) -> None:
    req = approved(make_request, users)
    officer = users["officer.cm"]
    a = lawyer(users, "1/2550")
    with pytest.raises(CaseError, match="10,000.00") as above:  # above the approved lawyer item
        services.engage(actor=officer, request_id=req.pk, lawyer_id=a.pk, agreed_fee="10000.01")
    assert above.value.errors[0]["field"] == "agreed_fee"
    with pytest.raises(NotPermitted):
        services.engage(actor=users["officer.kk"], request_id=req.pk, lawyer_id=a.pk, agreed_fee="1000")
    with pytest.raises(NotPermitted):
        services.engage(actor=users["finance.cm"], request_id=req.pk, lawyer_id=a.pk, agreed_fee="1000")
    undecided = make_request()
    with pytest.raises(Conflict):
        services.engage(actor=officer, request_id=undecided.pk, lawyer_id=a.pk, agreed_fee="1000")
    services.set_active(actor=officer, lawyer_id=a.pk, active=False)
    with pytest.raises(CaseError, match="active roster"):
        services.engage(actor=officer, request_id=req.pk, lawyer_id=a.pk, agreed_fee="1000")
    assert not m.Engagement.objects.exists()


def test_a_conflicted_lawyer_is_not_engaged(make_request: Any, users: dict[str, Any]) -> None:
    req = approved(make_request, users)
    officer = users["officer.cm"]
    a = lawyer(users, "1/2550")
    services.declare_conflict(actor=officer, lawyer_id=a.pk, party_name="บริษัท เงินด่วน จำกัด", note="ที่ปรึกษา")
    with pytest.raises(CaseError, match="เงินด่วน") as refused:
        services.engage(actor=officer, request_id=req.pk, lawyer_id=a.pk, agreed_fee="5000",
                        opposing_party="บริษัท  เงินด่วน จำกัด")
    assert refused.value.errors[0]["field"] == "lawyer"
    applicant = req.applicant
    b = lawyer(users, "2/2550", name="นายสอง")
    services.declare_conflict(actor=officer, lawyer_id=b.pk, party_name=f"นาย{applicant.first_name}  {applicant.last_name}")
    with pytest.raises(CaseError, match="conflict"):
        services.engage(actor=officer, request_id=req.pk, lawyer_id=b.pk, agreed_fee="5000", opposing_party="ผู้อื่น")
    assert not m.Engagement.objects.exists()
    services.engage(actor=officer, request_id=req.pk, lawyer_id=a.pk, agreed_fee="5000", opposing_party="นายผู้อื่น")


def _engaged(make_request: Any, users: dict[str, Any]) -> tuple[Any, m.Engagement]:
    req = approved(make_request, users)
    a = lawyer(users, "1/2550")
    eng = services.engage(actor=users["officer.cm"], request_id=req.pk, lawyer_id=a.pk, agreed_fee="9000",
                          opposing_party="นายคู่กรณี ฝ่ายตรงข้าม", engaged_on=clock.today() - timedelta(days=30))
    return req, eng


def test_staged_payments_against_reports(make_request: Any, users: dict[str, Any]) -> None:
    req, eng = _engaged(make_request, users)
    officer, finance, today = users["officer.cm"], users["finance.cm"], clock.today()
    data = SAMPLE_FILES["pdf"]
    filing = services.report_milestone(
        actor=officer, engagement_id=eng.pk, kind="filing", report_on=today - timedelta(days=20), summary="ยื่นคำให้การ",
        upload=services.case_services.Upload("lawyer_report", "report.pdf", [data], len(data)))
    assert filing.amount_due == Decimal(eng.scale["filing"]) and filing.document is not None
    assert filing.document.doc_type == "lawyer_report"
    with pytest.raises(NotPermitted):  # the case officer does not pay
        services.pay_milestone(actor=officer, key="k-1", milestone_id=filing.pk, on=today, method="transfer")
    services.pay_milestone(actor=finance, key="k-1", milestone_id=filing.pk, on=today, method="transfer",
                           reference="TRF-1")
    again = services.pay_milestone(actor=finance, key="k-1", milestone_id=filing.pk, on=today, method="transfer",
                                   reference="TRF-1")  # the same key: the same payment, posted once
    assert again.payment_id is not None
    assert fm.Entry.objects.filter(kind=fm.DISBURSEMENT, request=req).count() == 1
    with pytest.raises(Conflict, match="paid already"):
        services.pay_milestone(actor=finance, key="k-2", milestone_id=filing.pk, on=today, method="transfer")
    entry = fm.Entry.objects.get(pk=again.payment_id)
    assert entry.payee == eng.lawyer.payee and entry.item_key == "lawyer" and entry.reference == "TRF-1"
    hearing = services.report_milestone(actor=officer, engagement_id=eng.pk, kind="hearing",
                                        report_on=today - timedelta(days=5), summary="สืบพยานโจทก์")
    with pytest.raises(CaseError, match="before the lawyer's report"):
        services.pay_milestone(actor=finance, key="k-3", milestone_id=hearing.pk, on=today - timedelta(days=6),
                               method="cash")
    services.pay_milestone(actor=finance, key="k-3", milestone_id=hearing.pk, on=today, method="cash")
    assert ledger.paid_for(req.pk, "lawyer") == filing.amount_due + hearing.amount_due
    # the agreed fee caps what falls due: milestones until it is reached, then refused
    for _ in range(10):
        try:
            services.report_milestone(actor=officer, engagement_id=eng.pk, kind="hearing", report_on=today,
                                      summary="นัดพิจารณา")
        except CaseError as exc:
            assert "whole agreed fee" in exc.en
            break
    assert services.due_left(m.Engagement.objects.get(pk=eng.pk)) == 0


def test_a_lawyer_not_engaged_is_not_paid(make_request: Any, users: dict[str, Any]) -> None:
    req, eng = _engaged(make_request, users)
    finance = users["finance.cm"]
    other = lawyer(users, "7/2550", name="นายไม่ได้ แต่งตั้ง")
    pay = {"actor": finance, "request_id": req.pk, "item_key": "lawyer", "amount": "1000", "on": clock.today(),
           "method": "transfer"}
    with pytest.raises(CaseError, match="engaged on this case") as refused:
        ledger.disburse(key="x-1", payee=other.payee, **pay)
    assert refused.value.errors[0]["field"] == "payee"
    with pytest.raises(CaseError, match="engaged on this case"):
        ledger.disburse(key="x-2", payee="นายทนาย ความดี", **pay)  # a name alone is not the engaged lawyer
    assert not fm.Entry.objects.filter(kind=fm.DISBURSEMENT).exists()
    ledger.disburse(key="x-3", payee=eng.lawyer.payee, **pay)
    # a replaced lawyer is paid no more
    services.engage(actor=users["officer.cm"], request_id=req.pk, lawyer_id=other.pk, agreed_fee="5000")
    with pytest.raises(CaseError, match="engaged on this case"):
        ledger.disburse(key="x-4", payee=eng.lawyer.payee, **pay)
    # other items (court fees) go to their own payees
    services.pay_cost(actor=finance, key="c-1", request_id=req.pk, item_key="court_fee", amount="2000",
                      on=clock.today(), payee="ศาลจังหวัดเชียงใหม่", method="cheque", reference="CHQ-1")


def test_court_fees_and_refunds(make_request: Any, users: dict[str, Any]) -> None:
    req, _eng = _engaged(make_request, users)
    finance, today = users["finance.cm"], clock.today()
    with pytest.raises(CaseError, match="2,000.00"):
        services.pay_cost(actor=finance, key="c-1", request_id=req.pk, item_key="court_fee", amount="2500",
                          on=today, payee="ศาลจังหวัดเชียงใหม่", method="cheque")
    with pytest.raises(CaseError, match="cost item"):
        services.pay_cost(actor=finance, key="c-1", request_id=req.pk, item_key="lawyer", amount="25",
                          on=today, payee="ศาลจังหวัดเชียงใหม่", method="cheque")
    services.pay_cost(actor=finance, key="c-1", request_id=req.pk, item_key="court_fee", amount="2000", on=today,
                      payee="ศาลจังหวัดเชียงใหม่", method="cheque", reference="CHQ-1")
    with pytest.raises(CaseError, match="receipt"):
        services.refund(actor=finance, key="r-1", request_id=req.pk, item_key="court_fee", amount="500", on=today,
                        reference=" ")
    with pytest.raises(CaseError, match="2,000.00 baht paid"):
        services.refund(actor=finance, key="r-1", request_id=req.pk, item_key="court_fee", amount="2000.01",
                        on=today, reference="RC-9")
    services.refund(actor=finance, key="r-1", request_id=req.pk, item_key="court_fee", amount="500", on=today,
                    reference="RC-9", memo="ศาลคืนค่าธรรมเนียม")
    money = {i.key: i for i in selectors.money(req.pk)}
    assert money["court_fee"].paid == Decimal("1500.00") and money["court_fee"].left == Decimal("500.00")
    assert [e.kind for e in selectors.postings(req.pk)] == [fm.DISBURSEMENT, fm.RETURN]


def test_the_case_result_and_repayment(make_request: Any, users: dict[str, Any]) -> None:
    req, eng = _engaged(make_request, users)
    officer, finance, today = users["officer.cm"], users["finance.cm"], clock.today()
    services.pay_cost(actor=finance, key="c-1", request_id=req.pk, item_key="court_fee", amount="2000", on=today,
                      payee="ศาลจังหวัดเชียงใหม่", method="cheque")
    won = fees.result("won")
    assert won is not None and won.repayment_required
    with pytest.raises(CaseError, match="requires repayment"):
        services.record_result(actor=officer, engagement_id=eng.pk, result="won", on=today)
    with pytest.raises(CaseError, match="2,000.00"):
        services.record_result(actor=officer, engagement_id=eng.pk, result="won", on=today, repayment_amount="2000.01")
    with pytest.raises(CaseError, match="leave the amount empty"):
        services.record_result(actor=officer, engagement_id=eng.pk, result="lost", on=today, repayment_amount="10")
    with pytest.raises(NotPermitted):
        services.record_result(actor=users["auditor"], engagement_id=eng.pk, result="lost", on=today)
    done = services.record_result(actor=officer, engagement_id=eng.pk, result="won", on=today,
                                  repayment_amount="1,500", note="ศาลพิพากษาให้ชนะ")
    assert done.repayment_required is True and done.repayment_amount == Decimal("1500.00")
    assert done.status == m.ACTIVE  # the last fees can still be paid
    with pytest.raises(CaseError, match="recorded already"):
        services.record_result(actor=officer, engagement_id=eng.pk, result="lost", on=today)
    with pytest.raises(CaseError, match="no more steps"):
        services.report_milestone(actor=officer, engagement_id=eng.pk, kind="appeal", report_on=today, summary="x")


def test_the_lawyer_page_audits_contact_details(make_request: Any, users: dict[str, Any], login: Any) -> None:
    a = lawyer(users, "1/2550")
    page = login("head.cm").get(reverse("staff:lawyer", args=[a.pk]))
    assert page.status_code == 200 and "081-234-5678" in page.content.decode()
    assert AuditEvent.objects.filter(action="view_personal_data", object_type="lawyer", object_id=str(a.pk)).exists()
    assert login("officer.kk").get(reverse("staff:lawyer", args=[a.pk])).status_code == 404


def test_the_pages_offer_each_role_its_forms_and_keep_what_was_typed(make_request: Any, users: dict[str, Any],
                                                                     login: Any) -> None:
    req = approved(make_request, users)
    a = lawyer(users, "1/2550")
    url = reverse("staff:engagement", args=[req.pk])
    officer, finance, auditor = login("officer.cm"), login("finance.cm"), login("auditor")
    page = officer.get(url).content.decode()
    assert f'action="{reverse("staff:engagement_engage", args=[req.pk])}"' in page
    assert reverse("staff:engagement_cost", args=[req.pk]) not in page  # money: finance officers only
    assert AuditEvent.objects.filter(action="view_personal_data", object_type="lawyer_engagement").exists()
    # above the approved lawyer item: refused next to the field, what was typed kept
    refused = officer.post(reverse("staff:engagement_engage", args=[req.pk]), {
        "engage-lawyer": a.pk, "engage-agreed_fee": "12000", "engage-engaged_on": "01/01/2569",
        "engage-opposing_party": "นายคู่กรณี"})
    body = refused.content.decode()
    assert refused.status_code == 422 and "10,000.00" in body and 'value="นายคู่กรณี"' in body
    done = officer.post(reverse("staff:engagement_engage", args=[req.pk]), {
        "engage-lawyer": a.pk, "engage-agreed_fee": "9000", "engage-engaged_on": "",
        "engage-opposing_party": "นายคู่กรณี"})
    assert done.status_code == 422  # the date is required
    today = clock.today()
    be = f"{today.day:02d}/{today.month:02d}/{today.year + 543}"
    done = officer.post(reverse("staff:engagement_engage", args=[req.pk]), {
        "engage-lawyer": a.pk, "engage-agreed_fee": "9000", "engage-engaged_on": be})
    assert done.status_code == 303
    officer.post(reverse("staff:engagement_milestone", args=[req.pk]), {
        "milestone-kind": "filing", "milestone-report_on": be, "milestone-summary": "ยื่นฟ้องแล้ว"})
    ms = m.Milestone.objects.get()
    page = finance.get(url).content.decode()
    pay_url = reverse("staff:engagement_pay", args=[req.pk, ms.pk])
    assert pay_url in page and reverse("staff:engagement_engage", args=[req.pk]) not in page
    post = {f"pay-{ms.pk}-key": "form-key-1", f"pay-{ms.pk}-on_date": be, f"pay-{ms.pk}-method": "transfer",
            f"pay-{ms.pk}-reference": "TRF-9"}
    assert finance.post(pay_url, post).status_code == 303
    assert finance.post(pay_url, post).status_code == 303  # a double submit: the same key, posted once
    assert fm.Entry.objects.filter(kind=fm.DISBURSEMENT).count() == 1
    page = auditor.get(url).content.decode()
    assert "ยื่นฟ้อง" in page and "<form method=\"post\"" not in page.split("<main", 1)[-1].split("</main>")[0]
    assert auditor.post(pay_url, {**post, f"pay-{ms.pk}-key": "k2"}).status_code == 403
    assert login("officer.kk").get(url).status_code == 404
