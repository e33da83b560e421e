"""The lawyers' API (issue 11, item 3): the roster, engagements, milestones, payments and the result,
through the same services as the pages; refusals in the project's error shape."""

from __future__ import annotations

from typing import Any

import pytest

from jfs.audit.models import AuditEvent
from jfs.core import clock
from jfs.finance import models as fm
from jfs.lawyers import services
from tests.decisions_support import decide

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _approved(make_request: Any, users: dict[str, Any]) -> Any:
    req = make_request()
    return decide(req, users, "partially_approved", ["A01", "P01"], items={"lawyer": "10000", "court_fee": "2000"})


def _lawyer(client: Any, licence: str = "12345/2550", name: str = "นายทนาย ความดี") -> dict[str, Any]:
    resp = client.post(f"{API}/lawyers", {"name": name, "licence_no": licence, "specialities": ["civil"],
                                          "phone": "0812345678"}, content_type="application/json")
    assert resp.status_code == 201, resp.content
    return resp.json()


def test_the_roster_through_the_api(users: dict[str, Any], api_client: Any) -> None:
    officer = api_client("officer.cm")
    made = _lawyer(officer)
    assert made["office"] == "50" and made["workload"] == 0 and made["specialities"][0]["code"] == "civil"
    again = officer.post(f"{API}/lawyers", {"name": "x y", "licence_no": "12345/2550", "specialities": ["civil"]},
                         content_type="application/json")
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "licence_no"
    bad = officer.post(f"{API}/lawyers", {"name": "x y", "licence_no": "12345", "specialities": ["civil"]},
                       content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "licence_no"
    assert api_client("finance.cm").post(f"{API}/lawyers", {"name": "x y", "licence_no": "9/2550",
                                                            "specialities": ["civil"]},
                                         content_type="application/json").status_code == 403
    page = officer.get(f"{API}/lawyers", {"speciality": "civil"}).json()
    assert page["count"] == 1 and "phone" not in page["items"][0]
    assert officer.get(f"{API}/lawyers", {"specialty": "civil"}).status_code == 422  # a misspelt filter
    one = officer.get(f"{API}/lawyers/{made['id']}")
    assert one.status_code == 200 and one.json()["phone"] == "0812345678"
    assert AuditEvent.objects.filter(action="view_personal_data", object_type="lawyer").exists()
    assert api_client("officer.kk").get(f"{API}/lawyers/{made['id']}").status_code == 404


def test_engagement_milestones_payment_and_result(make_request: Any, users: dict[str, Any], api_client: Any) -> None:
    req = _approved(make_request, users)
    officer, finance = api_client("officer.cm"), api_client("finance.cm")
    lawyer = _lawyer(officer)
    url = f"{API}/requests/{req.pk}/engagements"
    above = officer.post(url, {"lawyer": lawyer["id"], "agreed_fee": "10000.01"}, content_type="application/json")
    assert above.status_code == 422 and above.json()["errors"][0]["field"] == "agreed_fee"
    made = officer.post(url, {"lawyer": lawyer["id"], "agreed_fee": "9000", "opposing_party": "นายคู่ ความ"},
                        content_type="application/json")
    assert made.status_code == 201, made.content
    eng = made.json()
    assert eng["status"] == "active" and eng["scale"]["filing"] and eng["lawyer"]["workload"] == 1
    today = clock.today().isoformat()
    ms = officer.post(f"{API}/engagements/{eng['id']}/milestones",
                      {"kind": "filing", "report_on": today, "summary": "ยื่นฟ้อง"}, content_type="application/json")
    assert ms.status_code == 201, ms.content
    milestone = ms.json()
    assert milestone["amount_due"] == eng["scale"]["filing"] and milestone["payment"] is None
    pay = {"key": "api-pay-1", "on_date": today, "method": "transfer", "reference": "TRF-1"}
    assert officer.post(f"{API}/milestones/{milestone['id']}/payment", pay,
                        content_type="application/json").status_code == 403
    paid = finance.post(f"{API}/milestones/{milestone['id']}/payment", pay, content_type="application/json")
    assert paid.status_code == 200 and paid.json()["payment"]["amount"] == milestone["amount_due"]
    again = finance.post(f"{API}/milestones/{milestone['id']}/payment", pay, content_type="application/json")
    assert again.status_code == 200 and again.json()["payment"]["entry"] == paid.json()["payment"]["entry"]
    assert fm.Entry.objects.filter(kind=fm.DISBURSEMENT).count() == 1
    other = finance.post(f"{API}/milestones/{milestone['id']}/payment", {**pay, "key": "api-pay-2"},
                         content_type="application/json")
    assert other.status_code == 409
    result = officer.post(f"{API}/engagements/{eng['id']}/result", {"result": "won", "result_on": today},
                          content_type="application/json")
    assert result.status_code == 422 and result.json()["errors"][0]["field"] == "repayment_amount"
    result = officer.post(f"{API}/engagements/{eng['id']}/result",
                          {"result": "won", "result_on": today, "repayment_amount": "1000"},
                          content_type="application/json")
    assert result.status_code == 200 and result.json()["repayment_amount"] == "1000.00"
    listed = api_client("auditor").get(url)
    assert listed.status_code == 200 and listed.json()[0]["milestones"][0]["payment"]["reference"] == "TRF-1"
    assert api_client("officer.kk").get(url).status_code == 404


def test_a_conflicted_lawyer_and_a_request_not_approved(make_request: Any, users: dict[str, Any],
                                                        api_client: Any) -> None:
    officer = api_client("officer.cm")
    lawyer = _lawyer(officer)
    pending = make_request()
    refused = officer.post(f"{API}/requests/{pending.pk}/engagements", {"lawyer": lawyer["id"], "agreed_fee": "1"},
                           content_type="application/json")
    assert refused.status_code == 409
    services.declare_conflict(actor=users["officer.cm"], lawyer_id=lawyer["id"], party_name="บริษัท คู่กรณี จำกัด")
    req = _approved(make_request, users)
    conflicted = officer.post(f"{API}/requests/{req.pk}/engagements",
                              {"lawyer": lawyer["id"], "agreed_fee": "100", "opposing_party": "บริษัท คู่กรณี จำกัด"},
                              content_type="application/json")
    assert conflicted.status_code == 422 and conflicted.json()["code"] == "lawyer_refused"
    assert "conflict" in conflicted.json()["message_en"]
