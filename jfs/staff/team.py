"""The office head's team page: who in the office has set up their authenticator app, and one-time
activation codes for a newcomer or someone with a new phone (administrators see every office)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jfs.accounts import enrolment
from jfs.accounts import selectors as account_selectors
from jfs.accounts.http import StaffRequest
from jfs.accounts.models import User
from jfs.staff.access import roles_required
from jfslib import roles


def _team(issuer: User) -> list[User]:
    qs = account_selectors.team(issuer)
    enrolled = account_selectors.enrolled_ids(qs)
    team = []
    for user in qs:
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
        user = account_selectors.user_by_id(raw)
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
