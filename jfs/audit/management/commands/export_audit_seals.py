"""Copy the audit log's sealed checkpoints out of the database (JSON lines)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jfs.audit.sealing import export_lines


class Command(BaseCommand):
    help = ("Write the sealed checkpoints as JSON lines, to keep away from the database (another machine, "
            "the auditor's mail, write-once storage). `verify_audit --against FILE` later proves the log "
            "still passes through every one of them.")

    def add_arguments(self, parser: CommandParser) -> None:
        where = parser.add_mutually_exclusive_group()
        where.add_argument("--output", type=Path, metavar="FILE", help="write to FILE (replaced) instead of stdout")
        where.add_argument("--append", type=Path, metavar="FILE",
                           help="add the checkpoints newer than FILE's last line to FILE (created if missing)")
        parser.add_argument("--since", type=int, default=0, metavar="SEQ",
                            help="only checkpoints after event SEQ")

    def handle(self, *args: Any, **options: Any) -> None:
        since = options["since"]
        path: Path | None = options["append"] or options["output"]
        if options["append"] and path is not None and path.exists():
            lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
            if lines:
                try:
                    since = max(since, int(json.loads(lines[-1])["seq"]))
                except (ValueError, KeyError, TypeError):
                    raise CommandError(f"{path}: the last line is not an exported checkpoint") from None
        count = 0
        if path is None:
            for line in export_lines(since):
                self.stdout.write(line)
                count += 1
            return
        with path.open("a" if options["append"] else "w", encoding="utf-8") as out:
            for line in export_lines(since):
                out.write(line + "\n")
                count += 1
        self.stderr.write(f"{count} checkpoints written to {path}")
