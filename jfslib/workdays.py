"""Thai working-day arithmetic for the 21-working-day service standard.

A ``WorkingCalendar`` knows which dates are not working days (weekends, public
holidays, office closures). It is built from plain date sets so it has no
dependency on Django; ``jfs.cases.calendar`` builds one from the government
holidays (the ``holidays`` package's rules plus ``calendar/special_days.yaml``)
and the closures an office declared.

Conventions (pinned by tests):
- the day something starts (receipt of complete documents, start of a step) is
  day 0; the first working day after it is day 1;
- ``add_working_days(start, n)`` is the date of working day n;
- ``working_days_between(a, b)`` counts working days in the half-open range (a, b].
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

WEEKEND = frozenset({5, 6})  # Saturday, Sunday


@dataclass(frozen=True)
class WorkingCalendar:
    non_working: frozenset[date] = field(default_factory=frozenset)
    weekend: frozenset[int] = WEEKEND

    @classmethod
    def from_dates(cls, *date_sets: Iterable[date]) -> WorkingCalendar:
        merged: set[date] = set()
        for s in date_sets:
            merged.update(s)
        return cls(non_working=frozenset(merged))

    def is_working_day(self, d: date) -> bool:
        return d.weekday() not in self.weekend and d not in self.non_working

    def add_working_days(self, start: date, n: int) -> date:
        if n < 0:
            raise ValueError("n must be >= 0")
        d = start
        remaining = n
        while remaining:
            d += timedelta(days=1)
            if self.is_working_day(d):
                remaining -= 1
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative if end is before start."""
        if end == start:
            return 0
        if end < start:
            return -self.working_days_between(end, start)
        days = (end - start).days
        full_weeks, extra = divmod(days, 7)
        count = full_weeks * (7 - len(self.weekend))
        d = start + timedelta(days=full_weeks * 7)
        for _ in range(extra):
            d += timedelta(days=1)
            if d.weekday() not in self.weekend:
                count += 1
        # subtract holidays that fall on weekdays inside the range
        hol = self._sorted_weekday_holidays()
        count -= bisect_right(hol, end) - bisect_right(hol, start)
        return count

    def _sorted_weekday_holidays(self) -> list[date]:
        cached = self.__dict__.get("_hol_sorted")
        if cached is None:
            cached = sorted(d for d in self.non_working if d.weekday() not in self.weekend)
            object.__setattr__(self, "_hol_sorted", cached)
        return cached
