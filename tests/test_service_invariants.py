"""The case services enforce their own rules, whoever calls them, and start their side effects
once the transaction commits (issue 8, item 2).

Each rule here used to be enforced by a caller only (the staff pages or the API) or not at all:
these tests call the services directly, as a management command or a background task would, and
each fails on the code before the rule moved into the service. The last tests check the other
half: the pages and the API neither query nor write models themselves.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from jfs.accounts.models import Office, User
from jfs.audit.models import AuditEvent
from jfs.cases import selectors, services
from jfs.cases.errors import Conflict, InvalidInput, NotPermitted, RequestClosed
from jfs.cases.models import Person, Request, Transition
from jfs.exchange import models as xm
from jfs.exchange import services as exchange_services
from jfs.exchange.services import KINDS_BY_SERVICE, run_request_checks
from jfslib import thai_id
from tests.conftest import DETAILS, applicant_input, new_national_id

pytestmark = pytest.mark.django_db


def correction(req: Request, **overrides: Any) -> services.ApplicantInput:
    """The request's applicant as on file, with some fields changed."""
    p = Person.objects.get(pk=req.applicant_id)
    values = {f: getattr(p, f) for f in services.PERSON_FIELDS}
    values.update(overrides)
    return services.ApplicantInput(**values)


def queued_for(req: Request) -> int:
    """How many times the worker was asked to check this request with the registries."""
    return sum(1 for row in DBTaskResult.objects.filter(task_path=run_request_checks.module_path)
               if row.args_kwargs["args"][0] == req.pk)


# --------------------------------------------------------------------------- update_details


def test_a_correction_cannot_change_the_national_id_whoever_calls(make_request: Any, users: Any) -> None:
    """Only the API and the correction form refused another ID; the service overwrote the person's."""
    req = make_request()
    on_file = req.applicant.national_id
    for other in (new_national_id(), "1234567890123", ""):
        with pytest.raises(InvalidInput) as caught:
            services.update_details(actor=users["officer.cm"], request_id=req.pk, expected_version=req.version,
                                    applicant=correction(req, national_id=other, first_name="สมศักดิ์"),
                                    expected_applicant_version=req.applicant.version)
        [error] = caught.value.errors
        assert error["field"] == "national_id"
        assert "ไม่ใช่การแก้ไขข้อมูล" in error["message_th"] and "not a correction" in error["message_en"]
    person = Person.objects.get(pk=req.applicant_id)
    assert person.national_id == on_file and person.first_name == "สมปอง"
    assert not Transition.objects.filter(request=req, action="update").exists()


def test_a_correction_takes_the_id_on_file_as_people_type_it(make_request: Any, users: Any) -> None:
    req = make_request()
    typed = thai_id.format_id(req.applicant.national_id)  # 1-2345-67890-12-3
    assert typed != req.applicant.national_id
    fixed = services.update_details(actor=users["officer.cm"], request_id=req.pk, expected_version=req.version,
                                    applicant=correction(req, national_id=typed, first_name="สมศักดิ์"),
                                    expected_applicant_version=req.applicant.version)
    assert fixed.applicant.first_name == "สมศักดิ์" and fixed.applicant.national_id == req.applicant.national_id


def test_a_correction_names_what_it_corrects(make_request: Any, users: Any) -> None:
    """The API refused an empty correction; the service answered it with nothing done."""
    req = make_request()
    with pytest.raises(InvalidInput) as caught:
        services.update_details(actor=users["officer.cm"], request_id=req.pk, expected_version=req.version)
    assert {e["field"] for e in caught.value.errors} == {"applicant", "details"}


def test_a_closed_request_is_refused_before_its_version_is_compared(make_request: Any, users: Any, act: Any) -> None:
    """The correction page decided "closed" itself (409) before calling the service; the service now
    says so with its own error, also to a caller that read the request before it was closed."""
    req = make_request()
    read = req.version
    act(req, "officer.cm", "withdraw", comment="ผู้ขอถอนคำขอ")
    with pytest.raises(RequestClosed):
        services.update_details(actor=users["officer.cm"], request_id=req.pk, expected_version=read,
                                details=dict(DETAILS["LIT"], court="ศาลแพ่ง"))
    open_req = make_request()
    with pytest.raises(Conflict):  # an open request at a stale version is still a conflict
        services.update_details(actor=users["officer.cm"], request_id=open_req.pk, expected_version=read + 5,
                                details=dict(DETAILS["LIT"], court="ศาลแพ่ง"))


