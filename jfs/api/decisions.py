"""The API of consideration and decisions: meetings (agenda, attendance, quorum, conflicts, votes,
resolutions, minutes), the decisions of a request with their coded reasons and items, appeals,
letters, the reason catalogue's decision fields and the outcome shares report.

Registered on the main API (``jfs.api.api``) as a router; it reuses that module's error shape,
bounded inputs and documented responses. Every read goes through ``jfs.decisions.selectors`` (and
``jfs.cases.selectors`` for the request's visibility), every change through
``jfs.decisions.services``: the rules, permissions and audit are the pages' own. A service's
refusal (``CaseError``) answers with its status: 403 not permitted, 409 not allowed now, 422 with
the fields at fault (``meeting_refused`` for a meeting rule: no quorum, a declared conflict, a
locked record; ``decision_incomplete`` for a resolution's fields).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from django.http import Http404, HttpResponse
from django.utils import timezone, translation
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field, field_validator

from jfs.accounts.http import StaffRequest
from jfs.api.api import (
    CHANGE_ERRORS,
    COMMENT_MAX,
    LIMIT_MAX,
    OFFSET_MAX,
    WRITE,
    Amount,
    Cause,
    Input,
    ItemKey,
    ReasonCode,
    _max,
    _refuse_unknown_parameters,
    responses,
)
from jfs.cases import reasons
from jfs.cases import selectors as case_selectors
from jfs.cases import services as case_services
from jfs.cases.errors import InvalidInput, field_error
from jfs.cases.models import Request
from jfs.core import clock
from jfs.core.downloads import pdf_attachment
from jfs.decisions import models as m
from jfs.decisions import selectors, services
from jfslib.thaidate import fiscal_year as fiscal_year_of

router = Router()

if TYPE_CHECKING:  # the Literal types below are built from the models at run time
    MeetingMode = str
    MeetingState = str
    AttendanceMode = str
    VoteChoice = str
    DecisionOutcome = str
else:
    MeetingMode = Literal[tuple(code for code, _label in m.MEETING_MODE_CHOICES)]
    MeetingState = Literal[("", *(code for code, _label in m.MEETING_STATE_CHOICES))]
    AttendanceMode = Literal[tuple(code for code, _label in m.ATTENDANCE_MODE_CHOICES)]
    VoteChoice = Literal[tuple(code for code, _label in m.VOTE_CHOICES)]
    DecisionOutcome = Literal[("", *reasons.OUTCOME_NAMES)]



def both(choices: list[tuple[str, Any]], value: str) -> tuple[str, str]:
    """A model choice's label in Thai and in English (its msgid is Thai; the English catalogue gives the other)."""
    label = dict(choices).get(value)
    if label is None:
        return value, value
    with translation.override("th"):
        th = str(label)
    with translation.override("en"):
        en = str(label)
    return th, en


# ------------------------------------------------------------------ output


class CommitteeOut(Schema):
    code: str = Field(examples=["P50"])
    th: str
    en: str
    level: str = Field(description="board, central or provincial")


class PersonOut(Schema):
    """A member of staff as the committee's records name them (no national ID: staff are named, not identified)."""

    username: str
    name: str


class AttendanceOut(Schema):
    user: PersonOut
    position: str = Field(description="chair, member or secretary (the secretary does not count towards the quorum)")
    mode: str = Field(description="in_person or electronic")
    mode_th: str
    mode_en: str
    recorded_at: datetime


class ConflictOut(Schema):
    user: PersonOut
    note: str
    declared_at: datetime


class VoteOut(Schema):
    user: PersonOut
    choice: str = Field(description="for, against or abstain")
    choice_th: str
    choice_en: str
    mode: str = Field(description="in_person or electronic: as the member attends")
    cast_at: datetime


class ReasonOut(Schema):
    code: str = Field(examples=["A01"])
    th: str
    en: str
    category: str
    category_th: str
    category_en: str
    basis: str = Field(description="the rule or regulation it rests on")


class DecisionItemOut(Schema):
    key: str = Field(examples=["lawyer"])
    th: str
    en: str
    requested: str = Field(description="baht, a decimal string", examples=["15000.00"])
    approved: str = Field(description="baht, a decimal string", examples=["10000.00"])


