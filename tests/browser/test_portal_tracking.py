"""THE JOURNEY, tracked on a 390 px phone: a bail request filed online → the officer asks for a
document on the staff pages → the citizen sees it, uploads it and sends it → the subcommittee
decides → the letter is issued → the citizen opens the letter → answers the survey. axe on every
portal page visited (no serious or critical finding).

The request is registered through ``create_request(actor=citizen, channel="online")`` (the service
the portal's application pages call), and the decision through the decisions services
(``tests.decisions_support``); everything the citizen and the officer do is done on the pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENS, Axe, Staff

pytestmark = [pytest.mark.browser]

BAIL = {
    "detainee_name": "นายสมปอง ใจกล้า",
    "charge": "ลักทรัพย์",
    "held_at": "เรือนจำกลางเชียงใหม่",
    "authority": "court",
    "authority_name": "ศาลจังหวัดเชียงใหม่",
    "bail_amount": "50000",
}


def citizen_phone(browser: Any, base_url: str, axe: Axe, user: Any) -> tuple[Any, Staff]:
    """A 390 px phone signed in as ``user`` on the portal (the session the digital-ID sign-in makes)."""
    from django.conf import settings
    from django.test import Client

    from jfs.portal.access import ASSURANCE_KEY

    client = Client()
    client.force_login(user)
    session = client.session
    session[ASSURANCE_KEY] = "digital_id"
    session.save()
    ctx = browser.new_context(
        viewport=SCREENS["phone-390"], is_mobile=True, has_touch=True, device_scale_factor=1, locale="th-TH"
    )
    ctx.set_default_timeout(10_000)
    ctx.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": base_url}])
    return ctx, Staff(ctx.new_page(), base_url, axe)


def test_a_bail_request_tracked_from_filing_to_the_survey(
    seeded: dict[str, Any], staff: Staff, browser: Any, live_server: Any, axe: Axe
) -> None:
    from jfs.accounts.models import Office, User
    from jfs.cases import services
    from jfs.cases.models import Request
    from jfs.core.models import Notification
    from jfs.decisions import services as decisions
    from jfs.tracking.models import Survey
    from tests.browser.conftest import applicant
    from tests.decisions_support import TO_CONSIDERATION, decide, to_consideration

    users = seeded["users"]
    citizen = User.objects.create_user(
        username="citizen.journey", role="citizen", first_name="บุญเรือน", last_name="ทดสอบ", national_id=""
    )
    req = services.create_request(
        actor=citizen,
        service="BAIL",
        office=Office.objects.get(code="50"),
        applicant=applicant("500101", nid="320150012345"),
        details=BAIL,
        channel="online",
    )
    ctx, phone = citizen_phone(browser, live_server.url, axe, citizen)
    page = phone.page
    try:
        # the citizen's list and their request: received, with the 21-working-day date in B.E.
        phone.visit("/my/requests/", "my requests")
        page.get_by_role("link", name=re.compile("ประกันตัว|ปล่อยชั่วคราว")).first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(req.number)
        expect(page.locator(".track-summary")).to_contain_text(re.compile(r"ภายในวันที่ \d{1,2} \S+ 25\d\d"))
        axe.check(page, "my request (received)")

        # the officer asks for a document on the staff pages
        s = staff.page
        staff.login("intake.cm")
        staff.visit(f"/staff/requests/{req.pk}/")
        s.locator("summary", has_text="เริ่มตรวจสอบคำขอ").click()
        s.get_by_role("button", name="ยืนยัน: เริ่มตรวจสอบคำขอ").click()
        expect(s.locator(".messages")).to_contain_text("บันทึกแล้ว")
        s.locator("summary", has_text="ขอเอกสารเพิ่มเติมจากผู้ขอ").click()
        form = s.locator("details[open] form")
        form.get_by_label("หมายเหตุ/เหตุผล").fill("ขอสำเนาหมายขังฉบับล่าสุด")
        form.get_by_role("button", name=re.compile("ยืนยัน")).click()
        expect(s.locator(".messages")).to_contain_text("บันทึกแล้ว")
        assert Notification.objects.filter(recipient=citizen, kind="tracking_documents_requested").exists()

        # the citizen sees what is asked, the clock paused; uploads the document and sends it
        phone.visit(f"/my/requests/{req.number}/", "my request (documents asked for)")
        asked = page.locator("#h-asked + *").locator("xpath=..")
        expect(asked).to_contain_text("ขอสำเนาหมายขังฉบับล่าสุด")
        expect(page.locator(".track-clock-paused")).to_be_visible()
        from tests.conftest import SAMPLE_FILES

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

        # a message to the officer, answered on the staff case page
        page.get_by_label("ข้อความถึงเจ้าหน้าที่").fill("ส่งหมายขังแล้วค่ะ")
        page.get_by_role("button", name="ส่งข้อความ").click()
        expect(page.locator(".messages")).to_contain_text("ส่งข้อความถึงเจ้าหน้าที่แล้ว")
        staff.visit(f"/staff/requests/{req.pk}/")
        expect(s.locator("#messages")).to_contain_text("ส่งหมายขังแล้วค่ะ")
        s.get_by_label("ตอบผู้ขอ").fill("ได้รับแล้ว ขอบคุณค่ะ")
        s.locator("#messages").get_by_role("button", name="ส่งข้อความ").click()
        expect(s.locator(".messages")).to_contain_text("ส่งข้อความถึงผู้ขอแล้ว")

        # the subcommittee decides (the decisions services), the officer issues the letter on the page
        to_consideration(Request.objects.get(pk=req.pk), users, steps=TO_CONSIDERATION[1:])  # screening already
        decide(Request.objects.get(pk=req.pk), users, "approved")
        staff.visit(f"/staff/requests/{req.pk}/")
        s.get_by_role("button", name=re.compile("ออกหนังสือแจ้งผล")).click()
        expect(s.locator(".messages")).to_contain_text("ออกหนังสือแจ้งผลการพิจารณาแล้ว")
        assert decisions.appeal_deadline(Request.objects.get(pk=req.pk)) is None  # approved: nothing to appeal

        # the citizen opens the letter and answers the survey
        phone.visit(f"/my/requests/{req.number}/", "my request (decided)")
        expect(page.locator("#h-messages").locator("xpath=..")).to_contain_text("ได้รับแล้ว ขอบคุณค่ะ")
        expect(page.locator("#h-decision").locator("xpath=..")).to_contain_text("อนุมัติ")
        with page.expect_download() as download:
            page.get_by_role("link", name=re.compile("ดาวน์โหลดหนังสือแจ้งผล")).click()
        assert download.value.suggested_filename.endswith(".pdf")
        page.get_by_role("button", name="ส่งแบบสอบถาม").click()  # nothing chosen: said, and linked
        expect(page.locator(".error-summary")).to_contain_text("กรุณาเลือกระดับความพึงพอใจ")
        axe.check(page, "survey with an error")
        page.get_by_label("5 – พอใจมาก").check()
        page.get_by_label("ความเห็นเพิ่มเติม").fill("เจ้าหน้าที่ตอบเร็ว")
        page.get_by_role("button", name="ส่งแบบสอบถาม").click()
        expect(page.locator(".messages")).to_contain_text("ขอบคุณที่ตอบแบบสอบถาม")
        axe.check(page, "my request (survey answered)")
        assert Survey.objects.get(request=req).score == 5
        phone.shot("portal tracking answered")
    finally:
        ctx.close()
    axe.assert_clean()
