"""Run the background worker: make sure the periodic tick is queued, then work the queue."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from jfs.core.tasks import ensure_tick_scheduled


class Command(BaseCommand):
    help = "Start the background worker (django-tasks database queue) with the periodic tick."

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_tick_scheduled()
        call_command("db_worker", "--interval", "1")
