"""THE WHOLE JOURNEY on a 390 x 844 phone, in one test (issue 12's "Done when"): the citizen signs in
with the state digital ID against the real local provider (``oidc_sim``), applies for bail on the
application pages with a real PNG and PDF, gets the receipt; the officer asks for a document on the
staff pages (password + one-time code); the citizen sees it in the inbox and on the tracking page,
uploads it and sends it; the request moves on and the subcommittee decides (the decisions services,
as ``tests.decisions_support`` takes a request through a meeting); the officer issues the letter on
the staff case page; the citizen opens the letter and answers the survey.

Keyboard where it matters: the skip link, the consent box and the survey's answer are used from the
keyboard. axe on every portal page visited (no serious or critical finding)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests import oidc_support
from tests.browser.conftest import SCREENS, Axe, Staff
from tests.browser.test_portal_apply import ANSWERS, answer_questions, upload_and_submit
from tests.conftest import SAMPLE_FILES
from tests.oidc_support import PASSWORD, SOMSRI

pytestmark = [pytest.mark.browser]
#: the digital-ID simulator fixtures (tests/oidc_support.py)
oidc = oidc_support.oidc
oidc_settings = oidc_support.oidc_settings


def _sign_in_with_the_digital_id(phone: Staff, axe: Axe, provider_url: str) -> None:
    """From the portal's sign-in page through the provider's login and consent pages, back signed in."""
    page = phone.page
    expect(page.get_by_role("heading", level=1)).to_have_text("เข้าสู่ระบบบริการออนไลน์")
    axe.check(page, "sign-in choice")
    page.get_by_role("link", name="เข้าสู่ระบบด้วย ThaID").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("เข้าสู่ระบบด้วย ThaID")
    assert page.url.startswith(provider_url + "/authorize")
    page.get_by_label("เลขประจำตัวประชาชน 13 หลัก").fill(SOMSRI)
    page.get_by_label("รหัสผ่าน").fill(PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ยินยอมให้ใช้ข้อมูล")
    page.get_by_role("button", name="ยินยอม", exact=True).click()


def _officer_asks_for_a_document(staff: Staff, request_pk: int) -> None:
    s = staff.page
    staff.login("intake.cm")
    staff.visit(f"/staff/requests/{request_pk}/")
    expect(s.locator("#h-applicant + dl")).to_contain_text("ยื่นออนไลน์")
    s.locator("summary", has_text="เริ่มตรวจสอบคำขอ").click()
    s.get_by_role("button", name="ยืนยัน: เริ่มตรวจสอบคำขอ").click()
    expect(s.locator(".messages")).to_contain_text("บันทึกแล้ว")
    s.locator("summary", has_text="ขอเอกสารเพิ่มเติมจากผู้ขอ").click()
    form = s.locator("details[open] form")
    form.get_by_label("หมายเหตุ/เหตุผล").fill("ขอสำเนาหมายขังฉบับล่าสุด")
    form.get_by_role("button", name=re.compile("ยืนยัน")).click()
    expect(s.locator(".messages")).to_contain_text("บันทึกแล้ว")


def test_a_citizen_signs_in_with_the_digital_id_applies_for_bail_and_follows_it_to_the_survey(
    seeded: dict[str, Any],
    staff: Staff,
    browser: Any,
    live_server: Any,
    axe: Axe,
    oidc: Any,
    oidc_settings: Any,
    settings: Any,
    tmp_path: Any,
) -> None:
    from jfs.accounts.models import User
    from jfs.cases.models import Request
    from jfs.decisions import services as decisions
    from jfs.tracking.models import Survey
    from tests.decisions_support import TO_CONSIDERATION, decide, to_consideration

    settings.JFS_APPLICATION_UPLOAD_ROOT = tmp_path / "application_uploads"
    users = seeded["users"]
    ctx = browser.new_context(
        viewport=SCREENS["phone-390"], is_mobile=True, has_touch=True, device_scale_factor=1, locale="th-TH"
    )
    ctx.set_default_timeout(30_000)  # a shared, busy machine
    phone = Staff(ctx.new_page(), live_server.url, axe)
    page = phone.page
    try:
        # the home page from the keyboard: the first Tab is the skip link, Enter lands in the main content
        phone.visit("/", "home")
        page.keyboard.press("Tab")
        expect(page.locator(".skip-link")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("main#content")).to_be_focused()

        # the bail start page; starting asks to sign in, the digital ID brings the citizen back to it
        phone.visit("/apply/BAIL/", "bail start page")
        page.get_by_role("button", name="เริ่มยื่นคำขอ").click()
        page.wait_for_url(re.compile(r"/sign-in/\?next="))
        _sign_in_with_the_digital_id(phone, axe, oidc.url)
        page.wait_for_url(re.compile(r"/apply/BAIL/$"))
        expect(page.locator(".who-name")).to_contain_text("สมศรี")
        citizen = User.objects.get(national_id=SOMSRI)
        axe.check(page, "bail start page, signed in")

        # the application: for whom, consent (from the keyboard), the questions, documents, receipt
        page.get_by_role("button", name="เริ่มยื่นคำขอ").click()
        axe.check(page, "for whom")
        page.get_by_label("ยื่นขอสำหรับตนเอง").check()
        page.get_by_role("button", name="ถัดไป").click()
        axe.check(page, "consent")
        page.get_by_label("ข้าพเจ้าได้อ่านและรับทราบประกาศความเป็นส่วนตัวแล้ว (จำเป็น)").focus()
        page.keyboard.press("Space")
        expect(page.get_by_label("ข้าพเจ้าได้อ่านและรับทราบประกาศความเป็นส่วนตัวแล้ว (จำเป็น)")).to_be_checked()
        page.get_by_role("button", name="ยืนยันและไปต่อ").click()
        # the digital ID verified her national ID and name: she is not asked for them
        answer_questions(phone, axe, ANSWERS)
        assert "/q/national_id/" not in page.url
        number = upload_and_submit(phone, axe)
        req = Request.objects.get(number=number)
        assert req.channel == "online" and req.service == "BAIL" and req.created_by == citizen
        assert req.office.code == "50"
        assert {d.content_type for d in req.documents.all()} == {"image/png", "application/pdf"}
        page.get_by_role("link", name="ดูคำขอของฉัน").click()
        axe.check(page, "my requests")
        page.locator(".track-item", has_text=number).get_by_role("link").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(number)
        axe.check(page, "my request (received)")

        # the officer asks for a document on the staff pages
        _officer_asks_for_a_document(staff, req.pk)

        # the citizen: the message in the inbox leads to the request, the clock paused
        phone.visit("/my/inbox/", "inbox")
        page.locator(".inbox-item").first.get_by_role("link").click()
        axe.check(page, "inbox message")
        page.get_by_role("link", name="ไปที่เรื่องนี้").click()
        page.wait_for_url(re.compile(rf"/my/requests/{re.escape(number)}/"))
        expect(page.locator("#h-asked").locator("xpath=..")).to_contain_text("ขอสำเนาหมายขังฉบับล่าสุด")
        expect(page.locator(".track-clock-paused")).to_be_visible()
        axe.check(page, "my request (documents asked for)")
        page.get_by_label("เอกสารนี้คือ").select_option(index=1)
        page.get_by_label(re.compile("เลือกไฟล์")).set_input_files(
            {"name": "หมายขัง.pdf", "mimeType": "application/pdf", "buffer": SAMPLE_FILES["pdf"]}
        )
        page.get_by_role("button", name="อัปโหลดเอกสาร").click()
        expect(page.locator(".messages")).to_contain_text("อัปโหลดเอกสารแล้ว")
        expect(page.locator(".track-asked")).to_contain_text("หมายขัง.pdf")
        axe.check(page, "my request (document uploaded)")
        page.get_by_role("button", name="ส่งเอกสารให้เจ้าหน้าที่").click()
        expect(page.locator(".messages")).to_contain_text("ส่งเอกสารให้เจ้าหน้าที่แล้ว")
        expect(page.locator(".track-clock-paused")).to_have_count(0)
        assert Request.objects.get(pk=req.pk).state == "screening"

        # the request moves on, the subcommittee approves; the officer issues the letter on the case page
        to_consideration(Request.objects.get(pk=req.pk), users, steps=TO_CONSIDERATION[1:])
        decide(Request.objects.get(pk=req.pk), users, "approved")
        staff.visit(f"/staff/requests/{req.pk}/")
        staff.page.get_by_role("button", name=re.compile("ออกหนังสือแจ้งผล")).click()
        expect(staff.page.locator(".messages")).to_contain_text("ออกหนังสือแจ้งผลการพิจารณาแล้ว")
        assert decisions.appeal_deadline(Request.objects.get(pk=req.pk)) is None  # approved: nothing to appeal

        # the citizen opens the letter and answers the survey (the score chosen from the keyboard)
        phone.visit(f"/my/requests/{number}/", "my request (decided)")
        expect(page.locator("#h-decision").locator("xpath=..")).to_contain_text("อนุมัติ")
        with page.expect_download() as download:
            page.get_by_role("link", name=re.compile("ดาวน์โหลดหนังสือแจ้งผล")).click()
        assert download.value.suggested_filename.endswith(".pdf")
        assert download.value.path().read_bytes().startswith(b"%PDF")
        page.get_by_label("5 – พอใจมาก").focus()
        page.keyboard.press("Space")
        page.get_by_label("ความเห็นเพิ่มเติม").fill("ยื่นออนไลน์ได้ ไม่ต้องเดินทาง")
        page.get_by_role("button", name="ส่งแบบสอบถาม").press("Enter")
        expect(page.locator(".messages")).to_contain_text("ขอบคุณที่ตอบแบบสอบถาม")
        axe.check(page, "my request (survey answered)")
        survey = Survey.objects.get(request=req)
        assert survey.score == 5 and survey.comment == "ยื่นออนไลน์ได้ ไม่ต้องเดินทาง"
        phone.shot("portal journey answered")
    finally:
        ctx.close()
    axe.assert_clean()
