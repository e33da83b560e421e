"""Write the digital-ID simulator's people file from the demo data.

    manage.py export_oidc_people --out var/oidc_people.json
    python -m oidc_sim --port 8091 --people var/oidc_people.json

Refused by the production profile, like the demo data; prints a count only; audited.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jfs.audit.services import record
from jfs.citizens import people_file


class Command(BaseCommand):
    help = "Write the digital-ID simulator's people file (the demo citizen and the demo applicants)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--out", required=True, metavar="FILE", help="where to write it (replaced whole)")
        parser.add_argument("--limit", type=int, default=500, help="at most this many demo applicants")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.JFS_DEMO_DATA_ALLOWED:
            raise CommandError(
                "the people file is for the local digital-ID simulator and is refused with these "
                "settings (the production profile): it copies applicants' personal data"
            )
        try:
            written = people_file.write(options["out"], options["limit"])
        except OSError as exc:
            raise CommandError(f"cannot write {options['out']}: {exc.strerror or exc}") from None
        record(
            "personal_data_export",
            object_type="oidc_people",
            purpose="digital-ID simulator data",
            details={"format": people_file.FORMAT, "version": people_file.VERSION, "people": written},
        )
        if options["verbosity"] >= 1:
            self.stdout.write(f"digital-ID people written to {options['out']}: {written:,} people")
