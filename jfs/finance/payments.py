"""Payments by cost item with the payee's receipt, and money returned with the fund's receipt (issue
11, items 1 and 5: how a human-rights victim's approved aid is paid, item by item).

Built on ``jfs.finance.services``: a payment is ``disburse`` (never more than is committed for the
item, less what was paid; the payment checks of the apps above run there), a return is
``receive_return`` (never more than was paid). Each records its ``Receipt`` (number, date, issuer,
the uploaded copy when there is one) in the same transaction: a refusal anywhere (the limit, a
closed year, another app's payment check, a document the upload service refuses) writes nothing.

The same idempotency key again with the same content answers the first entry and its receipt (a
double submit posts once, and uploads nothing a second time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction

from jfs.accounts.models import User
from jfs.cases import services as case_services
from jfs.cases.errors import CaseError, InvalidInput, field_error
from jfs.cases.models import Request
from jfs.core import clock
from jfs.finance import models as m
from jfs.finance import services

#: the document type of a payee's receipt (every service that pays has it: ``workflows/*.yaml``)
RECEIPT_DOC_TYPE = "payment_receipt"


@dataclass(frozen=True)
class ReceiptInput:
    """A receipt as typed: its number, the day it was issued, who issued it; the copy is optional."""

    number: str
    issued_on: date | None
    issued_by: str = ""
    file_name: str = ""
    file_chunks: Any = None
    file_size: int = 0


def _check_receipt(receipt: ReceiptInput, today: date) -> list[dict[str, str]]:
    errors = []
    if not receipt.number.strip():
        errors.append(field_error("receipt_number", "กรุณากรอกเลขที่ใบเสร็จรับเงิน", "Give the receipt's number"))
    elif len(receipt.number.strip()) > 100:
        errors.append(field_error("receipt_number", "เลขที่ใบเสร็จรับเงินยาวเกิน 100 ตัวอักษร",
                                  "The receipt's number is longer than 100 characters"))
    if receipt.issued_on is None:
        errors.append(field_error("receipt_date", "กรุณากรอกวันที่ออกใบเสร็จรับเงิน", "Give the day the receipt was issued"))
    elif receipt.issued_on > today:
        errors.append(field_error("receipt_date", "วันที่ออกใบเสร็จรับเงินต้องไม่เป็นวันในอนาคต",
                                  "The receipt cannot be dated in the future"))
    if len(receipt.issued_by.strip()) > 300:
        errors.append(field_error("receipt_issuer", "ชื่อผู้ออกใบเสร็จยาวเกิน 300 ตัวอักษร",
                                  "The issuer's name is longer than 300 characters"))
    return errors


def _refuse(errors: list[dict[str, str]]) -> None:
    """Refuse with every problem, each on its field (the first one's words as the message)."""
    if errors:
        first = errors[0]
        raise InvalidInput(first["message_th"], first["message_en"], errors=errors)


def _keep_receipt(actor: User, entry: m.Entry, req: Request, receipt: ReceiptInput, issuer: str) -> m.Receipt:
    """The entry's receipt (the first one when the entry is a replay), with the uploaded copy."""
    existing = m.Receipt.objects.filter(entry=entry).first()
    if existing is not None:
        return existing
    assert receipt.issued_on is not None  # checked with the posting (``_check_receipt``)
    document = None
    if receipt.file_chunks is not None and receipt.file_size:
        try:
            document = case_services.add_document(actor=actor, request_id=req.pk, doc_type=RECEIPT_DOC_TYPE,
                                                  name=receipt.file_name or "receipt", chunks=receipt.file_chunks,
                                                  size=receipt.file_size)
        except CaseError as exc:  # refused by the upload service (type, size, malware, not at this step)
            raise InvalidInput(exc.th, exc.en, errors=[field_error("receipt_file", exc.th, exc.en)]) from None
    return m.Receipt.objects.create(entry=entry, number=receipt.number.strip()[:100], issued_on=receipt.issued_on,
                                    issued_by=issuer.strip()[:300], document=document, recorded_by=actor,
                                    recorded_at=clock.now())


@transaction.atomic
def pay_item(*, actor: User, key: str, request_id: int, item_key: str, amount: Any, on: date, payee: str,
             method: str, reference: str, receipt: ReceiptInput, memo: str = "") -> m.Entry:
    """Pay an approved cost item to its payee and keep the payee's receipt (its issuer: the payee
    unless named). Every problem with the typed receipt is reported at once with the posting's."""
    req = Request.objects.select_related("office").get(pk=request_id)
    errors = _check_receipt(receipt, clock.today())
    try:
        entry = services.disburse(actor=actor, key=key, request_id=request_id, item_key=item_key, amount=amount,
                                  on=on, payee=payee, method=method, reference=reference, memo=memo)
    except InvalidInput as exc:  # the posting's problems and the receipt's, all at once
        _refuse([*(exc.errors or [field_error("__all__", exc.th, exc.en)]), *errors])
        raise
    _refuse(errors)  # the transaction takes the posting back
    _keep_receipt(actor, entry, req, receipt, receipt.issued_by or payee)
    return entry


@transaction.atomic
def return_item(*, actor: User, key: str, request_id: int, item_key: str, amount: Any, on: date,
                receipt: ReceiptInput, memo: str = "") -> m.Entry:
    """Money paid for an item coming back to the fund, with the fund's receipt for it (its number is
    the entry's reference): never more than was paid for the item."""
    req = Request.objects.select_related("office").get(pk=request_id)
    errors = _check_receipt(receipt, clock.today())
    try:
        entry = services.receive_return(actor=actor, key=key, request_id=request_id, item_key=item_key,
                                        amount=amount, on=on, reference=receipt.number or "-", memo=memo)
    except InvalidInput as exc:
        _refuse([*(exc.errors or [field_error("__all__", exc.th, exc.en)]), *errors])
        raise
    _refuse(errors)
    _keep_receipt(actor, entry, req, receipt, receipt.issued_by or req.office.name_th)
    return entry
