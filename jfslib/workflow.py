"""Workflows declared as data, validated at start-up, executed by a small engine.

A definition (one YAML file per service under ``workflows/``, optionally extending
a shared base) lists states, actions, the roles allowed per action, documents
required per action and the working-day allowance (SLA) per state. ``load_dir``
reads and validates every definition and raises ``WorkflowDefinitionError``
listing *all* problems, so a broken file stops the server with a clear message.

The engine never touches a database: ``plan_transition`` checks a proposed action
against the current state, the user's role and the documents on file and returns
what should happen, or raises ``TransitionRefused`` with a bilingual message.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from jfslib.roles import ALL_ROLES

PREVIOUS = "@previous"
CLOCK_MODES = ("running", "paused", "stopped", "not_started")
OUTCOMES = ("approved", "partially_approved", "rejected", "terminated")


class WorkflowDefinitionError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("Invalid workflow definition:\n  - " + "\n  - ".join(problems))


class TransitionRefused(Exception):
    def __init__(self, code: str, th: str, en: str):
        self.code = code
        self.th = th
        self.en = en
        super().__init__(f"{th} ({en})")


@dataclass(frozen=True)
class State:
    code: str
    th: str
    en: str
    sla_days: int | None = None
    clock: str = "running"
    terminal: bool = False
    stage: int = 0  # position on the main path, for progress displays
    #: documents are still being checked for completeness here: a request that waits for the
    #: applicant's documents from this state starts its 21-day clock again on the day they
    #: arrive (the standard counts from receipt of complete documents); elsewhere the wait
    #: only pauses the clock
    restarts_clock: bool = False


@dataclass(frozen=True)
class Action:
    code: str
    th: str
    en: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    documents_required: tuple[str, ...] = ()
    fields_required: tuple[str, ...] = ()
    comment_required: bool = False
    sets_outcome: bool = False
    assignee_only: bool = False


@dataclass(frozen=True)
class DocumentType:
    code: str
    th: str
    en: str
    required: bool = False


@dataclass(frozen=True)
class WorkflowDefinition:
    service: str
    th: str
    en: str
    initial: str
    standard_days: int
    states: Mapping[str, State]
    actions: Mapping[str, Action]
    documents: Mapping[str, DocumentType]
    amber_share: float = 0.25

    def actions_from(self, state: str) -> list[Action]:
        return [a for a in self.actions.values() if state in a.sources]

    def available_actions(self, state: str, role: str) -> list[Action]:
        return [a for a in self.actions_from(state) if role in a.roles]

    def required_documents(self) -> list[DocumentType]:
        return [d for d in self.documents.values() if d.required]


@dataclass(frozen=True)
class TransitionPlan:
    action: Action
    from_state: str
    to_state: str
    clock_before: str
    clock_after: str


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        elif value is None and key in out:
            out.pop(key)  # `key: null` removes an inherited entry
        else:
            out[key] = value
    return out


def _read(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    path = path.resolve()  # "../workflows/a.yaml" and "a.yaml" are the same file
    if path in seen:
        raise WorkflowDefinitionError([f"{path.name}: circular 'extends'"])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise WorkflowDefinitionError([f"{path.name}: not valid YAML: {exc}"]) from exc
    if not isinstance(data, dict):
        raise WorkflowDefinitionError([f"{path.name}: top level must be a mapping"])
    parent = data.pop("extends", None)
    if parent:
        base_path = path.parent / parent
        if not base_path.exists():
            raise WorkflowDefinitionError([f"{path.name}: extends missing file {parent}"])
        data = _deep_merge(_read(base_path, seen + (path,)), data)
    return data


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def build(data: Mapping[str, Any], source: str = "<data>") -> WorkflowDefinition:
    """Build and validate one definition from a mapping; raise on any problem."""
    problems: list[str] = []
    where = f"{source}"
    service = str(data.get("service") or "")
    if not service:
        problems.append(f"{where}: 'service' is missing")
    states: dict[str, State] = {}
    for code, raw in (data.get("states") or {}).items():
        raw = raw or {}
        sla = raw.get("sla_days")
        if sla is not None and (not isinstance(sla, int) or isinstance(sla, bool) or sla < 0):
            problems.append(f"{where}: state '{code}' sla_days must be a whole number >= 0")
            sla = None
        clock = raw.get("clock", "running")
        if clock not in CLOCK_MODES:
            problems.append(f"{where}: state '{code}' clock must be one of {CLOCK_MODES}")
        if not raw.get("th") or not raw.get("en"):
            problems.append(f"{where}: state '{code}' needs both a Thai (th) and English (en) name")
        states[code] = State(
            code=code,
            th=str(raw.get("th", code)),
            en=str(raw.get("en", code)),
            sla_days=sla,
            clock=clock,
            terminal=bool(raw.get("terminal", False)),
            stage=int(raw.get("stage", 0)),
            restarts_clock=bool(raw.get("restarts_clock", False)),
        )
        if states[code].restarts_clock and clock != "running":
            problems.append(f"{where}: state '{code}' restarts_clock needs a running clock")
    documents: dict[str, DocumentType] = {}
    for code, raw in (data.get("documents") or {}).items():
        raw = raw or {}
        documents[code] = DocumentType(
            code=code,
            th=str(raw.get("th", code)),
            en=str(raw.get("en", code)),
            required=bool(raw.get("required", False)),
        )
    actions: dict[str, Action] = {}
    for code, raw in (data.get("actions") or {}).items():
        raw = raw or {}
        sources = _as_tuple(raw.get("from"))
        target = str(raw.get("to") or "")
        roles = _as_tuple(raw.get("roles"))
        docs = _as_tuple(raw.get("documents_required"))
        if docs == ("@required",):
            docs = tuple(d.code for d in documents.values() if d.required)
        action = Action(
            code=code,
            th=str(raw.get("th", code)),
            en=str(raw.get("en", code)),
            sources=sources,
            target=target,
            roles=roles,
            documents_required=docs,
            fields_required=_as_tuple(raw.get("fields_required")),
            comment_required=bool(raw.get("comment_required", False)),
            sets_outcome=bool(raw.get("sets_outcome", False)),
            assignee_only=bool(raw.get("assignee_only", False)),
        )
        actions[code] = action
        if not raw.get("th") or not raw.get("en"):
            problems.append(f"{where}: action '{code}' needs both th and en labels")
        if not sources:
            problems.append(f"{where}: action '{code}' has no 'from' state")
        for s in sources:
            if s not in states:
                problems.append(f"{where}: action '{code}' starts from unknown state '{s}'")
        if target == PREVIOUS:
            for s in sources:
                if s in states and states[s].clock != "paused":
                    problems.append(
                        f"{where}: action '{code}' returns to the previous state but "
                        f"'{s}' is not a pausing state"
                    )
        elif target not in states:
            problems.append(f"{where}: action '{code}' goes to unknown state '{target}'")
        if not roles:
            problems.append(f"{where}: action '{code}' names no role allowed to take it")
        for r in roles:
            if r not in ALL_ROLES:
                problems.append(f"{where}: action '{code}' names unknown role '{r}'")
        for d in docs:
            if d not in documents:
                problems.append(f"{where}: action '{code}' requires unknown document '{d}'")
    initial = str(data.get("initial") or "")
    if initial not in states:
        problems.append(f"{where}: initial state '{initial}' is not declared")
    standard_days = data.get("standard_days", 21)
    if not isinstance(standard_days, int) or standard_days <= 0:
        problems.append(f"{where}: standard_days must be a positive whole number")
        standard_days = 21
    # structure: terminal states have no exits, others have at least one
    for code, st in states.items():
        outgoing = [a for a in actions.values() if code in a.sources]
        if st.terminal and outgoing:
            problems.append(f"{where}: terminal state '{code}' has outgoing actions")
        if not st.terminal and not outgoing:
            problems.append(f"{where}: state '{code}' is a dead end (no action leaves it)")
    if initial in states:
        reachable = _reachable(initial, actions, states)
        for code in states:
            if code not in reachable:
                problems.append(f"{where}: state '{code}' cannot be reached from '{initial}'")
        for code in reachable:
            if not states[code].terminal and not _reaches_terminal(code, actions, states):
                problems.append(f"{where}: from state '{code}' no terminal state can be reached")
    sla_total = sum(s.sla_days or 0 for s in states.values() if s.clock == "running")
    if sla_total > standard_days:
        problems.append(
            f"{where}: step allowances add up to {sla_total} working days, "
            f"more than the {standard_days}-day standard"
        )
    if problems:
        raise WorkflowDefinitionError(problems)
    return WorkflowDefinition(
        service=service,
        th=str(data.get("th", service)),
        en=str(data.get("en", service)),
        initial=initial,
        standard_days=standard_days,
        states=states,
        actions=actions,
        documents=documents,
        amber_share=float(data.get("amber_share", 0.25)),
    )


def _edges(actions: Mapping[str, Action], states: Mapping[str, State]) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {s: set() for s in states}
    for a in actions.values():
        for s in a.sources:
            if s not in edges:
                continue
            if a.target == PREVIOUS:
                # returning from a pause leads back to every state that entered it
                for b in actions.values():
                    if b.target == s:
                        edges[s].update(x for x in b.sources if x in states)
            elif a.target in states:
                edges[s].add(a.target)
    return edges


def _reachable(start: str, actions: Mapping[str, Action], states: Mapping[str, State]) -> set[str]:
    edges = _edges(actions, states)
    seen = {start}
    queue = deque([start])
    while queue:
        cur = queue.popleft()
        for nxt in edges.get(cur, ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _reaches_terminal(start: str, actions: Mapping[str, Action], states: Mapping[str, State]) -> bool:
    return any(states[s].terminal for s in _reachable(start, actions, states))


def load_dir(directory: Path) -> dict[str, WorkflowDefinition]:
    """Load every ``*.yaml`` not starting with ``_`` (those are bases to extend)."""
    problems: list[str] = []
    result: dict[str, WorkflowDefinition] = {}
    files = sorted(p for p in directory.glob("*.yaml") if not p.name.startswith("_"))
    if not files:
        raise WorkflowDefinitionError([f"no workflow definitions found in {directory}"])
    for path in files:
        try:
            wf = build(_read(path), source=path.name)
        except WorkflowDefinitionError as exc:
            problems.extend(exc.problems)
            continue
        if wf.service in result:
            problems.append(f"{path.name}: service '{wf.service}' is defined twice")
        result[wf.service] = wf
    if problems:
        raise WorkflowDefinitionError(problems)
    return result


def plan_transition(
    wf: WorkflowDefinition,
    *,
    state: str,
    previous_state: str | None,
    action_code: str,
    role: str,
    documents_on_file: Iterable[str] = (),
    fields: Mapping[str, Any] | None = None,
    comment: str = "",
    is_assignee: bool = True,
) -> TransitionPlan:
    """Check an action against state, role, documents and fields; return the plan."""
    action = wf.actions.get(action_code)
    if action is None:
        raise TransitionRefused(
            "unknown_action", f"ไม่มีขั้นตอน '{action_code}' ในบริการนี้",
            f"There is no action '{action_code}' in this service",
        )
    if state not in action.sources:
        cur = wf.states[state]
        raise TransitionRefused(
            "wrong_state",
            f"ทำ '{action.th}' ไม่ได้ในสถานะ '{cur.th}'",
            f"'{action.en}' is not allowed while the request is '{cur.en}'",
        )
    if role not in action.roles:
        raise TransitionRefused(
            "wrong_role",
            f"บทบาทของท่านไม่มีสิทธิ์ '{action.th}'",
            f"Your role may not '{action.en}'",
        )
    if action.assignee_only and not is_assignee:
        raise TransitionRefused(
            "not_assignee",
            "เฉพาะเจ้าหน้าที่ผู้รับผิดชอบคำขอนี้เท่านั้น",
            "Only the officer assigned to this request may do this",
        )
    on_file = set(documents_on_file)
    missing = [d for d in action.documents_required if d not in on_file]
    if missing:
        names_th = ", ".join(wf.documents[d].th for d in missing)
        names_en = ", ".join(wf.documents[d].en for d in missing)
        raise TransitionRefused(
            "missing_documents", f"ยังขาดเอกสาร: {names_th}", f"Documents missing: {names_en}"
        )
    given = fields or {}
    missing_fields = [f for f in action.fields_required if given.get(f) in (None, "")]
    if action.sets_outcome and "outcome" not in missing_fields and given.get("outcome") in (None, ""):
        missing_fields.append("outcome")
    if missing_fields:
        raise TransitionRefused(
            "missing_fields",
            f"กรุณากรอก: {', '.join(missing_fields)}",
            f"Please fill in: {', '.join(missing_fields)}",
        )
    if action.sets_outcome and given.get("outcome") not in OUTCOMES:
        raise TransitionRefused(
            "bad_outcome", "ผลการพิจารณาไม่ถูกต้อง", "The decision outcome is not valid"
        )
    if action.comment_required and not comment.strip():
        raise TransitionRefused(
            "comment_required", "กรุณาระบุเหตุผลประกอบ", "Please give a reason in the comment"
        )
    target = action.target
    if target == PREVIOUS:
        if not previous_state or previous_state not in wf.states:
            raise TransitionRefused(
                "no_previous", "ไม่พบสถานะก่อนหน้า", "The state to return to is unknown"
            )
        target = previous_state
    return TransitionPlan(
        action=action,
        from_state=state,
        to_state=target,
        clock_before=wf.states[state].clock,
        clock_after=wf.states[target].clock,
    )
