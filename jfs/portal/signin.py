"""Portal sign-in for citizens (issue 12, item 2): the state digital ID (ThaID, recommended) or a
one-time code by SMS or e-mail at a lower assurance; sign-out.

On success the session gets a new key, the citizen is signed in, ``ASSURANCE_KEY`` records how,
and the citizen goes to ``next`` (a path on this site only) or their requests. Staff accounts
are refused politely: staff sign in on the staff pages with their second factor. Every refusal
(wrong state, nonce, audience, expired token, wrong code) is a Thai page or form error, audited
by the services, never a 500, and signs nobody in.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from jfs.accounts.models import User
from jfs.citizens import digital_id, services
from jfs.citizens.errors import SignInRefused, StaffAccount
from jfs.citizens.models import DIGITAL_ID, EMAIL, ONE_TIME_CODE, SMS
from jfs.portal.access import ASSURANCE_KEY
from jfs.portal.http import lang as _lang
from jfslib import roles

#: the code-entry page's state: which code was sent, where (masked), and where to go afterwards
CODE_KEY = "portal_code"
NEXT_KEY = "portal_sign_in_next"
DEFAULT_NEXT = "/my/requests/"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _safe_next(request: HttpRequest, value: str | None) -> str:
    """A path on this site (``/...``), never another host; otherwise the citizen's requests."""
    if (
        value
        and value.startswith("/")
        and not value.startswith("//")
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return value
    return DEFAULT_NEXT


def _staff_signed_in(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated and getattr(request.user, "role", "") != roles.CITIZEN)


def _sign_in(request: HttpRequest, user: User, assurance: str, next_url: str) -> HttpResponse:
    request.session.cycle_key()
    login(request, user, backend=BACKEND)
    request.session[ASSURANCE_KEY] = assurance
    return redirect(next_url)


# --------------------------------------------------------------------------- choose how


@require_http_methods(["GET"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if _staff_signed_in(request):
        return render(request, "portal/staff_session.html", status=403)
    request.session[NEXT_KEY] = _safe_next(request, request.GET.get("next"))
    return render(request, "portal/signin/choose.html", {"next": request.session[NEXT_KEY]})


# --------------------------------------------------------------------------- the state digital ID


@require_http_methods(["GET"])
def digital_id_start(request: HttpRequest) -> HttpResponse:
    """Leave for the digital ID's login page (a link, not a form: the page then belongs to the provider)."""
    if _staff_signed_in(request):
        return render(request, "portal/staff_session.html", status=403)
    next_url = _safe_next(request, request.GET.get("next") or request.session.get(NEXT_KEY))
    callback = request.build_absolute_uri(reverse("portal:sign_in_digital_id_callback"))
    try:
        url = digital_id.begin(request.session, callback, next_url)
    except SignInRefused as exc:
        return _refused(request, exc)
    return HttpResponseRedirect(url)


@require_http_methods(["GET"])
def digital_id_callback(request: HttpRequest) -> HttpResponse:
    """Back from the digital ID: check everything, then sign the citizen in."""
    next_url = _safe_next(request, digital_id.flow_next(request.session))
    try:
        claims = digital_id.complete(request.session, request.GET.dict())
        user = services.sign_in_with_digital_id(claims, issuer=digital_id.metadata()["issuer"])
    except SignInRefused as exc:
        return _refused(request, exc)
    return _sign_in(request, user, DIGITAL_ID, next_url)


def _refused(request: HttpRequest, exc: SignInRefused) -> HttpResponse:
    staff = isinstance(exc, StaffAccount)
    context = {"message": exc.message(_lang()), "staff": staff, "reason": exc.reason}
    return render(request, "portal/signin/refused.html", context, status=403 if staff else 400)


# --------------------------------------------------------------------------- one-time codes


class PhoneForm(forms.Form):
    address = forms.CharField(
        label=gettext_lazy("หมายเลขโทรศัพท์มือถือ"),
        max_length=40,
        help_text=gettext_lazy("เราจะส่งรหัส 6 หลักทาง SMS ไปที่หมายเลขนี้ เช่น 081-234-5678"),
        error_messages={"required": gettext_lazy("กรุณากรอกหมายเลขโทรศัพท์มือถือ")},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "spellcheck": "false"}),
    )


class EmailForm(forms.Form):
    address = forms.CharField(
        label=gettext_lazy("อีเมล"),
        max_length=320,
        help_text=gettext_lazy("เราจะส่งรหัส 6 หลักไปที่อีเมลนี้"),
        error_messages={"required": gettext_lazy("กรุณากรอกอีเมล")},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("รหัส 6 หลัก"),
        max_length=12,
        error_messages={"required": gettext_lazy("กรุณากรอกรหัส 6 หลักที่ได้รับ")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "spellcheck": "false"}),
    )


@require_http_methods(["GET", "POST"])
def code_request(request: HttpRequest, channel: str) -> HttpResponse:
    """Ask for the mobile number or the e-mail address; send the code."""
    if _staff_signed_in(request):
        return render(request, "portal/signin/refused.html", {"staff": True}, status=403)
    form_class = PhoneForm if channel == SMS else EmailForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.start_one_time_code(channel, form.cleaned_data["address"])
        except SignInRefused as exc:
            form.add_error("address", exc.message(_lang()))
        else:
            request.session[CODE_KEY] = {"id": sent.code_id, "channel": channel, "to": sent.masked_address}
            return redirect("portal:sign_in_code_enter")
    return render(request, "portal/signin/address.html", {"form": form, "channel": channel})


@require_http_methods(["GET", "POST"])
def code_enter(request: HttpRequest) -> HttpResponse:
    """Type the code that arrived."""
    pending = request.session.get(CODE_KEY)
    if not isinstance(pending, dict):
        return redirect("portal:sign_in")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.verify_one_time_code(int(pending["id"]), form.cleaned_data["code"])
        except SignInRefused as exc:
            if exc.reason == "staff_account":
                return _refused(request, exc)
            form.add_error("code", exc.message(_lang()))
        else:
            next_url = _safe_next(request, request.session.get(NEXT_KEY))
            request.session.pop(CODE_KEY, None)
            return _sign_in(request, user, ONE_TIME_CODE, next_url)
    context: dict[str, Any] = {"form": form, "channel": pending.get("channel"), "to": pending.get("to")}
    return render(request, "portal/signin/code.html", context)


# --------------------------------------------------------------------------- sign out


@require_http_methods(["POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    response = redirect("portal:sign_in")
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


urlpatterns: list[URLPattern] = [
    path("sign-in/", sign_in, name="sign_in"),
    path("sign-in/digital-id/", digital_id_start, name="sign_in_digital_id"),
    path("sign-in/digital-id/callback/", digital_id_callback, name="sign_in_digital_id_callback"),
    path("sign-in/code/sms/", code_request, {"channel": SMS}, name="sign_in_code_sms"),
    path("sign-in/code/email/", code_request, {"channel": EMAIL}, name="sign_in_code_email"),
    path("sign-in/code/", code_enter, name="sign_in_code_enter"),
    path("sign-out/", sign_out, name="sign_out"),
]
