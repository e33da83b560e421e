"""Registry answers in words, for people: every fact a registry check stores (``RegistryCheck.facts``)
gets a label and a value in Thai (English when the page is in English), places by name, dates in
the Buddhist era, yes/no facts as sentences, record lists as tables, and a mismatch as "typed X,
the registry says Y" with what to do about it. No raw key or code reaches a page.

``LABELS`` names every fact key of every check kind (``jfs.exchange.services.check_*``) and
``RECORD_COLUMNS`` every key of a record in a list; the tests hold both to the checks' answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import geothai
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from jfs.exchange import models as m
from jfslib import thaidate

Text = str | Promise

#: kind → fact key → label (every key a check stores; ``records`` is the list shown as a table)
LABELS: dict[str, dict[str, Text]] = {
    m.KIND_IDENTITY: {
        "identity_verified": _("ยืนยันตัวตน"),
        "method": _("วิธีตรวจสอบ"),
        "card_status": _("สถานะบัตรประจำตัวประชาชน"),
        # kept for a mismatch only: what the registry holds for a field that differs
        "registry_first_name": _("ชื่อตามทะเบียนราษฎร"),
        "registry_last_name": _("นามสกุลตามทะเบียนราษฎร"),
        "registry_birth_date": _("วันเกิดตามทะเบียนราษฎร"),
    },
    m.KIND_ADDRESS: {
        "house_no": _("บ้านเลขที่"),
        "subdistrict_code": _("ตำบล/แขวง"),
        "district_code": _("อำเภอ/เขต"),
        "province_code": _("จังหวัด"),
        "moved_in_on": _("ย้ายเข้าเมื่อ"),
        "same_as_application": _("เทียบกับที่อยู่ที่กรอกไว้"),
    },
    m.KIND_WELFARE: {
        "welfare_card": _("บัตรสวัสดิการแห่งรัฐ"),
        "income_band": _("รายได้ต่อปีตามการลงทะเบียน"),
        "registration_round": _("รอบการลงทะเบียน"),
    },
    m.KIND_HOUSEHOLD: {
        "vulnerability_level": _("ระดับความเปราะบางของครัวเรือน"),
        "household_size": _("จำนวนสมาชิกในครัวเรือน"),
        "assessed_on": _("สำรวจเมื่อ"),
    },
    m.KIND_DISABILITY: {
        "disability_registered": _("การจดทะเบียนคนพิการ"),
        "disability_type": _("ประเภทความพิการ"),
        "disability_type_name": _("ประเภทความพิการ"),
        "card_expiry": _("บัตรประจำตัวคนพิการหมดอายุ"),
        "card_valid": _("บัตรประจำตัวคนพิการ"),
    },
    m.KIND_ARRESTS: {"count": _("จำนวนรายการ"), "records": _("ประวัติการจับกุม")},
    m.KIND_COURT_CASES: {"count": _("จำนวนรายการ"), "records": _("คดีในศาล")},
    m.KIND_DETENTION: {
        "count": _("จำนวนรายการ"),
        "records": _("ประวัติการควบคุมตัว"),
        "detained_now": _("การควบคุมตัวขณะนี้"),
        "pretrial_without_bail": _("การขังระหว่างพิจารณา"),
    },
    m.KIND_PROBATION: {
        "count": _("จำนวนรายการ"),
        "records": _("ประวัติการคุมประพฤติ"),
        "on_probation_now": _("การคุมประพฤติขณะนี้"),
    },
}

#: kind → the columns of its record table: key → heading
RECORD_COLUMNS: dict[str, dict[str, Text]] = {
    m.KIND_ARRESTS: {"arrested_on": _("วันที่จับกุม"), "agency": _("หน่วยงาน"), "charge": _("ข้อหา")},
    m.KIND_COURT_CASES: {
        "court": _("ศาล"), "case_number": _("หมายเลขคดี"), "case_kind": _("ประเภทคดี"),
        "status": _("สถานะคดี"), "filed_on": _("วันที่ยื่นฟ้อง"),
    },
    m.KIND_DETENTION: {
        "place": _("สถานที่ควบคุมตัว"), "since": _("ตั้งแต่"),
        "pretrial_without_bail": _("ขังระหว่างพิจารณาโดยไม่ได้ประกันตัว"), "released_on": _("ปล่อยตัวเมื่อ"),
    },
    m.KIND_PROBATION: {"office": _("สำนักงานคุมประพฤติ"), "since": _("ตั้งแต่"), "until": _("ถึง"), "status": _("สถานะ")},
}

#: yes/no facts as sentences: key → (when true, when false)
SENTENCES: dict[str, tuple[Text, Text]] = {
    "identity_verified": (_("ยืนยันตัวตนกับทะเบียนราษฎรแล้ว"), _("ยังยืนยันตัวตนกับทะเบียนราษฎรไม่ได้")),
    "same_as_application": (_("ที่อยู่ตามทะเบียนบ้านตรงกับที่กรอกไว้"), _("ที่อยู่ตามทะเบียนบ้านไม่ตรงกับที่กรอกไว้")),
    "welfare_card": (_("มีบัตรสวัสดิการแห่งรัฐ"), _("ไม่มีบัตรสวัสดิการแห่งรัฐ")),
    "disability_registered": (_("จดทะเบียนคนพิการแล้ว"), _("ไม่ได้จดทะเบียนคนพิการ")),
    "card_valid": (_("บัตรประจำตัวคนพิการยังใช้ได้"), _("บัตรประจำตัวคนพิการหมดอายุหรือไม่มีบัตร")),
    "detained_now": (_("ขณะนี้ถูกควบคุมตัวอยู่"), _("ขณะนี้ไม่ได้ถูกควบคุมตัว")),
    "pretrial_without_bail": (_("ถูกขังระหว่างพิจารณาโดยยังไม่ได้ประกันตัว"), _("ไม่ได้ถูกขังระหว่างพิจารณาโดยไม่ได้ประกันตัว")),
    "on_probation_now": (_("ขณะนี้อยู่ระหว่างการคุมประพฤติ"), _("ขณะนี้ไม่ได้อยู่ระหว่างการคุมประพฤติ")),
}

#: coded values in words: key → code → words
VALUES: dict[str, dict[str, Text]] = {
    "method": {"laser_code": _("ตรวจเลขหลังบัตร (laser code) กับกรมการปกครอง"),
               "linkage_profile": _("เทียบชื่อและวันเกิดกับทะเบียนราษฎร")},
    "card_status": {"normal": _("บัตรใช้ได้"), "ok": _("บัตรใช้ได้"),
                    "data_mismatch": _("ชื่อหรือวันเกิดไม่ตรงกับบัตร"),
                    "laser_not_found": _("ไม่พบเลขหลังบัตรนี้"),
                    "card_void": _("บัตรถูกยกเลิก (หลังย้ายที่อยู่)"),
                    "not_valid": _("บัตรใช้ไม่ได้")},
    "income_band": {"<=30000": _("ไม่เกิน 30,000 บาทต่อปี"), "30001-100000": _("30,001–100,000 บาทต่อปี"),
                    ">100000": _("เกิน 100,000 บาทต่อปี")},
    "case_kind": {"civil": _("คดีแพ่ง"), "criminal": _("คดีอาญา"), "administrative": _("คดีปกครอง"),
                  "labour": _("คดีแรงงาน"), "other": _("คดีอื่น")},
    "status": {"pending": _("อยู่ระหว่างพิจารณา"), "decided": _("ศาลตัดสินแล้ว"), "appeal": _("อยู่ระหว่างอุทธรณ์"),
               "active": _("อยู่ระหว่างคุมประพฤติ"), "completed": _("พ้นการคุมประพฤติแล้ว")},
    "disability_type": {"1": _("ความพิการทางการเห็น"), "2": _("ความพิการทางการได้ยินหรือสื่อความหมาย"),
                        "3": _("ความพิการทางการเคลื่อนไหวหรือทางร่างกาย"), "4": _("ความพิการทางจิตใจหรือพฤติกรรม"),
                        "5": _("ความพิการทางสติปัญญา"), "6": _("ความพิการทางการเรียนรู้"),
                        "7": _("ความพิการทางออทิสติก")},
}

#: what "not found" means, per kind
NOT_FOUND: dict[str, Text] = {
    m.KIND_IDENTITY: _("ไม่พบเลขประจำตัวประชาชนนี้ในทะเบียนราษฎร ตรวจสอบเลขกับบัตรของผู้ขอรับความช่วยเหลือ"),
    m.KIND_ADDRESS: _("ไม่พบที่อยู่ตามทะเบียนบ้านของเลขประจำตัวประชาชนนี้"),
    m.KIND_WELFARE: _("ไม่ได้ขึ้นทะเบียนบัตรสวัสดิการแห่งรัฐ (ไม่พบในทะเบียน)"),
    m.KIND_HOUSEHOLD: _("ไม่พบครัวเรือนใน MSO Logbook (ยังไม่ได้รับการสำรวจ) จึงยังไม่ทราบระดับความเปราะบาง"),
    m.KIND_DISABILITY: _("ไม่ได้จดทะเบียนคนพิการ (ไม่พบในทะเบียน)"),
}
#: a justice-records list with no rows
NO_RECORDS: dict[str, Text] = {
    m.KIND_ARRESTS: _("ไม่พบประวัติการจับกุม"),
    m.KIND_COURT_CASES: _("ไม่พบคดีในศาล"),
    m.KIND_DETENTION: _("ไม่พบประวัติการควบคุมตัว"),
    m.KIND_PROBATION: _("ไม่พบประวัติการคุมประพฤติ"),
}

#: why a check has no answer yet (``RegistryCheck.last_error``)
ERRORS: dict[str, Text] = {
    "timeout": _("ทะเบียนไม่ตอบภายในเวลาที่กำหนด"),
    "connection": _("เชื่อมต่อกับทะเบียนไม่ได้"),
    "malformed": _("คำตอบของทะเบียนอ่านไม่ได้"),
    "partial": _("คำตอบของทะเบียนไม่ครบ"),
    "circuit_open": _("พักการเรียกทะเบียนชั่วคราวเพราะขัดข้องต่อเนื่อง"),
    "auth_failed": _("ยืนยันสิทธิ์กับศูนย์แลกเปลี่ยนข้อมูลไม่สำเร็จ"),
}
_ERROR_OTHER = _("ระบบทะเบียนขัดข้อง")

#: the applicant's fields a mismatch names, with their labels
MISMATCH_LABELS: dict[str, Text] = {
    "first_name": _("ชื่อ"), "last_name": _("นามสกุล"), "birth_date": _("วันเกิด"),
    "id_card": _("บัตรประจำตัวประชาชน"), "laser_code": _("เลขหลังบัตร (laser code)"),
    "house_no": _("บ้านเลขที่"), "subdistrict_code": _("ตำบล/แขวง"), "district_code": _("อำเภอ/เขต"),
    "province_code": _("จังหวัด"),
}
ADVICE = _("ตรวจสอบกับผู้ขอรับความช่วยเหลือแล้วแก้ไขข้อมูลคำขอ")

#: the status badge of a check: status → css tone
TONES = {
    m.STATUS_VERIFIED: "ok", m.STATUS_MISMATCH: "warn", m.STATUS_NOT_FOUND: "neutral",
    m.STATUS_PENDING: "pending", m.STATUS_FAILED: "error",
}


@dataclass
class Row:
    label: Text
    value: Text


@dataclass
class Table:
    caption: Text
    headers: list[Text]
    rows: list[list[Text]]


@dataclass
class Mismatch:
    label: Text
    typed: str
    registry: str  # "" when the registry's value is not kept (identity: names and birth date)


@dataclass
class CheckView:
    """One registry check for reading."""

    check: m.RegistryCheck
    kind: Text
    registry: Text
    status: Text
    tone: str
    sentences: list[Text] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    table: Table | None = None
    mismatches: list[Mismatch] = field(default_factory=list)
    advice: Text = ""
    waiting: Text = ""  # why a pending check has no answer yet, and when it is tried again

    @property
    def pending(self) -> bool:
        return self.check.status == m.STATUS_PENDING


def _en() -> bool:
    return (translation.get_language() or "th").startswith("en")


def be_date(value: Any) -> str:
    """An ISO date (as the checks store it) in the Buddhist era; '–' when absent."""
    if not value:
        return "–"
    try:
        d = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        return "–"
    return thaidate.format_en(d) if _en() else thaidate.format_thai(d)


def place(kind: str, code: Any) -> str:
    """A province, district or subdistrict code by name."""
    code = str(code or "")
    lookup: Mapping[str, Callable[[str], Any]] = {
        "province_code": geothai.province, "district_code": geothai.district, "subdistrict_code": geothai.subdistrict,
    }
    found = lookup[kind](code) if code else None
    if found is None:
        return _g("ไม่ทราบชื่อ (รหัส %(code)s)") % {"code": code} if code else "–"
    return str(found.name_en if _en() else found.name_th)


def address_line(house_no: Any, subdistrict_code: Any) -> str:
    """House number and the place names of a subdistrict, as the applicant panel shows an address."""
    sub = geothai.subdistrict(str(subdistrict_code or ""))
    parts = [str(house_no or "").strip()]
    a = geothai.address(sub.code) if sub is not None else None
    if a is not None:
        parts += [str(p.name_en if _en() else p.name_th) for p in (a.subdistrict, a.district, a.province)]
    return " ".join(p for p in parts if p) or "–"


def value_text(key: str, value: Any) -> str:
    """One fact's value in words."""
    if value is None or value == "":
        return "–"
    if key in SENTENCES and isinstance(value, bool):
        return str(SENTENCES[key][0 if value else 1])
    if isinstance(value, bool):
        return _g("ใช่") if value else _g("ไม่ใช่")
    if key in ("subdistrict_code", "district_code", "province_code"):
        return place(key, value)
    if key.endswith(("_on", "birth_date")) or key in ("since", "until", "card_expiry"):
        return be_date(value)
    if key in VALUES:
        return str(VALUES[key].get(str(value), value))
    if key == "vulnerability_level":
        return _g("ระดับ %(level)s (จาก 0–3 ระดับ 0 คือไม่เปราะบาง)") % {"level": value}
    if key == "household_size":
        return _g("%(n)s คน") % {"n": value}
    if key == "registration_round":
        return _g("พ.ศ. %(year)s") % {"year": value}
    return str(value)


