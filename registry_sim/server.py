"""The simulator's HTTP server: GDX authentication, the registry endpoints, faults and stats.

Wire format (modelled on the public GDX developer guide, see docs/data-exchange.md):

* ``GET /ws/auth/validate?ConsumerSecret=…&AgentID=…`` with header ``Consumer-Key`` answers
  ``{"Result": "<token>"}``; the token lives while used, and expires after ``token_ttl``
  idle seconds (GDX: 60 minutes).
* every data endpoint is a ``GET`` with headers ``Consumer-Key`` and ``Token`` and answers
  ``{"Result": …}``; errors answer ``{"Code": "…", "Message": "…"}`` with the HTTP status
  (401 no valid key/token, 400 bad parameters, 404 no such record).
* ``/ws/dopa/verification/personal`` follows DOPA's laser-code service: ``{"Result": true}``
  when every field matches, else HTTP 500 with ``{"Code": "4", …}`` (data or laser code do
  not match) or ``{"Code": "2", …}`` (card no longer valid after a change of address).

Control endpoints under ``/__sim/`` (health, stats, and with ``--allow-faults`` fault rules,
stats reset and token expiry) exist only in the simulator. Nothing here logs query strings:
they carry personal data.
"""

from __future__ import annotations

import json
import re
import socket
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from registry_sim.faults import FAULTS, RESERVED_IDS, FaultBook
from registry_sim.store import Store

AGENT_ID = re.compile(r"^(\d{13}|[A-Za-z][A-Za-z0-9_.\-]{0,63})$")
CITIZEN_ID = re.compile(r"^\d{13}$")
BE_DATE = re.compile(r"^\d{8}$")

DOPA_OFFICE = "00023"
LINKAGE_PROFILE = "001"
LINKAGE_ADDRESS = "008"

DISABILITY_TYPES = {
    "1": "ความพิการทางการเห็น",
    "2": "ความพิการทางการได้ยินหรือสื่อความหมาย",
    "3": "ความพิการทางการเคลื่อนไหวหรือทางร่างกาย",
    "4": "ความพิการทางจิตใจหรือพฤติกรรม",
    "5": "ความพิการทางสติปัญญา",
    "6": "ความพิการทางการเรียนรู้",
    "7": "ความพิการทางออทิสติก",
}


@dataclass
class Config:
    consumer_key: str = "jfs-local-consumer-key"
    consumer_secret: str = "jfs-local-consumer-secret"
    token_ttl: float = 3600.0
    allow_faults: bool = False
    fault_delay: float = 30.0
    slow_delay: float = 1.0
    verbose: bool = False


class HttpError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    by_path: Counter[str] = field(default_factory=Counter)
    by_status: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    recent: list[dict[str, Any]] = field(default_factory=list)

    def arrived(self, path: str) -> None:
        """Count a request when it arrives (a request held by the timeout fault counts at once)."""
        with self.lock:
            self.by_path[path] += 1

    def add(self, path: str, status: int, fault: str | None) -> None:
        with self.lock:
            self.by_status[str(status)] += 1
            if fault:
                self.faults[fault] += 1
            self.recent.append({"path": path, "status": status, "fault": fault, "at": time.time()})
            del self.recent[:-500]

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "total": sum(self.by_path.values()),
                "by_path": dict(self.by_path),
                "by_status": dict(self.by_status),
                "faults": dict(self.faults),
                "recent": list(self.recent),
            }

    def reset(self) -> None:
        with self.lock:
            self.by_path.clear()
            self.by_status.clear()
            self.faults.clear()
            self.recent.clear()


class Simulator:
    """Everything the handler threads share: data, tokens, fault rules, counters."""

    def __init__(self, store: Store, config: Config) -> None:
        self.store = store
        self.config = config
        self.faults = FaultBook()
        self.stats = Stats()
        self._tokens: dict[str, float] = {}
        self._tokens_lock = threading.Lock()

    # -- tokens ------------------------------------------------------------------------------

    def issue_token(self) -> str:
        token = str(uuid.uuid4())
        with self._tokens_lock:
            self._tokens[token] = time.monotonic()
        return token

    def use_token(self, token: str) -> bool:
        now = time.monotonic()
        with self._tokens_lock:
            last = self._tokens.get(token)
            if last is None:
                return False
            if now - last > self.config.token_ttl:
                del self._tokens[token]
                return False
            self._tokens[token] = now
            return True

    def revoke_token(self, token: str) -> None:
        with self._tokens_lock:
            self._tokens.pop(token, None)

    def expire_tokens(self) -> int:
        with self._tokens_lock:
            n = len(self._tokens)
            self._tokens.clear()
        return n


# --------------------------------------------------------------------------- registry answers


