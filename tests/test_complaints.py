"""Complaints: the answer date in the office's working days (over holidays and closures), the
escalation of late complaints to the office head, a complaint about an officer routed away from
that officer, reopening once, the citizen notified of the answer, another citizen's complaint a
404 that is audited, the question pages, and the KPI figures by fiscal year and office."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from jfs.accounts.models import Office, OfficeClosure, User
from jfs.audit.models import AuditEvent
from jfs.cases.errors import InvalidInput, NotPermitted, TransitionNotAllowed
from jfs.complaints import policy, selectors, services
from jfs.complaints.models import Complaint
from jfs.core.models import Notification
from jfs.portal.access import ASSURANCE_KEY
from tests.conftest import CHIANG_MAI

BKK = ZoneInfo("Asia/Bangkok")
#: a Wednesday before Songkran 2025 (13-16 April off) and the 5 May holiday
FILED = datetime(2025, 4, 9, 10, 0, tzinfo=BKK)


@pytest.fixture
def citizen(users: dict[str, User]) -> User:
    return users["citizen"]


def sign_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[ASSURANCE_KEY] = "one_time_code"
    session.save()
    return client


def file(citizen: User, office: Office, **kw: Any) -> Complaint:
    values: dict[str, Any] = {"kind": "service", "subject": "รอนาน", "details": "รอที่สำนักงานสามชั่วโมง"}
    values.update(kw)
    return services.file_complaint(citizen=citizen, office=office, **values)


def test_the_answer_is_due_fifteen_working_days_later_over_songkran_and_a_holiday(
    citizen: User, offices: dict[str, Office]
) -> None:
    assert policy.load().answer_within == 15
    with time_machine.travel(FILED, tick=False):
        c = file(citizen, offices[CHIANG_MAI])
    # 10, 11, 17, 18, 21-25, 28-30 April, 1, 2 and 6 May (13-16 April and 5 May are holidays)
    assert c.received_on == date(2025, 4, 9)
    assert c.due_on == date(2025, 5, 6)
    assert c.first_due_on == c.due_on


def test_an_office_closure_moves_the_answer_date(citizen: User, offices: dict[str, Office]) -> None:
    OfficeClosure.objects.create(office=offices[CHIANG_MAI], date=date(2025, 4, 10), reason="น้ำท่วม")
    with time_machine.travel(FILED, tick=False):
        here = file(citizen, offices[CHIANG_MAI])
        elsewhere = file(citizen, offices["40"])
    assert here.due_on == date(2025, 5, 7)
    assert elsewhere.due_on == date(2025, 5, 6)


def test_every_problem_with_a_complaint_is_listed_on_its_field(citizen: User) -> None:
    with pytest.raises(InvalidInput) as err:
        services.file_complaint(citizen=citizen, kind="nonsense", subject=" ", details="")
    assert {e["field"] for e in err.value.errors} == {"kind", "office", "subject", "details"}


def test_a_complaint_can_only_name_the_citizens_own_request(
    citizen: User, offices: dict[str, Office], make_request: Any
) -> None:
    other = make_request()  # filed at the counter for someone else
    with pytest.raises(InvalidInput) as err:
        file(citizen, offices[CHIANG_MAI], request_id=other.pk)
    assert [e["field"] for e in err.value.errors] == ["request"]


def test_a_late_complaint_is_escalated_to_the_office_head_once(
    citizen: User, offices: dict[str, Office], users: dict[str, User]
) -> None:
    with time_machine.travel(FILED, tick=False):
        c = file(citizen, offices[CHIANG_MAI])
    with time_machine.travel(datetime(2025, 5, 6, 12, 0, tzinfo=BKK), tick=False):
        assert services.escalate_overdue() == 0  # due today: not late yet
        assert selectors.colour(c) == "amber"
    with time_machine.travel(datetime(2025, 5, 7, 9, 0, tzinfo=BKK), tick=False):
        assert selectors.colour(c) == "red"
        assert services.escalate_overdue() == 1
        assert services.escalate_overdue() == 0
    notes = Notification.objects.filter(kind="complaint_escalation")
    assert [n.recipient.username for n in notes] == ["head.cm"]
    assert c.reference in notes[0].subject
    assert "พ.ศ." in notes[0].subject or "2568" in notes[0].subject


def test_an_answered_complaint_is_not_escalated(
    citizen: User, offices: dict[str, Office], users: dict[str, User]
) -> None:
    with time_machine.travel(FILED, tick=False):
        c = file(citizen, offices[CHIANG_MAI])
        services.act(actor=users["officer.cm"], complaint_id=c.pk, action="answer", comment="ขออภัย เราได้เพิ่มเจ้าหน้าที่")
    with time_machine.travel(datetime(2025, 6, 1, 9, 0, tzinfo=BKK), tick=False):
        assert services.escalate_overdue() == 0


def test_a_complaint_about_an_officer_goes_to_the_head_and_never_to_that_officer(
    citizen: User, offices: dict[str, Office], users: dict[str, User]
) -> None:
    officer = users["officer.cm"]
    c = file(citizen, offices[CHIANG_MAI], kind="officer", named_person=f"{officer.first_name} {officer.last_name}")
    assert c.officer == officer and c.to_head
    assert selectors.staff_complaint(officer, c.pk) is None
    assert selectors.staff_complaint(users["intake.cm"], c.pk) is None  # other officers: not theirs either
    assert selectors.staff_complaint(users["head.cm"], c.pk) == c
    assert not selectors.may_handle(officer, c)
    with pytest.raises(NotPermitted):
        services.act(actor=officer, complaint_id=c.pk, action="answer", comment="ไม่จริง")
    told = Notification.objects.filter(kind="complaint_officer")
    assert [n.recipient.username for n in told] == ["head.cm"]
    assert not Notification.objects.filter(recipient=officer).exists()


def test_the_officer_handling_the_chosen_request_is_the_one_named(
    citizen: User, offices: dict[str, Office], users: dict[str, User], make_request: Any
) -> None:
    req = make_request(assign_to="officer.cm")
    req.created_by = citizen
    req.save(update_fields=["created_by"])  # as if the citizen had filed it online
    c = file(citizen, offices["40"], kind="officer", request_id=req.pk)
    assert c.office == req.office  # the request's office, not the one passed
    assert c.officer == users["officer.cm"]
    assert selectors.staff_complaint(users["officer.cm"], c.pk) is None


def test_a_complaint_naming_the_office_head_goes_to_the_central_office(
    citizen: User, offices: dict[str, Office], users: dict[str, User]
) -> None:
    head = users["head.cm"]
    c = file(citizen, offices[CHIANG_MAI], kind="officer", named_person=f"{head.first_name} {head.last_name}")
    assert selectors.staff_complaint(head, c.pk) is None
    assert selectors.staff_complaint(users["head.central"], c.pk) == c


def test_staff_answer_the_citizen_is_notified_and_may_reopen_once(
    citizen: User, offices: dict[str, Office], users: dict[str, User]
) -> None:
    officer = users["officer.cm"]
    with time_machine.travel(FILED, tick=False):
        c = file(citizen, offices[CHIANG_MAI])
        services.act(actor=officer, complaint_id=c.pk, action="take")
        with pytest.raises(InvalidInput):
            services.act(actor=officer, complaint_id=c.pk, action="answer", comment="  ")
        services.act(actor=officer, complaint_id=c.pk, action="answer", comment="เราขออภัยและได้ปรับปรุงแล้ว")
    note = Notification.objects.get(recipient=citizen, kind="complaint_answered")
    assert note.link == reverse("portal:complaint", args=[c.reference])
    with pytest.raises(NotPermitted):
        services.act(actor=users["intake.cm"], complaint_id=c.pk, action="reopen", comment="x")  # not theirs
    with time_machine.travel(datetime(2025, 4, 21, 9, 0, tzinfo=BKK), tick=False):
        c = services.act(actor=citizen, complaint_id=c.pk, action="reopen", comment="ยังไม่ได้รับการแก้ไข")
    assert c.state == "handling" and c.reopened == 1
    assert c.due_on > c.first_due_on  # a new answer time from the day it was reopened
    services.act(actor=officer, complaint_id=c.pk, action="answer", comment="แก้ไขแล้ว")
    with pytest.raises(TransitionNotAllowed) as err:
        services.act(actor=citizen, complaint_id=c.pk, action="reopen", comment="ยังไม่พอใจ")
    assert err.value.code == "reopen_limit"
    c = services.act(actor=citizen, complaint_id=c.pk, action="accept")
    assert c.state == "closed"


def test_figures_count_the_first_answer_on_time_by_fiscal_year_and_office(
    citizen: User, offices: dict[str, Office], users: dict[str, User]
) -> None:
    officer = users["officer.cm"]
    with time_machine.travel(FILED, tick=False):
        on_time = file(citizen, offices[CHIANG_MAI])
        late = file(citizen, offices[CHIANG_MAI])
        file(citizen, offices[CHIANG_MAI])  # not answered
        services.act(actor=officer, complaint_id=on_time.pk, action="answer", comment="ตอบแล้ว")
    with time_machine.travel(datetime(2025, 5, 20, 9, 0, tzinfo=BKK), tick=False):
        services.act(actor=officer, complaint_id=late.pk, action="answer", comment="ตอบช้า")
    [row] = selectors.figures(2568, office_id=offices[CHIANG_MAI].pk)
    assert (row.received, row.answered, row.answered_on_time) == (3, 2, 1)
    assert row.on_time_share == 0.5
    assert selectors.figures(2567) == []


# --------------------------------------------------------------------------- the pages


def test_a_citizen_files_a_complaint_one_question_per_page(citizen: User, offices: dict[str, Office]) -> None:
    client = sign_in(citizen)
    assert client.get(reverse("portal:complaints")).status_code == 200
    r = client.post(reverse("portal:complaint_step", args=["about"]), {})
    assert r.status_code == 422 and "กรุณาเลือกเรื่องที่ร้องเรียน" in r.content.decode()
    r = client.post(reverse("portal:complaint_step", args=["about"]), {"kind": "service"})
    assert r["Location"] == reverse("portal:complaint_step", args=["office"])  # no requests: no request page
    r = client.post(r["Location"], {"office": CHIANG_MAI})
    assert r["Location"] == reverse("portal:complaint_step", args=["details"])
    r = client.post(r["Location"], {"subject": "รอนาน", "details": "รอคิวนานมาก"})
    assert r["Location"] == reverse("portal:complaint_check")
    page = client.get(r["Location"]).content.decode()
    assert "รอคิวนานมาก" in page and offices[CHIANG_MAI].name_th in page
    r = client.post(reverse("portal:complaint_check"))
    c = Complaint.objects.get(citizen=citizen)
    assert r.status_code == 303 and r["Location"] == reverse("portal:complaint_sent", args=[c.reference])
    assert c.reference in client.get(r["Location"]).content.decode()
    assert c.subject in client.get(reverse("portal:complaints_mine")).content.decode()


def test_the_start_page_needs_no_sign_in_but_filing_does(db: None, offices: Any) -> None:
    client = Client()
    assert client.get(reverse("portal:complaints")).status_code == 200
    r = client.get(reverse("portal:complaint_step", args=["about"]))
    assert r.status_code == 302 and reverse("portal:sign_in") in r["Location"]


def test_another_citizens_complaint_is_a_404_and_the_attempt_is_audited(
    citizen: User, offices: dict[str, Office]
) -> None:
    c = file(citizen, offices[CHIANG_MAI])
    other = User.objects.create(username="other-citizen", role="citizen", first_name="สมปอง")
    r = sign_in(other).get(reverse("portal:complaint", args=[c.reference]))
    assert r.status_code == 404
    assert AuditEvent.objects.filter(action="portal_access_refused", actor_id=other.pk, reference=c.reference).exists()
    assert sign_in(citizen).get(reverse("portal:complaint", args=[c.reference])).status_code == 200


def test_staff_answer_on_the_complaint_page_and_the_citizen_reads_it(
    citizen: User, offices: dict[str, Office], login: Any
) -> None:
    c = file(citizen, offices[CHIANG_MAI])
    staff = login("officer.cm")
    assert c.reference in staff.get(reverse("staff:complaints")).content.decode()
    r = staff.post(reverse("staff:complaint", args=[c.pk]), {"action": "answer", "comment": ""})
    assert r.status_code == 422
    r = staff.post(reverse("staff:complaint", args=[c.pk]), {"action": "answer", "comment": "ขออภัย จะปรับปรุง"})
    assert r.status_code == 303
    assert AuditEvent.objects.filter(action="view_personal_data", object_type="complaint").exists()
    page = sign_in(citizen).get(reverse("portal:complaint", args=[c.reference])).content.decode()
    assert "ขออภัย จะปรับปรุง" in page and "ขอให้พิจารณาอีกครั้ง" in page


def test_an_officer_complaint_is_a_404_for_the_named_officer_on_the_staff_pages(
    citizen: User, offices: dict[str, Office], users: dict[str, User], login: Any
) -> None:
    officer = users["officer.cm"]
    c = file(citizen, offices[CHIANG_MAI], kind="officer", named_person=f"{officer.first_name} {officer.last_name}")
    staff = login("officer.cm")
    assert c.reference not in staff.get(reverse("staff:complaints")).content.decode()
    assert staff.get(reverse("staff:complaint", args=[c.pk])).status_code == 404
    assert login("head.cm").get(reverse("staff:complaint", args=[c.pk])).status_code == 200
