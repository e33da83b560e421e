"""A project grant (กทย.4) in a real browser, with axe on every page: the case officer assesses the
proposal; after the approval (committee by the services) records the agreement with two
instalments; the finance officer pays the first; the officer records the progress report; the second
is paid; the final report leaves money unspent, the finance officer receives it back with the
receipt's number, and the officer closes the grant. The grants list shows it closed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]

PROJECT = {"organisation": "มูลนิธิส่งเสริมความรู้กฎหมาย", "organisation_registration_no": "ชม-55/2561",
           "title": "อบรมกฎหมายแรงงานข้ามชาติ", "plan": "อบรม 2 รุ่น",
           "budget_lines": [{"item": "ค่าวิทยากร", "amount": "60000"}, {"item": "ค่าเอกสาร", "amount": "40000"}],
           "participants": 100}


def _be(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year + 543}"


def _as(staff: Any, who: str) -> None:
    staff.page.context.clear_cookies()
    staff.login(who)


def _upload(req: Any, users: dict[str, Any], doc_type: str) -> None:
    from jfs.cases import services
    from tests.conftest import SAMPLE_FILES

    data = SAMPLE_FILES["pdf"]
    services.add_document(actor=users["officer.cm"], request_id=req.pk, doc_type=doc_type, name=f"{doc_type}.pdf",
                          chunks=[data], size=len(data))


def test_a_project_grant_from_assessment_to_closing(seeded: dict[str, Any], staff: Any, axe: Any) -> None:
    from jfs.accounts.models import Office
    from jfs.cases import services
    from jfs.core import clock
    from jfs.finance import services as ledger
    from jfs.grants import models as m
    from tests.browser.conftest import TO_CONSIDERATION, applicant, drive
    from tests.decisions_support import decide_at_a_meeting, seat_everyone

    seat_everyone()
    users = seeded["users"]
    req = services.create_request(actor=users["intake.cm"], service="PROJECT", office=Office.objects.get(code="50"),
                                  applicant=applicant("500101", nid="350150077777"), details=PROJECT)
    req = drive(req, users, TO_CONSIDERATION[:2])
    page = staff.page

    # the case officer assesses the proposal during fact-finding
    _as(staff, "officer.cm")
    staff.visit(f"/staff/requests/{req.pk}/grant/assessment/", name="grant assessment form")
    page.locator("button", has_text="บันทึกการประเมิน").click()  # nothing chosen: every criterion named
    expect(page.locator(".error-summary")).to_contain_text("ความสอดคล้องกับการให้ความรู้ทางกฎหมายแก่ประชาชน")
    axe.check(page, "grant assessment errors")
    for code, score in (("relevance", 5), ("target_group", 4), ("feasibility", 4), ("budget", 3), ("track_record", 4)):
        page.locator(f"input[name='a-score_{code}'][value='{score}']").check()
    page.locator("#id_a-note_budget").fill("ค่าเอกสารค่อนข้างสูง")
    page.get_by_label("เห็นควรสนับสนุน", exact=True).check()
    page.locator("button", has_text="บันทึกการประเมิน").click()
    expect(page.locator("#scores-caption")).to_be_visible()
    expect(page.locator("main")).to_contain_text("20 จาก 25 คะแนน")
    axe.check(page, "grant assessment saved")

    req = drive(req, users, TO_CONSIDERATION[2:])
    decide_at_a_meeting(req, users, outcome="approved", reason_codes=["A01"], comment="อนุมัติ")

    # the agreement: two instalments, the second after the first progress report
    today = clock.today()
    staff.visit(f"/staff/requests/{req.pk}/grant/", name="grant agreement form")
    page.locator("#id_ag-number").fill("กทย.4-ชม-001/2569")
    page.locator("#id_ag-signed_for_grantee").fill("นายผู้แทน มูลนิธิ")
    page.locator("#id_ag-period_start").fill(_be(today))
    page.locator("#id_ag-period_end").fill(_be(today + timedelta(days=120)))
    page.locator("#id_ag-amount_1").fill("60000")
    page.locator("#id_ag-amount_2").fill("40001")
    page.locator("#id_ag-due_2").fill(_be(today + timedelta(days=60)))
    page.locator("button", has_text="บันทึกสัญญารับทุน").click()
    expect(page.locator(".error-summary")).to_contain_text("เกินยอดที่อนุมัติและผูกพัน 100,000.00 บาท")
    expect(page.locator("#id_ag-number")).to_have_value("กทย.4-ชม-001/2569")  # what was typed is kept
    axe.check(page, "grant agreement refused")
    page.locator("#id_ag-amount_2").fill("40000")
    page.locator("button", has_text="บันทึกสัญญารับทุน").click()
    expect(page.locator("#instalments-caption")).to_be_visible()
    expect(page.locator("#instalments")).to_contain_text("เมื่อได้รับรายงานความก้าวหน้าฉบับที่ 1")
    expect(page.locator("form[action$='/grant/pay/']")).to_have_count(0)  # the case officer pays nothing
    axe.check(page, "grant agreed")

    # the finance officer pays the first instalment
    _as(staff, "finance.cm")
    staff.visit(f"/staff/requests/{req.pk}/grant/", name="grant pay form")
    expect(page.locator("#h-pay")).to_contain_text("งวดที่ 1")
    page.locator("#id_pay-method").select_option("transfer")
    page.locator("#id_pay-reference").fill("TRF-0001")
    page.locator("button", has_text="บันทึกการจ่ายเงิน").click()
    expect(page.locator("#instalments")).to_contain_text("จ่ายแล้ว")
    expect(page.locator("#instalments")).to_contain_text("รอรายงานความก้าวหน้าฉบับที่ 1")
    expect(page.locator("#h-pay")).to_have_count(0)  # the second waits for its report
    axe.check(page, "grant first paid")

    # the progress report comes in
    _upload(req, users, "progress_report")
    _as(staff, "officer.cm")
    staff.visit(f"/staff/requests/{req.pk}/grant/")
    page.locator("#id_pr-received_on").fill(_be(today))
    page.locator("#id_pr-period_from").fill(_be(today))
    page.locator("#id_pr-period_to").fill(_be(today))
    page.locator("#id_pr-activities").fill("อบรมรุ่นที่ 1 ที่อำเภอเมือง")
    page.locator("#id_pr-people_reached").fill("52")
    page.locator("#id_pr-spent").fill("58000")
    page.locator("#id_pr-document").select_option(label="progress_report.pdf")
    page.locator("button", has_text="บันทึกรายงานความก้าวหน้า").click()
    expect(page.locator("#progress-caption")).to_be_visible()
    axe.check(page, "grant progress report")

    _as(staff, "finance.cm")
    staff.visit(f"/staff/requests/{req.pk}/grant/")
    expect(page.locator("#h-pay")).to_contain_text("งวดที่ 2")
    page.locator("#id_pay-method").select_option("transfer")
    page.locator("button", has_text="บันทึกการจ่ายเงิน").click()
    expect(page.locator("#h-pay")).to_have_count(0)

    # the final report: 95,000 spent of the 100,000 paid
    _upload(req, users, "final_report")
    _as(staff, "officer.cm")
    staff.visit(f"/staff/requests/{req.pk}/grant/")
    page.locator("#id_fr-received_on").fill(_be(today))
    page.locator("#id_fr-outputs").fill("อบรม 2 รุ่น คู่มือ 300 เล่ม")
    page.locator("#id_fr-people_reached").fill("104")
    page.locator("#id_fr-total_spent").fill("95000")
    page.locator("#id_fr-document").select_option(label="final_report.pdf")
    page.locator("button", has_text="บันทึกรายงานผลการดำเนินโครงการ").click()
    expect(page.locator("#final")).to_contain_text("ตรงเวลา")
    expect(page.locator("main")).to_contain_text("5,000.00 บาท")
    expect(page.locator("button", has_text="ปิดโครงการ")).to_have_count(0)  # money still out
    axe.check(page, "grant final report")

    # the unspent money comes back; too much first
    _as(staff, "finance.cm")
    staff.visit(f"/staff/requests/{req.pk}/grant/")
    page.locator("#id_ret-amount").fill("100000.01")
    page.locator("#id_ret-receipt_number").fill("RC-2569-0042")
    page.locator("button", has_text="บันทึกการรับเงินคืน").click()
    expect(page.locator(".error-summary")).to_contain_text("รับคืนได้ไม่เกินที่จ่ายไป 100,000.00 บาท")
    axe.check(page, "grant return refused")
    page.locator("#id_ret-amount").fill("5000")
    page.locator("button", has_text="บันทึกการรับเงินคืน").click()
    expect(page.locator("#returns-caption")).to_be_visible()
    expect(page.locator("#returns")).to_contain_text("RC-2569-0042")
    axe.check(page, "grant returned")

    _as(staff, "officer.cm")
    staff.visit(f"/staff/requests/{req.pk}/grant/")
    page.locator("button", has_text="ปิดโครงการ").click()
    expect(page.locator("#h-agreement + dl")).to_contain_text("ปิดโครงการแล้ว")
    axe.check(page, "grant closed")
    staff.visit("/staff/grants/", name="grants list")
    expect(page.locator("main table")).to_contain_text("กทย.4-ชม-001/2569")
    axe.assert_clean()

    grant = m.GrantAgreement.objects.get(request=req)
    assert grant.status == m.CLOSED
    assert ledger.paid_for(req.pk, "line-1") + ledger.paid_for(req.pk, "line-2") == 95000
