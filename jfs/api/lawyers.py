"""The API's lawyers operations (issue 11, item 3), a router on the main API (``jfs.api.api``): the
roster, a litigation request's engagements, the lawyer's milestone reports, a milestone's payment and
the case's result.

Reads go through ``jfs.lawyers.selectors``, changes through ``jfs.lawyers.services`` (the pages'
rules, permissions and audit). A refusal answers with its status: 403 not permitted, 409 not now
(paid already, the request not in follow-up, a licence on the roster), 422 with the fields at fault
(``lawyer_refused``: a conflicted lawyer, a fee above the approved lawyer item; ``posting_refused``:
a payment the ledger refuses, among them a lawyer not engaged on the case).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from django.http import Http404
from django.utils import translation
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from jfs.accounts import selectors as account_selectors
from jfs.accounts.http import StaffRequest
from jfs.accounts.models import Office
from jfs.api.api import (
    CHANGE_ERRORS,
    LIMIT_MAX,
    OFFSET_MAX,
    WRITE,
    Amount,
    Input,
    _max,
    _refuse_unknown_parameters,
    responses,
)
from jfs.audit.services import record
from jfs.cases import services as case_services
from jfs.cases.errors import InvalidInput, field_error
from jfs.finance import models as fm
from jfs.lawyers import fees, selectors, services
from jfs.lawyers import models as m

router = Router(tags=["lawyers"])

if TYPE_CHECKING:
    Speciality = str
    SpecialityFilter = str
    MilestoneKind = str
    ResultKind = str
    Method = str
else:
    Speciality = Literal[services.SPECIALITIES]
    SpecialityFilter = Literal[("", *services.SPECIALITIES)]
    MilestoneKind = Literal[fees.MILESTONE_KINDS]
    ResultKind = Literal[fees.RESULT_KINDS]
    Method = Literal[tuple(code for code, _label in fm.METHOD_CHOICES)]


def _both(th: str, en: str) -> dict[str, str]:
    return {"th": th, "en": en}


def _label(choices: list[tuple[str, Any]], value: str) -> dict[str, str]:
    label = dict(choices).get(value)
    if label is None:
        return _both(value, value)
    with translation.override("th"):
        th = str(label)
    with translation.override("en"):
        en = str(label)
    return _both(th, en)


# ------------------------------------------------------------------ output


class NamedOut(Schema):
    code: str
    th: str
    en: str


class LawyerSummaryOut(Schema):
    id: int
    name: str
    licence_no: str = Field(examples=["12345/2550"], description="the Lawyers Council's licence: number / B.E. year")
    office: str = Field(description="the office's code whose roster holds the lawyer")
    specialities: list[NamedOut]
    active: bool
    workload: int = Field(description="active engagements")


class ConflictOut(Schema):
    party_name: str
    note: str
    declared_on: date


class LawyerOut(LawyerSummaryOut):
    phone: str = Field(description="personal data: the view is audited")
    email: str
    registered_on: date
    conflicts: list[ConflictOut]


class LawyerPage(Schema):
    count: int
    items: list[LawyerSummaryOut]


class PaymentOut(Schema):
    entry: int = Field(description="the ledger entry")
    on_date: date
    amount: str = Field(description="baht, a decimal string")
    method: str
    reference: str
    payee: str


class MilestoneOut(Schema):
    id: int
    kind: str = Field(description="filing, hearing, judgement or appeal")
    kind_th: str
    kind_en: str
    report_on: date
    summary: str
    document: int | None = Field(description="the lawyer's report (a document of the request)")
    amount_due: str = Field(description="baht by the engagement's fee scale, a decimal string")
    payment: PaymentOut | None


class EngagementOut(Schema):
    id: int
    request: int
    lawyer: LawyerSummaryOut
    engaged_on: date
    opposing_party: str
    case_kind: str
    scale_effective: date = Field(description="the fee scale in force on engaged_on (governance/lawyer_fees.yaml)")
    scale: dict[str, str] = Field(description="baht per milestone kind, as the scale said on engaged_on")
    agreed_fee: str
    status: str = Field(description="active or ended")
    status_th: str
    status_en: str
    ended_on: date | None
    end_reason: str
    result: str = Field(description="won, lost, settled, withdrawn, other; empty until recorded")
    result_th: str
    result_en: str
    result_on: date | None
    result_note: str
    repayment_required: bool | None
    repayment_amount: str | None
    milestones: list[MilestoneOut]


def _lawyer_summary(x: m.Lawyer, workload: int | None = None) -> dict[str, Any]:
    labels = dict(m.SPECIALITY_CHOICES)
    return {"id": x.pk, "name": x.name, "licence_no": x.licence_no, "office": x.office.code,
            "specialities": [{"code": c, **_label(m.SPECIALITY_CHOICES, c)} for c in x.speciality_codes() if c in labels],
            "active": x.active,
            "workload": workload if workload is not None else getattr(x, "workload", selectors.workload(x.pk))}


def _lawyer_out(x: m.Lawyer) -> dict[str, Any]:
    return {**_lawyer_summary(x, selectors.workload(x.pk)), "phone": x.phone, "email": x.email,
            "registered_on": x.registered_on,
            "conflicts": [{"party_name": c.party_name, "note": c.note, "declared_on": c.declared_on}
                          for c in x.conflicts.all()]}


def _payment(entry: fm.Entry | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {"entry": entry.pk, "on_date": entry.on_date, "amount": str(selectors.cash_amount(entry)),
            "method": entry.method, "reference": entry.reference, "payee": entry.payee}


def _milestone_out(ms: m.Milestone) -> dict[str, Any]:
    return {"id": ms.pk, "kind": ms.kind, "kind_th": fees.milestone_name(ms.kind, "th"),
            "kind_en": fees.milestone_name(ms.kind, "en"), "report_on": ms.report_on, "summary": ms.summary,
            "document": ms.document_id, "amount_due": str(ms.amount_due), "payment": _payment(ms.payment)}


def _engagement_out(e: m.Engagement) -> dict[str, Any]:
    status = _label(m.ENGAGEMENT_STATUS_CHOICES, e.status)
    return {
        "id": e.pk, "request": e.request_id, "lawyer": _lawyer_summary(e.lawyer, selectors.workload(e.lawyer_id)),
        "engaged_on": e.engaged_on, "opposing_party": e.opposing_party, "case_kind": e.case_kind,
        "scale_effective": e.scale_effective, "scale": dict(e.scale), "agreed_fee": str(e.agreed_fee),
        "status": e.status, "status_th": status["th"], "status_en": status["en"], "ended_on": e.ended_on,
        "end_reason": e.end_reason, "result": e.result,
        "result_th": fees.result_name(e.result, "th") if e.result else "",
        "result_en": fees.result_name(e.result, "en") if e.result else "",
        "result_on": e.result_on, "result_note": e.result_note, "repayment_required": e.repayment_required,
        "repayment_amount": str(e.repayment_amount) if e.repayment_amount is not None else None,
        "milestones": [_milestone_out(ms) for ms in
                       selectors.milestones_of(e)],
    }


# ------------------------------------------------------------------ the roster


class LawyerFilter(Input):
    q: str = Field(default="", max_length=100, description="part of the name or the licence number")
    speciality: SpecialityFilter = ""
    office: str = Field(default="", max_length=_max(Office, "code"), description="an office's code")
    active: bool | None = None
    limit: int = Field(default=50, ge=1, le=LIMIT_MAX)
    offset: int = Field(default=0, ge=0, le=OFFSET_MAX)


@router.get("/lawyers", response=responses({200: LawyerPage}))
def list_lawyers(request: StaffRequest, filters: Query[LawyerFilter]) -> dict[str, Any]:
    """The roster the caller may see (their office's and the central office's; all for the central
    office and the read-only roles), with each lawyer's workload. No contact details here."""
    _refuse_unknown_parameters(request, LawyerFilter)
    office_id = None
    if filters.office:
        office = account_selectors.offices().filter(code=filters.office).first()
        office_id = office.pk if office else -1
    qs = selectors.roster(request.user, q=filters.q.replace("\x00", ""), speciality=filters.speciality,
                          office_id=office_id, active=filters.active)
    page = list(qs[filters.offset: filters.offset + filters.limit])
    return {"count": qs.count(), "items": [_lawyer_summary(x) for x in page]}


