"""The fact vocabulary: every fact a rule may mention, declared once with its type, labels and source.

``rules/facts.yaml`` declares base facts (given by the JFS, the applicant, staff or a
registry) and derived facts (computed from other facts and the evaluation date by one
of a small fixed set of derivations). A rule that names an unknown fact, or compares a
fact with a value of the wrong type, fails to load.

Derivations (the whole set; each has a Python and an SQL form that agree exactly):

``age_years``   completed years from a date fact to the evaluation date
                (a 29 February birthday is reached on 1 March in common years)
``days_since``  whole days from a date fact to the evaluation date
``multiply``    a numeric fact times a constant (``by``)
``ratio``       a numeric fact divided by another (``per``); comparisons are made by
                cross-multiplication (``of <= t * per``), so they are exact in Python,
                DuckDB and PostgreSQL alike; a denominator of zero or less gives UNKNOWN
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Any

from jfslib import datafiles
from jfslib.eligibility import fmt
from jfslib.eligibility.errors import FactError, RuleDefinitionError

FactValue = int | Decimal | bool | str | date


class FactType(StrEnum):
    INT = "int"
    DECIMAL = "decimal"
    BOOL = "bool"
    STR = "str"
    DATE = "date"
    ENUM = "enum"

    @property
    def numeric(self) -> bool:
        return self in (FactType.INT, FactType.DECIMAL)

    @property
    def ordered(self) -> bool:
        return self in (FactType.INT, FactType.DECIMAL, FactType.DATE)


@dataclass(frozen=True)
class EnumValue:
    code: str
    th: str
    en: str


@dataclass(frozen=True)
class Derivation:
    fn: str
    of: str
    by: Decimal | None = None
    per: str | None = None


@dataclass(frozen=True)
class FactDef:
    name: str
    type: FactType
    th: str
    en: str
    unit_th: str = ""
    unit_en: str = ""
    source: str = "applicant"
    registry: str = ""
    description: str = ""
    values: tuple[EnumValue, ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    derive: Derivation | None = None

    @property
    def derived(self) -> bool:
        return self.derive is not None

    def label(self, lang: str) -> str:
        return self.th if lang == "th" else self.en

    def value_label(self, code: str, lang: str) -> str:
        for v in self.values:
            if v.code == code:
                return v.th if lang == "th" else v.en
        return code


class Context:
    """One evaluation's facts, evaluation date and cache of derived values."""

    __slots__ = ("facts", "on", "cache")

    def __init__(self, facts: Mapping[str, FactValue], on: date):
        self.facts = facts
        self.on = on
        self.cache: dict[str, FactValue | None] = {}


Getter = Callable[[Context], Any]
Checker = Callable[[object], tuple[FactValue, str]]  # → (canonical value, problem or "")
Formatter = Callable[[Any], str]


