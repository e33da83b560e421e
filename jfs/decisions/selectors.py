"""Reads of committees, meetings, decisions and appeals (pages and the API read through these)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from jfs.accounts.models import User
from jfs.cases import reasons
from jfs.cases.models import Request
from jfs.core import clock
from jfs.decisions import authority
from jfs.decisions import models as m

# --------------------------------------------------------------------------- seats


def _seats(committee: m.Committee, on: date) -> QuerySet[m.Membership]:
    return committee.memberships.filter(since__lte=on).filter(Q(until__isnull=True) | Q(until__gt=on))


def seat_of(user: User, committee: m.Committee, on: date) -> m.Membership | None:
    return _seats(committee, on).filter(user=user).first()


def holds_seat(user: User, committee: m.Committee, position: str, on: date) -> bool:
    return _seats(committee, on).filter(user=user, position=position).exists()


def seat_holder(committee: m.Committee, position: str, on: date) -> User | None:
    seat = _seats(committee, on).filter(position=position).select_related("user").first()
    return seat.user if seat else None


def members(committee: m.Committee, on: date | None = None) -> list[m.Membership]:
    return list(_seats(committee, on or clock.today()).select_related("user").order_by("position", "id"))


def voting_members(committee: m.Committee, on: date) -> list[m.Membership]:
    return [s for s in members(committee, on) if s.position in m.VOTING_POSITIONS]


def voting_present(meeting: m.Meeting) -> int:
    return meeting.attendance.filter(position__in=m.VOTING_POSITIONS).count()


def committees_of(user: User, on: date | None = None) -> list[m.Committee]:
    day = on or clock.today()
    return list(m.Committee.objects.filter(
        memberships__user=user, memberships__since__lte=day).filter(
        Q(memberships__until__isnull=True) | Q(memberships__until__gt=day)).distinct().select_related("office"))


# --------------------------------------------------------------------------- who decides


def deciding_committee(req: Request, on: date | None = None) -> m.Committee | None:
    """The committee that decides ``req`` (``governance/authority.yaml``); None for a service that
    has no decision or when the committee is not set up."""
    route = authority.route(req.service, req.amount_requested, req.office.is_central, req.received_on)
    if route is None:
        return None
    if route.level == authority.PROVINCIAL:
        return m.Committee.objects.filter(level=m.LEVEL_PROVINCIAL, office_id=req.office_id).first()
    return m.Committee.objects.filter(code=route.central_code).first()


def route_text(req: Request, lang: str | None) -> str:
    """Who decides, in words ("the provincial subcommittee", "the central subcommittee: above the
    provincial limit of N baht")."""
    route = authority.route(req.service, req.amount_requested, req.office.is_central, req.received_on)
    if route is None:
        return ""
    committee = deciding_committee(req)
    name = committee.name(lang) if committee else ""
    if route.above_limit:
        limit = authority.provincial_limit(req.service, req.received_on) or Decimal(0)
        return (f"{name} (amount above the provincial limit of {limit:,.0f} baht)" if lang == "en"
                else f"{name} (จำนวนเงินเกินวงเงินของคณะอนุกรรมการประจำจังหวัด {limit:,.0f} บาท)")
    return name


def sits_on_deciding_committee(user: User, req: Request) -> bool:
    """Whether ``user`` holds a seat on the committee deciding ``req`` now, or (for an appeal) on
    the Justice Fund Committee."""
    today = clock.today()
    committee = deciding_committee(req)
    if committee is not None and seat_of(user, committee, today) is not None:
        return True
    if req.state == "appeal" or m.Appeal.objects.filter(request=req).exists():
        board = m.Committee.objects.filter(level=m.LEVEL_BOARD).first()
        return board is not None and seat_of(user, board, today) is not None
    return False


def decided_by_committees_of(user: User) -> Q:
    """A filter on requests: those the committees ``user`` sits on decide (``authority.route``): a
    provincial subcommittee its office's requests; a central one its services' requests filed at the
    central office, always-central services everywhere, and the others above the provincial limit;
    the Justice Fund Committee the appealed requests. Also every request on their meetings' agendas."""
    today = clock.today()
    auth = authority.load()
    found = Q(agenda_items__meeting__committee__in=committees_of(user, today))
    for committee in committees_of(user, today):
        if committee.level == m.LEVEL_PROVINCIAL:
            found |= Q(office_id=committee.office_id, service__in=committee.services)
        elif committee.level == m.LEVEL_BOARD:
            found |= Q(appeals__isnull=False)
        else:
            for service in committee.services:
                here = Q(service=service)
                if auth.routes.get(service) == authority.PROVINCIAL:
                    limit = authority.provincial_limit(service, today)
                    here &= Q(office__is_central=True) | (Q(amount_requested__gt=limit) if limit is not None else Q())
                found |= here
    return Q(pk__in=Request.objects.filter(found).values("pk"))


def ready_for(committee: m.Committee, on: date) -> list[Request]:
    """Requests in consideration that this committee decides, not on an agenda of a meeting that
    has not decided them yet."""
    if committee.level == m.LEVEL_BOARD:
        return []
    waiting = (Request.objects.filter(state="consideration", service__in=committee.services)
               .exclude(agenda_items__kind=m.CONSIDER, agenda_items__decision__isnull=True,
                        agenda_items__withdrawn=False, agenda_items__meeting__state__in=(m.SCHEDULED, m.OPEN))
               .select_related("office").order_by("step_due_on", "received_on", "id"))
    if committee.level == m.LEVEL_PROVINCIAL:
        waiting = waiting.filter(office_id=committee.office_id)
    return [r for r in waiting if (d := deciding_committee(r, on)) is not None and d.pk == committee.pk]


def unacknowledged_urgent(committee: m.Committee) -> list[m.Decision]:
    return list(m.Decision.objects.filter(authority=m.BY_CHAIR, committee=committee)
                .exclude(pk__in=m.AgendaItem.objects.filter(kind=m.ACKNOWLEDGE, decision_reported__isnull=False)
                         .values("decision_reported")).select_related("request").order_by("decided_on", "id"))


def appeals_waiting() -> list[m.Appeal]:
    return list(m.Appeal.objects.filter(state=m.Appeal.LODGED)
                .exclude(agenda_items__meeting__state__in=(m.SCHEDULED, m.OPEN))
                .select_related("request").order_by("lodged_on", "id"))


# --------------------------------------------------------------------------- meetings


def meetings_for(user: User) -> QuerySet[m.Meeting]:
    """Meetings of the committees ``user`` sits on; every meeting for the read-only roles."""
    qs = m.Meeting.objects.select_related("committee", "committee__office")
    if user.is_read_only:
        return qs
    return qs.filter(committee__memberships__user=user).distinct()


def meeting(meeting_id: int) -> m.Meeting:
    return (m.Meeting.objects.select_related("committee", "committee__office", "minutes_approved_by")
            .prefetch_related(
                Prefetch("items", queryset=m.AgendaItem.objects.select_related(
                    "request", "request__applicant", "request__office", "decision_reported", "appeal")
                    .prefetch_related("votes__user", "conflicts__user")),
                Prefetch("attendance", queryset=m.Attendance.objects.select_related("user")))
            .get(pk=meeting_id))


def item(item_id: int) -> m.AgendaItem:
    return m.AgendaItem.objects.select_related("meeting__committee", "request").get(pk=item_id)


# --------------------------------------------------------------------------- decisions


def latest_decision(req: Request) -> m.Decision | None:
    return (m.Decision.objects.filter(request=req).select_related("committee", "meeting")
            .prefetch_related("reasons", "items").order_by("-created_at", "-id").first())


def decisions_of(req: Request) -> list[m.Decision]:
    return list(m.Decision.objects.filter(request=req).select_related("committee", "meeting", "recorded_by")
                .prefetch_related("reasons", "items", "letters").order_by("created_at", "id"))


def decisions(*, fiscal_year: int | None = None, service: str | None = None, outcome: str | None = None,
              office_id: int | None = None) -> QuerySet[m.Decision]:
    qs = m.Decision.objects.select_related("request", "committee", "meeting").prefetch_related("reasons", "items")
    if fiscal_year is not None:
        qs = qs.filter(fiscal_year=fiscal_year)
    if service:
        qs = qs.filter(service=service)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if office_id is not None:
        qs = qs.filter(request__office_id=office_id)
    return qs


# the case page's: whether the meeting acknowledged a chair's urgent decision, the meeting whose
# agenda holds the request now, the body that decides appeals


def acknowledgements(decisions: list[m.Decision]) -> dict[int, m.AgendaItem]:
    """For each urgent decision reported to a meeting: the agenda item that reported it (its
    ``acknowledged_at`` says whether the meeting acknowledged it), by decision id."""
    urgent = [d.pk for d in decisions if d.authority == m.BY_CHAIR]
    if not urgent:
        return {}
    items = (m.AgendaItem.objects.filter(kind=m.ACKNOWLEDGE, decision_reported_id__in=urgent)
             .select_related("meeting", "meeting__committee").order_by("acknowledged_at", "id"))
    found: dict[int, m.AgendaItem] = {}
    for item in items:
        if item.decision_reported_id is not None:
            found[item.decision_reported_id] = item  # the acknowledged one last, so it wins
    return found


def board() -> m.Committee | None:
    """The Justice Fund Committee (it decides appeals)."""
    return m.Committee.objects.filter(level=m.LEVEL_BOARD).first()


def agenda_meeting(req: Request) -> m.Meeting | None:
    """The meeting (scheduled or open) whose agenda holds ``req`` for a resolution not recorded yet
    (to consider it, or to decide its appeal); None when it is on no such agenda."""
    item = (m.AgendaItem.objects.filter(request=req, kind__in=(m.CONSIDER, m.APPEAL), withdrawn=False,
                                        decision__isnull=True, meeting__state__in=(m.SCHEDULED, m.OPEN))
            .select_related("meeting", "meeting__committee").order_by("-meeting__scheduled_for", "-id").first())
    return item.meeting if item is not None else None


def letters_of(req: Request) -> list[m.Letter]:
    return list(m.Letter.objects.filter(request=req).select_related("decision").order_by("-generated_at", "-id"))


def letter(letter_id: int) -> m.Letter:
    return m.Letter.objects.select_related("request", "request__office", "decision").get(pk=letter_id)


def appeals_of(req: Request) -> list[m.Appeal]:
    return list(m.Appeal.objects.filter(request=req).select_related("against", "decision").order_by("lodged_on", "id"))


# --------------------------------------------------------------------------- statistics


@dataclass(frozen=True)
class OutcomeShares:
    """Decisions on requests (first decisions, not appeals) of one fiscal year by outcome."""

    fiscal_year: int
    counts: dict[str, int]
    total: int
    other_only: int

    def share(self, outcome: str) -> float:
        return 100.0 * self.counts.get(outcome, 0) / self.total if self.total else 0.0

    @property
    def other_only_share(self) -> float:
        """The share (%) of decisions whose only reason is a catch-all ("another reason") code."""
        decided = self.total - self.counts.get("referred", 0)
        return 100.0 * self.other_only / decided if decided else 0.0


def outcome_shares(fiscal_year: int, *, service: str | None = None, office_id: int | None = None) -> OutcomeShares:
    """Counted from the decisions recorded: each request's first decision (an appeal's is apart).
    The denominator is every request decided, referred ones included (docs/decisions.md)."""
    qs = m.Decision.objects.filter(fiscal_year=fiscal_year, kind=m.FIRST)
    if service:
        qs = qs.filter(service=service)
    if office_id is not None:
        qs = qs.filter(request__office_id=office_id)
    counts: dict[str, int] = {}
    other_only = 0
    for outcome, only_other, n in qs.values_list("outcome", "other_only").annotate(n=Count("id")).order_by():
        counts[outcome] = counts.get(outcome, 0) + n
        other_only += n if only_other else 0
    return OutcomeShares(fiscal_year, counts, sum(counts.values()), other_only)


def outcome_table(fiscal_years: list[int], lang: str | None) -> list[dict[str, Any]]:
    rows = []
    for fy in fiscal_years:
        s = outcome_shares(fy)
        rows.append({"fiscal_year": fy, "total": s.total, "other_only_share": round(s.other_only_share, 2),
                     "outcomes": [{"outcome": o, "name": reasons.outcome_name(o, lang), "count": s.counts.get(o, 0),
                                   "share": round(s.share(o), 2)} for o in reasons.OUTCOME_NAMES]})
    return rows


# --------------------------------------------------------------------------- the API's look-ups


def committee_by_code(code: str) -> m.Committee | None:
    return m.Committee.objects.filter(code=code).select_related("office").first()


def person(ref: str) -> User | None:
    """An active user by username, or by id when ``ref`` is all digits (the API's ``user`` field)."""
    qs = User.objects.filter(is_active=True)
    found = qs.filter(username=ref).first()
    if found is None and ref.isdecimal() and len(ref) < 10:
        found = qs.filter(pk=int(ref)).first()
    return found


def meetings_filtered(user: User, *, committee: str = "", state: str = "",
                      fiscal_year: int | None = None) -> QuerySet[m.Meeting]:
    """``meetings_for(user)`` narrowed by committee code, state and fiscal year, newest first."""
    qs = meetings_for(user)
    if committee:
        qs = qs.filter(committee__code=committee)
    if state:
        qs = qs.filter(state=state)
    if fiscal_year is not None:
        qs = qs.filter(fiscal_year=fiscal_year)
    return qs.order_by("-scheduled_for", "-id")


def visible_meeting(user: User, meeting_id: int) -> m.Meeting | None:
    """The meeting (prefetched, as ``meeting``) when ``user`` may see it; None otherwise."""
    if not meetings_for(user).filter(pk=meeting_id).exists():
        return None
    return meeting(meeting_id)


def visible_item(user: User, item_id: int) -> m.AgendaItem | None:
    """An agenda item of a meeting ``user`` may see; None otherwise."""
    found = m.AgendaItem.objects.select_related("meeting__committee", "request").filter(pk=item_id).first()
    if found is None or not meetings_for(user).filter(pk=found.meeting_id).exists():
        return None
    return found


def resolutions(meeting: m.Meeting) -> dict[int, m.Decision]:
    """The decisions a meeting recorded, by agenda item."""
    return {d.item_id: d for d in m.Decision.objects.filter(meeting=meeting, item__isnull=False)
            .select_related("committee", "meeting").prefetch_related("reasons", "items", "letters")
            if d.item_id is not None}


def find_letter(letter_id: int) -> m.Letter | None:
    return m.Letter.objects.select_related("request", "decision").filter(pk=letter_id).first()
