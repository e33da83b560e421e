"""Every portal page, walked from the portal's URL map (``jfs.portal.urls``) so none is forgotten:
each GET-able page is opened signed out and signed in (a citizen with a request, a draft, a message,
a complaint, an appointment, a question and self-check answers), at 390 px and at 360 px, and must
answer 200 (the digital-ID refusal page: 400), have no serious or critical axe finding at either
width, not scroll sideways at 360 px, weigh under 200 KB on a first visit (HTML, CSS, fonts,
scripts: what the browser received), load with its main content with JavaScript off, and carry
``<html lang>``, exactly one h1 and a skip link to the main content. A page only for citizens sends
a visitor to the sign-in page. A URL name this test does not know fails the test: add it to
``PAGES`` (how to reach it) or ``NOT_PAGES`` (why it is not a page)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver

from tests.browser.conftest import Axe, _debug

MAX_BYTES = 200 * 1024
NARROW = 360
PHONE = {"width": 390, "height": 844}


@dataclass(frozen=True)
class Visit:
    """One page to open: its path; ``public`` ones are checked signed out too; the status it answers."""

    path: str
    public: bool = False
    status: int = 200


@dataclass(frozen=True)
class Data:
    """What the signed-in pages need: the citizen's things, made through the services and the pages."""

    number: str  # a request waiting for the citizen's documents
    rejected: str  # a request refused, the letter issued: the letter, the appeal form
    draft: str  # "<service>/<key>" of a draft answered up to the declaration
    questions: tuple[str, ...]  # the draft's questions, one of each kind
    sent: str  # "<service>/<key>" of a submitted application
    note: int  # an inbox message
    complaint: str  # a filed complaint's reference
    appointment: int
    question: int


def _apply(d: Data, step: str) -> list[Visit]:
    return [Visit(f"/apply/{d.draft}/{step}/")]


