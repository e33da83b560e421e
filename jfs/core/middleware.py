"""Keeps who is asking and from where in a context variable, for the audit log."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class RequestContext:
    ip: str = ""
    user_agent: str = ""
    path: str = ""


_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "jfs_request_context", default=RequestContext()
)


def current() -> RequestContext:
    return _current.get()


def client_ip(request: HttpRequest) -> str:
    # Behind a trusted proxy set JFS_TRUST_X_FORWARDED_FOR; otherwise use the socket address.
    from django.conf import settings

    if getattr(settings, "JFS_TRUST_X_FORWARDED_FOR", False):
        fwd = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if fwd:
            return fwd.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current.set(
            RequestContext(
                ip=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:200],
                path=request.path[:200],
            )
        )
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
