"""The API's recovery operations (issue 11, item 2), a router on the main API (``jfs.api.api``), tag
``recovery``: a bail record's recovery (abscondence, tracing, civil suits, repayment plans and
instalments, write-offs, what is owed), an instalment's PromptPay payload, the bank file's
reconciliation, and the absconder figures. Reads go through ``jfs.recovery.selectors``, changes
through ``jfs.recovery.services`` (the pages' own rules, permissions and audit); a refusal answers
with its status and the project's error shape (403, 409, 422 with the fields at fault)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from django.http import Http404
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from jfs.accounts.http import StaffRequest
from jfs.api.api import CHANGE_ERRORS, WRITE, Amount, Input, _refuse_unknown_parameters, responses
from jfs.bail import models as bm
from jfs.cases import services as case_services
from jfs.recovery import models as m
from jfs.recovery import selectors, services

router = Router(tags=["recovery"])

if TYPE_CHECKING:
    Order = str
    Result = str
else:
    Order = Literal[tuple(code for code, _label in m.ORDER_CHOICES)]
    Result = Literal[tuple(code for code, _label in m.RESULT_CHOICES)]


class TracingOut(Schema):
    id: int
    on: date
    level: str
    office: str
    result: str
    note: str


class SuitOut(Schema):
    id: int
    filed_on: date
    court_name: str
    case_number: str
    claim: Decimal
    judgement_on: date | None
    judgement_amount: Decimal | None


class InstalmentOut(Schema):
    id: int
    number: int
    due_on: date
    amount: Decimal
    reference: str
    paid_on: date | None
    bank_reference: str


class PlanOut(Schema):
    id: int
    agreed_on: date
    basis: str
    instalments: list[InstalmentOut]


class WriteOffOut(Schema):
    id: int
    on: date
    amount: Decimal
    tier: str
    decision_reference: str
    reason: str


class AbscondenceOut(Schema):
    id: int
    absconded_on: date
    order: str
    court_name: str
    order_reference: str
    ordered_on: date
    amount: Decimal
    closed_on: date | None
    forfeited: Decimal
    recovered: Decimal
    written_off: Decimal
    owed: Decimal
    tracings: list[TracingOut]
    suits: list[SuitOut]
    plans: list[PlanOut]
    write_offs: list[WriteOffOut]


class RecoveryOut(Schema):
    bail_record: int
    request: int
    request_number: str
    status: str
    deposited: Decimal
    abscondence: AbscondenceOut | None


def _record(request: StaffRequest, record_id: int) -> bm.BailRecord:
    found = selectors.record_request_id(record_id)
    rec = selectors.bail_record_of(request.user, found) if found is not None else None
    if rec is None:
        raise Http404("no bail record")
    return rec


def _out(rec: bm.BailRecord) -> dict[str, Any]:
    ab = selectors.abscondence_of(rec)
    body: dict[str, Any] | None = None
    if ab is not None:
        body = {
            "id": ab.pk, "absconded_on": ab.absconded_on, "order": ab.order, "court_name": ab.court_name,
            "order_reference": ab.order_reference, "ordered_on": ab.ordered_on, "amount": ab.amount,
            "closed_on": ab.closed_on, **selectors.money(ab),
            "tracings": [{"id": t.pk, "on": t.on, "level": t.level, "office": t.office.code, "result": t.result,
                          "note": t.note} for t in ab.tracings.all()],
            "suits": [{"id": s.pk, "filed_on": s.filed_on, "court_name": s.court_name, "case_number": s.case_number,
                       "claim": s.claim, "judgement_on": s.judgement_on, "judgement_amount": s.judgement_amount}
                      for s in ab.suits.all()],
            "plans": [{"id": p.pk, "agreed_on": p.agreed_on, "basis": p.basis,
                       "instalments": [_inst(i) for i in p.instalments.all()]} for p in ab.plans.all()],
            "write_offs": [{"id": w.pk, "on": w.on, "amount": w.amount, "tier": w.tier,
                            "decision_reference": w.decision_reference, "reason": w.reason}
                           for w in ab.write_offs.all()],
        }
    return {"bail_record": rec.pk, "request": rec.request_id, "request_number": rec.request.number,
            "status": rec.status, "deposited": selectors.deposited(rec), "abscondence": body}


def _inst(i: m.Instalment) -> dict[str, Any]:
    return {"id": i.pk, "number": i.number, "due_on": i.due_on, "amount": i.amount, "reference": i.reference,
            "paid_on": i.paid_on, "bank_reference": i.bank_reference}


def _abscondence(request: StaffRequest, record_id: int) -> m.Abscondence:
    rec = _record(request, record_id)
    ab = selectors.abscondence_of(rec)
    if ab is None:
        raise Http404("no abscondence recorded")
    return ab


@router.get("/bail-records/{record_id}/recovery", response=responses({200: RecoveryOut}))
def get_recovery(request: StaffRequest, record_id: int) -> dict[str, Any]:
    """A bail record's recovery: the court's order, what was forfeited, recovered, written off and is
    owed, tracing, civil suits, plans and instalments. Names the released person: audited as a view."""
    rec = _record(request, record_id)
    case_services.audit_view(request.user, rec.request, "recovery")
    return _out(rec)


class AbscondenceIn(Input):
    key: str = Field(min_length=1, max_length=100, description="idempotency key: the same key posts once")
    absconded_on: date
    order: Order
    court_name: str = Field(max_length=200)
    order_reference: str = Field(max_length=100)
    ordered_on: date
    amount: Amount


@router.post("/bail-records/{record_id}/abscondence", response=responses({201: RecoveryOut}, *CHANGE_ERRORS, 409),
             auth=WRITE)
def post_abscondence(request: StaffRequest, record_id: int, payload: AbscondenceIn) -> Status[dict[str, Any]]:
    """The released person absconded: the court's forfeiture (never more than deposited) or fine on
    the fund as surety. A finance officer of the request's office (or central)."""
    rec = _record(request, record_id)
    services.record_abscondence(actor=request.user, record_id=rec.pk, key=payload.key,
                                absconded_on=payload.absconded_on, order=payload.order,
                                court_name=payload.court_name, order_reference=payload.order_reference,
                                ordered_on=payload.ordered_on, amount=payload.amount)
    return Status(201, _out(selectors.bail_record_of(request.user, rec.request_id) or rec))


