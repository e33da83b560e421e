"""The citizens' load on the e-Service portal (issue 12), a Locust file: people on phones browsing,
self-checking, signing in with a one-time code, applying for bail with their documents and
tracking their requests, each with a few seconds of think time between pages.

Run by ``bench/portal_load.py`` (which starts the server, the gateway simulator and Locust, and
writes the figures to bench/RESULTS.md); by hand::

    .venv/bin/locust -f bench/portal_locust.py --headless -u 200 -r 10 -t 3m --host http://127.0.0.1:8011 \\
        --gateway http://127.0.0.1:8092

Every citizen is a new person (a fresh mobile number): the sign-in is the real one-time-code path,
the code read back from the SMS gateway simulator as the phone would receive it.
"""

from __future__ import annotations

import itertools
import logging
import random
import re
import threading
import time
from typing import Any

import httpx
from locust import HttpUser, between, events, task
from locust.exception import RescheduleTask

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RADIO = re.compile(r'<input type="radio" name="answer" id="answer-[^"]+" value="([^"?]+)"')
DOC_TYPE = re.compile(r'<input type="hidden" name="doc_type" value="([^"]+)">')
REQUIRED_DOC = re.compile(r'<input type="hidden" name="doc_type" value="([^"]+)">')
CODE = re.compile(r"(\d{6})")
SEARCHES = ["ประกันตัว", "ทนายความ", "เอกสารที่ต้องใช้", "อุทธรณ์", "ร้องเรียน", "ค่าธรรมเนียมศาล", "ประกันตว",
            "ละเมิดสิทธิมนุษยชน", "ติดตามคำขอ", "lawyer"]
#: the answers a bail applicant types, per question (as the applications' tests give them)
BAIL_ANSWERS: dict[str, dict[str, str]] = {
    "name": {"title": "นาย", "first_name": "ทดสอบ", "last_name": "โหลด"},
    "birth_date": {"value": "14/03/2518"},
    "sex": {"value": "M"},
    "province": {"value": "50"},
    "district": {"value": "5001"},
    "subdistrict": {"value": "500101"},
    "house_no": {"value": "12 หมู่ 3"},
    "monthly_income": {"value": "6,000"},
    "household_size": {"value": "4"},
    "_detainee_is_applicant": {"value": "no"},
    "detainee_name": {"value": "นายสมปอง ใจกล้า"},
    "detainee_national_id": {"value": ""},
    "charge": {"value": "ลักทรัพย์"},
    "held_at": {"value": "สถานีตำรวจภูธรเมืองเชียงใหม่"},
    "authority": {"value": "court"},
    "authority_name": {"value": "ศาลจังหวัดเชียงใหม่"},
    "bail_amount": {"value": "50000"},
    "household_monthly_income": {"value": ""},
    "other_help_received": {"value": ""},
}
_numbers = itertools.count(1)
logging.getLogger("httpx").setLevel(logging.WARNING)  # the code's read-back is not the load
_lock = threading.Lock()


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    parser.add_argument("--gateway", default="http://127.0.0.1:8092", help="the gateway simulator (SMS read back)")
    parser.add_argument("--pdf", default="", help="a small PDF to upload as each document")


def _national_id(n: int) -> str:
    """A valid national ID of its own for each citizen (issued in Chiang Mai: province code 50)."""
    base = f"35099{n % 10_000_000:07d}"
    check = (11 - sum(int(d) * (13 - i) for i, d in enumerate(base)) % 11) % 10
    return base + str(check)


def _phone(n: int) -> str:
    """A mobile number of its own for each citizen (081 …)."""
    return f"081{n % 10_000_000:07d}"


def _csrf(html: str) -> str:
    found = CSRF.search(html)
    return found.group(1) if found else ""


