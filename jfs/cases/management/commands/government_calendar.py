"""``manage.py government_calendar 2570 [--province 50]``: a year's government holidays and where
each comes from (the rules of the holidays package, or calendar/special_days.yaml with its source),
for the data steward checking the file against the cabinet's announcements."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand

from jfs.cases import calendar
from jfslib.thaidate import to_be_year


class Command(BaseCommand):
    help = "List a year's government holidays (weekdays) and the source of each."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("year", type=int, help="B.E. (e.g. 2570) or C.E. (e.g. 2027)")
        parser.add_argument("--province", help="two-digit province code, for its regional holidays")

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"] - 543 if options["year"] > 2400 else options["year"]
        province = options.get("province")
        data = calendar.special_days()
        rules = calendar.rule_based_holidays()
        off = calendar.government_holidays(province)
        announced = {(d.date, d.kind): d for d in data.days if d.applies_to(province)}
        out = self.stdout
        out.write(f"Government holidays {to_be_year(year)} ({year}) on weekdays"
                  + (f", province {province}" if province else "") + ":")
        day = date(year, 1, 1)
        while day.year == year:
            entries = [d for (when, _), d in announced.items() if when == day]
            if day.weekday() < 5 and (day in off or entries or day in rules):
                mark = "closed" if day in off else "OPEN  "
                parts = [f"rules: {rules[day]}"] if day in rules else []
                parts += [f"{d.kind}: {d.name_th} [{d.source}; {'confirmed' if d.confirmed else 'UNCONFIRMED'}]"
                          for d in entries]
                out.write(f"  {day.isoformat()} {day.strftime('%a')} {mark} " + " | ".join(parts))
            day += timedelta(days=1)
        if not data.covers(year):
            out.write(f"  note: calendar/special_days.yaml does not cover {year}; "
                      "announced days come from the holidays package (secondary source)")
        for gap in data.pending:
            if gap.year == year:
                out.write(f"  PENDING {gap.what}: {gap.note}")
