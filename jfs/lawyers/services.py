"""Litigation (กทย.1) after approval: the roster, engagements, milestones and their staged payments,
court costs and expert fees, refunds of unused money, and the case's result.

Who may do what (``may_maintain``, ``may_manage``, ``may_pay``; the pages and the API ask the same):

- **The roster** (register a lawyer, declare a conflict, take a lawyer off or back on): the office
  heads and case officers of the lawyer's office; those of the central office for every office.
- **Engagements, milestone reports, the case's result**: the office heads and case officers of the
  request's office (central: every office).
- **Money** (a milestone's payment, court costs and expert fees, refunds): the finance officers of
  the request's office (central: every office), through ``jfs.finance.services`` only.

Executives and auditors read; nobody else writes. Every refusal is a ``jfs.cases.errors`` exception
with the field at fault; nothing is half-written (each write is one transaction).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Sum

from jfs.accounts.models import Office, User
from jfs.audit.services import record
from jfs.cases import services as case_services
from jfs.cases.errors import Conflict, InvalidInput, NotPermitted, field_error
from jfs.cases.models import Document, Request
from jfs.core import clock
from jfs.finance import models as fm
from jfs.finance import services as ledger
from jfs.lawyers import fees
from jfs.lawyers import models as m
from jfslib import roles
from jfslib.thaidate import to_be_year

#: who keeps the roster and handles engagements (their office's; the central office's: all)
MAINTAINERS = frozenset({roles.OFFICE_HEAD, roles.CASE_OFFICER})
#: the request's states in which a lawyer may be engaged and the case followed
ENGAGEABLE_STATES = frozenset({"decided", "notified", "follow_up"})
#: the cost items paid to their payees here besides the lawyer's fee
COST_ITEMS = ("court_fee", "expert")
#: the items whose unused money may come back
REFUNDABLE_ITEMS = ("lawyer", "court_fee", "expert")
LAWYER_ITEM = "lawyer"
SERVICE = "LIT"
#: a Lawyers Council licence number: a serial number and the Buddhist-era year it was issued
LICENCE = re.compile(r"^(\d{1,6})/(\d{4})$")
FIRST_LICENCE_YEAR = 2480  # the Lawyers Act B.E. 2528 took over licences issued since B.E. 2480s
SPECIALITIES = tuple(code for code, _label in m.SPECIALITY_CHOICES)


class LawyerRefused(InvalidInput):
    code = "lawyer_refused"


def refuse(th: str, en: str, field: str = "__all__") -> LawyerRefused:
    return LawyerRefused(th, en, errors=[field_error(field, th, en)])


# --------------------------------------------------------------------------- who may


def _office_ok(user: User, office_id: int) -> bool:
    return user.office_id == office_id or bool(user.office and user.office.is_central)


def may_maintain(user: User, office: Office | None = None) -> bool:
    """Whether ``user`` keeps the roster (of ``office`` when given)."""
    if not user.is_authenticated or user.role not in MAINTAINERS:
        return False
    return office is None or _office_ok(user, office.pk)


def may_manage(user: User, req: Request) -> bool:
    """Whether ``user`` engages lawyers and records the case's milestones and result on ``req`` now."""
    return (user.is_authenticated and user.role in MAINTAINERS and _office_ok(user, req.office_id)
            and req.service == SERVICE and req.state in ENGAGEABLE_STATES)


def may_pay(user: User, req: Request) -> bool:
    """Whether ``user`` pays and receives money for ``req`` (finance checks the same when posting)."""
    return (user.is_authenticated and user.role in ledger.POSTERS and _office_ok(user, req.office_id)
            and req.service == SERVICE)


NOT_ROSTER = ("เฉพาะหัวหน้าสำนักงานและเจ้าหน้าที่ผู้รับผิดชอบคำขอของสำนักงานจัดการทะเบียนทนายความได้",
              "Only the office's heads and case officers keep its roster of lawyers")
NOT_MANAGER = ("เฉพาะหัวหน้าสำนักงานและเจ้าหน้าที่ผู้รับผิดชอบคำขอของสำนักงานบันทึกการแต่งตั้งทนายความและความคืบหน้าคดีได้",
               "Only the office's heads and case officers engage lawyers and record the case's progress")


