"""Registry checks on a request: ask each registry, store the answer, audit every call, retry later.

``run_checks(request, actor, purpose)`` never raises: a registry that is down, slow or talks
nonsense leaves its check ``pending`` (with ``last_error``) and a background task tries again
(``retry_due_checks``); the request itself is never touched. Every attempt is written to the
audit log as ``data_exchange`` with the purpose, the legal basis (PDPA s.24(4)), who asked,
which request and the result. Facts a registry confirms need not be asked from the citizen
(Once-Only); see ``jfs.exchange.selectors``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django_tasks import task

from jfs.accounts.models import User
from jfs.audit.services import record
from jfs.cases import service_registry
from jfs.cases.errors import NotPermitted
from jfs.cases.models import Request
from jfs.cases.services import ASK_REGISTRIES, allowed
from jfs.core import clock
from jfs.exchange import models as m
from jfs.exchange.conf import gdx_settings
from jfs.exchange.errors import CircuitOpen, ExchangeError
from jfs.exchange.gdx import GdxClient, gdx_registries
from jfs.exchange.registries import Registries
from jfs.exchange.wire import be_to_date, date_to_be
from jfslib import thai_id

log = logging.getLogger(__name__)

LEGAL_BASIS = "PDPA s.24(4)"
DEFAULT_PURPOSE = "ตรวจสอบคุณสมบัติผู้ขอรับความช่วยเหลือจากกองทุนยุติธรรม (Justice Fund eligibility)"

#: which checks each service needs (the order is the order shown on the case page): each service's
#: ``registry_checks`` in services/<CODE>/service.yaml, a required key (an empty list means none)
KINDS_BY_SERVICE: Mapping[str, list[str]] = service_registry.ServiceMap(lambda s: list(s.registry_checks))
ALL_KINDS = [k for k, _ in m.KIND_CHOICES]


def unknown_check_kinds() -> list[str]:
    """Problems with the registry checks the services name (checked at start-up, ``jfs.exchange.apps``)."""
    return [f"{code}/service.yaml: registry_checks: unknown check kind {k!r} (known: {', '.join(ALL_KINDS)})"
            for code, kinds in KINDS_BY_SERVICE.items() for k in kinds if k not in ALL_KINDS]


@dataclass
class Outcome:
    status: str
    facts: dict[str, Any] = field(default_factory=dict)
    mismatch_fields: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- one check per kind


def _norm(text: str) -> str:
    return " ".join((text or "").split())


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _subject_id(req: Request, kind: str) -> str:
    """Whose records to ask for: the applicant, or for justice records the named detainee if given."""
    if kind in {m.KIND_ARRESTS, m.KIND_COURT_CASES, m.KIND_DETENTION, m.KIND_PROBATION}:
        other = str((req.details or {}).get("detainee_national_id") or "")
        if thai_id.is_valid(other):
            return thai_id.normalize(other)
    return req.applicant.national_id


def _identity_differences(person: Any, first: str, last: str, be_birth: str) -> list[str]:
    differ = []
    if _norm(person.first_name) != _norm(first):
        differ.append("first_name")
    if _norm(person.last_name) != _norm(last):
        differ.append("last_name")
    if date_to_be(person.birth_date) != be_birth:
        differ.append("birth_date")
    return differ


def _registry_values(registered: Any, differ: list[str]) -> dict[str, Any]:
    """``registry_first_name`` … for the identity fields that differ (a birth date as ISO, None when
    the registry has only the year or month)."""
    out: dict[str, Any] = {}
    for name in differ:
        if name == "birth_date":
            out["registry_birth_date"] = _iso(be_to_date(registered.be_birth_date))
        elif name in ("first_name", "last_name"):
            out[f"registry_{name}"] = getattr(registered, name)
    return out


def check_identity(regs: Registries, req: Request, laser_code: str = "") -> Outcome:
    """Laser-code verification when the applicant gave the card's laser code, else the Linkage profile.

    The laser code is used for the call and never stored; a background re-check, which no
    longer has it, compares name and birth date with the Linkage profile instead.
    """
    p = req.applicant
    laser = (laser_code or str(getattr(p, "laser_code", "") or "")).strip()
    if laser:
        answer = regs.population.verify_card(p.national_id, p.first_name, p.last_name, date_to_be(p.birth_date), laser)
        if answer.valid:
            return Outcome(
                m.STATUS_VERIFIED, {"identity_verified": True, "method": "laser_code", "card_status": "normal"}
            )
    registered = regs.population.person(p.national_id)
    if registered is None:
        return Outcome(m.STATUS_NOT_FOUND, {"identity_verified": False})
    differ = _identity_differences(p, registered.first_name, registered.last_name, registered.be_birth_date)
    # what the registry holds for the fields that differ, so the page can say "typed X, the registry says Y"
    said = _registry_values(registered, differ)
    if laser:
        if answer.status == "card_void":
            differ.append("id_card")
        elif not differ:
            differ.append("laser_code")
        return Outcome(
            m.STATUS_MISMATCH,
            {"identity_verified": False, "method": "laser_code", "card_status": answer.status, **said},
            differ,
        )
    if differ:
        return Outcome(m.STATUS_MISMATCH, {"identity_verified": False, "method": "linkage_profile", **said}, differ)
    return Outcome(m.STATUS_VERIFIED, {"identity_verified": True, "method": "linkage_profile"})


def check_address(regs: Registries, req: Request) -> Outcome:
    p = req.applicant
    a = regs.population.address(p.national_id)
    if a is None:
        return Outcome(m.STATUS_NOT_FOUND)
    facts: dict[str, Any] = {
        "house_no": a.house_no,
        "subdistrict_code": a.subdistrict_code,
        "district_code": a.district_code,
        "province_code": a.province_code,
        "moved_in_on": _iso(a.moved_in_on),
    }
    differ = [
        f
        for f in ("house_no", "subdistrict_code", "district_code", "province_code")
        if _norm(str(getattr(p, f))) != _norm(str(facts[f]))
    ]
    facts["same_as_application"] = not differ
    return Outcome(m.STATUS_MISMATCH if differ else m.STATUS_VERIFIED, facts, differ)


def check_welfare(regs: Registries, req: Request) -> Outcome:
    w = regs.welfare.welfare_card(req.applicant.national_id)
    if w is None:
        return Outcome(m.STATUS_NOT_FOUND, {"welfare_card": False})
    return Outcome(
        m.STATUS_VERIFIED,
        {"welfare_card": w.card_holder, "income_band": w.income_band, "registration_round": w.registration_round},
    )


def check_household(regs: Registries, req: Request) -> Outcome:
    h = regs.household.household(req.applicant.national_id)
    if h is None:
        return Outcome(m.STATUS_NOT_FOUND)
    return Outcome(
        m.STATUS_VERIFIED,
        {
            "vulnerability_level": h.vulnerability_level,
            "household_size": h.household_size,
            "assessed_on": _iso(h.assessed_on),
        },
    )


def check_disability(regs: Registries, req: Request) -> Outcome:
    d = regs.disability.disability(req.applicant.national_id)
    if d is None:
        return Outcome(m.STATUS_NOT_FOUND, {"disability_registered": False})
    today = clock.today()
    return Outcome(
        m.STATUS_VERIFIED,
        {
            "disability_registered": d.registered,
            "disability_type": d.disability_type,
            "disability_type_name": d.disability_type_name,
            "card_expiry": _iso(d.card_expiry),
            "card_valid": bool(d.registered and (d.card_expiry is None or d.card_expiry >= today)),
        },
    )


def check_arrests(regs: Registries, req: Request) -> Outcome:
    rows = regs.justice.arrests(_subject_id(req, m.KIND_ARRESTS))
    records = [{"arrested_on": _iso(r.arrested_on), "agency": r.agency, "charge": r.charge} for r in rows]
    return Outcome(m.STATUS_VERIFIED, {"count": len(records), "records": records})


def check_court_cases(regs: Registries, req: Request) -> Outcome:
    rows = regs.justice.court_cases(_subject_id(req, m.KIND_COURT_CASES))
    records = [
        {
            "court": r.court,
            "case_number": r.case_number,
            "case_kind": r.case_kind,
            "status": r.status,
            "filed_on": _iso(r.filed_on),
        }
        for r in rows
    ]
    return Outcome(m.STATUS_VERIFIED, {"count": len(records), "records": records})


def check_detention(regs: Registries, req: Request) -> Outcome:
    rows = regs.justice.detentions(_subject_id(req, m.KIND_DETENTION))
    records = [
        {
            "place": r.place,
            "since": _iso(r.since),
            "pretrial_without_bail": r.pretrial_without_bail,
            "released_on": _iso(r.released_on),
        }
        for r in rows
    ]
    current = [r for r in rows if r.released_on is None]
    return Outcome(
        m.STATUS_VERIFIED,
        {
            "count": len(records),
            "records": records,
            "detained_now": bool(current),
            "pretrial_without_bail": any(r.pretrial_without_bail for r in current),
        },
    )


def check_probation(regs: Registries, req: Request) -> Outcome:
    rows = regs.justice.probations(_subject_id(req, m.KIND_PROBATION))
    today = clock.today()
    records = [{"office": r.office, "since": _iso(r.since), "until": _iso(r.until), "status": r.status} for r in rows]
    return Outcome(
        m.STATUS_VERIFIED,
        {
            "count": len(records),
            "records": records,
            "on_probation_now": any(r.status == "active" and (r.until is None or r.until >= today) for r in rows),
        },
    )


CHECKS: dict[str, Callable[[Registries, Request], Outcome]] = {
    m.KIND_IDENTITY: check_identity,
    m.KIND_ADDRESS: check_address,
    m.KIND_WELFARE: check_welfare,
    m.KIND_HOUSEHOLD: check_household,
    m.KIND_DISABILITY: check_disability,
    m.KIND_ARRESTS: check_arrests,
    m.KIND_COURT_CASES: check_court_cases,
    m.KIND_DETENTION: check_detention,
    m.KIND_PROBATION: check_probation,
}


# --------------------------------------------------------------------------- running checks


def _retry_delay(attempts: int, base: float, ceiling: float) -> timedelta:
    return timedelta(seconds=min(ceiling, base * (2 ** max(0, attempts - 1))))


def _check_row(req: Request, kind: str, purpose: str, actor_id: int | None, **defaults: Any) -> m.RegistryCheck:
    """The request's check of this kind, made on first use (one row per request and kind)."""
    check, _ = m.RegistryCheck.objects.get_or_create(
        request=req, kind=kind,
        defaults={"registry": m.KIND_REGISTRY[kind], "purpose": purpose, "requested_by_id": actor_id, **defaults},
    )
    return check


