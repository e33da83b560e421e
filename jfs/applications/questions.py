"""The questions of an online application, one per page: the applicant's own first, then the
service's details, generated from the same pydantic schema as the staff forms (jfs/cases/details.py).

A details field becomes a question unless the applicant is not the one who answers it: a field a
workflow action records (``recorded_by``), a fact the officer assesses (``source: staff`` in
rules/facts.yaml), or a value the portal fixes (``FIXED``: a consultation's channel is "online").
Conditional questions: ``GATES`` (a yes/no question asked before a field, the portal's own, not
stored in the details) and ``SHOW_WHEN`` (a field asked only after a given answer); ``LABEL_BY``
names a field after an earlier answer (bail: "the court's name" when the authority is a court).
Texts are bilingual pairs (Thai, English) as in the schema; ``text(pair)`` picks by language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin

import geothai
from django.utils import translation
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from jfs.cases import service_registry
from jfs.cases.details import PERSONAL_IDS, recorded_by
from jfs.eligibility import rulebook

Pair = tuple[str, str]

#: question kinds: what the page shows and how the answer is read
TEXT, LONG, MONEY, INTEGER, CHOICE, LINES, DATE_BE, NATIONAL_ID, PHONE, GROUP, PLACE = (
    "text",
    "long",
    "money",
    "integer",
    "choice",
    "lines",
    "date_be",
    "national_id",
    "phone",
    "group",
    "place",
)

APPLICANT, DETAILS, GATE = "applicant", "details", "gate"


@dataclass(frozen=True)
class Question:
    key: str
    kind: str
    label: Pair
    section: str
    required: bool = True
    hint: Pair = ("", "")
    choices: tuple[tuple[str, Pair], ...] = ()
    max_length: int | None = None
    #: inputs of a group question (a name, costs), each a question of its own kind
    parts: tuple[Question, ...] = ()
    #: the details field (or the applicant field) the answer fills
    target: str = ""
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    #: the minimum is exclusive (pydantic ``gt``)
    exclusive_minimum: bool = False
    autocomplete: str = ""


def text(pair: Pair | tuple[str, ...]) -> str:
    """The Thai, or the English when English is active."""
    return pair[1] if (translation.get_language() or "th").startswith("en") and len(pair) > 1 and pair[1] else pair[0]


# --------------------------------------------------------------------------- the applicant's questions

_YOU: Pair = ("ของท่าน", "your")
_THEM: Pair = ("ของผู้ที่ท่านยื่นแทน", "the person's you file for")


def _whose(for_other: bool, th: str, en: str) -> Pair:
    """ "วันเกิดของท่าน" or "วันเกิดของผู้ที่ท่านยื่นแทน" (and the English)."""
    who = _THEM if for_other else _YOU
    return th.format(who=who[0]), en.format(who=who[1])


def applicant_questions(for_other: bool, answers: Mapping[str, Any]) -> list[Question]:
    """Name, national ID, birth date (B.E.), sex, address (province → district → subdistrict →
    house), phone, income and household: of the citizen, or of the person they file for."""
    province, district = str(answers.get("province") or ""), str(answers.get("district") or "")
    return [
        Question(
            "name",
            GROUP,
            _whose(for_other, "ชื่อ-นามสกุล{who}", "What is {who} name?"),
            APPLICANT,
            parts=(
                Question(
                    "title",
                    TEXT,
                    ("คำนำหน้าชื่อ", "Title"),
                    APPLICANT,
                    required=False,
                    max_length=30,
                    hint=("เช่น นาย นาง นางสาว", "For example Mr, Mrs, Miss"),
                    autocomplete="honorific-prefix",
                ),
                Question(
                    "first_name", TEXT, ("ชื่อ", "First name"), APPLICANT, max_length=100, autocomplete="given-name"
                ),
                Question(
                    "last_name", TEXT, ("นามสกุล", "Last name"), APPLICANT, max_length=100, autocomplete="family-name"
                ),
            ),
        ),
        Question(
            "national_id",
            NATIONAL_ID,
            _whose(for_other, "เลขประจำตัวประชาชน 13 หลัก{who}", "What is {who} 13-digit national ID number?"),
            APPLICANT,
            hint=("อยู่ด้านหน้าบัตรประจำตัวประชาชน เช่น 1 2345 67890 12 3", "On the front of the ID card"),
        ),
        Question(
            "birth_date",
            DATE_BE,
            _whose(for_other, "วันเกิด{who}", "What is {who} date of birth?"),
            APPLICANT,
            hint=("วัน/เดือน/ปี พ.ศ. เช่น 15/08/2530", "Day/month/Buddhist-era year, for example 15/08/2530"),
        ),
        Question(
            "sex",
            CHOICE,
            _whose(for_other, "เพศ{who}", "What is {who} sex?"),
            APPLICANT,
            choices=(("M", ("ชาย", "Male")), ("F", ("หญิง", "Female")), ("X", ("ไม่ระบุ", "Prefer not to say"))),
        ),
        Question(
            "province",
            PLACE,
            _whose(for_other, "จังหวัดที่อยู่{who}", "Which province do {who} live in?"),
            APPLICANT,
            choices=tuple((p.code, (p.name_th, p.name_en)) for p in geothai.provinces()),
            hint=(
                "ตามที่อยู่ที่ติดต่อได้ สำนักงานยุติธรรมจังหวัดนี้จะรับคำขอ (เปลี่ยนได้)",
                "Where you can be reached: this province's Justice Office takes the request (you can change it)",
            ),
        ),
        Question(
            "district",
            PLACE,
            ("อำเภอหรือเขต", "District"),
            APPLICANT,
            choices=tuple((d.code, (d.name_th, d.name_en)) for d in geothai.districts(province)) if province else (),
        ),
        Question(
            "subdistrict",
            PLACE,
            ("ตำบลหรือแขวง", "Subdistrict"),
            APPLICANT,
            choices=tuple((s.code, (s.name_th, s.name_en)) for s in geothai.subdistricts(district)) if district else (),
        ),
        Question(
            "house_no",
            TEXT,
            ("บ้านเลขที่ หมู่ ซอย ถนน", "House number, village, lane, road"),
            APPLICANT,
            required=False,
            max_length=100,
            autocomplete="address-line1",
        ),
        Question(
            "phone",
            PHONE,
            _whose(for_other, "หมายเลขโทรศัพท์{who}", "What is {who} phone number?"),
            APPLICANT,
            required=False,
            hint=(
                "เจ้าหน้าที่จะโทรติดต่อหากต้องการข้อมูลเพิ่ม เช่น 081 234 5678",
                "The officer calls if more is needed, for example 081 234 5678",
            ),
            autocomplete="tel",
        ),
        Question(
            "monthly_income",
            MONEY,
            _whose(for_other, "รายได้ต่อเดือน{who} (บาท)", "What is {who} monthly income (baht)?"),
            APPLICANT,
            hint=("ถ้าไม่มีรายได้ ให้ใส่ 0", "If there is no income, type 0"),
            minimum=Decimal(0),
            maximum=Decimal("100000000"),
        ),
        Question(
            "household_size",
            INTEGER,
            ("จำนวนคนในครัวเรือน รวมผู้ขอ", "How many people live in the household, the applicant included?"),
            APPLICANT,
            minimum=Decimal(1),
            maximum=Decimal(50),
        ),
    ]


# --------------------------------------------------------------------------- the service's questions

#: details fields the portal fills itself, per service: (field, value)
FIXED: Mapping[str, Mapping[str, str]] = {"CONSULT": {"channel": "online"}}

_YES_NO = (("yes", ("ใช่", "Yes")), ("no", ("ไม่ใช่", "No")))


@dataclass(frozen=True)
class Gate:
    """A yes/no question of the portal's own, asked before ``before`` (stored as ``_<name>``)."""

    key: str
    before: str
    label: Pair
    hint: Pair = ("", "")