#: how to reach each GET-able page (by URL name), given the data
PAGES: dict[str, Callable[[Data], list[Visit]]] = {
    # public pages
    "home": lambda d: [Visit("/", public=True)],
    "services": lambda d: [Visit("/services/", public=True)],
    "service": lambda d: [Visit(f"/services/{c}/", public=True) for c in ("LIT", "BAIL", "HR", "PROJECT", "CONSULT")],
    "offices": lambda d: [Visit("/offices/", public=True), Visit("/offices/?office=50", public=True)],
    "privacy": lambda d: [Visit("/privacy/", public=True)],
    "accessibility": lambda d: [Visit("/accessibility/", public=True)],
    "help": lambda d: [Visit("/help/", public=True), Visit("/help/?q=ประกันตัว", public=True)],
    "answer": lambda d: [Visit("/help/how-to-apply-online/", public=True)],
    # sign-in
    "sign_in": lambda d: [Visit("/sign-in/", public=True)],
    "sign_in_digital_id_callback": lambda d: [Visit("/sign-in/digital-id/callback/?state=x&code=y", True, 400)],
    "sign_in_code_sms": lambda d: [Visit("/sign-in/code/sms/", public=True)],
    "sign_in_code_email": lambda d: [Visit("/sign-in/code/email/", public=True)],
    "sign_in_code_enter": lambda d: [Visit("/sign-in/code/", public=True)],
    # self-check (answers kept in each session)
    "selfcheck": lambda d: [Visit("/check/", public=True)],
    "selfcheck_question": lambda d: [
        Visit("/check/BAIL/is_detained/", public=True),
        Visit("/check/BAIL/bail_amount/", public=True),
        Visit("/check/LIT/birth_date/", public=True),
    ],
    "selfcheck_answers": lambda d: [Visit("/check/BAIL/answers/", public=True)],
    "selfcheck_result": lambda d: [Visit("/check/BAIL/result/", public=True), Visit("/check/CONSULT/result/", True)],
    # applications
    "apply": lambda d: [Visit("/apply/", public=True)],
    "apply_start": lambda d: [Visit("/apply/BAIL/", public=True), Visit("/apply/PROJECT/", public=True)],
    "apply_for_whom": lambda d: _apply(d, "for-whom"),
    "apply_consent": lambda d: _apply(d, "consent"),
    "apply_question": lambda d: [Visit(f"/apply/{d.draft}/q/{q}/") for q in d.questions],
    "apply_documents": lambda d: _apply(d, "documents"),
    "apply_office": lambda d: _apply(d, "office"),
    "apply_declaration": lambda d: _apply(d, "declaration"),
    "apply_check": lambda d: _apply(d, "check"),
    "apply_done": lambda d: [Visit(f"/apply/{d.sent}/done/")],
    # tracking and the inbox
    "my_requests": lambda d: [Visit("/my/requests/")],
    "my_request": lambda d: [Visit(f"/my/requests/{d.number}/"), Visit(f"/my/requests/{d.rejected}/")],
    "inbox": lambda d: [Visit("/my/inbox/")],
    "inbox_message": lambda d: [Visit(f"/my/inbox/{d.note}/")],
    "channels": lambda d: [Visit("/my/notifications/")],
    # complaints (a draft in the session up to "check")
    "complaints": lambda d: [Visit("/complaints/", public=True)],
    "complaint_step": lambda d: (
        [Visit(f"/complaints/new/{s}/") for s in ("about", "request", "office", "person")]
        + [Visit("/complaints/new/details/")]
    ),
    "complaint_check": lambda d: [Visit("/complaints/new/check/")],
    "complaints_mine": lambda d: [Visit("/complaints/mine/")],
    "complaint_sent": lambda d: [Visit(f"/complaints/sent/{d.complaint}/")],
    "complaint": lambda d: [Visit(f"/complaints/{d.complaint}/")],
    # consultation (drafts in the session up to "check")
    "consult": lambda d: [Visit("/consult/", public=True)],
    "consult_book": lambda d: [Visit(f"/consult/book/{s}/") for s in ("office", "day", "slot", "mode", "topic")],
    "consult_book_check": lambda d: [Visit("/consult/book/check/")],
    "consult_ask": lambda d: [Visit(f"/consult/ask/{s}/") for s in ("office", "question", "you", "postcode", "place")],
    "consult_ask_check": lambda d: [Visit("/consult/ask/check/")],
    "consult_mine": lambda d: [Visit("/consult/mine/")],
    "consult_appointment": lambda d: [Visit(f"/consult/appointments/{d.appointment}/")],
    "consult_question": lambda d: [Visit(f"/consult/questions/{d.question}/")],
}

#: URL names that are not pages a person reads, and why; the POST-only ones are checked to refuse a GET
POST_ONLY = "POST only (a form's action)"
NOT_PAGES: dict[str, str] = {
    "sign_in_digital_id": "a redirect to the digital ID provider (followed in test_portal_sign_in, test_portal_journey)",
    "sign_out": POST_ONLY,
    "selfcheck_service": "a redirect to the service's next self-check question",
    "apply_remove_document": POST_ONLY,
    "apply_upload_begin": POST_ONLY,
    "apply_upload_chunk": "the resumable upload script's JSON (HEAD/GET/PUT)",
    "apply_submit": POST_ONLY,
    "my_request_message": POST_ONLY,
    "my_request_upload": POST_ONLY,
    "my_request_send_documents": POST_ONLY,
    "my_request_appeal": POST_ONLY,
    "my_request_survey": POST_ONLY,
    "my_request_letter": "the decision letter, a PDF download (checked to be one here; opened in test_portal_journey)",
    "consult_cancel": POST_ONLY,
}


def _names(patterns: list[URLPattern | URLResolver]) -> dict[str, str]:
    """Each URL name and the area module it lives in (``jfs.portal.<area>``)."""
    out: dict[str, str] = {}
    for p in patterns:
        if isinstance(p, URLResolver):
            out.update(_names(list(p.url_patterns)))
        elif p.name:
            out[p.name] = p.callback.__module__.rsplit(".", 1)[-1]
    return out


