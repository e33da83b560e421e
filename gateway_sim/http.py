"""The HTTP side of the simulator: the SMS provider and the LINE Messaging API, as the real ones
answer (status codes 200/400/401/429/500 and their JSON error shapes), plus ``/__sim/`` for tests:

- ``POST /thaibulksms/sms``: ThaiBulkSMS API v2 (form ``msisdn``, ``message``, ``sender``; HTTP basic
  auth with the API key and secret). 200 ``{"remaining_credit", "total_use_credit", "credit_type",
  "phone_number_list": [{"number", "message_id", "used_credit"}], "bad_phone_number_list"}``.
- ``POST /line/v2/bot/message/push``: LINE push message (``Authorization: Bearer <token>``, JSON
  ``{"to", "messages": [{"type": "text", "text"}]}``, optional ``X-Line-Retry-Key`` UUID: a key
  already accepted answers 409 with ``x-line-accepted-request-id``, and nothing is sent twice).
- ``GET /__sim/messages[?service=sms|line|smtp]``: every message recorded; ``POST /__sim/reset``
  clears them and the faults; ``POST /__sim/faults`` ``{"service", "fault": "down"|"500"|"429",
  "times": N|null}``; ``DELETE /__sim/faults``; ``GET /healthz``.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from gateway_sim.store import Faults, Recorder

THAI_MOBILE = re.compile(r"^(?:66|0)[689]\d{8}$")
LINE_USER = re.compile(r"^U[0-9a-f]{32}$")


@dataclass
class Config:
    sms_key: str = "jfs-sms-key"
    sms_secret: str = "jfs-sms-secret"
    line_token: str = "jfs-line-channel-token"
    verbose: bool = False


class Simulator:
    def __init__(self, recorder: Recorder, faults: Faults, config: Config) -> None:
        self.recorder = recorder
        self.faults = faults
        self.config = config
        self.credit = 10_000
        self._lock = threading.Lock()
        self.retry_keys: dict[str, str] = {}  # X-Line-Retry-Key -> the request id that accepted it


class Answer(Exception):
    """An HTTP answer other than success, raised from a handler."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.body = body
        self.headers = headers or {}
        super().__init__(status)


class Drop(Exception):
    """Close the connection without an answer (the "down" fault)."""


def _sms_error(status: int, name: str, description: str) -> Answer:
    return Answer(status, {"error": {"code": status, "name": name, "description": description}})


def _fault(sim: Simulator, service: str, line: bool) -> None:
    fault = sim.faults.take(service)
    if fault == "down":
        raise Drop
    if fault == "429":
        if line:
            raise Answer(429, {"message": "The API rate limit has been exceeded. Try again later."})
        raise _sms_error(429, "TOO_MANY_REQUESTS", "Too many requests")
    if fault == "500":
        if line:
            raise Answer(500, {"message": "Internal server error"})
        raise _sms_error(500, "INTERNAL_SERVER_ERROR", "Internal server error")


