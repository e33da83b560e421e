"""The fund's money: an append-only double-entry ledger, the commitments made by approvals, and the
state of each fiscal year.

Writes go through ``jfs.finance.services``; reads through ``jfs.finance.selectors``. An entry and
its lines are written once and never changed: a correction is a reversing entry. Balances are sums
of lines, never stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jfs.accounts.models import Office
from jfs.cases.models import Request
from jfs.core.models import AppendOnlyModel
from jfs.decisions.models import Decision

ALLOTMENT = "allotment"
TRANSFER = "transfer"
COMMITMENT = "commitment"
DISBURSEMENT = "disbursement"
RETURN = "return"
REVERSAL = "reversal"
#: bail money lost and recovered (jfs.recovery): the court forfeits the deposit or fines the fund as
#: surety, the absconder repays by instalments, what cannot be recovered is written off by authority
FORFEITURE = "forfeiture"
FINE = "fine"
RECOVERY = "recovery"
WRITE_OFF = "write_off"
KIND_CHOICES = [
    (ALLOTMENT, _("จัดสรรงบประมาณ")),
    (TRANSFER, _("โอนงบประมาณ")),
    (COMMITMENT, _("ผูกพันงบประมาณตามมติอนุมัติ")),
    (DISBURSEMENT, _("จ่ายเงิน")),
    (RETURN, _("รับเงินคืน")),
    (REVERSAL, _("กลับรายการ")),
    (FORFEITURE, _("ศาลสั่งริบเงินประกัน")),
    (FINE, _("ชำระค่าปรับตามสัญญาประกัน")),
    (RECOVERY, _("รับชำระหนี้จากผู้ผิดสัญญาประกัน")),
    (WRITE_OFF, _("ตัดหนี้สูญ")),
]

METHOD_CHOICES = [
    ("transfer", _("โอนเงินเข้าบัญชี")),
    ("cheque", _("เช็ค")),
    ("promptpay", _("พร้อมเพย์")),
    ("cash", _("เงินสด")),
]


class Entry(AppendOnlyModel):
    """One posting: balanced lines (debits = credits), its kind, the day, the dimensions it is
    reported by, and the caller's idempotency key (the same key never posts twice)."""

    key = models.CharField(max_length=100, unique=True, help_text="the caller's idempotency key")
    kind = models.CharField(max_length=16, choices=KIND_CHOICES)
    on_date = models.DateField()
    fiscal_year = models.PositiveSmallIntegerField()
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    service = models.CharField(max_length=10)
    request = models.ForeignKey(Request, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger")
    decision = models.ForeignKey(Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    item_key = models.CharField(max_length=60, blank=True)
    payee = models.CharField(max_length=300, blank=True)
    method = models.CharField(max_length=12, blank=True, choices=METHOD_CHOICES)
    reference = models.CharField(max_length=100, blank=True, help_text="bank reference, receipt number")
    memo = models.CharField(max_length=500, blank=True)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    refusal = "a ledger entry is history: a correction is a reversing entry, never an edit"

    class Meta:
        ordering = ["on_date", "id"]
        indexes = [
            models.Index(fields=["request", "item_key"], name="entry_request_item"),
            # the ledger's pages: a fiscal year's entries newest first, of all offices or of one
            models.Index(fields=["fiscal_year", "id"], name="entry_year"),
            models.Index(fields=["fiscal_year", "office", "id"], name="entry_year_office"),
        ]


class Line(AppendOnlyModel):
    """One account's side of an entry: ``amount`` positive for a debit, negative for a credit. The
    entry's dimensions are repeated here so that a balance is one indexed sum."""

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="lines")
    account = models.CharField(max_length=10)
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    fiscal_year = models.PositiveSmallIntegerField()
    office_dim = models.PositiveIntegerField(help_text="the entry's office id")
    service = models.CharField(max_length=10)
    request_dim = models.PositiveIntegerField(null=True, help_text="the entry's request id")
    item_key = models.CharField(max_length=60, blank=True)

    refusal = "a ledger line is history"

    class Meta:
        ordering = ["entry", "id"]
        indexes = [
            # the balance of an account for one office, service and fiscal year, and its slices
            models.Index(fields=["account", "fiscal_year", "office_dim", "service"], name="line_balance"),
            models.Index(fields=["account", "request_dim", "item_key"], name="line_request_item",
                         condition=Q(request_dim__isnull=False)),
        ]


class Commitment(models.Model):
    """What an approval committed for one cost item of a request: the most that may ever be paid for
    it. The row is locked while a payment is checked against it (one request item at a time, never
    the whole ledger)."""

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="commitments")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="commitments")
    item_key = models.CharField(max_length=60)
    label_th = models.CharField(max_length=300)
    label_en = models.CharField(max_length=300)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    fiscal_year = models.PositiveSmallIntegerField()
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    service = models.CharField(max_length=10)
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="commitment")

    class Meta:
        ordering = ["request", "id"]
        constraints = [models.UniqueConstraint(fields=["decision", "item_key"], name="commitment_once")]


class FiscalYear(models.Model):
    """A fiscal year's books: open until closed; nothing posts on a closed year."""

    year = models.PositiveSmallIntegerField(unique=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")


class Receipt(models.Model):
    """The payee's receipt for a payment (or the fund's receipt for money received): its number, date
    and who issued it, with the uploaded copy when there is one. One per entry; kept, never edited
    (a wrong receipt goes with the entry's reversal)."""

    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="receipt")
    number = models.CharField(max_length=100)
    issued_on = models.DateField()
    issued_by = models.CharField(max_length=300, help_text="who issued it (the payee, a court, the fund)")
    document = models.ForeignKey("cases.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
