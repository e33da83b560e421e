"""The admin site (/admin/) is behind the staff sign-in with its second factor, never shows a TOTP
key, holds only accounts, offices, closures and API tokens, and every sign-in and change there is
audited. Written against the old admin, which had its own password-only sign-in form and device
pages showing every officer's TOTP secret."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from jfs.accounts import enrolment
from jfs.accounts.models import ActivationCode, ApiToken, Office, User
from jfs.audit.models import AuditEvent
from jfs.demo.users import DEMO_PASSWORD, DEMO_TOTP_BASE32, DEMO_TOTP_KEY_HEX
from tests.conftest import login_via_views, reset_totp, totp_code

pytestmark = pytest.mark.django_db

ADMIN = reverse("admin:index")
LOGIN, OTP = reverse("accounts:login"), reverse("accounts:otp")


def admin_client(users: dict[str, User]) -> Client:
    """The administrator, signed in through the staff pages (password, then TOTP) on the way to /admin/."""
    client = Client()
    reset_totp(users["admin"])
    resp = client.post(f"{LOGIN}?next={ADMIN}", {"username": "admin", "password": DEMO_PASSWORD})
    assert resp.status_code == 302 and resp["Location"] == OTP
    resp = client.post(OTP, {"token": totp_code()})
    assert resp.status_code == 302 and resp["Location"] == ADMIN
    return client


def test_the_admin_has_no_password_only_sign_in(users: Any) -> None:
    client = Client()
    resp = client.get(reverse("admin:login"))
    assert resp.status_code == 302 and resp["Location"].startswith(LOGIN)  # sent to the staff sign-in
    # Django's admin form would have signed in with the password alone: the same POST now does nothing
    resp = client.post(reverse("admin:login"), {"username": "admin", "password": DEMO_PASSWORD,
                                                "next": ADMIN})
    assert resp.status_code == 302 and resp["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session
    assert client.get(ADMIN).status_code == 302


def test_a_password_without_the_second_factor_does_not_open_the_admin(users: Any) -> None:
    client = Client()
    resp = client.post(f"{LOGIN}?next={ADMIN}", {"username": "admin", "password": DEMO_PASSWORD})
    assert resp["Location"] == OTP
    for url in (ADMIN, reverse("admin:accounts_user_changelist")):
        resp = client.get(url, follow=True)
        assert resp.redirect_chain[-1][0].startswith(LOGIN)  # back to the staff sign-in's first step
        assert "_auth_user_id" not in client.session


def test_password_and_totp_open_the_admin_and_the_sign_in_is_audited(users: Any) -> None:
    client = admin_client(users)
    resp = client.get(ADMIN)
    assert resp.status_code == 200
    [ev] = AuditEvent.objects.filter(action="login", actor_username="admin")
    assert ev.details == {"area": "admin"}


def test_staff_who_are_not_administrators_are_refused(login: Any) -> None:
    client = login("head.cm")  # both factors, but not an administrator
    assert client.get(ADMIN, follow=True).status_code == 403
    assert client.get(reverse("admin:login")).status_code == 403  # no second sign-in form either


def test_the_admin_holds_only_accounts_offices_closures_and_tokens() -> None:
    labels = {m._meta.label_lower for m in admin.site._registry}
    assert labels == {"accounts.user", "accounts.office", "accounts.officeclosure", "accounts.apitoken"}
    for name in ("admin:otp_totp_totpdevice_changelist", "admin:auth_group_changelist",
                 "admin:axes_accessattempt_changelist", "admin:exchange_registrycheck_changelist"):
        with pytest.raises(NoReverseMatch):
            reverse(name)


def test_no_admin_page_shows_a_totp_key(users: Any) -> None:
    client = admin_client(users)
    secrets = {DEMO_TOTP_KEY_HEX.lower(), DEMO_TOTP_BASE32, DEMO_TOTP_BASE32.lower()}
    officer = users["officer.cm"]
    pages = [ADMIN, reverse("admin:accounts_user_changelist"),
             reverse("admin:accounts_user_change", args=[officer.pk]),
             reverse("admin:accounts_apitoken_changelist"), reverse("admin:accounts_apitoken_add")]
    for url in pages:
        resp = client.get(url)
        assert resp.status_code == 200, url
        html = resp.content.decode().lower()
        assert not any(s.lower() in html for s in secrets), url
        assert "totpdevice" not in html, url
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404


def test_every_change_in_the_admin_is_audited_with_field_names_not_values(users: Any) -> None:
    client = admin_client(users)
    office = Office.objects.get(code="50")
    url = reverse("admin:accounts_office_change", args=[office.pk])
    resp = client.post(url, {"code": "50", "name_th": "สำนักงานยุติธรรมจังหวัดเชียงใหม่ (ใหม่)",
                             "name_en": office.name_en, "province_code": office.province_code})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    [ev] = AuditEvent.objects.filter(action="admin_change", actor_username="admin")
    assert ev.object_type == "accounts.office" and ev.object_id == str(office.pk)
    assert ev.details["change"] == "change" and ev.details["fields"]
    assert "(ใหม่)" not in str(ev.details)


def test_an_administrator_resets_two_factor_by_issuing_an_activation_code(users: Any) -> None:
    client = admin_client(users)
    officer = users["officer.cm"]
    resp = client.post(reverse("admin:accounts_user_changelist"),
                       {"action": "issue_activation_code", "_selected_action": [officer.pk]}, follow=True)
    text = resp.content.decode()
    code = re.search(r"activation code ([A-Z0-9]{5}-[A-Z0-9]{5})", text)
    assert code, text[:3000]
    assert ActivationCode.objects.filter(user=officer, used_at__isnull=True).count() == 1
    assert enrolment.valid_code(officer, code.group(1)) is not None
    assert AuditEvent.objects.filter(action="activation_code_issued", actor_username="admin",
                                     object_id=str(officer.pk)).exists()
    # the old device keeps working until the officer enrols the new one
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).count() == 1


def test_an_administrator_lifts_a_lockout(users: Any, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        Client().post(LOGIN, {"username": "officer.cm", "password": "wrong-password"})
    assert Client().post(LOGIN, {"username": "officer.cm", "password": DEMO_PASSWORD}).status_code == 403
    assert AuditEvent.objects.filter(action="account_locked", details__user="officer.cm").exists()
    client = admin_client(users)
    listing = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "icon-yes" in listing  # the locked-out column shows it
    client.post(reverse("admin:accounts_user_changelist"),
                {"action": "lift_lockout", "_selected_action": [users["officer.cm"].pk]})
    assert AuditEvent.objects.filter(action="lockout_lifted", object_id=str(users["officer.cm"].pk)).exists()
    login_via_views(Client(), users["officer.cm"])


def test_api_tokens_are_issued_shown_once_listed_by_prefix_and_revoked(users: Any) -> None:
    client = admin_client(users)
    resp = client.post(reverse("admin:accounts_apitoken_add"),
                       {"user": users["officer.cm"].pk, "name": "partner", "scope": "write", "days": 30}, follow=True)
    raw = re.search(r"(jfs_[A-Za-z0-9_\-]{20,})", resp.content.decode())
    assert raw, resp.content.decode()[:3000]
    tok = ApiToken.objects.get(name="partner")
    assert tok.scope == "write" and round((tok.expires_at - tok.created_at).total_seconds() / 86400) == 30
    listing = client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    assert tok.prefix in listing and raw.group(1) not in listing
    assert str(tok.expires_at.year + 543) in listing  # dates in the Buddhist era
    api = Client(headers={"authorization": f"Bearer {raw.group(1)}"})
    assert api.get("/api/v1/requests").status_code == 200
    client.post(reverse("admin:accounts_apitoken_changelist"), {"action": "revoke", "_selected_action": [tok.pk]})
    assert api.get("/api/v1/requests").status_code == 401
    assert AuditEvent.objects.filter(action="api_token_revoked", object_id=str(tok.pk)).exists()


def test_a_citizen_account_cannot_be_given_a_token_in_the_admin(users: Any) -> None:
    client = admin_client(users)
    resp = client.post(reverse("admin:accounts_apitoken_add"),
                       {"user": users["citizen"].pk, "name": "x", "scope": "read", "days": 30})
    assert resp.status_code == 200 and not ApiToken.objects.exists()


def test_the_demo_key_is_what_the_readme_says() -> None:
    assert base64.b32encode(bytes.fromhex(DEMO_TOTP_KEY_HEX)).decode() == DEMO_TOTP_BASE32
