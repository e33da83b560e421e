"""Cross-cutting records: staff notifications and the background worker's heartbeat."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Notification(models.Model):
    """A message in a staff member's inbox (escalations, assignments)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(max_length=40)
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]


class WorkerHeartbeat(models.Model):
    """Written by the periodic task on every tick; /healthz reads its age."""

    name = models.CharField(max_length=40, primary_key=True)
    beat_at = models.DateTimeField()
