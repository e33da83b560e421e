"""Portal pages for notifications (issue 12, item 6): the citizen's inbox (messages newest first,
unread said in words; opening one marks it read and links onward) and the channels they are told
by besides the inbox (SMS to a Thai mobile, e-mail, LINE). Another citizen's message is a 404,
audited. Writes go through jfs.notify.services and jfs.core.notifications."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from jfs.accounts.models import User
from jfs.audit.services import record
from jfs.core.notifications import mark_read
from jfs.notify import selectors, services
from jfs.portal.access import citizen_required
from jfs.portal.http import citizen as _citizen
from jfs.portal.http import lang as _lang
from jfs.portal.http import see_other as _see_other
from jfslib import thai_phone


def _onward(request: HttpRequest, link: str) -> str:
    """A message's link, only a path on this site (never an address elsewhere, nor one a browser
    reads as elsewhere, such as ``/\\evil.example``): checked as sign-in checks ``next``."""
    same_site = url_has_allowed_host_and_scheme(
        link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return link if same_site and link.startswith("/") and not link.startswith("//") else ""


@citizen_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = _citizen(request)
    lang = _lang()
    items = [{"note": n, "subject": n.text(lang)[0], "unread": n.read_at is None} for n in selectors.inbox(user.pk)]
    unread = sum(1 for i in items if i["unread"])
    return render(request, "portal/inbox/list.html", {"items": items, "unread": unread})


@citizen_required
def message(request: HttpRequest, pk: int) -> HttpResponse:
    user = _citizen(request)
    note = selectors.message_of(user.pk, pk)
    if note is None:
        record(
            "portal_access_refused", actor=user, object_type="notification", object_id=str(pk), purpose="access refused"
        )
        raise Http404
    if note.read_at is None:
        mark_read(user.pk, note.pk)
    subject, body = note.text(_lang())
    return render(
        request,
        "portal/inbox/message.html",
        {"note": note, "subject": subject, "body": body, "onward": _onward(request, note.link)},
    )


class ChannelsForm(forms.Form):
    sms = forms.BooleanField(required=False, label=gettext_lazy("ข้อความ SMS ทางโทรศัพท์มือถือ"))
    sms_number = forms.CharField(
        required=False,
        max_length=40,
        label=gettext_lazy("หมายเลขโทรศัพท์มือถือ"),
        help_text=gettext_lazy("เช่น 081-234-5678"),
        widget=forms.TextInput(attrs={"autocomplete": "tel-national", "inputmode": "tel"}),
    )
    email = forms.BooleanField(required=False, label=gettext_lazy("อีเมล"))
    email_address = forms.CharField(
        required=False,
        max_length=254,
        label=gettext_lazy("อีเมลของท่าน"),
        help_text=gettext_lazy("เช่น somchai@example.com"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    line = forms.BooleanField(required=False, label=gettext_lazy("LINE"))
    line_user_id = forms.CharField(
        required=False,
        max_length=64,
        label=gettext_lazy("รหัสผู้ใช้ LINE"),
        help_text=gettext_lazy("ได้จากการเพิ่มเพื่อน LINE ของกองทุนยุติธรรม ขึ้นต้นด้วย U"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


def _initial(user: User) -> dict[str, Any]:
    choice = selectors.channels_of(user.pk)
    if choice is None:
        return {"sms_number": thai_phone.display(user.phone) if user.phone else "", "email_address": user.email}
    return {
        "sms": choice.sms,
        "sms_number": thai_phone.display(choice.sms_number) if choice.sms_number else "",
        "email": choice.email,
        "email_address": choice.email_address,
        "line": choice.line,
        "line_user_id": choice.line_user_id,
    }


@citizen_required
@require_http_methods(["GET", "POST"])
def channels(request: HttpRequest) -> HttpResponse:
    user = _citizen(request)
    if request.method == "POST":
        form = ChannelsForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            choice, problems = services.set_channels(
                user,
                sms=data["sms"],
                sms_number=data["sms_number"],
                email=data["email"],
                email_address=data["email_address"],
                line=data["line"],
                line_user_id=data["line_user_id"],
            )
            if choice is not None:
                messages.success(request, _("บันทึกช่องทางรับข้อความแล้ว"))
                return _see_other(reverse("portal:channels"))
            for problem in problems:
                form.add_error(problem.field or None, problem.message(_lang()))
        status = 400
    else:
        form = ChannelsForm(initial=_initial(user))
        status = 200
    return render(request, "portal/inbox/channels.html", {"form": form}, status=status)


urlpatterns: list[URLPattern] = [
    path("my/inbox/", inbox, name="inbox"),
    path("my/inbox/<int:pk>/", message, name="inbox_message"),
    path("my/notifications/", channels, name="channels"),
]
