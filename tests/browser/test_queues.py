"""The queue in a real browser, on a phone (390 px) and a desktop (1366 px), checked with axe:
sorting, filters, the total, saved views, and the due date in sight on a phone without scrolling
sideways."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]


def _paused(seeded: dict[str, Any]) -> Any:
    """A third request of officer.cm's, waiting for the applicant's documents (no step due date)."""
    from jfs.cases import services
    from jfs.cases.models import Request

    users = seeded["users"]
    req = Request.objects.get(pk=seeded["cm_req"].pk)
    req = services.transition(actor=users["officer.cm"], request_id=req.pk, action="request_documents",
                              expected_version=req.version, comment="ขอสำเนาคำฟ้อง")
    return req


def _numbers(page: Any) -> list[str]:
    return [n.strip() for n in page.locator("table.requests tbody td:first-child a").all_inner_texts()]


def test_queue_sorting_filters_totals_and_saved_views(seeded: dict[str, Any], screen: Any) -> None:
    from jfs.cases import services

    late, paused = seeded["late_req"], _paused(seeded)
    newer = services.create_request(  # a third, received a week ago, assigned to officer.cm
        actor=seeded["users"]["intake.cm"], service="BAIL", office=seeded["cm_req"].office,
        applicant=_applicant(), received_on=services.today() - timedelta(days=7),
        details={"detainee_name": "นายสมปอง ใจกล้า", "charge": "ลักทรัพย์", "held_at": "สถานีตำรวจภูธรเมืองเชียงใหม่",
                 "authority": "police", "authority_name": "สภ.เมืองเชียงใหม่", "bail_amount": "50000"})
    services.assign(actor=seeded["users"]["head.cm"], request_id=newer.pk, assignee=seeded["users"]["officer.cm"],
                    expected_version=newer.version)
    page = screen.page
    screen.login("officer.cm")
    screen.visit("/staff/", "queue")
    screen.shot(f"queue-{page.viewport_size['width']}")
    expect(page.get_by_role("status").filter(has_text="ทั้งหมด")).to_have_text("ทั้งหมด 3 คำขอ")
    # earliest due first; the paused request (no due date) last, below the overdue one
    assert _numbers(page) == [late.number, newer.number, paused.number]
    first = page.locator("table.requests tbody tr").first
    expect(first.locator("td.due")).to_contain_text("เกินกำหนด")
    expect(first).to_contain_text("ให้คำปรึกษา")  # the service by name
    expect(page.locator("table.requests tbody tr").last.locator("td.due")).to_contain_text("หยุดนับเวลา")

    # the due date is in sight without scrolling sideways, on the phone as on the desktop
    width = page.viewport_size["width"]
    box = first.locator("td.due").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, box
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate("document.querySelector('.table-wrap').scrollWidth <= document.querySelector('.table-wrap').clientWidth + 1") or width > 600

    # sorting: by the column header on a desktop, by "sort by" on both
    if width > 600:
        header = page.locator("table.requests thead th", has_text="ครบกำหนด")
        expect(header).to_have_attribute("aria-sort", "ascending")
        header.get_by_role("link").click()
        page.wait_for_url("**sort=-due**")
        expect(page.locator("table.requests thead th", has_text="ครบกำหนด")).to_have_attribute("aria-sort", "descending")
        assert _numbers(page) == [newer.number, late.number, paused.number]
    page.get_by_label("เรียงตาม").select_option("number")
    page.get_by_role("button", name="กรอง").click()
    page.wait_for_url("**sort=number**")
    assert _numbers(page) == sorted([late.number, newer.number, paused.number])

    # filters: overdue only, then waiting for the applicant; they stay in the URL
    page.get_by_label("เกินกำหนด", exact=True).check()
    page.get_by_role("button", name="กรอง").click()
    page.wait_for_url("**overdue=1**")
    # (the one received a week ago is late too: its first step had one working day)
    expect(page.get_by_role("status").filter(has_text="ทั้งหมด")).to_have_text("ทั้งหมด 2 คำขอ")
    assert _numbers(page) == sorted([late.number, newer.number])
    screen.axe.check(page, "queue filtered")

    # saved: the view comes back as a link
    page.get_by_label("บันทึกตัวกรองและการเรียงนี้เป็นมุมมอง ชื่อ").fill("เกินกำหนด")
    page.get_by_role("button", name="บันทึกมุมมอง").click()
    expect(page.locator(".messages")).to_contain_text("บันทึกมุมมอง")
    screen.visit("/staff/?waiting=1", "queue waiting")
    assert _numbers(page) == [paused.number]
    page.locator(".saved-views").get_by_role("link", name="เกินกำหนด").click()
    page.wait_for_url("**overdue=1**")
    assert _numbers(page) == sorted([late.number, newer.number])
    screen.shot(f"queue-saved-{width}")
    screen.axe.assert_clean()


def test_request_list_total_and_filters(seeded: dict[str, Any], screen: Any) -> None:
    page = screen.page
    screen.login("head.cm")
    screen.visit("/staff/requests/", "request list")
    expect(page.get_by_role("status").filter(has_text="พบ")).to_have_text("พบ 2 คำขอ")
    page.get_by_label("เกินกำหนด", exact=True).check()
    page.get_by_role("button", name="ค้นหา", exact=True).click()
    page.wait_for_url("**overdue=1**")
    expect(page.get_by_role("status").filter(has_text="พบ")).to_have_text("พบ 1 คำขอ")
    assert _numbers(page) == [seeded["late_req"].number]
    width = page.viewport_size["width"]
    box = page.locator("table.requests tbody td.due").first.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width
    screen.axe.check(page, "request list filtered")
    screen.shot(f"requests-{width}")
    screen.axe.assert_clean()


def _applicant() -> Any:
    from tests.browser.conftest import applicant

    return applicant("500101", nid="350150099999")
