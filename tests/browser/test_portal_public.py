"""The public portal pages in a real browser on a phone (390 x 844): every page visited and checked
with axe (no serious or critical finding), none scrolls sideways at 360 px, each weighs under
200 KB as transferred, and the help search and office filter work with JavaScript off."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Axe

pytestmark = [pytest.mark.browser]

PAGES = [
    ("/", "home"),
    ("/services/", "services"),
    ("/services/LIT/", "service LIT"),
    ("/services/BAIL/", "service BAIL"),
    ("/services/HR/", "service HR"),
    ("/services/PROJECT/", "service PROJECT"),
    ("/services/CONSULT/", "service CONSULT"),
    ("/offices/", "offices"),
    ("/offices/?office=50", "offices filtered"),
    ("/privacy/", "privacy"),
    ("/accessibility/", "accessibility"),
    ("/help/", "help"),
    ("/help/?q=%E0%B8%9B%E0%B8%A3%E0%B8%B0%E0%B8%81%E0%B8%B1%E0%B8%99%E0%B8%95%E0%B8%A7", "help misspelt"),
    ("/help/?q=xyzzy", "help no result"),
    ("/help/how-to-apply-online/", "answer"),
]
MAX_BYTES = 200 * 1024


def _context(browser: Any, width: int, height: int, js: bool = True) -> Any:
    ctx = browser.new_context(
        viewport={"width": width, "height": height},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=1,
        locale="th-TH",
        java_script_enabled=js,
    )
    ctx.set_default_timeout(10_000)
    return ctx


def test_every_public_page_is_accessible_light_and_fits(
    seeded: dict[str, Any], live_server: Any, browser: Any, axe: Axe
) -> None:
    weights = {}
    for path, name in PAGES:
        # a fresh context per page: nothing cached, the weight of a first visit
        ctx = _context(browser, 390, 844)
        try:
            page = ctx.new_page()
            requests: list[Any] = []
            page.on("request", lambda r, sink=requests: sink.append(r))
            response = page.goto(live_server.url + path)
            assert response is not None and response.status == 200, path
            page.wait_for_load_state("load")
            weights[name] = sum(r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"] for r in requests)
            axe.check(page, f"public {name}")
        finally:
            ctx.close()
    axe.assert_clean()
    heavy = {n: w for n, w in weights.items() if w >= MAX_BYTES}
    assert not heavy, f"pages over 200 KB: {heavy}"
    assert all(w > 1000 for w in weights.values()), weights  # the sizes were measured
    print("page weights (bytes):", weights)

    narrow = _context(browser, 360, 740)
    try:
        small = narrow.new_page()
        for path, _ in PAGES:
            small.goto(live_server.url + path)
            width = small.evaluate("document.scrollingElement.scrollWidth")
            assert width <= 360, f"{path} scrolls sideways at 360 px ({width} px)"
    finally:
        narrow.close()


def test_help_search_and_office_filter_work_without_javascript(
    seeded: dict[str, Any], live_server: Any, browser: Any
) -> None:
    ctx = _context(browser, 390, 844, js=False)
    try:
        page = ctx.new_page()
        page.goto(live_server.url + "/help/")
        page.get_by_label("พิมพ์คำถามหรือคำที่ต้องการค้นหา").fill("ทนายควม")
        page.keyboard.press("Enter")
        page.wait_for_url("**/help/?q=*")
        assert page.locator("ol.pub-results mark").count() > 0
        assert "ทนายความ" in page.locator(".pub-didyoumean").inner_text()
        page.locator("ol.pub-results a").first.click()
        assert page.locator("h1").inner_text()

        page.goto(live_server.url + "/offices/")
        page.get_by_label("เลือกจังหวัด").select_option("50")
        page.get_by_role("button", name="แสดง").click()
        assert page.locator(".pub-offices > li").count() == 1
        assert "เชียงใหม่" in page.locator(".pub-offices h2").inner_text()
    finally:
        ctx.close()