class LetterOut(Schema):
    id: int
    generated_at: datetime
    sha256: str
    size: int = Field(description="bytes of the PDF")
    decision: int = Field(description="the decision it tells")


class TallyOut(Schema):
    for_: int = Field(alias="for")
    against: int
    abstain: int


class DecisionOut(Schema):
    id: int
    request: int = Field(description="the request's id")
    kind: str = Field(description="first (the request) or appeal (its appeal)")
    outcome: str = Field(description="approved, partially_approved, rejected, terminated or referred")
    outcome_th: str
    outcome_en: str
    cause: str = Field(description="why it was terminated (withdrawn, duplicate, …); empty otherwise")
    cause_th: str
    cause_en: str
    authority: str = Field(description="meeting (a committee's resolution), chair_urgent or office")
    authority_th: str
    authority_en: str
    committee: CommitteeOut | None
    meeting: int | None = Field(description="the meeting that resolved it (its id)")
    decided_on: date
    fiscal_year: int
    reasons: list[ReasonOut]
    items: list[DecisionItemOut]
    amount_requested: str = Field(description="baht, a decimal string")
    amount_approved: str = Field(description="baht, a decimal string")
    votes: TallyOut | None = Field(description="the vote's tally for a meeting's resolution")
    note: str = Field(description="the free text that adds to the coded reasons")
    referred_to: str
    letters: list[LetterOut]


class AgendaItemOut(Schema):
    id: int
    position: int
    kind: str = Field(description="consider (a request), acknowledge (the chair's urgent decision reported) "
                                  "or appeal")
    kind_th: str
    kind_en: str
    request: int = Field(description="the request's id")
    request_number: str
    summary: dict[str, Any] = Field(description="what the members were shown, as when the agenda was made: "
                                                "amount_requested, items, opinion, screening")
    withdrawn: bool
    acknowledged_at: datetime | None
    decision_reported: int | None = Field(description="for acknowledge: the urgent decision reported")
    appeal: int | None = Field(description="for appeal: the appeal decided")
    conflicts: list[ConflictOut]
    votes: list[VoteOut]
    tally: TallyOut
    resolution: DecisionOut | None


class MeetingSummaryOut(Schema):
    id: int
    committee: CommitteeOut
    title: str = Field(examples=["P50 1/2569"], description="committee, number / Buddhist-era fiscal year")
    fiscal_year: int
    number: int
    scheduled_for: datetime
    place: str
    mode: str = Field(description="in_person, electronic or hybrid")
    mode_th: str
    mode_en: str
    state: str = Field(description="scheduled, open, closed or approved (minutes approved: locked)")
    state_th: str
    state_en: str
    version: int


class MeetingOut(MeetingSummaryOut):
    members_count: int | None = Field(description="voting members when it opened")
    quorum: int | None = Field(description="voting members needed, fixed when it opened")
    present: int = Field(description="voting members attending")
    opened_at: datetime | None
    closed_at: datetime | None
    minutes_approved_at: datetime | None
    minutes_sha256: str
    attendance: list[AttendanceOut]
    items: list[AgendaItemOut]


class MeetingPage(Schema):
    count: int
    items: list[MeetingSummaryOut]


class AppealOut(Schema):
    id: int
    state: str = Field(description="lodged or decided")
    state_th: str
    state_en: str
    lodged_on: date
    deadline: date = Field(description="the last day it could be lodged")
    grounds: str
    against: int = Field(description="the decision appealed against")
    decision: int | None = Field(description="the Committee's decision on it")


def _person(user: Any) -> dict[str, str]:
    return {"username": user.username, "name": user.get_full_name() or user.username}


def _committee(c: m.Committee) -> dict[str, Any]:
    return {"code": c.code, "th": c.name_th, "en": c.name_en, "level": c.level}


def _tally(choices: list[str]) -> dict[str, int]:
    return {"for": choices.count(m.FOR), "against": choices.count(m.AGAINST), "abstain": choices.count(m.ABSTAIN)}


def _letter(letter: m.Letter) -> dict[str, Any]:
    return {"id": letter.pk, "generated_at": letter.generated_at, "sha256": letter.sha256, "size": letter.size,
            "decision": letter.decision_id}


