"""Reads of the core app's records for the pages: a person's notifications."""

from __future__ import annotations

from jfs.core.models import Notification


def notifications_for(user_id: int, limit: int = 100) -> list[Notification]:
    """A person's newest notifications (at most ``limit``)."""
    return list(Notification.objects.filter(recipient_id=user_id)[:limit])
