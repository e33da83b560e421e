"""Every write to a request goes through here: create, update, assign, transition, attach.

Each function checks permission, validates, writes, records the transition and
the audit event in one database transaction, and raises a ``CaseError`` with a
Thai and English message when something is wrong. Views, the API, management
commands and background tasks all call these functions.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath
from typing import Any, Protocol

import filetype
import geothai
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q

from jfs.accounts.models import Office, User
from jfs.audit.services import record
from jfs.cases import clamd, document_safety, handoffs, reasons, service_registry, workflows
from jfs.cases import details as details_mod
from jfs.cases.calendar import calendar_for
from jfs.cases.errors import (
    ApplicantChanged,
    CaseError,
    Conflict,
    DecisionIncomplete,
    DocumentRejected,
    InvalidInput,
    NotPermitted,
    RequestClosed,
    TransitionNotAllowed,
    field_error,
)
from jfs.cases.models import (
    SCAN_QUARANTINED,
    SERVICE_PREFIX,
    Document,
    Person,
    PersonRevision,
    Request,
    RequestCounter,
    Transition,
)
from jfs.core import clock
from jfslib import jsonbounds, roles, thai_id, thai_phone
from jfslib.progress import forward_actions, main_path, roles_of
from jfslib.thaidate import fiscal_year
from jfslib.workdays import WorkingCalendar
from jfslib.workflow import (
    PREVIOUS,
    Action,
    State,
    TransitionPlan,
    TransitionRefused,
    WorkflowDefinition,
    plan_transition,
)

ALLOWED_DOCUMENT_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
}
#: file-name extensions that may carry each accepted type (a name claiming another type is a forgery)
DOCUMENT_EXTENSIONS = {
    "application/pdf": {".pdf"},
    "image/jpeg": {".jpg", ".jpeg", ".jpe"},
    "image/png": {".png"},
}

PERSON_FIELDS = (
    "national_id", "title", "first_name", "last_name", "birth_date", "sex", "house_no",
    "province_code", "district_code", "subdistrict_code", "phone", "education",
    "occupation", "monthly_income", "household_size",
)
#: Request fields whose changes are recorded in a transition's field-level diff.
TRACKED_FIELDS = (
    "state", "previous_state", "assigned_to_id", "clock_started_on", "paused_since",
    "paused_working_days", "clock_stopped_on", "due_on", "working_days_taken", "on_time",
    "step_started_on", "step_due_on", "outcome", "reason_code", "decided_on", "closed_on",
)


def today() -> date:
    """The fund's calendar day (``jfs.core.clock.today``): the day of receipt, transitions, the SLA clock."""
    return clock.today()


# --------------------------------------------------------------------------- permissions


#: What a person may do to a request (``allowed``): take the workflow's actions (which of them, the
#: workflow's roles decide), correct its details, assign it, upload a document, ask the registries.
ACT = "act"
EDIT = "edit"
ASSIGN = "assign"
UPLOAD = "upload"
ASK_REGISTRIES = "ask_registries"
CAPABILITIES = (ACT, EDIT, ASSIGN, UPLOAD, ASK_REGISTRIES)

#: in which states a capability holds: every state, every open (not terminal) state, or the states named
ANY_STATE = "any"
OPEN = "open"
When = str | frozenset[str]
_WHILE_OPEN: dict[str, When] = {EDIT: OPEN, ASSIGN: OPEN, UPLOAD: OPEN, ASK_REGISTRIES: OPEN, ACT: ANY_STATE}

#: Who may do what: the one table. A role not here (subcommittee members, executives, auditors,
#: data stewards, administrators, citizens) may do nothing to a request. The pages ask ``allowed``
#: to show a control, the services ask it (``_require``) to refuse one shown or not.
#: Everyone here acts only on their own office's requests and those assigned to them.
WHO_MAY: dict[str, dict[str, When]] = {
    roles.INTAKE_OFFICER: _WHILE_OPEN,
    roles.CASE_OFFICER: _WHILE_OPEN,
    roles.OFFICE_HEAD: _WHILE_OPEN,
    # records the subcommittee's decision (the workflow's actions); nothing else
    roles.SUBCOMMITTEE_SECRETARY: {ACT: ANY_STATE},
    # takes the subcommittee's urgent decisions (the workflow's actions); nothing else
    roles.SUBCOMMITTEE_CHAIR: {ACT: ANY_STATE},
    # pays and tracks the money: its actions, and receipts and statements during follow-up
    roles.FINANCE_OFFICER: {ACT: ANY_STATE, UPLOAD: frozenset({"follow_up"})},
    # the applicant (or the representative who filed it) on the e-Service portal: the workflow's
    # citizen actions (send the documents asked for, appeal), documents while the request is being
    # checked or documents are awaited; only their own requests (``_citizen_owns``)
    roles.CITIZEN: {ACT: OPEN, UPLOAD: frozenset({"received", "screening", "awaiting_documents"})},
}


def _in_scope(user: User, req: Request) -> bool:
    """Whether ``req`` is one the user works on: their office's, assigned to them, or one an
    action owner puts before them (``ActionOwner.in_scope``: the central subcommittee's chair and
    secretary for a request decided centrally); a citizen's own requests (``_citizen_owns``)."""
    if user.is_authenticated and user.role == roles.CITIZEN:
        return _citizen_owns(user, req)
    if not user.is_authenticated or user.role not in roles.STAFF_ROLES or user.is_read_only:
        return False
    if user.role == roles.ADMINISTRATOR:
        return False  # administrators manage accounts, not cases
    if req.office_id == user.office_id or req.assigned_to_id == user.pk:
        return True
    return any(owner.in_scope(user, req) for owner in _owners())


def _citizen_owns(user: User, req: Request) -> bool:
    """A citizen's own request: one they filed on the portal (for themselves or, as a representative,
    for someone else), or one whose applicant is the person the state digital ID verified them to be
    (``User.national_id`` is set only by that sign-in; a one-time-code sign-in leaves it empty)."""
    if req.created_by_id == user.pk:
        return True
    return bool(user.national_id) and req.applicant.national_id == user.national_id


class ActionOwner(Protocol):
    """An app above this one that owns some workflow actions' rules and records (``jfs.decisions``
    owns the decisions and appeals): registered at start-up, so the case services need not import
    it. ``check`` returns every problem with the action's fields (each a ``field_error``) or raises
    a ``CaseError`` for a refusal that is not about a field; ``fields`` says what the transition
    records of them; ``record`` writes the owner's records in the same transaction, right after the
    ``Transition``; ``in_scope`` lets a person outside the request's office take the owner's actions."""

    actions: frozenset[str]

    def owns(self, req: Request, action: str) -> bool: ...

    def complete(self, req: Request, action: str, fields: dict[str, Any]) -> dict[str, Any]: ...

    def check(self, actor: User, req: Request, action: str, fields: dict[str, Any], comment: str,
              on: date) -> list[dict[str, str]]: ...

    def fields(self, action: str, fields: dict[str, Any]) -> dict[str, str]: ...

    def record(self, actor: User, req: Request, action: str, fields: dict[str, Any], comment: str, on: date,
               transition: Transition) -> None: ...

    def in_scope(self, user: User, req: Request) -> bool: ...

    def visible(self, user: User) -> Q | None: ...


ACTION_OWNERS: dict[str, ActionOwner] = {}


def register_action_owner(owner: ActionOwner) -> None:
    for action in owner.actions:
        ACTION_OWNERS[action] = owner


def owners() -> list[ActionOwner]:
    """The registered action owners (``selectors.visible_requests`` asks them whom else a request
    is shown to: the members of the committee that decides it)."""
    return _owners()


