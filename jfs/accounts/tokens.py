"""Issue and check API tokens (the raw token is shown once, only its hash is kept)."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from jfs.accounts.models import ApiToken, User


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(user: User, name: str) -> str:
    raw = "jfs_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, key_hash=_hash(raw), prefix=raw[4:12])
    return raw


def user_for(raw: str) -> User | None:
    if not raw or not raw.startswith("jfs_"):
        return None
    tok = ApiToken.objects.select_related("user", "user__office").filter(key_hash=_hash(raw), revoked_at__isnull=True).first()
    if tok is None or not tok.user.is_active:
        return None
    now = timezone.now()
    if tok.last_used_at is None or (now - tok.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=tok.pk).update(last_used_at=now)
    return tok.user
