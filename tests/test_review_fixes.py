"""Defects found by the review of the citizen e-Service (issue 12), each pinned by a test that failed
before its fix: what PostgreSQL refuses but SQLite lets through, and bad input that answered a 500."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models.signals import pre_save
from django.test import Client
from django.urls import reverse

from jfs.accounts.models import Office, User
from jfs.complaints import services as complaints
from jfs.complaints.models import Complaint
from jfs.consultations import services as consultations
from jfs.core.models import Notification
from jfs.notify import services as notify_services
from jfs.portal.access import ASSURANCE_KEY
from tests.conftest import CHIANG_MAI

pytestmark = pytest.mark.django_db

BKK = ZoneInfo("Asia/Bangkok")


def _fits_its_columns(sender: type[Any], instance: Any, **kwargs: Any) -> None:
    """What PostgreSQL checks and SQLite does not: every text fits its column's max_length."""
    for field in sender._meta.concrete_fields:
        value = getattr(instance, field.attname, None)
        if isinstance(value, str) and field.max_length is not None:
            assert len(value) <= field.max_length, (f"{sender.__name__}.{field.name}", value)


@pytest.fixture
def column_lengths_checked() -> Iterator[None]:
    pre_save.connect(_fits_its_columns, sender=Complaint)
    yield
    pre_save.disconnect(_fits_its_columns, sender=Complaint)


def test_a_complaint_filed_at_a_time_with_microseconds_fits_its_reference_column(
    users: dict[str, User], offices: dict[str, Office], column_lengths_checked: None
) -> None:
    # the placeholder reference was "tmp-<timestamp>-<pk>" (24+ characters) in a 20-character column:
    # on PostgreSQL every complaint filed at a real (ticking) time was refused, a 500
    with time_machine.travel(datetime(2025, 6, 2, 10, 15, 30, 123456, tzinfo=BKK), tick=False):
        c = complaints.file_complaint(
            citizen=users["citizen"], kind="service", subject="รอนาน", details="รอคิวนาน", office=offices[CHIANG_MAI]
        )
    assert c.reference == f"RC{c.fiscal_year}-{c.pk:06d}"


def test_accepting_an_answer_twice_or_before_there_is_one_is_a_422_with_the_reason_not_a_500(
    users: dict[str, User], offices: dict[str, Office]
) -> None:
    citizen = users["citizen"]
    c = complaints.file_complaint(
        citizen=citizen, kind="service", subject="รอนาน", details="รอคิวนาน", office=offices[CHIANG_MAI]
    )
    client = Client()
    client.force_login(citizen)
    session = client.session
    session[ASSURANCE_KEY] = "one_time_code"
    session.save()
    url = reverse("portal:complaint", args=[c.reference])
    r = client.post(url, {"action": "accept"})  # not answered yet (a stale page, a crafted POST)
    assert r.status_code == 422
    assert "ทำขั้นตอนนี้จากสถานะปัจจุบันไม่ได้" in r.content.decode()
    complaints.act(actor=users["officer.cm"], complaint_id=c.pk, action="answer", comment="ขออภัย")
    assert client.post(url, {"action": "accept"}).status_code == 303
    r = client.post(url, {"action": "accept"})  # the double click
    assert r.status_code == 422
    c.refresh_from_db()
    assert c.state == "closed"


def test_an_overlapping_reminder_run_does_not_remind_the_same_appointment_twice(
    users: dict[str, User], offices: dict[str, Office], monkeypatch: pytest.MonkeyPatch
) -> None:
    citizen = users["citizen"]
    with time_machine.travel(datetime(2025, 4, 9, 10, 0, tzinfo=BKK), tick=False):
        consultations.book(
            citizen=citizen,
            office=offices[CHIANG_MAI],
            day=date(2025, 4, 17),
            start=time(9),
            mode="in_person",
            topic="มรดก",
        )
    real_notify = notify_services.notify
    overlapped: list[int] = []

    def notify_while_another_worker_runs(**kwargs: Any) -> Any:
        if not overlapped:  # a second worker's tick starts while the first is sending
            overlapped.append(-1)
            overlapped[0] = consultations.send_reminders()
        return real_notify(**kwargs)

    monkeypatch.setattr(notify_services, "notify", notify_while_another_worker_runs)
    with time_machine.travel(datetime(2025, 4, 16, 8, 0, tzinfo=BKK), tick=False):
        first = consultations.send_reminders()
    assert first + overlapped[0] == 1
    assert Notification.objects.filter(recipient=citizen, kind="appointment_reminder").count() == 1
