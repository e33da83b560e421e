"""Builds the Thai working calendar for an office: public holidays + declared closures."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays
from django.db.models import Q

from jfs.accounts.models import OfficeClosure
from jfslib.workdays import WorkingCalendar

_YEARS = range(2015, 2036)


@lru_cache(maxsize=1)
def thai_public_holidays() -> frozenset[date]:
    """Thailand's public holidays (incl. substitution days) from the ``holidays`` package."""
    return frozenset(holidays.country_holidays("TH", years=_YEARS).keys())


def calendar_for(office_id: int | None) -> WorkingCalendar:
    """Public holidays plus closures declared for all offices or for this office."""
    scope = Q(office__isnull=True)
    if office_id is not None:
        scope |= Q(office_id=office_id)
    closures = OfficeClosure.objects.filter(scope).values_list("date", flat=True)
    return WorkingCalendar.from_dates(thai_public_holidays(), closures)
