"""Who decides a request, the chair's urgent limit, the quorum and the appeal period: read from
``governance/authority.yaml`` (dated values with their sources; see that file).

Pure reading and arithmetic; the services apply it. ``load()`` validates the file at start-up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from jfs.decisions import models as m

PROVINCIAL = "provincial"
CENTRAL = "central"


class AuthorityFileError(ValueError):
    """``governance/authority.yaml`` is missing something the services need."""


@dataclass(frozen=True)
class CentralCommittee:
    code: str
    th: str
    en: str
    services: tuple[str, ...]
    unconfirmed: bool


@dataclass(frozen=True)
class Authority:
    bodies: dict[str, tuple[str, str]]
    central: dict[str, CentralCommittee]
    routes: dict[str, str]
    provincial_limit: dict[date, dict[str, Decimal]]
    urgent_limit: dict[date, dict[str, Decimal]]
    quorum: dict[date, tuple[float, bool]]
    appeal_period: dict[date, int]
    sources: dict[str, Any]

    def central_for(self, service: str) -> CentralCommittee | None:
        return next((c for c in self.central.values() if service in c.services), None)


def path() -> Path:
    return Path(getattr(settings, "JFS_AUTHORITY_FILE", settings.BASE_DIR / "governance" / "authority.yaml"))


def _dated(section: dict[str, Any], name: str) -> dict[date, dict[str, Any]]:
    values = section.get("values")
    if not isinstance(values, dict) or not values:
        raise AuthorityFileError(f"{name}: needs dated `values`")
    out: dict[date, dict[str, Any]] = {}
    for key, value in values.items():
        day = key if isinstance(key, date) else date.fromisoformat(str(key))
        if not isinstance(value, dict) or "source" not in value:
            raise AuthorityFileError(f"{name}: the value of {day} names no source")
        out[day] = value
    return dict(sorted(out.items()))


def _amounts(values: dict[date, dict[str, Any]], name: str) -> dict[date, dict[str, Decimal]]:
    out: dict[date, dict[str, Decimal]] = {}
    for day, v in values.items():
        amounts = {k: Decimal(str(a)) for k, a in v.items() if k not in ("source", "unconfirmed", "note")}
        if any(a < 0 for a in amounts.values()):
            raise AuthorityFileError(f"{name} {day}: an amount is negative")
        out[day] = amounts
    return out


def parse(data: dict[str, Any]) -> Authority:
    """The authority file's content, checked (``AuthorityFileError`` names what is wrong)."""
    try:
        bodies = {k: (str(v["th"]), str(v["en"])) for k, v in data["bodies"].items()}
        central = {
            code: CentralCommittee(code, str(c["th"]), str(c["en"]), tuple(c["services"]), bool(c.get("unconfirmed")))
            for code, c in data["central_committees"].items()
        }
        routes = {str(k): str(v) for k, v in data["routes"].items()}
        quorum = {d: (float(v["share"]), bool(v.get("more_than", True)))
                  for d, v in _dated(data["quorum"], "quorum").items()}
        appeal = {d: int(v["working_days"]) for d, v in _dated(data["appeal_period"], "appeal_period").items()}
        result = Authority(
            bodies=bodies, central=central, routes=routes,
            provincial_limit=_amounts(_dated(data["provincial_limit"], "provincial_limit"), "provincial_limit"),
            urgent_limit=_amounts(_dated(data["urgent_limit"], "urgent_limit"), "urgent_limit"),
            quorum=quorum, appeal_period=appeal,
            sources={k: data[k] for k in ("provincial_limit", "urgent_limit", "quorum", "appeal_period")},
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, AuthorityFileError):
            raise
        raise AuthorityFileError(f"governance/authority.yaml: {exc!r}") from exc
    for level in (m.LEVEL_BOARD, m.LEVEL_CENTRAL, m.LEVEL_PROVINCIAL):
        if level not in bodies:
            raise AuthorityFileError(f"bodies: {level} is missing")
    for service, route in routes.items():
        if route not in (PROVINCIAL, CENTRAL):
            raise AuthorityFileError(f"routes: {service}: {route} is neither provincial nor central")
        if result.central_for(service) is None:
            raise AuthorityFileError(f"routes: no central committee takes {service} (above the limit, or filed centrally)")
    for _day, (share, _more) in quorum.items():
        if not 0 < share <= 1:
            raise AuthorityFileError("quorum: share must be in (0, 1]")
    return result


@lru_cache(maxsize=1)
def load() -> Authority:
    return parse(yaml.safe_load(path().read_text(encoding="utf-8")))


def _in_force(values: dict[date, Any], on: date) -> Any:
    found = None
    for day, value in values.items():
        if day <= on:
            found = value
    if found is None:
        found = next(iter(values.values()))  # before the first date: the first value (the Act's start)
    return found


def provincial_limit(service: str, on: date) -> Decimal | None:
    """The most a provincial subcommittee decides for ``service`` on ``on`` (None: no limit known)."""
    return _in_force(load().provincial_limit, on).get(service)


def urgent_limit(service: str, on: date) -> Decimal:
    """The most a chair may decide urgently (0: never urgent)."""
    return _in_force(load().urgent_limit, on).get(service, Decimal(0))


def quorum(voting_members: int, on: date) -> int:
    """How many of ``voting_members`` must attend for the meeting to decide."""
    share, more_than = _in_force(load().quorum, on)
    if voting_members <= 0:
        return 1
    return math.floor(voting_members * share) + 1 if more_than else max(1, math.ceil(voting_members * share))


def appeal_working_days(on: date) -> int:
    return int(_in_force(load().appeal_period, on))


@dataclass(frozen=True)
class Route:
    """Which body decides a request: the level and, for central, the committee's code."""

    level: str
    central_code: str = ""
    above_limit: bool = False


def route(service: str, amount: Decimal, office_is_central: bool, on: date) -> Route | None:
    """Who decides a request of ``service`` for ``amount`` filed at an office (None: no decision,
    e.g. a consultation). Provincial up to the limit when filed at a provincial office; else the
    central subcommittee that takes the service."""
    auth = load()
    kind = auth.routes.get(service)
    if kind is None:
        return None
    central = auth.central_for(service)
    code = central.code if central else ""
    if kind == PROVINCIAL and not office_is_central:
        limit = provincial_limit(service, on)
        if limit is None or amount <= limit:
            return Route(PROVINCIAL)
        return Route(CENTRAL, code, above_limit=True)
    return Route(CENTRAL, code)
