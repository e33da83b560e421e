"""Writes of recovery from absconders (issue 11, item 2): every rule lives here; the pages and the API
call these functions.

Who does what (least privilege, by role and office: a provincial officer acts on their office's
requests, central staff on all):

- a **finance officer** records the abscondence with the court's order, which posts the forfeiture
  (Dr 1301 / Cr 1201) or the fine paid as surety (Dr 1301 / Cr 1101), records an instalment paid,
  and imports the bank's bill-payment file;
- a **case officer** records tracing attempts, the civil suit and its judgement, and the repayment
  plan (a finance officer may record the plan too);
- an **office head** writes a debt off within the authority of ``governance/recovery.yaml``;
- executives and auditors read (``jfs.recovery.selectors``), never write.

Money moves only through ``jfs.finance.services``; a recovery or a write-off is checked against
what is owed while this module holds a lock on the abscondence row (one posting per debt at a time).
When nothing is owed any more the bail record is CLOSED.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.urls import reverse

from jfs.accounts.models import User
from jfs.audit.services import record
from jfs.bail import models as bm
from jfs.cases.errors import CaseError, Conflict, InvalidInput, NotPermitted, field_error
from jfs.cases.models import Request
from jfs.core import clock
from jfs.core.models import Notification
from jfs.finance import services as ledger
from jfs.recovery import models as m
from jfs.recovery import rules, selectors
from jfslib import promptpay, roles

#: who may record what
MONEY = frozenset({roles.FINANCE_OFFICER})
FOLLOW_UP = frozenset({roles.CASE_OFFICER, roles.OFFICE_HEAD})
PLANNERS = frozenset({roles.CASE_OFFICER, roles.OFFICE_HEAD, roles.FINANCE_OFFICER})
#: a bail record may abscond while the money is with the authority
MAY_ABSCOND = frozenset({bm.DEPOSITED, bm.RELEASED})


def _invalid(field: str, th: str, en: str) -> InvalidInput:
    return InvalidInput(th, en, errors=[field_error(field, th, en)])


def _text(value: Any, field: str, th_name: str, en_name: str, limit: int, *, required: bool = True) -> str:
    text = str(value or "").replace("\x00", "").strip()
    if required and not text:
        raise _invalid(field, f"กรุณากรอก{th_name}", f"Enter the {en_name}")
    if len(text) > limit:
        raise _invalid(field, f"{th_name}ยาวเกิน {limit} ตัวอักษร", f"The {en_name} is longer than {limit} characters")
    return text


def _amount(value: Any, field: str = "amount") -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise _invalid(field, "จำนวนเงินต้องเป็นตัวเลข", "The amount must be a number of baht") from None
    if not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent < -2 or amount >= Decimal("1e12"):  # type: ignore[operator]
        raise _invalid(field, "จำนวนเงินต้องมากกว่า 0 และมีทศนิยมไม่เกิน 2 ตำแหน่ง",
                       "The amount must be above 0 with at most 2 decimals")
    return amount


def _date(value: Any, field: str) -> date:
    if isinstance(value, date):
        return value
    raise _invalid(field, "กรุณาระบุวันที่", "Give the date")


def _not_future(value: date, field: str) -> date:
    if value > clock.today():
        raise _invalid(field, "วันที่ต้องไม่เป็นวันในอนาคต", "The date may not be in the future")
    return value


def _in_scope(actor: User, req: Request) -> bool:
    office = actor.office
    return office is not None and (office.is_central or office.pk == req.office_id)


def _require(actor: User, req: Request, allowed: frozenset[str], th: str, en: str) -> None:
    if actor.role not in allowed or actor.role in roles.READ_ONLY or not _in_scope(actor, req):
        raise NotPermitted(th, en)


def _record(record_id: int, actor: User) -> bm.BailRecord:
    found = bm.BailRecord.objects.select_related("request", "request__office").filter(pk=record_id).first()
    if found is None or not selectors.may_see(actor, found.request_id):
        raise NotPermitted("ไม่พบข้อมูลการประกันตัวนี้ หรือท่านไม่มีสิทธิ์", "No such bail record, or not yours to see")
    return found


def _locked(abscondence_id: int, actor: User) -> m.Abscondence:
    """The abscondence, locked for the rest of the transaction (its money is changed one at a time)."""
    found = (m.Abscondence.objects.select_for_update().select_related("record__request__office")
             .filter(pk=abscondence_id).first())
    if found is None or not selectors.may_see(actor, found.record.request_id):
        raise NotPermitted("ไม่พบข้อมูลการผิดสัญญาประกันนี้ หรือท่านไม่มีสิทธิ์",
                           "No such abscondence, or not yours to see")
    return found


def owed(abscondence: m.Abscondence) -> Decimal:
    return ledger.receivable_for(abscondence.record.request_id)


def _close_if_settled(abscondence: m.Abscondence, on: date) -> None:
    if owed(abscondence) != 0 or abscondence.closed_on is not None:
        return
    abscondence.closed_on = on
    abscondence.save(update_fields=["closed_on"])
    bm.BailRecord.objects.filter(pk=abscondence.record_id).update(status=bm.CLOSED, closed_on=on,
                                                                  version=F("version") + 1)


# --------------------------------------------------------------------------- the abscondence


@transaction.atomic
def record_abscondence(*, actor: User, record_id: int, key: str, absconded_on: date, order: str, court_name: str,
                       order_reference: str, ordered_on: date, amount: Any, method: str = "transfer") -> m.Abscondence:
    """The released person absconded and the court ordered the deposit forfeited (or fined the fund as
    surety): the posting and the record in one transaction; the bail record becomes ABSCONDED. The
    same key again answers the first record."""
    rec = bm.BailRecord.objects.select_for_update().select_related("request__office").get(pk=_record(record_id, actor).pk)
    req = rec.request
    _require(actor, req, MONEY, "เฉพาะเจ้าหน้าที่การเงินของสำนักงานบันทึกคำสั่งริบหรือปรับได้",
             "Only the office's finance officers record a forfeiture or a fine")
    existing = m.Abscondence.objects.filter(record=rec).select_related("entry").first()
    if existing is not None:
        if existing.entry.key == key.strip():
            return existing
        raise Conflict("บันทึกการผิดสัญญาประกันของรายการนี้ไว้แล้ว", "This bail record's abscondence is recorded already")
    if rec.status not in MAY_ABSCOND:
        raise _invalid("__all__", f"สถานะการประกัน “{rec.get_status_display()}” บันทึกการผิดสัญญาไม่ได้",
                       "Only bail money deposited or a person released can be recorded as absconded")
    if order not in dict(m.ORDER_CHOICES):
        raise _invalid("order", "กรุณาเลือกคำสั่งศาล", "Choose the court's order")
    absconded_on = _not_future(_date(absconded_on, "absconded_on"), "absconded_on")
    ordered_on = _not_future(_date(ordered_on, "ordered_on"), "ordered_on")
    if ordered_on < absconded_on:
        raise _invalid("ordered_on", "วันที่มีคำสั่งต้องไม่ก่อนวันที่ผิดนัด", "The order cannot come before the day missed")
    court = _text(court_name, "court_name", "ชื่อศาล", "court's name", 200)
    reference = _text(order_reference, "order_reference", "เลขที่คำสั่งศาล", "order's number", 100)
    value = _amount(amount)
    memo = f"{rec.released_name} · {court}"
    if order == m.FORFEITURE:
        entry = ledger.forfeit(actor=actor, key=key, request_id=req.pk, amount=value, on=ordered_on,
                               reference=reference, memo=memo)
    else:
        entry = ledger.pay_fine(actor=actor, key=key, request_id=req.pk, amount=value, on=ordered_on, payee=court,
                                method=method, reference=reference, memo=memo)
    made = m.Abscondence.objects.create(record=rec, absconded_on=absconded_on, order=order, court_name=court,
                                        order_reference=reference, ordered_on=ordered_on, amount=value, entry=entry,
                                        recorded_by=actor, recorded_at=clock.now())
    bm.BailRecord.objects.filter(pk=rec.pk).update(status=bm.ABSCONDED, version=F("version") + 1)
    record("bail_absconded", actor=actor, object_type="bail_record", object_id=str(rec.pk), reference=req.number,
           details={"order": order, "amount": str(value)})
    responsible_id = rec.responsible_id
    transaction.on_commit(lambda: _tell_responsible(made.pk, responsible_id, req))
    return made


def _tell_responsible(abscondence_id: int, user_id: int, req: Request) -> None:
    """The officer responsible for the bail is told to start tracing (after the commit)."""
    Notification.objects.create(
        recipient_id=user_id, kind="bail_absconded",
        subject=f"คำขอเลขที่ {req.number}: ผู้ได้รับการปล่อยชั่วคราวผิดสัญญาประกัน",
        body="ศาลมีคำสั่งริบหรือปรับแล้ว กรุณาบันทึกการติดตามตัวและการดำเนินคดีแพ่ง",
        subject_en=f"Request {req.number}: the released person absconded",
        body_en="The court forfeited the bail or fined the fund: record the tracing and the civil suit",
        link=reverse("staff:recovery", args=[req.pk]))


# --------------------------------------------------------------------------- tracing and the civil suit


@transaction.atomic
def add_tracing(*, actor: User, abscondence_id: int, on: date, result: str, note: str = "") -> m.Tracing:
    """One attempt to trace the person, by the officer's own office (central or provincial)."""
    ab = _locked(abscondence_id, actor)
    _require(actor, ab.record.request, FOLLOW_UP, "เฉพาะเจ้าหน้าที่คดีหรือหัวหน้าสำนักงานบันทึกการติดตามตัวได้",
             "Only case officers and office heads record tracing")
    if result not in dict(m.RESULT_CHOICES):
        raise _invalid("result", "กรุณาเลือกผลการติดตาม", "Choose the result")
    on = _not_future(_date(on, "on"), "on")
    if on < ab.absconded_on:
        raise _invalid("on", "วันที่ติดตามต้องไม่ก่อนวันที่ผิดนัด", "Tracing cannot come before the day missed")
    office = actor.office
    assert office is not None  # _require checked it
    made = m.Tracing.objects.create(abscondence=ab, on=on, level=m.CENTRAL if office.is_central else m.PROVINCIAL,
                                    office=office, result=result, note=_text(note, "note", "หมายเหตุ", "note", 1000,
                                                                             required=False),
                                    recorded_by=actor, recorded_at=clock.now())
    record("bail_tracing", actor=actor, object_type="abscondence", object_id=str(ab.pk),
           reference=ab.record.request.number, details={"result": result})
    return made


