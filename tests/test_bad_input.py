"""Bad input never gives a 500: forms are re-rendered with 422 and what was typed; the API
answers 422/409 JSON with message_th and message_en."""

from __future__ import annotations

import html as htmlmod
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jfs.cases.models import Person, Request
from tests.conftest import new_national_id

pytestmark = pytest.mark.django_db

NEW = reverse("staff:new_request")


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "service": "LIT", "office": "50",
        "a-national_id": new_national_id(), "a-title": "นาง", "a-first_name": "บุญเรือน", "a-last_name": "พิมพ์ไว้",
        "a-birth_date": "15/08/2530", "a-sex": "F", "a-house_no": "99/1 หมู่ 4",
        "a-province_code": "50", "a-district_code": "5001", "a-subdistrict_code": "500101",
        "a-phone": "053-123-456", "a-education": "primary", "a-occupation": "farmer",
        "a-monthly_income": "4500", "a-household_size": "3", "a-representative_type": "",
        "a-representative_name": "", "a-representative_national_id": "",
        "d-case_kind": "civil", "d-court": "ศาลจังหวัดเชียงใหม่", "d-case_number": "ผบ.77/2569",
        "d-party_role": "defendant", "d-cost_lawyer": "15000", "d-cost_court_fee": "0", "d-cost_expert": "0",
        "d-cost_travel": "0", "d-cost_other": "0",
    }
    data.update(overrides)
    return data


@pytest.fixture
def intake(login: Any) -> Client:
    return login("intake.cm")


def test_valid_new_request_form_registers_the_request(intake: Client) -> None:
    data = form_data()
    resp = intake.post(NEW, data)
    assert resp.status_code == 302
    req = Request.objects.get()
    assert resp.url == reverse("staff:case", args=[req.pk])
    assert req.applicant.national_id == data["a-national_id"] and req.applicant.birth_date.isoformat() == "1987-08-15"
    assert req.applicant.phone == "053123456" and req.office.code == "50" and req.number.startswith("JF1-50-")


def assert_rerendered(resp: Any, *typed: str) -> str:
    assert resp.status_code == 422
    page = htmlmod.unescape(resp.content.decode())
    for value in typed:
        assert value in page, value
    assert not Request.objects.exists()
    return page


def test_invalid_national_id_rerenders_the_form_with_what_was_typed(intake: Client) -> None:
    resp = intake.post(NEW, form_data(**{"a-national_id": "1-1017-00203-45-1"}))
    page = assert_rerendered(resp, "1-1017-00203-45-1", "บุญเรือน", "พิมพ์ไว้", "ศาลจังหวัดเชียงใหม่", "15/08/2530")
    assert "หลักตรวจสอบไม่ตรง" in page


def test_national_id_of_wrong_length_is_refused(intake: Client) -> None:
    resp = intake.post(NEW, form_data(**{"a-national_id": "12345"}))
    assert "13 หลัก" in assert_rerendered(resp, "12345")


def test_impossible_date_rerenders_the_form(intake: Client) -> None:
    resp = intake.post(NEW, form_data(**{"a-birth_date": "31/02/2530"}))
    assert "ไม่มีวันที่นี้ในปฏิทิน" in assert_rerendered(resp, "31/02/2530", "บุญเรือน")


def test_ce_year_on_the_be_form_rerenders_the_form_naming_the_confusion(intake: Client) -> None:
    resp = intake.post(NEW, form_data(**{"a-birth_date": "15/08/1987"}))
    page = assert_rerendered(resp, "15/08/1987", "บุญเรือน")
    assert "ดูเหมือนเป็นปี ค.ศ." in page and "2530" in page


def test_future_birth_date_is_refused(intake: Client) -> None:
    resp = intake.post(NEW, form_data(**{"a-birth_date": "01/01/2600"}))
    assert "อนาคต" in assert_rerendered(resp, "01/01/2600")


@pytest.mark.parametrize(("province", "district", "subdistrict"), [
    ("50", "4001", "400101"),  # a Khon Kaen district under Chiang Mai
    ("50", "5001", "500201"),  # a subdistrict of another Chiang Mai district
    ("50", "5001", "999999"),  # no such subdistrict
    ("99", "5001", "500101"),  # no such province
])
def test_mismatched_address_codes_rerender_the_form(intake: Client, province: str, district: str, subdistrict: str) -> None:
    resp = intake.post(NEW, form_data(**{"a-province_code": province, "a-district_code": district,
                                         "a-subdistrict_code": subdistrict}))
    assert_rerendered(resp, "บุญเรือน", "พิมพ์ไว้", "99/1 หมู่ 4")


