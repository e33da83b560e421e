"""One clock (``jfs.core.clock``) for the case services, the SLA clock, escalation, the worker, the
circuit breaker, registry re-checks, tokens, activation codes and the audit sealer. These tests
move it with time-machine (``time_machine`` fixture) instead of sleeping or trusting the
machine's date, and show that every one of them follows it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from time_machine import TimeMachineFixture

from jfs.accounts import enrolment, tokens
from jfs.audit.models import AuditCheckpoint, AuditEvent
from jfs.audit.sealing import seal_pending
from jfs.audit.services import record
from jfs.cases import selectors, services
from jfs.cases.errors import InvalidInput
from jfs.cases.escalation import escalate_overdue
from jfs.cases.models import Request, Transition
from jfs.core import clock, tasks
from jfs.core.models import Notification, WorkerHeartbeat
from jfs.exchange.conf import gdx_settings
from jfs.exchange.resilience import CircuitBreaker
from jfslib.sla import Colour
from jfslib.thaidate import format_thai

pytestmark = pytest.mark.django_db

BANGKOK = clock.FUND_TIMEZONE
#: Friday 4 December 2026 (B.E. 2569), 09:30 in Bangkok. Saturday 5 December (King Bhumibol's
#: birthday) is observed on Monday 7 December, Thursday 10 December is Constitution Day, and
#: 31 December and 1 January are holidays too: the first step's one working day ends on Tuesday 8
#: December, the 21 working days on Friday 8 January 2027.
FRIDAY = datetime(2026, 12, 4, 9, 30, tzinfo=BANGKOK)
ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- the clock itself


def test_now_is_aware_utc_and_today_is_the_fund_s_day_in_bangkok(time_machine: TimeMachineFixture) -> None:
    time_machine.move_to(datetime(2026, 12, 3, 16, 59, 59, tzinfo=UTC), tick=False)
    assert clock.now() == datetime(2026, 12, 3, 16, 59, 59, tzinfo=UTC) and clock.now().tzinfo is UTC
    assert clock.today() == date(2026, 12, 3)  # 23:59:59 in Bangkok
    time_machine.move_to(datetime(2026, 12, 3, 17, 0, tzinfo=UTC), tick=False)
    assert clock.today() == date(2026, 12, 4)  # midnight in Bangkok: Friday there, still Thursday in UTC
    with timezone.override("UTC"):  # whatever zone a request activated, the fund's day is Bangkok's
        assert clock.today() == date(2026, 12, 4)
    assert services.today() == clock.today() == clock.day_of(clock.now())


def test_monotonic_does_not_travel(time_machine: TimeMachineFixture) -> None:
    before = clock.monotonic()
    time_machine.move_to(datetime(2000, 1, 1, tzinfo=UTC))
    assert clock.monotonic() >= before  # durations and timeouts are never upset by the clock moving


#: reading the time anywhere but jfs.core.clock (``timezone.localtime(value)`` converts, it does not read)
DIRECT_READS = re.compile(
    r"timezone\.now\b|timezone\.localdate\(\s*\)|timezone\.localtime\(\s*\)|\bdate\.today\(|datetime\.(?:now|utcnow|today)\("
    r"|\btime\.(?:time|time_ns|monotonic|monotonic_ns|perf_counter|perf_counter_ns|sleep)\(|\bimport time\b"
)


def test_nothing_but_the_clock_module_reads_the_time() -> None:
    found = []
    for path in sorted([*ROOT.joinpath("jfs").rglob("*.py"), *ROOT.joinpath("jfslib").rglob("*.py")]):
        rel = path.relative_to(ROOT).as_posix()
        if rel == "jfs/core/clock.py" or "/migrations/" in rel:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if DIRECT_READS.search(line.split("#", 1)[0]):
                found.append(f"{rel}:{number}: {line.strip()}")
    assert not found, "read the time through jfs.core.clock:\n" + "\n".join(found)


# --------------------------------------------------------------------------- the 21-working-day clock


def test_a_request_registered_on_the_friday_before_a_holiday_weekend(
    time_machine: TimeMachineFixture, make_request: Callable[..., Request]
) -> None:
    time_machine.move_to(datetime(2026, 12, 3, 17, 30, tzinfo=UTC))  # 00:30 on Friday 4 December in Bangkok
    req = make_request()  # received "today"
    assert req.received_on == req.clock_started_on == date(2026, 12, 4)
    assert req.step_due_on == date(2026, 12, 8)  # Monday 7 December is the substitution day
    assert req.due_on == date(2027, 1, 8)
    assert Transition.objects.get(request=req, action="create").on_date == date(2026, 12, 4)
    with pytest.raises(InvalidInput):  # Saturday is still the future in Bangkok
        make_request(received_on=date(2026, 12, 5))


def test_the_sla_colours_follow_the_clock(time_machine: TimeMachineFixture, make_request: Callable[..., Request]) -> None:
    time_machine.move_to(FRIDAY)
    req = make_request()
    sla = selectors.SlaReader(services.today()).read(req)
    assert (sla.step, sla.overall, sla.days_taken, sla.days_left) == (Colour.AMBER, Colour.GREEN, 0, 21)
    time_machine.move_to(datetime(2026, 12, 8, 16, 0, tzinfo=BANGKOK))  # the step's due day
    sla = selectors.SlaReader(services.today()).read(req)
    assert (sla.step, sla.days_taken) == (Colour.AMBER, 1)  # the holiday Monday did not count
    assert not selectors.overdue(Request.objects.all(), services.today()).exists()
    time_machine.move_to(datetime(2026, 12, 9, 8, 0, tzinfo=BANGKOK))
    sla = selectors.SlaReader(services.today()).read(req)
    assert (sla.step, sla.overall, sla.days_taken) == (Colour.RED, Colour.GREEN, 2)
    assert list(selectors.overdue(Request.objects.all(), services.today())) == [req]


def test_a_late_step_is_escalated_once_its_due_date_has_passed(
    time_machine: TimeMachineFixture, make_request: Callable[..., Request], users: dict[str, Any]
) -> None:
    time_machine.move_to(FRIDAY)
    req = make_request()
    assert tasks.tick.call()["escalated"] == 0
    time_machine.move_to(datetime(2026, 12, 8, 23, 59, tzinfo=BANGKOK))  # the last minute of the due day
    assert tasks.tick.call()["escalated"] == 0
    time_machine.move_to(datetime(2026, 12, 9, 0, 1, tzinfo=BANGKOK))
    assert tasks.tick.call()["escalated"] == 1
    req.refresh_from_db()
    assert req.escalated_on == date(2026, 12, 9)
    [note] = Notification.objects.filter(kind="escalation")
    assert note.recipient == users["head.cm"] and format_thai(date(2026, 12, 8)) in note.subject
    time_machine.move_to(datetime(2026, 12, 10, 9, 0, tzinfo=BANGKOK))
    assert escalate_overdue() == 0  # once per step


# --------------------------------------------------------------------------- the worker


def test_the_worker_s_heartbeat_and_schedule_follow_the_clock(time_machine: TimeMachineFixture) -> None:
    moment = datetime(2027, 4, 13, 2, 0, tzinfo=UTC)  # Songkran
    time_machine.move_to(moment, tick=False)
    tasks.tick.call()
    assert WorkerHeartbeat.objects.get(name="worker").beat_at == moment
    queued = DBTaskResult.objects.get(task_path=tasks.TICK_PATH, status="READY")
    assert queued.run_after == moment + timedelta(seconds=settings.WORKER_HEARTBEAT_SECONDS)
    limit = settings.WORKER_HEARTBEAT_SECONDS * 3
    time_machine.move_to(moment + timedelta(seconds=limit), tick=False)
    assert Client().get("/healthz").json()["worker"] == {"status": "ok", "last_beat_seconds_ago": limit}
    time_machine.move_to(moment + timedelta(seconds=limit + 1), tick=False)
    assert Client().get("/healthz").json()["worker"] == {"status": "stale", "last_beat_seconds_ago": limit + 1}


# --------------------------------------------------------------------------- the circuit breaker


def test_the_breaker_closes_after_travelling_past_its_cooldown(time_machine: TimeMachineFixture, fast: Any) -> None:
    fast.JFS_GDX_BREAKER_COOLDOWN = 300
    time_machine.move_to(datetime(2026, 12, 4, 3, 0, tzinfo=UTC), tick=False)
    breaker = CircuitBreaker(gdx_settings())
    for _ in range(fast.JFS_GDX_BREAKER_THRESHOLD):
        breaker.record_failure("moj_dxc")
    assert breaker.state("moj_dxc") == "open"
    assert breaker.retry_at("moj_dxc") == datetime(2026, 12, 4, 3, 5, tzinfo=UTC)
    time_machine.shift(timedelta(seconds=299))
    assert breaker.state("moj_dxc") == "open"
    time_machine.shift(timedelta(seconds=1))
    assert breaker.state("moj_dxc") == "half_open"
    breaker.before_call("moj_dxc")  # the one probe
    breaker.record_success("moj_dxc")
    assert breaker.state("moj_dxc") == "closed"


# --------------------------------------------------------------------------- tokens and codes


def test_an_api_token_expires_by_travelling(time_machine: TimeMachineFixture, users: dict[str, Any]) -> None:
    time_machine.move_to(FRIDAY, tick=False)
    raw = tokens.issue(users["officer.cm"], "one day", days=1)
    client = Client(headers={"authorization": f"Bearer {raw}"})
    time_machine.move_to(FRIDAY + timedelta(days=1, seconds=-1), tick=False)
    assert client.get("/api/v1/requests").status_code == 200
    time_machine.move_to(FRIDAY + timedelta(days=1), tick=False)
    assert client.get("/api/v1/requests").status_code == 401
    assert tokens.grant_for(raw) is None


def test_an_activation_code_expires_by_travelling(time_machine: TimeMachineFixture, users: dict[str, Any]) -> None:
    time_machine.move_to(FRIDAY, tick=False)
    officer = users["officer2.cm"]
    code = enrolment.issue_code(issuer=users["head.cm"], user=officer)
    hours = timedelta(hours=settings.JFS_ACTIVATION_HOURS)
    time_machine.move_to(FRIDAY + hours - timedelta(seconds=1), tick=False)
    assert enrolment.valid_code(officer, code) is not None
    time_machine.move_to(FRIDAY + hours, tick=False)
    assert enrolment.valid_code(officer, code) is None


# --------------------------------------------------------------------------- the audit log


def test_audit_events_and_checkpoints_carry_the_clock_s_time(time_machine: TimeMachineFixture) -> None:
    seal_pending()
    moment = datetime(2027, 1, 8, 10, 15, 30, tzinfo=UTC)
    time_machine.move_to(moment, tick=False)
    record("export", object_type="report", object_id="clock")
    assert AuditEvent.objects.get(object_type="report", object_id="clock").at == moment
    sealer = datetime(2027, 1, 8, 10, 16, tzinfo=UTC)
    time_machine.move_to(sealer, tick=False)
    assert seal_pending().checkpoints == 1
    assert AuditCheckpoint.objects.order_by("-seq").values_list("sealed_at", flat=True).first() == sealer
