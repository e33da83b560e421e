"""The notification rules as data, read from ``governance/notifications.yaml``: quiet hours and
retries with exponential backoff and jitter."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from django.conf import settings


class NotifyPolicyError(ValueError):
    """governance/notifications.yaml is missing a value or has a wrong one."""


@dataclass(frozen=True)
class Policy:
    zone: ZoneInfo
    quiet_start: time
    quiet_end: time
    max_attempts: int
    base_seconds: int
    max_backoff_seconds: int
    jitter: float
    batch: int
    unconfirmed: bool
    source: str

    def is_quiet(self, moment: datetime) -> bool:
        """True when ``moment`` falls in the quiet hours (in Thailand's time)."""
        local = moment.astimezone(self.zone).time()
        if self.quiet_start <= self.quiet_end:
            return self.quiet_start <= local < self.quiet_end
        return local >= self.quiet_start or local < self.quiet_end

    def quiet_ends(self, moment: datetime) -> datetime:
        """The first moment at or after ``moment`` outside the quiet hours."""
        if not self.is_quiet(moment):
            return moment
        local = moment.astimezone(self.zone)
        end = local.replace(hour=self.quiet_end.hour, minute=self.quiet_end.minute, second=0, microsecond=0)
        if end <= local:
            end += timedelta(days=1)
        return end

    def backoff(self, attempts: int, rng: random.Random | None = None) -> timedelta:
        """The wait after the ``attempts``-th failed attempt: base * 2^(attempts-1), capped, +/- jitter."""
        raw = min(self.base_seconds * 2 ** max(attempts - 1, 0), self.max_backoff_seconds)
        spread = (rng or random).uniform(-self.jitter, self.jitter)
        return timedelta(seconds=max(1.0, raw * (1 + spread)))


def _path() -> Path:
    return Path(getattr(settings, "JFS_NOTIFICATIONS_FILE", settings.BASE_DIR / "governance" / "notifications.yaml"))


def _hhmm(value: Any, name: str) -> time:
    try:
        hours, minutes = str(value).split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise NotifyPolicyError(f"governance/notifications.yaml: {name} must be HH:MM, not {value!r}") from exc


def parse(data: dict[str, Any]) -> Policy:
    """A policy from the file's data; NotifyPolicyError names what is wrong."""
    try:
        quiet, retry = data["quiet_hours"], data["retry"]
        policy = Policy(
            zone=ZoneInfo(str(data.get("timezone", "Asia/Bangkok"))),
            quiet_start=_hhmm(quiet["start"], "quiet_hours.start"),
            quiet_end=_hhmm(quiet["end"], "quiet_hours.end"),
            max_attempts=int(retry["max_attempts"]),
            base_seconds=int(retry["base_seconds"]),
            max_backoff_seconds=int(retry["max_backoff_seconds"]),
            jitter=float(retry.get("jitter", 0)),
            batch=int(data.get("batch", 50)),
            unconfirmed=bool(data.get("unconfirmed", False)),
            source=str(data.get("source", "")),
        )
    except (KeyError, TypeError) as exc:
        raise NotifyPolicyError(f"governance/notifications.yaml: missing or wrong value: {exc}") from exc
    if policy.max_attempts < 1 or policy.base_seconds < 1 or not 0 <= policy.jitter < 1 or policy.batch < 1:
        raise NotifyPolicyError("governance/notifications.yaml: retry values out of range")
    return policy


@lru_cache(maxsize=1)
def load() -> Policy:
    """The policy in force (read once per process)."""
    with _path().open(encoding="utf-8") as fh:
        return parse(yaml.safe_load(fh) or {})
