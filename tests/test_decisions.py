"""Consideration and decisions as the Act sets them: who decides, meetings (quorum, conflicts,
votes), coded reasons, partial approval per cost item, urgent decisions by the chair, terminations,
referrals, appeals within their period in working days, letters and minutes as Thai PDFs."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from jfs.cases import services
from jfs.cases.errors import CaseError, NotPermitted
from jfs.cases.models import Request
from jfs.core import clock
from jfs.core.pdf import pdf_text
from jfs.decisions import authority, documents, selectors
from jfs.decisions import models as m
from jfs.decisions import services as decisions
from jfslib.thaidate import FiscalYear, fiscal_year
from tests.decisions_support import (
    CM_VOTERS,
    decide,
    open_meeting,
    seat_everyone,
    to_consideration,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seated(users: dict[str, Any]) -> dict[str, Any]:
    seat_everyone()
    return users


def _errors(exc: pytest.ExceptionInfo[CaseError]) -> dict[str, str]:
    return {e["field"]: e["message_en"] for e in exc.value.errors}


def test_litigation_partly_approved_at_a_provincial_meeting_with_a_conflicted_member(
        make_request: Any, seated: dict[str, Any]) -> None:
    req = to_consideration(make_request(), seated)
    assert selectors.deciding_committee(req).code == "P50"
    meeting = open_meeting(seated)
    assert (meeting.members_count, meeting.quorum) == (4, 3)
    item = meeting.items.get(request=req)
    assert item.kind == m.CONSIDER and item.summary["amount_requested"] == "17000.00"
    decisions.declare_conflict(actor=seated["member3.cm"], item_id=item.pk, note="เป็นญาติของคู่ความ")
    with pytest.raises(CaseError) as refused:
        decisions.cast_vote(actor=seated["member3.cm"], item_id=item.pk, choice="for")
    assert "declared a conflict" in refused.value.en
    for who, choice in (("chair.cm", "for"), ("member.cm", "for"), ("member2.cm", "against")):
        decisions.cast_vote(actor=seated[who], item_id=item.pk, choice=choice)
    decisions.decide_at_meeting(actor=seated["secretary.cm"], item_id=item.pk, outcome="partially_approved",
                                reason_codes=["A01", "P01"], items={"lawyer": "10000", "court_fee": "2000"},
                                note="ค่าทนายความเกินอัตรา")
    req.refresh_from_db()
    assert (req.state, req.outcome) == ("decided", "partially_approved")
    d = selectors.latest_decision(req)
    assert (d.authority, d.meeting_id, d.item_id) == (m.BY_MEETING, meeting.pk, item.pk)
    assert (d.votes_for, d.votes_against, d.votes_abstain) == (2, 1, 0)
    assert d.amount_requested == Decimal("17000") and d.amount_approved == Decimal("12000")
    assert [r.code for r in d.reasons.all()] == ["A01", "P01"]
    assert {i.key: (i.requested, i.approved) for i in d.items.all()} == {
        "lawyer": (Decimal("15000"), Decimal("10000")), "court_fee": (Decimal("2000"), Decimal("2000"))}
    assert d.transition.action == "record_subcommittee_decision"


def test_no_quorum_no_meeting(make_request: Any, seated: dict[str, Any]) -> None:
    with pytest.raises(CaseError) as refused:
        open_meeting(seated, present=("chair.cm", "member.cm"))
    assert "No quorum: 2 of 4 members present, at least 3 needed" in refused.value.en
    assert m.Meeting.objects.get().state == m.SCHEDULED


def test_quorum_rule_is_data() -> None:
    on = date(2026, 1, 1)
    assert [authority.quorum(n, on) for n in (1, 2, 3, 4, 5, 9)] == [1, 2, 2, 3, 3, 5]


@pytest.mark.parametrize(("fields", "field", "says"), [
    ({"outcome": "approved", "reason_codes": []}, "reason_codes", "Choose at least one reason"),
    ({"outcome": "approved", "reason_codes": ["R01"]}, "reason_codes", "does not explain the outcome"),
    ({"outcome": "approved", "reason_codes": ["Z99"]}, "reason_codes", "There is no reason Z99"),
    ({"outcome": "partially_approved", "reason_codes": ["P01"], "items": {"lawyer": "20000"}},
     "items.lawyer", "at most the 15,000.00 baht requested"),
    ({"outcome": "partially_approved", "reason_codes": ["P01"], "items": {"lawyer": "-5"}},
     "items.lawyer", "not negative"),
    ({"outcome": "approved", "reason_codes": ["A01"], "items": {"lawyer": "100"}}, "outcome", "Partly approved"),
    ({"outcome": "terminated", "reason_codes": ["T01"]}, "cause", "why the request is terminated"),
    ({"outcome": "terminated", "reason_codes": ["T03"], "cause": "unreachable"}, "reason_codes", "does not fit the cause"),
    ({"outcome": "rejected", "reason_codes": ["X01"]}, "comment", "the note must say what it is"),
])
def test_bad_decisions_are_refused_whole(make_request: Any, seated: dict[str, Any], fields: dict[str, Any],
                                         field: str, says: str) -> None:
    req = to_consideration(make_request(), seated)
    meeting = open_meeting(seated)
    item = meeting.items.get(request=req)
    for who in CM_VOTERS:
        decisions.cast_vote(actor=seated[who], item_id=item.pk, choice="for")
    with pytest.raises(CaseError) as refused:
        decisions.decide_at_meeting(actor=seated["secretary.cm"], item_id=item.pk, **fields)
    assert says in _errors(refused)[field]
    assert refused.value.th  # and in Thai
    req.refresh_from_db()
    assert req.state == "consideration" and not m.Decision.objects.exists()


def test_a_decision_is_recorded_only_from_a_meeting(make_request: Any, seated: dict[str, Any]) -> None:
    req = to_consideration(make_request(), seated)
    with pytest.raises(CaseError) as refused:
        services.transition(actor=seated["secretary.cm"], request_id=req.pk, action="record_subcommittee_decision",
                            expected_version=req.version, fields={"outcome": "approved", "reason_codes": ["A01"]})
    assert "meeting's agenda item" in _errors(refused)["agenda_item"]


def test_a_vote_that_does_not_carry_records_no_resolution(make_request: Any, seated: dict[str, Any]) -> None:
    req = to_consideration(make_request(), seated)
    item = open_meeting(seated).items.get(request=req)
    for who, choice in (("chair.cm", "against"), ("member.cm", "for"), ("member2.cm", "against")):
        decisions.cast_vote(actor=seated[who], item_id=item.pk, choice=choice)
    with pytest.raises(CaseError) as refused:
        decisions.decide_at_meeting(actor=seated["secretary.cm"], item_id=item.pk, outcome="approved",
                                    reason_codes=["A01"])
    assert "did not carry: 1 for, 2 against" in _errors(refused)["agenda_item"]


def test_members_vote_once_and_only_when_present(make_request: Any, seated: dict[str, Any]) -> None:
    req = to_consideration(make_request(), seated)
    item = open_meeting(seated, present=("chair.cm", "member.cm", "member2.cm")).items.get(request=req)
    with pytest.raises(NotPermitted):
        decisions.cast_vote(actor=seated["member3.cm"], item_id=item.pk, choice="for")
    decisions.cast_vote(actor=seated["member.cm"], item_id=item.pk, choice="for")
    with pytest.raises(CaseError, match="already voted"):
        decisions.cast_vote(actor=seated["member.cm"], item_id=item.pk, choice="against")


def test_electronic_attendance_and_votes_are_recorded(make_request: Any, seated: dict[str, Any]) -> None:
    req = to_consideration(make_request(), seated)
    meeting = decisions.schedule_meeting(
        actor=seated["secretary.cm"], committee_id=m.Committee.objects.get(code="P50").pk,
        scheduled_for=pytest.importorskip("django.utils.timezone").now() + timedelta(hours=1), mode="hybrid")
    decisions.build_agenda(actor=seated["secretary.cm"], meeting_id=meeting.pk)
    decisions.record_attendance(actor=seated["member2.cm"], meeting_id=meeting.pk, user=seated["member2.cm"],
                                mode=m.ELECTRONIC)
    with pytest.raises(NotPermitted):  # in the room, the secretary records them
        decisions.record_attendance(actor=seated["member.cm"], meeting_id=meeting.pk, user=seated["member.cm"])
    for who in ("chair.cm", "member.cm"):
        decisions.record_attendance(actor=seated["secretary.cm"], meeting_id=meeting.pk, user=seated[who])
    decisions.open_meeting(actor=seated["secretary.cm"], meeting_id=meeting.pk)
    item = meeting.items.get(request=req)
    vote = decisions.cast_vote(actor=seated["member2.cm"], item_id=item.pk, choice="for")
    assert vote.mode == m.ELECTRONIC


def test_urgent_decision_by_the_chair_within_the_limit_acknowledged_at_the_next_meeting(
        make_request: Any, seated: dict[str, Any]) -> None:
    bail = to_consideration(make_request(service="BAIL"), seated)
    assert bail.amount_requested <= authority.urgent_limit("BAIL", bail.received_on)
    with pytest.raises(CaseError):  # the office head no longer decides urgently: the chair does
        services.transition(actor=seated["head.cm"], request_id=bail.pk, action="decide_urgent",
                            expected_version=bail.version, fields={"outcome": "approved", "reason_codes": ["A03"]})
    services.transition(actor=seated["chair.cm"], request_id=bail.pk, action="decide_urgent",
                        expected_version=bail.version, fields={"outcome": "approved", "reason_codes": ["A01", "A03"]})
    d = selectors.latest_decision(bail)
    assert (d.authority, d.committee.code, d.amount_approved) == (m.BY_CHAIR, "P50", Decimal("50000"))
    meeting = open_meeting(seated)
    item = meeting.items.get(request=bail)
    assert (item.kind, item.decision_reported_id) == (m.ACKNOWLEDGE, d.pk)
    with pytest.raises(CaseError):
        decisions.cast_vote(actor=seated["chair.cm"], item_id=item.pk, choice="for")
    decisions.acknowledge(actor=seated["secretary.cm"], item_id=item.pk)
    assert selectors.unacknowledged_urgent(meeting.committee) == []


def test_urgent_decision_above_the_chairs_limit_is_refused(make_request: Any, seated: dict[str, Any]) -> None:
    details = {"case_kind": "civil", "court": "ศาลจังหวัดเชียงใหม่", "party_role": "defendant",
               "costs": {"lawyer": "60000"}}
    req = to_consideration(make_request(details=details), seated)
    with pytest.raises(CaseError) as refused:
        services.transition(actor=seated["chair.cm"], request_id=req.pk, action="decide_urgent",
                            expected_version=req.version, fields={"outcome": "approved", "reason_codes": ["A01"]})
    assert "above the chair's urgent limit (50,000.00 baht)" in _errors(refused)["outcome"]
    assert not m.Decision.objects.exists()


def test_human_rights_goes_to_the_central_subcommittee(make_request: Any, seated: dict[str, Any]) -> None:
    hr = to_consideration(make_request(service="HR"), seated)
    committee = selectors.deciding_committee(hr)
    assert (committee.code, committee.level) == ("C-HR", m.LEVEL_CENTRAL)
    provincial = open_meeting(seated)
    assert not provincial.items.filter(request=hr).exists()
    central = open_meeting(seated, "C-HR", "secretary.central", ("chair.central", "member.central", "member2.central"))
    item = central.items.get(request=hr)
    for who in ("chair.central", "member.central"):
        decisions.cast_vote(actor=seated[who], item_id=item.pk, choice="for")
    decisions.decide_at_meeting(actor=seated["secretary.central"], item_id=item.pk, outcome="rejected",
                                reason_codes=["R02"])
    assert Request.objects.get(pk=hr.pk).state == "decided"


def test_above_the_provincial_limit_goes_to_the_central_subcommittee(make_request: Any, seated: dict[str, Any]) -> None:
    details = {"case_kind": "civil", "court": "ศาลจังหวัดเชียงใหม่", "party_role": "defendant",
               "costs": {"lawyer": "250000"}}
    req = make_request(details=details)
    assert selectors.deciding_committee(req).code == "C-AID"
    assert "above the provincial limit of 200,000 baht" in selectors.route_text(req, "en")


def test_termination_withdrawal_and_referral_are_coded_decisions(make_request: Any, seated: dict[str, Any],
                                                               act: Any) -> None:
    a, b, c = make_request(), make_request(), make_request()
    act(a, "intake.cm", "start_screening")
    act(a, "head.cm", "terminate", comment="ติดต่อไม่ได้สามครั้ง", cause="unreachable", reason_codes=["T01"])
    act(b, "intake.cm", "withdraw", comment="ผู้ขอแจ้งถอน")
    act(c, "officer.cm", "refer", comment="สภาทนายความรับดำเนินการ", referred_to="สภาทนายความ")
    got = {r.pk: selectors.latest_decision(r) for r in (a, b, c)}
    assert (got[a.pk].outcome, got[a.pk].cause, got[a.pk].authority) == ("terminated", "unreachable", m.BY_OFFICE)
    assert (got[b.pk].outcome, got[b.pk].cause, [r.code for r in got[b.pk].reasons.all()]) == (
        "terminated", "withdrawn", ["T03"])
    assert (got[c.pk].outcome, got[c.pk].referred_to) == ("referred", "สภาทนายความ")
    d = make_request()
    act(d, "intake.cm", "start_screening")
    with pytest.raises(CaseError) as refused:
        act(d, "head.cm", "terminate", comment="x", reason_codes=["T01"])
    assert "cause" in _errors(refused)


def test_other_only_share_is_counted_from_the_records(make_request: Any, seated: dict[str, Any], act: Any) -> None:
    fy = fiscal_year(clock.today())  # the decisions below are taken today
    one, two = make_request(), make_request()
    decide(one, seated, "rejected", ["X01"], note="ผู้ขอมีทรัพย์สินอื่น")
    decide(two, seated, "rejected", ["X01", "R01"], note="มีรายได้")
    three = make_request()
    act(three, "intake.cm", "withdraw", comment="ถอน")
    assert [d.other_only for d in m.Decision.objects.order_by("id")] == [True, False, False]
    shares = selectors.outcome_shares(fy)
    assert shares.counts == {"rejected": 2, "terminated": 1}
    assert shares.other_only == 1
    assert shares.other_only_share == pytest.approx(100 / 3)


def test_a_decision_counts_in_the_fiscal_year_it_is_taken(make_request: Any, act: Any) -> None:
    """As the fund reports them: a request received on the last day of a fiscal year and decided in the
    next counts in the next year's shares, not in the year it was received."""
    today = clock.today()
    fy = fiscal_year(today)
    req = make_request(received_on=FiscalYear(fy - 1).end)
    assert req.fiscal_year == fy - 1
    act(req, "intake.cm", "withdraw", comment="ผู้ขอขอถอนคำขอ", on=today)
    [d] = m.Decision.objects.filter(request=req)
    assert (d.decided_on, d.fiscal_year) == (today, fy)
    assert selectors.outcome_shares(fy).counts == {"terminated": 1}
    assert selectors.outcome_shares(fy - 1).total == 0
    assert list(selectors.decisions(fiscal_year=fy)) == [d] and not selectors.decisions(fiscal_year=fy - 1).exists()


