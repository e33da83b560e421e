"""What the notifications app stores: a citizen's chosen channels and one delivery per message per
channel (the inbox message itself is ``jfs.core.models.Notification``)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jfs.core.models import Notification

SMS = "sms"
EMAIL = "email"
LINE = "line"
CHANNEL_CHOICES = [(SMS, _("ข้อความ SMS")), (EMAIL, _("อีเมล")), (LINE, _("LINE"))]

QUEUED = "queued"
SENT = "sent"
FAILED = "failed"
GIVEN_UP = "given_up"
STATUS_CHOICES = [
    (QUEUED, _("รอส่ง")),
    (SENT, _("ส่งแล้ว")),
    (FAILED, _("ส่งไม่สำเร็จ จะลองใหม่")),
    (GIVEN_UP, _("เลิกส่งแล้ว")),
]


class ChannelChoice(models.Model):
    """How a person wants to be told, beyond the portal inbox (always on): an SMS to a Thai mobile
    number (E.164), an e-mail, a LINE message to their LINE user id."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_channels")
    sms = models.BooleanField(default=False)
    sms_number = models.CharField(max_length=20, blank=True, help_text="E.164, a Thai mobile number")
    email = models.BooleanField(default=False)
    email_address = models.EmailField(blank=True)
    line = models.BooleanField(default=False)
    line_user_id = models.CharField(max_length=64, blank=True, help_text="LINE user id (U + 32 hex)")
    updated_at = models.DateTimeField(auto_now=True)

    def addresses(self) -> list[tuple[str, str]]:
        """(channel, address) for every channel chosen with its address given."""
        chosen = [
            (SMS, self.sms, self.sms_number),
            (EMAIL, self.email, self.email_address),
            (LINE, self.line, self.line_user_id),
        ]
        return [(channel, address) for channel, on, address in chosen if on and address]


class Delivery(models.Model):
    """One message sent (or being sent) on one channel: an inbox message's copy by SMS, e-mail or
    LINE, or a one-time code (no inbox message). The text of a one-time code is erased once it is
    sent or given up."""

    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=10, choices=CHANNEL_CHOICES)
    address = models.CharField(max_length=254)
    subject = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    urgent = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=300, blank=True, help_text="in words, no personal data")
    provider_id = models.CharField(max_length=120, blank=True, help_text="the provider's message id")
    retry_key = models.UUIDField(default=uuid.uuid4, editable=False, help_text="X-Line-Retry-Key, kept across retries")
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk} {self.status}"
