"""The API of meetings, decisions, reasons, appeals and letters (issue 10): a meeting held end to
end through the API, decisions read back with their reasons and items, the meeting's refusals in
both languages, the letter's download and the schema that documents it all."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jfs.audit.models import AuditEvent
from jfs.cases.models import Request
from jfs.core import clock
from jfs.decisions import models as m
from jfslib.thaidate import fiscal_year
from tests.decisions_support import CM_VOTERS, decide, open_meeting, seat_everyone, to_consideration

pytestmark = pytest.mark.django_db


def post_json(client: Client, url: str, body: Any = None) -> Any:
    return client.post(url, json.dumps(body if body is not None else {}), content_type="application/json")


@pytest.fixture
def seated(users: dict[str, Any]) -> dict[str, Any]:
    seat_everyone()
    return users


def _today_at(hour: int) -> str:
    return timezone.make_aware(datetime.combine(clock.today(), time(hour, 0))).isoformat()


def _schedule(secretary: Client) -> dict[str, Any]:
    resp = post_json(secretary, "/api/v1/meetings", {"committee": "P50", "scheduled_for": _today_at(9),
                                                     "place": "ห้องประชุมชั้น 2", "mode": "hybrid"})
    assert resp.status_code == 201, resp.content
    return resp.json()


def test_a_meeting_held_through_the_api_end_to_end(make_request: Any, seated: dict[str, Any], api_client: Any) -> None:
    req = to_consideration(make_request(), seated)
    secretary = api_client("secretary.cm")
    meeting = _schedule(secretary)
    assert (meeting["state"], meeting["committee"]["code"], meeting["mode"]) == ("scheduled", "P50", "hybrid")
    mid = meeting["id"]

    agenda = post_json(secretary, f"/api/v1/meetings/{mid}/agenda").json()
    [item] = [i for i in agenda["items"] if i["request"] == req.pk]
    assert (item["kind"], item["request_number"], item["summary"]["amount_requested"]) == (
        "consider", req.number, "17000.00")

    for who in CM_VOTERS[:3]:
        resp = post_json(secretary, f"/api/v1/meetings/{mid}/attendance", {"user": who})
        assert resp.status_code == 201, resp.content
    # a member joins electronically and records it themselves
    resp = post_json(api_client("member3.cm"), f"/api/v1/meetings/{mid}/attendance",
                     {"user": "member3.cm", "mode": "electronic"})
    assert resp.status_code == 201 and resp.json()["mode"] == "electronic", resp.content

    opened = post_json(secretary, f"/api/v1/meetings/{mid}/open").json()
    assert (opened["state"], opened["members_count"], opened["quorum"], opened["present"]) == ("open", 4, 3, 4)

    iid = item["id"]
    resp = post_json(api_client("member3.cm"), f"/api/v1/agenda-items/{iid}/conflicts", {"note": "เป็นญาติของคู่ความ"})
    assert resp.status_code == 201 and resp.json()["user"]["username"] == "member3.cm"
    for who, choice in (("chair.cm", "for"), ("member.cm", "for"), ("member2.cm", "against")):
        resp = post_json(api_client(who), f"/api/v1/agenda-items/{iid}/votes", {"choice": choice})
        assert resp.status_code == 201, resp.content

    resp = post_json(secretary, f"/api/v1/agenda-items/{iid}/resolution", {
        "outcome": "partially_approved", "reason_codes": ["A01", "P01"],
        "items": {"lawyer": "10000.00", "court_fee": "2000"}, "note": "ค่าทนายความเกินอัตรา"})
    assert resp.status_code == 201, resp.content
    decision = resp.json()
    assert (decision["outcome"], decision["outcome_th"], decision["outcome_en"]) == (
        "partially_approved", "อนุมัติบางส่วน", "Partly approved")
    assert (decision["amount_requested"], decision["amount_approved"]) == ("17000.00", "12000.00")
    assert decision["votes"] == {"for": 2, "against": 1, "abstain": 0}
    assert (decision["authority"], decision["committee"]["code"], decision["meeting"]) == ("meeting", "P50", mid)
    assert Request.objects.get(pk=req.pk).state == "decided"

    assert post_json(secretary, f"/api/v1/meetings/{mid}/close").json()["state"] == "closed"
    approved = post_json(api_client("chair.cm"), f"/api/v1/meetings/{mid}/minutes/approve").json()
    assert approved["state"] == "approved" and len(approved["minutes_sha256"]) == 64

    # the meeting read back: attendance with its mode, the item's conflict, votes and resolution
    got = secretary.get(f"/api/v1/meetings/{mid}")
    assert got.status_code == 200
    body = got.json()
    modes = {a["user"]["username"]: a["mode"] for a in body["attendance"]}
    assert modes["member3.cm"] == "electronic" and modes["chair.cm"] == "in_person"
    [read] = [i for i in body["items"] if i["id"] == iid]
    assert [c["user"]["username"] for c in read["conflicts"]] == ["member3.cm"]
    assert {(v["user"]["username"], v["choice"], v["mode"]) for v in read["votes"]} == {
        ("chair.cm", "for", "in_person"), ("member.cm", "for", "in_person"), ("member2.cm", "against", "in_person")}
    assert read["tally"] == {"for": 2, "against": 1, "abstain": 0}
    assert read["resolution"]["id"] == decision["id"]
    assert AuditEvent.objects.filter(action="view_personal_data", object_type="meeting",
                                     actor_id=seated["secretary.cm"].pk).exists()
    # a locked meeting refuses any change, in both languages
    refused = post_json(secretary, f"/api/v1/meetings/{mid}/close")
    assert refused.status_code == 422 and "locked" in refused.json()["message_en"]
    assert "แก้ไขไม่ได้" in refused.json()["message_th"]
    listed = secretary.get("/api/v1/meetings", {"committee": "P50", "state": "approved"}).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == mid
    assert secretary.get("/api/v1/meetings", {"state": "open"}).json()["count"] == 0


def test_decisions_and_reasons_read_back(make_request: Any, seated: dict[str, Any], api_client: Any) -> None:
    req = make_request()
    decide(req, seated, "partially_approved", ["A01", "P01"], items={"lawyer": "10000", "court_fee": "2000"},
           note="ค่าทนายความเกินอัตรา")
    officer = api_client("officer.cm")
    resp = officer.get(f"/api/v1/requests/{req.pk}/decisions")
    assert resp.status_code == 200
    [d] = resp.json()
    assert [r["code"] for r in d["reasons"]] == ["A01", "P01"]
    assert all(r["th"] and r["en"] and r["category"] and r["basis"] for r in d["reasons"])
    assert {i["key"]: (i["requested"], i["approved"]) for i in d["items"]} == {
        "lawyer": ("15000.00", "10000.00"), "court_fee": ("2000.00", "2000.00")}
    assert d["note"] == "ค่าทนายความเกินอัตรา" and d["letters"] == []
    assert AuditEvent.objects.filter(action="view_personal_data", object_type="decisions",
                                     object_id=str(req.pk)).exists()
    assert officer.get(f"/api/v1/requests/{req.pk}/appeals").json() == []
    # another office's request is not there
    assert api_client("officer.kk").get(f"/api/v1/requests/{req.pk}/decisions").status_code == 404

    catalogue = {r["code"]: r for r in officer.get("/api/v1/reference/reasons").json()}
    assert catalogue["P01"]["category"] and catalogue["P01"]["category_en"] and "partially_approved" in catalogue[
        "P01"]["outcomes"]
    assert catalogue["T03"]["cause"] == "withdrawn"
    assert any(r["other"] for r in catalogue.values())
    assert {"unconfirmed", "category_th", "basis"} <= set(catalogue["A01"])

    # counted in the fiscal year the decision was taken in (here the request's too: received today)
    assert d["fiscal_year"] == fiscal_year(date.fromisoformat(d["decided_on"]))
    report = officer.get("/api/v1/reports/decisions", {"fiscal_year": d["fiscal_year"]}).json()
    shares = {o["outcome"]: o for o in report["outcomes"]}
    assert report["total"] == 1 and shares["partially_approved"]["count"] == 1
    assert shares["partially_approved"]["share"] == 100.0 and shares["referred"]["count"] == 0
    assert report["other_only_share"] == 0.0
    assert officer.get("/api/v1/reports/decisions", {"fiscal_year": "1"}).status_code == 422
    assert officer.get("/api/v1/reports/decisions", {"year": "2569"}).status_code == 422


def test_the_transition_endpoint_takes_and_checks_the_decision_fields(
        make_request: Any, seated: dict[str, Any], api_client: Any) -> None:
    bail = to_consideration(make_request(service="BAIL"), seated)
    chair = api_client("chair.cm")
    url = f"/api/v1/requests/{bail.pk}/transitions"
    resp = post_json(chair, url, {"action": "decide_urgent", "version": bail.version, "outcome": "partially_approved",
                                  "reason_codes": ["R03"], "items": {"bail_amount": "90000"}})
    assert resp.status_code == 422, resp.content
    body = resp.json()
    assert body["code"] == "decision_incomplete"
    fields = {e["field"] for e in body["errors"]}
    assert {"reason_codes", "items.bail_amount"} <= fields
    assert all(e["message_th"] and e["message_en"] for e in body["errors"])
    resp = post_json(chair, url, {"action": "decide_urgent", "version": bail.version, "outcome": "partially_approved",
                                  "reason_codes": ["A01", "P01"], "items": {"bail_amount": "30000.00"},
                                  "comment": "ลดวงเงินประกัน"})
    assert resp.status_code == 200, resp.content
    [d] = api_client("officer.cm").get(f"/api/v1/requests/{bail.pk}/decisions").json()
    assert (d["authority"], d["amount_approved"], d["note"]) == ("chair_urgent", "30000.00", "ลดวงเงินประกัน")

    other = make_request()
    resp = post_json(api_client("officer.cm"), f"/api/v1/requests/{other.pk}/transitions", {
        "action": "refer", "version": other.version, "comment": "สภาทนายความรับดำเนินการ", "referred_to": "สภาทนายความ"})
    assert resp.status_code == 200, resp.content
    [d] = api_client("officer.cm").get(f"/api/v1/requests/{other.pk}/decisions").json()
    assert (d["outcome"], d["outcome_en"], d["referred_to"]) == ("referred", "Referred to another agency", "สภาทนายความ")
    assert [r["code"] for r in d["reasons"]] == ["F01"]
    # a value outside the schema is refused before any rule
    resp = post_json(chair, url, {"action": "decide_urgent", "version": 1, "items": {"lawyer": 100}})
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"].startswith("items")


def test_a_declared_member_is_refused_a_vote_in_both_languages(
        make_request: Any, seated: dict[str, Any], api_client: Any) -> None:
    req = to_consideration(make_request(), seated)
    meeting = open_meeting(seated)
    item = meeting.items.get(request=req)
    member = api_client("member3.cm")
    assert post_json(member, f"/api/v1/agenda-items/{item.pk}/conflicts", {"note": "ญาติ"}).status_code == 201
    resp = post_json(member, f"/api/v1/agenda-items/{item.pk}/votes", {"choice": "for"})
    assert resp.status_code == 422
    body = resp.json()
    assert body["code"] == "meeting_refused"
    assert body["message_th"] == "ท่านแจ้งส่วนได้เสียในวาระนี้ จึงลงมติไม่ได้"
    assert body["message_en"] == "You declared a conflict of interest in this item, so you may not vote on it"
    assert body["errors"][0]["field"] == "choice"
    assert not m.Vote.objects.filter(item=item).exists()
    # someone who sits on no committee does not see the item at all; a read token may not vote
    assert post_json(api_client("officer.cm"), f"/api/v1/agenda-items/{item.pk}/votes", {"choice": "for"}
                     ).status_code == 404
    resp = post_json(api_client("chair.cm", scope="read"), f"/api/v1/agenda-items/{item.pk}/votes", {"choice": "for"})
    assert resp.status_code == 403 and resp.json()["code"] == "insufficient_scope"


def test_no_quorum_is_a_422_that_says_how_many(seated: dict[str, Any], api_client: Any) -> None:
    secretary = api_client("secretary.cm")
    mid = _schedule(secretary)["id"]
    for who in ("chair.cm", "member.cm"):
        post_json(secretary, f"/api/v1/meetings/{mid}/attendance", {"user": who})
    resp = post_json(secretary, f"/api/v1/meetings/{mid}/open")
    assert resp.status_code == 422
    body = resp.json()
    assert body["code"] == "meeting_refused"
    assert body["message_en"] == "No quorum: 2 of 4 members present, at least 3 needed"
    assert body["message_th"].startswith("องค์ประชุมไม่ครบ")
    assert secretary.get(f"/api/v1/meetings/{mid}").json()["state"] == "scheduled"
    # the other refusals of the meeting's steps
    assert post_json(secretary, f"/api/v1/meetings/{mid}/attendance", {"user": "nobody"}).json()["errors"][0][
        "field"] == "user"
    assert post_json(secretary, "/api/v1/meetings", {"committee": "ZZZ", "scheduled_for": _today_at(9)}
                     ).status_code == 422
    assert post_json(api_client("member.cm"), "/api/v1/meetings",
                     {"committee": "P50", "scheduled_for": _today_at(10)}).status_code == 403
    assert post_json(secretary, "/api/v1/meetings/999999/open").status_code == 404


def test_letter_pdf_is_downloaded_as_an_attachment_and_audited(
        make_request: Any, seated: dict[str, Any], api_client: Any) -> None:
    req = make_request()
    officer = api_client("officer.cm")
    refused = post_json(officer, f"/api/v1/requests/{req.pk}/letters")
    assert refused.status_code == 422 and "not decided yet" in refused.json()["message_en"]
    decide(req, seated, "rejected", ["R03"])
    resp = post_json(officer, f"/api/v1/requests/{req.pk}/letters")
    assert resp.status_code == 201, resp.content
    letter = resp.json()
    [d] = officer.get(f"/api/v1/requests/{req.pk}/decisions").json()
    assert [x["id"] for x in d["letters"]] == [letter["id"]]

    pdf = officer.get(f"/api/v1/letters/{letter['id']}/pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment;") and ".pdf" in pdf["Content-Disposition"]
    assert pdf["X-Content-Type-Options"] == "nosniff" and "no-store" in pdf["Cache-Control"]
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) == letter["size"]
    assert AuditEvent.objects.filter(action="view_personal_data", object_type="letter", object_id=str(req.pk),
                                     actor_id=seated["officer.cm"].pk).count() == 1
    # another office: not there, and no view recorded
    assert api_client("officer.kk").get(f"/api/v1/letters/{letter['id']}/pdf").status_code == 404
    assert officer.get("/api/v1/letters/999999/pdf").status_code == 404
    assert not AuditEvent.objects.filter(action="view_personal_data", object_type="letter",
                                         actor_id=seated["officer.kk"].pk).exists()


def test_urgent_decision_acknowledged_through_the_api(make_request: Any, seated: dict[str, Any], api_client: Any,
                                                      act: Any) -> None:
    bail = to_consideration(make_request(service="BAIL"), seated)
    act(bail, "chair.cm", "decide_urgent", outcome="approved", reason_codes=["A01", "A03"])
    meeting = open_meeting(seated)
    item = meeting.items.get(request=bail, kind="acknowledge")
    resp = post_json(api_client("secretary.cm"), f"/api/v1/agenda-items/{item.pk}/acknowledge")
    assert resp.status_code == 200, resp.content
    assert resp.json()["acknowledged_at"] and resp.json()["kind"] == "acknowledge"
    again = post_json(api_client("secretary.cm"), f"/api/v1/agenda-items/{item.pk}/acknowledge")
    assert again.status_code == 422 and again.json()["message_en"] == "The meeting has acknowledged this item already"


def test_the_schema_documents_the_new_operations_and_their_answers() -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    change = {"200", "201"} | {"400", "401", "403", "404", "413", "422", "500"}
    expected = {
        ("get", "/meetings"): {"200", "401", "404", "422", "500"},
        ("get", "/meetings/{meeting_id}"): {"200", "401", "404", "422", "500"},
        ("post", "/meetings"): change - {"200"},
        ("post", "/meetings/{meeting_id}/agenda"): change - {"201"},
        ("post", "/meetings/{meeting_id}/attendance"): change - {"200"},
        ("post", "/meetings/{meeting_id}/open"): change - {"201"},
        ("post", "/meetings/{meeting_id}/close"): change - {"201"},
        ("post", "/meetings/{meeting_id}/minutes/approve"): change - {"201"},
        ("post", "/agenda-items/{item_id}/conflicts"): change - {"200"},
        ("post", "/agenda-items/{item_id}/votes"): change - {"200"},
        ("post", "/agenda-items/{item_id}/resolution"): (change - {"200"}) | {"409"},
        ("post", "/agenda-items/{item_id}/acknowledge"): change - {"201"},
        ("get", "/requests/{request_id}/decisions"): {"200", "401", "404", "422", "500"},
        ("get", "/requests/{request_id}/appeals"): {"200", "401", "404", "422", "500"},
        ("post", "/requests/{request_id}/letters"): change - {"200"},
        ("get", "/letters/{letter_id}/pdf"): {"200", "401", "404", "422", "500"},
        ("get", "/reports/decisions"): {"200", "401", "404", "422", "500"},
    }
    for (method, path), codes in expected.items():
        op = paths[f"/api/v1{path}"][method]
        assert set(op["responses"]) == codes, (method, path, sorted(op["responses"]))
    pdf = paths["/api/v1/letters/{letter_id}/pdf"]["get"]["responses"]["200"]["content"]
    assert set(pdf) == {"application/pdf"}
    transition = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]["TransitionIn"]["properties"]
    assert {"reason_codes", "items", "cause", "agenda_item", "referred_to"} <= set(transition)
    assert "referred" in transition["outcome"]["enum"]


def test_an_appeal_lodged_and_decided_through_the_api(make_request: Any, seated: dict[str, Any], api_client: Any,
                                                      act: Any) -> None:
    req = make_request()
    decide(req, seated, "rejected", ["R01"])
    req = act(req, "officer.cm", "notify_applicant")
    resp = post_json(api_client("intake.cm"), f"/api/v1/requests/{req.pk}/transitions",
                     {"action": "appeal", "version": req.version, "comment": "มีหลักฐานรายได้ใหม่"})
    assert resp.status_code == 200, resp.content
    officer = api_client("officer.cm")
    [lodged] = officer.get(f"/api/v1/requests/{req.pk}/appeals").json()
    assert (lodged["state"], lodged["grounds"], lodged["decision"]) == ("lodged", "มีหลักฐานรายได้ใหม่", None)

    board = open_meeting(seated, "BOARD", "secretary.central", ("chair.board", "member.central", "member2.central"))
    item = board.items.get(request=req)
    for who in ("chair.board", "member.central"):
        assert post_json(api_client(who), f"/api/v1/agenda-items/{item.pk}/votes", {"choice": "for"}).status_code == 201
    resp = post_json(api_client("secretary.central"), f"/api/v1/agenda-items/{item.pk}/resolution",
                     {"outcome": "approved", "reason_codes": ["U01"]})
    assert resp.status_code == 201, resp.content
    assert (resp.json()["kind"], resp.json()["committee"]["code"]) == ("appeal", "BOARD")

    [decided] = officer.get(f"/api/v1/requests/{req.pk}/appeals").json()
    assert (decided["state"], decided["decision"]) == ("decided", resp.json()["id"])
    kinds = [(d["kind"], d["outcome"]) for d in officer.get(f"/api/v1/requests/{req.pk}/decisions").json()]
    assert kinds == [("first", "rejected"), ("appeal", "approved")]
    assert AuditEvent.objects.filter(action="view_personal_data", object_type="appeals", object_id=str(req.pk)).exists()
