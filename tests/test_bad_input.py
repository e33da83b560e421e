"""Bad input never gives a 500: forms are re-rendered with 422 and what was typed; the API
answers 422/409 JSON with message_th and message_en."""

from __future__ import annotations

import html as htmlmod
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jfs.cases.models import Person, Request
from tests.conftest import new_national_id
from tests.forms_support import registration_form_data as form_data

pytestmark = pytest.mark.django_db

NEW = reverse("staff:new_request")
THAI = re.compile("[\u0e00-\u0e7f]")




@pytest.fixture
def intake(login: Any) -> Client:
    return login("intake.cm")


def test_valid_new_request_form_registers_the_request(intake: Client) -> None:
    data = form_data()
    resp = intake.post(NEW, data)
    assert resp.status_code == 302
    req = Request.objects.get()
    assert resp["Location"] == reverse("staff:case", args=[req.pk])
    assert req.applicant.national_id == data["a-national_id"] and req.applicant.birth_date.isoformat() == "1987-08-15"
    assert req.applicant.phone == "+6653123456" and req.office.code == "50" and req.number.startswith("JF1-50-")


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
        # a national ID in q is answered from a URL without it (a 303 first)
        assert staff_client.get(reverse(name), params, follow=True).status_code == 200, name


def test_odd_api_list_parameters_are_not_a_500(api_client: Any) -> None:
    client = api_client("officer.cm")
    assert client.get("/api/v1/requests", {"fiscal_year": "²"}).status_code == 200
    resp = client.get("/api/v1/requests", {"q": "x\u0000", "state": "\u0000"})  # refused before any query
    assert resp.status_code == 422 and {e["field"] for e in resp.json()["errors"]} == {"q", "state"}
    assert client.get("/api/v1/requests", {"limit": "100000"}).status_code == 422
    assert client.get("/api/v1/requests", {"offset": "x"}).status_code == 422


def test_missing_transition_fields_on_the_page_are_refused_with_a_redirect(make_request: Any, staff_client: Client) -> None:
    """Not a 500 and nothing saved: the answer is the case page again (Post/Redirect/Get), with a message."""
    req = make_request(assign_to="officer.cm")
    case_url = reverse("staff:case", args=[req.pk]) + "#action-start_screening"
    resp = staff_client.post(reverse("staff:transition", args=[req.pk]), {"action_code": "start_screening"})
    assert resp.status_code == 303 and resp["Location"] == case_url
    resp = staff_client.post(reverse("staff:transition", args=[req.pk]), {
        "action_code": "start_screening", "start_screening-action": "start_screening", "start_screening-version": "x"})
    assert resp.status_code == 303 and resp["Location"] == case_url
    assert "ข้อมูลไม่ครบถ้วน กรุณาตรวจสอบ" in staff_client.get(case_url).content.decode()
    req.refresh_from_db()
    assert req.state == "received"


def test_transition_refused_on_the_page_keeps_the_form(make_request: Any, staff_client: Client) -> None:
    """A refusal redirects to the case page (refreshing it posts nothing), the form open with its error."""
    req = make_request(assign_to="officer.cm")
    resp = staff_client.post(reverse("staff:transition", args=[req.pk]), {
        "action_code": "request_documents", "request_documents-action": "request_documents",
        "request_documents-version": req.version, "request_documents-comment": " "})
    assert resp.status_code == 303
    page = staff_client.get(resp["Location"])
    form = next(f for a, f in page.context["actions"] if a.code == "request_documents")
    assert form.is_bound and form.errors["comment"] == ["กรุณาระบุเหตุผลประกอบ"]
    assert "กรุณาระบุเหตุผลประกอบ" in page.content.decode()


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
    for error in body["errors"]:
        assert_bilingual_field_error(error)
    return body