@transaction.atomic
def file_suit(*, actor: User, abscondence_id: int, filed_on: date, court_name: str, case_number: str,
              claim: Any) -> m.CivilSuit:
    ab = _locked(abscondence_id, actor)
    _require(actor, ab.record.request, FOLLOW_UP, "เฉพาะเจ้าหน้าที่คดีหรือหัวหน้าสำนักงานบันทึกคดีแพ่งได้",
             "Only case officers and office heads record civil suits")
    filed_on = _not_future(_date(filed_on, "filed_on"), "filed_on")
    made = m.CivilSuit.objects.create(
        abscondence=ab, filed_on=filed_on, court_name=_text(court_name, "court_name", "ชื่อศาล", "court's name", 200),
        case_number=_text(case_number, "case_number", "เลขคดี", "case number", 60), claim=_amount(claim, "claim"),
        recorded_by=actor, recorded_at=clock.now())
    record("bail_civil_suit", actor=actor, object_type="abscondence", object_id=str(ab.pk),
           reference=ab.record.request.number, details={"suit": made.pk})
    return made


@transaction.atomic
def record_judgement(*, actor: User, suit_id: int, judgement_on: date | None, amount: Any) -> m.CivilSuit:
    suit = m.CivilSuit.objects.select_related("abscondence").filter(pk=suit_id).first()
    if suit is None:
        raise NotPermitted("ไม่พบคดีแพ่งนี้", "No such civil suit")
    ab = _locked(suit.abscondence_id, actor)
    _require(actor, ab.record.request, FOLLOW_UP, "เฉพาะเจ้าหน้าที่คดีหรือหัวหน้าสำนักงานบันทึกคำพิพากษาได้",
             "Only case officers and office heads record judgements")
    suit = m.CivilSuit.objects.select_for_update().get(pk=suit_id)
    if suit.judgement_on is not None:
        raise Conflict("บันทึกคำพิพากษาของคดีนี้ไว้แล้ว", "This suit's judgement is recorded already")
    day = _not_future(_date(judgement_on, "judgement_on"), "judgement_on")
    if day < suit.filed_on:
        raise _invalid("judgement_on", "วันพิพากษาต้องไม่ก่อนวันยื่นฟ้อง", "The judgement cannot come before the filing")
    suit.judgement_on, suit.judgement_amount = day, _amount(amount, "judgement_amount")
    suit.save(update_fields=["judgement_on", "judgement_amount"])
    record("bail_judgement", actor=actor, object_type="abscondence", object_id=str(ab.pk),
           reference=ab.record.request.number, details={"suit": suit.pk, "amount": str(suit.judgement_amount)})
    return suit


