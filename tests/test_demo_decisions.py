"""The demo data's decisions, meetings and appeals: DOMAIN.md's outcome shares counted from the
decisions recorded (by the fiscal year each decision was taken in), coded reasons that fit, approved
amounts per item, quorum and votes.

The data are generated inside the test's transaction (rolled back afterwards), at scale 1: the
counts are DOMAIN.md's exactly (``--scale K`` multiplies them all by K).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models import Count, F, Q

from jfs.cases import reasons
from jfs.cases.models import Request
from jfs.decisions import authority, selectors
from jfs.decisions import models as m
from jfs.demo import generator
from jfslib import roles

TODAY = date(2026, 11, 22)
#: DOMAIN.md "Outcomes" (000_…txt 2.2): counts and shares over the denominators 4,034 and 4,207,
#: which are the four outcomes plus the requests referred before consideration (74 and 71)
SEED = {
    2564: {"approved": (2213, "54.86"), "rejected": (1192, "29.55"), "terminated": (515, "12.77"),
           "partially_approved": (40, "0.99"), "referred": (74, "1.83")},
    2565: {"approved": (2489, "59.16"), "rejected": (1118, "26.57"), "terminated": (470, "11.17"),
           "partially_approved": (59, "1.40"), "referred": (71, "1.69")},
}
DENOMINATOR = {2564: 4034, 2565: 4207}
#: which workflow action records a decision taken each way
ACTIONS = {m.BY_CHAIR: {"decide_urgent"}, m.BY_MEETING: {"record_subcommittee_decision", "decide_appeal"},
           m.BY_OFFICE: {"withdraw", "terminate", "refer"}}


@pytest.mark.django_db
def test_demo_decisions() -> None:
    """One load (about 20 s), every check on it."""
    generator.generate(generator.Options(seed=7, today=TODAY, first_year=2564, last_year=2565))
    _outcome_shares_are_the_seed_exactly()
    _decisions_count_in_the_year_taken()
    _every_decided_request_has_one_first_decision_that_fits()
    _every_decision_has_reasons_that_fit_and_its_transition()
    _amounts_per_item()
    _who_decided_where()
    _meetings_quorum_votes_and_numbers()


def _outcome_shares_are_the_seed_exactly() -> None:
    for fy, seed in SEED.items():
        shares = selectors.outcome_shares(fy)
        assert shares.total == DENOMINATOR[fy]
        assert shares.counts == {o: n for o, (n, _pct) in seed.items()}
        for outcome, (_n, pct) in seed.items():
            assert Decimal(shares.share(outcome)).quantize(Decimal("0.01")) == Decimal(pct), (fy, outcome)
        # reasons given only as "another reason": realistic and under the plan's 5% (DOMAIN.md: 69-73% before)
        assert 1 < shares.other_only_share < 5, shares.other_only_share


def _decisions_count_in_the_year_taken() -> None:
    """A decision counts in the fiscal year of its day: the requests received in late September are
    decided in October, the next year's, and FY2565's shares include FY2564's carried over."""
    for d in m.Decision.objects.only("decided_on", "fiscal_year").iterator():
        assert d.fiscal_year == (d.decided_on.year + 543 + (d.decided_on.month >= 10)), d.pk
    carried = {fy: m.Decision.objects.filter(kind=m.FIRST, request__fiscal_year=fy, fiscal_year=fy + 1)
               for fy in SEED}
    # the source's denominators are below the requests received (4,193 and 4,463): the rest are
    # decided in the next fiscal year, none later and none before its year
    assert (carried[2564].count(), carried[2565].count()) == (4193 - 4034, 4463 - 4207 + 4193 - 4034)
    assert not m.Decision.objects.filter(kind=m.FIRST, fiscal_year__gt=F("request__fiscal_year") + 1).exists()
    assert not m.Decision.objects.filter(kind=m.FIRST, fiscal_year__lt=F("request__fiscal_year")).exists()
    for fy, decisions in carried.items():
        assert not decisions.filter(outcome="referred").exists()  # referrals come early
        late = Request.objects.filter(decisions__in=decisions)
        # received in the last weeks of the year, decided from 1 October, within realistic working days
        assert late.filter(received_on__lt=date(fy - 543, 8, 1)).count() == 0, fy
        assert not decisions.filter(decided_on__lt=date(fy - 543, 10, 1)).exists()
        assert not decisions.filter(decided_on__gt=date(fy - 543, 12, 31)).exists()
        assert late.filter(working_days_taken__gt=60).count() == 0
    # every mission request received in FY2564/2565 is decided (none left open for years)
    assert not Request.objects.filter(fiscal_year__in=list(SEED)).exclude(service="CONSULT").filter(outcome="").exists()


