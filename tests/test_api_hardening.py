"""Review findings on the API and the audit search: input bounded by the database's columns
(a 422 in both languages, never PostgreSQL's "value too long" 500), bounded paging, NUL and
odd input on the auditor's search, the bail detainee's national ID checked and masked, and
audited API reads of the history and the documents."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jfs.api.api import ApplicantIn, RequestFilter, RequestIn, TransitionIn
from jfs.audit.models import AuditEvent
from jfs.cases import details as details_mod
from jfs.cases.models import Person, Request
from jfslib import thai_id
from tests.conftest import DETAILS, new_national_id

pytestmark = pytest.mark.django_db

DETAINEE_ID = "1101700203450"  # valid check digit


def post_json(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def body(applicant: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "service": "BAIL", "office": "50", "channel": "api",
        "applicant": {
            "national_id": new_national_id("1"), "title": "นาย", "first_name": "ประกัน", "last_name": "ตัวได้",
            "birth_date": "1990-01-31", "sex": "M", "province_code": "50", "district_code": "5001",
            "subdistrict_code": "500102", "phone": "0891234567", "education": "primary", "occupation": "farmer",
            "monthly_income": 5000, "household_size": 2, **(applicant or {}),
        },
        "details": {**DETAILS["BAIL"], "detainee_national_id": DETAINEE_ID},
    }
    out.update(overrides)
    return out


def assert_bilingual_422(resp: Any, field: str) -> dict[str, Any]:
    assert resp.status_code == 422, resp.content[:500]
    data = resp.json()
    assert set(data) == {"code", "message_th", "message_en", "errors"} and data["code"] == "invalid_input"
    fields = {e["field"]: e for e in data["errors"]}
    assert field in fields, data["errors"]
    err = fields[field]
    assert set(err) == {"field", "message_th", "message_en"}
    assert err["message_th"] and err["message_en"] and err["message_th"] != err["message_en"]
    return err


# --------------------------------------------------------------------------- 1. inputs bounded by the columns


@pytest.mark.parametrize(("overrides", "applicant", "field"), [
    ({"channel": "c" * 21}, {}, "channel"),
    ({"channel": "carrier_pigeon"}, {}, "channel"),
    ({"representative_type": "r" * 31, "representative_name": "นางผู้แทน ทดสอบ"}, {}, "representative_type"),
    ({"representative_type": "uncle", "representative_name": "นางผู้แทน ทดสอบ"}, {}, "representative_type"),
    ({"representative_type": "spouse", "representative_name": "น" * 201}, {}, "representative_name"),
    ({"representative_national_id": "1" * 14}, {}, "representative_national_id"),
    ({}, {"education": "e" * 21}, "applicant.education"),
    ({}, {"education": "phd"}, "applicant.education"),
    ({}, {"occupation": "o" * 21}, "applicant.occupation"),
    ({}, {"occupation": "astronaut"}, "applicant.occupation"),
    ({}, {"sex": "Q"}, "applicant.sex"),
    ({}, {"title": "t" * 31}, "applicant.title"),
    ({}, {"first_name": "ก" * 101}, "applicant.first_name"),
    ({}, {"last_name": "ข" * 101}, "applicant.last_name"),
    ({}, {"house_no": "1" * 101}, "applicant.house_no"),
    ({}, {"phone": "0" * 21}, "applicant.phone"),
    ({}, {"national_id": "1" * 18}, "applicant.national_id"),
    ({}, {"province_code": "500"}, "applicant.province_code"),
    ({}, {"district_code": "50011"}, "applicant.district_code"),
    ({}, {"subdistrict_code": "5001011"}, "applicant.subdistrict_code"),
    ({"service": "X" * 11}, {}, "service"),
    ({"service": "NOPE"}, {}, "service"),
    ({"office": "0" * 5}, {}, "office"),
])
def test_api_create_refuses_values_that_do_not_fit_their_column(api_client: Any, overrides: dict[str, Any],
                                                                 applicant: dict[str, Any], field: str) -> None:
    before = Request.objects.count(), Person.objects.count()
    resp = post_json(api_client("intake.cm"), "/api/v1/requests", body(applicant, **overrides))
    assert_bilingual_422(resp, field)
    assert (Request.objects.count(), Person.objects.count()) == before


def test_api_create_accepts_every_allowed_choice(api_client: Any) -> None:
    client = api_client("intake.cm")
    resp = post_json(client, "/api/v1/requests", body(
        {"education": "higher", "occupation": "civil_servant", "sex": "X"},
        channel="counter", representative_type="attorney_in_fact", representative_name="นายผู้รับ มอบอำนาจ",
    ))
    assert resp.status_code == 201, resp.content
    req = Request.objects.get(pk=resp.json()["id"])
    assert (req.channel, req.representative_type) == ("counter", "attorney_in_fact")
    assert (req.applicant.education, req.applicant.occupation) == ("higher", "civil_servant")
    # empty choices stay allowed where the column is blank=True
    resp = post_json(client, "/api/v1/requests", body({"education": "", "occupation": ""}, representative_type=""))
    assert resp.status_code == 201, resp.content


def test_the_openapi_schema_tells_the_allowed_values_and_lengths() -> None:
    schemas = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    req, app = schemas["RequestIn"]["properties"], schemas["ApplicantIn"]["properties"]
    assert "api" in req["channel"]["enum"] and "counter" in req["channel"]["enum"]
    assert set(req["representative_type"]["enum"]) == {"", "spouse", "legal_representative", "attorney_in_fact"}
    assert req["representative_name"]["maxLength"] == 200
    assert "primary" in app["education"]["enum"] and "farmer" in app["occupation"]["enum"]
    assert set(app["sex"]["enum"]) == {"M", "F", "X"}
    assert app["first_name"]["maxLength"] == 100


def _max_length(model: type, name: str) -> int | None:
    return getattr(model._meta.get_field(name), "max_length", None)  # type: ignore[attr-defined]


def test_every_string_of_the_api_input_schemas_is_bounded_by_its_column() -> None:
    from jfs.cases.models import Transition

    checks = [(ApplicantIn, Person), (RequestIn, Request), (TransitionIn, Request)]
    for schema, model in checks:
        props = schema.model_json_schema()["properties"]  # type: ignore[attr-defined]
        for name, spec in props.items():
            if spec.get("type") != "string" or spec.get("format") == "date":
                continue
            assert "maxLength" in spec or "enum" in spec, f"{schema.__name__}.{name} is unbounded"
            column = {f.name for f in model._meta.get_fields()}
            if name.endswith("national_id"):  # typed with dashes (17), stored as 13 digits after the check
                assert spec["maxLength"] == 17 and _max_length(model, name) == 13
            elif name in column and "maxLength" in spec:
                assert spec["maxLength"] <= (_max_length(model, name) or 10**9), f"{schema.__name__}.{name}"
            if name in column and "enum" in spec:  # every allowed value fits the column
                assert max(len(v) for v in spec["enum"]) <= (_max_length(model, name) or 10**9), name
    assert TransitionIn.model_json_schema()["properties"]["action"]["maxLength"] <= _max_length(Transition, "action")
    filt = RequestFilter.model_json_schema()["properties"]
    for name in ("q", "service", "state", "office", "fiscal_year"):
        assert "maxLength" in filt[name], name


def test_api_create_with_a_long_representative_name_on_postgres_is_not_a_500(api_client: Any) -> None:
    """The finding itself: on PostgreSQL each of these was "value too long for type character varying"."""
    client = api_client("intake.cm")
    for overrides, applicant in (({"channel": "x" * 40}, {}), ({"representative_name": "x" * 300}, {}),
                                 ({}, {"education": "x" * 40}), ({}, {"occupation": "x" * 40}),
                                 ({"representative_type": "x" * 40, "representative_name": "ชื่อ"}, {})):
        resp = post_json(client, "/api/v1/requests", body(applicant, **overrides))
        assert resp.status_code == 422, (overrides, applicant, resp.content[:300])


@pytest.mark.parametrize(("payload", "field"), [
    ({"action": "a" * 41, "version": 1}, "action"),
    ({"action": "start_screening", "version": 1, "outcome": "maybe"}, "outcome"),
    ({"action": "start_screening", "version": 1, "outcome": "o" * 21}, "outcome"),
    ({"action": "start_screening", "version": 1, "reason_code": "r" * 41}, "reason_code"),
    ({"action": "start_screening", "version": -1}, "version"),
    ({"action": "start_screening", "version": 10**20}, "version"),
    ({"action": "start_screening", "version": 1, "comment": "c" * 5001}, "comment"),
])
def test_api_transition_body_is_bounded(make_request: Any, api_client: Any, payload: dict[str, Any], field: str) -> None:
    req = make_request(assign_to="officer.cm")
    resp = post_json(api_client("officer.cm"), f"/api/v1/requests/{req.pk}/transitions", payload)
    assert_bilingual_422(resp, field)
    assert Request.objects.get(pk=req.pk).version == req.version


@pytest.mark.parametrize("doc_type", ["d" * 41, "x" * 5000])
def test_api_upload_with_an_oversized_doc_type_is_a_422(make_request: Any, api_client: Any, doc_type: str) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.conftest import SAMPLE_FILES

    req = make_request()
    resp = api_client("intake.cm").post(f"/api/v1/requests/{req.pk}/documents", {
        "doc_type": doc_type, "file": SimpleUploadedFile("id.pdf", SAMPLE_FILES["pdf"], "application/pdf")})
    assert_bilingual_422(resp, "doc_type")
    assert not req.documents.exists()


def test_api_upload_with_an_overlong_file_name_is_not_a_500(make_request: Any, api_client: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.conftest import SAMPLE_FILES

    req = make_request()
    name = "ก" * 300 + ".pdf"
    resp = api_client("intake.cm").post(f"/api/v1/requests/{req.pk}/documents", {
        "doc_type": "id_card", "file": SimpleUploadedFile(name, SAMPLE_FILES["pdf"], "application/pdf")})
    assert resp.status_code in (201, 422), resp.content[:300]


# --------------------------------------------------------------------------- 2. paging bounds


@pytest.mark.parametrize(("params", "field"), [
    ({"offset": "1e20"}, "offset"),
    ({"offset": "100000000000000000000"}, "offset"),
    ({"offset": str(2**63)}, "offset"),
    ({"offset": "-1"}, "offset"),
    ({"limit": "0"}, "limit"),
    ({"limit": "-5"}, "limit"),
    ({"limit": str(2**63)}, "limit"),
    ({"limit": "1e3"}, "limit"),
    ({"q": "x" * 1000}, "q"),
    ({"state": "s" * 1000}, "state"),
])
def test_api_list_paging_out_of_bounds_is_a_422(api_client: Any, params: dict[str, str], field: str) -> None:
    resp = api_client("officer.cm").get("/api/v1/requests", params)
    assert_bilingual_422(resp, field)


def test_api_list_paging_within_bounds_still_works(api_client: Any, make_request: Any) -> None:
    make_request()
    client = api_client("officer.cm")
    assert client.get("/api/v1/requests", {"offset": "10000000", "limit": "1"}).json()["items"] == []
    assert len(client.get("/api/v1/requests", {"limit": "1"}).json()["items"]) == 1


# --------------------------------------------------------------------------- 3. the auditor's search


@pytest.fixture
def auditor(login: Any) -> Client:
    return login("auditor")


AUDIT = reverse("audit:search")


@pytest.mark.parametrize("params", [
    {"reference": "JF1\x00"}, {"actor": "\x00officer.cm"}, {"action": "create\x00"}, {"from": "01/01/2569\x00"},
    {"to": "\x00"}, {"page": "1\x00"}, {"reference": "a\x00b", "actor": "c\x00d", "extra\x00": "e\x00"},
])
def test_audit_search_with_a_nul_character_is_not_a_500(auditor: Client, params: dict[str, str]) -> None:
    resp = auditor.get(AUDIT, params)
    assert resp.status_code == 200
    ev = AuditEvent.objects.filter(action="audit_search").order_by("-seq").first()
    assert ev is not None and "\x00" not in json.dumps(ev.details)


def test_audit_search_strips_nul_and_still_finds_the_event(auditor: Client, make_request: Any) -> None:
    req = make_request()
    resp = auditor.get(AUDIT, {"reference": req.number[:4] + "\x00" + req.number[4:], "action": "create"})
    assert resp.status_code == 200
    assert [e.reference for e in resp.context["page"]] == [req.number]
    ev = AuditEvent.objects.filter(action="audit_search").order_by("-seq").first()
    assert ev is not None and ev.details["reference"] == req.number[:4] + req.number[4:]


@pytest.mark.parametrize(("params", "th", "en"), [
    ({"from": "31/02/2569"}, "ไม่มีวันที่นี้ในปฏิทิน", "This date does not exist in the calendar"),
    ({"to": "01/13/2569"}, "ไม่มีวันที่นี้ในปฏิทิน", "This date does not exist in the calendar"),
    ({"from": "01/01/2026"}, "ดูเหมือนเป็นปี ค.ศ.", "looks like C.E."),
    ({"from": "yesterday"}, "รูปแบบวันที่ต้องเป็น วว/ดด/ปปปป", "Date must be dd/mm/yyyy"),
    ({"to": "1/1/69"}, "กรุณาระบุปีเป็นตัวเลข 4 หลัก", "Please give a 4-digit year"),
])
def test_audit_search_names_what_is_wrong_with_a_date(auditor: Client, params: dict[str, str], th: str, en: str) -> None:
    resp = auditor.get(AUDIT, params)
    assert resp.status_code == 200
    [error] = resp.context["errors"]
    assert th in error and error.startswith(("วันที่เริ่มต้น", "วันที่สิ้นสุด")), error
    assert th in resp.content.decode()
    auditor.cookies["django_language"] = "en"
    resp = auditor.get(AUDIT, params)
    assert resp.status_code == 200
    [error] = resp.context["errors"]
    assert en in error and error.startswith(("From date", "To date")), error


def test_audit_search_dates_in_the_wrong_order_are_explained(auditor: Client) -> None:
    resp = auditor.get(AUDIT, {"from": "10/01/2569", "to": "01/01/2569"})
    assert resp.status_code == 200 and resp.context["errors"]


@pytest.mark.parametrize("params", [
    {"page": "abc"}, {"page": "-1"}, {"page": "1e20"}, {"page": "99999999999999999999"}, {"actor": "12345"},
    {"actor": "x" * 1000}, {"reference": "'; DROP TABLE x; --"}, {"action": "nonsense"}, {"from": "99/99/9999"},
    {"from": "1/1/9999"}, {"to": "31/12/2400"}, {"from": "๐๑/๐๑/๒๕๖๙"}, {"actor_id": "abc"}, {"user": "x"},
])
def test_audit_search_odd_input_is_not_a_500(auditor: Client, params: dict[str, str]) -> None:
    assert auditor.get(AUDIT, params).status_code == 200


def test_audit_search_with_a_parameter_named_items_is_not_a_500(auditor: Client) -> None:
    """The template pages with ``params.items``: a parameter called "items" must not shadow it."""
    from jfs.audit.services import Event, record_many

    record_many(Event(action="test", object_type="thing", object_id=str(i)) for i in range(60))
    resp = auditor.get(AUDIT, {"items": "x", "actor": ""})
    assert resp.status_code == 200 and resp.context["page"].has_next()


# --------------------------------------------------------------------------- 4. the detainee's national ID


@pytest.mark.parametrize(("value", "th", "en"), [
    ("1101700203451", "หลักตรวจสอบไม่ตรง", "check digit"),
    ("12345", "13 หลัก", "13 digits"),
    ("abcdefghijklm", "13 หลัก", "13 digits"),
])
def test_bail_detainee_national_id_is_checked(value: str, th: str, en: str) -> None:
    with pytest.raises(details_mod.DetailsError) as exc:
        details_mod.validate("BAIL", {**DETAILS["BAIL"], "detainee_national_id": value})
    [err] = exc.value.errors
    assert err["field"] == "detainee_national_id"
    assert th in err["message_th"] and en in err["message_en"]


@pytest.mark.parametrize("value", ["1101700203450", "1-1017-00203-45-0", "1 1017 00203 45 0", " 1101700203450 "])
def test_bail_detainee_national_id_is_normalised(value: str) -> None:
    parsed = details_mod.validate("BAIL", {**DETAILS["BAIL"], "detainee_national_id": value})
    assert parsed.model_dump()["detainee_national_id"] == "1101700203450"


def test_bail_detainee_national_id_stays_optional() -> None:
    assert details_mod.validate("BAIL", DETAILS["BAIL"]).model_dump()["detainee_national_id"] == ""
    parsed = details_mod.validate("BAIL", {**DETAILS["BAIL"], "detainee_national_id": ""})
    assert parsed.model_dump()["detainee_national_id"] == ""


def test_api_refuses_a_bad_detainee_id_in_both_languages(api_client: Any) -> None:
    b = body()
    b["details"]["detainee_national_id"] = "1101700203451"
    resp = post_json(api_client("intake.cm"), "/api/v1/requests", b)
    assert resp.status_code == 422
    [err] = [e for e in resp.json()["errors"] if e["field"] == "details.detainee_national_id"]
    assert "หลักตรวจสอบ" in err["message_th"] and "check digit" in err["message_en"]


@pytest.mark.parametrize(("lang", "shown", "hidden"), [
    ("th", "เลขประจำตัวประชาชนไม่ถูกต้อง: หลักตรวจสอบไม่ตรง", "check digit does not match"),
    ("en", "National ID check digit does not match", "หลักตรวจสอบไม่ตรง"),
])
def test_new_bail_request_page_shows_the_detainee_id_error_under_its_field(login: Any, lang: str, shown: str,
                                                                           hidden: str) -> None:
    from tests.test_bad_input import form_data

    client = login("intake.cm")
    if lang == "en":
        client.cookies["django_language"] = "en"
    data = {k: v for k, v in form_data(service="BAIL").items() if not k.startswith("d-")}
    data.update({"d-detainee_name": "นายผู้ถูก ควบคุมตัว", "d-detainee_national_id": "1-1017-00203-45-1",
                 "d-charge": "ลักทรัพย์", "d-held_at": "สภ.เมืองเชียงใหม่", "d-authority": "police",
                 "d-authority_name": "สภ.เมืองเชียงใหม่", "d-bail_amount": "30000"})
    resp = client.post(reverse("staff:new_request"), data)
    assert resp.status_code == 422 and not Request.objects.exists()
    page = resp.content.decode()
    field_error = page.split('id="id_d-detainee_national_id_error"', 1)[1].split("</p>", 1)[0]
    assert shown in field_error and hidden not in page


def test_api_masks_the_detainee_id_in_every_output(api_client: Any) -> None:
    client = api_client("intake.cm")
    resp = post_json(client, "/api/v1/requests", body())
    assert resp.status_code == 201
    masked = thai_id.mask(DETAINEE_ID)
    created = resp.json()
    assert created["details"]["detainee_national_id"] == masked
    assert DETAINEE_ID not in resp.content.decode()
    one = client.get(f"/api/v1/requests/{created['id']}")
    listed = client.get("/api/v1/requests", {"service": "BAIL"})
    for r in (one, listed):
        assert r.status_code == 200 and DETAINEE_ID not in r.content.decode()
        assert thai_id.format_id(DETAINEE_ID) not in r.content.decode()
    assert one.json()["details"]["detainee_national_id"] == masked
    assert masked in [i["details"]["detainee_national_id"] for i in listed.json()["items"]]
    # stored in full: the registry checks ask about the detainee by the full ID
    assert Request.objects.get(pk=created["id"]).details["detainee_national_id"] == DETAINEE_ID


def test_api_and_case_page_mask_the_same_fields() -> None:
    from jfs.staff.templatetags import casepage

    assert set(casepage.MASKED) == set(details_mod.PERSONAL_IDS)
    out = details_mod.masked({"detainee_national_id": DETAINEE_ID, "detainee_name": "x", "costs": {"lawyer": "1"}})
    assert out == {"detainee_national_id": thai_id.mask(DETAINEE_ID), "detainee_name": "x", "costs": {"lawyer": "1"}}
    assert details_mod.masked({"detainee_national_id": ""}) == {"detainee_national_id": ""}


# --------------------------------------------------------------------------- 5. audited API reads


@pytest.mark.parametrize(("path", "object_type"), [("transitions", "transitions"), ("documents", "documents")])
def test_api_reads_of_history_and_documents_are_audited(make_request: Any, api_client: Any, path: str,
                                                        object_type: str) -> None:
    req = make_request()
    before = AuditEvent.objects.filter(action="view_personal_data").count()
    resp = api_client("officer.cm").get(f"/api/v1/requests/{req.pk}/{path}")
    assert resp.status_code == 200
    evs = list(AuditEvent.objects.filter(action="view_personal_data").order_by("seq"))[before:]
    assert len(evs) == 1
    [ev] = evs
    assert (ev.object_type, ev.object_id, ev.reference) == (object_type, str(req.pk), req.number)
    assert ev.actor_username == "officer.cm" and ev.actor_role == "case_officer" and ev.purpose == "case handling"


@pytest.mark.parametrize("path", ["transitions", "documents"])
def test_api_reads_refused_leave_no_view_event(make_request: Any, api_client: Any, path: str) -> None:
    req = make_request()  # Chiang Mai: not visible to Khon Kaen
    before = AuditEvent.objects.filter(action="view_personal_data").count()
    assert api_client("officer.kk").get(f"/api/v1/requests/{req.pk}/{path}").status_code == 404
    assert AuditEvent.objects.filter(action="view_personal_data").count() == before
