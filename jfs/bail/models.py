"""Bail money (กทย.2) until it returns: the fund's bail record of a request, the orders of the inquiry
official, the prosecutor or the court, the deposits, the hearings and appearances, and the money's
return with the court's receipt.

Writes go through ``jfs.bail.services``; money moves only through ``jfs.finance.services`` (a deposit
is a disbursement of the request's approved ``bail_amount`` item, a return is a return to the fund).
What happens when the released person absconds (forfeiture, tracing, civil suit, instalments,
write-off) is ``jfs.recovery``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jfs.cases.models import Document, Request
from jfs.finance.models import Entry

#: how the fund stands for the released person
DEPOSITOR = "depositor"
SURETY = "surety"
ROLE_CHOICES = [
    (DEPOSITOR, _("กองทุนวางเงินสดเป็นหลักประกัน")),
    (SURETY, _("กองทุนเป็นผู้ประกัน")),
]

#: who orders the release (and returns the money)
AUTHORITY_CHOICES = [
    ("police", _("พนักงานสอบสวน")),
    ("prosecutor", _("พนักงานอัยการ")),
    ("court", _("ศาลชั้นต้น")),
    ("appeal", _("ศาลชั้นอุทธรณ์หรือฎีกา")),
]

#: where the bail money stands
CONTRACTED = "contracted"  # the contract is signed, nothing deposited yet
DEPOSITED = "deposited"  # money is with the authority, waiting for its order
RELEASED = "released"  # the person is out; hearings are followed
RETURNED = "returned"  # every baht is back with the fund, the record is closed
ABSCONDED = "absconded"  # the person did not appear: jfs.recovery follows the money
CLOSED = "closed"  # recovery finished (repaid or written off)
STATUS_CHOICES = [
    (CONTRACTED, _("ทำสัญญาประกันแล้ว")),
    (DEPOSITED, _("วางเงินประกันแล้ว")),
    (RELEASED, _("ได้รับการปล่อยชั่วคราว")),
    (RETURNED, _("ได้รับเงินประกันคืนครบแล้ว")),
    (ABSCONDED, _("ผิดสัญญาประกัน (หลบหนี)")),
    (CLOSED, _("ปิดเรื่องหลังติดตามหนี้")),
]

ORDER_KIND_CHOICES = [
    ("release", _("อนุญาตให้ปล่อยชั่วคราว")),
    ("refused", _("ไม่อนุญาตให้ปล่อยชั่วคราว")),
    ("extra_bail", _("ให้วางหลักประกันเพิ่ม (ชั้นอุทธรณ์/ฎีกา)")),
    ("reduced", _("ลดหลักประกัน")),
    ("case_ended", _("คดีถึงที่สุด/คืนหลักประกัน")),
    ("forfeiture", _("สั่งริบหลักประกัน")),
    ("fine", _("สั่งปรับตามสัญญาประกัน")),
]


class BailRecord(models.Model):
    """The fund's bail for one approved request: who is released, by whose order, the contract and
    its obligations, and where the money stands. One per request."""

    request = models.OneToOneField(Request, on_delete=models.PROTECT, related_name="bail")
    released_name = models.CharField(max_length=200, help_text="the released person (the request's detainee)")
    role = models.CharField(max_length=10, choices=ROLE_CHOICES, default=DEPOSITOR)
    authority = models.CharField(max_length=12, choices=AUTHORITY_CHOICES)
    authority_name = models.CharField(max_length=200)
    case_number = models.CharField(max_length=60, blank=True, help_text="the black case number, or the police case")
    contract_number = models.CharField(max_length=60)
    contract_on = models.DateField()
    obligations = models.TextField(help_text="the conditions of release the contract binds the person to")
    amount = models.DecimalField(max_digits=14, decimal_places=2, help_text="the bail set by the order")
    status = models.CharField(max_length=12, choices=STATUS_CHOICES, default=CONTRACTED)
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    help_text="the officer reminded before each hearing")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    closed_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status"], name="bail_status")]


class BailOrder(models.Model):
    """An order of the inquiry official, the prosecutor or a court about the release or the money."""

    record = models.ForeignKey(BailRecord, on_delete=models.PROTECT, related_name="orders")
    kind = models.CharField(max_length=12, choices=ORDER_KIND_CHOICES)
    authority = models.CharField(max_length=12, choices=AUTHORITY_CHOICES)
    authority_name = models.CharField(max_length=200)
    ordered_on = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True,
                                 help_text="the amount the order sets (extra bail, forfeiture, fine)")
    reference = models.CharField(max_length=100, blank=True, help_text="the order's number")
    note = models.CharField(max_length=1000, blank=True)
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["ordered_on", "id"]


class BailDeposit(models.Model):
    """Money the fund put up with the authority: the ledger's disbursement and the authority's receipt."""

    record = models.ForeignKey(BailRecord, on_delete=models.PROTECT, related_name="deposits")
    extra = models.BooleanField(default=False, help_text="extra bail on appeal")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    deposited_on = models.DateField()
    receipt_number = models.CharField(max_length=100, help_text="the authority's receipt for the money")
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="bail_deposit")

    class Meta:
        ordering = ["deposited_on", "id"]


class Hearing(models.Model):
    """A date the released person must appear, and whether they did. The responsible officer is
    reminded before it (``reminded_at``)."""

    record = models.ForeignKey(BailRecord, on_delete=models.PROTECT, related_name="hearings")
    at = models.DateTimeField()
    place = models.CharField(max_length=200)
    purpose = models.CharField(max_length=300, blank=True)
    appeared = models.BooleanField(null=True, blank=True, help_text="null until recorded")
    note = models.CharField(max_length=1000, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["reminded_at", "at"], name="hearing_reminder")]


class BailReturn(models.Model):
    """Bail money back with the fund: why, when, and the court's (or authority's) receipt."""

    REASON_CHOICES = [
        ("refused", _("ไม่ได้รับอนุญาตให้ปล่อยชั่วคราว")),
        ("case_ended", _("คดีถึงที่สุดหรือสิ้นสุดสัญญาประกัน")),
        ("reduced", _("ลดหลักประกัน")),
    ]
    record = models.ForeignKey(BailRecord, on_delete=models.PROTECT, related_name="returns")
    reason = models.CharField(max_length=12, choices=REASON_CHOICES)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    returned_on = models.DateField()
    court_receipt_number = models.CharField(max_length=100)
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="bail_return")

    class Meta:
        ordering = ["returned_on", "id"]
