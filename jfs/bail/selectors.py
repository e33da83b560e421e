"""Reads of bail records: who sees which (their office's; every office for the central office's
staff and the read-only roles), the list with each record's next hearing, one record with its
orders, deposits (with the ledger entry), hearings and returns."""

from __future__ import annotations

from django.db.models import Min, OuterRef, Q, QuerySet, Subquery

from jfs.accounts.models import User
from jfs.bail import models as m
from jfs.cases import selectors as case_selectors
from jfs.cases.models import Request
from jfs.core import clock
from jfslib import roles


def sees_all_offices(user: User) -> bool:
    """The central office's staff and the read-only roles read every office's bail records."""
    return user.is_authenticated and user.role in roles.STAFF_ROLES and user.role != roles.ADMINISTRATOR and (
        user.role in roles.ALL_OFFICES_READ or bool(user.office and user.office.is_central))


def visible_records(user: User) -> QuerySet[m.BailRecord]:
    """The bail records ``user`` may read."""
    qs = m.BailRecord.objects.select_related("request", "request__office", "responsible")
    if not user.is_authenticated or user.role not in roles.STAFF_ROLES or user.role == roles.ADMINISTRATOR:
        return qs.none()
    if sees_all_offices(user):
        return qs
    return qs.filter(Q(request__office_id=user.office_id) | Q(request__assigned_to=user))


def records_listed(user: User, *, status: str = "", office: str = "") -> QuerySet[m.BailRecord]:
    """The list: filtered by status and office code, each with its next hearing still to come
    (``next_hearing``), those with a hearing soonest first, then the newest."""
    qs = visible_records(user)
    if status:
        qs = qs.filter(status=status)
    if office:
        qs = qs.filter(request__office__code=office)
    upcoming = (m.Hearing.objects.filter(record=OuterRef("pk"), at__gte=clock.now(), appeared__isnull=True)
                .order_by().values("record").annotate(first=Min("at")).values("first"))
    return qs.annotate(next_hearing=Subquery(upcoming)).order_by("next_hearing", "-id")


def bail_request(user: User, request_id: int) -> Request | None:
    """A BAIL request whose bail page ``user`` may see: one the case pages show them, or any for the
    central office's staff."""
    if not user.is_authenticated or user.role not in roles.STAFF_ROLES or user.role == roles.ADMINISTRATOR:
        return None
    base = (Request.objects.select_related("applicant", "office", "assigned_to") if sees_all_offices(user)
            else case_selectors.visible_requests(user))
    return base.filter(pk=request_id, service="BAIL").first()


def record_of_request(user: User, request_id: int) -> m.BailRecord | None:
    return (visible_records(user).filter(request_id=request_id)
            .prefetch_related("orders", "deposits__entry", "hearings", "returns__entry").first())


def record_by_id(user: User, record_id: int) -> m.BailRecord | None:
    return (visible_records(user).filter(pk=record_id)
            .prefetch_related("orders", "deposits__entry", "hearings", "returns__entry").first())


def hearing_visible(user: User, hearing_id: int) -> m.Hearing | None:
    return m.Hearing.objects.filter(pk=hearing_id, record__in=visible_records(user)).select_related("record").first()


def absences(rec: m.BailRecord) -> list[m.Hearing]:
    """The hearings the released person did not appear at."""
    return [h for h in rec.hearings.all() if h.appeared is False]
