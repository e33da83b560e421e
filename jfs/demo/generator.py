"""Synthetic but realistic demo data: offices, demo users and years of requests.

``manage.py demo_data`` calls :func:`generate`. For each fiscal year it plans every
request first (service, office, day received, how it ends, working days it takes),
then builds the rows in chunks and streams them into the database, so memory stays
bounded however large ``scale`` is.

What is reproduced exactly (``docs/demo-data.md`` explains each choice):

- FY2564 and FY2565 of DOMAIN.md: requests per service, outcomes over all missions
  (first decisions TAKEN in the fiscal year, ``jfs.decisions.selectors.outcome_shares``: the four
  outcomes plus the requests referred before consideration; the requests received late in a year
  are decided in the next, see :func:`_decision_years`), consultations at the central office and in
  the provinces (251 / 133), and the FY2565 on-time rates and mean working days. On-time figures
  are taken over the requests received in the year with one of the four outcomes; the source truncates, so
  ``percentage = floor(10000 * on_time / decided) / 100`` and
  ``mean = round(days / decided, 2)``. See :data:`DOMAIN_FIGURES` and :data:`DOMAIN_DECISIONS`.
- At ``scale`` K every count is multiplied by K, so ratios and means stay the same.

Every request is internally consistent with its workflow (``workflows/*.yaml``)
and with the 21-working-day clock: it is driven step by step through the same
clock helpers ``jfs.cases.services`` uses (``_apply_clock``, ``_enter_step``), on
the office's own calendar, and one ``Transition`` row with the same field diff is
written per step. Every deciding step also writes what ``jfs.decisions`` records: the
``Decision`` with its reasons and items and, for a committee's resolution, the meeting, its
attendance, agenda item and votes; urgent decisions are acknowledged at the next meeting, and
appeals decided by the Justice Fund Committee. Requests of past fiscal years are finished
(closed, withdrawn, terminated or referred) by ``today``;
requests of the current fiscal year are cut at ``today`` and so stand open at every step, some late.

Rows are built in a forked child process (pure Python, no database) while this
process writes the previous chunk: PostgreSQL ``COPY`` (psycopg) or, on other
databases, ``executemany`` of prepared inserts. Primary keys are allocated here so
transitions, documents and decisions can point at their parents without a round trip. One
audit ``create`` event per request goes through ``jfs.audit.sealing.record_sealed``, the
audit log's bulk path: written already chained and sealed, a checkpoint per chunk.
Everything happens in one transaction: an interrupted load leaves nothing behind.
"""

from __future__ import annotations

import bisect
import gc
import hashlib
import itertools
import json
import math
import multiprocessing
import operator
import random
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any, Generic, NamedTuple, TypeVar

import geothai
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.db.models.base import ModelState
from faker.providers.person.th_TH import Provider as ThaiNames

from jfs.accounts.models import CENTRAL_OFFICE_CODE, Office, User
from jfs.accounts.offices import BANGKOK, ensure_offices
from jfs.audit.models import AuditEvent
from jfs.audit.sealing import record_sealed
from jfs.audit.services import Event
from jfs.cases import details as details_mod
from jfs.cases import handoffs, services, workflows
from jfs.cases import reasons as reasons_mod
from jfs.cases.calendar import calendar_for
from jfs.cases.models import (
    SERVICE_BAIL,
    SERVICE_CONSULT,
    SERVICE_HR,
    SERVICE_LIT,
    SERVICE_PROJECT,
    TERMINAL_STATES,
    Document,
    Person,
    Request,
    RequestCounter,
    Transition,
)
from jfs.core import clock
from jfs.core.models import Notification
from jfs.decisions import authority
from jfs.decisions import models as dm
from jfs.decisions.items import RequestedItem, requested_items
from jfs.demo import money, portal
from jfs.demo.users import CHIANG_MAI, KHON_KAEN, ensure_demo_seats, ensure_demo_users
from jfslib import roles, thai_id
from jfslib.thaidate import FiscalYear, fiscal_year, to_be_year
from jfslib.workdays import WorkingCalendar
from jfslib.workflow import WorkflowDefinition

SERVICES = (SERVICE_LIT, SERVICE_BAIL, SERVICE_HR, SERVICE_PROJECT, SERVICE_CONSULT)
OUTCOMES = ("approved", "partially_approved", "rejected", "terminated")
#: outcome counts are first decisions (``Decision.kind == "first"``) per fiscal year; "referred" is
#: counted in the denominator (``jfs.decisions.selectors.outcome_shares``)
FIRST_FISCAL_YEAR = 2559  # the Justice Fund Act B.E. 2558 took effect; nothing earlier is generated

T = TypeVar("T")


class _Weighted(Generic[T]):
    """A weighted choice whose cumulative weights are summed once (``random.choices`` redoes it per call)."""

    def __init__(self, weights: Mapping[T, float]) -> None:
        self.items = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def pick(self, rng: random.Random) -> T:
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


# --------------------------------------------------------------------------- the figures


@dataclass(frozen=True)
class ServiceYear:
    """What one service did in one fiscal year, as counts the generator reproduces exactly.

    ``outcomes`` counts the requests received in the year by first decision's outcome
    (terminated includes withdrawals), whichever year the decision is taken in; ``referred`` are
    referred before consideration; every request is one or the other (consultations have no
    outcomes at all). ``on_time`` and
    ``days_total`` are taken over the decided requests; for a service without the 21-day
    standard (``standard_applies`` false: PROJECT) they only shape the working days taken, and
    the requests get no ``due_on`` or ``on_time`` (the clock helpers). ``central`` fixes how many
    requests the central office received (None: offices are drawn at random).
    """

    requests: int
    outcomes: Mapping[str, int] = field(default_factory=dict)
    on_time: int = 0
    days_total: int = 0
    central: int | None = None
    #: referred by the office to the agency directly responsible, before consideration (outcome "referred")
    referred: int = 0

    @property
    def decided(self) -> int:
        return sum(self.outcomes.values())

    def scaled(self, k: int) -> ServiceYear:
        return ServiceYear(
            requests=self.requests * k,
            outcomes={o: n * k for o, n in self.outcomes.items()},
            on_time=self.on_time * k,
            days_total=self.days_total * k,
            central=None if self.central is None else self.central * k,
            referred=self.referred * k,
        )


def _o(approved: int, partial: int, rejected: int, terminated: int) -> dict[str, int]:
    return {"approved": approved, "partially_approved": partial, "rejected": rejected, "terminated": terminated}


#: DOMAIN.md, FY2564 and FY2565, by the fiscal year each request was RECEIVED (what the dashboard,
#: ``jfs.cases.reports``, counts). Requests per service are the source's. Every request is decided or
#: referred; the source's outcome counts are of decisions TAKEN in the year (``DOMAIN_DECISIONS``):
#: the requests received late in a year are decided in the next one (``_decision_years``), so the
#: outcomes here are the source's plus the year's carry-out less its carry-in (FY2564: +159 decided
#: in FY2565; FY2565: +415 decided in FY2566, -159 decided in FY2565 though received in FY2564). The
#: split between services and FY2564's on-time figures are ours (civil/bail mostly approved).
#: FY2565 on time (truncated) and mean working days, over the decided requests received in the year:
#:   LIT   2953/3133 = 94.25%,  43611/3133 = 13.92
#:   BAIL   996/1057 = 94.22%,  13857/1057 = 13.11
#:   HR      44/52   = 84.61%,    855/52   = 16.44 (16.45 is unreachable: 84.61% needs
#:                                 13, 26, 39 or 52 requests and none gives 16.45 in whole days)
#: Referred (74 and 71, the source's denominators 4,034 and 4,207 less the four outcomes) are split
#: between services by us (LIT 45 / BAIL 22 in FY2565: with 54 / 13 no whole number of on-time
#: requests gives 94.25% / 94.22%); referrals come early and are never carried to the next year.
DOMAIN_FIGURES: dict[int, dict[str, ServiceYear]] = {
    2564: {
        SERVICE_LIT: ServiceYear(2848, _o(1306, 21, 1021, 448), on_time=2587, days_total=40822, referred=52),
        SERVICE_BAIL: ServiceYear(1202, _o(905, 5, 193, 81), on_time=1102, days_total=15984, referred=18),
        SERVICE_HR: ServiceYear(32, _o(18, 1, 9, 3), on_time=25, days_total=533, referred=1),
        SERVICE_PROJECT: ServiceYear(111, _o(73, 14, 17, 4), on_time=98, days_total=1706, referred=3),
        SERVICE_CONSULT: ServiceYear(0),
    },
    2565: {
        SERVICE_LIT: ServiceYear(3178, _o(1694, 36, 988, 415), on_time=2953, days_total=43611, referred=45),
        SERVICE_BAIL: ServiceYear(1079, _o(822, 6, 159, 70), on_time=996, days_total=13857, referred=22),
        SERVICE_HR: ServiceYear(52, _o(30, 2, 14, 6), on_time=44, days_total=855, referred=0),
        SERVICE_PROJECT: ServiceYear(154, _o(104, 20, 21, 5), on_time=135, days_total=2280, referred=4),
        SERVICE_CONSULT: ServiceYear(384, central=251),
    },
}
#: DOMAIN.md's outcome table: first decisions TAKEN in the fiscal year, whatever year the request was
#: received (``jfs.decisions.selectors.outcome_shares``), referred ones included (4,034 and 4,207).
DOMAIN_DECISIONS: dict[int, dict[str, int]] = {
    2564: {**_o(2213, 40, 1192, 515), "referred": 74},
    2565: {**_o(2489, 59, 1118, 470), "referred": 71},
}
#: Yearly growth of each service after FY2565 (and shrinkage before FY2564).
GROWTH = {SERVICE_LIT: 1.035, SERVICE_BAIL: 1.02, SERVICE_HR: 1.08, SERVICE_PROJECT: 1.04, SERVICE_CONSULT: 1.06}
#: Current fiscal year: more of its requests run late (a backlog makes the demo's queues show red).
CURRENT_YEAR_ON_TIME_DROP = 0.08


def _apportion(total: int, weights: Mapping[str, int | float]) -> dict[str, int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder, so parts add up)."""
    whole = sum(weights.values())
    if total <= 0 or whole <= 0:
        return {k: 0 for k in weights}
    exact = {k: total * w / whole for k, w in weights.items()}
    parts = {k: math.floor(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: exact[k] - parts[k], reverse=True)[: total - sum(parts.values())]:
        parts[k] += 1
    return parts


def figures_for(fy: int, share: float = 1.0, current: bool = False) -> dict[str, ServiceYear]:
    """The counts for one fiscal year: DOMAIN.md's for FY2564/2565, extrapolated otherwise.

    ``share`` is the part of the year generated (the current fiscal year is partial).
    """
    if fy in DOMAIN_FIGURES and share == 1.0 and not current:
        return DOMAIN_FIGURES[fy]
    base_fy = 2564 if fy <= 2564 else 2565
    years = fy - base_fy
    out: dict[str, ServiceYear] = {}
    for service, base in DOMAIN_FIGURES[base_fy].items():
        total = round(base.requests * GROWTH[service] ** years * share)
        if not base.decided:
            central = None if base.central is None else round(total * base.central / base.requests)
            out[service] = ServiceYear(total, central=central)
            continue
        # every request is decided or referred
        referred = round(total * base.referred / base.requests)
        decided = total - referred
        rate = min(0.97, base.on_time / base.decided + 0.004 * years)
        if current:
            rate -= CURRENT_YEAR_ON_TIME_DROP
        mean = max(10.0, base.days_total / base.decided - 0.15 * years)
        out[service] = ServiceYear(
            total, _apportion(decided, base.outcomes), on_time=round(decided * rate), days_total=round(decided * mean),
            referred=referred,
        )
    return out


# --------------------------------------------------------------------------- options and context


@dataclass(frozen=True)
class Options:
    seed: int = 1
    scale: int = 1
    first_year: int = 2564
    last_year: int | None = None  # None: up to the current fiscal year
    today: date | None = None  # None: services.today()
    append: bool = False
    chunk_size: int = 20_000
    background: bool = True  # build rows in a forked process while this one writes


class AlreadyLoaded(Exception):
    """Requests exist and ``append`` was not asked for."""


@dataclass(frozen=True)
class _FastCalendar(WorkingCalendar):
    """An office's working calendar that remembers its answers (same dates, same results)."""

    memo: dict[tuple[date, int], date] = field(default_factory=dict, compare=False, hash=False, repr=False)
    spans: dict[tuple[date, date], int] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def add_working_days(self, start: date, n: int) -> date:
        key = (start, n)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = super().add_working_days(start, n)
        return found

    def working_days_between(self, start: date, end: date) -> int:
        key = (start, end)
        found = self.spans.get(key)
        if found is None:
            found = self.spans[key] = super().working_days_between(start, end)
        return found


@dataclass
class _OfficeInfo:
    office: Office
    province_name: str
    cal: _FastCalendar
    staff: dict[str, list[User]]  # role -> demo users of this office
    officers: _Weighted[User] | None  # case officers to assign; the first listed gets twice the share

    @property
    def code(self) -> str:
        return str(self.office.code)


#: the demo members' seats run from before the first fiscal year the generator can make
SEATS_SINCE = FiscalYear(FIRST_FISCAL_YEAR).start - timedelta(days=1)
#: who is recorded as having entered historical decisions and meetings where no demo person sits
LEGACY_USERNAME = "legacy.records"
#: voting members (chair and members) assumed for a committee without demo members (no attendance rows)
UNSEATED_MEMBERS = 9


