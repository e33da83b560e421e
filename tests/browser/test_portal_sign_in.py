"""Citizens' sign-in on a 390 px phone: with the state digital ID against the real local provider
(``oidc_sim``: its login and consent pages, then back to the portal signed in), a forged answer
refused, and with a one-time code by SMS (the code read from what the SMS gateway was given).
axe on every portal page visited (no serious or critical finding)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests import oidc_support
from tests.browser.conftest import Axe
from tests.oidc_support import PASSWORD, SOMSRI

pytestmark = [pytest.mark.browser]
#: the digital-ID simulator fixtures (tests/oidc_support.py)
oidc = oidc_support.oidc
oidc_settings = oidc_support.oidc_settings


def _phone(browser: Any) -> Any:
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="th-TH")
    ctx.set_default_timeout(30_000)  # a shared, busy machine
    return ctx


def test_a_citizen_signs_in_with_the_digital_id_on_a_phone(
    transactional_db: None, browser: Any, live_server: Any, axe: Axe, oidc: Any, oidc_settings: Any
) -> None:
    ctx = _phone(browser)
    page = ctx.new_page()
    try:
        page.goto(live_server.url + "/sign-in/")
        expect(page.get_by_role("heading", level=1)).to_have_text("เข้าสู่ระบบบริการออนไลน์")
        axe.check(page, "sign-in choice")
        page.get_by_role("link", name="เข้าสู่ระบบด้วย ThaID").click()

        # the provider's pages (the simulator, another origin)
        expect(page.get_by_role("heading", level=1)).to_have_text("เข้าสู่ระบบด้วย ThaID")
        assert page.url.startswith(oidc.url + "/authorize")
        page.get_by_label("เลขประจำตัวประชาชน 13 หลัก").fill(SOMSRI)
        page.get_by_label("รหัสผ่าน").fill(PASSWORD)
        page.get_by_role("button", name="เข้าสู่ระบบ").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("ยินยอมให้ใช้ข้อมูล")
        expect(page.locator("main")).to_contain_text("เลขประจำตัวประชาชน")
        page.get_by_role("button", name="ยินยอม", exact=True).click()

        # back on the portal, signed in
        page.wait_for_url(re.compile(r"/my/requests/$"))
        expect(page.locator(".who-name")).to_contain_text("สมศรี")
        axe.check(page, "my requests after the digital ID")
        page.get_by_role("button", name="ออกจากระบบ").click()
        page.wait_for_url(re.compile(r"/sign-in/$"))
        expect(page.get_by_role("link", name="เข้าสู่ระบบด้วย ThaID")).to_be_visible()

        # a forged answer: a Thai page, nobody signed in
        page.goto(live_server.url + "/sign-in/digital-id/callback/?state=forged&code=x")
        expect(page.get_by_role("heading", level=1)).to_have_text("เข้าสู่ระบบไม่สำเร็จ")
        axe.check(page, "sign-in refused")
    finally:
        ctx.close()
    axe.assert_clean()


def test_a_citizen_signs_in_with_an_sms_code_on_a_phone(
    transactional_db: None, browser: Any, live_server: Any, axe: Axe
) -> None:
    from jfs.notify import gateways

    ctx = _phone(browser)
    page = ctx.new_page()
    try:
        page.goto(live_server.url + "/sign-in/")
        page.get_by_role("link", name="รับรหัสทาง SMS").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("หมายเลขโทรศัพท์มือถือของท่าน")
        axe.check(page, "mobile number")
        page.get_by_label("หมายเลขโทรศัพท์มือถือ").fill("02-123-4567")
        page.get_by_role("button", name="ส่งรหัส").click()
        summary = page.locator(".error-summary")
        expect(summary).to_contain_text("มือถือ")
        axe.check(page, "mobile number with an error")
        summary.get_by_role("link").first.click()
        expect(page.get_by_label("หมายเลขโทรศัพท์มือถือ")).to_be_focused()
        page.get_by_label("หมายเลขโทรศัพท์มือถือ").fill("081-234-5678")
        page.get_by_role("button", name="ส่งรหัส").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("กรอกรหัสที่ได้รับ")
        expect(page.locator("main")).to_contain_text("***678")
        axe.check(page, "code entry")
        sent = [m for m in gateways.OUTBOX if m.address == "+66812345678"]
        assert sent, "the SMS gateway was given no code"
        code = re.search(r"\b(\d{6})\b", sent[-1].text).group(1)
        page.get_by_label("รหัส 6 หลัก").fill(f"{(int(code) + 1) % 10**6:06d}")
        page.get_by_role("button", name="เข้าสู่ระบบ").click()
        expect(page.locator(".error-summary")).to_contain_text("กรอกได้อีก 4 ครั้ง")
        axe.check(page, "code entry with an error")
        page.get_by_label("รหัส 6 หลัก").fill(code)
        page.get_by_role("button", name="เข้าสู่ระบบ").click()
        page.wait_for_url(re.compile(r"/my/requests/(#.*)?$"))  # the error summary's fragment may stay
        expect(page.get_by_role("button", name="ออกจากระบบ")).to_be_visible()
    finally:
        ctx.close()
    axe.assert_clean()
