"""Load synthetic demo data: offices, demo users and requests for fiscal years 2564 onwards.

    manage.py demo_data --seed 1                     # FY2564 .. the current fiscal year
    manage.py demo_data --seed 1 --fiscal-years 2564-2565
    manage.py demo_data --seed 1 --scale 33          # about a million requests (benchmarks)
    manage.py demo_data --status                     # "empty" or "loaded N"

See ``jfs.demo.generator`` and docs/demo-data.md.
"""

from __future__ import annotations

import re
from argparse import ArgumentParser, ArgumentTypeError
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jfs.demo import generator


def _years(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?", text)
    if not m:
        raise ArgumentTypeError("give B.E. fiscal years as 2564-2569 or 2565")
    first = int(m.group(1))
    return first, int(m.group(2) or first)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ArgumentTypeError("must be 1 or more")
    return value


class Command(BaseCommand):
    help = "Generate synthetic, deterministic demo data (refuses if requests exist, unless --append)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same data)")
        parser.add_argument("--scale", type=_positive, default=1, help="multiply every count by K (benchmarks)")
        parser.add_argument(
            "--fiscal-years", type=_years, default=None, metavar="FIRST-LAST",
            help="B.E. fiscal years to generate, e.g. 2564-2569 (default: 2564 to the current fiscal year)",
        )
        parser.add_argument("--append", action="store_true", help="add to existing requests instead of refusing")
        parser.add_argument("--status", action="store_true", help='print "empty" or "loaded N" and stop')
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD",
            help="pretend today is this date (C.E.); the current fiscal year is generated up to it",
        )
        parser.add_argument("--chunk-size", type=_positive, default=20_000, help="requests written per batch")
        parser.add_argument(
            "--in-process", action="store_true",
            help="build rows in this process instead of a forked builder process (slower; for debugging)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["status"]:
            self.stdout.write(generator.status())
            return
        if not settings.JFS_DEMO_DATA_ALLOWED:
            raise CommandError("demo data is refused with these settings (the production profile): its accounts "
                               "have a published password and TOTP secret")
        first, last = options["fiscal_years"] or (2564, None)
        opts = generator.Options(
            seed=options["seed"], scale=options["scale"], first_year=first, last_year=last,
            today=options["today"], append=options["append"], chunk_size=options["chunk_size"],
            background=not options["in_process"],
        )
        verbose = options["verbosity"] >= 1
        try:
            summary = generator.generate(opts, log=self.stdout.write if verbose else lambda _: None)
        except generator.AlreadyLoaded as exc:
            raise CommandError(
                f"Demo data not loaded: the database already holds requests ({exc}). "
                "Use --append to add more, or start from an empty database."
            ) from None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if verbose:
            years = ", ".join(f"FY{fy}: {n:,}" for fy, n in summary.by_year.items())
            self.stdout.write(self.style.SUCCESS(
                f"Loaded {summary.requests:,} requests, {summary.transitions:,} transitions, "
                f"{summary.persons:,} applicants, {summary.documents:,} documents, {summary.decisions:,} decisions "
                f"({summary.meetings:,} meetings) and {summary.requests:,} audit events in {summary.seconds:.1f} s ({summary.rows / max(summary.seconds, 1e-9):,.0f} rows/s). {years}"
            ))
