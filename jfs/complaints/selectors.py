"""Reading complaints: a citizen's own, the office's queue for staff (a complaint about an officer
only for the office heads, never for the officer it names), the answer-time colour, and the counts
and on-time share the satisfaction KPI reports by fiscal year and office."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q, QuerySet

from jfs.accounts.models import User
from jfs.cases.calendar import calendar_for
from jfs.complaints import policy as policy_mod
from jfs.complaints.models import Complaint, ComplaintStep
from jfs.core import clock
from jfslib import roles

#: working days left at or under which an open complaint shows amber
AMBER_DAYS = 3


def citizen_complaints(user: User) -> QuerySet[Complaint]:
    """The complaints a citizen filed, newest first."""
    if not user.is_authenticated or user.role != roles.CITIZEN:
        return Complaint.objects.none()
    return Complaint.objects.filter(citizen=user).select_related("office")


def citizen_complaint(user: User, reference: str) -> Complaint | None:
    """One of the citizen's own complaints by its reference (None for anyone else's)."""
    return citizen_complaints(user).filter(reference=reference).first()


def submitted(user: User, key: uuid.UUID) -> Complaint | None:
    """The complaint a citizen already filed from the draft with this idempotency key, if any."""
    return Complaint.objects.filter(citizen_id=user.pk, submission_key=key).first()


def staff_complaints(user: User) -> QuerySet[Complaint]:
    """The complaints a staff member may see: their office's (an office head's office, the complaints
    about officers included; other staff only the rest), all offices' for the read-all roles; the
    heads of the central office also see complaints naming another office's head, and those about
    an officer who could not be identified (not the office's heads: it may be about them). Never one
    that names this person."""
    qs = Complaint.objects.select_related("office", "citizen", "officer", "request")
    if not user.is_authenticated or user.role == roles.CITIZEN:
        return qs.none()
    mine = Q(officer=user)
    if user.role in roles.ALL_OFFICES_READ:
        return qs.exclude(mine)
    if user.role == roles.OFFICE_HEAD:
        # a complaint about an officer who could not be identified may be about this office's head:
        # the central office's heads take it
        unidentified = Q(to_head=True, officer__isnull=True)
        scope = Q(office_id=user.office_id) & ~unidentified
        if user.office is not None and user.office.is_central:
            scope |= Q(officer__role=roles.OFFICE_HEAD) | unidentified
        return qs.filter(scope).exclude(mine)
    if user.role in (roles.INTAKE_OFFICER, roles.CASE_OFFICER) and user.office_id is not None:
        return qs.filter(office_id=user.office_id, to_head=False).exclude(mine)
    return qs.none()


def staff_complaint(user: User, pk: int) -> Complaint | None:
    return staff_complaints(user).filter(pk=pk).first()


def may_handle(user: User, c: Complaint) -> bool:
    """Whether a staff member may take the staff actions on a complaint (see it, and not read-only)."""
    if user.role in roles.READ_ONLY or user.role == roles.CITIZEN or not user.is_authenticated:
        return False
    return staff_complaints(user).filter(pk=c.pk).exists()


def steps(c: Complaint) -> list[ComplaintStep]:
    return list(c.steps.select_related("actor"))


def colour(c: Complaint, today: date | None = None) -> str:
    """The answer-time colour: "done" once answered or closed, "red" past the due date, "amber"
    within AMBER_DAYS working days of it, "green" otherwise."""
    pol = policy_mod.load()
    if c.state not in pol.open_states:
        return "done"
    day = today or clock.today()
    if day > c.due_on:
        return "red"
    left = calendar_for(c.office_id).working_days_between(day, c.due_on)
    return "amber" if left <= AMBER_DAYS else "green"


@dataclass(frozen=True)
class OfficeFigures:
    office_id: int
    office_name: str
    received: int
    answered: int
    answered_on_time: int

    @property
    def on_time_share(self) -> float | None:
        """Answered on time as a share of those answered (None when nothing was answered)."""
        return self.answered_on_time / self.answered if self.answered else None


def figures(fiscal_year: int, office_id: int | None = None) -> list[OfficeFigures]:
    """Per office, for a Buddhist-era fiscal year: complaints received, answered, and answered by their
    first due date (the first answer counts, a reopened complaint's second answer does not)."""
    qs = Complaint.objects.filter(fiscal_year=fiscal_year)
    if office_id is not None:
        qs = qs.filter(office_id=office_id)
    rows = (
        qs.values("office_id", "office__name_th")
        .annotate(
            received=Count("pk"),
            answered=Count("pk", filter=Q(first_answered_on__isnull=False)),
            on_time=Count("pk", filter=Q(first_answered_on__isnull=False, first_answered_on__lte=F("first_due_on"))),
        )
        .order_by("office_id")
    )
    return [
        OfficeFigures(r["office_id"], r["office__name_th"], r["received"], r["answered"], r["on_time"]) for r in rows
    ]