def portal_url_names() -> dict[str, str]:
    from jfs.portal import urls

    return _names(urls.urlpatterns)


def test_every_portal_url_name_is_known_to_this_test() -> None:
    names = set(portal_url_names())
    unknown = sorted(names - set(PAGES) - set(NOT_PAGES))
    assert not unknown, (
        f"portal URL names this test does not check: {unknown}. Add each to PAGES in "
        "tests/browser/test_portal_pages.py (how to reach the page, signed out and/or signed in) or to NOT_PAGES "
        "(why it is not a page)."
    )
    gone = sorted((set(PAGES) | set(NOT_PAGES)) - names)
    assert not gone, f"names no longer in the portal's URL map: {gone}"
    assert not set(PAGES) & set(NOT_PAGES)


# --------------------------------------------------------------------------- the data


def _session_cookie(client: Client) -> str:
    from django.conf import settings

    return str(client.cookies[settings.SESSION_COOKIE_NAME].value)


def _post(client: Client, path: str, data: dict[str, str], to: str = "") -> None:
    """A form sent as the pages send it; the answer must go on (a redirect), to ``to`` when given."""
    resp = client.post(path, data)
    assert resp.status_code in (302, 303), f"POST {path}: {resp.status_code}"
    assert not to or resp["Location"].startswith(to), f"POST {path} went to {resp['Location']}"


def _selfcheck_and_code(client: Client, mobile: str) -> None:
    """Self-check answers (bail complete, litigation half way) and a one-time code waiting to be typed."""
    from jfs.eligibility import selfcheck as sc

    _post(client, "/check/BAIL/is_detained/", {"answer": "true"})
    _post(client, "/check/BAIL/bail_amount/", {"answer": "50000"}, to="/check/BAIL/answers/")
    party = sc.service_check("LIT").questions[0]
    _post(client, f"/check/LIT/{party.slug}/", {"answer": party.options[0].value}, to="/check/LIT/")
    _post(client, "/sign-in/code/sms/", {"address": mobile}, to="/sign-in/code/")


