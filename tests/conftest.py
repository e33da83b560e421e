"""Shared fixtures: offices, demo users, valid requests, and staff clients that signed in
through the real password + TOTP views.

Offices and demo users are created once per test session inside the test database
(``django_db_setup``); every test then runs in a transaction that is rolled back, so
what a test writes never leaks into the next one. The ``offices`` and ``users``
fixtures re-create the seed data if a transactional test elsewhere flushed it.
"""

from __future__ import annotations

import io
import itertools
import os
import struct
import zlib
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

import pikepdf
import pytest
import time_machine
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from jfs.accounts.models import Office, User
from jfs.accounts.offices import ensure_offices
from jfs.cases import services
from jfs.cases.models import Request
from jfs.core import clock
from jfs.demo.users import DEMO_PASSWORD, DEMO_TOTP_KEY_HEX, DEMO_USERS, ensure_demo_users
from jfslib import thai_id

#: the registry simulator fixtures (sim, fast) shared by the exchange tests
pytest_plugins = ["tests.exchange_support"]


# --------------------------------------------------------------------------- the clock


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--travel-to", default=os.environ.get("JFS_TEST_TRAVEL_TO", ""), metavar="YYYY-MM-DD[THH:MM]",
        help="run the whole session with the clock moved there (time-machine; a time without a zone is "
             "Bangkok's): the tests must not depend on the machine's date. Also JFS_TEST_TRAVEL_TO.",
    )


def pytest_configure(config: pytest.Config) -> None:
    """``--travel-to``: start the session's journey before Django and the database are set up."""
    where = config.getoption("--travel-to")
    if where:
        moment = datetime.fromisoformat(where)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=clock.FUND_TIMEZONE)
        journey = time_machine.travel(moment, tick=True)
        journey.start()
        config.add_cleanup(journey.stop)


def pytest_report_header(config: pytest.Config) -> str:
    return f"jfs clock: {clock.now().isoformat()} (fund day {clock.today().isoformat()})"


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CHIANG_MAI = "50"
KHON_KAEN = "40"
#: a real subdistrict per office province (geothai codes), so addresses validate
ADDRESS = {
    CHIANG_MAI: ("50", "5001", "500101"),  # ศรีภูมิ, เมืองเชียงใหม่
    KHON_KAEN: ("40", "4001", "400101"),  # ในเมือง, เมืองขอนแก่น
    "00": ("10", "1001", "100101"),  # พระบรมมหาราชวัง, พระนคร
}

DETAILS: dict[str, dict[str, Any]] = {
    "LIT": {
        "case_kind": "civil", "court": "ศาลจังหวัดเชียงใหม่", "case_number": "พ.123/2569",
        "party_role": "defendant", "costs": {"lawyer": "15000", "court_fee": "2000"},
    },
    "BAIL": {
        "detainee_name": "นายทดสอบ ประกันตัว", "charge": "ลักทรัพย์", "held_at": "เรือนจำกลางเชียงใหม่",
        "authority": "court", "authority_name": "ศาลจังหวัดเชียงใหม่", "bail_amount": "50000",
    },
    "HR": {"violation": "ถูกทำร้ายร่างกาย", "harm": "บาดเจ็บ", "remedy_requested": "ค่ารักษาพยาบาล"},
    "PROJECT": {
        "organisation": "มูลนิธิทดสอบ", "title": "อบรมกฎหมายชุมชน", "plan": "อบรม 2 วัน",
        "budget_lines": [{"item": "ค่าวิทยากร", "amount": "12000"}], "participants": 40,
    },
    "CONSULT": {"topic": "มรดก", "channel": "counter"},
}

_id_counter = itertools.count(1)


def new_national_id(first_digit: str = "3") -> str:
    """A fresh valid national ID (check digit computed), different on every call."""
    n = next(_id_counter)
    return thai_id.make_valid(f"{first_digit}{5000000000 + n:010d}0"[:12])


def totp_code(key_hex: str = DEMO_TOTP_KEY_HEX) -> str:
    """The current six-digit code for a TOTP key (the demo users share one key)."""
    return f"{totp(bytes.fromhex(key_hex), step=30, t0=0, digits=6):06d}"


