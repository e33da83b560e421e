"""The inbox and the notification channels on a 390 px phone: a message from the fund appears
unread, opening it marks it read and leads onward; the citizen chooses SMS and LINE, gets every
problem on its field (the summary's links move to the field), fixes them and saves. axe on every
portal page visited (no serious or critical finding)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Axe
from tests.browser.test_portal_tracking import citizen_phone

pytestmark = [pytest.mark.browser]


def test_a_citizen_reads_a_message_and_chooses_channels(
    transactional_db: None, fast_hashing: None, browser: Any, live_server: Any, axe: Axe
) -> None:
    from jfs.accounts.models import User
    from jfs.notify import selectors, services

    citizen = User.objects.create_user(username="citizen.inbox", role="citizen", first_name="มาลี", last_name="ทดสอบ")
    services.notify(recipient=citizen, kind="k", subject="ข้อความก่อนหน้า", body="อ่านแล้วก็ได้")
    note = services.notify(
        recipient=citizen, kind="request_update", subject="เจ้าหน้าที่ขอเอกสารเพิ่มเติม",
        body="โปรดส่งสำเนาหมายศาลภายใน 15 วัน", link="/my/notifications/",
    )  # fmt: skip
    ctx, phone = citizen_phone(browser, live_server.url, axe, citizen)
    page = phone.page
    try:
        phone.visit("/my/inbox/", "inbox")
        expect(page.get_by_role("heading", level=1)).to_have_text("กล่องข้อความ")
        expect(page.locator(".lead")).to_contain_text("ยังไม่ได้อ่าน 2")
        first = page.locator(".inbox-item").first
        expect(first).to_contain_text("เจ้าหน้าที่ขอเอกสารเพิ่มเติม")
        expect(first).to_contain_text("ยังไม่ได้อ่าน")
        expect(first).to_contain_text(re.compile(r"25\d\d"))  # a Buddhist-era date
        first.get_by_role("link").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("เจ้าหน้าที่ขอเอกสารเพิ่มเติม")
        expect(page.locator(".inbox-body")).to_contain_text("15 วัน")
        axe.check(page, "inbox message")
        note.refresh_from_db()
        assert note.read_at is not None
        page.get_by_role("link", name="กลับไปที่กล่องข้อความ").click()
        expect(page.locator(".lead")).to_contain_text("ยังไม่ได้อ่าน 1")

        # channels: one form, every problem on its field, then saved
        phone.visit("/my/notifications/", "channels")
        page.get_by_label("ข้อความ SMS ทางโทรศัพท์มือถือ").check()
        page.get_by_label("หมายเลขโทรศัพท์มือถือ").fill("02-123-4567")
        page.get_by_label("LINE", exact=True).check()
        page.get_by_role("button", name="บันทึก").click()
        summary = page.locator(".error-summary")
        expect(summary).to_contain_text("มือถือ")
        expect(summary).to_contain_text("LINE")
        axe.check(page, "channels with errors")
        summary.get_by_role("link").first.click()
        expect(page.get_by_label("หมายเลขโทรศัพท์มือถือ")).to_be_focused()
        expect(page.get_by_label("หมายเลขโทรศัพท์มือถือ")).to_have_value("02-123-4567")
        page.get_by_label("หมายเลขโทรศัพท์มือถือ").fill("081-234-5678")
        page.get_by_label("รหัสผู้ใช้ LINE").fill("U" + "0123456789abcdef" * 2)
        page.get_by_role("button", name="บันทึก").click()
        expect(page.locator(".messages")).to_contain_text("บันทึกช่องทางรับข้อความแล้ว")
        expect(page.get_by_label("หมายเลขโทรศัพท์มือถือ")).to_have_value("081-234-5678")
        axe.check(page, "channels saved")
        choice = selectors.channels_of(citizen.pk)
        assert choice is not None and [c for c, _ in choice.addresses()] == ["sms", "line"]
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
        axe.assert_clean()
    finally:
        ctx.close()
