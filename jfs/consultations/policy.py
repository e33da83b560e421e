"""The appointment rules as data, read from ``governance/consultation.yaml``: slot length, the
hours appointments start in, how far ahead, the ways to meet (in person, video), the video link's
pattern and when the reminder goes out. A broken file stops the server (``ConsultationsConfig.ready``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from jfs.core.named import Named

IN_PERSON = "in_person"
VIDEO = "video"


class ConsultationPolicyError(ValueError):
    """governance/consultation.yaml is missing a value or has a wrong one."""


#: a way to meet (in person, video): its key and its Thai and English names
Mode = Named


@dataclass(frozen=True)
class Policy:
    slot_minutes: int
    hours: tuple[tuple[time, time], ...]
    days_ahead: int
    remind_days_before: int
    #: how many appointments one citizen may hold booked at a time (from today on)
    max_open_bookings: int
    modes: dict[str, Mode]
    video_link_pattern: str
    unconfirmed: bool
    source: str

    def slot_starts(self) -> list[time]:
        """The start times of one working day's slots, in order."""
        out = []
        step = timedelta(minutes=self.slot_minutes)
        for start, end in self.hours:
            t = datetime.combine(date(2000, 1, 1), start)
            stop = datetime.combine(date(2000, 1, 1), end)
            while t + step <= stop:
                out.append(t.time())
                t += step
        return out


def _path() -> Path:
    return Path(getattr(settings, "JFS_CONSULTATION_FILE", settings.BASE_DIR / "governance" / "consultation.yaml"))


def _hhmm(value: Any, name: str) -> time:
    try:
        hours, minutes = str(value).split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise ConsultationPolicyError(f"governance/consultation.yaml: {name} must be HH:MM, not {value!r}") from exc


def parse(data: dict[str, Any]) -> Policy:
    """A policy from the file's data; ConsultationPolicyError names what is wrong."""
    try:
        hours = tuple((_hhmm(h["from"], "hours.from"), _hhmm(h["to"], "hours.to")) for h in data["hours"])
        modes = {k: Mode(k, str(v["th"]), str(v["en"])) for k, v in data["modes"].items()}
        policy = Policy(
            slot_minutes=int(data["slot_minutes"]),
            hours=hours,
            days_ahead=int(data["days_ahead"]),
            remind_days_before=int(data.get("remind_days_before", 1)),
            max_open_bookings=int(data.get("max_open_bookings", 2)),
            modes=modes,
            video_link_pattern=str(data["video_link_pattern"]),
            unconfirmed=bool(data.get("unconfirmed", False)),
            source=str((data.get("source") or {}).get("title", "")),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ConsultationPolicyError(f"governance/consultation.yaml: missing or wrong value: {exc}") from exc
    if not 5 <= policy.slot_minutes <= 240 or policy.days_ahead < 1 or policy.remind_days_before < 0:
        raise ConsultationPolicyError("governance/consultation.yaml: slot_minutes 5-240, days_ahead >= 1")
    if policy.max_open_bookings < 1:
        raise ConsultationPolicyError("governance/consultation.yaml: max_open_bookings >= 1")
    if any(end <= start for start, end in hours) or not policy.slot_starts():
        raise ConsultationPolicyError("governance/consultation.yaml: every period of hours must hold a slot")
    if not set(modes) <= {IN_PERSON, VIDEO} or not modes:
        raise ConsultationPolicyError("governance/consultation.yaml: modes are in_person and/or video")
    if VIDEO in modes and "{token}" not in policy.video_link_pattern:
        raise ConsultationPolicyError("governance/consultation.yaml: video_link_pattern needs {token}")
    return policy


@lru_cache(maxsize=1)
def load() -> Policy:
    """The policy in force (read once per process)."""
    with _path().open(encoding="utf-8") as fh:
        return parse(yaml.safe_load(fh) or {})
