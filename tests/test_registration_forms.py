"""The registration and correction forms (issue 9, item 8): every mistake in one round, messages
that name the field, no preselected sex, the consultation's advice typed once, several documents
uploaded in one post."""

from __future__ import annotations

import html as htmlmod
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jfs.cases import services
from jfs.cases.errors import InvalidInput, NotPermitted
from jfs.cases.models import Document, Request
from jfs.staff.forms import DETAIL_FORMS, ApplicantForm, UploadForm
from tests.conftest import SAMPLE_FILES, applicant_input
from tests.forms_support import form_values
from tests.forms_support import registration_form_data as form_data

pytestmark = pytest.mark.django_db

NEW = reverse("staff:new_request")
BAD_CHECK_DIGIT = "1-1017-00203-45-1"


@pytest.fixture
def intake(login: Any) -> Client:
    return login("intake.cm")




def error_summary(page: str) -> list[str]:
    found = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert found, "no error summary"
    return [htmlmod.unescape(re.sub(r"<[^>]+>", "", li)).strip() for li in re.findall(r"<li>(.*?)</li>", found.group(0), re.S)]


# --------------------------------------------------------------------------- one round


def test_every_mistake_is_shown_in_one_round(intake: Client) -> None:
    """A bad check digit (the service's), a missing name (the form's) and a court name too short
    (the details model's rule, not the form's) are all reported by the first post."""
    resp = intake.post(NEW, form_data(**{"a-national_id": BAD_CHECK_DIGIT, "a-first_name": "", "d-court": "ศ"}))
    assert resp.status_code == 422
    summary = error_summary(resp.content.decode())
    assert "กรุณากรอกชื่อผู้ขอรับความช่วยเหลือ" in summary
    assert "เลขประจำตัวประชาชนไม่ถูกต้อง: หลักตรวจสอบไม่ตรง" in summary
    assert "ศาล: ต้องมีอย่างน้อย 2 ตัวอักษร" in summary
    assert len(summary) == 3, summary
    # each links to its field
    page = resp.content.decode()
    for anchor in ("#id_a-first_name", "#id_a-national_id", "#id_d-court"):
        assert f'href="{anchor}"' in page
    assert not Request.objects.exists()


def test_service_errors_of_a_valid_form_and_a_refused_details_form_come_together(intake: Client) -> None:
    """The applicant form accepts what it is given, but the phone number is not a Thai number and
    a representative has no name (the service's rules); the details form refuses a missing court:
    all in one round."""
    resp = intake.post(NEW, form_data(**{"a-phone": "12", "d-court": "",
                                          "a-representative_type": "spouse", "a-representative_name": ""}))
    summary = error_summary(resp.content.decode())
    assert "กรุณากรอกศาล" in summary
    assert "กรุณากรอกชื่อผู้แทน" in summary
    assert any(s.startswith("หมายเลขโทรศัพท์ไม่ถูกต้อง") for s in summary), summary
    assert len(summary) == 3, summary


def test_registration_problems_lists_applicant_details_and_representative_together() -> None:
    problems = services.registration_problems(
        service="LIT", applicant=applicant_input(national_id="1101700203451", first_name=""),
        details={"case_kind": "civil", "court": "ศ", "party_role": "defendant", "costs": {"lawyer": "1"}},
        representative_type="guardian", representative_name="", representative_national_id="1234")
    fields = {p["field"] for p in problems}
    assert fields == {"national_id", "first_name", "details.court", "representative_name", "representative_national_id"}


def test_create_request_refuses_with_every_problem_at_once(users: Any) -> None:
    with pytest.raises(InvalidInput) as exc:
        services.create_request(actor=users["intake.cm"], service="LIT", office="50",
                                applicant=applicant_input(national_id="1101700203451", last_name=""),
                                details={"case_kind": "civil", "court": "", "party_role": "defendant", "costs": {}})
    assert {e["field"] for e in exc.value.errors} >= {"national_id", "last_name", "details.court"}
    assert not Request.objects.exists()


