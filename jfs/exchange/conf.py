"""Configuration of the GDX connection, read on every call so tests can override it.

Each value comes from the Django setting of the same name if it is defined, else from the
environment variable, else the default (which points at the local registry simulator).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "JFS_GDX_BASE_URL": "http://127.0.0.1:8090",
    "JFS_GDX_CONSUMER_KEY": "jfs-local-consumer-key",
    "JFS_GDX_CONSUMER_SECRET": "jfs-local-consumer-secret",
    "JFS_GDX_AGENT_ID": "JFS",
    "JFS_GDX_TIMEOUT": 5.0,  # seconds per HTTP call (connect + read)
    "JFS_GDX_RETRIES": 2,  # extra attempts on timeouts, connection errors and 5xx
    "JFS_GDX_BACKOFF": 0.25,  # first back-off (seconds); doubles per retry, with jitter
    "JFS_GDX_BACKOFF_MAX": 4.0,  # back-off ceiling (seconds)
    "JFS_GDX_BREAKER_THRESHOLD": 5,  # consecutive failed calls that open a registry's circuit
    "JFS_GDX_BREAKER_COOLDOWN": 60.0,  # seconds the circuit stays open before one probe call
    "JFS_GDX_CACHE": "default",  # Django cache alias for answers and tokens
    "JFS_GDX_CACHE_TTL": 3600,  # seconds a successful answer is reused
    "JFS_GDX_TOKEN_TTL": 3000,  # seconds a GDX token is reused (GDX: 60 idle minutes)
    "JFS_GDX_RETRY_BASE": 60.0,  # background re-check after a failure: first delay (seconds)
    "JFS_GDX_RETRY_MAX": 3600.0,  # ... doubling up to this
    "JFS_GDX_MAX_ATTEMPTS": 8,  # attempts before a pending check is marked failed
    "JFS_GDX_VERIFY_TLS": True,
}


def _read(name: str) -> Any:
    default = DEFAULTS[name]
    if hasattr(settings, name):
        return getattr(settings, name)
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if isinstance(default, bool):
        return raw.lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


@dataclass(frozen=True)
class GdxSettings:
    base_url: str
    consumer_key: str
    consumer_secret: str
    agent_id: str
    timeout: float
    retries: int
    backoff: float
    backoff_max: float
    breaker_threshold: int
    breaker_cooldown: float
    cache_alias: str
    cache_ttl: int
    token_ttl: int
    retry_base: float
    retry_max: float
    max_attempts: int
    verify_tls: bool


def gdx_settings() -> GdxSettings:
    return GdxSettings(
        base_url=str(_read("JFS_GDX_BASE_URL")).rstrip("/"),
        consumer_key=str(_read("JFS_GDX_CONSUMER_KEY")),
        consumer_secret=str(_read("JFS_GDX_CONSUMER_SECRET")),
        agent_id=str(_read("JFS_GDX_AGENT_ID")),
        timeout=float(_read("JFS_GDX_TIMEOUT")),
        retries=max(0, int(_read("JFS_GDX_RETRIES"))),
        backoff=float(_read("JFS_GDX_BACKOFF")),
        backoff_max=float(_read("JFS_GDX_BACKOFF_MAX")),
        breaker_threshold=max(1, int(_read("JFS_GDX_BREAKER_THRESHOLD"))),
        breaker_cooldown=float(_read("JFS_GDX_BREAKER_COOLDOWN")),
        cache_alias=str(_read("JFS_GDX_CACHE")),
        cache_ttl=int(_read("JFS_GDX_CACHE_TTL")),
        token_ttl=int(_read("JFS_GDX_TOKEN_TTL")),
        retry_base=float(_read("JFS_GDX_RETRY_BASE")),
        retry_max=float(_read("JFS_GDX_RETRY_MAX")),
        max_attempts=max(1, int(_read("JFS_GDX_MAX_ATTEMPTS"))),
        verify_tls=bool(_read("JFS_GDX_VERIFY_TLS")),
    )
