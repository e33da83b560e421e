"""The demo data generator: DOMAIN.md's figures, valid people, consistent workflows and clocks.

Each database test generates its own data inside the test transaction (rolled back
afterwards), so nothing leaks into other tests.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q, Sum
from django_otp.plugins.otp_totp.models import TOTPDevice

from jfs.accounts.models import User
from jfs.audit.models import AuditEvent
from jfs.audit.verification import verify_chain
from jfs.cases import details as details_mod
from jfs.cases import reasons, selectors
from jfs.cases.calendar import calendar_for
from jfs.cases.models import Document, Person, Request, RequestCounter, Transition
from jfs.decisions import selectors as decision_selectors
from jfs.decisions.models import Membership
from jfs.demo import generator
from jfslib import roles, thai_id, thai_phone
from jfslib.sla import Colour
from jfslib.workdays import WorkingCalendar
from jfslib.workflow import plan_transition

TODAY = date(2026, 11, 22)  # FY2570

#: DOMAIN.md: requests per service, FY2564 and FY2565 (CONSULT: "—" in FY2564)
REQUESTS = {
    2564: {"LIT": 2848, "BAIL": 1202, "HR": 32, "PROJECT": 111},
    2565: {"LIT": 3178, "BAIL": 1079, "HR": 52, "PROJECT": 154, "CONSULT": 384},
}
#: DOMAIN.md: outcomes over all missions (first decisions TAKEN in the fiscal year, whatever year the
#: request was received; terminated includes withdrawals)
OUTCOMES = {
    2564: {"approved": 2213, "rejected": 1192, "terminated": 515, "partially_approved": 40},
    2565: {"approved": 2489, "rejected": 1118, "terminated": 470, "partially_approved": 59},
}
#: the rest of the source's denominators (4,034 and 4,207): referred before consideration
REFERRED = {2564: 74, 2565: 71}
SEATED_ROLES = (roles.SUBCOMMITTEE_CHAIR, roles.SUBCOMMITTEE_SECRETARY)
#: DOMAIN.md, FY2565: on time (truncated to 2 decimals) and mean working days, over the decided requests
#: received in the year (the dashboard's definition, ``jfs.cases.reports``).
#: HR's 16.45 cannot be reached in whole days with 52 requests; 16.44 is the nearest (docs/demo-data.md).
ON_TIME_2565 = {"LIT": (Decimal("94.25"), Decimal("13.92")), "BAIL": (Decimal("94.22"), Decimal("13.11")),
                "HR": (Decimal("84.61"), Decimal("16.44"))}


def _generate(**kwargs: Any) -> generator.Summary:
    options = generator.Options(**{"seed": 7, "today": TODAY, **kwargs})
    return generator.generate(options)


def _truncated_pct(part: int, whole: int) -> Decimal:
    return Decimal((10000 * part) // whole) / 100


def _mean(total: int, n: int) -> Decimal:
    return (Decimal(total) / n).quantize(Decimal("0.01"))


def _replay(req: Request, transitions: list[Transition]) -> None:
    """Every step is allowed by the workflow for the actor's role, in order, and the
    request's version and dates follow from its history."""
    wf = req.workflow
    state, previous = "", ""
    required = {d.code for d in wf.required_documents()}
    clock_start = req.received_on  # a wait for documents during screening restarts it
    for t in transitions:
        assert t.from_state == state, (req.number, t.action)
        assert t.on_date <= TODAY
        if t.action == "create":
            assert t.to_state == wf.initial and t.actor_role
        elif t.action == "assign":
            assert t.to_state == state and "assigned_to_id" in t.diff
        else:
            plan = plan_transition(
                wf, state=state, previous_state=previous, action_code=t.action, role=t.actor_role,
                documents_on_file=required, fields=t.fields, comment=t.comment,
            )
            assert plan.to_state == t.to_state, (req.number, t.action)
            if plan.clock_after == "paused":
                previous = state
            if plan.clock_before == "paused" and wf.states[plan.to_state].restarts_clock:
                clock_start = t.on_date
            if plan.action.sets_outcome:
                codes = t.fields["reason_code"].split(",")
                assert codes and all(reasons.valid_for(c, t.fields["outcome"]) for c in codes), t.fields
        if t.actor_id is not None and t.actor.role in SEATED_ROLES:  # a committee's chair or secretary
            assert t.decision.committee is not None
            assert Membership.objects.filter(user=t.actor, committee=t.decision.committee).exists()
        elif t.actor_id is not None and t.actor.role != roles.CITIZEN:  # the portal's citizen files for herself
            assert t.actor.office_id == req.office_id
        state = t.to_state
    assert state == req.state
    assert req.version == len(transitions)
    assert transitions[0].on_date == req.received_on
    assert req.clock_started_on == clock_start, req.number
    assert [t.at for t in transitions] == sorted(t.at for t in transitions)
    assert transitions[-1].step_due_on == req.step_due_on
    if wf.states[req.state].terminal:
        assert req.closed_on == transitions[-1].on_date
    decisions = [t for t in transitions if t.fields.get("outcome")]
    if decisions:
        last = decisions[-1]
        assert (req.outcome, req.reason_code, req.decided_on) == (last.fields["outcome"], last.fields["reason_code"], last.on_date)
    else:
        assert req.outcome == "" and req.decided_on is None


