"""The administrators' site at /admin/.

- It has no sign-in form of its own: it sends people to the staff sign-in, so the admin is behind
  the same password + TOTP second factor, lockout and audit as every other staff page.
- Only an administrator whose session passed the second factor gets in; anyone else signed in
  sees a refusal, not a second sign-in form.
- It holds only what administrators keep: accounts (with activation codes and lockouts), offices,
  office closures and API tokens. Models that other packages register (TOTP devices, whose pages
  show the secret key; lockout records; task results; groups) are not taken: a reset replaces a
  device, nobody reads a key.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from jfs.accounts.views import logout_view
from jfslib import roles

#: the models the admin manages (``app_label.model``)
ADMIN_MODELS = frozenset({"accounts.user", "accounts.office", "accounts.officeclosure", "accounts.apitoken"})


def may_administer(request: HttpRequest) -> bool:
    user = request.user
    return bool(
        user.is_active and user.is_authenticated and getattr(user, "role", "") == roles.ADMINISTRATOR
        and user.is_verified()  # django-otp's OTPMiddleware sets it on each request's user
    )


class JfsAdminSite(admin.AdminSite):
    site_header = "ผู้ดูแลระบบ · Administration — ระบบสารสนเทศกองทุนยุติธรรม"
    site_title = "JFS admin"
    index_title = "บัญชีผู้ใช้ สำนักงาน วันปิดทำการ และโทเค็น API · Accounts, offices, closures and API tokens"

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        models: Iterable[type[Model]] = (
            [model_or_iterable] if isinstance(model_or_iterable, type) else model_or_iterable
        )
        kept = [m for m in models if m._meta.label_lower in ADMIN_MODELS]
        if kept:
            super().register(kept, admin_class, **options)

    def has_permission(self, request: HttpRequest) -> bool:
        return may_administer(request)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if may_administer(request):
            nxt = request.GET.get("next", "")
            safe = url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure())
            return redirect(nxt if nxt and safe else reverse("admin:index"))
        if request.user.is_authenticated and request.user.is_verified():
            # a member of staff who passed both factors but is not an administrator
            return render(request, "staff/forbidden.html", status=403)
        nxt = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': nxt})}")

    def logout(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        return logout_view(request)
