"""The case page says where the request stands: the stages as a task list, the next step (what, by
whom, by when) at the top, the timeline newest first with a decision's outcome and reason by name,
and after an action a banner that says what happened and what comes next."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from jfs.cases.models import Request
from jfs.cases.progress import progress_of
from jfs.cases.reasons import all_reasons
from jfs.core.templatetags.thai import be_date
from jfslib import progress as p

pytestmark = pytest.mark.django_db


def page(client: Any, req: Request) -> str:
    resp = client.get(reverse("staff:case", args=[req.pk]))
    assert resp.status_code == 200
    return str(resp.content.decode())


def section(html: str, heading_id: str) -> str:
    """The panel whose heading has this id (up to the end of its section)."""
    start = html.index(f'id="{heading_id}"')
    return html[start:html.index("</section>", start)]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_progress_of_a_request_reads_its_history(make_request: Any, act: Any) -> None:
    req = make_request(assign_to="officer.cm")
    act(req, "officer.cm", "start_screening")
    req = Request.objects.get(pk=req.pk)
    pr = progress_of(req)
    by_code = {s.code: s for s in pr.stages}
    assert by_code["received"].status == p.DONE and by_code["received"].done_by == "สมชาย รักงาน"
    assert by_code["screening"].status == p.IN_PROGRESS and by_code["screening"].date == req.step_due_on
    assert by_code["fact_finding"].date_kind == p.DATE_ESTIMATE
    assert [a.code for a in pr.next.actions] == ["accept"]


def test_the_case_page_shows_the_stages_and_the_next_step(make_request: Any, login: Any) -> None:
    req = make_request(assign_to="officer.cm")
    html = page(login("officer.cm"), req)
    tasks = text(section(html, "h-tasks"))
    for name in ("รับคำขอ", "ตรวจสอบและกลั่นกรอง", "แสวงหาข้อเท็จจริง", "การพิจารณา", "ปิดเรื่อง"):
        assert name in tasks
    assert "รอเอกสารจากผู้ขอ" not in tasks  # a side state, not gone through
    assert 'aria-current="step"' in section(html, "h-tasks")
    assert "กำลังดำเนินการ" in tasks and "ยังไม่เริ่ม" in tasks
    assert f"ครบกำหนด {be_date(req.step_due_on)}" in tasks
    assert "ประมาณ" in tasks  # later stages: estimated dates
    # who decides: the subcommittee's chair urgently (no longer the office head, issue 10) or its secretary's record
    assert "โดย ประธานอนุกรรมการ หรือ เลขานุการคณะอนุกรรมการ" in tasks
    nxt = text(section(html, "h-next-step"))
    assert "“เริ่มตรวจสอบคำขอ”" in nxt
    assert "เจ้าหน้าที่รับคำขอ หรือ เจ้าหน้าที่ผู้รับผิดชอบคำขอ" in nxt
    assert be_date(req.step_due_on) in nxt
    assert 'href="#action-start_screening"' in section(html, "h-next-step")  # the officer may: a button to its form
    # the next step comes before the action forms, the stages before the timeline
    assert html.index('id="h-next-step"') < html.index('id="h-actions"')
    assert html.index('id="h-tasks"') < html.index('id="h-timeline"') < html.index('id="h-screening"')


def test_someone_who_may_not_take_the_next_step_gets_no_button(make_request: Any, login: Any) -> None:
    req = make_request(assign_to="officer.cm")
    html = page(login("secretary.cm"), req)
    nxt = section(html, "h-next-step")
    assert "“เริ่มตรวจสอบคำขอ”" in text(nxt)
    assert "#action-" not in nxt


def decided(make_request: Any, act: Any, attach: Any, service: str = "LIT") -> Request:
    req = make_request(service=service, assign_to="officer.cm")
    act(req, "officer.cm", "start_screening")
    attach(req, "officer.cm", "@required")
    for step in ("accept", "complete_fact_finding", "submit_opinion"):
        act(req, "officer.cm", step)
    act(req, "secretary.cm", "record_subcommittee_decision", outcome="approved", reason_code="A01",
        comment="มติที่ประชุม 1/2570")
    return Request.objects.get(pk=req.pk)


def test_the_timeline_is_newest_first_and_shows_the_outcome_by_name(
        make_request: Any, act: Any, attach: Any, login: Any) -> None:
    req = decided(make_request, act, attach)
    html = page(login("officer.cm"), req)
    timeline = section(html, "h-timeline")
    entries = [text(li) for li in re.findall(r"<li>(.*?)</li>", timeline, re.S)]
    assert entries[0].strip().startswith("บันทึกมติคณะอนุกรรมการ: การพิจารณา")
    reason = all_reasons()["A01"]
    assert "ผลการพิจารณา: อนุมัติ" in entries[0] and reason.th in entries[0]
    assert "เสนอความเห็นเจ้าหน้าที่" in entries[1]
    assert "รับคำขอ" in entries[-1]  # the oldest last, in the disclosure of earlier entries
    assert "รายการก่อนหน้า" in text(timeline)
    status = text(section(html, "h-status"))
    assert reason.th in status and "อนุมัติ" in status
    tasks = text(section(html, "h-tasks"))
    assert "มีผลการพิจารณา" in tasks and "เสร็จ" in tasks
    nxt = text(section(html, "h-next-step"))
    assert "“แจ้งผลการพิจารณาแก่ผู้ขอ”" in nxt


def test_a_closed_request_says_it_has_ended(make_request: Any, act: Any, attach: Any, login: Any) -> None:
    req = decided(make_request, act, attach)
    act(req, "officer.cm", "notify_applicant")
    act(req, "officer.cm", "close")
    req = Request.objects.get(pk=req.pk)
    html = page(login("officer.cm"), req)
    nxt = text(section(html, "h-next-step"))
    assert "คำขอนี้สิ้นสุดแล้ว" in nxt and be_date(req.closed_on) in nxt
    assert "ติดตามผล" in text(section(html, "h-tasks")) and "ไม่ได้ดำเนินการ" in text(section(html, "h-tasks"))


def post_action(client: Any, req: Request, action: str, comment: str = "") -> Any:
    req = Request.objects.get(pk=req.pk)
    return client.post(reverse("staff:transition", args=[req.pk]), {
        "action_code": action, f"{action}-action": action, f"{action}-version": req.version,
        f"{action}-comment": comment,
    }, follow=True)


def banner(resp: Any) -> str:
    html = resp.content.decode()
    start = html.index(">", html.index('class="messages"')) + 1
    return text(html[start:html.index("</ul>", start)])


def test_the_banner_says_what_happened_and_what_comes_next(make_request: Any, login: Any) -> None:
    req = make_request(assign_to="officer.cm")
    resp = post_action(login("officer.cm"), req, "start_screening")
    said = banner(resp)
    req = Request.objects.get(pk=req.pk)
    assert said.strip().startswith("ดำเนินการแล้ว บันทึกแล้ว: เริ่มตรวจสอบคำขอ")
    assert "ขั้นตอนถัดไป: “เอกสารครบถ้วน รับเรื่องเพื่อแสวงหาข้อเท็จจริง”" in said
    assert "โดย เจ้าหน้าที่รับคำขอ หรือ เจ้าหน้าที่ผู้รับผิดชอบคำขอ" in said
    assert f"ภายใน {be_date(req.step_due_on)}" in said


def test_the_banner_after_a_hand_off_names_who_was_told(make_request: Any, act: Any, attach: Any, login: Any) -> None:
    req = make_request(assign_to="officer.cm")
    act(req, "officer.cm", "start_screening")
    attach(req, "officer.cm", "@required")
    act(req, "officer.cm", "accept")
    act(req, "officer.cm", "complete_fact_finding")
    resp = post_action(login("officer.cm"), req, "submit_opinion", comment="เห็นควรอนุมัติ")
    said = banner(resp)
    # the urgent decision is the subcommittee chair's since issue 10 (its name says so)
    assert "ขั้นตอนถัดไป: “พิจารณากรณีเร่งด่วนโดยประธานอนุกรรมการ” หรือ “บันทึกมติคณะอนุกรรมการ”" in said
    assert "ระบบแจ้งเตือน อรุณี บันทึกดี (เลขานุการคณะอนุกรรมการ) ในระบบงานแล้ว" in said


def test_the_banner_while_waiting_for_the_applicant(make_request: Any, login: Any) -> None:
    req = make_request(assign_to="officer.cm")
    resp = post_action(login("officer.cm"), req, "request_documents", comment="ขอสำเนาทะเบียนบ้าน")
    said = banner(resp)
    # the officer records them received, or the applicant sends them on the portal (issue 12)
    assert ("ขั้นตอนถัดไป: “ได้รับเอกสารครบแล้ว” หรือ “ส่งเอกสารที่ขอเพิ่มเติม” เมื่อได้รับเอกสารจากผู้ขอรับความช่วยเหลือ"
            in said)
    assert "ภายใน" not in said  # the clock is paused: no date


@pytest.mark.parametrize("service", ["LIT", "BAIL", "HR", "PROJECT", "CONSULT"])
def test_every_service_has_a_task_list_and_a_next_step(make_request: Any, login: Any, service: str) -> None:
    req = make_request(service=service, assign_to="officer.cm")
    html = page(login("officer.cm"), req)
    pr = progress_of(req)
    tasks = text(section(html, "h-tasks"))
    for stage in pr.stages:
        assert stage.state.th in tasks
    assert pr.next.actions and f"“{pr.next.actions[0].th}”" in text(section(html, "h-next-step"))


def test_in_english_the_stages_and_roles_are_named_in_english(make_request: Any, login: Any) -> None:
    req = make_request(assign_to="officer.cm")
    client = login("officer.cm")
    client.post(reverse("set_language"), {"language": "en", "next": "/staff/"})
    html = page(client, req)
    tasks = text(section(html, "h-tasks"))
    assert "Received" in tasks and "Fact-finding" in tasks and "รับคำขอ" not in tasks
    nxt = text(section(html, "h-next-step"))
    assert "“Start screening”" in nxt and "B.E. 25" in nxt