def applicant_input(office_code: str = CHIANG_MAI, **overrides: Any) -> services.ApplicantInput:
    prov, dist, sub = ADDRESS[office_code]
    values: dict[str, Any] = {
        "national_id": new_national_id(), "title": "นาย", "first_name": "สมปอง", "last_name": "ทดสอบ",
        "birth_date": date(1980, 5, 17), "sex": "M", "house_no": "12 หมู่ 3",
        "province_code": prov, "district_code": dist, "subdistrict_code": sub,
        "phone": "0812345678", "education": "primary", "occupation": "labourer",
        "monthly_income": "6000", "household_size": 4,
    }
    values.update(overrides)
    return services.ApplicantInput(**values)


# --------------------------------------------------------------------------- session set-up


@pytest.fixture(scope="session")
def _fast_password_hashing() -> Iterator[None]:
    """MD5 instead of PBKDF2 for the test run: signing in stays real but costs microseconds."""
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any, _fast_password_hashing: None) -> None:
    """Create the offices and demo users once, in the test database."""
    from django.conf import settings

    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # keeps WhiteNoise from warning on every request
    with django_db_blocker.unblock():
        ensure_offices()
        ensure_demo_users()


@pytest.fixture
def document_root(settings: Any, tmp_path: Any) -> Any:
    """Uploaded files go to a per-test directory, never into JFS_DATA_DIR (every data fixture uses it)."""
    settings.DOCUMENT_ROOT = tmp_path / "documents"
    settings.DOCUMENT_QUARANTINE_ROOT = tmp_path / "quarantine"
    return settings.DOCUMENT_ROOT


# --------------------------------------------------------------------------- data fixtures


@pytest.fixture
def offices(db: None, document_root: Any) -> dict[str, Office]:
    """All 77 offices (central "00" + 76 provincial), keyed by code."""
    if Office.objects.count() < 77:
        ensure_offices()
    return {o.code: o for o in Office.objects.all()}


@pytest.fixture
def users(offices: dict[str, Office], _fast_password_hashing: None) -> dict[str, User]:
    """The demo users, keyed by username (password DEMO_PASSWORD, shared TOTP key)."""
    found = {u.username: u for u in User.objects.select_related("office").filter(
        username__in=[row[0] for row in DEMO_USERS])}
    if len(found) < len(DEMO_USERS):
        ensure_demo_users()
        found = {u.username: u for u in User.objects.select_related("office").filter(
            username__in=[row[0] for row in DEMO_USERS])}
    return found


@pytest.fixture
def make_request(users: dict[str, User], offices: dict[str, Office]) -> Callable[..., Request]:
    """Create a valid request through ``services.create_request``.

    make_request() -> a litigation request at Chiang Mai, received today, by intake.cm.
    Keyword arguments: service, office (code), actor (username), received_on, applicant
    overrides (applicant={...}), details (replaces the service's default details),
    assign_to (username; the office head assigns the request to that officer).
    """

    def make(
        service: str = "LIT",
        office: str = CHIANG_MAI,
        actor: str | None = None,
        received_on: date | None = None,
        applicant: dict[str, Any] | None = None,
        details: dict[str, Any] | None = None,
        assign_to: str | None = None,
    ) -> Request:
        default_actor = {CHIANG_MAI: "intake.cm", KHON_KAEN: "officer.kk", "00": "intake.central"}[office]
        req = services.create_request(
            actor=users[actor or default_actor],
            service=service,
            office=offices[office],
            applicant=applicant_input(office, **(applicant or {})),
            details=details if details is not None else DETAILS[service],
            received_on=received_on,
        )
        if assign_to:
            head = {CHIANG_MAI: "head.cm", KHON_KAEN: "head.kk", "00": "head.central"}[office]
            req = services.assign(actor=users[head], request_id=req.pk, assignee=users[assign_to],
                                  expected_version=req.version)
        return req

    return make


# --------------------------------------------------------------------------- signing in


def reset_totp(user: User) -> None:
    """Forget the last code used (replay guard) and any throttling, so a fresh sign-in works."""
    TOTPDevice.objects.filter(user=user).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )


