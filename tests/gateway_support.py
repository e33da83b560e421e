"""The message gateways' simulator for tests: starts ``python -m gateway_sim`` (free ports, a
temporary data directory) once per test session, and points the notification gateways at it.

A test module loads the fixtures with ``pytest_plugins = ["tests.gateway_support"]``.
"""

from __future__ import annotations

import atexit
import functools
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent


class GatewaySim:
    def __init__(self, url: str, smtp_port: int, process: subprocess.Popen[str]) -> None:
        self.url = url
        self.smtp_port = smtp_port
        self.process = process
        self.http = httpx.Client(base_url=url, timeout=5)

    def reset(self) -> None:
        self.http.post("/__sim/reset").raise_for_status()

    def fault(self, service: str, fault: str, times: int | None = None) -> None:
        """Make the next ``times`` requests to ``service`` (sms, line, smtp) fail with ``fault``
        (down, 500, 429); ``times`` None: until cleared."""
        self.http.post("/__sim/faults", json={"service": service, "fault": fault, "times": times}).raise_for_status()

    def clear_faults(self) -> None:
        self.http.delete("/__sim/faults").raise_for_status()

    def messages(self, service: str | None = None) -> list[dict[str, Any]]:
        params = {"service": service} if service else {}
        return list(self.http.get("/__sim/messages", params=params).json()["messages"])


def _first_line(stream: Any, timeout: float) -> str:
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return ""


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=5)


@functools.cache
def start() -> GatewaySim:
    data = Path(tempfile.mkdtemp(prefix="gateway-sim-"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "gateway_sim", "--http-port", "0", "--smtp-port", "0", "--data", str(data)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    atexit.register(_stop, proc)
    line = _first_line(proc.stdout, timeout=20)
    if "listening on " not in line:
        _stop(proc)
        raise RuntimeError(f"gateway simulator did not start: {line!r}")
    words = line.split()
    url = next(w for w in words if w.startswith("http://"))
    smtp_port = int(next(w for w in words if w.startswith("smtp://")).rsplit(":", 1)[1])
    deadline = time.monotonic() + 10
    while httpx.get(url + "/healthz", timeout=1).status_code != 200:  # pragma: no cover - it answers at once
        if time.monotonic() > deadline:
            raise RuntimeError("gateway simulator is not answering")
        time.sleep(0.05)
    return GatewaySim(url, smtp_port, proc)


@pytest.fixture(scope="session")
def gateway_sim() -> Iterator[GatewaySim]:
    """The simulator process, shared by the session's tests."""
    sim = start()
    yield sim
    _stop(sim.process)


@pytest.fixture
def gw(settings: Any, gateway_sim: GatewaySim) -> GatewaySim:
    """The real gateways (SMS, LINE over HTTP; e-mail over SMTP) pointed at a clean simulator."""
    settings.JFS_NOTIFY_GATEWAYS = {}
    settings.JFS_SMS_BASE_URL = gateway_sim.url + "/thaibulksms"
    settings.JFS_LINE_BASE_URL = gateway_sim.url + "/line"
    settings.JFS_SMS_API_KEY, settings.JFS_SMS_API_SECRET = "jfs-sms-key", "jfs-sms-secret"
    settings.JFS_LINE_CHANNEL_TOKEN = "jfs-line-channel-token"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", gateway_sim.smtp_port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.JFS_NOTIFY_TIMEOUT = 3.0
    gateway_sim.reset()
    return gateway_sim
