"""Re-run pending registry checks now: ``manage.py retry_registry_checks [--all] [--request NUMBER]``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jfs.cases.models import Request
from jfs.exchange.services import retry_due_checks


class Command(BaseCommand):
    help = "Ask the registries again for pending checks whose retry time has come (or all with --all)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--all", action="store_true", help="also checks whose retry time has not come yet")
        parser.add_argument("--request", help="only this request number (e.g. JF2-50-2569-00012)")

    def handle(self, *args: Any, **options: Any) -> None:
        request_id = None
        if options["request"]:
            req = Request.objects.filter(number=options["request"]).first()
            if req is None:
                raise CommandError(f"no request {options['request']}")
            request_id = req.pk
        counts = retry_due_checks(request_id=request_id, include_not_due=options["all"])
        if not counts:
            self.stdout.write("no pending registry checks were due")
            return
        self.stdout.write(", ".join(f"{status}: {n}" for status, n in sorted(counts.items())))
