"""Bail money (กทย.2) until it returns: the writes of ``jfs.bail``.

Every write is one transaction, audited, allowed by role and office (the request's office, or any
office for the central office's staff), and refuses bad input with a Thai and an English message on
its field before anything is written.

- ``open_record``: the fund's bail record of an approved BAIL request (a commitment on its
  ``bail_amount`` item exists; the request is decided, notified or in follow-up), one per request.
- ``record_order``: an order of the inquiry official, the prosecutor or a court: release, refused,
  extra bail on appeal, reduced, case ended. Forfeiture and fines are recorded by ``jfs.recovery``.
- ``deposit``: the bail money put up with the authority, as a disbursement of the ``bail_amount``
  item (``jfs.finance``: never more than approved and committed); extra bail needs an
  ``extra_bail`` order first.
- ``schedule_hearing`` / ``record_appearance``; ``remind_hearings`` (the worker's periodic job)
  reminds the responsible officer once per hearing, the days before in ``governance/bail.yaml``.
- ``return_money``: money back to the fund on an order, with the court's receipt number (never
  without it, never more than was deposited); when every baht is back the record is returned.
- ``bail_payment_check``: registered with ``jfs.finance``, refuses a payment of bail money that
  does not go through a bail record (``deposit``) to the record's authority.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import translation

from jfs.accounts.models import User
from jfs.audit.services import Event, record, record_many
from jfs.bail import models as m
from jfs.bail import policy
from jfs.cases.errors import Conflict, InvalidInput, NotPermitted, field_error
from jfs.cases.models import Document, Request
from jfs.core import clock
from jfs.core.models import Notification
from jfs.finance import models as fm
from jfs.finance import services as ledger
from jfslib import roles
from jfslib.thaidate import format_en, format_thai

#: the cost item a bail request's approval commits (``jfs.decisions.items``)
ITEM = "bail_amount"
#: the request's states in which its bail record may be opened (the decision approved money)
OPEN_STATES = frozenset({"decided", "notified", "follow_up"})
#: who keeps the record (contract, orders, hearings, appearances)
KEEPERS = frozenset({roles.CASE_OFFICER, roles.FINANCE_OFFICER})
#: who moves its money (deposits, returns): the ledger's posters
MONEY = ledger.POSTERS
#: orders recorded by jfs.recovery, not here
RECOVERY_ORDERS = frozenset({"forfeiture", "fine"})
#: the order a return needs, by the return's reason
RETURN_NEEDS = {"refused": "refused", "case_ended": "case_ended", "reduced": "reduced"}
#: statuses in which the money is still with the authority (orders, hearings, returns)
LIVE = frozenset({m.CONTRACTED, m.DEPOSITED, m.RELEASED})

#: set while ``deposit`` pays: the payment check lets bail money out only through a record
_THROUGH_RECORD: contextvars.ContextVar[int | None] = contextvars.ContextVar("bail_deposit", default=None)


def _bad(field: str, th: str, en: str) -> InvalidInput:
    return InvalidInput(th, en, errors=[field_error(field, th, en)])


def _text(value: Any, field: str, name_th: str, name_en: str, limit: int, *, required: bool = True) -> str:
    text = str(value or "").replace("\x00", "").strip()
    if required and not text:
        raise _bad(field, f"กรุณากรอก{name_th}", f"Enter the {name_en}")
    if len(text) > limit:
        raise _bad(field, f"{name_th}ยาวเกิน {limit} ตัวอักษร", f"The {name_en} is longer than {limit} characters")
    return text


def _amount(value: Any, field: str = "amount") -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise _bad(field, "จำนวนเงินต้องเป็นตัวเลข", "The amount must be a number of baht") from None
    if not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise _bad(field, "จำนวนเงินต้องมากกว่า 0 และมีทศนิยมไม่เกิน 2 ตำแหน่ง",
                   "The amount must be above 0 with at most 2 decimals")
    if amount >= Decimal("1e12"):
        raise _bad(field, "จำนวนเงินสูงเกินไป", "The amount is too large")
    return amount


def _day(value: Any, field: str, *, not_after_today: bool = True) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise _bad(field, "กรุณากรอกวันที่", "Enter the date")
    if not_after_today and value > clock.today():
        raise _bad(field, "วันที่ต้องไม่เป็นวันในอนาคต", "The date cannot be in the future")
    return value


def _choice(value: str, choices: list[tuple[str, Any]], field: str, name_th: str, name_en: str) -> str:
    if value not in dict(choices):
        raise _bad(field, f"กรุณาเลือก{name_th}จากรายการ", f"Choose the {name_en} from the list")
    return value


# --------------------------------------------------------------------------- who may


def may_act(user: User, req: Request, who: frozenset[str]) -> bool:
    """Whether ``user`` (a role in ``who``) works on ``req``'s office: their own, any for the central office."""
    if not user.is_authenticated or not user.is_active or user.role not in who:
        return False
    return req.office_id == user.office_id or bool(user.office and user.office.is_central)


