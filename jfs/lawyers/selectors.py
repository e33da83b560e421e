"""Reads of the roster, the engagements and a litigation request's money (jfs.lawyers)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from jfs.accounts.models import User
from jfs.cases import selectors as case_selectors
from jfs.cases.models import Request
from jfs.finance import accounts as acc
from jfs.finance import models as fm
from jfs.finance import services as ledger
from jfs.lawyers import models as m
from jfslib import roles


def _sees_all(user: User) -> bool:
    return user.role in roles.ALL_OFFICES_READ or bool(user.office and user.office.is_central)


def roster(user: User, *, q: str = "", speciality: str = "", office_id: int | None = None,
           active: bool | None = None) -> QuerySet[m.Lawyer]:
    """The lawyers ``user`` may see (their office's roster and the central office's; every office's
    for the central office and the read-only roles), with their workload (``workload``: active
    engagements), filtered by name or licence (``q``), speciality, office and whether active."""
    if not user.is_authenticated or user.role not in roles.STAFF_ROLES:
        return m.Lawyer.objects.none()
    qs = m.Lawyer.objects.select_related("office")
    if not _sees_all(user):
        qs = qs.filter(Q(office_id=user.office_id) | Q(office__is_central=True))
    if q.strip():
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(licence_no__icontains=q.strip()))
    if speciality:
        qs = qs.filter(specialities__contains=f",{speciality},")
    if office_id is not None:
        qs = qs.filter(office_id=office_id)
    if active is not None:
        qs = qs.filter(active=active)
    return qs.annotate(workload=Count("engagements", filter=Q(engagements__status=m.ACTIVE))).order_by("name", "id")


def lawyer(user: User, lawyer_id: int) -> m.Lawyer | None:
    return roster(user).filter(pk=lawyer_id).first()


def workload(lawyer_id: int) -> int:
    """Active engagements of a lawyer."""
    return m.Engagement.objects.filter(lawyer_id=lawyer_id, status=m.ACTIVE).count()


def engagements_of_lawyer(lawyer_id: int) -> list[m.Engagement]:
    return list(m.Engagement.objects.filter(lawyer_id=lawyer_id).select_related("request").order_by("-engaged_on",
                                                                                                      "-id"))


def visible_request(user: User, request_id: int) -> Request | None:
    """The request when ``user`` may see it (the case system's visibility; the central office's
    staff see every office's)."""
    if not user.is_authenticated or user.role not in roles.STAFF_ROLES:
        return None
    found = case_selectors.visible_requests(user).filter(pk=request_id).first()
    if found is None and user.office and user.office.is_central and user.role != roles.ADMINISTRATOR:
        found = Request.objects.select_related("applicant", "office", "assigned_to").filter(pk=request_id).first()
    return found


def engagements(request_id: int) -> list[m.Engagement]:
    """A request's engagements, the active one first, then the earlier ones newest first."""
    return list(m.Engagement.objects.filter(request_id=request_id).select_related("lawyer", "lawyer__office")
                .prefetch_related("milestones", "milestones__payment").order_by("status", "-engaged_on", "-id"))


def active_engagement(request_id: int) -> m.Engagement | None:
    return m.Engagement.objects.filter(request_id=request_id, status=m.ACTIVE).select_related("lawyer").first()


@dataclass(frozen=True)
class ItemMoney:
    key: str
    label_th: str
    label_en: str
    committed: Decimal
    paid: Decimal

    @property
    def left(self) -> Decimal:
        return self.committed - self.paid


def money(request_id: int) -> list[ItemMoney]:
    """Each committed item of the request: approved and committed, paid (less returned), left."""
    rows: dict[str, ItemMoney] = {}
    for c in fm.Commitment.objects.filter(request_id=request_id).order_by("id"):
        had = rows.get(c.item_key)
        rows[c.item_key] = ItemMoney(c.item_key, c.label_th, c.label_en,
                                     (had.committed if had else Decimal(0)) + c.amount, Decimal(0))
    return [ItemMoney(r.key, r.label_th, r.label_en, r.committed, ledger.paid_for(request_id, r.key))
            for r in rows.values()]


def postings(request_id: int) -> list[fm.Entry]:
    """The request's payments and returns (and their reversals), oldest first."""
    return list(fm.Entry.objects.filter(request_id=request_id, kind__in=(fm.DISBURSEMENT, fm.RETURN, fm.REVERSAL))
                .prefetch_related("lines").order_by("on_date", "id"))


def cash_amount(entry: fm.Entry) -> Decimal:
    """What an entry moved: the size of its cash line (paid out or received)."""
    return sum((abs(ln.amount) for ln in entry.lines.all() if ln.account == acc.CASH), Decimal(0))


def milestone(pk: int, request: Request | None = None) -> m.Milestone | None:
    """A milestone with its engagement and payment (of ``request`` only, when given)."""
    qs = m.Milestone.objects.select_related("engagement", "payment").filter(pk=pk)
    return (qs.filter(engagement__request=request) if request is not None else qs).first()


def milestones_of(engagement: m.Engagement) -> list[m.Milestone]:
    return list(m.Milestone.objects.filter(engagement=engagement).select_related("payment")
                .prefetch_related("payment__lines"))


def engagement(pk: int) -> m.Engagement | None:
    return m.Engagement.objects.select_related("lawyer", "lawyer__office").filter(pk=pk).first()
