"""A citizen's complaint or feedback about the service, an officer or a lawyer, and its history.

The workflow (states, actions, who takes them) and the answer time are data
(``governance/complaints.yaml``, read by ``jfs.complaints.policy``); writes go through
``jfs.complaints.services``."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jfs.accounts.models import Office


class Complaint(models.Model):
    """One complaint. ``officer`` is the staff member it names (if any): such a complaint is routed
    to the office head (``to_head``) and never shown to that officer."""

    reference = models.CharField(max_length=20, unique=True)
    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="complaints")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20)
    #: one of the citizen's requests it concerns (optional)
    request = models.ForeignKey("cases.Request", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: the person named as the citizen typed it (an officer or a lawyer)
    named_person = models.CharField(max_length=200, blank=True)
    to_head = models.BooleanField(default=False)
    subject = models.CharField(max_length=200)
    details = models.TextField(max_length=5000)
    state = models.CharField(max_length=20)
    received_on = models.DateField()
    due_on = models.DateField()
    #: the first answer date (a reopening sets a new ``due_on``; the on-time share judges the first)
    first_due_on = models.DateField()
    fiscal_year = models.PositiveIntegerField()
    answer = models.TextField(blank=True)
    answered_on = models.DateField(null=True, blank=True)
    #: the first answer, kept for the on-time share (a reopened complaint's second answer does not change it)
    first_answered_on = models.DateField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reopened = models.PositiveSmallIntegerField(default=0)
    escalated_on = models.DateField(null=True, blank=True)
    #: the draft's idempotency key (kept in the portal's session draft): a second submission of the
    #: same draft (a double click, two tabs, a retry) finds this complaint instead of filing another
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["office", "state"], name="complaint_office_state"),
            models.Index(fields=["state", "due_on"], name="complaint_state_due"),
            models.Index(fields=["fiscal_year", "office"], name="complaint_fy_office"),
        ]

    def __str__(self) -> str:
        return self.reference


class ComplaintStep(models.Model):
    """One step of a complaint's history: who did what, when, with what comment."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=20)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]