def may_keep(user: User, req: Request) -> bool:
    return may_act(user, req, KEEPERS)


def may_move_money(user: User, req: Request) -> bool:
    return may_act(user, req, MONEY)


def _require(user: User, req: Request, who: frozenset[str]) -> None:
    if may_act(user, req, who):
        return
    if who == MONEY:
        raise NotPermitted("เฉพาะเจ้าหน้าที่การเงินของสำนักงานวางหรือรับคืนเงินประกันได้",
                           "Only the office's finance officers deposit or take back bail money")
    raise NotPermitted("เฉพาะเจ้าหน้าที่คดีหรือเจ้าหน้าที่การเงินของสำนักงานบันทึกเรื่องประกันได้",
                       "Only the office's case or finance officers keep the bail record")


def _lock(record_id: int, expected_version: int | None = None) -> m.BailRecord:
    rec = m.BailRecord.objects.select_for_update().select_related("request", "request__office").get(pk=record_id)
    if expected_version is not None and rec.version != expected_version:
        raise Conflict("มีผู้อื่นแก้ไขเรื่องประกันนี้ก่อนท่าน กรุณาเปิดหน้าใหม่แล้วทำอีกครั้ง",
                       "Someone else changed this bail record first: reload the page and try again",
                       errors=[field_error("version", "มีผู้อื่นแก้ไขเรื่องประกันนี้ก่อนท่าน",
                                           "Someone else changed this bail record first")])
    return rec


def _bump(rec: m.BailRecord, **changes: Any) -> None:
    for name, value in changes.items():
        setattr(rec, name, value)
    rec.version += 1
    rec.save(update_fields=[*changes, "version"])


def _audit(action: str, actor: User, rec: m.BailRecord, details: dict[str, Any]) -> None:
    record(action, actor=actor, object_type="bail_record", object_id=str(rec.pk), reference=rec.request.number,
           details=details)


def _status_en(rec: m.BailRecord) -> str:
    """The record's status in English words (for the English half of a refusal), never its code."""
    with translation.override("en"):
        return str(rec.get_status_display())


def _require_live(rec: m.BailRecord) -> None:
    if rec.status not in LIVE:
        raise Conflict(f"เรื่องประกันนี้อยู่ในสถานะ “{rec.get_status_display()}” บันทึกรายการนี้ไม่ได้",
                       f"This bail record is “{_status_en(rec)}”: nothing more can be recorded on it here")


# --------------------------------------------------------------------------- money in figures


def committed(request_id: int) -> Decimal:
    """What the approvals committed for the request's bail money."""
    return (fm.Commitment.objects.filter(request_id=request_id, item_key=ITEM).aggregate(s=Sum("amount"))["s"]
            or Decimal(0))


@dataclass(frozen=True)
class Money:
    approved: Decimal
    deposited: Decimal
    returned: Decimal

    @property
    def still_out(self) -> Decimal:
        return self.deposited - self.returned

    @property
    def left_to_deposit(self) -> Decimal:
        return self.approved - self.still_out


def money(rec: m.BailRecord) -> Money:
    """Approved (committed), deposited and returned for the record, and what is still out."""
    deposited = rec.deposits.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    returned = rec.returns.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    return Money(committed(rec.request_id), deposited, returned)


# --------------------------------------------------------------------------- the record


@dataclass(frozen=True)
class Contract:
    """What the officer types to open a record (the rest comes from the request)."""

    contract_number: str
    contract_on: date
    obligations: str
    role: str = m.DEPOSITOR
    case_number: str = ""
    released_name: str = ""
    authority: str = ""
    authority_name: str = ""
    amount: Any = None


