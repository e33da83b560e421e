"""Registry checks on requests, and each registry's circuit-breaker state.

One ``RegistryCheck`` per request and kind of fact holds the latest answer: the normalised
facts the registry confirmed, or why there is no answer yet. ``RegistryCircuit`` keeps the
circuit breaker in the database so the web processes and the worker agree on it.
Every registry call is also written to the audit log (``action="data_exchange"``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jfs.cases.models import Request
from jfs.exchange import registries as reg

STATUS_VERIFIED = "verified"
STATUS_MISMATCH = "mismatch"
STATUS_NOT_FOUND = "not_found"
STATUS_PENDING = "pending"
STATUS_FAILED = "failed"

STATUS_CHOICES = [
    (STATUS_VERIFIED, _("ยืนยันแล้ว")),
    (STATUS_MISMATCH, _("ข้อมูลไม่ตรงกับที่แจ้ง")),
    (STATUS_NOT_FOUND, _("ไม่พบข้อมูลในทะเบียน")),
    (STATUS_PENDING, _("รอตรวจสอบ (ระบบจะลองใหม่)")),
    (STATUS_FAILED, _("ตรวจสอบไม่สำเร็จ")),
]
#: the registry answered (facts are meaningful)
ANSWERED = {STATUS_VERIFIED, STATUS_MISMATCH, STATUS_NOT_FOUND}

KIND_IDENTITY = "identity"
KIND_ADDRESS = "address"
KIND_WELFARE = "welfare"
KIND_HOUSEHOLD = "household"
KIND_DISABILITY = "disability"
KIND_ARRESTS = "arrests"
KIND_COURT_CASES = "court_cases"
KIND_DETENTION = "detention"
KIND_PROBATION = "probation"

KIND_CHOICES = [
    (KIND_IDENTITY, _("ตัวตนและบัตรประจำตัวประชาชน")),
    (KIND_ADDRESS, _("ที่อยู่ตามทะเบียนบ้าน")),
    (KIND_WELFARE, _("บัตรสวัสดิการแห่งรัฐและช่วงรายได้")),
    (KIND_HOUSEHOLD, _("ครัวเรือนเปราะบาง (MSO Logbook)")),
    (KIND_DISABILITY, _("การจดทะเบียนคนพิการ")),
    (KIND_ARRESTS, _("ประวัติการจับกุมและข้อหา")),
    (KIND_COURT_CASES, _("คดีในศาล")),
    (KIND_DETENTION, _("การควบคุมตัว/คุมขัง")),
    (KIND_PROBATION, _("การคุมประพฤติ")),
]
#: which registry answers each kind
KIND_REGISTRY = {
    KIND_IDENTITY: reg.DOPA,
    KIND_ADDRESS: reg.DOPA,
    KIND_WELFARE: reg.WELFARE,
    KIND_HOUSEHOLD: reg.MSO,
    KIND_DISABILITY: reg.DISABILITY,
    KIND_ARRESTS: reg.DXC,
    KIND_COURT_CASES: reg.DXC,
    KIND_DETENTION: reg.DXC,
    KIND_PROBATION: reg.DXC,
}
REGISTRY_CHOICES = [
    (reg.DOPA, _("กรมการปกครอง (ทะเบียนราษฎร)")),
    (reg.WELFARE, _("กระทรวงการคลัง (บัตรสวัสดิการแห่งรัฐ)")),
    (reg.MSO, _("กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์ (MSO Logbook)")),
    (reg.DISABILITY, _("กรมส่งเสริมและพัฒนาคุณภาพชีวิตคนพิการ")),
    (reg.DXC, _("ศูนย์แลกเปลี่ยนข้อมูลกระบวนการยุติธรรม (DXC)")),
]


class RegistryCheck(models.Model):
    """The latest answer of one registry about one request's applicant (or detainee)."""

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="registry_checks")
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    registry = models.CharField(max_length=20, choices=REGISTRY_CHOICES)
    status = models.CharField(max_length=12, choices=STATUS_CHOICES, default=STATUS_PENDING, db_index=True)
    #: normalised facts the registry confirmed, e.g. {"welfare_card": true, "income_band": "<=30000"}
    facts = models.JSONField(default=dict, blank=True)
    #: for a mismatch: the names of the fields that differ from the application (never values)
    mismatch_fields = models.JSONField(default=list, blank=True)
    #: when the registry last answered
    checked_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    #: why the last attempt gave no answer: timeout, connection, http_500, malformed, partial, circuit_open, …
    last_error = models.CharField(max_length=40, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "kind"], name="exchange_one_check_per_kind")]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        ordering = ["request", "id"]

    def __str__(self) -> str:
        return f"{self.request_id}:{self.kind}:{self.status}"

    @property
    def answered(self) -> bool:
        return self.status in ANSWERED


class RegistryCircuit(models.Model):
    """Circuit breaker per registry: closed (calls flow), open (short-circuited), half-open (one probe)."""

    registry = models.CharField(max_length=20, primary_key=True, choices=REGISTRY_CHOICES)
    consecutive_failures = models.PositiveIntegerField(default=0)
    opened_until = models.DateTimeField(null=True, blank=True)
    probe_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.registry}: {self.consecutive_failures} failures"
