"""Project grants (กทย.4): every write and its rules. Pages and the API call these functions.

- **Assessment** (``assess``): the case officer of the request's office scores each criterion of
  ``governance/grants.yaml`` 1–5 with a note and recommends, while the request is in fact-finding or
  the officer's opinion (before the decision); the committee reads it (``selectors.assessment_of``).
- **Agreement** (``make_agreement``): once the project is approved (its budget lines committed by the
  decision, ``finance.Commitment``), the case officer records the signed agreement: number, dates,
  the project's period, who signed for the organisation, and the instalment schedule. Its total is
  what was approved and committed; the instalments add up to no more than that. Instalment 1 is
  payable on signature; instalment *n* waits for progress report *n − 1*.
- **Money across budget lines.** A project's approval commits each budget line (``line-1``, ``line-2``,
  …) on its own. An instalment is split pro rata over the lines' commitments when the agreement is
  made (``InstalmentShare``; the largest line takes the rounding, and the last instalment of a
  schedule that pays the whole total pays every line exactly what is left), and paid as one
  disbursement per line (``finance.services.disburse``) in one transaction, each with the key
  ``<instalment key>/<line>``: a double submit posts once, a refusal on any line writes nothing.
  A return of unspent money is split over the lines by what each was paid (net of earlier returns)
  and received per line (``finance.services.receive_return``) the same way.
- **Reports**: progress reports (numbered) and the final report (outputs, people reached, total
  spent), each with its document of the request (``progress_report`` / ``final_report``).
- **Closing** (``close_grant``): after the final report, once the unspent money (paid less spent) is back.

Who: the case officers of the request's office (central officers: any office) assess, record the
agreement and the reports and close; the finance officers of the office pay instalments and receive
returns (``jfs.finance.services`` checks the same). Executives and auditors read.
"""

from __future__ import annotations

import contextvars
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse

from jfs.accounts.models import User
from jfs.audit.services import record
from jfs.cases import services as case_services
from jfs.cases.errors import Conflict, InvalidInput, NotPermitted, field_error
from jfs.cases.models import Document, Request
from jfs.core import clock
from jfs.core.models import Notification
from jfs.finance import services as ledger
from jfs.grants import models as m
from jfs.grants import rules as grant_rules
from jfs.grants import selectors
from jfs.grants.matching import name_key, registration_key
from jfslib import roles

SERVICE = "PROJECT"
#: states in which the proposal is assessed (before the decision)
ASSESSING = frozenset({"fact_finding", "opinion"})
#: states in which an approved project's agreement is made
AFTER_APPROVAL = frozenset({"decided", "notified", "follow_up"})
MAX_INSTALMENTS = 12
CENT = Decimal("0.01")


class GrantRefused(InvalidInput):
    code = "grant_refused"


def refuse(field: str, th: str, en: str) -> GrantRefused:
    return GrantRefused(th, en, errors=[field_error(field, th, en)])


@dataclass(frozen=True)
class PlannedInstalment:
    """One row of the schedule typed into the agreement: an amount, and for instalments after the
    first the day their progress report is due (optional)."""

    amount: Any
    report_due: date | None = None


# --------------------------------------------------------------------------- helpers