def decision_out(d: m.Decision) -> dict[str, Any]:
    catalogue = reasons.all_reasons()
    rows = []
    for r in d.reasons.all():
        known = catalogue.get(r.code)
        category = known.category if known else "other"
        rows.append({"code": r.code, "th": known.th if known else r.code, "en": known.en if known else r.code,
                     "category": category, "category_th": reasons.category_name(category, "th"),
                     "category_en": reasons.category_name(category, "en"), "basis": known.basis if known else ""})
    authority_th, authority_en = both(m.AUTHORITY_CHOICES, d.authority)
    votes = None if d.votes_for is None else {"for": d.votes_for, "against": d.votes_against or 0,
                                                 "abstain": d.votes_abstain or 0}
    return {
        "id": d.pk, "request": d.request_id, "kind": d.kind, "outcome": d.outcome,
        "outcome_th": reasons.outcome_name(d.outcome, "th"), "outcome_en": reasons.outcome_name(d.outcome, "en"),
        "cause": d.cause, "cause_th": reasons.cause_name(d.cause, "th") if d.cause else "",
        "cause_en": reasons.cause_name(d.cause, "en") if d.cause else "",
        "authority": d.authority, "authority_th": authority_th, "authority_en": authority_en,
        "committee": _committee(d.committee) if d.committee else None, "meeting": d.meeting_id,
        "decided_on": d.decided_on, "fiscal_year": d.fiscal_year, "reasons": rows,
        "items": [{"key": i.key, "th": i.label_th, "en": i.label_en, "requested": str(i.requested),
                   "approved": str(i.approved)} for i in d.items.all()],
        "amount_requested": str(d.amount_requested), "amount_approved": str(d.amount_approved),
        "votes": votes, "note": d.note, "referred_to": d.referred_to,
        "letters": [_letter(x) for x in d.letters.all()],
    }


def _summary_out(mt: m.Meeting) -> dict[str, Any]:
    mode_th, mode_en = both(m.MEETING_MODE_CHOICES, mt.mode)
    state_th, state_en = both(m.MEETING_STATE_CHOICES, mt.state)
    return {"id": mt.pk, "committee": _committee(mt.committee), "title": str(mt), "fiscal_year": mt.fiscal_year,
            "number": mt.number, "scheduled_for": mt.scheduled_for, "place": mt.place, "mode": mt.mode,
            "mode_th": mode_th, "mode_en": mode_en, "state": mt.state, "state_th": state_th, "state_en": state_en,
            "version": mt.version}


def _attendance_out(a: m.Attendance) -> dict[str, Any]:
    mode_th, mode_en = both(m.ATTENDANCE_MODE_CHOICES, a.mode)
    return {"user": _person(a.user), "position": a.position, "mode": a.mode, "mode_th": mode_th, "mode_en": mode_en,
            "recorded_at": a.recorded_at}


def _vote_out(v: m.Vote) -> dict[str, Any]:
    choice_th, choice_en = both(m.VOTE_CHOICES, v.choice)
    return {"user": _person(v.user), "choice": v.choice, "choice_th": choice_th, "choice_en": choice_en,
            "mode": v.mode, "cast_at": v.cast_at}


def _conflict_out(c: m.ConflictDeclaration) -> dict[str, Any]:
    return {"user": _person(c.user), "note": c.note, "declared_at": c.declared_at}


def _item_out(i: m.AgendaItem, resolution: m.Decision | None) -> dict[str, Any]:
    kind_th, kind_en = both(m.ITEM_KIND_CHOICES, i.kind)
    votes = list(i.votes.all())
    return {
        "id": i.pk, "position": i.position, "kind": i.kind, "kind_th": kind_th, "kind_en": kind_en,
        "request": i.request_id, "request_number": i.request.number, "summary": i.summary, "withdrawn": i.withdrawn,
        "acknowledged_at": i.acknowledged_at, "decision_reported": i.decision_reported_id, "appeal": i.appeal_id,
        "conflicts": [_conflict_out(c) for c in i.conflicts.all()], "votes": [_vote_out(v) for v in votes],
        "tally": _tally([v.choice for v in votes]),
        "resolution": decision_out(resolution) if resolution else None,
    }


