"""Controls match the role and the state (issue 9 item 4): for every role and a request that is open,
in follow-up or closed, the case page offers only what the person may do, and the services, the
page's forged posts and the API refuse the rest (403, 404 or, for a closed request, 422; never 500).

The expectations are written out here, not read from ``services.WHO_MAY``: a change to the table
that gives a subcommittee member the edit button fails this test.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jfs.cases import services
from jfs.cases.errors import NotPermitted, RequestClosed
from jfs.cases.models import Document, Request
from jfs.exchange import services as exchange_services
from tests.conftest import DETAILS, SAMPLE_FILES, applicant_input

pytestmark = pytest.mark.django_db

EDIT, ASSIGN, UPLOAD, ASK = services.EDIT, services.ASSIGN, services.UPLOAD, services.ASK_REGISTRIES
ALL = frozenset({EDIT, ASSIGN, UPLOAD, ASK})
NONE: frozenset[str] = frozenset()
STATES = ("open", "follow_up", "closed")

#: what each Chiang Mai request's reader may do, by the request's state (the written-out table)
EXPECTED: dict[str, dict[str, frozenset[str]]] = {
    "intake.cm": {"open": ALL, "follow_up": ALL, "closed": NONE},
    "officer.cm": {"open": ALL, "follow_up": ALL, "closed": NONE},
    "head.cm": {"open": ALL, "follow_up": ALL, "closed": NONE},
    "secretary.cm": {"open": NONE, "follow_up": NONE, "closed": NONE},
    "member.cm": {"open": NONE, "follow_up": NONE, "closed": NONE},
    "finance.cm": {"open": NONE, "follow_up": frozenset({UPLOAD}), "closed": NONE},
    "executive": {"open": NONE, "follow_up": NONE, "closed": NONE},
    "auditor": {"open": NONE, "follow_up": NONE, "closed": NONE},
    "steward": {"open": NONE, "follow_up": NONE, "closed": NONE},
    "admin": {"open": NONE, "follow_up": NONE, "closed": NONE},
    "officer.kk": {"open": NONE, "follow_up": NONE, "closed": NONE},  # another office's request
}
#: people whose role may do a thing while the request is open: on a closed one they are told it is closed
CLOSED_SAYS_CLOSED = {"intake.cm", "officer.cm", "head.cm"}


def _request_in(state: str, make_request: Any, act: Any, attach: Any) -> Request:
    req = make_request(service="BAIL")
    if state == "closed":
        return act(req, "intake.cm", "withdraw", comment="ผู้ขอแจ้งถอนคำขอ")
    if state == "follow_up":
        act(req, "intake.cm", "start_screening")
        attach(req, "intake.cm", "@required")
        for who, action, fields in (
            ("intake.cm", "accept", {}), ("officer.cm", "complete_fact_finding", {}),
            ("officer.cm", "submit_opinion", {}),
            ("secretary.cm", "record_subcommittee_decision", {"outcome": "approved", "reason_code": "A03"}),
            ("intake.cm", "notify_applicant", {}), ("finance.cm", "start_follow_up", {}),
        ):
            req = act(req, who, action, **fields)
        assert req.state == "follow_up"
    return req


@pytest.fixture(params=STATES)
def state_req(request: Any, make_request: Any, act: Any, attach: Any) -> tuple[str, Request]:
    return request.param, _request_in(request.param, make_request, act, attach)


def _fresh(req: Request) -> Request:
    return Request.objects.select_related("office", "applicant").get(pk=req.pk)


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_allowed_is_the_written_table(username: str, users: Any, state_req: tuple[str, Request]) -> None:
    state, req = state_req
    got = services.allowed(users[username], _fresh(req)) & ALL
    assert got == EXPECTED[username][state], (username, state)


def _try(cap: str, user: Any, req: Request, users: Any) -> Any:
    req = _fresh(req)
    if cap == EDIT:
        return services.update_details(actor=user, request_id=req.pk, expected_version=req.version,
                                       applicant=applicant_input("50", national_id=req.applicant.national_id,
                                                                 phone="0899999999"),
                                       expected_applicant_version=req.applicant.version)
    if cap == ASSIGN:
        return services.assign(actor=user, request_id=req.pk, assignee=users["officer2.cm"],
                               expected_version=req.version)
    if cap == UPLOAD:
        data = SAMPLE_FILES["pdf"]
        return services.add_document(actor=user, request_id=req.pk, doc_type="other", name="x.pdf",
                                     chunks=[data], size=len(data))
    return exchange_services.ask_again(actor=user, request=req)


@pytest.mark.parametrize("cap", sorted(ALL))
@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_the_services_refuse_what_the_table_does_not_allow(
    username: str, cap: str, users: Any, state_req: tuple[str, Request]
) -> None:
    state, req = state_req
    if cap in EXPECTED[username][state]:
        _try(cap, users[username], req, users)  # allowed: done without an error
        return
    before = (_fresh(req).version, Document.objects.filter(request=req).count())
    expected_error = RequestClosed if state == "closed" and username in CLOSED_SAYS_CLOSED and cap != ASK else NotPermitted
    with pytest.raises(expected_error):
        _try(cap, users[username], req, users)
    assert (_fresh(req).version, Document.objects.filter(request=req).count()) == before


#: what each control looks like on the case page
def _controls(html: str, req: Request) -> frozenset[str]:
    found = {
        EDIT: f'href="{reverse("staff:edit_request", args=[req.pk])}"',
        ASSIGN: f'action="{reverse("staff:assign", args=[req.pk])}"',
        UPLOAD: f'action="{reverse("staff:upload", args=[req.pk])}"',
        ASK: f'action="{reverse("staff:registry_checks", args=[req.pk])}"',
    }
    return frozenset(cap for cap, marker in found.items() if marker in html)


PAGE_USERS = sorted(set(EXPECTED) - {"admin"})  # the administrator has no staff workspace


@pytest.mark.parametrize("username", PAGE_USERS)
def test_the_case_page_offers_only_what_the_person_may_do(
    username: str, login: Any, state_req: tuple[str, Request]
) -> None:
    state, req = state_req
    resp = login(username).get(reverse("staff:case", args=[req.pk]))
    if username == "officer.kk":
        assert resp.status_code == 404  # another office's request does not exist for them
        return
    assert resp.status_code == 200
    assert _controls(resp.content.decode(), req) == EXPECTED[username][state], (username, state)


@pytest.mark.parametrize("username", ["member.cm", "secretary.cm", "executive", "auditor", "finance.cm", "intake.cm"])
def test_a_forged_post_from_the_page_is_refused(
    username: str, login: Any, users: Any, state_req: tuple[str, Request]
) -> None:
    state, req = state_req
    client = login(username)
    allowed = EXPECTED[username][state]
    before = _fresh(req)
    posts = {
        ASSIGN: (reverse("staff:assign", args=[req.pk]), {"assignee": users["officer2.cm"].pk, "version": before.version}),
        UPLOAD: (reverse("staff:upload", args=[req.pk]), {"doc_type": "other", "file": _upload()}),
        ASK: (reverse("staff:registry_checks", args=[req.pk]), {}),
    }
    for cap, (url, data) in posts.items():
        if cap in allowed:
            continue
        resp = client.post(url, data)
        assert resp.status_code in (303, 403), (cap, resp.status_code)
        if resp.status_code == 303:  # back to the case, which says why
            assert resp["Location"] == reverse("staff:case", args=[req.pk])
            page = client.get(resp["Location"])
            assert any(("ไม่มีสิทธิ์" in str(m) or "ปิดแล้ว" in str(m)) for m in page.context["messages"]), cap
    edit = client.get(reverse("staff:edit_request", args=[req.pk]))
    if EDIT not in allowed:
        assert edit.status_code in (302, 403)  # a closed request: back to the case; a role that may not: 403
        if state != "closed" or username not in CLOSED_SAYS_CLOSED:
            assert edit.status_code == 403
    after = _fresh(req)
    assert (after.version, after.assigned_to_id) == (before.version, before.assigned_to_id)
    assert Document.objects.filter(request=req).count() == Document.objects.filter(request=req, pk__lte=_last_doc(req)).count()


def _last_doc(req: Request) -> int:
    last = Document.objects.filter(request=req).order_by("-pk").first()
    return last.pk if last else 0


def _upload() -> Any:
    return SimpleUploadedFile("receipt.pdf", SAMPLE_FILES["pdf"], content_type="application/pdf")


def test_a_member_s_forged_correction_of_the_phone_number_is_refused(login: Any, make_request: Any) -> None:
    """What was seen: a subcommittee member could edit an applicant's phone number and save it."""
    req = make_request()
    phone = req.applicant.phone
    resp = login("member.cm").post(reverse("staff:edit_request", args=[req.pk]), {
        "version": req.version, "applicant_version": req.applicant.version, "a-phone": "0899999999",
    })
    assert resp.status_code == 403
    assert _fresh(req).applicant.phone == phone and _fresh(req).version == req.version