def _owners() -> list[ActionOwner]:
    return list({id(o): o for o in ACTION_OWNERS.values()}.values())


def _owner(req: Request, action: str) -> ActionOwner | None:
    """The owner of ``action`` on ``req`` (its workflow's action: a consultation's "refer" is not a
    decision, a litigation request's is)."""
    owner = ACTION_OWNERS.get(action)
    return owner if owner is not None and owner.owns(req, action) else None


def _holds(when: When, state: str, terminal: bool) -> bool:
    return when == ANY_STATE or (when == OPEN and not terminal) or (isinstance(when, frozenset) and state in when)


def allowed(user: User, req: Request) -> frozenset[str]:
    """What ``user`` may do to ``req`` now (``CAPABILITIES``), by ``WHO_MAY`` and the request's state."""
    if not _in_scope(user, req):
        return frozenset()
    terminal = req.workflow.states[req.state].terminal
    return frozenset(cap for cap, when in WHO_MAY.get(user.role, {}).items() if _holds(when, req.state, terminal))


def refusal(user: User, req: Request, capability: str) -> NotPermitted | RequestClosed | None:
    """Why ``user`` may not do ``capability`` to ``req`` (None when they may): the request is closed
    (``RequestClosed``, when the role could do it while it was open), or not theirs to change."""
    if capability in allowed(user, req):
        return None
    when = WHO_MAY.get(user.role, {}).get(capability)
    if when == OPEN and _in_scope(user, req):
        return RequestClosed(*REFUSALS["closed"])
    return NotPermitted(*REFUSALS.get(capability, REFUSALS[ACT]))


#: the refusals' words (Thai, English)
REFUSALS = {
    ACT: ("ท่านไม่มีสิทธิ์แก้ไขคำขอนี้", "You are not permitted to change this request"),
    EDIT: ("ท่านไม่มีสิทธิ์แก้ไขข้อมูลคำขอนี้", "You are not permitted to correct this request's details"),
    ASSIGN: ("ท่านไม่มีสิทธิ์มอบหมายงาน", "You may not assign requests"),
    UPLOAD: ("ท่านไม่มีสิทธิ์อัปโหลดเอกสารของคำขอนี้ในขั้นตอนนี้",
             "You may not upload documents to this request at this step"),
    ASK_REGISTRIES: ("ท่านไม่มีสิทธิ์ขอตรวจสอบคำขอนี้กับทะเบียนราชการ",
                     "You are not permitted to ask the registries about this request"),
    "closed": ("คำขอนี้ปิดแล้ว แก้ไขไม่ได้", "This request is closed and cannot be changed"),
}


def _require(user: User, req: Request, capability: str) -> None:
    refused = refusal(user, req, capability)
    if refused is not None:
        raise refused


def can_write(user: User, req: Request) -> bool:
    """Whether the user may do anything at all to the request now (``allowed`` is not empty)."""
    return bool(allowed(user, req))


def _require_write(user: User, req: Request) -> None:
    _require(user, req, ACT)


def may_register(user: User, office: Office | None = None) -> bool:
    """Whether ``user`` may register requests at all (``REGISTRARS``: intake and case officers,
    office heads) and, given ``office``, for that office: their own, or any office for the
    central office's staff. The one definition: ``create_request`` enforces it, the new-request
    page asks it to decide whether to show the form (``selectors.registration_offices`` lists the
    offices it allows)."""
    if user.is_authenticated and user.role == roles.CITIZEN:
        return True  # online, for themselves or as a representative, at the office they choose
    if not user.is_authenticated or user.role not in REGISTRARS or user.is_read_only:
        return False
    return office is None or user.office_id == office.pk or bool(user.office and user.office.is_central)


#: who registers requests (``may_register``): those who take them in and handle them, as ``WHO_MAY``
#: lets them correct and assign; not subcommittee members or secretaries, finance, or read-only roles
REGISTRARS = frozenset({roles.INTAKE_OFFICER, roles.CASE_OFFICER, roles.OFFICE_HEAD})

#: who may be given a request (``assign``; the case page lists them)
ASSIGNABLE_ROLES = frozenset({roles.CASE_OFFICER, roles.INTAKE_OFFICER, roles.FINANCE_OFFICER})


# --------------------------------------------------------------------------- validation


def refuse_nul(values: dict[str, Any]) -> None:
    """A NUL character is never meaningful text and PostgreSQL cannot store it; a value nested
    deeper than ``jsonbounds.MAX_DEPTH`` or with more than ``MAX_ITEMS`` members is not input a
    person typed: refuse either as bad input, naming the fields (checked without recursion)."""
    found = jsonbounds.problems(values)
    if found:
        raise InvalidInput(
            "ข้อมูลมีอักขระที่ไม่อนุญาตหรือมีโครงสร้างที่ไม่รับ",
            "The data contains a character that is not allowed (NUL) or is nested or sized beyond the limits",
            errors=[field_error(p.path or "body", *jsonbounds.MESSAGES[p.kind]) for p in found],
        )



@dataclass
class ApplicantInput:
    national_id: str
    first_name: str
    last_name: str
    birth_date: date
    sex: str
    province_code: str
    district_code: str
    subdistrict_code: str
    title: str = ""
    house_no: str = ""
    phone: str = ""
    education: str = ""
    occupation: str = ""
    monthly_income: Decimal | int | str = 0
    household_size: int = 1


def validate_applicant(a: ApplicantInput, *, on: date | None = None, on_file_id: str | None = None) -> dict[str, Any]:
    """Return clean applicant values or raise InvalidInput listing every problem.

    ``on_file_id``: the ID of the record being corrected. A correction cannot change it, so it is
    not judged again: a record registered before a rule existed can still have its phone or address
    corrected."""
    errors: list[dict[str, str]] = []
    clean: dict[str, Any] = {}
    if on_file_id is not None and thai_id.normalize(a.national_id) == on_file_id:
        clean["national_id"] = on_file_id
    else:
        try:
            clean["national_id"] = thai_id.validate(a.national_id)
        except thai_id.InvalidNationalID as exc:
            errors.append(field_error("national_id", exc.th, exc.en))
    for f, th, en in (("first_name", "กรุณากรอกชื่อผู้ขอรับความช่วยเหลือ", "Please enter the applicant's first name"),
                      ("last_name", "กรุณากรอกนามสกุลผู้ขอรับความช่วยเหลือ", "Please enter the applicant's last name")):
        value = (getattr(a, f) or "").strip()
        if not value:
            errors.append(field_error(f, th, en))
        clean[f] = value[:100]
    ref = on or today()
    if not isinstance(a.birth_date, date):
        errors.append(field_error("birth_date", "กรุณากรอกวันเกิดของผู้ขอรับความช่วยเหลือ",
                                  "Please enter the applicant's date of birth"))
    elif a.birth_date > ref:
        errors.append(field_error("birth_date", "วันเกิดต้องไม่อยู่ในอนาคต", "Birth date cannot be in the future"))
    elif (ref.year - a.birth_date.year) > 120:
        errors.append(field_error(
            "birth_date", "อายุเกิน 120 ปี ตรวจสอบว่าใช้ปี พ.ศ./ค.ศ. ถูกต้อง", "Age over 120 years: check B.E./C.E. year"
        ))
    clean["birth_date"] = a.birth_date
    if a.sex not in {"M", "F", "X"}:
        errors.append(field_error("sex", "กรุณาเลือกเพศของผู้ขอรับความช่วยเหลือ", "Please choose the applicant's sex"))
    clean["sex"] = a.sex
    sub = geothai.subdistrict(a.subdistrict_code or "")
    if sub is None or sub.district_code != a.district_code or sub.province_code != a.province_code:
        errors.append(field_error(
            "subdistrict_code", "จังหวัด อำเภอ และตำบลไม่สอดคล้องกัน", "Province, district and subdistrict do not match"
        ))
    clean.update(
        province_code=a.province_code, district_code=a.district_code, subdistrict_code=a.subdistrict_code
    )
    try:
        income = Decimal(str(a.monthly_income or 0))
        if income < 0 or income > Decimal("100000000"):
            raise InvalidOperation
        clean["monthly_income"] = income.quantize(Decimal("0.01"))  # as stored: a resave is no change
    except (InvalidOperation, ValueError):
        errors.append(field_error(
            "monthly_income", "รายได้ต้องเป็นจำนวนเงินที่ไม่ติดลบ", "Income must be a non-negative amount"
        ))
    try:
        size = int(a.household_size)
        if not 1 <= size <= 50:
            raise ValueError
        clean["household_size"] = size
    except (TypeError, ValueError):
        errors.append(field_error(
            "household_size", "จำนวนสมาชิกในครัวเรือนต้องอยู่ระหว่าง 1–50", "Household size must be 1–50"
        ))
    try:
        clean["phone"] = thai_phone.to_e164(a.phone or "")  # stored in E.164: +66812345678
    except thai_phone.InvalidPhone as exc:
        errors.append(field_error("phone", exc.th, exc.en))
    clean.update(title=a.title[:30], house_no=a.house_no[:100], education=a.education, occupation=a.occupation)
    if errors:
        raise InvalidInput("ข้อมูลผู้ขอไม่ถูกต้อง", "Applicant details are not valid", errors=errors)
    return clean


