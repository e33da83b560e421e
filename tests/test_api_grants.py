"""The grants API: the walk from the assessment to the return, through the services' rules, and
its refusals (an instalment before its report, a return above what was paid, a replayed payment)."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from jfs.core import clock
from jfs.finance import models as fm
from tests.decisions_support import decide_at_a_meeting, to_consideration
from tests.test_grants import PROJECT, SCORES, STEPS_ON, STEPS_TO_FACT_FINDING, _upload

pytestmark = pytest.mark.django_db


def _post(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1{path}", data=json.dumps(body), content_type="application/json")


def test_the_grant_through_the_api(make_request: Any, users: dict[str, Any], api_client: Any) -> None:
    officer, finance = api_client("officer.cm"), api_client("finance.cm")
    req = to_consideration(make_request(service="PROJECT", details=PROJECT), users, STEPS_TO_FACT_FINDING)
    bad = _post(officer, f"/requests/{req.pk}/assessment", {"scores": {}, "recommendation": "support"})
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} >= {"scores.relevance"}
    ok = _post(officer, f"/requests/{req.pk}/assessment", {"scores": SCORES, "recommendation": "support"})
    assert ok.status_code == 201 and ok.json()["total"] == 20
    req = decide_at_a_meeting(to_consideration(req, users, STEPS_ON), users, outcome="approved", reason_codes=["A01"])
    today = clock.today()
    body: dict[str, Any] = {"number": "API-1", "signed_on": str(today), "period_start": str(today),
            "period_end": str(today + timedelta(days=90)), "signed_for_grantee": "ผู้แทน",
            "instalments": [{"amount": "70000"}, {"amount": "30000.01"}]}
    assert _post(officer, f"/requests/{req.pk}/grant-agreement", body).status_code == 422
    body["instalments"][1]["amount"] = "30000"
    made = _post(officer, f"/requests/{req.pk}/grant-agreement", body)
    assert made.status_code == 201, made.json()
    grant = made.json()
    first, second = grant["instalments"]
    assert _post(officer, f"/grant-instalments/{first['id']}/payment",
                 {"key": "a", "on": str(today), "method": "transfer"}).status_code == 403
    paid = _post(finance, f"/grant-instalments/{first['id']}/payment", {"key": "a", "on": str(today), "method": "transfer"})
    assert paid.status_code == 200 and Decimal(paid.json()["paid"]) == Decimal("70000")
    again = _post(finance, f"/grant-instalments/{first['id']}/payment", {"key": "a", "on": str(today), "method": "transfer"})
    assert again.status_code == 200 and fm.Entry.objects.filter(kind=fm.DISBURSEMENT, request=req).count() == 2
    early = _post(finance, f"/grant-instalments/{second['id']}/payment", {"key": "b", "on": str(today), "method": "transfer"})
    assert early.status_code == 422 and "progress report 1" in early.json()["message_en"]
    report = {"received_on": str(today), "period_from": str(today), "period_to": str(today), "activities": "อบรม",
              "people_reached": 30, "spent": "50000", "document_id": _upload(req, users, "progress_report")}
    assert _post(officer, f"/grants/{grant['id']}/progress-reports", report).status_code == 201
    assert _post(finance, f"/grant-instalments/{second['id']}/payment",
                 {"key": "b", "on": str(today), "method": "transfer"}).status_code == 200
    too_much = _post(finance, f"/grants/{grant['id']}/returns",
                     {"key": "r", "amount": "100000.01", "on": str(today), "receipt_number": "RC-1"})
    assert too_much.status_code == 422
    back = _post(finance, f"/grants/{grant['id']}/returns",
                 {"key": "r", "amount": "1000", "on": str(today), "receipt_number": "RC-1"})
    assert back.status_code == 201 and Decimal(back.json()["returned"]) == Decimal("1000")
    listed = officer.get("/api/v1/grants")
    assert listed.status_code == 200 and listed.json()["count"] == 1
    assert api_client("officer.kk").get(f"/api/v1/grants/{grant['id']}").status_code == 404
    history = officer.get("/api/v1/grantees/history", {"registration_no": PROJECT["organisation_registration_no"]})
    assert history.status_code == 200 and history.json()[0]["instalments_paid"] == 2
