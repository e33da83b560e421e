"""Back up the PostgreSQL database (pg_dump, custom format) and the document folders (tar),
with a manifest of sizes and SHA-256 checksums (``jfs.core.backup``)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jfs.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump -Fc) and the documents (tar) into a new jfs-<time>/ directory."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--output", type=Path, default=None,
            help="directory to create the backup in (default: JFS_DATA_DIR/backups)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = options["output"] or Path(settings.DATA_DIR) / "backups"
        try:
            done = backup(output)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        db, docs = done.manifest["database"], done.manifest["documents"]
        self.stdout.write(f"database: {db['file']} {db['bytes']} bytes sha256 {db['sha256']}")
        self.stdout.write(f"documents: {docs['file']} {docs['bytes']} bytes, {sum(docs['files'].values())} files")
        # the last line is the backup's path, for scripts
        self.stdout.write(str(done.path))