@dataclass(frozen=True)
class Vocabulary:
    facts: Mapping[str, FactDef]
    path: str = "<data>"
    getters: Mapping[str, Getter] = field(default_factory=dict, compare=False, repr=False)
    checkers: Mapping[str, Checker] = field(default_factory=dict, compare=False, repr=False)
    formatters: Mapping[tuple[str, str], Formatter] = field(default_factory=dict, compare=False, repr=False)
    displayers: Mapping[str, Getter] = field(default_factory=dict, compare=False, repr=False)

    def __contains__(self, name: object) -> bool:
        return name in self.facts

    def __getitem__(self, name: str) -> FactDef:
        return self.facts[name]

    def base_facts_of(self, name: str) -> tuple[str, ...]:
        """The base facts a (possibly derived) fact is computed from, in a stable order."""
        f = self.facts[name]
        if f.derive is None:
            return (name,)
        out = list(self.base_facts_of(f.derive.of))
        if f.derive.per:
            out += [n for n in self.base_facts_of(f.derive.per) if n not in out]
        return tuple(out)

    def ratio_parts(self, name: str) -> tuple[str, str] | None:
        f = self.facts[name]
        if f.derive is not None and f.derive.fn == "ratio" and f.derive.per:
            return f.derive.of, f.derive.per
        return None

    # ------------------------------------------------------------------ input facts

    def validate(self, given: Mapping[str, object]) -> dict[str, FactValue]:
        """Check given facts against the vocabulary; ``None`` means not known and is dropped.

        Integers are accepted for decimal facts (and become Decimal). Raises FactError
        listing every problem.
        """
        out: dict[str, FactValue] = {}
        problems: list[str] = []
        checkers = self.checkers
        for name, value in given.items():
            if value is None:
                continue
            check = checkers.get(name)
            if check is None:
                f = self.facts.get(name)
                problems.append(f"unknown fact {name!r}" if f is None else f"{name!r} is derived and cannot be given")
                continue
            coerced, problem = check(value)
            if problem:
                problems.append(problem)
            else:
                out[name] = coerced
        if problems:
            raise FactError(problems)
        return out

    # ------------------------------------------------------------------ display

    def format_value(self, name: str, value: FactValue | None, lang: str) -> str:
        if value is None:
            return fmt.UNKNOWN_TH if lang == "th" else fmt.UNKNOWN_EN
        return self.formatters[(name, lang)](value)

    def display_value(self, name: str, ctx: Context) -> FactValue | None:
        """A fact's value for people: a ratio is shown divided (rounded to satang in display)."""
        return self.displayers[name](ctx)  # type: ignore[no-any-return]


def _coerce(f: FactDef, value: object) -> tuple[FactValue, str]:
    """Dates and text: the value, and a problem message ('' when it fits)."""
    if f.type is FactType.DATE:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value, ""
        return date.min, f"{f.name}: expected a date, got {value!r}"
    if isinstance(value, str):
        return value, ""
    return "", f"{f.name}: expected text, got {value!r}"


def _make_checker(f: FactDef) -> Checker:
    """A validator specialised to one fact (the hot path of every evaluation)."""
    codes = frozenset(v.code for v in f.values)
    lo, hi = f.minimum, f.maximum
    name = f.name

    def out_of_range(v: int | Decimal) -> str:
        if lo is not None and v < lo:
            return f"{name}: {v} is below the minimum {lo}"
        if hi is not None and v > hi:
            return f"{name}: {v} is above the maximum {hi}"
        return ""

    if f.type is FactType.BOOL:
        def check_bool(value: object) -> tuple[FactValue, str]:
            if value is True or value is False:
                return value, ""
            return False, f"{name}: expected true/false, got {value!r}"

        return check_bool
    if f.type is FactType.ENUM:
        def check_enum(value: object) -> tuple[FactValue, str]:
            if isinstance(value, str) and value in codes:
                return value, ""
            return "", f"{name}: {value!r} is not one of {', '.join(sorted(codes))}"

        return check_enum
    if f.type is FactType.INT:
        def check_int(value: object) -> tuple[FactValue, str]:
            if type(value) is int:
                return value, out_of_range(value)
            return 0, f"{name}: expected a whole number, got {value!r}"

        return check_int
    if f.type is FactType.DECIMAL:
        def check_decimal(value: object) -> tuple[FactValue, str]:
            if type(value) is int:
                d = Decimal(value)
            elif isinstance(value, Decimal):
                d = value
                exp = d.as_tuple().exponent
                if not isinstance(exp, int):
                    return 0, f"{name}: {value!r} is not a finite number"
                if exp < -2:
                    return 0, f"{name}: at most 2 decimal places, got {value!r}"
            else:
                return 0, f"{name}: expected a number (int or Decimal), got {value!r}"
            return d, out_of_range(d)

        return check_decimal

    def check_other(value: object) -> tuple[FactValue, str]:
        return _coerce(f, value)

    return check_other


def _make_formatter(f: FactDef, lang: str) -> Formatter:
    t = f.type
    if t is FactType.BOOL:
        return lambda v: fmt.boolean(bool(v), lang)
    if t is FactType.ENUM:
        labels = {v.code: (v.th if lang == "th" else v.en) for v in f.values}
        return lambda v: labels.get(v, str(v))
    if t is FactType.DATE:
        return fmt.thai_date if lang == "th" else fmt.en_date
    if t.numeric:
        return fmt.number
    return str