@transaction.atomic
def open_record(actor: User, request: Request, contract: Contract) -> m.BailRecord:
    """The fund's bail record of an approved BAIL request (one per request). The released person,
    the authority and its name default from the request's details; the amount from what was approved."""
    req = Request.objects.select_for_update().select_related("office").get(pk=request.pk)
    _require(actor, req, KEEPERS)
    if req.service != "BAIL":
        raise Conflict("เรื่องประกันเปิดได้เฉพาะคำขอประกันตัว (กทย.2)", "Only a bail request (JF2) has a bail record")
    if m.BailRecord.objects.filter(request=req).exists():
        raise Conflict("คำขอนี้มีเรื่องประกันแล้ว", "This request already has its bail record")
    if req.state not in OPEN_STATES:
        raise Conflict("เปิดเรื่องประกันได้เมื่อมีผลการพิจารณาอนุมัติแล้วเท่านั้น",
                       "A bail record is opened only once the request is decided")
    approved = committed(req.pk)
    if approved <= 0:
        raise Conflict("คำขอนี้ยังไม่มีการอนุมัติเงินประกัน จึงเปิดเรื่องประกันไม่ได้",
                       "No bail money is approved for this request: a bail record cannot be opened")
    details = req.details or {}
    authority = contract.authority or str(details.get("authority", ""))
    errors: list[dict[str, str]] = []

    def check(fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InvalidInput as exc:
            errors.extend(exc.errors)
            return None

    values = {
        "contract_number": check(_text, contract.contract_number, "contract_number", "เลขที่สัญญาประกัน",
                                 "contract number", 60),
        "contract_on": check(_day, contract.contract_on, "contract_on"),
        "obligations": check(_text, contract.obligations, "obligations", "เงื่อนไขตามสัญญาประกัน",
                             "obligations of the contract", 4000),
        "role": check(_choice, contract.role, m.ROLE_CHOICES, "role", "ฐานะของกองทุน", "fund's role"),
        "case_number": check(_text, contract.case_number, "case_number", "เลขคดี", "case number", 60, required=False),
        "released_name": check(_text, contract.released_name or details.get("detainee_name", ""), "released_name",
                               "ชื่อผู้ได้รับการปล่อยชั่วคราว", "released person's name", 200),
        "authority": check(_choice, authority, m.AUTHORITY_CHOICES, "authority", "ผู้มีอำนาจสั่งปล่อยชั่วคราว",
                           "authority"),
        "authority_name": check(_text, contract.authority_name or details.get("authority_name", ""),
                                "authority_name", "ชื่อศาลหรือหน่วยงาน", "authority's name", 200),
        "amount": check(_amount, approved if contract.amount in (None, "") else contract.amount),
    }
    if errors:
        raise InvalidInput("ข้อมูลเรื่องประกันไม่ครบหรือไม่ถูกต้อง", "The bail record's details are incomplete or wrong",
                           errors=errors)
    try:
        with transaction.atomic():
            rec = m.BailRecord.objects.create(request=req, responsible=req.assigned_to or actor, created_by=actor,
                                              created_at=clock.now(), **values)
    except IntegrityError:
        raise Conflict("คำขอนี้มีเรื่องประกันแล้ว", "This request already has its bail record") from None
    _audit("bail_record_opened", actor, rec, {"contract_number": rec.contract_number, "amount": str(rec.amount)})
    return rec


# --------------------------------------------------------------------------- orders


@transaction.atomic
def record_order(actor: User, record_id: int, *, kind: str, ordered_on: date, amount: Any = None,
                 reference: str = "", note: str = "", authority: str = "", authority_name: str = "",
                 document: Document | None = None, expected_version: int | None = None) -> m.BailOrder:
    """An order about the release or the money. Release: the person is out (after the deposit, or
    at once where the fund is surety); refused: the money is to come back; extra bail on appeal and
    reduced bail: with the amount; case ended: the money is to come back."""
    rec = _lock(record_id, expected_version)
    _require(actor, rec.request, KEEPERS)
    if kind in RECOVERY_ORDERS:
        raise _bad("kind", "คำสั่งริบหลักประกันหรือสั่งปรับ บันทึกที่หน้าติดตามหนี้ผู้ผิดสัญญาประกัน",
                   "A forfeiture or a fine is recorded on the recovery page of this request")
    _choice(kind, m.ORDER_KIND_CHOICES, "kind", "คำสั่ง", "order")
    _require_live(rec)
    day = _day(ordered_on, "ordered_on")
    if day < rec.contract_on:
        raise _bad("ordered_on", "วันที่มีคำสั่งต้องไม่ก่อนวันทำสัญญาประกัน",
                   "The order cannot be dated before the bail contract")
    value: Decimal | None = None
    if kind in ("extra_bail", "reduced"):
        value = _amount(amount)
    elif amount not in (None, ""):
        raise _bad("amount", "คำสั่งนี้ไม่มีจำนวนเงิน", "This order carries no amount")
    changes: dict[str, Any] = {}
    if kind == "release":
        if rec.status == m.RELEASED:
            raise Conflict("บันทึกคำสั่งให้ปล่อยชั่วคราวไว้แล้ว", "The release is recorded already")
        if rec.status != m.DEPOSITED and rec.role != m.SURETY:
            raise _bad("kind", "ต้องวางเงินประกันก่อนจึงบันทึกคำสั่งปล่อยชั่วคราวได้",
                       "Record the deposit of the bail money before the release order")
        changes["status"] = m.RELEASED
    elif kind == "refused" and rec.status == m.RELEASED:
        raise _bad("kind", "ผู้ต้องหาหรือจำเลยได้รับการปล่อยชั่วคราวแล้ว", "The person has been released already")
    elif kind == "reduced" and value is not None:
        out = money(rec).still_out
        if value > out:
            raise _bad("amount", f"ลดหลักประกันได้ไม่เกินเงินที่วางไว้ {out:,.2f} บาท",
                       f"The bail can be reduced by at most the {out:,.2f} baht deposited")
    auth = _choice(authority or rec.authority, m.AUTHORITY_CHOICES, "authority", "ผู้ออกคำสั่ง", "authority")
    order = m.BailOrder.objects.create(
        record=rec, kind=kind, authority=auth,
        authority_name=_text(authority_name or rec.authority_name, "authority_name", "ชื่อศาลหรือหน่วยงาน",
                             "authority's name", 200),
        ordered_on=day, amount=value, reference=_text(reference, "reference", "เลขที่คำสั่ง", "order's number", 100,
                                                     required=False),
        note=_text(note, "note", "หมายเหตุ", "note", 1000, required=False), document=_own(document, rec),
        recorded_by=actor, recorded_at=clock.now())
    _bump(rec, **changes)
    _audit("bail_order", actor, rec, {"kind": kind, "amount": str(value) if value is not None else ""})
    return order


def _own(document: Document | None, rec: m.BailRecord) -> Document | None:
    if document is not None and document.request_id != rec.request_id:
        raise _bad("document", "เอกสารนี้ไม่ใช่ของคำขอนี้", "This document belongs to another request")
    return document


# --------------------------------------------------------------------------- deposits


@transaction.atomic
def deposit(actor: User, record_id: int, *, amount: Any, on: date, receipt_number: str, key: str,
            method: str = "transfer", extra: bool = False) -> m.BailDeposit:
    """Put up the bail money with the record's authority: a disbursement of the request's
    ``bail_amount`` item (never more than approved and committed), with the authority's receipt.
    The same ``key`` again (a double submit) answers the first deposit."""
    rec = _lock(record_id)
    _require(actor, rec.request, MONEY)
    key = str(key or "").strip()
    replay = m.BailDeposit.objects.filter(record=rec, entry__key=key).first() if key else None
    if replay is not None:
        return replay
    _require_live(rec)
    value = _amount(amount)
    day = _day(on, "on")
    receipt = _text(receipt_number, "receipt_number", "เลขที่ใบรับเงินประกัน", "receipt number", 100)
    if not extra and rec.status != m.CONTRACTED and not (rec.role == m.SURETY and rec.status == m.RELEASED):
        raise _bad("extra", "วางเงินประกันไปแล้ว การวางเพิ่มต้องเป็นการวางหลักประกันเพิ่มตามคำสั่ง",
                   "The bail money is deposited already: a further deposit is extra bail on an order")
    if extra:
        ordered = rec.orders.filter(kind="extra_bail").aggregate(s=Sum("amount"))["s"] or Decimal(0)
        paid_extra = rec.deposits.filter(extra=True).aggregate(s=Sum("amount"))["s"] or Decimal(0)
        if ordered <= 0:
            raise _bad("extra", "ต้องบันทึกคำสั่งให้วางหลักประกันเพิ่มก่อน",
                       "Record the order for extra bail before depositing it")
        if value > ordered - paid_extra:
            left = ordered - paid_extra
            raise _bad("amount", f"วางเพิ่มได้ไม่เกินที่คำสั่งกำหนดคงเหลือ {left:,.2f} บาท",
                       f"At most the {left:,.2f} baht the order for extra bail sets and not yet deposited")
    token = _THROUGH_RECORD.set(rec.pk)
    try:
        entry = ledger.disburse(actor=actor, key=key, request_id=rec.request_id, item_key=ITEM, amount=value, on=day,
                                payee=rec.authority_name, method=method, reference=receipt,
                                memo=f"เงินประกัน {rec.contract_number}")
    except ledger.PostingRefused as exc:
        if any(e.get("field") == "amount" for e in exc.errors):
            left = committed(rec.request_id) - ledger.paid_for(rec.request_id, ITEM)
            th = (f"วงเงินที่อนุมัติเหลือ {left:,.2f} บาท ไม่พอวางเงินประกันจำนวนนี้ "
                  "ต้องเสนอขออนุมัติเงินประกันเพิ่มเติมก่อน")
            en = (f"Only {left:,.2f} baht of the approved bail money is left: a further approval is needed "
                  "before this deposit")
            raise ledger.PostingRefused(th, en, errors=[field_error("amount", th, en)]) from None
        raise
    finally:
        _THROUGH_RECORD.reset(token)
    existing = m.BailDeposit.objects.filter(entry=entry).first()
    if existing is not None:  # the same key posted at the same moment by another submit
        return existing
    row = m.BailDeposit.objects.create(record=rec, extra=extra, amount=value, deposited_on=day,
                                       receipt_number=receipt, entry=entry)
    fm.Receipt.objects.get_or_create(entry=entry, defaults={
        "number": receipt, "issued_on": day, "issued_by": rec.authority_name, "recorded_by": actor,
        "recorded_at": clock.now()})
    _bump(rec, **({"status": m.DEPOSITED} if rec.status == m.CONTRACTED else {}))
    _audit("bail_deposit", actor, rec, {"amount": str(value), "extra": extra, "entry": entry.pk})
    return row


def bail_payment_check(request: Request, item_key: str, payee: str, amount: Decimal) -> None:
    """``jfs.finance`` runs this before every disbursement: bail money leaves only through a bail
    record (``deposit``), to that record's authority, while the money is still followed."""
    if request.service != "BAIL" or item_key != ITEM:
        return
    rec = m.BailRecord.objects.filter(request_id=request.pk).first()
    if rec is None:
        raise ledger.refuse("ต้องเปิดเรื่องประกันของคำขอนี้ก่อนจึงวางเงินประกันได้",
                            "Open the request's bail record before paying bail money", "item_key")
    if rec.status not in LIVE:
        raise ledger.refuse("เรื่องประกันนี้ปิดแล้ว จ่ายเงินประกันไม่ได้",
                            "This bail record is closed: no bail money can be paid on it", "item_key")
    if _THROUGH_RECORD.get() != rec.pk:
        raise ledger.refuse("เงินประกันต้องวางผ่านหน้าบันทึกเรื่องประกันของคำขอ",
                            "Bail money is deposited through the request's bail record", "item_key")
    if payee.strip() != rec.authority_name.strip():
        raise ledger.refuse("ผู้รับเงินประกันต้องเป็นศาลหรือหน่วยงานตามสัญญาประกัน",
                            "Bail money is paid only to the authority named in the bail contract", "payee")


# --------------------------------------------------------------------------- hearings


@transaction.atomic
def schedule_hearing(actor: User, record_id: int, *, at: datetime, place: str, purpose: str = "") -> m.Hearing:
    """A date the released person must appear (court, prosecutor, inquiry official)."""
    rec = _lock(record_id)
    _require(actor, rec.request, KEEPERS)
    _require_live(rec)
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise _bad("at", "กรุณากรอกวันและเวลานัด", "Enter the hearing's date and time")
    if clock.day_of(at) < rec.contract_on:
        raise _bad("at", "วันนัดต้องไม่ก่อนวันทำสัญญาประกัน", "The hearing cannot be before the bail contract")
    hearing = m.Hearing.objects.create(
        record=rec, at=at, place=_text(place, "place", "สถานที่นัด", "place", 200),
        purpose=_text(purpose, "purpose", "เรื่องที่นัด", "purpose", 300, required=False),
        recorded_by=actor, recorded_at=clock.now())
    _bump(rec)
    _audit("bail_hearing_scheduled", actor, rec, {"hearing": hearing.pk, "at": at.isoformat()})
    return hearing


@transaction.atomic
def record_appearance(actor: User, hearing_id: int, *, appeared: bool, note: str = "") -> m.Hearing:
    """Whether the released person appeared, once the hearing's time has come. A non-appearance
    notifies the responsible officer and the office's heads: what follows is jfs.recovery's."""
    hearing = m.Hearing.objects.select_for_update().get(pk=hearing_id)
    rec = _lock(hearing.record_id)
    _require(actor, rec.request, KEEPERS)
    if hearing.appeared is not None:
        raise Conflict("บันทึกการมาตามนัดครั้งนี้ไว้แล้ว", "The appearance at this hearing is recorded already",
                       errors=[field_error("appeared", "บันทึกการมาตามนัดครั้งนี้ไว้แล้ว",
                                           "The appearance at this hearing is recorded already")])
    _require_live(rec)
    if not isinstance(appeared, bool):
        raise _bad("appeared", "กรุณาเลือกว่ามาตามนัดหรือไม่", "Say whether the person appeared")
    if hearing.at > clock.now():
        raise _bad("appeared", "ยังไม่ถึงวันนัด บันทึกการมาตามนัดไม่ได้",
                   "The hearing has not happened yet: its appearance cannot be recorded")
    text = _text(note, "note", "หมายเหตุ", "note", 1000, required=not appeared)
    hearing.appeared, hearing.note = appeared, text
    hearing.save(update_fields=["appeared", "note"])
    _bump(rec)
    _audit("bail_appearance", actor, rec, {"hearing": hearing.pk, "appeared": appeared})
    if not appeared:
        transaction.on_commit(lambda: _notify_absence(rec.pk, hearing.pk))
    return hearing


def _notify_absence(record_id: int, hearing_id: int) -> None:
    rec = m.BailRecord.objects.select_related("request").get(pk=record_id)
    hearing = m.Hearing.objects.get(pk=hearing_id)
    heads = list(User.objects.filter(role=roles.OFFICE_HEAD, is_active=True, office_id=rec.request.office_id))
    day = clock.day_of(hearing.at)
    th = f"คำขอเลขที่ {rec.request.number}: ผู้ได้รับการปล่อยชั่วคราวไม่มาตามนัดวันที่ {format_thai(day)}"
    en = f"Request {rec.request.number}: the released person did not appear on {format_en(day)}"
    link = reverse("staff:bail_record", args=[rec.request_id])
    Notification.objects.bulk_create([
        Notification(recipient=who, kind="bail_absent", subject=th, subject_en=en, link=link)
        for who in {u.pk: u for u in [rec.responsible, *heads]}.values()])


def reminder_texts(number: str, hearing: m.Hearing) -> tuple[str, str]:
    """The Thai and English subject of a hearing's reminder: the B.E. date, the time and the place."""
    local = hearing.at.astimezone(clock.FUND_TIMEZONE)
    day, time = local.date(), local.strftime("%H.%M")
    return (f"คำขอเลขที่ {number}: นัดวันที่ {format_thai(day)} เวลา {time} น. ที่ {hearing.place} "
            "โปรดติดตามให้ผู้ได้รับการปล่อยชั่วคราวมาตามนัด",
            f"Request {number}: hearing on {format_en(day)} at {local.strftime('%H:%M')}, {hearing.place}; "
            "make sure the released person appears")


def remind_hearings(limit: int = 5000) -> int:
    """The worker's periodic job: remind each hearing's responsible officer once, the days before it
    set in ``governance/bail.yaml``; returns how many hearings were reminded. Idempotent
    (``reminded_at``); rows another worker holds are skipped."""
    now = clock.now()
    horizon = now + timedelta(days=policy.reminder_days(clock.today()))
    with transaction.atomic():
        due = list(m.Hearing.objects.select_for_update(skip_locked=True, of=("self",))
                   .select_related("record", "record__request")
                   .filter(reminded_at__isnull=True, appeared__isnull=True, at__gt=now, at__lte=horizon,
                           record__status__in=LIVE)
                   .order_by("at")[:limit])
        if not due:
            return 0
        notes, events = [], []
        for h in due:
            th, en = reminder_texts(h.record.request.number, h)
            notes.append(Notification(recipient_id=h.record.responsible_id, kind="bail_hearing", subject=th,
                                      subject_en=en, link=reverse("staff:bail_record", args=[h.record.request_id])))
            events.append(Event(action="bail_hearing_reminder", object_type="bail_record",
                                object_id=str(h.record_id), reference=h.record.request.number,
                                details={"hearing": h.pk}))
        Notification.objects.bulk_create(notes)
        m.Hearing.objects.filter(pk__in=[h.pk for h in due]).update(reminded_at=now)
        record_many(events)
    return len(due)


# --------------------------------------------------------------------------- returns


@transaction.atomic
def return_money(actor: User, record_id: int, *, amount: Any, on: date, reason: str, court_receipt_number: str,
                 key: str, document: Document | None = None) -> m.BailReturn:
    """Bail money back to the fund on an order (refused release, the case ended, bail reduced),
    with the court's (or authority's) receipt number: never without it, never more than deposited.
    When every baht is back the record is returned and closed. The same ``key`` again answers the
    first return."""
    rec = _lock(record_id)
    _require(actor, rec.request, MONEY)
    key = str(key or "").strip()
    replay = m.BailReturn.objects.filter(record=rec, entry__key=key).first() if key else None
    if replay is not None:
        return replay
    errors: list[dict[str, str]] = []
    receipt = str(court_receipt_number or "").replace("\x00", "").strip()
    if not receipt:
        errors.append(field_error("court_receipt_number", "กรุณากรอกเลขที่ใบรับคืนเงินประกันของศาล",
                                  "Enter the number of the court's receipt for the money returned"))
    elif len(receipt) > 100:
        errors.append(field_error("court_receipt_number", "เลขที่ใบรับยาวเกิน 100 ตัวอักษร",
                                  "The receipt number is longer than 100 characters"))
    if reason not in RETURN_NEEDS:
        errors.append(field_error("reason", "กรุณาเลือกเหตุที่ได้รับเงินคืน", "Choose why the money came back"))
    for fn, args in ((_amount, (amount,)), (_day, (on, "on"))):
        try:
            fn(*args)
        except InvalidInput as exc:
            errors.extend(exc.errors)
    if errors:
        raise InvalidInput("ข้อมูลการรับเงินประกันคืนไม่ครบหรือไม่ถูกต้อง",
                           "The return of the bail money is incomplete or wrong", errors=errors)
    value, day = _amount(amount), _day(on, "on")
    if rec.status not in (m.DEPOSITED, m.RELEASED):
        raise Conflict(f"เรื่องประกันนี้อยู่ในสถานะ “{rec.get_status_display()}” รับเงินคืนไม่ได้",
                       f"This bail record is “{_status_en(rec)}”: no money can come back on it here")
    if not rec.orders.filter(kind=RETURN_NEEDS[reason]).exists():
        label = dict(m.ORDER_KIND_CHOICES)[RETURN_NEEDS[reason]]
        raise _bad("reason", f"ต้องบันทึกคำสั่ง “{label}” ก่อนรับเงินคืนด้วยเหตุนี้",
                   "Record the order that returns the money before its return")
    out = money(rec).still_out
    if value > out:
        raise _bad("amount", f"รับคืนได้ไม่เกินเงินประกันที่วางไว้คงเหลือ {out:,.2f} บาท",
                   f"At most the {out:,.2f} baht deposited and not yet returned can come back")
    entry = ledger.receive_return(actor=actor, key=key, request_id=rec.request_id, item_key=ITEM, amount=value,
                                  on=day, reference=receipt, memo=f"คืนเงินประกัน {rec.contract_number}")
    existing = m.BailReturn.objects.filter(entry=entry).first()
    if existing is not None:
        return existing
    row = m.BailReturn.objects.create(record=rec, reason=reason, amount=value, returned_on=day,
                                      court_receipt_number=receipt, document=_own(document, rec), entry=entry)
    fm.Receipt.objects.get_or_create(entry=entry, defaults={
        "number": receipt, "issued_on": day, "issued_by": rec.authority_name, "document": row.document,
        "recorded_by": actor, "recorded_at": clock.now()})
    changes: dict[str, Any] = {}
    if money(rec).still_out <= 0:
        changes = {"status": m.RETURNED, "closed_on": day}
    _bump(rec, **changes)
    _audit("bail_return", actor, rec, {"amount": str(value), "reason": reason, "entry": entry.pk})
    return row
