"""Explained evaluation of one applicant: YES / NO / UNKNOWN overall and per criterion.

Every result carries its Thai and English explanation (rendered from the rule
data), the clauses it rests on, the rule version and its effective date, the
figures used (derived ones included) and, when UNKNOWN, exactly which facts are
missing. Overall = AND over the *condition* groups, each group combining its
criteria as declared (all / any / none), all in Kleene three-valued logic.
Consideration groups (financial hardship, merit, risks, help under other laws) are
evaluated the same way but report a *finding* for the subcommittee (points for /
against / to note / unknown) and never enter the overall result (docs/decisions/0015).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from jfslib.eligibility import expr as ex
from jfslib.eligibility.facts import Context, FactValue
from jfslib.eligibility.rules import (
    Citation,
    Combine,
    Criterion,
    Parameter,
    Ruleset,
    Template,
    criterion_finding,
    group_finding,
)
from jfslib.thaidate import format_en, format_thai


class Outcome(StrEnum):
    YES = "YES"
    NO = "NO"
    UNKNOWN = "UNKNOWN"

    @staticmethod
    def of(value: ex.Tri) -> Outcome:
        return Outcome.UNKNOWN if value is None else (Outcome.YES if value else Outcome.NO)

    def th(self) -> str:
        return {"YES": "ผ่าน", "NO": "ไม่ผ่าน", "UNKNOWN": "ยังไม่ทราบ"}[self.value]


@dataclass(slots=True)
class MissingFact:
    name: str
    th: str
    en: str
    source: str
    registry: str = ""


@dataclass(slots=True)
class Figure:
    """A fact (given or derived) that the evaluation used, with its display forms."""

    name: str
    th: str
    en: str
    value: FactValue | None
    display_th: str
    display_en: str
    derived: bool


@dataclass(slots=True)
class CriterionResult:
    id: str
    group: str
    th: str
    en: str
    outcome: Outcome
    explanation_th: str
    explanation_en: str
    citations: tuple[Citation, ...]
    missing_facts: tuple[MissingFact, ...]
    #: the thresholds this criterion used: name, value, since when, whether confirmed, sources
    parameters: tuple[Parameter, ...] = ()
    #: a criterion of a consideration group: for / against / note / none / unknown (Finding); "" for a condition
    finding: str = ""


@dataclass(slots=True)
class GroupResult:
    id: str
    th: str
    en: str
    combine: str
    outcome: Outcome
    kind: str = "condition"  # condition | consideration (rules.Kind)
    weighs: str = ""  # considerations: what a YES means (rules.Weighs)
    finding: str = ""  # considerations: for / against / note / unknown (rules.Finding); "" for a condition

    @property
    def condition(self) -> bool:
        return self.kind == "condition"


@dataclass(frozen=True)
class Evaluation:
    service: str
    version: str
    effective_from: date
    evaluated_on: date
    outcome: Outcome
    explanation_th: str
    explanation_en: str
    groups: tuple[GroupResult, ...]
    criteria: tuple[CriterionResult, ...]
    missing_facts: tuple[MissingFact, ...]
    values: Mapping[str, FactValue | None]  # every fact used, given or derived (ratios divided)
    ruleset: Ruleset = field(compare=False, repr=False)
    in_force_from: date = date.min  # criteria and parameter values applied were in force from this day
    parameters: tuple[Parameter, ...] = ()  # every threshold applied, with its value and sources

    def figures(self) -> tuple[Figure, ...]:
        """The intermediate figures with their Thai and English display forms."""
        vocab = self.ruleset.vocabulary
        out: list[Figure] = []
        for n, value in self.values.items():
            f = vocab[n]
            out.append(Figure(
                name=n, th=f.th, en=f.en, value=value,
                display_th=_with_unit(vocab.format_value(n, value, "th"), f.unit_th, value),
                display_en=_with_unit(vocab.format_value(n, value, "en"), f.unit_en, value),
                derived=f.derived,
            ))
        return tuple(out)

    def criterion(self, cid: str) -> CriterionResult:
        for c in self.criteria:
            if c.id == cid:
                return c
        raise KeyError(cid)

    @property
    def conditions(self) -> tuple[GroupResult, ...]:
        return tuple(g for g in self.groups if g.condition)

    @property
    def considerations(self) -> tuple[GroupResult, ...]:
        return tuple(g for g in self.groups if not g.condition)

    def criteria_of(self, group: str) -> tuple[CriterionResult, ...]:
        return tuple(c for c in self.criteria if c.group == group)

    def outcomes(self) -> dict[str, Outcome]:
        """Criterion id → outcome, plus ``overall``."""
        out = {c.id: c.outcome for c in self.criteria}
        out["overall"] = self.outcome
        return out


def combine_group(combine: str, values: list[ex.Tri]) -> ex.Tri:
    if combine == Combine.ALL:
        return ex.k_and(values)
    if combine == Combine.NONE:
        return ex.k_not(ex.k_or(values))
    return ex.k_or(values)  # any (and the older "advisory", a consideration)


def decide(ruleset: Ruleset, values: Mapping[str, ex.Tri]) -> tuple[dict[str, ex.Tri], ex.Tri]:
    """Group results and the overall result from per-criterion results (no explanations)."""
    groups: dict[str, ex.Tri] = {}
    members = ruleset.members()
    for g in ruleset.groups:
        groups[g.id] = combine_group(g.combine, [values[c.id] for c in members[g.id]])
    overall = ex.k_and([groups[g.id] for g in ruleset.groups if g.condition])
    return groups, overall


def outcomes_only(ruleset: Ruleset, facts: Mapping[str, FactValue], on: date) -> dict[str, ex.Tri]:
    """The fast path: criterion id → True/False/None and ``overall``; facts must be validated."""
    ctx = Context(facts, on)
    values = {c.id: c.evaluate(ctx) for c in ruleset.criteria}
    _, overall = decide(ruleset, values)
    values["overall"] = overall
    return values


def evaluate(ruleset: Ruleset, facts: Mapping[str, object], on: date) -> Evaluation:
    """Evaluate one applicant's facts on date ``on`` and explain every step.

    ``facts`` maps fact names to values (``None`` or absent = not known); they are
    validated against the vocabulary (FactError on an unknown name or wrong type).
    """
    vocab = ruleset.vocabulary
    clean = vocab.validate(facts)
    ctx = Context(clean, on)
    values: dict[str, ex.Tri] = {}
    results: list[CriterionResult] = []
    missing_by_criterion: dict[str, tuple[MissingFact, ...]] = {}
    for c in ruleset.criteria:
        v = c.node.ev(ctx)
        values[c.id] = v
        missing: tuple[MissingFact, ...] = ()
        if v is None:
            names: list[str] = []
            c.node.missing(ctx, names)
            missing = tuple(_missing(ruleset, n) for n in names)
        missing_by_criterion[c.id] = missing
        results.append(_criterion_result(ruleset, c, v, ctx, missing))
    group_values, overall = decide(ruleset, values)
    groups = tuple(
        GroupResult(g.id, g.th, g.en, g.combine, Outcome.of(group_values[g.id]), g.kind, g.weighs,
                    "" if g.condition else group_finding(g.weighs, group_values[g.id]))
        for g in ruleset.groups
    )
    weighs = {g.id: g.weighs for g in ruleset.groups if not g.condition}
    for r in results:
        if r.group in weighs:
            r.finding = criterion_finding(weighs[r.group], values[r.id])
    overall_missing: list[MissingFact] = []
    if overall is None:
        for g in ruleset.groups:
            if not g.condition or group_values[g.id] is not None:
                continue
            for c in ruleset.criteria_in(g.id):
                for m in missing_by_criterion[c.id]:
                    if m not in overall_missing:
                        overall_missing.append(m)
    outcome = Outcome.of(overall)
    th, en = _summary(ruleset, outcome, group_values, values, overall_missing)
    return Evaluation(
        service=ruleset.service, version=ruleset.version, effective_from=ruleset.effective_from,
        evaluated_on=on, outcome=outcome, explanation_th=th, explanation_en=en,
        groups=groups, criteria=tuple(results), missing_facts=tuple(overall_missing),
        values={n: vocab.display_value(n, ctx) for n in ruleset.figure_facts()},
        ruleset=ruleset, in_force_from=ruleset.in_force_from, parameters=tuple(ruleset.parameters.values()),
    )


def _missing(ruleset: Ruleset, name: str) -> MissingFact:
    f = ruleset.vocabulary[name]
    return MissingFact(name, f.th, f.en, f.source, f.registry)


def _render(
    ruleset: Ruleset, t: Template, lang: str, ctx: Context, missing: tuple[MissingFact, ...]
) -> str:
    vocab = ruleset.vocabulary
    out: list[str] = []
    for kind, text in t.parts:
        if kind == "lit":
            out.append(text)
        elif kind == "fact":
            out.append(vocab.format_value(text, vocab.display_value(text, ctx), lang))
        else:
            out.append(", ".join(m.th if lang == "th" else m.en for m in missing))
    return "".join(out)


def _criterion_result(
    ruleset: Ruleset, c: Criterion, v: ex.Tri, ctx: Context, missing: tuple[MissingFact, ...]
) -> CriterionResult:
    if v is None:
        t_th, t_en = c.explain_th.unknown, c.explain_en.unknown
    elif v:
        t_th, t_en = c.explain_th.yes, c.explain_en.yes
    else:
        t_th, t_en = c.explain_th.no, c.explain_en.no
    return CriterionResult(
        id=c.id, group=c.group, th=c.th, en=c.en, outcome=Outcome.of(v),
        explanation_th=_render(ruleset, t_th, "th", ctx, missing),
        explanation_en=_render(ruleset, t_en, "en", ctx, missing),
        citations=c.citations, missing_facts=missing,
        parameters=tuple(ruleset.parameters[n] for n in c.parameters),
    )


def _summary(
    ruleset: Ruleset,
    outcome: Outcome,
    groups: Mapping[str, ex.Tri],
    values: Mapping[str, ex.Tri],
    missing: list[MissingFact],
) -> tuple[str, str]:
    # dates in the Buddhist era (English readers get the C.E. year beside it)
    head_th = f"{ruleset.th} (เกณฑ์ฉบับ {ruleset.version} ใช้บังคับ {format_thai(ruleset.effective_from)}"
    head_en = f"{ruleset.en} (rules {ruleset.version}, in force from {format_en(ruleset.effective_from)}"
    if ruleset.in_force_from > ruleset.effective_from:
        head_th += f" ค่าเกณฑ์ตั้งแต่ {format_thai(ruleset.in_force_from)}"
        head_en += f", thresholds from {format_en(ruleset.in_force_from)}"
    if not ruleset.active:
        head_th += " — ร่าง ยังไม่มีผลใช้บังคับ"
        head_en += " — a draft, not in force"
    head_th += ")"
    head_en += ")"
    if outcome is Outcome.YES:
        return f"{head_th}: ผ่านเกณฑ์เบื้องต้นทุกข้อ", f"{head_en}: meets every screening criterion"
    if outcome is Outcome.UNKNOWN:
        return (
            f"{head_th}: ยังสรุปไม่ได้ ต้องการข้อมูลเพิ่ม: {', '.join(m.th for m in missing)}",
            f"{head_en}: cannot decide yet; still needed: {', '.join(m.en for m in missing)}",
        )
    reasons_th: list[str] = []
    reasons_en: list[str] = []
    for g in ruleset.groups:
        if not g.condition or groups[g.id] is not False:
            continue
        members = ruleset.criteria_in(g.id)
        if g.combine == Combine.ALL:
            failed = [c for c in members if values[c.id] is False]
            reasons_th += [c.th for c in failed]
            reasons_en += [c.en for c in failed]
        elif g.combine == Combine.ANY:
            reasons_th.append(f"{g.th}: ไม่เข้าข้อใดเลยในทางเลือกทั้งหมด")  # alternatives: none is met
            reasons_en.append(f"{g.en}: none of the alternatives is met")
        else:
            hit = [c for c in members if values[c.id] is True]
            reasons_th += [f"เข้าข้อยกเว้น: {c.th}" for c in hit]
            reasons_en += [f"excluded: {c.en}" for c in hit]
    return (
        f"{head_th}: ไม่ผ่านเกณฑ์ — {'; '.join(reasons_th)}",
        f"{head_en}: does not qualify — {'; '.join(reasons_en)}",
    )


def _with_unit(text: str, unit: str, value: object) -> str:
    return f"{text} {unit}" if unit and value is not None else text