def _validate_details(service: str, data: dict[str, Any]) -> tuple[dict[str, Any], Decimal]:
    try:
        parsed = details_mod.validate(service, data)
    except details_mod.DetailsError as exc:
        raise InvalidInput(
            "รายละเอียดคำขอไม่ถูกต้อง", "Request details are not valid",
            errors=[{**e, "field": f"details.{e['field']}"} for e in exc.errors],
        ) from None
    return parsed.model_dump(mode="json"), parsed.amount()


# --------------------------------------------------------------------------- numbering


def next_number(service: str, office: Office, fy: int) -> str:
    counter, _ = RequestCounter.objects.select_for_update().get_or_create(
        service=service, office=office, fiscal_year=fy
    )
    RequestCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return format_number(service, office.code, fy, counter.last)


def format_number(service: str, office_code: str, fy: int, seq: int) -> str:
    return f"{SERVICE_PREFIX[service]}-{office_code}-{fy}-{seq:05d}"


# --------------------------------------------------------------------------- clock


def _snapshot(req: Request) -> dict[str, Any]:
    return {f: getattr(req, f) for f in TRACKED_FIELDS}


def _jsonable(value: Any) -> Any:
    """A value as the JSON columns keep it (history diffs, person revisions)."""
    return value.isoformat() if isinstance(value, date) else str(value) if isinstance(value, Decimal) else value


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [_jsonable(before[k]), _jsonable(after[k])] for k in before if before[k] != after[k]}


def _enter_step(req: Request, cal: WorkingCalendar, on: date) -> None:
    state = req.workflow.states[req.state]
    req.step_started_on = on
    req.step_due_on = cal.add_working_days(on, state.sla_days) if state.sla_days is not None else None
    req.escalated_on = None


def _recompute_due(req: Request, cal: WorkingCalendar) -> None:
    if not req.standard_applies:
        req.due_on = None  # the service has its own timeline, which the system does not know
        return
    if req.clock_started_on is None or req.clock_stopped_on is not None or req.paused_since:
        if req.paused_since:
            req.due_on = None
        return
    req.due_on = cal.add_working_days(
        req.clock_started_on, req.workflow.standard_days + req.paused_working_days
    )


def _apply_clock(req: Request, cal: WorkingCalendar, before: State, after: State, on: date) -> None:
    """Move the 21-day clock for a step from ``before`` to ``after`` on day ``on``.

    Waiting for the applicant pauses the clock. When the wait began while documents were still
    being checked (``after.restarts_clock``: received, screening), the documents are complete
    only now, so the clock starts again from today; later in the process the wait is a pause
    and its working days are added to the due date.
    """
    if before.clock == "paused" and req.paused_since:
        if after.restarts_clock and req.clock_stopped_on is None:
            req.clock_started_on = on
            req.paused_working_days = 0
        else:
            req.paused_working_days += max(0, cal.working_days_between(req.paused_since, on))
        req.paused_since = None
    if after.clock == "paused" and req.clock_stopped_on is None:
        req.paused_since = on
    if after.clock == "stopped" and req.clock_stopped_on is None and req.clock_started_on:
        req.clock_stopped_on = on
        taken = cal.working_days_between(req.clock_started_on, on) - req.paused_working_days
        req.working_days_taken = max(0, taken)
        if req.standard_applies:
            req.on_time = req.working_days_taken <= req.workflow.standard_days
            req.due_on = cal.add_working_days(
                req.clock_started_on, req.workflow.standard_days + req.paused_working_days
            )
        else:  # no 21-day standard for this service: the days are counted, no verdict
            req.on_time = None
            req.due_on = None
    else:
        _recompute_due(req, cal)


# --------------------------------------------------------------------------- writes


def _revise_person(person: Person, values: dict[str, Any]) -> dict[str, Any]:
    """Set the person's new values; return the earlier value of each field that changed."""
    previous: dict[str, Any] = {}
    for k, v in values.items():
        if getattr(person, k) != v:
            previous[k] = _jsonable(getattr(person, k))
            setattr(person, k, v)
    if previous:
        person.version += 1
        person.save()
    return previous


def _keep_revision(person: Person, previous: dict[str, Any], *, actor: User, req: Request, reason: str) -> None:
    """File the earlier values (nothing on file is lost) and audit the change by field name only."""
    if not previous:
        return
    PersonRevision.objects.create(person=person, at=clock.now(), actor=actor, request=req, reason=reason,
                                  previous=previous, version=person.version - 1)
    record("update", actor=actor, object_type="person", object_id=str(person.pk), reference=req.number,
           details={"changed": sorted(previous), "reason": reason})


def _upsert_person(values: dict[str, Any]) -> tuple[Person, dict[str, Any]]:
    """The person with this national ID, brought up to date (a person has one record, whichever
    office they apply at), and the earlier values of what changed."""
    if connection.vendor == "postgresql":
        # two first registrations of the same ID at once must not make two records: a row lock
        # cannot lock a row that does not exist yet, so take a lock on the ID itself
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", ["jfs.person:" + values["national_id"]])
    person = Person.objects.select_for_update().filter(national_id=values["national_id"]).order_by("-id").first()
    if person is None:
        return Person.objects.create(**values), {}
    return person, _revise_person(person, values)


def _office(office: Office | str) -> Office:
    """The office itself, or the office with this code; else a field error on ``office``."""
    if isinstance(office, Office):
        return office
    refuse_nul({"office": office})
    code = (office or "").strip()
    if not code:
        raise InvalidInput("กรุณาเลือกสำนักงาน", "Please choose the office",
                           errors=[field_error("office", "กรุณาเลือกสำนักงาน", "Please choose the office")])
    found = Office.objects.filter(code=code).first()
    if found is None:
        raise InvalidInput("ไม่พบสำนักงาน", f"Unknown office {code!r}",
                           errors=[field_error("office", "ไม่มีสำนักงานรหัสนี้", f"No office has the code {code!r}")])
    return found


