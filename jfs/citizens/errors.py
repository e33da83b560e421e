"""Why a citizen's sign-in was refused, in Thai and in English (``reason`` is the audited code)."""

from __future__ import annotations

from jfslib.bilingual import BilingualValueError


class SignInRefused(BilingualValueError):
    """A sign-in that did not succeed; ``reason`` names why (audited), ``field`` the form field, if any."""

    def __init__(self, th: str, en: str, *, reason: str, field: str = "") -> None:
        super().__init__(th, en)
        self.reason = reason
        self.field = field


class StaffAccount(SignInRefused):
    """The identity belongs to a staff account: staff sign in on the staff pages, with their second factor."""


class CodeRefused(SignInRefused):
    """A one-time code that cannot be sent or accepted (bad address, too many, wrong, expired, used)."""
