"""The API's money operations (issue 11): budgets (read, allot, transfer), the ledger's entries (read,
paged by id, never counted; reversal), the ledger's export, and a request's payments by cost item with
receipts and the money returned. A router on the main API (``jfs.api.api``), with its error shape.

Reads go through ``jfs.finance.selectors`` (who reads which office's money: finance officers and
office heads their own office, the central office's every office; executives and auditors every
office); writes through ``jfs.finance.services`` and ``jfs.finance.payments`` (the same rules as the
pages: finance officers only, limits, closed years, the payment checks of the other apps). Money is
a decimal string ("12500.00"). Every posting takes the caller's idempotency key: the same key with
the same content answers the first entry (200), with other content 409.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from django.http import Http404, HttpResponse
from django.utils import translation
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from jfs.accounts import selectors as account_selectors
from jfs.accounts.http import StaffRequest
from jfs.accounts.models import Office
from jfs.api.api import (
    CHANGE_ERRORS,
    WRITE,
    Amount,
    Input,
    ItemKey,
    _max,
    _refuse_unknown_parameters,
    responses,
)
from jfs.audit.services import record
from jfs.cases import services as case_services
from jfs.cases.errors import InvalidInput, NotPermitted
from jfs.core import clock
from jfs.core.downloads import no_active_content
from jfs.finance import accounts as acc
from jfs.finance import exports, payments, selectors, services
from jfs.finance import models as m
from jfslib.thaidate import fiscal_year

router: Router = Router()

LIMIT_MAX = 200

if TYPE_CHECKING:
    Kind = str
    Method = str
else:
    Kind = Literal[("", *(code for code, _label in m.KIND_CHOICES))]
    Method = Literal[tuple(code for code, _label in m.METHOD_CHOICES)]

Key = Field(min_length=1, max_length=100, description="the caller's idempotency key (a uuid4): the same key posts once")


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _office(code: str) -> Office:
    office = account_selectors.offices().filter(code=code).first()
    if office is None:
        raise Http404("office not found")
    return office


def _readable_offices(request: StaffRequest, code: str) -> set[int] | None:
    if not selectors.reads_money(request.user):
        raise NotPermitted("ท่านไม่มีสิทธิ์ดูข้อมูลการเงิน", "You may not read the money")
    offices = selectors.money_offices(request.user)
    if not code:
        return offices
    office = _office(code)
    if offices is not None and office.pk not in offices:
        raise NotPermitted("ท่านไม่มีสิทธิ์ดูข้อมูลการเงินของสำนักงานนี้", "You may not read this office's money")
    return {office.pk}


# ------------------------------------------------------------------ budgets


class BudgetFilter(Input):
    fiscal_year: int | None = Field(default=None, ge=2400, le=2999, description="Buddhist-era fiscal year; "
                                                                               "default: the current one")
    office: str = Field(default="", max_length=_max(Office, "code"), description="an office's code")
    service: str = Field(default="", max_length=10, description="a service code (LIT, BAIL, HR, PROJECT, …)")


class BudgetRowOut(Schema):
    office: str = Field(description="the office's code")
    office_th: str
    office_en: str
    service: str
    allotted: str = Field(description="baht, a decimal string", examples=["1000000.00"])
    committed: str = Field(description="committed by approvals and not yet paid")
    spent: str
    available: str = Field(description="allotted less committed and spent; negative: overcommitted")
    overcommitted: bool


class BudgetsOut(Schema):
    fiscal_year: int
    closed: bool = Field(description="the fiscal year's books are closed: nothing posts to it")
    rows: list[BudgetRowOut]
    totals: dict[str, str] = Field(description="allotted, committed, spent and available over the rows")


@router.get("/budgets", response=responses({200: BudgetsOut}, 403), tags=["money"])
def list_budgets(request: StaffRequest, filters: Query[BudgetFilter]) -> dict[str, Any]:
    """A fiscal year's budget per office and service (the offices the caller reads). Figures only."""
    _refuse_unknown_parameters(request, BudgetFilter)
    offices = _readable_offices(request, filters.office)
    year = filters.fiscal_year or fiscal_year(clock.today())
    rows = selectors.budget_rows(year, offices, filters.service)
    return {"fiscal_year": year, "closed": year in selectors.closed_years(), "rows": [
        {"office": r.office.code, "office_th": r.office.name_th, "office_en": r.office.name_en, "service": r.service,
         "allotted": _money(r.allotted), "committed": _money(r.committed), "spent": _money(r.spent),
         "available": _money(r.available), "overcommitted": r.overcommitted} for r in rows],
        "totals": {k: _money(v) for k, v in selectors.budget_totals(rows).items()}}


