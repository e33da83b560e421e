"""The case page's decisions (issue 10 items 2, 4, 5, 6): the chair's urgent decision and the office
head's termination with outcome, several reasons, approved amounts per cost item and cause, checked
before they are written; who decides and the meeting that holds the request; the decisions panel in
words; letters; the appeal's deadline; the outcome table of the dashboard."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jfs.audit.models import AuditEvent
from jfs.cases import reasons
from jfs.cases.models import Request, Transition
from jfs.core.templatetags.thai import be_date
from jfs.decisions import models as m
from jfs.decisions import selectors
from jfs.decisions import services as decisions
from tests.decisions_support import decide, open_meeting, seat_everyone, to_consideration

pytestmark = pytest.mark.django_db

URGENT = "decide_urgent"


@pytest.fixture
def seated(users: dict[str, Any]) -> dict[str, Any]:
    seat_everyone()
    return users


def _page(client: Client, req: Request) -> str:
    resp = client.get(reverse("staff:case", args=[req.pk]))
    assert resp.status_code == 200
    return resp.content.decode()


def _post(client: Client, req: Request, action: str, *, confirmed: bool = False, **values: Any) -> Any:
    data: dict[str, Any] = {"action_code": action, f"{action}-action": action,
                            f"{action}-version": Request.objects.get(pk=req.pk).version}
    if confirmed:
        data["confirmed"] = "1"
    data.update({f"{action}-{k}": v for k, v in values.items()})
    return client.post(reverse("staff:transition", args=[req.pk]), data)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_chair_decides_a_bail_request_urgently_through_the_check_page(
        make_request: Any, seated: dict[str, Any], login: Any) -> None:
    bail = to_consideration(make_request(service="BAIL"), seated)
    chair = login("chair.cm")
    html = _page(chair, bail)
    # the urgent decision's fields: outcomes of the action, reasons as checkboxes by name and category, amounts
    assert f'name="{URGENT}-reason_codes"' in html and 'type="checkbox"' in html
    a03 = reasons.all_reasons()["A03"]
    assert f"{a03.th} ({reasons.category_name(a03.category, 'th')})" in html
    assert f'name="{URGENT}-item_bail_amount"' in html and 'value="50000.00"' in html
    assert "record_subcommittee_decision" not in html
    resp = _post(chair, bail, URGENT, outcome="approved", reason_codes=["A01", "A03"], item_bail_amount="50000.00",
                 comment="ผู้ต้องขังเป็นผู้ป่วย ต้องปล่อยชั่วคราวโดยด่วน")
    assert resp.status_code == 303 and reverse("staff:decision_check", args=[bail.pk]) in resp["Location"]
    assert not m.Decision.objects.exists()  # nothing written before the confirmation
    check = _text(chair.get(resp["Location"]).content.decode())
    for words in ("อนุมัติ", reasons.all_reasons()["A01"].th, a03.th, a03.basis, "เงินประกันเพื่อการปล่อยชั่วคราว",
                  "50,000.00", "ผู้ต้องขังเป็นผู้ป่วย"):
        assert words in check
    # the confirmation posts exactly what the check page shows (its hidden inputs)
    form = chair.get(resp["Location"]).content.decode()
    hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form))
    codes = re.findall(rf'name="{URGENT}-reason_codes" value="([^"]*)"', form)
    assert codes == ["A01", "A03"]
    data = {k: v for k, v in hidden.items() if k != "csrfmiddlewaretoken"}
    data[f"{URGENT}-reason_codes"] = codes
    done = chair.post(reverse("staff:transition", args=[bail.pk]), data)
    assert done.status_code == 302
    d = selectors.latest_decision(bail)
    assert (d.outcome, d.authority, [r.code for r in d.reasons.all()]) == ("approved", m.BY_CHAIR, ["A01", "A03"])
    t = Transition.objects.get(request=bail, action=URGENT)
    assert t.fields["reason_code"] == "A01,A03"
    page = _text(_page(chair, bail))
    assert "คำวินิจฉัยกรณีเร่งด่วนของประธาน" in page and "ยังไม่ได้รายงานให้ที่ประชุมคณะอนุกรรมการรับทราบ" in page
    # the timeline names both reasons
    assert f"{reasons.all_reasons()['A01'].th} (A01); {a03.th} (A03)" in page
    # the next meeting acknowledges it: the panel says so
    meeting = open_meeting(seated)
    item = meeting.items.get(request=bail, kind=m.ACKNOWLEDGE)
    decisions.acknowledge(actor=seated["secretary.cm"], item_id=item.pk)
    page = _text(_page(chair, bail))
    assert f"ครั้งที่ {meeting.number}/{meeting.fiscal_year} รับทราบแล้ว" in page


def test_a_partial_urgent_decision_refused_on_its_item_keeps_what_was_typed(
        make_request: Any, seated: dict[str, Any], login: Any) -> None:
    lit = to_consideration(make_request(details={"case_kind": "civil", "court": "ศาลจังหวัดเชียงใหม่",
                                                 "party_role": "defendant",
                                                 "costs": {"lawyer": "15000", "court_fee": "2000"}}), seated)
    chair = login("chair.cm")
    resp = _post(chair, lit, URGENT, outcome="partially_approved", reason_codes=["P01", "A01"],
                 item_lawyer="20000", item_court_fee="2000", comment="")
    assert resp.status_code == 303 and resp["Location"].endswith(f"#action-{URGENT}")
    html = _page(chair, lit)
    assert "อนุมัติได้ไม่เกินที่ขอ 15,000.00 บาท" in html  # on the lawyer's amount, in words
    assert f'id="id_{URGENT}-item_lawyer_error"' in html
    assert 'value="20000"' in html and re.search(rf'name="{URGENT}-reason_codes" value="P01" checked', html)
    assert not m.Decision.objects.exists()


def test_above_the_urgent_limit_the_chair_is_told_to_go_to_the_meeting(
        make_request: Any, seated: dict[str, Any], login: Any) -> None:
    lit = to_consideration(make_request(details={"case_kind": "civil", "court": "ศาลจังหวัดเชียงใหม่",
                                                 "party_role": "defendant", "costs": {"lawyer": "60000"}}), seated)
    html = _text(_page(login("chair.cm"), lit))
    assert f'id="action-{URGENT}"' not in html
    assert "เกินวงเงินที่ประธานพิจารณากรณีเร่งด่วนได้ (50,000.00 บาท)" in html
    assert "ต้องเสนอที่ประชุมคณะอนุกรรมการพิจารณา" in html
    # a forged post meets the same refusal
    _post(login("chair.cm"), lit, URGENT, outcome="approved", reason_codes=["A01"], item_lawyer="60000")
    assert not m.Decision.objects.exists()


def test_the_page_says_who_decides_and_links_the_meeting(make_request: Any, seated: dict[str, Any],
                                                         login: Any) -> None:
    hr = to_consideration(make_request(service="HR"), seated)
    html = _text(_page(login("officer.cm"), hr))
    central = m.Committee.objects.get(code="C-HR")
    assert f"ผู้มีอำนาจพิจารณาคำขอนี้: {central.name_th}" in html
    assert "ยังไม่ได้บรรจุในระเบียบวาระการประชุม" in html
    meeting = open_meeting(seated, "C-HR", "secretary.central", ("chair.central", "member.central", "member2.central"))
    html = _page(login("officer.cm"), hr)
    assert f'href="{reverse("staff:meeting", args=[meeting.pk])}"' in html
    # the provincial secretary has no decide control on it (a meeting's resolution is not on the case page)
    assert "record_subcommittee_decision" not in _page(login("officer.cm"), hr)


def test_the_office_head_terminates_with_a_cause_and_its_reasons(make_request: Any, seated: dict[str, Any],
                                                                 login: Any, act: Any) -> None:
    req = act(make_request(), "intake.cm", "start_screening")
    head = login("head.cm")
    html = _page(head, req)
    assert 'name="terminate-cause"' in html and reasons.cause_name("unreachable", "th") in html
    assert reasons.all_reasons()["T01"].th in html and reasons.all_reasons()["A01"].th not in html.split(
        'id="action-terminate"')[1].split("</details>")[0]
    resp = _post(head, req, "terminate", cause="unreachable", reason_codes=["T01"], comment="โทรสามครั้งไม่รับสาย")
    check = _text(head.get(resp["Location"]).content.decode())
    assert "ยุติเรื่อง (ติดต่อผู้ขอไม่ได้)" in check and reasons.all_reasons()["T01"].th in check
    form = head.get(resp["Location"]).content.decode()
    data = {k: v for k, v in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form)}
    data.pop("csrfmiddlewaretoken", None)
    head.post(reverse("staff:transition", args=[req.pk]), data)
    d = selectors.latest_decision(req)
    assert (d.outcome, d.cause, d.note) == ("terminated", "unreachable", "โทรสามครั้งไม่รับสาย")


def test_a_refusal_of_a_termination_names_the_mismatched_reason(make_request: Any, seated: dict[str, Any],
                                                                login: Any, act: Any) -> None:
    req = act(make_request(), "intake.cm", "start_screening")
    head = login("head.cm")
    _post(head, req, "terminate", cause="duplicate", reason_codes=["T01"], comment="ซ้ำ")
    html = _page(head, req)
    assert "ไม่ตรงกับสาเหตุที่ยุติเรื่อง “คำขอซ้ำ”" in html
    assert not m.Decision.objects.exists()


def test_refer_asks_the_agency_and_withdraw_only_the_comment(make_request: Any, seated: dict[str, Any],
                                                             login: Any) -> None:
    req = make_request()
    officer = login("officer.cm")
    html = _page(officer, req)
    refer = html.split('id="action-refer"')[1].split("</details>")[0]
    assert "ส่งต่อไปยังหน่วยงาน" in refer and "reason_codes" not in refer
    resp = _post(officer, req, "refer", referred_to="สภาทนายความ", comment="อยู่ในอำนาจสภาทนายความ")
    check = _text(officer.get(resp["Location"]).content.decode())
    assert "ส่งต่อหน่วยงานอื่น" in check and "สภาทนายความ" in check and reasons.all_reasons()["F01"].th in check
    withdraw = _page(login("intake.cm"), req).split('id="action-withdraw"')[1].split("</details>")[0]
    assert "reason_codes" not in withdraw and "-outcome" not in withdraw and "-comment" in withdraw


def test_the_decisions_panel_letters_and_the_appeal(make_request: Any, seated: dict[str, Any], login: Any,
                                                    act: Any) -> None:
    req = make_request()
    decide(req, seated, "partially_approved", ["A01", "P01"], items={"lawyer": "10000", "court_fee": "2000"},
           note="ค่าทนายความเกินอัตรา")
    officer = login("officer.cm")
    d = selectors.latest_decision(req)
    page = _text(_page(officer, req))
    for words in ("ผลการพิจารณา: อนุมัติบางส่วน", f"ครั้งที่ {d.meeting.number}/{d.meeting.fiscal_year}",
                  reasons.all_reasons()["P01"].th, reasons.category_name("merit", "th"), "15,000.00", "10,000.00",
                  "17,000.00", "12,000.00", "ค่าทนายความเกินอัตรา", "เห็นชอบ 4 ไม่เห็นชอบ 0 งดออกเสียง 0"):
        assert words in page, words
    assert "ออกหนังสือแจ้งผล" in page
    resp = officer.post(reverse("staff:issue_letter", args=[req.pk]))
    assert resp.status_code == 303
    letter = m.Letter.objects.get(request=req)
    html = _page(officer, req)
    url = reverse("staff:letter", args=[letter.pk])
    assert f'href="{url}"' in html
    views = AuditEvent.objects.filter(action="view_personal_data", object_type="letter").count()
    got = officer.get(url)
    assert got.status_code == 200 and got.content.startswith(b"%PDF")
    assert got["Content-Disposition"].startswith("attachment;") and got["X-Content-Type-Options"] == "nosniff"
    assert got["Content-Security-Policy"] == "sandbox" and "no-store" in got["Cache-Control"]
    assert AuditEvent.objects.filter(action="view_personal_data", object_type="letter").count() == views + 1
    assert login("officer.kk").get(url).status_code == 404  # another office's letter
    # the applicant is told; the appeal form says until when
    act(req, "officer.cm", "notify_applicant")
    deadline = decisions.appeal_deadline(Request.objects.get(pk=req.pk))
    page = _text(_page(login("intake.cm"), req))
    assert f"อุทธรณ์ได้ถึงวันที่ {be_date(deadline, 'long')}" in page
    act(req, "intake.cm", "appeal", comment="มีหลักฐานใหม่")
    page = _text(_page(officer, req))
    assert "มีหลักฐานใหม่" in page and "ยื่นอุทธรณ์แล้ว รอการพิจารณา" in page
    assert f"ผู้มีอำนาจพิจารณาอุทธรณ์: {m.Committee.objects.get(level=m.LEVEL_BOARD).name_th}" in page


def test_an_approved_request_cannot_be_appealed_and_the_form_says_why(make_request: Any, seated: dict[str, Any],
                                                                      login: Any, act: Any) -> None:
    req = make_request()
    decide(req, seated, "approved")
    act(req, "officer.cm", "notify_applicant")
    page = _text(_page(login("intake.cm"), req))
    assert "อุทธรณ์ได้เฉพาะผลการพิจารณาที่ไม่อนุมัติหรืออนุมัติบางส่วน" in page


def test_no_letter_button_before_a_decision(make_request: Any, seated: dict[str, Any], login: Any) -> None:
    req = make_request()
    html = _page(login("officer.cm"), req)
    assert "ออกหนังสือแจ้งผล" not in html and "ยังไม่มีผลการพิจารณา" in html
    resp = login("officer.cm").post(reverse("staff:issue_letter", args=[req.pk]), follow=True)
    assert "ยังไม่มีผลการพิจารณา จึงออกหนังสือแจ้งผลไม่ได้" in resp.content.decode()
    assert not m.Letter.objects.exists()


def test_the_dashboard_shows_outcomes_from_the_records(make_request: Any, seated: dict[str, Any], login: Any,
                                                       act: Any) -> None:
    one, two, three = make_request(), make_request(), make_request()
    decide(one, seated, "rejected", ["X01"], note="เหตุอื่น")
    decide(two, seated, "approved")
    act(three, "intake.cm", "withdraw", comment="ถอน")
    html = _text(login("head.cm").get(reverse("staff:dashboard")).content.decode())
    assert "ผลการพิจารณาจากบันทึกการพิจารณา" in html
    fy = one.fiscal_year
    row = html.split(f" {fy} ")[-1]
    assert "1 (ร้อยละ 33.33)" in row  # each of approved, rejected, terminated: 1 of 3
    assert "ร้อยละ 33.33 · เกินเป้าหมาย" in row  # one of three decided requests has only "another reason"