class TracingIn(Input):
    on: date
    result: Result
    note: str = Field(default="", max_length=1000)


@router.post("/bail-records/{record_id}/tracings", response=responses({201: RecoveryOut}, *CHANGE_ERRORS, 409),
             auth=WRITE)
def post_tracing(request: StaffRequest, record_id: int, payload: TracingIn) -> Status[dict[str, Any]]:
    """A tracing attempt by the caller's office (central or provincial). Case officers and office heads."""
    ab = _abscondence(request, record_id)
    services.add_tracing(actor=request.user, abscondence_id=ab.pk, on=payload.on, result=payload.result,
                         note=payload.note)
    return Status(201, _out(ab.record))


class SuitIn(Input):
    filed_on: date
    court_name: str = Field(max_length=200)
    case_number: str = Field(max_length=60)
    claim: Amount
    judgement_on: date | None = None
    judgement_amount: Amount | None = None


@router.post("/bail-records/{record_id}/civil-suits", response=responses({201: RecoveryOut}, *CHANGE_ERRORS, 409),
             auth=WRITE)
def post_suit(request: StaffRequest, record_id: int, payload: SuitIn) -> Status[dict[str, Any]]:
    """The civil suit against the absconder (and its judgement, when given). Case officers and office heads."""
    ab = _abscondence(request, record_id)
    suit = services.file_suit(actor=request.user, abscondence_id=ab.pk, filed_on=payload.filed_on,
                              court_name=payload.court_name, case_number=payload.case_number, claim=payload.claim)
    if payload.judgement_on is not None or payload.judgement_amount is not None:
        services.record_judgement(actor=request.user, suit_id=suit.pk, judgement_on=payload.judgement_on,
                                  amount=payload.judgement_amount)
    return Status(201, _out(ab.record))


class InstalmentIn(Input):
    due_on: date
    amount: Amount


class PlanIn(Input):
    agreed_on: date
    basis: str = Field(max_length=300)
    instalments: list[InstalmentIn] = Field(min_length=1, max_length=120)


@router.post("/bail-records/{record_id}/repayment-plans",
             response=responses({201: RecoveryOut}, *CHANGE_ERRORS, 409), auth=WRITE)
def post_plan(request: StaffRequest, record_id: int, payload: PlanIn) -> Status[dict[str, Any]]:
    """A repayment plan: its instalments never more than is owed and not yet planned; each gets its
    payment reference (the QR's reference 1)."""
    ab = _abscondence(request, record_id)
    services.make_plan(actor=request.user, abscondence_id=ab.pk, agreed_on=payload.agreed_on, basis=payload.basis,
                       instalments=[(i.due_on, i.amount) for i in payload.instalments])
    return Status(201, _out(ab.record))


class PromptPayOut(Schema):
    instalment: int
    reference: str
    amount: Decimal
    due_on: date
    payload: str = Field(description="the EMVCo / Thai QR Payment payload (PromptPay bill payment, tag 30)")