def assert_bilingual_field_error(error: dict[str, str]) -> None:
    """A field error names the field and says what is wrong in Thai and, separately, in English."""
    assert set(error) == {"field", "message_th", "message_en"}, error
    assert error["field"] and THAI.search(error["message_th"]), error
    assert error["message_en"] and not THAI.search(error["message_en"]), error


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
    ({"applicant__first_name": "สม\u0000ชาย"}, "applicant.first_name"),
    ({"applicant__house_no": "12\u0000"}, "applicant.house_no"),
    ({"details": {"case_kind": "civil", "court": "ศาล\u0000", "party_role": "plaintiff", "costs": {"lawyer": "1"}}},
     "details.court"),
    ({"representative_type": "spouse", "representative_name": "คู่\u0000สมรส"}, "representative_name"),
])
def test_api_create_with_a_nul_character_answers_422(api_client: Any, overrides: dict[str, Any], field: str) -> None:
    body = assert_bilingual_error(post_json(api_client("intake.cm"), "/api/v1/requests", payload(**overrides)), 422)
    assert {"field": field, "message_th": "มีอักขระที่ไม่อนุญาต (NUL) กรุณาลบออก",
            "message_en": "Contains a character that is not allowed (NUL)"} in body["errors"]
    assert not Request.objects.exists() and not Person.objects.exists()


def test_api_create_with_a_nul_character_in_the_channel_answers_422(api_client: Any) -> None:
    """A NUL is refused before any field is read, the channel's fixed set included."""
    body = assert_bilingual_error(post_json(api_client("intake.cm"), "/api/v1/requests", payload(channel="api\u0000")), 422)
    [error] = [e for e in body["errors"] if e["field"] == "channel"]
    assert error["message_en"] == "Contains a character that is not allowed (NUL)"
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
    assert resp.status_code == 303  # refused: back to the case page, the form open with the error
    form = next(f for a, f in staff_client.get(resp["Location"]).context["actions"] if a.code == "request_documents")
    assert "comment" in form.errors
    req.refresh_from_db()
    assert req.state == "received"


def test_update_with_a_nul_character_is_refused(make_request: Any, users: Any) -> None:
    from jfs.cases import services
    from tests.conftest import DETAILS

    req = make_request()
    with pytest.raises(services.InvalidInput) as exc:
        services.update_details(actor=users["officer.cm"], request_id=req.pk, expected_version=req.version,
                                details=dict(DETAILS["LIT"], court="ศาล\u0000แพ่ง"))
    assert exc.value.errors == [{"field": "details.court", "message_th": "มีอักขระที่ไม่อนุญาต (NUL) กรุณาลบออก",
                                 "message_en": "Contains a character that is not allowed (NUL)"}]


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


# --------------------------------------------------------------------------- field errors in the reader's language


def test_api_bad_applicant_data_gives_field_errors_in_thai_and_english(api_client: Any) -> None:
    body = assert_bilingual_error(post_json(api_client("intake.cm"), "/api/v1/requests", payload(
        applicant__national_id="1101700203451", applicant__phone="12", applicant__birth_date="2569-01-01",
        applicant__subdistrict_code="400101")), 422)
    errors = {e["field"]: e for e in body["errors"]}
    assert set(errors) == {"national_id", "phone", "birth_date", "subdistrict_code"}
    assert errors["national_id"] == {"field": "national_id",
                                     "message_th": "เลขประจำตัวประชาชนไม่ถูกต้อง: หลักตรวจสอบไม่ตรง",
                                     "message_en": "National ID check digit does not match"}
    assert errors["birth_date"]["message_en"] == "Birth date cannot be in the future"
    assert not Person.objects.exists()


def test_api_details_errors_from_pydantic_come_back_in_thai_and_english(api_client: Any) -> None:
    details = {"case_kind": "tort", "court": "ศ", "party_role": "plaintiff", "costs": {"lawyer": "1000"}, "x": 1}
    body = assert_bilingual_error(post_json(api_client("intake.cm"), "/api/v1/requests", payload(details=details)), 422)
    errors = {e["field"]: e for e in body["errors"]}
    assert errors["details.court"] == {"field": "details.court", "message_th": "ต้องมีอย่างน้อย 2 ตัวอักษร",
                                       "message_en": "Must be at least 2 characters"}
    kind = errors["details.case_kind"]
    assert kind["message_th"].startswith("ต้องเป็นค่าใดค่าหนึ่งต่อไปนี้: 'civil'") and "หรือ 'other'" in kind["message_th"]
    assert kind["message_en"].startswith("Must be one of: 'civil'") and "or 'other'" in kind["message_en"]
    assert errors["details.x"]["message_en"] == "Unknown field"