def meeting_out(meeting_id: int) -> dict[str, Any]:
    """The meeting as it is now, read again (after a change, the service's object is not prefetched)."""
    mt = selectors.meeting(meeting_id)
    attendance = list(mt.attendance.all())
    decided = selectors.resolutions(mt)
    return {
        **_summary_out(mt), "members_count": mt.members_count, "quorum": mt.quorum,
        "present": sum(1 for a in attendance if a.position in m.VOTING_POSITIONS),
        "opened_at": mt.opened_at, "closed_at": mt.closed_at, "minutes_approved_at": mt.minutes_approved_at,
        "minutes_sha256": mt.minutes_sha256, "attendance": [_attendance_out(a) for a in attendance],
        "items": [_item_out(i, decided.get(i.pk)) for i in mt.items.all()],
    }


def _visible_meeting(request: StaffRequest, meeting_id: int) -> m.Meeting:
    mt = selectors.visible_meeting(request.user, meeting_id)
    if mt is None:
        raise Http404("meeting not found")
    return mt


def _visible_item(request: StaffRequest, item_id: int) -> m.AgendaItem:
    found = selectors.visible_item(request.user, item_id)
    if found is None:
        raise Http404("agenda item not found")
    return found


# ------------------------------------------------------------------ meetings: reads


class MeetingFilter(Input):
    committee: str = Field(default="", max_length=_max(m.Committee, "code"), description="a committee's code, e.g. P50")
    state: MeetingState = ""
    fiscal_year: int | None = Field(default=None, ge=2400, le=2999, description="Buddhist-era fiscal year")
    limit: int = Field(default=50, ge=1, le=LIMIT_MAX)
    offset: int = Field(default=0, ge=0, le=OFFSET_MAX)


@router.get("/meetings", response=responses({200: MeetingPage}), by_alias=True, tags=["meetings"])
def list_meetings(request: StaffRequest, filters: Query[MeetingFilter]) -> dict[str, Any]:
    """Meetings of the committees the caller sits on (every meeting for the read-only roles), newest
    first. No personal data (the agenda is in `GET /meetings/{id}`), so not audited as a view."""
    _refuse_unknown_parameters(request, MeetingFilter)
    qs = selectors.meetings_filtered(request.user, committee=filters.committee, state=filters.state,
                                     fiscal_year=filters.fiscal_year)
    page = list(qs[filters.offset: filters.offset + filters.limit])
    return {"count": qs.count(), "items": [_summary_out(mt) for mt in page]}


@router.get("/meetings/{meeting_id}", response=responses({200: MeetingOut}), by_alias=True, tags=["meetings"])
def get_meeting(request: StaffRequest, meeting_id: int) -> dict[str, Any]:
    """One meeting: quorum, attendance, the agenda with each item's summary, conflicts, votes and
    resolution. The agenda shows requests: audited as a view of each (`view_personal_data`, `meeting`)."""
    mt = _visible_meeting(request, meeting_id)
    out = meeting_out(mt.pk)
    case_services.audit_views(request.user, [i.request for i in mt.items.all()], "meeting")
    return out


# ------------------------------------------------------------------ meetings: changes


class MeetingIn(Input):
    committee: str = Field(max_length=_max(m.Committee, "code"), examples=["P50"],
                           description="the committee's code; the caller must be its secretary")
    scheduled_for: datetime = Field(description="date and time; without an offset, Thai time")
    place: str = Field(default="", max_length=_max(m.Meeting, "place"))
    mode: MeetingMode = m.IN_PERSON

    @field_validator("scheduled_for")
    @classmethod
    def _in_range(cls, value: datetime) -> datetime:
        if not 2000 <= value.year <= 2200:
            raise ValueError("must be a date between 2000 and 2200")
        return value if timezone.is_aware(value) else timezone.make_aware(value)


#: a committee code that is not one
NO_COMMITTEE = ("ไม่มีคณะกรรมการรหัสนี้", "There is no committee with this code")


@router.post("/meetings", response=responses({201: MeetingOut}, *CHANGE_ERRORS), auth=WRITE, by_alias=True, tags=["meetings"])
def create_meeting(request: StaffRequest, payload: MeetingIn) -> Status[dict[str, Any]]:
    """Schedule a meeting (the committee's secretary). Its number runs within the committee's fiscal year."""
    committee = selectors.committee_by_code(payload.committee)
    if committee is None:
        raise InvalidInput(*NO_COMMITTEE, errors=[field_error("committee", *NO_COMMITTEE)])
    mt = services.schedule_meeting(actor=request.user, committee_id=committee.pk, scheduled_for=payload.scheduled_for,
                                   place=payload.place, mode=payload.mode)
    return Status(201, meeting_out(mt.pk))


