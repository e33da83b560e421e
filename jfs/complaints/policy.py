"""The complaint rules as data, read from ``governance/complaints.yaml``: the kinds of complaint,
the workflow (states and actions, who takes each), the answer time in working days and how often a
citizen may reopen. A broken file stops the server (``ComplaintsConfig.ready``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from jfs.core.named import Named

STAFF = "staff"
CITIZEN = "citizen"


class ComplaintPolicyError(ValueError):
    """governance/complaints.yaml is missing a value or has a wrong one."""


@dataclass(frozen=True)
class State(Named):
    open: bool


@dataclass(frozen=True)
class Action(Named):
    sources: tuple[str, ...]
    to: str
    by: str
    comment_required: bool


@dataclass(frozen=True)
class Policy:
    answer_within: int
    reopen_limit: int
    kinds: dict[str, Named]
    initial: str
    states: dict[str, State]
    actions: dict[str, Action]
    unconfirmed: bool
    source: str

    def actions_from(self, state: str, by: str) -> list[Action]:
        """The actions ``by`` ("staff" or "citizen") may take from ``state``, in the file's order."""
        return [a for a in self.actions.values() if state in a.sources and a.by == by]

    @property
    def open_states(self) -> tuple[str, ...]:
        return tuple(k for k, s in self.states.items() if s.open)


def _path() -> Path:
    return Path(getattr(settings, "JFS_COMPLAINTS_FILE", settings.BASE_DIR / "governance" / "complaints.yaml"))


def _named(key: str, value: Any) -> tuple[str, str]:
    if not isinstance(value, dict) or not value.get("th") or not value.get("en"):
        raise ComplaintPolicyError(f"governance/complaints.yaml: {key} needs th and en")
    return str(value["th"]), str(value["en"])


def parse(data: dict[str, Any]) -> Policy:
    """A policy from the file's data; ComplaintPolicyError names what is wrong."""
    try:
        states = {k: State(k, *_named(k, v), open=bool(v.get("open", False))) for k, v in data["states"].items()}
        kinds = {k: Named(k, *_named(k, v)) for k, v in data["kinds"].items()}
        actions = {
            k: Action(
                k,
                *_named(k, v),
                sources=tuple(v["from"]),
                to=str(v["to"]),
                by=str(v["by"]),
                comment_required=bool(v.get("comment_required", False)),
            )
            for k, v in data["actions"].items()
        }
        policy = Policy(
            answer_within=int(data["answer_within_working_days"]),
            reopen_limit=int(data.get("reopen_limit", 1)),
            kinds=kinds,
            initial=str(data["initial"]),
            states=states,
            actions=actions,
            unconfirmed=bool(data.get("unconfirmed", False)),
            source=str((data.get("source") or {}).get("title", "")),
        )
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        if isinstance(exc, ComplaintPolicyError):
            raise
        raise ComplaintPolicyError(f"governance/complaints.yaml: missing or wrong value: {exc}") from exc
    if policy.answer_within < 1 or policy.reopen_limit < 0:
        raise ComplaintPolicyError("governance/complaints.yaml: answer_within_working_days >= 1, reopen_limit >= 0")
    if policy.initial not in states:
        raise ComplaintPolicyError(f"governance/complaints.yaml: initial state {policy.initial!r} is not a state")
    for a in actions.values():
        if a.to not in states or any(s not in states for s in a.sources) or a.by not in (STAFF, CITIZEN):
            raise ComplaintPolicyError(f"governance/complaints.yaml: action {a.key!r} names an unknown state or actor")
    for needed in ("answer", "reopen"):
        if needed not in actions:
            raise ComplaintPolicyError(f"governance/complaints.yaml: the action {needed!r} is needed")
    return policy


@lru_cache(maxsize=1)
def load() -> Policy:
    """The policy in force (read once per process)."""
    with _path().open(encoding="utf-8") as fh:
        return parse(yaml.safe_load(fh) or {})
