"""The portal's OpenID Connect client for the state digital ID (ThaID style), built on Authlib.

Authorization code flow with PKCE (S256). ``begin`` keeps a fresh ``state``, ``nonce`` and code
verifier in the session and gives the provider's authorization URL; ``complete`` takes the
callback's parameters, checks the state (once: the flow leaves the session), exchanges the code,
verifies the ID token (RS256 signature against the provider's JWKS from discovery; ``iss``,
``aud``, ``exp``, ``iat``, ``nonce``, ``at_hash``), fetches userinfo (same subject) and returns
the claims. Every refusal raises ``DigitalIdRefused`` with a reason code and is audited.
"""

from __future__ import annotations

import hmac
import warnings
from collections.abc import Mapping, MutableMapping
from typing import Any

import httpx
from authlib.common.security import generate_token  # type: ignore[import-untyped]
from authlib.integrations.base_client import OAuthError  # type: ignore[import-untyped]
from authlib.oidc.core import CodeIDToken  # type: ignore[import-untyped]
from django.conf import settings
from django.core.cache import cache
from joserfc import jwt
from joserfc.errors import ClaimError, ExpiredTokenError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from jfs.citizens.errors import SignInRefused
from jfs.citizens.models import DIGITAL_ID
from jfs.citizens.services import VERIFIED_CLAIMS, audit_refusal
from jfs.core import clock

with warnings.catch_warnings():  # Authlib 1.9 announces httpx2; httpx is what the project pins
    warnings.simplefilter("ignore")
    from authlib.integrations.httpx_client import OAuth2Client  # type: ignore[import-untyped]

SESSION_KEY = "digital_id_flow"
#: seconds of clock difference allowed with the provider
LEEWAY = 60
#: a flow (from leaving for the provider to coming back) and an ID token older than this are refused
MAX_AGE = 15 * 60
CACHE_SECONDS = 300


class DigitalIdRefused(SignInRefused):
    """The digital ID's answer cannot be trusted or used; ``reason`` says why (audited)."""


MESSAGES = {
    "no_flow": (
        "ไม่พบการเข้าสู่ระบบที่เริ่มไว้ หรือหมดเวลาแล้ว กรุณาเริ่มใหม่",
        "No sign-in was started here, or it timed out: please start again",
    ),
    "cancelled": ("ท่านยกเลิกการยืนยันตัวตน หรือไม่ได้ให้ความยินยอม", "You cancelled, or did not give consent"),
    "provider_unavailable": (
        "ติดต่อระบบ ThaID ไม่ได้ในขณะนี้ กรุณาลองใหม่ภายหลัง หรือเข้าสู่ระบบด้วยรหัสครั้งเดียว",
        "The digital ID cannot be reached now: try later, or sign in with a one-time code",
    ),
}
UNTRUSTED = (
    "คำตอบจากระบบ ThaID ไม่ผ่านการตรวจสอบความปลอดภัย ระบบจึงไม่ให้เข้าสู่ระบบ กรุณาเริ่มใหม่",
    "The digital ID's answer failed a security check, so you were not signed in: please start again",
)


def _refuse(reason: str) -> DigitalIdRefused:
    audit_refusal(DIGITAL_ID, reason)
    th, en = MESSAGES.get(reason, UNTRUSTED)
    return DigitalIdRefused(th, en, reason=reason)


def _issuer() -> str:
    return str(settings.DIGITAL_ID_ISSUER).rstrip("/")


def _get_json(url: str) -> dict[str, Any]:
    try:
        resp = httpx.get(url, timeout=settings.DIGITAL_ID_TIMEOUT)
        resp.raise_for_status()
        data = resp.json()
    except (httpx.HTTPError, ValueError):
        raise _refuse("provider_unavailable") from None
    if not isinstance(data, dict):
        raise _refuse("provider_unavailable")
    return data


def metadata() -> dict[str, Any]:
    """The provider's discovery document (cached a few minutes), whose issuer must be the configured one."""
    key = f"digital_id:metadata:{_issuer()}"
    meta = cache.get(key)
    if meta is None:
        meta = _get_json(f"{_issuer()}/.well-known/openid-configuration")
        if meta.get("issuer") != _issuer():
            raise _refuse("wrong_discovery_issuer")
        cache.set(key, meta, CACHE_SECONDS)
    return dict(meta)


def _key_set(jwks_uri: str, fresh: bool = False) -> KeySet:
    key = f"digital_id:jwks:{jwks_uri}"
    jwks = None if fresh else cache.get(key)
    if jwks is None:
        jwks = _get_json(jwks_uri)
        cache.set(key, jwks, CACHE_SECONDS)
    try:
        return KeySet.import_key_set(dict(jwks))  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError):
        raise _refuse("bad_jwks") from None


