"""Two steps in one, in a real browser at 390 px and 1366 px, checked with axe-core: an action's
form with its follow-on (a check box; choices when there are several) and the officer to hand the
request to (the current assignee preselected); a refused follow-on comes back with what was typed and
nothing saved; the new-request page's "register and start screening"."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_case_tasklist import make

pytestmark = [pytest.mark.browser]


def _open_action(page: Any, name: str) -> Any:
    page.locator("summary", has_text=name).first.click()
    return page.locator("details[open] form")


def test_accept_and_hand_to_another_officer(seeded, screen, axe):
    from jfs.cases import services
    from jfs.cases.models import Request
    from tests.conftest import SAMPLE_FILES

    req = make(seeded, "LIT", "start_screening")
    for d in req.workflow.required_documents():  # the documents on file: "accept" is offered
        services.add_document(actor=seeded["users"]["intake.cm"], request_id=req.pk, doc_type=d.code,
                              name=f"{d.code}.pdf", chunks=[SAMPLE_FILES["pdf"]], size=len(SAMPLE_FILES["pdf"]))
    page = screen.page
    screen.login("intake.cm")
    screen.visit(f"/staff/requests/{req.pk}/")
    form = _open_action(page, "เอกสารครบถ้วน รับเรื่องเพื่อแสวงหาข้อเท็จจริง")
    select = form.get_by_label("ส่งต่อให้")
    expect(select).to_be_visible()
    expect(select.locator("option:checked")).to_contain_text("สมชาย")  # who holds it now
    expect(form.get_by_text("แล้วดำเนินการต่อ")).to_have_count(0)  # fact-finding is not the intake officer's
    axe.check(page, f"accept with hand-off ({page.viewport_size['width']} px)")
    screen.shot(f"two-steps hand-off {page.viewport_size['width']}")
    select.select_option(select.locator("option", has_text="วิภา").first.get_attribute("value"))
    form.get_by_role("button", name="ยืนยัน: เอกสารครบถ้วน รับเรื่องเพื่อแสวงหาข้อเท็จจริง").click()
    expect(page.locator(".messages")).to_contain_text("มอบหมายให้ วิภา")
    axe.assert_clean()
    req = Request.objects.get(pk=req.pk)
    assert (req.state, req.assigned_to.username) == ("fact_finding", "officer2.cm")


def test_notify_and_then_close_chosen_among_the_next_steps(seeded, screen, axe):
    from jfs.cases.models import Request

    req = make(seeded, "BAIL", "start_screening", "accept", "complete_fact_finding", "submit_opinion",
               "record_subcommittee_decision", outcome="approved", reason_code="A03")
    page = screen.page
    screen.login("officer.cm")
    screen.visit(f"/staff/requests/{req.pk}/")
    form = _open_action(page, "แจ้งผลการพิจารณาแก่ผู้ขอ")
    nothing = form.get_by_label("ไม่ทำขั้นตอนต่อไปในตอนนี้")
    expect(nothing).to_be_checked()  # nothing more unless chosen
    expect(form.get_by_label("แล้วดำเนินการต่อ: ติดตามผลการช่วยเหลือ")).not_to_be_checked()
    axe.check(page, f"notify with follow-on choices ({page.viewport_size['width']} px)")
    screen.shot(f"two-steps choices {page.viewport_size['width']}")
    form.get_by_label("แล้วดำเนินการต่อ: ปิดเรื่อง").check()
    form.get_by_role("button", name="ยืนยัน: แจ้งผลการพิจารณาแก่ผู้ขอ").click()
    expect(page.locator(".messages")).to_contain_text("แจ้งผลการพิจารณาแก่ผู้ขอ และ ปิดเรื่อง")
    expect(page.locator(".case-meta .state-tag")).to_have_text("ปิดเรื่อง")
    axe.check(page, f"closed in one go ({page.viewport_size['width']} px)")
    axe.assert_clean()
    assert Request.objects.get(pk=req.pk).state == "closed"


def test_a_refused_follow_on_comes_back_with_what_was_typed(seeded, screen, axe):
    from jfs.cases.models import Request

    req = make(seeded, "HR", "start_screening", "accept")
    page = screen.page
    screen.login("officer.cm")
    screen.visit(f"/staff/requests/{req.pk}/")
    form = _open_action(page, "แสวงหาข้อเท็จจริงเสร็จสิ้น")
    form.locator("textarea[name$='-comment']").fill("พบหลักฐานครบ")
    form.get_by_label("แล้วดำเนินการต่อ: เสนอความเห็นเจ้าหน้าที่").check()
    form.get_by_role("button", name="ยืนยัน: แสวงหาข้อเท็จจริงเสร็จสิ้น").click()
    # the opinion needs its comment: neither step saved, the form open again as it was left
    form = page.locator("details[open] form")
    expect(page.locator("details[open] .error-summary")).to_contain_text("กรุณาระบุเหตุผลประกอบ")
    expect(form.get_by_label("แล้วดำเนินการต่อ: เสนอความเห็นเจ้าหน้าที่")).to_be_checked()
    expect(form.locator("textarea[name$='-comment']")).to_have_value("พบหลักฐานครบ")
    assert Request.objects.get(pk=req.pk).state == "fact_finding"
    axe.check(page, f"refused follow-on ({page.viewport_size['width']} px)")
    form.get_by_label("หมายเหตุ/เหตุผลของขั้นตอนต่อไป", exact=True).fill("เห็นควรอนุมัติ")
    form.get_by_role("button", name="ยืนยัน: แสวงหาข้อเท็จจริงเสร็จสิ้น").click()
    expect(page.locator(".messages")).to_contain_text("แสวงหาข้อเท็จจริงเสร็จสิ้น และ เสนอความเห็นเจ้าหน้าที่")
    axe.assert_clean()
    assert Request.objects.get(pk=req.pk).state == "consideration"


def test_the_new_request_page_offers_register_and_start_screening(seeded, screen, axe):
    page = screen.page
    screen.login("intake.cm")
    screen.visit("/staff/requests/new/?service=BAIL", f"new request ({page.viewport_size['width']} px)")
    button = page.get_by_role("button", name="บันทึกและเริ่มตรวจสอบคำขอ")
    expect(button).to_be_visible()
    expect(page.get_by_role("button", name="บันทึกคำขอ", exact=True)).to_be_visible()
    axe.assert_clean()
