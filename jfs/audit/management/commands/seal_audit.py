"""Seal the audit events appended since the last run (the worker's tick does this too)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jfs.audit.sealing import SealKeyMissing, seal_pending


class Command(BaseCommand):
    help = ("Chain the pending audit events and write sealed checkpoints (HMAC with the seal key, "
            "JFS_AUDIT_SEAL_KEY). Safe to run at any time, also while the worker runs: one sealer at a time.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=None,
                            help="events per checkpoint (default JFS_AUDIT_CHECKPOINT_EVENTS, 10000)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run = seal_pending(batch=options["batch"])
        except SealKeyMissing as exc:
            raise CommandError(str(exc)) from None
        if run.busy:
            self.stdout.write("Another sealer is running; nothing done.")
            return
        self.stdout.write(self.style.SUCCESS(
            f"Sealed {run.sealed} events, {run.checkpoints} checkpoints written; the chain is at event {run.head}."
        ))