def _decided_and_notified(req: Request, users: dict[str, Any], act: Any, outcome: str, codes: list[str],
                          on: date) -> Request:
    decide(req, users, outcome, codes, items={"lawyer": "5000"} if outcome == "partially_approved" else None)
    return act(req, "officer.cm", "notify_applicant", on=on)


def test_appeal_within_its_period_in_working_days_decided_by_the_committee(
        make_request: Any, seated: dict[str, Any], act: Any) -> None:
    req = make_request()
    told = date.today()
    _decided_and_notified(req, seated, act, "rejected", ["R01"], told)
    deadline = decisions.appeal_deadline(Request.objects.get(pk=req.pk))
    assert deadline is not None
    cal = services.calendar_for(req.office_id)
    assert cal.working_days_between(told, deadline) == authority.appeal_working_days(told)
    act(req, "intake.cm", "appeal", comment="มีหลักฐานรายได้ใหม่", on=deadline)
    appeal = m.Appeal.objects.get(request=req)
    assert (appeal.against.outcome, appeal.deadline, appeal.state) == ("rejected", deadline, m.Appeal.LODGED)
    board = open_meeting(seated, "BOARD", "secretary.central", ("chair.board", "member.central", "member2.central"))
    item = board.items.get(request=req)
    assert item.kind == m.APPEAL and item.appeal_id == appeal.pk
    for who in ("chair.board", "member.central"):
        decisions.cast_vote(actor=seated[who], item_id=item.pk, choice="for")
    decisions.decide_at_meeting(actor=seated["secretary.central"], item_id=item.pk, outcome="approved",
                                reason_codes=["U01"])
    appeal.refresh_from_db()
    assert appeal.state == m.Appeal.DECIDED and appeal.decision.kind == m.APPEAL_DECISION
    assert Request.objects.get(pk=req.pk).state == "notified"
    with pytest.raises(CaseError, match="cannot be appealed again"):
        act(req, "intake.cm", "appeal", comment="อีกครั้ง")


