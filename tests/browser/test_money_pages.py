"""The money's pages in a real browser at 390 and 1366 px, with axe on each: a human-rights victim's
approved aid paid by item on the payments page (a missing receipt number said on its field, then
paid with the receipt), the case page's money panel, the budgets, the ledger, an entry and the
monthly statement."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]


def test_a_finance_officer_pays_hr_aid_by_item_with_a_receipt(seeded: dict[str, Any], screen: Any) -> None:
    from jfs.accounts.models import Office
    from jfs.cases import services
    from jfs.finance import models as m
    from tests.browser.conftest import TO_CONSIDERATION, applicant, drive
    from tests.decisions_support import decide_at_a_meeting, seat_everyone

    seat_everyone()
    users = seeded["users"]
    req = services.create_request(actor=users["intake.cm"], service="HR", office=Office.objects.get(code="50"),
                                  applicant=applicant("500101", nid="350150022222"),
                                  details={"violation": "ถูกทำร้ายร่างกายระหว่างควบคุมตัว", "harm": "บาดเจ็บ",
                                           "remedy_requested": "ค่ารักษาพยาบาล", "amount_requested": "30000"})
    drive(req, users, TO_CONSIDERATION)
    decide_at_a_meeting(req, users, outcome="approved", reason_codes=["A01", "A02"], items={"amount": "30000"})
    page = screen.page
    width = page.viewport_size["width"]
    screen.login("finance.cm")
    screen.visit(f"/staff/requests/{req.pk}/payments/", name=f"payments {width}")
    page.get_by_label("จำนวนเงิน (บาท)").first.fill("12,000")
    page.get_by_label("ผู้รับเงิน", exact=True).fill("นางสาวผู้เสียหาย ทดสอบ")
    page.get_by_label("วิธีจ่ายเงิน").select_option("transfer")
    page.get_by_role("button", name="บันทึกการจ่ายเงิน").click()
    expect(page.locator(".error-summary").first).to_contain_text("กรุณากรอกเลขที่ใบเสร็จรับเงิน")
    screen.axe.check(page, f"payments refused {width}")
    expect(page.get_by_label("จำนวนเงิน (บาท)").first).to_have_value("12,000")  # what was typed is kept
    page.locator("#id_pay-receipt_number").fill(f"RC-{width}")
    page.get_by_role("button", name="บันทึกการจ่ายเงิน").click()
    expect(page.locator(".messages")).to_contain_text("บันทึกการจ่ายเงินแล้ว")
    expect(page.locator("#cap-items").locator("..")).to_contain_text("18,000.00")
    assert m.Entry.objects.filter(kind=m.DISBURSEMENT, request=req).count() == 1
    screen.visit(f"/staff/requests/{req.pk}/", name=f"case money panel {width}")
    expect(page.locator("#money")).to_contain_text("12,000.00")
    screen.visit("/staff/money/", name=f"budgets {width}")
    expect(page.locator("body")).to_contain_text("ผูกพันเกินงบประมาณที่ได้รับจัดสรร")
    screen.visit(f"/staff/money/ledger/?fiscal_year={req.fiscal_year}", name=f"ledger {width}")
    entry = m.Entry.objects.get(kind=m.DISBURSEMENT, request=req)
    screen.visit(f"/staff/money/ledger/{entry.pk}/", name=f"ledger entry {width}")
    expect(page.locator("body")).to_contain_text(f"RC-{width}")
    screen.visit("/staff/money/statement/", name=f"statement {width}")
