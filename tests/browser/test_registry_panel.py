"""Registry facts in words arriving on the case page without a reload, on a phone (390 px) and a
desktop (1366 px), checked with axe; the screening panel follows them (swapped out of band)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]


def test_registry_facts_arrive_in_words_without_a_reload(seeded: dict[str, Any], screen: Any) -> None:
    from django.utils import timezone

    from jfs.exchange import models as xm

    req = seeded["cm_req"]
    xm.RegistryCheck.objects.filter(request=req).delete()
    welfare = xm.RegistryCheck.objects.create(request=req, kind=xm.KIND_WELFARE, registry=xm.KIND_REGISTRY[xm.KIND_WELFARE],
                                              status=xm.STATUS_PENDING, purpose="test")
    courts = xm.RegistryCheck.objects.create(request=req, kind=xm.KIND_COURT_CASES,
                                             registry=xm.KIND_REGISTRY[xm.KIND_COURT_CASES],
                                             status=xm.STATUS_PENDING, purpose="test")
    screen.login("officer.cm")
    page = screen.page
    screen.visit(f"/staff/requests/{req.pk}/", "case page, registry checks pending")
    panel = page.locator("#registry-panel")
    expect(panel).to_have_attribute("hx-trigger", "every 3s")
    expect(panel).to_contain_text("กำลังรอคำตอบจากทะเบียน")
    loads: list[str] = []
    page.on("framenavigated", lambda frame: loads.append(frame.url) if frame == page.main_frame else None)

    # the registries answer while the page is open
    welfare.status, welfare.checked_at = xm.STATUS_VERIFIED, timezone.now()
    welfare.facts = {"welfare_card": True, "income_band": "<=30000", "registration_round": "2565"}
    welfare.save()
    courts.status, courts.checked_at = xm.STATUS_VERIFIED, timezone.now()
    courts.facts = {"count": 1, "records": [{"court": "ศาลจังหวัดเชียงใหม่", "case_number": "พ.123/2569",
                                            "case_kind": "civil", "status": "pending", "filed_on": "2026-01-09"}]}
    courts.save()

    expect(panel).to_contain_text("มีบัตรสวัสดิการแห่งรัฐ", timeout=12_000)
    expect(panel).to_contain_text("ไม่เกิน 30,000 บาทต่อปี")
    table = panel.get_by_role("table", name="คดีในศาล")
    expect(table).to_contain_text("คดีแพ่ง")
    expect(table).to_contain_text("อยู่ระหว่างพิจารณา")
    expect(table).to_contain_text("9 ม.ค. 2569")
    expect(panel).not_to_contain_text("welfare_card")
    expect(panel).not_to_contain_text("income_band")
    expect(panel).not_to_have_attribute("hx-trigger", "every 3s")  # nothing pending: polling stops
    # the folded panels' summary lines follow too (no longer "waiting")
    expect(page.locator("#fold-line-registry")).to_contain_text("ได้รับคำตอบแล้ว 2 รายการ")
    expect(page.locator("#fold-line-registry")).not_to_contain_text("กำลังรอคำตอบ")
    # the screening panel followed: the welfare card is a proof of financial hardship, a consideration
    # that now points for the request (issue 10: weighed by the subcommittee, never a pass or a fail)
    hardship = page.locator("#screening-panel #consideration-hardship")
    expect(hardship).to_contain_text("สนับสนุน")
    assert loads == [], f"the page was reloaded: {loads}"
    screen.axe.check(page, "case page, registry answers arrived")
    # the screening panel opened, with its citations: alternatives as one row, in words
    fold = page.locator("#fold-screening > summary")
    if fold.count():
        fold.click()
    citations = page.locator("#screening-panel details.citations")
    expect(citations).not_to_have_attribute("open", "")  # the long legal citations start folded
    citations.locator("summary").click()
    expect(citations).to_contain_text("พ.ร.บ.กองทุนยุติธรรม พ.ศ. 2558")
    expect(hardship).to_contain_text("ข้อใดข้อหนึ่งต่อไปนี้")
    expect(hardship).to_be_visible()
    screen.axe.check(page, "case page, screening open")
    screen.shot(f"registry-panel-{page.viewport_size['width']}")
    screen.axe.assert_clean()