def _check_registration(
    *, service: str, applicant: ApplicantInput, details: dict[str, Any], on: date, representative_type: str,
    representative_name: str, representative_national_id: str, on_file_id: str | None = None,
) -> tuple[dict[str, Any], dict[str, Any], Decimal, str]:
    """The clean applicant values, details, amount and representative's ID of a registration, or one
    ``InvalidInput`` listing every problem of the applicant, the details and the representative."""
    errors: list[dict[str, str]] = []
    person_values: dict[str, Any] = {}
    clean_details: dict[str, Any] = {}
    amount = Decimal(0)
    try:
        person_values = validate_applicant(applicant, on=on, on_file_id=on_file_id)
    except InvalidInput as exc:
        errors += exc.errors
    try:
        clean_details, amount = _validate_details(service, details)
    except InvalidInput as exc:
        errors += exc.errors
    if representative_type and not representative_name.strip():
        errors.append(field_error("representative_name", "กรุณากรอกชื่อผู้แทน", "Please enter the representative's name"))
    if representative_national_id:
        try:
            representative_national_id = thai_id.validate(representative_national_id)
        except thai_id.InvalidNationalID as exc:
            errors.append(field_error("representative_national_id", f"เลขประจำตัวประชาชนผู้แทน: {exc.th}",
                                      f"Representative's national ID: {exc.en}"))
    if errors:
        raise InvalidInput("ข้อมูลคำขอไม่ถูกต้อง", "The request's data is not valid", errors=errors)
    return person_values, clean_details, amount, representative_national_id


def registration_problems(
    *, service: str, applicant: ApplicantInput, details: dict[str, Any], representative_type: str = "",
    representative_name: str = "", representative_national_id: str = "", on_file_id: str | None = None,
) -> list[dict[str, str]]:
    """Every problem ``create_request`` (or, with ``on_file_id``, ``update_details``) would find in
    these values, without saving anything: a form that refused some fields asks about the rest, so
    the officer sees every mistake in one round (the check digit with the empty name)."""
    try:
        _check_registration(service=service, applicant=applicant, details=details, on=today(),
                            representative_type=representative_type, representative_name=representative_name,
                            representative_national_id=representative_national_id, on_file_id=on_file_id)
    except InvalidInput as exc:
        return exc.errors
    return []


@transaction.atomic
def create_request(
    *,
    actor: User,
    service: str,
    office: Office | str,
    applicant: ApplicantInput,
    details: dict[str, Any],
    received_on: date | None = None,
    channel: str = "counter",
    representative_type: str = "",
    representative_name: str = "",
    representative_national_id: str = "",
    then: FollowOn | None = None,
) -> Request:
    """Register a new request; the 21-day clock starts on the day it is received.

    ``then``: a first step taken with the registration, in the same transaction (one of the
    ``follow_ons`` of the initial state: "register and start screening"); refused, nothing is saved.

    ``office`` is the office or its code (an unknown or empty code is a field error on ``office``).
    Once the registration is committed, the apps above that registered a hook act on it
    (``register_request_hook``: the data exchange queues the registry checks)."""
    if not may_register(actor):
        raise NotPermitted("ท่านไม่มีสิทธิ์รับคำขอ", "You are not permitted to register requests")
    office = _office(office)
    if not may_register(actor, office):
        raise NotPermitted(
            "รับคำขอได้เฉพาะสำนักงานของท่าน", "You can only register requests for your own office"
        )
    if actor.role == roles.CITIZEN and (channel != "online" or received_on is not None or then is not None):
        raise NotPermitted("ยื่นคำขอออนไลน์ได้เฉพาะช่องทางออนไลน์ ณ วันที่ยื่น",
                           "A citizen files online, on the day of filing, with no further step")
    # the service registry (services/<CODE>/) is the list of services; its workflow is loaded with it
    wf = workflows.get(service) if service_registry.exists(service) else None
    if wf is None:
        raise InvalidInput("ไม่มีบริการนี้", f"Unknown service {service!r}",
                           errors=[field_error("service", "ไม่มีบริการนี้", f"Unknown service {service!r}")])
    on = received_on or today()
    if on > today():
        raise InvalidInput("วันที่รับคำขอต้องไม่อยู่ในอนาคต", "The date received cannot be in the future",
                           errors=[field_error("received_on", "วันที่รับคำขอต้องไม่อยู่ในอนาคต",
                                               "The date received cannot be in the future")])
    refuse_nul({**vars(applicant), "details": details, "channel": channel, "representative_name": representative_name,
                "representative_national_id": representative_national_id})
    person_values, clean_details, amount, representative_national_id = _check_registration(
        service=service, applicant=applicant, details=details, on=on, representative_type=representative_type,
        representative_name=representative_name, representative_national_id=representative_national_id,
    )
    person, previous = _upsert_person(person_values)
    fy = fiscal_year(on)
    cal = calendar_for(office.pk)
    req = Request(
        number=next_number(service, office, fy),
        service=service,
        office=office,
        fiscal_year=fy,
        applicant=person,
        channel=channel,
        representative_type=representative_type,
        representative_name=representative_name.strip(),
        representative_national_id=representative_national_id,
        details=clean_details,
        amount_requested=amount,
        state=wf.initial,
        received_on=on,
        clock_started_on=on,
        created_by=actor,
    )
    _enter_step(req, cal, on)
    _recompute_due(req, cal)
    req.save()
    Transition.objects.create(
        request=req, action="create", from_state="", to_state=req.state, actor=actor,
        actor_role=actor.role, at=clock.now(), on_date=on, step_due_on=req.step_due_on,
        diff=_diff({f: None for f in TRACKED_FIELDS}, _snapshot(req)),
    )
    record("create", actor=actor, object_type="request", object_id=str(req.pk), reference=req.number,
           details={"service": service, "office": office.code})
    _keep_revision(person, previous, actor=actor, req=req, reason="registration")
    if then is not None:
        req = _take_follow_on(actor, req, then, None)
        _notify_after(req, actor, wf.initial, None)
    _after_commit(req, actor, REGISTERED)
    return req


def documents_uploaded(req: Request) -> set[str]:
    """Document types on file (a quarantined upload is not: nobody can read it)."""
    return set(req.documents.filter(superseded_by__isnull=True).exclude(scan_status=SCAN_QUARANTINED)
               .values_list("doc_type", flat=True))


#: Apps above this one that confirm documents without an upload (Once-Only: the officer never asks
#: the citizen for a copy of what a government registry confirms). Each answers the document types
#: it confirms for a request; the data exchange registers its registry checks at start-up
#: (``jfs.exchange.apps``), so the case services need not import it.
DOCUMENT_CONFIRMERS: list[Callable[[Request], set[str]]] = []


def register_document_confirmer(confirmer: Callable[[Request], set[str]]) -> None:
    if confirmer not in DOCUMENT_CONFIRMERS:
        DOCUMENT_CONFIRMERS.append(confirmer)


#: What a request hook is told: the request was registered, or whom it concerns changed (the
#: applicant's record, or a national ID among its details, such as the bail detainee's).
REGISTERED = "registered"
SUBJECT_CHANGED = "subject_changed"

#: Apps above this one that act on a request once its registration or a change of whom it concerns
#: is committed (never for a write that rolls back): the data exchange queues the registry checks
#: (``jfs.exchange.apps``), so neither the case services nor their callers need to import it.
#: Each hook takes the request, the person who made the change and the event.
RequestHook = Callable[[Request, User, str], None]
REQUEST_HOOKS: list[RequestHook] = []


def register_request_hook(hook: RequestHook) -> None:
    if hook not in REQUEST_HOOKS:
        REQUEST_HOOKS.append(hook)


#: Apps above this one told of every workflow step as it is saved, inside the step's transaction
#: (the portal's tracking tells the applicant when documents are asked for or a decision is made).
#: A hook defers what it sends to the commit (``transaction.on_commit``), so a step that rolls back
#: tells nobody.
StepHook = Callable[[Transition], None]
STEP_HOOKS: list[StepHook] = []