def _legacy_recorder() -> User:
    """A disabled account that stands for the records of the former system: decisions, meetings and
    appeals need who recorded them, and most offices have no demo people (it cannot log in)."""
    user, created = User.objects.get_or_create(username=LEGACY_USERNAME, defaults={
        "role": roles.SUBCOMMITTEE_SECRETARY, "office": None, "is_active": False,
        "first_name": "ระบบงานเดิม", "last_name": "(นำเข้าข้อมูล)"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


@dataclass
class _CommitteeInfo:
    id: int
    code: str
    level: str
    office: _OfficeInfo  # whose calendar its meetings follow
    seats: dict[str, list[User]]  # position -> demo people seated (empty for most provinces)

    def holder(self, position: str) -> User | None:
        people = self.seats.get(position)
        return people[0] if people else None

    def meets_on(self, day: date) -> bool:
        """Its regular meetings: every other week, on a weekday of its own (Tuesday to Thursday)."""
        return (day.weekday() == 1 + self.id % 3 and (day.toordinal() // 7 + self.id) % 2 == 0
                and self.office.cal.is_working_day(day))

    def next_meeting(self, start: date, last: date) -> date | None:
        """Its first regular meeting day from ``start`` up to ``last`` (None: none)."""
        day = start
        while day <= last:
            if self.meets_on(day):
                return day
            day += timedelta(days=1)
        return None


class _Context:
    """Everything the builders look up: offices, calendars, demo users, places, names."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.fiscal_year = fiscal_year(today)
        ensure_offices()
        ensure_demo_users()
        ensure_demo_seats(SEATS_SINCE)
        self.legacy_id = _legacy_recorder().pk
        users = list(User.objects.select_related("office").filter(office__isnull=False).order_by("id"))
        self.users_by_id = {u.pk: u for u in users}
        by_office: dict[int, dict[str, list[User]]] = {}
        for u in users:
            if (u.role in roles.STAFF_ROLES and not u.is_read_only and u.role != roles.ADMINISTRATOR and u.is_active
                    and u.office_id is not None):
                by_office.setdefault(u.office_id, {}).setdefault(u.role, []).append(u)
        calendars: dict[frozenset[date], _FastCalendar] = {}
        names = {p.code: p.name_th for p in geothai.provinces()}
        self.offices: dict[str, _OfficeInfo] = {}
        for office in Office.objects.order_by("code"):
            base = calendar_for(office.pk)
            cal = calendars.setdefault(base.non_working, _FastCalendar(non_working=base.non_working))
            staff = by_office.get(office.pk, {})
            officers = {u: 2 if i == 0 else 1 for i, u in enumerate(staff.get(roles.CASE_OFFICER, []))}
            self.offices[office.code] = _OfficeInfo(
                office=office,
                province_name=names.get(office.province_code or BANGKOK, ""),
                cal=cal,
                staff=staff,
                officers=_Weighted(officers) if officers else None,
            )
        self.public_cal = self.offices[CENTRAL_OFFICE_CODE].cal
        self.workflows: dict[str, WorkflowDefinition] = {s: workflows.get(s) for s in SERVICES}
        self.reasons = reasons_mod.all_reasons()
        self.subdistricts: dict[str, list[geothai.Subdistrict]] = {
            p.code: [s for d in geothai.districts(p.code) for s in geothai.subdistricts(d.code)]
            for p in geothai.provinces()
        }
        self.province_codes = sorted(self.subdistricts)
        provincial = [c for c in self.offices if c != CENTRAL_OFFICE_CODE]
        # Offices get requests in proportion to their province's subdistricts (a stand-in for
        # population); the two demo provinces get more so their staff have full queues.
        self.provincial_codes = provincial
        self.provincial_weights = [
            len(self.subdistricts.get(c, ())) * DEMO_OFFICE_BOOST.get(c, 1) for c in provincial
        ]
        self.working_days: dict[tuple[int, int, date], list[date]] = {}
        self.last_working: dict[int, date] = {}
        self.committees: dict[str, _CommitteeInfo] = {}
        seats: dict[int, dict[str, list[User]]] = {}
        for seat in dm.Membership.objects.filter(until__isnull=True).select_related("user").order_by("id"):
            seats.setdefault(seat.committee_id, {}).setdefault(seat.position, []).append(seat.user)
        for c in dm.Committee.objects.select_related("office").order_by("id"):
            self.committees[c.code] = _CommitteeInfo(c.pk, c.code, c.level, self.offices[c.office.code], seats.get(c.pk, {}))
        self.board = self.committees["BOARD"]

    def committee_for(self, service: str, amount: Decimal, info: _OfficeInfo, received: date) -> _CommitteeInfo | None:
        """The deciding committee (``jfs.decisions.authority.route``, as ``selectors.deciding_committee``)."""
        route = authority.route(service, amount, bool(info.office.is_central), received)
        if route is None:
            return None
        if route.level == authority.PROVINCIAL:
            return self.committees.get(f"P{info.code}")
        return self.committees.get(route.central_code)

    def last_working_day(self, cal: WorkingCalendar) -> date:
        """The last working day on or before ``today`` in this calendar."""
        found = self.last_working.get(id(cal))
        if found is None:
            found = self.today
            while not cal.is_working_day(found):
                found -= timedelta(days=1)
            self.last_working[id(cal)] = found
        return found

    def working_days_in(self, info: _OfficeInfo, fy: int, last: date) -> list[date]:
        key = (id(info.cal), fy, last)
        days = self.working_days.get(key)
        if days is None:
            year = FiscalYear(fy)
            d, end = year.start, min(year.end, last)
            days = []
            while d <= end:
                if info.cal.is_working_day(d):
                    days.append(d)
                d += timedelta(days=1)
            self.working_days[key] = days
        return days


# --------------------------------------------------------------------------- planning a year


class Planned(NamedTuple):
    """One request before it is built: what the year-level figures decided for it."""

    service: str
    office: str
    received_on: date
    end: str  # an outcome (terminated includes withdrawals), "referred", or "" for a consultation
    days: int  # working days taken (decided requests), else -1
    #: the fiscal year its first decision must be taken in (0: wherever its days fall)
    decide_in: int = 0


#: share of all non-consultation requests at the central office (Bangkok cases)
CENTRAL_SHARE = 0.22
#: the demo users' provincial offices get more requests, so their queues are full
DEMO_OFFICE_BOOST = {CHIANG_MAI: 4, KHON_KAEN: 3}


def _target_days(n: int, on_time: int, total: int, rng: random.Random) -> list[int]:
    """``n`` whole working-day counts, ``on_time`` of them <= 21, adding up to ``total``."""
    if n == 0:
        return []
    late = [min(45, 22 + int(rng.expovariate(1 / 4))) for _ in range(n - on_time)]
    lo, hi = 2, 21
    if on_time:
        mean = (total - sum(late)) / on_time
        early = [min(hi, max(lo, round(rng.gauss(mean, 3.8)))) for _ in range(on_time)]
    else:
        early = []
    values, bounds = early + late, [(lo, hi)] * on_time + [(22, 60)] * (n - on_time)
    floor_sum = sum(b[0] for b in bounds)
    ceil_sum = sum(b[1] for b in bounds)
    if not floor_sum <= total <= ceil_sum:
        raise ValueError(f"cannot spread {total} working days over {n} requests ({on_time} on time)")
    gap = total - sum(values)
    while gap:
        i = rng.randrange(n)
        lo_i, hi_i = bounds[i]
        if gap > 0 and values[i] < hi_i:
            values[i] += 1
            gap -= 1
        elif gap < 0 and values[i] > lo_i:
            values[i] -= 1
            gap += 1
    rng.shuffle(values)
    return values


def _plan_year(ctx: _Context, fy: int, figures: Mapping[str, ServiceYear], last: date, rng: random.Random) -> list[Planned]:
    plans: list[tuple[date, float, Planned]] = []
    for service in SERVICES:
        sy = figures[service]
        if sy.requests == 0:
            continue
        if sy.central is not None:
            offices = [CENTRAL_OFFICE_CODE] * sy.central + rng.choices(
                ctx.provincial_codes, ctx.provincial_weights, k=sy.requests - sy.central
            )
        else:
            central = sum(1 for _ in range(sy.requests) if rng.random() < CENTRAL_SHARE)
            offices = [CENTRAL_OFFICE_CODE] * central + rng.choices(
                ctx.provincial_codes, ctx.provincial_weights, k=sy.requests - central
            )
        if service == SERVICE_CONSULT:
            ends = [""] * sy.requests
        else:
            ends = [o for o, n in sy.outcomes.items() for _ in range(n)]
            ends += ["referred"] * sy.referred
        rng.shuffle(ends)
        days = iter(_target_days(sy.decided, sy.on_time, sy.days_total, rng))
        for office, end in zip(offices, ends, strict=True):
            received = rng.choice(ctx.working_days_in(ctx.offices[office], fy, last))
            target = next(days) if end in OUTCOMES else -1
            plans.append((received, rng.random(), Planned(service, office, received, end, target)))
    plans.sort(key=lambda p: (p[0], p[1]))
    return _fit_before(ctx, [p[2] for p in plans], rng)


def _fit_before(ctx: _Context, plan: list[Planned], rng: random.Random) -> list[Planned]:
    """Swap working-day targets so that requests received late in a past year are decided
    by ``today`` (only the year just before the current one can be short of room)."""
    cal = ctx.public_cal

    def room(p: Planned) -> int:
        return cal.working_days_between(p.received_on, ctx.today) - 1

    decided = [i for i, p in enumerate(plan) if p.days >= 0]
    if not decided or room(plan[decided[-1]]) >= 60 or fiscal_year(plan[0].received_on) >= fiscal_year(ctx.today):
        return plan
    for i in decided:
        if plan[i].days <= room(plan[i]):
            continue
        for _ in range(200):
            j = decided[rng.randrange(len(decided))]
            if plan[j].days <= room(plan[i]) and plan[i].days <= room(plan[j]):
                plan[i], plan[j] = plan[i]._replace(days=plan[j].days), plan[j]._replace(days=plan[i].days)
                break
    return plan


def _year_room(ctx: _Context, p: Planned) -> int:
    """Working days from the day ``p`` was received to the last day of its fiscal year (office calendar):
    a request that takes at most that many is notified, so decided, within the year."""
    end = FiscalYear(fiscal_year(p.received_on)).end
    if (end - p.received_on).days > 200:  # more than any request takes
        return 10**6
    return ctx.offices[p.office].cal.working_days_between(p.received_on, end)


def _decision_years(ctx: _Context, fy: int, plan: list[Planned], carry: Mapping[str, int],
                    rng: random.Random) -> list[Planned]:
    """Fix the fiscal year each request's first decision is taken in, so that the decisions TAKEN in a
    year (``outcome_shares``, as the fund reports them) can be counted exactly.

    Exactly ``carry`` (outcome -> count) requests, the last received, are decided in the next fiscal
    year (``decide_in`` = fy + 1: the builder dates the decision on or after 1 October); every other
    one within its own year (notified by 30 September; referrals always). The decided requests'
    (service, outcome, working days) are dealt out again over their (office, day received) slots: a
    carried slot gets a request of a wanted outcome that takes more working days than are left of
    the year (the fewest such), a slot received late but decided in the year one that fits in what is
    left. So each service's counts, on-time count and working days stay as planned, and only the
    late slots' services and offices are reshuffled (every mission draws offices alike).
    """
    decided = [i for i, p in enumerate(plan) if p.end in OUTCOMES]
    k = sum(carry.values())
    if min(carry.values(), default=0) < 0 or k > len(decided):
        raise ValueError(f"FY{fy}: cannot carry {dict(carry)} of {len(decided)} decided requests")
    rooms = {i: _year_room(ctx, plan[i]) for i in decided}
    carried = decided[len(decided) - k:] if k else []
    # what each decided request does, by outcome and working days
    by_outcome: dict[str, list[tuple[int, int]]] = defaultdict(list)  # outcome -> sorted (days, item)
    items = [(plan[i].service, plan[i].end, plan[i].days) for i in decided]
    for n, (_service, end, days) in enumerate(items):
        by_outcome[end].append((days, n))
    for row in by_outcome.values():
        row.sort()
    need = dict(carry)
    given: dict[int, int] = {}  # slot (plan index) -> item
    for i in sorted(carried, key=lambda i: -rooms[i]):  # the longest-left first: they need the most days
        fits = {o: bisect.bisect_right(by_outcome[o], (rooms[i], len(items))) for o in need if need[o]}
        fits = {o: j for o, j in fits.items() if j < len(by_outcome[o])}
        if not fits:
            raise ValueError(f"FY{fy}: no request left takes more than {rooms[i]} working days")
        outcome = rng.choices(list(fits), [need[o] for o in fits])[0]
        given[i] = by_outcome[outcome].pop(fits[outcome])[1]
        need[outcome] -= 1
    rest = sorted((days, n) for row in by_outcome.values() for days, n in row)
    most = rest[-1][0] if rest else 0
    late = sorted((i for i in decided[: len(decided) - k] if rooms[i] < most), key=lambda i: rooms[i])
    for i in late:  # the least left first
        j = bisect.bisect_right(rest, (rooms[i], len(items)))
        if j == 0:
            raise ValueError(f"FY{fy}: no request left takes at most {rooms[i]} working days")
        given[i] = rest.pop(rng.randrange(j))[1]
    rng.shuffle(rest)
    free = iter(rest)
    carried_set = set(carried)
    for i in decided:
        service, end, days = items[given[i] if i in given else next(free)[1]]
        plan[i] = plan[i]._replace(service=service, end=end, days=days, decide_in=fy + 1 if i in carried_set else fy)
    for i, p in enumerate(plan):
        if p.end == "referred":
            plan[i] = p._replace(decide_in=fy)
    return plan


def _natural_carry(figures: Mapping[str, ServiceYear], first: Mapping[str, ServiceYear],
                   first_carry: int) -> dict[str, int]:
    """For a year before DOMAIN.md's: carry over the same share of its decided requests as the first of
    DOMAIN.md's years does, with the year's own outcome mix."""
    outcomes: Counter[str] = Counter()
    for sy in figures.values():
        outcomes.update(sy.outcomes)
    decided_first = sum(sy.decided for sy in first.values())
    k = round(outcomes.total() * first_carry / decided_first) if decided_first else 0
    return _apportion(k, {o: outcomes[o] for o in OUTCOMES})


# --------------------------------------------------------------------------- the people


EDUCATION = _Weighted(
    {"none": 6, "primary": 30, "lower_secondary": 22, "upper_secondary": 24, "diploma": 8, "bachelor": 9, "higher": 1}
)
OCCUPATION = _Weighted({
    "labourer": 35, "farmer": 18, "unemployed": 14, "trader": 12, "employee": 8,
    "self_employed": 6, "student": 3, "civil_servant": 1, "other": 3,
})
HOUSEHOLD = _Weighted({1: 8, 2: 14, 3: 24, 4: 24, 5: 15, 6: 8, 7: 4, 8: 3})
#: provinces where more people have no Thai registration status (IDs that begin with 0)
BORDER_PROVINCES = frozenset({"50", "57", "58", "63", "71", "85"})
BANGKOK_COMMUTER_PROVINCES = ("11", "12", "13", "73", "74")


class _People:
    """Thai names (Faker's th_TH lists), real addresses (geothai), valid national IDs."""

    male = list(ThaiNames.first_names_male)
    female = list(ThaiNames.first_names_female)
    last = list(ThaiNames.last_names)

    def __init__(self, ctx: _Context, rng: random.Random) -> None:
        self.ctx = ctx
        self.rng = rng

    def name(self, sex: str) -> tuple[str, str, str]:
        rng = self.rng
        if sex == "M":
            return "นาย", rng.choice(self.male), rng.choice(self.last)
        return ("นางสาว" if rng.random() < 0.45 else "นาง"), rng.choice(self.female), rng.choice(self.last)

    def full_name(self, sex: str) -> str:
        title, first, last = self.name(sex)
        return f"{title}{first} {last}"

    def national_id(self, district_code: str, birth_year: int, province: str) -> str:
        rng = self.rng
        stateless = 0.08 if province in BORDER_PROVINCES else 0.012
        if rng.random() < stateless:
            first = "0"
        elif birth_year < 1984:
            first = "3"
        else:
            first = "1" if rng.random() < 0.95 else "2"
        return thai_id.make_valid(f"{first}{district_code}{rng.randrange(10_000_000):07d}")

    def address(self, office: str) -> geothai.Subdistrict:
        rng = self.rng
        if office == CENTRAL_OFFICE_CODE:
            r = rng.random()
            province = BANGKOK if r < 0.85 else rng.choice(BANGKOK_COMMUTER_PROVINCES) if r < 0.95 else None
        else:
            province = office if rng.random() < 0.92 else None
        return rng.choice(self.ctx.subdistricts[province or rng.choice(self.ctx.province_codes)])

    def phone(self) -> str:
        """A Thai mobile number in E.164 (+66812345678), as the case services store it."""
        rng = self.rng
        if rng.random() < 0.05:
            return ""
        national = f"{rng.choice('689')}{rng.randrange(100_000_000):08d}"
        if national.startswith(("67", "69")):  # 067x and 069x are not (all) allocated to mobiles
            national = "8" + national[1:]
        return "+66" + national

    def person(self, office: str, received: date, sex: str, rich: bool) -> dict[str, Any]:
        rng = self.rng
        age = min(80, max(18, round(rng.gauss(42, 13))))
        birth = received - timedelta(days=age * 365 + rng.randrange(365))
        sub = self.address(office)
        title, first, last = self.name(sex)
        occupation = OCCUPATION.pick(rng)
        if rich:
            income = rng.randrange(160, 450) * 100
        elif occupation in ("unemployed", "student"):
            income = rng.randrange(0, 31) * 100
        else:
            income = min(60_000, round(rng.lognormvariate(math.log(7500), 0.45) / 100) * 100)
        house = f"{_int(rng, 1, 999)}/{_int(rng, 1, 300)}" if sub.province_code == BANGKOK else (
            f"{_int(rng, 1, 400)} หมู่ {_int(rng, 1, 15)}"
        )
        return {
            "national_id": self.national_id(sub.district_code, birth.year, sub.province_code),
            "title": title, "first_name": first, "last_name": last, "birth_date": birth, "sex": sex,
            "house_no": house, "province_code": sub.province_code, "district_code": sub.district_code,
            "subdistrict_code": sub.code, "phone": self.phone(),
            "education": EDUCATION.pick(rng), "occupation": occupation,
            "monthly_income": Decimal(income).quantize(Decimal("0.01")),
            "household_size": HOUSEHOLD.pick(rng),
        }


# --------------------------------------------------------------------------- service details


def _money(value: float) -> str:
    return f"{Decimal(round(value)):.2f}"


#: civil cases mostly approved, criminal mostly not (DOMAIN.md): the case kind follows the outcome
CASE_KIND_BY_OUTCOME = {
    "approved": _Weighted({"civil": 60, "criminal": 18, "labour": 12, "administrative": 5, "other": 5}),
    "partially_approved": _Weighted({"civil": 60, "criminal": 20, "labour": 10, "administrative": 5, "other": 5}),
    "rejected": _Weighted({"civil": 25, "criminal": 60, "labour": 5, "administrative": 5, "other": 5}),
    "terminated": _Weighted({"civil": 35, "criminal": 45, "labour": 10, "administrative": 5, "other": 5}),
    "": _Weighted({"civil": 45, "criminal": 40, "labour": 8, "administrative": 4, "other": 3}),
}
PARTY_ROLE = {
    "civil": _Weighted({"plaintiff": 55, "defendant": 45}),
    "criminal": _Weighted({"accused": 65, "injured_party": 35}),
    "labour": _Weighted({"plaintiff": 85, "defendant": 15}),
    "administrative": _Weighted({"plaintiff": 100}),
    "other": _Weighted({"other": 100}),
}
CASE_PREFIX = {"civil": "พ.", "criminal": "อ.", "labour": "ร.", "administrative": "", "other": ""}
CHARGES = {
    "ลักทรัพย์": (20_000, 100_000),
    "ครอบครองยาเสพติดให้โทษประเภท 1": (50_000, 300_000),
    "ทำร้ายร่างกายผู้อื่นเป็นเหตุให้ได้รับอันตรายสาหัส": (50_000, 200_000),
    "ฉ้อโกง": (30_000, 200_000),
    "ความผิดตาม พ.ร.บ.ว่าด้วยการกระทำความผิดเกี่ยวกับคอมพิวเตอร์": (50_000, 150_000),
    "บุกรุกที่ดินของรัฐ": (20_000, 100_000),
    "ขับรถโดยประมาทเป็นเหตุให้ผู้อื่นถึงแก่ความตาย": (100_000, 300_000),
    "ความผิดตาม พ.ร.บ.ป่าไม้": (30_000, 150_000),
    "ยักยอกทรัพย์": (30_000, 150_000),
}
VIOLATIONS = (
    ("ถูกควบคุมตัวโดยมิชอบด้วยกฎหมาย", "ขาดรายได้ระหว่างถูกควบคุมตัว", "ค่าทนายความฟ้องเรียกค่าเสียหาย"),
    ("ถูกทำร้ายร่างกายระหว่างการสอบสวน", "บาดเจ็บ ต้องรักษาตัวในโรงพยาบาล", "ค่ารักษาพยาบาลและค่าขาดรายได้"),
    ("ถูกเลือกปฏิบัติในการจ้างงานเพราะสถานะบุคคล", "ถูกเลิกจ้าง ขาดรายได้", "ค่าใช้จ่ายในการดำเนินคดีแรงงาน"),
    ("ถูกบังคับใช้แรงงาน", "ได้รับผลกระทบทางร่างกายและจิตใจ", "ค่าฟื้นฟูสภาพจิตใจและค่าเดินทางไปศาล"),
    ("ถูกรื้อถอนที่อยู่อาศัยโดยไม่เป็นธรรม", "สูญเสียที่อยู่อาศัยและทรัพย์สิน", "ค่าทนายความและค่าธรรมเนียมศาล"),
    ("ถูกกล่าวหาและดำเนินคดีโดยไม่เป็นธรรม", "เสื่อมเสียชื่อเสียง ขาดรายได้", "ค่าทนายความในการต่อสู้คดี"),
)
ORGANISATIONS = (
    "มูลนิธิเพื่อสิทธิชุมชน{place}", "สมาคมทนายความอาสา{place}", "ชมรมผู้สูงอายุตำบล{place}",
    "องค์การบริหารส่วนตำบล{place}", "เครือข่ายยุติธรรมชุมชนตำบล{place}", "วิสาหกิจชุมชนตำบล{place}",
)
PROJECT_TOPICS = ("ที่ดินและมรดก", "หนี้นอกระบบ", "ยาเสพติด", "ความรุนแรงในครอบครัว", "สิทธิแรงงาน", "ภัยออนไลน์")
PROJECT_GROUPS = ("ประชาชนในชุมชน", "เยาวชน", "ผู้สูงอายุ", "แรงงานข้ามชาติ", "ผู้นำชุมชน")
BUDGET_ITEMS = (
    ("ค่าวิทยากร", 3_600, 24_000), ("ค่าอาหารและเครื่องดื่ม", 5_000, 40_000),
    ("ค่าเอกสารประกอบการอบรม", 1_000, 10_000), ("ค่าเช่าสถานที่", 2_000, 15_000),
    ("ค่าพาหนะผู้เข้าร่วม", 2_000, 20_000),
)
CONSULT_TOPICS = (
    "มรดกและการจัดการทรัพย์สิน", "หนี้สินและการกู้ยืมเงิน", "หย่าและค่าเลี้ยงดูบุตร", "ข้อพิพาทที่ดิน",
    "ถูกเลิกจ้างไม่เป็นธรรม", "ถูกหลอกลวงทางออนไลน์", "ญาติถูกจับกุมดำเนินคดีอาญา", "การค้ำประกันเงินกู้",
)
CONSULT_CHANNELS = _Weighted({"counter": 45, "phone": 35, "online": 15, "mobile_unit": 5})
AGENCIES = (
    "สภาทนายความในพระบรมราชูปถัมภ์", "สำนักงานอัยการคุ้มครองสิทธิและช่วยเหลือทางกฎหมาย",
    "กรมคุ้มครองสิทธิและเสรีภาพ", "ศูนย์ดำรงธรรมจังหวัด", "สำนักงานคุ้มครองผู้บริโภค",
)
CENTRAL_COURTS = ("ศาลแพ่ง", "ศาลอาญา", "ศาลแพ่งกรุงเทพใต้", "ศาลอาญากรุงเทพใต้", "ศาลแขวงพระนครเหนือ")


class _Details:
    """Per-service details that validate against ``jfs.cases.details``; returns (details, amount)."""

    def __init__(self, people: _People, rng: random.Random) -> None:
        self.people = people
        self.rng = rng
        self.charges = list(CHARGES)

    def court(self, info: _OfficeInfo, kind: str) -> str:
        if kind == "labour":
            return "ศาลแรงงานกลาง" if info.code == CENTRAL_OFFICE_CODE else "ศาลแรงงานภาค"
        if kind == "administrative":
            return "ศาลปกครองกลาง"
        if info.code == CENTRAL_OFFICE_CODE:
            return self.rng.choice(CENTRAL_COURTS)
        return f"ศาลจังหวัด{info.province_name}"

    def litigation(self, info: _OfficeInfo, outcome: str, be_year: int) -> tuple[dict[str, Any], Decimal]:
        rng = self.rng
        kind = CASE_KIND_BY_OUTCOME[outcome if outcome in OUTCOMES else ""].pick(rng)
        party = PARTY_ROLE[kind].pick(rng)
        costs = {
            "lawyer": _money(rng.randrange(8, 41) * 1000) if rng.random() < 0.92 else "0.00",
            "court_fee": _money(rng.randrange(2, 40) * 500) if party == "plaintiff" and rng.random() < 0.7 else "0.00",
            "expert": _money(rng.randrange(3, 16) * 1000) if rng.random() < 0.1 else "0.00",
            "travel": _money(rng.randrange(5, 50) * 100) if rng.random() < 0.4 else "0.00",
            "other": _money(rng.randrange(5, 30) * 100) if rng.random() < 0.1 else "0.00",
        }
        if all(v == "0.00" for v in costs.values()):
            costs["lawyer"] = "15000.00"
        number = f"{CASE_PREFIX[kind]}{_int(rng, 1, 4500)}/{be_year}" if rng.random() < 0.8 else ""
        details = {
            "case_kind": kind, "court": self.court(info, kind), "case_number": number,
            "party_role": party, "costs": costs,
            # asked at intake since issue 9, the officer's assessment since issue 10; the demo history
            # leaves them unknown
            "household_monthly_income": None, "other_help_received": None, "case_has_merit": None,
        }
        return details, sum((Decimal(v) for v in costs.values()), Decimal(0))

    def bail(self, info: _OfficeInfo, applicant: dict[str, Any]) -> tuple[dict[str, Any], Decimal]:
        rng = self.rng
        own = rng.random() < 0.3
        if own:
            name = f"{applicant['title']}{applicant['first_name']} {applicant['last_name']}"
            detainee_id = applicant["national_id"]
        else:
            sex = "M" if rng.random() < 0.85 else "F"
            name = self.people.full_name(sex)
            detainee_id = self.people.national_id(applicant["district_code"], 1990, applicant["province_code"])
        charge = rng.choice(self.charges)
        low, high = CHARGES[charge]
        amount = rng.randrange(low // 5000, high // 5000 + 1) * 5000
        by_court = rng.random() < 0.75
        place = info.province_name
        if info.code == CENTRAL_OFFICE_CODE:
            held = rng.choice(("เรือนจำพิเศษกรุงเทพมหานคร", "เรือนจำพิเศษมีนบุรี", "ทัณฑสถานหญิงกลาง"))
            authority = rng.choice(CENTRAL_COURTS) if by_court else "สถานีตำรวจนครบาลพญาไท"
        else:
            held = f"เรือนจำกลาง{place}" if rng.random() < 0.5 else f"เรือนจำจังหวัด{place}"
            authority = f"ศาลจังหวัด{place}" if by_court else f"สถานีตำรวจภูธรเมือง{place}"
        if not by_court:
            held = authority
        details = {
            "detainee_name": name, "detainee_national_id": detainee_id if rng.random() < 0.9 else "",
            "charge": charge, "held_at": held, "authority": "court" if by_court else "police",
            "authority_name": authority, "bail_amount": _money(amount), "household_monthly_income": None,
            "other_help_received": None, "offence_category": None, "flight_risk": None,
            "evidence_tampering_risk": None, "absconded_before": None,
        }
        return details, Decimal(amount)

    def human_rights(self) -> tuple[dict[str, Any], Decimal]:
        violation, harm, remedy = self.rng.choice(VIOLATIONS)
        amount = self.rng.randrange(5, 101) * 1000
        return {"violation": violation, "harm": harm, "remedy_requested": remedy,
                "amount_requested": _money(amount), "household_monthly_income": None,
                "other_help_received": None, "case_has_merit": None}, Decimal(amount)

    def project(self, info: _OfficeInfo, sub_name: str, be_year: int) -> tuple[dict[str, Any], Decimal]:
        rng = self.rng
        template = rng.choice(ORGANISATIONS)
        organisation = template.format(place=sub_name if "ตำบล" in template else info.province_name)
        topic, group = rng.choice(PROJECT_TOPICS), rng.choice(PROJECT_GROUPS)
        lines = [
            {"item": item, "amount": _money(rng.randrange(low // 100, high // 100 + 1) * 100)}
            for item, low, high in rng.sample(BUDGET_ITEMS, _int(rng, 2, len(BUDGET_ITEMS)))
        ]
        participants = rng.randrange(30, 301, 10)
        details = {
            "organisation": organisation,
            "organisation_registration_no": f"ท.{_int(rng, 1, 900)}/{be_year - _int(rng, 1, 20)}"
            if rng.random() < 0.6 else "",
            "title": f"โครงการให้ความรู้กฎหมายเรื่อง{topic}แก่{group}",
            "plan": f"อบรม {_int(rng, 1, 3)} วัน แก่{group} {participants} คน เรื่อง{topic} "
                    f"พร้อมคู่มือและช่องทางขอรับความช่วยเหลือจากกองทุนยุติธรรม",
            "budget_lines": lines,
            "participants": participants,
        }
        return details, sum((Decimal(line["amount"]) for line in lines), Decimal(0))

    def consultation(self, channel: str) -> dict[str, Any]:
        return {"topic": self.rng.choice(CONSULT_TOPICS), "channel": channel, "advice_given": "", "referral": ""}


# --------------------------------------------------------------------------- building one request


@dataclass
class _Decision:
    """What a deciding step decides (``jfs.decisions``): the outcome, its reason codes and cause,
    and (once the request's items are known) the amount approved per requested item."""

    outcome: str
    codes: list[str]
    cause: str = ""
    urgent: bool = False  # wanted: taken by the chair only within the urgent limit
    referred_to: str = ""
    items: list[tuple[RequestedItem, Decimal]] | None = None


@dataclass
class _Step:
    """One action planned on one day; applied only if the day is not after ``today``.

    ``action`` "decide" is a subcommittee's decision whose form (the chair's urgent decision or the
    meeting's resolution) and day (the committee's meeting) are settled once the amount is known.
    """

    action: str
    on: date
    prefer: tuple[str, ...]  # roles to pick the actor from, most likely first
    assign_to: str = ""  # not a workflow action: hand the request to the office's user with this role
    comment: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    decision: _Decision | None = None


@dataclass
class _Rows:
    """One chunk of rows, picklable (it may come from the builder process)."""

    fiscal_year: int
    persons: list[tuple[Any, ...]] = field(default_factory=list)
    requests: list[tuple[Any, ...]] = field(default_factory=list)
    transitions: list[tuple[Any, ...]] = field(default_factory=list)
    documents: list[tuple[Any, ...]] = field(default_factory=list)
    #: audit "create" events: (actor id, request id, number, service, office code, at)
    events: list[tuple[int | None, int, str, str, str, datetime]] = field(default_factory=list)
    #: request counters touched in this chunk: (service, office code, fiscal year) -> last number
    counters: dict[tuple[str, str, int], int] = field(default_factory=dict)
    meetings: list[tuple[Any, ...]] = field(default_factory=list)
    attendance: list[tuple[Any, ...]] = field(default_factory=list)
    #: agenda items: [acknowledge and appeal items, consider items] (written around the decisions)
    agenda: tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]] = field(default_factory=lambda: ([], []))
    decisions: list[tuple[Any, ...]] = field(default_factory=list)  # first decisions
    appeal_decisions: list[tuple[Any, ...]] = field(default_factory=list)
    appeals: list[tuple[Any, ...]] = field(default_factory=list)
    #: (appeal decision id, appeal id): the appeal is decided by it
    appeal_links: list[tuple[int, int]] = field(default_factory=list)
    reasons: list[tuple[Any, ...]] = field(default_factory=list)
    decision_items: list[tuple[Any, ...]] = field(default_factory=list)
    conflicts: list[tuple[Any, ...]] = field(default_factory=list)
    votes: list[tuple[Any, ...]] = field(default_factory=list)


def _columns(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


PERSON_COLUMNS = _columns(Person)
REQUEST_COLUMNS = _columns(Request)
#: rows are built as tuples in this order (checked against the models when the module loads)
TRANSITION_COLUMNS = [
    "id", "request_id", "action", "from_state", "to_state", "actor_id", "actor_role", "at", "on_date",
    "comment", "fields", "diff", "step_due_on",
]
DOCUMENT_COLUMNS = [
    "id", "request_id", "doc_type", "original_name", "content_type", "size", "sha256", "storage_name",
    "uploaded_by_id", "uploaded_at", "transition_id", "superseded_by_id",
    "original_sha256", "cleaned", "sanitised", "scan_status", "scan_reason",
]
if sorted(TRANSITION_COLUMNS) != sorted(_columns(Transition)) or sorted(DOCUMENT_COLUMNS) != sorted(_columns(Document)):
    raise ImportError("jfs.demo.generator: update TRANSITION_COLUMNS / DOCUMENT_COLUMNS to match the models")
MEETING_COLUMNS = _columns(dm.Meeting)
DECISION_COLUMNS = _columns(dm.Decision)
#: the decisions app's other rows, built as tuples in this order (checked against the models)
DECISION_TABLES: dict[type[models.Model], list[str]] = {
    dm.Attendance: ["id", "meeting_id", "user_id", "position", "mode", "recorded_at", "recorded_by_id"],
    dm.AgendaItem: ["id", "meeting_id", "request_id", "kind", "position", "summary", "decision_reported_id",
                    "appeal_id", "acknowledged_at", "withdrawn"],
    dm.Appeal: ["id", "request_id", "against_id", "lodged_on", "deadline", "grounds", "state", "lodged_by_id",
                "decision_id"],
    dm.DecisionReason: ["id", "decision_id", "code", "position"],
    dm.DecisionItem: ["id", "decision_id", "key", "label_th", "label_en", "requested", "approved"],
    dm.ConflictDeclaration: ["id", "item_id", "user_id", "note", "declared_at"],
    dm.Vote: ["id", "item_id", "user_id", "choice", "mode", "cast_at"],
}
if any(sorted(cols) != sorted(_columns(model)) for model, cols in DECISION_TABLES.items()):
    raise ImportError("jfs.demo.generator: update DECISION_TABLES to match jfs.decisions.models")
#: tables the generator allocates keys for, and their models
KEYED: dict[str, type[models.Model]] = {
    "person": Person, "request": Request, "transition": Transition, "document": Document, "meeting": dm.Meeting,
    "attendance": dm.Attendance, "agenda_item": dm.AgendaItem, "decision": dm.Decision, "reason": dm.DecisionReason,
    "decision_item": dm.DecisionItem, "conflict": dm.ConflictDeclaration, "vote": dm.Vote, "appeal": dm.Appeal,
}


@dataclass
class _Case:
    """What the builder keeps about the request it is building (for its decisions and appeal)."""

    service: str
    committee: _CommitteeInfo | None
    items: list[RequestedItem]
    opinion: str
    decision_id: int | None = None
    notified_on: date | None = None
    appeal_id: int | None = None


@dataclass
class _Meeting:
    id: int
    committee: _CommitteeInfo
    day: date
    opened: datetime
    present: list[tuple[User, str]]  # voting members present and how (none recorded: no demo members)
    positions: int = 0


def _last_meeting(committee: _CommitteeInfo, first: date, last: date) -> date | None:
    """The committee's last regular meeting day in [first, last]."""
    day = last
    while day >= first:
        if committee.meets_on(day):
            return day
        day -= timedelta(days=1)
    return None

INTAKE, CASE, HEAD, SECRETARY, FINANCE = (
    roles.INTAKE_OFFICER, roles.CASE_OFFICER, roles.OFFICE_HEAD, roles.SUBCOMMITTEE_SECRETARY, roles.FINANCE_OFFICER,
)
#: the main path: (state entered, action that enters it, roles that take it, most likely first)
MAIN_PATH = (
    ("screening", "start_screening", (INTAKE, CASE)),
    ("fact_finding", "accept", (CASE, INTAKE)),
    ("opinion", "complete_fact_finding", (CASE,)),
    ("consideration", "submit_opinion", (CASE,)),
    ("decided", "", (HEAD,)),
    ("notified", "notify_applicant", (INTAKE, CASE)),
)
OUTCOME_TH = {"approved": "อนุมัติ", "partially_approved": "อนุมัติบางส่วน", "rejected": "ไม่อนุมัติ",
              "terminated": "ยุติเรื่อง", "referred": "ส่งต่อหน่วยงานที่รับผิดชอบโดยตรง"}
CHAIR = roles.SUBCOMMITTEE_CHAIR
#: reason codes (workflows/_reasons.yaml) by service and outcome; bail is approved for lack of flight risk
REASON_WEIGHTS: dict[tuple[str, str], _Weighted[str]] = {
    (SERVICE_LIT, "approved"): _Weighted({"A01": 55, "A02": 35, "A04": 10}),
    (SERVICE_BAIL, "approved"): _Weighted({"A03": 85, "A01": 15}),
    (SERVICE_HR, "approved"): _Weighted({"A05": 60, "A01": 40}),
    (SERVICE_PROJECT, "approved"): _Weighted({"A06": 100}),
    (SERVICE_LIT, "rejected"): _Weighted({"R03": 40, "R01": 25, "R02": 20, "R06": 8, "R07": 7}),
    (SERVICE_BAIL, "rejected"): _Weighted({"R04": 55, "R05": 15, "R01": 20, "R02": 10}),
    (SERVICE_HR, "rejected"): _Weighted({"R02": 40, "R03": 40, "R06": 20}),
    (SERVICE_PROJECT, "rejected"): _Weighted({"R08": 60, "R03": 25, "R02": 15}),
}
#: a second code with the first (a decision usually rests on more than one fact)
SECOND_REASON = 0.35
#: decisions whose only reason is "another reason" (X01, explained in the note): the catalogue now
#: covers most grounds, so few (the plan's goal: under 5%; DOMAIN.md: 69-73% before coded reasons)
OTHER_ONLY = 0.035
OTHER_NOTES = (
    "ผู้ขอเป็นผู้สูงอายุและเป็นผู้ดูแลบุตรหลานที่ยังเป็นผู้เยาว์ตามลำพัง",
    "คู่กรณีเสนอชดใช้ค่าเสียหายระหว่างการพิจารณา ที่ประชุมเห็นควรให้ดำเนินการตามข้อตกลง",
    "ข้อเท็จจริงเฉพาะกรณีตามที่ที่ประชุมอภิปราย รายละเอียดตามรายงานการประชุม",
)
#: why a request is terminated (terminated outcomes, withdrawals included), and the code of each cause
TERMINATION = _Weighted({"withdrawn": 45, "unreachable": 22, "other": 12, "duplicate": 8, "outside_mission": 8,
                         "referred": 5})
CAUSE_REASON = {"withdrawn": "T03", "unreachable": "T01", "other": "T02", "duplicate": "T04",
                "outside_mission": "T05", "referred": "T06"}
#: causes the office head records with ``terminate`` part-way (the rest: withdraw, or a committee's decision)
TERMINATE_NOTES = {
    "unreachable": "ติดต่อผู้ขอตามที่อยู่และหมายเลขโทรศัพท์ที่ให้ไว้ไม่ได้ และผู้ขอไม่ส่งเอกสารตามกำหนด",
    "duplicate": "ผู้ขอยื่นคำขอในเรื่องเดียวกันไว้แล้ว จึงยุติคำขอนี้",
    "outside_mission": "เรื่องที่ขอไม่ใช่การช่วยเหลือในคดีความตามภารกิจของกองทุน",
}
#: where along the main path a request leaves (the number of main-path steps taken first)
LEAVE_REFERRED = _Weighted({0: 15, 1: 40, 2: 40, 3: 5})
LEAVE_WITHDRAWN = _Weighted({0: 10, 1: 35, 2: 35, 3: 5, 4: 15})
LEAVE_TERMINATED = _Weighted({1: 30, 2: 55, 3: 15})
WITHDRAW_REASONS = (
    "ผู้ขอแจ้งถอนคำขอ เนื่องจากตกลงประนีประนอมยอมความกับคู่กรณีได้แล้ว",
    "ผู้ขอแจ้งถอนคำขอ เนื่องจากไม่ประสงค์ดำเนินการต่อ",
    "ผู้ขอแจ้งถอนคำขอ เนื่องจากได้รับความช่วยเหลือจากญาติแล้ว",
)
#: a member declares a conflict of interest in an item (and does not vote on it); votes otherwise
CONFLICT = 0.03
VOTE = _Weighted({dm.FOR: 94, dm.AGAINST: 4, dm.ABSTAIN: 2})
CONFLICT_NOTES = ("เป็นญาติของผู้ขอ", "รู้จักคุ้นเคยกับคู่กรณี", "เคยให้คำปรึกษาแก่ผู้ขอในเรื่องนี้")
#: meeting numbers are given in order once the load is written; rows carry this plus a running count
PROVISIONAL_NUMBER = 10_000
BKK = timedelta(hours=7)


class _Builder:
    """Turns planned requests into rows, stepping each through its workflow and clock."""

    def __init__(self, ctx: _Context, rng: random.Random, ids: dict[str, int], counters: dict[tuple[str, str, int], int]):
        self.ctx = ctx
        self.rng = rng
        self.ids = ids
        self.counters = counters
        self.people = _People(ctx, rng)
        self.details = _Details(self.people, rng)
        self.documents = _sample_documents(ctx)
        self.recent: list[tuple[int, dict[str, Any]]] = []  # people who may apply again
        self.meetings: dict[tuple[int, date], _Meeting] = {}
        self.meeting_counts: dict[tuple[int, int], int] = {}
        self.case = _Case("", None, [], "")

    def next_id(self, table: str) -> int:
        self.ids[table] = self.ids.get(table, 0) + 1
        return self.ids[table]

    # ----- actors

    def actor(self, info: _OfficeInfo, prefer: Sequence[str], assignee: User | None) -> tuple[User | None, str]:
        for role in prefer:
            if assignee is not None and assignee.role == role:
                return assignee, role
            users = info.staff.get(role)
            if users:
                return users[0], role
        return None, prefer[0]

    # ----- planning the steps

    def split(self, total: int) -> list[int]:
        """Spread ``total`` working days over the six gaps of the main path (allowances 1,1,7,1,10,1)."""
        rng = self.rng
        weights = [a * rng.uniform(0.4, 1.6) for a in (1, 1, 7, 1, 10, 1)]
        whole = sum(weights)
        exact = [total * w / whole for w in weights]
        gaps = [math.floor(x) for x in exact]
        order = sorted(range(6), key=lambda i: exact[i] - gaps[i], reverse=True)
        for i in order[: total - sum(gaps)]:
            gaps[i] += 1
        return gaps

    def main_steps(
        self, p: Planned, info: _OfficeInfo, gaps: list[int], leave_after: int, pause: tuple[int, int]
    ) -> tuple[list[_Step], date]:
        """Steps along the main path up to state index ``leave_after`` (6 = notified).

        ``pause`` = (gap index, working days): the applicant is asked for documents during
        that gap (screening or fact-finding) and the clock stops meanwhile.
        """
        cal, rng = info.cal, self.rng
        wf = self.ctx.workflows[p.service]
        steps: list[_Step] = []
        day = p.received_on
        for i, (state, action, prefer) in enumerate(MAIN_PATH[:leave_after]):
            gap = gaps[i]
            if pause[0] == i and pause[1] > 0:
                before = _int(rng, 0, gap)
                ask = cal.add_working_days(day, before)
                missing = rng.choice(wf.required_documents())
                steps.append(_Step("request_documents", ask, (INTAKE, CASE) if i < 2 else (CASE, INTAKE),
                                   comment=f"ขอให้ผู้ขอส่ง{missing.th}เพิ่มเติม"))
                day = cal.add_working_days(ask, pause[1])
                steps.append(_Step("documents_received", day, (INTAKE, CASE)))
                gap -= before
                here = wf.initial if i == 0 else MAIN_PATH[i - 1][0]
                if wf.states[here].restarts_clock:
                    # documents were still being checked: the clock starts again today, so the
                    # working days already spent are spent again and the request takes its planned days
                    gap += cal.working_days_between(p.received_on, ask)
            day = cal.add_working_days(day, gap)
            if state == "decided":
                continue  # the decision step is added by the caller (it needs the outcome)
            steps.append(_Step(action, day, prefer, comment=self.opinion(p) if action == "submit_opinion" else ""))
        return steps, day

    def opinion(self, p: Planned) -> str:
        if p.end in ("approved", "partially_approved"):
            return "เจ้าหน้าที่เห็นควรให้ความช่วยเหลือตามหลักเกณฑ์"
        if p.end == "rejected":
            return "เจ้าหน้าที่เห็นว่าไม่เข้าหลักเกณฑ์การให้ความช่วยเหลือ"
        return "เจ้าหน้าที่เสนอข้อเท็จจริงเพื่อประกอบการพิจารณา"

    def codes(self, service: str, outcome: str, cause: str = "") -> list[str]:
        """Reason codes that fit the outcome (a partial approval's are chosen with its items)."""
        rng = self.rng
        if outcome == "terminated":
            return [CAUSE_REASON[cause]]
        if rng.random() < OTHER_ONLY:
            return ["X01"]
        if outcome == "partially_approved":
            return []
        table = REASON_WEIGHTS[(service, outcome)]
        codes = [table.pick(rng)]
        if rng.random() < SECOND_REASON and (second := table.pick(rng)) != codes[0]:
            codes.append(second)
        return codes

    def decision(self, p: Planned, outcome: str, on: date, cause: str = "") -> _Step:
        """A subcommittee's decision ("decide": urgent by the chair or at a meeting, settled in ``one``)."""
        urgent = self.rng.random() < (0.7 if p.service == SERVICE_BAIL else 0.15)
        return _Step("decide", on, (SECRETARY,), decision=_Decision(outcome, self.codes(p.service, outcome, cause),
                                                                    cause, urgent=urgent))

    def finish(self, p: Planned, info: _OfficeInfo, notified: date, appeal: str, past: bool) -> list[_Step]:
        """After the applicant is notified: an appeal (``appeal``: "upheld" or "overturned"), decided at
        a meeting of the Justice Fund Committee; follow-up; closing.

        Requests of past fiscal years close by ``today`` (their last steps are squeezed).
        """
        cal, rng = info.cal, self.rng
        cap = self.ctx.last_working_day(cal) if past else date.max
        steps: list[_Step] = []
        day = notified
        final = p.end

        def after(start: date, n: int) -> date:
            return max(start, min(cal.add_working_days(start, n), cap))

        if appeal:
            day = after(day, _int(rng, 3, 12))
            steps.append(_Step("appeal", day, (INTAKE, CASE), comment="ผู้ขอยื่นอุทธรณ์ขอให้ทบทวนผลการพิจารณา"))
            earliest = after(day, 2)
            board = self.ctx.board.next_meeting(earliest, min(cap, earliest + timedelta(days=40)))
            day = board or after(day, _int(rng, 4, 12))
            final = "approved" if appeal == "overturned" else p.end
            codes = ["U01"] if final == "approved" else ["U02"]
            if final == "approved" and rng.random() < SECOND_REASON:
                codes.append("A01")
            verdict = "กลับผลการพิจารณาเดิม" if appeal == "overturned" else "ยืนตามผลการพิจารณาเดิม"
            reason = self.ctx.reasons[codes[0]]
            steps.append(_Step("decide_appeal", day, (SECRETARY,), comment=f"{verdict} — {reason.th}",
                               decision=_Decision(final, codes)))
        bail = p.service == SERVICE_BAIL
        if final in ("approved", "partially_approved") and (bail or p.service == SERVICE_LIT and rng.random() < 0.6):
            day = after(day, _int(rng, 0, 3))
            if bail:  # the finance officer tracks the bail money until the court returns it
                steps.append(_Step("assign", day, (HEAD, CASE), assign_to=FINANCE))
            steps.append(_Step("start_follow_up", day, (FINANCE, CASE) if bail else (CASE, FINANCE)))
            steps.append(_Step("close", after(day, _int(rng, 20, 160) if bail else _int(rng, 10, 80)),
                               (FINANCE, CASE) if bail else (CASE, HEAD)))
        else:
            steps.append(_Step("close", after(day, _int(rng, 0, 8)), (CASE, HEAD)))
        return steps

    def plan_steps(self, p: Planned, info: _OfficeInfo, past: bool) -> list[_Step]:
        """The whole life of a request as steps (cut at ``today`` by the caller)."""
        if p.service == SERVICE_CONSULT:
            return self.consult_steps(p, info)
        rng, cal = self.rng, info.cal
        room = cal.working_days_between(p.received_on, self.ctx.today) if past else 10**6
        # the last working day a step may fall on, counted from the day received: by ``today`` and, for a
        # request decided in its own fiscal year, by the year's last day (``_decision_years``)
        received_in = fiscal_year(p.received_on)
        limit = room - 1
        if p.decide_in == received_in:
            limit = min(limit, cal.working_days_between(p.received_on, FiscalYear(received_in).end))
        cause = TERMINATION.pick(rng) if p.end == "terminated" else ""
        if p.end in OUTCOMES and cause not in ("withdrawn", "unreachable", "duplicate", "outside_mission"):
            where = rng.random()
            pause_days = _int(rng, 2, 12) if where < 0.19 else 0
            gaps = self.split(p.days)
            at = 1 if where < 0.14 else 2
            # a wait during screening restarts the clock: at most the days before it are lived twice
            again = sum(gaps[:at + 1]) if at == 1 else 0
            if p.days + pause_days + again > limit:
                pause_days = 0
            steps, notified = self.main_steps(p, info, gaps, len(MAIN_PATH), (at, pause_days))
            # 5.5% of refusals are appealed: most upheld, some overturned (approved on appeal) except in
            # DOMAIN.md's years, so that their requests' outcomes (the dashboard) are the first decisions too
            appeal = "" if p.end != "rejected" or rng.random() >= 0.055 else (
                "overturned" if rng.random() < 0.3 and fiscal_year(p.received_on) not in DOMAIN_FIGURES else "upheld")
            decided_on = cal.add_working_days(steps[-2].on, gaps[4])
            if p.decide_in > received_in:  # carried over: decided in the next fiscal year, before notifying
                decided_on = max(decided_on, cal.add_working_days(FiscalYear(p.decide_in).start - timedelta(days=1), 1))
            steps.insert(len(steps) - 1, self.decision(p, p.end, decided_on, cause))
            return steps + self.finish(p, info, notified, appeal, past)
        if p.end == "terminated":
            return self.ended_early(p, info, cause)
        # referred to the agency directly responsible, before consideration
        gaps = self.split(max(0, min(limit, round(rng.gauss(12, 4)))))
        leave_after = LEAVE_REFERRED.pick(rng)
        steps, day = self.main_steps(p, info, gaps, leave_after, (-1, 0))
        leave = cal.add_working_days(day, _int(rng, 0, gaps[leave_after]))
        agency = rng.choice(AGENCIES)
        steps.append(_Step("refer", leave, (CASE, HEAD), comment=f"ส่งต่อ{agency} ซึ่งรับผิดชอบโดยตรง",
                           decision=_Decision("referred", ["F01"], referred_to=agency)))
        return steps

    def ended_early(self, p: Planned, info: _OfficeInfo, cause: str) -> list[_Step]:
        """Terminated part-way: withdrawn by the applicant, or terminated by the office head (applicant
        unreachable, a duplicate, outside the mission), after the request's planned working days."""
        rng, cal = self.rng, info.cal
        gaps = self.split(p.days)
        leave_after = (LEAVE_WITHDRAWN if cause == "withdrawn" else LEAVE_TERMINATED).pick(rng)
        steps, day = self.main_steps(p, info, gaps, leave_after, (-1, 0))
        leave = cal.add_working_days(day, sum(gaps[leave_after:]))
        decision = _Decision("terminated", [CAUSE_REASON[cause]], cause)
        if cause == "withdrawn":
            steps.append(_Step("withdraw", leave, (INTAKE, CASE), comment=rng.choice(WITHDRAW_REASONS),
                               decision=decision))
        else:
            steps.append(_Step("terminate", leave, (HEAD,), comment=TERMINATE_NOTES[cause], decision=decision))
        return steps

    def consult_steps(self, p: Planned, info: _OfficeInfo) -> list[_Step]:
        rng, cal = self.rng, info.cal
        r = rng.random()
        if r < 0.03:
            return [_Step("withdraw", cal.add_working_days(p.received_on, _int(rng, 0, 2)), (INTAKE, CASE),
                          comment="ผู้ขอแจ้งว่าไม่ต้องการคำปรึกษาแล้ว")]
        advised = cal.add_working_days(p.received_on, 0 if rng.random() < 0.7 else _int(rng, 1, 3))
        steps = [_Step("give_advice", advised, (INTAKE, CASE), comment="ให้คำปรึกษาเรื่องสิทธิ ขั้นตอน และเอกสารที่ต้องใช้")]
        later = cal.add_working_days(advised, _int(rng, 0, 5))
        if r < 0.18:
            steps.append(_Step("refer", later, (INTAKE, CASE), comment=f"ส่งต่อ{rng.choice(AGENCIES)}"))
        else:
            steps.append(_Step("close", later, (INTAKE, CASE)))
        return steps

    # ----- building

    def build(self, plan: Iterable[Planned], rows: _Rows) -> None:
        for p in plan:
            self.one(p, rows)

    def applicant(self, p: Planned, info: _OfficeInfo, rich: bool, rows: _Rows) -> tuple[int, dict[str, Any]]:
        rng = self.rng
        if self.recent and p.service in (SERVICE_LIT, SERVICE_BAIL, SERVICE_HR) and rng.random() < 0.03:
            return rng.choice(self.recent)
        sex_share = {SERVICE_LIT: 0.55, SERVICE_BAIL: 0.45, SERVICE_HR: 0.5, SERVICE_PROJECT: 0.5}.get(p.service, 0.45)
        values = self.people.person(info.code, p.received_on, "M" if rng.random() < sex_share else "F", rich)
        pid = self.next_id("person")
        stamp = _at(p.received_on, 0)
        values.update(id=pid, version=1, created_at=stamp, updated_at=stamp)
        rows.persons.append(tuple(values[c] for c in PERSON_COLUMNS))
        if len(self.recent) < 5000:
            self.recent.append((pid, values))
        else:
            self.recent[rng.randrange(5000)] = (pid, values)
        return pid, values

    def one(self, p: Planned, rows: _Rows) -> None:
        ctx, rng = self.ctx, self.rng
        info = ctx.offices[p.office]
        wf = ctx.workflows[p.service]
        fy = fiscal_year(p.received_on)
        steps = self.plan_steps(p, info, fy < ctx.fiscal_year)
        rich = any("R01" in s.decision.codes for s in steps if s.decision)
        person_id, person = self.applicant(p, info, rich, rows)
        details, amount, channel = self.service_details(p, info, person, fy)
        key = (p.service, info.code, fy)
        self.counters[key] = rows.counters[key] = self.counters.get(key, 0) + 1
        assignee = info.officers.pick(rng) if info.officers else None
        rep_type, rep_name, rep_id = "", "", ""
        if p.service != SERVICE_PROJECT and rng.random() < 0.08:
            rep_type = rng.choice(("spouse", "legal_representative", "attorney_in_fact"))
            rep_name = self.people.full_name("M" if rng.random() < 0.5 else "F")
            rep_id = self.people.national_id(person["district_code"], 1980, person["province_code"])
        creator, creator_role = self.actor(info, (INTAKE, CASE), None)
        req = _new_request(
            id=self.next_id("request"),
            number=services.format_number(p.service, info.code, fy, self.counters[key]),
            service=p.service, office_id=info.office.pk, fiscal_year=fy, applicant_id=person_id,
            channel=channel, representative_type=rep_type, representative_name=rep_name,
            representative_national_id=rep_id, details=details, amount_requested=amount,
            state=wf.initial, received_on=p.received_on, clock_started_on=p.received_on,
            created_by_id=creator.pk if creator else None,
        )
        services._enter_step(req, info.cal, p.received_on)
        services._recompute_due(req, info.cal)
        self.case = _Case(p.service, ctx.committee_for(p.service, amount, info, p.received_on),
                          requested_items(req), self.opinion(p))
        self.settle(p, steps, amount)
        at = req.created_at = _at(p.received_on, _int(rng, 0, 420))
        snap = self.record(rows, req, "create", "", (creator, creator_role), at, p.received_on, NOTHING)
        rows.events.append((req.created_by_id, req.id, req.number, p.service, info.code, at))
        if assignee is not None:  # the head (or intake) assigns a case officer on the day it arrives
            at += timedelta(minutes=_int(rng, 2, 40))
            snap = self.assign(rows, req, assignee, self.actor(info, (HEAD, INTAKE), None), at, p.received_on, snap)
        for step in steps:
            if step.on > ctx.today:
                break
            at = max(at + timedelta(minutes=_int(rng, 2, 40)), _at(step.on, _int(rng, 0, 420)))
            if step.assign_to:
                if step.assign_to in info.staff:
                    assignee = info.staff[step.assign_to][0]
                    snap = self.assign(rows, req, assignee, self.actor(info, step.prefer, None), at, step.on, snap)
                continue
            snap = self.apply(rows, req, wf, info, step, self.step_actor(info, step, assignee), at, snap)
        req.updated_at = at
        row = [getattr(req, c) for c in REQUEST_COLUMNS]
        row[DETAILS_AT] = _json(details)
        rows.requests.append(tuple(row))

    def step_actor(self, info: _OfficeInfo, step: _Step, assignee: User | None) -> tuple[User | None, str]:
        """Who takes a step: a committee's decision is the chair's (urgent) or its secretary's (the
        meeting's resolution), if a demo person holds the seat; anything else the office's people."""
        committee = self.ctx.board if step.action == "decide_appeal" else self.case.committee
        if step.action in ("decide_urgent", "record_subcommittee_decision", "decide_appeal") and committee:
            position = dm.CHAIR if step.action == "decide_urgent" else dm.SECRETARY
            return committee.holder(position), step.prefer[0]
        return self.actor(info, step.prefer, assignee)

    def settle(self, p: Planned, steps: list[_Step], amount: Decimal) -> None:
        """Once the amount is known: the chair decides urgently within the urgent limit, otherwise the
        committee at its next regular meeting between the opinion and the notification (else at an
        extra meeting on the planned day); approved amounts per item; a partial approval's reasons."""
        committee = self.case.committee
        for i, step in enumerate(steps):
            d = step.decision
            if d is None:
                continue
            if step.action == "decide":
                limit = authority.urgent_limit(p.service, p.received_on)
                if d.urgent and amount <= limit and limit > 0:
                    step.action, step.prefer = "decide_urgent", (CHAIR,)
                else:
                    step.action = "record_subcommittee_decision"
                    if committee is not None:
                        lo, hi = steps[i - 1].on, steps[i + 1].on
                        if p.decide_in > fiscal_year(p.received_on):  # not at a meeting before 1 October
                            lo = max(lo, FiscalYear(p.decide_in).start)
                        step.on = (committee.next_meeting(step.on, hi) or _last_meeting(committee, lo, step.on)
                                   or self.held_between(committee, lo, hi) or step.on)
            d.items = self.approve(d.outcome, d)
            codes = d.codes
            if step.action != "withdraw" and step.action != "refer":
                reason = self.ctx.reasons[codes[0]]
                step.comment = step.comment or (
                    f"{OUTCOME_TH[d.outcome]}: {self.rng.choice(OTHER_NOTES)}" if codes == ["X01"]
                    else f"{OUTCOME_TH[d.outcome]}: {reason.th} ({reason.basis})")
            step.fields = {"outcome": d.outcome, "reason_code": ",".join(codes)[:40]}
            if d.cause:
                step.fields["cause"] = d.cause

    def held_between(self, committee: _CommitteeInfo, first: date, last: date) -> date | None:
        """A day in [first, last] the committee already holds an extra meeting on (one more item for it)."""
        day = first
        while day <= last:
            if (committee.id, day) in self.meetings:
                return day
            day += timedelta(days=1)
        return None

    def approve(self, outcome: str, d: _Decision) -> list[tuple[RequestedItem, Decimal]]:
        """The amount approved per requested item. A partial approval leaves out some items (P01, or
        P02: met elsewhere) or cuts the largest one to the Fund's scale (P03)."""
        items, rng = self.case.items, self.rng
        if outcome == "approved":
            return [(r, r.amount) for r in items]
        if outcome != "partially_approved":
            return [(r, Decimal(0)) for r in items]
        approved = {r.key: r.amount for r in items}
        largest = max(items, key=lambda r: r.amount)
        if len(items) >= 2 and rng.random() < 0.7:
            others = [r for r in items if r is not largest]
            for r in rng.sample(others, _int(rng, 1, len(others))):
                approved[r.key] = Decimal(0)
            code = "P02" if rng.random() < 0.3 else "P01"
        else:
            cut = (largest.amount * Decimal(rng.uniform(0.5, 0.9)) / 100).quantize(Decimal(1)) * 100
            approved[largest.key] = cut if 0 < cut < largest.amount else (largest.amount / 2).quantize(Decimal("0.01"))
            code = "P03"
        if not d.codes:
            d.codes = [code]
            if rng.random() < 0.45:
                d.codes.append(REASON_WEIGHTS[(self.case.service, "approved")].pick(rng))
        return [(r, approved[r.key]) for r in items]

    def assign(self, rows: _Rows, req: Request, user: User, by: tuple[User | None, str], at: datetime, on: date,
               before: tuple[Any, ...]) -> tuple[Any, ...]:
        """What ``services.assign`` does: a new assignee, a new version, an ``assign`` transition."""
        req.assigned_to_id = user.pk
        req.version += 1
        return self.record(rows, req, "assign", req.state, by, at, on, before)

    def apply(self, rows: _Rows, req: Request, wf: WorkflowDefinition, info: _OfficeInfo, step: _Step,
              by: tuple[User | None, str], at: datetime, before: tuple[Any, ...]) -> tuple[Any, ...]:
        """What ``services.transition`` does to a request, minus the database; returns the new snapshot."""
        action = wf.actions[step.action]
        from_state = req.state
        to_state = req.previous_state if action.target == "@previous" else action.target
        clock_after = wf.states[to_state].clock
        if clock_after == "paused":
            req.previous_state = from_state
        req.state = to_state
        services._apply_clock(req, info.cal, wf.states[from_state], wf.states[to_state], step.on)
        services._enter_step(req, info.cal, step.on)
        if action.sets_outcome:
            req.outcome = step.fields["outcome"]
            req.reason_code = step.fields["reason_code"]
            req.decided_on = step.on
        if step.comment.strip():  # what the action records in the details (the advice given), in place
            for name in details_mod.recorded_by(details_mod.SCHEMAS[req.service], step.action):
                req.details[name] = step.comment.strip()
        if wf.states[to_state].terminal:
            req.closed_on = step.on
        req.version += 1
        tid = self.ids["transition"] + 1
        snap = self.record(rows, req, step.action, from_state, by, at, step.on, before, step.comment, step.fields)
        if step.decision is not None:
            self.decide(rows, req, info, step, by[0], at, tid)
        elif step.action == "appeal":
            self.lodge(rows, req, info, step, by[0])
        elif step.action == "notify_applicant":
            self.case.notified_on = step.on
        if step.action == "accept":  # the officer uploads the required documents, then accepts
            uploader = by[0].pk if by[0] else None
            for n, doc in enumerate(wf.required_documents()):
                name, size, digest = self.documents[doc.code]
                rows.documents.append((
                    self.next_id("document"), req.id, doc.code, name, "application/pdf", size, digest,
                    f"demo/{doc.code}.pdf", uploader, at - timedelta(minutes=4 * (n + 1)), tid, None,
                    digest, False, "[]", "not_scanned", "",
                ))
        return snap

    # ----- decisions, meetings, appeals (what ``jfs.decisions.services`` records with each step)

    def decide(self, rows: _Rows, req: Request, info: _OfficeInfo, step: _Step, actor: User | None, at: datetime,
               tid: int) -> None:
        """The ``Decision`` of a deciding step, its reasons and items; at a meeting, its agenda item and
        votes; an urgent decision goes on the committee's next meeting for acknowledgement."""
        d, case, ctx = step.decision, self.case, self.ctx
        assert d is not None and d.items is not None
        appeal = step.action == "decide_appeal"
        committee = ctx.board if appeal else case.committee
        how = {"decide_urgent": dm.BY_CHAIR, "record_subcommittee_decision": dm.BY_MEETING,
               "decide_appeal": dm.BY_MEETING}.get(step.action, dm.BY_OFFICE)
        meeting_id = item_id = None
        tally: tuple[int | None, int | None, int | None] = (None, None, None)
        if how == dm.BY_MEETING and committee is not None:
            meeting = self.meeting(rows, committee, step.on)
            item_id = self.agenda_item(rows, meeting, req, dm.APPEAL if appeal else dm.CONSIDER,
                                       appeal_id=case.appeal_id if appeal else None)
            meeting_id = meeting.id
            tally = self.votes(rows, meeting, item_id, at)
        did = self.next_id("decision")
        requested = sum((r.amount for r, _ in d.items), Decimal(0))
        row = {
            "id": did, "request_id": req.id, "kind": dm.APPEAL_DECISION if appeal else dm.FIRST,
            "outcome": d.outcome, "cause": d.cause, "authority": how,
            "committee_id": committee.id if committee else None, "meeting_id": meeting_id, "item_id": item_id,
            "appeal_id": case.appeal_id if appeal else None, "recorded_by_id": actor.pk if actor else ctx.legacy_id,
            "decided_on": step.on, "fiscal_year": fiscal_year(step.on), "service": req.service,
            "amount_requested": requested or req.amount_requested,
            "amount_approved": sum((ok for _, ok in d.items), Decimal(0)),
            "note": step.comment.strip(), "referred_to": d.referred_to,
            "other_only": all(reasons_mod.is_other(c) for c in d.codes), "votes_for": tally[0],
            "votes_against": tally[1], "votes_abstain": tally[2], "transition_id": tid, "created_at": at,
        }
        (rows.appeal_decisions if appeal else rows.decisions).append(tuple(row[c] for c in DECISION_COLUMNS))
        rows.reasons += [(self.next_id("reason"), did, code, n) for n, code in enumerate(d.codes, start=1)]
        rows.decision_items += [(self.next_id("decision_item"), did, r.key, r.th, r.en, r.amount, ok)
                                for r, ok in d.items]
        if appeal and case.appeal_id is not None:
            rows.appeal_links.append((did, case.appeal_id))
        case.decision_id = did
        if how == dm.BY_CHAIR and committee is not None:
            self.acknowledge(rows, committee, req, did, step.on)

    def acknowledge(self, rows: _Rows, committee: _CommitteeInfo, req: Request, decision_id: int, on: date) -> None:
        """Report the chair's urgent decision to the committee's next regular meeting held by ``today``
        (later ones are for the live system: ``build_agenda`` finds them unacknowledged)."""
        day = committee.next_meeting(on + timedelta(days=1), min(self.ctx.today, on + timedelta(days=40)))
        if day is None:
            return
        meeting = self.meeting(rows, committee, day)
        self.agenda_item(rows, meeting, req, dm.ACKNOWLEDGE, decision_id=decision_id)

    def meeting(self, rows: _Rows, committee: _CommitteeInfo, day: date) -> _Meeting:
        """The committee's meeting on ``day`` (made the first time it is needed): held, minutes approved
        a week later (closed if that is after ``today``); attendance where demo members sit."""
        key = (committee.id, day)
        found = self.meetings.get(key)
        if found is not None:
            return found
        rng, cal = self.rng, committee.office.cal
        fy = fiscal_year(day)
        count = self.meeting_counts[(committee.id, fy)] = self.meeting_counts.get((committee.id, fy), 0) + 1
        opened = _at(day, 60)
        chair, secretary = committee.holder(dm.CHAIR), committee.holder(dm.SECRETARY)
        voting = committee.seats.get(dm.CHAIR, [])[:1] + committee.seats.get(dm.MEMBER, [])
        members = len(voting) if voting else UNSEATED_MEMBERS
        quorum = authority.quorum(members, day)
        present: list[tuple[User, str]] = []
        if voting:
            chosen = [u for u in voting if rng.random() < 0.85]
            for u in voting:
                if len(chosen) < quorum and u not in chosen:
                    chosen.append(u)
            present = [(u, dm.ELECTRONIC if rng.random() < 0.2 else dm.IN_PERSON) for u in voting if u in chosen]
        electronic = any(mode == dm.ELECTRONIC for _, mode in present)
        approved_on = cal.add_working_days(day, 5)
        approved = approved_on <= self.ctx.today
        mid = self.next_id("meeting")
        row = {
            "id": mid, "committee_id": committee.id, "fiscal_year": fy, "number": PROVISIONAL_NUMBER + count,
            "scheduled_for": opened, "place": f"ห้องประชุม{committee.office.office.name_th}",
            "mode": "hybrid" if electronic else dm.IN_PERSON, "state": dm.APPROVED if approved else dm.CLOSED,
            "members_count": members, "quorum": quorum, "opened_at": opened,
            "closed_at": _at(day, 480), "minutes_approved_at": _at(approved_on, 120) if approved else None,
            "minutes_approved_by_id": chair.pk if chair and approved else None, "minutes_sha256": "",
            "minutes_storage_name": "", "created_by_id": secretary.pk if secretary else self.ctx.legacy_id,
            "version": 4 + approved,
        }
        rows.meetings.append(tuple(row[c] for c in MEETING_COLUMNS))
        recorder = secretary.pk if secretary else self.ctx.legacy_id
        for n, (user, mode) in enumerate(present + ([(secretary, dm.IN_PERSON)] if secretary else [])):
            position = dm.SECRETARY if user is secretary else dm.CHAIR if user is chair else dm.MEMBER
            rows.attendance.append((self.next_id("attendance"), mid, user.pk, position, mode,
                                    opened - timedelta(minutes=20 - n), recorder))
        found = self.meetings[key] = _Meeting(mid, committee, day, opened, present)
        return found

    def agenda_item(self, rows: _Rows, meeting: _Meeting, req: Request, kind: str, *, appeal_id: int | None = None,
                    decision_id: int | None = None) -> int:
        meeting.positions += 1
        iid = self.next_id("agenda_item")
        if kind == dm.ACKNOWLEDGE:
            summary: dict[str, Any] = {"outcome": req.outcome}
        else:
            summary = {"amount_requested": str(req.amount_requested), "opinion": self.case.opinion,
                       "items": [{"key": r.key, "th": r.th, "en": r.en, "amount": str(r.amount)} for r in self.case.items]}
        acknowledged = meeting.opened + timedelta(minutes=30 + meeting.positions) if kind == dm.ACKNOWLEDGE else None
        rows.agenda[kind == dm.CONSIDER].append((
            iid, meeting.id, req.id, kind, meeting.positions, _json(summary), decision_id, appeal_id, acknowledged, False))
        return iid

    def votes(self, rows: _Rows, meeting: _Meeting, item_id: int, at: datetime) -> tuple[int | None, int | None, int | None]:
        """Votes of the members present on an item (none recorded where no demo members sit): mostly
        for; a member with a declared conflict does not vote. The resolution carries."""
        if not meeting.present:
            return None, None, None
        rng = self.rng
        chair = meeting.committee.holder(dm.CHAIR)
        cast: list[tuple[User, str, str]] = []
        for user, mode in meeting.present:
            if user is not chair and rng.random() < CONFLICT:
                rows.conflicts.append((self.next_id("conflict"), item_id, user.pk, rng.choice(CONFLICT_NOTES),
                                       at - timedelta(minutes=6)))
                continue
            cast.append((user, VOTE.pick(rng), mode))
        choices = [c for _, c, _ in cast]
        if choices.count(dm.FOR) <= choices.count(dm.AGAINST):
            cast = [(u, dm.FOR, mode) for u, _, mode in cast]
            choices = [dm.FOR] * len(cast)
        for n, (user, choice, mode) in enumerate(cast):
            rows.votes.append((self.next_id("vote"), item_id, user.pk, choice, mode, at - timedelta(minutes=5, seconds=-n)))
        return choices.count(dm.FOR), choices.count(dm.AGAINST), choices.count(dm.ABSTAIN)

    def lodge(self, rows: _Rows, req: Request, info: _OfficeInfo, step: _Step, actor: User | None) -> None:
        """The ``Appeal`` an ``appeal`` step lodges against the first decision (within the period)."""
        told = self.case.notified_on or step.on
        aid = self.next_id("appeal")
        deadline = info.cal.add_working_days(told, authority.appeal_working_days(told))
        rows.appeals.append((aid, req.id, self.case.decision_id, step.on, deadline, step.comment, dm.Appeal.LODGED,
                             actor.pk if actor else self.ctx.legacy_id, None))
        self.case.appeal_id = aid

    def record(
        self, rows: _Rows, req: Request, action: str, from_state: str, by: tuple[User | None, str],
        at: datetime, on: date, before: tuple[Any, ...], comment: str = "", fields: dict[str, str] | None = None,
    ) -> tuple[Any, ...]:
        """Append the transition row (with the field diff services would store); return the snapshot after."""
        after = SNAPSHOT(req)
        actor, role = by
        rows.transitions.append((
            self.next_id("transition"), req.id, action, from_state, req.state, actor.pk if actor else None, role,
            at, on, comment, _json(fields) if fields else "{}", _diff(before, after), req.step_due_on,
        ))
        return after

    def service_details(self, p: Planned, info: _OfficeInfo, person: dict[str, Any], fy: int) -> tuple[dict[str, Any], Decimal, str]:
        rng = self.rng
        online = min(0.25, 0.02 + 0.03 * max(0, fy - 2565))
        channel = "online" if rng.random() < online else "mobile_unit" if rng.random() < 0.03 else "counter"
        be_year = to_be_year(p.received_on.year)
        if p.service == SERVICE_LIT:
            details, amount = self.details.litigation(info, p.end, be_year)
        elif p.service == SERVICE_BAIL:
            details, amount = self.details.bail(info, person)
        elif p.service == SERVICE_HR:
            details, amount = self.details.human_rights()
        elif p.service == SERVICE_PROJECT:
            sub = geothai.subdistrict(person["subdistrict_code"])
            details, amount = self.details.project(info, sub.name_th if sub else info.province_name, be_year)
        else:
            channel = CONSULT_CHANNELS.pick(rng)
            details, amount = self.details.consultation(channel), Decimal(0)
        return details, amount, channel


def _at(day: date, minutes: int) -> datetime:
    """A moment on ``day`` during Bangkok office hours (08:30 + minutes), in UTC."""
    return datetime.combine(day, time(8, 30), tzinfo=UTC) - BKK + timedelta(minutes=minutes)


REQUEST_DEFAULTS = {f.attname: f.get_default() for f in Request._meta.concrete_fields}


def _new_request(**values: Any) -> Request:
    """A Request used only as the clock helpers' working copy and then turned into a row (never
    saved through the ORM), so built without ``Model.__init__``, a tenth of the build time."""
    req = Request.__new__(Request)
    req.__dict__.update(REQUEST_DEFAULTS, _state=ModelState(), **values)
    return req


#: ``services._snapshot`` as a tuple (TRACKED_FIELDS order), read in one C call
SNAPSHOT = operator.attrgetter(*services.TRACKED_FIELDS)
NOTHING: tuple[Any, ...] = (None,) * len(services.TRACKED_FIELDS)
DETAILS_AT = REQUEST_COLUMNS.index("details")


def _literal(value: Any) -> str:
    """A tracked value (None, bool, number, code or date) as JSON, the way ``services._diff`` stores it."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    found = LITERALS.get(value)  # a few thousand distinct dates, numbers and codes: remember them
    if found is None:
        if isinstance(value, date):
            found = f'"{value.isoformat()}"'
        elif isinstance(value, int):
            found = str(value)
        else:
            found = encode_basestring(value)
        LITERALS[value] = found
    return found


LITERALS: dict[Any, str] = {}


def _diff(before: tuple[Any, ...], after: tuple[Any, ...]) -> str:
    """``services._diff`` of two snapshots (same keys and values) as JSON text, written directly:
    ``json.dumps`` of the dict cost a fifth of the whole build."""
    changed = (
        f'"{name}": [{_literal(b)}, {_literal(a)}]'
        for name, b, a in zip(services.TRACKED_FIELDS, before, after, strict=True)
        if b != a
    )
    return "{" + ", ".join(changed) + "}"


#: JSON text for a JSON column: rows carry it ready, so writing does no per-value work
_json = json.JSONEncoder(ensure_ascii=False).encode


def _int(rng: random.Random, low: int, high: int) -> int:
    """A whole number in [low, high]; much cheaper than ``randint`` in the hot loop."""
    return low + int(rng.random() * (high - low + 1))


def _sample_documents(ctx: _Context) -> dict[str, tuple[str, int, str]]:
    """One small PDF per document type, shared by every demo request: (name, size, sha256)."""
    folder = settings.DOCUMENT_ROOT / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, tuple[str, int, str]] = {}
    for wf in ctx.workflows.values():
        for doc in wf.documents.values():
            if doc.code in out:
                continue
            data = (
                "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
                f"% JFS demo document: {doc.en}\ntrailer<</Root 1 0 R>>\n%%EOF\n"
            ).encode()
            (folder / f"{doc.code}.pdf").write_bytes(data)
            out[doc.code] = (f"{doc.code}.pdf", len(data), hashlib.sha256(data).hexdigest())
    return out


# --------------------------------------------------------------------------- writing


class _Writer:
    """Appends rows: PostgreSQL COPY, else executemany of prepared INSERTs.

    Rows are tuples in the given column order, with Python values except that JSON
    columns hold JSON text.
    """

    def __init__(self) -> None:
        self.copy = connection.vendor == "postgresql"

    def write(self, model: type[models.Model], columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        qn = connection.ops.quote_name
        table = qn(model._meta.db_table)
        cols = ", ".join(qn(c) for c in columns)
        by_column = {f.attname: f for f in model._meta.concrete_fields}
        fields = [by_column[c] for c in columns]
        with connection.cursor() as cursor:
            if self.copy:
                with cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            prep = [_adapter(f) for f in fields]
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({cols}) VALUES ({marks})",
                [tuple(v if p is None or v is None else p(v) for p, v in zip(prep, row, strict=True)) for row in rows],
            )

    def flush(self, rows: _Rows, users: Mapping[int, User]) -> None:
        self.write(Person, PERSON_COLUMNS, rows.persons)
        self.write(Request, REQUEST_COLUMNS, rows.requests)
        self.write(Transition, TRANSITION_COLUMNS, rows.transitions)
        self.write(Document, DOCUMENT_COLUMNS, rows.documents)
        # parents first: a first decision points at its agenda item, an appeal at the decision it is
        # against, an appeal's item and decision at the appeal, an acknowledgement at the urgent decision
        tables = DECISION_TABLES
        self.write(dm.Meeting, MEETING_COLUMNS, rows.meetings)
        self.write(dm.Attendance, tables[dm.Attendance], rows.attendance)
        self.write(dm.AgendaItem, tables[dm.AgendaItem], rows.agenda[1])
        self.write(dm.Decision, DECISION_COLUMNS, rows.decisions)
        self.write(dm.Appeal, tables[dm.Appeal], rows.appeals)
        self.write(dm.AgendaItem, tables[dm.AgendaItem], rows.agenda[0])
        self.write(dm.Decision, DECISION_COLUMNS, rows.appeal_decisions)
        self.write(dm.DecisionReason, tables[dm.DecisionReason], rows.reasons)
        self.write(dm.DecisionItem, tables[dm.DecisionItem], rows.decision_items)
        self.write(dm.ConflictDeclaration, tables[dm.ConflictDeclaration], rows.conflicts)
        self.write(dm.Vote, tables[dm.Vote], rows.votes)
        if rows.appeal_links:
            qn = connection.ops.quote_name
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {qn(dm.Appeal._meta.db_table)} SET {qn('state')} = %s, {qn('decision_id')} = %s "
                    f"WHERE {qn('id')} = %s", [(dm.Appeal.DECIDED, did, aid) for did, aid in rows.appeal_links])
        record_sealed(
            Event(action="create", actor=users.get(actor) if actor else None, object_type="request",
                  object_id=str(rid), reference=number, details={"service": service, "office": office}, at=at)
            for actor, rid, number, service, office, at in rows.events
        )

    def check_keys_per_batch(self) -> None:
        """Check foreign keys as each batch is copied, not all at commit: Django declares them
        DEFERRABLE INITIALLY DEFERRED, and tens of millions of queued checks would run serially
        at the end (same checks, same guarantees; batches are written parents first)."""
        if self.copy:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    def analyze(self) -> None:
        """Refresh PostgreSQL's planner statistics after a bulk load (autovacuum would, later)."""
        if self.copy:
            with connection.cursor() as cursor:
                tables: list[type[models.Model]] = [*KEYED.values(), AuditEvent]
                for model in tables:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")

    def reset_sequences(self) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), list(KEYED.values()))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _adapter(f: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How to hand a field's Python value to the database driver (None: as it is; JSON
    columns arrive as JSON text already).

    The backend's own adapters, looked up once per column instead of once per value
    (``Field.get_db_prep_save`` costs more than the insert itself at this volume).
    """
    ops = connection.ops
    if isinstance(f, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(f, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(f, models.DecimalField):
        return lambda v: ops.adapt_decimalfield_value(v, f.max_digits, f.decimal_places)
    return None


# --------------------------------------------------------------------------- the command's entry point


@dataclass
class Summary:
    requests: int = 0
    transitions: int = 0
    persons: int = 0
    documents: int = 0
    decisions: int = 0
    meetings: int = 0
    other: int = 0  # the decisions app's other rows: meetings, attendance, agenda, reasons, items, votes...
    seconds: float = 0.0
    by_year: dict[int, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Rows written, counting one audit event per request."""
        return 2 * self.requests + self.transitions + self.persons + self.documents + self.decisions + self.other


def status() -> str:
    """``empty`` when there are no requests yet, else ``loaded N``."""
    n = Request.objects.count()
    return "empty" if n == 0 else f"loaded {n}"


def years_to_generate(options: Options, today: date) -> list[int]:
    current = fiscal_year(today)
    last = current if options.last_year is None else options.last_year
    if options.first_year < FIRST_FISCAL_YEAR or last > current or options.first_year > last:
        raise ValueError(
            f"fiscal years must run from {FIRST_FISCAL_YEAR} to the current fiscal year {current}, "
            f"got {options.first_year}-{last}"
        )
    return list(range(options.first_year, last + 1))


def _year_share(ctx: _Context, fy: int) -> float:
    year = FiscalYear(fy)
    if ctx.today >= year.end:
        return 1.0
    cal = ctx.public_cal
    return cal.working_days_between(year.start - timedelta(days=1), ctx.today) / cal.working_days_between(
        year.start - timedelta(days=1), year.end
    )


def _produce(ctx: _Context, options: Options, years: list[int], ids: dict[str, int],
             counters: dict[tuple[str, str, int], int]) -> Iterator[_Rows]:
    """Plan each fiscal year, then build its rows chunk by chunk (pure Python, no database)."""
    meetings: dict[tuple[int, date], _Meeting] = {}
    meeting_counts: dict[tuple[int, int], int] = {}
    carry_in: Counter[str] = Counter()  # the previous year's requests decided in this one, by outcome
    for fy in years:
        share = _year_share(ctx, fy)
        figures = figures_for(fy, share, current=share < 1.0)
        if options.scale != 1:
            figures = {s: sy.scaled(options.scale) for s, sy in figures.items()}
        rng = random.Random(f"jfs-demo/{options.seed}/{fy}")
        plan = _plan_year(ctx, fy, figures, min(ctx.today, FiscalYear(fy).end), rng)
        if share == 1.0 and fy <= max(DOMAIN_DECISIONS):
            carry = _carry_out(fy, figures, options.scale, carry_in)
            if carry is None:  # before DOMAIN.md's years: as many, so FY2564's carry-in stays small
                first_fy = min(DOMAIN_DECISIONS)
                first = {s: sy.scaled(options.scale) for s, sy in DOMAIN_FIGURES[first_fy].items()}
                own = _carry_out(first_fy, first, options.scale, Counter()) or {}
                carry = _natural_carry(figures, first, sum(own.values()))
            plan = _decision_years(ctx, fy, plan, carry, rng)
            carry_in = Counter(p.end for p in plan if p.decide_in == fy + 1)
        else:
            carry_in = Counter()
        builder = _Builder(ctx, rng, ids, counters)
        builder.meetings, builder.meeting_counts = meetings, meeting_counts  # a decision may fall in the next year
        for start in range(0, len(plan), options.chunk_size):
            rows = _Rows(fy)
            builder.build(plan[start : start + options.chunk_size], rows)
            yield rows
            gc.collect()


def _carry_out(fy: int, figures: Mapping[str, ServiceYear], scale: int, carry_in: Mapping[str, int]
               ) -> dict[str, int] | None:
    """How many of DOMAIN.md's year's requests are decided in the next year, by outcome: those received
    in it (``DOMAIN_FIGURES``) plus those carried in from the year before, less the decisions the source
    counts in it (``DOMAIN_DECISIONS``). None for the years before (see ``_natural_carry``)."""
    if fy not in DOMAIN_DECISIONS:
        return None
    target = DOMAIN_DECISIONS[fy]
    if sum(sy.referred for sy in figures.values()) != scale * target["referred"]:
        raise ValueError(f"FY{fy}: referrals are decided in the year received, so they must be the source's")
    return {o: sum(sy.outcomes.get(o, 0) for sy in figures.values()) - scale * target[o] + carry_in.get(o, 0)
            for o in OUTCOMES}


def _in_background(rows: Iterator[_Rows]) -> Iterator[_Rows]:
    """Run the row builder in a forked process, so building overlaps writing.

    The child never touches the database (everything it reads was loaded before the
    fork) and hands over finished chunks through a short queue, which bounds memory.
    """
    mp = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue[_Rows | str | None] = mp.Queue(maxsize=2)

    def run() -> None:
        gc.disable()
        try:
            for chunk in rows:
                queue.put(chunk)
            queue.put(None)
        except BaseException:
            queue.put(traceback.format_exc())

    child = mp.Process(target=run, name="demo-data-builder", daemon=True)
    child.start()
    try:
        while (item := queue.get()) is not None:
            if isinstance(item, str):
                raise RuntimeError(f"the demo data builder failed:\n{item}")
            yield item
    finally:
        if child.is_alive():
            child.terminate()
        child.join()


def generate(options: Options, log: Callable[[str], None] = lambda _: None) -> Summary:
    """Load the demo data in one transaction; raise AlreadyLoaded unless appending."""
    started = clock.monotonic()
    today = options.today or services.today()
    years = years_to_generate(options, today)
    if not options.append and Request.objects.exists():
        raise AlreadyLoaded(status())
    summary = Summary()
    writer = _Writer()
    with transaction.atomic():
        writer.check_keys_per_batch()
        ctx = _Context(today)
        ids = {name: model._default_manager.aggregate(m=Max("id"))["m"] or 0 for name, model in KEYED.items()}
        existing = {
            (c.service, c.office.code, c.fiscal_year): c for c in RequestCounter.objects.select_related("office")
        }
        counters = {k: c.last for k, c in existing.items()}
        chunks = _produce(ctx, options, years, ids, dict(counters))
        if options.background:
            chunks = _in_background(chunks)
        for rows in chunks:
            writer.flush(rows, ctx.users_by_id)
            counters.update(rows.counters)
            summary.requests += len(rows.requests)
            summary.transitions += len(rows.transitions)
            summary.persons += len(rows.persons)
            summary.documents += len(rows.documents)
            summary.decisions += len(rows.decisions) + len(rows.appeal_decisions)
            summary.other += (len(rows.meetings) + len(rows.attendance) + len(rows.agenda[0]) + len(rows.agenda[1])
                              + len(rows.appeals) + len(rows.reasons) + len(rows.decision_items)
                              + len(rows.conflicts) + len(rows.votes))
            summary.by_year[rows.fiscal_year] = summary.by_year.get(rows.fiscal_year, 0) + len(rows.requests)
            log(f"FY{rows.fiscal_year}: {summary.requests:,} requests, {summary.transitions:,} transitions "
                f"({summary.rows / (clock.monotonic() - started):,.0f} rows/s)")
        writer.reset_sequences()
        summary.meetings = _number_meetings()
        _save_counters(ctx, existing, counters)
        _assignment_notifications()
        # the money of the decisions just written: budgets, commitments, payments, bail records (jfs.demo.money)
        summary.other += money.load(writer.write, today=ctx.today, seed=options.seed, scale=options.scale,
                                    recorder=ctx.legacy_id, log=log).rows
    # the portal (jfs.demo.portal): after that commit, as each of the demo citizen's events runs the
    # services in a transaction of its own at its own moment (their notices are sent on commit)
    summary.other += portal.load(today=ctx.today, seed=options.seed, years=years, pinned=set(DOMAIN_FIGURES), log=log).rows
    writer.analyze()
    summary.seconds = clock.monotonic() - started
    return summary


def _number_meetings() -> int:
    """Number the meetings just written in the order they were held, per committee and fiscal year
    (after any numbered before): they were written with provisional numbers as first needed."""
    base = {(c, fy): n for c, fy, n in dm.Meeting.objects.filter(number__lt=PROVISIONAL_NUMBER)
            .values_list("committee_id", "fiscal_year").annotate(n=Max("number")).values_list("committee_id", "fiscal_year", "n")}
    updates: list[tuple[int, int]] = []
    for mid, committee, fy in (dm.Meeting.objects.filter(number__gte=PROVISIONAL_NUMBER)
                               .order_by("committee_id", "fiscal_year", "scheduled_for", "id")
                               .values_list("id", "committee_id", "fiscal_year")):
        number = base[(committee, fy)] = base.get((committee, fy), 0) + 1
        updates.append((number, mid))
    if updates:
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {qn(dm.Meeting._meta.db_table)} SET {qn('number')} = %s WHERE {qn('id')} = %s",
                               updates)
    return len(updates)


#: how many of their newest open requests each assignee is told of (what ``services.assign`` does)
NOTES_PER_ASSIGNEE = 20


def _assignment_notifications() -> int:
    """The notification ``services.assign`` sends, for the open requests the demo data assigned
    (rows loaded in bulk bypass the service): each assignee hears of their newest ones, once."""
    told = set(Notification.objects.filter(kind=handoffs.ASSIGNMENT).values_list("recipient_id", "link"))
    notes: list[Notification] = []
    open_assigned = Request.objects.exclude(state__in=TERMINAL_STATES).filter(assigned_to__isnull=False)
    for user_id in open_assigned.values_list("assigned_to", flat=True).distinct().order_by("assigned_to"):
        newest = open_assigned.filter(assigned_to=user_id).select_related("assigned_to").order_by("-received_on", "-id")
        notes += [n for n in handoffs.assignment_notes(newest[:NOTES_PER_ASSIGNEE]) if (n.recipient_id, n.link) not in told]
    Notification.objects.bulk_create(notes, batch_size=1000)
    return len(notes)


def _save_counters(ctx: _Context, existing: Mapping[tuple[str, str, int], RequestCounter], counters: Mapping[tuple[str, str, int], int]) -> None:
    """Leave each counter at the last number used, so new requests continue the sequence."""
    new = []
    for key, last in counters.items():
        if key in existing:
            if existing[key].last != last:
                RequestCounter.objects.filter(pk=existing[key].pk).update(last=last)
        else:
            service, office, fy = key
            new.append(RequestCounter(service=service, office=ctx.offices[office].office, fiscal_year=fy, last=last))
    RequestCounter.objects.bulk_create(new, batch_size=2000)
