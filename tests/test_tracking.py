"""Tracking on the portal (issue 12, item 5): the citizen's request's steps and due dates, the clock
paused by a request for documents and resumed by the citizen's upload, messages both ways with
notifications, the letter to its owner only, the appeal within and after its period, the survey
once and only after a decision, the satisfaction KPI, and another citizen's URL (404, audited)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jfs.accounts.models import Office, User
from jfs.audit.models import AuditEvent
from jfs.cases import services
from jfs.cases.errors import Conflict, InvalidInput, NotPermitted
from jfs.cases.models import Request
from jfs.core import clock
from jfs.core.models import Notification
from jfs.decisions import services as decisions
from jfs.portal.access import ASSURANCE_KEY
from jfs.tracking import selectors
from jfs.tracking import services as tracking
from jfs.tracking.models import Survey
from jfslib import thaidate
from tests.conftest import DETAILS, SAMPLE_FILES, applicant_input, new_national_id
from tests.decisions_support import decide

pytestmark = pytest.mark.django_db


def make_citizen(username: str, *, verified: bool = True) -> User:
    """A portal citizen: signed in with the digital ID (national ID set) or a one-time code (empty)."""
    return User.objects.create_user(
        username=username,
        role="citizen",
        first_name="สมใจ",
        last_name="ทดสอบ",
        national_id=new_national_id() if verified else "",
    )


def portal_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[ASSURANCE_KEY] = "digital_id" if user.national_id else "one_time_code"
    session.save()
    return client


@pytest.fixture
def citizen(users: dict[str, User]) -> User:
    return make_citizen("citizen.one")


@pytest.fixture
def online(citizen: User, offices: dict[str, Office]) -> Request:
    """A bail request the citizen filed online at Chiang Mai, for themselves."""
    return services.create_request(
        actor=citizen,
        service="BAIL",
        office=offices["50"],
        channel="online",
        applicant=applicant_input("50", national_id=citizen.national_id),
        details=DETAILS["BAIL"],
    )


def page(client: Client, req: Request) -> Any:
    return client.get(reverse("portal:my_request", args=[req.number]))


def told(user: User, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=kind))


def test_the_steps_are_in_plain_words_with_the_due_date_in_buddhist_era(citizen: User, online: Request) -> None:
    resp = page(portal_client(citizen), online)
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "ได้รับคำขอของท่านแล้ว" in html and "คณะอนุกรรมการพิจารณา" in html
    assert online.due_on is not None
    assert thaidate.format_thai(online.due_on, "long") in html  # the 21-working-day clock's date, B.E.
    assert str(online.due_on.year) not in html.split("<main", 1)[1].replace(online.number, "")
    listing = portal_client(citizen).get(reverse("portal:my_requests")).content.decode()
    assert online.number in listing and "ได้รับคำขอของท่านแล้ว" in listing


def test_viewing_the_request_is_audited(citizen: User, online: Request) -> None:
    page(portal_client(citizen), online)
    assert AuditEvent.objects.filter(action="view_personal_data", reference=online.number, actor_id=citizen.pk).exists()


def test_asked_for_documents_pauses_the_clock_until_the_citizen_uploads_and_sends(
    citizen: User,
    online: Request,
    act: Callable[..., Request],
    users: dict[str, User],
    django_capture_on_commit_callbacks: Any,
) -> None:
    act(online, "intake.cm", "start_screening")
    with django_capture_on_commit_callbacks(execute=True):
        asked = act(online, "intake.cm", "request_documents", comment="สำเนาหมายขังฉบับล่าสุด")
    assert asked.paused_since is not None and asked.due_on is None
    notice = told(citizen, "tracking_documents_requested")
    assert len(notice) == 1 and "สำเนาหมายขังฉบับล่าสุด" in notice[0].body
    assert notice[0].link == reverse("portal:my_request", args=[online.number])

    client = portal_client(citizen)
    html = page(client, online).content.decode()
    assert "สำเนาหมายขังฉบับล่าสุด" in html and "หยุดนับเวลาไว้ระหว่างรอเอกสารจากท่าน" in html

    bad = client.post(
        reverse("portal:my_request_upload", args=[online.number]),
        {"doc_type": "id_card", "file": SimpleUploadedFile("x.pdf", SAMPLE_FILES["exe"])},
    )
    assert bad.status_code == 400 and "รับเฉพาะไฟล์ PDF" in bad.content.decode()  # refused, in Thai, on the page
    doc_type = next(iter(online.workflow.documents))
    ok = client.post(
        reverse("portal:my_request_upload", args=[online.number]),
        {"doc_type": doc_type, "file": SimpleUploadedFile("warrant.pdf", SAMPLE_FILES["pdf"])},
    )
    assert ok.status_code == 302 and online.documents.filter(uploaded_by=citizen).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            reverse("portal:my_request_send_documents", args=[online.number]),
            {"version": Request.objects.get(pk=online.pk).version},
        )
    assert sent.status_code == 302
    resumed = Request.objects.get(pk=online.pk)
    assert resumed.state == "screening" and resumed.paused_since is None and resumed.due_on is not None
    assert told(users["intake.cm"], "tracking_documents_sent") or told(users["officer.cm"], "tracking_documents_sent")


def test_messages_go_both_ways_and_each_side_is_told(
    citizen: User,
    online: Request,
    login: Callable[[str], Client],
    users: dict[str, User],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = portal_client(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(reverse("portal:my_request_message", args=[online.number]), {"text": "ขอทราบความคืบหน้า"})
    assert resp.status_code == 302
    officers = selectors.office_recipients(online)
    assert officers and all(told(o, "tracking_citizen_message") for o in officers)
    assert "ขอทราบความคืบหน้า" not in told(officers[0], "tracking_citizen_message")[0].body  # no message text in a notice

    staff = login("intake.cm")
    case = staff.get(reverse("staff:case", args=[online.pk])).content.decode()
    assert "ขอทราบความคืบหน้า" in case and "ข้อความกับผู้ขอ" in case
    with django_capture_on_commit_callbacks(execute=True):
        resp = staff.post(reverse("staff:request_message", args=[online.pk]), {"text": "อยู่ระหว่างตรวจเอกสาร"})
    assert resp.status_code == 302
    assert len(told(citizen, "tracking_message")) == 1
    html = page(client, online).content.decode()
    assert "อยู่ระหว่างตรวจเอกสาร" in html
    assert selectors.unread_from_office(online) == 0  # opened by the citizen: read

    empty = client.post(reverse("portal:my_request_message", args=[online.number]), {"text": "  "})
    assert empty.status_code == 400 and "กรุณาพิมพ์ข้อความ" in empty.content.decode()


def test_an_officer_of_another_office_cannot_write(citizen: User, online: Request, users: dict[str, User]) -> None:
    with pytest.raises(NotPermitted):
        tracking.send_message(actor=users["officer.kk"], request_id=online.pk, text="สวัสดี")


def test_another_citizens_request_is_not_found_and_the_attempt_audited(online: Request) -> None:
    stranger = make_citizen("citizen.two")
    client = portal_client(stranger)
    for url in (
        reverse("portal:my_request", args=[online.number]),
        reverse("portal:my_request", args=["JF2-50-2599-99999"]),
    ):
        assert client.get(url).status_code == 404
    refused = AuditEvent.objects.filter(action="portal_access_refused", actor_id=stranger.pk)
    assert {e.reference for e in refused} == {online.number, "JF2-50-2599-99999"}
    assert {e.details["exists"] for e in refused} == {True, False}
    post = client.post(reverse("portal:my_request_message", args=[online.number]), {"text": "x"})
    assert post.status_code == 404 and not online.tracking_messages.exists()


def test_a_one_time_code_citizen_sees_only_what_they_filed(online: Request, offices: dict[str, Office]) -> None:
    otc = make_citizen("citizen.otc", verified=False)
    client = portal_client(otc)
    assert client.get(reverse("portal:my_requests")).status_code == 200
    assert page(client, online).status_code == 404


def _decided(req: Request, users: dict[str, User], act: Callable[..., Request], outcome: str) -> Request:
    decide(req, users, outcome)
    return act(Request.objects.get(pk=req.pk), "officer.cm", "notify_applicant")


def test_the_letter_goes_to_its_owner_only(
    citizen: User,
    online: Request,
    users: dict[str, User],
    act: Callable[..., Request],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _decided(online, users, act, "approved")
    assert told(citizen, "tracking_decided")
    with django_capture_on_commit_callbacks(execute=True):
        letter = decisions.generate_letter(actor=users["officer.cm"], request_id=online.pk)
    assert told(citizen, "tracking_letter")
    url = reverse("portal:my_request_letter", args=[online.number, letter.pk])
    resp = portal_client(citizen).get(url)
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf" and resp.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="view_personal_data", object_type="letter", actor_id=citizen.pk).exists()
    stranger = make_citizen("citizen.three")
    assert portal_client(stranger).get(url).status_code == 404
    assert AuditEvent.objects.filter(action="portal_access_refused", actor_id=stranger.pk).exists()


def test_an_appeal_is_filed_online_within_its_period(
    citizen: User, online: Request, users: dict[str, User], act: Callable[..., Request]
) -> None:
    _decided(online, users, act, "rejected")
    deadline = decisions.appeal_deadline(Request.objects.get(pk=online.pk))
    assert deadline is not None
    client = portal_client(citizen)
    html = page(client, online).content.decode()
    assert thaidate.format_thai(deadline, "long") in html and "ยื่นอุทธรณ์" in html
    empty = client.post(reverse("portal:my_request_appeal", args=[online.number]), {"grounds": ""})
    assert empty.status_code == 400 and "กรุณาบอกเหตุผลที่ขออุทธรณ์" in empty.content.decode()
    resp = client.post(reverse("portal:my_request_appeal", args=[online.number]), {"grounds": "มีหลักฐานรายได้ใหม่"})
    assert resp.status_code == 302
    req = Request.objects.get(pk=online.pk)
    assert req.state == "appeal" and req.appeals.get().grounds == "มีหลักฐานรายได้ใหม่"


def test_after_the_appeal_period_the_page_says_so_and_refuses(
    citizen: User, online: Request, users: dict[str, User], act: Callable[..., Request]
) -> None:
    _decided(online, users, act, "rejected")
    deadline = decisions.appeal_deadline(Request.objects.get(pk=online.pk))
    assert deadline is not None
    late = datetime.combine(deadline + timedelta(days=1), time(10, 0), tzinfo=clock.FUND_TIMEZONE)
    with time_machine.travel(late, tick=False):
        client = portal_client(citizen)
        html = page(client, online).content.decode()
        assert "พ้นกำหนดอุทธรณ์แล้ว" in html and 'name="grounds"' not in html
        resp = client.post(reverse("portal:my_request_appeal", args=[online.number]), {"grounds": "ขออุทธรณ์"})
        assert resp.status_code == 400 and "พ้นกำหนดอุทธรณ์แล้ว" in resp.content.decode()
    assert Request.objects.get(pk=online.pk).state == "notified"


def test_the_survey_opens_after_the_decision_and_is_answered_once(
    citizen: User, online: Request, users: dict[str, User], act: Callable[..., Request]
) -> None:
    with pytest.raises(InvalidInput):
        tracking.answer_survey(actor=citizen, request_id=online.pk, score=5)
    assert "แบบสอบถามความพึงพอใจ" not in page(portal_client(citizen), online).content.decode()
    _decided(online, users, act, "approved")
    client = portal_client(citizen)
    missing = client.post(reverse("portal:my_request_survey", args=[online.number]), {"comment": "ดี"})
    assert missing.status_code == 400 and "กรุณาเลือกระดับความพึงพอใจ" in missing.content.decode()
    resp = client.post(reverse("portal:my_request_survey", args=[online.number]), {"score": "4", "comment": "รวดเร็ว"})
    assert resp.status_code == 302
    survey = Survey.objects.get(request=online)
    assert (survey.score, survey.comment, survey.office_id) == (4, "รวดเร็ว", online.office_id)
    again = client.post(reverse("portal:my_request_survey", args=[online.number]), {"score": "1"})
    assert again.status_code == 400 and Survey.objects.get(request=online).score == 4
    with pytest.raises(Conflict):
        tracking.answer_survey(actor=citizen, request_id=online.pk, score=1)
    assert "ขอบคุณที่ตอบแบบสอบถาม" in page(client, online).content.decode()
    with pytest.raises(NotPermitted):  # an officer does not answer for the applicant
        tracking.answer_survey(actor=users["officer.cm"], request_id=online.pk, score=5)


def test_satisfaction_is_the_share_of_answers_scoring_4_or_5(
    users: dict[str, User], offices: dict[str, Office], make_request: Callable[..., Request]
) -> None:
    fy = thaidate.fiscal_year(clock.today())
    for score in (5, 4, 3, 1):
        req = make_request()
        Survey.objects.create(
            request=req, respondent=users["intake.cm"], score=score, at=clock.now(), fiscal_year=fy, office=req.office
        )
    kk = make_request(office="40")
    Survey.objects.create(
        request=kk, respondent=users["officer.kk"], score=5, at=clock.now(), fiscal_year=fy, office=kk.office
    )
    cm = selectors.satisfaction(fy, offices["50"].pk)
    assert (cm.answers, cm.satisfied, cm.percent) == (4, 2, 50.0)
    assert selectors.satisfaction(fy).percent == 60.0
    goals = selectors.definition().goals
    assert [g.percent for g in goals] == [80, 85] and cm.meets(goals[0]) is False
    assert [s.office.code for s in selectors.satisfaction_by_office(fy) if s.office] == ["40", "50"]
    assert selectors.satisfaction(fy - 1).percent is None  # no answer: no figure, not zero


def test_the_staff_satisfaction_page_shows_the_share_against_the_goals(
    users: dict[str, User], make_request: Callable[..., Request], login: Callable[[str], Client]
) -> None:
    fy = thaidate.fiscal_year(clock.today())
    for score in (5, 2):
        req = make_request()
        Survey.objects.create(
            request=req, respondent=users["intake.cm"], score=score, at=clock.now(), fiscal_year=fy, office=req.office
        )
    html = login("head.cm").get(reverse("staff:satisfaction")).content.decode()
    assert "50.0" in html and "เป้าหมาย 80%" in html and "เป้าหมาย 85%" in html and "ยังไม่ถึง" in html
