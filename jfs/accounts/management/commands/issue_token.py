"""Issue an API token for a staff account:
manage.py issue_token USERNAME --name "partner tool" [--scope read|write] [--days N]."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jfs.accounts.models import User
from jfs.accounts.tokens import SCOPES, TokenRefused, issue


class Command(BaseCommand):
    help = "Issue an API token (printed once) for a staff account; citizens never get one."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")
        parser.add_argument("--scope", choices=SCOPES, default="read",
                            help="read (GET and searches) or write (also changes requests); default read")
        parser.add_argument("--days", type=int, default=None, help="lifetime in days (default JFS_API_TOKEN_DAYS)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no such user: {options['username']}")
        try:
            self.stdout.write(issue(user, options["name"], scope=options["scope"], days=options["days"]))
        except TokenRefused as exc:
            raise CommandError(exc.en) from exc
