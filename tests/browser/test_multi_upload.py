"""Several documents in one post (issue 9, item 8), and the registration form's mistakes in one
round with messages that name the field, at 390 px and 1366 px, with axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_browser_journey import tiny_png

pytestmark = [pytest.mark.browser]


def open_documents(page):
    """The case page folds its documents panel away unless the next step needs documents."""
    if page.locator("#fold-documents:not([open])").count():
        page.locator("#fold-documents > summary").click()


def test_three_files_uploaded_in_one_post(seeded, screen, axe):
    page = screen.page
    req = seeded["cm_req"]
    screen.login("officer.cm")
    screen.visit(f"/staff/requests/{req.pk}/", "case page with upload rows")
    open_documents(page)
    # the rows start with the required documents still missing, their types already chosen
    expect(page.get_by_label("ประเภทเอกสารที่ 1", exact=True)).to_have_value("id_card")
    expect(page.get_by_label("ประเภทเอกสารที่ 2", exact=True)).to_have_value("house_registration")
    files = {1: ("id_card", "บัตรประชาชน.png"), 2: ("house_registration", "ทะเบียนบ้าน.png"), 3: ("other", "หนังสือ.png")}
    for i, (code, name) in files.items():
        page.get_by_label(f"ประเภทเอกสารที่ {i}", exact=True).select_option(code)
        page.get_by_label(f"ไฟล์ที่ {i} (PDF, JPEG, PNG)").set_input_files(
            {"name": name, "mimeType": "image/png", "buffer": tiny_png()})
    with page.expect_navigation():
        page.get_by_role("button", name="อัปโหลด").click()
    messages = page.locator(".messages")
    for _code, name in files.values():
        expect(messages).to_contain_text(f"อัปโหลดแล้ว: “{name}”")
    open_documents(page)
    for _code, name in files.values():
        expect(page.get_by_role("link", name=name)).to_have_count(1)
    expect(page.locator("ul.checklist li.done")).to_have_count(2)
    axe.check(page, "case page after three uploads")
    screen.shot("case after multi upload")
    axe.assert_clean()


def test_a_bad_file_is_refused_by_name_and_the_good_one_kept(seeded, screen, axe):
    page = screen.page
    req = seeded["cm_req"]
    screen.login("officer.cm")
    screen.visit(f"/staff/requests/{req.pk}/")
    open_documents(page)
    page.get_by_label("ไฟล์ที่ 1 (PDF, JPEG, PNG)").set_input_files(
        {"name": "id.png", "mimeType": "image/png", "buffer": tiny_png()})
    page.get_by_label("ไฟล์ที่ 2 (PDF, JPEG, PNG)").set_input_files(
        {"name": "notes.pdf", "mimeType": "application/pdf", "buffer": b"just text, not a PDF"})
    page.get_by_role("button", name="อัปโหลด").click()
    messages = page.locator(".messages")
    expect(messages).to_contain_text("อัปโหลดแล้ว: “id.png”")
    expect(messages).to_contain_text(re.compile("ไม่ได้อัปโหลด “notes.pdf”.*PDF, JPEG หรือ PNG"))
    open_documents(page)
    expect(page.get_by_role("link", name="id.png")).to_have_count(1)
    expect(page.get_by_role("link", name="notes.pdf")).to_have_count(0)
    axe.check(page, "case page after a refused file")
    axe.assert_clean()


def test_registration_mistakes_in_one_round_named_by_field(seeded, screen, axe):
    page = screen.page
    screen.login("intake.cm")
    screen.visit("/staff/requests/new/?service=LIT", "new request")
    expect(page.get_by_label("เพศ")).to_have_value("")  # nothing preselected
    page.get_by_label("เลขประจำตัวประชาชน 13 หลัก").fill("1234567890120")  # wrong check digit
    page.get_by_label("นามสกุล").fill("ทดลอง")
    page.get_by_label("วันเกิด").fill("15/08/2530")
    page.get_by_label("ศาล", exact=True).fill("ศ")  # too short: the details model's rule
    page.get_by_role("button", name="บันทึกคำขอ").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    for text in ("กรุณากรอกชื่อผู้ขอรับความช่วยเหลือ", "กรุณาเลือกเพศของผู้ขอรับความช่วยเหลือ",
                 "หลักตรวจสอบไม่ตรง", "ศาล: ต้องมีอย่างน้อย 2 ตัวอักษร", "กรุณาเลือกจังหวัด"):
        expect(summary).to_contain_text(text)
    expect(summary).not_to_contain_text("ฟิลด์นี้")
    expect(summary.get_by_role("link", name="กรุณากรอกชื่อผู้ขอรับความช่วยเหลือ")).to_have_attribute(
        "href", "#id_a-first_name")
    axe.check(page, "new request with every mistake")
    screen.shot("new request errors")
    axe.assert_clean()
