"""Complaints and consultation on a 390 px phone: a citizen files a complaint one question per page,
an officer answers it on the staff page, the citizen reads the answer; a citizen books an
appointment and asks a question, an officer answers it with give_advice, the citizen reads it.
axe on every portal page visited (no serious or critical finding)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Axe, Staff
from tests.browser.test_portal_tracking import citizen_phone

pytestmark = [pytest.mark.browser]


def test_a_complaint_filed_answered_by_staff_and_read_by_the_citizen(
    seeded: dict[str, Any], staff: Staff, browser: Any, live_server: Any, axe: Axe
) -> None:
    from jfs.accounts.models import User
    from jfs.complaints.models import Complaint

    citizen = User.objects.create_user(
        username="citizen.complaint", role="citizen", first_name="มาลี", last_name="ทดสอบ"
    )
    ctx, phone = citizen_phone(browser, live_server.url, axe, citizen)
    page = phone.page
    try:
        phone.visit("/complaints/", "complaints start")
        page.get_by_role("link", name="เริ่มแจ้งเรื่อง").click()
        axe.check(page, "complaint about")
        page.get_by_role("button", name="ถัดไป").click()
        expect(page.locator(".error-summary")).to_contain_text("กรุณาเลือกเรื่องที่ร้องเรียน")
        axe.check(page, "complaint about with error")
        page.get_by_label("การให้บริการของกองทุน").check()
        page.get_by_role("button", name="ถัดไป").click()
        axe.check(page, "complaint office")
        page.get_by_label("สำนักงานที่เกี่ยวข้อง").select_option("50")
        page.get_by_role("button", name="ถัดไป").click()
        axe.check(page, "complaint details")
        page.get_by_label("หัวข้อเรื่อง").fill("รอคิวนาน")
        page.get_by_label("เล่าว่าเกิดอะไรขึ้น").fill("ไปที่สำนักงานแล้วรอสามชั่วโมง")
        page.get_by_role("button", name="ถัดไป").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("ตรวจสอบก่อนส่งเรื่อง")
        axe.check(page, "complaint check")
        page.get_by_role("button", name="ส่งเรื่อง").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("ส่งเรื่องแล้ว")
        axe.check(page, "complaint sent")
        c = Complaint.objects.get(citizen=citizen)
        expect(page.locator(".complaint-ref")).to_have_text(c.reference)

        staff.login("officer.cm")
        staff.visit("/staff/complaints/")
        staff.page.get_by_role("link", name=c.reference).click()
        staff.page.get_by_label("คำตอบถึงผู้ร้องเรียน").fill("ขออภัย เราเพิ่มช่องบริการแล้ว")
        staff.page.get_by_role("button", name="ตอบผู้ร้องเรียน").click()
        expect(staff.page.locator("dl.summary")).to_contain_text("ขออภัย เราเพิ่มช่องบริการแล้ว")

        phone.visit("/complaints/mine/", "my complaints")
        page.get_by_role("link", name="รอคิวนาน").click()
        expect(page.locator(".complaint-answer")).to_contain_text("ขออภัย เราเพิ่มช่องบริการแล้ว")
        axe.check(page, "complaint answered")
        page.get_by_role("button", name="พอใจกับคำตอบ ปิดเรื่อง").click()
        expect(page.locator("dl.summary")).to_contain_text("ปิดเรื่อง")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        axe.assert_clean()
    finally:
        ctx.close()


def test_a_consultation_booked_and_a_question_answered(
    seeded: dict[str, Any], browser: Any, live_server: Any, axe: Axe
) -> None:
    from jfs.accounts.models import User
    from jfs.cases import services as case_services
    from jfs.consultations.models import Appointment, Question
    from jfslib import thai_id

    citizen = User.objects.create_user(
        username="citizen.consult",
        role="citizen",
        first_name="สมหญิง",
        last_name="ทดสอบ",
        national_id=thai_id.make_valid("310150099887"),
    )
    ctx, phone = citizen_phone(browser, live_server.url, axe, citizen)
    page = phone.page
    try:
        phone.visit("/consult/", "consult start")
        page.get_by_role("link", name="นัดพบเจ้าหน้าที่").first.click()
        page.get_by_label("สำนักงานที่ท่านต้องการปรึกษา").select_option("50")
        axe.check(page, "book office")
        page.get_by_role("button", name="ถัดไป").click()
        axe.check(page, "book day")
        page.locator("input[name=day]").first.check()
        page.get_by_role("button", name="ถัดไป").click()
        axe.check(page, "book slot")
        page.locator("input[name=slot]").first.check()
        page.get_by_role("button", name="ถัดไป").click()
        axe.check(page, "book mode")
        page.get_by_label("ประชุมทางวิดีโอ").check()
        page.get_by_role("button", name="ถัดไป").click()
        axe.check(page, "book topic")
        page.get_by_label("เรื่องที่ต้องการปรึกษา").fill("ถูกเลิกจ้าง")
        page.get_by_role("button", name="ถัดไป").click()
        axe.check(page, "book check")
        page.get_by_role("button", name="ยืนยันนัด").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("นัดหมายของท่าน")
        axe.check(page, "appointment")
        appt = Appointment.objects.get(citizen=citizen)
        expect(page.locator("dl.summary")).to_contain_text(appt.video_link)

        phone.visit("/consult/ask/office/")
        page.get_by_label("สำนักงานที่ท่านต้องการปรึกษา").select_option("50")
        page.get_by_role("button", name="ถัดไป").click()
        axe.check(page, "ask question")
        page.get_by_label("เรื่องที่ต้องการปรึกษา").fill("ค่าชดเชย")
        page.get_by_label("คำถามของท่าน").fill("นายจ้างไม่จ่ายค่าชดเชย ทำอย่างไร")
        page.get_by_role("button", name="ถัดไป").click()
        axe.check(page, "ask about you")
        page.get_by_label("วันเกิด").fill("15/08/2530")
        page.get_by_label("เพศ").select_option("F")
        page.get_by_role("button", name="ถัดไป").click()
        axe.check(page, "ask postcode")
        page.get_by_label("รหัสไปรษณีย์ของที่อยู่ท่าน").fill("50200")
        page.get_by_role("button", name="ถัดไป").click()
        axe.check(page, "ask place")
        page.locator("input[name=place]").first.check()
        page.get_by_role("button", name="ถัดไป").click()
        axe.check(page, "ask check")
        page.get_by_role("button", name="ส่งคำถาม").click()
        expect(page.locator(".consult-answer")).to_contain_text("เจ้าหน้าที่ยังไม่ได้ตอบ")
        axe.check(page, "question waiting")

        q = Question.objects.get(citizen=citizen)
        officer = seeded["users"]["officer.cm"]
        case_services.transition(
            actor=officer,
            request_id=q.request.pk,
            action="give_advice",
            comment="ยื่นคำร้องต่อพนักงานตรวจแรงงาน",
            expected_version=q.request.version,
        )
        phone.visit("/consult/mine/", "my consultations")
        expect(page.locator(".consult-list").last).to_contain_text("ตอบแล้ว")
        page.get_by_role("link", name="ค่าชดเชย").click()
        expect(page.locator(".consult-answer")).to_contain_text("ยื่นคำร้องต่อพนักงานตรวจแรงงาน")
        axe.check(page, "question answered")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        axe.assert_clean()
    finally:
        ctx.close()
