"""Hand-offs and notifications (issue 9 item 3): a step that waits for another role puts the request in
that role's queue and tells its people in the workspace, once the change is committed; an assignment
tells the assignee; the menu counts what is unread; opening a notification marks it read."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from jfs.cases import handoffs, selectors, services, workflows
from jfs.cases.models import Request
from jfs.core.models import Notification
from jfs.demo.generator import _assignment_notifications

pytestmark = pytest.mark.django_db

Steps = tuple[tuple[str, str, dict[str, str]], ...]
TO_CONSIDERATION: Steps = (("intake.cm", "accept", {}), ("officer.cm", "complete_fact_finding", {}),
                    ("officer.cm", "submit_opinion", {}))
TO_FOLLOW_UP: Steps = TO_CONSIDERATION + (
    ("secretary.cm", "record_subcommittee_decision", {"outcome": "approved", "reason_code": "A03"}),
    ("intake.cm", "notify_applicant", {}), ("officer.cm", "start_follow_up", {}),
)


def _walk(req: Request, steps: Any, act: Any, attach: Any) -> Request:
    act(req, "intake.cm", "start_screening")
    attach(req, "intake.cm", "@required")
    for who, action, fields in steps:
        req = act(req, who, action, **fields)
    return req


def _notes(username: str, kind: str | None = None) -> list[Notification]:
    qs = Notification.objects.filter(recipient__username=username)
    return list(qs.filter(kind=kind) if kind else qs)


def test_every_hand_off_names_roles_that_act_at_that_step_in_every_workflow() -> None:
    for code, wf in workflows.all_definitions().items():
        for state, wanted in handoffs.HANDOFFS.items():
            if state not in wf.states:
                continue
            for role in wanted:
                assert wf.available_actions(state, role), (code, state, role)


def test_a_request_for_the_subcommittee_tells_the_secretary_not_the_member(
    make_request: Any, act: Any, attach: Any, users: Any, django_capture_on_commit_callbacks: Any
) -> None:
    req = make_request(service="BAIL")
    with django_capture_on_commit_callbacks(execute=True):
        req = _walk(req, TO_CONSIDERATION, act, attach)
    assert req.state == "consideration"
    [note] = _notes("secretary.cm", handoffs.HANDOFF)
    assert note.link == reverse("staff:case", args=[req.pk])
    assert req.number in note.subject and "การพิจารณา" in note.subject
    assert "บันทึกมติคณะอนุกรรมการ" in note.body and note.subject_en.startswith(f"Request {req.number}")
    assert not _notes("member.cm") and not _notes("secretary.central")
    assert req in selectors.my_queue(users["secretary.cm"])


def test_a_hand_off_to_finance_is_in_the_finance_officer_s_queue_and_notifications(
    make_request: Any, act: Any, attach: Any, users: Any, django_capture_on_commit_callbacks: Any
) -> None:
    req = make_request(service="BAIL", assign_to="officer.cm")
    assert req not in selectors.my_queue(users["finance.cm"])
    with django_capture_on_commit_callbacks(execute=True):
        req = _walk(req, TO_FOLLOW_UP, act, attach)
    assert req.state == "follow_up"
    assert req in selectors.my_queue(users["finance.cm"])
    assert req not in selectors.my_queue(users["finance.central"])
    [note] = _notes("finance.cm", handoffs.HANDOFF)
    assert "ติดตามผล" in note.subject and "ปิดเรื่อง" in note.body  # what finance can do there
    assert not _notes("finance.central")


def test_a_decision_tells_the_assigned_officer_only(
    make_request: Any, act: Any, attach: Any, django_capture_on_commit_callbacks: Any
) -> None:
    req = make_request(service="LIT", assign_to="officer2.cm")
    with django_capture_on_commit_callbacks(execute=True):
        req = _walk(req, TO_CONSIDERATION[:1], act, attach)
        for who, action in (("officer2.cm", "complete_fact_finding"), ("officer2.cm", "submit_opinion")):
            req = act(req, who, action)
        req = act(req, "chair.cm", "decide_urgent", outcome="approved", reason_code="A01")
    assert req.state == "decided"
    assert len(_notes("officer2.cm", handoffs.HANDOFF)) == 1
    assert not _notes("officer.cm", handoffs.HANDOFF) and not _notes("intake.cm", handoffs.HANDOFF)


def test_an_unassigned_decision_tells_the_office_s_intake_and_case_officers(
    make_request: Any, act: Any, attach: Any, django_capture_on_commit_callbacks: Any
) -> None:
    req = make_request(service="LIT")
    with django_capture_on_commit_callbacks(execute=True):
        req = _walk(req, TO_CONSIDERATION, act, attach)
        req = act(req, "secretary.cm", "record_subcommittee_decision", outcome="approved", reason_code="A01")
    for username in ("intake.cm", "officer.cm", "officer2.cm"):
        assert len(_notes(username, handoffs.HANDOFF)) == 1, username
    assert not _notes("secretary.cm", handoffs.HANDOFF)[1:]  # told of consideration once, not of its own decision


def test_nothing_is_told_of_a_change_that_rolls_back(
    make_request: Any, act: Any, attach: Any, users: Any, django_capture_on_commit_callbacks: Any
) -> None:
    req = make_request(service="BAIL")
    with django_capture_on_commit_callbacks(execute=True):
        req = _walk(req, TO_CONSIDERATION[:2], act, attach)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                act(req, "officer.cm", "submit_opinion")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert not _notes("secretary.cm") and len(callbacks) == 0


def test_an_assignment_tells_the_assignee_in_words_without_personal_data(
    make_request: Any, users: Any, django_capture_on_commit_callbacks: Any
) -> None:
    req = make_request()
    with django_capture_on_commit_callbacks(execute=True):
        services.assign(actor=users["head.cm"], request_id=req.pk, assignee=users["officer.cm"],
                        expected_version=req.version)
    [note] = _notes("officer.cm", handoffs.ASSIGNMENT)
    assert note.subject == f"คำขอเลขที่ {req.number} มอบหมายให้ท่านรับผิดชอบ"
    assert note.subject_en == f"Request {req.number} is assigned to you"
    text = " ".join((note.subject, note.body, note.subject_en, note.body_en))
    applicant = req.applicant
    for personal in (applicant.national_id, applicant.first_name, applicant.last_name, applicant.phone):
        assert personal not in text
    assert "ครบกำหนด" in note.body and " 25" in note.body  # the step's due date, Buddhist era


def test_assigning_oneself_tells_nobody(make_request: Any, users: Any, django_capture_on_commit_callbacks: Any) -> None:
    req = make_request()
    with django_capture_on_commit_callbacks(execute=True):
        services.assign(actor=users["officer.cm"], request_id=req.pk, assignee=users["officer.cm"],
                        expected_version=req.version)
    assert not _notes("officer.cm")


def test_the_menu_counts_unread_and_opening_marks_read(
    make_request: Any, users: Any, login: Any, django_capture_on_commit_callbacks: Any
) -> None:
    first, second = make_request(), make_request()
    with django_capture_on_commit_callbacks(execute=True):
        for req in (first, second):
            services.assign(actor=users["head.cm"], request_id=req.pk, assignee=users["officer.cm"],
                            expected_version=req.version)
    client = login("officer.cm")
    inbox = client.get(reverse("staff:inbox"))
    html = inbox.content.decode()
    assert "การแจ้งเตือน <span class=\"nav-count\">(2" in html
    assert first.number in html and second.number in html
    note = Notification.objects.get(recipient=users["officer.cm"], link=reverse("staff:case", args=[first.pk]))
    opened = client.get(reverse("staff:open_notification", args=[note.pk]))
    assert opened.status_code == 302 and opened["Location"] == reverse("staff:case", args=[first.pk])
    note.refresh_from_db()
    assert note.read_at is not None
    assert "การแจ้งเตือน <span class=\"nav-count\">(1" in client.get(reverse("staff:inbox")).content.decode()
    # another person's notification does not exist for them
    assert login("officer2.cm").get(reverse("staff:open_notification", args=[note.pk])).status_code == 404
    resp = client.post(reverse("staff:notifications_read"))
    assert resp.status_code == 303
    assert not Notification.objects.filter(recipient=users["officer.cm"], read_at__isnull=True).exists()
    assert "nav-count" not in client.get(reverse("staff:inbox")).content.decode()


def test_the_banner_after_an_action_says_who_acts_next(
    make_request: Any, act: Any, attach: Any, login: Any, django_capture_on_commit_callbacks: Any
) -> None:
    req = make_request(service="BAIL")
    req = _walk(req, TO_CONSIDERATION[:2], act, attach)
    client = login("officer.cm")
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(reverse("staff:transition", args=[req.pk]), {
            "action_code": "submit_opinion", "submit_opinion-action": "submit_opinion",
            "submit_opinion-version": Request.objects.get(pk=req.pk).version,
            "submit_opinion-comment": "เห็นควรอนุมัติ",
        }, follow=True)
    said = " ".join(str(m) for m in resp.context["messages"])
    assert "ขณะนี้อยู่ในขั้นตอน “การพิจารณา" in said, said
    assert "ระบบแจ้งเตือน อรุณี บันทึกดี (เลขานุการคณะอนุกรรมการ) ในระบบงานแล้ว" in said, said
    assert len(_notes("secretary.cm", handoffs.HANDOFF)) == 1


def test_the_demo_data_tells_each_assignee_of_their_open_requests(make_request: Any, users: Any) -> None:
    """Rows the demo loader writes in bulk bypass ``services.assign``: it sends the same notifications."""
    reqs = [make_request() for _ in range(3)]
    Request.objects.filter(pk__in=[r.pk for r in reqs]).update(assigned_to=users["officer.cm"])  # as the loader does
    assert not _notes("officer.cm")
    assert _assignment_notifications() == 3
    assert len(_notes("officer.cm", handoffs.ASSIGNMENT)) == 3
    assert _assignment_notifications() == 0  # loaded again (append): nobody is told twice
