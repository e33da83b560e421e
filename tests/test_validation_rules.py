"""Validation that matches the real world: national IDs the registry never issues are refused,
phones are Thai numbers stored in E.164 and shown nationally, and a search by national ID never
leaves the ID in a URL (the staff search posts; the API takes it in a POST body)."""

from __future__ import annotations

import html as htmlmod
import importlib
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from jfs.accounts.models import User
from jfs.audit.models import AuditEvent
from jfs.cases.models import Person, Request
from jfs.core.templatetags.thai import phone as phone_filter
from jfs.staff import queues, views
from jfslib import thai_id, thai_phone
from tests.conftest import new_national_id
from tests.test_bad_input import NEW, form_data, payload, post_json

pytestmark = pytest.mark.django_db

NEVER_ISSUED = {
    "0000000000001": "หลักที่ 2–12 เป็นศูนย์ทั้งหมดไม่ได้",
    thai_id.make_valid("912345678901"): "เลขประจำตัวประชาชนไม่มีการออกเลขที่ขึ้นต้นด้วย 9",
    thai_id.make_valid("999999999990"): "เลขประจำตัวประชาชนไม่มีการออกเลขที่ขึ้นต้นด้วย 9",
}
#: people without Thai registration status (0) or nationality (6 temporary residents, 7 their
#: children born here, 8 naturalised or permanent residents): their IDs are valid
NO_THAI_NATIONALITY = [thai_id.make_valid(p) for p in ("012345678901", "000189012345", "650990012345",
                                                        "750990012346", "850990012347")]


@pytest.fixture
def intake(login: Any) -> Client:
    return login("intake.cm")


# --------------------------------------------------------------------------- national IDs


@pytest.mark.parametrize(("value", "th"), NEVER_ISSUED.items())
def test_a_check_digit_alone_does_not_make_a_valid_id(value: str, th: str) -> None:
    assert thai_id.has_valid_check_digit(value)
    with pytest.raises(thai_id.InvalidNationalID) as exc:
        thai_id.validate(value)
    assert th in exc.value.th and exc.value.en and exc.value.en != exc.value.th


@pytest.mark.parametrize(("value", "th"), NEVER_ISSUED.items())
def test_the_staff_form_refuses_an_id_never_issued(intake: Client, value: str, th: str) -> None:
    resp = intake.post(NEW, form_data(**{"a-national_id": value}))
    assert resp.status_code == 422
    page = htmlmod.unescape(resp.content.decode())
    assert th in page and value in page  # said on the page, what was typed kept
    assert not Request.objects.exists() and not Person.objects.exists()


@pytest.mark.parametrize(("value", "th"), NEVER_ISSUED.items())
def test_the_api_refuses_an_id_never_issued(api_client: Any, value: str, th: str) -> None:
    resp = post_json(api_client("intake.cm"), "/api/v1/requests", payload(applicant__national_id=value))
    assert resp.status_code == 422
    body = resp.json()
    [error] = [e for e in body["errors"] if e["field"] in ("applicant.national_id", "national_id")]
    assert th in error["message_th"] and error["message_en"]
    assert not Request.objects.exists()


@pytest.mark.parametrize("value", NO_THAI_NATIONALITY)
def test_ids_of_people_without_thai_status_or_nationality_are_accepted(api_client: Any, value: str) -> None:
    assert thai_id.validate(value) == value
    resp = post_json(api_client("intake.cm"), "/api/v1/requests", payload(applicant__national_id=value))
    assert resp.status_code == 201, resp.content
    assert Person.objects.get().national_id == value


def test_the_staff_form_accepts_a_category_zero_id(intake: Client) -> None:
    value = thai_id.make_valid("012345678901")
    assert intake.post(NEW, form_data(**{"a-national_id": thai_id.format_id(value)})).status_code == 302
    assert Person.objects.get().national_id == value


