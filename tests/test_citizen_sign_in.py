"""Citizens' sign-in on the portal: the state digital ID against the real local provider
(``oidc_sim``, a separate process: the portal's own OpenID Connect client is never mocked) and
one-time codes by SMS or e-mail; every forged or stale answer refused, audited, never a 500."""

from __future__ import annotations

import json
import re
import threading
import time
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import time_machine
from django.db import connection, connections
from django.test import Client

from jfs.accounts.models import User
from jfs.audit.models import AuditEvent
from jfs.citizens import people_file, selectors, services
from jfs.citizens.errors import CodeRefused, SignInRefused
from jfs.citizens.models import CitizenProfile, OneTimeCode
from jfs.core import clock
from jfs.notify import gateways
from jfs.portal.access import ASSURANCE_KEY
from jfslib import roles, thai_id
from tests import oidc_support
from tests.oidc_support import SOMCHAI, SOMSRI

pytestmark = pytest.mark.django_db
#: the digital-ID simulator fixtures (tests/oidc_support.py)
oidc = oidc_support.oidc
oidc_settings = oidc_support.oidc_settings


def _start(client: Client, next_url: str = "/my/requests/") -> str:
    resp = client.get("/sign-in/digital-id/", {"next": next_url})
    assert resp.status_code == 302
    return str(resp["Location"])


def _back(client: Client, location: str) -> Any:
    parts = urlsplit(location)
    assert parts.path == "/sign-in/digital-id/callback/"
    return client.get(parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()})


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _refusals(reason: str) -> int:
    return AuditEvent.objects.filter(action="citizen_sign_in_refused", details__reason=reason).count()


# --------------------------------------------------------------------------- the state digital ID


def test_digital_id_sign_in_fills_the_verified_profile_and_goes_to_next(client, oidc, oidc_settings):
    url = _start(client, "/my/requests/")
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(oidc.url + "/authorize")
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0]
    assert set(query["scope"][0].split()) >= {"openid", "pid", "given_name", "family_name", "birthdate", "address"}

    resp = _back(client, oidc.authorize(url, SOMSRI))
    assert resp.status_code == 302 and resp["Location"] == "/my/requests/"
    assert _signed_in(client) and client.session[ASSURANCE_KEY] == "digital_id"
    user = User.objects.get(pk=client.session["_auth_user_id"])
    assert (user.role, user.national_id, user.first_name, user.last_name) == (roles.CITIZEN, SOMSRI, "สมศรี", "ประชาชน")
    assert not user.has_usable_password()
    claims = selectors.verified_claims(user)
    assert (
        claims["pid"] == SOMSRI and claims["birthdate"] == "1980-05-17" and "เชียงใหม่" in claims["address"]["formatted"]
    )
    assert selectors.assurance_of(user) == "digital_id"
    assert "ThaID" in selectors.assurance_label("digital_id")
    event = AuditEvent.objects.get(action="citizen_sign_in", actor_id=user.pk)
    assert event.details["national_id"] == thai_id.mask(SOMSRI)
    assert SOMSRI not in json.dumps(list(AuditEvent.objects.values("details", "reference")), ensure_ascii=False)


def test_the_same_person_comes_back_to_the_same_account(client, oidc, oidc_settings):
    _back(client, oidc.authorize(_start(client), SOMCHAI))
    first = client.session["_auth_user_id"]
    other = Client()
    _back(other, oidc.authorize(_start(other), SOMCHAI))
    assert other.session["_auth_user_id"] == first
    assert User.objects.filter(national_id=SOMCHAI).count() == 1


def test_the_demo_citizen_signs_in_to_her_account(client, oidc, oidc_settings):
    citizen, _ = User.objects.update_or_create(
        username="citizen",
        defaults={
            "role": roles.CITIZEN,
            "first_name": "สมศรี",
            "last_name": "ประชาชน",
            "national_id": people_file.DEMO_CITIZEN_PID,
        },
    )
    _back(client, oidc.authorize(_start(client), SOMSRI))
    assert int(client.session["_auth_user_id"]) == citizen.pk


def test_the_demo_citizens_id_is_valid_and_the_simulator_knows_her():
    from oidc_sim.people import DEMO_CITIZEN

    assert thai_id.validate(people_file.DEMO_CITIZEN_PID) == DEMO_CITIZEN["pid"] == SOMSRI