def send_sms(sim: Simulator, headers: Any, raw: bytes) -> tuple[int, dict[str, Any], dict[str, str]]:
    _fault(sim, "sms", line=False)
    auth = headers.get("Authorization", "")
    expected = base64.b64encode(f"{sim.config.sms_key}:{sim.config.sms_secret}".encode()).decode()
    if auth != f"Basic {expected}":
        raise _sms_error(401, "UNAUTHORIZED", "Invalid API key or secret")
    if not headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
        raise _sms_error(400, "INVALID_CONTENT_TYPE", "Content-Type must be application/x-www-form-urlencoded")
    try:
        form = parse_qs(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise _sms_error(400, "INVALID_PARAMETER", "Body must be UTF-8") from None
    msisdn = (form.get("msisdn") or [""])[0].strip()
    message = (form.get("message") or [""])[0]
    sender = (form.get("sender") or [""])[0]
    if not msisdn:
        raise _sms_error(400, "INVALID_PARAMETER", "msisdn is required")
    if not message.strip():
        raise _sms_error(400, "INVALID_PARAMETER", "message is required")
    if sender and (len(sender) > 11 or not sender.isascii()):
        raise _sms_error(400, "INVALID_SENDER", "sender must be an approved sender name of up to 11 characters")
    numbers = [n.strip() for n in msisdn.split(",") if n.strip()]
    good = [n for n in numbers if THAI_MOBILE.match(n)]
    bad = [n for n in numbers if not THAI_MOBILE.match(n)]
    if not good:
        raise _sms_error(400, "INVALID_MSISDN", "No valid phone number in msisdn")
    # Thai text goes as UCS-2: 70 characters a part (67 when split); ASCII 160 (153)
    unicode = not message.isascii()
    per_part = (67 if len(message) > 70 else 70) if unicode else (153 if len(message) > 160 else 160)
    parts = -(-len(message) // per_part)
    listed = []
    for number in good:
        intl = "66" + number[1:] if number.startswith("0") else number
        entry = sim.recorder.add(
            "sms", {"to": intl, "text": message, "sender": sender, "message_id": uuid.uuid4().hex, "parts": parts}
        )
        listed.append({"number": intl, "message_id": entry["message_id"], "used_credit": parts})
    with sim._lock:
        sim.credit -= parts * len(good)
        remaining = sim.credit
    body = {
        "remaining_credit": remaining,
        "total_use_credit": parts * len(good),
        "credit_type": "standard",
        "phone_number_list": listed,
        "bad_phone_number_list": [{"number": n, "message": "Invalid phone number"} for n in bad],
    }
    return 200, body, {}


def line_push(sim: Simulator, headers: Any, raw: bytes) -> tuple[int, dict[str, Any], dict[str, str]]:
    _fault(sim, "line", line=True)
    if headers.get("Authorization", "") != f"Bearer {sim.config.line_token}":
        raise Answer(
            401,
            {"message": "Authentication failed. Confirm that the access token in the authorization header is valid."},
        )
    if not headers.get("Content-Type", "").startswith("application/json"):
        raise Answer(
            400,
            {
                "message": "The request body has 1 error(s)",
                "details": [{"message": "Content-Type must be application/json"}],
            },
        )
    retry_key = headers.get("X-Line-Retry-Key")
    if retry_key is not None:
        try:
            uuid.UUID(retry_key)
        except ValueError:
            raise Answer(400, {"message": "The value of the X-Line-Retry-Key header is invalid"}) from None
        with sim._lock:
            accepted = sim.retry_keys.get(retry_key)
        if accepted:
            raise Answer(
                409,
                {"message": "The retry key is already accepted", "sentMessages": []},
                {"x-line-accepted-request-id": accepted},
            )
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise Answer(
            400, {"message": "The request body has 1 error(s)", "details": [{"message": "Invalid JSON"}]}
        ) from None
    details = []
    to = body.get("to") if isinstance(body, dict) else None
    messages = body.get("messages") if isinstance(body, dict) else None
    if not isinstance(to, str) or not LINE_USER.match(to):
        details.append({"message": "The property, 'to', in the request body is invalid", "property": "to"})
    if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
        details.append({"message": "Size must be between 1 and 5", "property": "messages"})
    else:
        for i, m in enumerate(messages):
            if not isinstance(m, dict) or m.get("type") != "text":
                details.append({"message": "Only text messages are simulated", "property": f"messages[{i}].type"})
            elif not isinstance(m.get("text"), str) or not m["text"] or len(m["text"]) > 5000:
                details.append({"message": "Length must be between 1 and 5000", "property": f"messages[{i}].text"})
    if details:
        raise Answer(400, {"message": f"The request body has {len(details)} error(s)", "details": details})
    request_id = str(uuid.uuid4())
    with sim._lock:
        if retry_key is not None:
            if retry_key in sim.retry_keys:  # a concurrent twin got there first
                raise Answer(409, {"message": "The retry key is already accepted", "sentMessages": []},
                             {"x-line-accepted-request-id": sim.retry_keys[retry_key]})  # fmt: skip
            sim.retry_keys[retry_key] = request_id
    sent = []
    for m in messages or []:
        entry = sim.recorder.add(
            "line",
            {
                "to": to,
                "text": m["text"],
                "retry_key": retry_key or "",
                "request_id": request_id,
                "message_id": str(uuid.uuid4().int)[:18],
            },  # fmt: skip
        )
        sent.append({"id": entry["message_id"], "quoteToken": uuid.uuid4().hex})
    return 200, {"sentMessages": sent}, {"x-line-request-id": request_id}


def make_handler(sim: Simulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "gateway-sim/1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            if sim.config.verbose:
                super().log_message("%s", urlsplit(self.path).path)

        def _reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(min(length, 1_000_000)) if length > 0 else b""

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            url = urlsplit(self.path)
            if url.path == "/healthz":
                self._reply(200, {"ok": True})
            elif url.path == "/__sim/messages":
                service = (parse_qs(url.query).get("service") or [""])[0] or None
                self._reply(200, {"messages": sim.recorder.all(service), "faults": sim.faults.snapshot()})
            else:
                self._reply(404, {"message": "Not found"})

        def do_DELETE(self) -> None:  # noqa: N802
            if urlsplit(self.path).path == "/__sim/faults":
                sim.faults.clear()
                self._reply(200, {"faults": {}})
            else:
                self._reply(404, {"message": "Not found"})

        def do_POST(self) -> None:  # noqa: N802
            path = urlsplit(self.path).path
            raw = self._body()
            try:
                if path == "/thaibulksms/sms":
                    self._reply(*send_sms(sim, self.headers, raw))
                elif path == "/line/v2/bot/message/push":
                    self._reply(*line_push(sim, self.headers, raw))
                elif path == "/__sim/reset":
                    sim.recorder.clear()
                    sim.faults.clear()
                    with sim._lock:
                        sim.retry_keys.clear()
                    self._reply(200, {"messages": []})
                elif path == "/__sim/faults":
                    spec = json.loads(raw or b"{}")
                    times = spec.get("times")
                    sim.faults.set(
                        str(spec.get("service")), str(spec.get("fault")), None if times is None else int(times)
                    )
                    self._reply(200, {"faults": sim.faults.snapshot()})
                else:
                    self._reply(404, {"message": "Not found"})
            except Answer as answer:
                self._reply(answer.status, answer.body, answer.headers)
            except Drop:
                self.close_connection = True
                self.connection.close()
            except (ValueError, TypeError) as exc:
                self._reply(400, {"message": str(exc)})

    return Handler


def make_server(host: str, port: int, sim: Simulator) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), make_handler(sim))
    server.daemon_threads = True
    return server