def _run_one(
    regs: Registries,
    client: GdxClient | None,
    req: Request,
    kind: str,
    actor: Any,
    purpose: str,
    retry: bool,
    laser_code: str = "",
) -> m.RegistryCheck:
    cfg = gdx_settings()
    check = _check_row(req, kind, purpose, actor.pk if getattr(actor, "is_authenticated", False) else None)
    calls_before = client.http_calls if client else 0
    outcome: Outcome | None = None
    error = ""
    retry_at: datetime | None = None
    retryable = False
    try:
        if kind == m.KIND_IDENTITY:
            outcome = check_identity(regs, req, laser_code)
        else:
            outcome = CHECKS[kind](regs, req)
    except ExchangeError as exc:
        error, retryable = exc.code, exc.retryable
        retry_at = exc.retry_at if isinstance(exc, CircuitOpen) else None
    except Exception:  # a bug must not stop the case: record it and let an operator look
        log.exception("registry check %s on request %s failed unexpectedly", kind, req.pk)
        error, retryable = "unexpected", False

    now = clock.now()
    check.attempts += 1
    check.purpose = purpose
    if getattr(actor, "is_authenticated", False):
        check.requested_by = actor
    if outcome is not None:
        check.status, check.facts, check.mismatch_fields = outcome.status, outcome.facts, outcome.mismatch_fields
        check.checked_at, check.last_error, check.next_attempt_at = now, "", None
    else:
        check.last_error = error
        if check.checked_at is not None and check.status in m.ANSWERED:
            check.next_attempt_at = None  # keep the earlier answer; a refresh failing is not news
        elif retryable and check.attempts < cfg.max_attempts:
            check.status = m.STATUS_PENDING
            check.next_attempt_at = max(
                now + _retry_delay(check.attempts, cfg.retry_base, cfg.retry_max), retry_at or now
            )
        else:
            check.status, check.next_attempt_at = m.STATUS_FAILED, None

    details: dict[str, Any] = {
        "registry": check.registry,
        "check": kind,
        "legal_basis": LEGAL_BASIS,
        "result": check.status,
        "attempt": check.attempts,
        "http_calls": (client.http_calls - calls_before) if client else None,
    }
    if outcome is None:
        details["error"] = error
    if outcome is not None and outcome.mismatch_fields:
        details["mismatch_fields"] = outcome.mismatch_fields
    if retry:
        details["retry"] = True
    with transaction.atomic():
        check.save()
        record(
            "data_exchange",
            actor=actor,
            object_type="request",
            object_id=str(req.pk),
            reference=req.number,
            purpose=purpose,
            details=details,
        )
    return check


