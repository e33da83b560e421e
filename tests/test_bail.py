"""Bail money (กทย.2) until it returns (issue 11, item 2): the record of an approved bail request, its
orders, deposits through the ledger, hearings and reminders, appearances, returns with the court's
receipt; permissions by role and office; and the bad input the issue names (a return without the
court's receipt or above what was paid, a deposit above what was approved, the same deposit posted
twice, bail money paid around the record): refused with a clear message, nothing half-written."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from jfs.audit.models import AuditEvent
from jfs.bail import models as bm
from jfs.bail import policy, selectors
from jfs.bail import services as bail
from jfs.cases.errors import CaseError, Conflict, InvalidInput, NotPermitted
from jfs.core import clock
from jfs.core.models import Notification
from jfs.core.tasks import PERIODIC
from jfs.finance import models as fm
from jfs.finance import selectors as ledger_selectors
from jfs.finance import services as ledger
from tests.bail_support import approved_bail, contract, opened

pytestmark = pytest.mark.django_db


def _deposit(rec: bm.BailRecord, users: dict[str, Any], amount: str = "50000", key: str = "dep-1",
             **kw: Any) -> bm.BailDeposit:
    return bail.deposit(users["finance.cm"], rec.pk, amount=amount, on=clock.today(), receipt_number="ใบรับ 11/2569",
                        key=key, **kw)


def _fields(exc: CaseError) -> set[str]:
    return {e["field"] for e in exc.errors}


# --------------------------------------------------------------------------- opening the record


def test_a_record_opens_only_for_an_approved_bail_request_once(make_request: Any, users: dict[str, Any]) -> None:
    req = make_request(service="BAIL")
    with pytest.raises(Conflict, match="decided"):  # not decided yet, nothing committed
        bail.open_record(users["officer.cm"], req, contract())
    lit = make_request()
    with pytest.raises(Conflict, match="bail request"):
        bail.open_record(users["officer.cm"], lit, contract())
    req = approved_bail(make_request, users, "40000")
    rec = bail.open_record(users["officer.cm"], req, contract())
    assert rec.status == bm.CONTRACTED and rec.amount == Decimal("40000.00")  # the approved amount by default
    assert rec.released_name == "นายทดสอบ ประกันตัว" and rec.authority == "court"
    assert rec.authority_name == "ศาลจังหวัดเชียงใหม่" and rec.responsible.username == "officer.cm"
    with pytest.raises(Conflict, match="already"):
        bail.open_record(users["finance.cm"], req, contract())
    assert AuditEvent.objects.filter(action="bail_record_opened", object_id=str(rec.pk)).exists()


def test_a_rejected_bail_request_gets_no_record(make_request: Any, users: dict[str, Any]) -> None:
    from tests.decisions_support import decide

    req = decide(make_request(service="BAIL"), users, "rejected", ["R03"])
    with pytest.raises(Conflict, match="No bail money is approved"):
        bail.open_record(users["officer.cm"], req, contract())


def test_opening_lists_every_problem_on_its_field(make_request: Any, users: dict[str, Any]) -> None:
    req = approved_bail(make_request, users)
    with pytest.raises(InvalidInput) as refused:
        bail.open_record(users["officer.cm"], req, contract(
            contract_number=" ", obligations="", contract_on=clock.today() + timedelta(days=2), amount="-5",
            role="owner"))
    assert _fields(refused.value) == {"contract_number", "obligations", "contract_on", "amount", "role"}
    assert all(e["message_th"] and e["message_en"] for e in refused.value.errors)
    assert not bm.BailRecord.objects.exists()


def test_who_may_open_and_keep_the_record(make_request: Any, users: dict[str, Any]) -> None:
    req = approved_bail(make_request, users)
    for who in ("officer.kk", "head.cm", "executive", "auditor", "intake.cm"):
        with pytest.raises(NotPermitted):
            bail.open_record(users[who], req, contract())
    rec = bail.open_record(users["officer.central"], req, contract())  # the central office: any office
    assert rec.responsible.username == "officer.cm"  # the request's assignee is reminded
    with pytest.raises(NotPermitted, match="finance officers"):  # a case officer moves no money
        bail.deposit(users["officer.cm"], rec.pk, amount="1", on=clock.today(), receipt_number="x", key="k")
    with pytest.raises(NotPermitted):
        bail.record_order(users["executive"], rec.pk, kind="release", ordered_on=clock.today())
    assert selectors.visible_records(users["officer.kk"]).count() == 0
    assert selectors.visible_records(users["auditor"]).count() == 1
    assert selectors.visible_records(users["finance.central"]).count() == 1


# --------------------------------------------------------------------------- deposit, release, return


def test_a_bail_case_from_deposit_to_the_money_returned(make_request: Any, users: dict[str, Any]) -> None:
    rec = opened(make_request, users)
    dep = _deposit(rec, users)
    rec.refresh_from_db()
    assert rec.status == bm.DEPOSITED and dep.entry.kind == fm.DISBURSEMENT and dep.entry.payee == rec.authority_name
    assert fm.Receipt.objects.get(entry=dep.entry).number == "ใบรับ 11/2569"
    bail.record_order(users["officer.cm"], rec.pk, kind="release", ordered_on=clock.today(), reference="คส.1/2569")
    rec.refresh_from_db()
    assert rec.status == bm.RELEASED
    assert bail.money(rec).still_out == Decimal("50000.00")
    with pytest.raises(InvalidInput, match="Record the order"):  # money comes back on an order
        bail.return_money(users["finance.cm"], rec.pk, amount="50000", on=clock.today(), reason="case_ended",
                          court_receipt_number="ศาล 99/2569", key="ret-1")
    bail.record_order(users["officer.cm"], rec.pk, kind="case_ended", ordered_on=clock.today())
    back = bail.return_money(users["finance.cm"], rec.pk, amount="50000", on=clock.today(), reason="case_ended",
                             court_receipt_number="ศาล 99/2569", key="ret-1")
    rec.refresh_from_db()
    assert rec.status == bm.RETURNED and rec.closed_on == clock.today()
    assert back.entry.kind == fm.RETURN and back.entry.reference == "ศาล 99/2569"
    assert ledger.paid_for(rec.request_id, "bail_amount") == 0
    assert ledger_selectors.unbalanced_entries() == []
    with pytest.raises(Conflict) as closed:  # a returned record takes nothing more
        bail.record_order(users["officer.cm"], rec.pk, kind="extra_bail", ordered_on=clock.today(), amount="1")
    # said in words in both languages, never the status's code
    assert "ได้รับเงินประกันคืนครบแล้ว" in closed.value.th
    assert closed.value.en.startswith("This bail record is “") and "“returned”" not in closed.value.en


def test_release_refused_the_money_comes_back_in_parts(make_request: Any, users: dict[str, Any]) -> None:
    rec = opened(make_request, users)
    _deposit(rec, users)
    bail.record_order(users["officer.cm"], rec.pk, kind="refused", ordered_on=clock.today(), note="เกรงจะหลบหนี")
    ret: dict[str, Any] = {"on": clock.today(), "reason": "refused", "court_receipt_number": "ศาล 1/2569"}
    bail.return_money(users["finance.cm"], rec.pk, amount="20000", key="r1", **ret)
    rec.refresh_from_db()
    assert rec.status == bm.DEPOSITED and bail.money(rec).still_out == Decimal("30000.00")
    bail.return_money(users["finance.cm"], rec.pk, amount="30000", key="r2", **ret)
    rec.refresh_from_db()
    assert rec.status == bm.RETURNED


def test_a_release_needs_the_deposit_first(make_request: Any, users: dict[str, Any]) -> None:
    rec = opened(make_request, users)
    with pytest.raises(InvalidInput) as refused:
        bail.record_order(users["officer.cm"], rec.pk, kind="release", ordered_on=clock.today())
    assert _fields(refused.value) == {"kind"} and "deposit" in refused.value.en
    assert not rec.orders.exists()


def test_forfeiture_and_fines_belong_to_recovery(make_request: Any, users: dict[str, Any]) -> None:
    rec = opened(make_request, users)
    for kind in ("forfeiture", "fine"):
        with pytest.raises(InvalidInput, match="recovery page") as refused:
            bail.record_order(users["officer.cm"], rec.pk, kind=kind, ordered_on=clock.today(), amount="1000")
        assert "ติดตามหนี้" in refused.value.th
    assert not rec.orders.exists()


def test_an_order_is_checked_against_the_version(make_request: Any, users: dict[str, Any]) -> None:
    rec = opened(make_request, users)
    _deposit(rec, users)  # the version moved on
    with pytest.raises(Conflict, match="Someone else"):
        bail.record_order(users["officer.cm"], rec.pk, kind="release", ordered_on=clock.today(), expected_version=1)
    bail.record_order(users["officer.cm"], rec.pk, kind="release", ordered_on=clock.today(), expected_version=2)


def test_extra_bail_on_appeal_needs_its_order_and_an_approval_that_covers_it(make_request: Any,
                                                                            users: dict[str, Any]) -> None:
    rec = opened(make_request, users, "60000", asked="60000")  # 50,000 set, 60,000 approved
    _deposit(rec, users)
    bail.record_order(users["officer.cm"], rec.pk, kind="release", ordered_on=clock.today())
    with pytest.raises(InvalidInput, match="order for extra bail") as refused:
        _deposit(rec, users, "10000", key="dep-extra", extra=True)
    assert _fields(refused.value) == {"extra"}
    with pytest.raises(InvalidInput) as missing:
        bail.record_order(users["officer.cm"], rec.pk, kind="extra_bail", ordered_on=clock.today())
    assert _fields(missing.value) == {"amount"}
    bail.record_order(users["officer.cm"], rec.pk, kind="extra_bail", ordered_on=clock.today(), amount="20000",
                      authority="appeal", authority_name="ศาลอุทธรณ์ภาค 5")
    with pytest.raises(InvalidInput) as over:  # 20,000 ordered but only 10,000 left of the approval
        _deposit(rec, users, "20000", key="dep-extra", extra=True)
    assert "further approval" in over.value.en and "10,000.00" in over.value.en
    assert "อนุมัติเงินประกันเพิ่มเติม" in over.value.th and _fields(over.value) == {"amount"}
    extra = _deposit(rec, users, "10000", key="dep-extra", extra=True)
    assert extra.extra and bail.money(rec).deposited == Decimal("60000.00")
    assert bm.BailDeposit.objects.count() == 2


def test_a_second_plain_deposit_is_refused(make_request: Any, users: dict[str, Any]) -> None:
    rec = opened(make_request, users, "60000", asked="60000")
    _deposit(rec, users, "30000")
    with pytest.raises(InvalidInput, match="extra bail") as refused:
        _deposit(rec, users, "10000", key="dep-2")
    assert _fields(refused.value) == {"extra"}


# --------------------------------------------------------------------------- bad input (the list)


def test_a_deposit_above_what_was_approved_is_refused(make_request: Any, users: dict[str, Any]) -> None:
    rec = opened(make_request, users, "40000")
    with pytest.raises(InvalidInput) as refused:
        _deposit(rec, users, "40000.01")
    assert "further approval" in refused.value.en and _fields(refused.value) == {"amount"}
    rec.refresh_from_db()
    assert rec.status == bm.CONTRACTED and not bm.BailDeposit.objects.exists()
    assert not fm.Entry.objects.filter(kind=fm.DISBURSEMENT).exists()


def test_the_same_deposit_twice_posts_once(make_request: Any, users: dict[str, Any]) -> None:
    rec = opened(make_request, users)
    first = _deposit(rec, users, key="form-uuid-1")
    again = _deposit(rec, users, key="form-uuid-1")  # a double submit of the same form
    assert again.pk == first.pk
    assert bm.BailDeposit.objects.count() == 1 and fm.Entry.objects.filter(kind=fm.DISBURSEMENT).count() == 1
    assert bail.money(rec).deposited == Decimal("50000.00")


def test_a_return_without_the_courts_receipt_is_refused(make_request: Any, users: dict[str, Any]) -> None:
    rec = opened(make_request, users)
    _deposit(rec, users)
    bail.record_order(users["officer.cm"], rec.pk, kind="refused", ordered_on=clock.today())
    with pytest.raises(InvalidInput) as refused:
        bail.return_money(users["finance.cm"], rec.pk, amount="50000", on=clock.today(), reason="refused",
                          court_receipt_number="  ", key="r1")
    assert _fields(refused.value) == {"court_receipt_number"}
    assert "ใบรับคืนเงินประกันของศาล" in refused.value.errors[0]["message_th"]
    assert not bm.BailReturn.objects.exists() and not fm.Entry.objects.filter(kind=fm.RETURN).exists()


def test_a_return_above_what_was_deposited_is_refused(make_request: Any, users: dict[str, Any]) -> None:
    rec = opened(make_request, users)
    _deposit(rec, users, "50000")
    bail.record_order(users["officer.cm"], rec.pk, kind="refused", ordered_on=clock.today())
    with pytest.raises(InvalidInput) as refused:
        bail.return_money(users["finance.cm"], rec.pk, amount="50000.01", on=clock.today(), reason="refused",
                          court_receipt_number="ศาล 1", key="r1")
    assert _fields(refused.value) == {"amount"} and "50,000.00" in refused.value.en
    assert not bm.BailReturn.objects.exists()
    rec.refresh_from_db()
    assert rec.status == bm.DEPOSITED


def test_bail_money_is_never_paid_around_the_record(make_request: Any, users: dict[str, Any]) -> None:
    req = approved_bail(make_request, users)
    pay = {"actor": users["finance.cm"], "request_id": req.pk, "item_key": "bail_amount", "amount": "50000",
           "on": clock.today(), "payee": "ศาลจังหวัดเชียงใหม่", "method": "transfer"}
    with pytest.raises(InvalidInput, match="Open the request's bail record"):
        ledger.disburse(key="around-1", **pay)
    rec = bail.open_record(users["officer.cm"], req, contract())
    with pytest.raises(InvalidInput, match="through the request's bail record"):
        ledger.disburse(key="around-2", **pay)  # the ledger's own disbursement, not the record's deposit
    assert not fm.Entry.objects.filter(kind=fm.DISBURSEMENT).exists()
    _deposit(rec, users, "50000")
    assert fm.Entry.objects.filter(kind=fm.DISBURSEMENT).count() == 1


def test_the_payment_check_pays_only_the_records_authority(make_request: Any, users: dict[str, Any]) -> None:
    rec = opened(make_request, users)
    token = bail._THROUGH_RECORD.set(rec.pk)
    try:
        with pytest.raises(InvalidInput, match="authority named") as refused:
            bail.bail_payment_check(rec.request, "bail_amount", "นายใครก็ได้", Decimal(1))
        assert _fields(refused.value) == {"payee"}
        bail.bail_payment_check(rec.request, "bail_amount", "ศาลจังหวัดเชียงใหม่", Decimal(1))
    finally:
        bail._THROUGH_RECORD.reset(token)
    bail.bail_payment_check(rec.request, "other_item", "anyone", Decimal(1))  # not bail money: not its business


# --------------------------------------------------------------------------- hearings and reminders


def test_reminders_go_once_per_hearing_the_days_before(make_request: Any, users: dict[str, Any]) -> None:
    rec = opened(make_request, users)
    _deposit(rec, users)
    bail.record_order(users["officer.cm"], rec.pk, kind="release", ordered_on=clock.today())
    days = policy.reminder_days(clock.today())
    assert days == 3
    now = clock.now()
    soon = bail.schedule_hearing(users["officer.cm"], rec.pk, at=now + timedelta(days=2), place="ศาลจังหวัดเชียงใหม่ ห้อง 3",
                                 purpose="สืบพยานโจทก์")
    later = bail.schedule_hearing(users["officer.cm"], rec.pk, at=now + timedelta(days=10), place="ศาลจังหวัดเชียงใหม่")
    assert PERIODIC["bail_reminders"].run is bail.remind_hearings
    assert bail.remind_hearings() == 1
    assert bail.remind_hearings() == 0  # idempotent: once per hearing
    note = Notification.objects.get(kind="bail_hearing")
    assert note.recipient.username == "officer.cm" and rec.request.number in note.subject
    assert "ห้อง 3" in note.subject and "พ.ศ." not in note.subject_en
    local = soon.at.astimezone(clock.FUND_TIMEZONE)
    assert str(local.year + 543) in note.subject and local.strftime("%H.%M") in note.subject
    soon.refresh_from_db()
    later.refresh_from_db()
    assert soon.reminded_at is not None and later.reminded_at is None
    with time_machine.travel(now + timedelta(days=8)):
        assert bail.remind_hearings() == 1
    assert Notification.objects.filter(kind="bail_hearing").count() == 2


def test_appearances_and_a_non_appearance(make_request: Any, users: dict[str, Any],
                                          django_capture_on_commit_callbacks: Any) -> None:
    rec = opened(make_request, users)
    _deposit(rec, users)
    bail.record_order(users["officer.cm"], rec.pk, kind="release", ordered_on=clock.today())
    now = clock.now()
    first = bail.schedule_hearing(users["officer.cm"], rec.pk, at=now + timedelta(days=1), place="ศาล")
    with pytest.raises(InvalidInput, match="not happened yet"):
        bail.record_appearance(users["officer.cm"], first.pk, appeared=True)
    second = bail.schedule_hearing(users["officer.cm"], rec.pk, at=now + timedelta(days=30), place="ศาล")
    with time_machine.travel(now + timedelta(days=31)):
        bail.record_appearance(users["officer.cm"], first.pk, appeared=True)
        with pytest.raises(Conflict, match="recorded already"):
            bail.record_appearance(users["officer.cm"], first.pk, appeared=False, note="x")
        with pytest.raises(InvalidInput) as no_note:
            bail.record_appearance(users["officer.cm"], second.pk, appeared=False)
        assert _fields(no_note.value) == {"note"}
        with django_capture_on_commit_callbacks(execute=True):
            bail.record_appearance(users["officer.cm"], second.pk, appeared=False, note="ไม่มาศาล ติดต่อญาติไม่ได้")
    rec.refresh_from_db()
    assert [h.pk for h in selectors.absences(rec)] == [second.pk]
    assert rec.status == bm.RELEASED  # the abscondence itself is jfs.recovery's to record
    told = {n.recipient.username for n in Notification.objects.filter(kind="bail_absent")}
    assert told == {"officer.cm", "head.cm"}


def test_a_hearing_needs_a_place_and_a_time(make_request: Any, users: dict[str, Any]) -> None:
    rec = opened(make_request, users)
    with pytest.raises(InvalidInput) as refused:
        bail.schedule_hearing(users["officer.cm"], rec.pk, at=clock.now() + timedelta(days=3), place=" ")
    assert _fields(refused.value) == {"place"}
    with pytest.raises(InvalidInput):
        bail.schedule_hearing(users["officer.cm"], rec.pk, at=clock.now() - timedelta(days=400), place="ศาล")
    assert not bm.Hearing.objects.exists()


def test_the_policy_file_is_checked() -> None:
    with pytest.raises(policy.BailPolicyError, match="source"):
        policy.parse({"reminder_days_before": {"values": {"2016-01-01": {"days": 3}}}})
    with pytest.raises(policy.BailPolicyError, match="1 to 60"):
        policy.parse({"reminder_days_before": {"values": {"2016-01-01": {"days": 0, "source": {}}}}})
    with pytest.raises(policy.BailPolicyError):
        policy.parse({})


# --------------------------------------------------------------------------- pages


def _be(day: Any) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year + 543}"


def test_the_record_page_offers_only_the_forms_of_the_role(make_request: Any, users: dict[str, Any],
                                                           login: Any) -> None:
    from django.urls import reverse

    req = approved_bail(make_request, users)
    url = reverse("staff:bail_record", args=[req.pk])
    officer = login("officer.cm")
    page = officer.get(url).content.decode()
    assert "เปิดเรื่องประกัน" in page and 'name="open-contract_number"' in page
    resp = officer.post(reverse("staff:bail_open", args=[req.pk]), {
        "open-contract_number": "", "open-contract_on": _be(clock.today()), "open-role": "depositor",
        "open-released_name": "นายทดสอบ ประกันตัว", "open-authority": "court",
        "open-authority_name": "ศาลจังหวัดเชียงใหม่", "open-amount": "50000", "open-obligations": "มาศาลทุกนัด"})
    assert resp.status_code == 422 and "กรุณากรอกเลขที่สัญญาประกัน" in resp.content.decode()
    assert "มาศาลทุกนัด" in resp.content.decode()  # what was typed is kept
    resp = officer.post(reverse("staff:bail_open", args=[req.pk]), {
        "open-contract_number": "สป.1/2569", "open-contract_on": _be(clock.today()), "open-role": "depositor",
        "open-released_name": "นายทดสอบ ประกันตัว", "open-authority": "court",
        "open-authority_name": "ศาลจังหวัดเชียงใหม่", "open-amount": "50000", "open-obligations": "มาศาลทุกนัด"})
    assert resp.status_code == 303
    page = officer.get(url).content.decode()
    assert 'name="order-kind"' in page and 'name="hearing-place"' in page
    assert 'name="deposit-amount"' not in page and "50,000.00 บาท" in page
    finance = login("finance.cm")
    page = finance.get(url).content.decode()
    assert 'name="deposit-amount"' in page and 'name="return-amount"' not in page
    for who in ("executive", "auditor"):
        page = login(who).get(url).content.decode()
        assert "สป.1/2569" in page and "<form method=\"post\"" not in page
    assert login("officer.kk").get(url).status_code == 404
    assert AuditEvent.objects.filter(action="view_personal_data", object_type="bail_record",
                                     reference=req.number).exists()


def test_a_double_submitted_deposit_posts_once_and_a_return_needs_the_receipt(make_request: Any, users: dict[str, Any],
                                                                             login: Any) -> None:
    from django.urls import reverse

    rec = opened(make_request, users)
    finance = login("finance.cm")
    form = {"deposit-amount": "50000", "deposit-on": _be(clock.today()), "deposit-method": "transfer",
            "deposit-receipt_number": "ใบรับ 5", "deposit-key": "f0f0f0f0-uuid"}
    for _ in range(2):
        assert finance.post(reverse("staff:bail_deposit", args=[rec.request_id]), form).status_code == 303
    assert bm.BailDeposit.objects.count() == 1
    over = finance.post(reverse("staff:bail_deposit", args=[rec.request_id]),
                        {**form, "deposit-key": "other", "deposit-extra": "on", "deposit-amount": "1"})
    assert over.status_code == 422
    bail.record_order(users["officer.cm"], rec.pk, kind="refused", ordered_on=clock.today())
    page = finance.get(reverse("staff:bail_record", args=[rec.request_id])).content.decode()
    assert 'name="return-court_receipt_number"' in page
    resp = finance.post(reverse("staff:bail_return", args=[rec.request_id]), {
        "return-reason": "refused", "return-amount": "50000", "return-on": _be(clock.today()),
        "return-court_receipt_number": "", "return-key": "k-ret"})
    assert resp.status_code == 422 and "กรุณากรอกเลขที่ใบรับคืนเงินประกันของศาล" in resp.content.decode()
    assert not bm.BailReturn.objects.exists()
    resp = finance.post(reverse("staff:bail_return", args=[rec.request_id]), {
        "return-reason": "refused", "return-amount": "50000", "return-on": _be(clock.today()),
        "return-court_receipt_number": "ศาล 7/2569", "return-key": "k-ret"})
    assert resp.status_code == 303
    rec.refresh_from_db()
    assert rec.status == bm.RETURNED


def test_the_list_shows_the_offices_records_and_filters(make_request: Any, users: dict[str, Any], login: Any) -> None:
    from django.urls import reverse

    rec = opened(make_request, users)
    bail.schedule_hearing(users["officer.cm"], rec.pk, at=clock.now() + timedelta(days=5), place="ศาล")
    url = reverse("staff:bail_list")
    page = login("officer.cm").get(url).content.decode()
    assert rec.request.number in page and "นายทดสอบ ประกันตัว" in page
    assert rec.request.number not in login("officer.kk").get(url).content.decode()
    assert rec.request.number not in login("executive").get(url + "?status=returned").content.decode()
    assert rec.request.number in login("executive").get(url + "?status=contracted&office=50").content.decode()
    assert AuditEvent.objects.filter(action="view_personal_data", object_type="bail_list").exists()
