"""Write the registry seed: the applicants the local registry simulator mirrors.

    manage.py export_registry_seed --out var/registry_seed.jsonl
    python -m registry_sim.build --seed 1 --out var/registry.sqlite3 --from-export var/registry_seed.jsonl

Format ``jfs-registry-seed`` version 1 (``jfs.demo.registry_seed``, docs/data-exchange.md). The
file holds personal data: it is written readable by its owner only, the command prints counts
only, and the audit log records the export. Refused by the production profile, like the demo data.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jfs.audit.services import record
from jfs.demo import registry_seed


class Command(BaseCommand):
    help = "Write the registry seed (JSON Lines) from which the registry simulator builds its data."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--out", required=True, metavar="FILE", help="where to write it (replaced whole)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.JFS_DEMO_DATA_ALLOWED:
            raise CommandError("the registry seed is for the local registry simulator and is refused with these "
                               "settings (the production profile): it copies every applicant's personal data")
        try:
            written = registry_seed.export(options["out"])
        except OSError as exc:
            raise CommandError(f"cannot write {options['out']}: {exc.strerror or exc}") from None
        record("personal_data_export", object_type="registry_seed", purpose="registry simulator data",
               details={"format": registry_seed.FORMAT, "version": registry_seed.VERSION,
                        "people": written.people, "requests": written.requests})
        if options["verbosity"] >= 1:
            self.stdout.write(f"registry seed written to {options['out']}: {written.people:,} people, "
                              f"{written.requests:,} requests ({registry_seed.FORMAT} v{registry_seed.VERSION})")
