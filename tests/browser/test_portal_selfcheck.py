"""The self-check on a 390 px phone, signed out: bail through each of its three outcomes (likely eligible,
not eligible, cannot tell yet), and litigation with a Christian-era year questioned, a bad amount
explained and kept, and an answer changed from "check your answers". axe on every page visited (no
serious or critical finding)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENS, Axe, Staff

pytestmark = [pytest.mark.browser]


@pytest.fixture
def citizen(browser: Any, live_server: Any, axe: Axe, transactional_db: None) -> Iterator[Staff]:
    """A signed-out 390 x 844 phone."""
    ctx = browser.new_context(
        viewport=SCREENS["phone-390"], is_mobile=True, has_touch=True, device_scale_factor=1, locale="th-TH"
    )
    ctx.set_default_timeout(30_000)
    yield Staff(ctx.new_page(), live_server.url, axe)
    ctx.close()


def _checked(who: Staff, name: str) -> Any:
    """axe on the page now shown; the page has no horizontal scroll at 390 px."""
    page = who.page
    assert who.axe is not None
    who.axe.check(page, name)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, f"{name}: scrolls sideways"
    return page


def _choose_service(who: Staff, label: str) -> Any:
    who.visit("/check/", "selfcheck-start")
    page = who.page
    page.get_by_label(label).check()
    page.get_by_role("button", name="เริ่มตรวจสอบ").click()
    return page


def _bail_detained(who: Staff, answer: str) -> Any:
    page = _choose_service(who, "ขอปล่อยชั่วคราวผู้ต้องหาหรือจำเลย (กทย.2)")
    expect(page.get_by_role("heading", level=1)).to_contain_text("ถูกควบคุมตัวหรือถูกขังอยู่")
    _checked(who, "bail-question-detained")
    page.get_by_label(answer, exact=True).check()
    page.get_by_role("button", name="ดำเนินการต่อ").click()
    return page


def _to_result(who: Staff, name: str) -> Any:
    page = who.page
    expect(page.get_by_role("heading", level=1)).to_have_text("ตรวจสอบคำตอบของคุณ")
    _checked(who, f"{name}-answers")
    page.get_by_role("link", name="ดูผลการตรวจสอบ").click()
    return _checked(who, f"{name}-result")


def test_bail_likely_eligible(citizen: Staff, axe: Axe) -> None:
    page = _bail_detained(citizen, "ใช่")
    _checked(citizen, "bail-question-amount")
    page.get_by_label("วงเงินประกันที่ต้องวางเป็นเงินเท่าไร").fill("50,000")
    page.get_by_role("button", name="ดำเนินการต่อ").click()
    expect(page.locator("dl.selfcheck-answers")).to_contain_text("50,000 บาท")
    page = _to_result(citizen, "bail-eligible")
    expect(page.get_by_role("heading", level=1)).to_have_text("คุณน่าจะขอรับความช่วยเหลือได้")
    main = page.locator("main")
    expect(main).to_contain_text("ขอวงเงินประกัน 50,000 บาท")
    expect(main).to_contain_text("สิ่งที่จะนำมาพิจารณาประกอบ")
    expect(main).to_contain_text("15,000 บาท (ใช้ตั้งแต่ 24 เม.ย. 2559")
    expect(main).to_contain_text("หมายขัง/หมายจำคุก")
    expect(page.locator("main").get_by_role("link", name="ยื่นคำขอ")).to_have_attribute("href", "/apply/?service=BAIL")
    axe.assert_clean()


def test_bail_not_eligible_names_the_condition_and_where_to_go(citizen: Staff, axe: Axe) -> None:
    _bail_detained(citizen, "ไม่ใช่")
    page = _to_result(citizen, "bail-not-eligible")
    expect(page.get_by_role("heading", level=1)).to_have_text("กองทุนอาจช่วยเรื่องนี้ไม่ได้")
    main = page.locator("main")
    expect(main).to_contain_text("ผู้ต้องหาหรือจำเลยไม่ได้ถูกควบคุมหรือขัง จึงไม่มีเหตุขอปล่อยชั่วคราว")
    expect(main).to_contain_text("สภาทนายความในพระบรมราชูปถัมภ์")
    expect(main).to_contain_text("กรมคุ้มครองสิทธิและเสรีภาพ")
    expect(main).to_contain_text("คุณยังยื่นคำขอได้")
    expect(page.locator(".error-summary")).to_have_count(0)
    axe.assert_clean()


def test_bail_cannot_tell_yet_says_what_is_unknown_and_how_to_find_out(citizen: Staff, axe: Axe) -> None:
    page = _bail_detained(citizen, "ไม่ทราบ")
    _checked(citizen, "bail-question-amount-2")
    page.get_by_role("button", name="ไม่ทราบ").click()  # the amount is not known either
    page = _to_result(citizen, "bail-unknown")
    expect(page.get_by_role("heading", level=1)).to_have_text("ยังบอกผลไม่ได้")
    main = page.locator("main")
    expect(main).to_contain_text("ผู้ต้องหาหรือจำเลยถูกควบคุมตัวหรือถูกขังอยู่ตอนนี้หรือไม่")
    expect(main).to_contain_text("สอบถามสถานีตำรวจหรือเรือนจำที่เกี่ยวข้อง")
    expect(main).to_contain_text("1111 กด 77")
    axe.assert_clean()


def test_litigation_with_a_christian_era_year_a_bad_amount_and_a_change(citizen: Staff, axe: Axe) -> None:
    page = _choose_service(citizen, "ขอรับความช่วยเหลือในการดำเนินคดี (กทย.1)")
    _checked(citizen, "lit-question-role")
    page.get_by_role("button", name="ดำเนินการต่อ").click()  # nothing chosen
    expect(page.locator(".error-summary")).to_contain_text("กรุณาเลือกคำตอบหนึ่งข้อ")
    _checked(citizen, "lit-question-role-error")
    page.get_by_label("ผู้ถูกฟ้อง (จำเลย)").check()
    page.get_by_role("button", name="ดำเนินการต่อ").click()

    _checked(citizen, "lit-question-birth")
    page.get_by_label("วันที่").fill("17")
    page.get_by_label("เดือน (1–12)").fill("5")
    page.get_by_label("ปี พ.ศ.").fill("1987")
    page.get_by_role("button", name="ดำเนินการต่อ").click()
    expect(page.locator(".error-summary")).to_contain_text("คุณหมายถึง พ.ศ. 2530 ใช่หรือไม่")
    expect(page.get_by_label("ปี พ.ศ.")).to_have_value("1987")  # the answer is kept
    _checked(citizen, "lit-question-birth-ce")
    page.get_by_role("button", name="ใช่ ใช้ปี พ.ศ. 2530").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("ค่าใช้จ่ายในคดี")  # an adult: who files is not asked
    page.get_by_label("คุณต้องการขอค่าใช้จ่ายในคดีประมาณเท่าไร").fill("-3,000")
    page.get_by_role("button", name="ดำเนินการต่อ").click()
    expect(page.locator(".error-summary")).to_contain_text("ตัวเลขต้องไม่ติดลบ")
    expect(page.get_by_label("คุณต้องการขอค่าใช้จ่ายในคดีประมาณเท่าไร")).to_have_value("-3,000")
    _checked(citizen, "lit-question-amount-error")
    page.get_by_label("คุณต้องการขอค่าใช้จ่ายในคดีประมาณเท่าไร").fill("3,000")
    page.get_by_role("button", name="ดำเนินการต่อ").click()

    answers = page.locator("dl.selfcheck-answers")
    expect(answers).to_contain_text("17 พฤษภาคม 2530")
    expect(answers).to_contain_text("3,000 บาท")
    _checked(citizen, "lit-answers")
    page.get_by_role("link", name="เปลี่ยน จำนวนเงินที่ขอรับความช่วยเหลือ").click()
    expect(page.get_by_label("คุณต้องการขอค่าใช้จ่ายในคดีประมาณเท่าไร")).to_have_value("3000")
    page.get_by_label("คุณต้องการขอค่าใช้จ่ายในคดีประมาณเท่าไร").fill("25,000")
    page.get_by_role("button", name="ดำเนินการต่อ").click()
    expect(page.locator("dl.selfcheck-answers")).to_contain_text("25,000 บาท")
    page = _to_result(citizen, "lit-eligible")
    expect(page.get_by_role("heading", level=1)).to_have_text("คุณน่าจะขอรับความช่วยเหลือได้")
    expect(page.locator("main")).to_contain_text("ขอรับค่าใช้จ่ายรวม 25,000 บาท")
    axe.assert_clean()
