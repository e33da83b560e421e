"""Decisions without mistakes (issue 9, item 5; issue 10) and refused actions answered with a redirect (item 8).

The decision rules refuse a deciding action without an outcome, or with a reason that does not fit it,
naming every problem on its field and writing nothing; the page offers the reasons of the chosen
outcome by name (checkboxes: a decision has one or more), shows a check-your-answers page before the
decision, and answers a refusal with a redirect to the case page (refreshing it posts nothing) that
keeps what was typed. Since issue 10 the case page's decision is the subcommittee chair's urgent one
(``decide_urgent``, chair.cm); the secretary records a meeting's resolution on the meeting's page.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jfs.audit.models import AuditEvent
from jfs.cases import reasons, services
from jfs.cases.errors import Conflict, DecisionIncomplete, TransitionNotAllowed
from jfs.cases.models import Request, Transition
from jfs.staff.decisions import ANSWERS_KEY, TYPED_KEY
from tests.decisions_support import seat_everyone

pytestmark = pytest.mark.django_db

ACTION = "decide_urgent"
CHAIR = "chair.cm"


@pytest.fixture
def considered(make_request: Any, act: Any, attach: Any) -> Request:
    """A request waiting for a decision (17,000 baht: within the chair's urgent limit)."""
    seat_everyone()
    req = make_request(assign_to="officer.cm")
    attach(req, "intake.cm", "@required")
    for username, action in [("intake.cm", "start_screening"), ("intake.cm", "accept"),
                             ("officer.cm", "complete_fact_finding"), ("officer.cm", "submit_opinion")]:
        req = act(req, username, action)
    assert req.state == "consideration"
    return req


def _unchanged(req: Request) -> None:
    fresh = Request.objects.get(pk=req.pk)
    assert (fresh.state, fresh.version, fresh.outcome, fresh.reason_code) == (req.state, req.version, "", "")
    assert not Transition.objects.filter(request=req, action=ACTION).exists()


# --------------------------------------------------------------------------- the service


def test_a_decision_without_an_outcome_is_refused_on_its_fields_and_writes_nothing(considered: Request, act: Any) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(DecisionIncomplete) as exc:
        act(considered, CHAIR, ACTION, comment="")
    err = exc.value
    assert err.status == 422 and err.code == "decision_incomplete"
    # every problem at once, each on its field, in words (never "outcome, reason_codes"); the urgent
    # decision needs no comment (the note adds to the reasons)
    assert {e["field"] for e in err.errors} == {"outcome", "reason_codes"}
    by_field = {e["field"]: e for e in err.errors}
    assert by_field["outcome"]["message_th"].startswith("กรุณาเลือกผลการพิจารณา (อนุมัติ, ")
    assert by_field["outcome"]["message_en"].startswith("Choose the outcome (Approved, ")
    assert by_field["reason_codes"]["message_th"] == "กรุณาเลือกเหตุผลอย่างน้อยหนึ่งข้อ"
    assert "reason_code" not in err.th and "outcome" not in err.en.split(":")[0]
    _unchanged(considered)
    assert AuditEvent.objects.count() == events


def test_a_reason_that_does_not_fit_the_outcome_is_refused_by_name(considered: Request, act: Any) -> None:
    with pytest.raises(DecisionIncomplete) as exc:
        act(considered, CHAIR, ACTION, outcome="approved", reason_codes=["A01", "R01"])
    [error] = exc.value.errors  # A01 fits; only R01 is named
    assert error["field"] == "reason_codes"
    r01 = reasons.all_reasons()["R01"]
    assert r01.th in error["message_th"] and "อนุมัติ" in error["message_th"] and "R01" not in error["message_th"]
    assert r01.en in error["message_en"]
    _unchanged(considered)


def test_an_unknown_outcome_or_reason_is_refused(considered: Request, act: Any) -> None:
    with pytest.raises(DecisionIncomplete) as exc:
        act(considered, CHAIR, ACTION, outcome="maybe", reason_codes=["ZZZ"])
    assert {e["field"] for e in exc.value.errors} == {"outcome", "reason_codes"}
    _unchanged(considered)


def test_role_and_state_are_refused_before_the_decision_fields(considered: Request, act: Any, make_request: Any) -> None:
    """Someone who may not decide hears that, not "choose an outcome"."""
    with pytest.raises(TransitionNotAllowed) as exc:
        act(considered, "officer.cm", ACTION)
    assert exc.value.code == "wrong_role"
    with pytest.raises(TransitionNotAllowed) as exc:
        act(make_request(), CHAIR, ACTION)
    assert exc.value.code == "wrong_state"


def test_check_transition_checks_like_transition_and_writes_nothing(considered: Request, users: Any) -> None:
    chair = users[CHAIR]
    v = considered.version
    with pytest.raises(DecisionIncomplete):
        services.check_transition(actor=chair, request_id=considered.pk, action=ACTION, expected_version=v,
                                  comment="x", fields={"outcome": "rejected", "reason_codes": ["A01"]})
    with pytest.raises(Conflict):
        services.check_transition(actor=chair, request_id=considered.pk, action=ACTION, expected_version=v - 1,
                                  comment="เหตุเร่งด่วน", fields={"outcome": "rejected", "reason_codes": ["R01"]})
    services.check_transition(actor=chair, request_id=considered.pk, action=ACTION, expected_version=v,
                              comment="เหตุเร่งด่วน", fields={"outcome": "rejected", "reason_codes": ["R01"]})
    _unchanged(considered)


def test_the_decision_is_stored_with_its_outcome_and_reasons(considered: Request, act: Any) -> None:
    req = act(considered, CHAIR, ACTION, outcome="partially_approved", reason_codes=["P01", "A01"],
              items={"lawyer": "10000", "court_fee": "2000"})
    t = Transition.objects.get(request=req, action=ACTION)
    assert t.fields == {"outcome": "partially_approved", "reason_code": "P01,A01"}
    assert (req.state, req.outcome, req.reason_code) == ("decided", "partially_approved", "P01,A01")


def test_reasons_of_an_outcome_and_their_names() -> None:
    assert [r.code for r in reasons.for_outcome("rejected")][:4] == ["R01", "R02", "R03", "R04"]
    assert all("rejected" in r.outcomes for r in reasons.for_outcome("rejected"))
    assert reasons.for_outcome("nonsense") == []
    assert reasons.outcome_name("partially_approved", "th") == "อนุมัติบางส่วน"
    assert reasons.outcome_name("partially_approved", "en") == "Partly approved"
    assert reasons.all_reasons()["A01"].name("en") == "The applicant cannot afford the costs"


# --------------------------------------------------------------------------- the pages


@pytest.fixture
def chair(login: Any) -> Client:
    return login(CHAIR)


def _post(client: Client, req: Request, action: str = ACTION, confirmed: bool = False, **values: Any) -> Any:
    data = {"action_code": action, f"{action}-action": action, f"{action}-version": values.pop("version", req.version)}
    if confirmed:
        data["confirmed"] = "1"
    data.update({f"{action}-{k}": v for k, v in values.items()})
    return client.post(reverse("staff:transition", args=[req.pk]), data)


def test_the_reason_field_shows_names_of_the_action_s_outcomes(considered: Request, chair: Client) -> None:
    html = chair.get(reverse("staff:case", args=[considered.pk])).content.decode()
    options = html.split(f'id="{ACTION}-reason_codes-options"')[1].split("</div></fieldset>")[0].split("</fieldset>")[0]
    r01 = reasons.all_reasons()["R01"]
    # each reason once, by name with its category and the outcomes it explains (no outcome chosen yet)
    assert f"{r01.th} ({reasons.category_name(r01.category, 'th')}) · ใช้กับ ไม่อนุมัติ" in options
    assert options.count('value="A01"') == 1 and 'type="checkbox"' in options
    assert reasons.all_reasons()["F01"].th not in options  # "referred" is not an outcome of this action
    assert ">R01 " not in html and "รหัสเหตุผล" not in html  # names, never bare codes
    assert "ต่อไป: ตรวจสอบก่อนยืนยัน" in html
    assert f'hx-get="{reverse("staff:reason_options")}"' in html


def test_choosing_an_outcome_loads_only_its_reasons(chair: Client) -> None:
    html = chair.get(reverse("staff:reason_options"), {f"{ACTION}-outcome": "terminated", "prefix": ACTION}).content.decode()
    assert reasons.all_reasons()["T01"].th in html and reasons.all_reasons()["T02"].th in html
    assert reasons.all_reasons()["A01"].th not in html and f'name="{ACTION}-reason_codes"' in html
    html = chair.get(reverse("staff:reason_options"), {f"{ACTION}-outcome": "", "prefix": ACTION}).content.decode()
    assert html.count('type="checkbox"') == len({r.code for o in ("approved", "partially_approved", "rejected", "terminated")
                                                 for r in reasons.for_outcome(o)})
    # the reasons already ticked stay ticked when the outcome changes
    html = chair.get(reverse("staff:reason_options"), {f"{ACTION}-outcome": "approved", "prefix": ACTION,
                                                       f"{ACTION}-reason_codes": "A02"}).content.decode()
    assert re.search(r'value="A02" checked', html) and not re.search(r'value="A01" checked', html)


def test_check_answers_round_trip(considered: Request, chair: Client) -> None:
    comment = "ผู้ขอต้องยื่นคำให้การภายในสามวัน"
    resp = _post(chair, considered, outcome="rejected", reason_codes=["R02", "R01"], comment=comment)
    check_url = reverse("staff:decision_check", args=[considered.pk]) + f"?action={ACTION}"
    assert resp.status_code == 303 and resp["Location"] == check_url
    _unchanged(considered)  # nothing decided yet

    page = chair.get(check_url)
    html = page.content.decode()
    assert page.status_code == 200
    assert considered.number in html and considered.applicant.full_name in html
    for code in ("R02", "R01"):
        assert reasons.all_reasons()[code].th in html and reasons.all_reasons()[code].basis in html
    assert "ไม่อนุมัติ" in html and comment in html and "R02</" not in html
    assert "จำนวนเงินที่อนุมัติแต่ละรายการ" not in html  # a rejection approves no amount
    change = reverse("staff:case", args=[considered.pk]) + f"?change={ACTION}"
    assert f'href="{change}#id_{ACTION}-outcome"' in html

    # "change" brings the form back open, with the values typed (both reasons ticked)
    resp = chair.get(change)
    form = next(f for a, f in resp.context["actions"] if a.code == ACTION)
    assert form.is_bound and form.data.getlist(f"{ACTION}-reason_codes") == ["R02", "R01"]
    assert form.data[f"{ACTION}-comment"] == comment
    assert f'<details class="action" id="action-{ACTION}" open>' in resp.content.decode()

    # confirming (what the check page posts) decides
    data: dict[str, Any] = {"action_code": ACTION, "confirmed": "1"}
    inputs = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)
    data.update({k: v for k, v in inputs if k.startswith(f"{ACTION}-")})
    data[f"{ACTION}-reason_codes"] = [v for k, v in inputs if k == f"{ACTION}-reason_codes"]
    assert data[f"{ACTION}-reason_codes"] == ["R02", "R01"] and data[f"{ACTION}-version"] == str(considered.version)
    resp = chair.post(reverse("staff:transition", args=[considered.pk]), data)
    assert resp.status_code == 302
    req = Request.objects.get(pk=considered.pk)
    assert (req.state, req.outcome, req.reason_code) == ("decided", "rejected", "R02,R01")
    assert ANSWERS_KEY not in chair.session or not chair.session[ANSWERS_KEY]
    # the check page of a decision already taken sends the officer back to the case
    assert chair.get(check_url).status_code == 302


