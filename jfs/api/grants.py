"""The API's grants operations (issue 11, project grants กทย.4), a router on the main API (``jfs.api.api``).

Reads go through ``jfs.grants.selectors`` (the request's visibility decides: another office's grant
is a 404), changes through ``jfs.grants.services`` (the pages' rules, permissions and audit). A
refusal answers 403 (not the caller's role or office), 409 (not in this state), 422 with the fields.
Money operations carry the caller's idempotency key: the same key twice posts once.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils import translation
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from jfs.accounts.http import StaffRequest
from jfs.api.api import CHANGE_ERRORS, WRITE, Amount, Input, _refuse_unknown_parameters, responses
from jfs.cases import selectors as case_selectors
from jfs.cases import services as case_services
from jfs.cases.models import Request
from jfs.grants import models as m
from jfs.grants import selectors, services

router = Router()


class InstalmentOut(Schema):
    id: int
    sequence: int
    amount: Decimal
    after_report: int | None = Field(description="the progress report it waits for (none for the first)")
    report_due: date | None
    paid_on: date | None
    payable: bool


class ProgressReportOut(Schema):
    sequence: int
    received_on: date
    period_from: date
    period_to: date
    activities: str
    people_reached: int
    spent: Decimal
    document_id: int


class FinalReportOut(Schema):
    received_on: date
    outputs: str
    people_reached: int
    total_spent: Decimal
    on_time: bool
    document_id: int


class ReturnOut(Schema):
    amount: Decimal
    received_on: date
    receipt_number: str


class GrantOut(Schema):
    id: int
    request_id: int
    request_number: str
    number: str
    organisation: str
    registration_no: str
    status: str = Field(description="active, reported or closed")
    status_th: str
    status_en: str
    signed_on: date
    period_start: date
    period_end: date
    final_report_due: date
    total: Decimal = Field(description="approved and committed")
    paid: Decimal
    returned: Decimal
    instalments: list[InstalmentOut]
    progress_reports: list[ProgressReportOut]
    final_report: FinalReportOut | None
    returns: list[ReturnOut]


class GrantPage(Schema):
    count: int
    items: list[GrantOut]


class AssessmentOut(Schema):
    request_id: int
    recommendation: str
    summary: str
    scores: dict[str, Any] = Field(description="{criterion: {score: 1-5, note}}")
    total: int
    version: int


class HistoryOut(Schema):
    grant_id: int
    number: str
    request_number: str
    fiscal_year: int
    total: Decimal
    instalments_paid: int
    instalments: int
    final_report_on_time: bool | None = Field(description="null: not due yet")
    people_reached: int | None
    returned: Decimal


def _label(value: str) -> tuple[str, str]:
    """The status in Thai and in English (its msgid is Thai; the English catalogue gives the other)."""
    label = dict(m.STATUS_CHOICES).get(value, value)
    with translation.override("th"):
        th = str(label)
    with translation.override("en"):
        en = str(label)
    return th, en


def grant_out(g: m.GrantAgreement) -> dict[str, Any]:
    money = selectors.money(g)
    final = selectors.final_report(g)
    th, en = _label(g.status)
    return {
        "id": g.pk, "request_id": g.request_id, "request_number": g.request.number, "number": g.number,
        "organisation": g.organisation, "registration_no": g.registration_no, "status": g.status,
        "status_th": th, "status_en": en, "signed_on": g.signed_on, "period_start": g.period_start,
        "period_end": g.period_end, "final_report_due": g.final_report_due, "total": g.total, "paid": money.paid,
        "returned": money.returned,
        "instalments": [{"id": r["instalment"].pk, "sequence": r["instalment"].sequence, "amount": r["instalment"].amount,
                         "after_report": r["instalment"].after_report, "report_due": r["instalment"].report_due,
                         "paid_on": r["instalment"].paid_on, "payable": r["payable"]} for r in selectors.instalments(g)],
        "progress_reports": [{"sequence": p.sequence, "received_on": p.received_on, "period_from": p.period_from,
                              "period_to": p.period_to, "activities": p.activities, "people_reached": p.people_reached,
                              "spent": p.spent, "document_id": p.document_id} for p in g.progress_reports.all()],
        "final_report": None if final is None else {
            "received_on": final.received_on, "outputs": final.outputs, "people_reached": final.people_reached,
            "total_spent": final.total_spent, "on_time": final.on_time, "document_id": final.document_id},
        "returns": [{"amount": r.amount, "received_on": r.received_on, "receipt_number": r.receipt_number}
                    for r in g.returns.all()],
    }


def _grant(request: StaffRequest, grant_id: int) -> m.GrantAgreement:
    g = selectors.get_visible_grant(request.user, grant_id)
    if g is None:
        raise Http404("grant not found")
    return g


def _project(request: StaffRequest, request_id: int) -> Request:
    req = case_selectors.get_visible(request.user, request_id)
    if req.service != services.SERVICE:
        raise Http404("not a project request")
    return req


class GrantFilter(Input):
    status: str = Field(default="", max_length=10, description="active, reported or closed")
    overdue: bool = Field(default=False, description="only grants with a report past its due day")


@router.get("/grants", response=responses({200: GrantPage}), tags=["grants"])
def list_grants(request: StaffRequest, filters: Query[GrantFilter]) -> dict[str, Any]:
    """The grants of the requests the caller may see, newest first (at most 500)."""
    _refuse_unknown_parameters(request, GrantFilter)
    status = filters.status if filters.status in dict(m.STATUS_CHOICES) else ""
    rows = selectors.grant_list(request.user, status=status, overdue=filters.overdue)
    case_services.audit_views(request.user, [r["grant"].request for r in rows], "grant_list")
    return {"count": len(rows), "items": [grant_out(r["grant"]) for r in rows]}


@router.get("/grants/{grant_id}", response=responses({200: GrantOut}), tags=["grants"])
def get_grant(request: StaffRequest, grant_id: int) -> dict[str, Any]:
    g = _grant(request, grant_id)
    case_services.audit_views(request.user, [g.request], "grant")
    return grant_out(g)


class AssessmentIn(Input):
    scores: dict[str, dict[str, Any]] = Field(max_length=20, examples=[{"relevance": {"score": 5, "note": ""}}],
                                              description="every criterion of governance/grants.yaml: {score: 1-5, note}")
    recommendation: str = Field(max_length=24, description="support, support_with_changes or not_support")
    summary: str = Field(default="", max_length=3000)
    expected_version: int | None = None


@router.post("/requests/{request_id}/assessment", response=responses({201: AssessmentOut}, *CHANGE_ERRORS, 409),
             auth=WRITE, tags=["grants"])
def assess(request: StaffRequest, request_id: int, payload: AssessmentIn) -> Status[dict[str, Any]]:
    """The case officer's assessment of a project proposal (fact-finding or opinion)."""
    req = _project(request, request_id)
    row = services.assess(actor=request.user, request_id=req.pk, scores=payload.scores,
                          recommendation=payload.recommendation, summary=payload.summary,
                          expected_version=payload.expected_version)
    total, _most = selectors.assessment_total(row)
    return Status(201, {"request_id": req.pk, "recommendation": row.recommendation, "summary": row.summary,
                        "scores": row.scores, "total": total, "version": row.version})