def register_step_hook(hook: StepHook) -> None:
    if hook not in STEP_HOOKS:
        STEP_HOOKS.append(hook)


def _after_commit(req: Request, actor: User, event: str) -> None:
    """Run every request hook once the current transaction commits. A hook that fails is logged
    (``robust``): the change is saved by then, and the caller is told it was."""
    for hook in REQUEST_HOOKS:
        def run(hook: RequestHook = hook) -> None:
            hook(req, actor, event)

        transaction.on_commit(run, robust=True)


def documents_satisfied(req: Request) -> set[str]:
    """Document types on file: uploaded, or confirmed by another source (a government registry)."""
    found = documents_uploaded(req)
    for confirmer in DOCUMENT_CONFIRMERS:
        found |= confirmer(req)
    return found


def _lock(request_id: int, expected_version: int | None) -> Request:
    # lock the request row only ("of self"): locking the joined office too would queue every write
    # of an office behind one transaction, and deadlock with a registration that checks its office key
    req = Request.objects.select_for_update(of=("self",)).select_related("office").get(pk=request_id)
    _require_version(req, expected_version)
    return req


def _require_version(req: Request, expected_version: int | None) -> None:
    if expected_version is not None and req.version != expected_version:
        raise Conflict(
            "มีผู้อื่นแก้ไขคำขอนี้ไปก่อนแล้ว กรุณาโหลดหน้าใหม่และตรวจสอบอีกครั้ง (ข้อมูลที่ท่านกรอกยังอยู่)",
            "Someone else changed this request first. Reload and check again (what you typed is kept).",
        )


#: refusals of the workflow that, for a deciding action, are problems of the decision form's fields
_DECISION_FIELD_REFUSALS = frozenset({"missing_fields", "bad_outcome", "comment_required"})


def decision_errors(action: Action, fields: dict[str, Any], comment: str) -> list[dict[str, str]]:
    """What is missing or wrong in a deciding action's outcome, reason and comment: every problem at
    once, each on its field and in words (the reason by name, never a bare code)."""
    errors: list[dict[str, str]] = []
    outcome, code = str(fields.get("outcome") or ""), str(fields.get("reason_code") or "")
    if not outcome:
        errors.append(field_error("outcome", "กรุณาเลือกผลการพิจารณา", "Choose the outcome of the decision"))
    elif outcome not in reasons.OUTCOME_NAMES:
        errors.append(field_error("outcome", "ผลการพิจารณาไม่ถูกต้อง กรุณาเลือกจากรายการ",
                                  "The outcome is not valid: choose one from the list"))
    reason = reasons.all_reasons().get(code)
    if not code:
        errors.append(field_error("reason_code", "กรุณาเลือกเหตุผลของผลการพิจารณา", "Choose the reason for the decision"))
    elif reason is None:
        errors.append(field_error("reason_code", "ไม่มีเหตุผลนี้ในรายการ กรุณาเลือกจากรายการ",
                                  "There is no such reason: choose one from the list"))
    elif outcome in reasons.OUTCOME_NAMES and not reasons.valid_for(code, outcome):
        th, en = reasons.OUTCOME_NAMES[outcome]
        errors.append(field_error(
            "reason_code",
            f"เหตุผล “{reason.th}” ใช้กับผลการพิจารณา “{th}” ไม่ได้ กรุณาเลือกเหตุผลที่ตรงกับผลการพิจารณา",
            f"The reason “{reason.en}” does not explain the outcome “{en}”: choose a reason that fits the outcome",
        ))
    if action.comment_required and not comment.strip():
        errors.append(field_error("comment", "กรุณาระบุเหตุผลประกอบ", "Please give a reason in the comment"))
    return errors


def _require_complete_decision(action: Action, fields: dict[str, Any], comment: str, actor: User,
                               req: Request) -> None:
    owner = _owner(req, action.code)
    errors = (owner.check(actor, req, action.code, fields, comment, today()) if owner is not None
              else decision_errors(action, fields, comment))
    if errors:
        raise DecisionIncomplete(
            "ข้อมูลการพิจารณายังไม่ครบหรือไม่ถูกต้อง: " + " ".join(e["message_th"] for e in errors),
            "The decision is incomplete or not valid: " + " ".join(e["message_en"] for e in errors),
            errors=errors,
        )


def _plan_action(
    actor: User, req: Request, action: str, comment: str, fields: dict[str, Any] | None, on: date | None = None,
) -> tuple[TransitionPlan, dict[str, Any]]:
    """Every check of an action on ``req`` after permission: the workflow's (state, role, documents,
    fields) and a decision's outcome and reason. Returns the plan and the fields to record (only a
    decision records an outcome and its reason)."""
    refuse_nul({"comment": comment, **(fields or {})})
    wf = req.workflow
    fields = {k: v for k, v in (fields or {}).items() if v not in (None, "", [], {})}
    owner = _owner(req, action)
    if owner is not None:
        fields = owner.complete(req, action, fields)
    try:
        plan = plan_transition(
            wf,
            state=req.state,
            previous_state=req.previous_state,
            action_code=action,
            role=actor.role,
            documents_on_file=documents_satisfied(req),
            fields=fields,
            comment=comment,
            is_assignee=req.assigned_to_id == actor.pk,
        )
    except TransitionRefused as exc:
        act = wf.actions.get(action)
        if act is not None and act.sets_outcome and exc.code in _DECISION_FIELD_REFUSALS:
            _require_complete_decision(act, fields, comment, actor, req)  # every field problem at once, by name
        raise TransitionNotAllowed(exc.th, exc.en, exc.code) from None
    if owner is not None:
        errors = owner.check(actor, req, action, fields, comment, on or today())
        if errors:
            raise DecisionIncomplete(
                "ข้อมูลยังไม่ครบหรือไม่ถูกต้อง: " + " ".join(e["message_th"] for e in errors),
                "Incomplete or not valid: " + " ".join(e["message_en"] for e in errors),
                errors=errors,
            )
        return plan, owner.fields(action, fields)
    if not plan.action.sets_outcome:
        return plan, {k: v for k, v in fields.items() if k not in ("outcome", "reason_code")}
    _require_complete_decision(plan.action, fields, comment, actor, req)
    return plan, fields


def check_transition(*, actor: User, request_id: int, action: str, expected_version: int | None,
                     comment: str = "", fields: dict[str, Any] | None = None) -> None:
    """Every check ``transition`` makes, writing nothing (and locking nothing: ``transition`` checks
    again): raises the same ``CaseError``. The decision page asks it before showing the officer
    their answers to confirm."""
    req = Request.objects.select_related("office").get(pk=request_id)
    _require_version(req, expected_version)
    _require_write(actor, req)
    _plan_action(actor, req, action, comment, fields)


@dataclass(frozen=True)
class FollowOn:
    """A second step taken with an action, in the same post and the same database transaction
    (``transition(..., then=FollowOn(...))``, ``create_request(..., then=...)``): one of the
    ``follow_ons`` of the state the first step reached, with its own comment. Each step is recorded
    as its own ``Transition`` and audit event, with its own clock handling."""

    action: str
    comment: str = ""


def _reached(req: Request, action: str | None) -> str:
    """The state ``action`` leads ``req`` to (the request's state for None); "" for no such action."""
    if action is None:
        return req.state
    act = req.workflow.actions.get(action)
    if act is None:
        return ""
    return req.previous_state if act.target == PREVIOUS else act.target


