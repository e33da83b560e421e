"""The decision form in a real browser, on a phone (390 px) and a desktop (1366 px), with axe: the
subcommittee's chair decides urgently (issue 10: the chair, not the office head), chooses an outcome,
is offered only the reasons that fit it (htmx; checkboxes, a decision has one or more), sees the
check-your-answers page, changes an answer (what was typed is kept), confirms, and sees the request
decided with its reasons in words."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]

ACTION = "decide_urgent"


def _in_consideration(seeded: dict[str, Any]) -> Any:
    """The seeded Chiang Mai litigation request (17,500 baht: within the chair's urgent limit),
    taken by the services to the subcommittee; the demo committees seated."""
    from tests.browser.conftest import TO_CONSIDERATION, drive
    from tests.decisions_support import seat_everyone

    seat_everyone()
    return drive(seeded["cm_req"], seeded["users"], TO_CONSIDERATION)


def test_the_chair_decides_through_the_check_answers_page(seeded: dict[str, Any], screen: Any) -> None:
    from jfs.cases import reasons
    from jfs.cases.models import Request, Transition

    req = _in_consideration(seeded)
    assert req.state == "consideration"
    named = reasons.all_reasons()
    page = screen.page
    width = page.viewport_size["width"]
    screen.login("chair.cm")
    screen.visit(f"/staff/requests/{req.pk}/", name=f"decision form {width}")

    page.locator(f"#action-{ACTION} > summary").click()
    outcome = page.locator(f"#id_{ACTION}-outcome")
    options = page.locator(f"#{ACTION}-reason_codes-options")
    boxes = options.locator("input[type=checkbox]")
    # before an outcome is chosen, every reason of the chair's outcomes is offered once, by name
    offered = {r.code for o in ("approved", "partially_approved", "rejected", "terminated") for r in reasons.for_outcome(o)}
    expect(boxes).to_have_count(len(offered))
    outcome.select_option(label="ไม่อนุมัติ")
    # only the reasons of "rejected" come back (htmx), by name with their category, never a bare code
    rejected = reasons.for_outcome("rejected")
    expect(boxes).to_have_count(len(rejected))
    expect(options.locator("label")).to_have_text(
        [f"{r.th} ({reasons.category_name(r.category, 'th')})" for r in rejected])
    options.locator("input[value='R02']").check()
    page.locator(f"#id_{ACTION}-comment").fill("ผู้ขอต้องยื่นคำให้การภายในสามวัน")
    axe_case = f"decision form filled {width}"
    screen.axe.check(page, axe_case)
    screen.shot(axe_case)
    page.get_by_role("button", name="ต่อไป: ตรวจสอบก่อนยืนยัน").click()

    page.wait_for_url("**/decide/check/**")
    screen.axe.check(page, f"check answers {width}")
    screen.shot(f"check answers {width}")
    main = page.locator("main")
    expect(main).to_contain_text("ตรวจสอบผลการพิจารณาก่อนยืนยัน")
    expect(main).to_contain_text(req.number)
    expect(main).to_contain_text(req.applicant.full_name)
    expect(main).to_contain_text(named["R02"].th)
    expect(main).to_contain_text(named["R02"].basis)
    assert Request.objects.get(pk=req.pk).state == "consideration"  # nothing decided before the confirmation

    # "change" goes back to the form with what was typed; the chair adds a second reason
    page.get_by_role("link", name="เปลี่ยน เหตุผลของผลการพิจารณา").click()
    page.wait_for_url(f"**/staff/requests/{req.pk}/?change={ACTION}*")
    expect(options.locator("input[value='R02']")).to_be_checked()
    expect(page.locator(f"#id_{ACTION}-comment")).to_have_value("ผู้ขอต้องยื่นคำให้การภายในสามวัน")
    options.locator("input[value='R03']").check()
    page.get_by_role("button", name="ต่อไป: ตรวจสอบก่อนยืนยัน").click()
    page.wait_for_url("**/decide/check/**")
    expect(main).to_contain_text(named["R02"].th)
    expect(main).to_contain_text(named["R03"].th)

    page.get_by_role("button", name="ยืนยันและบันทึกผลการพิจารณา").click()
    page.wait_for_url(f"**/staff/requests/{req.pk}/")
    screen.axe.check(page, f"decided {width}")
    screen.shot(f"decided {width}")
    expect(page.locator(".messages")).to_contain_text("บันทึกแล้ว")
    expect(page.locator(".case-head")).to_contain_text("มีผลการพิจารณา")
    panel = page.locator("#decisions")
    expect(panel).to_contain_text("ผลการพิจารณา: ไม่อนุมัติ")
    expect(panel).to_contain_text("คำวินิจฉัยกรณีเร่งด่วนของประธาน")
    req.refresh_from_db()
    assert (req.state, req.outcome, req.reason_code) == ("decided", "rejected", "R02,R03")
    assert Transition.objects.get(request=req, action=ACTION).fields == {"outcome": "rejected", "reason_code": "R02,R03"}
    screen.axe.assert_clean()
