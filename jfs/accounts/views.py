"""Sign-in for staff: password, then a TOTP one-time code (enrolled on first sign-in).

Failed passwords and failed codes both count towards the lockout (django-axes):
after JFS_LOGIN_FAILURE_LIMIT failures the account is locked for a while.
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

from jfs.accounts.models import User
from jfs.audit.services import record

PENDING = "jfs_pending_2fa_user"
NEXT = "jfs_next"


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


@require_http_methods(["GET", "POST"])
def otp_view(request: HttpRequest) -> HttpResponse:
    pk = request.session.get(PENDING)
    user = User.objects.filter(pk=pk, is_active=True).first() if pk else None
    if user is None:
        return redirect("accounts:login")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
            user=user, name="authenticator", confirmed=False
        )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _locked(request, user.username):
            return render(request, "accounts/locked.html", status=403)
        if device.verify_token(form.cleaned_data["token"].strip()):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            user.backend = "django.contrib.auth.backends.ModelBackend"
            nxt = request.session.get(NEXT) or reverse("staff:queue")
            login(request, user)
            otp_login(request, device)
            record("login", actor=user, object_type="user", object_id=str(user.pk))
            return redirect(nxt)
        user_login_failed.send(
            sender=__name__, credentials={"username": user.username}, request=request
        )
        record("login_failed", object_type="user", object_id=str(user.pk), details={"step": "otp"})
        if _locked(request, user.username):
            return render(request, "accounts/locked.html", status=403)
        form.add_error("token", _("รหัสยืนยันไม่ถูกต้องหรือหมดอายุ"))
    context = {"form": form, "enrolling": enrolling, "user_display": user.get_full_name() or user.username}
    if enrolling:
        context["qr"] = _qr_svg(device.config_url)
        context["secret"] = base64.b32encode(device.bin_key).decode()
    return render(request, "accounts/otp.html", context)


@require_http_methods(["POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")
