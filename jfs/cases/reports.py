"""Aggregate figures of requests, as typed rows: the staff dashboard, its CSV export and the API's
``GET /reports/dashboard`` all read the same rows from here, so they cannot disagree.

Every figure is over the requests the user may see (``selectors.visible_requests``), optionally
one office's. Fiscal years are Buddhist-era (FY2565 runs from 1 October 2021 to 30 September 2022).
The on-time rate is the fund's: the share of *finished* requests (decided, with an outcome, and
the clock stopped) that took at most the standard's working days, **truncated** to two decimals
(94.2578… → 94.25); the mean working days is over the same requests, rounded to two decimals.
Both are only for a service the 21-day standard applies to (its ``standard_applies``: missions 1–3);
project grants and consultations have their own timelines, so they have neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Q, Sum

from jfs.accounts.models import User
from jfs.cases import selectors, service_registry
from jfs.cases.models import OUTCOME_CHOICES, SERVICE_CHOICES
from jfs.core import clock
from jfslib.thaidate import fiscal_year as fiscal_year_of

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

#: the decisions counted, in the order the dashboard shows them: the four outcomes on the merits (a
#: referral before consideration, outcome "referred", is not one the fund's on-time figures count)
OUTCOMES: tuple[str, ...] = tuple(code for code, _label in OUTCOME_CHOICES if code != "referred")
_HUNDREDTH = Decimal("0.01")


def on_time_rate(on_time: int, finished: int) -> Decimal | None:
    """Per cent of finished requests finished on time, truncated to two decimals (the fund's reports)."""
    return Decimal(10000 * on_time // finished) / 100 if finished else None


def mean_days(total_days: int, finished: int) -> Decimal | None:
    """Mean working days taken, to two decimals."""
    return (Decimal(total_days) / finished).quantize(_HUNDREDTH) if finished else None


@dataclass(frozen=True)
class ServiceFigures:
    """One service's figures for the requests received in a fiscal year."""

    service: str
    #: requests received in the year
    total: int
    #: of those, still open (not in a terminal state)
    open: int
    #: of those, decided (an outcome) with the 21-working-day clock stopped
    finished: int
    #: of the finished, within the standard
    on_time: int
    #: working days taken by the finished, added up
    working_days: int
    #: decisions, by outcome (every outcome of ``OUTCOMES``, 0 when none)
    approved: int
    partially_approved: int
    rejected: int
    terminated: int
    #: whether the 21-working-day standard applies to the service (no on-time rate or mean when not)
    standard_applies: bool = True

    @property
    def on_time_pct(self) -> Decimal | None:
        return on_time_rate(self.on_time, self.finished) if self.standard_applies else None

    @property
    def mean_days(self) -> Decimal | None:
        return mean_days(self.working_days, self.finished) if self.standard_applies else None

    @property
    def label(self) -> StrOrPromise:
        """The service's name in the reader's language."""
        return dict(SERVICE_CHOICES).get(self.service, self.service)

    def outcome(self, code: str) -> int:
        return int(getattr(self, code))


@dataclass(frozen=True)
class Dashboard:
    """The dashboard: a fiscal year's figures per service, and the open and overdue requests now."""

    fiscal_year: int
    #: the office's code, or "" for every office the user may see
    office: str
    #: open requests of every year (not only the fiscal year's)
    open_count: int
    #: open requests past their step's or their overall due date, today
    overdue_count: int
    per_service: tuple[ServiceFigures, ...]

    @property
    def total(self) -> int:
        """Requests received in the fiscal year."""
        return sum(r.total for r in self.per_service)

    @property
    def outcomes(self) -> dict[str, int]:
        """Decisions of the fiscal year's requests, by outcome (every outcome, 0 when none)."""
        return {code: sum(r.outcome(code) for r in self.per_service) for code in OUTCOMES}


def _standard_applies(code: str) -> bool:
    """Whether the 21-day standard applies to service ``code`` (an unknown code: as before, it does)."""
    return service_registry.get(code).standard_applies if service_registry.exists(code) else True


def dashboard(user: User, *, fiscal_year: int | None = None, office: str = "", today: date | None = None) -> Dashboard:
    """The dashboard's figures for ``user``: the fiscal year (B.E.; default the current one) and
    ``office`` (a code; default every office the user may see — another office's code gives
    nothing for a user who may not see it)."""
    today = today or clock.today()
    office = (office or "").replace("\x00", "").strip()  # PostgreSQL refuses NUL
    fy = fiscal_year if fiscal_year is not None else fiscal_year_of(today)
    qs = selectors.visible_requests(user)
    if office:
        qs = qs.filter(office__code=office)
    # the four outcomes: a referral before consideration (outcome "referred") is not a decision the
    # fund's on-time figures count (docs/demo-data.md)
    decided = Q(outcome__in=OUTCOMES) & Q(working_days_taken__isnull=False)
    rows = (
        qs.filter(fiscal_year=fy).order_by().values("service").annotate(
            total=Count("id"),
            open=Count("id", filter=~Q(state__in=selectors.OPEN_EXCLUDE)),
            finished=Count("id", filter=decided),
            on_time=Count("id", filter=decided & Q(on_time=True)),
            working_days=Sum("working_days_taken", filter=decided),
            approved=Count("id", filter=Q(outcome="approved")),
            partially_approved=Count("id", filter=Q(outcome="partially_approved")),
            rejected=Count("id", filter=Q(outcome="rejected")),
            terminated=Count("id", filter=Q(outcome="terminated")),
        ).order_by("service")
    )
    per_service = tuple(
        ServiceFigures(
            service=row["service"], total=row["total"], open=row["open"], finished=row["finished"],
            on_time=row["on_time"], working_days=int(row["working_days"] or 0), approved=row["approved"],
            partially_approved=row["partially_approved"], rejected=row["rejected"], terminated=row["terminated"],
            standard_applies=_standard_applies(row["service"]),
        )
        for row in rows
    )
    return Dashboard(
        fiscal_year=fy, office=office,
        open_count=selectors.open_requests(qs).count(),
        overdue_count=selectors.overdue(qs, today).count(),
        per_service=per_service,
    )
