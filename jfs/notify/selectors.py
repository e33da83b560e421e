"""Reads of the notifications app: a person's inbox and channel choices, and a message's deliveries."""

from __future__ import annotations

from jfs.core.models import Notification
from jfs.notify.models import ChannelChoice, Delivery


def inbox(user_id: int, limit: int = 100) -> list[Notification]:
    """The person's messages, newest first."""
    return list(Notification.objects.filter(recipient_id=user_id).order_by("-created_at", "-pk")[:limit])


def message_of(user_id: int, pk: int) -> Notification | None:
    """One of the person's own messages (None for anyone else's)."""
    return Notification.objects.filter(recipient_id=user_id, pk=pk).first()


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def channels_of(user_id: int) -> ChannelChoice | None:
    return ChannelChoice.objects.filter(user_id=user_id).first()


def deliveries_of(notification_pk: int) -> list[Delivery]:
    """How a message went out on each channel."""
    return list(Delivery.objects.filter(notification_id=notification_pk).order_by("channel"))