GATES: Mapping[str, tuple[Gate, ...]] = {
    "BAIL": (
        Gate(
            "_detainee_is_applicant",
            "detainee_name",
            (
                "ผู้ถูกควบคุมตัวคือผู้ขอรับความช่วยเหลือตามที่กรอกไว้แล้วใช่หรือไม่",
                "Is the detained person the applicant you have already named?",
            ),
            (
                "ถ้าใช่ ระบบใช้ชื่อและเลขประจำตัวประชาชนที่กรอกไว้ ไม่ต้องกรอกซ้ำ",
                "If yes, the name and ID number already given are used",
            ),
        ),
    ),
    "LIT": (
        Gate(
            "_case_filed",
            "court",
            ("คดีขึ้นสู่ศาลแล้วหรือยัง", "Has the case reached a court yet?"),
            ("ถ้าขึ้นศาลแล้ว จะถามหมายเลขคดี", "If it has, you are asked for the case number"),
        ),
    ),
}

#: (service, field) -> (gate or earlier field, the answers that show it)
SHOW_WHEN: Mapping[tuple[str, str], tuple[str, frozenset[str]]] = {
    ("BAIL", "detainee_name"): ("_detainee_is_applicant", frozenset({"no"})),
    ("BAIL", "detainee_national_id"): ("_detainee_is_applicant", frozenset({"no"})),
    ("LIT", "case_number"): ("_case_filed", frozenset({"yes"})),
}

#: (service, field) -> (earlier field, answer -> the field's label)
LABEL_BY: Mapping[tuple[str, str], tuple[str, Mapping[str, Pair]]] = {
    ("BAIL", "authority_name"): (
        "authority",
        {
            "court": ("ชื่อศาลที่ยื่นประกัน", "Name of the court"),
            "appeal": ("ชื่อศาลชั้นอุทธรณ์หรือฎีกา", "Name of the appeal court"),
            "police": ("ชื่อสถานีตำรวจที่ควบคุมตัว", "Name of the police station"),
            "prosecutor": ("ชื่อสำนักงานอัยการ", "Name of the public prosecutor's office"),
        },
    ),
    ("LIT", "court"): (
        "_case_filed",
        {
            "yes": ("ศาลที่พิจารณาคดี", "Which court hears the case?"),
            "no": ("ศาลที่จะยื่นฟ้องหรือศาลที่มีเขตอำนาจ", "Which court will the case go to?"),
        },
    ),
}


