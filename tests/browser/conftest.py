"""Fixtures for the real-browser tests: Debian's Chromium driven by Playwright, axe-core checks.

The browser is started once per session; every test gets a fresh context (cookies,
language) and a freshly seeded database through pytest-django's ``live_server``.

    JFS_SCREENSHOTS=/tmp/shots   save a full-page screenshot of the pages the tests look at
    JFS_AXE_VERBOSE=1            print every axe finding (any impact) and timings (with -s)
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; Django would then refuse
# ORM calls made from that thread (seeding data) unless told it is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
#: axe impacts that fail a page
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # the citizens' portal's walks (tests/browser/test_portal_*.py) are marked "portal": CI runs them
    # beside the PostgreSQL run and the staff walks beside the SQLite run (.ci/run)
    for item in items:
        if item.path.name.startswith("test_portal_"):
            item.add_marker(pytest.mark.portal)
    if shutil.which(CHROMIUM) is None:
        skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seeded(transactional_db: None, fast_hashing: None, settings: Any, tmp_path: Any) -> dict[str, Any]:
    """Offices, the demo log-ins and two requests: one in Chiang Mai assigned to officer.cm, one in Khon Kaen."""
    from jfs.accounts.models import Office
    from jfs.accounts.offices import ensure_offices
    from jfs.cases import services
    from jfs.cases.models import Request
    from jfs.core.models import Notification
    from jfs.demo.users import ensure_demo_users

    settings.DOCUMENT_ROOT = tmp_path / "documents"
    ensure_offices()
    users = ensure_demo_users()

    cm = Office.objects.get(code="50")
    kk = Office.objects.get(code="40")
    cm_req = services.create_request(
        actor=users["intake.cm"], service="LIT", office=cm, applicant=applicant("500101"),
        details={
            "case_kind": "civil", "court": "ศาลจังหวัดเชียงใหม่", "case_number": "พ.123/2569",
            "party_role": "defendant", "costs": {"lawyer": "15000", "court_fee": "2500"},
        },
    )
    services.assign(actor=users["intake.cm"], request_id=cm_req.pk, assignee=users["officer.cm"],
                    expected_version=cm_req.version)
    kk_req = services.create_request(
        actor=users["officer.kk"], service="BAIL", office=kk, applicant=applicant("400101", nid="110170012345"),
        details={
            "detainee_name": "นายสมปอง ใจกล้า", "charge": "ลักทรัพย์", "held_at": "สถานีตำรวจภูธรเมืองขอนแก่น",
            "authority": "police", "authority_name": "สภ.เมืองขอนแก่น", "bail_amount": "50000",
        },
    )
    # an old one, overdue (red badges on the queue and the overdue list), and a notification about it
    late = services.create_request(
        actor=users["intake.cm"], service="CONSULT", office=cm, applicant=applicant("500101", nid="350150054321"),
        details={"topic": "ที่ดินมรดก", "channel": "phone"}, received_on=services.today() - timedelta(days=45),
    )
    services.assign(actor=users["intake.cm"], request_id=late.pk, assignee=users["officer.cm"],
                    expected_version=late.version)
    Notification.objects.create(
        recipient=users["officer.cm"], kind="escalation", subject=f"คำขอ {late.number} เกินกำหนด",
        body="ขั้นตอนรับคำขอเกินกำหนด กรุณาดำเนินการ", link=f"/staff/requests/{late.pk}/",
    )
    return {"users": users, "cm_req": Request.objects.get(pk=cm_req.pk), "kk_req": kk_req, "late_req": late}


def applicant(subdistrict: str, nid: str = "310150012345") -> Any:
    import geothai

    from jfs.cases.services import ApplicantInput
    from jfslib import thai_id

    sub = geothai.subdistrict(subdistrict)
    return ApplicantInput(
        national_id=thai_id.make_valid(nid), title="นาง", first_name="บุญเรือน", last_name="ทดสอบ",
        birth_date=date(1975, 3, 14), sex="F", house_no="12 หมู่ 3", province_code=sub.province_code,
        district_code=sub.district_code, subdistrict_code=sub.code, phone="0812345678",
        monthly_income=8000, household_size=4,
    )


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="th-TH")
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()


def totp_now() -> str:
    """The demo users' current code; near the end of its 30 s window, the next one (the server allows one step)."""
    from django_otp.oath import totp

    from jfs.demo.users import DEMO_TOTP_KEY_HEX

    drift = 1 if 30 - time.time() % 30 < 3 else 0
    return f"{totp(bytes.fromhex(DEMO_TOTP_KEY_HEX), step=30, t0=0, digits=6, drift=drift):06d}"


class Axe:
    """Runs axe-core on pages and collects the serious and critical findings, readably.

    JFS_AXE_VERBOSE=1 also prints every finding (any impact), the "incomplete" ones and timings.
    """

    def __init__(self) -> None:
        from axe_playwright_python.sync_playwright import Axe as _Axe

        self._axe = _Axe()
        self.findings: list[str] = []

    def check(self, page: Any, name: str) -> None:
        started = time.monotonic()
        response = self._axe.run(page).response
        _debug(f"axe {name}: {time.monotonic() - started:.2f}s")
        for kind in ("incomplete", "violations"):
            for v in response.get(kind, []):
                _debug(f"[{name}] {kind} {v.get('impact')}: {v['id']} {v['help']} {[n['target'] for n in v['nodes']][:4]}")
        for v in response["violations"]:
            if v.get("impact") not in BLOCKING_IMPACTS:
                continue
            lines = [f"[{name}] {v['impact']}: {v['id']} — {v['help']} ({page.url})"]
            for node in v["nodes"][:5]:
                lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:160]}")
                lines.append(f"       {(node.get('failureSummary') or '').replace(chr(10), ' ')[:240]}")
            self.findings.append("\n".join(lines))

    def assert_clean(self) -> None:
        assert not self.findings, "axe found serious/critical problems:\n" + "\n".join(self.findings)