class InstalmentIn(Input):
    amount: Amount
    report_due: date | None = None


class AgreementIn(Input):
    number: str = Field(max_length=60)
    signed_on: date
    period_start: date
    period_end: date
    signed_for_grantee: str = Field(max_length=200)
    instalments: list[InstalmentIn] = Field(min_length=1, max_length=services.MAX_INSTALMENTS)
    document_id: int | None = None


@router.post("/requests/{request_id}/grant-agreement", response=responses({201: GrantOut}, *CHANGE_ERRORS, 409),
             auth=WRITE, tags=["grants"])
def make_agreement(request: StaffRequest, request_id: int, payload: AgreementIn) -> Status[dict[str, Any]]:
    """Record the signed agreement of an approved project and its instalments (their sum ≤ committed)."""
    req = _project(request, request_id)
    g = services.make_agreement(
        actor=request.user, request_id=req.pk, number=payload.number, signed_on=payload.signed_on,
        period_start=payload.period_start, period_end=payload.period_end, signed_for_grantee=payload.signed_for_grantee,
        instalments=[services.PlannedInstalment(i.amount, i.report_due) for i in payload.instalments],
        document_id=payload.document_id)
    return Status(201, grant_out(g))


class ProgressIn(Input):
    received_on: date
    period_from: date
    period_to: date
    activities: str = Field(max_length=3000)
    people_reached: int = Field(ge=0, le=10_000_000)
    spent: Amount
    document_id: int = Field(description="a document of the request, of type progress_report")