def test_a_detainee_id_left_out_or_sent_back_masked_is_kept(make_request: Any, users: Any) -> None:
    """The API and the page each merged the ID on file back before calling the service (from the
    request they had read, outside the lock); the service now does it, under the lock."""
    full = new_national_id()
    req = make_request(service="BAIL", details=dict(DETAILS["BAIL"], detainee_national_id=full))
    shown = dict(req.details, detainee_national_id=thai_id.mask(full))
    req = services.update_details(actor=users["officer.cm"], request_id=req.pk, expected_version=req.version,
                                  details=dict(shown, held_at="เรือนจำอำเภอฝาง"))
    assert req.details["detainee_national_id"] == full and req.details["held_at"] == "เรือนจำอำเภอฝาง"
    left_out = {k: v for k, v in shown.items() if k != "detainee_national_id"}
    req = services.update_details(actor=users["officer.cm"], request_id=req.pk, expected_version=req.version,
                                  details=dict(left_out, held_at="เรือนจำกลางเชียงใหม่"))
    assert req.details["detainee_national_id"] == full
    other = new_national_id()
    req = services.update_details(actor=users["officer.cm"], request_id=req.pk, expected_version=req.version,
                                  details=dict(shown, detainee_national_id=other))
    assert req.details["detainee_national_id"] == other


# --------------------------------------------------------------------------- create_request


def test_registration_takes_an_office_code_and_names_the_office_field(make_request: Any, users: Any) -> None:
    """The page and the API looked the office up themselves, each with its own error."""
    actor = users["intake.central"]
    args = {"actor": actor, "service": "LIT", "applicant": applicant_input(), "details": DETAILS["LIT"]}
    for code, en in (("", "Please choose the office"), ("99", "No office has the code '99'")):
        with pytest.raises(InvalidInput) as caught:
            services.create_request(office=code, **args)
        [error] = caught.value.errors
        assert error["field"] == "office" and error["message_en"] == en
    req = services.create_request(office="40", **args)
    assert req.office.code == "40"


def test_who_may_register_for_which_office_has_one_definition(users: dict[str, User], offices: Any) -> None:
    """The new-request page wrote its own rule (read-only roles, the offices offered) beside the
    service's: the offices it offers are exactly those the service accepts, for every demo user."""
    sample = [offices["00"], offices["50"], offices["40"]]
    for user in users.values():
        offered = {o.code for o in selectors.registration_offices(user)}
        for office in sample:
            try:
                # a citizen files online (the portal); staff at the counter
                channel = "online" if user.role == "citizen" else "counter"
                services.create_request(actor=user, service="CONSULT", office=office.code, channel=channel,
                                        applicant=applicant_input(), details=DETAILS["CONSULT"])
            except NotPermitted:
                accepted = False
            else:
                accepted = True
            assert accepted == (office.code in offered) == services.may_register(user, office), (user.username, office.code)
        assert bool(offered) == services.may_register(user), user.username
    assert len(selectors.registration_offices(users["intake.central"])) == Office.objects.count()
    assert [o.code for o in selectors.registration_offices(users["intake.cm"])] == ["50"]
    assert selectors.registration_offices(users["executive"]) == []


