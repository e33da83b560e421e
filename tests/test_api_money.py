"""The money's API (issue 11): budgets, allotments and transfers, the ledger's entries (paged by id,
read-only), reversal, the export, a request's payments with receipts and returns; money as decimal
strings; refusals in the project's error shape with nothing written."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from jfs.core import clock
from jfs.finance import models as m
from jfs.finance import selectors
from jfslib.thaidate import fiscal_year
from tests.test_hr_payments import approved_hr

pytestmark = pytest.mark.django_db


def _payment(key: str, amount: str = "5000", number: str = "RC-1") -> dict[str, Any]:
    return {"key": key, "item_key": "amount", "amount": amount, "on": clock.today().isoformat(),
            "payee": "นางสาวผู้เสียหาย ทดสอบ", "method": "transfer", "reference": "TRF-1",
            "receipt": {"number": number, "issued_on": clock.today().isoformat()}}


def test_budgets_allotment_and_transfer(api_client: Any, users: dict[str, Any], offices: Any) -> None:
    central = api_client("finance.central")
    fy, on = fiscal_year(clock.today()), clock.today().isoformat()
    body = {"key": "allot-1", "fiscal_year": fy, "office": "50", "service": "HR", "amount": "100000.00", "on": on}
    first = central.post("/api/v1/budgets/allotments", body, content_type="application/json")
    assert first.status_code == 201, first.json()
    assert central.post("/api/v1/budgets/allotments", body, content_type="application/json").status_code == 200
    moved = central.post("/api/v1/budgets/transfers", {
        "key": "move-1", "on": on, "from_office": "50", "from_service": "HR", "to_office": "40", "to_service": "HR",
        "amount": "25000"}, content_type="application/json")
    assert moved.status_code == 201 and moved.json()["in"]["amount"] == "25000.00"
    got = api_client("executive").get(f"/api/v1/budgets?fiscal_year={fy}&service=HR").json()
    rows = {r["office"]: r for r in got["rows"]}
    assert rows["50"]["available"] == "75000.00" and rows["40"]["allotted"] == "25000.00"
    assert got["totals"]["allotted"] == "100000.00"
    # a provincial finance officer allots for their own office only; a case officer never; bad amounts say so
    kk = {**body, "key": "allot-kk", "office": "40"}
    assert api_client("finance.cm").post("/api/v1/budgets/allotments", kk,
                                         content_type="application/json").status_code == 403
    assert api_client("officer.cm").post("/api/v1/budgets/allotments", {**body, "key": "x"},
                                         content_type="application/json").status_code == 403
    bad = central.post("/api/v1/budgets/allotments", {**body, "key": "allot-2", "amount": "หนึ่งแสน"},
                       content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "amount"
    assert bad.json()["errors"][0]["message_th"] == "จำนวนเงินต้องเป็นตัวเลข"
    # the head of Chiang Mai reads Chiang Mai's budget, not Khon Kaen's
    assert api_client("head.cm").get("/api/v1/budgets?office=40").status_code == 403
    assert {r["office"] for r in api_client("head.cm").get(f"/api/v1/budgets?fiscal_year={fy}").json()["rows"]} == {"50"}
    assert api_client("officer.cm").get("/api/v1/budgets").status_code == 403
    assert api_client("executive").get("/api/v1/budgets?year=2569").status_code == 422  # a misspelt filter


def test_payments_by_item_with_receipts_through_the_api(make_request: Any, users: dict[str, Any],
                                                        api_client: Any) -> None:
    req = approved_hr(make_request, users)
    finance = api_client("finance.cm")
    url = f"/api/v1/requests/{req.pk}/payments"
    paid = finance.post(url, _payment("api-pay-1", "12500.00"), content_type="application/json")
    assert paid.status_code == 201, paid.json()
    assert paid.json()["receipt"]["number"] == "RC-1" and paid.json()["amount"] == "12500.00"
    again = finance.post(url, _payment("api-pay-1", "12500.00"), content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == paid.json()["id"]
    conflict = finance.post(url, _payment("api-pay-1", "100"), content_type="application/json")
    assert conflict.status_code == 409
    above = finance.post(url, _payment("api-pay-2", "17500.01"), content_type="application/json")
    assert above.status_code == 422 and above.json()["errors"][0]["field"] == "amount"
    assert "17,500.00" in above.json()["errors"][0]["message_th"]
    no_receipt = finance.post(url, _payment("api-pay-3", "10", number=""), content_type="application/json")
    assert no_receipt.status_code == 422
    assert no_receipt.json()["errors"] == [{"field": "receipt.number", "message_th": "กรุณากรอกเลขที่ใบเสร็จรับเงิน",
                                            "message_en": "Give the receipt's number"}]
    returns = f"/api/v1/requests/{req.pk}/returns"
    too_much = finance.post(returns, {"key": "api-back-1", "item_key": "amount", "amount": "12500.01",
                                      "on": clock.today().isoformat(),
                                      "receipt": {"number": "F-1", "issued_on": clock.today().isoformat()}},
                            content_type="application/json")
    assert too_much.status_code == 422 and too_much.json()["errors"][0]["field"] == "amount"
    back = finance.post(returns, {"key": "api-back-1", "item_key": "amount", "amount": "500",
                                  "on": clock.today().isoformat(),
                                  "receipt": {"number": "F-1", "issued_on": clock.today().isoformat()}},
                        content_type="application/json")
    assert back.status_code == 201 and back.json()["reference"] == "F-1"
    assert m.Entry.objects.filter(kind=m.DISBURSEMENT).count() == 1
    got = api_client("head.cm").get(url).json()
    assert got["items"] == [{"key": "amount", "th": got["items"][0]["th"], "en": got["items"][0]["en"],
                             "committed": "30000.00", "paid": "12500.00", "returned": "500.00", "payable": "18000.00"}]
    assert [e["kind"] for e in got["entries"]] == ["return", "disbursement", "commitment"]
    # a case officer reads but does not pay; a read-only token does not pay either
    assert api_client("officer.cm").post(url, _payment("x1"), content_type="application/json").status_code == 403
    assert api_client("finance.cm", scope="read").post(url, _payment("x2"),
                                                       content_type="application/json").status_code == 403
    assert api_client("officer.kk").get(url).status_code == 404
    assert m.Entry.objects.filter(kind=m.DISBURSEMENT).count() == 1


def test_the_ledger_reads_pages_reverses_and_exports(make_request: Any, users: dict[str, Any],
                                                     api_client: Any) -> None:
    req = approved_hr(make_request, users)
    finance = api_client("finance.cm")
    for n in range(3):
        assert finance.post(f"/api/v1/requests/{req.pk}/payments", _payment(f"p{n}", "1000", f"R{n}"),
                            content_type="application/json").status_code == 201
    fy = req.fiscal_year
    page = api_client("auditor").get(f"/api/v1/ledger/entries?fiscal_year={fy}&kind=disbursement&limit=2").json()
    assert len(page["items"]) == 2 and page["next_before"] == page["items"][-1]["id"]
    rest = api_client("auditor").get(f"/api/v1/ledger/entries?fiscal_year={fy}&kind=disbursement&limit=2"
                                     f"&before={page['next_before']}").json()
    assert len(rest["items"]) == 1 and rest["next_before"] is None
    one = page["items"][0]
    assert {ln["account"] for ln in one["lines"]} == {"5101", "1101", "8301", "8201"}
    by_number = finance.get(f"/api/v1/ledger/entries?fiscal_year={fy}&request_number={req.number}").json()
    assert len(by_number["items"]) == 4
    assert api_client("head.kk").get(f"/api/v1/ledger/entries/{one['id']}").status_code == 404
    no_reason = finance.post(f"/api/v1/ledger/entries/{one['id']}/reversal",
                             {"key": "rev-1", "on": clock.today().isoformat(), "memo": " "},
                             content_type="application/json")
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "memo"
    fix = finance.post(f"/api/v1/ledger/entries/{one['id']}/reversal",
                       {"key": "rev-1", "on": clock.today().isoformat(), "memo": "จ่ายซ้ำ"},
                       content_type="application/json")
    assert fix.status_code == 201 and fix.json()["reverses"] == one["id"]
    assert finance.get(f"/api/v1/ledger/entries/{one['id']}").json()["reversed_by"] == fix.json()["id"]
    xlsx = finance.get(f"/api/v1/ledger/export?fiscal_year={fy}&format=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Disposition"].endswith('.xlsx"')
    table = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))[1:]
    debits = sum(Decimal(str(r[6])) for r in table)
    assert debits == sum(Decimal(str(r[7])) for r in table) == sum(
        ln.amount for ln in m.Line.objects.filter(amount__gt=0, fiscal_year=fy, office_dim=req.office_id))
    assert api_client("head.cm").get(f"/api/v1/ledger/export?fiscal_year={fy}").status_code == 200
    assert api_client("officer.cm").get(f"/api/v1/ledger/export?fiscal_year={fy}").status_code == 403
    assert selectors.unbalanced_entries() == []