def _require_maintainer(user: User, office: Office) -> None:
    if not may_maintain(user, office):
        raise NotPermitted(*NOT_ROSTER)


def _require_manager(user: User, req: Request) -> None:
    if not (user.is_authenticated and user.role in MAINTAINERS and _office_ok(user, req.office_id)):
        raise NotPermitted(*NOT_MANAGER)
    _require_litigation(req)


def _require_payer(user: User, req: Request) -> None:
    if not may_pay(user, req):
        raise NotPermitted("เฉพาะเจ้าหน้าที่การเงินของสำนักงานบันทึกรายการบัญชีได้",
                           "Only the office's finance officers post to the ledger")


def _require_litigation(req: Request) -> None:
    if req.service != SERVICE:
        raise refuse("แต่งตั้งทนายความได้เฉพาะคำขอความช่วยเหลือในการดำเนินคดี (กทย.1)",
                     "Lawyers are engaged only for litigation aid (JF1) requests")
    if req.state not in ENGAGEABLE_STATES:
        raise Conflict("คำขอนี้ไม่อยู่ในขั้นตอนที่อนุมัติแล้วและติดตามผล จึงบันทึกเรื่องทนายความไม่ได้",
                       "The request is not approved and in follow-up: nothing about its lawyer can be recorded",
                       errors=[field_error("__all__", "คำขอนี้ไม่อยู่ในขั้นตอนที่อนุมัติแล้วและติดตามผล",
                                           "The request is not approved and in follow-up")])


# --------------------------------------------------------------------------- input


def _text(value: Any, field: str, th: str, en: str, *, max_length: int, required: bool = True) -> str:
    text = " ".join(str(value or "").split())
    if "\x00" in text:
        raise refuse("ข้อความมีอักขระที่ไม่อนุญาต", "The text contains a character that is not allowed", field)
    if required and not text:
        raise refuse(th, en, field)
    if len(text) > max_length:
        raise refuse(f"ยาวได้ไม่เกิน {max_length} ตัวอักษร", f"At most {max_length} characters", field)
    return text


