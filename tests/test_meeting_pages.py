"""The meeting pages (issue 10, item 3): each seat sees only the buttons its role may use in the
meeting's state, forged posts are refused in words (never a 500), the quorum and conflict rules
show their Thai message on the page, the resolution form's errors sit on their fields."""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jfs.audit.models import AuditEvent
from jfs.cases import services as cases
from jfs.cases.models import Request
from jfs.core import clock
from jfs.core.pdf import pdf_text
from jfs.decisions import models as m
from jfs.decisions import services as decisions
from tests.decisions_support import seat_everyone, to_consideration

pytestmark = pytest.mark.django_db

#: the buttons of the meeting steps, by their words
BUTTONS = {
    "agenda": "จัดระเบียบวาระจากคำขอที่รอพิจารณา",
    "open": "เปิดประชุม",
    "close": "ปิดประชุม",
    "approve": "รับรองรายงานการประชุม",
    "minutes": "ดาวน์โหลดรายงานการประชุม (PDF)",
}


@pytest.fixture
def seated(users: dict[str, Any]) -> dict[str, Any]:
    seat_everyone()
    return users


def _schedule(users: dict[str, Any], mode: str = "in_person") -> m.Meeting:
    committee = m.Committee.objects.get(code="P50")
    when = timezone.make_aware(datetime.combine(clock.today(), time(9, 30)))
    return decisions.schedule_meeting(actor=users["secretary.cm"], committee_id=committee.pk, scheduled_for=when,
                                      place="ห้องประชุมชั้น 2", mode=mode)


def _page(client: Client, meeting: m.Meeting) -> str:
    resp = client.get(reverse("staff:meeting", args=[meeting.pk]))
    assert resp.status_code == 200
    return resp.content.decode()


def _buttons(html: str) -> set[str]:
    return {step for step, words in BUTTONS.items() if re.search(rf">\s*{re.escape(words)}\s*<", html)}


def _open(users: dict[str, Any], meeting: m.Meeting, present: tuple[str, ...] = ("chair.cm", "member.cm",
                                                                                   "member2.cm", "member3.cm")) -> None:
    for who in present:
        decisions.record_attendance(actor=users["secretary.cm"], meeting_id=meeting.pk, user=users[who])
    decisions.open_meeting(actor=users["secretary.cm"], meeting_id=meeting.pk)


def test_each_seat_sees_only_its_buttons_in_each_state(make_request: Any, seated: dict[str, Any],
                                                       login: Any) -> None:
    req = to_consideration(make_request(), seated)
    meeting = _schedule(seated)
    clients = {who: login(who) for who in ("secretary.cm", "chair.cm", "member.cm")}
    expected = {
        m.SCHEDULED: {"secretary.cm": {"agenda", "open"}, "chair.cm": set(), "member.cm": set()},
        m.OPEN: {"secretary.cm": {"close"}, "chair.cm": set(), "member.cm": set()},
        m.CLOSED: {"secretary.cm": set(), "chair.cm": {"approve"}, "member.cm": set()},
        m.APPROVED: {"secretary.cm": {"minutes"}, "chair.cm": {"minutes"}, "member.cm": {"minutes"}},
    }
    for who, buttons in expected[m.SCHEDULED].items():
        assert _buttons(_page(clients[who], meeting)) == buttons, who
    decisions.build_agenda(actor=seated["secretary.cm"], meeting_id=meeting.pk)
    _open(seated, meeting)
    item = meeting.items.get(request=req)
    for who, buttons in expected[m.OPEN].items():
        html = _page(clients[who], meeting)
        assert _buttons(html) == buttons, who
        # the vote and the conflict declaration for the members present; the resolution form for the secretary
        assert ("แจ้งส่วนได้เสียในวาระนี้" in html) == (who != "secretary.cm")
        assert (">เห็นชอบ</button>" in html) == (who != "secretary.cm")
        assert ("บันทึกมติที่ประชุม" in html) == (who == "secretary.cm")
    for who in ("chair.cm", "member.cm", "member2.cm"):
        decisions.cast_vote(actor=seated[who], item_id=item.pk, choice="for")
    decisions.decide_at_meeting(actor=seated["secretary.cm"], item_id=item.pk, outcome="approved",
                                reason_codes=["A01", "A02"])
    decisions.close_meeting(actor=seated["secretary.cm"], meeting_id=meeting.pk)
    for who, buttons in expected[m.CLOSED].items():
        assert _buttons(_page(clients[who], meeting)) == buttons, who
    decisions.approve_minutes(actor=seated["chair.cm"], meeting_id=meeting.pk)
    for who, buttons in expected[m.APPROVED].items():
        html = _page(clients[who], meeting)
        assert _buttons(html) == buttons, who
        assert "มติที่ประชุม" in html and "อนุมัติ" in html