def _visible_lawyer(request: StaffRequest, lawyer_id: int) -> m.Lawyer:
    found = selectors.lawyer(request.user, lawyer_id)
    if found is None:
        raise Http404("lawyer not found")
    return found


@router.get("/lawyers/{lawyer_id}", response=responses({200: LawyerOut}))
def get_lawyer(request: StaffRequest, lawyer_id: int) -> dict[str, Any]:
    """One lawyer with contact details and declared conflicts: audited as a view of personal data."""
    x = _visible_lawyer(request, lawyer_id)
    record("view_personal_data", actor=request.user, object_type="lawyer", object_id=str(x.pk),
           purpose="lawyer roster", details={"contact": True, "api": True})
    return _lawyer_out(x)


class LawyerIn(Input):
    name: str = Field(max_length=_max(m.Lawyer, "name"))
    licence_no: str = Field(max_length=_max(m.Lawyer, "licence_no"), examples=["12345/2550"])
    office: str = Field(default="", max_length=_max(Office, "code"),
                        description="the roster's office code; empty: the caller's office")
    specialities: list[Speciality] = Field(min_length=1, max_length=len(services.SPECIALITIES))
    phone: str = Field(default="", max_length=_max(m.Lawyer, "phone"))
    email: str = Field(default="", max_length=_max(m.Lawyer, "email"))
    registered_on: date | None = None


