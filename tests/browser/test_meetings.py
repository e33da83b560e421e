"""A provincial subcommittee's meeting in a real browser (issue 10, the first "Done when"): a
litigation request in consideration, Chiang Mai's secretary schedules a meeting (B.E. date, hybrid),
builds the agenda and records attendance while one member signs in electronically, opens it with a
quorum; member3.cm declares a conflict and is offered no vote, the others vote; the secretary records
a partial approval with amounts per item and two reasons (offered by the outcome, htmx), closes the
meeting; chair.cm approves the minutes and the minutes PDF downloads with the resolution in it; the
case officer issues the decision letter (a Thai PDF with the amounts, the reasons and the appeal). The
meeting page is checked with axe at 390 px and 1366 px, open (secretary and member) and approved."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENS, Staff

pytestmark = [pytest.mark.browser]

#: the demo names of Chiang Mai's subcommittee
NAMES = {"chair.cm": "ประยูร เป็นกลาง", "member.cm": "ธนา ยุติธรรม", "member2.cm": "นงลักษณ์ ธรรมดี",
         "member3.cm": "ชาญ ชอบธรรม"}


@pytest.fixture
def people(browser: Any, live_server: Any, axe: Any) -> Iterator[Any]:
    """people("chair.cm") -> that person signed in, in a browser of their own (1366 px)."""
    contexts: list[Any] = []

    def open_as(username: str) -> Staff:
        ctx = browser.new_context(viewport=SCREENS["desktop-1366"], locale="th-TH", accept_downloads=True)
        ctx.set_default_timeout(10_000)
        contexts.append(ctx)
        who = Staff(ctx.new_page(), live_server.url, axe)
        who.login(username)
        return who

    yield open_as
    for ctx in contexts:
        ctx.close()


def _axe_both_screens(who: Staff, name: str) -> None:
    """axe on the page as it is, at the phone's and the desktop's width."""
    page = who.page
    for screen, size in SCREENS.items():
        page.set_viewport_size(size)
        who.axe.check(page, f"{name} {screen}")
        who.shot(f"{name} {screen}")
    page.set_viewport_size(SCREENS["desktop-1366"])


def test_a_litigation_request_through_a_provincial_meeting_to_partial_approval_and_minutes(
        seeded: dict[str, Any], people: Any) -> None:
    from jfs.core import clock
    from jfs.core.pdf import pdf_text
    from jfs.decisions import selectors
    from tests.decisions_support import seat_everyone, to_consideration

    users = seeded["users"]
    seat_everyone()
    req = to_consideration(seeded["cm_req"], users)
    assert req.state == "consideration"

    # the secretary schedules the meeting: a Buddhist-era date, hybrid
    secretary = people("secretary.cm")
    page = secretary.page
    page.get_by_role("link", name="การประชุม", exact=True).click()
    page.wait_for_url("**/staff/meetings/")
    _axe_both_screens(secretary, "meetings list with the scheduling form")
    today = clock.today()
    page.get_by_label("วันที่ประชุม").fill(f"{today.day:02d}/{today.month:02d}/{today.year + 543}")
    page.get_by_label("เวลา", exact=True).fill("09.30")
    page.get_by_label("สถานที่ประชุม").fill("ห้องประชุมสำนักงานยุติธรรมจังหวัดเชียงใหม่")
    page.get_by_label("ประชุมในห้องประชุมและผ่านสื่ออิเล็กทรอนิกส์").check()
    page.get_by_role("button", name="นัดประชุม").click()
    page.wait_for_url(re.compile(r"/staff/meetings/\d+/$"))
    meeting_url = page.url.removeprefix(secretary.base)
    main = page.locator("main")
    expect(main).to_contain_text("นัดประชุมแล้ว")
    expect(main).to_contain_text("09:30")

    # the agenda, from the requests waiting
    page.get_by_role("button", name="จัดระเบียบวาระจากคำขอที่รอพิจารณา").click()
    expect(main).to_contain_text("วาระที่ 1")
    expect(main.get_by_role("link", name=req.number)).to_be_visible()

    # attendance: three in the room, recorded by the secretary; member2.cm signs in electronically
    for who in ("chair.cm", "member.cm", "member3.cm"):
        page.get_by_role("button", name=f"บันทึกว่า {NAMES[who]} มาประชุม").click()
        expect(main).to_contain_text(f"บันทึกการเข้าประชุมของ {NAMES[who]} แล้ว")
    member2 = people("member2.cm")
    member2.visit(meeting_url)
    member2.page.get_by_role("button", name="ลงชื่อเข้าประชุมผ่านสื่ออิเล็กทรอนิกส์").click()
    expect(member2.page.locator("main")).to_contain_text("บันทึกการเข้าประชุมของ นงลักษณ์ ธรรมดี แล้ว")

    secretary.visit(meeting_url)
    expect(page.locator("#quorum-line")).to_contain_text("มาประชุม 4 จาก 4 คน ต้องมีอย่างน้อย 3 คน")
    page.get_by_role("button", name="เปิดประชุม").click()
    expect(main).to_contain_text("เปิดประชุมแล้ว")

    # member3.cm declares a conflict: no vote is offered to them any more
    member3 = people("member3.cm")
    member3.visit(meeting_url)
    m3 = member3.page
    m3.locator("summary", has_text="แจ้งส่วนได้เสียในวาระนี้").click()
    m3.get_by_label("ส่วนได้เสีย", exact=False).fill("เป็นญาติของคู่ความ")
    m3.get_by_role("button", name="แจ้งส่วนได้เสีย", exact=True).click()
    expect(m3.locator("main")).to_contain_text("ท่านแจ้งส่วนได้เสียในวาระนี้ จึงไม่ลงมติ")
    expect(m3.get_by_role("button", name="เห็นชอบ", exact=True)).to_have_count(0)

    # the others vote (member2.cm electronically)
    chair = people("chair.cm")
    for who, choice in ((chair, "เห็นชอบ"), (people("member.cm"), "เห็นชอบ"), (member2, "งดออกเสียง")):
        who.visit(meeting_url)
        if who is chair:
            _axe_both_screens(who, "meeting open, a member")
        who.page.get_by_role("button", name=choice, exact=True).click()
        expect(who.page.locator("main")).to_contain_text(f"ท่านลงมติแล้ว: {choice}")

    # the secretary records a partial approval: reasons offered for that outcome, amounts per item
    secretary.visit(meeting_url)
    expect(main).to_contain_text("เห็นชอบ 2 · ไม่เห็นชอบ 0 · งดออกเสียง 1")
    _axe_both_screens(secretary, "meeting open, the secretary")
    page.get_by_label("อนุมัติบางส่วน", exact=True).check()
    reasons_box = page.locator("fieldset[id$='-reason_codes']")
    expect(reasons_box.get_by_label("อนุมัติเฉพาะรายการค่าใช้จ่ายที่จำเป็นแก่คดี")).to_be_visible()
    expect(reasons_box.get_by_label("คดีไม่มีมูลหรือไม่เป็นประโยชน์แก่ผู้ขอ")).to_have_count(0)  # a rejection's
    reasons_box.get_by_label("ผู้ขอมีฐานะยากจน ไม่สามารถรับภาระค่าใช้จ่ายได้").check()
    reasons_box.get_by_label("อนุมัติเฉพาะรายการค่าใช้จ่ายที่จำเป็นแก่คดี").check()
    lawyer = page.locator("input[name$='-item_lawyer']")
    expect(lawyer).to_have_value("15000")  # prefilled with the amount requested
    lawyer.fill("10000")
    page.get_by_label("บันทึกเพิ่มเติม", exact=False).fill("ค่าทนายความเกินอัตราของกองทุน")
    page.get_by_role("button", name="บันทึกมติ", exact=True).click()
    expect(main).to_contain_text("บันทึกมติที่ประชุมแล้ว")
    expect(main).to_contain_text("อนุมัติบางส่วน")
    expect(main).to_contain_text("รวม 12,500.00 บาท")
    page.get_by_role("button", name="ปิดประชุม").click()
    expect(main).to_contain_text("ปิดประชุมแล้ว")

    # the chair approves the minutes; the PDF downloads with the resolution in it
    chair.visit(meeting_url)
    chair.page.get_by_role("button", name="รับรองรายงานการประชุม").click()
    expect(chair.page.locator("main")).to_contain_text("รับรองรายงานการประชุมแล้ว")
    _axe_both_screens(chair, "meeting approved")
    with chair.page.expect_download() as got:
        chair.page.get_by_role("link", name="ดาวน์โหลดรายงานการประชุม (PDF)").click()
    data = Path(got.value.path()).read_bytes()
    assert data.startswith(b"%PDF")
    text = "".join(pdf_text(data).split())
    for expected in (req.number, "มติที่ประชุม:อนุมัติบางส่วน", "ผู้ขอมีฐานะยากจน", "ชาญชอบธรรม"):
        assert expected in text, expected

    decision = selectors.latest_decision(req)
    assert decision is not None and decision.outcome == "partially_approved"
    assert (decision.votes_for, decision.votes_against, decision.votes_abstain) == (2, 0, 1)
    assert sorted(r.code for r in decision.reasons.all()) == ["A01", "P01"]

    # the case officer issues the decision letter from the case page: the partial approval, the amounts,
    # the reasons in words and how to appeal, as a Thai PDF
    officer = people("officer.cm")
    officer.visit(f"/staff/requests/{req.pk}/")
    panel = officer.page.locator("#decisions")
    expect(panel).to_contain_text("อนุมัติบางส่วน")
    panel.get_by_role("button", name="ออกหนังสือแจ้งผล").click()
    expect(officer.page.locator(".messages")).to_contain_text("ออกหนังสือแจ้งผลการพิจารณาแล้ว")
    with officer.page.expect_download() as got:
        panel.get_by_role("link", name="ดาวน์โหลดหนังสือแจ้งผล", exact=False).first.click()
    letter = Path(got.value.path()).read_bytes()
    assert letter.startswith(b"%PDF")
    text = "".join(pdf_text(letter).split())
    for expected in ("อนุมัติบางส่วน", "12,500.00", "ค่าทนายความ", "ผู้ขอมีฐานะยากจน", "อุทธรณ์ต่อคณะกรรมการกองทุนยุติธรรม"):
        assert expected in text, expected
    chair.axe.assert_clean()
    officer.axe.assert_clean()
