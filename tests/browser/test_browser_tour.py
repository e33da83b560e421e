"""Every staff page passes axe-core (no serious or critical findings) and fits a 360 px phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]

SERVICES = ["LIT", "BAIL", "HR", "PROJECT", "CONSULT"]


def test_every_staff_page_passes_axe(seeded, staff, axe):
    req = seeded["cm_req"]
    staff.login("officer.cm", check=True)
    pages = [
        ("/staff/", "queue"),
        ("/staff/requests/", "request list"),
        ("/staff/requests/?q=บุญเรือน", "search"),
        ("/staff/dashboard/", "dashboard"),
        ("/staff/overdue/", "overdue"),
        (f"/staff/requests/{req.pk}/", "case"),
        *[(f"/staff/requests/new/?service={s}", f"new {s}") for s in SERVICES],
        ("/staff/inbox/", "inbox"),
    ]
    for path, name in pages:
        staff.visit(path, name)
        staff.shot(name)
        if name == "queue":
            _keyboard_focus_is_visible(staff.page)
    staff.visit("/staff/no-such-page/", "404 (unknown address)", status=404)
    axe.assert_clean()


def _keyboard_focus_is_visible(page):
    """The first Tab shows the skip link; focused controls get a visible outline."""
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="ข้ามไปยังเนื้อหาหลัก")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, "the skip link stays off screen when focused"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the brand link, then the language button
    style = page.evaluate("(() => { const s = getComputedStyle(document.activeElement);"
                          " return [document.activeElement.tagName, s.outlineStyle, s.outlineWidth]; })()")
    assert style[0] == "BUTTON" and style[1] != "none" and style[2] != "0px", style


def test_auditor_pages_pass_axe(seeded, staff, axe):
    staff.login("auditor")
    staff.visit("/audit/", "audit log")
    staff.visit(f"/staff/requests/{seeded['kk_req'].pk}/", "case (read only, unassigned)")
    axe.assert_clean()


def test_pages_fit_a_phone_screen(seeded, phone, axe):
    """At 360 px nothing makes the page scroll sideways (wide tables scroll inside their own box)."""
    req = seeded["cm_req"]
    phone.login("officer.cm")
    for path, name in [
        ("/staff/", "queue"),
        ("/staff/requests/", "request list"),
        ("/staff/dashboard/", "dashboard"),
        (f"/staff/requests/{req.pk}/", "case"),
        ("/staff/requests/new/?service=PROJECT", "new PROJECT"),
        ("/staff/inbox/", "inbox"),
    ]:
        phone.visit(path, f"{name} (phone)" if name == "case" else None)
        phone.shot(f"phone {name}")
        overflow = phone.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name}: the page is {overflow}px wider than a 360px screen"
    axe.assert_clean()
