"""Shadow run: what a draft rule version would change, before anyone activates it.

Each historical request is evaluated twice on its own received date: with the
version that was in force then, and with the draft. The report lists every request
whose overall result would change (with before/after per criterion), the requests
whose overall result stays but some criterion changes, and counts per change type
("NO → YES", …), alongside the decision actually taken.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from jfslib.eligibility.errors import FactError, NoRulesetInForce
from jfslib.eligibility.explain import Outcome, outcomes_only
from jfslib.eligibility.rules import RuleBook, Ruleset

NO_RULES = "NO_RULES"


@dataclass(frozen=True)
class HistoricalRequest:
    request_id: str
    facts: Mapping[str, object]
    received_on: date
    actual_outcome: str = ""  # the decision taken (approved / rejected / …), "" while open


@dataclass(frozen=True)
class CriterionChange:
    criterion: str
    before: str  # YES / NO / UNKNOWN, or "—" when the criterion is absent from that version
    after: str


@dataclass(frozen=True)
class Change:
    request_id: str
    received_on: date
    actual_outcome: str
    before_version: str
    before: str
    after: str
    criteria: tuple[CriterionChange, ...]

    @property
    def kind(self) -> str:
        return f"{self.before} → {self.after}"


@dataclass
class ShadowReport:
    service: str
    draft_version: str
    draft_effective_from: date
    evaluated: int = 0
    invalid: list[tuple[str, str]] = field(default_factory=list)  # (request id, problem)
    changed: list[Change] = field(default_factory=list)  # overall result changes
    criteria_only: list[Change] = field(default_factory=list)  # overall same, a criterion changes
    counts: Counter[str] = field(default_factory=Counter)  # overall "before → after" → n
    criterion_counts: Counter[str] = field(default_factory=Counter)  # "id: before → after" → n
    by_actual: Counter[str] = field(default_factory=Counter)  # "before → after | actual" → n
    parameter_changes: list[str] = field(default_factory=list)  # "name: old → new (from …)"

    @property
    def unchanged(self) -> int:
        return self.evaluated - len(self.changed) - len(self.criteria_only)


def _label(v: bool | None) -> str:
    return Outcome.of(v).value


def shadow_run(book: RuleBook, draft: Ruleset, requests: Iterable[HistoricalRequest]) -> ShadowReport:
    """Compare the rules in force at each request's received date with ``draft``."""
    report = ShadowReport(draft.service, draft.key, draft.in_force_from)
    report.parameter_changes = _parameter_changes(book, draft)
    vocab = draft.vocabulary
    for req in requests:
        try:
            facts = vocab.validate(req.facts)
        except FactError as exc:
            report.invalid.append((req.request_id, str(exc)))
            continue
        report.evaluated += 1
        after = outcomes_only(draft, facts, req.received_on)
        try:
            current = book.ruleset_for(draft.service, req.received_on)
            before: dict[str, bool | None] = outcomes_only(current, facts, req.received_on)
            before_version = current.version
        except NoRulesetInForce:
            before, before_version = {}, NO_RULES
        b_overall = _label(before["overall"]) if before else NO_RULES
        a_overall = _label(after["overall"])
        crit_changes: list[CriterionChange] = []
        for cid in list(dict.fromkeys([*before, *after])):
            if cid == "overall":
                continue
            b = _label(before[cid]) if cid in before else "—"
            a = _label(after[cid]) if cid in after else "—"
            if b != a:
                crit_changes.append(CriterionChange(cid, b, a))
                report.criterion_counts[f"{cid}: {b} → {a}"] += 1
        change = Change(
            request_id=req.request_id, received_on=req.received_on, actual_outcome=req.actual_outcome,
            before_version=before_version, before=b_overall, after=a_overall, criteria=tuple(crit_changes),
        )
        if b_overall != a_overall:
            report.changed.append(change)
            report.counts[change.kind] += 1
            report.by_actual[f"{change.kind} | {req.actual_outcome or 'open'}"] += 1
        elif crit_changes:
            report.criteria_only.append(change)
    return report


def _parameter_changes(book: RuleBook, draft: Ruleset) -> list[str]:
    """The draft's parameter values that differ from those in force on its date."""
    try:
        current = book.ruleset_for(draft.service, draft.in_force_from).parameters
    except NoRulesetInForce:
        current = {}
    out: list[str] = []
    for name, p in draft.parameters.items():
        old = current.get(name)
        if old is None or old.value != p.value:
            before = old.display("en") if old is not None else "—"
            out.append(f"{name}: {before} → {p.display('en')} (from {p.since.isoformat()}, {p.status})")
    return out


def format_report(report: ShadowReport, *, list_requests: bool = True) -> str:
    """A plain-text report for the terminal (Thai outcome words kept out: codes are stable)."""
    lines = [
        f"Shadow run of {report.service} draft {report.draft_version} "
        f"(effective {report.draft_effective_from.isoformat()})",
        f"requests evaluated: {report.evaluated}; overall result would change: {len(report.changed)}; "
        f"only some criterion changes: {len(report.criteria_only)}; unchanged: {report.unchanged}",
    ]
    if report.parameter_changes:
        lines.append("parameter values in the draft: " + "; ".join(report.parameter_changes))
    if report.invalid:
        lines.append(f"requests skipped because their facts are invalid: {len(report.invalid)}")
        lines += [f"  {rid}: {problem}" for rid, problem in report.invalid]
    if report.counts:
        lines.append("")
        lines.append("Overall changes (before → after: count):")
        lines += [f"  {kind}: {n}" for kind, n in sorted(report.counts.items())]
        lines.append("By the decision actually taken:")
        lines += [f"  {kind}: {n}" for kind, n in sorted(report.by_actual.items())]
    if report.criterion_counts:
        lines.append("")
        lines.append("Criterion changes (criterion: before → after: count):")
        lines += [f"  {kind}: {n}" for kind, n in sorted(report.criterion_counts.items())]
    if list_requests and report.changed:
        lines.append("")
        lines.append("Requests whose overall result would change:")
        for c in report.changed:
            detail = ", ".join(f"{x.criterion} {x.before}→{x.after}" for x in c.criteria)
            lines.append(
                f"  {c.request_id} (received {c.received_on.isoformat()}, rules {c.before_version}, "
                f"decision {c.actual_outcome or 'open'}): {c.kind}" + (f" [{detail}]" if detail else "")
            )
    if list_requests and report.criteria_only:
        lines.append("")
        lines.append("Requests whose overall result stays but a criterion changes:")
        for c in report.criteria_only:
            detail = ", ".join(f"{x.criterion} {x.before}→{x.after}" for x in c.criteria)
            lines.append(f"  {c.request_id}: overall {c.before} [{detail}]")
    return "\n".join(lines)
