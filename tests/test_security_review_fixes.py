"""Findings of the ASVS review (docs/security/asvs-l2.md), each written to fail on the code before
the fix: the admin's open redirect, pages kept in the browser's cache, typed codes stored by the
lockout records, demo accounts on a production database, views taking any HTTP method."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from jfs.accounts import enrolment
from jfs.accounts.models import User
from jfs.demo.users import DEMO_PASSWORD
from jfslib import roles
from tests.test_admin_security import admin_client

pytestmark = pytest.mark.django_db


def test_the_admin_sign_in_never_sends_an_administrator_to_another_site(users: Any) -> None:
    client = admin_client(users)
    for target in ("https://evil.example/x", "//evil.example/x", "http://evil.example"):
        resp = client.get(reverse("admin:login"), {"next": target})
        assert resp.status_code == 302 and resp["Location"] == reverse("admin:index"), target
    resp = client.get(reverse("admin:login"), {"next": reverse("admin:accounts_office_changelist")})
    assert resp["Location"] == reverse("admin:accounts_office_changelist")


def test_pages_with_personal_data_or_secrets_are_not_kept_by_the_browser(login: Any, make_request: Any,
                                                                         api_client: Any, offices: Any,
                                                                         users: Any) -> None:
    req = make_request()
    officer = login("officer.cm")
    for url in (reverse("staff:queue"), reverse("staff:case", args=[req.pk]), reverse("staff:requests")):
        assert officer.get(url)["Cache-Control"] == "private, no-store", url
    assert api_client("officer.cm").get(f"/api/v1/requests/{req.pk}")["Cache-Control"] == "private, no-store"
    # the enrolment page showing a new TOTP secret
    newcomer = User.objects.create_user("fresh.cm", password="a-long-password-2569", role=roles.CASE_OFFICER,
                                        office=offices["50"])
    code = enrolment.issue_code(issuer=users["head.cm"], user=newcomer)
    client = Client()
    client.post(reverse("accounts:login"), {"username": "fresh.cm", "password": "a-long-password-2569"})
    client.post(reverse("accounts:enrol"), {"code": code})
    page = client.get(reverse("accounts:enrol"))
    assert page.context["secret"] and page["Cache-Control"] == "private, no-store"


def test_signing_out_clears_what_the_browser_kept(login: Any) -> None:
    resp = login("officer.cm").post(reverse("accounts:logout"))
    assert '"cache"' in resp["Clear-Site-Data"]


def test_the_lockout_records_never_keep_a_typed_code_or_password(users: Any) -> None:
    client = Client()
    client.post(reverse("accounts:login"), {"username": "officer.cm", "password": "wrong-Secret-123"})
    client.post(reverse("accounts:login"), {"username": "officer.cm", "password": DEMO_PASSWORD})
    client.post(reverse("accounts:otp"), {"token": "987654"})
    stored = " ".join(AccessAttempt.objects.values_list("post_data", flat=True))
    assert stored and "wrong-Secret-123" not in stored and "987654" not in stored


def test_demo_data_is_refused_by_the_production_profile(settings: Any) -> None:
    from jfs.cases.models import Request

    settings.JFS_DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="published password"):
        call_command("demo_data", "--seed", "1")
    assert not Request.objects.exists()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_request_forms_answer_only_get_and_post(login: Any, make_request: Any, method: str) -> None:
    req = make_request()
    client = login("intake.cm")
    for url in (reverse("staff:new_request"), reverse("staff:edit_request", args=[req.pk])):
        assert getattr(client, method)(url).status_code == 405, url
