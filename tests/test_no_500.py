"""No input answers a 500: the two found by hand (a NUL byte in `office`, looked up before the NUL
check, which PostgreSQL refuses with an error; `details` nested 500 levels deep, a RecursionError in
the NUL walk) answer 4xx, and every error, 500 included, has the documented bilingual JSON shape."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from jfs.cases import selectors
from tests.test_api_hardening import body, post_json

pytestmark = pytest.mark.django_db

SHAPE = {"code", "message_th", "message_en", "errors"}


def nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth):
        value = {"a": value}
    return value


def assert_error_shape(resp: Any, status: int) -> dict[str, Any]:
    assert resp.status_code == status, (resp.status_code, resp.content[:500])
    assert resp["Content-Type"].startswith("application/json")
    out = resp.json()
    assert set(out) == SHAPE
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in out["message_th"]) and out["message_en"].isascii()
    return out


def test_a_nul_byte_in_the_office_is_a_422_before_any_query(api_client: Any, django_assert_max_num_queries: Any) -> None:
    client = api_client("officer.cm")
    with django_assert_max_num_queries(3):  # the token's look-ups only: no office query with a NUL in it
        resp = post_json(client, "/api/v1/requests", body(office="5\x000"))
    out = assert_error_shape(resp, 422)
    assert [e["field"] for e in out["errors"]] == ["office"]


@pytest.mark.parametrize("where", ["applicant.first_name", "details.charge", "representative_name"])
def test_a_nul_anywhere_in_the_body_names_its_field(api_client: Any, where: str) -> None:
    b = body()
    part, _, key = where.rpartition(".")
    target = b[part] if part else b
    target[key] = "ก\x00ข"
    out = assert_error_shape(post_json(api_client("officer.cm"), "/api/v1/requests", b), 422)
    assert [e["field"] for e in out["errors"]] == [where]


def test_a_nul_in_a_key_is_refused_too(api_client: Any) -> None:
    b = body()
    b["details"]["ch\x00arge"] = "x"
    assert_error_shape(post_json(api_client("officer.cm"), "/api/v1/requests", b), 422)


@pytest.mark.parametrize("depth", [9, 500, 5000])
def test_details_nested_deeply_are_refused_with_the_error_shape(api_client: Any, depth: int) -> None:
    b = body()
    b["details"] = "@DETAILS@"
    text = json.dumps(b).replace('"@DETAILS@"', '{"a":' * depth + "{}" + "}" * depth)  # json.dumps recurses
    resp = api_client("officer.cm").post("/api/v1/requests", text, content_type="application/json")
    # json.loads itself gives up past about 1,000 levels: a 400 (unreadable body) then
    assert resp.status_code in (400, 422)
    out = assert_error_shape(resp, resp.status_code)
    if resp.status_code == 422:
        assert out["errors"][0]["field"].startswith("details")


def test_a_correction_nested_deeply_is_refused(api_client: Any, make_request: Any) -> None:
    req = make_request()
    resp = api_client("officer.cm").patch(f"/api/v1/requests/{req.pk}", json.dumps(
        {"version": req.version, "details": nested(500)}), content_type="application/json")
    assert_error_shape(resp, 422)


def test_too_many_values_are_refused(api_client: Any) -> None:
    b = body()
    b["details"] = {"charge": ["x"] * 6000}
    assert_error_shape(post_json(api_client("officer.cm"), "/api/v1/requests", b), 422)


def test_the_service_bounds_nesting_for_every_caller(users: Any) -> None:
    """The rule lives in the service: a caller other than the API gets the same refusal."""
    from jfs.cases import services
    from jfs.cases.errors import InvalidInput

    with pytest.raises(InvalidInput) as exc:
        services.refuse_nul({"details": nested(5000)})
    assert exc.value.errors[0]["field"].startswith("details")


def test_a_body_over_the_size_limit_is_a_413(api_client: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    b = body()
    b["details"]["charge"] = "ก" * 2000
    assert_error_shape(post_json(api_client("officer.cm"), "/api/v1/requests", b), 413)


def test_an_unreadable_body_is_a_400(api_client: Any) -> None:
    resp = api_client("officer.cm").post("/api/v1/requests", "{not json", content_type="application/json")
    assert_error_shape(resp, 400)


def test_an_unforeseen_failure_is_a_500_in_the_error_shape_and_logged_without_personal_data(
        api_client: Any, monkeypatch: Any, caplog: Any) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom for 1101700203450")

    monkeypatch.setattr(selectors, "visible_requests", broken)
    resp = api_client("officer.cm").get("/api/v1/requests")
    out = assert_error_shape(resp, 500)
    assert out["code"] == "server_error"
    assert "boom" not in resp.content.decode()
    assert "RuntimeError" in caplog.text


def test_every_operation_documents_401_404_422_and_500() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            codes = set(op["responses"])
            assert {"401", "404", "422", "500"} <= codes, (method, path, codes)
            if method in {"patch", "put", "delete"} or (method == "post" and not path.endswith("/search")):
                assert {"400", "403"} <= codes, (method, path, codes)


def test_pages_answer_a_nul_in_the_url_without_a_500(staff_client: Client) -> None:
    for url in ("/staff/requests/?office=5%000", "/staff/overdue/?office=%00", "/staff/dashboard/?office=%00"):
        assert staff_client.get(url).status_code < 500, url


def test_a_form_sent_without_its_csrf_token_gets_a_page_in_thai_and_english() -> None:
    resp = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x", "password": "y"})
    assert resp.status_code == 403
    html = resp.content.decode()
    assert "แบบฟอร์มหมดอายุ" in html and "The form has expired" in html
