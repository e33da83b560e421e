"""The auditor's search over the audit log (read-only)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from jfs.accounts.http import StaffRequest
from jfs.audit import selectors as audit_selectors
from jfs.audit.services import record
from jfs.staff.access import roles_required
from jfslib import roles, thaidate

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

#: every action the system records, with the words the auditor reads (a test checks that every
#: action recorded anywhere in the code is here)
ACTIONS: dict[str, StrOrPromise] = {
    "create": _("ลงทะเบียนคำขอ"),
    "update": _("แก้ไขข้อมูลคำขอ"),
    "transition": _("ดำเนินการตามขั้นตอน"),
    "view_personal_data": _("เปิดดูข้อมูลส่วนบุคคล"),
    "document_upload": _("อัปโหลดเอกสาร"),
    "login": _("เข้าสู่ระบบ"),
    "login_failed": _("เข้าสู่ระบบไม่สำเร็จ"),
    "escalate": _("แจ้งหัวหน้าเมื่อเกินกำหนด"),
    "data_exchange": _("ตรวจสอบกับทะเบียนราชการ"),
    "audit_search": _("ค้นบันทึกการตรวจสอบ"),
    "account_locked": _("ระงับการเข้าสู่ระบบชั่วคราว"),
    "lockout_lifted": _("ปลดการระงับการเข้าสู่ระบบ"),
    "activation_code_issued": _("ออกรหัสเปิดใช้งาน"),
    "totp_enrolled": _("ตั้งค่าแอปยืนยันตัวตน"),
    "admin_change": _("แก้ไขในหน้าผู้ดูแลระบบ"),
    "api_token_issued": _("ออกโทเค็น API"),
    "api_token_revoked": _("เพิกถอนโทเค็น API"),
    "personal_data_export": _("ส่งออกข้อมูลส่วนบุคคล"),
    "report_export": _("ส่งออกรายงาน"),
    "committee_appointment": _("แต่งตั้งกรรมการ"),
    "meeting_scheduled": _("นัดประชุม"),
    "agenda_built": _("จัดระเบียบวาระการประชุม"),
    "meeting_attendance": _("บันทึกการเข้าประชุม"),
    "meeting_opened": _("เปิดประชุม"),
    "conflict_declared": _("แจ้งส่วนได้เสีย"),
    "vote_cast": _("ลงมติ"),
    "decision": _("บันทึกผลการพิจารณา"),
    "urgent_decision_acknowledged": _("ที่ประชุมรับทราบผลการพิจารณากรณีเร่งด่วน"),
    "meeting_closed": _("ปิดประชุม"),
    "minutes_approved": _("รับรองรายงานการประชุม"),
    "letter_generated": _("ออกหนังสือแจ้งผลการพิจารณา"),
    "minutes_downloaded": _("ดาวน์โหลดรายงานการประชุม"),
    "ledger_posting": _("บันทึกรายการบัญชี"),
    "fiscal_year_closed": _("ปิดปีงบประมาณ"),
    "bail_record_opened": _("เปิดเรื่องประกันตัว"),
    "bail_order": _("บันทึกคำสั่งเกี่ยวกับการปล่อยชั่วคราว"),
    "bail_deposit": _("วางเงินประกัน"),
    "bail_hearing_scheduled": _("นัดวันนัดพิจารณาคดี"),
    "bail_appearance": _("บันทึกการมาศาลตามนัด"),
    "bail_hearing_reminder": _("แจ้งเตือนวันนัดศาล"),
    "bail_return": _("รับเงินประกันคืน"),
    "bail_absconded": _("บันทึกการผิดสัญญาประกัน"),
    "bail_tracing": _("บันทึกการติดตามตัว"),
    "bail_civil_suit": _("ฟ้องคดีแพ่งเรียกเงินคืน"),
    "bail_judgement": _("บันทึกคำพิพากษาคดีแพ่ง"),
    "bail_repayment_plan": _("ทำแผนผ่อนชำระหนี้"),
    "bail_instalment_paid": _("รับชำระหนี้งวด"),
    "bank_file_imported": _("นำเข้ารายการรับชำระจากธนาคาร"),
    "bail_written_off": _("ตัดหนี้สูญ"),
    "lawyer_registered": _("ขึ้นทะเบียนทนายความ"),
    "lawyer_activated": _("เปิดใช้รายชื่อทนายความ"),
    "lawyer_deactivated": _("ระงับรายชื่อทนายความ"),
    "lawyer_conflict_declared": _("บันทึกส่วนได้เสียของทนายความ"),
    "lawyer_engaged": _("แต่งตั้งทนายความในคดี"),
    "lawyer_milestone_reported": _("รับรายงานผลการดำเนินคดีของทนายความ"),
    "lawyer_case_result": _("บันทึกผลคดี"),
    "grant_assessed": _("ประเมินข้อเสนอโครงการ"),
    "grant_agreement": _("ทำสัญญารับทุน"),
    "grant_progress_report": _("รับรายงานความก้าวหน้าโครงการ"),
    "grant_instalment_paid": _("จ่ายเงินอุดหนุนงวด"),
    "grant_final_report": _("รับรายงานผลการดำเนินโครงการ"),
    "grant_return": _("รับคืนเงินอุดหนุนคงเหลือ"),
    "grant_closed": _("ปิดโครงการ"),
    # the citizens' e-Service portal
    "citizen_sign_in": _("ประชาชนเข้าสู่ระบบบริการออนไลน์"),
    "citizen_sign_in_refused": _("ปฏิเสธการเข้าสู่ระบบของประชาชน"),
    "citizen_code_sent": _("ส่งรหัสผ่านครั้งเดียว"),
    "portal_access_refused": _("ประชาชนเปิดรายการที่ไม่ใช่ของตน (ปฏิเสธ)"),
    "application_start": _("เริ่มร่างคำขอออนไลน์"),
    "application_consent": _("ให้ความยินยอมตามประกาศความเป็นส่วนตัว"),
    "application_upload": _("แนบเอกสารในคำขอออนไลน์"),
    "application_submit": _("ยื่นคำขอออนไลน์"),
    "message_sent": _("ส่งข้อความเกี่ยวกับคำขอ"),
    "survey_answered": _("ตอบแบบสอบถามความพึงพอใจ"),
    "complaint_file": _("ยื่นเรื่องร้องเรียน"),
    "complaint_escalate": _("แจ้งหัวหน้าสำนักงานเรื่องร้องเรียนเกินกำหนด"),
    "appointment_book": _("จองนัดปรึกษากฎหมาย"),
    "appointment_cancel": _("ยกเลิกนัดปรึกษากฎหมาย"),
}
#: the search's parameters; anything else in the query string is ignored (and not recorded)
FIELDS = ("reference", "actor", "action", "from", "to")
#: the two dates' names in each language, before the date's own error
DATE_LABELS = {"from": ("วันที่เริ่มต้น", "From date"), "to": ("วันที่สิ้นสุด", "To date")}


def _clean(params: dict[str, str]) -> dict[str, str]:
    """The search's parameters without NUL (PostgreSQL refuses it in text and in JSON) or outer spaces,
    as in ``jfs.cases.selectors.apply_filters``: used for filtering, for the audit record and for the form."""
    return {k: v.replace("\x00", "").strip() for k, v in params.items() if k in FIELDS}


def _in_language(th: str, en: str) -> str:
    return en if translation.get_language() == "en" else th


def _day(text: str) -> tuple[date | None, str]:
    """The B.E. date typed, or the reason it is not one (impossible date, C.E. year, wrong format)."""
    try:
        return thaidate.parse_date(text, era="BE"), ""
    except thaidate.DateInputError as exc:
        return None, exc.message(translation.get_language())


def _moment(d: date, end: bool = False) -> datetime:
    return timezone.make_aware(datetime.combine(d, time.max if end else time.min))


@require_GET
@roles_required(roles.AUDITOR, roles.ADMINISTRATOR)
def audit_search(request: StaffRequest) -> HttpResponse:
    p = _clean(request.GET.dict())
    errors = []
    if p.get("action") and p["action"] not in ACTIONS:
        errors.append(_in_language(f"ไม่รู้จักการกระทำ “{p['action']}” จึงค้นทุกการกระทำ",
                                   f"Unknown action “{p['action']}”: searched every action"))
    days: dict[str, date] = {}
    for name in ("from", "to"):
        if not p.get(name):
            continue
        day, problem = _day(p[name])
        if day is None:
            th, en = DATE_LABELS[name]
            errors.append(f"{_in_language(th, en)}: {problem}")
        else:
            days[name] = day
    if "from" in days and "to" in days and days["from"] > days["to"]:
        errors.append(_in_language("วันที่เริ่มต้นอยู่หลังวันที่สิ้นสุด จึงไม่พบรายการ",
                                   "The from date is after the to date, so nothing can match"))
    qs = audit_selectors.search(
        reference=p.get("reference", ""), actor=p.get("actor", ""),
        action=p["action"] if p.get("action") in ACTIONS else "",
        since=_moment(days["from"]) if "from" in days else None,
        until=_moment(days["to"], end=True) if "to" in days else None,
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page", "").replace("\x00", ""))
    for event in page:
        event.action_label = ACTIONS.get(event.action, event.action)  # type: ignore[attr-defined]
    record("audit_search", actor=request.user, object_type="audit", details=p)
    return render(request, "staff/audit.html", {"page": page, "params": p, "actions": ACTIONS, "errors": errors})