def _every_decided_request_has_one_first_decision_that_fits() -> None:
    first: dict[int, list[str]] = defaultdict(list)
    for request_id, outcome in m.Decision.objects.filter(kind=m.FIRST).values_list("request_id", "outcome"):
        first[request_id].append(outcome)
    appealed = dict(m.Decision.objects.filter(kind=m.APPEAL_DECISION).values_list("request_id", "outcome"))
    decided = dict(Request.objects.exclude(outcome="").values_list("id", "outcome"))
    assert decided and set(first) == set(decided)
    for request_id, outcome in decided.items():
        assert len(first[request_id]) == 1, request_id
        if request_id in appealed:  # the appeal's decision is the request's outcome; the first was a refusal
            assert first[request_id] == ["rejected"] and appealed[request_id] == outcome
        else:
            assert first[request_id] == [outcome], request_id
    # FY2564/2565's appeals are upheld, so the requests' outcomes (the dashboard's counts, by the year
    # received) are their first decisions: DOMAIN_FIGURES's
    assert set(appealed.values()) == {"rejected"}
    for fy in SEED:
        counts = Counter(Request.objects.filter(fiscal_year=fy).exclude(outcome="").values_list("outcome", flat=True))
        figures = generator.figures_for(fy).values()
        assert counts == {"referred": sum(f.referred for f in figures),
                          **{o: sum(f.outcomes.get(o, 0) for f in figures) for o in generator.OUTCOMES}}
    assert not m.Decision.objects.filter(request__outcome="").exists()


def _every_decision_has_reasons_that_fit_and_its_transition() -> None:
    catalogue = reasons.all_reasons()
    codes: dict[int, list[str]] = defaultdict(list)
    for decision_id, code in m.DecisionReason.objects.order_by("decision", "position").values_list("decision_id", "code"):
        codes[decision_id].append(code)
    decisions = list(m.Decision.objects.select_related("transition"))
    assert len(codes) == len(decisions)
    for d in decisions:
        assert codes[d.id], d.id
        for code in codes[d.id]:
            r = catalogue[code]
            assert d.outcome in r.outcomes, (d.id, code)
            assert not r.cause or r.cause == d.cause, (d.id, code)
        if codes[d.id] == ["X01"]:
            assert d.note.strip()  # "another reason" is stated in the note
        assert d.transition.action in ACTIONS[d.authority], (d.id, d.transition.action)
        assert d.transition.fields["outcome"] == d.outcome
        assert d.transition.fields["reason_code"] == ",".join(codes[d.id])[:40]
        assert d.decided_on == d.transition.on_date and d.request_id == d.transition.request_id
        assert (d.cause in m.TERMINATION_CAUSES) == (d.outcome == "terminated")
    withdrawn = m.Decision.objects.filter(transition__action="withdraw")
    assert withdrawn.exists() and not withdrawn.exclude(outcome="terminated", cause="withdrawn").exists()
    referred = m.Decision.objects.filter(outcome="referred")
    assert not referred.exclude(transition__action="refer").exists() and not referred.filter(referred_to="").exists()
    # every termination cause occurs; withdrawals are part of the terminated total
    assert set(m.Decision.objects.filter(outcome="terminated").values_list("cause", flat=True)) == set(m.TERMINATION_CAUSES)


def _amounts_per_item() -> None:
    items: dict[int, list[m.DecisionItem]] = defaultdict(list)
    for item in m.DecisionItem.objects.all():
        items[item.decision_id].append(item)
    partial = 0
    for d in m.Decision.objects.all():
        rows = items[d.id]
        assert rows, d.id
        assert all(0 <= i.approved <= i.requested for i in rows)
        assert sum(i.requested for i in rows) == d.amount_requested
        assert sum(i.approved for i in rows) == d.amount_approved
        if d.outcome == "partially_approved":
            partial += 1
            assert 0 < d.amount_approved < d.amount_requested, d.id
        elif d.outcome == "approved":
            assert d.amount_approved == d.amount_requested
        else:
            assert d.amount_approved == 0
    assert partial >= 40 + 59