def test_the_session_key_changes_at_sign_in(client, oidc, oidc_settings):
    url = _start(client)
    before = client.session.session_key
    _back(client, oidc.authorize(url, SOMSRI))
    assert client.session.session_key != before


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("wrong_nonce", "wrong_nonce"),
        ("wrong_audience", "wrong_aud"),
        ("wrong_issuer", "wrong_iss"),
        ("expired", "expired"),
        ("bad_signature", "bad_signature"),
        ("wrong_state", "wrong_state"),
        ("userinfo_other_subject", "userinfo_other_subject"),
    ],
)
def test_a_forged_or_stale_answer_is_refused_in_thai_audited_and_signs_nobody_in(
    client, oidc, oidc_settings, fault, reason
):
    url = _start(client)
    oidc.fault(fault)
    resp = _back(client, oidc.authorize(url, SOMCHAI))
    assert resp.status_code == 400
    body = resp.content.decode()
    assert "เข้าสู่ระบบไม่สำเร็จ" in body and "เริ่มเข้าสู่ระบบใหม่" in body
    assert not _signed_in(client)
    assert not User.objects.filter(national_id=SOMCHAI).exists()
    assert _refusals(reason) == 1
    assert SOMCHAI not in json.dumps(list(AuditEvent.objects.values("details")), ensure_ascii=False)


def test_a_callback_with_a_forged_state_is_refused(client, oidc, oidc_settings):
    _start(client)
    resp = client.get("/sign-in/digital-id/callback/", {"state": "forged", "code": "x"})
    assert resp.status_code == 400 and not _signed_in(client)
    assert _refusals("wrong_state") == 1


def test_a_callback_used_twice_or_without_a_start_is_refused(client, oidc, oidc_settings):
    location = oidc.authorize(_start(client), SOMSRI)
    _back(client, location)
    client.post("/sign-out/")
    resp = _back(client, location)
    assert resp.status_code == 400 and not _signed_in(client)
    assert _refusals("no_flow") == 1


def test_a_citizen_who_refuses_consent_is_told_and_not_signed_in(client, oidc, oidc_settings):
    resp = _back(client, oidc.authorize(_start(client), SOMSRI, allow=False))
    assert resp.status_code == 400 and "ยกเลิก" in resp.content.decode()
    assert not _signed_in(client) and _refusals("cancelled") == 1


def test_a_citizen_who_comes_back_too_late_starts_again(client, oidc, oidc_settings):
    url = _start(client)
    location = oidc.authorize(url, SOMSRI)
    with time_machine.travel(clock.now() + timedelta(minutes=20)):
        resp = _back(client, location)
    assert resp.status_code == 400 and not _signed_in(client)
    assert _refusals("flow_expired") == 1


def test_an_unreachable_provider_is_a_thai_page_not_a_500(client, settings):
    settings.DIGITAL_ID_ISSUER = "http://127.0.0.1:9"
    from django.core.cache import caches

    caches["default"].clear()
    resp = client.get("/sign-in/digital-id/")
    assert resp.status_code == 400 and "ThaID" in resp.content.decode()


def test_the_provider_requires_pkce_s256_and_a_nonce(oidc):
    base = {
        "response_type": "code",
        "client_id": "jfs-portal-test",
        "scope": "openid pid",
        "state": "s",
        "redirect_uri": "http://testserver/sign-in/digital-id/callback/",
    }
    no_pkce = httpx.get(oidc.url + "/authorize", params={**base, "nonce": "n"})
    assert no_pkce.status_code == 302 and "error=invalid_request" in no_pkce.headers["location"]
    plain = httpx.get(
        oidc.url + "/authorize",
        params={**base, "nonce": "n", "code_challenge": "a" * 43, "code_challenge_method": "plain"},
    )
    assert "error=invalid_request" in plain.headers["location"]
    no_nonce = httpx.get(
        oidc.url + "/authorize", params={**base, "code_challenge": "a" * 43, "code_challenge_method": "S256"}
    )
    assert "error=invalid_request" in no_nonce.headers["location"]
    unknown_redirect = httpx.get(oidc.url + "/authorize", params={**base, "redirect_uri": "https://evil.example/cb"})
    assert unknown_redirect.status_code == 400 and "evil" not in unknown_redirect.headers.get("location", "")


def test_a_staff_identity_is_refused_politely(client, oidc, oidc_settings):
    User.objects.create(username="officer.x", role=roles.CASE_OFFICER, national_id=SOMCHAI)
    resp = _back(client, oidc.authorize(_start(client), SOMCHAI))
    assert resp.status_code == 403 and "เจ้าหน้าที่" in resp.content.decode()
    assert not _signed_in(client) and _refusals("staff_account") == 1


def test_a_staff_session_is_not_offered_the_citizen_sign_in(client):
    staff = User.objects.create(username="intake.x", role=roles.INTAKE_OFFICER)
    client.force_login(staff)
    assert client.get("/sign-in/").status_code == 403
    assert client.get("/sign-in/digital-id/").status_code == 403


