"""Human-rights victims' aid paid by item with the payee's receipt (issue 11, item 5), through
``jfs.finance.payments`` and the request's payments page: the receipt is kept with the entry, a
missing receipt number or a payment above what is approved writes nothing, the same key posts once,
money returned never exceeds what was paid."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from jfs.cases.errors import CaseError, InvalidInput
from jfs.cases.models import Document
from jfs.core import clock
from jfs.finance import models as m
from jfs.finance import payments, selectors
from tests.conftest import SAMPLE_FILES
from tests.decisions_support import decide_at_a_meeting, to_consideration

pytestmark = pytest.mark.django_db

HR_DETAILS = {"violation": "ถูกทำร้ายร่างกายระหว่างควบคุมตัว", "harm": "บาดเจ็บ รักษาตัว 2 เดือน",
              "remedy_requested": "ค่ารักษาพยาบาลและค่าขาดรายได้", "amount_requested": "30000"}


def approved_hr(make_request: Any, users: dict[str, Any], amount: str = "30000") -> Any:
    req = to_consideration(make_request(service="HR", details={**HR_DETAILS, "amount_requested": amount}), users)
    decide_at_a_meeting(req, users, outcome="approved", reason_codes=["A01", "A02"], items={"amount": amount})
    return req


def receipt(number: str = "RC-001", **kw: Any) -> payments.ReceiptInput:
    return payments.ReceiptInput(number=number, issued_on=kw.pop("issued_on", clock.today()), **kw)


def _pay(users: dict[str, Any], req: Any, key: str, amount: str, **kw: Any) -> m.Entry:
    return payments.pay_item(actor=users[kw.pop("who", "finance.cm")], key=key, request_id=req.pk, item_key="amount",
                             amount=amount, on=clock.today(), payee=kw.pop("payee", "นางสาวผู้เสียหาย ทดสอบ"),
                             method="transfer", reference=kw.pop("reference", "TRF-77"),
                             receipt=kw.pop("receipt", receipt()), **kw)


def test_an_hr_item_is_paid_with_the_payees_receipt_and_money_comes_back_with_the_funds(
        make_request: Any, users: dict[str, Any]) -> None:
    req = approved_hr(make_request, users)
    [item] = selectors.items_of(req.pk)
    assert (item.key, item.committed, item.payable) == ("amount", Decimal("30000.00"), Decimal("30000.00"))

    paid = _pay(users, req, "hr-pay-1", "12,000.50", receipt=receipt("RC-HR-1", issued_by=""))
    assert paid.receipt.number == "RC-HR-1" and paid.receipt.issued_by == "นางสาวผู้เสียหาย ทดสอบ"
    assert paid.payee == "นางสาวผู้เสียหาย ทดสอบ" and paid.reference == "TRF-77"
    [item] = selectors.items_of(req.pk)
    assert (item.paid, item.returned, item.payable) == (Decimal("12000.50"), Decimal(0), Decimal("17999.50"))

    back = payments.return_item(actor=users["finance.cm"], key="hr-back-1", request_id=req.pk, item_key="amount",
                                amount="2000", on=clock.today(), receipt=receipt("FUND-RC-9"))
    assert back.reference == "FUND-RC-9" and back.receipt.issued_by == req.office.name_th
    [item] = selectors.items_of(req.pk)
    assert (item.paid, item.returned, item.net_paid, item.payable) == (
        Decimal("12000.50"), Decimal("2000.00"), Decimal("10000.50"), Decimal("19999.50"))
    assert selectors.unbalanced_entries() == []


def test_a_missing_receipt_number_or_too_much_writes_nothing_and_says_so_on_each_field(
        make_request: Any, users: dict[str, Any]) -> None:
    req = approved_hr(make_request, users)
    before = (m.Entry.objects.count(), m.Receipt.objects.count())
    with pytest.raises(InvalidInput) as no_number:
        _pay(users, req, "k1", "1000", receipt=receipt(""))
    assert {e["field"] for e in no_number.value.errors} == {"receipt_number"}
    assert no_number.value.errors[0]["message_th"] == "กรุณากรอกเลขที่ใบเสร็จรับเงิน"
    with pytest.raises(InvalidInput) as both:
        _pay(users, req, "k2", "30000.01", receipt=receipt("", issued_on=None))
    assert [e["field"] for e in both.value.errors] == ["amount", "receipt_number", "receipt_date"]
    assert "30,000.00" in both.value.errors[0]["message_th"]
    with pytest.raises(InvalidInput) as words:
        _pay(users, req, "k3", "สามหมื่น")
    assert words.value.errors[0] == {"field": "amount", "message_th": "จำนวนเงินต้องเป็นตัวเลข",
                                     "message_en": "The amount must be a number of baht"}
    with pytest.raises(InvalidInput, match="future"):
        _pay(users, req, "k4", "10", receipt=receipt("X", issued_on=clock.today().replace(year=clock.today().year + 1)))
    assert (m.Entry.objects.count(), m.Receipt.objects.count()) == before


def test_the_same_key_twice_pays_once_with_one_receipt(make_request: Any, users: dict[str, Any]) -> None:
    req = approved_hr(make_request, users)
    first = _pay(users, req, "double-submit", "5000")
    again = _pay(users, req, "double-submit", "5000")
    assert again.pk == first.pk
    assert m.Entry.objects.filter(kind=m.DISBURSEMENT).count() == 1 and m.Receipt.objects.count() == 1
    with pytest.raises(CaseError):  # the same key with another amount: refused
        _pay(users, req, "double-submit", "6000")
    with pytest.raises(InvalidInput, match="5,000.00"):
        payments.return_item(actor=users["finance.cm"], key="b", request_id=req.pk, item_key="amount",
                             amount="5000.01", on=clock.today(), receipt=receipt("R"))


def test_the_receipt_copy_is_stored_through_the_document_service_during_follow_up(
        make_request: Any, users: dict[str, Any], act: Any) -> None:
    req = approved_hr(make_request, users)
    pdf = SAMPLE_FILES["pdf"]
    copy = receipt("RC-FILE", file_name="receipt.pdf", file_chunks=[pdf], file_size=len(pdf))
    with pytest.raises(InvalidInput) as not_yet:  # a finance officer uploads during follow-up only
        _pay(users, req, "with-file", "100", receipt=copy)
    assert not_yet.value.errors[0]["field"] == "receipt_file" and not m.Entry.objects.filter(key="with-file").exists()
    act(req, "officer.cm", "notify_applicant")
    act(req, "finance.cm", "start_follow_up")
    copy = receipt("RC-FILE", file_name="receipt.pdf", file_chunks=[pdf], file_size=len(pdf))
    paid = _pay(users, req, "with-file", "100", receipt=copy)
    assert paid.receipt.document_id is not None
    doc = Document.objects.get(pk=paid.receipt.document_id)
    assert (doc.doc_type, doc.request_id) == ("payment_receipt", req.pk)


def test_the_payments_page_pays_an_item_and_keeps_what_was_typed_on_a_refusal(
        make_request: Any, users: dict[str, Any], login: Any) -> None:
    req = approved_hr(make_request, users)
    finance = login("finance.cm")
    url = reverse("staff:payments", args=[req.pk])
    page = finance.get(url)
    assert page.status_code == 200 and "จ่ายเงินตามรายการ" in page.content.decode()
    key = page.context["pay_form"].initial["key"]
    form = {"form": "pay", "pay-key": key, "pay-item": "amount", "pay-amount": "7,500", "pay-on": "",
            "pay-payee": "นางสาวผู้เสียหาย ทดสอบ", "pay-method": "transfer", "pay-reference": "TRF-1",
            "pay-receipt_number": "", "pay-receipt_date": "", "pay-receipt_issuer": "", "pay-memo": ""}
    today = clock.today()
    form["pay-on"] = form["pay-receipt_date"] = f"{today.day:02d}/{today.month:02d}/{today.year + 543}"
    refused = finance.post(url, form)
    html = refused.content.decode()
    assert refused.status_code == 422 and "กรุณากรอกเลขที่ใบเสร็จรับเงิน" in html and 'value="7,500"' in html
    assert not m.Entry.objects.filter(kind=m.DISBURSEMENT).exists()
    ok = finance.post(url, {**form, "pay-receipt_number": "RC-55"})
    assert ok.status_code == 303
    assert finance.post(url, {**form, "pay-receipt_number": "RC-55"}).status_code == 303  # double submit
    assert m.Entry.objects.filter(kind=m.DISBURSEMENT).count() == 1
    again = finance.get(url).content.decode()
    assert "RC-55" in again and "7,500.00" in again and "22,500.00" in again
    case = finance.get(reverse("staff:case", args=[req.pk])).content.decode()
    assert "การเงินของคำขอนี้" in case and "22,500.00" in case
    # a case officer sees the items but has no form, and a forged post is refused
    officer = login("officer.cm")
    page = officer.get(url)
    assert page.status_code == 200 and page.context["pay_form"] is None
    assert officer.post(url, {**form, "pay-key": "forged", "pay-receipt_number": "X"}).status_code == 403
    assert m.Entry.objects.filter(kind=m.DISBURSEMENT).count() == 1
    # another province's people do not see the request at all
    assert login("officer.kk").get(url).status_code == 404