def test_appeal_after_its_deadline_or_against_an_approval_is_refused(make_request: Any, seated: dict[str, Any],
                                                                    act: Any) -> None:
    late = make_request()
    _decided_and_notified(late, seated, act, "partially_approved", ["P01"], date.today())
    deadline = decisions.appeal_deadline(Request.objects.get(pk=late.pk))
    assert deadline is not None
    with pytest.raises(CaseError) as refused:
        act(late, "intake.cm", "appeal", comment="ขออุทธรณ์", on=deadline + timedelta(days=1))
    assert "appeal period is over" in _errors(refused)["comment"]
    assert "พ้นกำหนดอุทธรณ์" in refused.value.th
    approved = make_request()
    _decided_and_notified(approved, seated, act, "approved", ["A01"], date.today())
    with pytest.raises(CaseError, match="Only a rejection or a partial approval"):
        act(approved, "intake.cm", "appeal", comment="ขออุทธรณ์")
    assert not m.Appeal.objects.exists()


def test_letter_is_a_thai_pdf_whose_text_is_its_source(make_request: Any, seated: dict[str, Any], act: Any) -> None:
    req = make_request()
    with pytest.raises(CaseError, match="not decided yet"):
        decisions.generate_letter(actor=seated["officer.cm"], request_id=req.pk)
    decide(req, seated, "partially_approved", ["A01", "P01"], items={"lawyer": "10000", "court_fee": "2000"},
           note="ค่าทนายความเกินอัตราที่กำหนด")
    letter = decisions.generate_letter(actor=seated["officer.cm"], request_id=req.pk)
    text = _flat(letter.text)
    for expected in ("แจ้งผลการพิจารณาคำขอรับความช่วยเหลือจากกองทุนยุติธรรม", "อนุมัติบางส่วน",
                     "ผู้ขอมีฐานะยากจน ไม่สามารถรับภาระค่าใช้จ่ายได้", "อนุมัติเฉพาะรายการค่าใช้จ่ายที่จำเป็นแก่คดี",
                     "ค่าทนายความเกินอัตราที่กำหนด", "12,000.00", "17,000.00",
                     "อุทธรณ์ต่อคณะกรรมการกองทุนยุติธรรมภายใน 30 วันทำการ", req.number):
        assert _flat(expected) in text
    stored = decisions.read_stored(letter.storage_name)
    assert pdf_text(stored) == letter.text
    # Thai shaping: the PDF's text is exactly the template's, character for character (lines wrap
    # where Thai has no spaces, and each page has its footer: both left out of the comparison)
    source = _html_text(documents.letter_context(letter.decision, None))
    assert _flat(source) == _without_footers(text)