def _who_decided_where() -> None:
    decisions = m.Decision.objects.select_related("request__office", "transition__actor", "committee")
    for d in decisions.filter(kind=m.FIRST).order_by("?")[:600]:
        assert d.committee == selectors.deciding_committee(d.request), d.id
    for d in decisions.filter(authority=m.BY_CHAIR):  # urgent: the chair, within the urgent limit
        assert d.transition.actor_role == roles.SUBCOMMITTEE_CHAIR
        assert d.amount_requested <= authority.urgent_limit(d.service, d.request.received_on)
        actor = d.transition.actor
        assert actor is None or m.Membership.objects.filter(user=actor, committee=d.committee, position=m.CHAIR).exists()
        assert d.meeting is None
    chair_cm = decisions.filter(authority=m.BY_CHAIR, transition__actor__username="chair.cm")
    assert chair_cm.exists() and not chair_cm.exclude(committee__code="P50").exists()
    # urgent decisions are acknowledged at the committee's next meeting (those taken in time for one)
    ack = {i.decision_reported_id: i for i in m.AgendaItem.objects.filter(kind=m.ACKNOWLEDGE).select_related("meeting")}
    urgent = list(decisions.filter(authority=m.BY_CHAIR))
    assert urgent and sum(1 for d in urgent if d.id in ack) > 0.95 * len(urgent)
    for d in urgent:
        if d.id in ack:
            item = ack[d.id]
            assert item.meeting.committee_id == d.committee_id and item.request_id == d.request_id
            assert item.meeting.scheduled_for.date() > d.decided_on and item.acknowledged_at is not None
    # the meeting's resolutions: recorded from the agenda item, at that meeting, on its day
    for d in decisions.filter(authority=m.BY_MEETING).select_related("item", "meeting"):
        assert d.item is not None and d.meeting is not None and d.item.meeting_id == d.meeting_id
        assert d.meeting.committee_id == d.committee_id and d.item.request_id == d.request_id
        assert d.meeting.scheduled_for.date() == d.decided_on
        assert d.item.kind == (m.APPEAL if d.kind == m.APPEAL_DECISION else m.CONSIDER)
        assert d.transition.actor_role == roles.SUBCOMMITTEE_SECRETARY
    # appeals: against a refusal, in time, decided by the Justice Fund Committee at its meeting
    appeals = list(m.Appeal.objects.select_related("against", "decision__committee"))
    assert appeals
    for a in appeals:
        assert a.state == m.Appeal.DECIDED and a.decision is not None and a.decision.appeal_id == a.id
        assert a.against.outcome == "rejected" and a.lodged_on <= a.deadline
        assert a.decision.committee.code == "BOARD" and a.decision.kind == m.APPEAL_DECISION


def _meetings_quorum_votes_and_numbers() -> None:
    meetings = list(m.Meeting.objects.select_related("committee").annotate(
        present=Count("attendance", filter=Q(attendance__position__in=m.VOTING_POSITIONS))))
    assert meetings
    seated = {c for c, in m.Membership.objects.values_list("committee_id")}
    assert {"P50", "C-AID", "BOARD"} <= set(m.Committee.objects.filter(pk__in=seated).values_list("code", flat=True))
    numbers: dict[tuple[int, int], list[tuple[object, int]]] = defaultdict(list)
    for mt in meetings:
        day = mt.scheduled_for.date()
        assert mt.quorum == authority.quorum(mt.members_count or 0, day)
        if mt.committee_id in seated:
            assert mt.members_count == len(selectors.voting_members(mt.committee, day))
            assert mt.present >= mt.quorum, mt.id  # attendance recorded: a quorum
        else:
            assert mt.present == 0 and mt.members_count == generator.UNSEATED_MEMBERS
        # history: held, minutes approved (no PDF kept for the demo's past meetings)
        assert mt.state == m.APPROVED and mt.minutes_approved_at is not None and mt.minutes_storage_name == ""
        assert day <= TODAY - timedelta(days=7)
        numbers[(mt.committee_id, mt.fiscal_year)].append((mt.scheduled_for, mt.number))
    for rows in numbers.values():
        rows.sort()
        assert [n for _, n in rows] == list(range(1, len(rows) + 1))
    # votes: only by voting members present, never by a member who declared a conflict; the tally
    present = {(a.meeting_id, a.user_id): a.position for a in m.Attendance.objects.all()}
    conflicted = set(m.ConflictDeclaration.objects.values_list("item_id", "user_id"))
    votes = list(m.Vote.objects.select_related("item"))
    assert votes and conflicted
    tally: dict[int, Counter[str]] = defaultdict(Counter)
    for v in votes:
        assert present.get((v.item.meeting_id, v.user_id)) in m.VOTING_POSITIONS
        assert (v.item_id, v.user_id) not in conflicted
        tally[v.item_id][v.choice] += 1
    assert Counter(v.choice for v in votes).most_common(1)[0][0] == m.FOR
    for d in m.Decision.objects.filter(authority=m.BY_MEETING, item__in=list(tally)):
        assert d.item_id is not None
        t = tally[d.item_id]
        assert (d.votes_for, d.votes_against, d.votes_abstain) == (t[m.FOR], t[m.AGAINST], t[m.ABSTAIN])
        assert t[m.FOR] > t[m.AGAINST]
    for item_id, user_id in conflicted:
        assert (m.AgendaItem.objects.get(pk=item_id).meeting_id, user_id) in present
