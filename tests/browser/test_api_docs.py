"""The API's documentation (Swagger UI) on a closed government network: every file it needs comes
from our own server (never a CDN), and the page passes axe-core."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]


def test_api_docs_load_only_from_our_server_and_pass_axe(seeded: dict[str, Any], staff: Any, axe: Any) -> None:
    origin = urlsplit(staff.base).netloc
    hosts: set[str] = set()
    staff.page.on("request", lambda r: hosts.add(urlsplit(r.url).netloc) if r.url.startswith("http") else None)
    staff.login("officer.cm")
    staff.visit("/api/v1/docs")
    expect(staff.page.locator(".swagger-ui .info .title")).to_contain_text("Justice Fund System API")
    expect(staff.page.locator(".opblock").first).to_be_visible()
    assert hosts == {origin}, f"requests left the server: {sorted(hosts - {origin})}"
    axe.check(staff.page, "API documentation (Swagger UI)")
    staff.page.locator(".opblock-summary-control").first.click()  # an operation opened: parameters, responses
    expect(staff.page.locator(".opblock-body").first).to_be_visible()
    staff.page.locator(".json-schema-2020-12-accordion").first.click()  # a schema of the models opened
    axe.check(staff.page, "API documentation, an operation and a schema open")
    axe.assert_clean()
