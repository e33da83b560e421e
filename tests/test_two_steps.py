"""Two steps in one (issue 9, "a third fewer loads"): an action taken with its follow-on, a request
handed to the next step's officer with the action, a registration that starts screening. Each step
is its own Transition and audit event, in one database transaction: a refused step writes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jfs.audit.models import AuditEvent
from jfs.cases import handoffs, services
from jfs.cases.errors import CaseError, InvalidInput, TransitionNotAllowed
from jfs.cases.models import Request, Transition
from jfs.core.models import Notification
from tests.conftest import DETAILS, applicant_input
from tests.test_registration_forms import form_data

pytestmark = pytest.mark.django_db


def _to(req: Request, state: str, act: Any, attach: Any) -> Request:
    """Walk ``req`` (LIT or BAIL) along the main path until it is in ``state``."""
    steps = [("intake.cm", "start_screening", {}), ("intake.cm", "accept", {}),
             ("officer.cm", "complete_fact_finding", {}), ("officer.cm", "submit_opinion", {}),
             ("secretary.cm", "record_subcommittee_decision", {"outcome": "approved", "reason_code": "A03"}),
             ("officer.cm", "notify_applicant", {})]
    for who, action, fields in steps:
        if req.state == state:
            break
        if req.state not in req.workflow.actions[action].sources:
            continue  # done already
        if action == "accept":
            attach(req, "intake.cm", "@required")
        req = act(req, who, action, **fields)
    assert req.state == state
    return req


def _events(req: Request) -> list[str]:
    return [e.details.get("action", "") for e in AuditEvent.objects.filter(reference=req.number, action="transition")
            .order_by("id")]


def _notes(username: str, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient__username=username, kind=kind))


# --------------------------------------------------------------------------- the services


def test_a_follow_on_is_recorded_as_its_own_step_and_only_the_final_step_tells_its_people(
    make_request: Any, act: Any, attach: Any, users: Any, django_capture_on_commit_callbacks: Any
) -> None:
    req = _to(make_request(assign_to="officer.cm"), "fact_finding", act, attach)
    version = req.version
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.transition(
            actor=users["officer.cm"], request_id=req.pk, action="complete_fact_finding", expected_version=version,
            then=services.FollowOn("submit_opinion", "เห็นควรอนุมัติ"))
    assert moved.state == "consideration" and moved.version == version + 2
    last = list(Transition.objects.filter(request=req).order_by("-id")[:2])[::-1]
    assert [(t.action, t.from_state, t.to_state) for t in last] == [
        ("complete_fact_finding", "fact_finding", "opinion"), ("submit_opinion", "opinion", "consideration")]
    assert last[1].comment == "เห็นควรอนุมัติ" and last[0].comment == ""
    assert last[1].step_due_on == moved.step_due_on  # the clock moved for each step
    assert _events(req)[-2:] == ["complete_fact_finding", "submit_opinion"]
    assert len(_notes("secretary.cm", handoffs.HANDOFF)) == 1  # the final step waits for the secretary


def test_a_refused_follow_on_writes_nothing_and_names_its_own_field(
    make_request: Any, act: Any, attach: Any, users: Any, django_capture_on_commit_callbacks: Any
) -> None:
    req = _to(make_request(assign_to="officer.cm"), "fact_finding", act, attach)
    before = (req.version, Transition.objects.filter(request=req).count(), len(_events(req)))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TransitionNotAllowed) as refused:
        services.transition(actor=users["officer.cm"], request_id=req.pk, action="complete_fact_finding",
                            expected_version=req.version, then=services.FollowOn("submit_opinion", "  "))
    assert refused.value.code == "comment_required"
    assert "ยังไม่ได้บันทึกทั้งสองขั้นตอน" in refused.value.th and "เสนอความเห็นเจ้าหน้าที่" in refused.value.th
    assert [e["field"] for e in refused.value.errors] == ["then_comment"]
    req.refresh_from_db()
    assert req.state == "fact_finding"
    assert (req.version, Transition.objects.filter(request=req).count(), len(_events(req))) == before
    assert not _notes("secretary.cm", handoffs.HANDOFF)


def test_only_the_same_person_s_next_forward_step_is_a_follow_on(
    make_request: Any, act: Any, attach: Any, users: Any
) -> None:
    req = _to(make_request(assign_to="officer.cm"), "screening", act, attach)
    attach(req, "intake.cm", "@required")
    # fact-finding is the case officer's: the intake officer who accepts has no follow-on
    assert services.follow_ons(users["intake.cm"], req, "accept") == ()
    assert [a.code for a in services.follow_ons(users["officer.cm"], req, "accept")] == ["complete_fact_finding"]
    with pytest.raises(TransitionNotAllowed) as refused:
        services.transition(actor=users["intake.cm"], request_id=req.pk, action="accept",
                            expected_version=req.version, then=services.FollowOn("complete_fact_finding"))
    assert refused.value.code == "not_follow_on"
    req.refresh_from_db()
    assert req.state == "screening"
    # a decision is never a follow-on (it goes through the check-your-answers page), nor is a first
    # step that decides followed by anything
    req = _to(req, "opinion", act, attach)
    assert services.follow_ons(users["officer.cm"], req, "submit_opinion") == ()
    assert services.follow_ons(users["head.cm"], req, "submit_opinion") == ()
    req = act(req, "officer.cm", "submit_opinion")
    assert services.follow_ons(users["secretary.cm"], req, "record_subcommittee_decision") == ()
    # a member may take nothing, so has no follow-on either
    assert services.follow_ons(users["member.cm"], req) == ()


def test_a_follow_on_needs_its_documents_on_file(make_request: Any, act: Any, attach: Any, users: Any) -> None:
    req = make_request()
    assert services.follow_ons(users["intake.cm"], req, "start_screening") == ()  # accept: documents missing
    attach(req, "intake.cm", "@required")
    assert [a.code for a in services.follow_ons(users["intake.cm"], req, "start_screening")] == ["accept"]


def test_after_notifying_the_officer_chooses_close_or_follow_up_and_finance_hears_only_of_a_final_follow_up(
    make_request: Any, act: Any, attach: Any, users: Any, django_capture_on_commit_callbacks: Any
) -> None:
    req = _to(make_request(service="BAIL", assign_to="officer.cm"), "decided", act, attach)
    officer = users["officer.cm"]
    assert [a.code for a in services.follow_ons(officer, req, "notify_applicant")] == ["start_follow_up", "close"]
    assert services.follow_ons(users["intake.cm"], req, "notify_applicant") == ()
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.transition(actor=officer, request_id=req.pk, action="notify_applicant",
                                    expected_version=req.version, then=services.FollowOn("close"))
    assert moved.state == "closed" and moved.closed_on is not None and moved.on_time is not None
    assert _events(req)[-2:] == ["notify_applicant", "close"]
    assert not _notes("finance.cm", handoffs.HANDOFF)

    other = _to(make_request(service="BAIL", assign_to="officer.cm"), "notified", act, attach)
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(actor=officer, request_id=other.pk, action="start_follow_up",
                            expected_version=other.version, then=services.FollowOn("close"))
    assert not _notes("finance.cm", handoffs.HANDOFF)  # follow-up was only passed through
    third = _to(make_request(service="BAIL", assign_to="officer.cm"), "decided", act, attach)
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(actor=officer, request_id=third.pk, action="notify_applicant",
                            expected_version=third.version, then=services.FollowOn("start_follow_up"))
    assert len(_notes("finance.cm", handoffs.HANDOFF)) == 1


def test_a_hand_off_with_the_action_assigns_and_notifies_in_the_same_transaction(
    make_request: Any, act: Any, attach: Any, users: Any, django_capture_on_commit_callbacks: Any
) -> None:
    req = _to(make_request(), "screening", act, attach)
    attach(req, "intake.cm", "@required")
    intake, officer = users["intake.cm"], users["officer.cm"]
    assert services.offers_hand_off(intake, req, "accept")  # fact-finding is the case officer's
    assert not services.offers_hand_off(officer, req, "accept")  # they work it themselves
    assert not services.offers_hand_off(intake, req, "request_documents")  # a wait: the intake officer's own
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.transition(actor=intake, request_id=req.pk, action="accept", expected_version=req.version,
                                    hand_to=officer)
    assert moved.state == "fact_finding" and moved.assigned_to_id == officer.pk
    last = list(Transition.objects.filter(request=req).order_by("-id")[:2])[::-1]
    assert [t.action for t in last] == ["accept", "assign"]
    [note] = _notes("officer.cm", handoffs.ASSIGNMENT)
    assert req.number in note.subject


def test_a_refused_hand_off_writes_nothing(make_request: Any, act: Any, attach: Any, users: Any) -> None:
    req = _to(make_request(), "screening", act, attach)
    attach(req, "intake.cm", "@required")
    version = req.version
    with pytest.raises(InvalidInput) as refused:  # a secretary is not given requests
        services.transition(actor=users["intake.cm"], request_id=req.pk, action="accept", expected_version=version,
                            hand_to=users["secretary.cm"])
    assert [e["field"] for e in refused.value.errors] == ["hand_to"]
    with pytest.raises(CaseError):  # another office's officer: only the head assigns across offices
        services.transition(actor=users["intake.cm"], request_id=req.pk, action="accept", expected_version=version,
                            hand_to=users["officer.kk"])
    req.refresh_from_db()
    assert (req.state, req.version, req.assigned_to_id) == ("screening", version, None)
    assert not _notes("officer.kk", handoffs.ASSIGNMENT)


def test_register_and_start_screening_in_one_transaction(users: Any, offices: Any) -> None:
    intake = users["intake.cm"]
    assert [a.code for a in services.registration_follow_ons(intake, "LIT")] == ["start_screening"]
    assert services.registration_follow_ons(users["head.cm"], "LIT") == ()  # the head does not screen
    assert services.registration_follow_ons(intake, "CONSULT") == ()  # the advice needs its text
    req = services.create_request(actor=intake, service="LIT", office=offices["50"], applicant=applicant_input(),
                                  details=_lit_details(), then=services.FollowOn("start_screening"))
    assert req.state == "screening"
    assert [t.action for t in Transition.objects.filter(request=req).order_by("id")] == ["create", "start_screening"]
    count = Request.objects.count()
    with pytest.raises(TransitionNotAllowed):  # accept needs the documents: nothing is registered
        services.create_request(actor=intake, service="LIT", office=offices["50"], applicant=applicant_input(),
                                details=_lit_details(), then=services.FollowOn("accept"))
    assert Request.objects.count() == count


def _lit_details() -> dict[str, Any]:
    return dict(DETAILS["LIT"])


# --------------------------------------------------------------------------- the pages


def _action_form(page: str, code: str) -> str:
    found = re.search(rf'<details class="action" id="action-{code}".*?</details>', page, re.S)
    assert found, code
    return found.group(0)


def test_the_follow_on_is_offered_only_where_it_applies(
    make_request: Any, act: Any, attach: Any, login: Any
) -> None:
    req = _to(make_request(assign_to="officer.cm"), "fact_finding", act, attach)
    officer: Client = login("officer.cm")
    page = officer.get(reverse("staff:case", args=[req.pk])).content.decode()
    form = _action_form(page, "complete_fact_finding")
    assert 'type="checkbox"' in form and "แล้วดำเนินการต่อ: เสนอความเห็นเจ้าหน้าที่" in form
    assert "หมายเหตุ/เหตุผลของขั้นตอนต่อไป" in form  # the opinion needs its comment
    assert "แล้วดำเนินการต่อ" not in _action_form(page, "request_documents")  # a wait: nothing follows
    assert "ส่งต่อให้" not in form  # the officer works the next step themselves


def test_the_hand_off_list_preselects_the_current_assignee(
    make_request: Any, act: Any, attach: Any, login: Any, users: Any
) -> None:
    req = _to(make_request(assign_to="officer2.cm"), "screening", act, attach)
    intake: Client = login("intake.cm")
    page = intake.get(reverse("staff:case", args=[req.pk])).content.decode()
    form = _action_form(page, "accept")
    assert "ส่งต่อให้" in form
    selected = re.findall(r'<option value="(\d+)" selected>', form)
    assert selected == [str(users["officer2.cm"].pk)]
    assert "— ยังไม่มอบหมาย —" not in form


def test_posting_an_action_with_its_follow_on_and_a_refused_one_from_the_page(
    make_request: Any, act: Any, attach: Any, login: Any
) -> None:
    req = _to(make_request(assign_to="officer.cm"), "fact_finding", act, attach)
    officer: Client = login("officer.cm")
    url = reverse("staff:transition", args=[req.pk])
    p = "complete_fact_finding"
    base = {"action_code": p, f"{p}-action": p, f"{p}-version": str(req.version), f"{p}-comment": "",
            f"{p}-then": "submit_opinion"}
    resp = officer.post(url, base)  # the opinion's comment left out: refused, back to the case, nothing saved
    assert resp.status_code == 303
    page = officer.get(resp["Location"]).content.decode()
    assert "ยังไม่ได้บันทึกทั้งสองขั้นตอน" in page or "กรุณาระบุเหตุผลประกอบ" in page
    form = _action_form(page, p)
    assert "field-has-error" in form and 'checked' in form  # the choice kept, the comment's field marked
    req.refresh_from_db()
    assert req.state == "fact_finding"
    resp = officer.post(url, {**base, f"{p}-then_comment": "เห็นควรอนุมัติ"}, follow=True)
    req.refresh_from_db()
    assert req.state == "consideration"
    banner = resp.content.decode()
    assert "แสวงหาข้อเท็จจริงเสร็จสิ้น และ เสนอความเห็นเจ้าหน้าที่" in banner


def test_the_new_request_page_offers_register_and_start_screening(login: Any) -> None:
    intake: Client = login("intake.cm")
    assert "บันทึกและเริ่มตรวจสอบคำขอ" in intake.get(reverse("staff:new_request")).content.decode()
    assert "บันทึกและ" not in login("head.cm").get(reverse("staff:new_request")).content.decode()
    resp = intake.post(reverse("staff:new_request"), {**form_data(), "then": "start_screening"})
    assert resp.status_code == 302
    req = Request.objects.order_by("-id").first()
    assert req is not None and req.state == "screening"
