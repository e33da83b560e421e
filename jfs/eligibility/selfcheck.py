"""The citizen's self-check: the questions a service's conditions need, the answers checked and kept as
given, and the explained evaluation turned into one outcome a person can read (docs/self-check.md).

Which facts are asked comes from the rule book: the base facts named by the *condition* groups of the
service's criteria in force today (rules/<SERVICE>/), in the order the criteria name them. A question
is asked only while its answer can still change the result: the explained evaluation of the answers
so far lists it among the facts still missing (``Evaluation.missing_facts``, exact under Kleene logic),
so a "no" that already decides, or an adult's age that makes a representative irrelevant, skips the
rest. Considerations (hardship, merit, risks: docs/decisions/0015) are never asked: the outcome names
them as what the subcommittee will weigh, with the dated thresholds, never as a refusal.

How a fact is asked (question, hint, plainer choice names, "I don't know", how to find out) is data in
``selfcheck_questions.yaml``; a fact without an entry there is asked with its label from
rules/facts.yaml. Services without criteria in the rule book (project grants, consultations) have the
self-check's own short yes/no conditions there (``own_services``). Where to go instead is
``governance/referrals.yaml``. "I don't know" is kept as unknown: the fact stays missing, never 0 or no.

Answers are stored as text (``UNKNOWN`` for "I don't know"), so a page can keep them in the session.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import get_language

from jfs.cases import service_registry, workflows
from jfs.core import clock
from jfs.eligibility import rulebook
from jfslib import datafiles
from jfslib.eligibility import Evaluation, FactError, NoRulesetInForce, Outcome, fmt
from jfslib.eligibility.facts import FactDef, FactType
from jfslib.eligibility.rules import Combine, Ruleset
from jfslib.thaidate import format_en, format_thai, to_be_year

QUESTIONS_FILE = Path(__file__).with_name("selfcheck_questions.yaml")
#: the stored answer "I don't know" (the fact stays unknown)
UNKNOWN = "?"
#: the fund's own hotline (templates/portal/base.html's footer)
HOTLINE = "1111 กด 77"
ELIGIBLE, NOT_ELIGIBLE, CANNOT_TELL = "eligible", "not_eligible", "unknown"

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_NUMBER_RE = re.compile(r"^\d+(\.\d+)?$")
_OLDEST_AGE = 120


def _english() -> bool:
    return (get_language() or "th").startswith("en")


@dataclass(frozen=True)
class Bi:
    """A text in Thai and English; printed (``str``, templates) in the active language."""

    th: str
    en: str = ""

    def __str__(self) -> str:
        return self.en if self.en and _english() else self.th


@dataclass(frozen=True)
class Option:
    value: str
    label: Bi


@dataclass(frozen=True)
class Question:
    """One question page: ``slug`` is the fact's name (the page's address)."""

    slug: str
    kind: str  # choice | number | date
    label: Bi
    hint: Bi
    short: Bi  # the fact named on "check your answers"
    options: tuple[Option, ...] = ()
    allow_unknown: bool = True
    unknown_label: Bi = Bi("ไม่ทราบ", "I don't know")
    unit: Bi = Bi("")
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    whole: bool = False
    find_out: Bi = Bi("")
    fact_type: str = "bool"

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


@dataclass(frozen=True)
class OwnCondition:
    """A condition of a service without criteria in the rule book: met when its question is answered yes."""

    id: str
    question: Question
    name: Bi
    met: Bi
    not_met: Bi


@dataclass(frozen=True)
class ServiceCheck:
    code: str
    name: Bi
    questions: tuple[Question, ...]
    own: tuple[OwnCondition, ...] | None  # None: the rule book's criteria decide
    weighed: tuple[Bi, ...] = ()  # own services: what is weighed after the conditions
    decided_by: Bi = Bi("คณะอนุกรรมการให้ความช่วยเหลือ", "the assistance subcommittee")
    note: Bi = Bi("")

    def question(self, slug: str) -> Question | None:
        return next((q for q in self.questions if q.slug == slug), None)


# ---------------------------------------------------------------------------------------------- data


class SelfCheckDataError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("self-check data is invalid:\n" + "\n".join(f"  - {p}" for p in problems))


def _bi(raw: Mapping[str, Any], key: str = "", fallback: Bi | None = None) -> Bi:
    th = raw.get(f"{key}_th" if key else "th")
    en = raw.get(f"{key}_en" if key else "en")
    if not th and fallback is not None:
        return fallback
    return Bi(str(th or ""), str(en or ""))


@cache
def _data() -> dict[str, Any]:
    doc, problems = datafiles.read_yaml(QUESTIONS_FILE, QUESTIONS_FILE.name)
    if doc is None or not isinstance(doc.data, dict):
        raise SelfCheckDataError(problems or [f"{QUESTIONS_FILE.name}: not a mapping"])
    return doc.data


def referrals_file() -> Path:
    return Path(getattr(settings, "JFS_REFERRALS_FILE", settings.BASE_DIR / "governance" / "referrals.yaml"))


@dataclass(frozen=True)
class Referral:
    key: str
    name: Bi
    helps: Bi
    phone: str
    website: str
    fits: tuple[str, ...]
    unconfirmed: bool

    @property
    def dial(self) -> str:
        """The number to dial (a "tel:" link): the digits before any extension ("1111 กด 77" → 1111)."""
        return re.sub(r"\D", "", re.split(r"กด|ext", self.phone)[0])

    def suits(self, reasons: Sequence[str]) -> bool:
        return any(fnmatch.fnmatchcase(r, p) for r in reasons for p in self.fits)


@cache
def referrals() -> tuple[Referral, ...]:
    """The organisations of governance/referrals.yaml, in the file's order (SelfCheckDataError if broken)."""
    path = referrals_file()
    doc, problems = datafiles.read_yaml(path, path.name)
    data = doc.data if doc is not None and isinstance(doc.data, dict) else {}
    out: list[Referral] = []
    for key, raw in (data.get("referrals") or {}).items():
        where = f"{path.name}: referrals.{key}"
        if not isinstance(raw, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        for k in ("th", "en", "helps_th", "helps_en", "phone"):
            if not str(raw.get(k) or "").strip():
                problems.append(f"{where}: '{k}' is missing")
        website = str(raw.get("website") or "")
        if website and not website.startswith("https://"):
            problems.append(f"{where}: website must start with https://")
        fits = raw.get("fits")
        if not isinstance(fits, list) or not fits:
            problems.append(f"{where}: 'fits' must list at least one pattern (SERVICE/criterion or *)")
            fits = []
        source_raw = raw.get("source")
        source: dict[str, Any] = source_raw if isinstance(source_raw, dict) else {}
        if not source.get("title"):
            problems.append(f"{where}: 'source' must name where the details were seen (title)")
        out.append(
            Referral(
                str(key),
                _bi(raw),
                _bi(raw, "helps"),
                str(raw.get("phone") or ""),
                website,
                tuple(str(f) for f in fits),
                bool(source.get("unconfirmed")),
            )
        )
    if not out and not problems:
        problems.append(f"{path.name}: no referrals")
    if problems:
        raise SelfCheckDataError(problems)
    return tuple(out)


def _question_for_fact(fact: FactDef) -> Question:
    raw: Mapping[str, Any] = (_data().get("questions") or {}).get(fact.name) or {}
    label = _bi(raw, fallback=Bi(fact.th, fact.en))
    common: dict[str, Any] = {
        "slug": fact.name,
        "label": label,
        "hint": _bi(raw, "hint", Bi("")),
        "short": Bi(fact.th, fact.en),
        "allow_unknown": bool(raw.get("unknown", True)),
        "unknown_label": _bi(raw, "unknown", Bi("ไม่ทราบ", "I don't know")),
        "find_out": _bi(raw, "find_out", Bi(f"โทรถามสายด่วน {HOTLINE}", "Call the fund's hotline, 1111 ext. 77")),
        "fact_type": fact.type.value,
    }
    names: Mapping[str, Any] = raw.get("options") or {}

    def named(value: str, default: Bi) -> Bi:
        o = names.get(value)
        return _bi(o) if isinstance(o, dict) else default

    opts: tuple[Option, ...]
    if fact.type is FactType.BOOL:
        opts = (Option("true", named("true", Bi("ใช่", "Yes"))), Option("false", named("false", Bi("ไม่ใช่", "No"))))
        return Question(kind="choice", options=opts, **common)
    if fact.type is FactType.ENUM:
        opts = tuple(Option(v.code, named(v.code, Bi(v.th, v.en))) for v in fact.values)
        return Question(kind="choice", options=opts, **common)
    if fact.type in (FactType.INT, FactType.DECIMAL):
        top = raw.get("max", fact.maximum)
        return Question(
            kind="number",
            unit=_bi(raw, "unit", Bi(fact.unit_th, fact.unit_en)),
            minimum=fact.minimum,
            maximum=Decimal(str(top)) if top is not None else None,
            whole=fact.type is FactType.INT,
            **common,
        )
    if fact.type is FactType.DATE:
        return Question(kind="date", **common)
    raise SelfCheckDataError([f"{fact.name}: a {fact.type.value} fact cannot be asked in the self-check"])


def condition_facts(ruleset: Ruleset) -> tuple[str, ...]:
    """The base facts the condition groups name, in the order the criteria name them."""
    vocab = ruleset.vocabulary
    out: list[str] = []
    for g in ruleset.groups:
        if not g.condition:
            continue
        for c in ruleset.criteria_in(g.id):
            for name in c.facts:
                for base in vocab.base_facts_of(name) if vocab[name].derived else (name,):
                    if base not in out:
                        out.append(base)
    return tuple(out)


def _own_service(code: str, name: Bi, raw: Mapping[str, Any]) -> ServiceCheck:
    conds: list[OwnCondition] = []
    for c in raw.get("conditions") or ():
        q = Question(
            slug=str(c["id"]),
            kind="choice",
            label=_bi(c),
            hint=_bi(c, "hint", Bi("")),
            short=_bi(c, "name"),
            options=(Option("true", Bi("ใช่", "Yes")), Option("false", Bi("ไม่ใช่", "No"))),
            unknown_label=Bi("ไม่แน่ใจ", "I am not sure"),
            find_out=_bi(c, "find_out", Bi("")),
        )
        conds.append(OwnCondition(str(c["id"]), q, _bi(c, "name"), _bi(c, "met"), _bi(c, "not_met")))
    return ServiceCheck(
        code=code,
        name=name,
        questions=tuple(c.question for c in conds),
        own=tuple(conds),
        weighed=tuple(_bi(w) for w in raw.get("weighed") or ()),
        decided_by=_bi(raw, "decided_by", ServiceCheck.decided_by),
        note=_bi(raw, "note", Bi("")),
    )


def service_check(code: str, on: date | None = None) -> ServiceCheck:
    """The self-check of a service (KeyError for an unknown code) with the criteria in force on ``on``."""
    if not service_registry.exists(code):
        raise KeyError(code)
    service = service_registry.get(code)
    name = Bi(service.th, service.en)
    own: Mapping[str, Any] = (_data().get("own_services") or {}).get(code) or {}
    ruleset = _ruleset(code, on) if service.rules is not None else None
    if ruleset is None:
        return _own_service(code, name, own)
    vocab = ruleset.vocabulary
    return ServiceCheck(
        code=code, name=name, own=None, questions=tuple(_question_for_fact(vocab[f]) for f in condition_facts(ruleset))
    )


def services() -> list[ServiceCheck]:
    """Every service's self-check, in the services' order."""
    return [service_check(code) for code in list(service_registry.all_services())]


def _ruleset(code: str, on: date | None) -> Ruleset | None:
    service = service_registry.get(code)
    if service.rules is None:
        return None
    try:
        return rulebook.ruleset_for(code, on or clock.today())
    except NoRulesetInForce:
        return None


def data_problems() -> list[str]:
    """What is wrong with the self-check's data today: every question built, every referral readable, a
    word for each consideration group of the criteria in force (the start-up check and a test)."""
    problems: list[str] = []
    try:
        referrals()
    except SelfCheckDataError as exc:
        problems += exc.problems
    words = _data().get("considerations") or {}
    for code in list(service_registry.all_services()):
        try:
            check = service_check(code)
        except SelfCheckDataError as exc:
            problems += [f"{code}: {p}" for p in exc.problems]
            continue
        ruleset = _ruleset(code, None)
        if ruleset is None:
            if code not in (_data().get("own_services") or {}):
                problems.append(
                    f"{QUESTIONS_FILE.name}: {code} has no criteria in the rule book and no own_services entry"
                )
            continue
        asked = _data().get("questions") or {}
        problems += [
            f"{QUESTIONS_FILE.name}: no words for the question '{q.slug}' ({code})"
            for q in check.questions
            if q.slug not in asked
        ]
        problems += [
            f"{QUESTIONS_FILE.name}: considerations.{g.id} ({code}) has no plain words"
            for g in ruleset.groups
            if not g.condition and g.id not in words
        ]
    return problems


# -------------------------------------------------------------------------------------------- answers


@dataclass(frozen=True)
class FieldError:
    field: str  # the input's id on the page
    message: Bi


@dataclass
class Parsed:
    """An answer read from a page: ``value`` (stored form) when valid, else ``errors``; ``kept`` holds what
    was typed (shown again), ``suggestion`` a Buddhist-era year for a year typed in the Christian era."""

    value: str | None = None
    errors: list[FieldError] = field(default_factory=list)
    kept: dict[str, str] = field(default_factory=dict)
    suggestion: str = ""


def _clean_number(text: str) -> str:
    t = text.translate(_THAI_DIGITS).strip()
    for junk in (",", " ", "\u00a0", "บาท", "฿"):
        t = t.replace(junk, "")
    return t


def _fmt_number(value: Decimal) -> str:
    return fmt.number(value)


def parse_answer(q: Question, data: Mapping[str, str], today: date | None = None) -> Parsed:
    """Read a question page's form: ``answer`` (choice, number), ``day``/``month``/``year`` (date);
    ``dont_know`` (a button) answers "I don't know" where it is offered."""
    today = today or clock.today()
    if q.allow_unknown and (data.get("dont_know") or data.get("answer") == UNKNOWN):
        return Parsed(value=UNKNOWN)
    if q.kind == "choice":
        chosen = str(data.get("answer") or "")
        if q.option(chosen) is None:
            return Parsed(
                errors=[
                    FieldError(
                        f"answer-{q.options[0].value}",
                        Bi(
                            "กรุณาเลือกคำตอบหนึ่งข้อ" + (f' หรือเลือก "{q.unknown_label.th}"' if q.allow_unknown else ""),
                            "Choose one answer" + (f', or "{q.unknown_label.en}"' if q.allow_unknown else ""),
                        ),
                    )
                ]
            )
        return Parsed(value=chosen)
    if q.kind == "number":
        return _parse_number(q, str(data.get("answer") or ""))
    return _parse_date(q, data, today)


def _parse_number(q: Question, raw: str) -> Parsed:
    kept = {"answer": raw}
    text = _clean_number(raw)
    unit_th = f" {q.unit.th}" if q.unit.th else ""
    unit_en = f" {q.unit.en}" if q.unit.en else ""

    def error(th: str, en: str) -> Parsed:
        return Parsed(errors=[FieldError("answer", Bi(th, en))], kept=kept)

    if not text:
        return error(
            "กรุณาใส่ตัวเลข" + (' หรือกดปุ่ม "ไม่ทราบ"' if q.allow_unknown else ""),
            "Enter a number" + (' or press "I don\'t know"' if q.allow_unknown else ""),
        )
    if text.startswith("-") and _NUMBER_RE.match(text[1:]):
        low = _fmt_number(q.minimum if q.minimum is not None else Decimal(0))
        return error(
            f"ตัวเลขต้องไม่ติดลบ (ไม่น้อยกว่า {low}{unit_th})", f"The number cannot be negative (at least {low}{unit_en})"
        )
    if not _NUMBER_RE.match(text):
        return error("ใส่เป็นตัวเลขเท่านั้น เช่น 50,000", "Enter digits only, for example 50,000")
    value = Decimal(text)
    if q.whole and value != value.to_integral_value():
        return error("ใส่เป็นจำนวนเต็ม ไม่มีทศนิยม", "Enter a whole number")
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        return error("ใส่ทศนิยมได้ไม่เกิน 2 ตำแหน่ง", "Use at most 2 decimal places")
    if q.minimum is not None and value < q.minimum:
        return error(
            f"ตัวเลขต้องไม่น้อยกว่า {_fmt_number(q.minimum)}{unit_th}",
            f"The number must be at least {_fmt_number(q.minimum)}{unit_en}",
        )
    if q.maximum is not None and value > q.maximum:
        return error(
            f"ตัวเลขมากเกินไป ต้องไม่เกิน {_fmt_number(q.maximum)}{unit_th} กรุณาตรวจสอบจำนวนศูนย์",
            f"The number is too large: at most {_fmt_number(q.maximum)}{unit_en}. Check the zeros",
        )
    text = format(value.quantize(Decimal("0.01")), "f").removesuffix(".00")
    return Parsed(value=str(int(value)) if q.whole else text, kept=kept)


def _parse_date(q: Question, data: Mapping[str, str], today: date) -> Parsed:
    raw = {k: str(data.get(k) or "") for k in ("day", "month", "year")}
    kept = dict(raw)
    if data.get("use_year"):  # "yes, I meant B.E. …" (the suggestion's button)
        kept["year"] = raw["year"] = str(data.get("use_year"))
    parts = {k: v.translate(_THAI_DIGITS).strip() for k, v in raw.items()}

    def error(where: str, th: str, en: str, suggestion: str = "") -> Parsed:
        return Parsed(errors=[FieldError(f"date-{where}", Bi(th, en))], kept=kept, suggestion=suggestion)

    if not any(parts.values()):
        return error(
            "day",
            "กรุณาใส่วัน เดือน และปี พ.ศ." + (' หรือกดปุ่ม "ไม่ทราบ"' if q.allow_unknown else ""),
            "Enter the day, month and B.E. year" + (' or press "I don\'t know"' if q.allow_unknown else ""),
        )
    for k, th, en in (("day", "วัน", "day"), ("month", "เดือน", "month"), ("year", "ปี พ.ศ.", "B.E. year")):
        if not parts[k].isdigit():
            return error(k, f"กรุณาใส่{th}เป็นตัวเลข", f"Enter the {en} as a number")
    day, month, year = int(parts["day"]), int(parts["month"]), int(parts["year"])
    this_be = to_be_year(today.year)
    if 1800 <= year <= today.year:
        return error(
            "year",
            f"ปี {year} น่าจะเป็นปี ค.ศ. คุณหมายถึง พ.ศ. {year + 543} ใช่หรือไม่",
            f"{year} looks like a Christian-era year. Did you mean B.E. {year + 543}?",
            str(year + 543),
        )
    if not this_be - _OLDEST_AGE <= year <= this_be:
        return error(
            "year",
            f"ปี พ.ศ. ต้องอยู่ระหว่าง {this_be - _OLDEST_AGE} ถึง {this_be}",
            f"The B.E. year must be between {this_be - _OLDEST_AGE} and {this_be}",
        )
    if not 1 <= month <= 12:
        return error("month", "เดือนต้องเป็นตัวเลข 1 ถึง 12", "The month must be a number from 1 to 12")
    try:
        value = date(year - 543, month, day)
    except ValueError:
        return error(
            "day",
            f"ไม่มีวันที่ {day} ในเดือนที่ {month} ของปี พ.ศ. {year}",
            f"There is no day {day} in month {month} of B.E. {year}",
        )
    if value > today:
        return error("day", "วันเกิดต้องไม่เป็นวันในอนาคต", "A date of birth cannot be in the future")
    return Parsed(value=value.isoformat(), kept=kept)


def fact_value(q: Question, stored: str) -> object:
    """The fact's value for a stored answer (None for "I don't know")."""
    if stored == UNKNOWN:
        return None
    if q.kind == "choice":
        return {"true": True, "false": False}.get(stored, stored) if q.fact_type == "bool" else stored
    if q.kind == "number":
        return int(stored) if q.whole else Decimal(stored)
    return date.fromisoformat(stored)


def shown(q: Question, stored: str) -> Bi:
    """An answer in words, for "check your answers"."""
    if stored == UNKNOWN:
        return q.unknown_label
    if q.kind == "choice":
        o = q.option(stored)
        return o.label if o else Bi(stored)
    if q.kind == "number":
        text = _fmt_number(Decimal(stored))
        return Bi(f"{text} {q.unit.th}".strip(), f"{text} {q.unit.en}".strip())
    d = date.fromisoformat(stored)
    return Bi(format_thai(d, "long"), format_en(d))


def _valid(check: ServiceCheck, answers: Mapping[str, str]) -> dict[str, str]:
    """The stored answers that still read as answers to today's questions."""
    out: dict[str, str] = {}
    for q in check.questions:
        stored = answers.get(q.slug)
        if not isinstance(stored, str):
            continue
        try:
            fact_value(q, stored)
        except (ValueError, InvalidOperation):
            continue
        if stored == UNKNOWN or q.kind != "choice" or q.option(stored) is not None:
            out[q.slug] = stored
    return out


def _facts(check: ServiceCheck, answers: Mapping[str, str], asked: Sequence[Question]) -> dict[str, object]:
    return {q.slug: fact_value(q, answers[q.slug]) for q in asked if q.slug in answers}


def _still_matters(check: ServiceCheck, q: Question, facts: Mapping[str, object], on: date) -> bool:
    if check.own is not None:
        return all(v is not False for v in facts.values())  # a condition not met decides (AND)
    try:
        ev = rulebook.screen(check.code, dict(facts), on)
    except FactError:
        return True
    return q.slug in {m.name for m in ev.missing_facts}


@dataclass(frozen=True)
class Progress:
    asked: tuple[Question, ...]  # answered, on today's path (the answers that count)
    next: Question | None  # the next question to ask; None when the answers are complete

    @property
    def complete(self) -> bool:
        return self.next is None


def progress(check: ServiceCheck, answers: Mapping[str, str], on: date | None = None) -> Progress:
    """Walk the questions in order, skipping those whose answer cannot matter given the earlier answers."""
    on = on or clock.today()
    answers = _valid(check, answers)
    asked: list[Question] = []
    for q in check.questions:
        if not _still_matters(check, q, _facts(check, answers, asked), on):
            continue
        if q.slug not in answers:
            return Progress(tuple(asked), q)
        asked.append(q)
    return Progress(tuple(asked), None)


@dataclass(frozen=True)
class AnswerRow:
    question: Question
    answer: Bi


def answer_rows(check: ServiceCheck, answers: Mapping[str, str], on: date | None = None) -> list[AnswerRow]:
    answers = _valid(check, answers)
    return [AnswerRow(q, shown(q, answers[q.slug])) for q in progress(check, answers, on).asked]


# -------------------------------------------------------------------------------------------- outcome


@dataclass(frozen=True)
class Line:
    """A condition in words and why it reads as it does (with the figures given)."""

    name: Bi
    because: Bi


@dataclass(frozen=True)
class Weighed:
    """What the subcommittee weighs, in plain words, with the thresholds it uses (dated)."""

    what: Bi
    thresholds: tuple[Bi, ...] = ()


@dataclass(frozen=True)
class UnknownFact:
    question: Bi
    find_out: Bi


@dataclass(frozen=True)
class SelfCheckOutcome:
    code: str
    service: Bi
    result: str  # eligible | not_eligible | unknown
    met: tuple[Line, ...]
    not_met: tuple[Line, ...]
    undecided: tuple[Line, ...]
    unknown_facts: tuple[UnknownFact, ...]
    weighed: tuple[Weighed, ...]
    documents: tuple[Bi, ...]
    referrals: tuple[Referral, ...]
    rules: Bi  # which criteria, in force since when (Buddhist era)
    decided_by: Bi
    note: Bi
    hotline: str = HOTLINE

    @property
    def apply_url(self) -> str:
        return f"/apply/?service={self.code}"


def _param_line(p: Any) -> Bi:
    value_th = f"{p.display('th')} {p.unit_th}".strip()
    value_en = f"{p.display('en')} {p.unit_en}".strip()
    th = f"{p.th}: {value_th} (ใช้ตั้งแต่ {fmt.thai_date(p.since)}"
    en = f"{p.en}: {value_en} (from {fmt.en_date(p.since)}"
    if p.unconfirmed:
        th += " ตัวเลขเบื้องต้น รอยืนยัน"
        en += "; a provisional figure"
    return Bi(th + ")", en + ")")


def _documents(code: str) -> tuple[Bi, ...]:
    try:
        wf = workflows.get(code)
    except KeyError:
        return ()
    return tuple(Bi(d.th, d.en) for d in wf.documents.values() if d.required)


def _suited(reasons: Sequence[str]) -> tuple[Referral, ...]:
    return tuple(r for r in referrals() if r.suits(reasons)) if reasons else ()


def evaluate(check: ServiceCheck, answers: Mapping[str, str], on: date | None = None) -> SelfCheckOutcome:
    """The outcome of complete answers (the pages send an incomplete set back to its next question)."""
    on = on or clock.today()
    answers = _valid(check, answers)
    asked = progress(check, answers, on).asked
    facts = _facts(check, answers, asked)
    if check.own is not None:
        return _own_outcome(check, answers, facts)
    ev = rulebook.screen(check.code, facts, on)
    return _rule_outcome(check, ev)


def _rule_outcome(check: ServiceCheck, ev: Evaluation) -> SelfCheckOutcome:
    ruleset = ev.ruleset
    by_group = {g.id: g for g in ev.groups}
    met: list[Line] = []
    not_met: list[Line] = []
    undecided: list[Line] = []
    reasons: list[str] = []
    for g in ruleset.groups:
        if not g.condition:
            continue
        gr = by_group[g.id]
        crit = ev.criteria_of(g.id)

        def line(c: Any) -> Line:
            return Line(Bi(c.th, c.en), Bi(c.explanation_th, c.explanation_en))

        if g.combine == Combine.ANY:
            if gr.outcome is Outcome.YES:
                met += [line(c) for c in crit if c.outcome is Outcome.YES]
            elif gr.outcome is Outcome.NO:
                not_met.append(
                    Line(
                        Bi(g.th, g.en),
                        Bi(" หรือ ".join(c.explanation_th for c in crit), " or ".join(c.explanation_en for c in crit)),
                    )
                )
                reasons += [f"{check.code}/{c.id}" for c in crit]
            else:
                undecided += [line(c) for c in crit if c.outcome is Outcome.UNKNOWN]
            continue
        failing = Outcome.YES if g.combine == Combine.NONE else Outcome.NO
        for c in crit:
            if c.outcome is Outcome.UNKNOWN:
                undecided.append(line(c))
            elif c.outcome is failing:
                not_met.append(line(c))
                reasons.append(f"{check.code}/{c.id}")
            else:
                met.append(line(c))
    words: Mapping[str, Any] = _data().get("considerations") or {}
    weighed: list[Weighed] = []
    for g in ruleset.groups:
        if g.condition:
            continue
        params: list[Any] = []
        for rule in ruleset.criteria_in(g.id):
            params += [ruleset.parameters[n] for n in rule.parameters if ruleset.parameters[n] not in params]
        plain = words.get(g.id)
        weighed.append(
            Weighed(_bi(plain) if isinstance(plain, dict) else Bi(g.th, g.en), tuple(_param_line(p) for p in params))
        )
    result = {Outcome.YES: ELIGIBLE, Outcome.NO: NOT_ELIGIBLE}.get(ev.outcome, CANNOT_TELL)
    questions = {q.slug: q for q in check.questions}
    unknown = tuple(
        UnknownFact(
            questions[m.name].label if m.name in questions else Bi(m.th, m.en),
            questions[m.name].find_out if m.name in questions else Bi(""),
        )
        for m in ev.missing_facts
    )
    since = ev.in_force_from
    rules = Bi(
        f"เกณฑ์{ruleset.th} ที่ใช้บังคับตั้งแต่ {format_thai(since)}",
        f"The criteria of {ruleset.en} in force from {format_en(since)}",
    )
    return SelfCheckOutcome(
        code=check.code,
        service=check.name,
        result=result,
        met=tuple(met),
        not_met=tuple(not_met) if result == NOT_ELIGIBLE else (),
        undecided=tuple(undecided) if result == CANNOT_TELL else (),
        unknown_facts=unknown if result == CANNOT_TELL else (),
        weighed=tuple(weighed),
        documents=_documents(check.code),
        referrals=_suited(reasons) if result == NOT_ELIGIBLE else (),
        rules=rules,
        decided_by=check.decided_by,
        note=check.note,
    )


def _own_outcome(check: ServiceCheck, answers: Mapping[str, str], facts: Mapping[str, object]) -> SelfCheckOutcome:
    met: list[Line] = []
    not_met: list[Line] = []
    undecided: list[Line] = []
    unknown: list[UnknownFact] = []
    for c in check.own or ():
        if c.id not in facts:
            continue
        v = facts[c.id]
        if v is True:
            met.append(Line(c.name, c.met))
        elif v is False:
            not_met.append(Line(c.name, c.not_met))
        else:
            undecided.append(Line(c.name, Bi(f"ยังไม่ทราบว่า{c.name.th}หรือไม่", f"Not known yet whether {c.name.en}")))
            unknown.append(UnknownFact(c.question.label, c.question.find_out))
    result = NOT_ELIGIBLE if not_met else (CANNOT_TELL if undecided else ELIGIBLE)
    reasons = [f"{check.code}/{c.id}" for c in check.own or () if facts.get(c.id) is False]
    return SelfCheckOutcome(
        code=check.code,
        service=check.name,
        result=result,
        met=tuple(met),
        not_met=tuple(not_met),
        undecided=tuple(undecided) if result == CANNOT_TELL else (),
        unknown_facts=tuple(unknown) if result == CANNOT_TELL else (),
        weighed=tuple(Weighed(w) for w in check.weighed),
        documents=_documents(check.code),
        referrals=_suited(reasons) if result == NOT_ELIGIBLE else (),
        rules=Bi(
            "คำถามเบื้องต้นของการตรวจสอบสิทธิ์นี้ (บริการนี้ยังไม่มีเกณฑ์ในระบบ)",
            "This self-check's own first questions (the service has no criteria in the system yet)",
        ),
        decided_by=check.decided_by,
        note=check.note,
    )
