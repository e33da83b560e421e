"""Requests for the five Justice Fund services, their applicants, transitions and documents.

Nothing here is ever hard-deleted: requests end in a terminal state (closed,
withdrawn, referred, terminated) and documents can only be superseded.
Writes go through ``jfs.cases.services``; reads through ``jfs.cases.selectors``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jfs.accounts.models import Office
from jfs.cases import service_registry, workflows
from jfs.core.models import AppendOnlyModel

SERVICE_LIT = "LIT"
SERVICE_BAIL = "BAIL"
SERVICE_HR = "HR"
SERVICE_PROJECT = "PROJECT"
SERVICE_CONSULT = "CONSULT"

#: (code, short label) of every service in ``services/`` (jfs.cases.service_registry), read on each use
SERVICE_CHOICES = service_registry.ServiceChoices()
#: Readable request-number prefixes: JF1-50-2569-00012 (each service's ``prefix``)
SERVICE_PREFIX: service_registry.ServiceMap[str] = service_registry.ServiceMap(lambda s: s.prefix)

SEX_CHOICES = [("M", _("ชาย")), ("F", _("หญิง")), ("X", _("ไม่ระบุ"))]
EDUCATION_CHOICES = [
    ("none", _("ไม่ได้เรียน")),
    ("primary", _("ประถมศึกษา")),
    ("lower_secondary", _("มัธยมศึกษาตอนต้น")),
    ("upper_secondary", _("มัธยมศึกษาตอนปลาย/ปวช.")),
    ("diploma", _("อนุปริญญา/ปวส.")),
    ("bachelor", _("ปริญญาตรี")),
    ("higher", _("สูงกว่าปริญญาตรี")),
]
OCCUPATION_CHOICES = [
    ("unemployed", _("ว่างงาน")),
    ("labourer", _("รับจ้างทั่วไป")),
    ("farmer", _("เกษตรกร")),
    ("trader", _("ค้าขาย")),
    ("employee", _("พนักงานบริษัท")),
    ("civil_servant", _("รับราชการ/รัฐวิสาหกิจ")),
    ("student", _("นักเรียน/นักศึกษา")),
    ("self_employed", _("ธุรกิจส่วนตัว")),
    ("other", _("อื่น ๆ")),
]
REPRESENTATIVE_CHOICES = [
    ("", _("ไม่มีผู้แทน")),
    ("spouse", _("คู่สมรส")),
    ("legal_representative", _("ผู้แทนโดยชอบธรรม")),
    ("attorney_in_fact", _("ผู้รับมอบอำนาจ")),
]
OUTCOME_CHOICES = [
    ("approved", _("อนุมัติ")),
    ("partially_approved", _("อนุมัติบางส่วน")),
    ("rejected", _("ไม่อนุมัติ")),
    ("terminated", _("ยุติเรื่อง")),
    # sent to the agency directly responsible before consideration (docs/decisions.md, "Referred")
    ("referred", _("ส่งต่อหน่วยงานอื่น")),
]


#: states in which a request is finished (every workflow's terminal states)
TERMINAL_STATES = ("closed", "referred", "withdrawn", "terminated")


#: how a request came in
CHANNEL_CHOICES = [
    ("counter", _("ที่สำนักงาน")),
    ("phone", _("โทรศัพท์")),
    ("online", _("ออนไลน์")),
    ("mobile_unit", _("หน่วยเคลื่อนที่")),
    ("api", _("ระบบของหน่วยงานอื่น (API)")),
]


class Person(models.Model):
    """An applicant (or an organisation's representative) as they told us."""

    national_id = models.CharField(max_length=13, db_index=True)
    title = models.CharField(max_length=30, blank=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    birth_date = models.DateField()
    sex = models.CharField(max_length=1, choices=SEX_CHOICES)
    house_no = models.CharField(max_length=100, blank=True)
    province_code = models.CharField(max_length=2)
    district_code = models.CharField(max_length=4)
    subdistrict_code = models.CharField(max_length=6)
    phone = models.CharField(max_length=20, blank=True)
    education = models.CharField(max_length=20, choices=EDUCATION_CHOICES, blank=True)
    occupation = models.CharField(max_length=20, choices=OCCUPATION_CHOICES, blank=True)
    monthly_income = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    household_size = models.PositiveSmallIntegerField(default=1)
    #: goes up with every change, from whichever request: a correction names the version it read
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["first_name", "last_name"]), models.Index(fields=["last_name"])]

    def __str__(self) -> str:
        return f"{self.title}{self.first_name} {self.last_name}".strip()

    @property
    def full_name(self) -> str:
        return str(self)