class AllotmentIn(Input):
    key: str = Key
    fiscal_year: int = Field(ge=2400, le=2999, description="Buddhist-era fiscal year")
    office: str = Field(max_length=_max(Office, "code"))
    service: str = Field(max_length=10)
    amount: Amount = Field(description="baht, a decimal string", examples=["1000000.00"])
    on: date = Field(description="the day of the allotment (inside the fiscal year)")
    memo: str = Field(default="", max_length=500)


class TransferIn(Input):
    key: str = Field(min_length=1, max_length=96, description="the caller's idempotency key (the two entries "
                                                                "are `key/out` and `key/in`)")
    on: date
    from_office: str = Field(max_length=_max(Office, "code"))
    from_service: str = Field(max_length=10)
    to_office: str = Field(max_length=_max(Office, "code"))
    to_service: str = Field(max_length=10)
    amount: Amount = Field(description="baht, a decimal string")
    memo: str = Field(default="", max_length=500)


class LineOut(Schema):
    account: str = Field(description="the account's code (governance/accounts.yaml)")
    account_th: str
    account_en: str
    debit: str
    credit: str


class ReceiptOut(Schema):
    number: str
    issued_on: date
    issued_by: str
    document: int | None = Field(description="the uploaded copy's document id")


class EntryOut(Schema):
    id: int
    key: str
    kind: str
    kind_th: str
    kind_en: str
    on_date: date
    fiscal_year: int
    office: str
    service: str
    request: int | None
    request_number: str
    item_key: str
    amount: str = Field(description="the entry's amount in baht (its financial debit)")
    payee: str
    method: str
    reference: str
    memo: str
    reverses: int | None
    reversed_by: int | None
    receipt: ReceiptOut | None
    lines: list[LineOut]
    created_at: datetime


def entry_out(e: m.Entry, reversed_by: int | None = None) -> dict[str, Any]:
    chart = acc.chart()
    kinds = dict(m.KIND_CHOICES)
    lines = list(e.lines.all())
    financial = [ln.amount for ln in lines if ln.amount > 0 and not ln.account.startswith("8")]
    amount = sum(financial or [ln.amount for ln in lines if ln.amount > 0], Decimal(0))
    receipt = selectors.receipt_of(e)
    with translation.override("en"):
        kind_en = str(kinds.get(e.kind, e.kind))
    with translation.override("th"):
        kind_th = str(kinds.get(e.kind, e.kind))
    return {
        "id": e.pk, "key": e.key, "kind": e.kind, "kind_th": kind_th, "kind_en": kind_en, "on_date": e.on_date,
        "fiscal_year": e.fiscal_year, "office": e.office.code, "service": e.service, "request": e.request_id,
        "request_number": e.request.number if e.request else "", "item_key": e.item_key, "amount": _money(amount),
        "payee": e.payee, "method": e.method, "reference": e.reference, "memo": e.memo, "reverses": e.reverses_id,
        "reversed_by": reversed_by,
        "receipt": {"number": receipt.number, "issued_on": receipt.issued_on, "issued_by": receipt.issued_by,
                    "document": receipt.document_id} if receipt else None,
        "lines": [{"account": ln.account, "account_th": chart[ln.account].th if ln.account in chart else ln.account,
                   "account_en": chart[ln.account].en if ln.account in chart else ln.account,
                   "debit": _money(ln.amount if ln.amount > 0 else Decimal(0)),
                   "credit": _money(-ln.amount if ln.amount < 0 else Decimal(0))} for ln in lines],
        "created_at": e.created_at,
    }