def test_a_record_registered_before_the_rules_can_still_be_corrected(make_request: Any, users: dict[str, User]) -> None:
    """The ID of the record being corrected is not judged again: a correction cannot change it."""
    from jfs.cases import services
    from tests.conftest import applicant_input

    req = make_request()
    Person.objects.filter(pk=req.applicant_id).update(national_id="0000000000001")  # registered under the old rule
    fixed = services.update_details(
        actor=users["intake.cm"], request_id=req.pk, expected_version=req.version,
        applicant=applicant_input(national_id="0000000000001", phone="02-123-4567"),
    )
    assert fixed.applicant.phone == "+6621234567" and fixed.applicant.national_id == "0000000000001"
    with pytest.raises(services.InvalidInput):  # a new registration with it is still refused
        make_request(applicant={"national_id": "0000000000001"})


@pytest.mark.parametrize("first_digit", "012345678")
def test_the_test_id_generator_makes_valid_ids_in_every_category(first_digit: str) -> None:
    assert thai_id.is_valid(new_national_id(first_digit))


# --------------------------------------------------------------------------- phones


@pytest.mark.parametrize(("typed", "stored", "shown"), [
    ("081-234-5678", "+66812345678", "081-234-5678"),
    ("0812345678", "+66812345678", "081-234-5678"),
    ("+66 81 234 5678", "+66812345678", "081-234-5678"),
    ("02 123 4567", "+6621234567", "02-123-4567"),
    ("053-123-456", "+6653123456", "053-123-456"),
    ("๐๙๑๒๓๔๕๖๗๘", "+66912345678", "091-234-5678"),
])
def test_phones_are_stored_in_e164_and_shown_nationally(intake: Client, typed: str, stored: str, shown: str) -> None:
    resp = intake.post(NEW, form_data(**{"a-phone": typed}))
    assert resp.status_code == 302, resp.content.decode()[:500]
    req = Request.objects.get()
    assert req.applicant.phone == stored
    assert thai_phone.display(stored) == shown == phone_filter(stored)
    page = intake.get(reverse("staff:case", args=[req.pk])).content.decode()
    assert shown in page and stored not in page
    # the correction form shows it nationally too, and saving it unchanged changes nothing
    edit = intake.get(reverse("staff:edit_request", args=[req.pk])).content.decode()
    assert f'value="{shown}"' in edit


def test_the_api_stores_phones_in_e164(api_client: Any) -> None:
    resp = post_json(api_client("intake.cm"), "/api/v1/requests", payload(applicant__phone="089 123 4567"))
    assert resp.status_code == 201
    assert Person.objects.get().phone == "+66891234567"


@pytest.mark.parametrize("typed", ["12", "0712345678", "081234567", "08123456789", "+1 202 555 0123", "โทร 081"])
def test_an_invalid_phone_is_a_field_error_on_the_page(intake: Client, typed: str) -> None:
    resp = intake.post(NEW, form_data(**{"a-phone": typed}))
    assert resp.status_code == 422
    page = htmlmod.unescape(resp.content.decode())
    assert "หมายเลขโทรศัพท์ไม่ถูกต้อง" in page and typed in page
    assert not Request.objects.exists()


@pytest.mark.parametrize("typed", ["12", "0712345678", "+1 202 555 0123"])
def test_an_invalid_phone_is_a_field_error_in_the_api(api_client: Any, typed: str) -> None:
    resp = post_json(api_client("intake.cm"), "/api/v1/requests", payload(applicant__phone=typed))
    assert resp.status_code == 422
    [error] = [e for e in resp.json()["errors"] if e["field"] in ("applicant.phone", "phone")]
    assert error["message_th"].startswith("หมายเลขโทรศัพท์ไม่ถูกต้อง") and error["message_en"].startswith("Phone number")


def test_a_staff_accounts_phone_is_stored_in_e164() -> None:
    from django import forms

    from jfs.accounts.admin import JfsUserChangeForm

    form = JfsUserChangeForm.__new__(JfsUserChangeForm)
    form.cleaned_data = {"phone": "02-123-4567"}
    assert form.clean_phone() == "+6621234567"
    form.cleaned_data = {"phone": "12345"}
    with pytest.raises(forms.ValidationError):
        form.clean_phone()