def test_confirming_a_stale_decision_is_the_409_of_the_case_page(considered: Request, chair: Client,
                                                                 act: Any) -> None:
    version = considered.version
    act(considered, "officer.cm", "withdraw", comment="ผู้ขอแจ้งถอนคำขอ")  # someone else first
    for confirmed in (False, True):  # from the action form, and from the check page
        resp = _post(chair, considered, version=version, outcome="rejected", reason_codes=["R01"],
                     comment="เร่งด่วน", confirmed=confirmed)
        assert resp.status_code == 409
    assert "มีผู้อื่นบันทึกคำขอนี้ก่อนท่าน" in resp.content.decode()
    assert not Transition.objects.filter(request=considered, action=ACTION).exists()


def test_a_mismatched_reason_on_the_page_comes_back_on_its_field_without_a_repost(
    considered: Request, chair: Client
) -> None:
    resp = _post(chair, considered, outcome="partially_approved", reason_codes=["R04"], item_lawyer="20000",
                 item_court_fee="0", comment="")
    assert resp.status_code == 303 and resp["Location"].endswith(f"#action-{ACTION}")
    page = chair.get(resp["Location"])
    form = next(f for a, f in dict(page.context["actions"]).items() if a.code == ACTION)
    # every problem in one round: the reason that does not fit, and the item approved above its request
    assert set(form.errors) == {"reason_codes", "item_lawyer"}
    assert reasons.all_reasons()["R04"].th in form.errors["reason_codes"][0]
    assert "15,000.00" in form.errors["item_lawyer"][0]
    assert form.data[f"{ACTION}-outcome"] == "partially_approved" and form.data[f"{ACTION}-item_lawyer"] == "20000"
    html = page.content.decode()
    assert reasons.all_reasons()["P01"].th in html  # only the reasons of "partly approved" are offered now
    assert 'value="R04"' not in html
    # the errors come back once: the page again (F5) is the plain page, and nothing was posted twice
    again = chair.get(resp["Location"])
    assert not any(f.is_bound for _, f in again.context["actions"])
    assert TYPED_KEY not in chair.session
    _unchanged(considered)