# --------------------------------------------------------------------------- repayment by instalments


def equal_instalments(total: Decimal, count: int, first_due: date) -> list[tuple[date, Decimal]]:
    """``count`` monthly instalments from ``first_due`` summing to ``total`` (the last takes the rest)."""
    if count < 1 or count > 120:
        raise _invalid("count", "จำนวนงวดต้องอยู่ระหว่าง 1 ถึง 120", "Between 1 and 120 instalments")
    each = (total / count).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    if each <= 0:
        raise _invalid("total", "จำนวนเงินน้อยเกินไปสำหรับจำนวนงวดนี้", "The amount is too small for so many instalments")
    out = []
    for n in range(count):
        month = first_due.month - 1 + n
        year, month = first_due.year + month // 12, month % 12 + 1
        day = min(first_due.day, 28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31)
        out.append((date(year, month, day), each if n < count - 1 else total - each * (count - 1)))
    return out


def planned_unpaid(ab: m.Abscondence) -> Decimal:
    return (m.Instalment.objects.filter(plan__abscondence=ab, paid_on__isnull=True)
            .aggregate(s=Sum("amount"))["s"] or Decimal(0))


@transaction.atomic
def make_plan(*, actor: User, abscondence_id: int, agreed_on: date, basis: str,
              instalments: Iterable[tuple[date, Any]]) -> m.RepaymentPlan:
    """A repayment plan: its instalments (due date, amount) never more than is owed and not planned
    already. Each instalment gets its payment reference (the QR's reference 1)."""
    ab = _locked(abscondence_id, actor)
    _require(actor, ab.record.request, PLANNERS, "ท่านไม่มีสิทธิ์บันทึกแผนการผ่อนชำระ",
             "You may not record a repayment plan")
    if ab.closed_on is not None:
        raise _invalid("__all__", "หนี้รายนี้ปิดแล้ว", "This debt is settled")
    agreed_on = _not_future(_date(agreed_on, "agreed_on"), "agreed_on")
    rows = [(_date(due, "instalments"), _amount(amount, "instalments")) for due, amount in instalments]
    if not rows:
        raise _invalid("instalments", "กรุณาระบุงวดชำระอย่างน้อย 1 งวด", "Give at least one instalment")
    if any(due < agreed_on for due, _a in rows):
        raise _invalid("instalments", "วันครบกำหนดต้องไม่ก่อนวันทำแผน", "An instalment cannot fall due before the plan")
    total = sum((a for _d, a in rows), Decimal(0))
    room = owed(ab) - planned_unpaid(ab)
    if total > room:
        raise _invalid("total", f"ยอดผ่อนชำระรวม {total:,.2f} บาท เกินยอดหนี้ที่ยังไม่มีแผน {room:,.2f} บาท",
                       f"The instalments' {total:,.2f} baht are more than the {room:,.2f} baht owed and not planned")
    plan = m.RepaymentPlan.objects.create(abscondence=ab, agreed_on=agreed_on,
                                          basis=_text(basis, "basis", "ที่มาของแผน", "basis", 300),
                                          recorded_by=actor, recorded_at=clock.now())
    for n, (due, amount) in enumerate(sorted(rows), start=1):
        m.Instalment.objects.create(plan=plan, number=n, due_on=due, amount=amount, reference=f"JF{plan.pk:08d}{n:03d}")
    record("bail_repayment_plan", actor=actor, object_type="abscondence", object_id=str(ab.pk),
           reference=ab.record.request.number, details={"plan": plan.pk, "instalments": len(rows), "total": str(total)})
    return plan


