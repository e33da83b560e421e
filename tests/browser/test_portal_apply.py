"""A citizen applies online on a 390 px phone (issue 12): a full bail application with a real PNG
and PDF sent through the resumable upload script, from sign-in to the receipt; and a relative
filing for someone else, the relationship then shown to staff. axe on every page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.browser.conftest import Staff
from tests.browser.test_browser_journey import tiny_png
from tests.conftest import SAMPLE_FILES, new_national_id

pytestmark = [pytest.mark.browser]

ANSWERS = {
    "title": "นาง",
    "first_name": "บุญมี",
    "last_name": "ยื่นออนไลน์",
    "birth_date": "14/03/2518",
    "sex": "F",
    "province": "50",
    "district": "5001",
    "subdistrict": "500101",
    "house_no": "12 หมู่ 3",
    "phone": "0812345678",
    "monthly_income": "6000",
    "household_size": "4",
    "_detainee_is_applicant": "no",
    "detainee_name": "นายสมปอง ใจกล้า",
    "detainee_national_id": "",
    "charge": "ลักทรัพย์",
    "held_at": "สถานีตำรวจภูธรเมืองเชียงใหม่",
    "authority": "court",
    "authority_name": "ศาลจังหวัดเชียงใหม่",
    "bail_amount": "50000",
    "household_monthly_income": "",
    "other_help_received": "no",
}


@pytest.fixture
def citizen_phone(
    browser: Any, live_server: Any, axe: Any, seeded: dict[str, Any], settings: Any, tmp_path: Any
) -> Any:
    """A citizen signed in on a 390 px phone (the session made as the sign-in makes it)."""
    from jfs.accounts.models import User
    from jfs.portal.access import ASSURANCE_KEY

    settings.JFS_APPLICATION_UPLOAD_ROOT = tmp_path / "application_uploads"
    user = User.objects.create(username="citizen.browser", role="citizen")
    client = Client()
    client.force_login(user)
    session = client.session
    session[ASSURANCE_KEY] = "one_time_code"
    session.save()
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=1, locale="th-TH"
    )
    ctx.set_default_timeout(15_000)
    ctx.add_cookies([{"name": "sessionid", "value": session.session_key, "url": live_server.url}])
    yield Staff(ctx.new_page(), live_server.url, axe), user
    ctx.close()


def answer_questions(phone: Staff, axe: Any, answers: dict[str, str]) -> None:
    page = phone.page
    for _ in range(40):
        if "/q/" not in page.url or page.locator(".error-summary").count():
            return  # past the questions, or a refused answer for the test to look at
        key = page.url.rstrip("/").rsplit("/", 1)[1]
        axe.check(page, f"question {key}")
        for name in page.eval_on_selector_all(
            "form input[type=text], form select, form textarea, form input[type=radio]",
            "els => [...new Set(els.map(e => e.name))]",
        ):
            if name in ("draft", "back", "csrfmiddlewaretoken"):
                continue
            value = answers.get(key if name == "value" else name, "")
            if key == "national_id":
                value = answers.get("national_id", "")
            field = page.locator(f"[name='{name}']").first
            kind = field.evaluate("e => e.tagName + (e.type || '')")
            if kind.startswith("SELECT"):
                field.select_option(value)
            elif "radio" in kind:
                if value:
                    page.locator(f"[name='{name}'][value='{value}']").check()
            else:
                field.fill(value)
        with page.expect_navigation():
            page.get_by_role("button", name="บันทึกและไปต่อ").click()
    pytest.fail("the questions never ended")


def upload_and_submit(phone: Staff, axe: Any) -> str:
    page = phone.page
    expect(page.get_by_role("heading", name="แนบเอกสาร", exact=True)).to_be_visible()
    axe.check(page, "documents")
    required = page.locator("section.apply-doc:has(.badge-missing)")
    files = [("บัตร.png", "image/png", tiny_png()), ("เอกสาร.pdf", "application/pdf", SAMPLE_FILES["pdf"])]
    for i in range(required.count()):
        section = page.locator("section.apply-doc:has(.badge-missing)").first
        name, mime, data = files[i % 2]
        section.locator("input[type=file]").set_input_files({"name": name, "mimeType": mime, "buffer": data})
        with page.expect_navigation():
            section.get_by_role("button").last.click()
    expect(page.locator("section.apply-doc .badge-missing")).to_have_count(0)
    expect(page.locator(".apply-files li").first).to_be_visible()
    page.get_by_role("link", name="ไปต่อ").click()
    axe.check(page, "declaration")
    page.get_by_label("ข้าพเจ้ารับรองว่าข้อมูลเป็นความจริง").check()
    page.get_by_role("button", name="ยืนยันและไปตรวจสอบข้อมูล").click()
    expect(page.get_by_role("heading", name="ตรวจสอบข้อมูลก่อนยื่น")).to_be_visible()
    axe.check(page, "check answers")
    page.get_by_role("button", name="ยื่นคำขอ", exact=True).click()
    expect(page.get_by_role("heading", name="ยื่นคำขอเรียบร้อยแล้ว")).to_be_visible()
    axe.check(page, "receipt")
    return page.locator(".apply-number").inner_text()


def test_a_full_bail_application_with_uploads_from_sign_in_to_the_receipt(citizen_phone: Any, axe: Any) -> None:
    from jfs.cases.models import Request

    phone, user = citizen_phone
    page = phone.page
    phone.visit("/apply/", "apply")
    page.get_by_role("link", name="กทย.2", exact=False).first.click()
    axe.check(page, "bail start page")
    page.get_by_role("button", name="เริ่มยื่นคำขอ").click()
    axe.check(page, "for whom")
    page.get_by_label("ยื่นขอสำหรับตนเอง").check()
    page.get_by_role("button", name="ถัดไป").click()
    axe.check(page, "consent")
    page.get_by_label("ข้าพเจ้าได้อ่านและรับทราบประกาศความเป็นส่วนตัวแล้ว (จำเป็น)").check()
    page.get_by_role("button", name="ยืนยันและไปต่อ").click()
    # a C.E. birth year is caught on its page, what was typed kept
    answer_questions(phone, axe, {**ANSWERS, "national_id": new_national_id(), "birth_date": "14/03/1975"})
    expect(page.locator(".error-summary")).to_contain_text("ปีเกิดต้องเป็น พ.ศ. — หมายถึง พ.ศ. 2518 ใช่หรือไม่")
    axe.check(page, "birth date refused")
    page.locator("[name=value]").fill("14/03/2518")
    with page.expect_navigation():
        page.get_by_role("button", name="บันทึกและไปต่อ").click()
    answer_questions(phone, axe, {**ANSWERS, "national_id": new_national_id()})
    number = upload_and_submit(phone, axe)
    req = Request.objects.get(number=number)
    assert req.channel == "online" and req.service == "BAIL" and req.created_by == user
    assert {d.content_type for d in req.documents.all()} == {"image/png", "application/pdf"}
    axe.assert_clean()


def test_a_relative_files_for_someone_else_and_staff_see_the_relationship(
    citizen_phone: Any, axe: Any, staff: Staff
) -> None:
    phone, _user = citizen_phone
    page = phone.page
    phone.visit("/apply/BAIL/", "bail start page")
    page.get_by_role("button", name="เริ่มยื่นคำขอ").click()
    page.get_by_label("ยื่นแทนผู้อื่น (เช่น ญาติ ทนายความ มูลนิธิ ผู้ปกครอง)").check()
    page.get_by_label("ท่านเกี่ยวข้องกับผู้ที่ท่านยื่นแทนอย่างไร").select_option("relative")
    page.get_by_label("ชื่อ-นามสกุลของท่าน (ผู้ยื่นแทน)").fill("นายพี่ชาย ยื่นแทน")
    page.get_by_role("button", name="ถัดไป").click()
    page.get_by_label("ข้าพเจ้าได้อ่านและรับทราบประกาศความเป็นส่วนตัวแล้ว (จำเป็น)").check()
    page.get_by_role("button", name="ยืนยันและไปต่อ").click()
    answer_questions(phone, axe, {**ANSWERS, "national_id": new_national_id(), "_detainee_is_applicant": "yes"})
    number = upload_and_submit(phone, axe)
    axe.assert_clean()

    from jfs.cases.models import Request

    req = Request.objects.get(number=number)
    staff.login("intake.cm")
    staff.visit(f"/staff/requests/{req.pk}/")
    expect(staff.page.locator("#h-applicant + dl")).to_contain_text("ยื่นออนไลน์")
    expect(staff.page.locator("#h-applicant + dl")).to_contain_text("นายพี่ชาย ยื่นแทน (ญาติ)")
