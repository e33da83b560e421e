"""Restore a backup made by ``manage.py backup`` into an empty PostgreSQL database and empty
document folders, after checking its manifest (``jfs.core.backup``)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jfs.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup directory (from manage.py backup) into this database and JFS_DATA_DIR; "
        "both must be empty unless --replace. Then run manage.py migrate and manage.py verify_audit."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("backup", type=Path, help="the jfs-<time>/ directory written by manage.py backup")
        parser.add_argument(
            "--replace", action="store_true",
            help="restore over a database that has tables (pg_restore --clean) and move existing documents aside",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = restore(options["backup"], replace=options["replace"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        files = sum(manifest["documents"]["files"].values())
        self.stdout.write(self.style.SUCCESS(
            f"Restored the backup of {manifest['created_at']}: database and {files} document files. "
            "Next: manage.py migrate, then manage.py verify_audit."
        ))
