"""Escalate late steps to the office head (run by the background worker)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.urls import reverse

from jfs.accounts.models import User
from jfs.audit.services import Event, record_many
from jfs.cases.models import Request
from jfs.cases.selectors import open_requests
from jfs.core import clock
from jfs.core.models import Notification
from jfslib import roles
from jfslib.thaidate import format_en, format_thai


def escalation_texts(number: str, state: Any, due: date) -> tuple[str, str]:
    """The Thai and the English subject of an escalation, both with the Buddhist-era due date."""
    return (
        f"คำขอเลขที่ {number}: ขั้นตอน “{state.th}” เกินกำหนด (ครบกำหนด {format_thai(due)})",
        f"Request {number}: step “{state.en}” is overdue; it was due on {format_en(due)}",
    )


def escalate_overdue(limit: int = 5000) -> int:
    """Notify each office head once per late step; return how many steps were escalated."""
    day = clock.today()
    late = list(
        open_requests(Request.objects.all())
        .filter(step_due_on__lt=day, escalated_on__isnull=True)
        .select_related("office")
        .order_by("step_due_on")[:limit]
    )
    if not late:
        return 0
    heads: dict[int, list[User]] = {}
    for u in User.objects.filter(role=roles.OFFICE_HEAD, is_active=True, office__isnull=False):
        if u.office_id is not None:
            heads.setdefault(u.office_id, []).append(u)
    notes = []
    events = []
    for req in late:
        if req.step_due_on is None:  # the query asked for a due date before today: never None here
            continue
        state = req.workflow.states[req.state]
        for head in heads.get(req.office_id, []):
            th, en = escalation_texts(req.number, state, req.step_due_on)
            notes.append(
                Notification(recipient=head, kind="escalation", subject=th, subject_en=en,
                             link=reverse("staff:case", args=[req.pk]))
            )
        events.append(Event(action="escalate", object_type="request", object_id=str(req.pk),
                            reference=req.number, details={"state": req.state}))
    with transaction.atomic():
        Notification.objects.bulk_create(notes)
        Request.objects.filter(pk__in=[r.pk for r in late]).update(escalated_on=day)
        record_many(events)
    return len(late)
