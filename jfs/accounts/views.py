"""Sign-in for staff: password, then a TOTP one-time code. Enrolling an authenticator app (the
first time, or a new phone) needs a one-time activation code issued by an administrator or the
office head: a password alone never shows a TOTP secret.

Failed passwords, codes and activation codes all count towards the lockout (django-axes):
after JFS_LOGIN_FAILURE_LIMIT failures that username is locked from that address for a while.
The admin site (/admin/) signs in here too.
"""

from __future__ import annotations

import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from jfs.accounts import enrolment
from jfs.accounts.models import ActivationCode, User
from jfs.audit.services import record
from jfs.core import clock

PENDING = "jfs_pending_2fa_user"
NEXT = "jfs_next"
#: the activation code a pending user typed correctly (its pk), for the enrolment's second step
ENROL_CODE = "jfs_enrol_code"


class LoginForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("ชื่อผู้ใช้"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}))
    password = forms.CharField(label=gettext_lazy("รหัสผ่าน"),
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=gettext_lazy("รหัสยืนยัน 6 หลักจากแอปยืนยันตัวตน"), regex=r"^\s*\d{6}\s*$", max_length=8,
        error_messages={"invalid": gettext_lazy("กรุณากรอกตัวเลข 6 หลัก")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class ActivationForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("รหัสเปิดใช้งานที่ได้รับจากผู้ดูแลระบบหรือหัวหน้าสำนักงาน"), max_length=20,
        error_messages={"required": gettext_lazy("กรุณากรอกรหัสเปิดใช้งาน")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


def _locked(request: HttpRequest, username: str) -> bool:
    return AxesProxyHandler.is_locked(request, credentials={"username": username})


def _safe_next(request: HttpRequest, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}):
        return value
    return reverse("staff:queue")


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        if _locked(request, username):
            return render(request, "accounts/locked.html", status=403)
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if getattr(request, "axes_locked_out", False) or _locked(request, username):
            return render(request, "accounts/locked.html", status=403)
        if user is None:
            form.add_error(None, _("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"))
        else:
            request.session[PENDING] = user.pk
            request.session[NEXT] = _safe_next(request, request.GET.get("next"))
            return redirect("accounts:otp")
    return render(request, "accounts/login.html", {"form": form})


def _qr_svg(uri: str) -> str:
    img = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buf = BytesIO()
    img.save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode()


def _pending_user(request: HttpRequest) -> User | None:
    pk = request.session.get(PENDING)
    return User.objects.filter(pk=pk, is_active=True).first() if pk else None


def _failed(request: HttpRequest, user: User, step: str) -> None:
    """A wrong code counts towards the lockout like a wrong password, and is audited."""
    user_login_failed.send(sender=__name__, credentials={"username": user.username}, request=request)
    record("login_failed", object_type="user", object_id=str(user.pk), details={"step": step})


def _sign_in(request: HttpRequest, user: User, device: TOTPDevice) -> HttpResponse:
    user.backend = "django.contrib.auth.backends.ModelBackend"
    nxt = request.session.get(NEXT) or reverse("staff:queue")
    login(request, user)  # a new session: the pending-user keys go with the old one
    otp_login(request, device)
    details = {"area": "admin"} if nxt.startswith(reverse("admin:index")) else {}
    record("login", actor=user, object_type="user", object_id=str(user.pk), details=details)
    return redirect(nxt)


@require_http_methods(["GET", "POST"])
def otp_view(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the person's confirmed authenticator. Without one, the
    person enrols first (``enrol_view``), which needs an activation code."""
    user = _pending_user(request)
    if user is None:
        return redirect("accounts:login")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return redirect("accounts:enrol")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _locked(request, user.username):
            return render(request, "accounts/locked.html", status=403)
        if device.verify_token(form.cleaned_data["token"].strip()):
            return _sign_in(request, user, device)
        _failed(request, user, "otp")
        if _locked(request, user.username):
            return render(request, "accounts/locked.html", status=403)
        form.add_error("token", _("รหัสยืนยันไม่ถูกต้องหรือหมดอายุ"))
    context = {"form": form, "enrolling": False, "user_display": user.get_full_name() or user.username}
    return render(request, "accounts/otp.html", context)


@require_http_methods(["GET", "POST"])
def enrol_view(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app (first sign-in, or a new phone): after the password, the person
    types the activation code an administrator or their office head gave them; only then is a new
    secret shown, and it replaces the old device once a code from the app confirms it."""
    user = _pending_user(request)
    if user is None:
        return redirect("accounts:login")
    code_id = request.session.get(ENROL_CODE)
    code = ActivationCode.objects.filter(pk=code_id, user=user, used_at__isnull=True, revoked_at__isnull=True,
                                         expires_at__gt=clock.now()).first() if code_id else None
    display = user.get_full_name() or user.username
    if code is None:
        form: forms.Form = ActivationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if _locked(request, user.username):
                return render(request, "accounts/locked.html", status=403)
            found = enrolment.valid_code(user, form.cleaned_data["code"])
            if found is not None:
                request.session[ENROL_CODE] = found.pk
                return redirect("accounts:enrol")
            _failed(request, user, "activation_code")
            if _locked(request, user.username):
                return render(request, "accounts/locked.html", status=403)
            form.add_error("code", _("รหัสเปิดใช้งานไม่ถูกต้อง หมดอายุ หรือถูกใช้แล้ว"))
        return render(request, "accounts/enrol.html", {"form": form, "step": "code", "user_display": display})
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name="authenticator", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _locked(request, user.username):
            return render(request, "accounts/locked.html", status=403)
        if device.verify_token(form.cleaned_data["token"].strip()):
            try:
                enrolment.complete_enrolment(user=user, code_id=code.pk, device=device)
            except enrolment.EnrolmentRefused:
                request.session.pop(ENROL_CODE, None)
                return redirect("accounts:enrol")
            return _sign_in(request, user, device)
        _failed(request, user, "otp")
        if _locked(request, user.username):
            return render(request, "accounts/locked.html", status=403)
        form.add_error("token", _("รหัสยืนยันไม่ถูกต้องหรือหมดอายุ"))
    context = {"form": form, "step": "device", "enrolling": True, "user_display": display,
               "qr": _qr_svg(device.config_url), "secret": base64.b32encode(device.bin_key).decode()}
    return render(request, "accounts/enrol.html", context)


@require_http_methods(["POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    response = redirect("accounts:login")
    # the browser drops what it kept of the session's pages (a shared office computer)
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response
