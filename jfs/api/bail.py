"""The API's bail operations (issue 11, item 2): bail records of approved bail requests, their orders,
deposits, hearings and appearances, and the money's return with the court's receipt.

Registered on the main API (``jfs.api.api``) as a router. Reads go through ``jfs.bail.selectors``,
changes through ``jfs.bail.services`` (the pages' own rules, permissions and audit). A refusal
answers with the project's error shape: 403 not permitted, 409 not allowed now (or a stale
``expected_version``), 422 with the fields at fault (a return without `court_receipt_number`, a
deposit above what was approved: `posting_refused`)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from django.http import Http404
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field, field_validator

from jfs.accounts.http import StaffRequest
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
from jfs.api.decisions import both
from jfs.bail import models as m
from jfs.bail import selectors
from jfs.bail import services as bail
from jfs.cases import services as case_services
from jfs.core import clock
from jfs.finance.models import METHOD_CHOICES

router = Router()

if TYPE_CHECKING:
    Status_ = str
    OrderKind = str
    Authority = str
    BailRole = str
    ReturnReason = str
    Method = str
else:
    Status_ = Literal[("", *(c for c, _l in m.STATUS_CHOICES))]
    OrderKind = Literal[tuple(c for c, _l in m.ORDER_KIND_CHOICES if c not in bail.RECOVERY_ORDERS)]
    Authority = Literal[("", *(c for c, _l in m.AUTHORITY_CHOICES))]
    BailRole = Literal[tuple(c for c, _l in m.ROLE_CHOICES)]
    ReturnReason = Literal[tuple(c for c, _l in m.BailReturn.REASON_CHOICES)]
    Method = Literal[tuple(c for c, _l in METHOD_CHOICES)]


# ------------------------------------------------------------------ output


class MoneyOut(Schema):
    approved: str = Field(description="baht committed by the approval, a decimal string")
    deposited: str
    returned: str
    still_out: str = Field(description="deposited less returned: still with the court or authority")


class OrderOut(Schema):
    id: int
    kind: str
    kind_th: str
    kind_en: str
    authority: str
    authority_name: str
    ordered_on: date
    amount: str | None = Field(description="baht (extra bail, reduced bail)")
    reference: str
    note: str


class DepositOut(Schema):
    id: int
    extra: bool = Field(description="extra bail on appeal")
    amount: str
    deposited_on: date
    receipt_number: str
    entry: int = Field(description="the ledger entry (a disbursement of the bail_amount item)")


class HearingOut(Schema):
    id: int
    at: datetime
    place: str
    purpose: str
    appeared: bool | None = Field(description="null until recorded")
    note: str
    reminded_at: datetime | None


class ReturnOut(Schema):
    id: int
    reason: str
    reason_th: str
    reason_en: str
    amount: str
    returned_on: date
    court_receipt_number: str
    entry: int = Field(description="the ledger entry (a return)")


class RecordSummaryOut(Schema):
    id: int
    request: int = Field(description="the request's id")
    request_number: str
    office: str = Field(description="the request's office code")
    released_name: str
    status: str
    status_th: str
    status_en: str
    amount: str = Field(description="the bail set by the order, baht")
    next_hearing: datetime | None = None
    version: int


class RecordOut(RecordSummaryOut):
    role: str = Field(description="depositor or surety")
    authority: str
    authority_name: str
    case_number: str
    contract_number: str
    contract_on: date
    obligations: str
    responsible: str = Field(description="the username reminded before each hearing")
    closed_on: date | None
    money: MoneyOut
    orders: list[OrderOut]
    deposits: list[DepositOut]
    hearings: list[HearingOut]
    returns: list[ReturnOut]


class RecordPage(Schema):
    count: int
    items: list[RecordSummaryOut]


def _baht(value: Decimal) -> str:
    return f"{Decimal(value):.2f}"


def _summary(rec: m.BailRecord, next_hearing: datetime | None = None) -> dict[str, Any]:
    status_th, status_en = both(m.STATUS_CHOICES, rec.status)
    return {"id": rec.pk, "request": rec.request_id, "request_number": rec.request.number,
            "office": rec.request.office.code, "released_name": rec.released_name, "status": rec.status,
            "status_th": status_th, "status_en": status_en, "amount": _baht(rec.amount), "next_hearing": next_hearing,
            "version": rec.version}


def _hearing(h: m.Hearing) -> dict[str, Any]:
    return {"id": h.pk, "at": h.at, "place": h.place, "purpose": h.purpose, "appeared": h.appeared, "note": h.note,
            "reminded_at": h.reminded_at}


def _order(o: m.BailOrder) -> dict[str, Any]:
    kind_th, kind_en = both(m.ORDER_KIND_CHOICES, o.kind)
    return {"id": o.pk, "kind": o.kind, "kind_th": kind_th, "kind_en": kind_en, "authority": o.authority,
            "authority_name": o.authority_name, "ordered_on": o.ordered_on,
            "amount": None if o.amount is None else _baht(o.amount), "reference": o.reference, "note": o.note}


def _deposit(d: m.BailDeposit) -> dict[str, Any]:
    return {"id": d.pk, "extra": d.extra, "amount": _baht(d.amount), "deposited_on": d.deposited_on,
            "receipt_number": d.receipt_number, "entry": d.entry_id}


def _return(r: m.BailReturn) -> dict[str, Any]:
    reason_th, reason_en = both(m.BailReturn.REASON_CHOICES, r.reason)
    return {"id": r.pk, "reason": r.reason, "reason_th": reason_th, "reason_en": reason_en, "amount": _baht(r.amount),
            "returned_on": r.returned_on, "court_receipt_number": r.court_receipt_number, "entry": r.entry_id}


def record_out(request: StaffRequest, record_id: int) -> dict[str, Any]:
    rec = selectors.record_by_id(request.user, record_id)
    if rec is None:
        raise Http404("bail record not found")
    money = bail.money(rec)
    upcoming = [h.at for h in rec.hearings.all() if h.appeared is None and h.at >= clock.now()]
    return {
        **_summary(rec, min(upcoming) if upcoming else None), "role": rec.role, "authority": rec.authority,
        "authority_name": rec.authority_name, "case_number": rec.case_number,
        "contract_number": rec.contract_number, "contract_on": rec.contract_on, "obligations": rec.obligations,
        "responsible": rec.responsible.username, "closed_on": rec.closed_on,
        "money": {"approved": _baht(money.approved), "deposited": _baht(money.deposited),
                  "returned": _baht(money.returned), "still_out": _baht(money.still_out)},
        "orders": [_order(o) for o in rec.orders.all()], "deposits": [_deposit(d) for d in rec.deposits.all()],
        "hearings": [_hearing(h) for h in rec.hearings.all()], "returns": [_return(r) for r in rec.returns.all()],
    }


def _visible(request: StaffRequest, record_id: int) -> m.BailRecord:
    rec = selectors.record_by_id(request.user, record_id)
    if rec is None:
        raise Http404("bail record not found")
    return rec


# ------------------------------------------------------------------ reads


class RecordFilter(Input):
    status: Status_ = ""
    office: str = Field(default="", max_length=10, description="an office code, e.g. 50")
    limit: int = Field(default=50, ge=1, le=LIMIT_MAX)
    offset: int = Field(default=0, ge=0, le=OFFSET_MAX)


@router.get("/bail-records", response=responses({200: RecordPage}), by_alias=True, tags=["bail"])
def list_bail_records(request: StaffRequest, filters: Query[RecordFilter]) -> dict[str, Any]:
    """Bail records the caller may read (their office's; every office for the central office and the
    read-only roles), those with a hearing soonest first. Names the released people: audited as a view."""
    _refuse_unknown_parameters(request, RecordFilter)
    qs = selectors.records_listed(request.user, status=filters.status, office=filters.office)
    page = list(qs[filters.offset: filters.offset + filters.limit])
    case_services.audit_views(request.user, [r.request for r in page], "bail_list")
    return {"count": qs.count(), "items": [_summary(r, getattr(r, "next_hearing", None)) for r in page]}


@router.get("/bail-records/{record_id}", response=responses({200: RecordOut}), by_alias=True, tags=["bail"])
def get_bail_record(request: StaffRequest, record_id: int) -> dict[str, Any]:
    """One bail record: contract, orders, deposits with their ledger entries, hearings, returns, money."""
    out = record_out(request, record_id)
    rec = _visible(request, record_id)
    case_services.audit_view(request.user, rec.request, "bail_record")
    return out


# ------------------------------------------------------------------ changes


def _in_range(value: date) -> date:
    if not 2000 <= value.year <= 2200:
        raise ValueError("must be a date between 2000 and 2200")
    return value


class RecordIn(Input):
    contract_number: str = Field(max_length=_max(m.BailRecord, "contract_number"))
    contract_on: date
    obligations: str = Field(max_length=4000)
    role: BailRole = m.DEPOSITOR
    case_number: str = Field(default="", max_length=_max(m.BailRecord, "case_number"))
    released_name: str = Field(default="", max_length=_max(m.BailRecord, "released_name"),
                               description="default: the request's detainee")
    authority: Authority = Field(default="", description="default: the request's")
    authority_name: str = Field(default="", max_length=_max(m.BailRecord, "authority_name"))
    amount: Amount = Field(default="", description="the bail set, baht; default: what was approved")

    @field_validator("contract_on")
    @classmethod
    def _date(cls, value: date) -> date:
        return _in_range(value)


@router.post("/requests/{request_id}/bail-record", response=responses({201: RecordOut}, *CHANGE_ERRORS, 409),
             auth=WRITE, by_alias=True, tags=["bail"])
def open_bail_record(request: StaffRequest, request_id: int, payload: RecordIn) -> Status[dict[str, Any]]:
    """Open the bail record of an approved bail request (case or finance officers of its office)."""
    req = selectors.bail_request(request.user, request_id)
    if req is None:
        raise Http404("request not found")
    rec = bail.open_record(request.user, req, bail.Contract(
        contract_number=payload.contract_number, contract_on=payload.contract_on, obligations=payload.obligations,
        role=payload.role, case_number=payload.case_number, released_name=payload.released_name,
        authority=payload.authority, authority_name=payload.authority_name, amount=payload.amount or None))
    return Status(201, record_out(request, rec.pk))


class OrderIn(Input):
    kind: OrderKind = Field(description="release, refused, extra_bail, reduced or case_ended "
                                        "(forfeiture and fines: the recovery operations)")
    ordered_on: date
    amount: Amount = Field(default="", description="baht, for extra_bail and reduced")
    authority: Authority = ""
    authority_name: str = Field(default="", max_length=_max(m.BailOrder, "authority_name"))
    reference: str = Field(default="", max_length=_max(m.BailOrder, "reference"))
    note: str = Field(default="", max_length=_max(m.BailOrder, "note"))
    expected_version: int | None = Field(default=None, ge=1, description="the record's version read (409 if stale)")

    @field_validator("ordered_on")
    @classmethod
    def _date(cls, value: date) -> date:
        return _in_range(value)


@router.post("/bail-records/{record_id}/orders", response=responses({201: OrderOut}, *CHANGE_ERRORS, 409),
             auth=WRITE, by_alias=True, tags=["bail"])
def record_bail_order(request: StaffRequest, record_id: int, payload: OrderIn) -> Status[dict[str, Any]]:
    rec = _visible(request, record_id)
    order = bail.record_order(request.user, rec.pk, kind=payload.kind, ordered_on=payload.ordered_on,
                              amount=payload.amount or None, reference=payload.reference, note=payload.note,
                              authority=payload.authority, authority_name=payload.authority_name,
                              expected_version=payload.expected_version)
    return Status(201, _order(order))


class DepositIn(Input):
    amount: Amount
    on: date
    receipt_number: str = Field(max_length=_max(m.BailDeposit, "receipt_number"))
    key: str = Field(max_length=100, description="idempotency key: the same key posts once")
    method: Method = "transfer"
    extra: bool = Field(default=False, description="extra bail on appeal (needs an extra_bail order)")

    @field_validator("on")
    @classmethod
    def _date(cls, value: date) -> date:
        return _in_range(value)


@router.post("/bail-records/{record_id}/deposits", response=responses({201: DepositOut}, *CHANGE_ERRORS, 409),
             auth=WRITE, by_alias=True, tags=["bail"])
def deposit_bail(request: StaffRequest, record_id: int, payload: DepositIn) -> Status[dict[str, Any]]:
    """Deposit the bail money (finance officers): a disbursement of the approved `bail_amount` item, never
    more than approved and committed (422 `posting_refused` naming the further approval needed)."""
    rec = _visible(request, record_id)
    row = bail.deposit(request.user, rec.pk, amount=payload.amount, on=payload.on,
                       receipt_number=payload.receipt_number, key=payload.key, method=payload.method,
                       extra=payload.extra)
    return Status(201, _deposit(row))


class HearingIn(Input):
    at: datetime = Field(description="date and time; without an offset, Thai time")
    place: str = Field(max_length=_max(m.Hearing, "place"))
    purpose: str = Field(default="", max_length=_max(m.Hearing, "purpose"))

    @field_validator("at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if not 2000 <= value.year <= 2200:
            raise ValueError("must be a date between 2000 and 2200")
        return value if timezone.is_aware(value) else timezone.make_aware(value)


@router.post("/bail-records/{record_id}/hearings", response=responses({201: HearingOut}, *CHANGE_ERRORS, 409),
             auth=WRITE, by_alias=True, tags=["bail"])
def schedule_bail_hearing(request: StaffRequest, record_id: int, payload: HearingIn) -> Status[dict[str, Any]]:
    rec = _visible(request, record_id)
    hearing = bail.schedule_hearing(request.user, rec.pk, at=payload.at, place=payload.place, purpose=payload.purpose)
    return Status(201, _hearing(hearing))


class AppearanceIn(Input):
    appeared: bool
    note: str = Field(default="", max_length=_max(m.Hearing, "note"), description="required when not appeared")


@router.post("/hearings/{hearing_id}/appearance", response=responses({200: HearingOut}, *CHANGE_ERRORS, 409),
             auth=WRITE, by_alias=True, tags=["bail"])
def record_bail_appearance(request: StaffRequest, hearing_id: int, payload: AppearanceIn) -> dict[str, Any]:
    """Whether the released person appeared (after the hearing's time). A non-appearance notifies the
    responsible officer and the office head; forfeiture and recovery follow in the recovery operations."""
    found = selectors.hearing_visible(request.user, hearing_id)
    if found is None:
        raise Http404("hearing not found")
    return _hearing(bail.record_appearance(request.user, found.pk, appeared=payload.appeared, note=payload.note))


class ReturnIn(Input):
    amount: Amount
    on: date
    reason: ReturnReason
    court_receipt_number: str = Field(default="", max_length=_max(m.BailReturn, "court_receipt_number"),
                                      description="required: the court's (or authority's) receipt")
    key: str = Field(max_length=100, description="idempotency key: the same key posts once")

    @field_validator("on")
    @classmethod
    def _date(cls, value: date) -> date:
        return _in_range(value)


@router.post("/bail-records/{record_id}/returns", response=responses({201: ReturnOut}, *CHANGE_ERRORS, 409),
             auth=WRITE, by_alias=True, tags=["bail"])
def return_bail_money(request: StaffRequest, record_id: int, payload: ReturnIn) -> Status[dict[str, Any]]:
    """Bail money back to the fund on an order (finance officers), with the court's receipt number;
    never more than deposited. When all is back the record is `returned`."""
    rec = _visible(request, record_id)
    row = bail.return_money(request.user, rec.pk, amount=payload.amount, on=payload.on, reason=payload.reason,
                            court_receipt_number=payload.court_receipt_number, key=payload.key)
    return Status(201, _return(row))
