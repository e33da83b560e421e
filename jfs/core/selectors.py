"""Reads of the core app's records for the pages: a person's notifications."""

from __future__ import annotations

from jfs.core.models import Notification


def notifications_for(user_id: int, limit: int = 100) -> list[Notification]:
    """A person's newest notifications (at most ``limit``)."""
    return list(Notification.objects.filter(recipient_id=user_id)[:limit])


def unread_count(user_id: int) -> int:
    """How many of a person's notifications they have not opened (the header's "แจ้งเตือน (3)")."""
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def notification_of(user_id: int, pk: int) -> Notification | None:
    """One of a person's own notifications (None for anyone else's)."""
    return Notification.objects.filter(recipient_id=user_id, pk=pk).first()
