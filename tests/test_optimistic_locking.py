"""Optimistic locking: two officers read version v; the first save wins, the second gets a
conflict (409 in the API, a message on the page with the form kept) and overwrites nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from jfs.cases import services
from jfs.cases.errors import Conflict
from jfs.cases.models import Request, Transition
from tests.conftest import DETAILS, applicant_input
from tests.forms_support import form_values

pytestmark = pytest.mark.django_db


def test_api_second_writer_with_a_stale_version_gets_409(make_request: Any, api_client: Any) -> None:
    req = make_request(assign_to="officer.cm")
    first, second = api_client("officer.cm"), api_client("officer2.cm")
    v = first.get(f"/api/v1/requests/{req.pk}").json()["version"]
    assert second.get(f"/api/v1/requests/{req.pk}").json()["version"] == v

    resp = first.post(f"/api/v1/requests/{req.pk}/transitions", {"action": "start_screening", "version": v},
                      content_type="application/json")
    assert resp.status_code == 200 and resp.json()["version"] == v + 1 and resp.json()["state"] == "screening"

    resp = second.post(f"/api/v1/requests/{req.pk}/transitions",
                       {"action": "withdraw", "version": v, "comment": "ผู้ขอถอนคำขอทางโทรศัพท์"},
                       content_type="application/json")
    assert resp.status_code == 409
    body = resp.json()
    assert body["code"] == "conflict"
    assert "มีผู้อื่นแก้ไขคำขอนี้ไปก่อนแล้ว" in body["message_th"] and "Someone else changed" in body["message_en"]

    req.refresh_from_db()
    assert (req.state, req.version) == ("screening", v + 1)
    assert not Transition.objects.filter(request=req, action="withdraw").exists()


def test_page_second_writer_sees_a_message_and_keeps_what_they_typed(make_request: Any, login: Any) -> None:
    req = make_request(assign_to="officer.cm")
    first, second = login("officer.cm"), login("officer2.cm")
    url = reverse("staff:case", args=[req.pk])
    v = first.get(url).context["req"].version
    assert second.get(url).context["req"].version == v

    def post(client: Any, action: str, comment: str) -> Any:
        return client.post(reverse("staff:transition", args=[req.pk]), {
            "action_code": action, f"{action}-action": action, f"{action}-version": v, f"{action}-comment": comment,
        })

    assert post(first, "start_screening", "").status_code == 302
    typed = "ผู้ขอแจ้งถอนคำขอเมื่อเช้านี้ ข้อความนี้ต้องไม่หาย"
    resp = post(second, "withdraw", typed)
    assert resp.status_code == 409
    html = resp.content.decode()
    assert "มีผู้อื่นบันทึกคำขอนี้ก่อนท่าน" in html
    assert typed in html  # the form is re-rendered with the comment
    kept = dict(resp.context["actions"])
    form = next(f for a, f in kept.items() if a.code == "withdraw")
    assert form.is_bound and form.data["withdraw-comment"] == typed

    req.refresh_from_db()
    assert (req.state, req.version) == ("screening", v + 1)
    assert not Transition.objects.filter(request=req, action="withdraw").exists()


@pytest.fixture
def two_officers(make_request: Any, login: Any) -> tuple[Any, Any, Any, int]:
    """A request both officers opened at version v; the first has since started screening it."""
    req = make_request(assign_to="officer.cm")
    first, second = login("officer.cm"), login("officer2.cm")
    url = reverse("staff:case", args=[req.pk])
    v = first.get(url).context["req"].version
    assert second.get(url).context["req"].version == v
    resp = first.post(reverse("staff:transition", args=[req.pk]), {
        "action_code": "start_screening", "start_screening-action": "start_screening",
        "start_screening-version": v, "start_screening-comment": "",
    })
    assert resp.status_code == 302
    return req, first, second, v


def test_page_conflict_offers_the_form_again_at_the_current_version(two_officers: Any) -> None:
    req, _first, second, v = two_officers
    # (not a decision: a decision goes through its check-your-answers page first)
    typed = "ขอสำเนาคำฟ้องเพิ่มเติม ข้อความนี้ต้องไม่หายหลังชนกัน"
    transition_url = reverse("staff:transition", args=[req.pk])
    resp = second.post(transition_url, {
        "action_code": "request_documents", "request_documents-action": "request_documents", "request_documents-version": v, "request_documents-comment": typed,
    })
    assert resp.status_code == 409
    html = resp.content.decode()
    # the officer is told that someone saved first, what they did and what the state is now
    assert "มีผู้อื่นบันทึกคำขอนี้ก่อนท่าน" in html
    assert "เริ่มตรวจสอบคำขอ" in html and "ตรวจสอบและกลั่นกรอง" in html
    assert "กรุณาตรวจสอบการเปลี่ยนแปลงแล้วบันทึกอีกครั้ง" in html
    # the re-rendered form keeps the comment and carries the version the page now shows
    inputs = form_values(html)
    assert inputs["request_documents-comment"].strip() == typed
    assert inputs["request_documents-version"] == str(v + 1)
    form = next(f for a, f in resp.context["actions"] if a.code == "request_documents")
    assert form.is_bound and re.search(r'<details class="action" id="action-request_documents" open>\s*<summary>ขอเอกสารเพิ่มเติมจากผู้ขอ \(หยุดนับเวลา\)</summary>', html)

    # submitting the same form again is a deliberate second decision, and it now succeeds
    resubmit = {"action_code": "request_documents",
                **{k: inputs[k] for k in ("request_documents-action", "request_documents-version",
                                          "request_documents-comment")}}
    resp = second.post(transition_url, resubmit)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    req.refresh_from_db()
    assert (req.state, req.version) == ("awaiting_documents", v + 2)
    assert Transition.objects.get(request=req, action="request_documents").comment.strip() == typed


def test_page_conflict_resubmitting_the_old_page_still_conflicts(two_officers: Any) -> None:
    """Only the re-rendered form (which showed the officer the change) carries the new version."""
    req, _first, second, v = two_officers
    stale = {"action_code": "withdraw", "withdraw-action": "withdraw", "withdraw-version": v,
             "withdraw-comment": "ถอน"}
    transition_url = reverse("staff:transition", args=[req.pk])
    assert second.post(transition_url, stale).status_code == 409
    assert second.post(transition_url, stale).status_code == 409
    assert not Transition.objects.filter(request=req, action="withdraw").exists()


def test_page_conflict_when_the_action_is_gone_keeps_the_comment_on_the_page(two_officers: Any) -> None:
    req, _first, second, v = two_officers
    typed = "เริ่มตรวจสอบแล้ว เอกสารครบ ข้อความนี้ต้องไม่หาย"
    resp = second.post(reverse("staff:transition", args=[req.pk]), {
        "action_code": "start_screening", "start_screening-action": "start_screening",
        "start_screening-version": v, "start_screening-comment": typed,
    })
    assert resp.status_code == 409
    html = resp.content.decode()
    assert "มีผู้อื่นบันทึกคำขอนี้ก่อนท่าน" in html and "ตรวจสอบและกลั่นกรอง" in html
    assert "ใช้ไม่ได้แล้วในสถานะนี้" in html
    assert typed in html  # shown to copy, although the action's form is gone
    assert "start_screening-version" not in form_values(html)
    req.refresh_from_db()
    assert req.transitions.filter(action="start_screening").count() == 1


def test_page_conflict_names_the_change_in_the_reader_s_language(two_officers: Any) -> None:
    req, _first, second, v = two_officers
    second.cookies["django_language"] = "en"
    resp = second.post(reverse("staff:transition", args=[req.pk]), {
        "action_code": "withdraw", "withdraw-action": "withdraw", "withdraw-version": v, "withdraw-comment": "x",
    })
    assert resp.status_code == 409
    [message] = [str(m) for m in resp.context["messages"]]
    assert "Start screening" in message and "Screening" in message
    assert "เริ่มตรวจสอบคำขอ" not in message


def test_update_details_with_a_stale_version_overwrites_nothing(make_request: Any, users: Any) -> None:
    req = make_request()
    v = req.version
    changed = dict(DETAILS["LIT"], court="ศาลแพ่ง")
    req2 = services.update_details(actor=users["officer.cm"], request_id=req.pk, expected_version=v, details=changed)
    assert req2.version == v + 1 and req2.details["court"] == "ศาลแพ่ง"

    stale = dict(DETAILS["LIT"], court="ศาลอาญา")
    with pytest.raises(Conflict) as exc:
        services.update_details(actor=users["officer2.cm"], request_id=req.pk, expected_version=v, details=stale)
    assert exc.value.status == 409
    with pytest.raises(Conflict):
        services.update_details(actor=users["officer2.cm"], request_id=req.pk, expected_version=v,
                                applicant=applicant_input(first_name="ชื่อทับ"))
    req.refresh_from_db()
    assert req.details["court"] == "ศาลแพ่ง" and req.version == v + 1
    assert req.applicant.first_name != "ชื่อทับ"


def test_assign_with_a_stale_version_overwrites_nothing(make_request: Any, users: Any) -> None:
    req = make_request()
    v = req.version
    services.assign(actor=users["head.cm"], request_id=req.pk, assignee=users["officer.cm"], expected_version=v)
    with pytest.raises(Conflict):
        services.assign(actor=users["intake.cm"], request_id=req.pk, assignee=users["officer2.cm"], expected_version=v)
    assert Request.objects.get(pk=req.pk).assigned_to == users["officer.cm"]


def test_transition_with_a_stale_version_overwrites_nothing(make_request: Any, users: Any) -> None:
    req = make_request()
    services.transition(actor=users["intake.cm"], request_id=req.pk, action="start_screening", expected_version=1)
    with pytest.raises(Conflict):
        services.transition(actor=users["officer.cm"], request_id=req.pk, action="refer", expected_version=1,
                            comment="ส่งต่อ")
    req.refresh_from_db()
    assert (req.state, req.version) == ("screening", 2)


def test_every_write_increments_the_version(make_request: Any, users: Any, act: Any) -> None:
    req = make_request()
    assert req.version == 1
    req = services.assign(actor=users["head.cm"], request_id=req.pk, assignee=users["officer.cm"], expected_version=1)
    assert req.version == 2
    req = services.update_details(actor=users["officer.cm"], request_id=req.pk, expected_version=2,
                                  details=dict(DETAILS["LIT"], court="ศาลแพ่ง"))
    assert req.version == 3
    req = act(req, "officer.cm", "start_screening")
    assert req.version == 4
