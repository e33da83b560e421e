"""Print the current one-time code for the demo log-ins (demo data only)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django_otp.oath import totp

from jfs.core import clock
from jfs.demo.users import DEMO_TOTP_KEY_HEX


class Command(BaseCommand):
    help = "Print the current TOTP code shared by the demo accounts."

    def handle(self, *args: Any, **options: Any) -> None:
        code = totp(bytes.fromhex(DEMO_TOTP_KEY_HEX), step=30, t0=0, digits=6)
        self.stdout.write(f"{code:06d}  (valid for {30 - int(clock.now().timestamp()) % 30} more seconds)")