def _citizen_data(users: dict[str, Any]) -> tuple[Data, Client]:
    """A digital-ID citizen with one of everything; returns the data and their signed-in client."""
    from jfs.accounts.models import Office, User
    from jfs.applications import services as apps
    from jfs.cases import services as cases
    from jfs.cases.models import Request
    from jfs.complaints import services as complaints
    from jfs.consultations import selectors as consult_selectors
    from jfs.consultations import services as consult
    from jfs.decisions import services as decisions
    from jfs.notify import services as notify
    from jfs.portal.access import ASSURANCE_KEY
    from jfslib import thai_id
    from tests.browser.conftest import applicant
    from tests.browser.test_portal_tracking import BAIL
    from tests.decisions_support import decide
    from tests.test_applications import ready

    citizen = User.objects.create_user(
        username="citizen.pages",
        role="citizen",
        first_name="สมใจ",
        last_name="ทดสอบ",
        national_id=thai_id.make_valid("310150077665"),
    )
    office = Office.objects.get(code="50")

    # a draft answered up to the declaration, and a submitted application whose request asks for documents
    draft = ready(apps.start(actor=citizen, service="BAIL"), citizen)
    known = apps.known_answers(draft)
    kinds: dict[str, str] = {}
    for q in apps.flow(draft).questions:
        if q.key not in known:
            kinds.setdefault(q.kind, q.key)
    sent = ready(apps.start(actor=citizen, service="LIT"), citizen)
    req = apps.submit(sent, actor=citizen, assurance="digital_id")
    intake = users["intake.cm"]
    for action, comment in (("start_screening", ""), ("request_documents", "ขอสำเนาคำฟ้อง")):
        version = Request.objects.values_list("version", flat=True).get(pk=req.pk)
        cases.transition(actor=intake, request_id=req.pk, action=action, expected_version=version, comment=comment)
    # a request refused by the subcommittee, the applicant told, the letter issued
    refused = cases.create_request(
        actor=citizen, service="BAIL", office=office, applicant=applicant("500101"), details=BAIL, channel="online"
    )
    decide(refused, users, "rejected")
    version = Request.objects.values_list("version", flat=True).get(pk=refused.pk)
    cases.transition(
        actor=users["officer.cm"], request_id=refused.pk, action="notify_applicant", expected_version=version
    )
    letter = decisions.generate_letter(actor=users["officer.cm"], request_id=refused.pk)
    note = notify.notify(
        recipient=citizen,
        kind="tracking_message",
        subject="ข้อความจากเจ้าหน้าที่",
        body="กรุณาส่งสำเนาคำฟ้อง",
        link=f"/my/requests/{req.number}/",
    )

    complaint = complaints.file_complaint(
        citizen=citizen, kind="service", subject="รอคิวนาน", details="รอสามชั่วโมง", office=office
    )
    day = consult_selectors.bookable_days(office.pk)[0]
    slots = consult_selectors.free_slots(office.pk, day)
    appointment = consult.book(citizen=citizen, office=office, day=day, start=slots[0], mode="video", topic="เลิกจ้าง")
    question = consult.ask_question(
        citizen=citizen, office=office, topic="ค่าชดเชย", question="นายจ้างไม่จ่าย ทำอย่างไร", applicant=applicant("500101")
    )

    client = Client()
    client.force_login(citizen)
    session = client.session
    session[ASSURANCE_KEY] = "digital_id"
    session.save()
    # the drafts kept in the session, sent through the pages up to their "check" page
    _selfcheck_and_code(client, "081-234-5678")
    _post(client, "/complaints/new/about/", {"kind": "officer"}, to="/complaints/new/request/")
    _post(client, "/complaints/new/request/", {"request": str(req.pk)}, to="/complaints/new/person/")
    _post(client, "/complaints/new/person/", {"named_person": ""}, to="/complaints/new/details/")
    _post(
        client,
        "/complaints/new/details/",
        {"subject": "ไม่รับโทรศัพท์", "details": "โทรหลายครั้ง"},
        to="/complaints/new/check/",
    )
    _post(client, "/consult/book/office/", {"office": "50"}, to="/consult/book/day/")
    _post(client, "/consult/book/day/", {"day": day.isoformat()}, to="/consult/book/slot/")
    _post(client, "/consult/book/slot/", {"slot": slots[-1].strftime("%H:%M")}, to="/consult/book/mode/")
    _post(client, "/consult/book/mode/", {"mode": "in_person"}, to="/consult/book/topic/")
    _post(client, "/consult/book/topic/", {"topic": "มรดก"}, to="/consult/book/check/")
    _post(client, "/consult/ask/office/", {"office": "50"}, to="/consult/ask/question/")
    _post(client, "/consult/ask/question/", {"topic": "หนี้", "question": "ถูกทวงหนี้"}, to="/consult/ask/you/")
    you = {"first_name": "สมใจ", "last_name": "ทดสอบ", "birth_date": "15/08/2530", "sex": "F"}
    _post(client, "/consult/ask/you/", you, to="/consult/ask/postcode/")
    _post(client, "/consult/ask/postcode/", {"postcode": "50200"}, to="/consult/ask/place/")
    _post(client, "/consult/ask/place/", {"place": "500101"}, to="/consult/ask/check/")

    # the POST-only addresses refuse a GET
    posts = [
        f"/apply/BAIL/{draft.key}/documents/1/remove/",
        f"/apply/BAIL/{draft.key}/uploads/",
        f"/apply/BAIL/{draft.key}/submit/",
        *(f"/my/requests/{req.number}/{p}/" for p in ("message", "documents", "documents/send", "appeal", "survey")),
        f"/consult/appointments/{appointment.pk}/cancel/",
        "/sign-out/",
    ]
    for path in posts:
        assert client.get(path).status_code == 405, f"GET {path} should be refused (POST only)"
    pdf = client.get(f"/my/requests/{refused.number}/letters/{letter.pk}/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"

    data = Data(
        number=req.number,
        rejected=refused.number,
        draft=f"BAIL/{draft.key}",
        questions=tuple(kinds.values()),
        sent=f"LIT/{sent.key}",
        note=note.pk,
        complaint=complaint.reference,
        appointment=appointment.pk,
        question=question.pk,
    )
    return data, client


# --------------------------------------------------------------------------- the checks


def _context(browser: Any, size: dict[str, int], js: bool = True) -> Any:
    ctx = browser.new_context(
        viewport=size, is_mobile=True, has_touch=True, device_scale_factor=1, locale="th-TH", java_script_enabled=js
    )
    ctx.set_default_timeout(30_000)
    return ctx


class Checker:
    """Opens pages as one visitor (a session cookie, or none) at 390 px (the browser's cache off, so a
    page's weight is a first visit's), at 360 px and without JavaScript; collects what is wrong."""

    def __init__(self, browser: Any, base: str, axe: Axe, cookie: str = "") -> None:
        self.browser, self.base, self.axe, self.cookie = browser, base, axe, cookie
        self.problems: list[str] = []
        self.weights: dict[str, int] = {}
        self.phone = self._new(browser, PHONE)
        self.narrow = self._new(browser, {"width": NARROW, "height": 740})
        self.no_js = self._new(browser, PHONE, js=False)
        self.phone_page, self.narrow_page, self.no_js_page = (
            c.new_page() for c in (self.phone, self.narrow, self.no_js)
        )
        # the 390 px phone never uses its cache: every page's weight is a first visit's
        cdp = self.phone.new_cdp_session(self.phone_page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        self.requests: list[Any] = []
        self.phone_page.on("request", lambda r: self.requests.append(r))

    def _new(self, browser: Any, size: dict[str, int], js: bool = True) -> Any:
        ctx = _context(browser, size, js)
        if self.cookie:
            from django.conf import settings

            ctx.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": self.cookie, "url": self.base}])
        return ctx

    def close(self) -> None:
        self.phone.close()
        self.narrow.close()
        self.no_js.close()

    def _open(self, page: Any, visit: Visit, where: str) -> bool:
        resp = page.goto(self.base + visit.path)
        if resp is None or resp.status != visit.status:
            self.problems.append(f"{visit.path} ({where}): HTTP {resp and resp.status}, expected {visit.status}")
            return False
        landed = urlsplit(page.url)
        wanted = urlsplit(self.base + visit.path)
        if landed.path != wanted.path:
            self.problems.append(f"{visit.path} ({where}): went to {landed.path} instead")
            return False
        return True

    def check(self, visit: Visit, who: str) -> None:
        name = f"{who} {visit.path}"
        started = time.monotonic()
        page = self.phone_page
        self.requests.clear()
        if self._open(page, visit, "390 px"):
            page.wait_for_load_state("load")
            # the web fonts are fetched once the text is laid out: count them with the page
            page.evaluate("async () => { document.body.getBoundingClientRect(); await document.fonts.ready; }")
            weight = sum(r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"] for r in self.requests)
            self.weights[name] = weight
            if weight >= MAX_BYTES:
                self.problems.append(f"{visit.path}: weighs {weight} bytes (limit {MAX_BYTES})")
            self.axe.check(page, f"{name} @390")
            facts = page.evaluate(
                """() => ({
                    lang: document.documentElement.lang,
                    h1: document.querySelectorAll('h1').length,
                    skip: !!document.querySelector('a.skip-link[href="#content"]') && !!document.getElementById('content'),
                })"""
            )
            if not facts["lang"]:
                self.problems.append(f"{visit.path}: <html> has no lang")
            if facts["h1"] != 1:
                self.problems.append(f"{visit.path}: {facts['h1']} h1 elements (one expected)")
            if not facts["skip"]:
                self.problems.append(f"{visit.path}: no skip link to #content")
        at_390 = time.monotonic()

        page = self.narrow_page
        if self._open(page, visit, "360 px"):
            width = page.evaluate("document.scrollingElement.scrollWidth")
            if width > NARROW:
                self.problems.append(f"{visit.path}: scrolls sideways at 360 px ({width} px wide)")
            self.axe.check(page, f"{name} @360")
        at_360 = time.monotonic()

        page = self.no_js_page
        if self._open(page, visit, "no JavaScript") and not page.locator("main#content h1").inner_text().strip():
            self.problems.append(f"{visit.path}: no main content without JavaScript")
        _debug(
            f"page {name}: 390 {at_390 - started:.2f}s, 360 {at_360 - at_390:.2f}s, no JS {time.monotonic() - at_360:.2f}s"
        )

    def signs_in(self, visit: Visit) -> None:
        """A citizens' page opened signed out lands on the sign-in page (the way back kept)."""
        page = self.no_js_page
        page.goto(self.base + visit.path)
        landed = urlsplit(page.url)
        if landed.path != "/sign-in/" or "next=" not in landed.query:
            self.problems.append(f"{visit.path} signed out: went to {page.url}, not to the sign-in page")

    def assert_clean(self) -> None:
        self.axe.assert_clean()
        assert not self.problems, "portal pages with problems:\n" + "\n".join(self.problems)
        assert all(w > 1000 for w in self.weights.values()), self.weights  # the sizes were measured


@pytest.fixture
def portal(seeded: dict[str, Any], settings: Any, tmp_path: Any) -> tuple[Data, Client]:
    settings.JFS_APPLICATION_UPLOAD_ROOT = tmp_path / "application_uploads"
    return _citizen_data(seeded["users"])


@pytest.fixture
def checker_factory(browser: Any, live_server: Any, axe: Axe) -> Iterator[Callable[[str], Checker]]:
    made: list[Checker] = []

    def make(cookie: str) -> Checker:
        made.append(Checker(browser, live_server.url, axe, cookie))
        return made[-1]

    yield make
    for c in made:
        c.close()


#: the pages in three groups by their area modules, so that each test stays under 90 s on a shared machine
GROUPS = {
    "public-signin": {"public", "signin"},
    "selfcheck-apply": {"selfcheck", "apply"},
    "track-inbox-complaints-consult": {"track", "inbox", "complaints", "consult"},
}


def _visits(data: Data, areas: set[str]) -> list[Visit]:
    where = portal_url_names()
    names = sorted(n for n in PAGES if where[n] in areas)
    assert names, f"no pages in {areas}"
    return [v for name in names for v in PAGES[name](data)]


def test_the_groups_cover_every_area() -> None:
    assert set(portal_url_names().values()) == set().union(*GROUPS.values())


@pytest.mark.browser
@pytest.mark.parametrize("group", list(GROUPS))
def test_every_portal_page_signed_out_is_accessible_light_fits_360_px_and_works_without_javascript(
    group: str, portal: tuple[Data, Client], checker_factory: Callable[[str], Checker]
) -> None:
    data, _ = portal
    visitor = Client()
    _selfcheck_and_code(visitor, "089-876-5432")
    checker = checker_factory(_session_cookie(visitor))
    started = time.monotonic()
    for visit in _visits(data, GROUPS[group]):
        if visit.public:
            checker.check(visit, "signed out")
        else:
            checker.signs_in(visit)
    print(f"signed out ({group}): {time.monotonic() - started:.1f}s; weights (bytes): {checker.weights}")
    checker.assert_clean()


@pytest.mark.browser
@pytest.mark.parametrize("group", list(GROUPS))
def test_every_portal_page_signed_in_is_accessible_light_fits_360_px_and_works_without_javascript(
    group: str, portal: tuple[Data, Client], checker_factory: Callable[[str], Checker]
) -> None:
    data, client = portal
    checker = checker_factory(_session_cookie(client))
    started = time.monotonic()
    for visit in _visits(data, GROUPS[group]):
        checker.check(visit, "signed in")
    print(f"signed in ({group}): {time.monotonic() - started:.1f}s; weights (bytes): {checker.weights}")
    checker.assert_clean()