#: keys shown another way (a sentence, the table, the address line) or not at all
_NOT_A_ROW = {"count", "records", "disability_type_name", "house_no", "subdistrict_code", "district_code",
              "province_code", "registry_first_name", "registry_last_name", "registry_birth_date"}


def present(check: m.RegistryCheck, applicant: Any = None) -> CheckView:
    """``check`` in words; ``applicant`` (the request's ``Person``) gives the typed side of a mismatch."""
    facts: dict[str, Any] = check.facts if isinstance(check.facts, dict) else {}
    view = CheckView(check=check, kind=check.get_kind_display(), registry=check.get_registry_display(),
                     status=check.get_status_display(), tone=TONES.get(check.status, "neutral"))
    if check.status == m.STATUS_PENDING:
        if check.last_error:
            view.waiting = _g("%(why)s ระบบจะลองใหม่ %(when)s") % {
                "why": ERRORS.get(check.last_error, _ERROR_OTHER), "when": _when(check.next_attempt_at)}
        return view
    if check.status == m.STATUS_FAILED:
        view.waiting = str(ERRORS.get(check.last_error, _ERROR_OTHER))
        return view
    if check.status == m.STATUS_NOT_FOUND and check.kind in NOT_FOUND:
        view.sentences.append(NOT_FOUND[check.kind])
        return view
    labels = LABELS.get(check.kind, {})
    for key, value in facts.items():
        if key in SENTENCES and isinstance(value, bool) and key != "pretrial_without_bail":
            view.sentences.append(SENTENCES[key][0 if value else 1])
        elif key == "pretrial_without_bail" and value:
            view.sentences.append(SENTENCES[key][0])
        elif key not in _NOT_A_ROW and key in labels and key != "pretrial_without_bail":
            view.rows.append(Row(labels[key], value_text(key, value)))
    if check.kind == m.KIND_DISABILITY and facts.get("disability_type"):
        # the registry's own name of the type when it gives one, else ours
        for row in view.rows:
            if row.label == labels["disability_type"]:
                row.value = str(facts.get("disability_type_name") or row.value)
    if check.kind == m.KIND_ADDRESS:
        view.rows.insert(0, Row(_("ที่อยู่ตามทะเบียนบ้าน"), address_line(facts.get("house_no"), facts.get("subdistrict_code"))))
    if check.kind in RECORD_COLUMNS:
        records = [r for r in facts.get("records") or [] if isinstance(r, dict)]
        if records:
            cols = RECORD_COLUMNS[check.kind]
            view.table = Table(labels["records"], list(cols.values()),
                               [[value_text(k, r.get(k)) for k in cols] for r in records])
        else:
            view.sentences.insert(0, NO_RECORDS[check.kind])
    if check.status == m.STATUS_MISMATCH:
        view.mismatches = [_mismatch(name, facts, applicant) for name in check.mismatch_fields or []]
        view.advice = ADVICE
    return view


