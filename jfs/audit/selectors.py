"""Reads of the audit log: the auditor's search (``jfs.staff.audit_search`` is its page)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from jfs.audit.models import AuditEvent
from jfs.audit.services import naming_request


def search(*, reference: str = "", actor: str = "", action: str = "", since: datetime | None = None,
           until: datetime | None = None) -> QuerySet[AuditEvent]:
    """Events about a request number (its own and the lists that showed it), by an actor, of an
    action, between two moments; each condition only when given. Newest first."""
    qs = AuditEvent.objects.all()
    if reference:
        qs = qs.filter(naming_request(reference.upper()))
    if actor:
        qs = qs.filter(actor_username=actor)
    if action:
        qs = qs.filter(action=action)
    if since is not None:
        qs = qs.filter(at__gte=since)
    if until is not None:
        qs = qs.filter(at__lte=until)
    return qs.order_by("-id")
