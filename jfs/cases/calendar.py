"""Builds the government working calendar for an office: government holidays + declared closures.

The clock counts government working days, not the private sector's (docs/case-system.md):

1. the rules, from the ``holidays`` package (Thailand, public category, language ``th``): the
   annual government holidays and their substitution days, without Labour Day (1 May, a holiday
   for the private sector and banks, not for government offices) and without National Children's
   Day (always a Saturday, not a government holiday);
2. for the years ``calendar/special_days.yaml`` covers, the days announced year by year from that
   file (Royal Ploughing Ceremony Day, the cabinet's special and moved days, regional holidays, and
   rule-made holidays the cabinet cancelled); the package's own announced days are not used there;
   for other years the package's (its government category and special days, a secondary source);
3. the closures declared in ``OfficeClosure`` for all offices or for one office.

``holidays==0.108`` is pinned: the two overrides below use its internals, and
tests/test_government_calendar.py pins 2021-2027 date by date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import geothai
from django.conf import settings
from django.db.models import Q
from holidays.constants import GOVERNMENT, PUBLIC
from holidays.countries.thailand import Thailand

from jfs.accounts.models import Office, OfficeClosure
from jfslib import special_days as special_days_mod
from jfslib.special_days import SpecialDays
from jfslib.workdays import WorkingCalendar

_YEARS = range(2015, 2036)
BANGKOK = "10"  # the central office serves Bangkok
#: names (language th) of the package's public holidays that are not government holidays
NOT_GOVERNMENT_HOLIDAYS = frozenset({"วันเด็กแห่งชาติ"})


class _GovernmentThailand(Thailand):
    """The package's Thailand without Labour Day (nor its substitution day): government offices open.

    Leaving it out before substitution days are worked out (rather than deleting it afterwards)
    keeps another holiday's substitution day from being pushed past 1 May because of it."""

    def _add_labor_day(self, name: str) -> None:
        return None


class _RuleBasedThailand(_GovernmentThailand):
    """... and without the package's year-by-year special days: for the years the data file covers,
    those come from calendar/special_days.yaml alone (with their sources)."""

    def _add_special_holidays(self, mapping_names: Any, *, observed: bool = False) -> None:
        return None


def calendar_dir() -> Path:
    return Path(getattr(settings, "CALENDAR_DIR", settings.BASE_DIR / "calendar"))


@lru_cache(maxsize=1)
def special_days() -> SpecialDays:
    """The checked contents of calendar/special_days.yaml (SpecialDaysError if it is broken)."""
    return special_days_mod.load(calendar_dir() / "special_days.yaml", provinces={p.code for p in geothai.provinces()})


def _named(h: Any) -> dict[date, str]:
    out: dict[date, str] = {}
    for day in h:
        names = [n for n in h.get_list(day) if n not in NOT_GOVERNMENT_HOLIDAYS]
        if names:
            out[day] = "; ".join(names)
    return out


@lru_cache(maxsize=1)
def rule_based_holidays() -> dict[date, str]:
    """The holidays the rules give (Thai names), for every year of the calendar's range."""
    data = special_days()
    covered = [y for y in _YEARS if data.covers(y)]
    other = [y for y in _YEARS if not data.covers(y)]
    out = _named(_RuleBasedThailand(years=covered, categories=(PUBLIC,), language="th")) if covered else {}
    if other:
        out.update(_named(_GovernmentThailand(years=other, categories=(PUBLIC, GOVERNMENT), language="th")))
    return out


@lru_cache(maxsize=128)  # one per province at most
def government_holidays(province: str | None = None) -> frozenset[date]:
    """Days government offices are closed (weekends aside): the rules, plus the announced days off,
    less the announced working days. ``province`` adds that province's regional holidays."""
    data = special_days()
    return frozenset(
        (set(rule_based_holidays()) | data.days_off(province)) - data.days_open(province)
    )


def thai_public_holidays() -> frozenset[date]:
    """The national government holidays (the name is older than the government calendar)."""
    return government_holidays()


def province_of(office_id: int | None) -> str | None:
    """The province whose regional holidays an office keeps (the central office: Bangkok)."""
    if office_id is None:
        return None
    row = Office.objects.filter(pk=office_id).values_list("province_code", "is_central").first()
    if row is None:
        return None
    code, central = row
    return BANGKOK if central or not code else str(code)


def calendars_for(office_ids: Iterable[int]) -> dict[int, WorkingCalendar]:
    """``calendar_for`` of many offices in two queries (a list of requests from every office)."""
    ids = set(office_ids)
    if not ids:
        return {}
    provinces = {pk: BANGKOK if central or not code else str(code) for pk, code, central in
                 Office.objects.filter(pk__in=ids).values_list("pk", "province_code", "is_central")}
    shared: list[date] = []
    own: dict[int, list[date]] = {pk: [] for pk in ids}
    for office, day in OfficeClosure.objects.filter(Q(office__isnull=True) | Q(office_id__in=ids)).values_list(
            "office_id", "date"):
        (shared if office is None else own[office]).append(day)
    return {pk: WorkingCalendar.from_dates(government_holidays(provinces.get(pk)), shared, own[pk]) for pk in ids}


def calendar_for(office_id: int | None) -> WorkingCalendar:
    """Government holidays (with the office's regional ones) plus closures declared for all
    offices or for this office."""
    scope = Q(office__isnull=True)
    if office_id is not None:
        scope |= Q(office_id=office_id)
    closures = OfficeClosure.objects.filter(scope).values_list("date", flat=True)
    return WorkingCalendar.from_dates(government_holidays(province_of(office_id)), closures)