def _extra(info: FieldInfo) -> dict[str, Any]:
    return info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}


def _limit(info: FieldInfo, attr: str) -> Any:
    return next((getattr(m, attr) for m in info.metadata if getattr(m, attr, None) is not None), None)


def _inner(annotation: Any) -> Any:
    args = get_args(annotation)
    if get_origin(annotation) in (Union, UnionType) and type(None) in args and len(args) == 2:
        return next(a for a in args if a is not type(None))
    return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def staff_facts() -> frozenset[str]:
    """Facts the officer assesses (rules/facts.yaml ``source: staff``): never asked of the applicant."""
    vocabulary = rulebook.get().vocabulary
    return frozenset(name for name, f in vocabulary.facts.items() if f.source == "staff")


def _field_question(name: str, info: FieldInfo, target: str) -> Question:
    ann, extra = _inner(info.annotation), _extra(info)
    label: Pair = (info.title or name, str(extra.get("en") or info.title or name))
    required = info.is_required()
    if name in PERSONAL_IDS:
        return Question(
            name,
            NATIONAL_ID,
            label,
            DETAILS,
            required=required,
            target=target,
            hint=("ถ้าไม่ทราบ เว้นว่างไว้ได้", "Leave empty if you do not know it"),
        )
    if get_origin(ann) is Literal:
        names = extra.get("choices") or {}
        options = tuple((str(v), tuple(names[v]) if v in names else (str(v), str(v))) for v in get_args(ann))
        return Question(name, CHOICE, label, DETAILS, required=required, choices=options, target=target)
    if ann is Decimal or ann is int:
        low, gt = _limit(info, "ge"), _limit(info, "gt")
        return Question(
            name,
            MONEY if ann is Decimal else INTEGER,
            label,
            DETAILS,
            required=required,
            target=target,
            minimum=Decimal(str(gt if gt is not None else low)) if (gt is not None or low is not None) else None,
            exclusive_minimum=gt is not None,
            maximum=Decimal(str(_limit(info, "le"))) if _limit(info, "le") is not None else None,
        )
    if get_origin(ann) is list and _is_model(get_args(ann)[0]):
        ph = extra.get("placeholder")
        return Question(
            name,
            LINES,
            label,
            DETAILS,
            required=required,
            target=target,
            hint=(f"เช่น\n{ph[0]}", f"For example\n{ph[1]}") if ph else ("", ""),
        )
    if ann is str:
        length = _limit(info, "max_length")
        return Question(
            name,
            LONG if length and length >= 1000 else TEXT,
            label,
            DETAILS,
            required=required,
            max_length=length,
            target=target,
        )
    raise TypeError(f"{name}: no question for a details field of type {ann!r}")


def details_questions(service: str, answers: Mapping[str, Any]) -> list[Question]:
    """The service's questions in the schema's order, with its gates, conditions and labels applied."""
    model = service_registry.get(service).details
    skip = recorded_by(model) | set(FIXED.get(service, {}))
    staff = staff_facts()
    gates = {g.before: g for g in GATES.get(service, ())}
    out: list[Question] = []
    for name, info in model.model_fields.items():
        extra = _extra(info)
        if name in skip or (extra.get("fact") in staff):
            continue
        if name in gates:
            g = gates[name]
            out.append(Question(g.key, CHOICE, g.label, GATE, hint=g.hint, choices=_YES_NO))
        condition = SHOW_WHEN.get((service, name))
        if condition and str(answers.get(condition[0]) or "") not in condition[1]:
            continue
        if _is_model(info.annotation):
            assert isinstance(info.annotation, type)
            parts = tuple(_field_question(sub, si, f"{name}.{sub}") for sub, si in info.annotation.model_fields.items())
            label: Pair = (info.title or name, str(extra.get("en") or name))
            out.append(
                Question(
                    name,
                    GROUP,
                    label,
                    DETAILS,
                    parts=parts,
                    target=name,
                    hint=(
                        "ใส่จำนวนเงินของรายการที่ขอ รายการที่ไม่ขอเว้นว่างไว้",
                        "Give the amount of each cost you ask for; leave the others empty",
                    ),
                )
            )
            continue
        q = _field_question(name, info, name)
        relabel = LABEL_BY.get((service, name))
        if relabel and str(answers.get(relabel[0]) or "") in relabel[1]:
            q = Question(**{**q.__dict__, "label": relabel[1][str(answers.get(relabel[0]))]})
        out.append(q)
    return out


@dataclass
class Flow:
    """Every question of one application, in order, given its answers so far."""

    questions: list[Question] = field(default_factory=list)

    def get(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)

    def keys(self) -> list[str]:
        return [q.key for q in self.questions]


def flow(service: str, for_other: bool, answers: Mapping[str, Any]) -> Flow:
    return Flow([*applicant_questions(for_other, answers), *details_questions(service, answers)])