# ---------------------------------------------------------------------- parsing


def parse_literal(t: FactType, raw: object) -> FactValue | None:
    """A literal from YAML for a fact of type ``t``; None when it does not fit the type."""
    if t is FactType.BOOL:
        return raw if isinstance(raw, bool) else None
    if t is FactType.INT:
        return raw if isinstance(raw, int) and not isinstance(raw, bool) else None
    if t is FactType.DECIMAL:
        if isinstance(raw, bool):
            return None
        if isinstance(raw, int | float | str | Decimal):
            try:
                d = Decimal(str(raw))
            except InvalidOperation:
                return None
            return d if d.is_finite() else None
        return None
    if t is FactType.DATE:
        if isinstance(raw, str):
            try:
                return date.fromisoformat(raw)
            except ValueError:
                return None
        return raw if isinstance(raw, date) and not isinstance(raw, datetime) else None
    return raw if isinstance(raw, str) else None


def _num(raw: object) -> Decimal | None:
    if raw is None or isinstance(raw, bool):
        return None
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        return None


def build_vocabulary(data: Mapping[str, Any], source: str = "<data>") -> Vocabulary:
    """The vocabulary from a mapping (tests, tools); see ``load_vocabulary``."""
    return _vocabulary(datafiles.Document(data, source))


def _vocabulary(doc: datafiles.Document) -> Vocabulary:
    """Check and build the vocabulary: the schema (``schemas/facts.schema.json``) checks each
    declaration's shape; here, what derivations refer to and that none depends on itself."""
    problems: list[str] = []
    report = datafiles.Report(doc, problems)
    report.check("facts")
    data = datafiles.to_json(doc.data)
    raw_facts = data.get("facts") if isinstance(data, dict) else None
    declared: dict[str, Any] = raw_facts if isinstance(raw_facts, dict) else {}
    facts: dict[str, FactDef] = {}
    for name, raw in declared.items():
        if report.broken(("facts", name)):
            continue
        d = raw.get("derive")
        facts[name] = FactDef(
            name=name, type=FactType(raw["type"]), th=raw["th"], en=raw["en"],
            unit_th=raw.get("unit_th", ""), unit_en=raw.get("unit_en", ""),
            source="derived" if d else raw.get("source", "applicant"), registry=raw.get("registry", ""),
            description=raw.get("description", ""),
            values=tuple(EnumValue(code, v["th"], v["en"]) for code, v in (raw.get("values") or {}).items()),
            minimum=_num(raw.get("min")), maximum=_num(raw.get("max")),
            derive=Derivation(d["fn"], d["of"], _num(d.get("by")), d.get("per")) if d else None,
        )
    for f in facts.values():
        if f.derive is not None:
            for message in _check_derivation(f, facts, set(declared)):
                report.add(("facts", f.name, "derive"), message)
    if not problems:
        for name in _cycles(facts):
            report.add(("facts", name, "derive"), f"derived fact '{name}' depends on itself")
    if problems:
        raise RuleDefinitionError(problems)
    vocab = Vocabulary(facts=facts, path=doc.label)
    object.__setattr__(vocab, "getters", _build_getters(vocab))
    object.__setattr__(vocab, "checkers", {n: _make_checker(f) for n, f in facts.items() if f.derive is None})
    displayers = dict(vocab.getters)
    for n in facts:
        parts = vocab.ratio_parts(n)
        if parts is not None:
            displayers[n] = _ratio_display(vocab.getters[parts[0]], vocab.getters[parts[1]])
    object.__setattr__(vocab, "displayers", displayers)
    object.__setattr__(
        vocab, "formatters", {(n, lang): _make_formatter(f, lang) for n, f in facts.items() for lang in ("th", "en")}
    )
    return vocab