def promptpay_payload(instalment: m.Instalment) -> str:
    """The instalment's Thai QR (PromptPay bill payment, dynamic): the fund's biller, reference 1 the
    instalment's reference, reference 2 the due date (YYYYMMDD, C.E.), the amount."""
    return promptpay.build(biller_id=rules.biller_id(), ref1=instalment.reference,
                           ref2=instalment.due_on.strftime("%Y%m%d"), amount=instalment.amount,
                           terminal_label=rules.terminal_label())


def _pay(actor: User, ab: m.Abscondence, inst: m.Instalment, *, key: str, paid_on: date,
         bank_reference: str) -> m.Instalment:
    """Post one instalment's recovery (the caller holds the abscondence's lock)."""
    entry = ledger.receive_recovery(actor=actor, key=key, request_id=ab.record.request_id, amount=inst.amount,
                                    on=paid_on, reference=bank_reference, payee=ab.record.released_name,
                                    memo=f"งวดที่ {inst.number} ({inst.reference})")
    inst.paid_on, inst.bank_reference, inst.entry = paid_on, bank_reference, entry
    inst.save(update_fields=["paid_on", "bank_reference", "entry"])
    record("bail_instalment_paid", actor=actor, object_type="instalment", object_id=str(inst.pk),
           reference=ab.record.request.number, details={"amount": str(inst.amount), "key": key})
    _close_if_settled(ab, paid_on)
    return inst


