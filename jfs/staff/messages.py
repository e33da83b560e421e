"""The officer's answer to the applicant's messages, from the staff case page (the panel:
``templates/staff/case/_messages.html``; the rules: ``jfs.tracking.services.send_message``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jfs.accounts.http import StaffRequest
from jfs.cases import selectors
from jfs.cases.errors import CaseError
from jfs.staff.access import staff_required
from jfs.tracking import services as tracking
from jfs.tracking.templatetags.tracking import UNSENT_KEY


@require_POST
@staff_required
def reply(request: StaffRequest, pk: int) -> HttpResponse:
    """Send a message to the applicant; a refusal comes back on the case page with the text kept."""
    req = selectors.get_visible(request.user, pk)  # 404 outside the officer's scope
    text = request.POST.get("text", "")
    unsent = dict(request.session.get(UNSENT_KEY, {}))
    try:
        tracking.send_message(actor=request.user, request_id=req.pk, text=text)
    except CaseError as exc:
        unsent[str(req.pk)] = text[: tracking.MESSAGE_MAX * 2]
        messages.error(request, exc.message("en" if translation.get_language() == "en" else "th"))
    else:
        unsent.pop(str(req.pk), None)
        tracking.mark_read(reader=request.user, request=req)
        messages.success(request, _("ส่งข้อความถึงผู้ขอแล้ว ผู้ขอได้รับแจ้งเตือนตามช่องทางที่เลือกไว้"))
    request.session[UNSENT_KEY] = unsent
    return redirect(reverse("staff:case", args=[req.pk]) + "#h-messages")
