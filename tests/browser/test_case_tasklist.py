"""Where the case stands, in a real browser at 390 px and 1366 px, checked with axe-core: the next
step at the top and the stages as a task list for each of the five services, the timeline newest
first with the decision's outcome by name, the page's height on a desktop, and the banner after an
action (what happened, what comes next, by whom, by when)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]

DESKTOP_SCREENS = 2.3  # the case page fits in about two screens of a 1366x768 desktop


def make(seeded: dict[str, Any], service: str, *steps: str, **fields: Any) -> Any:
    """A Chiang Mai request of ``service``, assigned to officer.cm, moved through ``steps`` (the
    documents it requires attached before "accept")."""
    from jfs.accounts.models import Office
    from jfs.cases import services
    from jfs.cases.models import Request
    from tests.browser.conftest import applicant
    from tests.conftest import DETAILS, SAMPLE_FILES
    from tests.decisions_support import decide_at_a_meeting

    users = seeded["users"]
    req = services.create_request(actor=users["intake.cm"], service=service, office=Office.objects.get(code="50"),
                                  applicant=applicant("500101", nid="110240011111"), details=DETAILS[service])
    req = services.assign(actor=users["intake.cm"], request_id=req.pk, assignee=users["officer.cm"],
                          expected_version=req.version)
    who = {"record_subcommittee_decision": "secretary.cm"}
    for step in steps:
        if step == "record_subcommittee_decision":  # at a meeting of the request's committee (issue 10)
            req = decide_at_a_meeting(req, users, secretary=who[step], comment="บันทึกเหตุผล", **fields)
            continue
        if step == "accept":
            for d in req.workflow.required_documents():
                services.add_document(actor=users["officer.cm"], request_id=req.pk, doc_type=d.code,
                                      name=f"{d.code}.pdf", chunks=[SAMPLE_FILES["pdf"]], size=len(SAMPLE_FILES["pdf"]))
        req = Request.objects.get(pk=req.pk)
        services.transition(actor=users[who.get(step, "officer.cm")], request_id=req.pk, action=step,
                            expected_version=req.version, comment="บันทึกเหตุผล", fields={})
    return Request.objects.get(pk=req.pk)


#: per service: the steps taken before the page is opened, the next action's name, whether
#: officer.cm (a case officer) may take it
CASES = {
    "LIT": (("start_screening", "accept", "complete_fact_finding", "submit_opinion"), "บันทึกมติคณะอนุกรรมการ", False),
    "BAIL": (("start_screening",), "เอกสารครบถ้วน รับเรื่องเพื่อแสวงหาข้อเท็จจริง", True),
    "HR": (("request_documents",), "ได้รับเอกสารครบแล้ว", True),
    "PROJECT": ((), "เริ่มตรวจสอบคำขอ", True),
    "CONSULT": ((), "บันทึกคำปรึกษาที่ให้", True),
}


def test_task_list_and_next_step_on_each_service(seeded, screen, axe):
    from jfs.cases.progress import progress_of
    from jfs.core.templatetags.thai import be_date
    from jfs.staff.nextstep import role_names

    page = screen.page
    screen.login("officer.cm")
    for service, (steps, next_action, mine) in CASES.items():
        req = make(seeded, service, *steps)
        pr = progress_of(req)
        screen.visit(f"/staff/requests/{req.pk}/", f"case {service} ({page.viewport_size['width']} px)")
        screen.shot(f"tasklist {service} {page.viewport_size['width']}")

        # the next step: what, by whom, by when; at the top (on a phone, within the first screen)
        nxt = page.get_by_role("region", name="ขั้นตอนถัดไป")
        expect(nxt).to_contain_text(f"“{next_action}”")
        expect(nxt).to_contain_text(role_names(pr.next.roles))
        if pr.next.paused:
            expect(nxt).to_contain_text("หยุดนับเวลา รอเอกสารจากผู้ขอรับความช่วยเหลือ")
        else:
            expect(nxt).to_contain_text(be_date(req.step_due_on))
        box = nxt.bounding_box()
        assert box is not None and box["y"] < page.viewport_size["height"], f"{service}: next step below the first screen"
        button = nxt.get_by_role("link", name=next_action)
        expect(button).to_have_count(1 if mine else 0)

        # the stages: every one listed, the current one marked, with its status in words
        tasks = page.get_by_role("region", name="ขั้นตอนของคำขอ")
        rows = tasks.get_by_role("listitem")
        expect(rows).to_have_count(len(pr.stages))
        current = tasks.locator("li[aria-current='step']")
        expect(current).to_contain_text(req.workflow.states[req.state].th)
        expect(current).to_contain_text("หยุดนับเวลา" if pr.next.paused else "กำลังดำเนินการ")
        if any(s.status == "done" for s in pr.stages):  # what was done has the day it was done (B.E.)
            expect(tasks.locator("li.task-done").first).to_contain_text(re.compile(r"เสร็จ \d{1,2} \S+ 25\d\d"))
        if any(s.date_kind == "estimate" for s in pr.stages):
            expect(tasks).to_contain_text("ประมาณ")

    # the next step's button opens its form, ready to fill in
    nxt = page.get_by_role("region", name="ขั้นตอนถัดไป")
    nxt.get_by_role("link", name="บันทึกคำปรึกษาที่ให้").click()
    form = page.locator("details#action-give_advice[open] form")
    expect(form).to_be_visible()
    expect(form.get_by_label("คำปรึกษาที่ให้", exact=True)).to_be_focused()
    axe.assert_clean()


def test_timeline_newest_first_with_the_outcome_by_name(seeded, screen, axe):
    from jfs.cases.reasons import all_reasons

    req = make(seeded, "LIT", "start_screening", "accept", "complete_fact_finding", "submit_opinion",
               "record_subcommittee_decision", outcome="approved", reason_code="A01")
    reason = all_reasons()["A01"].th
    page = screen.page
    screen.login("officer.cm")
    screen.visit(f"/staff/requests/{req.pk}/", "case decided")
    screen.shot(f"timeline {page.viewport_size['width']}")
    timeline = page.get_by_role("region", name=re.compile("ลำดับการดำเนินการ"))
    newest = timeline.locator("ol.timeline > li").first
    expect(newest).to_contain_text("บันทึกมติคณะอนุกรรมการ: การพิจารณา")
    expect(newest).to_contain_text(f"ผลการพิจารณา: อนุมัติ · เหตุผล: {reason}")
    expect(timeline.locator("ol.timeline > li").nth(1)).to_contain_text("เสนอความเห็นเจ้าหน้าที่")
    # the earlier entries wait behind a disclosure; the oldest is the registration
    older = timeline.locator("details.more")
    expect(older.locator("ol.timeline > li").last).not_to_be_visible()
    older.locator("summary").click()
    expect(older.locator("ol.timeline > li").last).to_contain_text("รับคำขอ")
    # the status panel names the reason, the task list has the decision done
    expect(page.get_by_role("region", name="สถานะและกำหนดเวลา")).to_contain_text(reason)
    expect(page.locator("li.task-done", has_text="มีผลการพิจารณา")).to_have_count(0)  # decided is current
    expect(page.locator("li[aria-current='step']")).to_contain_text("มีผลการพิจารณา")
    axe.check(page, "case decided, older entries open")
    axe.assert_clean()


def test_the_case_page_fits_in_about_two_screens(seeded, screen, axe):
    from jfs.exchange import models as xm

    req = seeded["cm_req"]
    # the registries have answered (none had the applicant): while answers are awaited the
    # registry panel stays open, so that they show as they arrive
    xm.RegistryCheck.objects.filter(request=req).update(status=xm.STATUS_NOT_FOUND)
    page = screen.page
    screen.login("officer.cm")
    screen.visit(f"/staff/requests/{req.pk}/", "case page")
    screen.shot(f"case height {page.viewport_size['width']}")
    viewport = page.viewport_size
    height = page.evaluate("document.documentElement.scrollHeight")
    if viewport["width"] >= 1366:
        assert height <= DESKTOP_SCREENS * viewport["height"], f"the case page is {height} px tall"
    # on every screen: the next step and its due date in the first screen
    nxt = page.get_by_role("region", name="ขั้นตอนถัดไป")
    box = nxt.bounding_box()
    assert box is not None and box["y"] + box["height"] <= viewport["height"] + 80
    # the folded panels say what they hold, and open
    fold = page.locator("details#fold-applicant")
    expect(fold.locator("summary")).to_contain_text("นางบุญเรือน ทดสอบ")
    fold.locator("summary").click()
    expect(page.locator("#h-applicant")).to_be_visible()
    axe.check(page, "case page, applicant open")
    axe.assert_clean()


def test_the_banner_after_an_action_says_what_comes_next(seeded, screen, axe):
    from jfs.cases.models import Request
    from jfs.core.templatetags.thai import be_date

    req = seeded["cm_req"]
    page = screen.page
    screen.login("officer.cm")
    screen.visit(f"/staff/requests/{req.pk}/")
    page.get_by_role("region", name="ขั้นตอนถัดไป").get_by_role("link", name="เริ่มตรวจสอบคำขอ").click()
    page.get_by_role("button", name="ยืนยัน: เริ่มตรวจสอบคำขอ").click()
    banner = page.locator(".messages")
    expect(banner).to_contain_text("บันทึกแล้ว")
    req = Request.objects.get(pk=req.pk)
    expect(banner.get_by_role("heading", name="ดำเนินการแล้ว")).to_be_visible()
    expect(banner).to_contain_text("บันทึกแล้ว: เริ่มตรวจสอบคำขอ ขณะนี้อยู่ในขั้นตอน “ตรวจสอบและกลั่นกรอง”")
    expect(banner).to_contain_text(
        "ขั้นตอนถัดไป: “เอกสารครบถ้วน รับเรื่องเพื่อแสวงหาข้อเท็จจริง” "
        f"โดย เจ้าหน้าที่รับคำขอ หรือ เจ้าหน้าที่ผู้รับผิดชอบคำขอ ภายใน {be_date(req.step_due_on)}")
    expect(page.locator("li.task-done", has_text="รับคำขอ")).to_be_visible()
    expect(page.locator("ol.timeline > li").first).to_contain_text("เริ่มตรวจสอบคำขอ")
    # the documents the next step needs: their panel is open
    expect(page.locator("details#fold-documents")).to_have_attribute("open", "")
    axe.check(page, f"banner after an action ({page.viewport_size['width']} px)")
    screen.shot(f"banner {page.viewport_size['width']}")
    axe.assert_clean()
