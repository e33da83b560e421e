"""Thai government working days: weekends, government holidays (incl. special and substitution
days), office closures, pauses, and the 21-working-day clock of a real request.
The government calendar itself, year by year, is pinned in tests/test_government_calendar.py."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from jfs.accounts.models import OfficeClosure
from jfs.cases.calendar import calendar_for, government_holidays
from jfslib.sla import Colour, Pause, colour, days_taken, due_date, paused_working_days
from jfslib.workdays import WorkingCalendar

HOLIDAYS = government_holidays()
CAL = WorkingCalendar.from_dates(HOLIDAYS)
PLAIN = WorkingCalendar()  # weekends only


def naive_between(cal: WorkingCalendar, a: date, b: date) -> int:
    """Reference implementation: count working days in (a, b] one by one."""
    return sum(1 for i in range(1, (b - a).days + 1) if cal.is_working_day(a + timedelta(days=i)))


# --------------------------------------------------------------------------- the calendar


@pytest.mark.parametrize("day", [date(2025, 12, 31), date(2026, 1, 1), date(2026, 4, 13), date(2026, 4, 14),
                                 date(2026, 4, 15), date(2026, 12, 7), date(2026, 1, 2)])
def test_public_holidays_substitution_and_bridge_days_are_not_working_days(day: date) -> None:
    assert day in HOLIDAYS
    assert not CAL.is_working_day(day)


def test_weekend_is_not_a_working_day_and_a_normal_weekday_is() -> None:
    assert not CAL.is_working_day(date(2026, 11, 21))  # Saturday
    assert not CAL.is_working_day(date(2026, 11, 22))  # Sunday
    assert CAL.is_working_day(date(2026, 11, 23))  # Monday


def test_new_year_2026_with_its_bridge_day() -> None:
    # Wed 31 Dec (New Year's Eve), Thu 1 Jan, Fri 2 Jan (bridge day), weekend
    start = date(2025, 12, 30)  # Tuesday
    assert CAL.add_working_days(start, 1) == date(2026, 1, 5)
    assert CAL.working_days_between(start, date(2026, 1, 5)) == 1
    assert CAL.working_days_between(start, date(2026, 1, 4)) == 0
    assert PLAIN.add_working_days(start, 1) == date(2025, 12, 31)  # without holidays it would be the next day


def test_new_year_2027_over_a_weekend() -> None:
    # Thu 31 Dec 2026, Fri 1 Jan 2027, weekend
    assert CAL.add_working_days(date(2026, 12, 30), 1) == date(2027, 1, 4)


def test_songkran_13_to_15_april() -> None:
    # 2026: Mon 13 – Wed 15 April
    assert CAL.add_working_days(date(2026, 4, 10), 1) == date(2026, 4, 16)
    assert CAL.working_days_between(date(2026, 4, 10), date(2026, 4, 17)) == 2
    # 2025: Sun 13 – Tue 15, with Wednesday 16 April as the substitution day
    assert CAL.add_working_days(date(2025, 4, 11), 1) == date(2025, 4, 17)


def test_over_a_weekend() -> None:
    assert CAL.add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 23)  # Fri -> Mon
    assert CAL.add_working_days(date(2026, 11, 21), 1) == date(2026, 11, 23)  # Sat -> Mon
    assert CAL.working_days_between(date(2026, 11, 20), date(2026, 11, 23)) == 1


def test_substitution_day_for_a_holiday_on_saturday() -> None:
    # Sat 5 Dec 2026 (Father's Day) -> Mon 7 Dec substitution day
    assert CAL.add_working_days(date(2026, 12, 4), 1) == date(2026, 12, 8)


def test_day_zero_is_the_start_and_add_zero_days_is_the_start() -> None:
    assert CAL.add_working_days(date(2026, 4, 13), 0) == date(2026, 4, 13)
    assert CAL.working_days_between(date(2026, 4, 13), date(2026, 4, 13)) == 0
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2026, 4, 13), -1)


def test_21_working_days_from_a_date_before_songkran() -> None:
    # 1 April 2026 + 21 working days skips Chakri Day (6 Apr), Songkran (13–15 Apr) and Coronation
    # Day (Mon 4 May); Labour Day (Fri 1 May) is a working day for government offices
    assert CAL.add_working_days(date(2026, 4, 1), 21) == date(2026, 5, 7)
    assert naive_between(CAL, date(2026, 4, 1), date(2026, 5, 7)) == 21
    assert PLAIN.add_working_days(date(2026, 4, 1), 21) == date(2026, 4, 30)


START_DATES = [date(2025, 10, 1) + timedelta(days=i) for i in range(0, 500, 3)]


def test_add_working_days_and_working_days_between_agree_for_many_start_dates() -> None:
    for start in START_DATES:
        for n in (0, 1, 2, 5, 7, 10, 21, 30):
            end = CAL.add_working_days(start, n)
            assert CAL.working_days_between(start, end) == n, (start, n)
            assert CAL.working_days_between(end, start) == -n
            if n:
                assert CAL.is_working_day(end), (start, n)
                assert CAL.working_days_between(start, end - timedelta(days=1)) == n - 1


def test_working_days_between_matches_counting_day_by_day() -> None:
    for start in START_DATES[::4]:
        for length in (0, 1, 6, 7, 8, 13, 40, 95):
            end = start + timedelta(days=length)
            assert CAL.working_days_between(start, end) == naive_between(CAL, start, end), (start, length)


# --------------------------------------------------------------------------- office closures


@pytest.mark.django_db
def test_office_closure_affects_only_that_office(offices: Any) -> None:
    closed = date(2026, 11, 24)  # a Tuesday
    OfficeClosure.objects.create(office=offices["50"], date=closed, reason="น้ำท่วม")
    cm, kk = calendar_for(offices["50"].pk), calendar_for(offices["40"].pk)
    assert not cm.is_working_day(closed)
    assert kk.is_working_day(closed)
    assert cm.add_working_days(date(2026, 11, 23), 1) == date(2026, 11, 25)
    assert kk.add_working_days(date(2026, 11, 23), 1) == closed


@pytest.mark.django_db
def test_closure_for_all_offices_affects_every_office(offices: Any) -> None:
    closed = date(2026, 11, 24)
    OfficeClosure.objects.create(office=None, date=closed, reason="วันหยุดพิเศษ")
    for code in ("00", "40", "50"):
        assert not calendar_for(offices[code].pk).is_working_day(closed)
    assert not calendar_for(None).is_working_day(closed)


@pytest.mark.django_db
def test_office_closure_pushes_the_due_date_of_that_office_s_requests(offices: Any, make_request: Any) -> None:
    received = date(2026, 9, 1)
    OfficeClosure.objects.create(office=offices["50"], date=date(2026, 9, 8), reason="ปิดสำนักงาน")
    cm = make_request(received_on=received)
    kk = make_request(office="40", received_on=received)
    assert kk.due_on == CAL.add_working_days(received, 21)
    assert cm.due_on == CAL.add_working_days(kk.due_on, 1)


# --------------------------------------------------------------------------- pauses (pure)


def test_paused_working_days_counts_only_working_days_inside_pauses() -> None:
    pauses = [Pause(date(2026, 4, 10), date(2026, 4, 17))]  # Fri -> Fri over Songkran: Thu 16, Fri 17
    assert paused_working_days(CAL, pauses, until=date(2026, 4, 30)) == 2
    assert paused_working_days(CAL, pauses, until=date(2026, 4, 16)) == 1  # capped at `until`


def test_open_pause_counts_up_to_until() -> None:
    pauses = [Pause(date(2026, 11, 16), None)]  # Monday, still paused
    assert paused_working_days(CAL, pauses, until=date(2026, 11, 20)) == 4


def test_days_taken_excludes_pauses_and_due_date_adds_them() -> None:
    start = date(2026, 9, 1)
    pauses = [Pause(date(2026, 9, 2), date(2026, 9, 9)), Pause(date(2026, 9, 20), date(2026, 9, 22))]
    lost = paused_working_days(CAL, pauses, until=date(2026, 12, 31))
    assert lost == 5 + 2
    end = CAL.add_working_days(start, 25)
    assert days_taken(CAL, start, end, pauses) == 25 - lost
    assert due_date(CAL, start, 21, lost) == CAL.add_working_days(start, 28)
    assert days_taken(CAL, start, start, pauses) == 0


def test_colour_of_the_clock() -> None:
    due = date(2026, 11, 30)  # Monday
    assert colour(CAL, due, date(2026, 12, 1), 21) is Colour.RED
    assert colour(CAL, due, date(2026, 11, 27), 21) is Colour.AMBER  # 1 working day left, within 25% of 21
    assert colour(CAL, due, date(2026, 11, 2), 21) is Colour.GREEN
    assert colour(CAL, due, date(2026, 12, 1), 21, paused=True) is Colour.PAUSED
    assert colour(CAL, due, date(2026, 12, 1), 21, done=True) is Colour.DONE


# --------------------------------------------------------------------------- end to end through the services


def _to_notified(req: Any, act: Any, attach: Any, day: date) -> Any:
    """Move a request in `received` to `notified` (clock stops) on working days from `day`."""
    attach(req, "intake.cm", "@required")
    steps = [("intake.cm", "start_screening", {}), ("intake.cm", "accept", {}),
             ("officer.cm", "complete_fact_finding", {}), ("officer.cm", "submit_opinion", {}),
             # decided at a meeting of the request's own committee that day (a central one for a project grant)
             ("secretary.cm", "record_subcommittee_decision", {"outcome": "approved", "reason_code": "A01"})]
    for username, action, fields in steps:
        req = act(req, username, action, on=day, **fields)
    return req


@pytest.mark.django_db
def test_documents_missing_at_screening_start_the_clock_when_they_are_complete(
    make_request: Any, act: Any, attach: Any
) -> None:
    """The standard counts from receipt of complete documents: a wait that begins while the
    documents are being checked (received, screening) restarts the clock when they arrive."""
    received = date(2026, 9, 1)  # Tuesday
    req = make_request(received_on=received)
    assert req.clock_started_on == received
    assert req.due_on == CAL.add_working_days(received, 21)
    assert req.step_due_on == CAL.add_working_days(received, 1)

    paused_on = date(2026, 9, 2)
    req = act(req, "intake.cm", "request_documents", on=paused_on, comment="ขอสำเนาทะเบียนบ้าน")
    assert (req.state, req.previous_state, req.paused_since) == ("awaiting_documents", "received", paused_on)
    assert req.due_on is None and req.step_due_on is None

    complete_on = CAL.add_working_days(paused_on, 6)
    req = act(req, "intake.cm", "documents_received", on=complete_on)
    assert req.state == "received"  # back to where it was
    assert req.paused_since is None and req.paused_working_days == 0
    assert req.clock_started_on == complete_on
    assert req.due_on == CAL.add_working_days(complete_on, 21)
    assert req.step_due_on == CAL.add_working_days(complete_on, 1)
    t = req.transitions.last()
    assert t.diff["clock_started_on"] == [received.isoformat(), complete_on.isoformat()]

    finished_on = CAL.add_working_days(complete_on, 3)
    req = _to_notified(req, act, attach, finished_on)
    req = act(req, "intake.cm", "notify_applicant", on=finished_on)
    assert req.clock_stopped_on == finished_on
    assert req.working_days_taken == 3  # the day before the wait does not count either
    assert req.on_time is True


@pytest.mark.django_db
def test_waiting_for_documents_during_fact_finding_pauses_the_clock(make_request: Any, act: Any, attach: Any) -> None:
    received = date(2026, 9, 1)  # Tuesday
    req = make_request(received_on=received)
    attach(req, "intake.cm", "@required")
    accepted_on = CAL.add_working_days(received, 1)
    req = act(req, "intake.cm", "start_screening", on=received)
    req = act(req, "intake.cm", "accept", on=accepted_on)
    paused_on = CAL.add_working_days(accepted_on, 2)
    req = act(req, "officer.cm", "request_documents", on=paused_on, comment="ขอหนังสือรับรองเงินเดือน")
    assert (req.state, req.previous_state, req.paused_since) == ("awaiting_documents", "fact_finding", paused_on)

    n = 6
    resumed_on = CAL.add_working_days(paused_on, n)
    req = act(req, "officer.cm", "documents_received", on=resumed_on)
    assert req.state == "fact_finding"
    assert req.clock_started_on == received  # the documents were complete: only a pause
    assert req.paused_since is None and req.paused_working_days == n
    assert req.due_on == CAL.add_working_days(received, 21 + n)

    finished_on = CAL.add_working_days(resumed_on, 2)
    for username, action, fields in [("officer.cm", "complete_fact_finding", {}), ("officer.cm", "submit_opinion", {}),
                                     ("chair.cm", "decide_urgent", {"outcome": "approved", "reason_code": "A01"}),
                                     ("intake.cm", "notify_applicant", {})]:
        req = act(req, username, action, on=finished_on, **fields)
    assert req.working_days_taken == CAL.working_days_between(received, finished_on) - n == 1 + 2 + 2
    assert req.on_time is True


@pytest.mark.django_db
def test_request_finished_after_21_working_days_is_not_on_time(make_request: Any, act: Any, attach: Any) -> None:
    received = date(2026, 6, 2)
    req = make_request(received_on=received)
    late = CAL.add_working_days(received, 22)
    req = _to_notified(req, act, attach, late)
    req = act(req, "intake.cm", "notify_applicant", on=late)
    assert req.working_days_taken == 22
    assert req.on_time is False
    assert req.due_on == CAL.add_working_days(received, 21) < late


@pytest.mark.django_db
def test_request_finished_on_day_21_is_on_time(make_request: Any, act: Any, attach: Any) -> None:
    received = date(2026, 6, 2)
    req = make_request(received_on=received)
    day21 = CAL.add_working_days(received, 21)
    req = _to_notified(req, act, attach, day21)
    req = act(req, "intake.cm", "notify_applicant", on=day21)
    assert (req.working_days_taken, req.on_time) == (21, True)


@pytest.mark.django_db
def test_transition_diff_records_the_clock_changes(make_request: Any, act: Any) -> None:
    received = date(2026, 9, 1)
    req = make_request(received_on=received)
    req = act(req, "intake.cm", "request_documents", on=date(2026, 9, 2))
    t = req.transitions.last()
    assert t.diff["paused_since"] == [None, "2026-09-02"]
    assert t.diff["due_on"] == [CAL.add_working_days(received, 21).isoformat(), None]
    assert t.diff["state"] == ["received", "awaiting_documents"]
