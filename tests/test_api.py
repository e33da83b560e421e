"""The REST API: schema, bearer tokens, the request round trip, reference data."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jfs.accounts.models import ApiToken
from jfs.accounts.tokens import issue, user_for
from jfs.cases.models import Request, Transition
from jfslib import thai_id
from tests.conftest import new_national_id

pytestmark = pytest.mark.django_db


def post_json(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def new_request_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "service": "BAIL", "office": "50", "channel": "api",
        "applicant": {
            "national_id": new_national_id("1"), "title": "นาย", "first_name": "ประกัน", "last_name": "ตัวได้",
            "birth_date": "1990-01-31", "sex": "M", "province_code": "50", "district_code": "5001",
            "subdistrict_code": "500102", "phone": "0891234567", "monthly_income": 5000, "household_size": 2,
        },
        "details": {"detainee_name": "นายประกัน ตัวได้", "charge": "ลักทรัพย์", "held_at": "สภ.เมืองเชียงใหม่",
                    "authority": "police", "authority_name": "สภ.เมืองเชียงใหม่", "bail_amount": "30000"},
    }
    body.update(overrides)
    return body


# --------------------------------------------------------------------------- schema


def test_openapi_schema_lists_the_paths() -> None:
    resp = Client().get("/api/v1/openapi.json")
    assert resp.status_code == 200
    schema = resp.json()
    paths = schema["paths"]
    for path in ("/api/v1/requests", "/api/v1/requests/{request_id}", "/api/v1/requests/{request_id}/transitions",
                 "/api/v1/requests/{request_id}/documents", "/api/v1/reference/services", "/api/v1/reference/offices",
                 "/api/v1/reference/reasons", "/api/v1/reference/provinces",
                 "/api/v1/reference/provinces/{code}/districts", "/api/v1/reference/districts/{code}/subdistricts"):
        assert path in paths, path
    assert set(paths["/api/v1/requests"]) == {"get", "post"}
    assert set(paths["/api/v1/requests/{request_id}/transitions"]) == {"get", "post"}
    assert any(s.get("scheme") == "bearer" for s in schema["components"]["securitySchemes"].values())
    assert "409" in paths["/api/v1/requests/{request_id}/transitions"]["post"]["responses"]


def test_openapi_examples_are_valid_national_ids() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    examples = schema["components"]["schemas"]["ApplicantIn"]["properties"]["national_id"]["examples"]
    assert examples and all(thai_id.is_valid(e) for e in examples)


def test_openapi_documents_field_errors_in_both_languages() -> None:
    schemas = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    item = schemas["ErrorOut"]["properties"]["errors"]["items"]
    assert item == {"$ref": "#/components/schemas/FieldErrorOut"}
    field_error = schemas["FieldErrorOut"]
    assert set(field_error["properties"]) == {"field", "message_th", "message_en"}
    assert set(field_error["required"]) == {"field", "message_th", "message_en"}


# --------------------------------------------------------------------------- tokens


def test_no_token_is_401() -> None:
    for url in ("/api/v1/requests", "/api/v1/reference/services", "/api/v1/requests/1"):
        assert Client().get(url).status_code == 401, url
    assert post_json(Client(), "/api/v1/requests", new_request_body()).status_code == 401


def test_refusals_of_the_framework_come_in_the_same_bilingual_shape(api_client: Any) -> None:
    """No token, an unreadable body and an unknown province answer like every other error."""
    refusals = [
        (Client().get("/api/v1/requests"), 401, "unauthorized"),
        (api_client("intake.cm").post("/api/v1/requests", "{not json", content_type="application/json"), 400,
         "bad_request"),
        (api_client("intake.cm").get("/api/v1/reference/provinces/99/districts"), 404, "not_found"),
    ]
    for resp, status, code in refusals:
        body = resp.json()
        assert resp.status_code == status and body["code"] == code, body
        assert set(body) == {"code", "message_th", "message_en", "errors"}
        assert any("\u0e00" <= ch <= "\u0e7f" for ch in body["message_th"])
        assert body["message_en"].isascii()


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer jfs_not-a-real-token", "Token abc", "Bearer ", "Basic dXNlcjpwYXNz"])
def test_bad_token_is_401(header: str, users: Any) -> None:
    assert Client(headers={"authorization": header}).get("/api/v1/requests").status_code == 401


def test_valid_token_authenticates_as_its_user(users: Any) -> None:
    raw = issue(users["officer.cm"], "script")
    assert raw.startswith("jfs_")
    tok = ApiToken.objects.get()
    assert raw not in (tok.key_hash, tok.prefix) and len(tok.key_hash) == 64  # only the hash is kept
    assert user_for(raw) == users["officer.cm"]
    resp = Client(headers={"authorization": f"Bearer {raw}"}).get("/api/v1/requests")
    assert resp.status_code == 200
    tok.refresh_from_db()
    assert tok.last_used_at is not None


def test_revoked_token_and_inactive_user_are_401(users: Any) -> None:
    raw = issue(users["officer.cm"], "script")
    client = Client(headers={"authorization": f"Bearer {raw}"})
    assert client.get("/api/v1/requests").status_code == 200
    ApiToken.objects.update(revoked_at=timezone.now())
    assert client.get("/api/v1/requests").status_code == 401
    raw2 = issue(users["officer2.cm"], "script")
    users["officer2.cm"].is_active = False
    users["officer2.cm"].save()
    assert Client(headers={"authorization": f"Bearer {raw2}"}).get("/api/v1/requests").status_code == 401


def test_session_cookie_alone_does_not_open_the_api(staff_client: Client) -> None:
    assert staff_client.get("/api/v1/requests").status_code == 401


# --------------------------------------------------------------------------- round trip


def test_create_then_transition_then_list_transitions(api_client: Any, users: Any) -> None:
    client = api_client("intake.cm")
    body = new_request_body()
    resp = post_json(client, "/api/v1/requests", body)
    assert resp.status_code == 201, resp.content
    created = resp.json()
    assert created["number"].startswith("JF2-50-") and created["state"] == "received" and created["version"] == 1
    assert created["state_th"] == "รับคำขอ" and created["state_en"] == "Received"
    assert created["amount_requested"] == 30000.0 and created["office"] == "50"
    assert created["applicant_national_id_masked"] == thai_id.mask(body["applicant"]["national_id"])
    assert body["applicant"]["national_id"] not in json.dumps(created)
    req = Request.objects.get(pk=created["id"])
    assert req.channel == "api" and req.created_by == users["intake.cm"]

    resp = post_json(client, f"/api/v1/requests/{created['id']}/transitions",
                     {"action": "request_documents", "version": 1, "comment": "ขอหมายขัง"})
    assert resp.status_code == 200
    moved = resp.json()
    assert moved["state"] == "awaiting_documents" and moved["version"] == 2 and moved["due_on"] is None

    resp = post_json(client, f"/api/v1/requests/{created['id']}/transitions",
                     {"action": "documents_received", "version": 2, "outcome": "approved", "reason_code": "A01"})
    assert resp.json()["state"] == "received" and resp.json()["outcome"] == ""
    # an outcome sent with an action that decides nothing is not recorded
    assert Transition.objects.get(request_id=created["id"], action="documents_received").fields == {}

    history = client.get(f"/api/v1/requests/{created['id']}/transitions").json()
    assert [(t["action"], t["from_state"], t["to_state"]) for t in history] == [
        ("create", "", "received"),
        ("request_documents", "received", "awaiting_documents"),
        ("documents_received", "awaiting_documents", "received"),
    ]
    assert history[1]["comment"] == "ขอหมายขัง" and history[1]["actor"] == "intake.cm"
    assert history[1]["diff"]["state"] == ["received", "awaiting_documents"]

    got = client.get(f"/api/v1/requests/{created['id']}").json()
    assert got["version"] == 3 and got["state"] == "received"


def test_list_filters_and_pagination(api_client: Any, make_request: Any) -> None:
    lit = [make_request() for _ in range(3)]
    bail = make_request(service="BAIL")
    client = api_client("officer.cm")
    data = client.get("/api/v1/requests").json()
    assert data["count"] == 4
    assert client.get("/api/v1/requests", {"service": "BAIL"}).json()["items"][0]["number"] == bail.number
    page = client.get("/api/v1/requests", {"service": "LIT", "limit": 2, "offset": 0}).json()
    rest = client.get("/api/v1/requests", {"service": "LIT", "limit": 2, "offset": 2}).json()
    assert page["count"] == 3 and len(page["items"]) == 2 and len(rest["items"]) == 1
    assert {i["number"] for i in page["items"] + rest["items"]} == {r.number for r in lit}
    by_number = client.get("/api/v1/requests", {"q": lit[0].number}).json()
    assert [i["number"] for i in by_number["items"]] == [lit[0].number]
    # by national ID: in a POST body, never in the URL (GET answers 422, see test_validation_rules)
    by_id = client.post("/api/v1/requests/search", {"q": thai_id.format_id(lit[1].applicant.national_id)},
                        content_type="application/json").json()
    assert [i["number"] for i in by_id["items"]] == [lit[1].number]
    assert client.get("/api/v1/requests", {"state": "closed"}).json()["count"] == 0
    fy = lit[0].fiscal_year
    assert client.get("/api/v1/requests", {"fiscal_year": str(fy)}).json()["count"] == 4
    assert client.get("/api/v1/requests", {"fiscal_year": str(fy - 1)}).json()["count"] == 0


def test_request_numbers_run_per_service_office_and_fiscal_year(make_request: Any) -> None:
    a, b = make_request(), make_request()
    c = make_request(service="BAIL")
    d = make_request(office="40")
    fy = a.fiscal_year
    assert [a.number, b.number] == [f"JF1-50-{fy}-00001", f"JF1-50-{fy}-00002"]
    assert c.number == f"JF2-50-{fy}-00001" and d.number == f"JF1-40-{fy}-00001"


# --------------------------------------------------------------------------- reference data


def test_reference_services(api_client: Any) -> None:
    data = api_client("officer.cm").get("/api/v1/reference/services").json()
    by_code = {s["code"]: s for s in data}
    assert set(by_code) == {"LIT", "BAIL", "HR", "PROJECT", "CONSULT"}
    lit = by_code["LIT"]
    assert lit["standard_days"] == 21 and lit["initial"] == "received"
    assert {"code": "accept", "to": "fact_finding"}.items() <= next(a for a in lit["actions"] if a["code"] == "accept").items()
    assert "case_kind" in lit["details_schema"]["properties"]
    assert any(d["code"] == "id_card" and d["required"] for d in lit["documents"])


def test_reference_offices_reasons_and_geography(api_client: Any) -> None:
    client = api_client("officer.cm")
    offices = client.get("/api/v1/reference/offices").json()
    assert len(offices) == 77 and sum(o["is_central"] for o in offices) == 1
    assert not any(o["code"] == "10" for o in offices)  # Bangkok is served by the central office
    reasons = client.get("/api/v1/reference/reasons").json()
    assert {"A01", "R01", "T01"} <= {r["code"] for r in reasons} and all(r["basis"] for r in reasons)
    provinces = client.get("/api/v1/reference/provinces").json()
    assert len(provinces) == 77 and {"code": "50", "th": "เชียงใหม่", "en": "Chiang Mai"} in provinces
    districts = client.get("/api/v1/reference/provinces/50/districts").json()
    assert districts[0]["code"] == "5001" and all(d["code"].startswith("50") for d in districts)
    subs = client.get("/api/v1/reference/districts/5001/subdistricts").json()
    assert subs[0]["code"] == "500101" and subs[0]["postal_codes"] == ["50200"]
    assert client.get("/api/v1/reference/provinces/99/districts").status_code == 404
    assert client.get("/api/v1/reference/districts/9999/subdistricts").status_code == 404