def test_a_missing_outcome_names_the_fields(considered: Request, chair: Client) -> None:
    resp = _post(chair, considered, comment="เร่งด่วน")
    page = chair.get(resp["Location"])
    html = page.content.decode()
    assert "กรุณาเลือกผลการพิจารณา" in html and "กรุณาเลือกเหตุผลอย่างน้อยหนึ่งข้อ" in html
    assert "ฟิลด์นี้จำเป็น" not in html and "This field is required" not in html
    _unchanged(considered)


def test_only_another_reason_needs_the_note(considered: Request, chair: Client) -> None:
    resp = _post(chair, considered, outcome="rejected", reason_codes=["X01"], comment="")
    html = chair.get(resp["Location"]).content.decode()
    assert "เลือกเหตุผลอื่น ต้องระบุเหตุผลในบันทึก" in html
    _unchanged(considered)


def test_a_refused_action_redirects_to_the_case_keeping_what_was_typed(make_request: Any, staff_client: Client) -> None:
    """accept without the required documents: the refusal is a message on the case page, the form
    open with the comment typed, and refreshing the page posts nothing."""
    req = make_request(assign_to="officer.cm")
    services_state = req.state
    staff_client.post(reverse("staff:transition", args=[req.pk]), {
        "action_code": "start_screening", "start_screening-action": "start_screening",
        "start_screening-version": req.version})
    req.refresh_from_db()
    typed = "ตรวจเอกสารแล้ว ครบตามรายการ"
    resp = staff_client.post(reverse("staff:transition", args=[req.pk]), {
        "action_code": "accept", "accept-action": "accept", "accept-version": req.version, "accept-comment": typed})
    assert resp.status_code == 303
    assert resp["Location"] == reverse("staff:case", args=[req.pk]) + "#action-accept"
    page = staff_client.get(resp["Location"])
    html = page.content.decode()
    assert "ยังขาดเอกสาร" in html and typed in html
    assert services_state != req.state == Request.objects.get(pk=req.pk).state == "screening"
    assert not Transition.objects.filter(request=req, action="accept").exists()