def follow_ons(user: User, req: Request, action: str | None = None) -> tuple[Action, ...]:
    """The actions ``user`` may take as a follow-on of ``action`` (in the state it leads to; of the
    request's current state when ``action`` is None): forward on the workflow's main path (to a
    later stage, not a wait, never back from one), the user's role takes them, not a decision
    (``sets_outcome``: that goes through the check-your-answers page, never as a follow-on), no
    document the request does not have yet. A deciding first action has none. The form offers
    these; ``transition`` refuses any other."""
    wf = req.workflow
    first = wf.actions.get(action) if action is not None else None
    state = _reached(req, action)
    if (action is not None and (first is None or first.sets_outcome)) or state not in wf.states:
        return ()
    if wf.states[state].terminal or ACT not in allowed(user, req):
        return ()
    candidates = [a for a in _onward(wf, state, user.role) if not a.assignee_only or req.assigned_to_id == user.pk]
    if any(a.documents_required for a in candidates):
        on_file = documents_satisfied(req)
        candidates = [a for a in candidates if set(a.documents_required) <= on_file]
    return tuple(candidates)


def _onward(wf: WorkflowDefinition, state: str, role: str) -> list[Action]:
    """The actions of ``role`` from ``state`` that move a request on along the main path: to a later
    stage, not a wait, not a decision."""
    here, path = wf.states[state], set(main_path(wf))
    return [a for a in wf.available_actions(state, role)
            if a.target in path and wf.states[a.target].stage > here.stage and wf.states[a.target].clock != "paused"
            and not a.sets_outcome]


def registration_follow_ons(user: User, service: str) -> tuple[Action, ...]:
    """The first steps the new-request page offers to take with the registration ("บันทึกและเริ่ม
    ตรวจสอบคำขอ"): the follow-ons of the service's initial state for the user's role that need no
    comment and no document (the page asks neither). ``create_request(then=...)`` checks again."""
    if not may_register(user) or ACT not in WHO_MAY.get(user.role, {}) or not service_registry.exists(service):
        return ()
    wf = workflows.get(service)
    return tuple(a for a in _onward(wf, wf.initial, user.role)
                 if not a.comment_required and not a.documents_required and not a.assignee_only)


def offers_hand_off(user: User, req: Request, action: str) -> bool:
    """Whether ``action``'s form offers to hand the request to an officer with it ("ส่งต่อให้"): the
    user may assign it (``ASSIGN``), the action is not a decision, and the state it leads to is
    worked by people of a role that may be given requests (``ASSIGNABLE_ROLES``), not the user's own
    (``accept`` by the intake officer: fact-finding is the case officer's)."""
    act = req.workflow.actions.get(action)
    state = _reached(req, action)
    if act is None or act.sets_outcome or state not in req.workflow.states or req.workflow.states[state].terminal:
        return False
    if ASSIGN not in allowed(user, req):
        return False
    acting = roles_of(forward_actions(req.workflow, state))
    return user.role not in acting and bool(set(acting) & ASSIGNABLE_ROLES)


@transaction.atomic
def transition(
    *,
    actor: User,
    request_id: int,
    action: str,
    expected_version: int | None,
    comment: str = "",
    fields: dict[str, Any] | None = None,
    on: date | None = None,
    then: FollowOn | None = None,
    hand_to: User | None = None,
) -> Request:
    """Take a workflow action on a request, moving its state and clock.

    ``then``: a follow-on step (``follow_ons``) taken right after, in the same transaction;
    ``hand_to``: assign the request to this officer with it (``assign``'s rules and notification;
    nothing when they hold it already). Any refusal of either writes nothing. Once committed, the
    people the final step waits for are told (``handoffs``: an intermediate step's are not), and
    the new assignee, unless that notice already reached them."""
    req = _lock(request_id, expected_version)
    first_state = req.state
    _require_write(actor, req)
    req = _step(actor, req, action, comment, fields, on)
    if then is not None:
        req = _take_follow_on(actor, req, then, on)
    assigned = _hand_to(actor, req, hand_to) if hand_to is not None else None
    _notify_after(req, actor, first_state, assigned)
    return req


def _step(actor: User, req: Request, action: str, comment: str, fields: dict[str, Any] | None,
          on: date | None) -> Request:
    """One workflow action on the locked ``req``: its checks, the state and clock, its ``Transition``
    and audit event (no notification: ``_notify_after``, once the steps are done)."""
    given = {k: v for k, v in (fields or {}).items() if v not in (None, "", [], {})}
    owner = _owner(req, action)
    if owner is not None:
        given = owner.complete(req, action, given)
    plan, fields = _plan_action(actor, req, action, comment, fields, on)
    recorded = _recorded_details(req, action, comment)
    if recorded is not None:
        req.details = recorded
    wf = req.workflow
    day = on or today()
    cal = calendar_for(req.office_id)
    before = _snapshot(req)
    from_state = req.state
    req.previous_state = from_state if plan.clock_after == "paused" else req.previous_state
    req.state = plan.to_state
    _apply_clock(req, cal, wf.states[from_state], wf.states[plan.to_state], day)
    _enter_step(req, cal, day)
    if plan.action.sets_outcome:
        req.outcome = fields["outcome"]
        req.reason_code = str(fields.get("reason_code", ""))[:40]
        req.decided_on = day
    if wf.states[req.state].terminal:
        req.closed_on = day
    req.version += 1
    req.save()
    diff = _diff(before, _snapshot(req))
    t = Transition.objects.create(
        request=req, action=action, from_state=from_state, to_state=req.state, actor=actor,
        actor_role=actor.role, at=clock.now(), on_date=day, comment=comment.strip(),
        fields={k: str(v) for k, v in fields.items()}, diff=diff, step_due_on=req.step_due_on,
    )
    Document.objects.filter(request=req, transition__isnull=True, uploaded_by=actor).update(transition=t)
    if owner is not None:
        owner.record(actor, req, action, given, comment, day, t)
    for hook in STEP_HOOKS:
        hook(t)
    record("transition", actor=actor, object_type="request", object_id=str(req.pk), reference=req.number,
           details={"action": action, "from": from_state, "to": req.state, "changed": sorted(diff)})
    return req


#: a follow-on's refusals name its own fields: the comment it was given, the choice itself
_FOLLOW_ON_FIELDS = {"comment": "then_comment"}


def _take_follow_on(actor: User, req: Request, then: FollowOn, on: date | None) -> Request:
    """The follow-on step on ``req`` (already locked, or created in this transaction). Refused
    (not a follow-on of the state reached, or the workflow refuses it): the whole transaction is,
    with a message that says neither step was saved and errors on the follow-on's own fields."""
    act = req.workflow.actions.get(then.action)
    name_th, name_en = (act.th, act.en) if act is not None else (then.action, then.action)
    try:
        if then.action not in {a.code for a in follow_ons(actor, req)}:
            raise TransitionNotAllowed(
                "ขั้นตอนนี้ทำต่อในคราวเดียวกันไม่ได้ กรุณาทำแยกเป็นอีกขั้นตอนหนึ่ง",
                "This step cannot be taken in the same go: take it on its own", "not_follow_on")
        return _step(actor, req, then.action, then.comment, None, on)
    except CaseError as exc:  # the same refusal, said of the follow-on and on its fields
        field = "then_comment" if exc.code == "comment_required" else "then"
        errors = [{**e, "field": _FOLLOW_ON_FIELDS.get(e["field"], "then")} for e in exc.errors]
        exc.errors = errors or [field_error(field, exc.th, exc.en)]
        exc.th = f"ยังไม่ได้บันทึกทั้งสองขั้นตอน: ขั้นตอนต่อไป “{name_th}” ทำไม่ได้: {exc.th}"
        exc.en = f"Neither step was saved: the next step “{name_en}” was refused: {exc.en}"
        exc.args = (f"{exc.th} ({exc.en})",)
        raise


