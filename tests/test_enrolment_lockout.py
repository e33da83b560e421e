"""Enrolling an authenticator needs a one-time activation code; lockouts count per username and
address. Written against the old sign-in, which showed a new TOTP secret to anyone holding the
password of an account without a confirmed device, and locked a named officer out of every
address after five wrong passwords typed anywhere."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from time_machine import TimeMachineFixture

from jfs.accounts import enrolment
from jfs.accounts.models import ActivationCode, User
from jfs.audit.models import AuditEvent
from jfs.core import clock
from jfs.demo.users import DEMO_PASSWORD
from jfslib import roles
from tests.conftest import reset_totp, totp_code

pytestmark = pytest.mark.django_db

LOGIN, OTP, ENROL = reverse("accounts:login"), reverse("accounts:otp"), reverse("accounts:enrol")
QUEUE, TEAM = reverse("staff:queue"), reverse("staff:team")
PASSWORD = "a-long-password-2569"


@pytest.fixture
def newcomer(offices: Any, users: Any) -> User:
    return User.objects.create_user("newbie.cm", password=PASSWORD, role=roles.CASE_OFFICER, office=offices["50"])


def after_password(username: str = "newbie.cm", password: str = PASSWORD, ip: str = "127.0.0.1") -> Client:
    client = Client(REMOTE_ADDR=ip)
    resp = client.post(LOGIN, {"username": username, "password": password})
    assert resp.status_code == 302, resp.status_code
    return client


def device_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_password_alone_never_shows_a_totp_secret(newcomer: User) -> None:
    client = after_password()
    for url in (OTP, ENROL):
        html = client.get(url, follow=True).content.decode()
        assert "data:image/svg+xml" not in html and "secret" not in html.lower()
    assert not TOTPDevice.objects.filter(user=newcomer).exists()  # no secret even made
    # posting a TOTP code to the enrolment page without a code does not confirm anything
    assert client.post(ENROL, {"token": "123456"}).status_code == 200
    assert client.get(QUEUE).status_code == 302


@pytest.mark.parametrize("case", ["wrong", "expired", "used", "revoked", "someone_else"])
def test_an_activation_code_that_does_not_work_is_refused_and_counted(
    case: str, newcomer: User, users: Any, time_machine: TimeMachineFixture
) -> None:
    code = enrolment.issue_code(issuer=users["head.cm"], user=newcomer)
    row = ActivationCode.objects.get(user=newcomer)
    if case == "wrong":
        code = "AAAAA-AAAAA"
    elif case == "expired":
        time_machine.move_to(row.expires_at + timedelta(minutes=1))  # JFS_ACTIVATION_HOURS later
    elif case == "used":
        ActivationCode.objects.filter(pk=row.pk).update(used_at=clock.now())
    elif case == "revoked":
        enrolment.issue_code(issuer=users["head.cm"], user=newcomer)  # a newer code revokes the earlier one
    elif case == "someone_else":
        code = enrolment.issue_code(issuer=users["head.cm"], user=users["officer2.cm"])
    client = after_password()
    resp = client.post(ENROL, {"code": code})
    assert resp.status_code == 200
    assert "รหัสเปิดใช้งานไม่ถูกต้อง" in resp.content.decode()
    assert "data:image/svg+xml" not in resp.content.decode()
    assert AuditEvent.objects.filter(action="login_failed", details__step="activation_code").count() == 1


def test_wrong_activation_codes_lock_like_wrong_passwords(newcomer: User, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    client = after_password()
    statuses = [client.post(ENROL, {"code": f"WRONG-{i:05d}"}).status_code for i in range(3)]
    assert statuses == [200, 200, 403]


def test_re_enrolment_replaces_the_old_device(users: Any) -> None:
    officer = users["officer.cm"]
    old = TOTPDevice.objects.get(user=officer, confirmed=True)
    code = enrolment.issue_code(issuer=users["admin"], user=officer)
    client = after_password("officer.cm", DEMO_PASSWORD)
    assert client.post(ENROL, {"code": code})["Location"] == ENROL
    client.get(ENROL)
    new = TOTPDevice.objects.get(user=officer, confirmed=False)
    assert client.post(ENROL, {"token": device_code(new)})["Location"] == QUEUE
    assert list(TOTPDevice.objects.filter(user=officer)) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(action="totp_enrolled", actor_username="officer.cm").exists()


def test_the_office_head_issues_codes_to_their_own_staff_only(newcomer: User, login: Any, users: Any) -> None:
    head = login("head.cm")
    page = head.get(TEAM).content.decode()
    assert "newbie.cm" in page and "officer.kk" not in page  # their office only
    resp = head.post(TEAM, {"user": newcomer.pk})
    assert resp.status_code == 200 and resp["Cache-Control"] == "private, no-store"
    code = resp.context["issued"]["code"]
    assert code in resp.content.decode()
    assert enrolment.valid_code(newcomer, code) is not None
    assert head.get(TEAM).content.decode().count(code) == 0  # shown once
    # another office's officer, an administrator, or themselves: refused, nothing issued
    for other in ("officer.kk", "admin", "head.cm"):
        assert head.post(TEAM, {"user": users[other].pk}).status_code == 403
        assert not ActivationCode.objects.filter(user=users[other]).exists()
    assert head.post(TEAM, {"user": "99999999"}).status_code == 404
    assert head.post(TEAM, {"user": "x\x00"}).status_code == 404


def test_a_case_officer_cannot_issue_codes(login: Any, users: Any) -> None:
    officer = login("officer.cm")
    assert officer.get(TEAM).status_code == 403
    assert officer.post(TEAM, {"user": users["officer2.cm"].pk}).status_code == 403
    assert not ActivationCode.objects.exists()


def test_a_locked_out_officer_can_still_sign_in_from_another_address(users: Any, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(3):
        attacker.post(LOGIN, {"username": "officer.cm", "password": "wrong-password"})
    assert attacker.post(LOGIN, {"username": "officer.cm", "password": DEMO_PASSWORD}).status_code == 403
    # the officer, at the office
    reset_totp(users["officer.cm"])
    office = after_password("officer.cm", DEMO_PASSWORD, ip="198.51.100.20")
    assert office.post(OTP, {"token": totp_code()})["Location"] == QUEUE
    assert office.get(QUEUE).status_code == 200
    [ev] = AuditEvent.objects.filter(action="account_locked")
    assert ev.details["user"] == "officer.cm" and ev.ip == "203.0.113.9"


def test_codes_are_kept_as_keyed_hashes_only(newcomer: User, users: Any) -> None:
    code = enrolment.issue_code(issuer=users["admin"], user=newcomer)
    row = ActivationCode.objects.get(user=newcomer)
    assert enrolment.normalise(code) not in row.code_hash and len(row.code_hash) == 64
    assert (row.expires_at - row.issued_at) <= timedelta(hours=72, seconds=5)