def test_a_member_forging_the_secretarys_post_is_refused(seated: dict[str, Any], login: Any) -> None:
    meeting = _schedule(seated)
    for who in ("chair.cm", "member.cm", "member2.cm"):
        decisions.record_attendance(actor=seated["secretary.cm"], meeting_id=meeting.pk, user=seated[who])
    resp = login("member.cm").post(reverse("staff:meeting_step", args=[meeting.pk, "open"]))
    assert resp.status_code == 403
    assert "เฉพาะเลขานุการของคณะนี้ทำขั้นตอนนี้ได้" in resp.content.decode()
    meeting.refresh_from_db()
    assert meeting.state == m.SCHEDULED


def test_a_person_without_a_seat_does_not_see_the_meeting(seated: dict[str, Any], login: Any) -> None:
    meeting = _schedule(seated)
    client = login("officer.cm")
    assert client.get(reverse("staff:meeting", args=[meeting.pk])).status_code == 404
    assert client.post(reverse("staff:meeting_step", args=[meeting.pk, "open"])).status_code == 404
    assert "ครั้งที่" not in client.get(reverse("staff:meetings")).content.decode()
    # a read-only role (the auditor) sees every meeting, with no button and no form
    html = _page(login("auditor"), meeting)
    assert _buttons(html) == set() and "บันทึกว่ามาประชุม" not in html and "ลงชื่อเข้าประชุม" not in html
    assert "ครั้งที่ 1/" in login("auditor").get(reverse("staff:meetings")).content.decode()


def test_a_vote_by_a_declared_member_is_refused_in_thai_on_the_page(make_request: Any, seated: dict[str, Any],
                                                                   login: Any) -> None:
    req = to_consideration(make_request(), seated)
    meeting = _schedule(seated)
    decisions.build_agenda(actor=seated["secretary.cm"], meeting_id=meeting.pk)
    _open(seated, meeting)
    item = meeting.items.get(request=req)
    client = login("member3.cm")
    resp = client.post(reverse("staff:meeting_item_step", args=[item.pk, "conflict"]), {"note": "เป็นญาติ\x00ของคู่ความ"})
    assert resp.status_code == 303
    html = client.get(resp["Location"]).content.decode()
    assert "บันทึกการแจ้งส่วนได้เสียแล้ว" in html and "ชาญ ชอบธรรม" in html
    assert ">เห็นชอบ</button>" not in html  # no vote offered after a conflict
    resp = client.post(reverse("staff:meeting_item_step", args=[item.pk, "vote"]), {"choice": "for"}, follow=True)
    assert resp.status_code == 200
    assert "ท่านแจ้งส่วนได้เสียในวาระนี้ จึงลงมติไม่ได้" in resp.content.decode()
    assert not item.votes.exists()
    assert item.conflicts.get().note == "เป็นญาติของคู่ความ"  # a NUL typed or forged never reaches the database


def test_opening_without_quorum_says_so(seated: dict[str, Any], login: Any) -> None:
    meeting = _schedule(seated)
    decisions.record_attendance(actor=seated["secretary.cm"], meeting_id=meeting.pk, user=seated["chair.cm"])
    client = login("secretary.cm")
    html = _page(client, meeting)
    assert "มาประชุม 1 จาก 4 คน ต้องมีอย่างน้อย 3 คน" in html
    resp = client.post(reverse("staff:meeting_step", args=[meeting.pk, "open"]), follow=True)
    assert resp.status_code == 200
    assert "องค์ประชุมไม่ครบ: มาประชุม 1 คน จากกรรมการ 4 คน ต้องมีอย่างน้อย 3 คน" in resp.content.decode()
    meeting.refresh_from_db()
    assert meeting.state == m.SCHEDULED


