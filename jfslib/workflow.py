"""Workflows declared as data, validated at start-up, executed by a small engine.

A definition (one YAML file per service under ``workflows/``, optionally extending
a shared base) lists states, actions, the roles allowed per action, documents
required per action and the working-day allowance (SLA) per state. ``load_dir``
reads and validates every definition and raises ``WorkflowDefinitionError``
listing *all* problems, so a broken file stops the server with a clear message.
Each file's shape is checked by ``schemas/workflow.schema.json`` (the same schema
editors use); this module checks what a schema cannot say: the states, documents
and pauses actions refer to, reachability, and the total of the step allowances.

The engine never touches a database: ``plan_transition`` checks a proposed action
against the current state, the user's role and the documents on file and returns
what should happen, or raises ``TransitionRefused`` with a bilingual message.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jfslib import datafiles

PREVIOUS = "@previous"
CLOCK_MODES = ("running", "paused", "stopped", "not_started")
OUTCOMES = ("approved", "partially_approved", "rejected", "terminated", "referred")


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


def _read(path: Path, problems: list[str], checked: dict[Path, bool], seen: tuple[Path, ...] = ()) -> Any:
    """A file with the bases it extends merged in (None when unreadable). Each file is checked
    against ``schemas/workflow.schema.json`` once; ``checked`` records whether it fitted."""
    path = path.resolve()  # "../workflows/a.yaml" and "a.yaml" are the same file
    if path in seen:
        problems.append(f"{path.name}: circular 'extends'")
        return None
    doc, read_problems = datafiles.read_yaml(path, path.name)
    problems.extend(p for p in read_problems if p not in problems)
    if doc is None:
        checked[path] = False
        return None
    if path not in checked:
        checked[path] = datafiles.Report(doc, problems).check("workflow")
    data = datafiles.to_json(doc.data)
    if not isinstance(data, dict):
        return None
    parent = data.pop("extends", None)
    if isinstance(parent, str):
        base_path = path.parent / parent
        if not base_path.exists():
            datafiles.Report(doc, problems).add(("extends",), f"extends missing file {parent}")
            return None
        base = _read(base_path, problems, checked, (*seen, path))
        return _deep_merge(base, data) if isinstance(base, dict) else None
    return data


def _strs(value: object) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _mapping(value: object) -> dict[str, Any]:
    return {k: v for k, v in value.items() if isinstance(v, dict)} if isinstance(value, dict) else {}


def _int(value: object, default: int | None) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default


@cache
def _definition_schema() -> datafiles.Schema:
    """The workflow schema, plus what a service needs once its bases are merged in."""
    return datafiles.schema("workflow").requiring("service", "th", "en", "initial", "states", "actions")


def build(data: Mapping[str, Any], source: str = "<data>") -> WorkflowDefinition:
    """Build and check one definition from a mapping; raise listing every problem."""
    problems: list[str] = []
    wf = _build(datafiles.Document(data, source), problems, check_schema=True)
    if problems:
        raise WorkflowDefinitionError(problems)
    return wf


def _build(doc: datafiles.Document, problems: list[str], *, check_schema: bool) -> WorkflowDefinition:
    """The schema checks the shape (keys, types, roles, clock modes, labels); here, what it cannot:
    states, documents and pauses that actions refer to, reachability, the step allowances' total."""
    report = datafiles.Report(doc, problems)
    if check_schema:
        report.check(_definition_schema())
    data = datafiles.to_json(doc.data)
    data = data if isinstance(data, dict) else {}
    states = {
        code: State(
            code=code, th=str(raw.get("th", code)), en=str(raw.get("en", code)),
            sla_days=_int(raw.get("sla_days"), None),
            clock=raw["clock"] if raw.get("clock") in CLOCK_MODES else "running",
            terminal=raw.get("terminal") is True, stage=_int(raw.get("stage"), 0) or 0,
            restarts_clock=raw.get("restarts_clock") is True,
        )
        for code, raw in _mapping(data.get("states")).items()
    }
    documents = {
        code: DocumentType(code, str(raw.get("th", code)), str(raw.get("en", code)), raw.get("required") is True)
        for code, raw in _mapping(data.get("documents")).items()
    }
    actions: dict[str, Action] = {}
    for code, raw in _mapping(data.get("actions")).items():
        docs = _strs(raw.get("documents_required"))
        if raw.get("documents_required") == "@required":
            docs = tuple(d.code for d in documents.values() if d.required)
        actions[code] = action = Action(
            code=code, th=str(raw.get("th", code)), en=str(raw.get("en", code)),
            sources=_strs(raw.get("from")), target=str(raw.get("to", "")), roles=_strs(raw.get("roles")),
            documents_required=docs, fields_required=_strs(raw.get("fields_required")),
            comment_required=raw.get("comment_required") is True, sets_outcome=raw.get("sets_outcome") is True,
            assignee_only=raw.get("assignee_only") is True,
        )
        at = ("actions", code)
        for s in action.sources:
            if s not in states:
                report.add((*at, "from"), f"action '{code}' starts from unknown state '{s}'")
            elif action.target == PREVIOUS and states[s].clock != "paused":
                report.add((*at, "to"), f"action '{code}' returns to the previous state but '{s}' is not a pausing state")
        if action.target not in states and action.target not in (PREVIOUS, ""):
            report.add((*at, "to"), f"action '{code}' goes to unknown state '{action.target}'")
        for d in docs:
            if d not in documents:
                report.add((*at, "documents_required"), f"action '{code}' requires unknown document '{d}'")
    initial = str(data.get("initial", ""))
    if initial and initial not in states:
        report.add(("initial",), f"initial state '{initial}' is not declared")
    standard_days = _int(data.get("standard_days"), 21) or 21
    for code, st in states.items():
        outgoing = [a for a in actions.values() if code in a.sources]
        if st.terminal and outgoing:
            report.add(("states", code), f"terminal state '{code}' has outgoing actions")
        if not st.terminal and not outgoing:
            report.add(("states", code), f"state '{code}' is a dead end (no action leaves it)")
    if initial in states:
        reachable = _reachable(initial, actions, states)
        for code in states:
            if code not in reachable:
                report.add(("states", code), f"state '{code}' cannot be reached from '{initial}'")
            elif not states[code].terminal and not _reaches_terminal(code, actions, states):
                report.add(("states", code), f"from state '{code}' no terminal state can be reached")
    sla_total = sum(s.sla_days or 0 for s in states.values() if s.clock == "running")
    if sla_total > standard_days:
        report.add(("states",), f"step allowances add up to {sla_total} working days, "
                                f"more than the {standard_days}-day standard")
    service = str(data.get("service", ""))
    return WorkflowDefinition(
        service=service, th=str(data.get("th", service)), en=str(data.get("en", service)), initial=initial,
        standard_days=standard_days, states=states, actions=actions, documents=documents,
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
    """Load every ``*.yaml`` not starting with ``_`` (those are bases to extend, and ``_reasons.yaml``)."""
    files = sorted(p for p in directory.glob("*.yaml") if not p.name.startswith("_"))
    if not files:
        raise WorkflowDefinitionError([f"no workflow definitions found in {directory}"])
    return load_files(files)


def load_files(files: Iterable[Path]) -> dict[str, WorkflowDefinition]:
    """Load the given workflow files (each may extend a base next to it)."""
    problems: list[str] = []
    result: dict[str, WorkflowDefinition] = {}
    checked: dict[Path, bool] = {}
    for path in files:
        before = len(problems)
        data = _read(path, problems, checked)
        if data is None:
            continue
        # the merged definition is checked against the schema only when its files were sound
        # (a base's problem is reported once, under the base's name)
        wf = _build(datafiles.Document(data, path.name), problems, check_schema=len(problems) == before)
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