def _schedule_retry(request_id: int, checks: Iterable[m.RegistryCheck]) -> None:
    """Queue one background re-check of the request for when its first pending check is due."""
    due = [c.next_attempt_at for c in checks if c.status == m.STATUS_PENDING and c.next_attempt_at]
    if not due:
        return
    try:
        retry_request_checks.using(run_after=min(due)).enqueue(request_id)
    except Exception:  # the worker's tick sweeps pending checks up anyway
        log.exception("could not queue a registry re-check")


def run_checks(
    request: Request,
    actor: Any,
    purpose: str = "",
    *,
    kinds: Iterable[str] | None = None,
    laser_code: str = "",
    registries: Registries | None = None,
) -> list[m.RegistryCheck]:
    """Ask the registries about ``request`` and return its checks (one per kind). Never raises.

    ``kinds`` defaults to ``KINDS_BY_SERVICE[request.service]``. ``laser_code`` (the 12
    characters on the back of the ID card, as the applicant typed them) makes the identity
    check use DOPA's laser-code verification; it is not stored. A check whose registry gives
    no answer is ``pending`` with ``last_error`` and ``next_attempt_at``; a retry task is queued.
    """
    purpose = (purpose or DEFAULT_PURPOSE)[:200]
    wanted = [k for k in (kinds if kinds is not None else KINDS_BY_SERVICE[request.service]) if k in CHECKS]
    checks: list[m.RegistryCheck] = []
    client: GdxClient | None = None
    try:
        if registries is None:
            client = GdxClient()
            registries = gdx_registries(client)
        for kind in wanted:
            try:
                checks.append(
                    _run_one(registries, client, request, kind, actor, purpose, retry=False, laser_code=laser_code)
                )
            except Exception:  # database trouble: the case still goes on
                log.exception("registry check %s on request %s could not be stored", kind, request.pk)
        _schedule_retry(request.pk, checks)
    except Exception:
        log.exception("registry checks on request %s could not run", request.pk)
    finally:
        if client is not None:
            client.close()
    return checks