def _posted(e: m.Entry, fresh: bool) -> Status[dict[str, Any]]:
    return Status(201 if fresh else 200, entry_out(e))


def _is_new(key: str) -> bool:
    return not selectors.key_used(key)


@router.post("/budgets/allotments", response=responses({200: EntryOut, 201: EntryOut}, *CHANGE_ERRORS, 409),
             auth=WRITE, tags=["money"])
def post_allotment(request: StaffRequest, payload: AllotmentIn) -> Status[dict[str, Any]]:
    """Allot a fiscal year's budget to an office for a service (finance officers: the central ones for
    any office). 201 posted; 200 the same key again (the first entry)."""
    fresh = _is_new(payload.key)
    e = services.allot(actor=request.user, key=payload.key, year=payload.fiscal_year, office=_office(payload.office),
                       service=payload.service, amount=payload.amount, on=payload.on, memo=payload.memo)
    return _posted(e, fresh)


class TransferOut(Schema):
    out: EntryOut
    into: EntryOut = Field(alias="in")


@router.post("/budgets/transfers", response=responses({200: TransferOut, 201: TransferOut}, *CHANGE_ERRORS, 409),
             auth=WRITE, by_alias=True, tags=["money"])
def post_transfer(request: StaffRequest, payload: TransferIn) -> Status[dict[str, Any]]:
    """Move available budget from one office and service to another (two entries)."""
    fresh = _is_new(f"{payload.key}/out")
    out, into = services.transfer(actor=request.user, key=payload.key, on=payload.on,
                                  source=(_office(payload.from_office), payload.from_service),
                                  target=(_office(payload.to_office), payload.to_service), amount=payload.amount,
                                  memo=payload.memo)
    return Status(201 if fresh else 200, {"out": entry_out(out), "in": entry_out(into)})


# ------------------------------------------------------------------ the ledger


class EntryFilter(Input):
    fiscal_year: int | None = Field(default=None, ge=2400, le=2999)
    office: str = Field(default="", max_length=_max(Office, "code"))
    service: str = Field(default="", max_length=10)
    kind: Kind = ""
    request_number: str = Field(default="", max_length=30)
    date_from: date | None = None
    date_to: date | None = None
    before: int | None = Field(default=None, ge=1, le=2**63 - 1,
                               description="the `next_before` of the previous page: entries older than that id")
    limit: int = Field(default=50, ge=1, le=LIMIT_MAX)


class EntryPage(Schema):
    items: list[EntryOut]
    next_before: int | None = Field(description="pass as `before` for the next page; null: the last page")


@router.get("/ledger/entries", response=responses({200: EntryPage}, 403), tags=["money"])
def list_entries(request: StaffRequest, filters: Query[EntryFilter]) -> dict[str, Any]:
    """A fiscal year's entries, newest first, paged by id (never counted). Payees are named: audited."""
    _refuse_unknown_parameters(request, EntryFilter)
    offices = _readable_offices(request, filters.office)
    year = filters.fiscal_year or fiscal_year(clock.today())
    qs = selectors.entries(selectors.EntryFilter(
        fiscal_year=year, office_ids=offices, service=filters.service, kind=filters.kind,
        request_number=filters.request_number, date_from=filters.date_from, date_to=filters.date_to))
    rows, next_before = selectors.page_of(qs, before=filters.before, limit=filters.limit)
    if rows:
        record("view_personal_data", actor=request.user, object_type="ledger", purpose="finance",
               details={"entries": [e.pk for e in rows]})
    return {"items": [entry_out(e) for e in rows], "next_before": next_before}


