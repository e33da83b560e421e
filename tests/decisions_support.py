"""Helpers for tests that need a decided request: a request taken to consideration, a meeting of
its committee with a quorum, votes and the secretary's record of the resolution, through the
services (the same rules as the pages and the API)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.utils import timezone

from jfs.cases import services
from jfs.cases.models import Request
from jfs.decisions import selectors
from jfs.decisions import services as decisions
from jfs.decisions.models import Meeting
from jfs.demo.users import ensure_demo_seats

#: the steps from a new request to consideration, as Chiang Mai's people take them
TO_CONSIDERATION = [("intake.cm", "start_screening"), ("intake.cm", "accept"),
                    ("officer.cm", "complete_fact_finding"), ("officer.cm", "submit_opinion")]
#: who sits on Chiang Mai's subcommittee (demo seats): the chair and three members vote
CM_VOTERS = ("chair.cm", "member.cm", "member2.cm", "member3.cm")


def seat_everyone() -> None:
    ensure_demo_seats(date(2015, 1, 1))


def to_consideration(req: Request, users: dict[str, Any], steps: list[tuple[str, str]] | None = None,
                     on: date | None = None) -> Request:
    from tests.conftest import SAMPLE_FILES

    for who, action in steps or TO_CONSIDERATION:
        if action == "accept":
            for d in req.workflow.required_documents():
                data = SAMPLE_FILES["pdf"]
                services.add_document(actor=users[who], request_id=req.pk, doc_type=d.code, name=f"{d.code}.pdf",
                                      chunks=[data], size=len(data))
        version = Request.objects.values_list("version", flat=True).get(pk=req.pk)
        services.transition(actor=users[who], request_id=req.pk, action=action, expected_version=version,
                            comment="บันทึกเหตุผล", on=on)
    return Request.objects.get(pk=req.pk)


def open_meeting(users: dict[str, Any], committee_code: str = "P50", secretary: str = "secretary.cm",
                 present: tuple[str, ...] = CM_VOTERS, on: date | None = None,
                 mode: str = "in_person") -> Meeting:
    """A meeting of the committee, its agenda built, the people present, opened."""
    seat_everyone()
    committee = selectors.m.Committee.objects.get(code=committee_code)
    day = on or timezone.localdate()
    when = timezone.make_aware(datetime.combine(day, time(9, 30)))
    meeting = decisions.schedule_meeting(actor=users[secretary], committee_id=committee.pk, scheduled_for=when,
                                         place="ห้องประชุม", mode=mode)
    decisions.build_agenda(actor=users[secretary], meeting_id=meeting.pk)
    for who in present:
        decisions.record_attendance(actor=users[secretary], meeting_id=meeting.pk, user=users[who])
    return decisions.open_meeting(actor=users[secretary], meeting_id=meeting.pk)


def decide(req: Request, users: dict[str, Any], outcome: str = "approved", reason_codes: list[str] | None = None,
           *, note: str = "", items: dict[str, Any] | None = None, cause: str = "",
           committee_code: str = "P50", secretary: str = "secretary.cm",
           voters: tuple[str, ...] = CM_VOTERS) -> Request:
    """Decide a request in consideration at a meeting of its committee: every voter votes for."""
    if Request.objects.get(pk=req.pk).state != "consideration":
        req = to_consideration(req, users)
    meeting = open_meeting(users, committee_code, secretary, voters)
    item = meeting.items.get(request=req, kind="consider")
    for who in voters:
        decisions.cast_vote(actor=users[who], item_id=item.pk, choice="for")
    return decisions.decide_at_meeting(actor=users[secretary], item_id=item.pk, outcome=outcome,
                                       reason_codes=reason_codes or _default_codes(outcome), note=note,
                                       items=items, cause=cause)


def seat_on(committee: Any, users: dict[str, Any]) -> None:
    """Give a committee with no members (a province other than Chiang Mai) Chiang Mai's people as its
    chair, members and secretary, so a test can hold its meeting."""
    from jfs.decisions.models import Membership

    if committee.memberships.exists():
        return
    for who, position in (("chair.cm", "chair"), *((v, "member") for v in CM_VOTERS[1:]),
                          ("secretary.cm", "secretary")):
        Membership.objects.create(committee=committee, user=users[who], position=position, since=date(2015, 1, 1))


def decide_at_a_meeting(req: Request, users: dict[str, Any], *, secretary: str = "secretary.cm",
                        on: date | None = None, comment: str = "", **fields: Any) -> Request:
    """What ``record_subcommittee_decision`` takes now: a meeting of the request's deciding committee
    on ``on`` (today), its voting members present and voting for, the secretary recording it."""
    seat_everyone()
    committee = selectors.deciding_committee(Request.objects.select_related("office").get(pk=req.pk))
    assert committee is not None, "this request's service has no deciding committee"
    seat_on(committee, users)
    day = on or timezone.localdate()
    voters = [s.user.username for s in selectors.voting_members(committee, day)]
    sec = selectors.seat_holder(committee, "secretary", day)
    meeting = open_meeting(users, committee.code, sec.username if sec else secretary, tuple(voters), on=day)
    item = meeting.items.get(request=req, kind="consider")
    for who in voters:
        decisions.cast_vote(actor=users[who], item_id=item.pk, choice="for")
    codes = fields.get("reason_codes") or [c for c in str(fields.get("reason_code", "")).split(",") if c]
    return decisions.decide_at_meeting(actor=users[sec.username if sec else secretary], item_id=item.pk,
                                       outcome=fields.get("outcome", ""), reason_codes=codes, note=comment,
                                       items=fields.get("items"), cause=fields.get("cause", ""), on=on)


def _default_codes(outcome: str) -> list[str]:
    return {"approved": ["A01", "A02"], "partially_approved": ["P01"], "rejected": ["R03"],
            "terminated": ["T02"]}[outcome]
