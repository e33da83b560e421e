"""Findings of the review of the citizen e-Service (issue 12) in complaints, consultations and
tracking, each pinned by a test that failed before its fix: a draft sent twice files twice, a late
complaint escalated twice by overlapping runs, the officer named in a complaint not recognised, the
officer's words in an SMS, no limit on bookings, views of personal data not audited."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from jfs.accounts.models import Office, User
from jfs.audit.models import AuditEvent
from jfs.cases import services as case_services
from jfs.cases.models import Request
from jfs.complaints import policy as complaint_policy
from jfs.complaints import selectors as complaint_selectors
from jfs.complaints import services as complaints
from jfs.complaints.models import Complaint
from jfs.consultations import policy as consultation_policy
from jfs.consultations import services as consultations
from jfs.consultations.models import BOOKED, Appointment, Question
from jfs.core.models import Notification
from jfs.core.named import Named
from jfs.notify import services as notify_services
from jfs.notify.models import ChannelChoice, Delivery
from jfs.portal.access import ASSURANCE_KEY
from tests.conftest import CHIANG_MAI, DETAILS, applicant_input, new_national_id
from tests.test_consultations import run_together

pytestmark = pytest.mark.django_db

BKK = ZoneInfo("Asia/Bangkok")


def sign_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[ASSURANCE_KEY] = "one_time_code"
    session.save()
    return client


def _restore(client: Client, key: str, draft: dict[str, Any]) -> None:
    """Put a draft back in the session, as a second request that read it before the first one sent it has it."""
    session = client.session
    session[key] = draft
    session.save()


# --------------------------------------------------------------------------- 3: a draft sent twice


def _complaint_draft_filled(client: Client) -> dict[str, Any]:
    r = client.post(reverse("portal:complaint_step", args=["about"]), {"kind": "officer"})
    r = client.post(r["Location"], {"office": CHIANG_MAI})
    r = client.post(r["Location"], {"named_person": ""})
    r = client.post(r["Location"], {"subject": "พูดไม่สุภาพ", "details": "เจ้าหน้าที่พูดไม่สุภาพที่เคาน์เตอร์"})
    assert r["Location"] == reverse("portal:complaint_check")
    draft = client.session["complaint_draft"]
    assert isinstance(draft, dict)
    return dict(draft)


def test_a_complaint_draft_sent_twice_at_once_files_one_complaint(users: dict[str, User], offices: Any) -> None:
    citizen = users["citizen"]
    client = sign_in(citizen)
    draft = _complaint_draft_filled(client)
    first = client.post(reverse("portal:complaint_check"))
    assert first.status_code == 303
    _restore(client, "complaint_draft", draft)  # the second POST read the draft before the first sent it
    second = client.post(reverse("portal:complaint_check"))
    assert second.status_code == 303 and second["Location"] == first["Location"]
    assert Complaint.objects.filter(citizen=citizen).count() == 1
    # the office heads were told once
    assert Notification.objects.filter(kind="complaint_officer").count() == 1
    # a third "send" after the draft is gone (the back button, a late double click) lands on the same complaint
    third = client.post(reverse("portal:complaint_check"))
    assert third.status_code == 303 and third["Location"] == first["Location"]
    assert Complaint.objects.filter(citizen=citizen).count() == 1


def test_the_same_complaint_draft_committed_by_another_request_meanwhile_gives_that_complaint(
    users: dict[str, User], offices: dict[str, Office], monkeypatch: pytest.MonkeyPatch
) -> None:
    citizen = users["citizen"]
    key = uuid.uuid4()
    values: dict[str, Any] = {
        "kind": "service",
        "subject": "รอนาน",
        "details": "รอคิวนาน",
        "office": offices[CHIANG_MAI],
    }
    first = complaints.file_complaint(citizen=citizen, submission_key=key, **values)
    # the second submission looked before the first committed (found nothing), then its insert meets the unique key
    real = complaint_selectors.submitted
    looks: list[int] = []

    def missed_once(user: User, k: uuid.UUID) -> Complaint | None:
        looks.append(1)
        return None if len(looks) == 1 else real(user, k)

    monkeypatch.setattr(complaint_selectors, "submitted", missed_once)
    again = complaints.file_complaint(citizen=citizen, submission_key=str(key), **values)
    assert again.pk == first.pk and len(looks) == 2
    assert Complaint.objects.filter(citizen=citizen).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_submissions_of_one_complaint_draft_in_two_threads_file_one(
    users: dict[str, User], offices: dict[str, Office]
) -> None:
    citizen = users["citizen"]
    key = uuid.uuid4().hex
    office = offices[CHIANG_MAI]

    def send() -> Complaint:
        return complaints.file_complaint(
            citizen=citizen, kind="service", subject="รอนาน", details="รอคิวนาน", office=office, submission_key=key
        )

    results, errors = run_together(send, send)
    assert Complaint.objects.filter(citizen=citizen).count() == 1
    if connection.vendor == "postgresql":
        # the later insert waits for the first, meets the unique key and returns the first complaint
        assert not errors and len({c.pk for c in results}) == 1
    else:
        # SQLite's test database (in memory, shared cache) may refuse the second writer as "table is locked"
        assert all(isinstance(e, OperationalError) for e in errors) and len({c.pk for c in results}) == 1


def test_a_draft_key_that_is_not_one_is_refused_as_input_not_a_500(
    users: dict[str, User], offices: dict[str, Office]
) -> None:
    with pytest.raises(complaints.InvalidInput):
        complaints.file_complaint(
            citizen=users["citizen"],
            kind="service",
            subject="รอนาน",
            details="รอคิวนาน",
            office=offices[CHIANG_MAI],
            submission_key="not-a-key",
        )


def test_a_question_draft_sent_twice_at_once_registers_one_consult_request(
    users: dict[str, User], offices: Any
) -> None:
    citizen = users["citizen"]
    client = sign_in(citizen)
    r = client.post(reverse("portal:consult_ask", args=["office"]), {"office": CHIANG_MAI})
    r = client.post(r["Location"], {"topic": "ค่าชดเชย", "question": "นายจ้างเลิกจ้างโดยไม่จ่ายค่าชดเชย"})
    person = applicant_input(CHIANG_MAI)
    r = client.post(
        r["Location"],
        {
            "national_id": person.national_id,
            "first_name": "สมศรี",
            "last_name": "ประชาชน",
            "birth_date": "15/08/2530",
            "sex": "F",
        },
    )
    r = client.post(r["Location"], {"postcode": "50200"})
    r = client.post(r["Location"], {"place": "500101"})
    assert r["Location"] == reverse("portal:consult_ask_check")
    draft = dict(client.session["consult_question"])
    first = client.post(reverse("portal:consult_ask_check"))
    assert first.status_code == 303, first.content.decode()[:2000]
    _restore(client, "consult_question", draft)
    second = client.post(reverse("portal:consult_ask_check"))
    assert second.status_code == 303 and second["Location"] == first["Location"]
    assert Question.objects.filter(citizen=citizen).count() == 1
    assert Request.objects.filter(service="CONSULT", created_by=citizen).count() == 1
    third = client.post(reverse("portal:consult_ask_check"))
    assert third.status_code == 303 and third["Location"] == first["Location"]
    assert Request.objects.filter(service="CONSULT", created_by=citizen).count() == 1


# --------------------------------------------------------------------------- 4: escalation claimed


def test_an_overlapping_escalation_run_does_not_tell_the_heads_twice(
    users: dict[str, User], offices: dict[str, Office], monkeypatch: pytest.MonkeyPatch
) -> None:
    with time_machine.travel(datetime(2025, 4, 9, 10, 0, tzinfo=BKK), tick=False):
        complaints.file_complaint(
            citizen=users["citizen"], kind="service", subject="รอนาน", details="รอคิวนาน", office=offices[CHIANG_MAI]
        )
    real_notify = notify_services.notify
    overlapped: list[int] = []

    def notify_while_another_worker_runs(**kwargs: Any) -> Any:
        if not overlapped:  # a second worker's tick starts while the first is telling the heads
            overlapped.append(-1)
            overlapped[0] = complaints.escalate_overdue()
        return real_notify(**kwargs)

    monkeypatch.setattr(notify_services, "notify", notify_while_another_worker_runs)
    with time_machine.travel(datetime(2025, 5, 7, 9, 0, tzinfo=BKK), tick=False):
        first = complaints.escalate_overdue()
    assert first + overlapped[0] == 1
    assert Notification.objects.filter(kind="complaint_escalation").count() == 1
    assert AuditEvent.objects.filter(action="complaint_escalate").count() == 1


# --------------------------------------------------------------------------- 6: the officer named


def test_the_officer_named_with_a_title_and_odd_spaces_is_recognised(
    users: dict[str, User], offices: dict[str, Office]
) -> None:
    officer = users["officer.cm"]
    c = complaints.file_complaint(
        citizen=users["citizen"],
        kind="officer",
        subject="พูดไม่สุภาพ",
        details="เจ้าหน้าที่พูดไม่สุภาพ",
        office=offices[CHIANG_MAI],
        named_person=f" นาย{officer.first_name}   {officer.last_name} ",
    )
    assert c.officer == officer
    assert complaint_selectors.staff_complaint(officer, c.pk) is None
    assert complaint_selectors.staff_complaint(users["head.cm"], c.pk) == c
    assert [n.recipient.username for n in Notification.objects.filter(kind="complaint_officer")] == ["head.cm"]
    assert complaints.fold_name("Mr. Somchai  Jaidee") == complaints.fold_name("somchai jaidee")
    assert complaints.fold_name("นางสาวมานี มีนา") == complaints.fold_name("น.ส. มานี มีนา") == "มานีมีนา"


def test_an_officer_complaint_whose_officer_is_not_identified_goes_to_the_central_office_only(
    users: dict[str, User], offices: dict[str, Office]
) -> None:
    head = users["head.cm"]
    with time_machine.travel(datetime(2025, 4, 9, 10, 0, tzinfo=BKK), tick=False):
        c = complaints.file_complaint(
            citizen=users["citizen"],
            kind="officer",
            subject="พูดไม่สุภาพ",
            details="หัวหน้าที่ใส่แว่นพูดไม่สุภาพ",
            office=offices[CHIANG_MAI],
            named_person="หัวหน้าที่ใส่แว่น",  # may well be the office's own head
        )
    assert c.officer is None and c.to_head
    told = {n.recipient.username for n in Notification.objects.filter(kind="complaint_officer")}
    assert told == {"head.central"}
    assert complaint_selectors.staff_complaint(head, c.pk) is None
    assert not complaint_selectors.may_handle(head, c)
    central = users["head.central"]
    assert complaint_selectors.staff_complaint(central, c.pk) == c and complaint_selectors.may_handle(central, c)
    with time_machine.travel(datetime(2025, 5, 7, 9, 0, tzinfo=BKK), tick=False):
        assert complaints.escalate_overdue() == 1
    escalated = {n.recipient.username for n in Notification.objects.filter(kind="complaint_escalation")}
    assert escalated == {"head.central"}


# --------------------------------------------------------------------------- 7: the officer's words stay inside


def test_the_officers_words_asking_for_documents_stay_out_of_the_sms_email_and_line_copies(
    users: dict[str, User], offices: dict[str, Office], act: Any, django_capture_on_commit_callbacks: Any
) -> None:
    citizen = User.objects.create_user(username="citizen.words", role="citizen", national_id=new_national_id())
    ChannelChoice.objects.create(
        user=citizen,
        sms=True,
        sms_number="+66812345678",
        email=True,
        email_address="somjai@example.org",
        line=True,
        line_user_id="U" + "a" * 32,
    )
    req = case_services.create_request(
        actor=citizen,
        service="BAIL",
        office=offices[CHIANG_MAI],
        channel="online",
        applicant=applicant_input(CHIANG_MAI, national_id=citizen.national_id),
        details=DETAILS["BAIL"],
    )
    act(req, "intake.cm", "start_screening")
    words = "สำเนาใบรับรองแพทย์ของนายสมชาย (โรคประจำตัว)"
    with django_capture_on_commit_callbacks(execute=True):
        act(req, "intake.cm", "request_documents", comment=words)
    [note] = Notification.objects.filter(recipient=citizen, kind="tracking_documents_requested")
    assert words in note.body  # the signed-in inbox keeps them
    copies = list(Delivery.objects.filter(notification=note))
    assert {d.channel for d in copies} == {"sms", "email", "line"}
    for d in copies:
        assert words not in d.text and "สมชาย" not in d.text, d.channel
        assert "ขอเอกสารเพิ่มเติม" in d.text and reverse("portal:my_request", args=[req.number]) in d.text
    html = sign_in(citizen).get(reverse("portal:my_request", args=[req.number])).content.decode()
    assert words in html  # and the tracking page shows them


# --------------------------------------------------------------------------- 9: a limit on bookings


def test_a_citizen_holds_at_most_the_policys_open_bookings_and_is_told_why_in_thai(
    users: dict[str, User], offices: dict[str, Office]
) -> None:
    citizen, office = users["citizen"], offices[CHIANG_MAI]
    assert consultation_policy.load().max_open_bookings == 2
    with time_machine.travel(datetime(2025, 4, 9, 10, 0, tzinfo=BKK), tick=False):
        held = [
            consultations.book(
                citizen=citizen, office=office, day=date(2025, 4, 10), start=start, mode="in_person", topic="มรดก"
            )
            for start in (time(9), time(9, 30))
        ]
        client = sign_in(citizen)
        session = client.session
        session["consult_booking"] = {
            "office": CHIANG_MAI,
            "day": "2025-04-10",
            "slot": "10:00",
            "mode": "in_person",
            "topic": "ที่ดิน",
        }
        session.save()
        r = client.post(reverse("portal:consult_book_check"))
        assert r.status_code == 422
        assert "ท่านมีนัดที่ยังไม่ถึงวันนัดครบ 2 นัดแล้ว" in r.content.decode()
        assert Appointment.objects.filter(citizen=citizen, state=BOOKED).count() == 2
        # another citizen is not limited by hers, and cancelling one frees a place
        other = User.objects.create(username="other.booker", role="citizen")
        consultations.book(
            citizen=other, office=office, day=date(2025, 4, 10), start=time(10), mode="in_person", topic="หนี้"
        )
        consultations.cancel(citizen=citizen, appointment_id=held[0].pk)
        consultations.book(
            citizen=citizen, office=office, day=date(2025, 4, 10), start=time(10, 30), mode="video", topic="ที่ดิน"
        )
    with time_machine.travel(datetime(2025, 4, 11, 10, 0, tzinfo=BKK), tick=False):
        # past appointments do not count
        consultations.book(
            citizen=citizen, office=office, day=date(2025, 4, 17), start=time(9), mode="in_person", topic="หนี้"
        )


# --------------------------------------------------------------------------- 15, 16: views audited


def test_the_staff_consultations_page_audits_the_questions_it_lists(
    users: dict[str, User], offices: dict[str, Office], login: Any
) -> None:
    citizen = users["citizen"]
    q = consultations.ask_question(
        citizen=citizen,
        office=offices[CHIANG_MAI],
        topic="ค่าชดเชย",
        question="นายจ้างไม่จ่ายค่าชดเชย",
        applicant=applicant_input(CHIANG_MAI),
    )
    officer = users["officer.cm"]
    assert "ค่าชดเชย" in login("officer.cm").get(reverse("staff:consultations")).content.decode()
    seen = AuditEvent.objects.filter(action="view_personal_data", actor_id=officer.pk, object_type="question")
    assert [e.details["ids"] for e in seen] == [[q.pk]]


def test_a_citizen_opening_their_own_complaint_is_audited_on_the_sent_and_complaint_pages(
    users: dict[str, User], offices: dict[str, Office]
) -> None:
    citizen = users["citizen"]
    c = complaints.file_complaint(
        citizen=citizen, kind="service", subject="รอนาน", details="รอคิวนาน", office=offices[CHIANG_MAI]
    )
    client = sign_in(citizen)
    for url in (reverse("portal:complaint_sent", args=[c.reference]), reverse("portal:complaint", args=[c.reference])):
        assert client.get(url).status_code == 200
    seen = AuditEvent.objects.filter(
        action="view_personal_data", actor_id=citizen.pk, object_type="complaint", reference=c.reference
    )
    assert seen.count() == 2
    assert {e.purpose for e in seen} == {"the citizen's own complaint on the portal"}


# --------------------------------------------------------------------------- 19: one copy


def test_tracking_notifies_through_one_loop_and_the_two_policies_share_one_named_type() -> None:
    # structural (the behaviour is pinned by tests/test_tracking.py's notices): the applicant's and the
    # office's notices were two copies of the same loop over notify()
    source = (Path(settings.BASE_DIR) / "jfs" / "tracking" / "services.py").read_text(encoding="utf-8")
    assert source.count("notify(\n") == 1
    assert complaint_policy.Named is consultation_policy.Mode is Named
    assert consultation_policy.load().modes["video"].text("en") == "Video call"