def _readable_entry(request: StaffRequest, entry_id: int) -> m.Entry:
    if not selectors.reads_money(request.user):
        raise NotPermitted("ท่านไม่มีสิทธิ์ดูข้อมูลการเงิน", "You may not read the money")
    e = selectors.entry(entry_id)
    if e is None or not selectors.reads_office(request.user, e.office_id):
        raise Http404("entry not found")
    return e


@router.get("/ledger/entries/{entry_id}", response=responses({200: EntryOut}, 403), tags=["money"])
def get_entry(request: StaffRequest, entry_id: int) -> dict[str, Any]:
    e = _readable_entry(request, entry_id)
    record("view_personal_data", actor=request.user, object_type="ledger_entry", object_id=str(e.pk),
           reference=e.request.number if e.request else "", purpose="finance")
    reversal = selectors.reversal_of(e)
    return entry_out(e, reversal.pk if reversal else None)


class ReversalIn(Input):
    key: str = Key
    on: date
    memo: str = Field(max_length=500, description="why the entry is reversed (required)")


@router.post("/ledger/entries/{entry_id}/reversal", response=responses({200: EntryOut, 201: EntryOut},
                                                                        *CHANGE_ERRORS, 409),
             auth=WRITE, tags=["money"])
def post_reversal(request: StaffRequest, entry_id: int, payload: ReversalIn) -> Status[dict[str, Any]]:
    """Correct an entry by its mirror (finance officers of the entry's office; a reason)."""
    e = _readable_entry(request, entry_id)
    fresh = _is_new(payload.key)
    fix = services.reverse(actor=request.user, key=payload.key, entry_id=e.pk, on=payload.on, memo=payload.memo)
    return _posted(fix, fresh)


class ExportFilter(Input):
    fiscal_year: int | None = Field(default=None, ge=2400, le=2999)
    office: str = Field(default="", max_length=_max(Office, "code"))
    format: Literal["csv", "xlsx"] = "csv"