def test_an_action_not_allowed_is_said_before_the_fields_it_lacks(considered: Request, login: Any) -> None:
    """An officer who may not decide urgently hears that, not "choose an outcome"."""
    client = login("officer.cm")
    resp = _post(client, considered, comment="")
    assert resp.status_code == 303
    html = client.get(resp["Location"]).content.decode()
    assert "บทบาทของท่านไม่มีสิทธิ์" in html and "กรุณาเลือกผลการพิจารณา" not in html
    _unchanged(considered)


def test_the_api_refuses_an_incomplete_decision_the_same_way(considered: Request, api_client: Any) -> None:
    client = api_client(CHAIR)
    url = f"/api/v1/requests/{considered.pk}/transitions"
    body = {"action": ACTION, "version": considered.version, "comment": "เร่งด่วน", "outcome": "approved", "reason_code": "T01"}
    resp = client.post(url, body, content_type="application/json")
    assert resp.status_code == 422
    out = resp.json()
    assert out["code"] == "decision_incomplete" and [e["field"] for e in out["errors"]] == ["reason_codes"]
    assert reasons.all_reasons()["T01"].en in out["errors"][0]["message_en"]
    _unchanged(considered)
    resp = client.post(url, {**body, "reason_code": "A02"}, content_type="application/json")
    assert resp.status_code == 200 and resp.json()["outcome"] == "approved"


def test_an_action_form_names_its_field_in_every_message() -> None:
    """Not only "required": a comment too long and an outcome not offered say which field."""
    from jfs.cases import workflows
    from jfs.staff.forms import TransitionForm

    action = workflows.get("LIT").actions["submit_opinion"]
    form = TransitionForm({"p-action": "submit_opinion", "p-version": "1", "p-comment": "ก" * 5001,
                           "p-outcome": "nonsense"}, action=action, prefix="p")
    assert not form.is_valid()
    assert form.errors["comment"] == ["หมายเหตุ/เหตุผลยาวได้ไม่เกิน 5000 ตัวอักษร (ตอนนี้ 5001)"]
    assert form.errors["outcome"] == ["กรุณาเลือกผลการพิจารณาจากรายการ"]


def test_the_consultation_s_advice_is_asked_for_by_name(make_request: Any, login: Any) -> None:
    """The advice is typed once, as the comment of "record the advice given": the form asks for it
    under the name the case page shows it by."""
    from jfs.cases import workflows
    from jfs.staff.forms import TransitionForm

    action = workflows.get("CONSULT").actions["give_advice"]
    form = TransitionForm({"p-action": "give_advice", "p-version": "1", "p-comment": ""}, action=action,
                          service="CONSULT", prefix="p")
    assert str(form.fields["comment"].label) == "คำปรึกษาที่ให้"
    assert not form.is_valid() and form.errors["comment"] == ["กรุณากรอกคำปรึกษาที่ให้"]
    req = make_request(service="CONSULT", details={"topic": "ที่ดินมรดก", "channel": "phone"})
    page = login("officer.cm").get(reverse("staff:case", args=[req.pk])).content.decode()
    assert re.search(r'<label for="id_give_advice-comment"[^>]*>\s*คำปรึกษาที่ให้', page), "the advice's label"
