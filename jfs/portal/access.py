"""Who may open a portal page: a citizen signed in on the portal (by the state digital ID or a
one-time code), never a staff session. Staff sign in on the staff pages with their second factor."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render

from jfslib import roles

#: the session key the sign-in sets: how this session was signed in ("digital_id" or "one_time_code")
ASSURANCE_KEY = "portal_assurance"
#: the sign-in page citizens are sent to
SIGN_IN_URL = "portal:sign_in"


def citizen_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A portal page for a signed-in citizen: anyone else is sent to the portal's sign-in page and
    comes back here; a staff member signed in on the staff pages is told this page is for citizens."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if user.is_authenticated and getattr(user, "role", "") != roles.CITIZEN:
            return render(request, "portal/staff_session.html", status=403)
        if not user.is_authenticated or not request.session.get(ASSURANCE_KEY):
            return redirect_to_login(request.get_full_path(), SIGN_IN_URL)
        return view(request, *args, **kwargs)

    return wrapper


def assurance(request: HttpRequest) -> str:
    """How this session was signed in ("" when it was not)."""
    return str(request.session.get(ASSURANCE_KEY, ""))
