"""A new request with mistakes: an error summary that links to the fields, and nothing typed is lost."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from jfslib import thai_id

pytestmark = [pytest.mark.browser]

BAD_ID = "1234567890120"  # right length, wrong check digit
assert not thai_id.is_valid(BAD_ID)


def test_bad_national_id_shows_error_summary_and_keeps_what_was_typed(seeded, staff, axe):
    page = staff.page
    staff.login("intake.cm")
    staff.visit("/staff/requests/new/?service=LIT")
    page.get_by_label("เลขประจำตัวประชาชน 13 หลัก").fill(BAD_ID)
    page.get_by_label("คำนำหน้า").fill("นาย")
    page.get_by_label("ชื่อ", exact=True).fill("ประยูร")
    page.get_by_label("นามสกุล").fill("ทดลองพิมพ์")
    page.get_by_label("วันเกิด").fill("15/08/2530")
    page.get_by_label("เพศ").select_option("M")
    page.get_by_label("บ้านเลขที่ หมู่ ถนน").fill("99/1 หมู่ 4")
    # the district and subdistrict lists load (htmx) when the province and district are chosen
    page.get_by_label("จังหวัด").select_option("50")
    expect(page.locator("#id_a-district_code option[value='5001']")).to_have_count(1)
    page.get_by_label("อำเภอ/เขต").select_option("5001")
    expect(page.locator("#id_a-subdistrict_code option[value='500101']")).to_have_count(1)
    page.get_by_label("ตำบล/แขวง").select_option("500101")
    page.get_by_label("ศาล", exact=True).fill("ศาลแขวงเชียงใหม่")
    page.get_by_label("ค่าทนายความ").fill("12000")
    page.get_by_role("button", name="บันทึกคำขอ").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name=re.compile("หลักตรวจสอบไม่ตรง"))  # the message names the field
    expect(link).to_have_attribute("href", "#id_a-national_id")
    expect(page.locator("#id_a-national_id")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_a-national_id_error")).to_contain_text("หลักตรวจสอบไม่ตรง")
    axe.check(page, "new request with errors")
    staff.shot("new request with errors")
    # everything typed is still there, including the address chosen through htmx
    expect(page.get_by_label("เลขประจำตัวประชาชน 13 หลัก")).to_have_value(BAD_ID)
    expect(page.get_by_label("ชื่อ", exact=True)).to_have_value("ประยูร")
    expect(page.get_by_label("นามสกุล")).to_have_value("ทดลองพิมพ์")
    expect(page.get_by_label("วันเกิด")).to_have_value("15/08/2530")
    expect(page.get_by_label("อำเภอ/เขต")).to_have_value("5001")
    expect(page.get_by_label("ตำบล/แขวง")).to_have_value("500101")
    expect(page.get_by_label("ศาล", exact=True)).to_have_value("ศาลแขวงเชียงใหม่")
    expect(page.get_by_label("ค่าทนายความ")).to_have_value("12000")

    # the link takes the keyboard user to the field; correct it and the request is registered
    link.click()
    expect(page.locator("#id_a-national_id")).to_be_focused()
    page.get_by_label("เลขประจำตัวประชาชน 13 หลัก").fill(thai_id.make_valid(BAD_ID[:12]))
    page.get_by_role("button", name="บันทึกคำขอ").click()
    expect(page.locator(".messages")).to_contain_text(re.compile(r"รับคำขอเลขที่ JF1-50-\d{4}-\d{5} แล้ว"))
    expect(page.locator("#h-applicant + dl")).to_contain_text("นายประยูร ทดลองพิมพ์")
    axe.assert_clean()
