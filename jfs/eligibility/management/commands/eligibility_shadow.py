"""Shadow run of draft rules over every historical request of a service.

    manage.py eligibility_shadow --service LIT --draft 2027-01-01 [--limit N] [--counts-only]
    manage.py eligibility_shadow --service LIT --draft path/to/criteria.yaml

``--draft <date>``: the rules as they would be on that date if every draft dated on or before
it (criteria files and parameter values marked ``status: draft``) were approved.
``--draft <file>``: a criteria file kept anywhere, with the parameter values of its date.
Each request is evaluated on its received date twice: with the rules in force then and
with the draft. Prints counts per change type and the request numbers whose result would
change. Nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jfs.cases.models import Request
from jfs.eligibility import rulebook
from jfs.eligibility.facts import facts_for_request
from jfslib.eligibility import (
    HistoricalRequest,
    NoRulesetInForce,
    RuleDefinitionError,
    Ruleset,
    format_report,
    load_ruleset,
    shadow_run,
)


class Command(BaseCommand):
    help = "Report which eligibility results a draft rule version would change on past requests."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--service", required=True, help="service code: LIT, BAIL, HR")
        parser.add_argument(
            "--draft", required=True,
            help="a date (YYYY-MM-DD: the drafts dated on or before it) or the path of a draft criteria file",
        )
        parser.add_argument("--limit", type=int, default=None, help="only the first N requests (oldest first)")
        parser.add_argument(
            "--counts-only", action="store_true", help="print the counts without the list of request numbers"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        service = str(options["service"]).upper()
        draft = self._draft(service, str(options["draft"]))
        if draft.service != service:
            raise CommandError(f"the draft is for service {draft.service}, not {service}")
        if draft.active:
            self.stderr.write(f"note: {draft.path} is already marked active; comparing it all the same")
        limit = options["limit"]
        if limit is not None and limit <= 0:
            raise CommandError("--limit must be a positive number")
        report = shadow_run(rulebook.get(), draft, self._history(service, limit))
        self.stdout.write(format_report(report, list_requests=not options["counts_only"]))

    @staticmethod
    def _draft(service: str, given: str) -> Ruleset:
        book = rulebook.get()
        try:
            on = date.fromisoformat(given)
        except ValueError:
            pass
        else:
            try:
                return book.draft(service, on)
            except NoRulesetInForce:
                raise CommandError(f"no draft of {service} rules dated on or before {on}") from None
        path = Path(given)
        if not path.is_absolute() and not path.exists():
            path = Path(settings.BASE_DIR) / path
        if not path.exists():
            raise CommandError(f"draft file not found: {given}")
        try:
            return load_ruleset(path, book)
        except RuleDefinitionError as exc:
            raise CommandError(str(exc)) from exc

    @staticmethod
    def _history(service: str, limit: int | None) -> Iterator[HistoricalRequest]:
        qs = Request.objects.filter(service=service).select_related("applicant").order_by("received_on", "id")
        if limit is not None:
            qs = qs[:limit]
        for req in qs.iterator(chunk_size=2000):
            yield HistoricalRequest(
                request_id=req.number, facts=facts_for_request(req),
                received_on=req.received_on, actual_outcome=req.outcome or "",
            )
