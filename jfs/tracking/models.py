"""What the tracking app stores: the messages between the applicant and the office on a request,
and the applicant's satisfaction survey after the decision (one per request)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jfs.accounts.models import Office
from jfs.cases.models import Request

#: who wrote a message: the applicant (or their representative) on the portal, or the office
FROM_APPLICANT = "in"
FROM_OFFICE = "out"
DIRECTION_CHOICES = [(FROM_APPLICANT, _("จากผู้ขอ")), (FROM_OFFICE, _("จากเจ้าหน้าที่"))]

#: the survey's scale, from worst to best, in words (the portal shows the words with the number)
SCORE_CHOICES = [
    (1, _("ไม่พอใจมาก")),
    (2, _("ไม่พอใจ")),
    (3, _("เฉย ๆ")),
    (4, _("พอใจ")),
    (5, _("พอใจมาก")),
]


class Message(models.Model):
    """One message on a request: written by the applicant on the portal (``FROM_APPLICANT``) or by an
    officer on the staff case page (``FROM_OFFICE``); ``read_at`` is when the other side opened it.
    Files are not attached to a message: the applicant uploads them as the request's documents."""

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="tracking_messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(max_length=3, choices=DIRECTION_CHOICES)
    text = models.TextField()
    sent_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "id"]
        indexes = [models.Index(fields=["request", "direction", "read_at"], name="tracking_msg_unread")]


class Survey(models.Model):
    """The applicant's answer to "how satisfied are you": once per request, after the decision.
    ``fiscal_year`` (B.E.) is the year of the answer, and ``office`` the request's office, kept with
    the answer so that the KPI counts by year and office from an index (``selectors.satisfaction``)."""

    request = models.OneToOneField(Request, on_delete=models.PROTECT, related_name="survey")
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(choices=SCORE_CHOICES)
    comment = models.TextField(blank=True)
    at = models.DateTimeField()
    fiscal_year = models.PositiveSmallIntegerField()
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["fiscal_year", "office", "score"], name="tracking_survey_kpi")]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="tracking_survey_score_1_5")
        ]