def test_api_payload_that_does_not_fit_the_schema_gives_translated_field_errors(api_client: Any) -> None:
    body = payload()
    body["applicant"].update(birth_date="31/02/2530", household_size=0)
    del body["applicant"]["first_name"]
    result = assert_bilingual_error(post_json(api_client("intake.cm"), "/api/v1/requests", body), 422)
    errors = {e["field"]: e for e in result["errors"]}
    assert errors["applicant.first_name"]["message_en"] == "This field is required"
    assert errors["applicant.household_size"]["message_th"] == "ต้องไม่น้อยกว่า 1"
    assert errors["applicant.birth_date"]["message_en"] == "Not a valid date: use YYYY-MM-DD (C.E. year)"


@pytest.mark.parametrize(("service", "details", "field", "th", "en"), [
    ("LIT", {"case_kind": "civil", "court": "ศาล", "party_role": "plaintiff", "costs": {}},
     "costs", "ต้องขออย่างน้อยหนึ่งรายการ", "Request at least one cost item"),
    ("LIT", {"case_kind": "civil", "court": "ศาล" * 100, "party_role": "plaintiff", "costs": {"lawyer": "-1"}},
     "court", "ต้องมีไม่เกิน 200 ตัวอักษร", "Must be at most 200 characters"),
    ("LIT", {"case_kind": "civil", "court": "ศาล", "party_role": "plaintiff", "costs": {"lawyer": "-1"}},
     "costs.lawyer", "ต้องไม่น้อยกว่า 0", "Must be at least 0"),
    ("LIT", {"case_kind": "civil", "court": "ศาล", "party_role": "plaintiff", "costs": {"lawyer": "1.234"}},
     "costs.lawyer", "ทศนิยมได้ไม่เกิน 2 ตำแหน่ง", "Must have at most 2 decimal places"),
    ("BAIL", {"detainee_name": "นายก", "charge": "ลักทรัพย์", "held_at": "สภ.", "authority": "police",
              "authority_name": "สภ.เมือง", "bail_amount": "abc"},
     "bail_amount", "ต้องเป็นตัวเลข", "Must be a number"),
    ("BAIL", {"detainee_name": "นายก", "charge": "ลักทรัพย์", "held_at": "สภ.", "authority": "police",
              "authority_name": "สภ.เมือง"},
     "bail_amount", "กรุณากรอกข้อมูลนี้", "This field is required"),
    ("PROJECT", {"organisation": "มูลนิธิ", "title": "อบรม", "plan": "แผน", "budget_lines": [], "participants": 5},
     "budget_lines", "ต้องมีอย่างน้อย 1 รายการ", "Must have at least 1 item(s)"),
    ("PROJECT", {"organisation": "มูลนิธิ", "title": "อบรม", "plan": "แผน", "budget_lines": "x", "participants": 5},
     "budget_lines", "ต้องเป็นรายการ (JSON array)", "Must be a list (JSON array)"),
    ("PROJECT", {"organisation": "มูลนิธิ", "title": "อบรม", "plan": "แผน",
                 "budget_lines": [{"item": "ค่าเอกสาร", "amount": "100"}], "participants": "ห้าสิบ"},
     "participants", "ต้องเป็นจำนวนเต็ม", "Must be a whole number"),
    ("PROJECT", {"organisation": "มูลนิธิ", "title": "อบรม", "plan": "แผน",
                 "budget_lines": [{"item": "ค่าเอกสาร", "amount": "100"}], "participants": 100001},
     "participants", "ต้องไม่เกิน 100000", "Must be at most 100000"),
    ("CONSULT", {"topic": "ที่ดิน", "channel": "fax"},
     "channel", "ต้องเป็นค่าใดค่าหนึ่งต่อไปนี้: 'counter', 'phone', 'online' หรือ 'mobile_unit'",
     "Must be one of: 'counter', 'phone', 'online' or 'mobile_unit'"),
])
def test_details_errors_are_translated_by_pydantic_error_type(service: str, details: dict[str, Any], field: str,
                                                              th: str, en: str) -> None:
    from jfs.cases import details as details_mod

    with pytest.raises(details_mod.DetailsError) as exc:
        details_mod.validate(service, details)
    assert {"field": field, "message_th": th, "message_en": en} in exc.value.errors, exc.value.errors
    for error in exc.value.errors:
        assert_bilingual_field_error(error)