@router.get("/instalments/{instalment_id}/promptpay", response=responses({200: PromptPayOut}))
def get_promptpay(request: StaffRequest, instalment_id: int) -> dict[str, Any]:
    """An instalment's PromptPay bill-payment payload, to render as a QR code."""
    inst = selectors.instalment(request.user, instalment_id)
    if inst is None:
        raise Http404("no instalment")
    return {"instalment": inst.pk, "reference": inst.reference, "amount": inst.amount, "due_on": inst.due_on,
            "payload": services.promptpay_payload(inst)}


class PaymentIn(Input):
    key: str = Field(min_length=1, max_length=100)
    paid_on: date
    bank_reference: str = Field(max_length=100)


@router.post("/instalments/{instalment_id}/payments", response=responses({201: InstalmentOut}, *CHANGE_ERRORS, 409),
             auth=WRITE)
def post_payment(request: StaffRequest, instalment_id: int, payload: PaymentIn) -> Status[dict[str, Any]]:
    """An instalment paid, recorded by a finance officer from the bank's advice (posted once per key)."""
    if selectors.instalment(request.user, instalment_id) is None:
        raise Http404("no instalment")
    inst = services.pay_instalment(actor=request.user, instalment_id=instalment_id, key=payload.key,
                                   paid_on=payload.paid_on, bank_reference=payload.bank_reference)
    return Status(201, _inst(inst))


class BankFileIn(Input):
    file_name: str = Field(max_length=200)
    content: str = Field(max_length=services.MAX_BANK_FILE,
                         description="the CSV: transaction_id,paid_at,ref1,ref2,amount (docs/recovery.md)")


class BankRowOut(Schema):
    line_number: int
    transaction_id: str
    ref1: str
    amount: str
    status: str
    reason: str


class BankImportOut(Schema):
    id: int
    rows: int
    posted: int
    quarantined: int
    lines: list[BankRowOut]


@router.post("/reconciliation/imports", response=responses({201: BankImportOut}, *CHANGE_ERRORS), auth=WRITE)
def post_bank_file(request: StaffRequest, payload: BankFileIn) -> Status[dict[str, Any]]:
    """Reconcile the bank's bill-payment file (finance officers): rows matching an instalment by
    reference 1 and amount are posted once (by the bank's transaction id); the rest are quarantined
    with their reason."""
    batch = services.import_bank_file(actor=request.user, file_name=payload.file_name,
                                      content=payload.content.encode("utf-8"))
    return Status(201, {"id": batch.pk, "rows": batch.rows, "posted": batch.posted, "quarantined": batch.quarantined,
                        "lines": [{"line_number": r.line_number, "transaction_id": r.transaction_id, "ref1": r.ref1,
                                   "amount": r.amount_text, "status": r.status, "reason": r.reason}
                                  for r in selectors.rows_of(batch.pk)]})


class WriteOffIn(Input):
    key: str = Field(min_length=1, max_length=100)
    tier: str = Field(max_length=30, description="an authority of governance/recovery.yaml the caller holds")
    amount: Amount
    on: date
    decision_reference: str = Field(max_length=100)
    reason: str = Field(max_length=1000)


@router.post("/bail-records/{record_id}/write-offs", response=responses({201: RecoveryOut}, *CHANGE_ERRORS, 409),
             auth=WRITE)
def post_write_off(request: StaffRequest, record_id: int, payload: WriteOffIn) -> Status[dict[str, Any]]:
    """Write (part of) the debt off, by an authority the caller holds, within its limit (office heads)."""
    ab = _abscondence(request, record_id)
    services.write_off(actor=request.user, abscondence_id=ab.pk, key=payload.key, tier=payload.tier,
                       amount=payload.amount, on=payload.on, decision_reference=payload.decision_reference,
                       reason=payload.reason)
    return Status(201, _out(ab.record))


class FiguresFilter(Input):
    fiscal_year: int | None = Field(default=None, ge=2500, le=2700, description="B.E.")
    region: str = Field(default="", max_length=20, description="a region's key (governance/regions.yaml); default: all")


class FiguresOut(Schema):
    fiscal_year: int
    region: str
    region_name_th: str
    region_name_en: str
    absconders: int
    central: int
    provincial: int
    traced: int
    not_traced: int
    untraced_yet: int
    forfeited: Decimal
    recovered: Decimal
    written_off: Decimal
    outstanding: Decimal


@router.get("/reports/absconders", response=responses({200: list[FiguresOut]}))
def absconder_report(request: StaffRequest, filters: Query[FiguresFilter]) -> list[dict[str, Any]]:
    """Absconders by fiscal year (B.E.) and region: counts (central/provincial office, traced / not
    traced / not yet traced) and the money forfeited, recovered, written off and outstanding.
    Figures only, no personal data."""
    _refuse_unknown_parameters(request, FiguresFilter)
    return [r.as_dict() for r in selectors.absconder_figures(request.user, filters.fiscal_year)
            if not filters.region or r.region == filters.region]
