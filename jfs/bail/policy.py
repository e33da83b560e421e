"""The bail figures the data steward keeps (``governance/bail.yaml``): how many days before a
hearing the responsible officer is reminded. Dated values with their sources; read once, checked at
start-up (``BailConfig.ready``): a broken file stops the server with its problem."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings


class BailPolicyError(ValueError):
    """``governance/bail.yaml`` is missing something or holds a value that cannot be right."""


def path() -> Path:
    return Path(getattr(settings, "JFS_BAIL_POLICY_FILE", settings.BASE_DIR / "governance" / "bail.yaml"))


def parse(data: Any) -> dict[date, int]:
    """The reminder periods by the day they took effect (checked)."""
    try:
        values = data["reminder_days_before"]["values"]
        if not isinstance(values, dict) or not values:
            raise BailPolicyError("reminder_days_before: needs dated `values`")
        out: dict[date, int] = {}
        for key, value in values.items():
            day = key if isinstance(key, date) else date.fromisoformat(str(key))
            if not isinstance(value, dict) or "source" not in value:
                raise BailPolicyError(f"reminder_days_before {day}: names no source")
            days = value["days"]
            if not isinstance(days, int) or isinstance(days, bool) or not 0 < days <= 60:
                raise BailPolicyError(f"reminder_days_before {day}: days must be a whole number from 1 to 60")
            out[day] = days
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, BailPolicyError):
            raise
        raise BailPolicyError(f"governance/bail.yaml: {exc!r}") from exc
    return dict(sorted(out.items()))


@lru_cache(maxsize=1)
def load() -> dict[date, int]:
    return parse(yaml.safe_load(path().read_text(encoding="utf-8")))


def reminder_days(on: date) -> int:
    """The days before a hearing its reminder goes out, as in force on ``on`` (before the first
    date: the first value)."""
    values = load()
    found = next(iter(values.values()))
    for day, days in values.items():
        if day <= on:
            found = days
    return found