def test_bad_service_details_rerender_the_form(intake: Client) -> None:
    resp = intake.post(NEW, form_data(**{"d-cost_lawyer": "0"}))  # nothing requested
    assert "อย่างน้อยหนึ่งรายการ" in assert_rerendered(resp, "บุญเรือน")


def test_representative_without_a_name_is_refused(intake: Client) -> None:
    resp = intake.post(NEW, form_data(**{"a-representative_type": "spouse"}))
    assert_rerendered(resp, "บุญเรือน")


def test_garbage_in_every_field_gives_422_not_500(intake: Client) -> None:
    garbage = {k: "\u0000<script>x</script>'\"; DROP TABLE" for k in form_data() if k not in ("service", "office")}
    resp = intake.post(NEW, {"service": "LIT", "office": "50", **garbage})
    assert resp.status_code == 422
    assert "<script>x</script>" not in resp.content.decode()


def test_unknown_service_or_office_on_the_form_is_not_a_500(intake: Client) -> None:
    assert intake.get(NEW, {"service": "NOPE"}).status_code == 404
    resp = intake.post(NEW, form_data(office="40"))  # not this officer's office
    assert resp.status_code == 422 and not Request.objects.exists()


@pytest.mark.parametrize("service", ["BAIL", "HR", "PROJECT", "CONSULT"])
def test_other_services_forms_refuse_empty_details_with_422(intake: Client, service: str) -> None:
    data = {k: v for k, v in form_data(service=service).items() if not k.startswith("d-")}
    assert intake.post(NEW + f"?service={service}", data).status_code == 422
    assert intake.get(NEW, {"service": service}).status_code == 200


def test_project_budget_lines_in_the_wrong_shape_are_refused(intake: Client) -> None:
    data = {k: v for k, v in form_data(service="PROJECT").items() if not k.startswith("d-")}
    data.update({"d-organisation": "มูลนิธิ", "d-title": "อบรม", "d-plan": "แผน", "d-participants": "10",
                 "d-budget_lines": "ค่าวิทยากร 12000"})
    resp = intake.post(NEW + "?service=PROJECT", data)
    assert resp.status_code == 422 and "ค่าวิทยากร 12000" in htmlmod.unescape(resp.content.decode())


# --------------------------------------------------------------------------- list filters


@pytest.mark.parametrize("params", [
    {"fiscal_year": "²"}, {"fiscal_year": "99999999999"}, {"page": "abc"}, {"page": "-1"},
    {"q": "\u0000"}, {"q": "ab\u0000cd"}, {"state": "a\u0000"}, {"office": "5\u00000"}, {"service": "\u0000"},
    {"q": "1-1017-00203-45-0"}, {"state": "x" * 500}, {"office": "'; --"},
])
def test_odd_list_parameters_are_not_a_500(staff_client: Client, params: dict[str, str]) -> None:
    for name in ("staff:requests", "staff:dashboard", "staff:overdue", "staff:queue"):
        assert staff_client.get(reverse(name), params).status_code == 200, name


def test_odd_api_list_parameters_are_not_a_500(api_client: Any) -> None:
    client = api_client("officer.cm")
    assert client.get("/api/v1/requests", {"fiscal_year": "²"}).status_code == 200
    assert client.get("/api/v1/requests", {"q": "x\u0000", "state": "\u0000"}).status_code == 200
    assert client.get("/api/v1/requests", {"limit": "100000"}).status_code == 422
    assert client.get("/api/v1/requests", {"offset": "x"}).status_code == 422


def test_missing_transition_fields_on_the_page_give_422(make_request: Any, staff_client: Client) -> None:
    req = make_request(assign_to="officer.cm")
    resp = staff_client.post(reverse("staff:transition", args=[req.pk]), {"action_code": "start_screening"})
    assert resp.status_code == 422
    resp = staff_client.post(reverse("staff:transition", args=[req.pk]), {
        "action_code": "start_screening", "start_screening-action": "start_screening", "start_screening-version": "x"})
    assert resp.status_code == 422
    req.refresh_from_db()
    assert req.state == "received"


def test_transition_refused_on_the_page_keeps_the_form_with_409(make_request: Any, staff_client: Client) -> None:
    req = make_request(assign_to="officer.cm")
    resp = staff_client.post(reverse("staff:transition", args=[req.pk]), {
        "action_code": "request_documents", "request_documents-action": "request_documents",
        "request_documents-version": req.version, "request_documents-comment": " "})
    assert resp.status_code == 409 and "กรุณาระบุเหตุผลประกอบ" in resp.content.decode()


