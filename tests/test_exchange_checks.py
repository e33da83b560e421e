"""Registry checks on requests, over the real simulator: verified facts, disagreement with what the
applicant typed, registries that are down (the case goes on, the check is pending, a background
task finishes it later), the audit trail with its legal basis, and Once-Only."""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from time_machine import TimeMachineFixture

from jfs.audit.models import AuditEvent
from jfs.audit.verification import verify_chain
from jfs.cases.models import Request
from jfs.core import clock
from jfs.exchange import models as m
from jfs.exchange import selectors
from jfs.exchange.gdx import GdxClient, gdx_registries
from jfs.exchange.services import KINDS_BY_SERVICE, LEGAL_BASIS, retry_due_checks, run_checks
from jfs.exchange.tasks import SWEEP_PATH, retry_request_checks, schedule_due_retries
from tests.conftest import DETAILS
from tests.exchange_support import (
    KANYA,
    MALEE,
    NOBODY,
    PRASERT,
    SOMCHAI,
    SOMYING,
    WANDEE,
    Known,
    Sim,
)

PURPOSE = "ตรวจสอบคุณสมบัติผู้ขอ (assessing eligibility)"
WELFARE = "/ws/mof/welfare/card"


@pytest.fixture
def request_for(make_request: Callable[..., Request], fast: Any) -> Callable[..., Request]:
    def make(person: Known, service: str = "LIT", **details: Any) -> Request:
        return make_request(service=service, applicant=person.applicant(), details={**DETAILS[service], **details})

    return make


def by_kind(checks: list[m.RegistryCheck]) -> dict[str, m.RegistryCheck]:
    return {c.kind: c for c in checks}


def dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def exchange_events(req: Request) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="data_exchange", reference=req.number).order_by("seq"))


# --------------------------------------------------------------------------- answers


def test_every_check_of_a_litigation_request_is_verified_with_its_facts(
    request_for: Callable[..., Request], users: dict[str, Any]
) -> None:
    req = request_for(SOMYING)
    checks = by_kind(run_checks(req, users["officer.cm"], PURPOSE))
    assert list(checks) == KINDS_BY_SERVICE["LIT"]
    assert {c.status for c in checks.values()} == {m.STATUS_VERIFIED}
    assert checks["identity"].facts == {"identity_verified": True, "method": "linkage_profile"}
    assert checks["address"].facts["subdistrict_code"] == "500101" and checks["address"].facts["same_as_application"]
    assert checks["welfare"].facts == {"welfare_card": True, "income_band": "<=30000", "registration_round": "2565"}
    assert checks["household"].facts["vulnerability_level"] == 2
    assert checks["disability"].facts["disability_registered"] and checks["disability"].facts["card_valid"]
    assert checks["court_cases"].facts["count"] == 1
    for c in checks.values():
        assert c.registry == m.KIND_REGISTRY[c.kind] and c.checked_at is not None and c.attempts == 1
        assert c.requested_by == users["officer.cm"] and c.purpose == PURPOSE and c.last_error == ""


def test_every_exchange_call_is_audited_with_purpose_legal_basis_actor_request_and_result(
    request_for: Callable[..., Request], users: dict[str, Any]
) -> None:
    req = request_for(SOMYING)
    run_checks(req, users["officer.cm"], PURPOSE)
    events = exchange_events(req)
    assert len(events) == len(KINDS_BY_SERVICE["LIT"])
    for ev in events:
        assert ev.actor_username == "officer.cm" and ev.purpose == PURPOSE
        assert ev.object_type == "request" and ev.object_id == str(req.pk)
        assert ev.details["legal_basis"] == LEGAL_BASIS == "PDPA s.24(4)"
        assert ev.details["result"] == "verified" and ev.details["registry"] in dict(m.REGISTRY_CHOICES)
    assert SOMYING.national_id not in str([e.details for e in events])
    assert verify_chain()[1] is None


