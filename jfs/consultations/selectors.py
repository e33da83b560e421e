"""Reading consultations: the days and free slots an office offers (its working-day calendar:
holidays and declared closures), a citizen's appointments and questions, and an office's upcoming
appointments for its staff."""

from __future__ import annotations

import uuid
from datetime import date, time, timedelta

from django.db.models import QuerySet

from jfs.accounts.models import User
from jfs.cases.calendar import calendar_for
from jfs.cases.models import Request
from jfs.consultations import policy as policy_mod
from jfs.consultations.models import BOOKED, Appointment, Question
from jfs.core import clock
from jfslib import roles


def bookable_days(office_id: int, today: date | None = None) -> list[date]:
    """The office's working days from the next working day up to the policy's days ahead."""
    day = today or clock.today()
    cal = calendar_for(office_id)
    horizon = policy_mod.load().days_ahead
    return [d for d in (day + timedelta(days=n) for n in range(1, horizon + 1)) if cal.is_working_day(d)]


def free_slots(office_id: int, day: date) -> list[time]:
    """The start times still free on ``day`` at the office (none on a day it does not open)."""
    if day not in bookable_days(office_id):
        return []
    taken = set(Appointment.objects.filter(office_id=office_id, day=day, state=BOOKED).values_list("start", flat=True))
    return [t for t in policy_mod.load().slot_starts() if t not in taken]


def citizen_appointments(user: User) -> QuerySet[Appointment]:
    if not user.is_authenticated or user.role != roles.CITIZEN:
        return Appointment.objects.none()
    return Appointment.objects.filter(citizen=user).select_related("office").order_by("-day", "-start")


def open_bookings(user: User, today: date | None = None) -> int:
    """How many appointments the citizen has booked from today on (not cancelled, not past)."""
    return Appointment.objects.filter(citizen_id=user.pk, state=BOOKED, day__gte=today or clock.today()).count()


def citizen_appointment(user: User, pk: int) -> Appointment | None:
    return citizen_appointments(user).filter(pk=pk).first()


def citizen_questions(user: User) -> list[tuple[Question, Request]]:
    """The questions a citizen asked online, newest first, each with its CONSULT request."""
    if not user.is_authenticated or user.role != roles.CITIZEN:
        return []
    return [(q, q.request) for q in Question.objects.filter(citizen=user).select_related("request", "request__office")]


def citizen_question(user: User, pk: int) -> Question | None:
    if not user.is_authenticated or user.role != roles.CITIZEN:
        return None
    return Question.objects.filter(citizen=user, pk=pk).select_related("request", "request__office").first()


def submitted_question(user: User, key: uuid.UUID) -> Question | None:
    """The question a citizen already asked from the draft with this idempotency key, if any."""
    return Question.objects.filter(citizen_id=user.pk, submission_key=key).select_related("request").first()


def answer_of(req: Request) -> str:
    """The advice recorded on a CONSULT request (the comment of "give_advice"), or ""."""
    return str((req.details or {}).get("advice_given", "") or "")


def office_appointments(user: User, *, from_day: date | None = None) -> QuerySet[Appointment]:
    """An office's upcoming booked appointments for its staff (every office's for the read-all roles)."""
    day = from_day or clock.today()
    qs = Appointment.objects.filter(state=BOOKED, day__gte=day).select_related("office", "citizen")
    if not user.is_authenticated or user.role == roles.CITIZEN:
        return qs.none()
    if user.role in roles.ALL_OFFICES_READ:
        return qs
    return qs.filter(office_id=user.office_id) if user.office_id is not None else qs.none()


def office_questions(user: User) -> QuerySet[Question]:
    """The office's questions asked online still waiting for advice (state "received")."""
    qs = Question.objects.filter(request__state="received").select_related("request", "request__office")
    if not user.is_authenticated or user.role == roles.CITIZEN:
        return qs.none()
    if user.role in roles.ALL_OFFICES_READ:
        return qs
    return qs.filter(request__office_id=user.office_id) if user.office_id is not None else qs.none()
