"""Writes to a person's notifications: marking them read (they are created by the apps that send them)."""

from __future__ import annotations

from jfs.core import clock
from jfs.core.models import Notification


def mark_read(user_id: int, pk: int | None = None) -> int:
    """Mark one of the person's notifications (or, without ``pk``, all of them) read; return how many changed."""
    qs = Notification.objects.filter(recipient_id=user_id, read_at__isnull=True)
    if pk is not None:
        qs = qs.filter(pk=pk)
    return qs.update(read_at=clock.now())
