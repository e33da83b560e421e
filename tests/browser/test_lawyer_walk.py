"""A litigation case (กทย.1) with a lawyer from the roster, in a real browser with axe on every page:
the case officer registers a lawyer and a declared conflict; after the approval (committee, by the
services) tries a fee above the approved lawyer item (refused next to the field, what was typed
kept), then engages the lawyer; records the lawyer's filing report with its file, and a hearing; the
finance officer pays the two milestones (staged payments, each against its report), pays the court
fee to the court, and receives unused court fees back with the receipt's number; the officer records
the result. The money table and the postings show each movement."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]


def _as(staff: Any, who: str) -> None:
    staff.page.context.clear_cookies()
    staff.login(who)


def test_a_litigation_case_with_a_lawyer_two_staged_payments_and_a_refund(seeded: dict[str, Any], staff: Any,
                                                                           axe: Any, tmp_path: Any) -> None:
    from jfs.finance import models as fm
    from jfs.finance import services as ledger
    from jfs.lawyers import models as m
    from tests.browser.conftest import TO_CONSIDERATION, drive
    from tests.conftest import SAMPLE_FILES
    from tests.decisions_support import decide_at_a_meeting, seat_everyone

    seat_everyone()
    users = seeded["users"]
    page = staff.page

    # the roster: the case officer registers a lawyer (first with a bad licence number) and a conflict
    _as(staff, "officer.cm")
    staff.visit("/staff/lawyers/", name="roster empty")
    page.get_by_role("link", name="ขึ้นทะเบียนทนายความ").click()
    page.wait_for_url("**/staff/lawyers/new/")
    axe.check(page, "lawyer form")
    page.get_by_label("ชื่อ-นามสกุลทนายความ").fill("นายวิชัย ว่าความ")
    page.get_by_label("เลขที่ใบอนุญาตทนายความ").fill("12345")
    page.get_by_label("คดีแพ่ง").check()
    page.get_by_label("หมายเลขโทรศัพท์").fill("081-234-5678")
    page.get_by_role("button", name="ขึ้นทะเบียน").click()
    expect(page.locator(".error-summary")).to_contain_text("12345/2550")
    expect(page.get_by_label("ชื่อ-นามสกุลทนายความ")).to_have_value("นายวิชัย ว่าความ")
    axe.check(page, "lawyer form errors")
    page.get_by_label("เลขที่ใบอนุญาตทนายความ").fill("12345/2550")
    page.get_by_role("button", name="ขึ้นทะเบียน").click()
    expect(page.locator("h1")).to_have_text("นายวิชัย ว่าความ")
    expect(page.locator("main")).to_contain_text("081-234-5678")
    axe.check(page, "lawyer page")
    page.get_by_label("ชื่อคู่กรณีที่ทนายความมีส่วนได้เสีย").fill("บริษัท สินเชื่อด่วน จำกัด")
    page.get_by_role("button", name="บันทึก", exact=True).click()
    expect(page.locator("#conflicts + ul")).to_contain_text("บริษัท สินเชื่อด่วน จำกัด")
    axe.check(page, "lawyer conflict")
    lawyer = m.Lawyer.objects.get()

    # the committee approves the litigation request (services): lawyer 12,000, court fee 2,500
    req = drive(seeded["cm_req"], users, TO_CONSIDERATION)
    decide_at_a_meeting(req, users, outcome="partially_approved", reason_codes=["A01", "P01"], comment="อนุมัติบางส่วน",
                        items={"lawyer": "12000", "court_fee": "2500"})
    url = f"/staff/requests/{req.pk}/lawyer/"
    staff.visit(url, name="engagement none")
    expect(page.locator("#money")).to_be_visible()
    engage = page.locator("form", has=page.locator("#id_engage-lawyer"))
    engage.locator("#id_engage-lawyer").select_option(str(lawyer.pk))
    engage.locator("#id_engage-agreed_fee").fill("15000")
    engage.locator("#id_engage-opposing_party").fill("บริษัท สินเชื่อด่วน จำกัด")
    engage.get_by_role("button", name="แต่งตั้ง").click()
    expect(page.locator(".error-summary")).to_contain_text("ส่วนได้เสีย")  # the declared conflict
    axe.check(page, "engagement conflict refused")
    page.locator("#id_engage-opposing_party").fill("นายคู่ความ ฝ่ายตรงข้าม")
    page.get_by_role("button", name="แต่งตั้ง").click()
    expect(page.locator(".error-summary")).to_contain_text("12,000.00")  # above the approved lawyer item
    expect(page.locator("#id_engage-opposing_party")).to_have_value("นายคู่ความ ฝ่ายตรงข้าม")
    page.locator("#id_engage-agreed_fee").fill("10000")
    page.get_by_role("button", name="แต่งตั้ง").click()
    expect(page.locator("#lawyer + section h3")).to_contain_text("นายวิชัย ว่าความ")
    axe.check(page, "engaged")

    # the lawyer's reports: the filing (with the report's file) and a hearing
    report = tmp_path / "filing-report.pdf"
    report.write_bytes(SAMPLE_FILES["pdf"])
    page.locator("#id_milestone-kind").select_option("filing")
    page.locator("#id_milestone-summary").fill("ยื่นคำให้การต่อศาลแล้ว")
    page.locator("#id_milestone-report").set_input_files(str(report))
    page.get_by_role("button", name="บันทึกรายงาน").click()
    expect(page.locator("#milestones")).to_contain_text("ยื่นคำให้การต่อศาลแล้ว")
    page.locator("#id_milestone-kind").select_option("hearing")
    page.locator("#id_milestone-summary").fill("สืบพยานโจทก์นัดแรก")
    page.get_by_role("button", name="บันทึกรายงาน").click()
    expect(page.locator("#milestones")).to_contain_text("สืบพยานโจทก์นัดแรก")
    expect(page.locator("#milestones")).to_contain_text("ไฟล์รายงาน")
    axe.check(page, "two reports")
    expect(page.locator("#cost")).to_have_count(0)  # money forms: finance officers only

    # the finance officer pays both milestones, the court fee, and takes unused court fees back
    _as(staff, "finance.cm")
    staff.visit(url, name="finance view")
    expect(page.locator("#engage")).to_have_count(0)
    milestones = list(m.Milestone.objects.order_by("id"))
    for ms, ref in zip(milestones, ("TRF-001", "TRF-002"), strict=True):
        row = page.locator("#milestones tbody tr", has_text=ms.summary)
        row.locator("summary").click()
        row.locator(f"#id_pay-{ms.pk}-method").select_option("transfer")
        row.locator(f"#id_pay-{ms.pk}-reference").fill(ref)
        row.get_by_role("button", name="บันทึกการจ่าย").click()
        expect(page.locator("#milestones tbody tr", has_text=ms.summary)).to_contain_text("จ่ายแล้ว")
    axe.check(page, "two payments")
    cost = page.locator("form", has=page.locator("#id_cost-payee"))
    cost.locator("#id_cost-item_key").select_option("court_fee")
    cost.locator("#id_cost-amount").fill("2500")
    cost.locator("#id_cost-payee").fill("ศาลจังหวัดเชียงใหม่")
    cost.locator("#id_cost-method").select_option("cheque")
    cost.locator("#id_cost-reference").fill("CHQ-77")
    cost.get_by_role("button", name="บันทึกการจ่าย").click()
    expect(page.locator("#postings + .table-wrap")).to_contain_text("ศาลจังหวัดเชียงใหม่")
    refund = page.locator("form", has=page.locator("#id_refund-reference"))
    refund.locator("#id_refund-item_key").select_option("court_fee")
    refund.locator("#id_refund-amount").fill("3000")
    refund.locator("#id_refund-reference").fill("ใบรับ ศชม. 15/2569")
    refund.get_by_role("button", name="บันทึกการรับเงินคืน").click()
    expect(page.locator(".error-summary")).to_contain_text("2,500.00")  # never more back than was paid
    axe.check(page, "refund refused")
    page.locator("#id_refund-amount").fill("700")
    page.locator("#id_refund-memo").fill("ศาลคืนค่าธรรมเนียมส่วนที่ไม่ได้ใช้")
    page.get_by_role("button", name="บันทึกการรับเงินคืน").click()
    postings = page.locator("#postings + .table-wrap")
    expect(postings).to_contain_text("ใบรับ ศชม. 15/2569")
    expect(postings).to_contain_text("700.00 บาท")
    expect(page.locator("#money + .table-wrap")).to_contain_text("1,800.00 บาท")  # court fee paid less returned
    axe.check(page, "refund")

    # the officer records the case's result (won: repayment required by the rules' flag)
    _as(staff, "officer.cm")
    staff.visit(url)
    page.get_by_label("ชนะคดี", exact=False).check()
    page.locator("#id_result-repayment_amount").fill("5000")
    page.get_by_role("button", name="บันทึกผลคดี").click()
    expect(page.locator("#result")).to_contain_text("ต้องชดใช้เงินกองทุน 5,000.00 บาท")
    axe.check(page, "result")
    staff.visit("/staff/lawyers/", name="roster with workload")
    expect(page.locator("tbody tr", has_text="นายวิชัย ว่าความ")).to_contain_text("1")

    paid = fm.Entry.objects.filter(kind=fm.DISBURSEMENT, item_key="lawyer")
    assert paid.count() == 2 and {e.payee for e in paid} == {lawyer.payee}
    assert ledger.paid_for(req.pk, "lawyer") == sum(x.amount_due for x in milestones)
    assert ledger.paid_for(req.pk, "court_fee") == 1800
    axe.assert_clean()
