"""Every staff page passes axe-core (no serious or critical findings) and fits a 360 px phone."""

from __future__ import annotations

import pytest

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
    staff.visit("/staff/no-such-page/", "404 (unknown address)", status=404)
    axe.assert_clean()


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
