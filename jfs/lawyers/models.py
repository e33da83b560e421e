"""Litigation (กทย.1) after approval: the fund's roster of lawyers (per office, their specialities
and declared conflicts), the engagement of one lawyer per request with the fee scale in force, the
lawyer's milestone reports and their staged payments, and the case's result.

Writes go through ``jfs.lawyers.services``; reads through ``jfs.lawyers.selectors``. Money moves only
through ``jfs.finance.services``: a milestone's payment is a disbursement of the request's approved
``lawyer`` item to the engaged lawyer (the entry is kept on the milestone); court costs and expert
fees are disbursements of the ``court_fee`` and ``expert`` items; unused money comes back by
``receive_return``. The fee scale and the results' repayment flags are ``governance/lawyer_fees.yaml``.
See docs/lawyers.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jfs.accounts.models import Office
from jfs.cases.models import Document, Request
from jfs.finance.models import Entry

SPECIALITY_CHOICES = [
    ("civil", _("คดีแพ่ง")),
    ("criminal", _("คดีอาญา")),
    ("administrative", _("คดีปกครอง")),
    ("labour", _("คดีแรงงาน")),
    ("family", _("คดีครอบครัว")),
    ("consumer", _("คดีผู้บริโภค")),
    ("other", _("คดีอื่น ๆ")),
]

ACTIVE = "active"
ENDED = "ended"
ENGAGEMENT_STATUS_CHOICES = [(ACTIVE, _("กำลังว่าความ")), (ENDED, _("สิ้นสุดการแต่งตั้ง"))]

#: why an engagement ended
END_REASON_CHOICES = [
    ("replaced", _("แต่งตั้งทนายความคนใหม่แทน")),
]


class Lawyer(models.Model):
    """A lawyer on the fund's roster of one office. The licence number is the Lawyers Council's
    (``12345/2550``: number / Buddhist-era year), one row per licence. Phone and e-mail are
    personal data: a view of them is audited."""

    name = models.CharField(max_length=200)
    licence_no = models.CharField(max_length=20, unique=True)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    specialities = models.CharField(max_length=200, help_text="speciality codes between commas: ,civil,labour,")
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(max_length=200, blank=True)
    active = models.BooleanField(default=True)
    registered_on = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["office", "active"], name="lawyer_office_active")]

    def __str__(self) -> str:
        return self.payee

    @property
    def payee(self) -> str:
        """How a payment names the lawyer: unambiguous (the licence is unique)."""
        return f"{self.name} (ใบอนุญาตทนายความเลขที่ {self.licence_no})"

    def speciality_codes(self) -> list[str]:
        return [s for s in self.specialities.split(",") if s]


class LawyerConflict(models.Model):
    """A conflict the lawyer declared: a person or organisation they may not act against or for."""

    lawyer = models.ForeignKey(Lawyer, on_delete=models.PROTECT, related_name="conflicts")
    party_name = models.CharField(max_length=200)
    note = models.CharField(max_length=500, blank=True)
    declared_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["lawyer", "id"]


class Engagement(models.Model):
    """One lawyer acting for one approved litigation request: the fee scale in force on the day
    (copied, so a later scale changes nothing here), the agreed fee (never above the approved
    ``lawyer`` item), and, at the end, the case's result. One active engagement per request."""

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="engagements")
    lawyer = models.ForeignKey(Lawyer, on_delete=models.PROTECT, related_name="engagements")
    engaged_on = models.DateField()
    opposing_party = models.CharField(max_length=200, blank=True)
    case_kind = models.CharField(max_length=20)
    scale_effective = models.DateField(help_text="the effective date of the fee scale in force on engaged_on")
    scale = models.JSONField(help_text="baht per milestone kind, as the scale said on engaged_on")
    agreed_fee = models.DecimalField(max_digits=14, decimal_places=2)
    status = models.CharField(max_length=10, choices=ENGAGEMENT_STATUS_CHOICES, default=ACTIVE)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=10, blank=True, choices=END_REASON_CHOICES)
    result = models.CharField(max_length=12, blank=True)
    result_on = models.DateField(null=True, blank=True)
    result_note = models.CharField(max_length=1000, blank=True)
    repayment_required = models.BooleanField(null=True, blank=True)
    repayment_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["request", "-id"]
        constraints = [models.UniqueConstraint(fields=["request"], condition=Q(status=ACTIVE),
                                               name="one_active_engagement")]
        indexes = [models.Index(fields=["lawyer", "status"], name="engagement_lawyer_status")]


class Milestone(models.Model):
    """A step of the case the lawyer reported (filing, a hearing, the judgement, an appeal): the
    report's date and summary, its uploaded copy, the fee due by the engagement's scale, and the
    payment once made (the ledger's entry; a milestone is paid once)."""

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="milestones")
    kind = models.CharField(max_length=12)
    report_on = models.DateField()
    summary = models.CharField(max_length=2000)
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    amount_due = models.DecimalField(max_digits=14, decimal_places=2)
    payment = models.OneToOneField(Entry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["engagement", "report_on", "id"]
