"""The auditor's search over the audit log (read-only)."""

from __future__ import annotations

from datetime import datetime, time

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from jfs.audit.models import AuditEvent
from jfs.audit.services import record
from jfs.staff.access import roles_required
from jfslib import roles, thaidate

ACTIONS = ["create", "update", "transition", "view_personal_data", "document_upload", "login", "login_failed", "escalate"]


def _day(text: str, end: bool = False) -> datetime | None:
    if not text:
        return None
    try:
        d = thaidate.parse_date(text, era="BE")
    except thaidate.DateInputError:
        return None
    return timezone.make_aware(datetime.combine(d, time.max if end else time.min))


@require_GET
@roles_required(roles.AUDITOR, roles.ADMINISTRATOR)
def audit_search(request: HttpRequest) -> HttpResponse:
    p = request.GET
    qs = AuditEvent.objects.all()
    if p.get("reference"):
        qs = qs.filter(reference=p["reference"].strip().upper())
    if p.get("actor"):
        qs = qs.filter(actor_username=p["actor"].strip())
    if p.get("action") in ACTIONS:
        qs = qs.filter(action=p["action"])
    start, end = _day(p.get("from", "")), _day(p.get("to", ""), end=True)
    errors = []
    if p.get("from") and start is None:
        errors.append("วันที่เริ่มต้นไม่ถูกต้อง (ใช้ วว/ดด/ปปปป พ.ศ.)")
    if p.get("to") and end is None:
        errors.append("วันที่สิ้นสุดไม่ถูกต้อง (ใช้ วว/ดด/ปปปป พ.ศ.)")
    if start:
        qs = qs.filter(at__gte=start)
    if end:
        qs = qs.filter(at__lte=end)
    page = Paginator(qs.order_by("-seq"), 50).get_page(p.get("page"))
    record("audit_search", actor=request.user, object_type="audit", details={k: v for k, v in p.items() if k != "page"})
    return render(request, "staff/audit.html", {"page": page, "params": p, "actions": ACTIONS, "errors": errors})
