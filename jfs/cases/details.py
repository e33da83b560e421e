"""Service-specific details of a request, validated by pydantic schemas.

Each field's label is its ``title`` (Thai) with the English in ``json_schema_extra["en"]``; a
``Literal``'s choices are named in ``json_schema_extra["choices"]`` (value: [Thai, English]). The
staff form is generated from the model (``jfs.staff.forms.details_form``), so a field is described once.
A field that is an eligibility fact names it: ``json_schema_extra["fact"]`` (rules/facts.yaml), with
``"fact_when": "given"`` for a yes/no fact that is true when the field is filled in. ``"short"``
([Thai, English]) is a shorter label for reading on the case page than the form's. ``"recorded_by"``
names the workflow action whose comment is the field's value (``recorded_by``).

The same schemas validate the staff forms, the API and the demo generator, and
give the OpenAPI document its shapes. Stored in ``Request.details`` (JSON).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from jfs.cases import service_registry
from jfs.cases.errors import field_error
from jfs.cases.service_registry import ServiceDetails
from jfslib import thai_id
from jfslib.bilingual import BilingualValueError  # raised by validators; pydantic reports it as value_error

Money = Decimal
OtherHelp = Literal["no", "yes"]
YesNo = Literal["no", "yes"]
OTHER_HELP_CHOICES: dict[str, Any] = {"no": ["ยังไม่เคยได้รับ", "No"], "yes": ["ได้รับแล้ว", "Yes, already helped"]}


def household_income_question() -> Any:
    """The rules' household_monthly_income (the hardship test of income per household member): asked at
    intake, optional (left empty it stays unknown, never 0); the Person record has no column for it."""
    return Field(
        default=None, ge=0, max_digits=12, decimal_places=2, title="รายได้รวมของครัวเรือนต่อเดือน (บาท)",
        json_schema_extra={"en": "Household's total monthly income (baht)", "fact": "household_monthly_income",
                           "short": ["รายได้รวมของครัวเรือนต่อเดือน", "Household's total monthly income"]})


def other_help_question() -> Any:
    """The consideration "already helped with the same costs elsewhere" (rules/facts.yaml other_help_received):
    declared on the fund's form, asked at intake; not answered stays unknown."""
    return Field(
        default=None, title="เคยได้รับความช่วยเหลือค่าใช้จ่ายเรื่องเดียวกันจากหน่วยงานอื่นแล้วหรือไม่",
        json_schema_extra={"en": "Already helped with the same costs by another agency?", "fact": "other_help_received",
                           "fact_values": {"yes": True, "no": False}, "choices": OTHER_HELP_CHOICES,
                           "short": ["ความช่วยเหลือเรื่องเดียวกันจากหน่วยงานอื่น", "Help with the same costs elsewhere"]})


YES_NO_CHOICES: dict[str, Any] = {"no": ["ไม่ใช่", "No"], "yes": ["ใช่", "Yes"]}


def assessment_question(fact: str, th: str, en: str, short_th: str, short_en: str) -> Any:
    """A consideration the officer who prepares the request assesses for the subcommittee (rules/facts.yaml,
    source ``staff``: merit, for bail the risks of flight and tampering and earlier absconding): yes or
    no, optional; not answered stays "not assessed yet", never a fail (docs/decisions/0015)."""
    return Field(default=None, title=th, json_schema_extra={
        "en": en, "fact": fact, "fact_values": {"yes": True, "no": False}, "choices": YES_NO_CHOICES,
        "short": [short_th, short_en]})


#: the base of every service's details model (``jfs.cases.service_registry.ServiceDetails``); a
#: service's ``details.py`` subclasses it
_Details = ServiceDetails