#: how long a queued check waits for the worker before the periodic sweep takes it over
QUEUED_GRACE = timedelta(minutes=5)


def queue_checks(
    request: Request, actor: Any, purpose: str = "", *, kinds: Iterable[str] | None = None
) -> list[m.RegistryCheck]:
    """Mark the checks pending at once and let the worker ask the registries: for web views,
    which should not wait on registries. Checks answered earlier keep their answer until the
    worker refreshes them. Never raises."""
    purpose = (purpose or DEFAULT_PURPOSE)[:200]
    wanted = [k for k in (kinds if kinds is not None else KINDS_BY_SERVICE[request.service]) if k in CHECKS]
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    checks: list[m.RegistryCheck] = []
    try:
        for kind in wanted:
            checks.append(_check_row(request, kind, purpose, actor_id, next_attempt_at=clock.now() + QUEUED_GRACE))
        run_request_checks.enqueue(request.pk, actor_id, purpose, wanted)
    except Exception:
        log.exception("registry checks on request %s could not be queued", request.pk)
    return checks


#: the purpose recorded (and audited) when the checks are asked for a request's screening
SCREENING_PURPOSE = "screening of the request"


def checks_after_commit(request: Request, actor: User, event: str) -> None:
    """The case services' request hook (``jfs.cases.services.register_request_hook``, registered in
    ``jfs.exchange.apps``): a request just registered, or one whose applicant's record or a national
    ID among its details was corrected, is checked with the registries again. Runs after the commit."""
    queue_checks(request, actor, purpose=SCREENING_PURPOSE)