@transaction.atomic
def pay_instalment(*, actor: User, instalment_id: int, key: str, paid_on: date, bank_reference: str) -> m.Instalment:
    """An instalment paid (recorded by hand from the bank's advice): the recovery is posted once."""
    inst = m.Instalment.objects.select_related("plan").filter(pk=instalment_id).first()
    if inst is None:
        raise NotPermitted("ไม่พบงวดชำระนี้", "No such instalment")
    ab = _locked(inst.plan.abscondence_id, actor)
    _require(actor, ab.record.request, MONEY, "เฉพาะเจ้าหน้าที่การเงินของสำนักงานบันทึกรับชำระได้",
             "Only the office's finance officers record payments")
    inst = m.Instalment.objects.get(pk=instalment_id)
    if inst.entry_id is not None:
        if inst.entry and inst.entry.key == key.strip():
            return inst
        raise Conflict("งวดนี้ชำระแล้ว", "This instalment is paid already")
    paid_on = _not_future(_date(paid_on, "paid_on"), "paid_on")
    reference = _text(bank_reference, "bank_reference", "เลขอ้างอิงของธนาคาร", "bank's reference", 100)
    return _pay(actor, ab, inst, key=key, paid_on=paid_on, bank_reference=reference)


# --------------------------------------------------------------------------- the bank's payment file

#: the bank file's columns (docs/recovery.md; unconfirmed until the bank's own specification is read)
BANK_COLUMNS = ("transaction_id", "paid_at", "ref1", "ref2", "amount")
MAX_BANK_FILE = 5 * 1024 * 1024


