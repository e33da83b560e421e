"""Issue 10's decisions on the case page in a real browser, at 390 and 1366 px, with axe:

- an urgent bail decision by the Chiang Mai subcommittee's chair (check answers, confirm), then
  acknowledged at the subcommittee's next meeting (the meeting through the services);
- a human-rights request whose case page says the central subcommittee decides it: the provincial
  secretary has no control to decide it; the central secretary follows the link to the meeting
  whose agenda holds it;
- an appeal: a rejected litigation request, notified; the intake officer lodges the appeal on the
  case page (its deadline shown); the Justice Fund Committee decides it (services); the case page
  shows the appeal's decision, and a letter is generated and downloaded as a PDF.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]


def _cm_request(seeded: dict[str, Any], service: str, details: dict[str, Any], nid: str) -> Any:
    from jfs.accounts.models import Office
    from jfs.cases import services
    from tests.browser.conftest import TO_CONSIDERATION, applicant, drive
    from tests.decisions_support import seat_everyone

    seat_everyone()
    users = seeded["users"]
    req = services.create_request(actor=users["intake.cm"], service=service, office=Office.objects.get(code="50"),
                                  applicant=applicant("500101", nid=nid), details=details)
    return drive(req, users, TO_CONSIDERATION)


def test_an_urgent_bail_decision_by_the_chair_acknowledged_at_the_next_meeting(seeded: dict[str, Any],
                                                                              screen: Any) -> None:
    from jfs.cases import reasons
    from jfs.decisions import models as m
    from jfs.decisions import selectors
    from jfs.decisions import services as decisions
    from tests.decisions_support import open_meeting

    bail = _cm_request(seeded, "BAIL", {
        "detainee_name": "นายสมชาย ใจดี", "charge": "ลักทรัพย์", "held_at": "เรือนจำกลางเชียงใหม่",
        "authority": "court", "authority_name": "ศาลจังหวัดเชียงใหม่", "bail_amount": "50000"}, "350150011111")
    page = screen.page
    width = page.viewport_size["width"]
    named = reasons.all_reasons()
    screen.login("chair.cm")
    screen.visit(f"/staff/requests/{bail.pk}/", name=f"bail urgent form {width}")
    page.locator("#action-decide_urgent > summary").click()
    page.locator("#id_decide_urgent-outcome").select_option(label="อนุมัติ")
    options = page.locator("#decide_urgent-reason_codes-options")
    expect(options.locator("input[value='R01']")).to_have_count(0)  # only the reasons of "approved" (htmx)
    options.locator("input[value='A01']").check()
    options.locator("input[value='A03']").check()
    amount = page.get_by_label("จำนวนเงินที่อนุมัติ: เงินประกันเพื่อการปล่อยชั่วคราว")
    expect(amount).to_have_value("50000.00")  # prefilled with the amount requested
    page.locator("#id_decide_urgent-comment").fill("ผู้ต้องขังป่วย ต้องปล่อยชั่วคราวก่อนการประชุม")
    screen.axe.check(page, f"bail urgent filled {width}")
    page.get_by_role("button", name="ต่อไป: ตรวจสอบก่อนยืนยัน").click()
    page.wait_for_url("**/decide/check/**")
    screen.axe.check(page, f"bail urgent check {width}")
    main = page.locator("main")
    for words in (named["A01"].th, named["A03"].th, named["A03"].basis, "เงินประกันเพื่อการปล่อยชั่วคราว", "50,000.00"):
        expect(main).to_contain_text(words)
    page.get_by_role("button", name="ยืนยันและบันทึกผลการพิจารณา").click()
    page.wait_for_url(f"**/staff/requests/{bail.pk}/")
    panel = page.locator("#decisions")
    expect(panel).to_contain_text("ผลการพิจารณา: อนุมัติ")
    expect(panel).to_contain_text("คำวินิจฉัยกรณีเร่งด่วนของประธาน")
    expect(panel).to_contain_text("ยังไม่ได้รายงานให้ที่ประชุมคณะอนุกรรมการรับทราบ")
    screen.axe.check(page, f"bail urgent decided {width}")
    decision = selectors.latest_decision(bail)
    assert decision is not None and (decision.authority, decision.outcome) == (m.BY_CHAIR, "approved")

    # the next meeting of the subcommittee acknowledges it
    meeting = open_meeting(seeded["users"])
    item = meeting.items.get(request=bail, kind=m.ACKNOWLEDGE)
    decisions.acknowledge(actor=seeded["users"]["secretary.cm"], item_id=item.pk)
    page.reload()
    expect(panel).to_contain_text(f"ครั้งที่ {meeting.number}/{meeting.fiscal_year} รับทราบแล้ว")
    screen.axe.check(page, f"bail urgent acknowledged {width}")
    screen.shot(f"bail urgent acknowledged {width}")
    screen.axe.assert_clean()


def test_a_human_rights_request_is_decided_by_the_central_subcommittee(seeded: dict[str, Any], screen: Any) -> None:
    from jfs.decisions import models as m
    from tests.decisions_support import open_meeting

    hr = _cm_request(seeded, "HR", {"violation": "ถูกทำร้ายร่างกาย", "harm": "บาดเจ็บ",
                                    "remedy_requested": "ค่ารักษาพยาบาล"}, "350150022222")
    central = m.Committee.objects.get(code="C-HR")
    page = screen.page
    width = page.viewport_size["width"]
    screen.login("secretary.cm")
    screen.visit(f"/staff/requests/{hr.pk}/", name=f"human rights case {width}")
    panel = page.locator("#decisions")
    expect(panel).to_contain_text(f"ผู้มีอำนาจพิจารณาคำขอนี้: {central.name_th}")
    expect(panel).to_contain_text("ยังไม่ได้บรรจุในระเบียบวาระการประชุม")
    expect(page.locator("#action-record_subcommittee_decision")).to_have_count(0)  # no decide control
    expect(page.locator("#action-decide_urgent")).to_have_count(0)

    meeting = open_meeting(seeded["users"], "C-HR", "secretary.central",
                           ("chair.central", "member.central", "member2.central"))
    page.context.clear_cookies()
    screen.login("secretary.central")
    screen.visit(f"/staff/requests/{hr.pk}/", name=f"human rights on an agenda {width}")
    link = panel.get_by_role("link", name=f"{central.name_th} ครั้งที่ {meeting.number}/{meeting.fiscal_year}")
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url(f"**/staff/meetings/{meeting.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{meeting.number}/{meeting.fiscal_year}")
    screen.axe.assert_clean()


def test_an_appeal_lodged_on_the_case_page_decided_by_the_committee_with_its_letter(
        seeded: dict[str, Any], screen: Any) -> None:
    from jfs.cases import services
    from jfs.cases.models import Request
    from jfs.core.templatetags.thai import be_date
    from jfs.decisions import models as m
    from jfs.decisions import services as decisions
    from tests.decisions_support import decide, open_meeting, seat_everyone

    users = seeded["users"]
    seat_everyone()
    req = decide(seeded["cm_req"], users, "rejected", ["R03"], note="ไม่มีพยานหลักฐานสนับสนุน")
    services.transition(actor=users["officer.cm"], request_id=req.pk, action="notify_applicant",
                        expected_version=Request.objects.get(pk=req.pk).version)
    deadline = decisions.appeal_deadline(Request.objects.get(pk=req.pk))
    assert deadline is not None
    page = screen.page
    width = page.viewport_size["width"]
    screen.login("intake.cm")
    screen.visit(f"/staff/requests/{req.pk}/", name=f"appeal form {width}")
    page.locator("#action-appeal > summary").click()
    form = page.locator("#action-appeal")
    expect(form).to_contain_text(f"อุทธรณ์ได้ถึงวันที่ {be_date(deadline, 'long')}")
    form.locator("textarea[name='appeal-comment']").fill("มีพยานเอกสารใหม่ที่ยังไม่ได้เสนอ")
    screen.axe.check(page, f"appeal form filled {width}")
    form.get_by_role("button", name="ยืนยัน: รับอุทธรณ์ของผู้ขอ").click()
    expect(page.locator(".messages")).to_contain_text("บันทึกแล้ว")
    appeals = page.locator("#decisions table.appeals")
    expect(appeals).to_contain_text("มีพยานเอกสารใหม่ที่ยังไม่ได้เสนอ")
    expect(appeals).to_contain_text("ยื่นอุทธรณ์แล้ว รอการพิจารณา")
    appeal = m.Appeal.objects.get(request=req)

    # the Justice Fund Committee decides the appeal at its meeting (services)
    board = open_meeting(users, "BOARD", "secretary.central", ("chair.board", "member.central", "member2.central"))
    item = board.items.get(appeal=appeal)
    for who in ("chair.board", "member.central"):
        decisions.cast_vote(actor=users[who], item_id=item.pk, choice="for")
    decisions.decide_at_meeting(actor=users["secretary.central"], item_id=item.pk, outcome="approved",
                                reason_codes=["U01"], note="พยานใหม่รับฟังได้")

    page.context.clear_cookies()
    screen.login("officer.cm")
    screen.visit(f"/staff/requests/{req.pk}/", name=f"appeal decided {width}")
    panel = page.locator("#decisions")
    expect(panel).to_contain_text("ผลการพิจารณาอุทธรณ์: อนุมัติ")
    expect(panel).to_contain_text("พยานใหม่รับฟังได้")
    expect(appeals).to_contain_text("พิจารณาอุทธรณ์แล้ว")
    panel.get_by_role("button", name="ออกหนังสือแจ้งผล").click()
    expect(page.locator(".messages")).to_contain_text("ออกหนังสือแจ้งผลการพิจารณาแล้ว")
    screen.axe.check(page, f"letter issued {width}")
    screen.shot(f"letter issued {width}")
    with page.expect_download() as got:
        panel.get_by_role("link", name="ดาวน์โหลดหนังสือแจ้งผล", exact=False).first.click()
    path = got.value.path()
    assert path is not None
    with open(path, "rb") as f:
        assert f.read(4) == b"%PDF"
    assert m.Letter.objects.filter(request=req, decision__kind=m.APPEAL_DECISION).count() == 1
    screen.axe.assert_clean()