def test_the_correction_form_also_shows_every_mistake_at_once(make_request: Any, login: Any) -> None:
    req = make_request(assign_to="officer.cm")
    client = login("officer.cm")
    url = reverse("staff:edit_request", args=[req.pk])
    data = form_values(client.get(url).content.decode(), "request-form")
    data.update({"a-first_name": "", "a-phone": "12", "d-court": "ศ"})
    resp = client.post(url, data)
    assert resp.status_code == 422
    summary = error_summary(resp.content.decode())
    assert "กรุณากรอกชื่อผู้ขอรับความช่วยเหลือ" in summary
    assert any(s.startswith("หมายเลขโทรศัพท์ไม่ถูกต้อง") for s in summary), summary
    assert "ศาล: ต้องมีอย่างน้อย 2 ตัวอักษร" in summary


# --------------------------------------------------------------------------- messages that name the field


@pytest.mark.parametrize("service", ["LIT", "BAIL", "HR", "PROJECT", "CONSULT"])
def test_an_empty_registration_names_every_missing_field(intake: Client, service: str) -> None:
    resp = intake.post(NEW, {"service": service, "office": "50"})
    page = htmlmod.unescape(resp.content.decode())
    assert resp.status_code == 422
    assert "ฟิลด์นี้" not in page and "This field is required" not in page and "กรุณากรอกข้อมูลนี้" not in page
    summary = error_summary(resp.content.decode())
    for expected in ("กรุณากรอกชื่อผู้ขอรับความช่วยเหลือ", "กรุณากรอกนามสกุลผู้ขอรับความช่วยเหลือ",
                     "กรุณาเลือกเพศของผู้ขอรับความช่วยเหลือ", "กรุณากรอกวันเกิดของผู้ขอรับความช่วยเหลือ",
                     "กรุณากรอกเลขประจำตัวประชาชนของผู้ขอรับความช่วยเหลือ", "กรุณาเลือกจังหวัด"):
        assert expected in summary, (expected, summary)
    form = DETAIL_FORMS[service]()
    for name, field in form.fields.items():
        if field.required:
            verb = "กรุณาเลือก" if hasattr(field, "choices") else "กรุณากรอก"
            assert f"{verb}{field.label}" in summary, (name, summary)


def test_invalid_values_are_named_too(intake: Client) -> None:
    resp = intake.post(NEW, form_data(**{"a-household_size": "0", "a-monthly_income": "สามพัน", "d-cost_lawyer": "-1"}))
    summary = error_summary(resp.content.decode())
    assert "จำนวนสมาชิกในครัวเรือนของผู้ขอรับความช่วยเหลือต้องไม่น้อยกว่า 1" in summary
    assert "รายได้ต่อเดือนของผู้ขอรับความช่วยเหลือต้องเป็นตัวเลข" in summary
    assert "ค่าทนายความต้องไม่น้อยกว่า 0" in summary


