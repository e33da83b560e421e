"""Reads of offices and accounts for the pages and the API (writes are in ``enrolment`` and ``tokens``)."""

from __future__ import annotations

from django.db.models import QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from jfs.accounts.models import Office, User
from jfslib import roles


def offices() -> QuerySet[Office]:
    """Every office, central ("00") first, by code."""
    return Office.objects.all()


def user_by_id(raw: str) -> User | None:
    """The account whose id is ``raw`` (digits as posted by a form), or None."""
    if not raw.isdecimal() or len(raw) >= 12:
        return None
    return User.objects.filter(pk=int(raw)).first()


def team(issuer: User) -> QuerySet[User]:
    """The active staff an office head looks after (their office), or every office's for an
    administrator, by office and username."""
    qs = User.objects.filter(is_active=True, role__in=roles.STAFF_ROLES).select_related("office")
    if issuer.role != roles.ADMINISTRATOR:
        qs = qs.filter(office=issuer.office)
    return qs.order_by("office__code", "username")


def enrolled_ids(users: QuerySet[User]) -> set[int]:
    """Which of these accounts have set up their authenticator app (a confirmed TOTP device)."""
    return set(TOTPDevice.objects.filter(confirmed=True, user__in=users).values_list("user_id", flat=True))
