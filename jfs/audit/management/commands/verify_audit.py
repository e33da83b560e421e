"""Check the audit log's hash chain and report the first broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jfs.audit.services import verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exit non-zero at the first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        checked, broken = verify_chain()
        if broken:
            raise CommandError(
                f"Audit chain broken at event {broken.seq}: {broken.reason} "
                f"({checked} events before it are intact)"
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {checked} events verified."))