def test_the_migration_converts_stored_phones_and_counts_the_rest(make_request: Any, users: dict[str, User],
                                                                 capsys: Any) -> None:
    migration = importlib.import_module("jfs.cases.migrations.0009_phone_e164")
    a, b, c = (make_request().applicant for _ in range(3))
    Person.objects.filter(pk=a.pk).update(phone="081-234-5678")
    Person.objects.filter(pk=b.pk).update(phone="ไม่มี")  # unreadable: left as it is
    Person.objects.filter(pk=c.pk).update(phone="")
    User.objects.filter(pk=users["officer.cm"].pk).update(phone="053 123 456")
    migration.to_e164(apps, None)
    assert Person.objects.get(pk=a.pk).phone == "+66812345678"
    assert Person.objects.get(pk=b.pk).phone == "ไม่มี" and Person.objects.get(pk=c.pk).phone == ""
    assert User.objects.get(pk=users["officer.cm"].pk).phone == "+6653123456"
    out = capsys.readouterr().out
    assert "1 left as they were" in out and "0812345678" not in out
    migration.to_e164(apps, None)  # a second run changes nothing
    assert Person.objects.get(pk=a.pk).phone == "+66812345678"
    migration.to_national(apps, None)
    assert Person.objects.get(pk=a.pk).phone == "0812345678"
    assert User.objects.get(pk=users["officer.cm"].pk).phone == "053123456"


# --------------------------------------------------------------------------- search by national ID


def _urls_of(resp: Any) -> list[str]:
    """Every URL the browser saw: each Location it followed and the final one."""
    final = resp.request["PATH_INFO"] + ("?" + resp.request["QUERY_STRING"] if resp.request.get("QUERY_STRING") else "")
    return [url for url, _status in resp.redirect_chain] + [final]


def _holds_id(url: str, nid: str) -> bool:
    digits = "".join(ch for ch in url if ch.isdigit())
    return nid in digits or nid in thai_id.normalize(url)


def test_the_search_form_posts_with_csrf(staff_client: Client) -> None:
    page = staff_client.get(reverse("staff:requests")).content.decode()
    form = page[page.index('<form class="filters panel"'):]
    form = form[:form.index("</form>")]
    assert 'method="post"' in form and f'action="{reverse("staff:request_search")}"' in form
    assert "csrfmiddlewaretoken" in form and 'autocomplete="off"' in form


@pytest.mark.parametrize("typed", ["{nid}", "{formatted}", "{spaced}"])
def test_a_search_by_national_id_leaves_no_id_in_any_url(make_request: Any, login: Any, typed: str) -> None:
    req = make_request()
    other = make_request()
    nid = req.applicant.national_id
    q = typed.format(nid=nid, formatted=thai_id.format_id(nid), spaced=thai_id.format_id(nid).replace("-", " "))
    client = login("officer.cm")
    client.raise_request_exception = True
    resp = client.post(reverse("staff:request_search"), {"q": q, "service": "LIT"}, follow=True)
    assert resp.status_code == 200
    assert [status for _url, status in resp.redirect_chain] == [303]
    urls = _urls_of(resp)
    assert not any(_holds_id(url, nid) for url in urls), urls
    assert parse_qs(urlsplit(urls[-1]).query).keys() == {"s", "service"}
    page = resp.content.decode()
    assert req.number in page and other.number not in page
    assert f'value="{q}"' in htmlmod.unescape(page)  # the form still shows what was typed (the page, not the URL)


def test_a_search_by_name_or_number_still_goes_to_a_plain_url(make_request: Any, staff_client: Client) -> None:
    req = make_request()
    resp = staff_client.post(reverse("staff:request_search"), {"q": req.number, "service": ""})
    assert resp.status_code == 303 and resp["Location"] == reverse("staff:requests") + f"?q={req.number}"
    assert req.number in staff_client.get(resp["Location"]).content.decode()


def test_an_old_link_with_the_id_in_the_url_is_answered_from_a_url_without_it(make_request: Any,
                                                                           staff_client: Client) -> None:
    req = make_request()
    nid = req.applicant.national_id
    resp = staff_client.get(reverse("staff:requests"), {"q": nid, "state": req.state}, follow=True)
    assert [status for _url, status in resp.redirect_chain] == [303]
    assert not any(_holds_id(url, nid) for url in _urls_of(resp))
    assert req.number in resp.content.decode()


