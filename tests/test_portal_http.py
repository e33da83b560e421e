"""The portal's shared HTTP helpers (jfs/portal/http.py): one copy, used by every area's module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils import translation

from jfs.portal import http

PORTAL = Path(__file__).resolve().parent.parent / "jfs" / "portal"
#: the signed-in areas' modules (the public pages keep their own one-line ``_lang``)
MODULES = ("apply", "complaints", "consult", "inbox", "signin", "track")
SHARED = {"_lang", "_see_other", "_citizen", "_user"}


def test_no_portal_module_keeps_its_own_copy_of_the_shared_helpers() -> None:
    copies = []
    for path in (PORTAL / f"{name}.py" for name in MODULES):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and node.name in SHARED:
                copies.append(f"{path.name}:{node.name}")
    assert copies == []


def test_see_other_is_a_303_to_the_url() -> None:
    resp = http.see_other("/my/inbox/")
    assert resp.status_code == 303
    assert resp["Location"] == "/my/inbox/"


@pytest.mark.parametrize(("code", "expected"), [("th", "th"), ("en", "en"), ("en-us", "en")])
def test_lang_follows_the_active_language(code: str, expected: str) -> None:
    with translation.override(code):
        assert http.lang() == expected


def test_citizen_refuses_a_request_without_a_signed_in_user() -> None:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with pytest.raises(AssertionError):
        http.citizen(request)
