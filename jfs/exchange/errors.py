"""Why a registry call did not give an answer. Messages name the registry and a code, never personal data."""

from __future__ import annotations

from datetime import datetime


class ExchangeError(Exception):
    """A registry call that produced no usable answer.

    ``code`` is stored on the check (``last_error``); ``retryable`` says whether trying again
    later may help; ``counts_for_breaker`` whether it is evidence that the registry is unwell.
    """

    code = "error"
    retryable = True
    counts_for_breaker = True

    def __init__(self, registry: str, code: str | None = None) -> None:
        self.registry = registry
        if code:
            self.code = code
        super().__init__(f"{registry}: {self.code}")


class RegistryTimeout(ExchangeError):
    code = "timeout"


class RegistryUnreachable(ExchangeError):
    code = "connection"


class RegistryServerError(ExchangeError):
    def __init__(self, registry: str, status: int) -> None:
        self.status = status
        super().__init__(registry, f"http_{status}")


class MalformedAnswer(ExchangeError):
    """The body is not JSON (or is cut off)."""

    code = "malformed"


class PartialAnswer(ExchangeError):
    """The body is JSON but lacks required fields or has wrong types."""

    code = "partial"


class CircuitOpen(ExchangeError):
    """The registry failed repeatedly; calls are short-circuited until the cool-down ends."""

    code = "circuit_open"
    counts_for_breaker = False

    def __init__(self, registry: str, retry_at: datetime | None = None) -> None:
        self.retry_at = retry_at
        super().__init__(registry)


class RegistryRefused(ExchangeError):
    """A 4xx answer other than 401/404: our request is wrong; retrying will not help."""

    retryable = False
    counts_for_breaker = False

    def __init__(self, registry: str, status: int) -> None:
        self.status = status
        super().__init__(registry, f"http_{status}")


class AuthenticationFailed(ExchangeError):
    """GDX refused our Consumer-Key/ConsumerSecret, or a fresh token: a configuration problem."""

    code = "auth_failed"
    retryable = False
    counts_for_breaker = False


class NotFound(Exception):
    """The registry answered 404: it holds no record for this citizen ID (an answer, not a failure)."""