def ask_again(*, actor: User, request: Request) -> list[m.RegistryCheck]:
    """The case page's "check with the registries": only someone who may change the request may ask
    (``NotPermitted`` otherwise); the worker asks the registries (``queue_checks``)."""
    if ASK_REGISTRIES not in allowed(actor, request):  # who may: ``jfs.cases.services.WHO_MAY``
        raise NotPermitted("ท่านไม่มีสิทธิ์ขอตรวจสอบคำขอนี้กับทะเบียนราชการ",
                           "You are not permitted to ask the registries about this request")
    return queue_checks(request, actor, purpose=SCREENING_PURPOSE)


def retry_due_checks(
    *, request_id: int | None = None, include_not_due: bool = False, limit: int = 500
) -> dict[str, int]:
    """Re-run pending checks whose time has come (all pending ones with ``include_not_due``).

    Runs as the user who first asked, for the purpose they gave. Returns counts by new status.
    """
    qs = m.RegistryCheck.objects.filter(status=m.STATUS_PENDING).select_related(
        "request", "request__applicant", "requested_by"
    )
    if request_id is not None:
        qs = qs.filter(request_id=request_id)
    if not include_not_due:
        qs = qs.filter(next_attempt_at__lte=clock.now())
    counts: dict[str, int] = {}
    done: list[m.RegistryCheck] = []
    with GdxClient() as client:
        regs = gdx_registries(client)
        for check in qs.order_by("next_attempt_at", "id")[:limit]:
            try:
                new = _run_one(regs, client, check.request, check.kind, check.requested_by, check.purpose, retry=True)
            except Exception:
                log.exception("registry re-check %s could not be stored", check.pk)
                continue
            counts[new.status] = counts.get(new.status, 0) + 1
            done.append(new)
    for req_id in {c.request_id for c in done}:
        _schedule_retry(req_id, [c for c in done if c.request_id == req_id])
    return counts


# --------------------------------------------------------------------------- background tasks
# (run by the worker; ``jfs.exchange.tasks`` schedules the periodic sweep)


@task()
def run_request_checks(request_id: int, actor_id: int | None, purpose: str, kinds: list[str]) -> dict[str, int]:
    """The worker's half of ``services.queue_checks``."""
    request = Request.objects.select_related("applicant").get(pk=request_id)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    counts: dict[str, int] = {}
    for check in run_checks(request, actor, purpose, kinds=kinds):
        counts[check.status] = counts.get(check.status, 0) + 1
    return counts


@task()
def retry_request_checks(request_id: int) -> dict[str, int]:
    return retry_due_checks(request_id=request_id)


@task()
def sweep_registry_checks() -> dict[str, int]:
    return retry_due_checks()