def _check_derivation(f: FactDef, facts: Mapping[str, FactDef], declared: set[str]) -> list[str]:
    """What a derivation refers to exists and has a type it can use (facts declared but broken are skipped)."""
    d = f.derive
    assert d is not None
    refs = [d.of] + ([d.per] if d.per else [])
    unknown = [n for n in refs if n not in declared]
    if unknown:
        return [f"'{'of' if n == d.of else 'per'}' names unknown fact '{n}'" for n in unknown]
    base, per = facts.get(d.of), facts.get(d.per or "")
    if base is None or (d.per and per is None):
        return []
    problems: list[str] = []
    if any(dep is not None and dep.derive is not None and dep.derive.fn == "ratio" for dep in (base, per)):
        problems.append("a ratio can only be compared, not derived from")
    if d.fn in ("age_years", "days_since"):
        if base.type is not FactType.DATE:
            problems.append(f"{d.fn} needs a date fact, '{d.of}' is {base.type.value}")
        if f.type is not FactType.INT:
            problems.append(f"{d.fn} gives an int: write type: int")
    elif d.fn == "multiply" and d.by is not None:
        whole = base.type is FactType.INT and d.by == d.by.to_integral_value()
        if not base.type.numeric:
            problems.append(f"multiply needs a number, '{d.of}' is {base.type.value}")
        elif f.type is not (FactType.INT if whole else FactType.DECIMAL):
            problems.append(f"multiply gives {'an int' if whole else 'a decimal'} here: write that type")
    elif d.fn == "ratio":
        if per is None or not base.type.numeric or not per.type.numeric:
            problems.append("ratio needs numeric facts")
        if f.type is not FactType.DECIMAL:
            problems.append("ratio gives a decimal: write type: decimal")
    return problems


def _cycles(facts: Mapping[str, FactDef]) -> list[str]:
    """Derived facts that depend on themselves."""
    out: list[str] = []
    for start in facts:
        seen: set[str] = set()
        stack = [start]
        while stack:
            cur = facts.get(stack.pop())
            d = cur.derive if cur is not None else None
            for nxt in (d.of, d.per or "") if d is not None else ():
                if nxt == start:
                    out.append(start)
                    stack.clear()
                    break
                if nxt and nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
    return out


def _ratio_display(get_num: Getter, get_den: Getter) -> Getter:
    def show(ctx: Context) -> Any:
        num = get_num(ctx)
        den = get_den(ctx)
        if num is None or den is None or den <= 0:
            return None
        return Decimal(num) / Decimal(den)

    return show


def _age_years(born: date, on: date) -> int:
    return on.year - born.year - (1 if (on.month, on.day) < (born.month, born.day) else 0)


def _build_getters(vocab: Vocabulary) -> dict[str, Getter]:
    getters: dict[str, Getter] = {}

    def base_getter(name: str) -> Getter:
        def get(ctx: Context) -> Any:
            return ctx.facts.get(name)

        return get

    def derived_getter(f: FactDef) -> Getter:
        d = f.derive
        assert d is not None
        name = f.name

        def compute(ctx: Context) -> Any:
            src = getters[d.of](ctx)
            if src is None:
                return None
            if d.fn == "age_years":
                return _age_years(src, ctx.on)
            if d.fn == "days_since":
                return (ctx.on - src).days
            if d.fn == "multiply":
                assert d.by is not None
                if f.type is FactType.INT:
                    return src * int(d.by)
                return Decimal(src) * d.by
            # ratio: the exact quotient is only used for display; comparisons cross-multiply
            den = getters[d.per or ""](ctx)
            if den is None or den <= 0:
                return None
            return Decimal(src) / Decimal(den)

        def get(ctx: Context) -> Any:
            cache = ctx.cache
            if name in cache:
                return cache[name]
            value = compute(ctx)
            cache[name] = value
            return value

        return get

    for f in vocab.facts.values():
        getters[f.name] = base_getter(f.name) if f.derive is None else derived_getter(f)
    return getters


def load_vocabulary(path: Path) -> Vocabulary:
    doc, problems = datafiles.read_yaml(path, path.name)
    if doc is None:
        raise RuleDefinitionError(problems)
    return _vocabulary(doc)
