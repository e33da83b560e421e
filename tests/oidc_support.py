"""The real digital-ID simulator for the sign-in tests: one ``python -m oidc_sim`` process per
test session (a free port, faults allowed), and a helper that plays the citizen on its login
and consent pages over HTTP.

Use: ``from tests.oidc_support import oidc, oidc_settings  # noqa: F401`` in a test module.
"""

from __future__ import annotations

import atexit
import functools
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.exchange_support import _first_line, _stop

ROOT = Path(__file__).resolve().parent.parent
CLIENT_ID = "jfs-portal-test"
CLIENT_SECRET = "test-oidc-secret"
PASSWORD = "demo-password-2569"
#: the README's demo citizen
SOMSRI = "1509900123453"
#: another person the simulator knows (valid check digit)
SOMCHAI = "3100501234563"


class OIDCSim:
    def __init__(self, url: str, process: subprocess.Popen[str]) -> None:
        self.url = url
        self.process = process
        self.http = httpx.Client(base_url=url, timeout=5)

    def fault(self, name: str, times: int = 1) -> None:
        self.http.post("/__sim/faults", data={"fault": name, "times": str(times)}).raise_for_status()

    def reset(self) -> None:
        self.http.post("/__sim/reset").raise_for_status()

    def authorize(self, authorization_url: str, pid: str = SOMSRI, password: str = PASSWORD, allow: bool = True) -> str:
        """Play the citizen: open the login page, sign in, answer the consent page; return the
        redirect back to the portal (the Location the provider answered with)."""
        with httpx.Client(timeout=5) as browser:
            page = browser.get(authorization_url)
            assert page.status_code == 200, page.text
            action = unescape(re.search(r'<form method="post" action="([^"]+)"', page.text).group(1))
            consent = browser.post(self.url + action, data={"step": "login", "pid": pid, "password": password})
            ticket = re.search(r'name="ticket" value="([^"]+)"', consent.text)
            assert ticket, "the consent page did not come (wrong ID or password?)"
            back = browser.post(
                self.url + action,
                data={"step": "consent", "ticket": unescape(ticket.group(1)), "decision": "allow" if allow else "deny"},
            )
            assert back.status_code == 302, back.text
            return str(back.headers["location"])


def _people_file(workdir: Path) -> Path:
    path = workdir / "people.json"
    path.write_text(
        json.dumps(
            {
                "format": "oidc-sim-people",
                "version": 1,
                "people": [
                    {
                        "pid": SOMCHAI,
                        "title": "นาย",
                        "given_name": "สมชาย",
                        "family_name": "ยากจน",
                        "birthdate": "1995-03-03",
                        "gender": "male",
                        "address": {"formatted": "12 หมู่ 3 ตำบลศรีภูมิ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่ 50200"},
                    }
                ],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    return path


@functools.cache
def simulator() -> OIDCSim:
    workdir = Path(tempfile.mkdtemp(prefix="oidc-sim-"))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "oidc_sim",
            "--port",
            "0",
            "--allow-faults",
            "--people",
            str(_people_file(workdir)),
            "--client-id",
            CLIENT_ID,
            "--client-secret",
            CLIENT_SECRET,
            "--redirect-uri",
            "http://testserver/sign-in/digital-id/callback/",
            "--redirect-uri",
            "http://127.0.0.1:8000/sign-in/digital-id/callback/",
            "--redirect-uri",
            "http://localhost:8000/sign-in/digital-id/callback/",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    atexit.register(_stop, proc)
    line = _first_line(proc.stdout, timeout=20)
    if "listening on " not in line:
        _stop(proc)
        raise RuntimeError(f"digital-ID simulator did not start: {line!r}")
    url = line.split("listening on ", 1)[1].split()[0]
    deadline = time.monotonic() + 10
    while httpx.get(url + "/__sim/health", timeout=1).status_code != 200:
        if time.monotonic() > deadline:
            raise RuntimeError("digital-ID simulator is not answering")
        time.sleep(0.05)
    return OIDCSim(url, proc)


@pytest.fixture(scope="session")
def oidc() -> Iterator[OIDCSim]:
    """The digital-ID simulator process, started once per session."""
    yield simulator()
    if simulator.cache_info().currsize:
        _stop(simulator().process)


@pytest.fixture
def oidc_settings(settings: Any, oidc: OIDCSim) -> Any:
    """The portal pointed at the simulator; faults cleared; discovery and keys not cached from before."""
    from django.core.cache import caches

    settings.DIGITAL_ID_ISSUER = oidc.url
    settings.DIGITAL_ID_CLIENT_ID = CLIENT_ID
    settings.DIGITAL_ID_CLIENT_SECRET = CLIENT_SECRET
    caches["default"].clear()
    oidc.reset()
    return settings