def _bank_date(text: str) -> date | None:
    text = text.strip()
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _bank_amount(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() and value > 0 and value.as_tuple().exponent >= -2 else None  # type: ignore[operator]


def import_bank_file(*, actor: User, file_name: str, content: bytes) -> m.BankImport:
    """Reconcile a bank's bill-payment file: each row matched by reference 1 to an unpaid instalment
    of the same amount is posted (its key ``bank/<transaction id>``: a row posted once, however often
    the file comes); every other row is kept, quarantined with its reason. Each row is its own
    transaction: one refusal never loses the rest."""
    if actor.role not in MONEY or actor.office is None:
        raise NotPermitted("เฉพาะเจ้าหน้าที่การเงินนำเข้าไฟล์รายการรับชำระจากธนาคารได้",
                           "Only finance officers import the bank's payment file")
    if len(content) > MAX_BANK_FILE:
        raise _invalid("file", "ไฟล์ใหญ่เกิน 5 MB", "The file is larger than 5 MB")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _invalid("file", "ไฟล์ต้องเป็น CSV แบบ UTF-8", "The file must be a UTF-8 CSV") from None
    reader = csv.reader(io.StringIO(text.replace("\x00", "")))
    header = [h.strip().lower() for h in next(reader, [])]
    if tuple(header[:len(BANK_COLUMNS)]) != BANK_COLUMNS:
        raise _invalid("file", "หัวตารางของไฟล์ต้องเป็น " + ",".join(BANK_COLUMNS),
                       "The file's header must be " + ",".join(BANK_COLUMNS))
    batch = m.BankImport.objects.create(file_name=_text(file_name, "file", "ชื่อไฟล์", "file name", 200) or "bank.csv",
                                        imported_by=actor, imported_at=clock.now())
    posted = quarantined = 0
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        ok = _reconcile_row(actor, batch, number, row)
        posted += ok
        quarantined += not ok
    m.BankImport.objects.filter(pk=batch.pk).update(rows=posted + quarantined, posted=posted, quarantined=quarantined)
    batch.refresh_from_db()
    record("bank_file_imported", actor=actor, object_type="bank_import", object_id=str(batch.pk), reference="",
           details={"rows": batch.rows, "posted": posted, "quarantined": quarantined})
    return batch


def _reconcile_row(actor: User, batch: m.BankImport, number: int, row: list[str]) -> bool:
    cells = [c.strip()[:60] for c in row] + [""] * len(BANK_COLUMNS)
    txn, paid_at, ref1, ref2, amount_text = cells[:5]
    base = {"bank_import": batch, "line_number": number, "transaction_id": txn[:60], "paid_at": paid_at[:40],
            "ref1": ref1[:40], "ref2": ref2[:40], "amount_text": amount_text[:40]}

    def quarantine(reason: str, inst: m.Instalment | None = None) -> bool:
        m.BankRow.objects.create(**base, paid_on=_bank_date(paid_at), status=m.QUARANTINED, reason=reason,
                                 instalment=inst)
        return False

    paid_on, amount = _bank_date(paid_at), _bank_amount(amount_text)
    if not txn or paid_on is None or amount is None or not ref1:
        return quarantine(m.MALFORMED)
    inst = m.Instalment.objects.select_related("plan").filter(reference=ref1.upper()).first()
    if inst is None:
        return quarantine(m.NO_MATCH)
    try:
        with transaction.atomic():
            ab = _locked(inst.plan.abscondence_id, actor)
            inst = m.Instalment.objects.get(pk=inst.pk)
            if m.BankRow.objects.filter(transaction_id=txn, status=m.POSTED).exists():
                raise _Quarantine(m.DUPLICATE)
            if amount != inst.amount:
                raise _Quarantine(m.AMOUNT_DIFFERS)
            if inst.entry_id is not None:
                raise _Quarantine(m.ALREADY_PAID)
            _require(actor, ab.record.request, MONEY, "เฉพาะเจ้าหน้าที่การเงินของสำนักงานบันทึกรับชำระได้",
                     "Only the office's finance officers record payments")
            _pay(actor, ab, inst, key=f"bank/{txn}", paid_on=paid_on, bank_reference=txn)
            m.BankRow.objects.create(**base, paid_on=paid_on, status=m.POSTED, instalment=inst, entry=inst.entry)
    except _Quarantine as q:
        return quarantine(q.reason, inst)
    except IntegrityError:  # the same transaction posted by another import at this moment
        return quarantine(m.DUPLICATE, inst)
    except CaseError:
        return quarantine(m.REFUSED, inst)
    return True


class _Quarantine(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------------- write-off by authority


def tiers_for(actor: User, req: Request, on: date) -> list[rules.Tier]:
    """The write-off authorities ``actor`` holds for ``req``'s debt on ``on``."""
    office = actor.office
    if office is None or not _in_scope(actor, req) or actor.role in roles.READ_ONLY:
        return []
    return [t for t in rules.tiers(on) if t.role == actor.role
            and (t.office == "central") == office.is_central
            and (t.office == "central" or office.pk == req.office_id)]


@transaction.atomic
def write_off(*, actor: User, abscondence_id: int, key: str, tier: str, amount: Any, on: date,
              decision_reference: str, reason: str) -> m.WriteOff:
    """Write off (part of) a debt that cannot be recovered, by an authority of ``governance/recovery.yaml``
    the person holds, within its limit; never more than is owed."""
    ab = _locked(abscondence_id, actor)
    req = ab.record.request
    on = _not_future(_date(on, "on"), "on")
    held = {t.key: t for t in tiers_for(actor, req, on)}
    if not held:
        raise NotPermitted("ท่านไม่มีอำนาจอนุมัติตัดหนี้สูญของคำขอนี้", "You hold no authority to write this debt off")
    existing = m.WriteOff.objects.filter(entry__key=key.strip(), abscondence=ab).first()
    if existing is not None:
        return existing
    chosen = held.get(tier)
    if chosen is None:
        raise _invalid("tier", "กรุณาเลือกผู้มีอำนาจอนุมัติที่ท่านดำรงอยู่", "Choose an authority you hold")
    value = _amount(amount)
    if chosen.up_to is not None and value > chosen.up_to:
        raise _invalid("amount", f"{chosen.th} อนุมัติตัดหนี้สูญได้ไม่เกิน {chosen.up_to:,.2f} บาทต่อครั้ง",
                       f"{chosen.en} may write off at most {chosen.up_to:,.2f} baht at a time")
    reference = _text(decision_reference, "decision_reference",
                      "เลขที่มติคณะกรรมการ" if chosen.decision_required else "เลขที่หนังสืออนุมัติ",
                      "committee's resolution number" if chosen.decision_required else "approval's reference", 100)
    why = _text(reason, "reason", "เหตุผลที่ตัดหนี้สูญ", "reason", 1000)
    entry = ledger.write_off(actor=actor, key=key, request_id=req.pk, amount=value, on=on, reference=reference,
                             memo=why)
    made = m.WriteOff.objects.create(abscondence=ab, amount=value, on=on, tier=chosen.key, approver_role=actor.role,
                                     decision_reference=reference, reason=why, entry=entry, approved_by=actor,
                                     recorded_at=clock.now())
    record("bail_written_off", actor=actor, object_type="abscondence", object_id=str(ab.pk), reference=req.number,
           details={"amount": str(value), "tier": chosen.key})
    _close_if_settled(ab, on)
    return made


# --------------------------------------------------------------------------- a rule for every disbursement


def refuse_bail_after_abscondence(req: Request, item_key: str, payee: str, amount: Decimal) -> None:
    """No more bail money for a request whose released person absconded (registered with finance)."""
    if req.service == "BAIL" and m.Abscondence.objects.filter(record__request=req).exists():
        raise ledger.refuse("ผู้ได้รับการปล่อยชั่วคราวผิดสัญญาประกันแล้ว จ่ายเงินประกันเพิ่มไม่ได้",
                            "The released person absconded: no more bail money is paid", "item_key")