def _hand_to(actor: User, req: Request, assignee: User) -> User | None:
    """Assign the locked ``req`` to ``assignee`` with an action (``assign``'s rules, refusals on the
    ``hand_to`` field). Returns the assignee when this changed who holds it (None: they hold it)."""
    if req.assigned_to_id == assignee.pk:
        return None
    try:
        _assign_locked(actor, req, assignee)
    except CaseError as exc:
        exc.errors = exc.errors or [field_error("hand_to", exc.th, exc.en)]
        raise
    return assignee


def _notify_after(req: Request, actor: User, first_state: str, assigned: User | None) -> None:
    """Once committed: the people the request's final step waits for (a hand-off), and a new
    assignee who was not among them."""
    handoff = req.state != first_state and bool(handoffs.next_roles(req))
    if not handoff and assigned is None:
        return

    def tell() -> None:
        told = handoffs.notify_handoff(req, actor) if handoff else []
        if assigned is not None and all(n.recipient_id != assigned.pk for n in told):
            handoffs.notify_assignment(req, assigned, actor)

    transaction.on_commit(tell, robust=True)


def _recorded_details(req: Request, action: str, comment: str) -> dict[str, Any] | None:
    """The request's details with the fields the action records (``details.recorded_by``: the
    consultation's advice is the comment of "record the advice given", typed once) set to its
    comment; None when the action records none. Too long for the field is a refusal on the comment."""
    names = details_mod.recorded_by(details_mod.SCHEMAS[req.service], action)
    text = comment.strip()
    if not names or not text:
        return None
    merged = {**req.details, **dict.fromkeys(names, text)}
    try:
        details_mod.validate(req.service, merged)
    except details_mod.DetailsError as exc:
        mine = [{**e, "field": "comment"} for e in exc.errors if e["field"] in names]
        if mine:
            raise InvalidInput(mine[0]["message_th"], mine[0]["message_en"], errors=mine) from None
    return merged


@transaction.atomic
def assign(*, actor: User, request_id: int, assignee: User, expected_version: int | None) -> Request:
    req = _lock(request_id, None)
    _require(actor, req, ASSIGN)  # a closed request is refused before its version is compared
    _require_version(req, expected_version)
    if _assign_locked(actor, req, assignee):
        transaction.on_commit(lambda: handoffs.notify_assignment(req, assignee, actor), robust=True)
    return req


def _assign_locked(actor: User, req: Request, assignee: User) -> bool:
    """Assign the locked ``req`` (``assign``'s checks and record, no notification); True when the
    assignee changed."""
    _require(actor, req, ASSIGN)
    if assignee.role not in ASSIGNABLE_ROLES or not assignee.is_active:
        raise InvalidInput("มอบหมายได้เฉพาะเจ้าหน้าที่ที่ปฏิบัติงานอยู่", "Requests can only be assigned to active officers")
    if assignee.office_id != req.office_id and actor.role != roles.OFFICE_HEAD:
        # an assignment opens the applicant's file to the assignee: across offices only the head decides
        raise NotPermitted(
            "การมอบหมายให้เจ้าหน้าที่ต่างสำนักงานต้องทำโดยหัวหน้าสำนักงาน",
            "Only the office head can assign a request to an officer of another office",
        )
    before = _snapshot(req)
    req.assigned_to = assignee
    req.version += 1
    req.save()
    Transition.objects.create(
        request=req, action="assign", from_state=req.state, to_state=req.state, actor=actor,
        actor_role=actor.role, at=clock.now(), on_date=today(), step_due_on=req.step_due_on,
        diff=_diff(before, _snapshot(req)), comment="",
    )
    record("update", actor=actor, object_type="request", object_id=str(req.pk), reference=req.number,
           details={"changed": ["assigned_to"]})
    return before["assigned_to_id"] != assignee.pk


#: a correction names what it corrects
NOTHING_TO_CORRECT = ("ต้องส่ง applicant หรือ details อย่างน้อยหนึ่งส่วน", "Send applicant or details (or both)")
#: a correction cannot change whose request it is
NOT_A_CORRECTION = (
    "เลขประจำตัวประชาชนต้องเป็นเลขเดิมของผู้ขอ (หรือไม่ต้องส่งมา) การเปลี่ยนเลขไม่ใช่การแก้ไขข้อมูล "
    "แต่เป็นการย้ายคำขอไปเป็นของบุคคลอื่น",
    "national_id must be the applicant's current ID (or be left out): changing the ID is not a correction, "
    "it would move the request to another person",
)


@transaction.atomic
def update_details(
    *, actor: User, request_id: int, expected_version: int | None,
    applicant: ApplicantInput | None = None, details: dict[str, Any] | None = None,
    expected_applicant_version: int | None = None,
) -> Request:
    """Correct the applicant's or the service's details (at least one), with optimistic locking.

    The applicant's record is shared by all their requests (any office), so a correction of it
    also names the record's version it read (``expected_applicant_version``): a change made in
    the meantime through another request is a conflict, not silently undone.

    A correction cannot change whose request it is: the applicant's national ID must be the one on
    file (as typed: dashes and spaces are ignored); another ID is refused, whoever calls. A national
    ID among the details (the bail detainee's) is only ever shown masked, so one left out or sent
    back masked as shown keeps the ID on file (``details.keep_personal_ids``, under the lock).
    A closed request is refused with ``RequestClosed`` before its version is compared. When the
    applicant's record or a national ID among the details changed, the request hooks run once the
    correction is committed (the data exchange checks the registries again).
    """
    if applicant is None and details is None:
        raise InvalidInput(*NOTHING_TO_CORRECT, errors=[field_error(part, *NOTHING_TO_CORRECT)
                                                        for part in ("applicant", "details")])
    req = _lock(request_id, None)
    _require(actor, req, EDIT)  # RequestClosed for a closed request, NotPermitted for a role that may not
    _require_version(req, expected_version)
    diff: dict[str, list[Any]] = {}
    refuse_nul({**(vars(applicant) if applicant is not None else {}), "details": details})
    subject_changed = False
    if applicant is not None:
        on_file = req.applicant.national_id
        if thai_id.normalize(str(applicant.national_id or "")) != on_file:
            raise InvalidInput(*NOT_A_CORRECTION, errors=[field_error("national_id", *NOT_A_CORRECTION)])
        values = validate_applicant(replace(applicant, national_id=on_file), on=req.received_on, on_file_id=on_file)
        req.applicant = Person.objects.select_for_update().get(pk=req.applicant_id)
        if expected_applicant_version is not None and req.applicant.version != expected_applicant_version:
            raise ApplicantChanged(
                "ข้อมูลผู้ขอถูกแก้ไขผ่านคำขออื่นหลังจากท่านเปิดแบบฟอร์ม กรุณาตรวจสอบข้อมูลปัจจุบันแล้วบันทึกอีกครั้ง "
                "(ข้อมูลที่ท่านกรอกยังอยู่)",
                "The applicant's record was changed through another request after you opened the form. "
                "Check the current record, then save again (what you typed is kept).",
            )
        previous = _revise_person(req.applicant, values)
        diff.update({f"applicant.{k}": ["…", "…"] for k in previous})  # personal data: name the field only
        _keep_revision(req.applicant, previous, actor=actor, req=req, reason="correction")
        subject_changed = bool(previous)
    if details is not None:
        # what an action recorded (the advice given) is not asked by the correction form: left out, it stays
        kept = {k: req.details[k] for k in details_mod.recorded_by(details_mod.SCHEMAS[req.service])
                if k in req.details and k not in details}
        clean, amount = _validate_details(
            req.service, details_mod.keep_personal_ids({**kept, **details}, req.details, empty_keeps=False))
        for k in set(clean) | set(req.details):
            if clean.get(k) != req.details.get(k):
                # a national ID in the details (the detainee's) is personal data: name the field only
                diff[f"details.{k}"] = ["…", "…"] if k in details_mod.PERSONAL_IDS else [req.details.get(k), clean.get(k)]
                subject_changed = subject_changed or k in details_mod.PERSONAL_IDS
        req.details = clean
        req.amount_requested = amount
    if not diff:
        return req
    req.version += 1
    req.save()
    Transition.objects.create(
        request=req, action="update", from_state=req.state, to_state=req.state, actor=actor,
        actor_role=actor.role, at=clock.now(), on_date=today(), diff=diff,
        step_due_on=req.step_due_on,
    )
    record("update", actor=actor, object_type="request", object_id=str(req.pk), reference=req.number,
           details={"changed": sorted(diff)})
    if subject_changed:
        _after_commit(req, actor, SUBJECT_CHANGED)
    return req


