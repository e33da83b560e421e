"""Bail money in a real browser (issue 11, "Done when": a bail case from approval through deposit,
hearings with a reminder, the end of the case and the money returned). A Chiang Mai bail request is
approved by its subcommittee; the case officer opens the bail record (the contract and its
obligations), the finance officer deposits the approved money with the court's receipt, the case
officer records the release, a past hearing and its appearance, and the next hearing; the worker's
reminder job runs and the officer finds the reminder in the inbox and follows it to the record; the
case ends, a return without the court's receipt is refused on its field, and with it the money is
back and the record returned. axe checks every page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENS, Staff, applicant

pytestmark = [pytest.mark.browser]


def _be(day: Any) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year + 543}"


def test_a_bail_case_from_approval_to_the_money_returned(seeded: dict[str, Any], browser: Any, live_server: Any,
                                                       axe: Any) -> None:
    from jfs.accounts.models import Office
    from jfs.bail import models as bm
    from jfs.bail.services import remind_hearings
    from jfs.cases import services
    from jfs.core import clock
    from tests.decisions_support import decide

    users = seeded["users"]
    cm = Office.objects.get(code="50")
    req = services.create_request(
        actor=users["intake.cm"], service="BAIL", office=cm, applicant=applicant("500101", nid="350150077777"),
        details={"detainee_name": "นายประกัน ตัวจริง", "charge": "ลักทรัพย์", "held_at": "เรือนจำกลางเชียงใหม่",
                 "authority": "court", "authority_name": "ศาลจังหวัดเชียงใหม่", "bail_amount": "50000"})
    req = services.assign(actor=users["head.cm"], request_id=req.pk, assignee=users["officer.cm"],
                          expected_version=req.version)
    req = decide(req, users, "approved")
    today = clock.today()
    record_path = f"/staff/requests/{req.pk}/bail/"

    def person(username: str) -> Staff:
        ctx = browser.new_context(viewport=SCREENS["desktop-1366"], locale="th-TH")
        ctx.set_default_timeout(10_000)
        who = Staff(ctx.new_page(), live_server.url, axe)
        who.login(username)
        return who

    # the case officer opens the record: the contract, dated ten days ago, and its obligations
    officer = person("officer.cm")
    page = officer.page
    officer.visit(record_path, "bail record before it is opened")
    expect(page.get_by_text("อนุมัติเงินประกันแล้ว 50,000.00 บาท")).to_be_visible()
    page.get_by_label("เลขที่สัญญาประกัน").fill("สป.77/2569")
    page.get_by_label("วันที่ทำสัญญาประกัน").fill(_be(today - timedelta(days=10)))
    page.get_by_label("เลขคดี").fill("อ.1234/2569")
    page.get_by_label("เงื่อนไขตามสัญญาประกัน").fill("มาศาลทุกนัด ห้ามออกนอกเขตจังหวัดเชียงใหม่")
    page.get_by_role("button", name="เปิดเรื่องประกัน").click()
    expect(page.get_by_text("เปิดเรื่องประกันแล้ว")).to_be_visible()
    expect(page.get_by_text("ทำสัญญาประกันแล้ว")).to_be_visible()
    assert page.locator("form[action$='/bail/deposits/']").count() == 0  # a case officer moves no money
    axe.check(page, "bail record opened (case officer)")

    # the finance officer deposits the approved money with the court's receipt
    finance = person("finance.cm")
    fpage = finance.page
    finance.visit(record_path, "bail record (finance officer)")
    form = fpage.locator("form[action$='/bail/deposits/']")
    expect(form.get_by_label("จำนวนเงินที่วาง (บาท)")).to_have_value("50000")
    form.get_by_label("วันที่วางเงิน").fill(_be(today - timedelta(days=9)))
    form.get_by_label("เลขที่ใบรับเงินประกัน").fill("ใบรับ 321/2569")
    form.get_by_role("button", name="วางเงินประกัน").click()
    expect(fpage.get_by_text("บันทึกการวางเงินประกันแล้ว")).to_be_visible()
    expect(fpage.get_by_role("cell", name="ใบรับ 321/2569")).to_be_visible()
    axe.check(fpage, "bail record deposited")

    # the officer records the release, a past hearing the person attended, and the next one
    page.reload()
    orders = page.locator("form[action$='/bail/orders/']")
    orders.get_by_label("คำสั่ง", exact=True).select_option("release")
    orders.get_by_label("วันที่มีคำสั่ง").fill(_be(today - timedelta(days=9)))
    orders.get_by_label("เลขที่คำสั่ง").fill("คำสั่งศาล 55/2569")
    orders.get_by_role("button", name="บันทึกคำสั่ง").click()
    expect(page.get_by_text("ได้รับการปล่อยชั่วคราว", exact=True)).to_be_visible()
    for day, place in ((today - timedelta(days=2), "ศาลจังหวัดเชียงใหม่ ห้อง 2"),
                       (today + timedelta(days=2), "ศาลจังหวัดเชียงใหม่ ห้อง 5")):
        hearing = page.locator("form[action$='/bail/hearings/']")
        hearing.get_by_label("วันนัด", exact=True).fill(_be(day))
        hearing.get_by_label("เวลานัด").fill("09.30")
        hearing.get_by_label("สถานที่นัด").fill(place)
        hearing.get_by_label("เรื่องที่นัด").fill("สืบพยาน")
        hearing.get_by_role("button", name="บันทึกวันนัด").click()
        expect(page.get_by_text("บันทึกวันนัดแล้ว")).to_be_visible()
    seen = page.locator("form[action$='/appearance/']")
    seen.get_by_label("ผู้ได้รับการปล่อยชั่วคราวมาตามนัดหรือไม่").select_option("yes")
    seen.get_by_role("button", name="บันทึกการมาตามนัด").click()
    expect(page.get_by_text("บันทึกการมาตามนัดแล้ว")).to_be_visible()
    expect(page.get_by_text("มาตามนัด", exact=True)).to_be_visible()
    axe.check(page, "bail record with hearings")

    # the worker's reminder job: the officer finds it in the inbox and follows it to the record
    assert remind_hearings() == 1
    officer.visit("/staff/inbox/", "inbox with the hearing reminder")
    reminder = page.get_by_text(f"คำขอเลขที่ {req.number}: นัดวันที่", exact=False)
    expect(reminder).to_be_visible()
    expect(reminder).to_contain_text("ห้อง 5")
    reminder.click()
    page.wait_for_url(f"**{record_path}")

    # the case ends: the money comes back, only with the court's receipt
    orders = page.locator("form[action$='/bail/orders/']")
    orders.get_by_label("คำสั่ง", exact=True).select_option("case_ended")
    orders.get_by_label("วันที่มีคำสั่ง").fill(_be(today))
    orders.get_by_role("button", name="บันทึกคำสั่ง").click()
    expect(page.get_by_text("บันทึกคำสั่งแล้ว")).to_be_visible()
    fpage.reload()
    back = fpage.locator("form[action$='/bail/returns/']")
    back.get_by_label("เหตุที่ได้รับเงินคืน").select_option("case_ended")
    back.get_by_label("วันที่ได้รับเงินคืน").fill(_be(today))
    back.get_by_role("button", name="บันทึกการรับเงินคืน").click()
    expect(fpage.locator(".field-error")).to_contain_text("กรุณากรอกเลขที่ใบรับคืนเงินประกันของศาล")
    axe.check(fpage, "bail return refused without the court's receipt")
    back = fpage.locator("form[action$='/bail/returns/']")
    back.get_by_label("เลขที่ใบรับคืนเงินประกันของศาล").fill("ศาล 888/2569")
    back.get_by_role("button", name="บันทึกการรับเงินคืน").click()
    expect(fpage.get_by_text("บันทึกการรับเงินประกันคืนแล้ว")).to_be_visible()
    expect(fpage.get_by_text("ได้รับเงินประกันคืนครบแล้ว")).to_be_visible()
    expect(fpage.get_by_role("cell", name="ศาล 888/2569")).to_be_visible()
    fpage.set_viewport_size(SCREENS["phone-390"])
    axe.check(fpage, "bail record returned (phone)")
    finance.visit("/staff/bail/?status=returned", "bail list")
    expect(fpage.get_by_role("link", name=req.number)).to_be_visible()
    rec = bm.BailRecord.objects.get(request=req)
    assert rec.status == bm.RETURNED and rec.closed_on == today
    axe.assert_clean()