def _check_clock(req: Request, calendars: dict[int, WorkingCalendar]) -> None:
    """The stored clock equals a recomputation on the office's calendar."""
    if req.office_id not in calendars:
        calendars[req.office_id] = calendar_for(req.office_id)
    cal = calendars[req.office_id]
    std = req.workflow.standard_days
    assert req.clock_started_on is not None and req.step_started_on is not None
    if not req.standard_applies:  # project grants, consultations: days counted, no 21-day due date or verdict
        assert req.due_on is None and req.on_time is None, req.number
        if req.clock_stopped_on is not None:
            taken = cal.working_days_between(req.clock_started_on, req.clock_stopped_on) - req.paused_working_days
            assert req.working_days_taken == taken, req.number
    elif req.clock_stopped_on is not None:
        taken = cal.working_days_between(req.clock_started_on, req.clock_stopped_on) - req.paused_working_days
        assert req.working_days_taken == taken, req.number
        assert req.on_time == (taken <= std)
        assert req.due_on == cal.add_working_days(req.clock_started_on, std + req.paused_working_days)
    elif req.paused_since is not None:
        assert req.state == "awaiting_documents" and req.due_on is None and req.working_days_taken is None
    else:
        assert req.working_days_taken is None and req.on_time is None
        assert req.due_on == cal.add_working_days(req.clock_started_on, std + req.paused_working_days)
    sla = req.workflow.states[req.state].sla_days
    if sla is not None:
        assert req.step_due_on == cal.add_working_days(req.step_started_on, sla)


# --------------------------------------------------------------------------- no database


def test_domain_figures_are_consistent() -> None:
    carried_in: Counter[str] = Counter()
    for fy, services_ in REQUESTS.items():
        figures = generator.figures_for(fy)
        assert {s: f.requests for s, f in figures.items() if f.requests} == services_
        assert generator.DOMAIN_DECISIONS[fy] == {**OUTCOMES[fy], "referred": REFERRED[fy]}
        # by the year received every mission request is decided or referred; referrals stay in their year
        assert all(f.decided + f.referred == f.requests for s, f in figures.items() if s != "CONSULT")
        assert sum(f.referred for f in figures.values()) == REFERRED[fy]
        received: Counter[str] = Counter()
        for f in figures.values():
            received.update(f.outcomes)
        # what is decided in the next year: the received, plus the carried in, less the source's decisions
        carried_out = received + carried_in
        carried_out.subtract(OUTCOMES[fy])
        assert min(carried_out.values()) >= 0
        assert carried_out.total() == {2564: 4193 - 4034, 2565: 4463 - 4207 + 4193 - 4034}[fy]
        carried_in = carried_out
    fy2565 = generator.figures_for(2565)
    for service, (pct, mean) in ON_TIME_2565.items():
        f = fy2565[service]
        assert _truncated_pct(f.on_time, f.decided) == pct
        assert _mean(f.days_total, f.decided) == mean
    assert fy2565["CONSULT"].central == 251


def test_scaling_keeps_rates_and_later_years_grow() -> None:
    lit = generator.figures_for(2565)["LIT"].scaled(36)
    assert lit.requests == 36 * 3178 and _truncated_pct(lit.on_time, lit.decided) == Decimal("94.25")
    assert _mean(lit.days_total, lit.decided) == Decimal("13.92")
    totals = [sum(f.requests for f in generator.figures_for(fy).values()) for fy in range(2565, 2570)]
    assert totals == sorted(totals) and totals[-1] < totals[0] * 1.25
    partial = generator.figures_for(2570, 0.15, current=True)
    assert 0 < sum(f.requests for f in partial.values()) < totals[-1] * 0.2


def test_target_days_hit_counts_exactly() -> None:
    days = generator._target_days(2922, 2754, 40674, random.Random(3))
    assert len(days) == 2922 and sum(days) == 40674
    assert sum(1 for d in days if d <= 21) == 2754 and min(days) >= 2


# --------------------------------------------------------------------------- database