def _when(value: Any) -> str:
    if not value:
        return ""
    local = timezone.localtime(value)
    return f"{be_date(local.date())} {local:%H:%M}"


def _typed(name: str, applicant: Any) -> str:
    if applicant is None:
        return "–"
    value = getattr(applicant, name, None)
    if name == "birth_date":
        return be_date(value)
    if name in ("subdistrict_code", "district_code", "province_code"):
        return place(name, value)
    if name in ("id_card", "laser_code"):
        return _g("บัตรที่ผู้ขอรับความช่วยเหลือแสดง")
    return str(value or "–")


def _mismatch(name: str, facts: Mapping[str, Any], applicant: Any) -> Mismatch:
    registry = ""
    if facts.get(f"registry_{name}"):  # identity: the registry's name or birth date
        registry = value_text(name, facts[f"registry_{name}"])
    elif name in facts:
        registry = value_text(name, facts[name])
    elif name == "id_card":
        registry = str(VALUES["card_status"]["card_void"])
    elif name == "laser_code" and facts.get("card_status"):
        registry = value_text("card_status", facts["card_status"])
    return Mismatch(MISMATCH_LABELS.get(name, _("ข้อมูลอื่น")), _typed(name, applicant), registry)


def present_all(checks: list[m.RegistryCheck], applicant: Any = None) -> list[CheckView]:
    return [present(c, applicant) for c in checks]
