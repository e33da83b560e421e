"""Every read of the tracking app: a request's messages, whom to tell about a request, the survey,
and the satisfaction KPI (the share of answers scoring 4–5, by fiscal year and office, against the
goals in ``satisfaction.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.db.models import Count, Q, QuerySet

from jfs.accounts.models import Office, User
from jfs.cases.models import Request
from jfs.cases.selectors import visible_requests
from jfs.tracking.models import FROM_APPLICANT, FROM_OFFICE, Message, Survey
from jfslib import roles

KPI_FILE = Path(__file__).with_name("satisfaction.yaml")


def owned_by(user: User) -> QuerySet[Request]:
    """The citizen's own requests (filed by them on the portal, or theirs as the applicant the
    digital ID verified): ``jfs.cases.selectors.visible_requests`` for a citizen, newest first."""
    if not user.is_authenticated or user.role != roles.CITIZEN:
        return Request.objects.none()
    return visible_requests(user).order_by("-received_on", "-id")


def own_request(user: User, number: str) -> Request | None:
    """The citizen's request with this number; None when there is none or it is someone else's."""
    return owned_by(user).filter(number=number).first()


def request_exists(number: str) -> bool:
    """Whether a request has this number at all (for the audit of a refused look, never shown)."""
    return Request.objects.filter(number=number).exists()


def thread(req: Request) -> list[Message]:
    """The request's messages, oldest first, with who wrote them."""
    return list(Message.objects.filter(request=req).select_related("author"))


def unread_from_applicant(req: Request) -> int:
    return Message.objects.filter(request=req, direction=FROM_APPLICANT, read_at__isnull=True).count()


def unread_from_office(req: Request) -> int:
    return Message.objects.filter(request=req, direction=FROM_OFFICE, read_at__isnull=True).count()


def survey_of(req: Request) -> Survey | None:
    return Survey.objects.filter(request=req).first()


def citizen_recipients(req: Request) -> list[User]:
    """The citizens a request's news goes to: whoever filed it on the portal, and the citizen the
    state digital ID verified as its applicant (a request registered at the counter for someone who
    has a portal account). Nobody when neither has a citizen account."""
    who = Q(pk=req.created_by_id)
    if req.applicant.national_id:
        who |= Q(national_id=req.applicant.national_id)
    return list(User.objects.filter(who, role=roles.CITIZEN, is_active=True).order_by("pk"))


def office_recipients(req: Request) -> list[User]:
    """The officer who holds the request; else the office's active intake and case officers."""
    if req.assigned_to_id is not None and req.assigned_to is not None and req.assigned_to.is_active:
        return [req.assigned_to]
    return list(
        User.objects.filter(
            office_id=req.office_id, is_active=True, role__in=(roles.INTAKE_OFFICER, roles.CASE_OFFICER)
        ).order_by("pk")
    )


# --------------------------------------------------------------------------- the satisfaction KPI


@dataclass(frozen=True)
class Goal:
    """A satisfaction goal (percent) with the plan that sets it."""

    percent: int
    th: str
    en: str
    source: str


@dataclass(frozen=True)
class Definition:
    satisfied_scores: tuple[int, ...]
    goals: tuple[Goal, ...]
    th: str
    en: str
    unconfirmed: bool


@cache
def definition() -> Definition:
    """The KPI's definition and goals, as data (``satisfaction.yaml``)."""
    raw: dict[str, Any] = yaml.safe_load(KPI_FILE.read_text(encoding="utf-8"))
    return Definition(
        satisfied_scores=tuple(int(s) for s in raw["satisfied_scores"]),
        goals=tuple(Goal(int(g["percent"]), g["th"], g["en"], g["source"]) for g in raw["goals"]),
        th=raw["definition"]["th"],
        en=raw["definition"]["en"],
        unconfirmed=bool(raw.get("unconfirmed")),
    )


@dataclass(frozen=True)
class Satisfaction:
    """The answers of one fiscal year (one office, or all), and the share satisfied."""

    fiscal_year: int
    office: Office | None
    answers: int
    satisfied: int

    @property
    def percent(self) -> float | None:
        """Satisfied answers as a percentage of all answers (None: no answer yet)."""
        return round(100 * self.satisfied / self.answers, 1) if self.answers else None

    def meets(self, goal: Goal) -> bool | None:
        return None if self.percent is None else self.percent >= goal.percent


def satisfaction(fiscal_year: int, office_id: int | None = None) -> Satisfaction:
    """The KPI for a fiscal year (B.E.), for one office or all of them."""
    qs = Survey.objects.filter(fiscal_year=fiscal_year)
    if office_id is not None:
        qs = qs.filter(office_id=office_id)
    agg = qs.aggregate(answers=Count("id"), satisfied=Count("id", filter=Q(score__in=definition().satisfied_scores)))
    office = Office.objects.filter(pk=office_id).first() if office_id is not None else None
    return Satisfaction(fiscal_year, office, agg["answers"] or 0, agg["satisfied"] or 0)


def satisfaction_by_office(fiscal_year: int) -> list[Satisfaction]:
    """The KPI of each office with answers in the fiscal year, by office code."""
    rows = (
        Survey.objects.filter(fiscal_year=fiscal_year)
        .values("office_id")
        .annotate(answers=Count("id"), satisfied=Count("id", filter=Q(score__in=definition().satisfied_scores)))
    )
    offices = Office.objects.in_bulk([r["office_id"] for r in rows])
    out = [Satisfaction(fiscal_year, offices[r["office_id"]], r["answers"], r["satisfied"]) for r in rows]
    return sorted(out, key=lambda s: s.office.code if s.office else "")


def survey_years() -> list[int]:
    """The fiscal years with answers, newest first."""
    return sorted(set(Survey.objects.values_list("fiscal_year", flat=True)), reverse=True)