@pytest.mark.parametrize("username", ["member.cm", "secretary.cm", "executive", "auditor", "steward", "officer.kk",
                                      "finance.cm", "intake.cm"])
def test_the_api_refuses_what_the_table_does_not_allow(
    username: str, api_client: Any, state_req: tuple[str, Request]
) -> None:
    state, req = state_req
    try:
        client = api_client(username)
    except Exception:  # a read-only role is given no write token at all
        return
    allowed = EXPECTED[username][state]
    fresh = _fresh(req)
    patch = client.patch(f"/api/v1/requests/{req.pk}", {"version": fresh.version, "details": fresh.details},
                         content_type="application/json")
    upload = client.post(f"/api/v1/requests/{req.pk}/documents", {"doc_type": "other", "file": _upload()})
    for cap, resp in ((EDIT, patch), (UPLOAD, upload)):
        if cap in allowed:
            assert resp.status_code in (200, 201), (cap, resp.status_code, resp.content[:300])
        else:
            assert resp.status_code in (401, 403, 404, 422), (cap, resp.status_code, resp.content[:300])
            if resp.status_code == 422:  # a closed request, said in words
                assert state == "closed" and "closed" in resp.json()["message_en"]


def test_the_assign_list_preselects_the_assignee_else_the_signed_in_officer(
    login: Any, make_request: Any, users: Any
) -> None:
    req = make_request()  # nobody assigned yet
    html = login("officer.cm").get(reverse("staff:case", args=[req.pk])).content.decode()
    assert f'<option value="{users["officer.cm"].pk}" selected>' in html
    html = login("head.cm").get(reverse("staff:case", args=[req.pk])).content.decode()
    assert '<option value="" selected>' in html  # the head cannot be assigned: they choose
    services.assign(actor=users["head.cm"], request_id=req.pk, assignee=users["officer2.cm"],
                    expected_version=req.version)
    html = login("officer.cm").get(reverse("staff:case", args=[req.pk])).content.decode()
    assert f'<option value="{users["officer2.cm"].pk}" selected>' in html
    assert f'<option value="{users["officer.cm"].pk}" selected>' not in html


def test_a_new_request_is_registered_by_the_intake_officer_not_by_a_member(users: Any, offices: Any) -> None:
    """The registration rule (``may_register``) agrees with the table: no member registers a request."""
    with pytest.raises(NotPermitted):
        services.create_request(actor=users["member.cm"], service="LIT", office=offices["50"],
                                applicant=applicant_input("50"), details=DETAILS["LIT"])


@pytest.mark.parametrize("username,offered", [
    ("intake.cm", True), ("officer.cm", True), ("head.cm", True), ("member.cm", False), ("secretary.cm", False),
    ("finance.cm", False), ("executive", False), ("auditor", False),
])
def test_the_queue_offers_registration_only_to_those_who_register(username: str, offered: bool, login: Any) -> None:
    client = login(username)
    html = client.get(reverse("staff:queue")).content.decode()
    assert (f'href="{reverse("staff:new_request")}?service=LIT"' in html) == offered
    assert client.get(reverse("staff:new_request") + "?service=LIT").status_code == (200 if offered else 403)