def test_every_translated_pydantic_error_type_has_a_thai_and_an_english_text() -> None:
    from jfs.cases.details import PYDANTIC_MESSAGES

    placeholders = re.compile(r"\{(\w+)\}")
    for kind, (th, en) in PYDANTIC_MESSAGES.items():
        assert THAI.search(th) and not THAI.search(en), kind
        assert set(placeholders.findall(th)) == set(placeholders.findall(en)), kind


def test_an_untranslated_pydantic_error_keeps_its_english_text_behind_a_thai_prefix() -> None:
    from jfs.cases.details import translate

    assert translate({"type": "url_parsing", "loc": ("site",), "msg": "Input should be a valid URL"}) == (
        "ข้อมูลไม่ถูกต้อง: Input should be a valid URL", "Input should be a valid URL")
    # a known type whose context lacks what the table needs says what pydantic says
    assert translate({"type": "string_too_short", "loc": ("x",), "msg": "String should have at least 2 characters",
                      "ctx": {}}) == ("ข้อมูลไม่ถูกต้อง: String should have at least 2 characters",
                                      "String should have at least 2 characters")


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.parametrize(("lang", "shown", "hidden"), [
    ("th", "เลขประจำตัวประชาชนไม่ถูกต้อง: หลักตรวจสอบไม่ตรง", "check digit does not match"),
    ("en", "National ID check digit does not match", "หลักตรวจสอบไม่ตรง"),
])
def test_new_request_page_shows_the_field_error_in_the_readers_language(intake: Client, lang: str, shown: str,
                                                                         hidden: str) -> None:
    client = english(intake) if lang == "en" else intake
    page = assert_rerendered(client.post(NEW, form_data(**{"a-national_id": "1-1017-00203-45-1"})), "1-1017-00203-45-1")
    assert f'lang="{lang}"' in page
    field_error = page.split('id="id_a-national_id_error"', 1)[1].split("</p>", 1)[0]
    assert shown in field_error and hidden not in page


@pytest.mark.parametrize(("lang", "shown", "hidden"), [
    ("th", "ต้องมีอย่างน้อย 2 ตัวอักษร", "at least 2 characters"),
    ("en", "Must be at least 2 characters", "ต้องมีอย่างน้อย 2 ตัวอักษร"),
])
def test_new_request_page_shows_a_details_error_from_pydantic_in_the_readers_language(
        intake: Client, lang: str, shown: str, hidden: str) -> None:
    client = english(intake) if lang == "en" else intake
    page = assert_rerendered(client.post(NEW, form_data(**{"d-court": "ศ"})), "บุญเรือน")
    field_error = page.split('id="id_d-court_error"', 1)[1].split("</p>", 1)[0]
    assert shown in field_error and hidden not in page


@pytest.mark.parametrize(("lang", "shown", "hidden"), [
    ("th", "ปี 1987 ดูเหมือนเป็นปี ค.ศ. กรุณาระบุปี พ.ศ. เช่น 2530", "looks like C.E."),
    ("en", "Year 1987 looks like C.E.; please give the B.E. year, e.g. 2530", "ดูเหมือนเป็นปี ค.ศ."),
])
def test_be_date_field_shows_its_error_in_one_language(intake: Client, lang: str, shown: str, hidden: str) -> None:
    client = english(intake) if lang == "en" else intake
    page = assert_rerendered(client.post(NEW, form_data(**{"a-birth_date": "15/08/1987"})), "15/08/1987")
    field_error = page.split('id="id_a-birth_date_error"', 1)[1].split("</p>", 1)[0]
    assert shown in field_error and hidden not in page


@pytest.mark.parametrize(("lang", "expected"), [
    ("th", ["ไม่มีวันที่นี้ในปฏิทิน"]), ("en", ["This date does not exist in the calendar"]),
])
def test_be_date_field_error_is_the_active_languages_text_only(lang: str, expected: list[str]) -> None:
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from jfs.staff.forms import BEDateField

    with translation.override(lang), pytest.raises(ValidationError) as exc:
        BEDateField().clean("31/02/2569")
    assert exc.value.messages == expected
