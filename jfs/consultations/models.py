"""Legal consultation: an appointment at an office (in person or by video) and a question asked
online (a CONSULT request in the case system, with the question's full text kept here).

One booked appointment per office, day and start time: a partial unique constraint (PostgreSQL and
SQLite both keep it), so two citizens booking the same slot at once cannot both succeed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from jfs.accounts.models import Office

BOOKED = "booked"
CANCELLED = "cancelled"
STATE_CHOICES = [(BOOKED, "booked"), (CANCELLED, "cancelled")]


class Appointment(models.Model):
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments")
    day = models.DateField()
    start = models.TimeField()
    end = models.TimeField()
    mode = models.CharField(max_length=20)
    topic = models.CharField(max_length=300)
    video_link = models.CharField(max_length=300, blank=True)
    state = models.CharField(max_length=20, choices=STATE_CHOICES, default=BOOKED)
    created_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["day", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "day", "start"], condition=Q(state=BOOKED), name="appointment_one_per_slot"
            ),
        ]
        indexes = [models.Index(fields=["office", "day"], name="appointment_office_day")]


class Question(models.Model):
    """A question asked online: the CONSULT request it became, and the question's whole text."""

    request = models.OneToOneField("cases.Request", on_delete=models.PROTECT, related_name="+")
    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=3000)
    #: the draft's idempotency key (kept in the portal's session draft): a second submission of the
    #: same draft finds this question instead of registering a second CONSULT request
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
