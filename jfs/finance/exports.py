"""The ledger for the fund's accounting: every line with its account code, as CSV (UTF-8 with a byte
order mark, so that a spreadsheet reads the Thai) and XLSX (openpyxl), and the monthly statement of
an office (each account's opening balance, debits, credits and closing balance for the month).

Dates are Buddhist-era (the fund's books); amounts are debit and credit columns, never signs.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum
from openpyxl import Workbook

from jfs.finance import accounts as acc
from jfs.finance import models as m
from jfslib import thaidate

COLUMNS = ("entry", "date_be", "fiscal_year", "kind", "account_code", "account_name", "debit", "credit",
           "office_code", "service", "request_number", "item", "payee", "reference", "key")
HEADINGS_TH = ("เลขที่รายการ", "วันที่", "ปีงบประมาณ", "ประเภทรายการ", "รหัสบัญชี", "ชื่อบัญชี", "เดบิต", "เครดิต",
               "รหัสสำนักงาน", "บริการ", "เลขที่คำขอ", "รายการค่าใช้จ่าย", "ผู้รับเงิน", "เลขอ้างอิง", "รหัสป้องกันการบันทึกซ้ำ")


def _be(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{thaidate.to_be_year(d.year)}"


def ledger_rows(fiscal_year: int, office_id: int | None = None) -> list[tuple[object, ...]]:
    """Every line of a fiscal year (of one office, or all), oldest first, in ``COLUMNS``' order."""
    chart = acc.chart()
    kinds = dict(m.KIND_CHOICES)
    qs = (m.Line.objects.filter(fiscal_year=fiscal_year)
          .select_related("entry", "entry__office", "entry__request").order_by("entry__on_date", "entry_id", "id"))
    if office_id is not None:
        qs = qs.filter(office_dim=office_id)
    rows: list[tuple[object, ...]] = []
    for line in qs.iterator(chunk_size=2000):
        e = line.entry
        account = chart.get(line.account)
        rows.append((
            e.pk, _be(e.on_date), e.fiscal_year, str(kinds.get(e.kind, e.kind)), line.account,
            account.th if account else line.account,
            line.amount if line.amount > 0 else Decimal(0), -line.amount if line.amount < 0 else Decimal(0),
            e.office.code, e.service, e.request.number if e.request else "", e.item_key, e.payee, e.reference, e.key,
        ))
    return rows


def to_csv(rows: list[tuple[object, ...]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADINGS_TH)
    writer.writerows([[f"{v:.2f}" if isinstance(v, Decimal) else v for v in row] for row in rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(rows: list[tuple[object, ...]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "ledger"
    sheet.append(list(HEADINGS_TH))
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    for col in ("G", "H"):
        for cell in sheet[col][1:]:
            cell.number_format = "#,##0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class StatementRow:
    account: str
    name: str
    opening: Decimal
    debits: Decimal
    credits: Decimal

    @property
    def closing(self) -> Decimal:
        return self.opening + self.debits - self.credits


def monthly_statement(office_id: int, year: int, month: int) -> list[StatementRow]:
    """Each account of an office for a calendar month: balance before it, debits and credits in it."""
    first = date(year, month, 1)
    after = date(year + (month == 12), month % 12 + 1, 1)
    lines = m.Line.objects.filter(office_dim=office_id)
    before = dict(lines.filter(entry__on_date__lt=first).values_list("account").annotate(s=Sum("amount")).order_by())
    inside = lines.filter(entry__on_date__gte=first, entry__on_date__lt=after)
    debits = dict(inside.filter(amount__gt=0).values_list("account").annotate(s=Sum("amount")).order_by())
    credits = dict(inside.filter(Q(amount__lt=0)).values_list("account").annotate(s=Sum("amount")).order_by())
    chart = acc.chart()
    codes = sorted(set(before) | set(debits) | set(credits))
    return [StatementRow(c, chart[c].th if c in chart else c, before.get(c) or Decimal(0), debits.get(c) or Decimal(0),
                         -(credits.get(c) or Decimal(0))) for c in codes]