NO_OFFICE = ("ไม่มีสำนักงานรหัสนี้", "There is no office with this code")


@router.post("/lawyers", response=responses({201: LawyerOut}, *CHANGE_ERRORS, 409), auth=WRITE)
def create_lawyer(request: StaffRequest, payload: LawyerIn) -> Status[dict[str, Any]]:
    """Put a lawyer on an office's roster (its office heads and case officers; the central office's
    for any office)."""
    office = account_selectors.offices().filter(code=payload.office).first() if payload.office else request.user.office
    if office is None:
        raise InvalidInput(*NO_OFFICE, errors=[field_error("office", *NO_OFFICE)])
    x = services.register_lawyer(actor=request.user, office=office, name=payload.name, licence_no=payload.licence_no,
                                 specialities=list(payload.specialities), phone=payload.phone, email=payload.email,
                                 registered_on=payload.registered_on)
    return Status(201, _lawyer_out(x))


# ------------------------------------------------------------------ engagements


def _visible_request(request: StaffRequest, request_id: int) -> Any:
    req = selectors.visible_request(request.user, request_id)
    if req is None:
        raise Http404("request not found")
    return req


@router.get("/requests/{request_id}/engagements", response=responses({200: list[EngagementOut]}))
def list_engagements(request: StaffRequest, request_id: int) -> list[dict[str, Any]]:
    """A request's lawyers: the active engagement first, with milestones and their payments."""
    req = _visible_request(request, request_id)
    case_services.audit_views(request.user, [req], "lawyer_engagement")
    return [_engagement_out(e) for e in selectors.engagements(req.pk)]


class EngagementIn(Input):
    lawyer: int = Field(ge=1, le=2**31 - 1, description="the lawyer's id on the roster")
    agreed_fee: Amount = Field(examples=["9000.00"], description="baht; at most the approved lawyer item not yet paid")
    engaged_on: date | None = None
    opposing_party: str = Field(default="", max_length=_max(m.Engagement, "opposing_party"),
                                description="checked against the lawyer's declared conflicts")