def test_the_laser_code_is_verified_with_dopa_when_the_applicant_gives_it(
    request_for: Callable[..., Request], users: dict[str, Any]
) -> None:
    req = request_for(SOMYING)
    [check] = run_checks(req, users["officer.cm"], PURPOSE, kinds=["identity"], laser_code=SOMYING.laser_code)
    assert check.status == m.STATUS_VERIFIED and check.facts["method"] == "laser_code"
    assert SOMYING.laser_code not in str(check.facts)


@pytest.mark.parametrize("person, fields", [(MALEE, ["last_name"]), (PRASERT, ["birth_date"])])
def test_a_registry_that_disagrees_with_what_the_applicant_typed_is_a_mismatch_naming_fields_only(
    request_for: Callable[..., Request], users: dict[str, Any], person: Known, fields: list[str]
) -> None:
    req = request_for(person)
    checks = by_kind(run_checks(req, users["officer.cm"], PURPOSE, laser_code=person.laser_code))
    identity = checks["identity"]
    assert identity.status == m.STATUS_MISMATCH and identity.mismatch_fields == fields
    assert identity.facts["identity_verified"] is False and identity.facts["card_status"] == "data_mismatch"
    assert person.last_name not in str(identity.facts) and identity.last_error == ""
    event = [e for e in exchange_events(req) if e.details["check"] == "identity"][0]
    assert event.details["result"] == "mismatch" and event.details["mismatch_fields"] == fields


def test_a_wrong_laser_code_is_a_mismatch_of_the_laser_code(
    request_for: Callable[..., Request], users: dict[str, Any]
) -> None:
    req = request_for(SOMYING)
    [check] = run_checks(req, users["officer.cm"], PURPOSE, kinds=["identity"], laser_code="JT0000000000")
    assert check.status == m.STATUS_MISMATCH and check.mismatch_fields == ["laser_code"]


def test_a_void_id_card_is_a_mismatch_of_the_card(request_for: Callable[..., Request], users: dict[str, Any]) -> None:
    req = request_for(KANYA)
    [check] = run_checks(req, users["officer.cm"], PURPOSE, kinds=["identity"], laser_code=KANYA.laser_code)
    assert check.status == m.STATUS_MISMATCH and check.mismatch_fields == ["id_card"]
    assert check.facts["card_status"] == "card_void"


def test_a_different_registered_address_is_a_mismatch(
    request_for: Callable[..., Request], users: dict[str, Any]
) -> None:
    req = request_for(WANDEE)
    address = by_kind(run_checks(req, users["officer.cm"], PURPOSE, kinds=["address"]))["address"]
    assert address.status == m.STATUS_MISMATCH and "subdistrict_code" in address.mismatch_fields
    assert address.facts["same_as_application"] is False


def test_someone_no_registry_knows_is_not_found(request_for: Callable[..., Request], users: dict[str, Any]) -> None:
    req = request_for(NOBODY)
    checks = by_kind(run_checks(req, users["officer.cm"], PURPOSE))
    assert checks["identity"].status == checks["address"].status == checks["welfare"].status == m.STATUS_NOT_FOUND
    assert checks["welfare"].facts == {"welfare_card": False}
    assert checks["court_cases"].status == m.STATUS_VERIFIED and checks["court_cases"].facts["count"] == 0


def test_bail_checks_find_arrest_detention_court_case_and_probation(
    request_for: Callable[..., Request], users: dict[str, Any], sim: Sim
) -> None:
    req = request_for(SOMCHAI, service="BAIL")
    checks = by_kind(run_checks(req, users["officer.cm"], PURPOSE))
    assert list(checks) == KINDS_BY_SERVICE["BAIL"]
    assert checks["arrests"].facts["records"][0]["charge"] == "ลักทรัพย์"
    with sqlite3.connect(sim.data) as conn:
        pretrial = conn.execute(
            "SELECT pretrial_without_bail FROM detention WHERE citizen_id = ?", (SOMCHAI.national_id,)
        ).fetchone()[0]
    assert checks["detention"].facts["detained_now"] is True
    assert checks["detention"].facts["pretrial_without_bail"] is bool(pretrial)
    assert checks["court_cases"].facts["records"][0]["case_kind"] == "criminal"
    assert checks["probation"].facts["count"] == 1 and checks["probation"].facts["on_probation_now"] is False
    assert checks["welfare"].status == m.STATUS_NOT_FOUND