def test_next_goes_only_to_this_site(client, oidc, oidc_settings):
    url = _start(client, "https://evil.example/steal")
    resp = _back(client, oidc.authorize(url, SOMSRI))
    assert resp["Location"] == "/my/requests/"


# --------------------------------------------------------------------------- one-time codes


def _last_code(address_tail: str) -> str:
    for message in reversed(gateways.OUTBOX):
        if message.address.endswith(address_tail):
            found = re.search(r"\b(\d{6})\b", message.text)
            assert found
            return found.group(1)
    raise AssertionError("no code was sent")


def _ask_code(client: Client, django_capture_on_commit_callbacks, channel: str, address: str) -> Any:
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(f"/sign-in/code/{channel}/", {"address": address})


def test_sms_code_sign_in_makes_a_lower_assurance_account_without_a_national_id(
    client, django_capture_on_commit_callbacks
):
    client.get("/sign-in/", {"next": "/my/inbox/"})
    resp = _ask_code(client, django_capture_on_commit_callbacks, "sms", "081-234-5678")
    assert resp.status_code == 302 and resp["Location"] == "/sign-in/code/"
    page = client.get("/sign-in/code/").content.decode()
    assert "***678" in page and "0812345678" not in page
    resp = client.post("/sign-in/code/", {"code": _last_code("812345678")})
    assert resp.status_code == 302 and resp["Location"] == "/my/inbox/"
    assert client.session[ASSURANCE_KEY] == "one_time_code"
    user = User.objects.get(pk=client.session["_auth_user_id"])
    assert (user.role, user.national_id, user.phone) == (roles.CITIZEN, "", "+66812345678")
    assert selectors.assurance_of(user) == "one_time_code"
    assert "ต่ำกว่า" in selectors.assurance_label(selectors.assurance_of(user))
    assert not OneTimeCode.objects.filter(code_hash__contains=_last_code("812345678")).exists()
    details = json.dumps(list(AuditEvent.objects.values("details")), ensure_ascii=False)
    assert "812345678" not in details and "citizen_sign_in" in set(AuditEvent.objects.values_list("action", flat=True))


def test_email_code_sign_in_comes_back_to_the_same_account(client, django_capture_on_commit_callbacks):
    _ask_code(client, django_capture_on_commit_callbacks, "email", "Somsri@Example.com")
    client.post("/sign-in/code/", {"code": _last_code("somsri@example.com")})
    first = client.session["_auth_user_id"]
    other = Client()
    _ask_code(other, django_capture_on_commit_callbacks, "email", "somsri@example.com")
    other.post("/sign-in/code/", {"code": _last_code("somsri@example.com")})
    assert other.session["_auth_user_id"] == first
    assert CitizenProfile.objects.get(user_id=first).contact_email == "somsri@example.com"


def test_a_wrong_code_says_how_many_tries_are_left_then_the_code_stops_working(
    client, settings, django_capture_on_commit_callbacks
):
    _ask_code(client, django_capture_on_commit_callbacks, "sms", "0812345679")
    right = _last_code("812345679")
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    resp = client.post("/sign-in/code/", {"code": wrong})
    assert resp.status_code == 200 and "กรอกได้อีก 4 ครั้ง" in resp.content.decode()
    assert 'class="error-summary"' in resp.content.decode()
    for _ in range(settings.ONE_TIME_CODE_ATTEMPTS - 1):
        client.post("/sign-in/code/", {"code": wrong})
    resp = client.post("/sign-in/code/", {"code": right})
    assert "ผิดหลายครั้งเกินไป" in resp.content.decode() and not _signed_in(client)
    assert _refusals("wrong_code") == settings.ONE_TIME_CODE_ATTEMPTS and _refusals("too_many_attempts") == 1


def test_an_expired_or_used_code_is_refused(client, django_capture_on_commit_callbacks):
    _ask_code(client, django_capture_on_commit_callbacks, "sms", "0812345670")
    code = _last_code("812345670")
    with time_machine.travel(clock.now() + timedelta(minutes=11)):
        resp = client.post("/sign-in/code/", {"code": code})
    assert "หมดอายุ" in resp.content.decode() and not _signed_in(client)
    sent = services.start_one_time_code("sms", "0812345670")
    with pytest.raises(CodeRefused):
        services.verify_one_time_code(sent.code_id, "000000" if code != "000000" else "111111")
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.start_one_time_code("sms", "0812345670")
    code = _last_code("812345670")
    services.verify_one_time_code(sent.code_id, code)
    with pytest.raises(CodeRefused) as used:
        services.verify_one_time_code(sent.code_id, code)
    assert used.value.reason == "code_used"


