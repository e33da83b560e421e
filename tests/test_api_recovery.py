"""The recovery API (tag ``recovery``): the same rules as the pages, refusals in the project's error
shape, the PromptPay payload valid, the bank file reconciled once, the absconder figures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from jfs.core import clock
from jfs.recovery import models as m
from jfslib import promptpay
from tests.test_recovery import deposited

pytestmark = pytest.mark.django_db


def test_the_recovery_walk_through_the_api(make_request: Any, users: dict[str, Any], api_client: Any) -> None:
    rec = deposited(make_request, users, "40000")
    finance, officer, head = api_client("finance.cm"), api_client("officer.cm"), api_client("head.cm")
    today = clock.today().isoformat()
    base = f"/api/v1/bail-records/{rec.pk}"
    body = {"key": "abs-1", "absconded_on": today, "order": "forfeiture", "court_name": "ศาลจังหวัดเชียงใหม่",
            "order_reference": "12/2569", "ordered_on": today, "amount": "40000.01"}
    over = finance.post(f"{base}/abscondence", body, content_type="application/json")
    assert over.status_code == 422 and over.json()["errors"][0]["field"] == "amount"
    assert officer.post(f"{base}/abscondence", {**body, "amount": "1"},
                        content_type="application/json").status_code == 403
    ok = finance.post(f"{base}/abscondence", {**body, "amount": "40000"}, content_type="application/json")
    assert ok.status_code == 201 and Decimal(ok.json()["abscondence"]["owed"]) == 40000
    assert officer.post(f"{base}/tracings", {"on": today, "result": "not_traced"},
                        content_type="application/json").status_code == 201
    assert officer.post(f"{base}/civil-suits", {"filed_on": today, "court_name": "ศาลจังหวัดเชียงใหม่",
                                                "case_number": "ผบ.1/2569", "claim": "40000", "judgement_on": today,
                                                "judgement_amount": "40000"},
                        content_type="application/json").status_code == 201
    plan = officer.post(f"{base}/repayment-plans", {"agreed_on": today, "basis": "คำพิพากษา", "instalments": [
        {"due_on": today, "amount": "10000"}, {"due_on": today, "amount": "10000"}]}, content_type="application/json")
    assert plan.status_code == 201
    first = plan.json()["abscondence"]["plans"][0]["instalments"][0]
    qr = finance.get(f"/api/v1/instalments/{first['id']}/promptpay").json()
    assert promptpay.parse(qr["payload"]).ref1 == first["reference"]
    csv = f"transaction_id,paid_at,ref1,ref2,amount\nT1,{today},{first['reference']},,10000.00\nT2,{today},ZZZ,,5\n"
    imported = finance.post("/api/v1/reconciliation/imports", {"file_name": "b.csv", "content": csv},
                            content_type="application/json").json()
    assert (imported["posted"], imported["quarantined"]) == (1, 1)
    again = finance.post("/api/v1/reconciliation/imports", {"file_name": "b.csv", "content": csv},
                         content_type="application/json").json()
    assert again["posted"] == 0 and [r["reason"] for r in again["lines"]] == [m.DUPLICATE, m.NO_MATCH]
    over_limit = head.post(f"{base}/write-offs", {"key": "w", "tier": "provincial_head", "amount": "30000.01",
                                                  "on": today, "decision_reference": "1/2569", "reason": "x"},
                           content_type="application/json")
    assert over_limit.status_code == 422
    done = head.post(f"{base}/write-offs", {"key": "w", "tier": "provincial_head", "amount": "30000", "on": today,
                                            "decision_reference": "1/2569", "reason": "ไม่มีทรัพย์สิน"},
                     content_type="application/json")
    assert done.status_code == 201 and done.json()["status"] == "closed" and Decimal(done.json()["abscondence"]["owed"]) == 0
    report = api_client("executive").get("/api/v1/reports/absconders").json()
    assert report[0]["absconders"] == 1 and Decimal(report[0]["recovered"]) == 10000
    assert api_client("officer.kk").get(f"{base}/recovery").status_code == 404
    assert api_client("executive").get("/api/v1/reports/absconders?year=1").status_code == 422