def test_assign_with_nonsense_is_not_a_500(make_request: Any, login: Any) -> None:
    req = make_request()
    client = login("head.cm")
    for data in ({"assignee": "abc"}, {"assignee": "999999", "version": "1"}, {"assignee": "1", "version": "x"}):
        assert client.post(reverse("staff:assign", args=[req.pk]), data).status_code in (302, 422), data


# --------------------------------------------------------------------------- API


def payload(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "service": "LIT", "office": "50",
        "applicant": {
            "national_id": new_national_id(), "first_name": "สมใจ", "last_name": "ทดสอบ", "birth_date": "1985-03-01",
            "sex": "F", "province_code": "50", "district_code": "5001", "subdistrict_code": "500101",
        },
        "details": {"case_kind": "civil", "court": "ศาลจังหวัดเชียงใหม่", "party_role": "plaintiff",
                    "costs": {"lawyer": "1000"}},
    }
    for key, value in overrides.items():
        if key.startswith("applicant__"):
            body["applicant"][key.split("__", 1)[1]] = value
        else:
            body[key] = value
    return body


def post_json(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body) if not isinstance(body, str) else body, content_type="application/json")


def assert_bilingual_error(resp: Any, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.content
    body = resp.json()
    assert body["message_th"] and body["message_en"] and body["code"]
    return body


def test_api_create_with_a_valid_payload_answers_201(api_client: Any) -> None:
    resp = post_json(api_client("intake.cm"), "/api/v1/requests", payload())
    assert resp.status_code == 201
    assert resp.json()["state"] == "received" and resp.json()["applicant_national_id_masked"].count("X") == 9


@pytest.mark.parametrize(("overrides", "field"), [
    ({"applicant__national_id": "1101700203451"}, "national_id"),
    ({"applicant__national_id": "abc"}, "national_id"),
    ({"applicant__birth_date": "2569-01-01"}, "birth_date"),  # a B.E. year sent as C.E. is in the future
    ({"applicant__birth_date": "1800-01-01"}, "birth_date"),
    ({"applicant__subdistrict_code": "400101"}, "subdistrict_code"),
    ({"applicant__phone": "12"}, "phone"),
    ({"details": {"case_kind": "civil", "court": "x", "party_role": "plaintiff", "costs": {}}}, "details."),
    ({"details": {"unexpected": 1}}, "details."),
    ({"office": "ZZ"}, "office"),
])
def test_api_create_with_invalid_values_answers_422_with_messages(api_client: Any, overrides: dict[str, Any],
                                                                  field: str) -> None:
    body = assert_bilingual_error(post_json(api_client("intake.cm"), "/api/v1/requests", payload(**overrides)), 422)
    assert any(e["field"].startswith(field) for e in body["errors"]), body["errors"]
    assert not Request.objects.exists() and not Person.objects.exists()


@pytest.mark.parametrize("body", [
    {},
    {"service": "LIT"},
    "not json at all",
    [1, 2, 3],
    {"service": "LIT", "office": "50", "applicant": {"first_name": "x"}, "details": {}},
    {**payload(), "applicant": {**payload()["applicant"], "birth_date": "31/02/2530"}},
    {**payload(), "applicant": {**payload()["applicant"], "sex": "Q"}},
])
def test_api_create_with_a_malformed_payload_answers_4xx_with_messages(api_client: Any, body: Any) -> None:
    resp = post_json(api_client("intake.cm"), "/api/v1/requests", body)
    assert 400 <= resp.status_code < 500
    if resp.status_code == 422:
        assert_bilingual_error(resp, 422)
    assert not Request.objects.exists()


def test_api_create_with_an_unknown_service_answers_422(api_client: Any) -> None:
    assert_bilingual_error(post_json(api_client("intake.cm"), "/api/v1/requests", payload(service="NOPE")), 422)


def test_api_transition_not_allowed_answers_409(make_request: Any, api_client: Any) -> None:
    req = make_request()
    client = api_client("officer.cm")
    url = f"/api/v1/requests/{req.pk}/transitions"
    body = assert_bilingual_error(post_json(client, url, {"action": "complete_fact_finding", "version": 1}), 409)
    assert body["code"] == "wrong_state" and "Fact-finding complete" in body["message_en"]
    body = assert_bilingual_error(post_json(client, url, {"action": "no_such_action", "version": 1}), 409)
    assert body["code"] == "unknown_action"
    body = assert_bilingual_error(post_json(client, url, {"action": "request_documents", "version": 1}), 409)
    assert body["code"] == "comment_required"
    assert_bilingual_error(post_json(client, url, {"action": "start_screening", "version": "abc"}), 422)
    assert_bilingual_error(post_json(client, url, {"version": 1}), 422)
    req.refresh_from_db()
    assert (req.state, req.version) == ("received", 1)


def test_api_unknown_request_answers_404_json(api_client: Any) -> None:
    client = api_client("officer.cm")
    assert_bilingual_error(client.get("/api/v1/requests/999999"), 404)
    assert_bilingual_error(post_json(client, "/api/v1/requests/999999/transitions", {"action": "x", "version": 1}), 404)
    assert client.get("/api/v1/requests/not-a-number").status_code in (404, 422)


# --------------------------------------------------------------------------- NUL characters (PostgreSQL cannot store them)


@pytest.mark.parametrize(("overrides", "field"), [
    ({"applicant__first_name": "สม\u0000ชาย"}, "first_name"),
    ({"applicant__house_no": "12\u0000"}, "house_no"),
    ({"details": {"case_kind": "civil", "court": "ศาล\u0000", "party_role": "plaintiff", "costs": {"lawyer": "1"}}},
     "details.court"),
    ({"representative_type": "spouse", "representative_name": "คู่\u0000สมรส"}, "representative_name"),
    ({"channel": "api\u0000"}, "channel"),
])
def test_api_create_with_a_nul_character_answers_422(api_client: Any, overrides: dict[str, Any], field: str) -> None:
    body = assert_bilingual_error(post_json(api_client("intake.cm"), "/api/v1/requests", payload(**overrides)), 422)
    assert {"field": field, "message": "NUL character not allowed"} in body["errors"]
    assert not Request.objects.exists() and not Person.objects.exists()


def test_api_transition_comment_with_a_nul_character_answers_422(make_request: Any, api_client: Any) -> None:
    req = make_request()
    resp = post_json(api_client("officer.cm"), f"/api/v1/requests/{req.pk}/transitions",
                     {"action": "request_documents", "version": 1, "comment": "ขอ\u0000เอกสาร"})
    body = assert_bilingual_error(resp, 422)
    assert body["errors"][0]["field"] == "comment"
    req.refresh_from_db()
    assert (req.state, req.version) == ("received", 1)


def test_page_transition_comment_with_a_nul_character_is_refused(make_request: Any, staff_client: Client) -> None:
    req = make_request(assign_to="officer.cm")
    resp = staff_client.post(reverse("staff:transition", args=[req.pk]), {
        "action_code": "request_documents", "request_documents-action": "request_documents",
        "request_documents-version": req.version, "request_documents-comment": "ขอ\u0000เอกสาร"})
    assert resp.status_code == 422
    req.refresh_from_db()
    assert req.state == "received"


def test_update_with_a_nul_character_is_refused(make_request: Any, users: Any) -> None:
    from jfs.cases import services
    from tests.conftest import DETAILS

    req = make_request()
    with pytest.raises(services.InvalidInput) as exc:
        services.update_details(actor=users["officer.cm"], request_id=req.pk, expected_version=req.version,
                                details=dict(DETAILS["LIT"], court="ศาล\u0000แพ่ง"))
    assert exc.value.errors == [{"field": "details.court", "message": "NUL character not allowed"}]


def test_upload_name_with_a_nul_character_is_not_a_500(make_request: Any, api_client: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jfs.cases.models import Document
    from tests.conftest import SAMPLE_FILES

    req = make_request()
    resp = api_client("officer.cm").post(f"/api/v1/requests/{req.pk}/documents", {
        "doc_type": "id_card", "file": SimpleUploadedFile("id\u0000card.pdf", SAMPLE_FILES["pdf"])})
    assert resp.status_code in (201, 422)
    assert all("\u0000" not in d.original_name for d in Document.objects.all())


def test_huge_ids_are_404_not_500(api_client: Any, staff_client: Client) -> None:
    huge = "9" * 20
    assert api_client("officer.cm").get(f"/api/v1/requests/{huge}").status_code in (404, 422)
    for name in ("staff:case", "staff:document"):
        url = reverse(name, args=[1]).replace("/1/", f"/{huge}/")
        assert staff_client.get(url).status_code == 404, name