def _param(q: dict[str, list[str]], name: str, required: bool = True) -> str:
    values = q.get(name)
    value = values[0].strip() if values else ""
    if required and not value:
        raise HttpError(400, "400", f"missing parameter {name}")
    return value


def _citizen_id(q: dict[str, list[str]]) -> str:
    cid = _param(q, "CitizenID")
    if not CITIZEN_ID.match(cid):
        raise HttpError(400, "400", "CitizenID must be 13 digits")
    return cid


NOT_FOUND = HttpError(404, "404", "ไม่พบข้อมูล (no data)")


def verify_personal(sim: Simulator, q: dict[str, list[str]]) -> Any:
    cid = _citizen_id(q)
    first, last = _param(q, "FirstName"), _param(q, "LastName")
    birth, laser = _param(q, "BEBirthDate"), _param(q, "LaserCode").upper()
    if not BE_DATE.match(birth):
        raise HttpError(400, "400", "BEBirthDate must be YYYYMMDD (Buddhist era)")
    person = sim.store.person(cid)
    if person is None or person["laser_code"] != laser:
        raise HttpError(500, "4", "สถานะไม่ปกติ => ไม่พบเลข Laser จาก PID นี้")
    if person["card_status"] == "expired_address_change":
        raise HttpError(500, "2", "บัตรสิ้นสภาพการใช้งาน เนื่องจากกรณี การเปลี่ยนที่อยู่")
    if person["card_status"] != "normal":
        return {"Result": False}
    if (person["first_name"], person["last_name"], person["be_birth_date"]) != (first, last, birth):
        raise HttpError(500, "4", "สถานะไม่ปกติ => ข้อมูลไม่ตรง")
    return {"Result": True}


def linkage(sim: Simulator, q: dict[str, list[str]]) -> Any:
    office, service, version = _param(q, "OfficeID"), _param(q, "ServiceID"), _param(q, "Version")
    cid = _citizen_id(q)
    if office != DOPA_OFFICE or version != "01" or service not in {LINKAGE_PROFILE, LINKAGE_ADDRESS}:
        raise HttpError(400, "400", "unknown OfficeID/ServiceID/Version")
    person = sim.store.person(cid)
    if person is None:
        raise NOT_FOUND
    if service == LINKAGE_PROFILE:
        return {
            "Result": {
                "CitizenID": cid,
                "TitleName": person["title"],
                "FirstName": person["first_name"],
                "LastName": person["last_name"],
                "BEBirthDate": person["be_birth_date"],
                "Sex": person["sex"],
            }
        }
    addr = sim.store.address(cid)
    if addr is None:
        raise NOT_FOUND
    return {
        "Result": {
            "CitizenID": cid,
            "HouseNo": addr["house_no"],
            "SubdistrictCode": addr["subdistrict_code"],
            "DistrictCode": addr["district_code"],
            "ProvinceCode": addr["province_code"],
            "MovedInOn": addr["moved_in_on"],
        }
    }


def welfare_card(sim: Simulator, q: dict[str, list[str]]) -> Any:
    cid = _citizen_id(q)
    row = sim.store.welfare_card(cid)
    if row is None:
        raise NOT_FOUND
    return {
        "Result": {
            "CitizenID": cid,
            "CardHolder": bool(row["card_holder"]),
            "IncomeBand": row["income_band"],
            "RegistrationRound": row["registration_round"],
        }
    }


def household(sim: Simulator, q: dict[str, list[str]]) -> Any:
    cid = _citizen_id(q)
    row = sim.store.household(cid)
    if row is None:
        raise NOT_FOUND
    return {
        "Result": {
            "CitizenID": cid,
            "VulnerabilityLevel": row["vulnerability_level"],
            "HouseholdSize": row["household_size"],
            "AssessedOn": row["assessed_on"],
        }
    }


def disability(sim: Simulator, q: dict[str, list[str]]) -> Any:
    cid = _citizen_id(q)
    if sim.store.person(cid) is None:
        raise NOT_FOUND
    row = sim.store.disability(cid)
    if row is None:
        return {
            "Result": {
                "CitizenID": cid,
                "Registered": False,
                "DisabilityType": None,
                "DisabilityTypeName": None,
                "CardExpiry": None,
            }
        }
    return {
        "Result": {
            "CitizenID": cid,
            "Registered": True,
            "DisabilityType": row["disability_type"],
            "DisabilityTypeName": DISABILITY_TYPES.get(row["disability_type"]),
            "CardExpiry": row["card_expiry"],
        }
    }


