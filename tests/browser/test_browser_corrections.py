"""Correcting a request in a real browser: the edit page from the case page, a mistake shown and
fixed, and the applicant's record history on the case page; every state passes axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]


def test_officer_corrects_the_applicant_and_sees_the_history(seeded, staff, axe):
    from jfs.accounts.models import Office
    from jfs.cases import services
    from tests.browser.conftest import applicant

    req = seeded["cm_req"]
    page = staff.page
    staff.login("officer.cm")
    # the same person registered since at Khon Kaen, with a Khon Kaen address
    later = services.create_request(
        actor=seeded["users"]["officer.kk"], service="CONSULT", office=Office.objects.get(code="40"),
        applicant=applicant("400101"), details={"topic": "หนี้สิน", "channel": "counter"},
    )

    staff.visit(f"/staff/requests/{req.pk}/", "case with the applicant's history")
    history = page.get_by_role("region", name="ข้อมูลผู้ขอที่เปลี่ยนหลังรับคำขอนี้")
    expect(history).to_contain_text("คำขอของสำนักงานอื่น")  # a Khon Kaen request: not this officer's to open
    expect(history).not_to_contain_text(later.number)
    expect(history).to_contain_text("จังหวัด, อำเภอ/เขต, ตำบล/แขวง")
    staff.shot("case with history")

    page.get_by_role("link", name="แก้ไขข้อมูลคำขอ").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(req.number)
    expect(page.get_by_label("ชื่อ", exact=True)).to_have_value("บุญเรือน")
    expect(page.get_by_label("วันเกิด")).to_have_value("14/03/2518")
    expect(page.get_by_label("ศาล", exact=True)).to_have_value("ศาลจังหวัดเชียงใหม่")
    axe.check(page, "edit request")
    staff.shot("edit request")

    page.get_by_label("ชื่อ", exact=True).fill("บุญเรือง")
    page.get_by_label("นามสกุล").fill("")
    page.get_by_role("button", name="บันทึกการแก้ไข").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(page.locator("#id_a-last_name")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("ชื่อ", exact=True)).to_have_value("บุญเรือง")
    axe.check(page, "edit request with errors")
    staff.shot("edit request with errors")

    page.get_by_label("นามสกุล").fill("ทดสอบ")
    page.get_by_role("button", name="บันทึกการแก้ไข").click()
    expect(page.locator(".messages")).to_contain_text("บันทึกแล้ว")
    expect(page.locator("#h-applicant + dl")).to_contain_text("นางบุญเรือง ทดสอบ")
    expect(history.get_by_role("row")).to_have_count(3)  # the header, the correction and the registration
    expect(history.get_by_role("row").nth(1)).to_contain_text("แก้ไขข้อมูล")
    expect(history).not_to_contain_text("บุญเรือน")
    axe.check(page, "case after a correction")
    axe.assert_clean()


def test_the_edit_page_fits_a_phone_screen(seeded, phone, axe):
    req = seeded["cm_req"]
    phone.login("officer.cm")
    phone.visit(f"/staff/requests/{req.pk}/edit/", "edit request (phone)")
    phone.shot("phone edit request")
    overflow = phone.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the edit page is {overflow}px wider than a 360px screen"
    axe.assert_clean()