@router.post("/grants/{grant_id}/progress-reports", response=responses({201: GrantOut}, *CHANGE_ERRORS, 409),
             auth=WRITE, tags=["grants"])
def progress_report(request: StaffRequest, grant_id: int, payload: ProgressIn) -> Status[dict[str, Any]]:
    g = _grant(request, grant_id)
    services.record_progress_report(actor=request.user, agreement_id=g.pk, received_on=payload.received_on,
                                    period_from=payload.period_from, period_to=payload.period_to,
                                    activities=payload.activities, people_reached=payload.people_reached,
                                    spent=payload.spent, document_id=payload.document_id)
    return Status(201, grant_out(_grant(request, grant_id)))


class PaymentIn(Input):
    key: str = Field(max_length=60, description="the caller's idempotency key: the same key twice pays once")
    on: date
    method: str = Field(max_length=12, description="transfer, cheque, promptpay or cash")
    reference: str = Field(default="", max_length=100)


@router.post("/grant-instalments/{instalment_id}/payment", response=responses({200: GrantOut}, *CHANGE_ERRORS, 409),
             auth=WRITE, tags=["grants"])
def pay(request: StaffRequest, instalment_id: int, payload: PaymentIn) -> dict[str, Any]:
    """Pay an instalment (finance officer): the earlier paid, its progress report in."""
    inst = selectors.instalment(instalment_id)
    if inst is None:
        raise Http404("instalment not found")
    g = _grant(request, inst.agreement_id)
    services.pay_instalment(actor=request.user, instalment_id=inst.pk, key=payload.key, on=payload.on,
                            method=payload.method, reference=payload.reference)
    return grant_out(_grant(request, g.pk))


class FinalIn(Input):
    received_on: date
    outputs: str = Field(max_length=3000)
    people_reached: int = Field(ge=0, le=10_000_000)
    total_spent: Amount
    document_id: int = Field(description="a document of the request, of type final_report")


@router.post("/grants/{grant_id}/final-report", response=responses({201: GrantOut}, *CHANGE_ERRORS, 409),
             auth=WRITE, tags=["grants"])
def final_report(request: StaffRequest, grant_id: int, payload: FinalIn) -> Status[dict[str, Any]]:
    g = _grant(request, grant_id)
    services.record_final_report(actor=request.user, agreement_id=g.pk, received_on=payload.received_on,
                                 outputs=payload.outputs, people_reached=payload.people_reached,
                                 total_spent=payload.total_spent, document_id=payload.document_id)
    return Status(201, grant_out(_grant(request, grant_id)))


class ReturnIn(Input):
    key: str = Field(max_length=60, description="the caller's idempotency key")
    amount: Amount
    on: date
    receipt_number: str = Field(max_length=100)


@router.post("/grants/{grant_id}/returns", response=responses({201: GrantOut}, *CHANGE_ERRORS, 409),
             auth=WRITE, tags=["grants"])
def receive_return(request: StaffRequest, grant_id: int, payload: ReturnIn) -> Status[dict[str, Any]]:
    """Unspent money back (finance officer), never more than was paid."""
    g = _grant(request, grant_id)
    services.receive_unspent(actor=request.user, agreement_id=g.pk, key=payload.key, amount=payload.amount,
                             on=payload.on, receipt_number=payload.receipt_number)
    return Status(201, grant_out(_grant(request, grant_id)))


class HistoryFilter(Input):
    registration_no: str = Field(default="", max_length=60)
    organisation: str = Field(default="", max_length=200)


@router.get("/grantees/history", response=responses({200: list[HistoryOut]}), tags=["grants"])
def grantee_history(request: StaffRequest, filters: Query[HistoryFilter]) -> list[dict[str, Any]]:
    """Earlier grants to an organisation (registration number, else its name), that the caller may see."""
    _refuse_unknown_parameters(request, HistoryFilter)
    rows = selectors.history(request.user, registration_no=filters.registration_no, organisation=filters.organisation)
    return [{"grant_id": r["grant"].pk, "number": r["grant"].number, "request_number": r["request_number"],
             "fiscal_year": r["fiscal_year"], "total": r["total"], "instalments_paid": r["instalments_paid"],
             "instalments": r["instalments"], "final_report_on_time": r["final_on_time"],
             "people_reached": r["people_reached"], "returned": r["returned"]} for r in rows]
