"""Check the audit log's hash chain and sealed checkpoints and report the first broken link."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jfs.audit.verification import read_export, verify


class Command(BaseCommand):
    help = ("Verify the audit log: every event's content hash and chain link, every checkpoint's seal, and "
            "(--against) the checkpoints exported earlier by export_audit_seals. Exit non-zero at the first "
            "broken link. Events not yet sealed are reported as pending.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--against", type=Path, metavar="FILE", action="append", default=[],
                            help="a file written by export_audit_seals (JSON lines); may be given more than once")

    def handle(self, *args: Any, **options: Any) -> None:
        exported = []
        for path in options["against"]:
            try:
                exported.extend(read_export(path))
            except (OSError, ValueError) as exc:
                raise CommandError(f"cannot read {path}: {exc}") from None
        report = verify(exported or None)
        if report.broken:
            raise CommandError(
                f"Audit chain broken at {report.broken.where}: {report.broken.reason} "
                f"({report.sealed} events before it are intact)"
            )
        seals = ("seals checked" if report.macs_checked
                 else "seals NOT checked: no seal key on this machine (JFS_AUDIT_SEAL_KEY)")
        against = f"; {report.exported} exported checkpoints match" if options["against"] else ""
        self.stdout.write(self.style.SUCCESS(
            f"Audit chain intact: {report.events} events verified "
            f"({report.sealed} sealed under {report.checkpoints} checkpoints, {seals}{against}; "
            f"{report.pending} pending, not yet sealed)."
        ))
