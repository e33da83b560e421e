"""Project grants (กทย.4): the case officer's assessment of a proposal, the grant agreement with its
instalments, the grantee's progress reports, the final report with its outputs, the return of
unspent money and the grant's closing.

Writes go through ``jfs.grants.services``; reads through ``jfs.grants.selectors``. Money moves only
through ``jfs.finance.services``: an instalment is paid pro rata across the budget lines' commitments
(``InstalmentShare``: one disbursement per line, each with its own key derived from the instalment's),
and a return of unspent money is split across the lines by what each was paid (``ReturnShare``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jfs.cases.models import Document, Request
from jfs.finance.models import METHOD_CHOICES, Entry

RECOMMENDATION_CHOICES = [
    ("support", _("เห็นควรสนับสนุน")),
    ("support_with_changes", _("เห็นควรสนับสนุนโดยปรับแผนหรืองบประมาณ")),
    ("not_support", _("ไม่เห็นควรสนับสนุน")),
]

ACTIVE = "active"
REPORTED = "reported"
CLOSED = "closed"
STATUS_CHOICES = [
    (ACTIVE, _("อยู่ระหว่างดำเนินโครงการ")),
    (REPORTED, _("ส่งรายงานผลการดำเนินโครงการแล้ว")),
    (CLOSED, _("ปิดโครงการแล้ว")),
]


class Assessment(models.Model):
    """The case officer's assessment of a project proposal, before the decision: each criterion of
    ``governance/grants.yaml`` scored 1–5 with a note (``scores``: ``{code: {"score": n, "note": ""}}``),
    and a recommendation for the committee. One per request; revised until the request is decided."""

    request = models.OneToOneField(Request, on_delete=models.PROTECT, related_name="grant_assessment")
    scores = models.JSONField(default=dict)
    recommendation = models.CharField(max_length=24, choices=RECOMMENDATION_CHOICES)
    summary = models.TextField(blank=True, max_length=3000)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)


class GrantAgreement(models.Model):
    """The agreement for an approved project: its number, who signed and when, the project's period,
    the total (what the approval committed) and the organisation the money is paid to. One per request."""

    request = models.OneToOneField(Request, on_delete=models.PROTECT, related_name="grant")
    number = models.CharField(max_length=60, unique=True)
    organisation = models.CharField(max_length=200)
    registration_no = models.CharField(max_length=60, blank=True)
    #: the organisation as the grantee's history matches it: the registration number without spaces or
    #: dashes, else the name folded (case, spaces, punctuation)
    registration_key = models.CharField(max_length=60, blank=True, db_index=True)
    name_key = models.CharField(max_length=200, db_index=True)
    signed_on = models.DateField()
    period_start = models.DateField()
    period_end = models.DateField()
    total = models.DecimalField(max_digits=14, decimal_places=2, help_text="approved and committed")
    signed_for_grantee = models.CharField(max_length=200, help_text="who signed for the organisation")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  help_text="the officer who signed for the fund")
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    final_report_due = models.DateField()
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=ACTIVE)
    closed_on = models.DateField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status"], name="grant_status")]


class Instalment(models.Model):
    """One payment of the schedule: its amount, and (except the first) the progress report it waits
    for (``after_report``: that report's sequence) and the day that report is due."""

    agreement = models.ForeignKey(GrantAgreement, on_delete=models.PROTECT, related_name="instalments")
    sequence = models.PositiveSmallIntegerField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    after_report = models.PositiveSmallIntegerField(null=True, blank=True)
    report_due = models.DateField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    paid_key = models.CharField(max_length=80, blank=True, help_text="the idempotency key it was paid with")
    method = models.CharField(max_length=12, blank=True, choices=METHOD_CHOICES)
    reference = models.CharField(max_length=100, blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")

    class Meta:
        ordering = ["agreement", "sequence"]
        constraints = [models.UniqueConstraint(fields=["agreement", "sequence"], name="instalment_once")]


class InstalmentShare(models.Model):
    """An instalment's part for one budget line (``line-1``…), planned when the agreement is made, and
    the ledger's disbursement once paid."""

    instalment = models.ForeignKey(Instalment, on_delete=models.PROTECT, related_name="shares")
    item_key = models.CharField(max_length=60)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    entry = models.OneToOneField(Entry, null=True, blank=True, on_delete=models.PROTECT, related_name="grant_share")

    class Meta:
        ordering = ["instalment", "id"]


class ProgressReport(models.Model):
    """The grantee's report during the project: numbered from 1 (an instalment waits for its number)."""

    agreement = models.ForeignKey(GrantAgreement, on_delete=models.PROTECT, related_name="progress_reports")
    sequence = models.PositiveSmallIntegerField()
    received_on = models.DateField()
    period_from = models.DateField()
    period_to = models.DateField()
    activities = models.TextField(max_length=3000)
    people_reached = models.PositiveIntegerField(help_text="so far")
    spent = models.DecimalField(max_digits=14, decimal_places=2, help_text="so far")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["agreement", "sequence"]
        constraints = [models.UniqueConstraint(fields=["agreement", "sequence"], name="progress_report_once")]


class FinalReport(models.Model):
    """The grantee's final report: the outputs, the people reached, the total spent; on time when
    received by the agreement's ``final_report_due``."""

    agreement = models.OneToOneField(GrantAgreement, on_delete=models.PROTECT, related_name="final_report")
    received_on = models.DateField()
    outputs = models.TextField(max_length=3000)
    people_reached = models.PositiveIntegerField()
    total_spent = models.DecimalField(max_digits=14, decimal_places=2)
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    @property
    def on_time(self) -> bool:
        return self.received_on <= self.agreement.final_report_due


class GrantReturn(models.Model):
    """Unspent money the organisation paid back, with the fund's receipt number."""

    agreement = models.ForeignKey(GrantAgreement, on_delete=models.PROTECT, related_name="returns")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    received_on = models.DateField()
    receipt_number = models.CharField(max_length=100)
    key = models.CharField(max_length=80, unique=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["received_on", "id"]


class ReturnShare(models.Model):
    """A return's part for one budget line: the ledger's return entry."""

    grant_return = models.ForeignKey(GrantReturn, on_delete=models.PROTECT, related_name="shares")
    item_key = models.CharField(max_length=60)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="grant_return_share")

    class Meta:
        ordering = ["grant_return", "id"]