def sniff_content_type(head: bytes) -> str | None:
    kind = filetype.guess(head)
    return kind.mime if kind else None


def _size_label(n: int, lang: str) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):g} MB"
    if n >= 1024:
        return f"{n / 1024:g} KB"
    return f"{n} ไบต์" if lang == "th" else f"{n} bytes"


def add_document(*, actor: User, request_id: int, doc_type: str, name: str, chunks: Any, size: int) -> Document:
    """Store an upload: its real type sniffed from its content (not its name), the file rebuilt
    without active content or metadata (``document_safety.clean``) and scanned for malware
    (``clamd.scan``) before anything is written. A file the scanner found infected or could not
    scan is kept as it was received in the quarantine folder, recorded and audited, never served.

    The cleaning and the scan run before the request row is locked (a scan may take seconds).
    """
    req = Request.objects.get(pk=request_id)
    _require(actor, req, UPLOAD)
    refuse_nul({"file": name})
    if doc_type not in req.workflow.documents:
        raise DocumentRejected("ประเภทเอกสารไม่ถูกต้อง", f"Unknown document type {doc_type!r}")
    limit = settings.DOCUMENT_MAX_BYTES
    too_big = DocumentRejected(f"ไฟล์ใหญ่เกิน {_size_label(limit, 'th')}", f"File is larger than {_size_label(limit, 'en')}")
    if size > limit:
        raise too_big
    data = b"".join(chunks)
    if len(data) > limit:
        raise too_big
    if not data:
        raise DocumentRejected("ไฟล์ว่างเปล่า", "The file is empty")
    mime = sniff_content_type(data[:8192])
    if mime not in ALLOWED_DOCUMENT_TYPES:
        raise DocumentRejected(
            "รับเฉพาะไฟล์ PDF, JPEG หรือ PNG (ตรวจจากเนื้อไฟล์ ไม่ใช่ชื่อไฟล์)",
            "Only PDF, JPEG or PNG files are accepted (checked from the content, not the name)",
        )
    ext = PurePosixPath(name or "").suffix.lower()
    if ext and ext not in DOCUMENT_EXTENSIONS[mime]:
        kind = ALLOWED_DOCUMENT_TYPES[mime].upper()
        raise DocumentRejected(
            f"เนื้อไฟล์เป็น {kind} แต่ชื่อไฟล์ลงท้ายด้วย {ext} กรุณาตรวจสอบไฟล์",
            f"The file's content is {kind} but its name ends in {ext}; please check the file",
        )
    cleaned = document_safety.clean(data, mime)
    verdict = clamd.scan(data)
    return _store_document(actor=actor, request_id=request_id, doc_type=doc_type, name=name, mime=mime,
                           original=data, cleaned=cleaned, verdict=verdict)


@dataclass
class Upload:
    """One file of a multi-file upload (``add_documents``)."""

    doc_type: str
    name: str
    chunks: Any
    size: int


@dataclass
class UploadResult:
    """What happened to one file: stored (``document``, perhaps quarantined) or refused (``error``)."""

    upload: Upload
    document: Document | None = None
    error: DocumentRejected | InvalidInput | None = None


def add_documents(*, actor: User, request_id: int, uploads: list[Upload]) -> list[UploadResult]:
    """Several files posted at once, each through ``add_document`` (size limit, sniffing, cleaning,
    scan, quarantine), each stored or refused on its own: a bad file does not lose the good ones.
    Whether the actor may upload to the request at all is asked first and refuses the whole post."""
    req = Request.objects.get(pk=request_id)
    _require(actor, req, UPLOAD)
    results = []
    for up in uploads:
        try:
            doc = add_document(actor=actor, request_id=request_id, doc_type=up.doc_type, name=up.name,
                               chunks=up.chunks, size=up.size)
        except (NotPermitted, RequestClosed):
            raise  # changed under us (closed, or the permission taken): nothing more is stored
        except (DocumentRejected, InvalidInput) as exc:
            results.append(UploadResult(up, error=exc))
        else:
            results.append(UploadResult(up, document=doc))
    return results


@transaction.atomic
def _store_document(*, actor: User, request_id: int, doc_type: str, name: str, mime: str, original: bytes,
                    cleaned: document_safety.Cleaned, verdict: clamd.Verdict) -> Document:
    req = Request.objects.select_for_update().get(pk=request_id)
    _require(actor, req, UPLOAD)  # again, under the lock
    quarantined = verdict.status == SCAN_QUARANTINED
    data = original if quarantined else cleaned.data
    root = settings.DOCUMENT_QUARANTINE_ROOT if quarantined else settings.DOCUMENT_ROOT
    storage_name = f"{clock.now():%Y/%m}/{uuid.uuid4().hex}.{ALLOWED_DOCUMENT_TYPES[mime]}"
    path = root / storage_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    doc = Document.objects.create(
        request=req, doc_type=doc_type, original_name=name[:255], content_type=mime, size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), original_sha256=hashlib.sha256(original).hexdigest(),
        cleaned=not quarantined, sanitised=cleaned.removed, scan_status=verdict.status, scan_reason=verdict.reason,
        storage_name=storage_name, uploaded_by=actor,
    )
    if doc_type != "other" and not quarantined:  # a quarantined file replaces nothing
        req.documents.filter(doc_type=doc_type, superseded_by__isnull=True).exclude(pk=doc.pk).update(
            superseded_by=doc
        )
    record("document_upload", actor=actor, object_type="document", object_id=str(doc.pk),
           reference=req.number, details={
               "doc_type": doc_type, "content_type": mime, "size": len(data), "sanitised": cleaned.removed,
               "scan_status": verdict.status, **({"scan_reason": verdict.reason} if verdict.reason else {}),
           })
    return doc


def audit_view(actor: User, req: Request, what: str = "request") -> None:
    """Record that someone saw a person's personal data (PDPA)."""
    record("view_personal_data", actor=actor, object_type=what, object_id=str(req.pk),
           reference=req.number, purpose="case handling")


def audit_views(actor: User, reqs: list[Request], what: str) -> None:
    """Record that someone saw a list of requests: one event naming every row shown (ids and
    numbers in ``details``; the auditor's search by request number finds it), and the number
    itself in ``reference`` when the list shows one request. An empty list records nothing."""
    if not reqs:
        return
    record("view_personal_data", actor=actor, object_type=what, reference=reqs[0].number if len(reqs) == 1 else "",
           purpose="case handling", details={"ids": [r.pk for r in reqs], "references": [r.number for r in reqs]})


def audit_export(actor: User, report: str, filters: dict[str, Any]) -> None:
    """Record that someone exported a report (``jfs.cases.reports``) as a file: which report, with
    which filters and how many rows. Aggregate figures, no personal data; still, what leaves the
    system is on record."""
    record("report_export", actor=actor, object_type="report", object_id=report, details=filters)