def test_the_resolution_forms_errors_are_on_their_fields_and_what_was_typed_is_kept(
        make_request: Any, seated: dict[str, Any], login: Any) -> None:
    req = to_consideration(make_request(), seated)
    meeting = _schedule(seated)
    decisions.build_agenda(actor=seated["secretary.cm"], meeting_id=meeting.pk)
    _open(seated, meeting)
    item = meeting.items.get(request=req)
    for who in ("chair.cm", "member.cm", "member2.cm"):
        decisions.cast_vote(actor=seated[who], item_id=item.pk, choice="for")
    client = login("secretary.cm")
    p = f"r{item.pk}-"
    # partly approved, an approval reason that does not fit, an item above what was asked
    resp = client.post(reverse("staff:meeting_decide", args=[item.pk]), {
        f"{p}outcome": "partially_approved", f"{p}reason_codes": ["R03"], f"{p}item_lawyer": "99000",
        f"{p}item_court_fee": "2000", f"{p}note": "บันทึกของเลขานุการ"})
    assert resp.status_code == 303
    html = client.get(resp["Location"]).content.decode()
    reasons_block = html.split(f'id="id_{p}reason_codes"', 1)[1].split("</legend>", 1)[1][:800]
    assert "ใช้กับผลการพิจารณา “อนุมัติบางส่วน” ไม่ได้" in reasons_block
    lawyer = html.split(f'id="id_{p}item_lawyer_error"', 1)[1][:400]
    assert "อนุมัติได้ไม่เกินที่ขอ 15,000.00 บาท" in lawyer
    assert 'value="99000"' in html and "บันทึกของเลขานุการ" in html  # kept as typed
    assert re.search(r'value="partially_approved"\s+checked', html)
    assert 'class="error-summary"' in html
    req.refresh_from_db()
    assert req.state == "consideration"
    # put right: recorded, and shown in words
    resp = client.post(reverse("staff:meeting_decide", args=[item.pk]), {
        f"{p}outcome": "partially_approved", f"{p}reason_codes": ["A01", "P01"], f"{p}item_lawyer": "10000",
        f"{p}item_court_fee": "2000", f"{p}note": "ค่าทนายความเกินอัตรา"})
    assert resp.status_code == 303
    html = client.get(resp["Location"]).content.decode()
    assert "บันทึกมติที่ประชุมแล้ว" in html and "อนุมัติบางส่วน" in html and "12,000.00" in html
    assert Request.objects.get(pk=req.pk).outcome == "partially_approved"


def test_reason_options_narrow_to_the_outcome(make_request: Any, seated: dict[str, Any], login: Any) -> None:
    req = to_consideration(make_request(), seated)
    meeting = _schedule(seated)
    decisions.build_agenda(actor=seated["secretary.cm"], meeting_id=meeting.pk)
    item = meeting.items.get(request=req)
    client = login("secretary.cm")
    p = f"r{item.pk}-"
    url = reverse("staff:meeting_resolution_fields", args=[item.pk])
    rejected = client.get(url, {f"{p}outcome": "rejected"}, headers={"HX-Request": "true"}).content.decode()
    approved = client.get(url, {f"{p}outcome": "approved"}, headers={"HX-Request": "true"}).content.decode()
    assert 'value="R03"' in rejected and 'value="A01"' not in rejected and "item_lawyer" not in rejected
    assert 'value="A01"' in approved and 'value="R03"' not in approved
    assert re.search(r'value="15000(\.00)?"[^>]*id="id_r\d+-item_lawyer"', approved)  # prefilled: the amount requested


def test_scheduling_takes_a_buddhist_era_date_and_refuses_a_christian_one(seated: dict[str, Any],
                                                                          login: Any) -> None:
    client = login("secretary.cm")
    committee = m.Committee.objects.get(code="P50")
    day = clock.today()
    data = {"s-committee": committee.pk, "s-on": f"{day.day:02d}/{day.month:02d}/{day.year}", "s-at": "09.30",
            "s-place": "ห้องประชุมชั้น 2", "s-mode": "hybrid"}
    resp = client.post(reverse("staff:meetings"), data)
    assert resp.status_code == 422
    html = resp.content.decode()
    assert "ดูเหมือนเป็นปี ค.ศ." in html and "ห้องประชุมชั้น 2" in html
    assert not m.Meeting.objects.exists()
    resp = client.post(reverse("staff:meetings"), {**data, "s-on": f"{day.day:02d}/{day.month:02d}/{day.year + 543}"})
    assert resp.status_code == 303
    made = m.Meeting.objects.get()
    assert (made.mode, made.place, timezone.localtime(made.scheduled_for).time()) == ("hybrid", "ห้องประชุมชั้น 2", time(9, 30))
    listing = client.get(reverse("staff:meetings")).content.decode()
    assert "นัดประชุมแล้ว" in listing and "ประชุมในห้องประชุมและผ่านสื่ออิเล็กทรอนิกส์" in listing
    # a member neither sees the form nor may post it
    member = login("member.cm")
    assert 'name="s-committee"' not in member.get(reverse("staff:meetings")).content.decode()
    assert member.post(reverse("staff:meetings"), data).status_code == 403