class PersonRevision(AppendOnlyModel):
    """What a person's record held before it changed, so a newer registration or a correction
    never loses what was on file. One row per change: the earlier values of the fields that
    changed (personal data, like the record itself: never copied into the audit log, which
    names the fields only), who changed them, and through which request."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="revisions")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey("Request", on_delete=models.PROTECT, related_name="+", null=True)
    reason = models.CharField(max_length=20, choices=[("registration", _("ลงทะเบียนคำขอใหม่")),
                                                      ("correction", _("แก้ไขข้อมูล"))])
    previous = models.JSONField(help_text="field -> value before the change")
    version = models.PositiveIntegerField(default=1, help_text="the version of the record this change replaced")

    refusal = "person revisions are history: they are never changed or deleted"

    class Meta:
        ordering = ["-at", "-id"]



class RequestCounter(models.Model):
    """Next running number per service, office and fiscal year."""

    service = models.CharField(max_length=10)
    office = models.ForeignKey(Office, on_delete=models.PROTECT)
    fiscal_year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        unique_together = [("service", "office", "fiscal_year")]


class Request(models.Model):
    """One request for help (คำขอ) in one of the five services."""

    number = models.CharField(max_length=32, unique=True)
    #: a code in the service registry (checked by the service layer, so a new service needs no migration)
    service = models.CharField(max_length=10, db_index=True)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="requests")
    fiscal_year = models.PositiveSmallIntegerField(db_index=True)
    applicant = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="requests")
    channel = models.CharField(max_length=20, default="counter", choices=CHANNEL_CHOICES)
    representative_type = models.CharField(
        max_length=30, choices=REPRESENTATIVE_CHOICES, blank=True, default=""
    )
    representative_name = models.CharField(max_length=200, blank=True)
    representative_national_id = models.CharField(max_length=13, blank=True)
    details = models.JSONField(default=dict)
    amount_requested = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    state = models.CharField(max_length=40, db_index=True)
    previous_state = models.CharField(max_length=40, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="assigned_requests",
    )
    version = models.PositiveIntegerField(default=1)

    received_on = models.DateField(db_index=True)
    # the 21-working-day clock
    clock_started_on = models.DateField(null=True, blank=True)
    paused_since = models.DateField(null=True, blank=True)
    paused_working_days = models.PositiveIntegerField(default=0)
    clock_stopped_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True, db_index=True)
    working_days_taken = models.PositiveIntegerField(null=True, blank=True)
    on_time = models.BooleanField(null=True, blank=True)
    # the current step's own allowance
    step_started_on = models.DateField(null=True, blank=True)
    step_due_on = models.DateField(null=True, blank=True, db_index=True)
    escalated_on = models.DateField(null=True, blank=True)

    outcome = models.CharField(max_length=20, choices=OUTCOME_CHOICES, blank=True, db_index=True)
    reason_code = models.CharField(max_length=40, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="created_requests",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["office", "state", "step_due_on"]),
            models.Index(fields=["assigned_to", "step_due_on"]),
            models.Index(fields=["office", "fiscal_year", "service"]),
            # queues read only open requests: a partial index keeps them small whatever the history
            models.Index(
                fields=["office", "step_due_on"], name="request_open_office_due",
                condition=~models.Q(state__in=TERMINAL_STATES),
            ),
            # filtered searches, newest first: across offices, and within one office
            models.Index(fields=["service", "fiscal_year", "state", "-received_on", "-id"], name="request_filter_newest"),
            models.Index(
                fields=["office", "service", "fiscal_year", "state", "-received_on", "-id"],
                name="request_office_filter_newest",
            ),
            # does this person hold requests of other offices? (selectors.assigned_elsewhere)
            models.Index(fields=["assigned_to", "office"], name="request_assignee_office"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def workflow(self) -> Any:
        return workflows.get(self.service)

    @property
    def standard_applies(self) -> bool:
        """Whether the 21-working-day standard holds this request (the service's ``standard_applies``)."""
        return service_registry.get(self.service).standard_applies

    @property
    def state_def(self) -> Any:
        return self.workflow.states[self.state]


class Transition(AppendOnlyModel):
    """One step of a request's history: who moved it, when, from/to, why, what changed."""

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="transitions")
    action = models.CharField(max_length=40)
    from_state = models.CharField(max_length=40, blank=True)
    to_state = models.CharField(max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    actor_role = models.CharField(max_length=32, blank=True)
    at = models.DateTimeField()
    on_date = models.DateField()
    comment = models.TextField(blank=True)
    fields = models.JSONField(default=dict, blank=True)
    diff = models.JSONField(default=dict, blank=True)
    step_due_on = models.DateField(null=True, blank=True)

    refusal = "transitions are history: they are never changed or deleted"

    class Meta:
        ordering = ["at", "id"]


SCAN_NOT_SCANNED = "not_scanned"
SCAN_CLEAN = "clean"
SCAN_QUARANTINED = "quarantined"
#: the reasons a file is quarantined (``Document.scan_reason``)
SCAN_MALWARE_FOUND = "malware found: "
SCAN_UNAVAILABLE = "scanner unavailable"
SCAN_STATUS_CHOICES = [
    (SCAN_NOT_SCANNED, _("ไม่ได้ตรวจไวรัส")),
    (SCAN_CLEAN, _("ตรวจไวรัสแล้ว ไม่พบ")),
    (SCAN_QUARANTINED, _("กักกันไว้ ไม่เปิดให้ดาวน์โหลด")),
]


class Document(models.Model):
    """An uploaded file, stored outside the web root and served only to permitted users.

    What is stored is the cleaned file (images re-encoded, active content removed from PDFs,
    see ``jfs.cases.document_safety``): ``size`` and ``sha256`` are of the stored file,
    ``original_sha256`` of the bytes the applicant sent. A file the malware scanner found
    infected or could not scan is kept in quarantine (``scan_status``) and never served.
    """

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="documents")
    doc_type = models.CharField(max_length=40)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(help_text="bytes of the stored (cleaned) file")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the stored (cleaned) file")
    original_sha256 = models.CharField(
        max_length=64, blank=True, default="", help_text="SHA-256 of the file as it was uploaded"
    )
    cleaned = models.BooleanField(
        default=False,
        help_text="the stored file is the cleaned one (false: kept as received, in quarantine or stored before cleaning)",
    )
    sanitised = models.JSONField(
        default=list, blank=True, help_text="what was removed from the file (categories, never content)"
    )
    scan_status = models.CharField(max_length=20, choices=SCAN_STATUS_CHOICES, default=SCAN_NOT_SCANNED)
    scan_reason = models.CharField(
        max_length=200, blank=True, default="",
        help_text='why it is quarantined: "malware found: <signature>" or "scanner unavailable"',
    )
    storage_name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    transition = models.ForeignKey(
        Transition, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    superseded_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["uploaded_at", "id"]

    @property
    def quarantined(self) -> bool:
        return self.scan_status == SCAN_QUARANTINED

    @property
    def scan_reason_text(self) -> str:
        """Why the file is quarantined, in the reader's language."""
        if self.scan_reason.startswith(SCAN_MALWARE_FOUND):
            return gettext("ระบบตรวจไวรัสพบมัลแวร์: %(signature)s") % {
                "signature": self.scan_reason[len(SCAN_MALWARE_FOUND):]
            }
        if self.scan_reason == SCAN_UNAVAILABLE:
            return gettext("ระบบตรวจไวรัสไม่พร้อมใช้งานขณะอัปโหลด จึงยังตรวจไฟล์นี้ไม่ได้")
        return self.scan_reason
