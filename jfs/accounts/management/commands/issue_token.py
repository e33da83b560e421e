"""Issue an API token for a user: manage.py issue_token USERNAME --name "partner tool"."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jfs.accounts.models import User
from jfs.accounts.tokens import issue


class Command(BaseCommand):
    help = "Issue an API token (printed once) for a user."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no such user: {options['username']}")
        self.stdout.write(issue(user, options["name"]))