@router.get("/ledger/export", response=responses({200: str}, 403), tags=["money"])
def export_ledger(request: StaffRequest, filters: Query[ExportFilter]) -> HttpResponse:
    """Every line of a fiscal year (of an office, or every office for a reader of all) with its account
    code, as CSV (UTF-8 with a byte order mark) or XLSX; audited."""
    _refuse_unknown_parameters(request, ExportFilter)
    offices = _readable_offices(request, filters.office)
    if offices is not None and len(offices) != 1:
        raise NotPermitted("กรุณาระบุสำนักงาน", "Name the office to export")
    office = next(iter(offices)) if offices else None
    year = filters.fiscal_year or fiscal_year(clock.today())
    rows = exports.ledger_rows(year, office)
    code = account_selectors.offices().get(pk=office).code if office is not None else "all"
    record("report_export", actor=request.user, object_type="report", object_id="ledger",
           details={"fiscal_year": year, "office": code, "format": filters.format, "rows": len(rows)})
    if filters.format == "xlsx":
        resp = HttpResponse(exports.to_xlsx(rows),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        resp = HttpResponse(exports.to_csv(rows), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="jfs-ledger-{year}-{code}.{filters.format}"'
    no_active_content(resp)
    return resp


# ------------------------------------------------------------------ a request's payments


class ItemOut(Schema):
    key: str
    th: str
    en: str
    committed: str
    paid: str
    returned: str
    payable: str = Field(description="what may still be paid: committed less paid and not returned")


class PaymentsOut(Schema):
    request: int
    request_number: str
    items: list[ItemOut]
    entries: list[EntryOut]


def _payments_out(req: Any) -> dict[str, Any]:
    return {"request": req.pk, "request_number": req.number, "items": [
        {"key": i.key, "th": i.label_th, "en": i.label_en, "committed": _money(i.committed), "paid": _money(i.paid),
         "returned": _money(i.returned), "payable": _money(i.payable)} for i in selectors.items_of(req.pk)],
        "entries": [entry_out(e) for e in selectors.request_entries(req.pk)]}


@router.get("/requests/{request_id}/payments", response=responses({200: PaymentsOut}), tags=["money"])
def list_payments(request: StaffRequest, request_id: int) -> dict[str, Any]:
    """A request's approved cost items (committed, paid, returned, payable) and its entries."""
    req = selectors.request_for_money(request.user, request_id)
    case_services.audit_view(request.user, req, "payments")
    return _payments_out(req)


class ReceiptIn(Input):
    number: str = Field(default="", max_length=100, description="the receipt's number (required)")
    issued_on: date | None = Field(default=None, description="the day it was issued (required)")
    issued_by: str = Field(default="", max_length=300, description="who issued it; default: the payee (payments) "
                                                                   "or the office (returns)")


class PaymentIn(Input):
    key: str = Key
    item_key: ItemKey
    amount: Amount = Field(description="baht, a decimal string", examples=["12500.00"])
    on: date
    payee: str = Field(max_length=300)
    method: Method
    reference: str = Field(default="", max_length=100, description="the bank's reference or the cheque's number")
    memo: str = Field(default="", max_length=500)
    receipt: ReceiptIn


class ReturnIn(Input):
    key: str = Key
    item_key: ItemKey
    amount: Amount = Field(description="baht, a decimal string")
    on: date
    memo: str = Field(default="", max_length=500)
    receipt: ReceiptIn = Field(description="the fund's receipt for the money (its number is the entry's reference)")


def _receipt(r: ReceiptIn) -> payments.ReceiptInput:
    return payments.ReceiptInput(number=r.number, issued_on=r.issued_on, issued_by=r.issued_by)


def _prefixed(exc: Any) -> Any:
    """The payments' receipt fields as the API names them (``receipt.number``, …)."""
    names = {"receipt_number": "receipt.number", "receipt_date": "receipt.issued_on",
             "receipt_issuer": "receipt.issued_by", "reference": "receipt.number"}
    exc.errors = [{**e, "field": names.get(e["field"], e["field"])} for e in exc.errors]
    return exc


@router.post("/requests/{request_id}/payments", response=responses({200: EntryOut, 201: EntryOut},
                                                                     *CHANGE_ERRORS, 409),
             auth=WRITE, tags=["money"])
def post_payment(request: StaffRequest, request_id: int, payload: PaymentIn) -> Status[dict[str, Any]]:
    """Pay an approved cost item with the payee's receipt (finance officers). Refused (422, on its
    field): above what is committed and unpaid, a closed year, no receipt number, another app's check."""
    req = selectors.request_for_money(request.user, request_id)
    fresh = _is_new(payload.key)
    try:
        e = payments.pay_item(actor=request.user, key=payload.key, request_id=req.pk, item_key=payload.item_key,
                              amount=payload.amount, on=payload.on, payee=payload.payee, method=payload.method,
                              reference=payload.reference, receipt=_receipt(payload.receipt), memo=payload.memo)
    except InvalidInput as exc:
        raise _prefixed(exc) from None
    return _posted(e, fresh)


@router.post("/requests/{request_id}/returns", response=responses({200: EntryOut, 201: EntryOut},
                                                                    *CHANGE_ERRORS, 409),
             auth=WRITE, tags=["money"])
def post_return(request: StaffRequest, request_id: int, payload: ReturnIn) -> Status[dict[str, Any]]:
    """Money paid for an item coming back, with the fund's receipt: never more than was paid."""
    req = selectors.request_for_money(request.user, request_id)
    fresh = _is_new(payload.key)
    try:
        e = payments.return_item(actor=request.user, key=payload.key, request_id=req.pk, item_key=payload.item_key,
                                 amount=payload.amount, on=payload.on, receipt=_receipt(payload.receipt),
                                 memo=payload.memo)
    except InvalidInput as exc:
        raise _prefixed(exc) from None
    return _posted(e, fresh)
