"""Every write to an online application: start or resume, for whom, consent, one answer at a time,
the registry facts fetched with consent (Once-Only), the office, uploads, the declaration, and the
submission that turns the draft into a request (``jfs.cases.services.create_request``, channel
"online") with its uploads as documents, in one transaction, once (a retry returns the same request).

Errors are bilingual pairs (Thai, English) as in ``jfs.cases.errors``.
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath
from typing import Any

import geothai
from django.conf import settings
from django.db import transaction
from django.db.models import F
from pydantic import ValidationError

from jfs.accounts.models import Office, User
from jfs.applications import notice as notice_mod
from jfs.applications import questions as qs
from jfs.applications.models import (
    ASSURANCE_CHOICES,
    FOR_OTHER,
    FOR_SELF,
    RELATIONSHIP_CHOICES,
    Application,
    ApplicationUpload,
    ChunkedUpload,
)
from jfs.audit.services import record
from jfs.cases import document_safety, service_registry, workflows
from jfs.cases import services as cases
from jfs.cases.details import translate
from jfs.cases.errors import DocumentRejected, InvalidInput, NotPermitted, field_error
from jfs.cases.models import Request
from jfs.core import clock
from jfs.exchange.errors import ExchangeError
from jfs.exchange.gdx import GdxClient, gdx_registries
from jfs.exchange.registries import Registries
from jfs.exchange.wire import be_to_date
from jfslib import roles, thai_id, thai_phone, thaidate

log = logging.getLogger(__name__)

Pair = tuple[str, str]

#: the registry kinds asked before submission, for the citizen's own verified ID (the justice
#: records are asked by the office after submission, with the sensitive-data consent)
PREFETCH_KINDS = ("identity", "address", "welfare", "household", "disability")
#: what the registry consent is recorded under in the audit log
CONSENT_BASIS = "PDPA s.19 (consent)"
#: registry-confirmable documents: the fact (kind) that spares the citizen a copy
CONFIRMED_BY = {"id_card": "identity", "house_registration": "address", "income_proof": "welfare"}
#: a relationship -> the request's representative type (jfs.cases.models.REPRESENTATIVE_CHOICES)
REPRESENTATIVE_TYPE = {"spouse": "spouse", "parent": "legal_representative", "guardian": "legal_representative"}
#: PDF content the cleaning would have to remove: the portal refuses the file instead
ACTIVE_PDF_CONTENT = frozenset(
    {
        document_safety.JAVASCRIPT,
        document_safety.LAUNCH,
        document_safety.OPEN_ACTION,
        document_safety.ADDITIONAL_ACTIONS,
        document_safety.EMBEDDED_FILES,
        document_safety.FILE_ATTACHMENTS,
        document_safety.SUBMIT_FORM,
        document_safety.IMPORT_DATA,
        document_safety.RICH_MEDIA,
        document_safety.XFA,
    }
)
#: the upload's chunks at most this big (bytes)
MAX_CHUNK = 1024 * 1024


class NotFound(Exception):
    """No such draft for this citizen (another citizen's draft is not theirs: the page says 404)."""


def _err(key: str, th: str, en: str) -> dict[str, str]:
    return {"input": key, "th": th, "en": en}


# --------------------------------------------------------------------------- start, for whom, consent


def _require_citizen(actor: User) -> None:
    if not actor.is_authenticated or actor.role != roles.CITIZEN:
        raise NotPermitted("ยื่นคำขอออนไลน์ได้เฉพาะประชาชนที่เข้าสู่ระบบ", "Only a signed-in citizen applies online")


def start(*, actor: User, service: str) -> Application:
    """The citizen's open draft for ``service``, or a new one (one draft per citizen and service)."""
    _require_citizen(actor)
    if not service_registry.exists(service):
        raise InvalidInput("ไม่มีบริการนี้", f"Unknown service {service!r}")
    found = Application.objects.filter(citizen=actor, service=service, request__isnull=True).first()
    if found is not None:
        return found
    now = clock.now()
    app = Application.objects.create(
        citizen=actor, service=service, created_at=now, updated_at=now, position="for_whom"
    )
    record(
        "application_start", actor=actor, object_type="application", object_id=str(app.pk), details={"service": service}
    )
    return app


def _touch(app: Application, *fields: str) -> None:
    app.updated_at = clock.now()
    app.save(update_fields=[*fields, "updated_at"])


def _draft(app: Application) -> None:
    """Only a draft changes: one submitted (perhaps by another tab since this one read it) is closed."""
    if app.request_id is not None or Application.objects.filter(pk=app.pk, request__isnull=False).exists():
        raise InvalidInput("คำขอนี้ยื่นแล้ว แก้ไขไม่ได้", "This application has been submitted and cannot be changed")


def set_position(app: Application, position: str) -> None:
    """Where the citizen is: resuming lands there."""
    if app.position != position and app.request_id is None:
        app.position = position[:60]
        _touch(app, "position")


def set_for_whom(
    app: Application,
    *,
    for_whom: str,
    relationship: str = "",
    relationship_other: str = "",
    representative_name: str = "",
) -> list[dict[str, str]]:
    """Themselves, or someone else with the relationship (and the representative's own name)."""
    _draft(app)
    errors: list[dict[str, str]] = []
    if for_whom not in (FOR_SELF, FOR_OTHER):
        errors.append(
            _err(
                "for_whom",
                "กรุณาเลือกว่ายื่นขอสำหรับตนเองหรือยื่นแทนผู้อื่น",
                "Choose whether you apply for yourself or for someone else",
            )
        )
    if for_whom == FOR_OTHER:
        if relationship not in dict(RELATIONSHIP_CHOICES):
            errors.append(
                _err("relationship", "กรุณาเลือกความเกี่ยวข้องกับผู้ที่ท่านยื่นแทน", "Choose how you are related to the person")
            )
        if relationship == "other" and not relationship_other.strip():
            errors.append(_err("relationship_other", "กรุณาระบุความเกี่ยวข้อง", "Say how you are related"))
        if not representative_name.strip():
            errors.append(
                _err(
                    "representative_name",
                    "กรุณากรอกชื่อ-นามสกุลของท่าน (ผู้ยื่นแทน)",
                    "Enter your own name (the representative)",
                )
            )
    if errors:
        return errors
    changed = app.for_whom and app.for_whom != for_whom
    app.for_whom = for_whom
    app.relationship = relationship if for_whom == FOR_OTHER else ""
    app.relationship_other = relationship_other.strip()[:100] if for_whom == FOR_OTHER else ""
    answers = dict(app.answers)
    if for_whom == FOR_OTHER:
        answers["_representative_name"] = representative_name.strip()[:200]
    else:
        answers.pop("_representative_name", None)
    if changed:  # someone else's facts are not the citizen's: the registry facts fetched are dropped
        app.registry_facts = {}
    app.answers = answers
    _touch(app, "for_whom", "relationship", "relationship_other", "answers", "registry_facts")
    return []


def consent_purposes(service: str) -> list[notice_mod.Purpose]:
    """The notice's purposes the application asks consent for, those this service's checks need."""
    n = notice_mod.load()
    kinds = set(service_registry.get(service).registry_checks)
    wanted = ["registry_check"] + (["criminal_records"] if kinds & notice_mod.CRIMINAL_RECORD_KINDS else [])
    return [p for code in wanted if (p := n.purpose(code)) is not None]


def give_consent(app: Application, *, actor: User, acknowledged: bool, purposes: Iterable[str]) -> list[dict[str, str]]:
    """The notice read (required to go on) and the optional consents given, with the notice's version
    and date; the registries are then asked about the citizen's own verified ID (Once-Only)."""
    _draft(app)
    if not acknowledged:
        return [
            _err(
                "acknowledged", "กรุณายืนยันว่าได้อ่านประกาศความเป็นส่วนตัวแล้ว", "Confirm that you have read the privacy notice"
            )
        ]
    n = notice_mod.load()
    offered = {p.code for p in consent_purposes(app.service)}
    given = sorted(set(purposes) & offered)
    app.consent_processing = True
    app.consent_registry = "registry_check" in given
    app.consent_purposes = given
    app.notice_version, app.notice_date = n.version, n.effective
    app.consented_at = clock.now()
    if not app.consent_registry:
        app.registry_facts = {}
    _touch(
        app,
        "consent_processing",
        "consent_registry",
        "consent_purposes",
        "notice_version",
        "notice_date",
        "consented_at",
        "registry_facts",
    )
    record(
        "application_consent",
        actor=actor,
        object_type="application",
        object_id=str(app.pk),
        details={"notice_version": n.version, "purposes": given},
    )
    if app.consent_registry and app.for_whom == FOR_SELF and actor.national_id:
        fetch_registry_facts(app, actor=actor)
    return []


# --------------------------------------------------------------------------- Once-Only


def _ask(regs: Registries, kind: str, nid: str) -> dict[str, Any] | None:
    """The registry's facts of ``kind`` about ``nid``, or None when it holds no record."""
    if kind == "identity":
        p = regs.population.person(nid)
        if p is None:
            return None
        born = be_to_date(p.be_birth_date)
        return {
            "title": p.title,
            "first_name": p.first_name,
            "last_name": p.last_name,
            "birth_date": born.isoformat() if born else None,
        }
    if kind == "address":
        a = regs.population.address(nid)
        if a is None:
            return None
        return {
            "house_no": a.house_no,
            "province_code": a.province_code,
            "district_code": a.district_code,
            "subdistrict_code": a.subdistrict_code,
        }
    if kind == "welfare":
        w = regs.welfare.welfare_card(nid)
        return None if w is None else {"welfare_card": w.card_holder, "income_band": w.income_band}
    if kind == "household":
        h = regs.household.household(nid)
        return None if h is None else {"vulnerability_level": h.vulnerability_level, "household_size": h.household_size}
    if kind == "disability":
        d = regs.disability.disability(nid)
        return (
            None
            if d is None
            else {"disability_registered": d.registered, "disability_type_name": d.disability_type_name}
        )
    return None


def fetch_registry_facts(app: Application, *, actor: User, registries: Registries | None = None) -> dict[str, Any]:
    """Ask the registries what they hold about the citizen's own ID verified by the digital ID, with
    their consent; each call audited (purpose, basis, result; never the facts). A registry that holds
    nothing, or gives no answer, leaves the fact unknown: the question is asked instead."""
    if not (app.consent_registry and app.for_whom == FOR_SELF and actor.national_id):
        return {}
    kinds = [k for k in service_registry.get(app.service).registry_checks if k in PREFETCH_KINDS]
    facts: dict[str, Any] = {}
    client: GdxClient | None = None
    try:
        if registries is None:
            client = GdxClient()
            registries = gdx_registries(client)
        for kind in kinds:
            result = "not_found"
            try:
                found = _ask(registries, kind, actor.national_id)
            except ExchangeError as exc:
                found, result = None, f"unavailable:{exc.code}"
            except Exception:  # the application goes on: the question is asked instead
                log.exception("registry %s could not be asked for an application", kind)
                found, result = None, "unavailable"
            if found is not None:
                facts[kind], result = found, "found"
            record(
                "data_exchange",
                actor=actor,
                object_type="application",
                object_id=str(app.pk),
                purpose="ยื่นคำขอออนไลน์: ใช้ข้อมูลจากทะเบียนแทนการขอสำเนาเอกสาร (Once-Only)",
                details={
                    "check": kind,
                    "legal_basis": CONSENT_BASIS,
                    "result": result,
                    "notice_version": app.notice_version,
                },
            )
    finally:
        if client is not None:
            client.close()
    app.registry_facts = facts
    app.registry_checked_at = clock.now()
    _touch(app, "registry_facts", "registry_checked_at")
    return facts


REGISTRY: Pair = ("จากทะเบียนราษฎร", "From the civil registry")
DIGITAL_ID: Pair = ("ยืนยันแล้วจากแอป ThaID", "Verified by the ThaID app")


@dataclass(frozen=True)
class Known:
    """An answer a trusted source gave (not asked): its value as an answer, and where it came from."""

    value: Any
    source: Pair


def known_answers(app: Application) -> dict[str, Known]:
    """Answers the citizen is not asked: their verified national ID and name (the digital ID), and
    the facts a registry confirmed (name, birth date, address, household size)."""
    out: dict[str, Known] = {}
    if app.for_whom != FOR_SELF:
        return out
    user = app.citizen
    if user.national_id:
        out["national_id"] = Known(user.national_id, DIGITAL_ID)
        if user.first_name and user.last_name:
            out["name"] = Known({"title": "", "first_name": user.first_name, "last_name": user.last_name}, DIGITAL_ID)
    facts = app.registry_facts or {}
    person = facts.get("identity")
    if person:
        out["name"] = Known({k: person.get(k) or "" for k in ("title", "first_name", "last_name")}, REGISTRY)
        if person.get("birth_date"):
            out["birth_date"] = Known(person["birth_date"], REGISTRY)
    address = facts.get("address")
    if address and geothai.subdistrict(address.get("subdistrict_code") or "") is not None:
        out["province"] = Known(address["province_code"], REGISTRY)
        out["district"] = Known(address["district_code"], REGISTRY)
        out["subdistrict"] = Known(address["subdistrict_code"], REGISTRY)
        out["house_no"] = Known(address.get("house_no") or "", REGISTRY)
    household = facts.get("household")
    if household and household.get("household_size"):
        out["household_size"] = Known(str(household["household_size"]), REGISTRY)
    return out


def documents_confirmed(app: Application) -> set[str]:
    """Documents a registry already confirmed before submission: the citizen need not upload them."""
    facts = app.registry_facts or {}
    out = {doc for doc, kind in CONFIRMED_BY.items() if facts.get(kind)}
    if not (facts.get("welfare") or {}).get("welfare_card"):
        out.discard("income_proof")
    return out


# --------------------------------------------------------------------------- answers


def flow(app: Application) -> qs.Flow:
    return qs.flow(app.service, app.for_whom == FOR_OTHER, app.answers)


def _money(raw: str) -> Decimal:
    value = Decimal(raw.replace(",", "").replace(" ", ""))
    if not value.is_finite():
        raise InvalidOperation
    return value


_BE_YEAR = re.compile(r"^\s*\d{1,2}\s*[/\-.]\s*\d{1,2}\s*[/\-.]\s*(\d{4})\s*$")


def parse_birth_date(raw: str) -> date:
    """A B.E. date as people type it; a C.E. year is caught with the B.E. year it probably means."""
    m = _BE_YEAR.match(raw or "")
    if m and 1800 <= int(m.group(1)) < 2400:
        year = int(m.group(1))
        raise thaidate.DateInputError(
            f"ปีเกิดต้องเป็น พ.ศ. — หมายถึง พ.ศ. {year + 543} ใช่หรือไม่",
            f"The year of birth must be Buddhist era: did you mean B.E. {year + 543}?",
        )
    born = thaidate.parse_date(raw.replace(" ", ""), era="BE", today=clock.today())
    if clock.today().year - born.year > 120:
        raise thaidate.DateInputError("อายุเกิน 120 ปี กรุณาตรวจสอบปี พ.ศ.", "Over 120 years old: check the year")
    return born


def read_value(q: qs.Question, raw: str) -> tuple[Any, list[Pair]]:
    """One input as typed -> the answer to store, or the problems (Thai, English)."""
    raw = (raw or "").strip()
    label_th, label_en = q.label
    if not raw:
        if q.required:
            pick = q.kind in (qs.CHOICE, qs.PLACE)
            return None, [
                (("กรุณาเลือก" if pick else "กรุณากรอก") + label_th, ("Choose: " if pick else "Enter: ") + label_en)
            ]
        return "", []
    if "\x00" in raw:
        return None, [(f"{label_th}: มีอักขระที่ไม่อนุญาต", f"{label_en}: contains a character that is not allowed")]
    if q.kind in (qs.CHOICE, qs.PLACE):
        if raw not in {v for v, _ in q.choices}:
            return None, [(f"กรุณาเลือก{label_th}จากรายการ", f"Choose {label_en} from the list")]
        return raw, []
    if q.kind == qs.NATIONAL_ID:
        try:
            return thai_id.validate(raw), []
        except thai_id.InvalidNationalID as exc:
            return None, [(exc.th, exc.en)]
    if q.kind == qs.DATE_BE:
        try:
            return parse_birth_date(raw).isoformat(), []
        except thaidate.DateInputError as exc:
            return None, [(f"วันเกิด: {exc.th}", f"Date of birth: {exc.en}")]
    if q.kind == qs.PHONE:
        try:
            thai_phone.to_e164(raw)
        except thai_phone.InvalidPhone as exc:
            return None, [(exc.th, exc.en)]
        return raw[:20], []
    if q.kind in (qs.MONEY, qs.INTEGER):
        try:
            value = _money(raw)
        except (InvalidOperation, ValueError):
            return None, [(f"{label_th}ต้องเป็นตัวเลข", f"{label_en} must be a number")]
        if q.kind == qs.INTEGER and value != value.to_integral_value():
            return None, [(f"{label_th}ต้องเป็นจำนวนเต็ม", f"{label_en} must be a whole number")]
        low = q.minimum
        if low is not None and (value < low or (q.exclusive_minimum and value == low)):
            return None, [
                (
                    f"{label_th}ต้อง{'มากกว่า' if q.exclusive_minimum else 'ไม่น้อยกว่า'} {low:,}",
                    f"{label_en} must be {'more than' if q.exclusive_minimum else 'at least'} {low:,}",
                )
            ]
        if q.maximum is not None and value > q.maximum:
            return None, [(f"{label_th}ต้องไม่เกิน {q.maximum:,}", f"{label_en} must be at most {q.maximum:,}")]
        return str(int(value)) if q.kind == qs.INTEGER else str(value.quantize(Decimal("0.01"))), []
    if q.kind == qs.LINES:
        for line in raw.splitlines():
            item, sep, amount = line.rpartition("=")
            try:
                ok = bool(sep and item.strip() and _money(amount) > 0)
            except (InvalidOperation, ValueError):
                ok = False
            if line.strip() and not ok:
                return None, [
                    (
                        f"บรรทัด “{line.strip()[:60]}” ต้องอยู่ในรูป รายการ = จำนวนเงิน",
                        f"The line “{line.strip()[:60]}” must read item = amount",
                    )
                ]
        return raw[:5000], []
    if q.max_length and len(raw) > q.max_length:
        return None, [
            (
                f"{label_th}ยาวได้ไม่เกิน {q.max_length} ตัวอักษร (ตอนนี้ {len(raw)})",
                f"{label_en} may be at most {q.max_length} characters (now {len(raw)})",
            )
        ]
    return raw, []


def lines_value(raw: str) -> list[dict[str, str]]:
    out = []
    for line in (raw or "").splitlines():
        item, sep, amount = line.rpartition("=")
        if sep and item.strip():
            out.append({"item": item.strip(), "amount": str(_money(amount))})
    return out


def _details_value(q: qs.Question, value: Any) -> Any:
    """An answer as the details model takes it (an empty optional answer is its default, None or "")."""
    if q.kind == qs.GROUP:
        return {p.key: _details_value(p, (value or {}).get(p.key, "")) for p in q.parts if (value or {}).get(p.key)}
    if q.kind == qs.LINES:
        return lines_value(str(value or ""))
    if value in (None, ""):
        return "" if q.kind in (qs.TEXT, qs.LONG, qs.NATIONAL_ID) else None
    return value


def _schema_errors(app: Application, q: qs.Question, value: Any) -> list[Pair]:
    """What the service's pydantic schema says of this one field (its own limits and validators)."""
    if q.section != qs.DETAILS:
        return []
    model = service_registry.get(app.service).details
    if q.key not in model.model_fields:
        return []
    try:
        model.__pydantic_validator__.validate_assignment(model.model_construct(), q.key, _details_value(q, value))
    except ValidationError as exc:
        return [translate(e) for e in exc.errors()]
    return []


def answer(app: Application, key: str, posted: Mapping[str, str]) -> list[dict[str, str]]:
    """Record the answer to one question. Refused input is kept with its error (shown again as typed);
    a changed province or district clears the choices that depended on it."""
    _draft(app)
    q = flow(app).get(key)
    if q is None:
        raise InvalidInput("ไม่มีคำถามนี้", f"No question {key!r}")
    problems: list[dict[str, str]] = []
    value: Any
    if q.kind == qs.GROUP:
        value = {}
        for part in q.parts:
            v, errs = read_value(part, posted.get(part.key, ""))
            value[part.key] = v if v is not None else ""
            problems += [_err(part.key, th, en) for th, en in errs]
    else:
        value, errs = read_value(q, posted.get("value", ""))
        problems += [_err("value", th, en) for th, en in errs]
    if not problems:
        first = q.parts[0].key if q.kind == qs.GROUP else "value"
        problems += [_err(first, th, en) for th, en in _schema_errors(app, q, value)]
    answers, errors, stash = dict(app.answers), dict(app.errors), dict(app.stash)
    stash.pop(key, None)
    if problems:
        errors[key] = {
            "raw": {k: str(v)[:5000] for k, v in posted.items() if k != "csrfmiddlewaretoken"},
            "messages": problems,
        }
    else:
        errors.pop(key, None)
        if key in ("province", "district") and answers.get(key) != value:
            for later in ("district", "subdistrict") if key == "province" else ("subdistrict",):
                answers.pop(later, None)
                errors.pop(later, None)
        answers[key] = value
    app.answers, app.errors, app.stash = answers, errors, stash
    _touch(app, "answers", "errors", "stash")
    return problems


def stash_post(app: Application, key: str, posted: Mapping[str, str]) -> None:
    """What was posted after the session expired (``jfs.portal.apply``: the page's signed draft token
    names the draft): kept aside, offered again on the same question after signing in."""
    if app.request_id is not None:
        return
    stash = dict(app.stash)
    stash[key[:60]] = {k: str(v)[:5000] for k, v in posted.items() if k not in ("csrfmiddlewaretoken", "draft")}
    app.stash = stash
    _touch(app, "stash")


def next_question(app: Application) -> str | None:
    """The first question not answered yet (or refused), skipping what a trusted source gave."""
    known = known_answers(app)
    for q in flow(app).questions:
        if q.key in known:
            continue
        if q.key in app.errors or q.key not in app.answers:
            return q.key
    return None


def previous_question(app: Application, key: str) -> str | None:
    known = known_answers(app)
    keys = [k for k in flow(app).keys() if k not in known]
    i = keys.index(key) if key in keys else 0
    return keys[i - 1] if i > 0 else None


# --------------------------------------------------------------------------- office


def default_office(app: Application) -> Office | None:
    """The Provincial Justice Office of the applicant's province, else the central office."""
    province = str(merged_answers(app).get("province") or "")
    return (
        Office.objects.filter(province_code=province, is_central=False).first() if province else None
    ) or Office.objects.filter(is_central=True).first()


def office_of(app: Application) -> Office | None:
    return app.office or default_office(app)


def choose_office(app: Application, code: str) -> list[dict[str, str]]:
    _draft(app)
    found = Office.objects.filter(code=(code or "").strip()[:4]).first()
    if found is None:
        return [_err("office", "กรุณาเลือกสำนักงานจากรายการ", "Choose an office from the list")]
    app.office = found
    _touch(app, "office")
    return []


# --------------------------------------------------------------------------- uploads


def upload_root() -> Path:
    return Path(getattr(settings, "JFS_APPLICATION_UPLOAD_ROOT", settings.DATA_DIR / "application_uploads"))


def documents(app: Application) -> list[dict[str, Any]]:
    """The workflow's documents for the upload page: required ones first, each with what is on file
    and whether it is needed (required, unless a registry confirmed it, or the registry consent lets
    the office check it; the representative's authority is required of a representative)."""
    wf = workflows.get(app.service)
    confirmed = documents_confirmed(app)
    checkable = set(CONFIRMED_BY) if app.consent_registry else set()
    uploads = list(app.uploads.all())
    out = []
    for code, d in wf.documents.items():
        required = d.required or (code == "representative_authority" and app.for_whom == FOR_OTHER)
        if not required and code not in ("other", "representative_authority", "charge_documents", "medical_report"):
            continue  # documents of later steps (receipts, reports, contracts) are not asked now
        status = "confirmed" if code in confirmed else ("checkable" if required and code in checkable else "")
        out.append(
            {
                "code": code,
                "th": d.th,
                "en": d.en,
                "required": required and not status,
                "status": status,
                "files": [u for u in uploads if u.doc_type == code],
            }
        )
    return sorted(out, key=lambda d: (not d["required"], d["status"] != "", d["code"] == "other"))


def check_file(name: str, data: bytes) -> str:
    """The file's real type (sniffed, not its name), or ``DocumentRejected`` in plain Thai: too big,
    empty, not a PDF/JPEG/PNG, a name that lies about the content, unreadable, or a PDF with
    scripts or other active content (refused rather than silently changed)."""
    limit = settings.DOCUMENT_MAX_BYTES
    if len(data) > limit:
        mb = limit / (1024 * 1024)
        raise DocumentRejected(
            f"ไฟล์ใหญ่เกิน {mb:g} MB กรุณาย่อขนาดไฟล์หรือถ่ายภาพใหม่ให้เล็กลง",
            f"The file is larger than {mb:g} MB; make it smaller",
        )
    if not data:
        raise DocumentRejected("ไฟล์ว่างเปล่า กรุณาเลือกไฟล์อีกครั้ง", "The file is empty; choose it again")
    mime = cases.sniff_content_type(data[:8192])
    if mime not in cases.ALLOWED_DOCUMENT_TYPES:
        raise DocumentRejected(
            "รับเฉพาะไฟล์ PDF, JPEG หรือ PNG (ระบบตรวจจากเนื้อไฟล์ ไม่ใช่ชื่อไฟล์) ไฟล์นี้ไม่ใช่เอกสารหรือรูปภาพ",
            "Only PDF, JPEG or PNG files are accepted (checked from the content, not the name)",
        )
    ext = PurePosixPath(name or "").suffix.lower()
    if ext and ext not in cases.DOCUMENT_EXTENSIONS[mime]:
        kind = cases.ALLOWED_DOCUMENT_TYPES[mime].upper()
        raise DocumentRejected(
            f"เนื้อไฟล์เป็น {kind} แต่ชื่อไฟล์ลงท้ายด้วย {ext} ระบบไม่รับไฟล์ที่ชื่อไม่ตรงกับเนื้อไฟล์",
            f"The file's content is {kind} but its name ends in {ext}",
        )
    cleaned = document_safety.clean(data, mime)
    active = set(cleaned.removed) & ACTIVE_PDF_CONTENT
    if active:
        raise DocumentRejected(
            "ไฟล์ PDF นี้มีสคริปต์หรือคำสั่งที่ทำงานเองได้ ระบบไม่รับเพื่อความปลอดภัย กรุณาส่งไฟล์ที่พิมพ์ออกเป็น PDF ใหม่ หรือถ่ายภาพเอกสารแทน",
            "This PDF carries scripts or other active content and is refused; print it to "
            "a new PDF or send a photo of the document instead",
        )
    return mime


def _owned(app: Application, actor: User) -> None:
    """Only the citizen whose draft it is changes its files (the pages check it too; this is the rule)."""
    _require_citizen(actor)
    if app.citizen_id != actor.pk:
        raise NotPermitted("ไม่ใช่คำขอของท่าน", "Not your application")


def add_upload(app: Application, *, actor: User, doc_type: str, name: str, data: bytes) -> ApplicationUpload:
    """A file for the draft, checked now (``check_file``) and kept privately until submission."""
    _owned(app, actor)
    _draft(app)
    if doc_type not in {d["code"] for d in documents(app)}:
        raise DocumentRejected("กรุณาเลือกประเภทเอกสาร", f"Unknown document type {doc_type!r}")
    mime = check_file(name, data)
    storage = f"{uuid.uuid4().hex}.bin"
    root = upload_root()
    root.mkdir(parents=True, exist_ok=True)
    (root / storage).write_bytes(data)
    up = ApplicationUpload.objects.create(
        application=app,
        doc_type=doc_type,
        original_name=(PurePosixPath(name or "file").name or "file")[:255],
        content_type=mime,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_name=storage,
        created_at=clock.now(),
    )
    _touch(app)
    record(
        "application_upload",
        actor=actor,
        object_type="application",
        object_id=str(app.pk),
        details={"doc_type": doc_type, "content_type": mime, "size": len(data)},
    )
    return up


def remove_upload(app: Application, upload_id: int, *, actor: User) -> None:
    """A file taken off the draft (a file of another draft is not found here)."""
    _owned(app, actor)
    _draft(app)
    up = app.uploads.filter(pk=upload_id).first()
    if up is not None:
        (upload_root() / up.storage_name).unlink(missing_ok=True)
        up.delete()
        _touch(app)


def begin_chunked(app: Application, *, actor: User, doc_type: str, name: str, size: int) -> ChunkedUpload:
    """A file that will arrive in pieces (``append_chunk``); its size is checked now."""
    _owned(app, actor)
    _draft(app)
    if doc_type not in {d["code"] for d in documents(app)}:
        raise DocumentRejected("กรุณาเลือกประเภทเอกสาร", f"Unknown document type {doc_type!r}")
    if size <= 0:
        raise DocumentRejected("ไฟล์ว่างเปล่า กรุณาเลือกไฟล์อีกครั้ง", "The file is empty; choose it again")
    if size > settings.DOCUMENT_MAX_BYTES:
        mb = settings.DOCUMENT_MAX_BYTES / (1024 * 1024)
        raise DocumentRejected(
            f"ไฟล์ใหญ่เกิน {mb:g} MB กรุณาย่อขนาดไฟล์หรือถ่ายภาพใหม่ให้เล็กลง",
            f"The file is larger than {mb:g} MB; make it smaller",
        )
    root = upload_root() / "partial"
    root.mkdir(parents=True, exist_ok=True)
    storage = f"{uuid.uuid4().hex}.part"
    (root / storage).write_bytes(b"")
    return ChunkedUpload.objects.create(
        application=app,
        doc_type=doc_type,
        original_name=name[:255],
        total_size=size,
        storage_name=storage,
        created_at=clock.now(),
    )


def append_chunk(
    chunked: ChunkedUpload, *, actor: User, start: int, data: bytes, total: int
) -> ApplicationUpload | None:
    """One piece at ``start`` (a piece already received is accepted again and ignored; a gap is
    refused with how much arrived). The last piece assembles the file and checks it (``add_upload``).

    Two PUTs of the same piece at once (a retry after a timeout while the first is still being
    written) take turns: the upload's row is locked and how much arrived is read again under the
    lock, so only what has not arrived is appended. ``chunked.received`` is brought up to date for
    the caller. ``NotFound`` when the file was assembled meanwhile (the upload is gone)."""
    _owned(chunked.application, actor)
    if total != chunked.total_size or start < 0 or len(data) > MAX_CHUNK or start + len(data) > total:
        raise InvalidInput("ช่วงข้อมูลไม่ถูกต้อง", "The byte range does not fit the file")
    path = upload_root() / "partial" / chunked.storage_name
    with transaction.atomic():
        # a write first: on SQLite it takes the database's write lock, on PostgreSQL the row's
        if not ChunkedUpload.objects.filter(pk=chunked.pk).update(received=F("received")):
            raise NotFound("the upload was finished or abandoned")
        locked = ChunkedUpload.objects.select_for_update().get(pk=chunked.pk)
        chunked.received = locked.received
        if start > locked.received:
            raise InvalidInput("ข้อมูลขาดช่วง กรุณาส่งต่อจากส่วนที่ได้รับแล้ว", "A gap: resume from the received offset")
        new = data[locked.received - start :]
        if new:
            with path.open("ab") as fh:
                fh.write(new)
            locked.received += len(new)
            locked.save(update_fields=["received"])
            chunked.received = locked.received
        if locked.received < locked.total_size:
            return None
        blob = path.read_bytes()
        path.unlink(missing_ok=True)
        locked.delete()
    return add_upload(
        chunked.application, actor=actor, doc_type=chunked.doc_type, name=chunked.original_name, data=blob
    )


# --------------------------------------------------------------------------- declaration, check, submit


def declare(app: Application, *, agreed: bool) -> list[dict[str, str]]:
    _draft(app)
    if not agreed:
        return [_err("agreed", "กรุณายืนยันว่าข้อมูลเป็นความจริง", "Confirm that the information is true")]
    app.declared_at = clock.now()
    _touch(app, "declared_at")
    return []


def merged_answers(app: Application) -> dict[str, Any]:
    """The answers with what trusted sources gave in place of the questions they spared."""
    return {**app.answers, **{k: v.value for k, v in known_answers(app).items()}}


def to_input(app: Application) -> tuple[cases.ApplicantInput, dict[str, Any]]:
    """The case services' applicant input and details from the answers."""
    a = merged_answers(app)
    name = a.get("name") or {}
    born: Any = None
    try:
        born = date.fromisoformat(str(a.get("birth_date") or ""))
    except ValueError:
        born = None
    applicant = cases.ApplicantInput(
        national_id=str(a.get("national_id") or ""),
        title=str(name.get("title") or ""),
        first_name=str(name.get("first_name") or ""),
        last_name=str(name.get("last_name") or ""),
        birth_date=born,
        sex=str(a.get("sex") or ""),
        house_no=str(a.get("house_no") or ""),
        province_code=str(a.get("province") or ""),
        district_code=str(a.get("district") or ""),
        subdistrict_code=str(a.get("subdistrict") or ""),
        phone=str(a.get("phone") or ""),
        monthly_income=str(a.get("monthly_income") or "0"),
        household_size=int(a.get("household_size") or 1),
    )
    details: dict[str, Any] = dict(qs.FIXED.get(app.service, {}))
    for q in flow(app).questions:
        if q.section == qs.DETAILS:
            details[q.key] = _details_value(q, a.get(q.key))
    if app.service == "BAIL" and a.get("_detainee_is_applicant") == "yes":
        details["detainee_name"] = f"{applicant.title}{applicant.first_name} {applicant.last_name}".strip()
        details["detainee_national_id"] = applicant.national_id
    return applicant, details


#: the case services' applicant fields -> the question that answers them
FIELD_QUESTION = {
    "national_id": "national_id",
    "first_name": "name",
    "last_name": "name",
    "title": "name",
    "birth_date": "birth_date",
    "sex": "sex",
    "province_code": "province",
    "district_code": "district",
    "subdistrict_code": "subdistrict",
    "house_no": "house_no",
    "phone": "phone",
    "monthly_income": "monthly_income",
    "household_size": "household_size",
}


@dataclass(frozen=True)
class Problem:
    """Something to put right before submitting: the question (or step) and what is wrong."""

    where: str
    th: str
    en: str


def _representative(app: Application) -> tuple[str, str]:
    if app.for_whom != FOR_OTHER:
        return "", ""
    return REPRESENTATIVE_TYPE.get(app.relationship, "attorney_in_fact"), str(
        app.answers.get("_representative_name") or ""
    )


def problems(app: Application) -> list[Problem]:
    """Everything that stops submission, each naming its question or step: the case services' own
    check of the whole registration (``registration_problems``), missing uploads, consent, declaration."""
    out: list[Problem] = []
    if not app.for_whom:
        out.append(Problem("for_whom", "ยังไม่ได้เลือกว่ายื่นให้ใคร", "Say for whom you apply"))
    if not app.consent_processing:
        out.append(Problem("consent", "ยังไม่ได้อ่านและยืนยันประกาศความเป็นส่วนตัว", "Read and confirm the privacy notice"))
    missing = next_question(app)
    if missing:
        q = flow(app).get(missing)
        out.append(
            Problem(
                missing,
                f"ยังไม่ได้ตอบ: {q.label[0] if q else missing}",
                f"Not answered yet: {q.label[1] if q else missing}",
            )
        )
    else:
        applicant, details = to_input(app)
        rep_type, rep_name = _representative(app)
        found = cases.registration_problems(
            service=app.service,
            applicant=applicant,
            details=details,
            representative_type=rep_type,
            representative_name=rep_name,
        )
        keys = flow(app).keys()
        for e in found:
            fieldname = e["field"]
            if fieldname.startswith("details."):
                top = fieldname.split(".")[1]
                where = top if top in keys else next((g.key for g in qs.GATES.get(app.service, ())), "check")
            else:
                where = FIELD_QUESTION.get(fieldname, "for_whom")
            out.append(Problem(where, e["message_th"], e["message_en"]))
    for d in documents(app):
        if d["required"] and not d["files"]:
            out.append(Problem("documents", f"ยังไม่ได้แนบ{d['th']}", f"Not attached yet: {d['en']}"))
    if app.declared_at is None:
        out.append(Problem("declaration", "ยังไม่ได้ยืนยันคำรับรอง", "The declaration is not confirmed yet"))
    return out


def _read(up: ApplicationUpload) -> bytes:
    return (upload_root() / up.storage_name).read_bytes()


def submit(app: Application, *, actor: User, assurance: str) -> Request:
    """Submit once: the request (``create_request``, channel "online", the representative and the
    relationship) and the uploads as its documents (``add_documents``: sniffed, cleaned, scanned), in
    one transaction. A second submission of the same draft (a double click, the back button, a retry
    after a timeout) returns the request the first one made."""
    _require_citizen(actor)
    with transaction.atomic():
        # a write first: on SQLite it takes the database's write lock, on PostgreSQL the row's, so a
        # second submission waits here and then finds the request the first one made
        Application.objects.filter(pk=app.pk).update(submit_attempts=F("submit_attempts") + 1)
        # of=self: PostgreSQL refuses FOR UPDATE on the nullable side of the outer join to the request
        locked = Application.objects.select_for_update(of=("self",)).select_related("request").get(pk=app.pk)
        if locked.citizen_id != actor.pk:
            raise NotPermitted("ไม่ใช่คำขอของท่าน", "Not your application")
        if locked.request is not None:
            return locked.request
        found = problems(locked)
        if found:
            raise InvalidInput(
                "ยังยื่นคำขอไม่ได้ กรุณาแก้ไขรายการต่อไปนี้",
                "The application is not complete",
                errors=[field_error(p.where, p.th, p.en) for p in found],
            )
        office = office_of(locked)
        if office is None:
            raise InvalidInput("ไม่พบสำนักงานที่รับคำขอ", "No office to file with")
        applicant, details = to_input(locked)
        rep_type, rep_name = _representative(locked)
        req = cases.create_request(
            actor=actor,
            service=locked.service,
            office=office,
            applicant=applicant,
            details=details,
            channel="online",
            representative_type=rep_type,
            representative_name=rep_name,
        )
        uploads = list(locked.uploads.all())
        if uploads:
            results = cases.add_documents(
                actor=actor,
                request_id=req.pk,
                uploads=[
                    cases.Upload(doc_type=u.doc_type, name=u.original_name, chunks=[_read(u)], size=u.size)
                    for u in uploads
                ],
            )
            refused = [r for r in results if r.error is not None]
            if refused:
                err = refused[0].error
                assert err is not None
                raise DocumentRejected(f"{refused[0].upload.name}: {err.th}", f"{refused[0].upload.name}: {err.en}")
        locked.request = req
        locked.submitted_at = clock.now()
        locked.assurance = assurance if assurance in dict(ASSURANCE_CHOICES) else ""
        locked.position = "done"
        locked.updated_at = clock.now()
        locked.save(update_fields=["request", "submitted_at", "assurance", "position", "updated_at"])
        record(
            "application_submit",
            actor=actor,
            object_type="application",
            object_id=str(locked.pk),
            reference=req.number,
            details={
                "service": locked.service,
                "assurance": locked.assurance,
                "for_whom": locked.for_whom,
                "relationship": locked.relationship,
                "documents": len(uploads),
                "notice_version": locked.notice_version,
            },
        )
    for up in uploads:  # the request's documents hold them now
        (upload_root() / up.storage_name).unlink(missing_ok=True)
    return req


def audit_foreign(actor: User, key: str) -> None:
    """A citizen tried to open a draft that is not theirs (the page answers 404)."""
    record(
        "portal_access_refused",
        actor=actor,
        object_type="application",
        object_id=str(key)[:64],
        details={"reason": "not the citizen's application"},
    )
