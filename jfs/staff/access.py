"""Decorators for staff pages: signed in, second factor verified, staff role."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from jfslib import roles


def staff_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated or not user.is_verified():
            if request.headers.get("HX-Request") == "true":
                return _sign_in_again(request)
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        if getattr(user, "role", "") not in roles.STAFF_ROLES:
            return render(request, "staff/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _sign_in_again(request: HttpRequest) -> HttpResponse:
    """A part of a page (htmx: a registry panel polling, a list of options) asked for after the
    session ended: never the sign-in page swapped into the panel, but the whole page sent to sign in,
    coming back to the page the person was on (htmx follows ``HX-Redirect`` with a full load)."""
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    back = current.path + (f"?{current.query}" if current.query else "") if current.path.startswith("/") else "/staff/"
    response = HttpResponse(status=204)
    response["HX-Redirect"] = redirect_to_login(back, settings.LOGIN_URL)["Location"]
    return response


def roles_required(*allowed: str) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    def deco(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @staff_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if getattr(request.user, "role", "") not in allowed:
                return render(request, "staff/forbidden.html", status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return deco
