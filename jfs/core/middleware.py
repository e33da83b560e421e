"""Keeps who is asking and from where in a context variable, for the audit log and the logs.

Every request has an id: the proxy's ``X-Request-ID`` (nginx's ``$request_id``, also in its
access log) when it is a plain token, else a new random one. It is sent back in the
``X-Request-ID`` response header and added to every log line written while serving the request.
"""

from __future__ import annotations

import contextvars
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


@dataclass(frozen=True)
class RequestContext:
    ip: str = ""
    user_agent: str = ""
    path: str = ""
    request_id: str = ""


#: an X-Request-ID we take from the proxy as it is (anything else is replaced, never logged)
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def request_id(request: HttpRequest) -> str:
    given = request.META.get("HTTP_X_REQUEST_ID", "")
    return given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "jfs_request_context", default=RequestContext()  # noqa: B039 - frozen dataclass, immutable
)


def current() -> RequestContext:
    return _current.get()


def client_ip(request: HttpRequest) -> str:
    # Behind a trusted proxy set JFS_TRUST_X_FORWARDED_FOR; otherwise use the socket address.
    if getattr(settings, "JFS_TRUST_X_FORWARDED_FOR", False):
        fwd = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if fwd:
            return fwd.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = request.request_id = request_id(request)  # type: ignore[attr-defined]
        token = _current.set(
            RequestContext(
                ip=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:200],
                path=request.path[:200],
                request_id=rid,
            )
        )
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response.headers.setdefault("X-Request-ID", rid)
        return response


class NoStoreMiddleware:
    """Nothing the application itself answers is kept by a browser or a proxy, unless the view said
    otherwise: its pages carry personal data, TOTP secrets and activation codes, and an office
    computer is shared (the next person's Back button must not show them). Static files are served
    (and cached) by WhiteNoise before this runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Cache-Control", "private, no-store")
        return response


class ThaiFirstLocaleMiddleware:
    """Thai unless the person chose English with the language switch (the cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an officer
    whose browser is set to English would land in English: the fund's staff and
    citizens read Thai first, and English is an explicit choice.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        lang = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        translation.deactivate()
        return response
