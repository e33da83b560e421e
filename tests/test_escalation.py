"""Late steps are escalated to the office head once per step."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from jfs.audit.models import AuditEvent
from jfs.cases import services
from jfs.cases.escalation import escalate_overdue
from jfs.cases.models import Request
from jfs.core import tasks
from jfs.core.models import Notification
from jfslib.thaidate import format_thai

pytestmark = pytest.mark.django_db


@pytest.fixture
def late(make_request: Any) -> Request:
    """A Chiang Mai request received 30 days ago, still in its first one-day step."""
    req = make_request(received_on=services.today() - timedelta(days=30))
    assert req.step_due_on < services.today()
    return req


def test_late_step_is_escalated_to_the_office_head_once(late: Request, users: Any) -> None:
    assert escalate_overdue() == 1
    [note] = Notification.objects.all()
    assert note.recipient == users["head.cm"] and note.kind == "escalation"
    assert late.number in note.subject and "รับคำขอ" in note.subject
    assert note.link == reverse("staff:case", args=[late.pk])
    [ev] = AuditEvent.objects.filter(action="escalate")
    assert ev.reference == late.number and ev.details == {"state": "received"}
    late.refresh_from_db()
    assert late.escalated_on == services.today()

    assert escalate_overdue() == 0
    assert Notification.objects.count() == 1
    assert AuditEvent.objects.filter(action="escalate").count() == 1


def test_only_the_head_of_the_request_s_office_is_notified(late: Request, users: Any) -> None:
    escalate_overdue()
    assert not Notification.objects.filter(recipient__in=[users["head.kk"], users["head.central"]]).exists()


def test_escalation_shows_in_the_head_s_inbox(late: Request, login: Any) -> None:
    escalate_overdue()
    resp = login("head.cm").get(reverse("staff:inbox"))
    assert resp.status_code == 200 and late.number in resp.content.decode()
    assert late.number not in login("head.kk").get(reverse("staff:inbox")).content.decode()


def test_steps_not_yet_due_and_finished_requests_are_not_escalated(make_request: Any, late: Request, act: Any) -> None:
    make_request()  # received today: due in the future
    act(late, "officer.cm", "withdraw", comment="ผู้ขอถอน")
    assert escalate_overdue() == 0
    assert not Notification.objects.exists()


def test_a_new_late_step_is_escalated_again(late: Request, act: Any) -> None:
    escalate_overdue()
    long_ago = services.today() - timedelta(days=20)
    act(late, "intake.cm", "start_screening", on=long_ago)  # the next step is late too
    late.refresh_from_db()
    assert late.escalated_on is None and late.step_due_on is not None and late.step_due_on < services.today()
    assert escalate_overdue() == 1
    assert Notification.objects.count() == 2


def test_tick_runs_the_escalation(late: Request) -> None:
    assert tasks.tick.call()["escalated"] == 1
    assert tasks.tick.call()["escalated"] == 0


def test_escalation_text_is_thai_and_english_with_buddhist_era_dates(late: Request) -> None:
    escalate_overdue()
    [note] = Notification.objects.all()
    due = late.step_due_on
    assert due is not None
    be = str(due.year + 543)
    # Thai text: the Thai state name and a B.E. date (21 พ.ย. 2569), never an ISO C.E. date
    assert "รับคำขอ" in note.subject and be in note.subject and due.isoformat() not in note.subject
    assert format_thai(due) in note.subject
    # English text: the English state name, the B.E. year with the C.E. year beside it
    assert "Received" in note.subject_en and late.number in note.subject_en
    assert f"B.E. {be}" in note.subject_en and due.isoformat() not in note.subject_en
    assert not any("\u0e00" <= ch <= "\u0e7f" for ch in note.subject_en)  # no Thai in the English text


def test_inbox_shows_the_escalation_in_the_reader_s_language(late: Request, login: Any) -> None:
    escalate_overdue()
    client = login("head.cm")
    thai = client.get(reverse("staff:inbox")).content.decode()
    assert late.step_due_on is not None
    assert "ขั้นตอน “รับคำขอ” เกินกำหนด" in thai and format_thai(late.step_due_on) in thai
    assert "is overdue" not in thai
    client.cookies["django_language"] = "en"
    english = client.get(reverse("staff:inbox")).content.decode()
    assert "step “Received” is overdue" in english and f"B.E. {late.step_due_on.year + 543}" in english
    assert "เกินกำหนด (ครบกำหนด" not in english
