"""PATCH /api/v1/requests/{id}: correcting the applicant's record or the service details through
``services.update_details``, with the version read, in the bilingual error shape."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from jfs.cases.models import Person, PersonRevision, Request, Transition
from jfslib import thai_id
from tests.conftest import DETAILS, new_national_id

pytestmark = pytest.mark.django_db


def patch(client: Client, req: Request, body: Any, *, read_applicant_version: bool = True) -> Any:
    """PATCH as a client that read the request first: an applicant correction carries the
    applicant_version it read (unless the body names one, or ``read_applicant_version=False``)."""
    if read_applicant_version and "applicant" in body and "applicant_version" not in body:
        body = {**body, "applicant_version": Person.objects.get(pk=req.applicant_id).version}
    return client.patch(f"/api/v1/requests/{req.pk}", json.dumps(body), content_type="application/json")


def applicant_body(req: Request, **overrides: Any) -> dict[str, Any]:
    p = req.applicant
    body = {
        "title": p.title, "first_name": p.first_name, "last_name": p.last_name, "birth_date": p.birth_date.isoformat(),
        "sex": p.sex, "house_no": p.house_no, "province_code": p.province_code, "district_code": p.district_code,
        "subdistrict_code": p.subdistrict_code, "phone": p.phone, "education": p.education,
        "occupation": p.occupation, "monthly_income": float(p.monthly_income), "household_size": p.household_size,
    }
    body.update(overrides)
    return body


def fields(resp: Any) -> dict[str, dict[str, str]]:
    return {e["field"]: e for e in resp.json()["errors"]}


def test_openapi_lists_patch_with_its_answers() -> None:
    op = Client().get("/api/v1/openapi.json").json()["paths"]["/api/v1/requests/{request_id}"]["patch"]
    assert {"200", "403", "404", "409", "422"} <= set(op["responses"])


def test_patch_corrects_the_applicant_and_the_details(make_request: Any, api_client: Any) -> None:
    req = make_request()
    client = api_client("officer.cm")
    before = client.get(f"/api/v1/requests/{req.pk}").json()
    resp = patch(client, req, {
        "version": before["version"],
        "applicant": applicant_body(req, first_name="สมศักดิ์", phone="0898765432"),
        "details": dict(DETAILS["LIT"], court="ศาลแพ่ง"),
    })
    assert resp.status_code == 200, resp.json()
    body = resp.json()
    assert set(body) == set(before)  # the same output as GET /requests/{id}
    assert body["version"] == before["version"] + 1
    assert body["applicant_name"] == "นายสมศักดิ์ ทดสอบ" and body["details"]["court"] == "ศาลแพ่ง"
    t = Transition.objects.get(request=req, action="update")
    assert t.diff == {"applicant.first_name": ["…", "…"], "applicant.phone": ["…", "…"],
                      "details.court": [DETAILS["LIT"]["court"], "ศาลแพ่ง"]}
    [rev] = PersonRevision.objects.filter(person=req.applicant_id)
    assert (rev.reason, rev.previous) == ("correction", {"first_name": "สมปอง", "phone": "+66812345678"})  # E.164


def test_patch_one_part_at_a_time_and_the_current_id_may_be_sent(make_request: Any, api_client: Any) -> None:
    req = make_request()
    client = api_client("officer.cm")
    resp = patch(client, req, {"version": 1, "details": dict(DETAILS["LIT"], case_number="พ.1/2570")})
    assert resp.status_code == 200 and resp.json()["version"] == 2
    nid = thai_id.format_id(req.applicant.national_id)  # typed with dashes: still the same person
    resp = patch(client, req, {"version": 2, "applicant": applicant_body(req, national_id=nid, last_name="ใหม่")})
    assert resp.status_code == 200, resp.json()
    assert resp.json()["version"] == 3 and resp.json()["applicant_name"] == "นายสมปอง ใหม่"
    assert Request.objects.get(pk=req.pk).details["case_number"] == "พ.1/2570"


def test_patch_with_a_stale_version_is_409_and_changes_nothing(make_request: Any, api_client: Any) -> None:
    req = make_request()
    client = api_client("officer.cm")
    assert patch(client, req, {"version": 1, "details": dict(DETAILS["LIT"], court="ศาลแพ่ง")}).status_code == 200
    resp = patch(api_client("officer2.cm"), req, {"version": 1, "applicant": applicant_body(req, first_name="ทับ")})
    assert resp.status_code == 409
    body = resp.json()
    assert body["code"] == "conflict" and "มีผู้อื่นแก้ไขคำขอนี้ไปก่อนแล้ว" in body["message_th"]
    assert "Someone else changed" in body["message_en"]
    req.refresh_from_db()
    assert req.version == 2 and req.applicant.first_name == "สมปอง"


def test_patch_with_a_stale_applicant_version_is_409_applicant_changed(make_request: Any, api_client: Any) -> None:
    req = make_request()
    client = api_client("officer.cm")
    read = client.get(f"/api/v1/requests/{req.pk}").json()
    assert read["applicant_version"] == 1
    make_request(office="40", applicant={"national_id": req.applicant.national_id, "first_name": "มานี"})
    body = {"version": read["version"], "applicant_version": 1, "applicant": applicant_body(req, phone="0899999999")}
    resp = patch(client, req, body)
    assert resp.status_code == 409 and resp.json()["code"] == "applicant_changed"
    req.refresh_from_db()
    assert (req.applicant.first_name, req.applicant.phone, req.applicant.version) == ("มานี", "+66812345678", 2)
    resp = patch(client, req, {**body, "applicant_version": 2, "applicant": applicant_body(req, phone="0899999999")})
    assert resp.status_code == 200 and resp.json()["applicant_version"] == 3


def test_patch_of_the_applicant_without_applicant_version_is_422(make_request: Any, api_client: Any) -> None:
    req = make_request()
    resp = patch(api_client("officer.cm"), req, {"version": 1, "applicant": applicant_body(req, first_name="ทับ")},
                 read_applicant_version=False)
    assert resp.status_code == 422 and "applicant_version" in fields(resp)
    assert Person.objects.get(pk=req.applicant_id).first_name == "สมปอง"


def test_patch_keeps_the_detainee_id_sent_back_masked_or_left_out(make_request: Any, api_client: Any) -> None:
    """The API shows the detainee's ID masked; details are sent whole, so the masked value (or no
    value) keeps the one on file, and no history or output carries the full ID."""
    req = make_request(service="BAIL", details=dict(DETAILS["BAIL"], detainee_national_id=new_national_id()))
    full = req.details["detainee_national_id"]
    client = api_client("officer.cm")
    shown = client.get(f"/api/v1/requests/{req.pk}").json()["details"]
    assert shown["detainee_national_id"] == thai_id.mask(full)
    resp = patch(client, req, {"version": 1, "details": dict(shown, charge="ลักทรัพย์ (แก้ไข)")})
    assert resp.status_code == 200, resp.content
    left_out = {k: v for k, v in shown.items() if k != "detainee_national_id"}
    resp = patch(client, req, {"version": 2, "details": dict(left_out, charge="ลักทรัพย์")})
    assert resp.status_code == 200, resp.content
    req.refresh_from_db()
    assert req.details["detainee_national_id"] == full
    other = new_national_id()
    resp = patch(client, req, {"version": 3, "details": dict(shown, detainee_national_id=other)})
    assert resp.status_code == 200
    t = Transition.objects.filter(request=req, action="update").last()
    assert t is not None and t.diff["details.detainee_national_id"] == ["…", "…"]
    history = client.get(f"/api/v1/requests/{req.pk}/transitions").text
    assert full not in history and other not in history


def test_patch_bad_applicant_is_422_naming_the_field(make_request: Any, api_client: Any) -> None:
    req = make_request()
    client = api_client("officer.cm")
    # fits the schema, breaks the rules: the service names the field
    resp = patch(client, req, {"version": 1, "applicant": applicant_body(req, birth_date="2999-01-01", last_name=" ")})
    assert resp.status_code == 422
    errors = fields(resp)
    assert errors["birth_date"]["message_en"] == "Birth date cannot be in the future"
    assert errors["last_name"]["message_th"] == "กรุณากรอกนามสกุลผู้ขอรับความช่วยเหลือ"
    # does not fit the schema: bounded by the column, choices read from the model
    resp = patch(client, req, {"version": 1, "applicant": applicant_body(req, sex="Q", first_name="ก" * 101)})
    assert resp.status_code == 422 and resp.json()["code"] == "invalid_input"
    assert {"applicant.sex", "applicant.first_name"} <= set(fields(resp))
    assert Request.objects.get(pk=req.pk).version == 1


def test_patch_bad_details_is_422_naming_the_field(make_request: Any, api_client: Any) -> None:
    req = make_request()
    resp = patch(api_client("officer.cm"), req, {"version": 1, "details": dict(DETAILS["LIT"], court="ศ", extra=1)})
    assert resp.status_code == 422
    errors = fields(resp)
    assert errors["details.court"]["message_en"] == "Must be at least 2 characters"
    assert errors["details.extra"]["message_th"] == "ไม่รู้จักช่องข้อมูลนี้"
    assert Request.objects.get(pk=req.pk).details == req.details


def test_patch_refuses_a_different_national_id(make_request: Any, api_client: Any) -> None:
    req = make_request()
    other = new_national_id()
    for nid in (other, "1234567890123", ""):
        resp = patch(api_client("officer.cm"), req, {"version": 1, "applicant": applicant_body(req, national_id=nid)})
        assert resp.status_code == 422, nid
        body = resp.json()
        assert "not a correction" in body["message_en"] and "ไม่ใช่การแก้ไขข้อมูล" in body["message_th"]
        assert fields(resp)["national_id"]["message_en"] == body["message_en"]
    req.refresh_from_db()
    assert req.applicant.national_id != other and req.version == 1
    assert not PersonRevision.objects.filter(person=req.applicant_id).exists()


def test_patch_needs_the_applicant_or_the_details(make_request: Any, api_client: Any) -> None:
    req = make_request()
    client = api_client("officer.cm")
    for body in ({"version": 1}, {"version": 1, "applicant": None, "details": None}):
        resp = patch(client, req, body)
        assert resp.status_code == 422, body
        assert set(fields(resp)) == {"applicant", "details"}
        assert resp.json()["message_en"] == "Send applicant or details (or both)"
    # a field the API does not take is named, not ignored (the state changes only by an action)
    resp = patch(client, req, {"version": 1, "state": "closed"})
    assert resp.status_code == 422 and set(fields(resp)) == {"state"}
    resp = patch(client, req, {"details": DETAILS["LIT"]})
    assert resp.status_code == 422 and "version" in fields(resp)


def test_patch_outside_the_caller_s_offices_is_404(make_request: Any, api_client: Any) -> None:
    req = make_request()
    resp = patch(api_client("officer.kk"), req, {"version": 1, "details": dict(DETAILS["LIT"], court="ศาลแพ่ง")})
    assert resp.status_code == 404 and resp.json()["code"] == "not_found"
    assert patch(api_client("officer.kk"), req, {"version": 1}).status_code == 404


def test_patch_with_a_read_only_token_is_refused(make_request: Any, api_client: Any) -> None:
    req = make_request()
    for username in ("executive", "auditor"):
        resp = patch(api_client(username), req, {"version": 1, "details": dict(DETAILS["LIT"], court="ศาลแพ่ง")})
        assert resp.status_code == 403, username
        assert resp.json()["code"] == "forbidden" and resp.json()["message_en"]
    assert Request.objects.get(pk=req.pk).version == 1


def test_patch_a_closed_request_is_refused(make_request: Any, api_client: Any, act: Any) -> None:
    req = make_request()
    req = act(req, "officer.cm", "withdraw", comment="ผู้ขอถอนคำขอ")
    resp = patch(api_client("officer.cm"), req, {"version": req.version, "details": dict(DETAILS["LIT"], court="ศาลแพ่ง")})
    assert resp.status_code == 422 and "closed" in resp.json()["message_en"]