def login_via_views(client: Client, user: User, password: str = DEMO_PASSWORD) -> Client:
    """Sign in through the real pages: password, then the TOTP code."""
    reset_totp(user)
    resp = client.post(reverse("accounts:login"), {"username": user.username, "password": password})
    assert resp.status_code == 302 and resp["Location"] == reverse("accounts:otp"), resp.status_code
    resp = client.post(reverse("accounts:otp"), {"token": totp_code()})
    assert resp.status_code == 302 and resp["Location"] == reverse("staff:queue"), resp.status_code
    return client


@pytest.fixture
def login(users: dict[str, User]) -> Callable[[str], Client]:
    """login("officer.kk") -> a Client signed in with password + TOTP as that demo user."""

    def do(username: str) -> Client:
        return login_via_views(Client(), users[username])

    return do


@pytest.fixture
def staff_client(login: Callable[[str], Client]) -> Client:
    """A Chiang Mai case officer, signed in with both factors."""
    return login("officer.cm")


@pytest.fixture
def api_client(users: dict[str, User]) -> Callable[[str], Client]:
    """api_client("officer.cm") -> a Client sending that user's bearer token (scope write) on every call."""
    from jfs.accounts.tokens import issue

    def make(username: str, scope: str = "write") -> Client:
        return Client(headers={"authorization": f"Bearer {issue(users[username], 'tests', scope=scope)}"})

    return make


# --------------------------------------------------------------------------- sample files


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")


def _pdf() -> bytes:
    """A real one-page PDF, written the way uploads are stored (so cleaning gives it back unchanged)."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, compress_streams=False)
    return out.getvalue()


def _jpeg() -> bytes:
    """A real (decodable) 8×8 JPEG: uploads are decoded and encoded again, so a header alone is refused."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (90, 120, 200)).save(out, "JPEG", quality=90)
    return out.getvalue()


SAMPLE_FILES: dict[str, bytes] = {
    "pdf": _pdf(),
    "png": _png(),
    "jpeg": _jpeg(),
    "exe": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run in DOS mode.",
    "text": "สำเนาบัตรประชาชน\nplain text pretending to be a PDF\n".encode(),
}


# --------------------------------------------------------------------------- driving requests


@pytest.fixture
def act(users: dict[str, User]) -> Callable[..., Request]:
    """act(req, "officer.cm", "start_screening", on=date(...), comment=..., outcome=..., reason_code=...)

    Takes a workflow action through ``services.transition`` with the request's current version.
    ``record_subcommittee_decision`` is taken at a meeting of the request's committee held that day
    (``tests.decisions_support.decide_at_a_meeting``): the decision rules want one.
    """

    def do(req: Request, username: str, action: str, *, on: date | None = None, comment: str = "บันทึกเหตุผล",
           **fields: Any) -> Request:
        from tests.decisions_support import decide_at_a_meeting, seat_everyone

        if action == "record_subcommittee_decision" and "agenda_item" not in fields:
            return decide_at_a_meeting(req, users, secretary=username, on=on, comment=comment, **fields)
        if action in ("decide_urgent", "decide_appeal"):
            seat_everyone()
        version = Request.objects.values_list("version", flat=True).get(pk=req.pk)
        return services.transition(actor=users[username], request_id=req.pk, action=action,
                                   expected_version=version, comment=comment, fields=fields, on=on)

    return do


@pytest.fixture
def attach(users: dict[str, User]) -> Callable[..., Any]:
    """attach(req, "intake.cm", "id_card", kind="pdf") -> the stored Document;
    attach(req, "intake.cm", "@required") attaches every document the service requires."""

    def do(req: Request, username: str, doc_type: str, kind: str = "pdf", name: str | None = None) -> Any:
        if doc_type == "@required":
            return [do(req, username, d.code, kind) for d in req.workflow.required_documents()]
        data = SAMPLE_FILES[kind]
        ext = {"jpeg": "jpg"}.get(kind, kind)
        return services.add_document(actor=users[username], request_id=req.pk, doc_type=doc_type,
                                     name=name or f"{doc_type}.{ext}", chunks=[data], size=len(data))

    return do