@router.post("/requests/{request_id}/engagements", response=responses({201: EngagementOut}, *CHANGE_ERRORS, 409),
             auth=WRITE)
def create_engagement(request: StaffRequest, request_id: int, payload: EngagementIn) -> Status[dict[str, Any]]:
    """Engage a lawyer on an approved litigation request (ends the active engagement, if any)."""
    req = _visible_request(request, request_id)
    e = services.engage(actor=request.user, request_id=req.pk, lawyer_id=payload.lawyer, agreed_fee=payload.agreed_fee,
                        engaged_on=payload.engaged_on, opposing_party=payload.opposing_party)
    return Status(201, _engagement_out(e))


def _visible_engagement(request: StaffRequest, engagement_id: int) -> m.Engagement:
    e = selectors.engagement(engagement_id)
    if e is None or selectors.visible_request(request.user, e.request_id) is None:
        raise Http404("engagement not found")
    return e


class MilestoneIn(Input):
    kind: MilestoneKind
    report_on: date
    summary: str = Field(max_length=_max(m.Milestone, "summary"))
    document: int | None = Field(default=None, ge=1, le=2**31 - 1,
                                 description="a lawyer_report document uploaded to the request before")


@router.post("/engagements/{engagement_id}/milestones", response=responses({201: MilestoneOut}, *CHANGE_ERRORS, 409),
             auth=WRITE)
def create_milestone(request: StaffRequest, engagement_id: int, payload: MilestoneIn) -> Status[dict[str, Any]]:
    """Record the lawyer's report of a milestone; the amount due follows the engagement's scale."""
    e = _visible_engagement(request, engagement_id)
    ms = services.report_milestone(actor=request.user, engagement_id=e.pk, kind=payload.kind,
                                   report_on=payload.report_on, summary=payload.summary, document_id=payload.document)
    return Status(201, _milestone_out(ms))


class PaymentIn(Input):
    key: str = Field(min_length=1, max_length=100, description="the idempotency key: the same key posts once")
    on_date: date
    method: Method
    reference: str = Field(default="", max_length=_max(fm.Entry, "reference"))


@router.post("/milestones/{milestone_id}/payment", response=responses({200: MilestoneOut}, *CHANGE_ERRORS, 409),
             auth=WRITE)
def pay_milestone(request: StaffRequest, milestone_id: int, payload: PaymentIn) -> dict[str, Any]:
    """Pay a reported milestone to the engaged lawyer (finance officers). The same key again answers
    the payment made; another key on a paid milestone is 409."""
    ms = selectors.milestone(milestone_id)
    if ms is None or selectors.visible_request(request.user, ms.engagement.request_id) is None:
        raise Http404("milestone not found")
    done = services.pay_milestone(actor=request.user, key=payload.key, milestone_id=ms.pk, on=payload.on_date,
                                  method=payload.method, reference=payload.reference)
    return _milestone_out(selectors.milestone(done.pk) or done)


class ResultIn(Input):
    result: ResultKind
    result_on: date
    note: str = Field(default="", max_length=_max(m.Engagement, "result_note"))
    repayment_amount: Amount = Field(default="", description="baht; required when the result requires repayment")


@router.post("/engagements/{engagement_id}/result", response=responses({200: EngagementOut}, *CHANGE_ERRORS, 409),
             auth=WRITE)
def record_result(request: StaffRequest, engagement_id: int, payload: ResultIn) -> dict[str, Any]:
    """Record the case's result and, when the rules require it, the amount to repay."""
    e = _visible_engagement(request, engagement_id)
    done = services.record_result(actor=request.user, engagement_id=e.pk, result=payload.result, on=payload.result_on,
                                  note=payload.note, repayment_amount=payload.repayment_amount)
    return _engagement_out(selectors.engagement(done.pk) or done)
