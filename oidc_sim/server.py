"""The digital-ID simulator's OpenID Connect provider and its HTTP server.

Built from Authlib's server components: ``AuthorizationServer`` with the authorization-code
grant, OpenID Connect Core's code flow (``OpenIDCode``, nonce required) and PKCE
(``CodeChallenge``, S256 only and required of every client). Served by the standard library's
threading HTTP server, in the style of ``registry_sim``.

Endpoints: ``/.well-known/openid-configuration``, ``/authorize`` (a Thai login page, then a
consent page listing the requested scopes), ``/token``, ``/userinfo``, ``/jwks``. Control
endpoints under ``/__sim/``: ``health`` always; with ``--allow-faults`` also ``faults`` (the
next responses misbehave: an ID token for another nonce, audience or issuer, an expired one,
one signed by another key, a redirect with another state, a userinfo for another subject) and
``reset``. Nothing here logs query strings or form bodies: they carry national IDs.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import os
import secrets
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit

from authlib.oauth2 import OAuth2Error  # type: ignore[import-untyped]
from authlib.oauth2.rfc6749 import AuthorizationServer, ClientMixin, OAuth2Payload, OAuth2Request  # type: ignore[import-untyped]
from authlib.oauth2.rfc6749 import grants as oauth2_grants
from authlib.oauth2.rfc6749.errors import InvalidRequestError  # type: ignore[import-untyped]
from authlib.oauth2.rfc6749.models import AuthorizationCodeMixin  # type: ignore[import-untyped]
from authlib.oauth2.rfc7636 import CodeChallenge  # type: ignore[import-untyped]
from authlib.oidc.core import OpenIDCode, UserInfo  # type: ignore[import-untyped]
from joserfc.jwk import RSAKey

from oidc_sim.people import Person

#: ThaID-style scopes, each releasing the claim of the same name (``openid`` releases ``sub``).
#: The names follow ThaID's published developer documentation as far as known: unconfirmed.
SCOPES = (
    "openid",
    "pid",
    "title",
    "given_name",
    "family_name",
    "name",
    "birthdate",
    "address",
    "gender",
    "title_en",
    "given_name_en",
    "family_name_en",
    "name_en",
)
#: what the consent page says each scope releases
SCOPE_LABELS = {
    "openid": "ยืนยันตัวตนของท่าน",
    "pid": "เลขประจำตัวประชาชน",
    "title": "คำนำหน้าชื่อ",
    "given_name": "ชื่อ",
    "family_name": "นามสกุล",
    "name": "ชื่อ-นามสกุล",
    "birthdate": "วันเกิด",
    "address": "ที่อยู่ตามทะเบียนบ้าน",
    "gender": "เพศ",
    "title_en": "คำนำหน้าชื่อภาษาอังกฤษ",
    "given_name_en": "ชื่อภาษาอังกฤษ",
    "family_name_en": "นามสกุลภาษาอังกฤษ",
    "name_en": "ชื่อ-นามสกุลภาษาอังกฤษ",
}
FAULTS = (
    "wrong_nonce",
    "wrong_audience",
    "wrong_issuer",
    "expired",
    "bad_signature",
    "wrong_state",
    "userinfo_other_subject",
)
CODE_TTL = 600
TOKEN_TTL = 3600
TICKET_TTL = 600
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass
class Config:
    issuer: str = ""
    client_id: str = "jfs-portal"
    client_secret: str = "jfs-local-oidc-secret"
    redirect_uris: list[str] = field(default_factory=list)
    password: str = "demo-password-2569"
    allow_faults: bool = False
    id_token_ttl: int = 3600
    verbose: bool = False


# --------------------------------------------------------------------------- models


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str]

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0] if self.redirect_uris else ""

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in (scope or "").split() if s in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        """Registered exactly, or a registered loopback address on another port (RFC 8252 §7.3)."""
        if redirect_uri in self.redirect_uris:
            return True
        asked = urlsplit(redirect_uri)
        for uri in self.redirect_uris:
            known = urlsplit(uri)
            if (
                known.hostname in LOOPBACK
                and asked.hostname in LOOPBACK
                and (asked.scheme, asked.path, asked.query) == (known.scheme, known.path, known.query)
            ):
                return True
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(client_secret.encode(), self.client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class AuthCode(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    pid: str
    nonce: str
    auth_time: int
    code_challenge: str
    code_challenge_method: str
    expires_at: float

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> str:
        return ""

    def get_amr(self) -> list[str]:
        return ["pwd"]


class Payload(OAuth2Payload):
    def __init__(self, values: dict[str, list[str]]) -> None:
        self._datalist = defaultdict(list, values)
        self._data = {k: v[0] for k, v in values.items() if v}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist


class SimRequest(OAuth2Request):
    """An HTTP request as Authlib sees it: the query (``args``) and the form body (``form``)."""

    def __init__(
        self, method: str, uri: str, query: dict[str, list[str]], form: dict[str, list[str]], headers: Any
    ) -> None:
        super().__init__(method, uri, headers=headers)
        self._args = {k: v[0] for k, v in query.items() if v}
        self._form = {k: v[0] for k, v in form.items() if v}
        self.payload = Payload(form if method == "POST" and form else query)

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


# --------------------------------------------------------------------------- the provider


class FaultBook:
    """Faults queued by tests: each is used by the next response it applies to."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queued: list[str] = []

    def add(self, fault: str, times: int = 1) -> None:
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {', '.join(FAULTS)}")
        with self._lock:
            self._queued.extend([fault] * max(1, times))

    def take(self, *wanted: str) -> str:
        with self._lock:
            for i, fault in enumerate(self._queued):
                if fault in wanted:
                    return self._queued.pop(i)
        return ""

    def clear(self) -> None:
        with self._lock:
            self._queued.clear()

    def describe(self) -> list[str]:
        with self._lock:
            return list(self._queued)


