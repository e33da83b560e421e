"""Coded decision reasons, read from ``workflows/_reasons.yaml``, and the outcomes they explain.

A deciding action (``sets_outcome`` in a workflow) records an outcome and one reason that fits it
(``valid_for``); pages show both by name (``outcome_name``, ``Reason.name``), never as codes.
The decisions issue will add reasons and per-item outcomes: ``for_outcome`` is the one place that
says which reasons a form offers for an outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import yaml
from django.conf import settings


@dataclass(frozen=True)
class Reason:
    code: str
    outcomes: tuple[str, ...]
    th: str
    en: str
    basis: str

    def name(self, lang: str | None) -> str:
        """The reason in words, in the reader's language (English for "en", Thai otherwise)."""
        return self.en if lang == "en" else self.th


#: the outcomes of a decision, in the order forms offer them, with their Thai and English names
OUTCOME_NAMES: dict[str, tuple[str, str]] = {
    "approved": ("อนุมัติ", "Approved"),
    "partially_approved": ("อนุมัติบางส่วน", "Partly approved"),
    "rejected": ("ไม่อนุมัติ", "Rejected"),
    "terminated": ("ยุติเรื่อง", "Terminated"),
}


def outcome_name(outcome: str, lang: str | None) -> str:
    """An outcome in words ("" for none; an unknown code as is, never a crash)."""
    names = OUTCOME_NAMES.get(outcome)
    if names is None:
        return outcome
    return names[1] if lang == "en" else names[0]


@lru_cache(maxsize=1)
def all_reasons() -> dict[str, Reason]:
    data = yaml.safe_load((settings.WORKFLOW_DIR / "_reasons.yaml").read_text(encoding="utf-8"))
    return {
        code: Reason(code, tuple(r["outcome"]), r["th"], r["en"], r["basis"])
        for code, r in data["reasons"].items()
    }


def valid_for(code: str, outcome: str) -> bool:
    r = all_reasons().get(code)
    return bool(r and outcome in r.outcomes)


def for_outcome(outcome: str) -> list[Reason]:
    """The reasons that explain ``outcome``, in the file's order (none for an unknown outcome)."""
    return [r for r in all_reasons().values() if outcome in r.outcomes]
