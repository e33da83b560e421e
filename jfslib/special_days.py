"""The government days announced year by year: ``calendar/special_days.yaml``, read and checked.

The rules (fixed and lunar holidays, substitution days) come from the ``holidays`` package; what
no rule gives is data the data steward keeps (see the file's header):

- ``ploughing``: the Royal Ploughing Ceremony Day, a government holiday dated by the palace each year;
- ``holiday``: a day off the cabinet declared, a substitution day moved to another date, or a
  regional holiday (``region`` or ``provinces``: only offices in those provinces close);
- ``working``: a day the rules make a holiday that the cabinet moved or cancelled.

``parse`` checks everything and reports every problem at once (``SpecialDaysError``), the way the
workflow validator does, so a broken file stops the server with a list the steward can act on.
No Django here; ``jfs.cases.calendar`` merges this with the package's rules.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

HOLIDAY = "holiday"
PLOUGHING = "ploughing"
WORKING = "working"
KINDS = (HOLIDAY, PLOUGHING, WORKING)
PENDING_WHAT = (PLOUGHING,)

_DAY_KEYS = {"date", "kind", "name_th", "name_en", "source", "urls", "confirmed", "region", "provinces", "note"}
_REQUIRED = ("date", "kind", "name_th", "name_en", "source", "confirmed")
_PROVINCE = re.compile(r"^\d\d$")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class SpecialDaysError(ValueError):
    """The file is not usable; ``problems`` lists every reason, one line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("calendar/special_days.yaml has problems:\n  - " + "\n  - ".join(problems))


@dataclass(frozen=True)
class AnnouncedDay:
    date: date
    kind: str
    name_th: str
    name_en: str
    source: str
    confirmed: bool
    urls: tuple[str, ...] = ()
    #: None: every office; else the province codes (2 digits) whose offices close (or open)
    provinces: frozenset[str] | None = None
    region: str | None = None
    note: str = ""

    def applies_to(self, province: str | None) -> bool:
        """Whether this day concerns an office in ``province`` (None: a national calendar)."""
        if self.provinces is None:
            return True
        return province is not None and province in self.provinces


@dataclass(frozen=True)
class Pending:
    year: int
    what: str
    note: str