@pytest.mark.django_db
def test_fy2564_2565_reproduce_domain_and_are_consistent(settings: Any) -> None:
    out = StringIO()
    call_command("demo_data", "--status", stdout=out)
    assert out.getvalue().strip() == "empty"

    events_before = AuditEvent.objects.count()
    summary = _generate(first_year=2564, last_year=2565)
    total = sum(sum(v.values()) for v in REQUESTS.values())
    assert summary.requests == Request.objects.count() == total

    # per-service totals and consultations (DOMAIN.md)
    per = {(fy, s): n for fy, s, n in Request.objects.values_list("fiscal_year", "service").annotate(n=Count("id"))}
    assert per == {(fy, s): n for fy, v in REQUESTS.items() for s, n in v.items()}
    consult = Request.objects.filter(fiscal_year=2565, service="CONSULT")
    assert consult.filter(office__code="00").count() == 251
    assert consult.exclude(office__code="00").count() == 133
    assert not consult.exclude(outcome="").exists()
    # the advice is typed once, as give_advice's comment, and recorded in the details (as services do)
    advised = consult.filter(transitions__action="give_advice")
    assert advised.exists()
    for req in advised[:20]:
        assert req.details["advice_given"] == req.transitions.get(action="give_advice").comment != ""

    # outcomes: first decisions taken in the fiscal year, whatever year received (tests/test_demo_decisions.py
    # checks them further); the requests received late are decided in the next year, so none stays open
    for fy, expected in OUTCOMES.items():
        shares = decision_selectors.outcome_shares(fy)
        assert shares.counts == {**expected, "referred": REFERRED[fy]}
        year = Request.objects.filter(fiscal_year=fy)
        assert not year.exclude(service="CONSULT").filter(outcome="").exists()
        assert selectors.open_requests(year).count() == 0

    # FY2565 on time and mean working days, over decided requests (the four outcomes)
    for service, (pct, mean) in ON_TIME_2565.items():
        row = Request.objects.filter(fiscal_year=2565, service=service, outcome__in=list(OUTCOMES[2565])).aggregate(
            n=Count("id"), on_time=Count("id", filter=Q(on_time=True)), days=Sum("working_days_taken"))
        assert _truncated_pct(row["on_time"], row["n"]) == pct, service
        assert _mean(row["days"], row["n"]) == mean, service

    # realistic biases: bail mostly approved for lack of flight risk; civil litigation mostly
    # approved, criminal mostly not
    bail = Request.objects.filter(service="BAIL", outcome="approved")
    assert bail.filter(reason_code__startswith="A03").count() > 0.7 * bail.count()
    lit = Request.objects.filter(service="LIT", outcome__in=list(OUTCOMES[2565]))
    for kind, approved_share in (("civil", (0.6, 1)), ("criminal", (0, 0.45))):
        of_kind = lit.filter(details__case_kind=kind)
        share = of_kind.filter(outcome="approved").count() / of_kind.count()
        assert approved_share[0] < share < approved_share[1], kind

    # applicants: valid IDs (some beginning with 0), plausible demographics and addresses
    people = list(Person.objects.all())
    assert all(thai_id.is_valid(p.national_id) for p in people)
    assert any(p.national_id.startswith("0") for p in people)
    incomes = sorted(p.monthly_income for p in people)
    assert incomes[int(len(incomes) * 0.8)] < 15000
    for p in random.Random(1).sample(people, 300):
        assert p.subdistrict_code.startswith(p.district_code) and p.district_code.startswith(p.province_code)
        assert 18 <= (date(2022, 10, 1) - p.birth_date).days // 365 <= 82
        assert not p.phone or (thai_phone.to_e164(p.phone) == p.phone and p.phone.startswith("+66"))

    # numbering: per (service, office, fy) in order received; counters at the last number
    numbers: dict[tuple[str, int, int], list[tuple[date, int, int]]] = defaultdict(list)
    for pk, number, service, office_id, fy, received in Request.objects.values_list(
        "pk", "number", "service", "office_id", "fiscal_year", "received_on"
    ):
        numbers[(service, office_id, fy)].append((received, pk, int(number.rsplit("-", 1)[1])))
    for key, rows in numbers.items():
        rows.sort()
        assert [seq for _, _, seq in rows] == list(range(1, len(rows) + 1)), key
        assert RequestCounter.objects.get(service=key[0], office_id=key[1], fiscal_year=key[2]).last == len(rows)

    # details validate against the service schemas; amounts agree
    for req in Request.objects.order_by("?")[:500]:
        parsed = details_mod.validate(req.service, req.details)
        assert parsed.model_dump(mode="json") == req.details
        assert parsed.amount() == req.amount_requested

    # every request: clock recomputed on the office calendar, workflow replayed step by step
    calendars: dict[int, WorkingCalendar] = {}
    for req in Request.objects.all():
        _check_clock(req, calendars)
    sample = list(Request.objects.select_related("office").order_by("?")[:400])
    history: dict[int, list[Transition]] = defaultdict(list)
    for t in Transition.objects.filter(request__in=sample).select_related("actor").order_by("at", "id"):
        history[t.request_id].append(t)
    for req in sample:
        _replay(req, history[req.pk])
    assert Transition.objects.filter(request__fiscal_year=2565, action="request_documents").exists()
    assert Request.objects.filter(paused_working_days__gt=0).exists()  # waits during fact-finding
    restarted = Request.objects.filter(clock_started_on__gt=F("received_on"))  # waits during screening
    assert restarted.exists()
    for req in restarted.order_by("?")[:50]:
        _replay(req, list(req.transitions.select_related("actor").order_by("at", "id")))

    # documents: the required ones, attached to the accepting transition, files on disk
    doc = Document.objects.select_related("transition").first()
    assert doc is not None and doc.transition.action == "accept"
    assert (settings.DOCUMENT_ROOT / doc.storage_name).exists()

    # one audit event per request, chain intact
    assert AuditEvent.objects.filter(action="create", object_type="request").count() == total
    assert verify_chain() == (events_before + total, None)

    out = StringIO()
    call_command("demo_data", "--status", stdout=out)
    assert out.getvalue().strip() == f"loaded {total}"
    with pytest.raises(CommandError, match="--append"):
        call_command("demo_data", "--seed", "7", "--fiscal-years", "2565", stdout=StringIO())

    # the executive's dashboard shows the fund's own FY2565 figures
    from django.test import Client

    from jfs.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="executive"))
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user__username="executive").persistent_id
    session.save()
    html = client.get("/staff/dashboard/?fiscal_year=2565").content.decode()
    for pct, mean in ON_TIME_2565.values():
        assert f">{pct}<" in html and f">{mean}<" in html
    # and its outcome table, from the decisions recorded: DOMAIN.md's shares and denominators
    for text in ("2,213 (ร้อยละ 54.86)", "2,489 (ร้อยละ 59.16)", ">4,034<", ">4,207<"):
        assert text in html, text