def _justice_records(table: str, fields: dict[str, str], convert: dict[str, Any] | None = None) -> Any:
    """A DXC endpoint: the person's rows of ``table`` as ``{"Result": [...]}``, each row's columns
    under their wire names (``fields``: wire name -> column), some converted (``convert``)."""
    convert = convert or {}

    def handler(sim: Simulator, q: dict[str, list[str]]) -> Any:
        rows = sim.store.records(table, _citizen_id(q))
        return {"Result": [
            {name: convert.get(name, lambda v: v)(r[column]) for name, column in fields.items()} for r in rows
        ]}

    return handler


arrests = _justice_records("arrest", {
    "RecordID": "record_id", "ArrestedOn": "arrested_on", "Agency": "agency", "Charge": "charge"})
court_cases = _justice_records("court_case", {
    "RecordID": "record_id", "Court": "court", "CaseNumber": "case_number", "CaseKind": "case_kind",
    "Status": "status", "FiledOn": "filed_on"})
detentions = _justice_records("detention", {
    "RecordID": "record_id", "Place": "place", "Since": "since",
    "PretrialWithoutBail": "pretrial_without_bail", "ReleasedOn": "released_on"},
    convert={"PretrialWithoutBail": bool})
probations = _justice_records("probation", {
    "RecordID": "record_id", "Office": "office", "Since": "since", "Until": "until", "Status": "status"})


DATA_ROUTES = {
    "/ws/dopa/verification/personal": verify_personal,
    "/ws/dopa/linkage/v1/link": linkage,
    "/ws/mof/welfare/card": welfare_card,
    "/ws/msdhs/mso/household": household,
    "/ws/dep/disability/card": disability,
    "/ws/moj/dxc/arrests": arrests,
    "/ws/moj/dxc/court-cases": court_cases,
    "/ws/moj/dxc/detentions": detentions,
    "/ws/moj/dxc/probations": probations,
}


def _partial(payload: Any) -> Any:
    """Valid JSON that lacks what the endpoint promises."""
    result = payload.get("Result") if isinstance(payload, dict) else None
    if isinstance(result, dict) and "CitizenID" in result:
        return {"Result": {"CitizenID": result["CitizenID"]}}
    if isinstance(result, list) and result:
        return {"Result": [{"RecordID": result[0].get("RecordID")}]}
    return {"Status": "OK"}


# --------------------------------------------------------------------------- HTTP handler


