"""Hand-offs and role controls in a real browser, on a phone (390 px) and a desktop (1366 px), with axe:
a bail request moved to follow-up appears in the finance officer's queue and notifications; a
subcommittee member is offered no edit, assignment, upload or registry check, and a forged post is
refused."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]

BAIL_DETAILS = {"detainee_name": "นายสมปอง ใจกล้า", "charge": "ลักทรัพย์", "held_at": "สถานีตำรวจภูธรเมืองเชียงใหม่",
                "authority": "police", "authority_name": "สภ.เมืองเชียงใหม่", "bail_amount": "50000"}


def _bail_in_follow_up(seeded: dict[str, Any]) -> Any:
    """A Chiang Mai bail request taken through its workflow by the services, then moved to follow-up
    by the case officer (``start_follow_up``): committed, so the hand-off's notification is sent."""
    from jfs.cases import services
    from tests.browser.conftest import TO_CONSIDERATION, applicant, drive
    from tests.decisions_support import decide_at_a_meeting

    users = seeded["users"]
    cm = seeded["cm_req"].office
    req = services.create_request(actor=users["intake.cm"], service="BAIL", office=cm,
                                  applicant=applicant("500101", nid="150150012345"), details=BAIL_DETAILS)
    services.assign(actor=users["head.cm"], request_id=req.pk, assignee=users["officer.cm"],
                    expected_version=req.version)

    drive(req, users, TO_CONSIDERATION)
    # the subcommittee decides at its meeting (issue 10: a resolution is recorded from the agenda)
    decide_at_a_meeting(req, users, outcome="approved", reason_codes=["A03"], comment="มติที่ประชุม")
    return drive(req, users, [("intake.cm", "notify_applicant", {}), ("officer.cm", "start_follow_up", {})])


def test_a_hand_off_to_finance_appears_in_the_finance_officer_s_queue_and_notifications(
    seeded: dict[str, Any], screen: Any
) -> None:
    req = _bail_in_follow_up(seeded)
    assert req.state == "follow_up"
    page = screen.page
    width = page.viewport_size["width"]
    screen.login("finance.cm")
    screen.visit("/staff/", "finance queue")
    screen.shot(f"finance-queue-{width}")
    nav = page.get_by_role("navigation", name="เมนูหลัก")
    expect(nav.get_by_role("link", name="การแจ้งเตือน")).to_contain_text("(1")
    expect(page.locator("table.requests")).to_contain_text(req.number)

    screen.visit("/staff/inbox/", "finance inbox")
    screen.shot(f"finance-inbox-{width}")
    note = page.locator("li.note.unread")
    expect(note).to_have_count(1)
    expect(note).to_contain_text(f"คำขอเลขที่ {req.number} รอท่านดำเนินการ: ติดตามผล")
    expect(note).to_contain_text("ปิดเรื่อง")  # what the finance officer can do there
    expect(note).not_to_contain_text(req.applicant.national_id)
    note.get_by_role("link").click()
    page.wait_for_url(f"**/staff/requests/{req.pk}/")
    screen.axe.check(page, "finance case")
    screen.shot(f"finance-case-{width}")
    # opened: read, the count is gone
    expect(page.get_by_role("navigation", name="เมนูหลัก").get_by_role("link", name="การแจ้งเตือน")).not_to_contain_text("(")
    # finance may upload a receipt in follow-up, but not correct or assign the request
    expect(page.locator(f'form[action="/staff/requests/{req.pk}/documents/"]')).to_have_count(1)
    expect(page.locator(f'a[href="/staff/requests/{req.pk}/edit/"]')).to_have_count(0)
    expect(page.locator(f'form[action="/staff/requests/{req.pk}/assign/"]')).to_have_count(0)
    screen.axe.assert_clean()


FORGE = """([url, fields]) => {
  const form = document.createElement('form');
  form.method = 'post';
  form.action = url;
  const add = (name, value) => {
    const input = document.createElement('input');
    input.type = 'hidden'; input.name = name; input.value = value; form.appendChild(input);
  };
  add('csrfmiddlewaretoken', document.cookie.match(/csrftoken=([^;]+)/)[1]);
  for (const [name, value] of Object.entries(fields)) add(name, value);
  document.body.appendChild(form);
  form.submit();
}"""


def test_a_member_cannot_edit_or_assign(seeded: dict[str, Any], screen: Any) -> None:
    from jfs.cases.models import Request

    req = seeded["cm_req"]
    users = seeded["users"]
    page = screen.page
    width = page.viewport_size["width"]
    screen.login("member.cm")
    screen.visit(f"/staff/requests/{req.pk}/", "member case")
    screen.shot(f"member-case-{width}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(req.number)
    for selector in (f'a[href="/staff/requests/{req.pk}/edit/"]', f'form[action="/staff/requests/{req.pk}/assign/"]',
                     f'form[action="/staff/requests/{req.pk}/documents/"]',
                     f'form[action="/staff/requests/{req.pk}/registry-checks/"]'):
        expect(page.locator(selector)).to_have_count(0)
    expect(page.get_by_role("button", name="มอบหมาย")).to_have_count(0)
    expect(page.get_by_role("link", name="แก้ไขข้อมูลคำขอ")).to_have_count(0)

    # a forged assignment (a form the page never offered) is refused, and nothing changes
    with page.expect_navigation() as nav:
        page.evaluate(FORGE, [f"/staff/requests/{req.pk}/assign/",
                              {"assignee": str(users["officer2.cm"].pk), "version": str(req.version)}])
    assert nav.value is not None and nav.value.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("ไม่มีสิทธิ์เข้าถึง")
    screen.axe.check(page, "member refused")
    # the correction page, typed in by hand, is refused too
    screen.visit(f"/staff/requests/{req.pk}/edit/", status=403)
    after = Request.objects.get(pk=req.pk)
    assert (after.assigned_to_id, after.version, after.applicant.phone) == (
        req.assigned_to_id, req.version, req.applicant.phone)
    screen.axe.assert_clean()