def test_named_messages_in_english(intake: Client) -> None:
    intake.cookies["django_language"] = "en"
    resp = intake.post(NEW, form_data(**{"a-first_name": ""}), HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 422
    assert "This field is required" not in resp.content.decode()


# --------------------------------------------------------------------------- no preselected sex


def test_sex_is_not_preselected_and_is_required(intake: Client) -> None:
    page = intake.get(NEW).content.decode()
    assert form_values(page, "request-form")["a-sex"] == ""
    select = re.search(r'<select name="a-sex".*?</select>', page, re.S)
    assert select and "selected" not in select.group(0).split("</option>", 1)[1]  # nothing but the prompt
    assert ApplicantForm().fields["sex"].choices[0][0] == ""  # type: ignore[attr-defined]
    resp = intake.post(NEW, form_data(**{"a-sex": ""}))
    assert "กรุณาเลือกเพศของผู้ขอรับความช่วยเหลือ" in error_summary(resp.content.decode())


# --------------------------------------------------------------------------- the consultation's advice


CONSULT = {"service": "CONSULT", "d-topic": "ที่ดินมรดก", "d-channel": "counter", "d-referral": ""}


def test_the_consultation_registration_does_not_ask_for_the_advice(intake: Client) -> None:
    page = intake.get(NEW, {"service": "CONSULT"}).content.decode()
    assert "d-advice_given" not in page and "คำปรึกษาที่ให้" not in page.split("<form", 1)[1].split("</form>")[0]


def test_the_advice_is_the_comment_of_give_advice_stored_in_the_details(intake: Client, act: Any) -> None:
    data = {k: v for k, v in form_data(**CONSULT).items() if not k.startswith("d-") or k in CONSULT}
    resp = intake.post(NEW, data)
    assert resp.status_code == 302, error_summary(resp.content.decode())
    req = Request.objects.get()
    assert req.details["advice_given"] == ""
    act(req, "intake.cm", "give_advice", comment="แนะนำให้ยื่นคำร้องขอเป็นผู้จัดการมรดก")
    req.refresh_from_db()
    assert req.details["advice_given"] == "แนะนำให้ยื่นคำร้องขอเป็นผู้จัดการมรดก"
    assert req.transitions.get(action="give_advice").comment == "แนะนำให้ยื่นคำร้องขอเป็นผู้จัดการมรดก"


def test_a_correction_keeps_the_advice_recorded_by_the_action(make_request: Any, users: Any, act: Any) -> None:
    req = make_request(service="CONSULT", assign_to="officer.cm")
    req = act(req, "officer.cm", "give_advice", comment="คำแนะนำเรื่องมรดก")
    services.update_details(actor=users["officer.cm"], request_id=req.pk, expected_version=req.version,
                            details={"topic": "มรดกที่ดิน", "channel": "phone", "referral": ""})
    req.refresh_from_db()
    assert req.details["advice_given"] == "คำแนะนำเรื่องมรดก" and req.details["topic"] == "มรดกที่ดิน"


def test_advice_too_long_for_the_record_is_refused_on_the_comment(make_request: Any, users: Any) -> None:
    req = make_request(service="CONSULT", assign_to="officer.cm")
    with pytest.raises(InvalidInput) as exc:
        services.transition(actor=users["officer.cm"], request_id=req.pk, action="give_advice",
                            expected_version=req.version, comment="ก" * 3001)
    assert exc.value.errors[0]["field"] == "comment"
    req.refresh_from_db()
    assert req.state == "received" and req.details.get("advice_given", "") == ""


# --------------------------------------------------------------------------- several documents at once


def upload_rows(*rows: tuple[str, str, bytes]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for i, (doc_type, name, content) in enumerate(rows, start=1):
        kind, file = ("doc_type", "file") if i == 1 else (f"doc_type_{i}", f"file_{i}")
        data[kind] = doc_type
        if name:
            data[file] = SimpleUploadedFile(name, content)
    return data


def test_add_documents_stores_the_good_files_and_refuses_the_bad_one_with_its_reason(
        make_request: Any, users: Any, document_root: Any) -> None:
    req = make_request(assign_to="officer.cm")
    results = services.add_documents(actor=users["officer.cm"], request_id=req.pk, uploads=[
        services.Upload("id_card", "id.pdf", [SAMPLE_FILES["pdf"]], len(SAMPLE_FILES["pdf"])),
        services.Upload("other", "setup.exe", [SAMPLE_FILES["exe"]], len(SAMPLE_FILES["exe"])),
        services.Upload("house_registration", "house.png", [SAMPLE_FILES["png"]], len(SAMPLE_FILES["png"])),
    ])
    assert [r.document is not None for r in results] == [True, False, True]
    assert results[1].error is not None and "PDF" in results[1].error.en
    assert sorted(Document.objects.filter(request=req).values_list("doc_type", flat=True)) == ["house_registration",
                                                                                               "id_card"]


def test_add_documents_refuses_the_whole_post_for_a_role_that_may_not_upload(make_request: Any, users: Any) -> None:
    req = make_request(assign_to="officer.cm")
    with pytest.raises(NotPermitted):
        services.add_documents(actor=users["member.cm"], request_id=req.pk,
                               uploads=[services.Upload("id_card", "id.pdf", [SAMPLE_FILES["pdf"]], 10)])
    assert not Document.objects.exists()


def test_three_files_in_one_post_on_the_page(make_request: Any, staff_client: Client, document_root: Any) -> None:
    req = make_request(assign_to="officer.cm")
    resp = staff_client.post(reverse("staff:upload", args=[req.pk]), upload_rows(
        ("id_card", "id.pdf", SAMPLE_FILES["pdf"]), ("house_registration", "house.png", SAMPLE_FILES["png"]),
        ("other", "letter.jpg", SAMPLE_FILES["jpeg"])), follow=True)
    assert resp.redirect_chain and resp.redirect_chain[0][1] == 302  # no re-post on refresh
    shown = [str(m) for m in resp.context["messages"]]
    assert sum(m.startswith("อัปโหลดแล้ว: ") for m in shown) == 3, shown
    assert Document.objects.filter(request=req).count() == 3


def test_a_bad_file_does_not_lose_the_good_ones_on_the_page(make_request: Any, staff_client: Client,
                                                             document_root: Any) -> None:
    req = make_request(assign_to="officer.cm")
    resp = staff_client.post(reverse("staff:upload", args=[req.pk]), upload_rows(
        ("id_card", "id.pdf", SAMPLE_FILES["pdf"]), ("other", "notes.txt", SAMPLE_FILES["text"])), follow=True)
    shown = [str(m) for m in resp.context["messages"]]
    assert "อัปโหลดแล้ว: “id.pdf” (บัตรประจำตัวประชาชน)" in shown[0] or any("id.pdf" in m for m in shown)
    assert any(m.startswith("ไม่ได้อัปโหลด “notes.txt”") and "PDF, JPEG หรือ PNG" in m for m in shown), shown
    assert list(Document.objects.filter(request=req).values_list("original_name", flat=True)) == ["id.pdf"]


def test_a_file_without_a_type_is_named_and_nothing_is_stored(make_request: Any, staff_client: Client) -> None:
    req = make_request(assign_to="officer.cm")
    resp = staff_client.post(reverse("staff:upload", args=[req.pk]), upload_rows(
        ("id_card", "id.pdf", SAMPLE_FILES["pdf"]), ("", "other.pdf", SAMPLE_FILES["pdf"])))
    assert resp.status_code == 422
    assert "กรุณาเลือกประเภทเอกสารของไฟล์ที่ 2" in error_summary(resp.content.decode())
    assert not Document.objects.exists()


def test_no_file_at_all_is_named(make_request: Any, staff_client: Client) -> None:
    req = make_request(assign_to="officer.cm")
    resp = staff_client.post(reverse("staff:upload", args=[req.pk]), {"doc_type": "id_card", "doc_type_2": ""})
    assert resp.status_code == 422
    assert "กรุณาเลือกไฟล์ที่จะแนบอย่างน้อยหนึ่งไฟล์" in error_summary(resp.content.decode())


def test_the_upload_rows_start_with_the_missing_required_documents(make_request: Any, staff_client: Client) -> None:
    req = make_request(assign_to="officer.cm")
    page = staff_client.get(reverse("staff:case", args=[req.pk])).content.decode()
    missing = [d.code for d in req.workflow.required_documents()]
    values = form_values(page)
    assert [values.get("doc_type" if i == 1 else f"doc_type_{i}") for i in range(1, len(missing) + 1)] == missing
    assert len(UploadForm(doc_choices=[], missing=missing).rows()) == max(len(missing) + 1, UploadForm.MIN_ROWS)