def test_codes_to_one_address_are_limited_per_hour(client, settings, django_capture_on_commit_callbacks):
    for _ in range(settings.ONE_TIME_CODES_PER_HOUR):
        services.start_one_time_code("sms", "0812345671")
    resp = _ask_code(client, django_capture_on_commit_callbacks, "sms", "0812345671")
    assert resp.status_code == 200 and "บ่อยเกินไป" in resp.content.decode()
    assert _refusals("too_many_codes") == 1
    with time_machine.travel(clock.now() + timedelta(minutes=61)):
        services.start_one_time_code("sms", "0812345671")


@pytest.mark.parametrize(
    ("channel", "address", "words"),
    [
        ("sms", "02-123-4567", "มือถือ"),
        ("sms", "12345", "ไม่ถูกต้อง"),
        ("email", "not-an-email", "อีเมล"),
        ("sms", "", "กรุณากรอก"),
    ],
)
def test_a_bad_address_is_a_thai_field_error(client, channel, address, words):
    resp = client.post(f"/sign-in/code/{channel}/", {"address": address})
    assert resp.status_code == 200
    body = resp.content.decode()
    assert words in body and 'href="#id_address"' in body
    assert not OneTimeCode.objects.exists()


def test_the_code_page_without_a_code_sent_goes_back_to_the_choice(client):
    assert client.get("/sign-in/code/")["Location"] == "/sign-in/"


def test_the_choice_page_offers_thaid_first_and_explains_the_lower_assurance(client):
    body = client.get("/sign-in/").content.decode()
    assert body.index("ThaID") < body.index("SMS")
    assert "แนะนำ" in body and "ยังไม่ได้ยืนยันว่าท่านเป็นใคร" in body


def test_sign_out_ends_the_session(client, django_capture_on_commit_callbacks):
    _ask_code(client, django_capture_on_commit_callbacks, "sms", "0812345672")
    client.post("/sign-in/code/", {"code": _last_code("812345672")})
    assert _signed_in(client)
    assert client.get("/sign-out/").status_code == 405
    resp = client.post("/sign-out/")
    assert resp.status_code == 302 and not _signed_in(client)


def test_a_citizen_cannot_use_the_staff_sign_in(client):
    citizen = User.objects.create(username="somsri.pw", role=roles.CITIZEN)
    citizen.set_password("a-long-password-2569")
    citizen.save()
    client.post("/accounts/login/", {"username": "somsri.pw", "password": "a-long-password-2569"})
    assert not _signed_in(client)
    assert client.get("/my/requests/").status_code in (302, 404)


@pytest.mark.parametrize("refused", ["inactive_account", "staff_account"])
def test_a_code_sign_in_refused_for_the_account_is_audited(refused, django_capture_on_commit_callbacks):
    """The refusal is written outside the block a refusal rolls back (it used to vanish with it)."""
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.start_one_time_code("sms", "0812345672")
    user = services.verify_one_time_code(sent.code_id, _last_code("812345672"))
    if refused == "inactive_account":
        user.is_active = False
    else:
        user.role = roles.CASE_OFFICER
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.start_one_time_code("sms", "0812345672")
    signed_in = AuditEvent.objects.filter(action="citizen_sign_in", actor_id=user.pk).count()
    with pytest.raises(SignInRefused) as caught:
        services.verify_one_time_code(sent.code_id, _last_code("812345672"))
    assert caught.value.reason == refused
    assert _refusals(refused) == 1
    assert AuditEvent.objects.filter(action="citizen_sign_in", actor_id=user.pk).count() == signed_in


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers; the race needs PostgreSQL")
def test_codes_asked_for_at_once_stay_within_the_hourly_limit(settings, monkeypatch):
    """Two requests for the last code of the hour at the same moment: one gets it, one is refused
    (the limit used to be counted before the insert, without a lock, so both got one)."""
    for _ in range(settings.ONE_TIME_CODES_PER_HOUR - 1):
        services.start_one_time_code("sms", "0812345673")
    create = OneTimeCode.objects.create

    def slow_create(**values: Any) -> OneTimeCode:
        time.sleep(0.3)  # widen the gap between counting the codes and adding one
        return create(**values)

    monkeypatch.setattr(OneTimeCode.objects, "create", slow_create)
    refused: list[BaseException] = []
    start = threading.Barrier(2)

    def ask() -> None:
        try:
            start.wait()
            services.start_one_time_code("sms", "0812345673")
        except CodeRefused as exc:
            refused.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert OneTimeCode.objects.filter(address="+66812345673").count() == settings.ONE_TIME_CODES_PER_HOUR
    assert [getattr(e, "reason", "") for e in refused] == ["too_many_codes"]
    assert _refusals("too_many_codes") == 1