@router.post("/meetings/{meeting_id}/agenda", response=responses({200: MeetingOut}, *CHANGE_ERRORS), auth=WRITE,
             by_alias=True, tags=["meetings"])
def build_agenda(request: StaffRequest, meeting_id: int) -> dict[str, Any]:
    """Put on the agenda every request ready for the committee, its chair's urgent decisions not yet
    reported and (the Justice Fund Committee) the appeals lodged. The secretary, before the meeting opens."""
    mt = _visible_meeting(request, meeting_id)
    services.build_agenda(actor=request.user, meeting_id=mt.pk)
    return meeting_out(mt.pk)


class AttendanceIn(Input):
    user: str = Field(max_length=150, examples=["member.cm"], description="a username, or a user's id")
    mode: AttendanceMode = m.IN_PERSON


NO_USER = ("ไม่พบผู้ใช้นี้", "There is no such user")


@router.post("/meetings/{meeting_id}/attendance", response=responses({201: AttendanceOut}, *CHANGE_ERRORS),
             auth=WRITE, by_alias=True, tags=["meetings"])
def record_attendance(request: StaffRequest, meeting_id: int, payload: AttendanceIn) -> Status[dict[str, Any]]:
    """Record a member present: the secretary records anyone; a member records themselves when
    attending electronically (the meeting must be held electronically or hybrid)."""
    mt = _visible_meeting(request, meeting_id)
    who = selectors.person(payload.user)
    if who is None:
        raise InvalidInput(*NO_USER, errors=[field_error("user", *NO_USER)])
    row = services.record_attendance(actor=request.user, meeting_id=mt.pk, user=who, mode=payload.mode)
    return Status(201, _attendance_out(row))


@router.post("/meetings/{meeting_id}/open", response=responses({200: MeetingOut}, *CHANGE_ERRORS), auth=WRITE,
             by_alias=True, tags=["meetings"])
def open_meeting(request: StaffRequest, meeting_id: int) -> dict[str, Any]:
    """Open the meeting (the secretary). Without a quorum of voting members present: 422
    `meeting_refused`, saying how many are present and how many are needed."""
    mt = _visible_meeting(request, meeting_id)
    services.open_meeting(actor=request.user, meeting_id=mt.pk)
    return meeting_out(mt.pk)


@router.post("/meetings/{meeting_id}/close", response=responses({200: MeetingOut}, *CHANGE_ERRORS), auth=WRITE,
             by_alias=True, tags=["meetings"])
def close_meeting(request: StaffRequest, meeting_id: int) -> dict[str, Any]:
    mt = _visible_meeting(request, meeting_id)
    services.close_meeting(actor=request.user, meeting_id=mt.pk)
    return meeting_out(mt.pk)


@router.post("/meetings/{meeting_id}/minutes/approve", response=responses({200: MeetingOut}, *CHANGE_ERRORS),
             auth=WRITE, by_alias=True, tags=["meetings"])
def approve_minutes(request: StaffRequest, meeting_id: int) -> dict[str, Any]:
    """The chair approves the minutes of a closed meeting: the minutes PDF is made and kept
    (`minutes_sha256`) and the meeting is locked."""
    mt = _visible_meeting(request, meeting_id)
    services.approve_minutes(actor=request.user, meeting_id=mt.pk)
    return meeting_out(mt.pk)


class ConflictIn(Input):
    note: str = Field(default="", max_length=2000, description="what the interest is")


@router.post("/agenda-items/{item_id}/conflicts", response=responses({201: ConflictOut}, *CHANGE_ERRORS),
             auth=WRITE, by_alias=True, tags=["meetings"])
def declare_conflict(request: StaffRequest, item_id: int, payload: ConflictIn) -> Status[dict[str, Any]]:
    """The caller declares a conflict of interest in an item of an open meeting: they may not vote on it."""
    found = _visible_item(request, item_id)
    row = services.declare_conflict(actor=request.user, item_id=found.pk, note=payload.note)
    return Status(201, _conflict_out(row))


