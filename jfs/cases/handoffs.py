"""Hand-offs: when a request reaches a step another role acts on, the people of that role hear of it.

``services.transition`` and ``services.assign`` call ``notify_handoff`` and ``notify_assignment``
once their write is committed (``transaction.on_commit``). A notification names the request by its
number, its service, the step, what the reader can do there and the step's due date: nothing about
the applicant (no name, no national ID). The queues (``selectors.my_queue``) hold the same requests.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Q
from django.urls import reverse

from jfs.accounts.models import User
from jfs.cases.models import Request
from jfs.core.models import Notification
from jfslib import roles
from jfslib.thaidate import format_en, format_thai

#: the steps that wait for another role, and which roles act there (each has an action from that
#: step in every workflow that has the step: ``tests/test_handoffs.py`` checks it)
HANDOFFS: dict[str, tuple[str, ...]] = {
    # the officer's opinion is in: the subcommittee's secretary records its decision
    "consideration": (roles.SUBCOMMITTEE_SECRETARY,),
    # decided: the intake or case officer tells the applicant
    "decided": (roles.CASE_OFFICER, roles.INTAKE_OFFICER),
    # the money: the finance officer pays, tracks and closes
    "follow_up": (roles.FINANCE_OFFICER,),
    # an appeal: the Justice Fund Committee decides it at its meeting; the secretary records it
    "appeal": (roles.SUBCOMMITTEE_SECRETARY,),
}

HANDOFF = "handoff"
ASSIGNMENT = "assignment"


def next_roles(req: Request) -> tuple[str, ...]:
    """The roles the request's current step waits for, when it is a hand-off (else none)."""
    return HANDOFFS.get(req.state, ())


def recipients(req: Request, actor: User | None) -> list[User]:
    """Who hears of a hand-off: the assignee when they hold a role the step waits for, else the
    active people of those roles in the request's office; never the person who acted."""
    wanted = next_roles(req)
    if not wanted:
        return []
    assignee = req.assigned_to
    if assignee is not None and assignee.role in wanted and assignee.is_active:
        people = [assignee]
    else:
        people = list(User.objects.filter(Q(office_id=req.office_id), role__in=wanted, is_active=True).order_by("id"))
    return [u for u in people if actor is None or u.pk != actor.pk]


def _due(req: Request) -> tuple[str, str]:
    if req.step_due_on is None:
        return "", ""
    d: date = req.step_due_on
    return f" ครบกำหนด {format_thai(d)}", f"; due {format_en(d)}"


def _texts(req: Request, user: User, kind: str) -> tuple[str, str, str, str]:
    """Subject and body, Thai and English, of a notification to ``user`` about ``req``."""
    wf = req.workflow
    state = wf.states[req.state]
    can = wf.available_actions(req.state, user.role)
    due_th, due_en = _due(req)
    if kind == ASSIGNMENT:
        subject_th = f"คำขอเลขที่ {req.number} มอบหมายให้ท่านรับผิดชอบ"
        subject_en = f"Request {req.number} is assigned to you"
    else:
        subject_th = f"คำขอเลขที่ {req.number} รอท่านดำเนินการ: {state.th}"
        subject_en = f"Request {req.number} waits for you: {state.en}"
    body_th = f"{wf.th} · ขั้นตอน “{state.th}”{due_th}"
    body_en = f"{wf.en} · step “{state.en}”{due_en}"
    if can:
        body_th += "\nสิ่งที่ท่านทำได้: " + ", ".join(a.th for a in can)
        body_en += "\nWhat you can do: " + ", ".join(a.en for a in can)
    return subject_th, body_th, subject_en, body_en


def _note(req: Request, user: User, kind: str) -> Notification:
    subject, body, subject_en, body_en = _texts(req, user, kind)
    return Notification(recipient=user, kind=kind, subject=subject[:300], body=body, subject_en=subject_en[:300],
                        body_en=body_en, link=reverse("staff:case", args=[req.pk]))


def notify_handoff(req: Request, actor: User | None) -> list[Notification]:
    """Tell the people the request's new step waits for (``HANDOFFS``); returns the notifications."""
    notes = [_note(req, u, HANDOFF) for u in recipients(req, actor)]
    return Notification.objects.bulk_create(notes) if notes else []


def notify_assignment(req: Request, assignee: User, actor: User | None) -> Notification | None:
    """Tell a person a request was assigned to them (not when they assigned it to themselves)."""
    if actor is not None and assignee.pk == actor.pk:
        return None
    note = _note(req, assignee, ASSIGNMENT)
    note.save()
    return note


def assignment_notes(reqs: Iterable[Request]) -> list[Notification]:
    """Unsaved assignment notifications for requests already assigned (the demo data's, loaded in bulk)."""
    return [_note(r, r.assigned_to, ASSIGNMENT) for r in reqs if r.assigned_to is not None]

