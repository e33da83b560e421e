"""Resilience for registry calls: back-off with jitter, a circuit breaker per registry, answer and token caches.

The breaker lives in the database (``RegistryCircuit``) so every web process and the worker
see the same state. Caches use the Django cache named by ``JFS_GDX_CACHE``; keys are hashes,
so no citizen ID appears in a cache key.
"""

from __future__ import annotations

import hashlib
import json
import random
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import caches
from django.db import transaction
from django.db.models import Q

from jfs.core import clock
from jfs.exchange.conf import GdxSettings
from jfs.exchange.errors import CircuitOpen
from jfs.exchange.models import REGISTRY_CHOICES, RegistryCircuit


def backoff_delay(attempt: int, base: float, ceiling: float, rng: random.Random | None = None) -> float:
    """Exponential back-off with "equal jitter": half the delay fixed, half random.

    attempt 1 → base/2..base, attempt 2 → base..2·base, … capped at ``ceiling``.
    """
    delay = min(ceiling, base * (2 ** max(0, attempt - 1)))
    return delay / 2 + (rng or random).uniform(0, delay / 2)


# --------------------------------------------------------------------------- circuit breaker


class CircuitBreaker:
    """Opens after ``threshold`` consecutive failed calls; after ``cooldown`` seconds lets one probe through."""

    def __init__(self, cfg: GdxSettings) -> None:
        self.threshold = cfg.breaker_threshold
        self.cooldown = timedelta(seconds=cfg.breaker_cooldown)

    def before_call(self, registry: str) -> None:
        """Raise ``CircuitOpen`` unless a call may go out now."""
        row = RegistryCircuit.objects.filter(registry=registry).values("opened_until").first()
        if not row or row["opened_until"] is None:
            return
        now = clock.now()
        if now < row["opened_until"]:
            raise CircuitOpen(registry, retry_at=row["opened_until"])
        # half-open: exactly one caller gets to probe; the others keep short-circuiting
        claimed = (
            RegistryCircuit.objects.filter(registry=registry)
            .filter(Q(probe_until__isnull=True) | Q(probe_until__lt=now))
            .update(probe_until=now + self.cooldown)
        )
        if not claimed:
            raise CircuitOpen(registry, retry_at=now + self.cooldown)

    def record_success(self, registry: str) -> None:
        RegistryCircuit.objects.filter(registry=registry).exclude(
            consecutive_failures=0, opened_until__isnull=True
        ).update(consecutive_failures=0, opened_until=None, probe_until=None)

    def record_failure(self, registry: str) -> None:
        now = clock.now()
        with transaction.atomic():
            row, _ = RegistryCircuit.objects.select_for_update().get_or_create(registry=registry)
            row.consecutive_failures += 1
            was_half_open = row.opened_until is not None and now >= row.opened_until
            if was_half_open or row.consecutive_failures >= self.threshold:
                row.opened_until = now + self.cooldown
                row.probe_until = None
            row.save(update_fields=["consecutive_failures", "opened_until", "probe_until", "updated_at"])

    def state(self, registry: str) -> str:
        """ "closed", "open" or "half_open" (for pages and tests)."""
        row = RegistryCircuit.objects.filter(registry=registry).first()
        if not row or row.opened_until is None:
            return "closed"
        return "open" if clock.now() < row.opened_until else "half_open"

    def retry_at(self, registry: str) -> datetime | None:
        row = RegistryCircuit.objects.filter(registry=registry).values("opened_until").first()
        return row["opened_until"] if row else None


def circuit_states(now: datetime | None = None) -> dict[str, tuple[str, int]]:
    """Every registry's breaker state ("closed", "open", "half_open", as ``CircuitBreaker.state``)
    and consecutive failures, in one query (for the /metrics scrape)."""
    now = now or clock.now()
    states = {code: ("closed", 0) for code, _label in REGISTRY_CHOICES}
    for row in RegistryCircuit.objects.values("registry", "opened_until", "consecutive_failures"):
        opened_until = row["opened_until"]
        state = "closed" if opened_until is None else "open" if now < opened_until else "half_open"
        states[row["registry"]] = (state, row["consecutive_failures"])
    return states


# --------------------------------------------------------------------------- caches


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class AnswerCache:
    """Successful answers only, for ``cache_ttl`` seconds; failures are never cached."""

    def __init__(self, cfg: GdxSettings) -> None:
        self.cache = caches[cfg.cache_alias]
        self.ttl = cfg.cache_ttl
        self.base_url = cfg.base_url

    def key(self, path: str, params: dict[str, str]) -> str:
        return "exchange:answer:" + _digest(self.base_url, path, params)

    def get(self, key: str) -> Any:
        return self.cache.get(key) if self.ttl > 0 else None

    def put(self, key: str, body: Any) -> None:
        if self.ttl > 0:
            self.cache.set(key, body, self.ttl)


class TokenCache:
    """The GDX token, shared by every process that shares the cache; dropped on a 401."""

    def __init__(self, cfg: GdxSettings) -> None:
        self.cache = caches[cfg.cache_alias]
        self.ttl = cfg.token_ttl
        self.key = "exchange:token:" + _digest(cfg.base_url, cfg.consumer_key, cfg.agent_id)

    def get(self) -> str | None:
        value = self.cache.get(self.key)
        return value if isinstance(value, str) and value else None

    def put(self, token: str) -> None:
        self.cache.set(self.key, token, self.ttl)

    def forget(self, token: str) -> None:
        """Drop the cached token if it is the one the registry refused (another process may have renewed it)."""
        if self.cache.get(self.key) == token:
            self.cache.delete(self.key)
