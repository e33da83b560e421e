"""Where a request stands, read from the database: ``jfslib.progress`` over the request's history,
with the office's working calendar and the fund's today (``services.today``)."""

from __future__ import annotations

from collections.abc import Iterable

from jfs.cases import services
from jfs.cases.calendar import calendar_for
from jfs.cases.models import Request, Transition
from jfslib.progress import Progress, Step, progress


def steps(transitions: Iterable[Transition]) -> list[Step]:
    """The state changes among ``transitions`` (oldest first), each with who made it."""
    return [
        Step(t.from_state, t.to_state, t.on_date, (t.actor.get_full_name() or t.actor.username) if t.actor else "")
        for t in transitions if t.from_state != t.to_state
    ]


def progress_of(req: Request, transitions: Iterable[Transition] | None = None) -> Progress:
    """The stages of ``req`` (pass its transitions, oldest first with their actors, when already read)."""
    history = req.transitions.select_related("actor") if transitions is None else transitions
    return progress(
        req.workflow, state=req.state, previous_state=req.previous_state, history=steps(history),
        today=services.today(), cal=calendar_for(req.office_id), step_due_on=req.step_due_on,
    )