class VoteIn(Input):
    choice: VoteChoice


@router.post("/agenda-items/{item_id}/votes", response=responses({201: VoteOut}, *CHANGE_ERRORS), auth=WRITE,
             by_alias=True, tags=["meetings"])
def cast_vote(request: StaffRequest, item_id: int, payload: VoteIn) -> Status[dict[str, Any]]:
    """The caller votes on an item, once, as they attend (in the room or electronically). Refused:
    not attending or not a voting member (403), a conflict declared in the item or a second vote
    (422 `meeting_refused`, on `choice`)."""
    found = _visible_item(request, item_id)
    vote = services.cast_vote(actor=request.user, item_id=found.pk, choice=payload.choice)
    return Status(201, _vote_out(vote))


class ResolutionIn(Input):
    outcome: DecisionOutcome = Field(description="approved, partially_approved, rejected or terminated")
    reason_codes: list[ReasonCode] = Field(default=[], max_length=20, examples=[["A01", "P01"]],
                                           description="coded reasons (`/reference/reasons`) that fit the outcome; "
                                                       "at least one")
    items: dict[ItemKey, Amount] = Field(
        default={}, max_length=50, examples=[{"lawyer": "10000.00", "court_fee": "2000"}],
        description="for an approval: the amount approved per requested cost item, in baht as a decimal string "
                    "(at most 2 decimals); items left out are approved in full for `approved` and at 0 for "
                    "`partially_approved`")
    cause: Cause = Field(default="", description="why the request is terminated (outcome `terminated`)")
    note: str = Field(default="", max_length=COMMENT_MAX,
                      description="free text adding to the reasons; required when the only reason is “another reason”")


@router.post("/agenda-items/{item_id}/resolution", response=responses({201: DecisionOut}, *CHANGE_ERRORS, 409),
             auth=WRITE, by_alias=True, tags=["meetings"])
def record_resolution(request: StaffRequest, item_id: int, payload: ResolutionIn) -> Status[dict[str, Any]]:
    """The secretary records the meeting's resolution on an item: the request is decided (or its
    appeal) with the vote's tally, in one transaction. Every problem with the fields at once: 422
    `decision_incomplete` (`outcome`, `reason_codes`, `items.<key>`, `cause`, `comment` for the note,
    `agenda_item` for no quorum, no vote or a vote that did not carry)."""
    found = _visible_item(request, item_id)
    req = services.decide_at_meeting(actor=request.user, item_id=found.pk, outcome=payload.outcome,
                                     reason_codes=list(payload.reason_codes), note=payload.note,
                                     items=dict(payload.items), cause=payload.cause)
    decision = selectors.latest_decision(req)
    assert decision is not None  # written in the transaction that just committed
    return Status(201, decision_out(decision))


@router.post("/agenda-items/{item_id}/acknowledge", response=responses({200: AgendaItemOut}, *CHANGE_ERRORS),
             auth=WRITE, by_alias=True, tags=["meetings"])
def acknowledge(request: StaffRequest, item_id: int) -> dict[str, Any]:
    """The meeting acknowledges its chair's urgent decision (an item of kind `acknowledge`)."""
    found = _visible_item(request, item_id)
    services.acknowledge(actor=request.user, item_id=found.pk)
    out = meeting_out(found.meeting_id)
    return next(i for i in out["items"] if i["id"] == found.pk)


# ------------------------------------------------------------------ a request's decisions, appeals, letters


@router.get("/requests/{request_id}/decisions", response=responses({200: list[DecisionOut]}), by_alias=True, tags=["decisions"])
def list_decisions(request: StaffRequest, request_id: int) -> list[dict[str, Any]]:
    """The request's decisions, oldest first (an appeal's decision after the one appealed against)."""
    req = case_selectors.get_visible(request.user, request_id)
    case_services.audit_view(request.user, req, "decisions")
    return [decision_out(d) for d in selectors.decisions_of(req)]


