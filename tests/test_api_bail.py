"""The bail API (issue 11, item 2): records, orders, deposits, hearings, appearances and returns,
through the services (the pages' rules), with the project's error shape and least privilege."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from jfs.bail import models as bm
from jfs.core import clock
from tests.bail_support import approved_bail

pytestmark = pytest.mark.django_db


def _post(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1{url}", json.dumps(body), content_type="application/json")


def test_a_bail_record_through_the_api(make_request: Any, users: dict[str, Any], api_client: Any) -> None:
    req = approved_bail(make_request, users)
    officer, finance = api_client("officer.cm"), api_client("finance.cm")
    today = clock.today().isoformat()
    resp = _post(officer, f"/requests/{req.pk}/bail-record",
                 {"contract_number": "สป.9/2569", "contract_on": today, "obligations": "มาศาลทุกนัด"})
    assert resp.status_code == 201, resp.content
    rec = resp.json()
    assert rec["status"] == "contracted" and rec["money"]["approved"] == "50000.00"
    assert rec["released_name"] == "นายทดสอบ ประกันตัว" and rec["authority_name"] == "ศาลจังหวัดเชียงใหม่"
    rid = rec["id"]
    assert _post(officer, f"/bail-records/{rid}/deposits",
                 {"amount": "50000", "on": today, "receipt_number": "R1", "key": "k1"}).status_code == 403
    over = _post(finance, f"/bail-records/{rid}/deposits",
                 {"amount": "50000.01", "on": today, "receipt_number": "R1", "key": "k1"})
    assert over.status_code == 422 and over.json()["errors"][0]["field"] == "amount"
    assert "further approval" in over.json()["message_en"]
    body = {"amount": "50000", "on": today, "receipt_number": "R1", "key": "k1"}
    first = _post(finance, f"/bail-records/{rid}/deposits", body)
    again = _post(finance, f"/bail-records/{rid}/deposits", body)
    assert first.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert bm.BailDeposit.objects.count() == 1
    stale = _post(officer, f"/bail-records/{rid}/orders", {"kind": "release", "ordered_on": today,
                                                           "expected_version": 1})
    assert stale.status_code == 409
    assert _post(officer, f"/bail-records/{rid}/orders", {"kind": "forfeiture", "ordered_on": today}).status_code == 422
    assert _post(officer, f"/bail-records/{rid}/orders", {"kind": "release", "ordered_on": today}).status_code == 201
    at = (clock.now() + timedelta(days=1)).isoformat()
    hearing = _post(officer, f"/bail-records/{rid}/hearings", {"at": at, "place": "ศาลจังหวัดเชียงใหม่"})
    assert hearing.status_code == 201
    with time_machine.travel(clock.now() + timedelta(days=2)):
        seen = _post(officer, f"/hearings/{hearing.json()['id']}/appearance", {"appeared": True})
        assert seen.status_code == 200 and seen.json()["appeared"] is True
    assert _post(officer, f"/bail-records/{rid}/orders", {"kind": "case_ended", "ordered_on": today}).status_code == 201
    no_receipt = _post(finance, f"/bail-records/{rid}/returns",
                       {"amount": "50000", "on": today, "reason": "case_ended", "key": "back"})
    assert no_receipt.status_code == 422
    assert [e["field"] for e in no_receipt.json()["errors"]] == ["court_receipt_number"]
    back = _post(finance, f"/bail-records/{rid}/returns", {"amount": "50000", "on": today, "reason": "case_ended",
                                                           "key": "back", "court_receipt_number": "ศาล 1/2569"})
    assert back.status_code == 201
    got = finance.get(f"/api/v1/bail-records/{rid}").json()
    assert got["status"] == "returned" and got["money"]["still_out"] == "0.00" and len(got["hearings"]) == 1
    listed = api_client("auditor").get("/api/v1/bail-records?status=returned").json()
    assert listed["count"] == 1 and listed["items"][0]["request_number"] == req.number


def test_other_offices_and_unknown_filters(make_request: Any, users: dict[str, Any], api_client: Any) -> None:
    req = approved_bail(make_request, users)
    body = {"contract_number": "สป.9/2569", "contract_on": clock.today().isoformat(), "obligations": "มาศาล"}
    assert _post(api_client("officer.kk"), f"/requests/{req.pk}/bail-record", body).status_code == 404
    assert _post(api_client("officer.cm", scope="read"), f"/requests/{req.pk}/bail-record", body).status_code == 403
    rid = _post(api_client("officer.central"), f"/requests/{req.pk}/bail-record", body).json()["id"]
    assert api_client("officer.kk").get(f"/api/v1/bail-records/{rid}").status_code == 404
    assert api_client("officer.kk").get("/api/v1/bail-records").json()["count"] == 0
    assert api_client("officer.cm").get("/api/v1/bail-records?stauts=x").status_code == 422