def test_signed_out_the_sign_in_page_does_not_carry_the_id_either() -> None:
    nid = thai_id.make_valid("110170020345")
    resp = Client().get(reverse("staff:requests"), {"q": nid}, follow=True)
    assert not any(_holds_id(url, nid) for url in _urls_of(resp)), _urls_of(resp)


def test_pagination_keeps_the_search_token(make_request: Any, staff_client: Client, monkeypatch: Any) -> None:
    monkeypatch.setattr(queues, "PAGE_SIZE", 1)
    first = make_request()
    nid = first.applicant.national_id
    second = make_request(applicant={"national_id": nid})
    make_request()  # someone else
    resp = staff_client.post(reverse("staff:request_search"), {"q": nid}, follow=True)
    page1 = resp.content.decode()
    token = parse_qs(urlsplit(_urls_of(resp)[-1]).query)["s"][0]
    assert second.number in page1 and first.number not in page1  # newest first
    assert f'href="?s={token}&amp;page=2"' in page1
    page2 = staff_client.get(reverse("staff:requests"), {"s": token, "page": "2"}).content.decode()
    assert first.number in page2 and second.number not in page2


@pytest.mark.parametrize("token", ["expired", "never-issued", ""])
def test_an_expired_search_shows_the_form_again_with_a_message(make_request: Any, staff_client: Client,
                                                               token: str) -> None:
    req = make_request()
    if token == "expired":
        staff_client.post(reverse("staff:request_search"), {"q": req.applicant.national_id})
        session = staff_client.session
        token = next(iter(session["jfs_searches"]))
        session["jfs_searches"][token]["until"] = 0
        session.save()
    resp = staff_client.get(reverse("staff:requests"), {"s": token or "x" * 12, "service": "LIT"})
    assert resp.status_code == 200
    page = htmlmod.unescape(resp.content.decode())
    assert "การค้นหานี้หมดอายุแล้ว" in page and 'name="q"' in page
    assert req.number not in page and req.applicant.national_id not in page


def test_the_session_keeps_a_few_searches_only(make_request: Any, staff_client: Client) -> None:
    nid = make_request().applicant.national_id
    for _ in range(views.SEARCH_TOKENS_KEPT + 3):
        staff_client.post(reverse("staff:request_search"), {"q": nid})
    assert len(staff_client.session["jfs_searches"]) == views.SEARCH_TOKENS_KEPT


def test_the_api_refuses_a_national_id_in_the_url(make_request: Any, api_client: Any) -> None:
    nid = make_request().applicant.national_id
    client = api_client("officer.cm")
    for q in (nid, thai_id.format_id(nid)):
        resp = client.get("/api/v1/requests", {"q": q})
        assert resp.status_code == 422
        body = resp.json()
        assert body["code"] == "national_id_in_url" and "POST /api/v1/requests/search" in body["message_en"]
        assert body["message_th"] and [e["field"] for e in body["errors"]] == ["q"]


def test_the_api_searches_by_national_id_in_a_post_body(make_request: Any, api_client: Any) -> None:
    req = make_request()
    make_request()
    client = api_client("officer.cm", scope="read")  # a search is a read
    before = AuditEvent.objects.filter(action="view_personal_data", object_type="request_list").count()
    resp = post_json(client, "/api/v1/requests/search", {"q": thai_id.format_id(req.applicant.national_id)})
    assert resp.status_code == 200, resp.content
    data = resp.json()
    assert data["count"] == 1 and [i["number"] for i in data["items"]] == [req.number]
    assert data["items"][0]["applicant_national_id_masked"] == thai_id.mask(req.applicant.national_id)
    # audited like the list, and the same filters apply
    assert AuditEvent.objects.filter(action="view_personal_data", object_type="request_list").count() == before + 1
    assert post_json(client, "/api/v1/requests/search", {"q": req.applicant.national_id, "service": "BAIL"}).json()["count"] == 0
    assert post_json(client, "/api/v1/requests/search", {"q": "x", "limit": 100000}).status_code == 422
