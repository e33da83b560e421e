"""Enrolment of an authenticator app with a one-time activation code, and lifting lockouts.

A password alone never shows a TOTP secret: the first enrolment, and any re-enrolment after a
lost phone, needs an activation code that an administrator (any staff account) or the office
head (staff of their own office) issued. The code is shown to the issuer once, only its hash is
kept, it expires after ``JFS_ACTIVATION_HOURS`` and works once; issuing a new one revokes the
earlier unused codes of that person.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from jfs.accounts.models import ActivationCode, User
from jfs.audit.services import record
from jfs.core import clock
from jfslib import roles
from jfslib.bilingual import BilingualValueError

#: no 0/O, 1/I/L: read aloud over the phone or copied from a slip of paper
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


class EnrolmentRefused(BilingualValueError):
    """Who may not issue a code to whom, or a code that does not work."""


def _hash(code: str) -> str:
    # keyed with the secret key: a leaked table of hashes cannot be tried offline
    return hmac.new(settings.SECRET_KEY.encode(), normalise(code).encode(), hashlib.sha256).hexdigest()


def normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:40]


def formatted(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def may_issue(issuer: User, user: User) -> bool:
    """An administrator may issue to any staff account; an office head to staff of their own office
    (not to administrators or other heads)."""
    if not issuer.is_active or user.role not in roles.STAFF_ROLES or issuer.pk == user.pk:
        return False
    if issuer.role == roles.ADMINISTRATOR:
        return True
    return (issuer.role == roles.OFFICE_HEAD and issuer.office_id is not None and user.office_id == issuer.office_id
            and user.role not in {roles.ADMINISTRATOR, roles.OFFICE_HEAD})


def issue_code(*, issuer: User, user: User) -> str:
    """Issue an activation code for ``user`` and return it (shown once)."""
    if not may_issue(issuer, user):
        raise EnrolmentRefused("ไม่มีสิทธิ์ออกรหัสเปิดใช้งานให้บัญชีนี้",
                               "You may not issue an activation code for this account")
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    now = clock.now()
    with transaction.atomic():
        ActivationCode.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
        ActivationCode.objects.create(user=user, code_hash=_hash(code), issued_by=issuer,
                                      expires_at=now + timedelta(hours=settings.JFS_ACTIVATION_HOURS))
        record("activation_code_issued", actor=issuer, object_type="user", object_id=str(user.pk),
               details={"user": user.username, "hours": settings.JFS_ACTIVATION_HOURS})
    return formatted(code)


def valid_code(user: User, code: str) -> ActivationCode | None:
    """The live activation code of ``user`` matching ``code``, or None."""
    if not normalise(code):
        return None
    return ActivationCode.objects.filter(
        user=user, code_hash=_hash(code), used_at__isnull=True, revoked_at__isnull=True,
        expires_at__gt=clock.now(),
    ).first()


def complete_enrolment(*, user: User, code_id: int, device: TOTPDevice) -> None:
    """Confirm the new device, use up the code and remove every older device of the person."""
    with transaction.atomic():
        used = ActivationCode.objects.filter(
            pk=code_id, user=user, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=clock.now(),
        ).update(used_at=clock.now())
        if not used:
            raise EnrolmentRefused("รหัสเปิดใช้งานหมดอายุหรือถูกใช้แล้ว", "The activation code has expired or was used")
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record("totp_enrolled", actor=user, object_type="user", object_id=str(user.pk))


def lift_lockout(*, by: User, user: User) -> int:
    """Clear the failed sign-ins that lock ``user`` out (from every address); audited."""
    with transaction.atomic():
        cleared = axes_reset(username=user.username)
        record("lockout_lifted", actor=by, object_type="user", object_id=str(user.pk),
               details={"user": user.username, "attempts_cleared": cleared})
    return cleared