def test_justice_checks_follow_the_named_detainee(request_for: Callable[..., Request], users: dict[str, Any]) -> None:
    req = request_for(SOMYING, service="BAIL", detainee_national_id=SOMCHAI.national_id)
    checks = by_kind(run_checks(req, users["officer.cm"], PURPOSE, kinds=["arrests", "welfare"]))
    assert checks["arrests"].facts["count"] == 1  # the detainee's record
    assert checks["welfare"].facts["welfare_card"] is True  # the applicant's card


def test_registry_confirmed_facts_spare_the_citizen_copies(
    request_for: Callable[..., Request], users: dict[str, Any]
) -> None:
    req = request_for(SOMYING)
    run_checks(req, users["officer.cm"], PURPOSE)
    assert selectors.documents_confirmed_by_registry(req) == {
        "id_card",
        "house_registration",
        "income_proof",
        "charge_documents",
    }
    assert set(selectors.confirmed_facts(req)) == set(KINDS_BY_SERVICE["LIT"])
    assert [c.kind for c in selectors.checks_for_request(req)] == KINDS_BY_SERVICE["LIT"]


# --------------------------------------------------------------------------- a registry that is down


def test_when_the_registries_are_down_the_case_goes_on_and_the_checks_are_pending(
    request_for: Callable[..., Request], users: dict[str, Any], fast: Any
) -> None:
    req = request_for(SOMYING)
    before = Request.objects.values("state", "version", "updated_at").get(pk=req.pk)
    fast.JFS_GDX_BASE_URL = dead_url()
    checks = run_checks(req, users["officer.cm"], PURPOSE)
    assert {c.status for c in checks} == {m.STATUS_PENDING}
    assert {c.last_error for c in checks} <= {"connection", "circuit_open"}
    assert all(c.next_attempt_at and c.next_attempt_at > clock.now() for c in checks)
    assert Request.objects.values("state", "version", "updated_at").get(pk=req.pk) == before
    events = exchange_events(req)
    assert len(events) == len(checks)
    assert all(e.details["result"] == "pending" and e.details["legal_basis"] == LEGAL_BASIS for e in events)
    queued = DBTaskResult.objects.filter(task_path=retry_request_checks.module_path, status="READY")
    assert queued.count() == 1
    assert queued.get().run_after == min(c.next_attempt_at for c in checks if c.next_attempt_at)


def test_the_background_retry_completes_the_checks_when_the_registry_is_back(
    request_for: Callable[..., Request], users: dict[str, Any], fast: Any, sim: Sim, time_machine: TimeMachineFixture
) -> None:
    req = request_for(SOMYING)
    fast.JFS_GDX_BASE_URL = dead_url()
    run_checks(req, users["officer.cm"], PURPOSE)
    task_row = DBTaskResult.objects.get(task_path=retry_request_checks.module_path)

    fast.JFS_GDX_BASE_URL = sim.url  # the registry is back …
    m.RegistryCircuit.objects.all().delete()
    due = max(c.next_attempt_at for c in m.RegistryCheck.objects.filter(request=req) if c.next_attempt_at)
    time_machine.move_to(due - timedelta(seconds=1))
    assert retry_due_checks(request_id=req.pk) == {}  # not yet due: nothing is asked
    time_machine.move_to(due + timedelta(seconds=1))  # … later
    counts = retry_request_checks.call(*task_row.args_kwargs["args"], **task_row.args_kwargs["kwargs"])
    assert counts == {"verified": len(KINDS_BY_SERVICE["LIT"])}
    checks = selectors.checks_for_request(req)
    assert {c.status for c in checks} == {m.STATUS_VERIFIED} and all(c.attempts == 2 for c in checks)
    retries = [e for e in exchange_events(req) if e.details.get("retry")]
    assert len(retries) == len(checks) and all(e.actor_username == "officer.cm" for e in retries)
    assert all(e.details["result"] == "verified" and e.purpose == PURPOSE for e in retries)