def test_registration_queues_the_registry_checks_once_committed(
    make_request: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The page and the API each called queue_checks after create_request; a management command or
    any other caller did not. Now the service does, after the commit, through the exchange's hook."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        req = make_request()
    assert len(callbacks) == 1
    assert not xm.RegistryCheck.objects.filter(request=req).exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    checks = xm.RegistryCheck.objects.filter(request=req)
    assert sorted(c.kind for c in checks) == sorted(KINDS_BY_SERVICE["LIT"])
    assert {c.status for c in checks} == {xm.STATUS_PENDING}
    assert {c.requested_by.username for c in checks if c.requested_by} == {"intake.cm"}
    assert queued_for(req) == 1


def test_a_registration_that_rolls_back_queues_nothing(make_request: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            make_request()
            raise RuntimeError("the caller's transaction fails after the registration")
    assert callbacks == []
    assert not xm.RegistryCheck.objects.exists() and not Request.objects.exists()


def test_a_correction_of_whom_the_request_concerns_checks_again(
    make_request: Any, users: Any, django_capture_on_commit_callbacks: Any
) -> None:
    req = make_request(service="BAIL", details=dict(DETAILS["BAIL"], detainee_national_id=new_national_id()))
    officer = users["officer.cm"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # not whom it concerns: no checks
        req = services.update_details(actor=officer, request_id=req.pk, expected_version=req.version,
                                      details=dict(req.details, held_at="เรือนจำอำเภอฝาง"))
    assert callbacks == [] and queued_for(req) == 0
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # the applicant's record
        req = services.update_details(actor=officer, request_id=req.pk, expected_version=req.version,
                                      applicant=correction(req, house_no="99 หมู่ 1"),
                                      expected_applicant_version=req.applicant.version)
    assert len(callbacks) == 1 and queued_for(req) == 1
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # the detainee's ID
        req = services.update_details(actor=officer, request_id=req.pk, expected_version=req.version,
                                      details=dict(req.details, detainee_national_id=new_national_id()))
    assert len(callbacks) == 1 and queued_for(req) == 2


def test_a_failing_hook_does_not_undo_or_refuse_the_write(
    make_request: Any, django_capture_on_commit_callbacks: Any, caplog: Any
) -> None:
    def broken(req: Request, actor: User, event: str) -> None:
        raise RuntimeError("registry queue unavailable")

    services.register_request_hook(broken)
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            req = make_request()
    finally:
        services.REQUEST_HOOKS.remove(broken)
    assert len(callbacks) == 2 and Request.objects.filter(pk=req.pk).exists()
    assert "registry queue unavailable" in caplog.text
    assert queued_for(req) == 1  # the other hook still ran


def test_the_page_and_the_api_leave_the_checks_to_the_service(
    login: Any, api_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The page and the API no longer queue the checks themselves, during the request: the service's
    hook queues them once, when the registration is committed."""
    applicant = {k: (str(v) if k == "birth_date" else float(v) if k == "monthly_income" else v)
                 for k, v in vars(applicant_input()).items()}
    with django_capture_on_commit_callbacks() as callbacks:
        resp = api_client("intake.cm").post("/api/v1/requests", {
            "service": "LIT", "office": "50", "applicant": applicant, "details": DETAILS["LIT"],
        }, content_type="application/json")
    assert resp.status_code == 201, resp.json()
    from_api = Request.objects.get(pk=resp.json()["id"])
    with django_capture_on_commit_callbacks() as more:
        resp = login("intake.cm").post(reverse("staff:new_request"), {
            "service": "CONSULT", "office": "50", "a-national_id": new_national_id(), "a-first_name": "บุญเรือน",
            "a-last_name": "พิมพ์ไว้", "a-birth_date": "15/08/2530", "a-sex": "F", "a-province_code": "50",
            "a-district_code": "5001", "a-subdistrict_code": "500101", "a-monthly_income": "4500",
            "a-household_size": "3", "d-topic": "มรดก", "d-channel": "counter",
        })
    assert resp.status_code == 302, resp.content.decode()[:500]
    from_page = Request.objects.exclude(pk=from_api.pk).get()
    assert queued_for(from_api) == queued_for(from_page) == 0  # nothing while the request was handled
    assert not xm.RegistryCheck.objects.exists()
    for callback in [*callbacks, *more]:
        callback()
    assert queued_for(from_api) == queued_for(from_page) == 1
    assert sorted(xm.RegistryCheck.objects.filter(request=from_page).values_list("kind", flat=True)) == sorted(
        KINDS_BY_SERVICE["CONSULT"])


def test_asking_the_registries_again_is_for_those_who_may_change_the_request(make_request: Any, users: Any) -> None:
    """The case page's button checked the permission; the exchange's service now does."""
    req = make_request()
    with pytest.raises(NotPermitted):
        exchange_services.ask_again(actor=users["executive"], request=req)
    assert not xm.RegistryCheck.objects.filter(request=req).exists()
    assert len(exchange_services.ask_again(actor=users["officer.cm"], request=req)) == len(KINDS_BY_SERVICE["LIT"])


def test_the_officers_offered_for_assignment_are_those_the_service_accepts(make_request: Any, users: Any) -> None:
    """The case page listed assignable roles of its own beside the service's."""
    req = make_request()
    offered = set(selectors.assignable_officers(req))
    assert offered and all(u.role in services.ASSIGNABLE_ROLES for u in offered)
    for user in User.objects.filter(office_id=req.office_id, is_active=True):
        fresh = Request.objects.get(pk=req.pk)
        try:
            services.assign(actor=users["head.cm"], request_id=req.pk, assignee=user, expected_version=fresh.version)
        except InvalidInput:
            assert user not in offered, user.username
        else:
            assert user in offered, user.username


def test_an_export_of_figures_is_audited(users: Any) -> None:
    services.audit_export(users["executive"], "dashboard", {"fiscal_year": 2565, "office": "", "rows": 5})
    event = AuditEvent.objects.get(action="report_export")
    assert event.actor_username == "executive" and event.object_type == "report" and event.object_id == "dashboard"


# --------------------------------------------------------------------------- the callers only translate

ROOT = Path(__file__).resolve().parent.parent
#: a model query or write (``Model.objects``, a save or delete, a related manager's query)
DIRECT_MODEL_ACCESS = re.compile(
    r"\.objects\b|\.save\(|\.delete\(|\.refresh_from_db\(|\.bulk_create\(|"
    r"\.(transitions|documents|registry_checks|revisions|requests)\.(all|filter|exclude|select_related|"
    r"prefetch_related|values_list|order_by|count|create|update)\("
)


#: the workspace's own model (saved views) has its service and selector in the staff app
OWN_MODEL_ACCESS = {ROOT / "jfs" / "staff" / "saved_views.py"}


def test_pages_and_api_read_through_selectors_and_write_through_services() -> None:
    found = []
    pages = [ROOT / "jfs" / app for app in ("staff", "api", "portal")]
    for path in [p for folder in pages for p in sorted(folder.rglob("*.py"))]:
        if path in OWN_MODEL_ACCESS:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if DIRECT_MODEL_ACCESS.search(line):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not found, "\n".join(found)
