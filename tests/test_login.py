"""Staff sign-in: password, then a TOTP code; repeated failures of either lock the account;
first-time enrollment shows a QR code."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jfs.accounts import enrolment
from jfs.accounts.models import User
from jfs.accounts.views import PENDING
from jfs.audit.models import AuditEvent
from jfs.demo.users import DEMO_PASSWORD
from jfslib import roles
from tests.conftest import reset_totp, totp_code

pytestmark = pytest.mark.django_db

LOGIN, OTP, QUEUE = reverse("accounts:login"), reverse("accounts:otp"), reverse("staff:queue")
ENROL = reverse("accounts:enrol")


def password_step(client: Client, username: str, password: str = DEMO_PASSWORD, url: str = LOGIN) -> Any:
    return client.post(url, {"username": username, "password": password})


LOCKED = (403, 429)  # the sign-in pages answer 403, django-axes 429 when the failure that locks happens


def assert_locked(resp: Any) -> None:
    assert resp.status_code in LOCKED
    assert "บัญชีถูกระงับชั่วคราว" in resp.content.decode()


def wrong_code() -> str:
    """A code that is wrong for the previous, current and next 30-second steps (the accepted drift)."""
    import time

    from jfs.demo.users import DEMO_TOTP_KEY_HEX

    now = int(time.time())
    valid = {totp(bytes.fromhex(DEMO_TOTP_KEY_HEX), step=30, t0=0, digits=6, drift=d) for d in (-1, 0, 1)}
    assert int(totp_code()) in valid
    return next(f"{c:06d}" for c in ((now + i) % 1000000 for i in range(4)) if c not in valid)


def test_password_then_totp_signs_in(users: Any) -> None:
    reset_totp(users["officer.cm"])
    client = Client()
    resp = password_step(client, "officer.cm")
    assert resp.status_code == 302 and resp["Location"] == OTP
    assert client.get(QUEUE).status_code == 302  # not signed in yet
    resp = client.post(OTP, {"token": totp_code()})
    assert resp.status_code == 302 and resp["Location"] == QUEUE
    assert client.get(QUEUE).status_code == 200
    assert AuditEvent.objects.filter(action="login", actor_username="officer.cm").count() == 1


def test_staff_pages_require_the_second_factor(users: Any) -> None:
    client = Client()
    password_step(client, "officer.cm")
    resp = client.get(QUEUE)
    assert resp.status_code == 302 and resp["Location"].startswith(LOGIN)
    client.force_login(users["officer.cm"])  # a session with a password but no verified device
    resp = client.get(QUEUE)
    assert resp.status_code == 302 and resp["Location"].startswith(LOGIN)


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(users: Any) -> None:
    client = Client()
    resp = password_step(client, "officer.cm", "not-the-password")
    assert resp.status_code == 200
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in resp.content.decode()
    assert PENDING not in client.session
    resp = password_step(client, "nobody-here", "whatever-pass")
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in resp.content.decode()


def test_wrong_totp_code_is_refused(users: Any) -> None:
    reset_totp(users["officer.cm"])
    client = Client()
    password_step(client, "officer.cm")
    resp = client.post(OTP, {"token": wrong_code()})
    assert resp.status_code == 200 and "รหัสยืนยันไม่ถูกต้องหรือหมดอายุ" in resp.content.decode()
    assert client.get(QUEUE).status_code == 302
    assert AuditEvent.objects.filter(action="login_failed", details__step="otp").exists()
    resp = client.post(OTP, {"token": "12ab56"})
    assert resp.status_code == 200 and client.get(QUEUE).status_code == 302


def test_totp_code_cannot_be_replayed(users: Any) -> None:
    reset_totp(users["officer.cm"])
    code = totp_code()
    first = Client()
    password_step(first, "officer.cm")
    assert first.post(OTP, {"token": code}).status_code == 302
    second = Client()
    password_step(second, "officer.cm")
    resp = second.post(OTP, {"token": code})
    assert resp.status_code == 200 and second.get(QUEUE).status_code == 302


def test_otp_page_without_a_password_step_goes_back_to_login() -> None:
    resp = Client().get(OTP)
    assert resp.status_code == 302 and resp["Location"] == LOGIN


def test_repeated_wrong_passwords_lock_the_account(users: Any) -> None:
    limit = django_settings.AXES_FAILURE_LIMIT
    client = Client()
    for _ in range(limit - 1):
        assert password_step(client, "officer.cm", "wrong-password").status_code == 200
    assert_locked(password_step(client, "officer.cm", "wrong-password"))
    # now even the right password is refused, from any browser
    for c in (client, Client()):
        resp = password_step(c, "officer.cm")
        assert_locked(resp)
        assert PENDING not in c.session
        assert c.get(QUEUE).status_code == 302
    # another account is not affected
    assert password_step(Client(), "officer2.cm").status_code == 302


def test_repeated_wrong_totp_codes_lock_the_account(users: Any) -> None:
    limit = django_settings.AXES_FAILURE_LIMIT
    reset_totp(users["officer.cm"])
    client = Client()
    assert password_step(client, "officer.cm").status_code == 302
    statuses = [client.post(OTP, {"token": wrong_code()}).status_code for _ in range(limit)]
    assert statuses[-1] in LOCKED and statuses[:-1] == [200] * (limit - 1)
    reset_totp(users["officer.cm"])
    assert_locked(client.post(OTP, {"token": totp_code()}))  # the right code no longer helps
    assert client.get(QUEUE).status_code == 302
    assert_locked(password_step(Client(), "officer.cm"))  # nor the right password


def test_lockout_limit_follows_the_setting(users: Any, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    client = Client()
    assert password_step(client, "head.cm", "wrong-password").status_code == 200
    assert_locked(password_step(client, "head.cm", "wrong-password"))
    assert_locked(password_step(client, "head.cm"))


def test_successful_sign_in_resets_the_failure_count(users: Any) -> None:
    limit = django_settings.AXES_FAILURE_LIMIT
    client = Client()
    for _ in range(limit - 1):
        password_step(client, "officer.cm", "wrong-password")
    reset_totp(users["officer.cm"])
    password_step(client, "officer.cm")
    assert client.post(OTP, {"token": totp_code()}).status_code == 302
    other = Client()
    for _ in range(limit - 1):
        assert password_step(other, "officer.cm", "wrong-password").status_code == 200


def test_first_sign_in_enrolls_an_authenticator_with_an_activation_code(offices: Any, users: Any) -> None:
    user = User.objects.create_user("newbie.cm", password="a-long-password-2569", role=roles.CASE_OFFICER,
                                    office=offices["50"])
    code = enrolment.issue_code(issuer=users["head.cm"], user=user)
    client = Client()
    assert password_step(client, "newbie.cm", "a-long-password-2569").status_code == 302
    assert client.get(OTP)["Location"] == ENROL  # no device yet: enrolment, which first asks for the code
    resp = client.get(ENROL)
    assert resp.status_code == 200 and "data:image/svg+xml" not in resp.content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert client.post(ENROL, {"code": code.lower()})["Location"] == ENROL  # typed in lower case: still the code
    resp = client.get(ENROL)
    html = resp.content.decode()
    assert resp.status_code == 200 and resp.context["enrolling"] is True
    assert 'src="data:image/svg+xml;base64,' in html
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed is False
    assert resp.context["secret"] in html
    code_now = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    resp = client.post(ENROL, {"token": code_now})
    assert resp.status_code == 302 and resp["Location"] == QUEUE
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get(QUEUE).status_code == 200
    # the next sign-in asks for a code only: no QR code, no new device; the activation code is used up
    again = Client()
    password_step(again, "newbie.cm", "a-long-password-2569")
    resp = again.get(OTP)
    assert resp.context["enrolling"] is False and "data:image/svg+xml" not in resp.content.decode()
    assert TOTPDevice.objects.filter(user=user).count() == 1
    assert enrolment.valid_code(user, code) is None


def test_user_with_a_confirmed_device_sees_no_qr_code(users: Any) -> None:
    client = Client()
    password_step(client, "officer.cm")
    resp = client.get(OTP)
    assert resp.context["enrolling"] is False and "data:image/svg+xml" not in resp.content.decode()


def test_inactive_user_cannot_sign_in(users: Any) -> None:
    User.objects.filter(username="officer2.cm").update(is_active=False)
    resp = password_step(Client(), "officer2.cm")
    assert resp.status_code == 200 and "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in resp.content.decode()


def test_next_parameter_is_followed_only_within_the_site(users: Any) -> None:
    reset_totp(users["officer.cm"])
    client = Client()
    password_step(client, "officer.cm", url=LOGIN + "?next=https://evil.example/steal")
    resp = client.post(OTP, {"token": totp_code()})
    assert resp["Location"] == QUEUE
    reset_totp(users["officer.cm"])
    client = Client()
    password_step(client, "officer.cm", url=LOGIN + "?next=" + reverse("staff:dashboard"))
    # the same 30-second step was used above: the replay guard is reset by reset_totp
    assert client.post(OTP, {"token": totp_code()})["Location"] == reverse("staff:dashboard")


def test_logout_ends_the_session(staff_client: Client) -> None:
    assert staff_client.get(QUEUE).status_code == 200
    assert staff_client.get(reverse("accounts:logout")).status_code == 405  # POST only
    staff_client.post(reverse("accounts:logout"))
    assert staff_client.get(QUEUE).status_code == 302
