"""Legal consultation: the days and slots an office offers (holidays and closures respected), one
booking per slot (also when two citizens book at once, in two threads), cancelling frees the slot,
the reminder the day before (once), the booking pages, a question asked online becoming a CONSULT
request that an officer answers with give_advice (the citizen sees the answer and is notified),
and another citizen's appointment or question a 404 that is audited."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import OperationalError, connection, connections
from django.test import Client
from django.urls import reverse

from jfs.accounts.models import Office, OfficeClosure, User
from jfs.audit.models import AuditEvent
from jfs.cases import services as case_services
from jfs.cases.errors import Conflict, InvalidInput
from jfs.consultations import policy, selectors, services
from jfs.consultations.models import BOOKED, CANCELLED, Appointment
from jfs.core.models import Notification
from jfs.portal.access import ASSURANCE_KEY
from tests.conftest import CHIANG_MAI, applicant_input

BKK = ZoneInfo("Asia/Bangkok")
#: Wednesday 9 April 2025: Songkran (13-16 April) lies inside the next 14 days
NOW = datetime(2025, 4, 9, 10, 0, tzinfo=BKK)
NINE = time(9, 0)


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


def test_slots_come_from_the_hours_in_the_policy() -> None:
    starts = policy.load().slot_starts()
    assert starts[0] == NINE and time(11, 30) in starts and time(12, 0) not in starts and starts[-1] == time(15, 30)
    assert len(starts) == 12


def test_bookable_days_skip_weekends_holidays_and_the_offices_closures(offices: dict[str, Office]) -> None:
    office = offices[CHIANG_MAI]
    OfficeClosure.objects.create(office=office, date=date(2025, 4, 18), reason="ปรับปรุงอาคาร")
    with time_machine.travel(NOW, tick=False):
        days = selectors.bookable_days(office.pk)
        assert days[0] == date(2025, 4, 10)  # from the next working day
        for off in (date(2025, 4, 12), date(2025, 4, 14), date(2025, 4, 16), date(2025, 4, 18)):
            assert off not in days
        assert date(2025, 4, 17) in days and days[-1] == date(2025, 4, 23)
        assert date(2025, 4, 18) in selectors.bookable_days(offices["40"].pk)  # only Chiang Mai closed
        assert selectors.free_slots(office.pk, date(2025, 4, 14)) == []


def test_a_closed_day_or_a_wrong_time_is_refused_on_its_field(citizen: User, offices: dict[str, Office]) -> None:
    with time_machine.travel(NOW, tick=False), pytest.raises(InvalidInput) as err:
        services.book(
            citizen=citizen, office=offices[CHIANG_MAI], day=date(2025, 4, 14), start=NINE, mode="teleport", topic=""
        )
    assert {e["field"] for e in err.value.errors} == {"day", "mode", "topic"}
    with time_machine.travel(NOW, tick=False), pytest.raises(InvalidInput) as err:
        services.book(
            citizen=citizen,
            office=offices[CHIANG_MAI],
            day=date(2025, 4, 10),
            start=time(9, 10),
            mode="in_person",
            topic="ค่าจ้าง",
        )
    assert [e["field"] for e in err.value.errors] == ["slot"]


def test_a_slot_is_booked_once_and_cancelling_frees_it(citizen: User, offices: dict[str, Office]) -> None:
    other = User.objects.create(username="another", role="citizen")
    office = offices[CHIANG_MAI]
    with time_machine.travel(NOW, tick=False):
        appt = services.book(
            citizen=citizen, office=office, day=date(2025, 4, 10), start=NINE, mode="video", topic="มรดก"
        )
        assert appt.video_link.startswith("https://") and appt.end == time(9, 30)
        assert NINE not in selectors.free_slots(office.pk, date(2025, 4, 10))
        with pytest.raises(Conflict) as err:
            services.book(citizen=other, office=office, day=date(2025, 4, 10), start=NINE, mode="in_person", topic="หนี้")
        assert err.value.errors[0]["field"] == "slot"
        services.cancel(citizen=citizen, appointment_id=appt.pk)
        assert NINE in selectors.free_slots(office.pk, date(2025, 4, 10))
        again = services.book(
            citizen=other, office=office, day=date(2025, 4, 10), start=NINE, mode="in_person", topic="หนี้"
        )
    assert again.state == BOOKED and Appointment.objects.get(pk=appt.pk).state == CANCELLED
    assert Notification.objects.filter(recipient=citizen, kind="appointment_booked").exists()


def run_together(*jobs: Callable[[], Any]) -> tuple[list[Any], list[BaseException]]:
    results: list[Any] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(jobs))

    def run(job: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results.append(job())
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_two_citizens_booking_one_slot_at_once_get_one_booking(
    users: dict[str, User], offices: dict[str, Office]
) -> None:
    first = users["citizen"]
    second = User.objects.create(username="racer", role="citizen")
    office = offices[CHIANG_MAI]
    with time_machine.travel(NOW, tick=False):
        selectors.bookable_days(office.pk)  # the calendar's caches warm before the race

        def booking(who: User) -> Callable[[], Appointment]:
            return lambda: services.book(
                citizen=who, office=office, day=date(2025, 4, 10), start=NINE, mode="in_person", topic="ที่ดิน"
            )

        results, errors = run_together(booking(first), booking(second))
    assert len(results) == 1, errors
    # PostgreSQL: the unique constraint refuses the second insert (Conflict, told on the slot's field).
    # SQLite serialises writers; the test database (in memory, shared cache) may refuse the second
    # writer outright as "table is locked" instead of waiting: still no second booking
    refused = (Conflict,) if connection.vendor == "postgresql" else (Conflict, OperationalError)
    assert len(errors) == 1 and isinstance(errors[0], refused), errors
    assert Appointment.objects.filter(office=office, day=date(2025, 4, 10), start=NINE, state=BOOKED).count() == 1


def test_the_reminder_goes_the_day_before_once(citizen: User, offices: dict[str, Office]) -> None:
    with time_machine.travel(NOW, tick=False):
        services.book(
            citizen=citizen,
            office=offices[CHIANG_MAI],
            day=date(2025, 4, 17),
            start=NINE,
            mode="in_person",
            topic="มรดก",
        )
        assert services.send_reminders() == 0  # eight days before
    with time_machine.travel(datetime(2025, 4, 16, 8, 0, tzinfo=BKK), tick=False):
        assert services.send_reminders() == 1
        assert services.send_reminders() == 0
    note = Notification.objects.get(recipient=citizen, kind="appointment_reminder")
    assert "2568" in note.subject and "09.00" in note.subject


def test_booking_pages_one_question_each(citizen: User, offices: dict[str, Office]) -> None:
    client = sign_in(citizen)
    with time_machine.travel(NOW, tick=False):
        assert client.get(reverse("portal:consult")).status_code == 200
        r = client.post(reverse("portal:consult_book", args=["office"]), {"office": CHIANG_MAI})
        assert r["Location"] == reverse("portal:consult_book", args=["day"])
        page = client.get(r["Location"]).content.decode()
        assert 'value="2025-04-10"' in page and 'value="2025-04-14"' not in page  # Songkran not offered
        r = client.post(r["Location"], {"day": "2025-04-14"})
        assert r.status_code == 422
        r = client.post(reverse("portal:consult_book", args=["day"]), {"day": "2025-04-10"})
        r = client.post(r["Location"], {"slot": "09:00"})
        r = client.post(r["Location"], {"mode": "in_person"})
        r = client.post(r["Location"], {"topic": "ถูกเลิกจ้าง"})
        assert r["Location"] == reverse("portal:consult_book_check")
        assert "ถูกเลิกจ้าง" in client.get(r["Location"]).content.decode()
        r = client.post(reverse("portal:consult_book_check"))
        appt = Appointment.objects.get(citizen=citizen)
        assert r["Location"] == reverse("portal:consult_appointment", args=[appt.pk])
        assert "09.00" in client.get(reverse("portal:consult_mine")).content.decode()
        r = client.post(reverse("portal:consult_cancel", args=[appt.pk]))
        assert r.status_code == 303 and Appointment.objects.get(pk=appt.pk).state == CANCELLED


def test_a_question_becomes_a_consult_request_answered_with_give_advice(
    citizen: User, offices: dict[str, Office], users: dict[str, User]
) -> None:
    client = sign_in(citizen)
    r = client.post(reverse("portal:consult_ask", args=["office"]), {"office": CHIANG_MAI})
    r = client.post(r["Location"], {"topic": "ค่าชดเชย", "question": "นายจ้างเลิกจ้างโดยไม่จ่ายค่าชดเชย ทำอย่างไรดี"})
    assert r["Location"] == reverse("portal:consult_ask", args=["you"])
    person = applicant_input(CHIANG_MAI)
    r = client.post(
        r["Location"],
        {
            "national_id": person.national_id,
            "first_name": "สมศรี",
            "last_name": "ประชาชน",
            "birth_date": "15/08/1987",
            "sex": "F",
        },
    )
    assert r.status_code == 422 and "พ.ศ." in r.content.decode()  # a C.E. year named as such
    r = client.post(
        reverse("portal:consult_ask", args=["you"]),
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
    r = client.post(r["Location"])
    assert r.status_code == 303, r.content.decode()[:2000]
    page = client.get(r["Location"]).content.decode()
    assert "เจ้าหน้าที่ยังไม่ได้ตอบ" in page
    [(question, req)] = selectors.citizen_questions(citizen)
    assert req.service == "CONSULT" and req.channel == "online" and req.details["topic"] == "ค่าชดเชย"
    assert question in selectors.office_questions(users["officer.cm"])
    case_services.transition(
        actor=users["officer.cm"],
        request_id=req.pk,
        action="give_advice",
        comment="ยื่นคำร้องต่อพนักงานตรวจแรงงานได้ภายใน 2 ปี",
        expected_version=req.version,
    )
    note = Notification.objects.get(recipient=citizen, kind="consultation_answered")
    assert note.link == reverse("portal:consult_question", args=[question.pk])
    assert "ยื่นคำร้องต่อพนักงานตรวจแรงงาน" in client.get(note.link).content.decode()


def test_another_citizens_appointment_or_question_is_a_404_and_audited(
    citizen: User, offices: dict[str, Office]
) -> None:
    with time_machine.travel(NOW, tick=False):
        appt = services.book(
            citizen=citizen,
            office=offices[CHIANG_MAI],
            day=date(2025, 4, 10),
            start=NINE,
            mode="in_person",
            topic="มรดก",
        )
    other = User.objects.create(username="nosy", role="citizen")
    client = sign_in(other)
    assert client.get(reverse("portal:consult_appointment", args=[appt.pk])).status_code == 404
    assert client.post(reverse("portal:consult_cancel", args=[appt.pk])).status_code == 404
    assert Appointment.objects.get(pk=appt.pk).state == BOOKED
    assert client.get(reverse("portal:consult_question", args=[999999])).status_code == 404
    assert AuditEvent.objects.filter(action="portal_access_refused", actor_id=other.pk).count() == 3


def test_the_staff_page_lists_the_offices_upcoming_appointments(
    citizen: User, offices: dict[str, Office], login: Any
) -> None:
    with time_machine.travel(NOW, tick=False):
        services.book(
            citizen=citizen,
            office=offices[CHIANG_MAI],
            day=date(2025, 4, 10),
            start=NINE,
            mode="in_person",
            topic="เรื่องมรดกที่ดิน",
        )
        assert "เรื่องมรดกที่ดิน" in login("officer.cm").get(reverse("staff:consultations")).content.decode()
        assert "เรื่องมรดกที่ดิน" not in login("officer.kk").get(reverse("staff:consultations")).content.decode()
