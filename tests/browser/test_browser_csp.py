"""Under the Content-Security-Policy, a real browser reports no violation on the staff pages,
the sign-in pages and Swagger UI (/api/v1/docs, from Django Ninja's bundled files), and
Swagger UI and htmx still work."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]

#: every violation as the page sees it (the event also fires for blocked inline styles)
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


def watch(page: Any) -> list[str]:
    """Console messages about the CSP (Chromium logs each blocked resource or inline code)."""
    seen: list[str] = []
    page.on("console", lambda msg: seen.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.add_init_script(LISTEN)
    return seen


def violations(page: Any) -> list[str]:
    return list(page.evaluate("window.__csp || []"))


def test_no_csp_violation_on_the_staff_pages(seeded: dict[str, Any], staff: Any) -> None:
    console = watch(staff.page)
    staff.login("officer.cm")
    req = seeded["cm_req"]
    for path in ["/staff/", "/staff/requests/", "/staff/dashboard/", "/staff/overdue/", f"/staff/requests/{req.pk}/",
                 "/staff/inbox/", "/staff/requests/new/?service=LIT"]:
        staff.visit(path)
        assert staff.page.evaluate("typeof htmx") == "object", path
        assert not violations(staff.page), (path, violations(staff.page))
    # htmx under the CSP: choosing a province fills the district list from the server
    province = staff.page.locator("select[name$='province_code']").first
    district = staff.page.locator("select[name$='district_code']").first
    province.select_option("50")
    expect(district.locator("option[value='5001']")).to_have_count(1)
    assert not violations(staff.page), violations(staff.page)
    assert not console, console
    # and the watch does see a violation: a <style> element added to the page is blocked
    staff.page.evaluate("document.body.insertAdjacentHTML('beforeend', '<style>main { color: red }</style>')")
    staff.page.wait_for_function("window.__csp.length > 0")
    assert any("style-src" in v for v in violations(staff.page))


def test_swagger_ui_renders_under_the_csp(seeded: dict[str, Any], staff: Any) -> None:
    console = watch(staff.page)
    staff.login("officer.cm")
    staff.visit("/api/v1/docs")
    page = staff.page
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Justice Fund System API")
    expect(page.locator(".opblock").first).to_be_visible()
    page.locator(".opblock-summary").first.click()  # open one operation
    expect(page.locator(".opblock-body").first).to_be_visible()
    assert not violations(page), violations(page)
    assert not console, console