@pytest.mark.parametrize(
    "fault, code",
    [
        ("500", "http_500"),
        ("malformed", "malformed"),
        ("partial", "partial"),
        ("503", "http_503"),
        ("reset", "connection"),
    ],
)
def test_a_misbehaving_registry_leaves_its_check_pending_with_a_clear_code(
    request_for: Callable[..., Request], users: dict[str, Any], sim: Sim, fault: str, code: str
) -> None:
    req = request_for(SOMYING)
    sim.fault(fault, WELFARE)
    checks = by_kind(run_checks(req, users["officer.cm"], PURPOSE))
    assert checks["welfare"].status == m.STATUS_PENDING and checks["welfare"].last_error == code
    others = [c for k, c in checks.items() if k != "welfare"]
    assert {c.status for c in others} == {m.STATUS_VERIFIED}


def test_a_registry_that_times_out_leaves_its_check_pending(
    request_for: Callable[..., Request], users: dict[str, Any], sim: Sim, fast: Any
) -> None:
    req = request_for(SOMYING)
    fast.JFS_GDX_TIMEOUT = 0.3
    fast.JFS_GDX_RETRIES = 0
    sim.fault("timeout", WELFARE)
    [check] = run_checks(req, users["officer.cm"], PURPOSE, kinds=["welfare"])
    assert check.status == m.STATUS_PENDING and check.last_error == "timeout"


def test_an_open_circuit_short_circuits_later_checks_until_its_cooldown(
    request_for: Callable[..., Request], users: dict[str, Any], sim: Sim, fast: Any
) -> None:
    fast.JFS_GDX_BREAKER_THRESHOLD = 1
    fast.JFS_GDX_BREAKER_COOLDOWN = 600
    fast.JFS_GDX_RETRIES = 0
    sim.fault("500", "/ws/moj/dxc/")
    req = request_for(SOMCHAI, service="BAIL")
    checks = by_kind(run_checks(req, users["officer.cm"], PURPOSE))
    assert checks["arrests"].last_error == "http_500"
    for kind in ("court_cases", "detention", "probation"):
        assert checks[kind].status == m.STATUS_PENDING and checks[kind].last_error == "circuit_open"
        assert (checks[kind].next_attempt_at or clock.now()) >= clock.now() + timedelta(seconds=590)
    assert sim.calls("/ws/moj/dxc/court-cases") == 0


def test_a_check_that_keeps_failing_is_marked_failed_after_the_maximum_attempts(
    request_for: Callable[..., Request], users: dict[str, Any], sim: Sim, fast: Any
) -> None:
    fast.JFS_GDX_MAX_ATTEMPTS = 2
    fast.JFS_GDX_RETRIES = 0
    sim.fault("500", WELFARE)
    req = request_for(SOMYING)
    [first] = run_checks(req, users["officer.cm"], PURPOSE, kinds=["welfare"])
    assert first.status == m.STATUS_PENDING
    counts = retry_due_checks(request_id=req.pk, include_not_due=True)
    assert counts == {"failed": 1}
    check = m.RegistryCheck.objects.get(request=req, kind="welfare")
    assert check.status == m.STATUS_FAILED and check.next_attempt_at is None and check.last_error == "http_500"


