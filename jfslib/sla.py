"""The service-level clock of one request: due dates, pauses, days taken, colours.

Pure functions over a ``WorkingCalendar``. The case app stores the few dates the
clock needs (start, pauses, stop) and asks this module for everything derived.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from jfslib.workdays import WorkingCalendar

SERVICE_STANDARD_DAYS = 21


class Colour(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    PAUSED = "paused"
    DONE = "done"


@dataclass(frozen=True)
class Pause:
    start: date
    end: date | None  # None while still paused


def paused_working_days(cal: WorkingCalendar, pauses: list[Pause], until: date) -> int:
    """Working days lost to pauses, up to ``until`` (a pause ending on day X resumes on X)."""
    total = 0
    for p in pauses:
        end = min(p.end or until, until)
        if end > p.start:
            total += cal.working_days_between(p.start, end)
    return total


def due_date(cal: WorkingCalendar, start: date, days: int, paused: int = 0) -> date:
    return cal.add_working_days(start, days + paused)


def days_taken(cal: WorkingCalendar, start: date, end: date, pauses: list[Pause]) -> int:
    return max(0, cal.working_days_between(start, end) - paused_working_days(cal, pauses, end))


def colour(
    cal: WorkingCalendar,
    due: date | None,
    today: date,
    sla_days: int,
    *,
    paused: bool = False,
    done: bool = False,
    amber_share: float = 0.25,
) -> Colour:
    """Red when overdue; amber when the remaining working days are within
    ``amber_share`` of the step's allowance (at least one day); else green."""
    if done:
        return Colour.DONE
    if paused or due is None:
        return Colour.PAUSED
    if today > due:
        return Colour.RED
    remaining = cal.working_days_between(today, due)
    if remaining <= max(1, round(sla_days * amber_share)):
        return Colour.AMBER
    return Colour.GREEN


def working_days_left(cal: WorkingCalendar, due: date, today: date) -> int:
    """Working days from ``today`` to ``due``: 0 on the due date itself, negative once it has
    passed (-N: N working days overdue)."""
    return cal.working_days_between(today, due)


def queue_colour(step: Colour, overall: Colour, *, standard_applies: bool) -> Colour:
    """The one colour a queue shows for a request.

    Judged by the whole standard, not by the current step's allowance: a request received
    today has a one-day first step, which would make it amber on day 0 although 21 working
    days remain. So amber comes only from the overall deadline; red from either (a step that
    is late is late); paused and done from the step (the queue's state of the work). A
    service without the standard (``standard_applies`` False) has only its step's colour.
    """
    if not standard_applies or step in (Colour.DONE, Colour.PAUSED):
        return step
    if Colour.RED in (step, overall):
        return Colour.RED
    if overall in (Colour.DONE, Colour.PAUSED):
        return step  # the standard's clock has stopped (an appeal): the step's own allowance counts
    return overall
