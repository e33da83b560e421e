"""The office head's team page: who in the office has set up their authenticator app, and one-time
activation codes for a newcomer or someone with a new phone (administrators see every office)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from jfs.accounts import enrolment
from jfs.accounts.http import StaffRequest
from jfs.accounts.models import User
from jfs.staff.access import roles_required
from jfslib import roles


def _team(issuer: User) -> list[User]:
    qs = User.objects.filter(is_active=True, role__in=roles.STAFF_ROLES).select_related("office")
    if issuer.role != roles.ADMINISTRATOR:
        qs = qs.filter(office=issuer.office)
    enrolled = set(TOTPDevice.objects.filter(confirmed=True, user__in=qs).values_list("user_id", flat=True))
    team = []
    for user in qs.order_by("office__code", "username"):
        user.has_authenticator = user.pk in enrolled  # type: ignore[attr-defined]
        user.may_issue = enrolment.may_issue(issuer, user)  # type: ignore[attr-defined]
        team.append(user)
    return team


@require_http_methods(["GET", "POST"])
@roles_required(roles.OFFICE_HEAD, roles.ADMINISTRATOR)
def team(request: StaffRequest) -> HttpResponse:
    issued = None
    error = ""
    status = 200
    if request.method == "POST":
        raw = request.POST.get("user", "")
        user = User.objects.filter(pk=int(raw)).first() if raw.isdecimal() and len(raw) < 12 else None
        if user is None:
            error, status = _("ไม่พบบัญชีนี้"), 404
        else:
            try:
                issued = {"user": user, "code": enrolment.issue_code(issuer=request.user, user=user)}
            except enrolment.EnrolmentRefused as exc:
                error, status = exc.message(request.LANGUAGE_CODE), 403
    resp = render(request, "staff/team.html", {"team": _team(request.user), "issued": issued, "error": error,
                                               "hours": settings.JFS_ACTIVATION_HOURS}, status=status)
    resp["Cache-Control"] = "private, no-store"  # the code is shown once
    return resp