def _client(redirect_uri: str) -> OAuth2Client:
    return OAuth2Client(
        client_id=settings.DIGITAL_ID_CLIENT_ID,
        client_secret=settings.DIGITAL_ID_CLIENT_SECRET,
        scope=settings.DIGITAL_ID_SCOPES,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
        timeout=settings.DIGITAL_ID_TIMEOUT,
    )


def begin(session: MutableMapping[str, Any], redirect_uri: str, next_url: str) -> str:
    """Start a sign-in: keep the flow's secrets in the session; return the provider's authorization URL."""
    meta = metadata()
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    with _client(redirect_uri) as client:
        url, _ = client.create_authorization_url(
            meta["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier
        )
    session[SESSION_KEY] = {
        "state": state,
        "nonce": nonce,
        "verifier": verifier,
        "redirect_uri": redirect_uri,
        "next": next_url,
        "started": int(clock.now().timestamp()),
    }
    return str(url)


def flow_next(session: Mapping[str, Any]) -> str:
    """Where the started flow goes back to once signed in."""
    flow = session.get(SESSION_KEY) or {}
    return str(flow.get("next") or "")


def complete(session: MutableMapping[str, Any], params: Mapping[str, str]) -> dict[str, Any]:
    """Finish the sign-in from the callback's query parameters: the verified claims (ID token and userinfo)."""
    flow = session.pop(SESSION_KEY, None)
    if not isinstance(flow, dict):
        raise _refuse("no_flow")
    if not hmac.compare_digest(str(params.get("state", "")).encode(), str(flow["state"]).encode()):
        raise _refuse("wrong_state")
    if params.get("error"):
        raise _refuse("cancelled" if params.get("error") == "access_denied" else "provider_error")
    code = params.get("code", "")
    if not code:
        raise _refuse("no_code")
    if int(clock.now().timestamp()) - int(flow["started"]) > MAX_AGE:
        raise _refuse("flow_expired")
    meta = metadata()
    with _client(flow["redirect_uri"]) as client:
        try:
            token = client.fetch_token(
                meta["token_endpoint"], grant_type="authorization_code", code=code, code_verifier=flow["verifier"]
            )
        except (OAuthError, httpx.HTTPError, ValueError):
            raise _refuse("token_refused") from None
        if not token.get("id_token") or not token.get("access_token"):
            raise _refuse("no_id_token")
        claims = verify_id_token(
            str(token["id_token"]), nonce=flow["nonce"], access_token=str(token["access_token"]), meta=meta
        )
        try:
            resp = client.get(meta["userinfo_endpoint"])
            resp.raise_for_status()
            info = resp.json()
        except (OAuthError, httpx.HTTPError, ValueError):
            raise _refuse("userinfo_failed") from None
    if not isinstance(info, dict) or info.get("sub") != claims.get("sub"):
        raise _refuse("userinfo_other_subject")
    return {k: v for k, v in {**claims, **info}.items() if k in VERIFIED_CLAIMS}


def verify_id_token(id_token: str, *, nonce: str, access_token: str, meta: Mapping[str, Any]) -> dict[str, Any]:
    """The ID token's claims once its signature (RS256, the provider's JWKS) and its ``iss``, ``aud``,
    ``exp``, ``iat``, ``nonce`` and ``at_hash`` are right; DigitalIdRefused otherwise."""
    registry = JWSRegistry(algorithms=["RS256"])
    try:
        try:
            token = jwt.decode(id_token, _key_set(meta["jwks_uri"]), registry=registry)
        except JoseError:  # the provider may have rolled its key: read the JWKS again once
            token = jwt.decode(id_token, _key_set(meta["jwks_uri"], fresh=True), registry=registry)
    except (JoseError, ValueError):
        raise _refuse("bad_signature") from None
    client_id = settings.DIGITAL_ID_CLIENT_ID
    claims = CodeIDToken(
        token.claims,
        token.header,
        options={
            "iss": {"essential": True, "value": _issuer()},
            "aud": {"essential": True, "value": client_id},
            "sub": {"essential": True},
            "exp": {"essential": True},
            "iat": {"essential": True},
            "nonce": {"essential": True},
        },
        params={"nonce": nonce, "client_id": client_id, "access_token": access_token},
    )
    now = int(clock.now().timestamp())
    try:
        claims.validate(now=now, leeway=LEEWAY)
    except ExpiredTokenError:
        raise _refuse("expired") from None
    except ClaimError as exc:
        raise _refuse(
            f"wrong_{exc.claim}" if exc.claim in {"iss", "aud", "nonce", "azp", "at_hash", "iat"} else "bad_claims"
        ) from None
    iat = claims.get("iat")
    if isinstance(iat, int | float) and now - iat > MAX_AGE:
        raise _refuse("expired")
    return dict(claims)
