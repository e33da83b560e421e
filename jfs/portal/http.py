"""The portal pages' small HTTP helpers, shared by every area's module: the reader's language,
a 303 "see other" redirect after a POST, and the signed-in citizen behind ``citizen_required``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation

from jfs.accounts.models import User


def lang() -> str:
    """The reader's language for bilingual texts: "en" when the page is in English, else "th"."""
    return "en" if (translation.get_language() or "th").startswith("en") else "th"


def see_other(url: str) -> HttpResponse:
    """A 303 redirect: after a POST the browser GETs the next page (a reload does not re-post)."""
    resp = HttpResponseRedirect(url)
    resp.status_code = 303
    return resp


def citizen(request: HttpRequest) -> User:
    """The signed-in citizen (the pages that call this are behind ``citizen_required``)."""
    user = request.user
    assert isinstance(user, User)
    return user
