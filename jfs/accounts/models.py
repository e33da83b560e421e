"""People, offices and roles.

Every staff member belongs to one office (the central office or a Provincial
Justice Office) and holds one role; what they may see and do follows from both.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from jfslib import roles

CENTRAL_OFFICE_CODE = "00"

ROLE_CHOICES = [
    (roles.CITIZEN, _("ประชาชน")),
    (roles.INTAKE_OFFICER, _("เจ้าหน้าที่รับคำขอ")),
    (roles.CASE_OFFICER, _("เจ้าหน้าที่ผู้รับผิดชอบคำขอ")),
    (roles.OFFICE_HEAD, _("หัวหน้าสำนักงาน")),
    (roles.SUBCOMMITTEE_MEMBER, _("อนุกรรมการ")),
    (roles.SUBCOMMITTEE_CHAIR, _("ประธานอนุกรรมการ")),
    (roles.SUBCOMMITTEE_SECRETARY, _("เลขานุการคณะอนุกรรมการ")),
    (roles.FINANCE_OFFICER, _("เจ้าหน้าที่การเงิน")),
    (roles.EXECUTIVE, _("ผู้บริหาร")),
    (roles.AUDITOR, _("ผู้ตรวจสอบ")),
    (roles.DATA_STEWARD, _("ผู้ดูแลข้อมูล")),
    (roles.ADMINISTRATOR, _("ผู้ดูแลระบบ")),
]


class Office(models.Model):
    """The central Justice Fund Office or a Provincial Justice Office."""

    code = models.CharField(max_length=4, unique=True)  # "00" central, else province code
    name_th = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    province_code = models.CharField(max_length=2, blank=True)
    is_central = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_th

    @property
    def th(self) -> str:
        return self.name_th

    @property
    def en(self) -> str:
        return self.name_en


class OfficeClosure(models.Model):
    """A day an office declared closed (not a working day); office=None means all offices."""

    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.PROTECT)
    date = models.DateField()
    reason = models.CharField(max_length=200)

    class Meta:
        unique_together = [("office", "date")]
        ordering = ["date"]


class User(AbstractUser):
    role = models.CharField(max_length=32, choices=ROLE_CHOICES, default=roles.CITIZEN)
    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.PROTECT)
    national_id = models.CharField(max_length=13, blank=True, db_index=True)
    phone = models.CharField(max_length=20, blank=True)

    def is_verified(self) -> bool:
        """Whether this session passed the second factor. django-otp's middleware replaces this on
        the signed-in user of each request; anywhere else (a command, a test without the
        middleware) nobody is verified."""
        return False

    @property
    def is_staff_role(self) -> bool:
        return self.role in roles.STAFF_ROLES

    @property
    def sees_all_offices(self) -> bool:
        return self.role in roles.ALL_OFFICES_READ

    @property
    def is_read_only(self) -> bool:
        return self.role in roles.READ_ONLY


#: what an API token may do: ``read`` (GET, and searches sent by POST) or ``write`` (also changes)
SCOPE_READ = "read"
SCOPE_WRITE = "write"
SCOPE_CHOICES = [(SCOPE_READ, _("อ่านอย่างเดียว")), (SCOPE_WRITE, _("อ่านและบันทึก"))]


class ApiToken(models.Model):
    """A bearer token for staff tools and partner systems; only its SHA-256 is stored.

    A token expires (``expires_at``), carries a scope (read, or read and write) and can be
    revoked by an administrator; it is never issued to a citizen account.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    scope = models.CharField(max_length=8, choices=SCOPE_CHOICES, default=SCOPE_READ)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ActivationCode(models.Model):
    """A one-time code an administrator or the office head gives a staff member so that they
    can enrol (or re-enrol) their authenticator app. Only its hash is kept; it expires and
    works once. Without one, a password alone never shows a new TOTP secret."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="activation_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]