class Handler(BaseHTTPRequestHandler):
    server_version = "RegistrySimulator/1"
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once (no 40 ms delayed-ACK stall)
    sim: Simulator  # set on the subclass made by make_server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base-class signature
        if self.sim.config.verbose:
            sys.stderr.write(f"{self.address_string()} {urlsplit(self.path).path} {args[1] if len(args) > 1 else ''}\n")

    # -- responses ---------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, content_type: str = "application/json; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, payload: Any) -> None:
        self._send(status, json.dumps(payload, ensure_ascii=False).encode())

    def _error(self, err: HttpError) -> None:
        self._json(err.status, {"Code": err.code, "Message": err.message})

    # -- dispatch ----------------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        url = urlsplit(self.path)
        if url.path.startswith("/__sim/"):
            self._control("GET", url.path)
            return
        q = parse_qs(url.query, keep_blank_values=True)
        status, fault = 500, None
        self.sim.stats.arrived(url.path)
        try:
            fault = self._fault_for(url.path, q)
            if fault:
                status = self._apply_fault(fault, url.path, q)
                if status:
                    return
            if url.path == "/ws/auth/validate":
                status = self._auth(q)
                return
            handler = DATA_ROUTES.get(url.path)
            if handler is None:
                raise HttpError(404, "404", "no such service")
            self._require_token()
            try:
                payload = handler(self.sim, q)
            except HttpError as err:
                if not (fault in ("partial", "malformed") and err.status == 404):
                    raise
                payload = {"Result": {"CitizenID": (q.get("CitizenID") or [""])[0]}}
            if fault == "partial":
                payload = _partial(payload)
            elif fault == "malformed":
                text = json.dumps(payload, ensure_ascii=False)
                self._send(200, text[: max(1, len(text) // 2)].encode())
                status = 200
                return
            self._json(200, payload)
            status = 200
        except HttpError as err:
            status = err.status
            self._error(err)
        finally:
            self.sim.stats.add(url.path, status, fault)

    def do_POST(self) -> None:  # noqa: N802
        self._control("POST", urlsplit(self.path).path)

    def do_DELETE(self) -> None:  # noqa: N802
        self._control("DELETE", urlsplit(self.path).path)

    # -- GDX authentication ------------------------------------------------------------------

    def _auth(self, q: dict[str, list[str]]) -> int:
        cfg = self.sim.config
        secret = (q.get("ConsumerSecret") or [""])[0]
        agent = (q.get("AgentID") or [""])[0]
        if self.headers.get("Consumer-Key") != cfg.consumer_key or secret != cfg.consumer_secret:
            raise HttpError(401, "401", "Unauthorized: invalid Consumer-Key or ConsumerSecret")
        if not AGENT_ID.match(agent):
            raise HttpError(400, "400", "AgentID must be a 13-digit citizen ID or an English system name")
        self._json(200, {"Result": self.sim.issue_token()})
        return 200

    def _require_token(self) -> None:
        if self.headers.get("Consumer-Key") != self.sim.config.consumer_key:
            raise HttpError(401, "401", "Unauthorized: invalid Consumer-Key")
        if not self.sim.use_token(self.headers.get("Token", "")):
            raise HttpError(401, "401", "Unauthorized: token is invalid or expired")

    # -- faults ------------------------------------------------------------------------------

    def _fault_for(self, path: str, q: dict[str, list[str]]) -> str | None:
        if not self.sim.config.allow_faults:
            return None
        header = (self.headers.get("X-Sim-Fault") or "").strip().lower()
        if header in FAULTS and path in DATA_ROUTES:
            return header
        ruled = self.sim.faults.take(path)
        if ruled:
            return ruled
        if path in DATA_ROUTES:
            cid = (q.get("CitizenID") or [""])[0]
            return RESERVED_IDS.get(cid)
        return None

    def _apply_fault(self, fault: str, path: str, q: dict[str, list[str]]) -> int:
        """Misbehave; return the status sent, or 0 to go on and answer (slow/partial/malformed)."""
        cfg = self.sim.config
        if fault == "timeout":
            time.sleep(cfg.fault_delay)
            self.close_connection = True
            try:
                self._json(504, {"Code": "504", "Message": "Gateway Timeout"})
            except OSError:
                pass
            return 504
        if fault == "slow":
            time.sleep(cfg.slow_delay)
            return 0
        if fault == "500":
            self._send(500, b"<html><body><h1>500 Internal Server Error</h1></body></html>", "text/html")
            return 500
        if fault == "503":
            self._json(503, {"Code": "503", "Message": "Service Unavailable"})
            return 503
        if fault == "reset":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return 599
        if fault == "401":
            self.sim.revoke_token(self.headers.get("Token", ""))
            self._json(401, {"Code": "401", "Message": "Unauthorized: token is invalid or expired"})
            return 401
        return 0  # partial, malformed: answered by the caller

    # -- control endpoints (simulator only) ----------------------------------------------------

    def _read_body(self) -> bytes:
        """Read the whole request body (an unread body would corrupt the next request on the connection)."""
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _read_json(self, raw: bytes) -> dict[str, Any]:
        try:
            data = json.loads(raw or b"{}")
        except ValueError as exc:
            raise HttpError(400, "400", "body must be JSON") from exc
        if not isinstance(data, dict):
            raise HttpError(400, "400", "body must be a JSON object")
        return data

    def _control(self, method: str, path: str) -> None:
        sim = self.sim
        raw = self._read_body() if method != "GET" else b""
        try:
            if method == "GET" and path == "/__sim/health":
                self._json(
                    200,
                    {
                        "status": "ok",
                        "people": sim.store.count_people(),
                        "allow_faults": sim.config.allow_faults,
                        "meta": sim.store.meta,
                    },
                )
                return
            if method == "GET" and path == "/__sim/stats":
                self._json(200, sim.stats.snapshot())
                return
            if not sim.config.allow_faults:
                raise HttpError(404, "404", "control endpoints need --allow-faults")
            if path == "/__sim/faults" and method == "GET":
                self._json(200, {"rules": sim.faults.describe(), "reserved_ids": RESERVED_IDS})
            elif path == "/__sim/faults" and method == "POST":
                body = self._read_json(raw)
                times = body.get("times")
                try:
                    sim.faults.add(
                        str(body.get("fault", "")),
                        str(body.get("path", "/")),
                        int(times) if times is not None else None,
                    )
                except (ValueError, TypeError) as exc:
                    raise HttpError(400, "400", str(exc)) from exc
                self._json(200, {"rules": sim.faults.describe()})
            elif path == "/__sim/faults" and method == "DELETE":
                sim.faults.clear()
                self._json(200, {"rules": []})
            elif path == "/__sim/reset" and method == "POST":
                sim.faults.clear()
                sim.stats.reset()
                self._json(200, {"reset": True})
            elif path == "/__sim/tokens/expire" and method == "POST":
                self._json(200, {"expired": sim.expire_tokens()})
            else:
                raise HttpError(404, "404", "no such control endpoint")
        except HttpError as err:
            self._error(err)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):  # the client went away (timeouts, resets): not our error
            return
        super().handle_error(request, client_address)


def make_server(host: str, port: int, store: Store, config: Config) -> Server:
    sim = Simulator(store, config)
    handler = type("BoundHandler", (Handler,), {"sim": sim})
    return Server((host, port), handler)
