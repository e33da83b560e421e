"""The portal's public pages: each answers 200 without signing in; the offices page lists every
office in the database with its hours and phone, filtered by province without JavaScript; a
service page lists the required documents of the service's own workflow; the privacy notice shows
its version and purposes; the help pages search the knowledge base and never fail on odd input."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from django.conf import settings
from django.test import Client
from django.urls import reverse

from jfs.accounts.models import Office
from jfs.cases import service_registry, workflows

pytestmark = pytest.mark.django_db

PUBLIC = ["portal:home", "portal:services", "portal:offices", "portal:privacy", "portal:accessibility", "portal:help"]


def text(response: Any) -> str:
    return response.content.decode()


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_page_answers_without_signing_in(client: Client, offices: dict[str, Office], name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "<h1>" in text(response)


def test_every_service_page_answers(client: Client) -> None:
    for code in service_registry.all_services():
        response = client.get(reverse("portal:service", args=[code]))
        assert response.status_code == 200, code
        assert client.get(reverse("portal:service", args=[code.lower()])).status_code == 200


@pytest.mark.parametrize("code", ["NOPE", "ก", "..", "X" * 300])
def test_an_unknown_service_is_not_found(client: Client, code: str) -> None:
    assert client.get(f"/services/{code}/").status_code == 404


def test_the_start_page_links_every_service_and_the_hotline(client: Client) -> None:
    page = text(client.get("/"))
    for code in service_registry.all_services():
        assert reverse("portal:service", args=[code]) in page
    assert "1111" in page and "77" in page


@pytest.mark.parametrize("code", ["LIT", "BAIL", "HR", "PROJECT"])
def test_a_service_page_lists_the_workflows_required_documents(client: Client, code: str) -> None:
    required = workflows.get(code).required_documents()
    assert required, f"{code} has required documents in its workflow"
    page = text(client.get(reverse("portal:service", args=[code])))
    for doc in required:
        assert doc.th in page, doc.code
    optional_internal = [d for d in workflows.get(code).documents.values() if not d.required and d.code == "judgement"]
    for doc in optional_internal:
        assert doc.th not in page  # the fund's own paperwork is not asked of the citizen


def test_a_service_with_the_standard_says_21_working_days(client: Client) -> None:
    assert "21 วันทำการ" in text(client.get(reverse("portal:service", args=["BAIL"])))
    consult = service_registry.get("CONSULT")
    assert not consult.standard_applies
    assert "21 วันทำการ" not in text(client.get(reverse("portal:service", args=["CONSULT"])))


def test_a_service_page_in_english(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = text(client.get(reverse("portal:service", args=["BAIL"])))
    assert "Detention warrant" in page
    assert "21 working days" in page and "21 วันทำการ" not in page


def test_the_offices_page_lists_every_office_with_hours_and_phone(client: Client, offices: dict[str, Office]) -> None:
    page = text(client.get(reverse("portal:offices")))
    all_offices = list(Office.objects.all())
    assert len(all_offices) == 77
    for office in all_offices:
        assert f'id="office-{office.code}"' in page, office.code
        assert office.name_th in page
    assert page.count("08.30–16.30") >= 77
    assert page.count("1111 กด 77") >= 77


def test_every_office_has_a_contact_entry(offices: dict[str, Office]) -> None:
    data = yaml.safe_load((settings.BASE_DIR / "governance" / "office_contacts.yaml").read_text(encoding="utf-8"))
    for code in offices:
        entry = data["offices"][code]
        assert entry["address_th"] and entry["phone"], code
        assert "unconfirmed" in entry and entry["source"], code


def test_the_offices_page_filters_by_province_without_javascript(client: Client, offices: dict[str, Office]) -> None:
    page = text(client.get(reverse("portal:offices"), {"office": "50"}))
    assert 'id="office-50"' in page
    assert 'id="office-40"' not in page
    assert '<option value="50" selected>' in page


@pytest.mark.parametrize("value", ["zz", "99", "'; drop", "\x00", "ก" * 50])
def test_an_unknown_office_choice_shows_every_office(client: Client, offices: dict[str, Office], value: str) -> None:
    response = client.get(reverse("portal:offices"), {"office": value})
    assert response.status_code == 200
    assert text(response).count('id="office-') == 77


def test_the_privacy_notice_shows_its_version_purposes_and_registries(client: Client) -> None:
    notice = yaml.safe_load((settings.BASE_DIR / "governance" / "privacy_notice.yaml").read_text(encoding="utf-8"))
    page = text(client.get(reverse("portal:privacy")))
    assert notice["version"] in page
    for purpose in notice["purposes"]:
        assert purpose["th"] in page
    for recipient in notice["recipients"]:
        assert recipient["th"] in page
    assert "2569" in page  # the effective date in the Buddhist era


def test_the_privacy_notice_data_is_complete() -> None:
    notice = yaml.safe_load((settings.BASE_DIR / "governance" / "privacy_notice.yaml").read_text(encoding="utf-8"))
    assert notice["version"] and notice["effective"] and notice["unconfirmed"] is True
    codes = [p["code"] for p in notice["purposes"]]
    assert len(codes) == len(set(codes))
    for p in notice["purposes"]:
        assert p["basis"] in notice["bases"], p["code"]
        assert p["th"] and p["en"] and isinstance(p["consent"], bool)
    for r in notice["recipients"]:
        assert r["purpose"] in codes


def test_help_lists_the_topics_and_searches(client: Client) -> None:
    page = text(client.get(reverse("portal:help")))
    assert reverse("portal:answer", args=["appeal"]) in page
    found = text(client.get(reverse("portal:help"), {"q": "ประกันตว"}))
    assert "<mark>" in found
    assert reverse("portal:answer", args=["what-is-bail-help"]) in found
    assert "ประกันตัว" in found  # did you mean


def test_help_with_no_result_suggests_and_gives_the_hotline(client: Client) -> None:
    page = text(client.get(reverse("portal:help"), {"q": "xyzzy"}))
    assert "ไม่พบคำตอบ" in page
    assert reverse("portal:answer", args=["documents-needed"]) in page
    assert "1111" in page


@pytest.mark.parametrize(
    "q", ["", " ", "<script>alert(1)</script>", "ก" * 5000, "\x00\x01", "%", "' OR 1=1 --", "😀" * 40, "a" * 2000, "่่่"]
)
def test_help_never_fails_on_odd_input(client: Client, q: str) -> None:
    response = client.get(reverse("portal:help"), {"q": q})
    assert response.status_code == 200
    assert "<script>alert" not in text(response)


def test_each_answer_has_its_own_page(client: Client) -> None:
    response = client.get(reverse("portal:answer", args=["how-to-apply-online"]))
    assert response.status_code == 200
    page = text(response)
    assert "<ol>" in page  # numbered steps are a list
    assert client.get("/help/no-such-answer/").status_code == 404


def test_public_pages_refuse_posts(client: Client) -> None:
    assert client.post(reverse("portal:help"), {"q": "x"}).status_code == 405
