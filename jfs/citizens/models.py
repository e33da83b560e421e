"""A citizen's portal profile (how they last signed in, what the state digital ID verified) and the
one-time codes sent to citizens without the digital ID."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

#: signed in with the state digital ID (ThaID, OpenID Connect): identity proofed by DOPA
DIGITAL_ID = "digital_id"
#: signed in with a one-time code to a phone or e-mail address: the address is proved, not the person
ONE_TIME_CODE = "one_time_code"
ASSURANCE_CHOICES = [
    (DIGITAL_ID, _("สูง: ยืนยันตัวตนด้วยแอป ThaID")),
    (ONE_TIME_CODE, _("ต่ำกว่า: ยืนยันด้วยรหัสครั้งเดียวทาง SMS หรืออีเมล")),
]

SMS = "sms"
EMAIL = "email"
CHANNEL_CHOICES = [(SMS, _("SMS")), (EMAIL, _("อีเมล"))]


class CitizenProfile(models.Model):
    """One per citizen account: the assurance of the last sign-in, the digital ID's verified claims."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="citizen_profile")
    assurance = models.CharField(max_length=20, choices=ASSURANCE_CHOICES, blank=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)
    #: the digital ID's subject (``iss`` + ``sub``), for an account made by the digital ID
    digital_id_subject = models.CharField(max_length=300, unique=True, null=True, blank=True)
    #: the claims the digital ID released (pid, names, birth date, address, gender) as it gave them
    verified_claims = models.JSONField(default=dict, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    #: for an account made by a one-time code: "sms:+66812345678" or "email:name@example.com"
    code_address = models.CharField(max_length=330, unique=True, null=True, blank=True)
    contact_phone = models.CharField(max_length=20, blank=True)
    contact_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"profile of user {self.user_id}"


class OneTimeCode(models.Model):
    """A 6-digit code sent to an address: only its keyed hash is kept; it expires, allows a few
    attempts and works once."""

    channel = models.CharField(max_length=8, choices=CHANNEL_CHOICES)
    address = models.CharField(max_length=320)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["channel", "address", "created_at"])]

    def __str__(self) -> str:
        return f"one-time code {self.pk} ({self.channel})"