def test_a_member_signs_in_electronically_only_at_an_electronic_meeting(seated: dict[str, Any], login: Any) -> None:
    room = _schedule(seated)
    client = login("member.cm")
    assert "ลงชื่อเข้าประชุมผ่านสื่ออิเล็กทรอนิกส์" not in _page(client, room)
    resp = client.post(reverse("staff:meeting_attend", args=[room.pk]), {"mode": "electronic"}, follow=True)
    assert "การประชุมนี้ไม่ได้จัดผ่านสื่ออิเล็กทรอนิกส์" in resp.content.decode()
    hybrid = _schedule(seated, mode="hybrid")
    assert "ลงชื่อเข้าประชุมผ่านสื่ออิเล็กทรอนิกส์" in _page(client, hybrid)
    resp = client.post(reverse("staff:meeting_attend", args=[hybrid.pk]), {"mode": "electronic"}, follow=True)
    html = resp.content.decode()
    assert "เข้าประชุมผ่านสื่ออิเล็กทรอนิกส์" in html and "มาประชุม 1 จาก 4 คน" in html
    assert hybrid.attendance.get().mode == m.ELECTRONIC


def test_the_minutes_download_is_a_pdf_attachment_and_audited(make_request: Any, seated: dict[str, Any],
                                                              login: Any) -> None:
    req = to_consideration(make_request(), seated)
    meeting = _schedule(seated)
    decisions.build_agenda(actor=seated["secretary.cm"], meeting_id=meeting.pk)
    _open(seated, meeting)
    item = meeting.items.get(request=req)
    for who in ("chair.cm", "member.cm", "member2.cm"):
        decisions.cast_vote(actor=seated[who], item_id=item.pk, choice="for")
    decisions.decide_at_meeting(actor=seated["secretary.cm"], item_id=item.pk, outcome="approved",
                                reason_codes=["A01", "A02"])
    client = login("member.cm")
    assert client.get(reverse("staff:meeting_minutes", args=[meeting.pk])).status_code == 404  # not yet approved
    decisions.close_meeting(actor=seated["secretary.cm"], meeting_id=meeting.pk)
    decisions.approve_minutes(actor=seated["chair.cm"], meeting_id=meeting.pk)
    resp = client.get(reverse("staff:meeting_minutes", args=[meeting.pk]))
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert resp["Content-Disposition"].startswith("attachment;")
    assert resp["Content-Security-Policy"] == "sandbox" and resp["X-Content-Type-Options"] == "nosniff"
    assert resp.content.startswith(b"%PDF") and req.number in pdf_text(resp.content)
    assert AuditEvent.objects.filter(action="minutes_downloaded", object_id=str(meeting.pk)).exists()


def test_the_chairs_urgent_decision_is_shown_and_acknowledged(make_request: Any, seated: dict[str, Any],
                                                              login: Any) -> None:
    bail = to_consideration(make_request(service="BAIL"), seated)
    cases.transition(actor=seated["chair.cm"], request_id=bail.pk, action="decide_urgent",
                     expected_version=bail.version, fields={"outcome": "approved", "reason_codes": ["A01", "A03"]})
    meeting = _schedule(seated)
    decisions.build_agenda(actor=seated["secretary.cm"], meeting_id=meeting.pk)
    item = meeting.items.get(request=bail)
    assert item.kind == m.ACKNOWLEDGE
    client = login("secretary.cm")
    html = _page(client, meeting)
    assert "ผลการพิจารณากรณีเร่งด่วนของประธาน" in html and "รอที่ประชุมรับทราบ" in html
    assert "ผู้ขอมีฐานะยากจน ไม่สามารถรับภาระค่าใช้จ่ายได้" in html  # the reasons in words, not codes
    assert ">รับทราบ</button>" not in html  # not before the meeting opens
    _open(seated, meeting)
    member_html = _page(login("member.cm"), meeting)
    assert ">รับทราบ</button>" not in member_html and ">เห็นชอบ</button>" not in member_html  # not voted on
    html = _page(client, meeting)
    assert ">รับทราบ</button>" in html
    resp = client.post(reverse("staff:meeting_item_step", args=[item.pk, "acknowledge"]), follow=True)
    html = resp.content.decode()
    assert "ที่ประชุมรับทราบแล้ว" in html and ">รับทราบ</button>" not in html
    item.refresh_from_db()
    assert item.acknowledged_at is not None
