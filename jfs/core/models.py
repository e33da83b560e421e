"""Cross-cutting records: staff notifications and the background worker's heartbeat."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AppendOnlyModel(models.Model):
    """History: a row is written once and never changed or deleted (the audit log, transitions,
    earlier values of a person's record). ``refusal`` says why, in the error raised."""

    refusal = "this record is history: it is never changed or deleted"

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError(self.refusal)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError(self.refusal)


class Notification(models.Model):
    """A message in a staff member's inbox (escalations, assignments)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(max_length=40)
    subject = models.CharField(max_length=300, help_text="in Thai")
    body = models.TextField(blank=True, help_text="in Thai")
    subject_en = models.CharField(max_length=300, blank=True, help_text="in English (the Thai text when blank)")
    body_en = models.TextField(blank=True, help_text="in English (the Thai text when blank)")
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def text(self, lang: str | None) -> tuple[str, str]:
        """Subject and body in the reader's language: English for "en" where written, else Thai."""
        if lang == "en" and self.subject_en:
            return self.subject_en, self.body_en
        return self.subject, self.body


class WorkerHeartbeat(models.Model):
    """Written by the periodic task on every tick; /healthz reads its age."""

    name = models.CharField(max_length=40, primary_key=True)
    beat_at = models.DateTimeField()
