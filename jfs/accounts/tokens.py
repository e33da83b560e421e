"""Issue, check and revoke API tokens (the raw token is shown once, only its hash is kept).

A token belongs to a staff account (never a citizen's), expires, and carries a scope:
``read`` lets a tool read and search, ``write`` also lets it change requests.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from jfs.accounts.models import SCOPE_READ, SCOPE_WRITE, ApiToken, User
from jfs.audit.services import record
from jfs.core import clock
from jfslib import roles
from jfslib.bilingual import BilingualValueError

SCOPES = (SCOPE_READ, SCOPE_WRITE)


class TokenRefused(BilingualValueError):
    """A token that may not be issued (a citizen's account, an unknown scope, a bad lifetime)."""


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(user: User, name: str, *, scope: str = SCOPE_READ, days: int | None = None,
          issued_by: User | None = None) -> str:
    """Create a token for a staff account and return it (the only time it is seen)."""
    return create(user, name, scope=scope, days=days, issued_by=issued_by)[0]


def create(user: User, name: str, *, scope: str = SCOPE_READ, days: int | None = None,
           issued_by: User | None = None) -> tuple[str, ApiToken]:
    """Create a token for a staff account: the raw token (shown once) and its record."""
    if user.role not in roles.STAFF_ROLES or not user.is_active:
        raise TokenRefused("ออกโทเค็น API ให้ได้เฉพาะบัญชีเจ้าหน้าที่ที่ใช้งานอยู่ ไม่ออกให้ประชาชน",
                           "API tokens are issued only to active staff accounts, never to citizens")
    if scope not in SCOPES:
        raise TokenRefused("ขอบเขตโทเค็นต้องเป็น read หรือ write", "A token's scope is read or write")
    days = settings.JFS_API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= settings.JFS_API_TOKEN_MAX_DAYS:
        raise TokenRefused(f"อายุโทเค็นต้องอยู่ระหว่าง 1 ถึง {settings.JFS_API_TOKEN_MAX_DAYS} วัน",
                           f"A token lives between 1 and {settings.JFS_API_TOKEN_MAX_DAYS} days")
    raw = "jfs_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        tok = ApiToken.objects.create(user=user, name=name[:100], key_hash=_hash(raw), prefix=raw[4:12], scope=scope,
                                      expires_at=clock.now() + timedelta(days=days))
        record("api_token_issued", actor=issued_by, object_type="api_token", object_id=str(tok.pk),
               details={"user": user.username, "scope": scope, "days": days})
    return raw, tok


def revoke(token: ApiToken, *, by: User | None) -> bool:
    """Revoke a token now; False when it already was."""
    with transaction.atomic():
        changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=clock.now(), revoked_by=by)
        if changed:
            record("api_token_revoked", actor=by, object_type="api_token", object_id=str(token.pk),
                   details={"user": token.user.username})
    return bool(changed)


@dataclass(frozen=True)
class Grant:
    user: User
    scope: str

    def allows(self, scope: str) -> bool:
        return scope == SCOPE_READ or self.scope == SCOPE_WRITE


def grant_for(raw: str) -> Grant | None:
    """The staff account and scope of a live token, or None (unknown, revoked, expired, inactive user)."""
    if not raw or not raw.startswith("jfs_") or len(raw) > 100:
        return None
    now = clock.now()
    tok = (ApiToken.objects.select_related("user", "user__office")
           .filter(key_hash=_hash(raw), revoked_at__isnull=True, expires_at__gt=now).first())
    if tok is None or not tok.user.is_active or tok.user.role not in roles.STAFF_ROLES:
        return None
    if tok.last_used_at is None or (now - tok.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=tok.pk).update(last_used_at=now)
    return Grant(tok.user, tok.scope)


def user_for(raw: str) -> User | None:
    grant = grant_for(raw)
    return grant.user if grant else None
