"""A bail case through abscondence in a real browser (issue 11, "Done when"): Chiang Mai's approved
bail request with its deposit; the finance officer records the court's forfeiture; the case officer
records a tracing attempt, the civil suit and a repayment plan; the finance officer opens the first
instalment's PromptPay QR (an SVG, with the amount, the B.E. due date and the reference in words),
imports the bank's payment file and the instalment is reconciled (a row matching nothing is
quarantined); the executive reads the absconder figures. axe checks every page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Staff

pytestmark = [pytest.mark.browser]


def _be(d: Any) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year + 543}"


def _bail_case(seeded: dict[str, Any]) -> Any:
    from jfs.accounts.models import Office
    from jfs.bail import services as bail
    from jfs.cases import services
    from jfs.core import clock
    from tests.browser.conftest import applicant
    from tests.decisions_support import decide

    users = seeded["users"]
    req = services.create_request(
        actor=users["intake.cm"], service="BAIL", office=Office.objects.get(code="50"), applicant=applicant("500101"),
        details={"detainee_name": "นายสมปอง ใจกล้า", "charge": "ลักทรัพย์", "held_at": "เรือนจำกลางเชียงใหม่",
                 "authority": "court", "authority_name": "ศาลจังหวัดเชียงใหม่", "bail_amount": "60000"})
    req = services.assign(actor=users["head.cm"], request_id=req.pk, assignee=users["officer.cm"],
                          expected_version=req.version)
    decide(req, users, "approved")
    rec = bail.open_record(users["officer.cm"], req, bail.Contract(
        contract_number="สป.77/2569", contract_on=clock.today(), obligations="มาศาลทุกนัด"))
    bail.deposit(users["finance.cm"], rec.pk, amount="60000", on=clock.today(), receipt_number="ร.1/2569",
                 key="browser-deposit")
    return req


def test_a_bail_case_through_abscondence_tracing_suit_and_reconciled_instalments(
        seeded: dict[str, Any], browser: Any, live_server: Any, axe: Any, tmp_path: Any) -> None:
    from jfs.core import clock
    from jfs.recovery import models as m

    req = _bail_case(seeded)
    today = clock.today()
    url = f"/staff/requests/{req.pk}/recovery/"

    def person(username: str) -> Staff:
        ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="th-TH")
        ctx.set_default_timeout(10_000)
        who = Staff(ctx.new_page(), live_server.url, axe)
        who.login(username)
        return who

    # the finance officer records the court's forfeiture (first above the deposit: refused on its field)
    finance = person("finance.cm")
    page = finance.page
    finance.visit(url, "recovery page before abscondence")
    page.locator("#id_abscond-order_0").check()
    page.locator("#id_abscond-absconded_on").fill(_be(today))
    page.locator("#id_abscond-order_reference").fill("คำสั่งที่ 45/2569")
    page.locator("#id_abscond-ordered_on").fill(_be(today))
    page.locator("#id_abscond-amount").fill("60000.01")
    page.get_by_role("button", name="บันทึกการผิดสัญญาประกัน").click()
    expect(page.locator(".error-summary")).to_contain_text("60,000.00")
    expect(page.locator("#id_abscond-order_reference")).to_have_value("คำสั่งที่ 45/2569")
    axe.check(page, "recovery page with the refused forfeiture")
    page.locator("#id_abscond-amount").fill("60000")
    page.get_by_role("button", name="บันทึกการผิดสัญญาประกัน").click()
    expect(page.locator("#bail-status")).to_contain_text("ผิดสัญญาประกัน")
    expect(page.locator("#owed")).to_contain_text("60,000.00 บาท")
    axe.check(page, "recovery page after abscondence (finance)")

    # the case officer: tracing, the civil suit and a repayment plan of three instalments
    officer = person("officer.cm")
    page = officer.page
    officer.visit(url, "recovery page (case officer)")
    page.locator("#id_tracing-on").fill(_be(today))
    page.locator("#id_tracing-result_1").check()
    page.locator("#id_tracing-note").fill("ไม่พบตัวตามที่อยู่ในทะเบียนบ้าน")
    page.get_by_role("button", name="บันทึกการติดตาม").click()
    expect(page.locator("#tracing")).to_contain_text("ไม่พบตัว")
    page.locator("#id_suit-filed_on").fill(_be(today))
    page.locator("#id_suit-court_name").fill("ศาลจังหวัดเชียงใหม่")
    page.locator("#id_suit-case_number").fill("ผบ.88/2569")
    page.locator("#id_suit-claim").fill("60000")
    page.get_by_role("button", name="บันทึกการยื่นฟ้อง").click()
    expect(page.locator("#suit")).to_contain_text("ผบ.88/2569")
    page.locator("#id_plan-agreed_on").fill(_be(today))
    page.locator("#id_plan-basis").fill("สัญญาประนีประนอมยอมความในคดี ผบ.88/2569")
    page.locator("#id_plan-total").fill("30000")
    page.locator("#id_plan-count").fill("3")
    page.locator("#id_plan-first_due").fill(_be(today))
    page.get_by_role("button", name="บันทึกแผน").click()
    expect(page.locator("#plan")).to_contain_text("10,000.00 บาท")
    axe.check(page, "recovery page with tracing, suit and plan")

    # the finance officer opens the first instalment's QR and imports the bank's file
    first = m.Instalment.objects.order_by("number").first()
    assert first is not None
    page = finance.page
    finance.visit(url)
    page.get_by_role("link", name=first.reference).click()
    expect(page.locator("#promptpay-qr svg")).to_be_visible()
    expect(page.locator("#pay-in-words")).to_contain_text("10,000.00 บาท")
    expect(page.locator("#ref1")).to_have_text(first.reference)
    axe.check(page, "instalment PromptPay QR")
    bank = tmp_path / "ktb-statement.csv"
    bank.write_text("transaction_id,paid_at,ref1,ref2,amount\n"
                    f"KTB0001,{today.isoformat()} 09:15:00,{first.reference},,10000.00\n"
                    f"KTB0002,{today.isoformat()} 09:20:00,NOSUCHREF,,10000.00\n", encoding="utf-8")
    finance.visit("/staff/recovery/import/", "bank file import page")
    page.locator("#id_file").set_input_files(str(bank))
    page.get_by_role("button", name="นำเข้าและกระทบยอด").click()
    expect(page.locator("#quarantine")).to_contain_text("เลขอ้างอิงไม่ตรงกับงวดชำระใด")
    axe.check(page, "bank file import result")
    finance.visit(url)
    expect(page.locator("#plan")).to_contain_text("KTB0001")
    expect(page.locator("#owed")).to_contain_text("50,000.00 บาท")

    # the executive reads the figures
    executive = person("executive")
    executive.visit("/staff/absconders/", "absconder figures")
    expect(executive.page.locator("table")).to_contain_text("ภาคเหนือ")
