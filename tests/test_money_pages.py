"""The money's staff pages (issue 11): budgets per role and office (who sees which form, forged posts
refused), allotment and transfer with an idempotency key, overcommitment said in words, closing a
fiscal year through its confirmation page, the ledger's filters and pages, reversal with its
confirmation, downloads that sum to the ledger (audited), the monthly statement."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jfs.audit.models import AuditEvent
from jfs.core import clock
from jfs.finance import models as m
from jfs.finance import services as ledger
from jfslib.thaidate import fiscal_year
from tests.test_hr_payments import approved_hr

pytestmark = pytest.mark.django_db


def _be(d: Any) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year + 543}"


def _allot_form(client: Any, office_pk: int, amount: str) -> dict[str, Any]:
    page = client.get(reverse("staff:money"))
    return {"allot-key": page.context["allot_form"].initial["key"], "allot-office": office_pk, "allot-service": "HR",
            "allot-amount": amount, "allot-on": _be(clock.today()), "allot-memo": ""}


def test_who_sees_the_budget_page_and_its_forms(login: Any, users: dict[str, Any], offices: Any) -> None:
    for who in ("finance.central", "finance.cm"):
        page = login(who).get(reverse("staff:money"))
        assert page.status_code == 200 and page.context["allot_form"] is not None
    cm_choices = [v for v, _n in login("finance.cm").get(reverse("staff:money")).context["allot_form"]
                  .fields["office"].choices]
    assert cm_choices == [offices["50"].pk]
    for who in ("head.cm", "executive", "auditor"):
        page = login(who).get(reverse("staff:money"))
        assert page.status_code == 200 and page.context["allot_form"] is None and not page.context["may_close"]
        forged = login(who).post(reverse("staff:budget_allot"), {"allot-key": "f", "allot-office": offices["50"].pk})
        assert forged.status_code == 403
    assert login("officer.cm").get(reverse("staff:money")).status_code == 403
    assert login("officer.cm").get(reverse("staff:ledger")).status_code == 403
    assert not m.Entry.objects.exists()


def test_allotment_once_per_key_with_thai_errors_on_the_field(login: Any, offices: Any) -> None:
    finance = login("finance.cm")
    form = _allot_form(finance, offices["50"].pk, "abc")
    bad = finance.post(reverse("staff:budget_allot"), form)
    html = bad.content.decode()
    assert bad.status_code == 422 and "จำนวนเงินต้องเป็นตัวเลข" in html and 'value="abc"' in html
    assert not m.Entry.objects.exists()
    form["allot-amount"] = "150,000"
    assert finance.post(reverse("staff:budget_allot"), form).status_code == 303
    assert finance.post(reverse("staff:budget_allot"), form).status_code == 303  # a double submit
    assert m.Entry.objects.filter(kind=m.ALLOTMENT).count() == 1
    forged = finance.post(reverse("staff:budget_allot"), {**form, "allot-key": "other", "allot-office": offices["40"].pk})
    assert forged.status_code == 422 and m.Entry.objects.filter(kind=m.ALLOTMENT).count() == 1  # not a choice
    page = finance.get(reverse("staff:money")).content.decode()
    assert "150,000.00" in page


def test_overcommitment_is_red_and_in_words(make_request: Any, users: dict[str, Any], login: Any) -> None:
    approved_hr(make_request, users)  # 30,000 committed, nothing allotted
    html = login("head.cm").get(reverse("staff:money")).content.decode()
    assert "-30,000.00" in html and "ผูกพันเกินงบประมาณที่ได้รับจัดสรร" in html and "text-error" in html


def test_transfer_and_closing_a_year(login: Any, offices: Any, users: dict[str, Any]) -> None:
    central = login("finance.central")
    today = clock.today()
    ledger.allot(actor=users["finance.central"], key="a", year=fiscal_year(today), office=offices["50"],
                 service="HR", amount="1000", on=today)
    page = central.get(reverse("staff:money"))
    form = {"transfer-key": page.context["transfer_form"].initial["key"], "transfer-source_office": offices["50"].pk,
            "transfer-source_service": "HR", "transfer-target_office": offices["40"].pk,
            "transfer-target_service": "HR", "transfer-amount": "400", "transfer-on": _be(today)}
    assert central.post(reverse("staff:budget_transfer"), form).status_code == 303
    assert m.Entry.objects.filter(kind=m.TRANSFER).count() == 2
    same = central.post(reverse("staff:budget_transfer"), {**form, "transfer-key": "t2",
                                                            "transfer-target_office": offices["50"].pk})
    assert same.status_code == 422 and "ต้นทางและปลายทางของการโอนต้องต่างกัน" in same.content.decode()
    # closing: a confirmation page first, then nothing posts to the year
    year = 2560
    url = reverse("staff:close_year", args=[year])
    assert login("finance.cm").get(url).status_code == 403
    confirm = central.get(url)
    assert confirm.status_code == 200 and "ยืนยันปิดปีงบประมาณ 2560" in confirm.content.decode()
    assert not m.FiscalYear.objects.filter(year=year).exists()
    assert central.post(url).status_code == 303
    assert m.FiscalYear.objects.get(year=year).closed_at is not None
    old = {**_allot_form(central, offices["50"].pk, "10"), "allot-on": "05/01/2560"}
    refused = central.post(reverse("staff:budget_allot"), old)
    assert refused.status_code == 422 and "ปีงบประมาณ 2560 ปิดบัญชีแล้ว" in refused.content.decode()
    assert central.post(url).status_code == 422  # closed already: said, never a 500


def test_the_ledger_filters_reverses_with_confirmation_and_downloads_sum(
        make_request: Any, users: dict[str, Any], login: Any) -> None:
    req = approved_hr(make_request, users)
    on = clock.today()
    pay = ledger.disburse(actor=users["finance.cm"], key="p1", request_id=req.pk, item_key="amount", amount="4000",
                          on=on, payee="นางสาวผู้เสียหาย ทดสอบ", method="cheque", reference="CHQ-1")
    finance = login("finance.cm")
    page = finance.get(reverse("staff:ledger"), {"fiscal_year": req.fiscal_year, "kind": "disbursement"})
    html = page.content.decode()
    assert page.status_code == 200 and "CHQ-1" in html and "4,000.00" in html and "เช็ค" in html
    assert len(page.context["rows"]) == 1
    bad_date = finance.get(reverse("staff:ledger"), {"date_from": "2024-01-01"})
    assert bad_date.status_code == 200 and bad_date.context["filter_errors"]["date_from"]
    by_number = finance.get(reverse("staff:ledger"), {"fiscal_year": req.fiscal_year, "request": req.number})
    assert len(by_number.context["rows"]) == 2  # the commitment and the payment
    assert login("head.kk").get(reverse("staff:ledger_entry", args=[pay.pk])).status_code == 404
    # reversal: a reason, a confirmation page, then the mirror entry
    entry_url = reverse("staff:ledger_entry", args=[pay.pk])
    key = finance.get(entry_url).context["form"].initial["key"]
    no_reason = finance.post(entry_url, {"reverse-key": key, "reverse-memo": "", "reverse-on": _be(on)})
    assert no_reason.status_code == 422 and "กรุณากรอกเหตุที่กลับรายการ" in no_reason.content.decode()
    check = finance.post(entry_url, {"reverse-key": key, "reverse-memo": "เช็คผิดผู้รับ", "reverse-on": _be(on)})
    assert check.status_code == 200 and check.context["confirming"] and not m.Entry.objects.filter(
        kind=m.REVERSAL).exists()
    assert login("auditor").post(entry_url, {"reverse-key": "x", "reverse-memo": "x", "reverse-on": _be(on),
                                             "confirm": "yes"}).status_code == 403
    done = finance.post(entry_url, {"reverse-key": key, "reverse-memo": "เช็คผิดผู้รับ", "reverse-on": _be(on),
                                    "confirm": "yes"})
    assert done.status_code == 303 and m.Entry.objects.get(kind=m.REVERSAL).reverses_id == pay.pk
    assert finance.get(entry_url).context["form"] is None  # reversed once only
    # downloads: the CSV and the XLSX sum to the ledger, and each is audited
    csv_resp = finance.get(reverse("staff:ledger_export_csv"), {"fiscal_year": req.fiscal_year})
    rows = list(csv.reader(io.StringIO(csv_resp.content.decode("utf-8").lstrip("\ufeff"))))[1:]
    xlsx = finance.get(reverse("staff:ledger_export_xlsx"), {"fiscal_year": req.fiscal_year})
    table = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))[1:]
    lines = m.Line.objects.filter(fiscal_year=req.fiscal_year, office_dim=req.office_id)
    total = sum((ln.amount for ln in lines if ln.amount > 0), Decimal(0))
    assert sum(Decimal(r[6]) for r in rows) == sum(Decimal(r[7]) for r in rows) == total
    assert sum(Decimal(str(r[6])) for r in table) == total and len(table) == len(rows) == lines.count()
    assert AuditEvent.objects.filter(action="report_export", object_id="ledger").count() == 2
    assert login("finance.cm").get(reverse("staff:ledger_export_csv"),
                                   {"office": users["head.kk"].office_id}).status_code == 403
    # the monthly statement of the office, page and CSV
    statement = finance.get(reverse("staff:statement"), {"month": on.month, "year": on.year + 543})
    assert statement.status_code == 200 and "1101" in statement.content.decode()
    cash = next(r["row"] for r in statement.context["rows"] if r["row"].account == "1101")
    assert cash.debits == cash.credits == Decimal("4000.00") and cash.closing == 0
    sheet = finance.get(reverse("staff:statement_csv"), {"month": on.month, "year": on.year + 543})
    assert sheet.status_code == 200 and "1101" in sheet.content.decode("utf-8")
    assert finance.get(reverse("staff:statement"), {"month": "13"}).status_code == 422