class CostItems(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lawyer: Money = Field(default=Decimal(0), ge=0, max_digits=12, decimal_places=2, title="ค่าทนายความ", json_schema_extra={'en': "Lawyer's fees"})
    court_fee: Money = Field(default=Decimal(0), ge=0, max_digits=12, decimal_places=2, title="ค่าธรรมเนียมศาล", json_schema_extra={'en': 'Court fees'})
    expert: Money = Field(default=Decimal(0), ge=0, max_digits=12, decimal_places=2, title="ค่าผู้เชี่ยวชาญ", json_schema_extra={'en': "Expert's fees"})
    travel: Money = Field(default=Decimal(0), ge=0, max_digits=12, decimal_places=2, title="ค่าเดินทาง", json_schema_extra={'en': 'Travel costs'})
    other: Money = Field(default=Decimal(0), ge=0, max_digits=12, decimal_places=2, title="ค่าใช้จ่ายอื่น", json_schema_extra={'en': 'Other costs'})

    def total(self) -> Decimal:
        return self.lawyer + self.court_fee + self.expert + self.travel + self.other


class LitigationDetails(_Details):
    """กทย.1 — help with litigation costs."""

    case_kind: Literal["civil", "criminal", "administrative", "labour", "other"] = Field(
        title="ประเภทคดี", json_schema_extra={"en": "Type of case", "fact": "case_kind", "choices": {
            "civil": ["คดีแพ่ง", "Civil case"], "criminal": ["คดีอาญา", "Criminal case"],
            "administrative": ["คดีปกครอง", "Administrative case"], "labour": ["คดีแรงงาน", "Labour case"],
            "other": ["อื่น ๆ", "Other"]}})
    court: str = Field(min_length=2, max_length=200, title="ศาล", json_schema_extra={'en': 'Court'})
    case_number: str = Field(default="", max_length=60, title="หมายเลขคดี", json_schema_extra={'en': 'Case number'})
    #: a petitioner or objector of a non-contentious case (คดีไม่มีข้อพิพาท) is a party too (issue 10)
    party_role: Literal["plaintiff", "defendant", "injured_party", "accused", "petitioner", "objector", "other"] = Field(
        title="ฐานะในคดี", json_schema_extra={"en": "Role in the case", "fact": "party_role", "choices": {
            "plaintiff": ["โจทก์", "Plaintiff"], "defendant": ["จำเลย", "Defendant"],
            "injured_party": ["ผู้เสียหาย", "Injured party"], "accused": ["ผู้ต้องหา", "Suspect"],
            "petitioner": ["ผู้ร้อง (คดีไม่มีข้อพิพาท)", "Petitioner (non-contentious case)"],
            "objector": ["ผู้คัดค้าน", "Objector"],
            "other": ["อื่น ๆ", "Other"]}})
    costs: CostItems = Field(title="ค่าใช้จ่าย", json_schema_extra={"en": "Costs", "form_prefix": "cost"})
    household_monthly_income: Money | None = household_income_question()
    other_help_received: OtherHelp | None = other_help_question()
    case_has_merit: YesNo | None = assessment_question(
        "case_has_merit", "ความเห็นเจ้าหน้าที่: คดีมีมูลหรือมีเหตุผลสมควรได้รับความช่วยเหลือหรือไม่",
        "Officer's assessment: does the case have merit?", "คดีมีมูล (ความเห็นเจ้าหน้าที่)",
        "Case has merit (officer's assessment)")

    @field_validator("costs")
    @classmethod
    def _something_requested(cls, v: CostItems) -> CostItems:
        if v.total() <= 0:
            raise BilingualValueError("ต้องขออย่างน้อยหนึ่งรายการ", "Request at least one cost item")
        return v

    def amount(self) -> Decimal:
        return self.costs.total()


class BailDetails(_Details):
    """กทย.2 — bail money for a detained suspect or defendant."""

    detainee_name: str = Field(min_length=2, max_length=200, title="ชื่อผู้ถูกควบคุมตัว", json_schema_extra={'en': 'Name of the detained person'})
    #: optional; typed with dashes or spaces (1-1017-00203-45-0) and stored as 13 digits
    detainee_national_id: str = Field(default="", max_length=17, title="เลขประจำตัวประชาชนผู้ถูกควบคุมตัว", json_schema_extra={'en': 'National ID number of the detained person'})
    charge: str = Field(min_length=2, max_length=300, title="ข้อหา", json_schema_extra={'en': 'Charge'})
    held_at: str = Field(min_length=2, max_length=200, title="สถานที่ควบคุมตัว",
                         json_schema_extra={'en': 'Place of detention', 'fact': 'is_detained', 'fact_when': 'given'})
    #: the stages of temporary release: inquiry official, public prosecutor, court, appeal (issue 10)
    authority: Literal["court", "police", "prosecutor", "appeal"] = Field(title="ยื่นประกันต่อ", json_schema_extra={
        "en": "Bail requested from", "fact": "bail_authority", "choices": {
            "police": ["พนักงานสอบสวน (สถานีตำรวจ)", "Inquiry official (police station)"],
            "prosecutor": ["พนักงานอัยการ", "Public prosecutor"],
            "court": ["ศาล", "Court"],
            "appeal": ["ศาลชั้นอุทธรณ์หรือฎีกา", "Court on appeal"]}})
    authority_name: str = Field(min_length=2, max_length=200, title="ชื่อศาล/สถานีตำรวจ", json_schema_extra={'en': 'Name of the court or police station'})
    bail_amount: Money = Field(gt=0, max_digits=12, decimal_places=2, title="จำนวนเงินประกันที่ขอ (บาท)", json_schema_extra={'en': 'Bail amount requested (baht)', 'fact': 'bail_amount',
                                              'short': ['จำนวนเงินประกันที่ขอ', 'Bail amount requested']})
    #: the charge's category (rules/facts.yaml offence_category), for the 2019 proactive campaign's
    #: charge list, a note on campaign requests only (docs/decisions/0015), never an exclusion: the
    #: officer who registers the request classifies the charge; not answered stays unknown
    offence_category: Literal["general", "public_fraud", "national_security", "human_trafficking", "narcotics",
                              "natural_resources"] | None = Field(
        default=None, title="กลุ่มข้อหา", json_schema_extra={"en": "Category of the charge", "fact": "offence_category",
                                                           "choices": {
            "general": ["ข้อหาทั่วไป", "General"],
            "public_fraud": ["ฉ้อโกงประชาชนที่มีผู้เสียหายจำนวนมาก", "Public fraud with many victims"],
            "national_security": ["ความมั่นคง", "National security"],
            "human_trafficking": ["ค้ามนุษย์", "Human trafficking"],
            "narcotics": ["ยาเสพติด", "Narcotics"],
            "natural_resources": ["ทรัพยากรธรรมชาติและสิ่งแวดล้อม", "Natural resources and environment"]}})
    household_monthly_income: Money | None = household_income_question()
    other_help_received: OtherHelp | None = other_help_question()
    flight_risk: YesNo | None = assessment_question(
        "flight_risk", "ความเห็นเจ้าหน้าที่: มีเหตุอันควรเชื่อว่าผู้ต้องหาหรือจำเลยจะหลบหนีหรือไม่",
        "Officer's assessment: is there reason to believe the detained person would flee?",
        "เสี่ยงหลบหนี (ความเห็นเจ้าหน้าที่)", "Risk of flight (officer's assessment)")
    evidence_tampering_risk: YesNo | None = assessment_question(
        "evidence_tampering_risk", "ความเห็นเจ้าหน้าที่: มีเหตุอันควรเชื่อว่าจะไปยุ่งเหยิงกับพยานหลักฐานหรือไม่",
        "Officer's assessment: is there reason to believe the evidence would be tampered with?",
        "เสี่ยงยุ่งเหยิงพยานหลักฐาน (ความเห็นเจ้าหน้าที่)", "Risk of tampering with evidence (officer's assessment)")
    absconded_before: YesNo | None = assessment_question(
        "absconded_before", "เคยหลบหนีระหว่างได้รับการปล่อยชั่วคราวด้วยเงินกองทุนยุติธรรมหรือไม่",
        "Has the detained person absconded before while on bail paid by the Justice Fund?",
        "เคยหลบหนีระหว่างประกันด้วยเงินกองทุน", "Absconded before on the fund's bail")

    @field_validator("detainee_national_id")
    @classmethod
    def _valid_national_id(cls, v: str) -> str:
        # InvalidNationalID is a BilingualValueError: translate() returns its Thai and English texts
        return thai_id.validate(v) if v else ""

    def amount(self) -> Decimal:
        return self.bail_amount


class HumanRightsDetails(_Details):
    """กทย.3 — help for a victim of a human-rights violation."""

    violation: str = Field(min_length=2, max_length=1000, title="การละเมิดที่เกิดขึ้น",
                           json_schema_extra={'en': 'What violation happened', 'fact': 'hr_violation_claimed',
                                              'fact_when': 'given'})
    harm: str = Field(min_length=2, max_length=1000, title="ความเสียหายที่ได้รับ", json_schema_extra={'en': 'Harm suffered'})
    remedy_requested: str = Field(min_length=2, max_length=1000, title="การเยียวยาที่ขอ", json_schema_extra={'en': 'Remedy requested'})
    amount_requested: Money = Field(default=Decimal(0), ge=0, max_digits=12, decimal_places=2, title="จำนวนเงินที่ขอ (บาท)", json_schema_extra={'en': 'Amount requested (baht)', 'short': ['จำนวนเงินที่ขอ', 'Amount requested']})
    household_monthly_income: Money | None = household_income_question()
    other_help_received: OtherHelp | None = other_help_question()
    case_has_merit: YesNo | None = assessment_question(
        "case_has_merit", "ความเห็นเจ้าหน้าที่: ข้อเท็จจริงฟังได้ว่าเป็นผู้เสียหายจากการละเมิดสิทธิมนุษยชนหรือไม่",
        "Officer's assessment: do the facts show a victim of a human-rights violation?",
        "ข้อเท็จจริงฟังได้ (ความเห็นเจ้าหน้าที่)", "Facts established (officer's assessment)")

    def amount(self) -> Decimal:
        return self.amount_requested


class BudgetLine(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item: str = Field(min_length=1, max_length=200, title="รายการ", json_schema_extra={'en': 'Item'})
    amount: Money = Field(gt=0, max_digits=12, decimal_places=2, title="จำนวนเงิน", json_schema_extra={'en': 'Amount'})


class ProjectDetails(_Details):
    """กทย.4 — a legal-knowledge project by an organisation."""

    organisation: str = Field(min_length=2, max_length=200, title="ชื่อองค์กร", json_schema_extra={'en': 'Organisation'})
    organisation_registration_no: str = Field(default="", max_length=60, title="เลขทะเบียนองค์กร", json_schema_extra={'en': 'Organisation registration number'})
    title: str = Field(min_length=2, max_length=300, title="ชื่อโครงการ", json_schema_extra={'en': 'Project title'})
    plan: str = Field(min_length=2, max_length=3000, title="แผนการดำเนินงาน", json_schema_extra={'en': 'Work plan'})
    budget_lines: list[BudgetLine] = Field(
        min_length=1, max_length=50, title="รายการงบประมาณ (บรรทัดละรายการ: รายการ = จำนวนเงิน)",
        json_schema_extra={"en": "Budget (one item per line: item = amount)", "short": ["รายการงบประมาณ", "Budget"],
                           "placeholder": ["ค่าวิทยากร = 12000\nค่าเอกสาร = 3000",
                                           "Speakers' fees = 12000\nPrinted materials = 3000"]})
    participants: int = Field(gt=0, le=100000, title="จำนวนผู้เข้าร่วม", json_schema_extra={'en': 'Number of participants'})

    def amount(self) -> Decimal:
        return sum((b.amount for b in self.budget_lines), Decimal(0))


class ConsultationDetails(_Details):
    """Legal consultation: topic, channel, advice given and any referral."""

    topic: str = Field(min_length=2, max_length=300, title="เรื่องที่ปรึกษา", json_schema_extra={'en': 'Topic'})
    channel: Literal["counter", "phone", "online", "mobile_unit"] = Field(title="ช่องทาง", json_schema_extra={
        "en": "Channel", "choices": {"counter": ["ที่สำนักงาน", "At the office"], "phone": ["โทรศัพท์", "Phone"],
                                     "online": ["ออนไลน์", "Online"], "mobile_unit": ["หน่วยเคลื่อนที่", "Mobile unit"]}})
    #: typed once, as the comment of "record the advice given" (``recorded_by``), not at registration
    advice_given: str = Field(default="", max_length=3000, title="คำปรึกษาที่ให้",
                              json_schema_extra={"en": "Advice given", "recorded_by": "give_advice"})
    referral: str = Field(default="", max_length=300, title="ส่งต่อหน่วยงาน", json_schema_extra={'en': 'Referred to'})


@cache
def recorded_by(model: type[BaseModel], action: str | None = None) -> frozenset[str]:
    """The details fields a workflow action records (``json_schema_extra["recorded_by"]``: the action's
    comment is the field's value, typed once, there), of ``action`` or of any action. The registration
    and correction forms do not ask for them; a correction that leaves them out keeps them."""
    out = set()
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if extra.get("recorded_by") and (action is None or extra["recorded_by"] == action):
            out.add(name)
    return frozenset(out)


def _schema(service: service_registry.Service) -> type[_Details]:
    return service.details


#: each service's details model, from its ``services/<CODE>/service.yaml`` (read on each use)
SCHEMAS: Mapping[str, type[_Details]] = service_registry.ServiceMap(_schema)


#: Details that are a person's national ID: stored in full (registry checks need them), shown masked
#: on the case page (``casepage.MASKED``) and in the API's output.
PERSONAL_IDS = frozenset({"detainee_national_id"})


def masked(details: Mapping[str, Any] | None) -> dict[str, Any]:
    """A copy of a request's details with every national ID masked (``thai_id.mask``), for output."""
    return {k: thai_id.mask(str(v)) if k in PERSONAL_IDS and v else v for k, v in (details or {}).items()}


def keep_personal_ids(details: Mapping[str, Any], stored: Mapping[str, Any], *, empty_keeps: bool) -> dict[str, Any]:
    """Corrected details with each national ID on file kept where the sender could not have it:
    left out, or sent back masked as it was shown (and, for the page's empty input, left empty)."""
    out = dict(details)
    for key in PERSONAL_IDS:
        on_file = stored.get(key)
        if not on_file:
            continue
        sent = out.get(key)
        if key not in out or sent == thai_id.mask(str(on_file)) or (empty_keeps and not sent):
            out[key] = on_file
    return out


class DetailsError(ValueError):
    """Problems with the details, as field errors (``{"field", "message_th", "message_en"}``)."""

    def __init__(self, errors: list[dict[str, str]]):
        self.errors = errors
        super().__init__("; ".join(f"{e['field']}: {e['message_en']}" for e in errors))


_NUMBER = ("ต้องเป็นตัวเลข", "Must be a number")
_WHOLE_NUMBER = ("ต้องเป็นจำนวนเต็ม", "Must be a whole number")
_DATE = ("วันที่ไม่ถูกต้อง ต้องอยู่ในรูป ปปปป-ดด-วว (ปี ค.ศ.)", "Not a valid date: use YYYY-MM-DD (C.E. year)")
_OBJECT = ("ต้องเป็นชุดข้อมูล (JSON object)", "Must be a JSON object")
_ONE_OF = ("ต้องเป็นค่าใดค่าหนึ่งต่อไปนี้: {expected}", "Must be one of: {expected}")

#: pydantic error type -> (Thai, English), filled in from the error's ``ctx``
PYDANTIC_MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("กรุณากรอกข้อมูลนี้", "This field is required"),
    "string_type": ("ต้องเป็นข้อความ", "Must be text"),
    "string_too_short": ("ต้องมีอย่างน้อย {min_length} ตัวอักษร", "Must be at least {min_length} characters"),
    "string_too_long": ("ต้องมีไม่เกิน {max_length} ตัวอักษร", "Must be at most {max_length} characters"),
    "string_pattern_mismatch": ("รูปแบบไม่ถูกต้อง (ต้องตรงกับ {pattern})", "Must match the pattern {pattern}"),
    "greater_than": ("ต้องมากกว่า {gt}", "Must be greater than {gt}"),
    "greater_than_equal": ("ต้องไม่น้อยกว่า {ge}", "Must be at least {ge}"),
    "less_than": ("ต้องน้อยกว่า {lt}", "Must be less than {lt}"),
    "less_than_equal": ("ต้องไม่เกิน {le}", "Must be at most {le}"),
    "literal_error": _ONE_OF,
    "enum": _ONE_OF,
    "decimal_parsing": _NUMBER,
    "decimal_type": _NUMBER,
    "decimal_max_digits": ("ตัวเลขต้องมีไม่เกิน {max_digits} หลัก", "Must have at most {max_digits} digits"),
    "decimal_max_places": ("ทศนิยมได้ไม่เกิน {decimal_places} ตำแหน่ง", "Must have at most {decimal_places} decimal places"),
    "decimal_whole_digits": ("ตัวเลขหน้าจุดทศนิยมได้ไม่เกิน {whole_digits} หลัก",
                             "Must have at most {whole_digits} digits before the decimal point"),
    "int_parsing": _WHOLE_NUMBER,
    "int_type": _WHOLE_NUMBER,
    "int_from_float": _WHOLE_NUMBER,
    "float_parsing": _NUMBER,
    "float_type": _NUMBER,
    "bool_parsing": ("ต้องเป็น true หรือ false", "Must be true or false"),
    "date_parsing": _DATE,
    "date_type": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "list_type": ("ต้องเป็นรายการ (JSON array)", "Must be a list (JSON array)"),
    "dict_type": _OBJECT,
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
    "too_short": ("ต้องมีอย่างน้อย {min_length} รายการ", "Must have at least {min_length} item(s)"),
    "too_long": ("ต้องมีไม่เกิน {max_length} รายการ", "Must have at most {max_length} item(s)"),
    "extra_forbidden": ("ไม่รู้จักช่องข้อมูลนี้", "Unknown field"),
}


def translate(err: Mapping[str, Any]) -> tuple[str, str]:
    """Thai and English text for one pydantic error (an item of ``ValidationError.errors()``).

    A type not in the table keeps pydantic's English ``msg``, behind a generic Thai prefix.
    """
    ctx = dict(err.get("ctx") or {})
    cause = ctx.get("error")
    if err.get("type") == "value_error" and isinstance(cause, BilingualValueError):
        return cause.th, cause.en
    pair = PYDANTIC_MESSAGES.get(str(err.get("type", "")))
    if pair is not None:
        ctx_th = dict(ctx)
        if "expected" in ctx:  # "'civil', 'criminal' or 'other'"
            ctx_th["expected"] = str(ctx["expected"]).replace("' or '", "' หรือ '")
        try:
            return pair[0].format(**ctx_th), pair[1].format(**ctx)
        except (KeyError, IndexError, ValueError):
            pass  # a context this table does not expect: say what pydantic says
    msg = str(err.get("msg", "")) or "invalid"
    return f"ข้อมูลไม่ถูกต้อง: {msg}", msg


def validate(service: str, data: dict[str, object]) -> _Details:
    schema = SCHEMAS.get(service)
    if schema is None:
        raise DetailsError([field_error("service", "ไม่มีบริการนี้", f"Unknown service {service!r}")])
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise DetailsError(
            [field_error(".".join(str(p) for p in err["loc"]) or "details", *translate(err)) for err in exc.errors()]
        ) from None