def _debug(text: str) -> None:
    if os.environ.get("JFS_AXE_VERBOSE"):
        print(text)


@pytest.fixture
def axe() -> Axe:
    return Axe()


class Staff:
    """Signs people in through the real pages: password, then the one-time code."""

    def __init__(self, page: Any, base_url: str, axe: Axe | None = None):
        self.page = page
        self.base = base_url
        self.axe = axe

    def url(self, path: str) -> str:
        return self.base + path

    def visit(self, path: str, name: str | None = None, status: int = 200) -> Any:
        """Open a page (asserting its HTTP status); with a name, check it with axe-core."""
        started = time.monotonic()
        resp = self.page.goto(self.url(path))
        _debug(f"goto {path}: {time.monotonic() - started:.2f}s")
        assert resp is not None and resp.status == status, f"{path}: HTTP {resp and resp.status}, expected {status}"
        if name and self.axe:
            self.axe.check(self.page, name)
        return resp

    def shot(self, name: str) -> None:
        """With JFS_SCREENSHOTS=<directory>, save a full-page screenshot there (for looking at the pages)."""
        directory = os.environ.get("JFS_SCREENSHOTS")
        if directory:
            os.makedirs(directory, exist_ok=True)
            self.page.screenshot(path=os.path.join(directory, f"{name.replace(' ', '_')}.png"), full_page=True)

    def login(self, username: str, password: str | None = None, check: bool = False) -> None:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from jfs.demo.users import DEMO_PASSWORD

        # Each test signs in afresh: forget the last code used (the replay guard).
        TOTPDevice.objects.filter(user__username=username).update(last_t=-1, throttling_failure_count=0)
        page = self.page
        page.goto(self.url("/accounts/login/"))
        if check and self.axe:
            self.axe.check(page, "login")
            self.shot("login")
        page.get_by_label("ชื่อผู้ใช้").fill(username)
        page.get_by_label("รหัสผ่าน").fill(password or DEMO_PASSWORD)
        page.get_by_role("button", name="ถัดไป").click()
        page.wait_for_url("**/accounts/otp/")
        if check and self.axe:
            self.axe.check(page, "otp")
            self.shot("otp")
        page.get_by_label("รหัสยืนยัน", exact=False).fill(totp_now())
        page.get_by_role("button", name="ยืนยัน").click()
        page.wait_for_url("**/staff/**")


@pytest.fixture
def staff(page: Any, live_server: Any, axe: Axe) -> Staff:
    return Staff(page, live_server.url, axe)


@pytest.fixture
def phone(browser: Any, live_server: Any, axe: Axe) -> Iterator[Staff]:
    """A 360 px-wide phone (the narrowest screen we support)."""
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
                              device_scale_factor=1, locale="th-TH")
    ctx.set_default_timeout(10_000)
    yield Staff(ctx.new_page(), live_server.url, axe)
    ctx.close()


#: the two screens the workspace is tested at: a phone (390 px) and an office desktop (1366 px)
SCREENS = {"phone-390": {"width": 390, "height": 844}, "desktop-1366": {"width": 1366, "height": 768}}


@pytest.fixture(params=list(SCREENS), ids=list(SCREENS))
def screen(request: Any, browser: Any, live_server: Any, axe: Axe) -> Iterator[Staff]:
    """A signed-out staff browser at each of the two screens (a test using it runs twice)."""
    size = SCREENS[request.param]
    phone_like = size["width"] < 600
    ctx = browser.new_context(viewport=size, is_mobile=phone_like, has_touch=phone_like,
                              device_scale_factor=1, locale="th-TH")
    ctx.set_default_timeout(10_000)
    yield Staff(ctx.new_page(), live_server.url, axe)
    ctx.close()


#: the path of a standard request to the subcommittee: who takes which step (documents attached before accept)
TO_CONSIDERATION: list[tuple[str, str, dict[str, str]]] = [("intake.cm", "start_screening", {}), ("intake.cm", "accept", {}),
                    ("officer.cm", "complete_fact_finding", {}), ("officer.cm", "submit_opinion", {})]


def drive(req: Any, users: dict[str, Any], steps: list[tuple[str, str, dict[str, str]]]) -> Any:
    """Take a request through workflow steps by the services, as the named people; the required
    documents are attached (as PDFs) before ``accept``. Returns the request as stored."""
    from jfs.cases import services
    from jfs.cases.models import Request
    from tests.conftest import SAMPLE_FILES

    for who, action, fields in steps:
        if action == "accept":
            for d in req.workflow.required_documents():
                data = SAMPLE_FILES["pdf"]
                services.add_document(actor=users[who], request_id=req.pk, doc_type=d.code, name=f"{d.code}.pdf",
                                      chunks=[data], size=len(data))
        version = Request.objects.values_list("version", flat=True).get(pk=req.pk)
        services.transition(actor=users[who], request_id=req.pk, action=action, expected_version=version,
                            comment="บันทึกเหตุผล", fields=fields)
    return Request.objects.get(pk=req.pk)
