"""When the released person absconds on the fund's bail (issue 11, item 2): the court's forfeiture
or fine, the tracing of the person, the civil suit and its judgement, the repayment plan and its
instalments (each payable by a PromptPay QR), the bank's payment files reconciled against them, and
the write-off by authority.

Writes go through ``jfs.recovery.services``; money moves only through ``jfs.finance.services``
(forfeiture, fine, recovery and write-off postings). What is owed is the ledger's receivable
(account 1301) for the request, never a stored figure.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jfs.accounts.models import Office
from jfs.bail.models import BailRecord
from jfs.finance.models import Entry

FORFEITURE = "forfeiture"
FINE = "fine"
ORDER_CHOICES = [
    (FORFEITURE, _("ศาลสั่งริบเงินประกันที่วางไว้")),
    (FINE, _("ศาลสั่งปรับกองทุนในฐานะผู้ประกัน")),
]

CENTRAL = "central"
PROVINCIAL = "provincial"
LEVEL_CHOICES = [
    (CENTRAL, _("สำนักงานกองทุนยุติธรรม (ส่วนกลาง)")),
    (PROVINCIAL, _("สำนักงานยุติธรรมจังหวัด")),
]

TRACED = "traced"
NOT_TRACED = "not_traced"
RESULT_CHOICES = [
    (TRACED, _("พบตัว")),
    (NOT_TRACED, _("ไม่พบตัว")),
]


class Abscondence(models.Model):
    """The released person did not appear: the court's order (forfeiture of the deposit, or a fine on
    the fund as surety), its date and amount, and the ledger entry that made the debt. One per bail
    record; its row is locked while money is recovered or written off (one posting at a time)."""

    record = models.OneToOneField(BailRecord, on_delete=models.PROTECT, related_name="abscondence")
    absconded_on = models.DateField(help_text="the day the person failed to appear")
    order = models.CharField(max_length=12, choices=ORDER_CHOICES)
    court_name = models.CharField(max_length=200)
    order_reference = models.CharField(max_length=100)
    ordered_on = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="abscondence")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    closed_on = models.DateField(null=True, blank=True, help_text="the day nothing was owed any more")

    class Meta:
        ordering = ["-ordered_on", "-id"]


class Tracing(models.Model):
    """One attempt to find the person: when, by the central or a provincial office, and the result."""

    abscondence = models.ForeignKey(Abscondence, on_delete=models.PROTECT, related_name="tracings")
    on = models.DateField()
    level = models.CharField(max_length=10, choices=LEVEL_CHOICES)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(max_length=10, choices=RESULT_CHOICES)
    note = models.CharField(max_length=1000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["on", "id"]


class CivilSuit(models.Model):
    """The fund's civil suit against the absconder: filed, the court and case number, the claim, and
    the judgement once given (its date and the amount awarded)."""

    abscondence = models.ForeignKey(Abscondence, on_delete=models.PROTECT, related_name="suits")
    filed_on = models.DateField()
    court_name = models.CharField(max_length=200)
    case_number = models.CharField(max_length=60)
    claim = models.DecimalField(max_digits=14, decimal_places=2)
    judgement_on = models.DateField(null=True, blank=True)
    judgement_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["filed_on", "id"]


class RepaymentPlan(models.Model):
    """The absconder's agreement (or the judgement's order) to repay by instalments."""

    abscondence = models.ForeignKey(Abscondence, on_delete=models.PROTECT, related_name="plans")
    agreed_on = models.DateField()
    basis = models.CharField(max_length=300, help_text="the agreement or judgement it follows")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["agreed_on", "id"]


class Instalment(models.Model):
    """One instalment: due date, amount, the payment reference (the QR's reference 1, unique), and
    once paid, the day, the bank's transaction id and the ledger's recovery entry."""

    plan = models.ForeignKey(RepaymentPlan, on_delete=models.PROTECT, related_name="instalments")
    number = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    reference = models.CharField(max_length=20, unique=True, help_text="reference 1 of the PromptPay QR")
    paid_on = models.DateField(null=True, blank=True)
    bank_reference = models.CharField(max_length=100, blank=True)
    entry = models.OneToOneField(Entry, null=True, blank=True, on_delete=models.PROTECT, related_name="instalment")

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="instalment_number_once")]


class WriteOff(models.Model):
    """A debt (or part of it) written off: by which authority tier (``governance/recovery.yaml``),
    who recorded it, the approval's reference (the committee's resolution when the tier needs one),
    the reason, and the ledger entry."""

    abscondence = models.ForeignKey(Abscondence, on_delete=models.PROTECT, related_name="write_offs")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    on = models.DateField()
    tier = models.CharField(max_length=30)
    approver_role = models.CharField(max_length=32)
    decision_reference = models.CharField(max_length=100)
    reason = models.CharField(max_length=1000)
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="write_off")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["on", "id"]


class BankImport(models.Model):
    """A bank's bill-payment statement imported by a finance officer: how many rows, posted,
    quarantined. Every row is kept (``BankRow``): nothing is lost."""

    file_name = models.CharField(max_length=200)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField()
    rows = models.PositiveIntegerField(default=0)
    posted = models.PositiveIntegerField(default=0)
    quarantined = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-imported_at", "-id"]


POSTED = "posted"
QUARANTINED = "quarantined"
ROW_STATUS_CHOICES = [(POSTED, _("บันทึกรับชำระแล้ว")), (QUARANTINED, _("รอตรวจสอบ"))]

#: why a row was not posted
NO_MATCH = "no_match"
AMOUNT_DIFFERS = "amount_differs"
DUPLICATE = "duplicate"
ALREADY_PAID = "already_paid"
MALFORMED = "malformed"
REFUSED = "refused"
REASON_CHOICES = [
    (NO_MATCH, _("เลขอ้างอิงไม่ตรงกับงวดชำระใด")),
    (AMOUNT_DIFFERS, _("จำนวนเงินไม่ตรงกับงวดชำระ")),
    (DUPLICATE, _("รายการธนาคารนี้บันทึกไปแล้ว (ซ้ำ)")),
    (ALREADY_PAID, _("งวดนี้ชำระแล้วด้วยรายการอื่น")),
    (MALFORMED, _("ข้อมูลในแถวไม่ครบหรือไม่ถูกต้อง")),
    (REFUSED, _("ระบบบัญชีไม่รับรายการ")),
]


class BankRow(models.Model):
    """One row of a bank file: posted to its instalment, or quarantined with its reason (a finance
    officer looks at it; nothing is dropped). A bank transaction id is posted once only."""

    bank_import = models.ForeignKey(BankImport, on_delete=models.PROTECT, related_name="lines")
    line_number = models.PositiveIntegerField()
    transaction_id = models.CharField(max_length=60)
    paid_at = models.CharField(max_length=40, help_text="as the bank wrote it")
    paid_on = models.DateField(null=True, blank=True)
    ref1 = models.CharField(max_length=40, blank=True)
    ref2 = models.CharField(max_length=40, blank=True)
    amount_text = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=12, choices=ROW_STATUS_CHOICES)
    reason = models.CharField(max_length=16, choices=REASON_CHOICES, blank=True)
    instalment = models.ForeignKey(Instalment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(Entry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["bank_import", "line_number"]
        constraints = [models.UniqueConstraint(fields=["transaction_id"], condition=Q(status="posted"),
                                               name="bank_row_posted_once")]
