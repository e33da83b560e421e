"""A citizen's online application while they fill it in (the draft), its uploads, and what it became.

One draft per citizen and service at a time (``Application``): the answers so far (invalid input
kept with its error), where the citizen is, for whom (themselves, or someone else with the
relationship recorded), the PDPA consent (purposes, the notice's version and date), the
declaration, the registry facts fetched with consent, and the request it became on submission.
Writes go through ``jfs.applications.services``; reads through ``jfs.applications.selectors``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

FOR_SELF = "self"
FOR_OTHER = "other"
FOR_WHOM_CHOICES = [(FOR_SELF, _("ยื่นขอสำหรับตนเอง")), (FOR_OTHER, _("ยื่นแทนผู้อื่น"))]

#: the representative's relationship to the person they file for (recorded, shown to staff)
RELATIONSHIP_CHOICES = [
    ("spouse", _("คู่สมรส")),
    ("parent", _("บิดาหรือมารดา")),
    ("child", _("บุตร")),
    ("relative", _("ญาติ")),
    ("guardian", _("ผู้ปกครองหรือผู้อนุบาล")),
    ("lawyer", _("ทนายความ")),
    ("ngo", _("มูลนิธิหรือองค์กรพัฒนาเอกชน")),
    ("other", _("อื่น ๆ")),
]

ASSURANCE_DIGITAL_ID = "digital_id"
ASSURANCE_ONE_TIME_CODE = "one_time_code"
ASSURANCE_CHOICES = [
    (ASSURANCE_DIGITAL_ID, _("ยืนยันตัวตนด้วยแอป ThaID")),
    (ASSURANCE_ONE_TIME_CODE, _("รหัสผ่านครั้งเดียว (ระดับความน่าเชื่อถือต่ำกว่า)")),
]


class Application(models.Model):
    """A citizen's application for one service, from the first page to the request it became."""

    #: the draft's public name in its addresses, and the submission's idempotency key
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications")
    service = models.CharField(max_length=10)
    for_whom = models.CharField(max_length=10, choices=FOR_WHOM_CHOICES, blank=True)
    relationship = models.CharField(max_length=20, choices=RELATIONSHIP_CHOICES, blank=True)
    relationship_other = models.CharField(max_length=100, blank=True)
    #: question key -> the answer as the portal stores it (text, or a list of lines)
    answers = models.JSONField(default=dict, blank=True)
    #: question key -> {"raw": what was typed, "th": ..., "en": ...}: refused input, kept with its error
    errors = models.JSONField(default=dict, blank=True)
    #: the page the citizen was last on (a question key or a step name): resume lands there
    position = models.CharField(max_length=60, blank=True)
    #: question key -> what was posted after the session had expired, offered again after sign-in
    stash = models.JSONField(default=dict, blank=True)
    consent_processing = models.BooleanField(default=False)
    consent_registry = models.BooleanField(default=False)
    consent_purposes = models.JSONField(default=list, blank=True)
    notice_version = models.CharField(max_length=40, blank=True)
    notice_date = models.CharField(max_length=20, blank=True)
    consented_at = models.DateTimeField(null=True, blank=True)
    declared_at = models.DateTimeField(null=True, blank=True)
    #: kind -> facts the registries confirmed before submission (Once-Only); a kind absent is unknown
    registry_facts = models.JSONField(default=dict, blank=True)
    registry_checked_at = models.DateTimeField(null=True, blank=True)
    office = models.ForeignKey("accounts.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    #: how the filer signed in when submitting (``ASSURANCE_CHOICES``)
    assurance = models.CharField(max_length=20, choices=ASSURANCE_CHOICES, blank=True)
    request = models.OneToOneField(
        "cases.Request", null=True, blank=True, on_delete=models.PROTECT, related_name="application"
    )
    submit_attempts = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["citizen", "service"])]
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.service} {self.key}"

    @property
    def submitted(self) -> bool:
        return self.request_id is not None


class ApplicationUpload(models.Model):
    """A file the citizen attached to a draft: checked (type sniffed, size, active content) when it
    arrived, kept privately until submission, when ``jfs.cases.services.add_documents`` stores it
    on the request (sniffed, cleaned and scanned again there)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="uploads")
    doc_type = models.CharField(max_length=40)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=200)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]


class ChunkedUpload(models.Model):
    """A file arriving in pieces (``static/js/portal-upload.js``): how much arrived so far, so a
    broken connection resumes where it stopped."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="chunked")
    doc_type = models.CharField(max_length=40)
    original_name = models.CharField(max_length=255)
    total_size = models.PositiveIntegerField()
    received = models.PositiveIntegerField(default=0)
    storage_name = models.CharField(max_length=200)
    created_at = models.DateTimeField()
