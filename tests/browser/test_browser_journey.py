"""An officer's day in a real browser: sign in with two factors, work a request, see its history."""

from __future__ import annotations

import re
import struct
import zlib

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")


def test_officer_signs_in_works_a_request_and_sees_it_in_the_timeline(seeded, staff, axe):
    req = seeded["cm_req"]
    page = staff.page
    staff.login("officer.cm", check=True)

    # my queue: the request assigned to me, with its SLA badges
    expect(page.get_by_role("heading", level=1)).to_have_text("งานของฉัน")
    row = page.get_by_role("row").filter(has_text=req.number)
    expect(row).to_have_count(1)
    expect(row.locator(".badge").first).to_have_text(re.compile("ปกติ|ใกล้ครบกำหนด|เกินกำหนด"))

    # open the case
    row.get_by_role("link", name=req.number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(req.number)
    expect(page.locator("#h-details + dl")).to_contain_text("ศาลจังหวัดเชียงใหม่")
    expect(page.locator("#h-details + dl")).to_contain_text("ค่าทนายความ")
    expect(page.locator("#h-details + dl")).not_to_contain_text("case_kind")

    # start screening
    page.locator("summary", has_text="เริ่มตรวจสอบคำขอ").click()
    page.get_by_role("button", name="ยืนยัน: เริ่มตรวจสอบคำขอ").click()
    expect(page.locator(".messages")).to_contain_text("บันทึกแล้ว")
    expect(page.locator(".case-meta .state-tag")).to_have_text("ตรวจสอบและกลั่นกรอง")
    expect(page.locator("ol.timeline > li").first).to_contain_text("เริ่มตรวจสอบคำขอ: รับคำขอ → ตรวจสอบและกลั่นกรอง")  # newest first

    # upload the ID card (a real PNG)
    page.get_by_label("ประเภทเอกสารที่ 1", exact=True).select_option("id_card")
    page.get_by_label("ไฟล์ที่ 1 (PDF, JPEG, PNG)").set_input_files(
        {"name": "บัตรประชาชน.png", "mimeType": "image/png", "buffer": tiny_png()})
    page.get_by_role("button", name="อัปโหลด").click()
    expect(page.locator(".messages")).to_contain_text("อัปโหลดแล้ว")
    expect(page.get_by_role("link", name="บัตรประชาชน.png")).to_be_visible()
    expect(page.locator("ul.checklist li.done")).to_contain_text("บัตรประจำตัวประชาชน")

    # asking for documents needs a reason: the error is shown in place, then fixed
    page.locator("summary", has_text="ขอเอกสารเพิ่มเติมจากผู้ขอ").click()
    page.get_by_role("button", name=re.compile("ยืนยัน: ขอเอกสารเพิ่มเติม")).click()
    summary = page.locator("details[open] .error-summary")
    expect(summary).to_be_visible()
    axe.check(page, "case with an action error")
    form = page.locator("details[open] form")
    form.get_by_label("หมายเหตุ/เหตุผล").fill("ขอสำเนาทะเบียนบ้านและหนังสือรับรองรายได้")
    form.get_by_role("button", name=re.compile("ยืนยัน")).click()
    expect(page.locator(".messages")).to_contain_text("บันทึกแล้ว")
    last = page.locator("ol.timeline > li").first  # the timeline is newest first
    expect(last).to_contain_text("ขอเอกสารเพิ่มเติมจากผู้ขอ (หยุดนับเวลา): ตรวจสอบและกลั่นกรอง → รอเอกสารจากผู้ขอ")
    expect(last).to_contain_text("ขอสำเนาทะเบียนบ้านและหนังสือรับรองรายได้")
    expect(last).to_contain_text("สมชาย รักงาน (เจ้าหน้าที่ผู้รับผิดชอบคำขอ)")
    expect(last.locator("time")).to_have_text(re.compile(r"\d{1,2} \S+ 25\d\d \d\d:\d\d"))  # Buddhist-era year
    expect(page.locator(".sla-paused").first).to_be_visible()
    axe.check(page, "case after transitions")
    staff.shot("case after transitions")
    axe.assert_clean()


def test_provincial_officer_gets_404_for_another_offices_request(seeded, staff, axe):
    staff.login("officer.cm")
    staff.visit(f"/staff/requests/{seeded['kk_req'].pk}/", "404 (other office)", status=404)
    expect(staff.page.get_by_role("heading", level=1)).to_have_text("ไม่พบหน้าที่ต้องการ")
    expect(staff.page.locator("main")).not_to_contain_text(seeded["kk_req"].number)
    axe.assert_clean()


def test_language_switch_shows_english_pages(seeded, staff, axe):
    page = staff.page
    staff.login("officer.cm")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    expect(page.get_by_role("navigation", name="Main menu")).to_contain_text("Find requests")

    staff.visit(f"/staff/requests/{seeded['cm_req'].pk}/", "case (en)")
    staff.shot("case en")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Request number")
    details = page.locator("#h-details + dl")
    expect(details).to_contain_text("Court")
    expect(details).to_contain_text("Civil case")
    expect(details).to_contain_text("Lawyer's fees")
    expect(page.locator(".case-meta")).to_contain_text("Chiang Mai Provincial Justice Office")
    expect(page.locator("#h-applicant + dl")).to_contain_text("Si Phum")
    expect(page.locator("#h-status + dl")).to_contain_text("B.E. 25")
    staff.visit("/staff/requests/new/?service=BAIL", "new BAIL (en)")
    staff.shot("new BAIL en")
    expect(page.get_by_label("Province")).to_contain_text("Chiang Mai")
    expect(page.get_by_role("button", name="Save the request")).to_be_visible()
    staff.visit("/staff/dashboard/")
    staff.shot("dashboard en")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Overview")

    page.get_by_role("button", name="ภาษาไทย").click()
    expect(page.locator("html")).to_have_attribute("lang", "th")
    expect(page.get_by_role("navigation", name="เมนูหลัก")).to_contain_text("ค้นหาคำขอ")
    axe.assert_clean()
