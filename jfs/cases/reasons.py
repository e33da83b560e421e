"""Coded decision reasons, read from ``workflows/_reasons.yaml``."""

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
