"""Correcting a request's applicant and service details on /staff/requests/<pk>/edit/, and the
case page's history of the applicant's record (which fields changed, when, by whom, through
which request; never the earlier values)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jfs.audit.models import AuditEvent
from jfs.cases import services
from jfs.cases.models import PersonRevision, Request, Transition
from jfslib import thai_id
from tests.conftest import DETAILS
from tests.forms_support import form_values as page_form_values

pytestmark = pytest.mark.django_db


def form_values(resp: Any) -> dict[str, str]:
    return page_form_values(resp.content.decode(), "request-form")


def edit_url(req: Request) -> str:
    return reverse("staff:edit_request", args=[req.pk])


def field_errors(resp: Any) -> dict[str, list[str]]:
    a, d = resp.context["applicant_form"], resp.context["details_form"]
    return {**{f"a-{k}": [str(e) for e in v] for k, v in a.errors.items()},
            **{f"d-{k}": [str(e) for e in v] for k, v in d.errors.items()}}


# --------------------------------------------------------------------------- the page


def test_the_case_page_links_to_the_correction_page(make_request: Any, login: Any) -> None:
    req = make_request()
    html = login("officer.cm").get(reverse("staff:case", args=[req.pk])).content.decode()
    assert f'href="{edit_url(req)}"' in html and "แก้ไขข้อมูลคำขอ" in html


def test_get_shows_the_forms_filled_in_from_the_request(make_request: Any, login: Any) -> None:
    req = make_request()
    resp = login("officer.cm").get(edit_url(req))
    assert resp.status_code == 200
    values = form_values(resp)
    assert values["version"] == "1"
    assert (values["a-title"], values["a-first_name"], values["a-last_name"]) == ("นาย", "สมปอง", "ทดสอบ")
    assert values["a-birth_date"] == "17/05/2523"  # B.E.
    assert (values["a-sex"], values["a-province_code"], values["a-district_code"], values["a-subdistrict_code"]) == (
        "M", "50", "5001", "500101")
    assert (values["a-education"], values["a-occupation"], values["a-household_size"]) == ("primary", "labourer", "4")
    assert values["d-court"] == DETAILS["LIT"]["court"] and values["d-party_role"] == "defendant"
    assert (values["d-cost_lawyer"], values["d-cost_court_fee"]) == ("15000", "2000")
    # the national ID is shown masked and is not an input: a different ID is another person
    html = resp.content.decode()
    nid = req.applicant.national_id
    assert thai_id.mask(nid) in html and nid not in html
    assert not any("national_id" in k for k in values)


def test_post_corrects_a_first_name_and_a_detail(make_request: Any, login: Any) -> None:
    req = make_request()
    client = login("officer.cm")
    values = form_values(client.get(edit_url(req)))
    values.update({"a-first_name": "สมปอง๋", "d-court": "ศาลแขวงเชียงใหม่"})
    resp = client.post(edit_url(req), values)
    assert resp.status_code == 302 and resp.url == reverse("staff:case", args=[req.pk])

    t = Transition.objects.get(request=req, action="update")
    assert t.actor.username == "officer.cm"
    # only what was changed: the pre-filled values go back exactly as they were stored
    assert t.diff == {"applicant.first_name": ["…", "…"],
                      "details.court": [DETAILS["LIT"]["court"], "ศาลแขวงเชียงใหม่"]}
    [rev] = PersonRevision.objects.filter(person=req.applicant_id)
    assert (rev.reason, rev.request_id, rev.previous, rev.actor.username) == (
        "correction", req.pk, {"first_name": "สมปอง"}, "officer.cm")
    req.refresh_from_db()
    assert (req.version, req.applicant.first_name, req.details["court"]) == (2, "สมปอง๋", "ศาลแขวงเชียงใหม่")

    page = client.get(resp.url)
    assert "บันทึกแล้ว" in [str(m) for m in page.context["messages"]]


def test_saving_without_changes_changes_nothing(make_request: Any, login: Any) -> None:
    for service in ("LIT", "BAIL", "HR", "PROJECT", "CONSULT"):
        details = dict(DETAILS[service])
        if service == "BAIL":
            details["detainee_national_id"] = thai_id.make_valid("110170012345")
        req = make_request(service=service, details=details)
        client = login("officer.cm")
        resp = client.post(edit_url(req), form_values(client.get(edit_url(req))))
        assert resp.status_code == 302, (service, field_errors(resp))
        assert not Transition.objects.filter(request=req, action="update").exists(), service
        assert not PersonRevision.objects.filter(person=req.applicant_id).exists()
        assert Request.objects.get(pk=req.pk).version == req.version
        assert "ไม่มีข้อมูลที่เปลี่ยนแปลง" in [str(m) for m in client.get(resp.url).context["messages"]]


def test_the_detainee_s_national_id_is_masked_and_kept_when_left_empty(make_request: Any, login: Any) -> None:
    detainee = thai_id.make_valid("110170012345")
    req = make_request(service="BAIL", details=dict(DETAILS["BAIL"], detainee_national_id=detainee))
    client = login("officer.cm")
    resp = client.get(edit_url(req))
    html = resp.content.decode()
    assert detainee not in html and thai_id.mask(detainee) in html
    values = form_values(resp)
    assert values["d-detainee_national_id"] == ""
    values["d-charge"] = "ฉ้อโกง"
    assert client.post(edit_url(req), values).status_code == 302
    req.refresh_from_db()
    assert (req.details["charge"], req.details["detainee_national_id"]) == ("ฉ้อโกง", detainee)


def _typed_with_mistakes(client: Client, req: Request) -> dict[str, str]:
    values = form_values(client.get(edit_url(req)))
    values.update({"a-first_name": "ชื่อที่พิมพ์ใหม่", "a-birth_date": "31/02/2530", "a-last_name": "",
                   "d-case_number": "พ.999/2569"})
    return values


def test_form_mistakes_are_shown_on_their_fields_and_nothing_typed_is_lost(make_request: Any, login: Any) -> None:
    req = make_request()
    client = login("officer.cm")
    resp = client.post(edit_url(req), _typed_with_mistakes(client, req))
    assert resp.status_code == 422
    errors = field_errors(resp)
    assert errors["a-birth_date"] == ["วันเกิด: ไม่มีวันที่นี้ในปฏิทิน"]  # the message names its field
    assert set(errors) == {"a-birth_date", "a-last_name"}
    html = resp.content.decode()
    assert "มีข้อผิดพลาด" in html and 'href="#id_a-birth_date"' in html
    kept = form_values(resp)
    assert (kept["a-first_name"], kept["a-birth_date"], kept["a-last_name"], kept["d-case_number"]) == (
        "ชื่อที่พิมพ์ใหม่", "31/02/2530", "", "พ.999/2569")
    assert kept["version"] == "1"
    assert not Transition.objects.filter(request=req, action="update").exists()


def test_form_mistakes_in_english(make_request: Any, login: Any) -> None:
    req = make_request()
    client = login("officer.cm")
    client.cookies["django_language"] = "en"
    resp = client.post(edit_url(req), _typed_with_mistakes(client, req))
    assert resp.status_code == 422
    html = resp.content.decode()
    assert "This date does not exist in the calendar" in html
    assert "ไม่มีวันที่นี้ในปฏิทิน" not in html and "ฟิลด์นี้จำเป็น" not in html
    assert "This field is required." not in html  # each message names its field (issue 9, item 8)


def _bad_details(client: Client, req: Request) -> dict[str, str]:
    values = form_values(client.get(edit_url(req)))
    values.update({"a-first_name": "ชื่อที่พิมพ์ใหม่", "d-court": "ศ", "d-cost_lawyer": "0", "d-cost_court_fee": "0"})
    return values


def test_details_the_service_refuses_are_shown_on_their_fields_and_kept(make_request: Any, login: Any) -> None:
    req = make_request()
    client = login("officer.cm")
    resp = client.post(edit_url(req), _bad_details(client, req))
    assert resp.status_code == 422
    assert field_errors(resp)["d-court"] == ["ศาล: ต้องมีอย่างน้อย 2 ตัวอักษร"]
    # the costs' own rule, on the first cost field, named by the group's label
    assert field_errors(resp)["d-cost_lawyer"] == ["ค่าใช้จ่าย: ต้องขออย่างน้อยหนึ่งรายการ"]
    kept = form_values(resp)
    assert (kept["a-first_name"], kept["d-court"], kept["d-cost_lawyer"]) == ("ชื่อที่พิมพ์ใหม่", "ศ", "0")
    req.refresh_from_db()
    assert req.applicant.first_name == "สมปอง" and req.version == 1  # nothing saved, not even the applicant


def test_details_the_service_refuses_in_english(make_request: Any, login: Any) -> None:
    req = make_request()
    client = login("officer.cm")
    client.cookies["django_language"] = "en"
    resp = client.post(edit_url(req), _bad_details(client, req))
    assert resp.status_code == 422
    assert field_errors(resp)["d-court"] == ["Court: Must be at least 2 characters"]
    assert field_errors(resp)["d-cost_lawyer"] == ["Costs: Request at least one cost item"]


def test_a_stale_version_keeps_what_was_typed_and_offers_the_form_at_the_current_version(
        make_request: Any, login: Any, users: Any) -> None:
    req = make_request()
    mine, theirs = login("officer.cm"), login("officer2.cm")
    typed = form_values(mine.get(edit_url(req)))
    their_values = form_values(theirs.get(edit_url(req)))
    their_values["d-court"] = "ศาลแพ่ง"
    assert theirs.post(edit_url(req), their_values).status_code == 302

    typed["a-first_name"] = "สมปองที่แก้"  # typed against version 1 (the old court still in the form)
    resp = mine.post(edit_url(req), typed)
    assert resp.status_code == 409
    said = " ".join(str(m) for m in resp.context["messages"])
    assert "มีผู้อื่นบันทึกคำขอนี้ก่อนท่าน" in said and "ข้อความที่ท่านกรอกยังอยู่" in said
    assert "ข้อมูลที่ผู้อื่นแก้ไข: ศาล" in said  # which fields to check before saving again
    again = form_values(resp)
    assert again["a-first_name"] == "สมปองที่แก้" and again["version"] == "2"
    req.refresh_from_db()
    assert (req.version, req.applicant.first_name, req.details["court"]) == (2, "สมปอง", "ศาลแพ่ง")

    # the officer checks the change, keeps the other's court and saves the re-rendered form again
    again["d-court"] = "ศาลแพ่ง"
    resp = mine.post(edit_url(req), again)
    assert resp.status_code == 302, field_errors(resp)
    req.refresh_from_db()
    assert (req.version, req.applicant.first_name, req.details["court"]) == (3, "สมปองที่แก้", "ศาลแพ่ง")
    # the old page (version 1) still conflicts
    assert mine.post(edit_url(req), typed).status_code == 409


def test_a_change_of_the_applicant_through_another_request_is_not_silently_undone(
        make_request: Any, login: Any) -> None:
    """The applicant's record is shared by all their requests: a registration at another office
    after the form was opened is a conflict, and the officer decides with the current record."""
    req = make_request()
    client = login("officer.cm")
    typed = form_values(client.get(edit_url(req)))
    assert typed["applicant_version"] == "1"
    make_request(office="40", applicant={"national_id": req.applicant.national_id, "first_name": "มานี",
                                         "monthly_income": "4200"})
    typed["a-phone"] = "0899999999"
    resp = client.post(edit_url(req), typed)  # would put back the old name and income
    assert resp.status_code == 409
    said = " ".join(str(m) for m in resp.context["messages"])
    assert "ข้อมูลผู้ขอถูกแก้ไขผ่านคำขออื่น" in said
    req.refresh_from_db()
    assert (req.applicant.first_name, str(req.applicant.monthly_income), req.applicant.version) == ("มานี", "4200.00", 2)
    assert "ข้อมูลผู้ขอที่เปลี่ยนไปแล้ว (แสดงค่าปัจจุบัน)" in said  # and which fields
    again = form_values(resp)
    # what the officer typed is kept; the fields the other registration changed show the current record
    assert again["a-phone"] == "0899999999" and again["applicant_version"] == "2"
    assert again["a-first_name"] == "มานี" and again["a-monthly_income"] in ("4200", "4200.00")
    assert client.post(edit_url(req), again).status_code == 302
    req.refresh_from_db()
    assert (req.applicant.first_name, req.applicant.phone, req.applicant.version) == ("มานี", "+66899999999", 3)


def test_a_missing_or_forged_version_is_a_conflict_never_a_blind_save(make_request: Any, login: Any) -> None:
    req = make_request()
    client = login("officer.cm")
    values = form_values(client.get(edit_url(req)))
    values["a-first_name"] = "ไม่ควรบันทึก"
    for version in ("", "abc", "9" * 40):
        assert client.post(edit_url(req), {**values, "version": version}).status_code == 409
    assert Request.objects.get(pk=req.pk).applicant.first_name == "สมปอง"


def test_another_office_s_officer_gets_404(make_request: Any, login: Any) -> None:
    req = make_request()
    client = login("officer.kk")
    assert client.get(edit_url(req)).status_code == 404
    assert client.post(edit_url(req), {"version": "1", "a-first_name": "x"}).status_code == 404


def test_read_only_roles_get_no_link_and_403(make_request: Any, login: Any) -> None:
    req = make_request()
    for username in ("executive", "auditor"):
        client = login(username)
        html = client.get(reverse("staff:case", args=[req.pk])).content.decode()
        assert edit_url(req) not in html
        assert client.get(edit_url(req)).status_code == 403
        assert client.post(edit_url(req), {"version": "1", "a-first_name": "x"}).status_code == 403
    assert not Transition.objects.filter(request=req, action="update").exists()


def test_a_closed_request_cannot_be_corrected(make_request: Any, login: Any, act: Any) -> None:
    req = make_request()
    client = login("officer.cm")
    typed = form_values(client.get(edit_url(req)))
    act(req, "officer.cm", "withdraw", comment="ผู้ขอถอนคำขอ")
    html = client.get(reverse("staff:case", args=[req.pk])).content.decode()
    assert edit_url(req) not in html

    resp = client.get(edit_url(req))
    assert resp.status_code == 302 and resp.url == reverse("staff:case", args=[req.pk])
    assert "คำขอนี้ปิดแล้ว แก้ไขข้อมูลไม่ได้" in [str(m) for m in client.get(resp.url).context["messages"]]
    # a form opened before the request was closed: nothing is saved, what was typed stays on the page to copy
    typed["a-first_name"] = "หลังปิด"
    resp = client.post(edit_url(req), typed)
    assert resp.status_code == 409
    said = " ".join(str(m) for m in resp.context["messages"])
    assert "คำขอนี้ปิดแล้ว แก้ไขข้อมูลไม่ได้" in said and "ถอนคำขอ" in said  # closed, and by whom
    assert form_values(resp)["a-first_name"] == "หลังปิด"
    assert "บันทึกการแก้ไข" not in resp.content.decode()  # no button to save
    req.refresh_from_db()
    assert req.applicant.first_name == "สมปอง" and not Transition.objects.filter(request=req, action="update").exists()


def test_every_view_of_the_page_is_audited(make_request: Any, login: Any) -> None:
    req = make_request()
    client = login("officer.cm")

    def views() -> int:
        return AuditEvent.objects.filter(action="view_personal_data", actor_username="officer.cm",
                                         object_id=str(req.pk), reference=req.number).count()

    assert views() == 0
    values = form_values(client.get(edit_url(req)))
    assert views() == 1
    client.post(edit_url(req), {**values, "a-last_name": ""})  # the re-rendered form shows the data again
    assert views() == 2


# --------------------------------------------------------------------------- history on the case page


def test_the_case_page_shows_which_fields_a_later_registration_changed(make_request: Any, login: Any) -> None:
    first = make_request()
    second = make_request(office="40", applicant={"national_id": first.applicant.national_id, "first_name": "มานี"})
    client = login("officer.cm")
    resp = client.get(reverse("staff:case", args=[first.pk]))
    html = resp.content.decode()
    [entry] = resp.context["applicant_history"]
    assert entry["fields"] == ["ชื่อ", "จังหวัด", "อำเภอ/เขต", "ตำบล/แขวง"]
    assert "ข้อมูลผู้ขอที่เปลี่ยนหลังรับคำขอนี้" in html
    assert "ลงทะเบียนคำขอใหม่" in html and "ชื่อ, จังหวัด, อำเภอ/เขต, ตำบล/แขวง" in html
    assert "มานี" in html  # the current value
    assert "สมปอง" not in html  # the earlier one is for the auditor, not on this page
    # the Khon Kaen request is not this officer's to open: not named (its number tells the service)
    assert entry["request"] is None and second.number not in html and "คำขอของสำนักงานอื่น" in html
    assert "officer.kk" not in html
    # an executive reads every office: the request and its office are named
    html = login("executive").get(reverse("staff:case", args=[first.pk])).content.decode()
    assert second.number in html and "สำนักงานยุติธรรมจังหวัดขอนแก่น" in html


def test_the_history_names_fields_in_english_and_lists_corrections(make_request: Any, login: Any, users: Any) -> None:
    req = make_request()
    person = req.applicant
    applicant = services.ApplicantInput(**{f: getattr(person, f) for f in services.PERSON_FIELDS})
    applicant.phone, applicant.monthly_income = "0899999999", "7000"
    services.update_details(actor=users["officer2.cm"], request_id=req.pk, expected_version=req.version,
                            applicant=applicant)
    client = login("officer.cm")
    client.cookies["django_language"] = "en"
    resp = client.get(reverse("staff:case", args=[req.pk]))
    [entry] = resp.context["applicant_history"]
    assert entry["fields"] == ["Phone", "Monthly income (baht)"]
    assert entry["request"].pk == req.pk and entry["actor"].username == "officer2.cm"
    html = resp.content.decode()
    assert "Phone, Monthly income (baht)" in html and "0812345678" not in html


def test_a_request_s_own_registration_and_earlier_changes_are_not_listed(make_request: Any, login: Any) -> None:
    first = make_request()
    second = make_request(office="40", applicant={"national_id": first.applicant.national_id, "first_name": "มานี"})
    client = login("officer.kk")
    resp = client.get(reverse("staff:case", args=[second.pk]))
    assert resp.context["applicant_history"] == []
    assert "ข้อมูลผู้ขอที่เปลี่ยนหลังรับคำขอนี้" not in resp.content.decode()