@router.get("/requests/{request_id}/appeals", response=responses({200: list[AppealOut]}), by_alias=True, tags=["decisions"])
def list_appeals(request: StaffRequest, request_id: int) -> list[dict[str, Any]]:
    req = case_selectors.get_visible(request.user, request_id)
    case_services.audit_view(request.user, req, "appeals")
    out = []
    for a in selectors.appeals_of(req):
        state_th, state_en = both(m.Appeal.STATE_CHOICES, a.state)
        out.append({"id": a.pk, "state": a.state, "state_th": state_th, "state_en": state_en,
                    "lodged_on": a.lodged_on, "deadline": a.deadline, "grounds": a.grounds,
                    "against": a.against_id, "decision": a.decision_id})
    return out


@router.post("/requests/{request_id}/letters", response=responses({201: LetterOut}, *CHANGE_ERRORS),
             auth=WRITE, by_alias=True, tags=["decisions"])
def generate_letter(request: StaffRequest, request_id: int) -> Status[dict[str, Any]]:
    """Make the decision letter (Thai PDF) of the request's latest decision; kept with the request.
    The office's registrars and the deciding committee's secretary; 422 before any decision."""
    req = case_selectors.get_visible(request.user, request_id)
    return Status(201, _letter(services.generate_letter(actor=request.user, request_id=req.pk)))


#: the PDF answer in the schema (Django Ninja documents JSON bodies only)
PDF_RESPONSE = {"responses": {"200": {
    "description": "the letter as a PDF, to save (Content-Disposition: attachment)",
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
}}}


def _file_name(req: Request, letter: m.Letter) -> str:
    number = "".join(c if c.isalnum() or c in "-_" else "-" for c in req.number)
    return f"letter-{number}-{letter.pk}.pdf"


@router.get("/letters/{letter_id}/pdf", response=responses({}), openapi_extra=PDF_RESPONSE, by_alias=True, tags=["decisions"])
def letter_pdf(request: StaffRequest, letter_id: int) -> HttpResponse:
    """A letter's PDF, for whoever may see its request (404 otherwise); audited as a view of the
    request's personal data (`letter`), like a document's download."""
    letter = selectors.find_letter(letter_id)
    if letter is None:
        raise Http404("letter not found")
    req = case_selectors.get_visible(request.user, letter.request_id)
    try:
        data = services.read_stored(letter.storage_name)
    except OSError:
        raise Http404("letter file missing") from None
    case_services.audit_view(request.user, req, "letter")
    return pdf_attachment(data, _file_name(req, letter))


# ------------------------------------------------------------------ reports


class DecisionReportFilter(Input):
    fiscal_year: int | None = Field(default=None, ge=2400, le=2999,
                                    description="Buddhist-era fiscal year; default: the current one")
    service: str = Field(default="", max_length=_max(Request, "service"), description="a service code; default: all")


class OutcomeShareOut(Schema):
    outcome: str
    th: str
    en: str
    count: int
    share: float = Field(description="per cent of `total`, to 2 decimals")


class DecisionReportOut(Schema):
    fiscal_year: int
    total: int = Field(description="the denominator: requests decided in the fiscal year (first decisions, "
                                   "referred ones included; appeals apart)")
    outcomes: list[OutcomeShareOut]
    other_only: int = Field(description="decisions whose only reason is a catch-all “another reason” code")
    other_only_share: float = Field(description="per cent of the decisions other than referrals, to 2 decimals")


@router.get("/reports/decisions", response=responses({200: DecisionReportOut}), by_alias=True, tags=["reports"])
def report_decisions(request: StaffRequest, filters: Query[DecisionReportFilter]) -> dict[str, Any]:
    """Outcome counts and shares of a fiscal year's decisions (`selectors.outcome_shares`, the figures
    of docs/decisions.md). Aggregates only, no personal data, so not audited as a view."""
    _refuse_unknown_parameters(request, DecisionReportFilter)
    fy = filters.fiscal_year or fiscal_year_of(clock.today())
    s = selectors.outcome_shares(fy, service=filters.service or None)
    return {
        "fiscal_year": fy, "total": s.total, "other_only": s.other_only,
        "other_only_share": round(s.other_only_share, 2),
        "outcomes": [{"outcome": o, "th": th, "en": en, "count": s.counts.get(o, 0), "share": round(s.share(o), 2)}
                     for o, (th, en) in reasons.OUTCOME_NAMES.items()],
    }


__all__ = ["router"]
