"""Online applications (issue 12, item 4): drafts answered one question at a time from the service's
details schema, conditional questions, save and resume, PDPA consent with the notice's version,
Once-Only registry facts, uploads, submission once; and every bad input: forged and oversized files,
invalid ID numbers, a C.E. birth year, double submission, an expired session, another's draft."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from typing import Any

import pikepdf
import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from jfs.accounts.models import Office, User
from jfs.applications import questions as qs
from jfs.applications import services
from jfs.applications.models import Application
from jfs.audit.models import AuditEvent
from jfs.cases.errors import DocumentRejected, InvalidInput, NotPermitted
from jfs.cases.models import Request
from jfs.portal.access import ASSURANCE_KEY
from tests.conftest import SAMPLE_FILES, new_national_id
from tests.exchange_support import NOBODY, SOMYING

#: the answers a citizen types, per question (a group question's inputs by name)
APPLICANT: dict[str, dict[str, str]] = {
    "name": {"title": "นาง", "first_name": "บุญมี", "last_name": "ยื่นออนไลน์"},
    "birth_date": {"value": "14/03/2518"},
    "sex": {"value": "F"},
    "province": {"value": "50"},
    "district": {"value": "5001"},
    "subdistrict": {"value": "500101"},
    "house_no": {"value": "12 หมู่ 3"},
    "phone": {"value": "081 234 5678"},
    "monthly_income": {"value": "6,000"},
    "household_size": {"value": "4"},
}
DETAILS: dict[str, dict[str, dict[str, str]]] = {
    "LIT": {
        "case_kind": {"value": "civil"},
        "_case_filed": {"value": "yes"},
        "court": {"value": "ศาลจังหวัดเชียงใหม่"},
        "case_number": {"value": "พ.123/2569"},
        "party_role": {"value": "defendant"},
        "costs": {"lawyer": "15000", "court_fee": "2000"},
        "household_monthly_income": {"value": "9000"},
        "other_help_received": {"value": "no"},
    },
    "BAIL": {
        "_detainee_is_applicant": {"value": "no"},
        "detainee_name": {"value": "นายสมปอง ใจกล้า"},
        "detainee_national_id": {"value": ""},
        "charge": {"value": "ลักทรัพย์"},
        "held_at": {"value": "สถานีตำรวจภูธรเมืองเชียงใหม่"},
        "authority": {"value": "court"},
        "authority_name": {"value": "ศาลจังหวัดเชียงใหม่"},
        "bail_amount": {"value": "50000"},
        "household_monthly_income": {"value": ""},
        "other_help_received": {"value": ""},
    },
    "HR": {
        "violation": {"value": "ถูกทำร้ายร่างกายโดยเจ้าหน้าที่"},
        "harm": {"value": "บาดเจ็บ"},
        "remedy_requested": {"value": "ค่ารักษาพยาบาล"},
        "amount_requested": {"value": "20000"},
        "household_monthly_income": {"value": ""},
        "other_help_received": {"value": "no"},
    },
    "PROJECT": {
        "organisation": {"value": "มูลนิธิทดสอบ"},
        "organisation_registration_no": {"value": ""},
        "title": {"value": "อบรมกฎหมายชุมชน"},
        "plan": {"value": "อบรม 2 วัน"},
        "budget_lines": {"value": "ค่าวิทยากร = 12,000\nค่าเอกสาร = 3000"},
        "participants": {"value": "40"},
    },
    "CONSULT": {"topic": {"value": "มรดกที่ดิน"}, "referral": {"value": ""}},
}
SERVICES = ["LIT", "BAIL", "HR", "PROJECT", "CONSULT"]


def _pdf_with_javascript() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    js = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")))
    pdf.Root.OpenAction = js
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


@pytest.fixture
def uploads_dir(settings: Any, tmp_path: Any) -> Any:
    settings.JFS_APPLICATION_UPLOAD_ROOT = tmp_path / "application_uploads"
    return settings.JFS_APPLICATION_UPLOAD_ROOT


@pytest.fixture
def citizen(offices: dict[str, Office], uploads_dir: Any) -> User:
    return User.objects.create(username=f"citizen-{uuid.uuid4().hex[:8]}", role="citizen")


@pytest.fixture
def digital_citizen(offices: dict[str, Office], uploads_dir: Any) -> Callable[..., User]:
    def make(national_id: str, first: str = "", last: str = "") -> User:
        return User.objects.create(
            username=f"thaid-{national_id}", role="citizen", national_id=national_id, first_name=first, last_name=last
        )

    return make


def sign_in(user: User, assurance: str = "one_time_code") -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[ASSURANCE_KEY] = assurance
    session.save()
    return client


def answer_all(app: Application, answers: dict[str, dict[str, str]]) -> None:
    """Answer each question the flow asks next until none is left (the test fails on an unknown one)."""
    for _ in range(60):
        key = services.next_question(app)
        if key is None:
            return
        assert key in answers, f"the flow asked {key!r}, which the test has no answer for"
        assert services.answer(app, key, answers[key]) == [], (key, app.errors.get(key))
    pytest.fail("the questions never ended")


def ready(
    app: Application,
    citizen: User,
    *,
    for_whom: str = "self",
    registry: bool = False,
    answers: dict[str, dict[str, str]] | None = None,
) -> Application:
    if for_whom == "self":
        assert services.set_for_whom(app, for_whom="self") == []
    else:
        assert (
            services.set_for_whom(app, for_whom="other", relationship="relative", representative_name="นายพี่ชาย ยื่นแทน")
            == []
        )
    assert (
        services.give_consent(app, actor=citizen, acknowledged=True, purposes=["registry_check"] if registry else [])
        == []
    )
    base = {**APPLICANT, "national_id": {"value": new_national_id()}, **DETAILS[app.service]}
    answer_all(app, {**base, **(answers or {})})
    for d in services.documents(app):
        if d["required"]:
            services.add_upload(app, actor=citizen, doc_type=d["code"], name="scan.pdf", data=SAMPLE_FILES["pdf"])
    assert services.declare(app, agreed=True) == []
    return app


# --------------------------------------------------------------------------- the services


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_is_submitted_through_the_services_as_an_online_request(service: str, citizen: User) -> None:
    app = ready(services.start(actor=citizen, service=service), citizen)
    assert services.problems(app) == []
    req = services.submit(app, actor=citizen, assurance="one_time_code")
    assert req.channel == "online" and req.service == service and req.created_by == citizen
    assert req.office.code == "50"  # the Provincial Justice Office of the address's province
    assert req.state == "received"
    assert req.documents.count() == len([d for d in services.documents(app) if d["files"]])
    app.refresh_from_db()
    assert app.request == req and app.assurance == "one_time_code"


def test_the_questions_come_from_the_schema_without_the_officers_assessments() -> None:
    keys = qs.flow("BAIL", False, {"_detainee_is_applicant": "no"}).keys()
    assert {"charge", "held_at", "authority", "authority_name", "bail_amount"} <= set(keys)
    assert not {"flight_risk", "evidence_tampering_risk", "absconded_before", "offence_category"} & set(keys)
    assert keys.index("national_id") < keys.index("charge")  # the applicant's own questions first
    assert "channel" not in qs.flow("CONSULT", False, {}).keys()  # fixed: online
    assert "advice_given" not in qs.flow("CONSULT", False, {}).keys()  # recorded by the officer's action


def test_conditional_questions_follow_the_earlier_answers() -> None:
    bail_self = qs.flow("BAIL", False, {"_detainee_is_applicant": "yes"}).keys()
    assert "detainee_name" not in bail_self and "detainee_national_id" not in bail_self
    assert "detainee_name" in qs.flow("BAIL", False, {"_detainee_is_applicant": "no"}).keys()
    assert "case_number" not in qs.flow("LIT", False, {"_case_filed": "no"}).keys()
    assert "case_number" in qs.flow("LIT", False, {"_case_filed": "yes"}).keys()
    police = qs.flow("BAIL", False, {"authority": "police"}).get("authority_name")
    court = qs.flow("BAIL", False, {"authority": "court"}).get("authority_name")
    assert police and court and police.label[0] == "ชื่อสถานีตำรวจที่ควบคุมตัว" and court.label[0] == "ชื่อศาลที่ยื่นประกัน"


def test_a_detainee_who_is_the_applicant_is_named_from_the_applicants_answers(citizen: User) -> None:
    app = ready(
        services.start(actor=citizen, service="BAIL"), citizen, answers={"_detainee_is_applicant": {"value": "yes"}}
    )
    req = services.submit(app, actor=citizen, assurance="one_time_code")
    assert req.details["detainee_name"] == "นางบุญมี ยื่นออนไลน์"
    assert req.details["detainee_national_id"] == req.applicant.national_id


def test_a_draft_is_resumed_where_it_was_left_with_its_answers(citizen: User) -> None:
    app = services.start(actor=citizen, service="HR")
    services.set_for_whom(app, for_whom="self")
    services.answer(app, "name", APPLICANT["name"])
    again = services.start(actor=citizen, service="HR")
    assert again.pk == app.pk and again.answers["name"]["first_name"] == "บุญมี"
    assert services.next_question(again) == "national_id"


def test_consent_is_recorded_with_the_notices_version_and_purposes(citizen: User) -> None:
    app = services.start(actor=citizen, service="BAIL")
    assert services.give_consent(app, actor=citizen, acknowledged=False, purposes=[])[0]["input"] == "acknowledged"
    services.give_consent(app, actor=citizen, acknowledged=True, purposes=["registry_check", "criminal_records", "x"])
    app.refresh_from_db()
    assert app.notice_version == "2569-1" and app.notice_date == "2026-01-01"
    assert app.consent_purposes == ["criminal_records", "registry_check"] and app.consent_registry
    assert AuditEvent.objects.filter(action="application_consent", object_id=str(app.pk)).exists()


def test_refusing_the_registry_consent_means_uploading_the_documents(citizen: User) -> None:
    app = services.start(actor=citizen, service="LIT")
    services.set_for_whom(app, for_whom="self")
    services.give_consent(app, actor=citizen, acknowledged=True, purposes=[])
    required = {d["code"] for d in services.documents(app) if d["required"]}
    assert {"id_card", "house_registration", "income_proof", "case_documents"} <= required
    services.give_consent(app, actor=citizen, acknowledged=True, purposes=["registry_check"])
    assert "id_card" not in {d["code"] for d in services.documents(app) if d["required"]}


def test_a_representative_filing_for_someone_else_records_the_relationship(citizen: User) -> None:
    app = ready(services.start(actor=citizen, service="BAIL"), citizen, for_whom="other")
    assert "representative_authority" in {d["code"] for d in services.documents(app) if d["files"]}
    req = services.submit(app, actor=citizen, assurance="one_time_code")
    assert req.representative_type == "attorney_in_fact" and req.representative_name == "นายพี่ชาย ยื่นแทน"
    assert Application.objects.get(request=req).relationship == "relative"


def test_once_only_shows_the_registry_facts_and_does_not_ask_them(fast: Any, digital_citizen: Any) -> None:
    user = digital_citizen(SOMYING.national_id)
    app = services.start(actor=user, service="LIT")
    services.set_for_whom(app, for_whom="self")
    services.give_consent(app, actor=user, acknowledged=True, purposes=["registry_check"])
    known = services.known_answers(app)
    assert known["national_id"].source == services.DIGITAL_ID
    assert known["name"].value["first_name"] == SOMYING.first_name and known["birth_date"].source == services.REGISTRY
    assert known["subdistrict"].value == SOMYING.subdistrict_code
    assert services.next_question(app) == "sex"  # name, ID, birth date and address are not asked
    assert {"id_card", "house_registration", "income_proof"} <= services.documents_confirmed(app)
    events = AuditEvent.objects.filter(action="data_exchange", object_type="application", object_id=str(app.pk))
    assert {e.details["check"] for e in events} >= {"identity", "address", "welfare"}


def test_a_registry_that_does_not_know_the_person_leaves_the_questions_asked(fast: Any, digital_citizen: Any) -> None:
    user = digital_citizen(NOBODY.national_id)
    app = services.start(actor=user, service="LIT")
    services.set_for_whom(app, for_whom="self")
    services.give_consent(app, actor=user, acknowledged=True, purposes=["registry_check"])
    assert app.registry_facts == {}
    assert services.next_question(app) == "name"  # unknown, not "fails": asked
    assert "id_card" not in services.documents_confirmed(app)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "typed, message",
    [
        ("1234567890123", "หลักตรวจสอบไม่ตรง"),
        ("12345", "ต้องเป็นตัวเลข 13 หลัก"),
        ("๑๒๓", "ต้องเป็นตัวเลข 13 หลัก"),
    ],
)
def test_an_invalid_national_id_is_refused_in_thai_and_kept_as_typed(citizen: User, typed: str, message: str) -> None:
    app = services.start(actor=citizen, service="LIT")
    services.set_for_whom(app, for_whom="self")
    errors = services.answer(app, "national_id", {"value": typed})
    assert message in errors[0]["th"]
    app.refresh_from_db()
    assert app.errors["national_id"]["raw"]["value"] == typed and "national_id" not in app.answers


def test_a_christian_era_birth_year_is_caught_with_the_buddhist_year_it_means(citizen: User) -> None:
    app = services.start(actor=citizen, service="LIT")
    errors = services.answer(app, "birth_date", {"value": "15/08/1987"})
    assert errors[0]["th"] == "วันเกิด: ปีเกิดต้องเป็น พ.ศ. — หมายถึง พ.ศ. 2530 ใช่หรือไม่"
    assert services.answer(app, "birth_date", {"value": "15/08/2530"}) == []
    assert Application.objects.get(pk=app.pk).answers["birth_date"] == "1987-08-15"


def test_the_schemas_own_limits_are_checked_on_the_question(citizen: User) -> None:
    app = services.start(actor=citizen, service="LIT")
    errors = services.answer(app, "costs", {"lawyer": "", "court_fee": ""})
    assert errors and errors[0]["th"] == "ต้องขออย่างน้อยหนึ่งรายการ"
    assert services.answer(app, "costs", {"lawyer": "-5"})[0]["th"].startswith("ค่าทนายความต้องไม่น้อยกว่า")


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("scan.pdf", SAMPLE_FILES["exe"], "รับเฉพาะไฟล์ PDF, JPEG หรือ PNG"),
        ("scan.pdf", SAMPLE_FILES["png"], "เนื้อไฟล์เป็น PNG แต่ชื่อไฟล์ลงท้ายด้วย .pdf"),
        ("scan.pdf", _pdf_with_javascript(), "มีสคริปต์"),
        ("scan.pdf", b"", "ไฟล์ว่างเปล่า"),
    ],
)
def test_a_forged_or_empty_file_is_refused_in_thai_and_nothing_is_lost(
    citizen: User, name: str, data: bytes, message: str
) -> None:
    app = services.start(actor=citizen, service="LIT")
    services.set_for_whom(app, for_whom="self")
    services.add_upload(app, actor=citizen, doc_type="id_card", name="id.png", data=SAMPLE_FILES["png"])
    with pytest.raises(DocumentRejected) as refused:
        services.add_upload(app, actor=citizen, doc_type="id_card", name=name, data=data)
    assert message in refused.value.th
    assert app.uploads.count() == 1


def test_an_oversized_file_is_refused(citizen: User, settings: Any) -> None:
    settings.DOCUMENT_MAX_BYTES = 1000
    app = services.start(actor=citizen, service="LIT")
    services.set_for_whom(app, for_whom="self")
    with pytest.raises(DocumentRejected) as refused:
        services.add_upload(app, actor=citizen, doc_type="id_card", name="big.pdf", data=b"%PDF" + b"0" * 2000)
    assert "ไฟล์ใหญ่เกิน" in refused.value.th
    with pytest.raises(DocumentRejected):
        services.begin_chunked(app, actor=citizen, doc_type="id_card", name="big.pdf", size=5000)


def test_a_chunked_upload_resumes_after_a_broken_connection(citizen: User) -> None:
    app = services.start(actor=citizen, service="LIT")
    services.set_for_whom(app, for_whom="self")
    data = SAMPLE_FILES["pdf"]
    chunked = services.begin_chunked(app, actor=citizen, doc_type="case_documents", name="case.pdf", size=len(data))
    assert services.append_chunk(chunked, actor=citizen, start=0, data=data[:100], total=len(data)) is None
    with pytest.raises(InvalidInput):  # a gap is refused: the client asks how much arrived
        services.append_chunk(chunked, actor=citizen, start=300, data=data[300:400], total=len(data))
    # the same piece again (the answer was lost) is accepted and ignored
    assert services.append_chunk(chunked, actor=citizen, start=0, data=data[:100], total=len(data)) is None
    up = services.append_chunk(chunked, actor=citizen, start=100, data=data[100:], total=len(data))
    assert up is not None and up.size == len(data) and up.content_type == "application/pdf"


def test_submitting_twice_gives_one_request(citizen: User) -> None:
    app = ready(services.start(actor=citizen, service="HR"), citizen)
    first = services.submit(app, actor=citizen, assurance="one_time_code")
    again = services.submit(app, actor=citizen, assurance="one_time_code")
    assert first.pk == again.pk and Request.objects.filter(created_by=citizen).count() == 1
    with pytest.raises(InvalidInput):  # and the draft is closed to changes
        services.answer(app, "harm", {"value": "อื่น"})


def test_an_incomplete_application_is_not_submitted_and_says_what_is_missing(citizen: User) -> None:
    app = services.start(actor=citizen, service="LIT")
    with pytest.raises(InvalidInput) as refused:
        services.submit(app, actor=citizen, assurance="one_time_code")
    assert {"for_whom", "consent", "name", "declaration"} <= {e["field"] for e in refused.value.errors}
    assert not Request.objects.filter(created_by=citizen).exists()


# --------------------------------------------------------------------------- the pages


def walk(client: Client, app_key: str, service: str, answers: dict[str, dict[str, str]]) -> Any:
    base = f"/apply/{service}/{app_key}"
    resp = client.post(f"{base}/for-whom/", {"for_whom": "self"})
    assert resp.status_code == 302, resp.content.decode()[:500]
    resp = client.post(f"{base}/consent/", {"acknowledged": "on"})
    assert resp.status_code == 302
    url = resp["Location"]
    for _ in range(60):
        if "/q/" not in url:
            break
        key = url.rstrip("/").rsplit("/", 1)[1]
        page = client.get(url)
        assert page.status_code == 200
        resp = client.post(url, answers[key])
        assert resp.status_code == 302, (key, resp.content.decode()[:2000])
        url = resp["Location"]
    return url


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_is_submitted_through_the_pages(service: str, citizen: User) -> None:
    client = sign_in(citizen)
    resp = client.post(reverse("portal:apply_start", args=[service]))
    assert resp.status_code == 302
    app = Application.objects.get(citizen=citizen, service=service)
    url = walk(
        client, str(app.key), service, {**APPLICANT, "national_id": {"value": new_national_id()}, **DETAILS[service]}
    )
    assert url.endswith("/documents/")
    for d in services.documents(app):
        if d["required"]:
            with io.BytesIO(SAMPLE_FILES["pdf"]) as fh:
                fh.name = "scan.pdf"
                assert client.post(url, {"doc_type": d["code"], "file": fh}).status_code == 302
    base = f"/apply/{service}/{app.key}"
    assert client.post(f"{base}/declaration/", {"agreed": "on"}).status_code == 302
    check = client.get(f"{base}/check/")
    assert check.status_code == 200 and "บุญมี" in check.content.decode()
    resp = client.post(f"{base}/submit/")
    assert resp.status_code == 302 and resp["Location"].endswith("/done/")
    done = client.get(resp["Location"])
    req = Request.objects.get(created_by=citizen)
    assert req.number in done.content.decode() and req.channel == "online"
    assert f'href="{reverse("portal:my_requests")}"' in done.content.decode()  # the receipt leads to the tracking


def test_a_refused_answer_is_shown_again_as_typed_with_the_error(citizen: User) -> None:
    client = sign_in(citizen)
    app = services.start(actor=citizen, service="LIT")
    services.set_for_whom(app, for_whom="self")
    url = f"/apply/LIT/{app.key}/q/birth_date/"
    resp = client.post(url, {"value": "15/08/1987"})
    assert resp.status_code == 422
    html = resp.content.decode()
    assert "ปีเกิดต้องเป็น พ.ศ. — หมายถึง พ.ศ. 2530 ใช่หรือไม่" in html and 'value="15/08/1987"' in html
    assert 'class="error-summary"' in html


def test_another_citizens_draft_is_404_and_audited(citizen: User) -> None:
    other = User.objects.create(username="someone-else", role="citizen")
    app = services.start(actor=other, service="LIT")
    client = sign_in(citizen)
    assert client.get(f"/apply/LIT/{app.key}/check/").status_code == 404
    assert AuditEvent.objects.filter(
        action="portal_access_refused", actor_id=citizen.pk, object_id=str(app.key)
    ).exists()


def test_a_post_after_the_session_expired_is_kept_and_offered_after_signing_in(citizen: User) -> None:
    app = services.start(actor=citizen, service="LIT")
    services.set_for_whom(app, for_whom="self")
    client = sign_in(citizen)
    page = client.get(f"/apply/LIT/{app.key}/q/name/").content.decode()
    token = page.split('name="draft" value="', 1)[1].split('"', 1)[0]
    expired = Client()  # the session is gone: no cookie
    resp = expired.post(
        f"/apply/LIT/{app.key}/q/name/", {"draft": token, "first_name": "สมศรี", "last_name": "หมดเวลา", "title": ""}
    )
    assert resp.status_code == 302 and "/sign-in/" in resp["Location"]
    app.refresh_from_db()
    assert app.stash["name"]["first_name"] == "สมศรี" and "name" not in app.answers
    again = sign_in(citizen).get(f"/apply/LIT/{app.key}/q/name/").content.decode()
    assert 'value="สมศรี"' in again and 'value="หมดเวลา"' in again


def test_a_forged_draft_token_after_expiry_keeps_nothing(citizen: User) -> None:
    app = services.start(actor=citizen, service="LIT")
    forged = signing.dumps({"a": str(app.key), "u": citizen.pk}, salt="wrong")
    resp = Client().post(f"/apply/LIT/{app.key}/q/name/", {"draft": forged, "first_name": "x"})
    assert resp.status_code == 302
    app.refresh_from_db()
    assert app.stash == {}


def test_the_apply_page_lists_the_services_and_the_drafts_to_resume(citizen: User) -> None:
    services.start(actor=citizen, service="BAIL")
    html = sign_in(citizen).get("/apply/").content.decode()
    assert "กทย.2" in html and "ทำต่อ" in html


def test_the_apply_pages_send_a_visitor_to_sign_in(db: None) -> None:
    resp = Client().get("/apply/BAIL/")
    assert resp.status_code in (200, 302)
    resp = Client().post("/apply/BAIL/")
    assert resp.status_code == 302 and "/sign-in/" in resp["Location"]


def test_staff_see_the_online_filing_how_the_filer_signed_in_and_the_relationship(
    citizen: User, login: Callable[[str], Client]
) -> None:
    app = ready(services.start(actor=citizen, service="BAIL"), citizen, for_whom="other")
    req = services.submit(app, actor=citizen, assurance="one_time_code")
    html = login("intake.cm").get(f"/staff/requests/{req.pk}/").content.decode()
    assert "ยื่นออนไลน์" in html and "รหัสผ่านครั้งเดียว (ระดับความน่าเชื่อถือต่ำกว่า)" in html
    assert "นายพี่ชาย ยื่นแทน (ญาติ)" in html


def test_the_resumable_upload_answers_how_much_arrived_and_assembles_the_file(citizen: User) -> None:
    app = services.start(actor=citizen, service="LIT")
    services.set_for_whom(app, for_whom="self")
    client, data = sign_in(citizen), SAMPLE_FILES["pdf"]
    begun = client.post(
        f"/apply/LIT/{app.key}/uploads/", {"doc_type": "case_documents", "name": "c.pdf", "size": str(len(data))}
    )
    assert begun.status_code == 201
    url = begun.json()["url"]
    first = client.put(
        url, data[:200], content_type="application/octet-stream", headers={"Content-Range": f"bytes 0-199/{len(data)}"}
    )
    assert first.status_code == 200 and client.head(url)["Upload-Offset"] == "200"
    gap = client.put(
        url,
        data[300:],
        content_type="application/octet-stream",
        headers={"Content-Range": f"bytes 300-{len(data) - 1}/{len(data)}"},
    )
    assert gap.status_code == 409 and gap.json()["received"] == 200
    last = client.put(
        url,
        data[200:],
        content_type="application/octet-stream",
        headers={"Content-Range": f"bytes 200-{len(data) - 1}/{len(data)}"},
    )
    assert last.status_code == 201 and app.uploads.get().size == len(data)


def test_a_piece_sent_again_while_the_first_copy_was_being_written_is_not_appended_twice(citizen: User) -> None:
    """Two PUTs of the same piece (a retry after a timeout while the first is still being written):
    the second read the upload before the first saved it. It must append only what has not arrived."""
    app = services.start(actor=citizen, service="LIT")
    services.set_for_whom(app, for_whom="self")
    data = SAMPLE_FILES["pdf"]
    chunked = services.begin_chunked(app, actor=citizen, doc_type="case_documents", name="case.pdf", size=len(data))
    stale = type(chunked).objects.get(pk=chunked.pk)  # the retry's copy, read before the first piece arrived
    assert services.append_chunk(chunked, actor=citizen, start=0, data=data[:100], total=len(data)) is None
    assert services.append_chunk(stale, actor=citizen, start=0, data=data[:100], total=len(data)) is None
    assert stale.received == 100
    up = services.append_chunk(stale, actor=citizen, start=100, data=data[100:], total=len(data))
    assert up is not None and up.size == len(data)
    assert (services.upload_root() / up.storage_name).read_bytes() == data


def test_a_piece_sent_again_after_the_file_was_assembled_is_refused_not_a_500(citizen: User) -> None:
    """The retry read the upload, then the first PUT finished the file (and removed the upload)."""
    app = services.start(actor=citizen, service="LIT")
    services.set_for_whom(app, for_whom="self")
    data = SAMPLE_FILES["pdf"]
    chunked = services.begin_chunked(app, actor=citizen, doc_type="case_documents", name="case.pdf", size=len(data))
    stale = type(chunked).objects.get(pk=chunked.pk)
    assert services.append_chunk(chunked, actor=citizen, start=0, data=data, total=len(data)) is not None
    with pytest.raises(services.NotFound):
        services.append_chunk(stale, actor=citizen, start=0, data=data, total=len(data))
    assert app.uploads.count() == 1


def test_the_upload_services_refuse_a_citizen_who_does_not_own_the_draft(citizen: User) -> None:
    """The rule lives in the service, not only in the page's decorator."""
    other = User.objects.create(username=f"other-{uuid.uuid4().hex[:8]}", role="citizen")
    app = services.start(actor=citizen, service="LIT")
    services.set_for_whom(app, for_whom="self")
    data = SAMPLE_FILES["pdf"]
    up = services.add_upload(app, actor=citizen, doc_type="id_card", name="id.pdf", data=data)
    chunked = services.begin_chunked(app, actor=citizen, doc_type="case_documents", name="c.pdf", size=len(data))
    with pytest.raises(NotPermitted):
        services.add_upload(app, actor=other, doc_type="id_card", name="x.pdf", data=data)
    with pytest.raises(NotPermitted):
        services.remove_upload(app, up.pk, actor=other)
    with pytest.raises(NotPermitted):
        services.begin_chunked(app, actor=other, doc_type="case_documents", name="c.pdf", size=len(data))
    with pytest.raises(NotPermitted):
        services.append_chunk(chunked, actor=other, start=0, data=data, total=len(data))
    assert list(app.uploads.values_list("pk", flat=True)) == [up.pk]
    chunked.refresh_from_db()
    assert chunked.received == 0 and app.chunked.count() == 1


def test_the_documents_page_reads_no_more_of_an_upload_than_the_limit_allows(
    citizen: User, settings: Any, monkeypatch: Any
) -> None:
    """An oversized file is refused without reading all of it into memory (only the limit + 1 byte)."""
    settings.DOCUMENT_MAX_BYTES = 1000
    app = services.start(actor=citizen, service="LIT")
    services.set_for_whom(app, for_whom="self")
    seen: list[int] = []
    add_upload = services.add_upload

    def spy(app: Application, **kwargs: Any) -> Any:
        seen.append(len(kwargs["data"]))
        return add_upload(app, **kwargs)

    monkeypatch.setattr(services, "add_upload", spy)
    big = io.BytesIO(b"%PDF-1.4\n" + b"0" * 50_000)
    big.name = "big.pdf"
    resp = sign_in(citizen).post(f"/apply/LIT/{app.key}/documents/", {"doc_type": "id_card", "file": big})
    assert resp.status_code == 422 and "ไฟล์ใหญ่เกิน" in resp.content.decode()
    assert seen == [1001] and app.uploads.count() == 0