class Citizen(HttpUser):
    """One person on a phone: a journey at a time, a few seconds of reading between pages."""

    wait_time = between(3, 8)

    def on_start(self) -> None:
        with _lock:
            self.n = next(_numbers)
        self.signed_in = False
        self.requests_filed: list[str] = []
        self.pdf = _pdf_bytes(self.environment.parsed_options.pdf)

    # ------------------------------------------------------------------ helpers

    def think(self) -> None:
        time.sleep(self.wait_time())

    def page(self, url: str, name: str | None = None) -> str:
        with self.client.get(url, name=name or url, catch_response=True) as resp:
            if resp.status_code != 200:
                resp.failure(f"{resp.status_code}")
                raise RescheduleTask()
            return resp.text

    def post(self, url: str, data: dict[str, Any], name: str, csrf: str, files: Any = None) -> Any:
        """A form sent as the browser would (the form's CSRF token), not following the redirect."""
        with self.client.post(url, data={**data, "csrfmiddlewaretoken": csrf}, files=files, name=name,
                              allow_redirects=False, catch_response=True,
                              headers={"Referer": f"{self.host}{url}"}) as resp:
            if resp.status_code not in (200, 302, 303):
                resp.failure(f"{resp.status_code}")
                raise RescheduleTask()
            return resp

    def follow(self, resp: Any, name: str) -> tuple[str, str]:
        url = resp.headers.get("Location", "")
        return url, self.page(url, name=name)

    def sign_in(self) -> None:
        """The real one-time-code path: the number, the code the SMS gateway simulator received."""
        phone = _phone(self.n)
        form = self.page("/sign-in/code/sms/", name="/sign-in/code/sms/")
        self.think()
        self.post("/sign-in/code/sms/", {"address": phone}, "/sign-in/code/sms/ [send]", _csrf(form))
        code = _read_code(self.environment.parsed_options.gateway, phone)
        enter = self.page("/sign-in/code/", name="/sign-in/code/")
        self.think()
        resp = self.post("/sign-in/code/", {"code": code}, "/sign-in/code/ [enter]", _csrf(enter))
        if resp.status_code != 302:
            resp.failure("the code was not accepted")
            raise RescheduleTask()
        self.signed_in = True

    # ------------------------------------------------------------------ journeys

    @task(5)
    def browse(self) -> None:
        """Reads about the fund: the start page, the services, one service, the help search, an answer."""
        self.page("/")
        self.think()
        self.page("/services/")
        self.think()
        self.page(f"/services/{random.choice(['LIT', 'BAIL', 'HR', 'PROJECT', 'CONSULT'])}/", name="/services/[code]/")
        self.think()
        results = self.page(f"/help/?q={random.choice(SEARCHES)}", name="/help/?q=")
        slugs = re.findall(r'href="/help/([a-z0-9-]+)/"', results)
        if slugs:
            self.think()
            self.page(f"/help/{random.choice(slugs)}/", name="/help/[slug]/")
        if random.random() < 0.3:
            self.think()
            self.page("/offices/?province=50", name="/offices/?province=")

    @task(3)
    def self_check(self) -> None:
        """The bail self-check: a question a page (a choice picked, a number given), then the outcome."""
        start = self.page("/check/")
        self.think()
        resp = self.post("/check/", {"service": "BAIL"}, "/check/ [choose]", _csrf(start))
        url = resp.headers.get("Location", "")
        for _ in range(12):
            if not url or "/answers/" in url or "/result/" in url:
                break
            html = self.page(url, name="/check/[code]/[question]/")
            self.think()
            radios = RADIO.findall(html)
            if radios:
                data: dict[str, str] = {"answer": random.choice(radios)}
            elif 'name="year"' in html:
                data = {"day": "14", "month": "3", "year": "2518"}
            else:
                data = {"answer": str(random.choice([20_000, 50_000, 150_000]))}
            url = self.post(url, data, "/check/[code]/[question]/ [answer]", _csrf(html)).headers.get("Location", "")
        if url and "/answers/" in url:
            self.page(url, name="/check/[code]/answers/")
            self.think()
        self.page("/check/BAIL/result/", name="/check/[code]/result/")

    @task(2)
    def apply_for_bail(self) -> None:
        """A whole bail application: sign in, for whom, consent, a question a page, the documents
        (a small PDF each), the declaration, check answers, submit, the receipt."""
        if not self.signed_in:
            self.sign_in()
            self.think()
        index = self.page("/apply/")
        self.think()
        resp = self.post("/apply/BAIL/", {}, "/apply/[code]/ [start]", _csrf(index))
        url = resp.headers.get("Location", "")
        base = url.split("/for-whom/")[0] if "/for-whom/" in url else ""
        if not base:  # a draft of an earlier journey: go on from where it was
            html = self.page(url, name="/apply/[code]/[draft]/…")
            base = url.rsplit("/", 2)[0]
        html = self.page(f"{base}/for-whom/", name="/apply/[draft]/for-whom/")
        self.think()
        self.post(f"{base}/for-whom/", {"for_whom": "self"}, "/apply/[draft]/for-whom/ [answer]", _csrf(html))
        html = self.page(f"{base}/consent/", name="/apply/[draft]/consent/")
        self.think()
        url = self.post(f"{base}/consent/", {"acknowledged": "on"}, "/apply/[draft]/consent/ [answer]",
                        _csrf(html)).headers.get("Location", "")
        answers = {**BAIL_ANSWERS, "national_id": {"value": _national_id(self.n)}, "phone": {"value": _phone(self.n)}}
        for _ in range(40):
            if "/q/" not in url:
                break
            key = url.rstrip("/").rsplit("/", 1)[1]
            html = self.page(url, name="/apply/[draft]/q/[question]/")
            self.think()
            url = self.post(url, answers.get(key, {"value": ""}), "/apply/[draft]/q/[question]/ [answer]",
                            _csrf(html)).headers.get("Location", "")
        html = self.page(f"{base}/documents/", name="/apply/[draft]/documents/")
        for doc_type in dict.fromkeys(REQUIRED_DOC.findall(html)):
            if f'name="doc_type" value="{doc_type}"' not in html:
                continue
            self.think()
            self.post(f"{base}/documents/", {"doc_type": doc_type}, "/apply/[draft]/documents/ [upload]", _csrf(html),
                      files={"file": ("scan.pdf", self.pdf, "application/pdf")})
            html = self.page(f"{base}/documents/", name="/apply/[draft]/documents/")
        html = self.page(f"{base}/declaration/", name="/apply/[draft]/declaration/")
        self.think()
        self.post(f"{base}/declaration/", {"agreed": "on"}, "/apply/[draft]/declaration/ [answer]", _csrf(html))
        html = self.page(f"{base}/check/", name="/apply/[draft]/check/")
        self.think()
        resp = self.post(f"{base}/submit/", {}, "/apply/[draft]/submit/", _csrf(html))
        if resp.status_code != 302:
            resp.failure("not submitted")
            return
        done = self.page(resp.headers["Location"], name="/apply/[draft]/done/")
        number = re.search(r"JF2-[0-9A-Z/-]+", done)
        if number:
            self.requests_filed.append(number.group(0))

    @task(2)
    def track(self) -> None:
        """Their requests and one request's steps (once they have filed one)."""
        if not self.requests_filed:
            return
        self.page("/my/requests/")
        self.think()
        self.page(f"/my/requests/{random.choice(self.requests_filed)}/", name="/my/requests/[number]/")
        self.think()
        self.page("/my/inbox/")


def _read_code(gateway: str, phone: str) -> str:
    """The latest one-time code sent to ``phone``, as its SMS arrived at the gateway simulator."""
    msisdn = "66" + phone[1:]
    for _ in range(50):
        messages = httpx.get(f"{gateway}/__sim/messages", params={"service": "sms"}, timeout=10).json()["messages"]
        for m in reversed(messages):
            to = str(m.get("msisdn") or m.get("to") or "")
            if to.endswith(phone[1:]) or to == msisdn:
                found = CODE.search(str(m.get("message") or m.get("text") or ""))
                if found:
                    return found.group(1)
        time.sleep(0.2)
    raise RescheduleTask()


def _pdf_bytes(path: str) -> bytes:
    if path:
        with open(path, "rb") as fh:
            return fh.read()
    return _MINIMAL_PDF


_MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \n"
    b"trailer<</Size 4/Root 1 0 R>>\nstartxref\n170\n%%EOF\n"
)