def _money(value: Any, field: str, *, zero: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise refuse(field, "จำนวนเงินต้องเป็นตัวเลข", "The amount must be a number of baht") from None
    if not amount.is_finite() or amount < 0 or (amount == 0 and not zero) or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise refuse(field, "จำนวนเงินต้องมากกว่า 0 และมีทศนิยมไม่เกิน 2 ตำแหน่ง",
                     "The amount must be above 0 with at most 2 decimals")
    if amount >= Decimal("1e12"):
        raise refuse(field, "จำนวนเงินมากเกินไป", "The amount is too large")
    return amount


def _text(value: str | None, field: str, limit: int, *, required: bool, th: str, en: str) -> str:
    text = (value or "").replace("\x00", "").strip()
    if required and not text:
        raise refuse(field, f"กรุณากรอก{th}", f"Enter the {en}")
    if len(text) > limit:
        raise refuse(field, f"{th}ยาวเกิน {limit} ตัวอักษร", f"The {en} is longer than {limit} characters")
    return text


def _not_future(day: date, field: str) -> None:
    if day > clock.today():
        raise refuse(field, "วันที่ต้องไม่เป็นวันในอนาคต", "The date cannot be in the future")


def _project(request_id: int, *, lock: bool = False) -> Request:
    qs = Request.objects.select_related("office")
    if lock:
        qs = qs.select_for_update()
    req = qs.get(pk=request_id)
    if req.service != SERVICE:
        raise InvalidInput("คำขอนี้ไม่ใช่คำขอสนับสนุนโครงการ (กทย.4)", "This request is not a project grant request (JF4)")
    return req


def may_handle(user: User, req: Request) -> bool:
    """A case officer who may act on the request (their office's, or central), while it is open."""
    return (user.role == roles.CASE_OFFICER and case_services.ACT in case_services.allowed(user, req)
            and not req.workflow.states[req.state].terminal)


def may_pay(user: User, req: Request) -> bool:
    """A finance officer of the request's office (or the central office)."""
    return (user.role == roles.FINANCE_OFFICER and user.office_id is not None
            and (user.office_id == req.office_id or bool(user.office and user.office.is_central)))


def _require_officer(actor: User, req: Request) -> None:
    if not may_handle(actor, req):
        raise NotPermitted("เฉพาะเจ้าหน้าที่ผู้รับผิดชอบคดีของสำนักงานบันทึกข้อมูลทุนโครงการได้",
                           "Only the office's case officers record a project grant")


def _require_payer(actor: User, req: Request) -> None:
    if not may_pay(actor, req):
        raise NotPermitted("เฉพาะเจ้าหน้าที่การเงินของสำนักงานจ่ายเงินหรือรับเงินคืนได้",
                           "Only the office's finance officers pay or receive money")


def _agreement(agreement_id: int, *, lock: bool = True) -> m.GrantAgreement:
    qs = m.GrantAgreement.objects.select_related("request", "request__office")
    if lock:
        qs = qs.select_for_update(of=("self",))
    return qs.get(pk=agreement_id)


def _document(req: Request, document_id: int | None, doc_type: str, field: str, used: set[int]) -> Document:
    names = {"progress_report": ("รายงานความก้าวหน้าโครงการ", "progress report"),
             "final_report": ("รายงานผลการดำเนินโครงการ", "final report"),
             "grant_agreement": ("สัญญารับทุน", "grant agreement")}[doc_type]
    doc = Document.objects.filter(pk=document_id, request=req).first() if document_id else None
    if doc is None or doc.doc_type != doc_type:
        raise refuse(field, f"กรุณาเลือกไฟล์{names[0]}ของคำขอนี้ (อัปโหลดในหน้าคำขอก่อน)",
                     f"Choose this request's {names[1]} document (upload it on the request's page first)")
    if doc.quarantined or doc.superseded_by_id is not None:
        raise refuse(field, "เอกสารนี้ถูกกักกันหรือถูกแทนที่แล้ว ใช้ไม่ได้", "This document is quarantined or superseded")
    if doc.pk in used:
        raise refuse(field, "เอกสารนี้ใช้กับรายงานฉบับอื่นแล้ว", "This document belongs to another report already")
    return doc


def split(amount: Decimal, weights: dict[str, Decimal]) -> dict[str, Decimal]:
    """``amount`` over the keys in proportion to ``weights``, in satang: every key but the heaviest
    takes its share rounded down, the heaviest the rest (so the parts add up to ``amount``)."""
    total = sum(weights.values(), Decimal(0))
    if total <= 0:
        return {}
    heaviest = max(weights, key=lambda k: (weights[k], -selectors.line_order(k)[0]))
    out = {k: (amount * w / total).quantize(CENT, rounding=ROUND_DOWN) for k, w in weights.items() if k != heaviest}
    out[heaviest] = amount - sum(out.values(), Decimal(0))
    return {k: out[k] for k in weights}


def plan_shares(amounts: Sequence[Decimal], committed: dict[str, Decimal]) -> list[dict[str, Decimal]]:
    """Each instalment's part per line: pro rata to the lines' commitments; a schedule that pays the
    whole total has its last instalment pay each line exactly what is left. Refused when a part
    would be negative or a line would be paid more than its commitment (amounts too small to split)."""
    plans: list[dict[str, Decimal]] = []
    paid = dict.fromkeys(committed, Decimal(0))
    whole = sum(amounts, Decimal(0)) == sum(committed.values(), Decimal(0))
    for i, amount in enumerate(amounts):
        if whole and i == len(amounts) - 1:
            part = {k: committed[k] - paid[k] for k in committed}
        else:
            part = split(amount, committed)
        if any(v < 0 for v in part.values()) or any(paid[k] + v > committed[k] for k, v in part.items()):
            raise refuse(f"instalments.{i}", "แบ่งงวดเงินตามรายการงบประมาณไม่ได้ กรุณาปรับจำนวนเงินของงวด",
                         "This instalment cannot be split over the budget lines; adjust its amount")
        for k, v in part.items():
            paid[k] += v
        plans.append(part)
    return plans


def _notify_finance(req: Request, subject_th: str, subject_en: str) -> None:
    """Tell the office's finance officers an instalment may be paid (after the write is committed)."""
    link = reverse("staff:grant", args=[req.pk])

    def tell() -> None:
        people = User.objects.filter(role=roles.FINANCE_OFFICER, office_id=req.office_id, is_active=True)
        Notification.objects.bulk_create([
            Notification(recipient=u, kind="grant_instalment_due", subject=subject_th[:300], subject_en=subject_en[:300],
                         body=f"{req.number}", body_en=f"{req.number}", link=link) for u in people])

    transaction.on_commit(tell, robust=True)


# --------------------------------------------------------------------------- assessment


@transaction.atomic
def assess(*, actor: User, request_id: int, scores: dict[str, Any], recommendation: str, summary: str = "",
           expected_version: int | None = None) -> m.Assessment:
    """Score each criterion 1–5 (``scores``: ``{code: {"score": n, "note": ""}}``) and recommend.
    Every problem at once, each on its field (``scores.<code>``, ``recommendation``)."""
    req = _project(request_id, lock=True)
    _require_officer(actor, req)
    if req.state not in ASSESSING:
        raise Conflict("ประเมินข้อเสนอโครงการได้ระหว่างแสวงหาข้อเท็จจริงหรือความเห็นเจ้าหน้าที่ (ก่อนพิจารณา) เท่านั้น",
                       "The proposal is assessed during fact-finding or the officer's opinion, before the decision")
    the_rules = grant_rules.rules()
    errors: list[dict[str, str]] = []
    clean: dict[str, dict[str, Any]] = {}
    raw = scores if isinstance(scores, dict) else {}
    known = {c.code for c in the_rules.criteria}
    for code in sorted(set(raw) - known):
        errors.append(field_error(f"scores.{str(code)[:40]}", "ไม่มีเกณฑ์นี้", "No such criterion"))
    for c in the_rules.criteria:
        row = raw.get(c.code)
        row = row if isinstance(row, dict) else {}
        score = row.get("score")
        note = str(row.get("note") or "").replace("\x00", "").strip()
        if isinstance(score, str) and score.strip().isdigit():
            score = int(score.strip())
        if isinstance(score, bool) or not isinstance(score, int) or score not in grant_rules.SCORES:
            errors.append(field_error(f"scores.{c.code}", f"กรุณาให้คะแนน “{c.th}” 1 ถึง 5",
                                      f"Score “{c.en}” from 1 to 5"))
            continue
        if len(note) > 1000:
            errors.append(field_error(f"scores.{c.code}", f"หมายเหตุของ “{c.th}” ยาวเกิน 1000 ตัวอักษร",
                                      f"The note on “{c.en}” is longer than 1000 characters"))
            continue
        clean[c.code] = {"score": score, "note": note}
    if recommendation not in grant_rules.RECOMMENDATIONS:
        errors.append(field_error("recommendation", "กรุณาเลือกข้อเสนอแนะต่อคณะอนุกรรมการ",
                                  "Choose a recommendation to the committee"))
    text = (summary or "").replace("\x00", "").strip()
    if len(text) > 3000:
        errors.append(field_error("summary", "สรุปความเห็นยาวเกิน 3000 ตัวอักษร", "The summary is longer than 3000 characters"))
    if errors:
        raise GrantRefused("การประเมินยังไม่ครบถ้วน", "The assessment is not complete", errors=errors)
    existing = m.Assessment.objects.select_for_update().filter(request=req).first()
    now = clock.now()
    if existing is None:
        row = m.Assessment.objects.create(request=req, scores=clean, recommendation=recommendation, summary=text,
                                          assessed_by=actor, assessed_at=now)
    else:
        if expected_version is not None and expected_version != existing.version:
            raise Conflict("มีผู้แก้ไขการประเมินนี้ไปแล้ว กรุณาโหลดหน้าใหม่", "Someone changed this assessment meanwhile; reload it")
        existing.scores, existing.recommendation, existing.summary = clean, recommendation, text
        existing.assessed_by, existing.assessed_at, existing.version = actor, now, existing.version + 1
        existing.save()
        row = existing
    record("grant_assessed", actor=actor, object_type="request", object_id=str(req.pk), reference=req.number,
           details={"recommendation": recommendation, "total": sum(v["score"] for v in clean.values())})
    return row


# --------------------------------------------------------------------------- the agreement


@transaction.atomic
def make_agreement(*, actor: User, request_id: int, number: str, signed_on: date, period_start: date,
                   period_end: date, signed_for_grantee: str, instalments: Sequence[PlannedInstalment],
                   document_id: int | None = None) -> m.GrantAgreement:
    """Record the signed agreement of an approved project and its instalment schedule."""
    req = _project(request_id, lock=True)
    _require_officer(actor, req)
    if req.state not in AFTER_APPROVAL:
        raise Conflict("ทำสัญญารับทุนได้หลังมีมติอนุมัติโครงการเท่านั้น", "A grant agreement is made only after the approval")
    if m.GrantAgreement.objects.filter(request=req).exists():
        raise Conflict("โครงการนี้มีสัญญารับทุนแล้ว", "This project has its grant agreement already")
    committed = selectors.committed_lines(req)
    if not committed:
        raise Conflict("ยังไม่มียอดเงินที่อนุมัติและผูกพันสำหรับโครงการนี้", "Nothing is approved and committed for this project")
    number = _text(number, "number", 60, required=True, th="เลขที่สัญญา", en="agreement number")
    who = _text(signed_for_grantee, "signed_for_grantee", 200, required=True, th="ชื่อผู้ลงนามแทนองค์กร",
                en="name of who signed for the organisation")
    _not_future(signed_on, "signed_on")
    if period_end < period_start:
        raise refuse("period_end", "วันสิ้นสุดโครงการต้องไม่ก่อนวันเริ่มโครงการ", "The project cannot end before it starts")
    if period_end > period_start + timedelta(days=3 * 366):
        raise refuse("period_end", "ระยะเวลาโครงการยาวเกิน 3 ปี", "The project's period is longer than 3 years")
    if not instalments:
        raise refuse("instalments", "กรุณากำหนดงวดเงินอย่างน้อย 1 งวด", "Give at least one instalment")
    if len(instalments) > MAX_INSTALMENTS:
        raise refuse("instalments", f"งวดเงินได้ไม่เกิน {MAX_INSTALMENTS} งวด", f"At most {MAX_INSTALMENTS} instalments")
    amounts = [_money(row.amount, f"instalments.{i}") for i, row in enumerate(instalments)]
    total = sum(committed.values(), Decimal(0))
    if sum(amounts, Decimal(0)) > total:
        raise refuse("instalments", f"รวมทุกงวด {sum(amounts, Decimal(0)):,.2f} บาท เกินยอดที่อนุมัติและผูกพัน {total:,.2f} บาท",
                     f"The instalments add up to {sum(amounts, Decimal(0)):,.2f} baht, above the {total:,.2f} baht "
                     "approved and committed")
    for i, row in enumerate(instalments[1:], start=1):
        if row.report_due is not None and not period_start <= row.report_due <= period_end + timedelta(days=366):
            raise refuse(f"instalments.{i}", "วันครบกำหนดส่งรายงานต้องอยู่ในช่วงโครงการ",
                         "The progress report's due date must fall within the project's period")
    plans = plan_shares(amounts, committed)
    details = req.details or {}
    organisation = str(details.get("organisation") or "").strip()[:200]
    registration = str(details.get("organisation_registration_no") or "").strip()[:60]
    document = _document(req, document_id, "grant_agreement", "document_id", set()) if document_id else None
    try:
        with transaction.atomic():
            agreement = m.GrantAgreement.objects.create(
                request=req, number=number, organisation=organisation, registration_no=registration,
                registration_key=registration_key(registration), name_key=name_key(organisation), signed_on=signed_on,
                period_start=period_start, period_end=period_end, total=total, signed_for_grantee=who, signed_by=actor,
                document=document, final_report_due=period_end + timedelta(days=grant_rules.rules().final_report_days),
                created_at=clock.now())
    except IntegrityError:
        raise refuse("number", "เลขที่สัญญานี้ใช้กับสัญญาอื่นแล้ว", "This agreement number is used by another agreement") from None
    for i, (row, amount, plan) in enumerate(zip(instalments, amounts, plans, strict=True), start=1):
        inst = m.Instalment.objects.create(agreement=agreement, sequence=i, amount=amount,
                                           after_report=i - 1 if i > 1 else None,
                                           report_due=row.report_due if i > 1 else None)
        m.InstalmentShare.objects.bulk_create([m.InstalmentShare(instalment=inst, item_key=k, amount=v)
                                               for k, v in plan.items() if v > 0])
    record("grant_agreement", actor=actor, object_type="grant", object_id=str(agreement.pk), reference=req.number,
           details={"number": number, "total": str(total), "instalments": [str(a) for a in amounts]})
    _notify_finance(req, f"ทุนโครงการ {req.number}: งวดที่ 1 พร้อมจ่าย", f"Project grant {req.number}: instalment 1 may be paid")
    return agreement


# --------------------------------------------------------------------------- progress and final reports


def _people(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10_000_000:
        raise refuse(field, "จำนวนผู้ได้รับประโยชน์ต้องเป็นจำนวนเต็ม 0 ถึง 10,000,000",
                     "People reached must be a whole number from 0 to 10,000,000")
    return value


@transaction.atomic
def record_progress_report(*, actor: User, agreement_id: int, received_on: date, period_from: date, period_to: date,
                           activities: str, people_reached: int, spent: Any, document_id: int | None) -> m.ProgressReport:
    """The grantee's progress report, numbered from 1: the instalment that waits for it may be paid."""
    agreement = _agreement(agreement_id)
    req = agreement.request
    _require_officer(actor, req)
    if agreement.status != m.ACTIVE:
        raise Conflict("โครงการนี้ส่งรายงานผลหรือปิดแล้ว", "This project has reported its results or is closed")
    text = _text(activities, "activities", 3000, required=True, th="กิจกรรมที่ดำเนินการ", en="activities carried out")
    _not_future(received_on, "received_on")
    if period_to < period_from:
        raise refuse("period_to", "วันสิ้นสุดของช่วงรายงานต้องไม่ก่อนวันเริ่ม", "The report's period cannot end before it starts")
    reached = _people(people_reached, "people_reached")
    value = _money(spent, "spent", zero=True)
    if value > agreement.total:
        raise refuse("spent", f"ใช้จ่ายสะสมเกินวงเงินทุน {agreement.total:,.2f} บาท",
                     f"Spent so far is above the grant's {agreement.total:,.2f} baht")
    doc = _document(req, document_id, "progress_report", "document_id", selectors.used_documents(agreement))
    sequence = agreement.progress_reports.count() + 1
    report = m.ProgressReport.objects.create(
        agreement=agreement, sequence=sequence, received_on=received_on, period_from=period_from, period_to=period_to,
        activities=text, people_reached=reached, spent=value, document=doc, recorded_by=actor, recorded_at=clock.now())
    record("grant_progress_report", actor=actor, object_type="grant", object_id=str(agreement.pk), reference=req.number,
           details={"sequence": sequence, "people_reached": reached, "spent": str(value)})
    waiting = agreement.instalments.filter(after_report=sequence, paid_on__isnull=True).first()
    if waiting is not None:
        _notify_finance(req, f"ทุนโครงการ {req.number}: งวดที่ {waiting.sequence} พร้อมจ่าย (ได้รับรายงานความก้าวหน้าแล้ว)",
                        f"Project grant {req.number}: instalment {waiting.sequence} may be paid (progress report received)")
    return report


@transaction.atomic
def record_final_report(*, actor: User, agreement_id: int, received_on: date, outputs: str, people_reached: int,
                        total_spent: Any, document_id: int | None) -> m.FinalReport:
    """The final report: outputs, people reached, total spent. On time when received by the due day."""
    agreement = _agreement(agreement_id)
    req = agreement.request
    _require_officer(actor, req)
    if agreement.status != m.ACTIVE or hasattr(agreement, "final_report"):
        raise Conflict("โครงการนี้ส่งรายงานผลการดำเนินโครงการแล้ว", "This project's final report is recorded already")
    text = _text(outputs, "outputs", 3000, required=True, th="ผลผลิตของโครงการ", en="outputs")
    _not_future(received_on, "received_on")
    reached = _people(people_reached, "people_reached")
    value = _money(total_spent, "total_spent", zero=True)
    paid = sum(selectors.paid_per_line(agreement).values(), Decimal(0))
    if value > paid:
        raise refuse("total_spent", f"ใช้จ่ายรวมเกินเงินที่กองทุนจ่ายให้ {paid:,.2f} บาท",
                     f"The total spent is above the {paid:,.2f} baht the fund paid")
    doc = _document(req, document_id, "final_report", "document_id", selectors.used_documents(agreement))
    report = m.FinalReport.objects.create(agreement=agreement, received_on=received_on, outputs=text,
                                          people_reached=reached, total_spent=value, document=doc, recorded_by=actor,
                                          recorded_at=clock.now())
    agreement.status = m.REPORTED
    agreement.save(update_fields=["status"])
    record("grant_final_report", actor=actor, object_type="grant", object_id=str(agreement.pk), reference=req.number,
           details={"people_reached": reached, "total_spent": str(value), "on_time": report.on_time})
    return report


# --------------------------------------------------------------------------- money


def _key(key: str) -> str:
    key = (key or "").replace("\x00", "").strip()
    if not key or len(key) > 60:
        raise refuse("key", "ต้องมีรหัสป้องกันการบันทึกซ้ำ (ไม่เกิน 60 ตัวอักษร)", "An idempotency key (up to 60 characters) is required")
    return key


#: set while ``pay_instalment`` pays: a project's money leaves only as an instalment of its agreement
_THROUGH_INSTALMENT: contextvars.ContextVar[int | None] = contextvars.ContextVar("grant_instalment", default=None)


def grant_payment_check(req: Request, item_key: str, payee: str, amount: Decimal) -> None:
    """A payment check (``jfs.finance.services.register_payment_check``): a project's budget lines are
    paid only as instalments of its grant agreement, after the progress report each one waits for,
    never around it (e.g. from the generic payments page)."""
    if req.service != "PROJECT":
        return
    agreement = m.GrantAgreement.objects.filter(request=req).first()
    if agreement is None or _THROUGH_INSTALMENT.get() != agreement.pk:
        raise ledger.refuse("เงินอุดหนุนโครงการจ่ายเป็นงวดตามสัญญารับทุนเท่านั้น (หน้าทุนโครงการของคำขอ)",
                            "A project's grant is paid only as instalments of its grant agreement (the request's grant page)",
                            "item_key")


@transaction.atomic
def pay_instalment(*, actor: User, instalment_id: int, key: str, on: date, method: str,
                   reference: str = "") -> m.Instalment:
    """Pay an instalment to the organisation: only when the earlier ones are paid and (after the
    first) its progress report is in; one disbursement per budget line. The same key again answers
    the instalment as paid (a double submit posts once); another key for a paid one is refused."""
    key = _key(key)
    inst = m.Instalment.objects.select_for_update().select_related("agreement__request__office").get(pk=instalment_id)
    agreement = inst.agreement
    req = agreement.request
    _require_payer(actor, req)
    if inst.paid_on is not None:
        if inst.paid_key == key:
            return inst
        raise Conflict(f"งวดที่ {inst.sequence} จ่ายไปแล้ว", f"Instalment {inst.sequence} is paid already",
                       errors=[field_error("key", f"งวดที่ {inst.sequence} จ่ายไปแล้ว", f"Instalment {inst.sequence} is paid already")])
    if agreement.status == m.CLOSED:
        raise Conflict("โครงการปิดแล้ว จ่ายเงินไม่ได้", "The grant is closed: nothing more is paid")
    if agreement.instalments.filter(sequence__lt=inst.sequence, paid_on__isnull=True).exists():
        raise refuse("instalment", "ต้องจ่ายงวดก่อนหน้าให้ครบก่อน", "The earlier instalments must be paid first")
    if inst.after_report and not agreement.progress_reports.filter(sequence=inst.after_report).exists():
        raise refuse("instalment", f"งวดที่ {inst.sequence} จ่ายได้เมื่อได้รับรายงานความก้าวหน้าฉบับที่ {inst.after_report} แล้ว",
                     f"Instalment {inst.sequence} is paid only once progress report {inst.after_report} is in")
    _not_future(on, "on_date")
    token = _THROUGH_INSTALMENT.set(agreement.pk)
    try:
        for share in inst.shares.all():
            entry = ledger.disburse(actor=actor, key=f"{key}/{share.item_key}", request_id=req.pk,
                                    item_key=share.item_key, amount=share.amount, on=on, payee=agreement.organisation,
                                    method=method, reference=reference, memo=f"{agreement.number} งวดที่ {inst.sequence}")
            share.entry = entry
            share.save(update_fields=["entry"])
    finally:
        _THROUGH_INSTALMENT.reset(token)
    inst.paid_on, inst.paid_key, inst.method, inst.reference, inst.paid_by = on, key, method, reference.strip()[:100], actor
    inst.save()
    record("grant_instalment_paid", actor=actor, object_type="grant", object_id=str(agreement.pk), reference=req.number,
           details={"sequence": inst.sequence, "amount": str(inst.amount), "key": key})
    return inst


@transaction.atomic
def receive_unspent(*, actor: User, agreement_id: int, key: str, amount: Any, on: date,
                    receipt_number: str) -> m.GrantReturn:
    """Unspent money back from the organisation, with the fund's receipt number: never more than was
    paid (net of earlier returns); split over the lines by what each was paid."""
    key = _key(key)
    agreement = _agreement(agreement_id)
    req = agreement.request
    _require_payer(actor, req)
    existing = m.GrantReturn.objects.filter(key=key).first()
    value = _money(amount, "amount")
    receipt = _text(receipt_number, "receipt_number", 100, required=True, th="เลขที่ใบรับเงิน", en="receipt number")
    if existing is not None:
        if existing.agreement_id == agreement.pk and existing.amount == value and existing.receipt_number == receipt:
            return existing
        raise Conflict("รหัสป้องกันการบันทึกซ้ำนี้ใช้กับรายการอื่นไปแล้ว", "This idempotency key was used for a different posting")
    if agreement.status == m.CLOSED:
        raise Conflict("โครงการปิดแล้ว", "The grant is closed")
    _not_future(on, "on_date")
    paid = selectors.paid_per_line(agreement)
    net = sum(paid.values(), Decimal(0))
    if value > net:
        raise refuse("amount", f"รับคืนได้ไม่เกินที่จ่ายไป {net:,.2f} บาท", f"At most the {net:,.2f} baht paid can come back")
    weights = {k: v for k, v in paid.items() if v > 0}
    parts = {k: v for k, v in split(value, weights).items() if v > 0}
    if any(v > paid[k] for k, v in parts.items()):  # rounding pushed a line over: take it from the lines in turn
        parts, left = {}, value
        for k, v in sorted(weights.items(), key=lambda kv: -kv[1]):
            take = min(v, left)
            if take > 0:
                parts[k] = take
            left -= take
    grant_return = m.GrantReturn.objects.create(agreement=agreement, amount=value, received_on=on, receipt_number=receipt,
                                                key=key, recorded_by=actor, recorded_at=clock.now())
    for item_key, part in parts.items():
        entry = ledger.receive_return(actor=actor, key=f"{key}/{item_key}", request_id=req.pk, item_key=item_key,
                                      amount=part, on=on, reference=receipt, memo=f"{agreement.number} เงินเหลือจ่ายคืน")
        m.ReturnShare.objects.create(grant_return=grant_return, item_key=item_key, amount=part, entry=entry)
    record("grant_return", actor=actor, object_type="grant", object_id=str(agreement.pk), reference=req.number,
           details={"amount": str(value), "receipt": receipt, "key": key})
    return grant_return


def unspent(agreement: m.GrantAgreement) -> Decimal | None:
    """What the organisation still owes back (paid less the final report's total spent), once reported."""
    final = getattr(agreement, "final_report", None)
    if final is None:
        return None
    return max(sum(selectors.paid_per_line(agreement).values(), Decimal(0)) - final.total_spent, Decimal(0))


@transaction.atomic
def close_grant(*, actor: User, agreement_id: int, on: date | None = None) -> m.GrantAgreement:
    """Close the grant: the final report is in and the unspent money is back."""
    agreement = _agreement(agreement_id)
    req = agreement.request
    _require_officer(actor, req)
    if agreement.status == m.CLOSED:
        raise Conflict("โครงการปิดแล้ว", "The grant is closed already")
    owed = unspent(agreement)
    if owed is None:
        raise refuse("close", "ปิดโครงการได้เมื่อได้รับรายงานผลการดำเนินโครงการแล้ว", "A grant is closed after its final report")
    if owed > 0:
        raise refuse("close", f"ยังมีเงินเหลือจ่ายที่ต้องคืนกองทุน {owed:,.2f} บาท", f"{owed:,.2f} baht unspent must come back first")
    agreement.status, agreement.closed_on, agreement.closed_by = m.CLOSED, on or clock.today(), actor
    agreement.save(update_fields=["status", "closed_on", "closed_by"])
    record("grant_closed", actor=actor, object_type="grant", object_id=str(agreement.pk), reference=req.number, details={})
    return agreement