def _html_text(context: dict[str, Any], template: str = "pdf/decision_letter.html") -> str:
    import re

    from django.template.loader import render_to_string

    html = render_to_string(template, {**context, "pdf_fonts_url": ""})
    body = html.split("<main>", 1)[1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()


def _flat(text: str) -> str:
    import re

    return re.sub(r"\s+", "", text)


def _without_footers(flat: str) -> str:
    import re

    body = re.sub(r"หน้า\d+จาก\d+", "", flat)
    return body.removeprefix(_flat("สำนักงานยุติธรรมจังหวัดเชียงใหม่"))


def test_minutes_are_a_thai_pdf_locked_once_approved(make_request: Any, seated: dict[str, Any]) -> None:
    req = to_consideration(make_request(), seated)
    meeting = open_meeting(seated)
    item = meeting.items.get(request=req)
    decisions.declare_conflict(actor=seated["member3.cm"], item_id=item.pk)
    for who in ("chair.cm", "member.cm", "member2.cm"):
        decisions.cast_vote(actor=seated[who], item_id=item.pk, choice="for")
    decisions.decide_at_meeting(actor=seated["secretary.cm"], item_id=item.pk, outcome="approved",
                                reason_codes=["A01", "A02"])
    with pytest.raises(CaseError, match="once the meeting is closed"):
        decisions.approve_minutes(actor=seated["chair.cm"], meeting_id=meeting.pk)
    decisions.close_meeting(actor=seated["secretary.cm"], meeting_id=meeting.pk)
    with pytest.raises(NotPermitted):
        decisions.approve_minutes(actor=seated["secretary.cm"], meeting_id=meeting.pk)
    meeting = decisions.approve_minutes(actor=seated["chair.cm"], meeting_id=meeting.pk)
    assert meeting.locked and meeting.minutes_sha256
    text = _flat(pdf_text(decisions.read_stored(meeting.minutes_storage_name)))
    for expected in ("รายงานการประชุมคณะอนุกรรมการให้ความช่วยเหลือประจำจังหวัด", req.number,
                     "เห็นชอบ 3 เสียง ไม่เห็นชอบ 0 เสียง", "มติที่ประชุม: อนุมัติ", "ผู้แจ้งส่วนได้เสียและไม่ร่วมลงมติ",
                     "ผู้ขอมีฐานะยากจน ไม่สามารถรับภาระค่าใช้จ่ายได้"):
        assert _flat(expected) in text
    # Thai shaping: the minutes' text read back from the PDF is the template's, character for character
    source = _html_text(documents.minutes_context(meeting), "pdf/minutes.html")
    assert _flat(source) == _without_footers(text)
    with pytest.raises(CaseError, match="approved and locked"):
        decisions.record_attendance(actor=seated["secretary.cm"], meeting_id=meeting.pk, user=seated["member3.cm"])


def test_central_secretary_acts_on_a_provincial_request_only_when_it_is_theirs(
        make_request: Any, seated: dict[str, Any]) -> None:
    hr = make_request(service="HR")
    lit = make_request()
    assert "act" in services.allowed(seated["secretary.central"], hr)
    assert services.allowed(seated["secretary.central"], lit) == frozenset()
    assert services.allowed(seated["chair.cm"], lit) == frozenset({"act"})


def test_committee_members_see_the_requests_their_committee_decides_and_no_others(
        make_request: Any, seated: dict[str, Any]) -> None:
    from jfs.cases import selectors as case_selectors

    hr, lit, big = make_request(service="HR"), make_request(), make_request(details={
        "case_kind": "civil", "court": "ศาลจังหวัดเชียงใหม่", "party_role": "defendant", "costs": {"lawyer": "250000"}})
    kk = make_request(office="40")
    seen = {u: set(case_selectors.visible_requests(seated[u]).values_list("pk", flat=True))
            for u in ("member.central", "chair.central", "member.cm", "chair.board")}
    assert seen["member.central"] >= {hr.pk, big.pk} and lit.pk not in seen["member.central"]
    assert kk.pk not in seen["member.central"] and kk.pk not in seen["member.cm"]
    assert {hr.pk, lit.pk, big.pk} <= seen["member.cm"]  # their own office's (as before)
    assert not seen["chair.board"] & {hr.pk, lit.pk, big.pk, kk.pk}  # nothing appealed yet


def test_the_officers_assessments_reach_the_agenda_as_considerations_never_as_a_refusal(
        make_request: Any, seated: dict[str, Any]) -> None:
    from tests.conftest import DETAILS

    risky = make_request(service="BAIL", details={**DETAILS["BAIL"], "flight_risk": "yes", "absconded_before": "no",
                                                  "evidence_tampering_risk": "no"})
    calm = make_request(service="BAIL", details={**DETAILS["BAIL"], "flight_risk": "no", "absconded_before": "no",
                                                 "evidence_tampering_risk": "no"})
    for req in (risky, calm):
        to_consideration(req, seated)
    meeting = open_meeting(seated)
    found = {}
    for req in (risky, calm):
        screening = meeting.items.get(request=req).summary["screening"]
        assert screening["overall"] != "no"  # the risk is weighed by the members, never a refusal by the software
        found[req.pk] = {c["id"]: c for c in screening["considerations"]}
    assert found[risky.pk]["release_risks"]["finding"] == "against"
    assert "หลบหนี" in found[risky.pk]["release_risks"]["finding_th"]
    assert found[calm.pk]["release_risks"]["finding"] == "for"  # assessed: no risk, which speaks for the request
