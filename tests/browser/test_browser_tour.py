"""Every staff page passes axe-core (no serious or critical findings) and fits a 360 px phone.

Each page is its own test case, so one failing page does not hide the others: a case signs in,
opens its page, checks it with axe-core and reports only that page's findings.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]

SERVICES = ["LIT", "BAIL", "HR", "PROJECT", "CONSULT"]

#: (path, name); {cm_req} and {kk_req} are the seeded requests' ids (tests/browser/conftest.py)
STAFF_PAGES = [
    ("/staff/", "queue"),
    ("/staff/requests/", "request list"),
    ("/staff/requests/?q=บุญเรือน", "search"),
    ("/staff/dashboard/", "dashboard"),
    ("/staff/overdue/", "overdue"),
    ("/staff/?service=LIT&overdue=1&mine=1&waiting=1&sort=-received", "queue filtered and sorted"),
    ("/staff/?sort=number", "queue sorted by number"),
    ("/staff/requests/{cm_req}/", "case"),
    *[(f"/staff/requests/new/?service={s}", f"new {s}") for s in SERVICES],
    ("/staff/inbox/", "inbox"),
]
AUDITOR_PAGES = [
    ("/audit/", "audit log"),
    ("/staff/requests/{kk_req}/", "case (read only, unassigned)"),
]
PHONE_PAGES = [
    ("/staff/", "queue"),
    ("/staff/requests/", "request list"),
    ("/staff/dashboard/", "dashboard"),
    ("/staff/requests/{cm_req}/", "case"),
    ("/staff/requests/new/?service=PROJECT", "new PROJECT"),
    ("/staff/inbox/", "inbox"),
]


def _ids(pages):
    return [name.replace(" ", "-") for _, name in pages]


def _path(template, seeded):
    return template.format(cm_req=seeded["cm_req"].pk, kk_req=seeded["kk_req"].pk)


def test_sign_in_pages_pass_axe(seeded, staff, axe):
    staff.login("officer.cm", check=True)  # checks the sign-in and the one-time-code pages
    axe.assert_clean()


@pytest.mark.parametrize(("path", "name"), STAFF_PAGES, ids=_ids(STAFF_PAGES))
def test_staff_page_passes_axe(seeded, staff, axe, path, name):
    staff.login("officer.cm")
    staff.visit(_path(path, seeded), name)
    staff.shot(name)
    axe.assert_clean()


def test_unknown_address_answers_404_and_passes_axe(seeded, staff, axe):
    staff.login("officer.cm")
    staff.visit("/staff/no-such-page/", "404 (unknown address)", status=404)
    axe.assert_clean()


def test_keyboard_focus_is_visible(seeded, staff):
    staff.login("officer.cm")
    staff.visit("/staff/")
    _keyboard_focus_is_visible(staff.page)


@pytest.mark.parametrize("who", ["officer.cm", "auditor"])
def test_case_page_with_every_panel_open_passes_axe(seeded, screen, axe, who):
    """The folded panels (applicant and details, screening, registries, documents) opened one by one:
    axe checks what a closed panel hides too."""
    screen.login(who)
    screen.visit(f"/staff/requests/{seeded['cm_req'].pk}/")
    screen.page.locator("details.fold:not([open]) > summary").first.click()  # opened as a person does
    screen.page.evaluate("document.querySelectorAll('details.fold').forEach(d => { d.open = true; })")
    expect(screen.page.locator("details.fold:not([open])")).to_have_count(0)
    axe.check(screen.page, f"case, every panel open ({who})")
    screen.shot(f"case all open {who}")
    axe.assert_clean()


def test_the_office_head_s_team_page_passes_axe(seeded, staff, axe):
    staff.login("head.cm")
    staff.visit("/staff/team/", "team (office head)")
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


@pytest.mark.parametrize(("path", "name"), AUDITOR_PAGES, ids=_ids(AUDITOR_PAGES))
def test_auditor_page_passes_axe(seeded, staff, axe, path, name):
    staff.login("auditor")
    staff.visit(_path(path, seeded), name)
    axe.assert_clean()


@pytest.mark.parametrize(("path", "name"), PHONE_PAGES, ids=_ids(PHONE_PAGES))
def test_page_fits_a_phone_screen(seeded, phone, axe, path, name):
    """At 360 px nothing makes the page scroll sideways (wide tables scroll inside their own box)."""
    phone.login("officer.cm")
    phone.visit(_path(path, seeded), f"{name} (phone)" if name == "case" else None)
    phone.shot(f"phone {name}")
    overflow = phone.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name}: the page is {overflow}px wider than a 360px screen"
    axe.assert_clean()