def _money(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise refuse("จำนวนเงินต้องเป็นตัวเลข", "The amount must be a number of baht", field) from None
    if not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise refuse("จำนวนเงินต้องมากกว่า 0 และมีทศนิยมไม่เกิน 2 ตำแหน่ง",
                     "The amount must be above 0 with at most 2 decimals", field)
    if amount >= Decimal("1e12"):
        raise refuse("จำนวนเงินมากเกินไป", "The amount is too large", field)
    return amount


def _day(value: date, field: str) -> date:
    if value > clock.today():
        raise refuse("วันที่ต้องไม่เป็นวันในอนาคต", "The date cannot be in the future", field)
    if value.year < 2000:
        raise refuse("วันที่ไม่ถูกต้อง", "The date is not valid", field)
    return value


def normalise_licence(value: Any) -> str:
    """A licence number as the roster keeps it (``12345/2550``), or a refusal naming the format."""
    text = "".join(str(value or "").split())
    found = LICENCE.match(text)
    bad = ("เลขที่ใบอนุญาตทนายความต้องเป็นเลขที่/ปี พ.ศ. ที่ออก เช่น 12345/2550",
           "The licence number must be the number / the Buddhist-era year issued, e.g. 12345/2550")
    if not found:
        raise refuse(*bad, field="licence_no")
    year = int(found.group(2))
    if not FIRST_LICENCE_YEAR <= year <= to_be_year(clock.today().year):
        raise refuse(*bad, field="licence_no")
    return f"{int(found.group(1))}/{year}"


def _specialities(values: Any) -> str:
    codes = [str(v) for v in (values or [])]
    unknown = [c for c in codes if c not in SPECIALITIES]
    if unknown or not codes:
        raise refuse("กรุณาเลือกความเชี่ยวชาญอย่างน้อยหนึ่งด้าน", "Choose at least one speciality", "specialities")
    return "," + ",".join(c for c in SPECIALITIES if c in codes) + ","


def _phone(value: Any) -> str:
    text = str(value or "").strip()
    digits = re.sub(r"[\s-]", "", text)
    if digits and not re.fullmatch(r"0\d{8,9}", digits):
        raise refuse("หมายเลขโทรศัพท์ต้องเป็นตัวเลข 9-10 หลัก ขึ้นต้นด้วย 0", "The phone number must be 9-10 digits "
                     "starting with 0", "phone")
    return digits


def _email(value: Any) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    try:
        validate_email(text)
    except ValidationError:
        raise refuse("อีเมลไม่ถูกต้อง", "The e-mail address is not valid", "email") from None
    if len(text) > 200:
        raise refuse("อีเมลยาวเกินไป", "The e-mail address is too long", "email")
    return text


# --------------------------------------------------------------------------- the roster


@transaction.atomic
def register_lawyer(*, actor: User, office: Office, name: str, licence_no: str, specialities: list[str],
                    phone: str = "", email: str = "", registered_on: date | None = None) -> m.Lawyer:
    """Put a lawyer on an office's roster. A licence number is on the roster once (of any office)."""
    _require_maintainer(actor, office)
    clean_name = _text(name, "name", "กรุณากรอกชื่อทนายความ", "Give the lawyer's name", max_length=200)
    licence = normalise_licence(licence_no)
    codes = _specialities(specialities)
    clean_phone, clean_email = _phone(phone), _email(email)
    on = _day(registered_on or clock.today(), "registered_on")
    taken = ("เลขที่ใบอนุญาตนี้อยู่ในทะเบียนทนายความแล้ว", "This licence number is on the roster already")
    if m.Lawyer.objects.filter(licence_no=licence).exists():
        raise Conflict(*taken, errors=[field_error("licence_no", *taken)])
    try:
        with transaction.atomic():
            lawyer = m.Lawyer.objects.create(name=clean_name, licence_no=licence, office=office, specialities=codes,
                                             phone=clean_phone, email=clean_email, registered_on=on, created_by=actor,
                                             created_at=clock.now())
    except IntegrityError:  # registered at the same moment by someone else
        raise Conflict(*taken, errors=[field_error("licence_no", *taken)]) from None
    record("lawyer_registered", actor=actor, object_type="lawyer", object_id=str(lawyer.pk),
           details={"office": office.code, "licence_no": licence})
    return lawyer


@transaction.atomic
def set_active(*, actor: User, lawyer_id: int, active: bool) -> m.Lawyer:
    """Take a lawyer off the roster (no new engagements; the current ones go on) or back on."""
    lawyer = m.Lawyer.objects.select_for_update().select_related("office").get(pk=lawyer_id)
    _require_maintainer(actor, lawyer.office)
    if lawyer.active != active:
        lawyer.active = active
        lawyer.save(update_fields=["active"])
        record("lawyer_activated" if active else "lawyer_deactivated", actor=actor, object_type="lawyer",
               object_id=str(lawyer.pk), details={})
    return lawyer


@transaction.atomic
def declare_conflict(*, actor: User, lawyer_id: int, party_name: str, note: str = "",
                     declared_on: date | None = None) -> m.LawyerConflict:
    """Record a conflict the lawyer declared: a party they may not act in a case with."""
    lawyer = m.Lawyer.objects.select_related("office").get(pk=lawyer_id)
    _require_maintainer(actor, lawyer.office)
    party = _text(party_name, "party_name", "กรุณากรอกชื่อคู่กรณีที่มีส่วนได้เสีย", "Name the party of the conflict",
                  max_length=200)
    if len(party) < 2:
        raise refuse("ชื่อคู่กรณีสั้นเกินไป", "The party's name is too short", "party_name")
    row = m.LawyerConflict.objects.create(
        lawyer=lawyer, party_name=party, note=_text(note, "note", "", "", max_length=500, required=False),
        declared_on=_day(declared_on or clock.today(), "declared_on"), recorded_by=actor, recorded_at=clock.now())
    record("lawyer_conflict_declared", actor=actor, object_type="lawyer", object_id=str(lawyer.pk), details={})
    return row


def _name_key(name: str) -> str:
    """A name compared without spaces, dots or case (นาย สมชาย ใจดี = นายสมชาย ใจดี)."""
    return re.sub(r"[\s.]", "", name).casefold()


_TITLES = ("นาย", "นางสาว", "นาง", "น.ส.", "mr", "mrs", "ms", "miss")


def _bare(name: str) -> str:
    key = _name_key(name)
    for title in sorted((_name_key(t) for t in _TITLES), key=len, reverse=True):
        if key.startswith(title) and len(key) > len(title) + 1:
            return key[len(title):]
    return key


def conflicts_with(lawyer: m.Lawyer, parties: list[str]) -> list[m.LawyerConflict]:
    """The lawyer's declared conflicts naming one of ``parties`` (titles, spaces and dots aside)."""
    keys = {_bare(p) for p in parties if p.strip()}
    return [c for c in lawyer.conflicts.all() if _bare(c.party_name) in keys]


# --------------------------------------------------------------------------- engagements


def committed(request_id: int, item_key: str) -> Decimal:
    return (fm.Commitment.objects.filter(request_id=request_id, item_key=item_key).aggregate(s=Sum("amount"))["s"]
            or Decimal(0))


def _paid_to_lawyers(request_id: int) -> Decimal:
    return ledger.paid_for(request_id, LAWYER_ITEM)


@transaction.atomic
def engage(*, actor: User, request_id: int, lawyer_id: int, agreed_fee: Any, engaged_on: date | None = None,
           opposing_party: str = "") -> m.Engagement:
    """Engage a lawyer of the roster on an approved litigation request with a committed ``lawyer``
    item. The fee scale in force on the day is copied onto the engagement; the agreed fee is never
    above what was approved for the lawyer, less what earlier lawyers were paid. A lawyer who
    declared a conflict with the applicant or the opposing party is refused. Engaging another lawyer
    ends the active engagement (one active engagement per request)."""
    req = Request.objects.select_for_update().select_related("office", "applicant").get(pk=request_id)
    _require_manager(actor, req)
    lawyer = m.Lawyer.objects.select_related("office").filter(pk=lawyer_id).first()
    if lawyer is None:
        raise refuse("ไม่พบทนายความนี้ในทะเบียน", "There is no such lawyer on the roster", "lawyer")
    if not lawyer.active:
        raise refuse("ทนายความนี้ไม่อยู่ในทะเบียนที่ใช้งาน", "This lawyer is no longer on the active roster", "lawyer")
    if not (lawyer.office_id == req.office_id or lawyer.office.is_central):
        raise refuse("ทนายความต้องอยู่ในทะเบียนของสำนักงานเจ้าของคำขอหรือส่วนกลาง",
                     "The lawyer must be on the roster of the request's office or the central office", "lawyer")
    on = _day(engaged_on or clock.today(), "engaged_on")
    opposing = _text(opposing_party, "opposing_party", "", "", max_length=200, required=False)
    applicant = req.applicant
    parties = [f"{applicant.title}{applicant.first_name} {applicant.last_name}",
               f"{applicant.first_name} {applicant.last_name}", opposing]
    found = conflicts_with(lawyer, parties)
    if found:
        names = ", ".join(c.party_name for c in found)
        raise refuse(f"ทนายความนี้แจ้งไว้ว่ามีส่วนได้เสียกับ {names} ซึ่งเป็นคู่ความในคดีนี้ จึงแต่งตั้งไม่ได้",
                     f"This lawyer declared a conflict with {names}, a party to this case: not engaged", "lawyer")
    approved = committed(req.pk, LAWYER_ITEM)
    if approved <= 0:
        raise refuse("คำขอนี้ไม่ได้รับอนุมัติค่าทนายความ จึงแต่งตั้งทนายความไม่ได้",
                     "No lawyer's fee was approved for this request: no lawyer can be engaged", "lawyer")
    fee = _money(agreed_fee, "agreed_fee")
    left = approved - _paid_to_lawyers(req.pk)
    if fee > left:
        raise refuse(f"ค่าทนายความที่ตกลงต้องไม่เกินค่าทนายความที่อนุมัติคงเหลือ {left:,.2f} บาท",
                     f"The agreed fee cannot exceed the {left:,.2f} baht approved for the lawyer and not yet paid",
                     "agreed_fee")
    scale = fees.scale_on(on)
    if scale is None:
        raise refuse("ไม่มีอัตราค่าทนายความที่ใช้บังคับในวันที่แต่งตั้ง", "No fee scale was in force on that day",
                     "engaged_on")
    case_kind = str((req.details or {}).get("case_kind") or "other")
    previous = m.Engagement.objects.select_for_update().filter(request=req, status=m.ACTIVE).first()
    if previous is not None:
        if previous.lawyer_id == lawyer.pk:
            raise refuse("ทนายความนี้ว่าความในคดีนี้อยู่แล้ว", "This lawyer is engaged on the case already", "lawyer")
        if on < previous.engaged_on:
            raise refuse("วันที่แต่งตั้งต้องไม่ก่อนวันที่แต่งตั้งทนายความคนก่อน",
                         "The day cannot be before the previous lawyer's engagement", "engaged_on")
        previous.status, previous.ended_on, previous.end_reason = m.ENDED, on, "replaced"
        previous.save(update_fields=["status", "ended_on", "end_reason"])
    engagement = m.Engagement.objects.create(
        request=req, lawyer=lawyer, engaged_on=on, opposing_party=opposing, case_kind=case_kind,
        scale_effective=scale.effective, scale={k: f"{v:.2f}" for k, v in scale.for_case(case_kind).items()},
        agreed_fee=fee, created_by=actor, created_at=clock.now())
    record("lawyer_engaged", actor=actor, object_type="engagement", object_id=str(engagement.pk),
           reference=req.number, details={"lawyer": lawyer.pk, "replaces": previous.pk if previous else None})
    return engagement


def _engagement(engagement_id: int) -> m.Engagement:
    return (m.Engagement.objects.select_for_update().select_related("request", "request__office", "lawyer")
            .get(pk=engagement_id))


def due_left(engagement: m.Engagement) -> Decimal:
    """The agreed fee less what its milestones already fall due for."""
    due = engagement.milestones.aggregate(s=Sum("amount_due"))["s"] or Decimal(0)
    return engagement.agreed_fee - due


@transaction.atomic
def report_milestone(*, actor: User, engagement_id: int, kind: str, report_on: date, summary: str,
                     upload: case_services.Upload | None = None, document_id: int | None = None) -> m.Milestone:
    """Record the lawyer's report of a milestone (with its copy, a ``lawyer_report`` document, when
    given). The amount due is the engagement's scale for the kind, capped at what is left of the
    agreed fee; a report when nothing is left is refused. The copy is an upload, or (the API) a
    ``lawyer_report`` document of the request uploaded before (``document_id``)."""
    engagement = _engagement(engagement_id)
    req = engagement.request
    _require_manager(actor, req)
    if engagement.status != m.ACTIVE:
        raise refuse("การแต่งตั้งทนายความนี้สิ้นสุดแล้ว", "This engagement has ended")
    if engagement.result:
        raise refuse("บันทึกผลคดีแล้ว ไม่รับรายงานขั้นตอนเพิ่ม", "The case's result is recorded: no more steps are reported")
    if kind not in fees.MILESTONE_KINDS:
        raise refuse("กรุณาเลือกขั้นตอนของคดี", "Choose the step of the case", "kind")
    on = _day(report_on, "report_on")
    if on < engagement.engaged_on:
        raise refuse("วันที่รายงานต้องไม่ก่อนวันที่แต่งตั้งทนายความ", "The report cannot be before the engagement",
                     "report_on")
    text = _text(summary, "summary", "กรุณาสรุปรายงานของทนายความ", "Summarise the lawyer's report", max_length=2000)
    if kind in ("filing", "judgement") and engagement.milestones.filter(kind=kind).exists():
        raise refuse("ขั้นตอนนี้รายงานไปแล้ว", "This step has been reported already", "kind")
    scale = Decimal(str(engagement.scale.get(kind, "0")))
    amount = min(scale, due_left(engagement))
    if amount <= 0:
        raise refuse("ค่าทนายความที่ตกลงไว้ถึงกำหนดจ่ายครบแล้ว", "The whole agreed fee has fallen due already", "kind")
    document = None
    if document_id is not None:
        document = Document.objects.filter(pk=document_id, request=req, doc_type="lawyer_report").first()
        if document is None:
            raise refuse("ไม่พบรายงานของทนายความนี้ในเอกสารของคำขอ",
                         "No such lawyer's report among the request's documents", "document")
    elif upload is not None:
        document = case_services.add_document(actor=actor, request_id=req.pk, doc_type="lawyer_report",
                                              name=upload.name, chunks=upload.chunks, size=upload.size)
    milestone = m.Milestone.objects.create(engagement=engagement, kind=kind, report_on=on, summary=text,
                                           document=document, amount_due=amount, recorded_by=actor,
                                           recorded_at=clock.now())
    record("lawyer_milestone_reported", actor=actor, object_type="milestone", object_id=str(milestone.pk),
           reference=req.number, details={"kind": kind, "amount_due": str(amount)})
    return milestone


@transaction.atomic
def pay_milestone(*, actor: User, key: str, milestone_id: int, on: date, method: str,
                  reference: str = "") -> m.Milestone:
    """Pay a reported milestone's fee to the engaged lawyer: a disbursement of the request's
    ``lawyer`` item (finance: never above what is committed, the key posts once). A milestone is
    paid once: the same key again answers the payment made, another key is refused."""
    milestone = (m.Milestone.objects.select_for_update()
                 .select_related("engagement", "engagement__lawyer", "engagement__request").get(pk=milestone_id))
    engagement, req = milestone.engagement, milestone.engagement.request
    _require_payer(actor, req)
    if milestone.payment_id is not None:
        paid = fm.Entry.objects.get(pk=milestone.payment_id)
        if paid.key == key.strip():
            return milestone  # a retry of the same payment
        raise Conflict("ค่าทนายความของขั้นตอนนี้จ่ายไปแล้ว", "This milestone's fee has been paid already",
                       errors=[field_error("__all__", "ค่าทนายความของขั้นตอนนี้จ่ายไปแล้ว",
                                           "This milestone's fee has been paid already")])
    if on < milestone.report_on:
        raise refuse("วันที่จ่ายต้องไม่ก่อนวันที่ทนายความรายงาน", "The payment cannot be before the lawyer's report",
                     "on_date")
    entry = ledger.disburse(actor=actor, key=key, request_id=req.pk, item_key=LAWYER_ITEM,
                            amount=milestone.amount_due, on=_day(on, "on_date"), payee=engagement.lawyer.payee,
                            method=method, reference=reference,
                            memo=f"{fees.milestone_name(milestone.kind, 'th')} ({milestone.report_on.isoformat()})")
    if m.Milestone.objects.filter(payment=entry).exclude(pk=milestone.pk).exists():
        raise Conflict("รหัสป้องกันการบันทึกซ้ำนี้ใช้จ่ายขั้นตอนอื่นไปแล้ว",
                       "This idempotency key paid another milestone")
    milestone.payment = entry
    milestone.save(update_fields=["payment"])
    return milestone


def lawyer_payment_check(req: Request, item_key: str, payee: str, amount: Decimal) -> None:
    """A finance payment check: a litigation request's ``lawyer`` item is paid only to the lawyer
    engaged on it now (the payee as ``Lawyer.payee`` names them)."""
    if req.service != SERVICE or item_key != LAWYER_ITEM:
        return
    active = m.Engagement.objects.select_related("lawyer").filter(request_id=req.pk, status=m.ACTIVE).first()
    if active is None or active.lawyer.payee != payee:
        raise ledger.refuse("จ่ายค่าทนายความได้เฉพาะทนายความที่ได้รับแต่งตั้งในคดีนี้และยังว่าความอยู่",
                            "A lawyer's fee is paid only to the lawyer engaged on this case", "payee")


@transaction.atomic
def pay_cost(*, actor: User, key: str, request_id: int, item_key: str, amount: Any, on: date, payee: str,
             method: str, reference: str = "", memo: str = "") -> fm.Entry:
    """Pay court costs or an expert's fee to its payee (the court, the expert)."""
    req = Request.objects.get(pk=request_id)
    _require_payer(actor, req)
    _require_litigation(req)
    if item_key not in COST_ITEMS:
        raise refuse("กรุณาเลือกรายการค่าใช้จ่าย (ค่าธรรมเนียมศาลหรือค่าผู้เชี่ยวชาญ)",
                     "Choose the cost item (court fees or an expert's fee)", "item_key")
    return ledger.disburse(actor=actor, key=key, request_id=req.pk, item_key=item_key, amount=amount,
                           on=_day(on, "on_date"), payee=payee, method=method, reference=reference, memo=memo)


@transaction.atomic
def refund(*, actor: User, key: str, request_id: int, item_key: str, amount: Any, on: date, reference: str,
           memo: str = "") -> fm.Entry:
    """Unused money back to the fund (court fees returned, a fee not earned), with the receipt's
    number: never more than was paid for the item."""
    req = Request.objects.get(pk=request_id)
    _require_payer(actor, req)
    _require_litigation(req)
    if item_key not in REFUNDABLE_ITEMS:
        raise refuse("กรุณาเลือกรายการที่ได้รับเงินคืน", "Choose the item the money comes back for", "item_key")
    return ledger.receive_return(actor=actor, key=key, request_id=req.pk, item_key=item_key, amount=amount,
                                 on=_day(on, "on_date"), reference=reference, memo=memo)


@transaction.atomic
def record_result(*, actor: User, engagement_id: int, result: str, on: date, note: str = "",
                  repayment_amount: Any = None) -> m.Engagement:
    """Record the case's result on the active engagement (once). The engagement stays active: the
    lawyer's last reported milestones can still be paid to them. Whether the rules require
    repayment is the result's flag (``governance/lawyer_fees.yaml``); when they do, the amount to
    repay is required (never more than the fund paid for the request); otherwise none is taken."""
    engagement = _engagement(engagement_id)
    req = engagement.request
    _require_manager(actor, req)
    if engagement.status != m.ACTIVE:
        raise refuse("การแต่งตั้งทนายความนี้สิ้นสุดแล้ว บันทึกผลคดีไม่ได้", "This engagement has ended: no result can be "
                     "recorded on it")
    if engagement.result:
        raise refuse("บันทึกผลคดีไปแล้ว", "The case's result has been recorded already", "result")
    rule = fees.result(result)
    if rule is None:
        raise refuse("กรุณาเลือกผลคดี", "Choose the case's result", "result")
    day = _day(on, "result_on")
    if day < engagement.engaged_on:
        raise refuse("วันที่ทราบผลคดีต้องไม่ก่อนวันที่แต่งตั้งทนายความ", "The result cannot be before the engagement",
                     "result_on")
    text = _text(note, "note", "", "", max_length=1000, required=False)
    repay: Decimal | None = None
    given = str(repayment_amount or "").strip()
    if rule.repayment_required:
        if not given:
            raise refuse("ผลคดีนี้ต้องให้ผู้ได้รับความช่วยเหลือชดใช้เงินกองทุน กรุณาระบุจำนวนเงินที่ต้องชดใช้",
                         "This result requires repayment: give the amount to repay", "repayment_amount")
        repay = _money(given, "repayment_amount")
        paid = sum((ledger.paid_for(req.pk, k) for k in (LAWYER_ITEM, *COST_ITEMS, "travel", "other")), Decimal(0))
        if repay > paid:
            raise refuse(f"จำนวนเงินที่ต้องชดใช้ต้องไม่เกินที่กองทุนจ่ายไป {paid:,.2f} บาท",
                         f"The repayment cannot exceed the {paid:,.2f} baht the fund paid", "repayment_amount")
    elif given:
        raise refuse("ผลคดีนี้ไม่ต้องชดใช้เงินกองทุน ไม่ต้องระบุจำนวนเงิน",
                     "This result requires no repayment: leave the amount empty", "repayment_amount")
    engagement.result, engagement.result_on, engagement.result_note = result, day, text
    engagement.repayment_required, engagement.repayment_amount = rule.repayment_required, repay
    engagement.save(update_fields=["result", "result_on", "result_note", "repayment_required", "repayment_amount"])
    record("lawyer_case_result", actor=actor, object_type="engagement", object_id=str(engagement.pk),
           reference=req.number, details={"result": result, "repayment": str(repay) if repay else None})
    return engagement