def test_a_failed_refresh_keeps_the_earlier_answer(
    request_for: Callable[..., Request], users: dict[str, Any], sim: Sim
) -> None:
    req = request_for(SOMYING)
    run_checks(req, users["officer.cm"], PURPOSE, kinds=["welfare"])
    from django.core.cache import caches

    caches["default"].clear()
    sim.fault("500", WELFARE)
    [again] = run_checks(req, users["officer.cm"], PURPOSE, kinds=["welfare"])
    assert again.status == m.STATUS_VERIFIED and again.facts["welfare_card"] is True
    assert again.last_error == "http_500" and again.next_attempt_at is None


def test_a_bug_in_an_adapter_does_not_reach_the_caller(
    request_for: Callable[..., Request], users: dict[str, Any]
) -> None:
    req = request_for(SOMYING)

    class Broken:
        registry = "mof_welfare"

        def welfare_card(self, citizen_id: str) -> Any:
            raise RuntimeError("boom")

    with GdxClient() as client:
        regs = gdx_registries(client)
        regs.welfare = Broken()
        [check] = run_checks(req, users["officer.cm"], PURPOSE, kinds=["welfare"], registries=regs)
    assert check.status == m.STATUS_FAILED and check.last_error == "unexpected"


def test_repeated_checks_reuse_cached_answers(
    request_for: Callable[..., Request], users: dict[str, Any], sim: Sim
) -> None:
    req = request_for(SOMYING)
    run_checks(req, users["officer.cm"], PURPOSE)
    calls = sim.stats()["total"]
    run_checks(req, users["officer.cm"], PURPOSE)
    assert sim.stats()["total"] == calls
    last = exchange_events(req)[-1]
    assert last.details["http_calls"] == 0


# --------------------------------------------------------------------------- command and tick


def test_the_management_command_retries_pending_checks(
    request_for: Callable[..., Request], users: dict[str, Any], fast: Any, sim: Sim
) -> None:
    req = request_for(SOMYING)
    fast.JFS_GDX_BASE_URL = dead_url()
    run_checks(req, users["officer.cm"], PURPOSE, kinds=["welfare", "household"])
    fast.JFS_GDX_BASE_URL = sim.url
    m.RegistryCircuit.objects.all().delete()
    out = StringIO()
    call_command("retry_registry_checks", "--request", req.number, stdout=out)
    assert "no pending registry checks were due" in out.getvalue()
    call_command("retry_registry_checks", "--all", stdout=out)
    assert "verified: 2" in out.getvalue()


def test_the_worker_tick_queues_one_sweep_for_due_checks(
    request_for: Callable[..., Request], users: dict[str, Any], fast: Any, time_machine: TimeMachineFixture
) -> None:
    assert schedule_due_retries() == 0
    req = request_for(SOMYING)
    fast.JFS_GDX_BASE_URL = dead_url()
    run_checks(req, users["officer.cm"], PURPOSE, kinds=["welfare"])
    [check] = m.RegistryCheck.objects.filter(request=req)
    assert check.next_attempt_at is not None
    time_machine.move_to(check.next_attempt_at - timedelta(seconds=1))
    assert schedule_due_retries() == 0  # not due yet
    time_machine.move_to(check.next_attempt_at)
    assert schedule_due_retries() == 1
    assert schedule_due_retries() == 0  # one sweep is already waiting
    assert DBTaskResult.objects.filter(task_path=SWEEP_PATH).count() == 1


def test_queued_checks_are_pending_at_once_and_the_worker_answers_them(
    request_for: Callable[..., Request], users: dict[str, Any]
) -> None:
    from jfs.exchange.services import queue_checks
    from jfs.exchange.tasks import run_request_checks

    req = request_for(SOMYING)
    queued = queue_checks(req, users["officer.cm"], PURPOSE)
    assert [c.kind for c in queued] == KINDS_BY_SERVICE["LIT"]
    assert {c.status for c in queued} == {m.STATUS_PENDING} and not exchange_events(req)
    row = DBTaskResult.objects.get(task_path=run_request_checks.module_path)
    counts = run_request_checks.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
    assert counts == {"verified": len(KINDS_BY_SERVICE["LIT"])}
    assert all(e.actor_username == "officer.cm" for e in exchange_events(req))