class Provider(AuthorizationServer):
    """The authorization server: one registered client, people from the people file, state in memory."""

    def __init__(self, config: Config, people: dict[str, Person], key: RSAKey) -> None:
        super().__init__(scopes_supported=list(SCOPES))
        self.config = config
        self.people = people
        self.key = key
        self.other_key = RSAKey.generate_key(2048)  # signs the "bad_signature" fault's tokens
        self.client = Client(config.client_id, config.client_secret, list(config.redirect_uris))
        self.codes: dict[str, AuthCode] = {}
        self.tokens: dict[str, tuple[str, str, float]] = {}  # access token -> (pid, scope, expires)
        self.used_nonces: set[str] = set()
        self.faults = FaultBook()
        self.lock = threading.Lock()
        self.ticket_secret = secrets.token_bytes(32)
        self.register_token_generator("default", self._bearer_token)
        self.register_grant(CodeGrant, [S256Required(), ThaIDCode(self)])

    # -- AuthorizationServer hooks ----------------------------------------------------------------

    def query_client(self, client_id: str) -> Client | None:
        return self.client if client_id == self.client.client_id else None

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        with self.lock:
            self.tokens[token["access_token"]] = (request.user.pid, token.get("scope", ""), time.time() + TOKEN_TTL)

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        return request

    def handle_response(self, status: int, body: Any, headers: Any) -> tuple[int, Any, list[tuple[str, str]]]:
        return status, body, list(headers)

    def _bearer_token(
        self,
        grant_type: str,
        client: Client,
        user: Person | None = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        return {
            "token_type": "Bearer",
            "access_token": secrets.token_urlsafe(32),
            "expires_in": expires_in or TOKEN_TTL,
            "scope": scope or "",
        }

    # -- the people's claims ----------------------------------------------------------------------

    def subject(self, pid: str) -> str:
        """A stable, opaque subject per person and client (the real ThaID subject format is unknown)."""
        return hashlib.sha256(f"oidc-sim-sub|{self.client.client_id}|{pid}".encode()).hexdigest()[:32]

    def user_info(self, person: Person, scope: str) -> UserInfo:
        info = UserInfo(sub=self.subject(person.pid))
        for name in (scope or "").split():
            if name != "openid" and name in SCOPES:
                value = person.claim(name)
                if value not in (None, ""):
                    info[name] = value
        return info

    def ticket(self, pid: str) -> str:
        """Proof, for the consent step, that this browser typed the person's password a moment ago."""
        expires = str(int(time.time()) + TICKET_TTL)
        mac = hmac.new(self.ticket_secret, f"{pid}|{expires}".encode(), hashlib.sha256).hexdigest()
        return f"{pid}.{expires}.{mac}"

    def ticket_person(self, ticket: str) -> Person | None:
        try:
            pid, expires, mac = ticket.split(".")
        except ValueError:
            return None
        good = hmac.new(self.ticket_secret, f"{pid}|{expires}".encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(good, mac) or not expires.isdigit() or int(expires) < time.time():
            return None
        return self.people.get(pid)


class CodeGrant(oauth2_grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
    server: Provider

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        data = request.payload.data
        auth = AuthCode(
            code=code,
            client_id=request.client.get_client_id(),
            redirect_uri=data.get("redirect_uri", ""),
            scope=request.client.get_allowed_scope(data.get("scope", "")),
            pid=request.user.pid,
            nonce=data.get("nonce", ""),
            auth_time=int(time.time()),
            code_challenge=data.get("code_challenge", ""),
            code_challenge_method=data.get("code_challenge_method", ""),
            expires_at=time.time() + CODE_TTL,
        )
        with self.server.lock:
            self.server.codes[code] = auth
            if auth.nonce:
                self.server.used_nonces.add(auth.nonce)

    def query_authorization_code(self, code: str, client: Client) -> AuthCode | None:
        with self.server.lock:
            auth = self.server.codes.get(code)
        if auth and auth.client_id == client.get_client_id() and auth.expires_at > time.time():
            return auth
        return None

    def delete_authorization_code(self, authorization_code: AuthCode) -> None:
        with self.server.lock:
            self.server.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code: AuthCode) -> Person | None:
        return self.server.people.get(authorization_code.pid)


class S256Required(CodeChallenge):
    """PKCE for every client, confidential ones too, and only with S256."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def __init__(self) -> None:
        super().__init__(required=True)

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: missing 'code_challenge'")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE 'code_challenge_method' must be S256")
        super().validate_code_challenge(grant, redirect_uri)

    def validate_code_verifier(self, grant: Any, result: Any) -> None:
        if not grant.request.form.get("code_verifier"):
            raise InvalidRequestError("Missing 'code_verifier'")
        super().validate_code_verifier(grant, result)

    def get_authorization_code_challenge(self, authorization_code: AuthCode) -> str:
        return authorization_code.code_challenge

    def get_authorization_code_challenge_method(self, authorization_code: AuthCode) -> str:
        return authorization_code.code_challenge_method


class ThaIDCode(OpenIDCode):
    """OpenID Connect's code flow: an RS256 ID token carrying the released claims; nonce required."""

    def __init__(self, provider: Provider) -> None:
        super().__init__(require_nonce=True)
        self.provider = provider
        self._local = threading.local()  # the token request being answered on this thread

    @property
    def _fault(self) -> str:
        return str(getattr(self._local, "fault", ""))

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        with self.provider.lock:
            return nonce in self.provider.used_nonces

    def resolve_client_private_key(self, client: Client) -> Any:
        return self.provider.other_key if self._fault == "bad_signature" else self.provider.key

    def get_encode_header(self, client: Client) -> dict[str, str]:
        return {"alg": "RS256", "kid": self.provider.key.thumbprint(), "typ": "JWT"}

    def get_client_claims(self, client: Client) -> dict[str, Any]:
        fault = self._fault
        issuer = self.provider.config.issuer + ("/other" if fault == "wrong_issuer" else "")
        audience = "someone-else" if fault == "wrong_audience" else client.get_client_id()
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": issuer,
            "aud": [audience],
            "iat": now,
            "exp": now + self.provider.config.id_token_ttl,
        }
        if fault == "expired":
            claims["iat"], claims["exp"] = now - 7200, now - 3600
        return claims

    def get_authorization_code_claims(self, authorization_code: AuthCode) -> dict[str, Any]:
        claims = dict(super().get_authorization_code_claims(authorization_code))
        if self._fault == "wrong_nonce":
            claims["nonce"] = secrets.token_urlsafe(16)
        return claims

    def generate_user_info(self, user: Person, scope: str) -> UserInfo:
        return self.provider.user_info(user, scope)

    def process_token(self, grant: Any, response: Any) -> Any:
        self._local.fault = self.provider.faults.take(
            "wrong_nonce", "wrong_audience", "wrong_issuer", "expired", "bad_signature"
        )
        try:
            return super().process_token(grant, response)
        finally:
            self._local.fault = ""


# --------------------------------------------------------------------------- HTML pages (Thai)

PAGE = """<!DOCTYPE html>
<html lang="th"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – ThaID (จำลอง)</title>
<style>
body{{font-family:sans-serif;margin:0;background:#f3f4f6;color:#1f2937;line-height:1.5}}
header{{background:#1e3a8a;color:#fff;padding:.75rem 1rem}} header p{{margin:0;font-weight:bold}}
main{{max-width:28rem;margin:1rem auto;background:#fff;padding:1rem 1.25rem;border-radius:.5rem}}
label{{display:block;font-weight:bold;margin-top:1rem}} input[type=text],input[type=password]{{width:100%;box-sizing:border-box;font-size:1.1rem;padding:.5rem;border:2px solid #374151}}
button{{margin-top:1.25rem;font-size:1.1rem;padding:.6rem 1.2rem;border:0;border-radius:.3rem;background:#1e3a8a;color:#fff}}
button.secondary{{background:#fff;color:#1e3a8a;border:2px solid #1e3a8a;margin-left:.5rem}}
.error{{border-left:5px solid #b91c1c;padding:.5rem .75rem;background:#fef2f2;color:#7f1d1d}}
.note{{font-size:.9rem;color:#374151}}
</style></head>
<body><header><p>ThaID · แอปพลิเคชันยืนยันตัวตนทางดิจิทัล (ระบบจำลองสำหรับการพัฒนา)</p></header>
<main id="content"><h1>{title}</h1>{body}</main></body></html>"""


def page(title: str, body: str) -> bytes:
    return PAGE.format(title=html.escape(title), body=body).encode()


def login_page(action: str, error: str = "", pid: str = "") -> bytes:
    err = f'<p class="error" role="alert" id="login-error">{html.escape(error)}</p>' if error else ""
    described = ' aria-describedby="login-error"' if error else ""
    body = (
        f"{err}<p>กรอกเลขประจำตัวประชาชนและรหัสผ่านเพื่อยืนยันตัวตนกับหน่วยงานที่ขอ</p>"
        f'<form method="post" action="{html.escape(action)}">'
        '<input type="hidden" name="step" value="login">'
        f'<label for="pid">เลขประจำตัวประชาชน 13 หลัก</label><input type="text" id="pid" name="pid" '
        f'inputmode="numeric" autocomplete="username" value="{html.escape(pid)}"{described}>'
        f'<label for="password">รหัสผ่าน</label><input type="password" id="password" name="password" '
        f'autocomplete="current-password"{described}>'
        '<button type="submit">เข้าสู่ระบบ</button></form>'
        '<p class="note">ระบบจำลองนี้ใช้เฉพาะการพัฒนาและการทดสอบ ไม่ใช่ ThaID ของกรมการปกครอง</p>'
    )
    return page("เข้าสู่ระบบด้วย ThaID", body)


def consent_page(action: str, ticket: str, person: Person, scope: str) -> bytes:
    items = "".join(f"<li>{html.escape(SCOPE_LABELS[s])}</li>" for s in scope.split() if s in SCOPE_LABELS)
    body = (
        f"<p>สวัสดี {html.escape(str(person.claim('name')))}</p>"
        "<p>หน่วยงานที่ขอ (กองทุนยุติธรรม) ขอใช้ข้อมูลต่อไปนี้ของท่าน:</p>"
        f"<ul>{items}</ul>"
        f'<form method="post" action="{html.escape(action)}">'
        '<input type="hidden" name="step" value="consent">'
        f'<input type="hidden" name="ticket" value="{html.escape(ticket)}">'
        '<button type="submit" name="decision" value="allow">ยินยอม</button>'
        '<button type="submit" name="decision" value="deny" class="secondary">ไม่ยินยอม</button></form>'
    )
    return page("ยินยอมให้ใช้ข้อมูล", body)


def error_page(description: str) -> bytes:
    return page("คำขอไม่ถูกต้อง", f'<p class="error">คำขอยืนยันตัวตนไม่ถูกต้อง: {html.escape(description)}</p>')


# --------------------------------------------------------------------------- HTTP handler


class Handler(BaseHTTPRequestHandler):
    server_version = "OIDCSimulator/1"
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    provider: Provider  # set on the subclass made by make_server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base-class signature
        if self.provider.config.verbose:
            sys.stderr.write(f"{self.address_string()} {urlsplit(self.path).path} {args[1] if len(args) > 1 else ''}\n")

    # -- responses -----------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, content_type: str, headers: list[tuple[str, str]] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in headers or []:
            if name.lower() not in ("content-type", "cache-control", "content-length"):
                self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, payload: Any, headers: list[tuple[str, str]] | None = None) -> None:
        self._send(status, json.dumps(payload, ensure_ascii=False).encode(), "application/json; charset=utf-8", headers)

    def _html(self, status: int, body: bytes) -> None:
        self._send(status, body, "text/html; charset=utf-8")

    def _reply(self, result: tuple[int, Any, list[tuple[str, str]]]) -> None:
        status, body, headers = result
        if isinstance(body, dict):
            self._json(status, body, headers)
        else:
            self._send(status, (body or "").encode(), "text/plain; charset=utf-8", headers)

    def _read_form(self) -> dict[str, list[str]]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace") if length > 0 else ""
        return parse_qs(raw, keep_blank_values=True)

    def _uri(self) -> str:
        return self.provider.config.issuer + self.path

    # -- dispatch ------------------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        url = urlsplit(self.path)
        if url.path == "/.well-known/openid-configuration":
            self._json(200, discovery(self.provider.config))
        elif url.path == "/jwks":
            self._json(
                200,
                {
                    "keys": [
                        {
                            **self.provider.key.as_dict(private=False),
                            "kid": self.provider.key.thumbprint(),
                            "use": "sig",
                            "alg": "RS256",
                        }
                    ]
                },
            )
        elif url.path == "/authorize":
            self._authorize(parse_qs(url.query, keep_blank_values=True), {})
        elif url.path == "/userinfo":
            self._userinfo()
        elif url.path == "/__sim/health":
            self._json(
                200,
                {
                    "status": "ok",
                    "people": len(self.provider.people),
                    "allow_faults": self.provider.config.allow_faults,
                },
            )
        elif url.path == "/__sim/faults" and self.provider.config.allow_faults:
            self._json(200, {"faults": self.provider.faults.describe(), "known": list(FAULTS)})
        else:
            self._json(404, {"error": "not_found"})

    def do_POST(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        form = self._read_form()
        if url.path == "/authorize":
            self._authorize(parse_qs(url.query, keep_blank_values=True), form)
        elif url.path == "/token":
            request = SimRequest("POST", self._uri(), {}, form, self.headers)
            self._reply(self.provider.create_token_response(request))
        elif url.path == "/userinfo":
            self._userinfo()
        elif url.path.startswith("/__sim/") and self.provider.config.allow_faults:
            self._control(url.path, form)
        else:
            self._json(404, {"error": "not_found"})

    def do_DELETE(self) -> None:  # noqa: N802
        if urlsplit(self.path).path == "/__sim/faults" and self.provider.config.allow_faults:
            self.provider.faults.clear()
            self._json(200, {"faults": []})
        else:
            self._json(404, {"error": "not_found"})

    # -- the authorization endpoint -----------------------------------------------------------------

    def _authorize(self, query: dict[str, list[str]], form: dict[str, list[str]]) -> None:
        provider = self.provider
        request = SimRequest("GET", self._uri(), query, {}, self.headers)
        try:
            grant = provider.get_consent_grant(request)
        except OAuth2Error as err:
            if err.redirect_uri:
                self._reply(provider.handle_error_response(request, err))
            else:
                self._html(400, error_page(err.description or err.error or "invalid_request"))
            return
        action = "/authorize?" + urlencode([(k, v) for k, vs in query.items() for v in vs])
        step = (form.get("step") or [""])[0]
        if step == "login":
            pid = "".join(ch for ch in (form.get("pid") or [""])[0] if ch.isdigit())
            password = (form.get("password") or [""])[0]
            person = provider.people.get(pid)
            if person is None or not hmac.compare_digest(password.encode(), provider.config.password.encode()):
                self._html(200, login_page(action, "เลขประจำตัวประชาชนหรือรหัสผ่านไม่ถูกต้อง", pid))
                return
            scope = provider.client.get_allowed_scope(request.payload.data.get("scope", ""))
            self._html(200, consent_page(action, provider.ticket(pid), person, scope))
            return
        if step == "consent":
            person = provider.ticket_person((form.get("ticket") or [""])[0])
            if person is None:
                self._html(200, login_page(action, "หมดเวลา กรุณาเข้าสู่ระบบอีกครั้ง"))
                return
            allowed = (form.get("decision") or [""])[0] == "allow"
            status, body, headers = provider.create_authorization_response(
                request, grant_user=person if allowed else None, grant=grant
            )
            if provider.config.allow_faults and provider.faults.take("wrong_state"):
                headers = [
                    (k, _with_param(v, "state", secrets.token_urlsafe(16)) if k == "Location" else v)
                    for k, v in headers
                ]
            self._reply((status, body, headers))
            return
        self._html(200, login_page(action))

    # -- userinfo --------------------------------------------------------------------------------

    def _userinfo(self) -> None:
        provider = self.provider
        auth = self.headers.get("Authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        with provider.lock:
            found = provider.tokens.get(token)
        if not found or found[2] < time.time():
            self._json(401, {"error": "invalid_token"}, [("WWW-Authenticate", 'Bearer error="invalid_token"')])
            return
        pid, scope, _ = found
        info = dict(provider.user_info(provider.people[pid], scope))
        if provider.config.allow_faults and provider.faults.take("userinfo_other_subject"):
            info["sub"] = provider.subject("0" * 13)
        self._json(200, info)

    # -- control -------------------------------------------------------------------------------

    def _control(self, path: str, form: dict[str, list[str]]) -> None:
        provider = self.provider
        if path == "/__sim/faults":
            fault = (form.get("fault") or [""])[0]
            times = (form.get("times") or ["1"])[0]
            try:
                provider.faults.add(fault, int(times) if times.isdigit() else 1)
            except ValueError as exc:
                self._json(400, {"error": str(exc)})
                return
            self._json(200, {"faults": provider.faults.describe()})
        elif path == "/__sim/reset":
            provider.faults.clear()
            self._json(200, {"reset": True})
        else:
            self._json(404, {"error": "not_found"})


def _with_param(uri: str, name: str, value: str) -> str:
    parts = urlsplit(uri)
    params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name] + [(name, value)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(params), parts.fragment))


def discovery(config: Config) -> dict[str, Any]:
    base = config.issuer
    return {
        "issuer": base,
        "authorization_endpoint": f"{base}/authorize",
        "token_endpoint": f"{base}/token",
        "userinfo_endpoint": f"{base}/userinfo",
        "jwks_uri": f"{base}/jwks",
        "scopes_supported": list(SCOPES),
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", *SCOPES[1:]],
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
    }


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):  # the client went away: not our error
            return
        super().handle_error(request, client_address)


def make_server(host: str, port: int, config: Config, people: dict[str, Person], key: RSAKey | None = None) -> Server:
    """Bind the server; the issuer defaults to ``http://HOST:PORT`` (the port actually bound)."""
    # a local development service over plain HTTP: Authlib refuses http:// URIs without this
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    handler: type[Handler] = type("BoundHandler", (Handler,), {})
    server = Server((host, port), handler)
    if not config.issuer:
        config.issuer = f"http://{host}:{server.server_address[1]}"
    handler.provider = Provider(config, people, key or RSAKey.generate_key(2048))
    return server
