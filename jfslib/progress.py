"""Where a request stands: the stages of its workflow, each with its status, who acts and a date.

Pure: reads a ``WorkflowDefinition``, the request's state changes and a ``WorkingCalendar``; the
case page (``jfs.cases.progress``) shows the result as a task list and names the next step.

- The *main path* is the first state declared for each ``stage`` number (received, screening,
  fact-finding … closed). Side states (waiting for documents, appeal, referred, withdrawn,
  terminated) are listed only when the request is in them or passed through them, after the
  main state of the same stage. A workflow without stage numbers lists its states as declared.
- Status: ``done`` (left, or a terminal state reached), ``in_progress`` (the current state),
  ``paused`` (waiting for the applicant: the waiting state and the one it returns to),
  ``skipped`` (passed over, or never reached because the request ended), ``not_started``.
- Date: a done stage, the day it was done (left); the current stage, its step due date; a stage
  not started, an *estimate*: the working-day allowances (``sla_days``) of the stages before it,
  counted from today (or from the current step's due date when that is later).
- Who acts: the roles of the actions that move the request forward from that state (to a later
  state on the main path, or back from a wait); a done stage also names who did it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from jfslib.workdays import WorkingCalendar
from jfslib.workflow import PREVIOUS, Action, State, WorkflowDefinition

DONE = "done"
IN_PROGRESS = "in_progress"
PAUSED = "paused"
SKIPPED = "skipped"
NOT_STARTED = "not_started"
STATUSES = (DONE, IN_PROGRESS, PAUSED, SKIPPED, NOT_STARTED)

#: what a stage's date means
DATE_DONE = "done"
DATE_DUE = "due"
DATE_ESTIMATE = "estimate"


@dataclass(frozen=True)
class Step:
    """One change of state in the request's history (oldest first); ``by`` names who made it."""

    from_state: str
    to_state: str
    on: date
    by: str = ""


@dataclass(frozen=True)
class Stage:
    state: State
    status: str
    roles: tuple[str, ...]
    actions: tuple[Action, ...]
    date: date | None = None
    date_kind: str = ""
    side: bool = False
    done_by: str = ""

    @property
    def code(self) -> str:
        return self.state.code


@dataclass(frozen=True)
class NextStep:
    """What is to be done now: the current state's forward actions, by whom, by when."""

    state: State
    actions: tuple[Action, ...]
    roles: tuple[str, ...]
    due: date | None
    paused: bool = False
    finished: bool = False


@dataclass(frozen=True)
class Progress:
    stages: tuple[Stage, ...]
    next: NextStep

    def stage(self, code: str) -> Stage | None:
        return next((s for s in self.stages if s.code == code), None)

    @property
    def has_estimates(self) -> bool:
        return any(s.date_kind == DATE_ESTIMATE for s in self.stages)


def main_path(wf: WorkflowDefinition) -> list[str]:
    """The first state declared for each stage number, in stage order (all states, as declared,
    when the workflow numbers no stage)."""
    if not any(s.stage for s in wf.states.values()):
        return list(wf.states)
    first: dict[int, str] = {}
    for code, st in wf.states.items():
        if st.stage:
            first.setdefault(st.stage, code)
    return [first[n] for n in sorted(first)]


def forward_actions(wf: WorkflowDefinition, code: str, main: Sequence[str] | None = None) -> tuple[Action, ...]:
    """The actions that move a request on from ``code``: to a later state of the main path, or back
    from a wait (all its actions when none does)."""
    path = set(main_path(wf) if main is None else main)
    here = wf.states[code]
    out = [
        a for a in wf.actions_from(code)
        if a.target == PREVIOUS or (a.target in path and a.target != code and wf.states[a.target].stage >= here.stage)
    ]
    return tuple(out or wf.actions_from(code))


def roles_of(actions: Sequence[Action]) -> tuple[str, ...]:
    """The roles that may take any of these actions, in order of first mention, without repeats."""
    out: list[str] = []
    for a in actions:
        out.extend(r for r in a.roles if r not in out)
    return tuple(out)


def progress(
    wf: WorkflowDefinition,
    *,
    state: str,
    history: Sequence[Step],
    today: date,
    cal: WorkingCalendar,
    previous_state: str = "",
    step_due_on: date | None = None,
) -> Progress:
    """The stages of ``wf`` for a request now in ``state`` with these state changes behind it."""
    main = main_path(wf)
    order = {code: (st.stage, i) for i, (code, st) in enumerate(wf.states.items())}
    current = wf.states[state]
    paused_now = current.clock == "paused" and not current.terminal
    left_on: dict[str, date] = {}
    left_by: dict[str, str] = {}
    entered_on: dict[str, date] = {}
    entered_by: dict[str, str] = {}
    visited = {wf.initial, state}
    for step in history:
        if step.from_state == step.to_state or step.to_state not in wf.states:
            continue
        visited.add(step.to_state)
        entered_on[step.to_state], entered_by[step.to_state] = step.on, step.by
        if step.from_state in wf.states:
            left_on[step.from_state], left_by[step.from_state] = step.on, step.by
    reached = max(wf.states[c].stage for c in visited if c in wf.states)
    rows = [c for c in main if c in visited or not (current.terminal and wf.states[c].terminal)]
    rows += [c for c in wf.states if c not in main and c in visited]
    rows.sort(key=lambda c: order[c])

    stages: list[Stage] = []
    base = max(today, step_due_on) if step_due_on and not paused_now and not current.terminal else today
    for code in rows:
        st = wf.states[code]
        actions = () if st.terminal else forward_actions(wf, code, main)
        status, when, kind, by = NOT_STARTED, None, "", ""
        if code == state and st.terminal:
            status, when, kind, by = DONE, entered_on.get(code), DATE_DONE, entered_by.get(code, "")
        elif code == state:
            status = PAUSED if paused_now else IN_PROGRESS
            if not paused_now and step_due_on is not None:
                when, kind = step_due_on, DATE_DUE
        elif paused_now and code == previous_state:
            status = PAUSED
        elif code in left_on:
            status, when, kind, by = DONE, left_on[code], DATE_DONE, left_by.get(code, "")
        elif current.terminal or st.stage < reached:
            status = SKIPPED
        elif st.sla_days and st.clock == "running":
            base = cal.add_working_days(base, st.sla_days)
            when, kind = base, DATE_ESTIMATE
        stages.append(Stage(state=st, status=status, roles=roles_of(actions), actions=actions, date=when,
                            date_kind=kind, side=code not in main, done_by=by))

    if current.terminal:
        nxt = NextStep(state=current, actions=(), roles=(), due=None, finished=True)
    else:
        actions = forward_actions(wf, state, main)
        nxt = NextStep(state=current, actions=actions, roles=roles_of(actions), due=None if paused_now else step_due_on,
                       paused=paused_now)
    return Progress(stages=tuple(stages), next=nxt)
