"""The decision form in a real browser, on a phone (390 px) and a desktop (1366 px), with axe: the
subcommittee's secretary chooses an outcome, is offered only the reasons that fit it (htmx), sees
the check-your-answers page, changes an answer (what was typed is kept), confirms, and sees the
request decided."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]

ACTION = "record_subcommittee_decision"


def _in_consideration(seeded: dict[str, Any]) -> Any:
    """The seeded Chiang Mai litigation request, taken by the services to the subcommittee."""
    from tests.browser.conftest import TO_CONSIDERATION, drive

    return drive(seeded["cm_req"], seeded["users"], TO_CONSIDERATION)


def test_the_secretary_decides_through_the_check_answers_page(seeded: dict[str, Any], screen: Any) -> None:
    from jfs.cases import reasons
    from jfs.cases.models import Request, Transition

    req = _in_consideration(seeded)
    assert req.state == "consideration"
    named = reasons.all_reasons()
    page = screen.page
    width = page.viewport_size["width"]
    screen.login("secretary.cm")
    screen.visit(f"/staff/requests/{req.pk}/", name=f"decision form {width}")

    page.locator(f"#action-{ACTION} > summary").click()
    outcome = page.locator(f"#id_{ACTION}-outcome")
    reason = page.locator(f"#id_{ACTION}-reason_code")
    # before an outcome is chosen, every reason is offered by name, grouped by outcome
    expect(reason.locator("optgroup")).to_have_count(len(reasons.OUTCOME_NAMES))
    outcome.select_option(label="ไม่อนุมัติ")
    # only the reasons of "rejected" come back (htmx), by name, never a bare code
    rejected = [r.th for r in reasons.for_outcome("rejected")]
    expect(reason.locator("option")).to_have_text(["— เลือกเหตุผล —", *rejected])
    expect(reason.locator("optgroup")).to_have_count(0)
    reason.select_option(label=named["R02"].th)
    page.get_by_label("หมายเหตุ/เหตุผล", exact=False).fill("มติคณะอนุกรรมการ ครั้งที่ 5/2569")
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

    # "change" goes back to the form with what was typed, and the officer fixes the outcome's reason
    page.get_by_role("link", name="เปลี่ยน เหตุผลของผลการพิจารณา").click()
    page.wait_for_url(f"**/staff/requests/{req.pk}/?change={ACTION}*")
    expect(reason).to_have_value("R02")
    expect(page.get_by_label("หมายเหตุ/เหตุผล", exact=False)).to_have_value("มติคณะอนุกรรมการ ครั้งที่ 5/2569")
    reason.select_option(label=named["R03"].th)
    page.get_by_role("button", name="ต่อไป: ตรวจสอบก่อนยืนยัน").click()
    page.wait_for_url("**/decide/check/**")
    expect(main).to_contain_text(named["R03"].th)

    page.get_by_role("button", name="ยืนยันและบันทึกผลการพิจารณา").click()
    page.wait_for_url(f"**/staff/requests/{req.pk}/")
    screen.axe.check(page, f"decided {width}")
    screen.shot(f"decided {width}")
    expect(page.locator(".messages")).to_contain_text("บันทึกแล้ว")
    expect(page.locator(".case-head")).to_contain_text("มีผลการพิจารณา")
    req.refresh_from_db()
    assert (req.state, req.outcome, req.reason_code) == ("decided", "rejected", "R03")
    assert Transition.objects.get(request=req, action=ACTION).fields == {"outcome": "rejected", "reason_code": "R03"}
    screen.axe.assert_clean()