@pytest.mark.django_db
def test_current_year_is_open_at_every_step_and_fills_the_demo_queues() -> None:
    _generate(first_year=2570, background=False)  # in this process: the other tests use the forked builder
    year = Request.objects.filter(fiscal_year=2570)
    assert year.count() > 300
    assert year.filter(received_on__gt=TODAY).count() == 0
    assert Transition.objects.filter(on_date__gt=TODAY).count() == 0
    open_ = selectors.open_requests(year)
    states = set(open_.values_list("state", flat=True))
    assert {"received", "screening", "awaiting_documents", "fact_finding", "consideration", "follow_up"} <= states
    assert open_.filter(state="awaiting_documents").exclude(paused_since=None).count() == open_.filter(
        state="awaiting_documents").count()

    reader = selectors.SlaReader(TODAY)
    colours = Counter(reader.read(r).step for r in open_.exclude(state__in=("awaiting_documents", "notified", "follow_up")))
    assert colours[Colour.GREEN] and colours[Colour.AMBER] and colours[Colour.RED]

    users = {u.username: u for u in User.objects.all()}
    queues = {name: selectors.my_queue(users[name]).count() for name in (
        "officer.cm", "officer2.cm", "intake.cm", "head.cm", "secretary.cm", "finance.cm", "officer.kk",
        "intake.central", "officer.central", "head.central", "secretary.central")}
    assert all(queues.values()), queues
    assert queues["officer.cm"] > queues["officer2.cm"]

    calendars: dict[int, WorkingCalendar] = {}
    for req in Request.objects.all():
        _check_clock(req, calendars)
    history: dict[int, list[Transition]] = defaultdict(list)
    for t in Transition.objects.select_related("actor").order_by("at", "id"):
        history[t.request_id].append(t)
    for req in Request.objects.all():
        _replay(req, history[req.pk])

    # --append continues the numbering; the counters follow
    before = Request.objects.count()
    _generate(first_year=2570, seed=8, append=True)
    assert Request.objects.count() > before
    for c in RequestCounter.objects.filter(fiscal_year=2570):
        numbers = Request.objects.filter(service=c.service, office=c.office, fiscal_year=2570)
        assert numbers.count() == c.last
    assert verify_chain()[1] is None


@pytest.mark.django_db
def test_same_seed_same_data() -> None:
    def first_chunk(seed: int) -> list[tuple[Any, ...]]:
        ctx = generator._Context(TODAY)
        options = generator.Options(seed=seed, today=TODAY, chunk_size=300)
        chunks = generator._produce(ctx, options, [2566], dict.fromkeys(("person", "request", "transition", "document"), 0), {})
        rows = next(chunks)
        return rows.requests + rows.transitions + rows.persons

    assert first_chunk(5) == first_chunk(5)
    assert first_chunk(5) != first_chunk(6)