@dataclass(frozen=True)
class SpecialDays:
    first_year: int
    last_year: int
    days: tuple[AnnouncedDay, ...]
    pending: tuple[Pending, ...] = ()

    def covers(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year

    def days_off(self, province: str | None = None) -> frozenset[date]:
        """Holidays and Royal Ploughing days that close an office in ``province``."""
        return frozenset(d.date for d in self.days if d.kind != WORKING and d.applies_to(province))

    def days_open(self, province: str | None = None) -> frozenset[date]:
        """Days the rules make holidays on which the cabinet had offices open."""
        return frozenset(d.date for d in self.days if d.kind == WORKING and d.applies_to(province))

    def unconfirmed(self) -> tuple[AnnouncedDay, ...]:
        return tuple(d for d in self.days if not d.confirmed)

    def ploughing_day(self, year: int) -> date | None:
        return next((d.date for d in self.days if d.kind == PLOUGHING and d.date.year == year), None)


def load(path: Path, provinces: Collection[str] | None = None) -> SpecialDays:
    """Read and check the file; ``provinces`` (when given) are the valid province codes."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SpecialDaysError([f"cannot read {path}: {exc}"]) from exc
    return parse(data, provinces=provinces)


def parse(data: Any, provinces: Collection[str] | None = None) -> SpecialDays:
    problems: list[str] = []
    if not isinstance(data, dict):
        raise SpecialDaysError(["the file must be a mapping with covers, days (and regions, pending)"])
    unknown = set(data) - {"covers", "regions", "days", "pending"}
    if unknown:
        problems.append(f"unknown top-level keys: {', '.join(sorted(map(str, unknown)))}")

    first, last = _covers(data.get("covers"), problems)
    regions = _regions(data.get("regions"), provinces, problems)
    raw_days = data.get("days")
    if not isinstance(raw_days, list):
        problems.append("days: a list of entries is required")
        raw_days = []
    days = [day for i, raw in enumerate(raw_days) if (day := _day(i, raw, regions, provinces, problems))]
    pending = _pending(data.get("pending"), problems)

    _check_together(days, pending, first, last, problems)
    if problems:
        raise SpecialDaysError(problems)
    return SpecialDays(first_year=first, last_year=last, days=tuple(days), pending=tuple(pending))


# --------------------------------------------------------------------------- parts


def _covers(raw: Any, problems: list[str]) -> tuple[int, int]:
    if not (isinstance(raw, dict) and set(raw) == {"from", "to"}
            and all(isinstance(raw[k], int) and not isinstance(raw[k], bool) for k in ("from", "to"))):
        problems.append("covers: give {from: <year>, to: <year>} in C.E. years")
        return 0, -1
    first, last = int(raw["from"]), int(raw["to"])
    if not 2000 <= first <= last <= 2100:
        problems.append(f"covers: {first}-{last} is not a range of C.E. years (from <= to)")
    return first, last


def _regions(raw: Any, provinces: Collection[str] | None, problems: list[str]) -> dict[str, frozenset[str]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append("regions: a mapping of region names is required")
        return {}
    regions: dict[str, frozenset[str]] = {}
    for name, value in raw.items():
        if name in ("confirmed", "source"):
            continue
        if not isinstance(value, dict) or not value.get("th") or not value.get("en"):
            problems.append(f"regions.{name}: needs th, en and provinces")
            continue
        codes = _province_list(f"regions.{name}", value.get("provinces"), provinces, problems)
        if codes:
            regions[str(name)] = codes
    taken: dict[str, str] = {}
    for name, codes in regions.items():
        for code in sorted(codes):
            if code in taken:
                problems.append(f"regions: province {code} is in both {taken[code]} and {name}")
            taken[code] = name
    return regions


def _province_list(where: str, raw: Any, valid: Collection[str] | None, problems: list[str]) -> frozenset[str]:
    if not isinstance(raw, list) or not raw:
        problems.append(f"{where}: provinces must be a non-empty list of 2-digit province codes")
        return frozenset()
    codes = [str(c) for c in raw]
    bad = [c for c in codes if not _PROVINCE.match(c) or (valid is not None and c not in valid)]
    if bad:
        problems.append(f"{where}: not province codes: {', '.join(bad)}")
    if len(set(codes)) != len(codes):
        problems.append(f"{where}: a province is listed twice")
    return frozenset(codes)


def _day(i: int, raw: Any, regions: Mapping[str, frozenset[str]], valid: Collection[str] | None,
         problems: list[str]) -> AnnouncedDay | None:
    where = f"days[{i}]"
    if not isinstance(raw, dict):
        problems.append(f"{where}: each entry is a mapping")
        return None
    if isinstance(raw.get("date"), date):
        where = f"days[{i}] ({raw['date'].isoformat()})"
    before = len(problems)
    unknown = set(raw) - _DAY_KEYS
    if unknown:
        problems.append(f"{where}: unknown keys {', '.join(sorted(map(str, unknown)))}")
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        problems.append(f"{where}: missing {', '.join(missing)}")
        return None
    day = raw["date"]
    if not isinstance(day, date):
        problems.append(f"{where}: date must be written YYYY-MM-DD")
    if raw["kind"] not in KINDS:
        problems.append(f"{where}: kind must be one of {', '.join(KINDS)}, not {raw['kind']!r}")
    for key in ("name_th", "name_en", "source"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            problems.append(f"{where}: {key} must be a non-empty text")
    if not isinstance(raw["confirmed"], bool):
        problems.append(f"{where}: confirmed must be true or false")
    urls = raw.get("urls", [])
    if not isinstance(urls, list) or not all(isinstance(u, str) and u.startswith(("http://", "https://"))
                                             for u in urls):
        problems.append(f"{where}: urls must be a list of http(s) addresses")
        urls = []
    scope: frozenset[str] | None = None
    region = raw.get("region")
    if region is not None and "provinces" in raw:
        problems.append(f"{where}: give region or provinces, not both")
    elif region is not None:
        if region not in regions:
            problems.append(f"{where}: unknown region {region!r}")
        scope = regions.get(region, frozenset())
    elif "provinces" in raw:
        scope = _province_list(where, raw["provinces"], valid, problems)
    if isinstance(day, date) and raw["kind"] in (HOLIDAY, PLOUGHING) and day.weekday() >= 5:
        problems.append(f"{where}: a {raw['kind']} on a {_WEEKDAYS[day.weekday()]} closes nothing")
    if isinstance(day, date) and raw["kind"] == PLOUGHING and (day.month != 5 or scope is not None):
        problems.append(f"{where}: the Royal Ploughing Ceremony Day is a national day in May")
    if len(problems) > before:
        return None
    return AnnouncedDay(
        date=day, kind=raw["kind"], name_th=raw["name_th"].strip(), name_en=raw["name_en"].strip(),
        source=raw["source"].strip(), confirmed=raw["confirmed"], urls=tuple(urls), provinces=scope,
        region=region, note=str(raw.get("note") or ""),
    )


def _pending(raw: Any, problems: list[str]) -> list[Pending]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append("pending: a list is required")
        return []
    out: list[Pending] = []
    for i, item in enumerate(raw):
        if (not isinstance(item, dict) or set(item) - {"year", "what", "note"} or not isinstance(item.get("year"), int)
                or item.get("what") not in PENDING_WHAT or not str(item.get("note") or "").strip()):
            problems.append(f"pending[{i}]: give year, what ({', '.join(PENDING_WHAT)}) and a note")
            continue
        out.append(Pending(year=int(item["year"]), what=str(item["what"]), note=str(item["note"])))
    return out


def _check_together(days: list[AnnouncedDay], pending: list[Pending], first: int, last: int,
                    problems: list[str]) -> None:
    for prev, day in zip(days, days[1:], strict=False):
        if day.date < prev.date:
            problems.append(f"{day.date}: entries must be in date order (it comes after {prev.date})")
    for day in days:
        if not first <= day.date.year <= last:
            problems.append(f"{day.date}: outside covers ({first}-{last}); raise covers.to first")
    _check_clashes(days, problems)
    ploughing: dict[int, list[date]] = {}
    for day in days:
        if day.kind == PLOUGHING:
            ploughing.setdefault(day.date.year, []).append(day.date)
    waiting = {p.year for p in pending if p.what == PLOUGHING}
    for p in pending:
        if not first <= p.year <= last:
            problems.append(f"pending {p.year}: outside covers ({first}-{last})")
    for year in range(first, last + 1):
        found = ploughing.get(year, [])
        if len(found) > 1:
            problems.append(f"{year}: {len(found)} Royal Ploughing Ceremony Days")
        if found and year in waiting:
            problems.append(f"{year}: the Royal Ploughing Ceremony Day is both entered and pending; drop the pending line")
        if not found and year not in waiting:
            problems.append(f"{year}: no Royal Ploughing Ceremony Day; add it, or a pending line until it is announced")


def _check_clashes(days: Iterable[AnnouncedDay], problems: list[str]) -> None:
    by_date: dict[date, list[AnnouncedDay]] = {}
    for day in days:
        by_date.setdefault(day.date, []).append(day)
    for when, same in by_date.items():
        for i, a in enumerate(same):
            for b in same[i + 1:]:
                overlap = a.provinces is None or b.provinces is None or bool(a.provinces & b.provinces)
                if not overlap:
                    continue
                if (a.kind == WORKING) != (b.kind == WORKING):
                    problems.append(f"{when}: both a day off and a working day for the same offices")
                elif a.kind == b.kind:
                    problems.append(f"{when}: listed twice as {a.kind} for the same offices")
