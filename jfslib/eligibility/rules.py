"""Rule versions as dated data: criteria per service and effective date, thresholds as dated parameters.

Layout (``rules/`` at the repository root; every file is described by a JSON Schema in ``schemas/``)::

    rules/facts.yaml                    the shared fact vocabulary            (facts.schema.json)
    rules/parameters/<name>.yaml        one threshold with its dated values   (parameters.schema.json)
    rules/<SERVICE>/<YYYY-MM-DD>.yaml   the criteria of a service from a date (rules.schema.json)
    rules/golden/<SERVICE>.csv          policy-owned golden scenarios (read by the tests)

A criteria file has a ``status`` of ``active`` or ``draft``; so has each dated value of a
parameter (``active`` when not written). What is in force on a day is the active criteria file
with the latest ``effective_from`` on or before it, with each parameter it names at its latest
active value on or before that day: ``RuleBook.ruleset_for(service, on)``. A change of threshold
is a new dated value, so one criteria file serves for as long as the criteria themselves stay.
Drafts are never in force; ``RuleBook.drafts`` gives each combination with drafts applied, for
the shadow report. Old versions and values stay, so past decisions can always be re-explained.

The schemas check each file's shape; this module checks what a schema cannot: facts and
parameters named exist and fit their types, groups named are declared, ids are unique, the
file sits where its service and date say, every placeholder names a fact or a parameter.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from jfslib import datafiles
from jfslib.eligibility import expr as ex
from jfslib.eligibility.errors import NoRulesetInForce, RuleDefinitionError
from jfslib.eligibility.facts import Vocabulary, load_vocabulary
from jfslib.eligibility.parameters import Parameter, ParameterDef, Reference, load_parameters

SERVICE_RE = re.compile(r"^[A-Z][A-Z0-9_]{0,15}$")
FILE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.yaml$")
PLACEHOLDER_RE = re.compile(r"\{([a-z][a-z0-9_]*)\}")
STATUSES = ("active", "draft")

__all__ = [
    "Citation", "Combine", "Criterion", "Explain", "Finding", "Group", "Kind", "Parameter", "Reference", "RuleBook",
    "Ruleset", "Template", "Weighs", "build_ruleset", "criterion_finding", "group_finding", "load_rulebook", "load_ruleset", "missing_sources", "rule_files",
]


class Combine:
    """How a group's criteria combine into the group's own YES / NO / UNKNOWN."""

    ALL = "all"  # every criterion YES
    ANY = "any"  # at least one criterion YES
    NONE = "none"  # no criterion YES (exclusions)
    ADVISORY = "advisory"  # older spelling of a consideration (kind: consideration, combine: any)
    CHOICES = (ALL, ANY, NONE, ADVISORY)


class Kind:
    """Whether a group can decide the overall result (docs/decisions/0015).

    The Justice Fund Act sets no income cut-off: the subcommittee weighs the kind of request, the
    facts and circumstances, the applicant's status and help under other laws. So only *conditions*
    (legal prerequisites: who may apply, the kind of case) make a request ineligible; the overall
    result is the AND of the condition groups. A *consideration* is weighed by the subcommittee and
    shown with its evidence; it reports whether it points for or against the request, never a pass
    or a fail, and never changes the overall result.
    """

    CONDITION = "condition"
    CONSIDERATION = "consideration"
    CHOICES = (CONDITION, CONSIDERATION)


class Weighs:
    """What a consideration group's YES means for the request (its NO means the opposite)."""

    FOR = "for"  # e.g. financial hardship shown, the case has merit
    AGAINST = "against"  # e.g. a risk of flight, help available under another law
    NOTE = "note"  # neither: something the subcommittee should know (its NO: nothing to note)
    CHOICES = (FOR, AGAINST, NOTE)


class Finding:
    """A consideration's reading for the subcommittee: never a pass or a fail."""

    FOR = "for"  # points for helping
    AGAINST = "against"  # points against
    NOTE = "note"  # to be noted
    NONE = "none"  # does not apply (a criterion of the group that is not met)
    UNKNOWN = "unknown"  # not assessed yet
    CHOICES = (FOR, AGAINST, NOTE, NONE, UNKNOWN)


def group_finding(weighs: str, value: bool | None) -> str:
    """A consideration group's finding from its combined value."""
    if value is None:
        return Finding.UNKNOWN
    if weighs == Weighs.NOTE:
        return Finding.NOTE if value else Finding.NONE
    if value:
        return weighs
    return Finding.AGAINST if weighs == Weighs.FOR else Finding.FOR


def criterion_finding(weighs: str, value: bool | None) -> str:
    """One criterion of a consideration group: what it shows when met, "does not apply" when not."""
    if value is None:
        return Finding.UNKNOWN
    return weighs if value else Finding.NONE


@dataclass(frozen=True)
class Citation:
    law: str
    clause: str
    unconfirmed: bool = False
    url: str = ""
    secondary: str = ""
    note: str = ""
    #: ``url`` is a primary source: the law's own text (the Royal Gazette, the Council of State's
    #: database, a copy of either kept in the repository). News reports, summaries and ``secondary``
    #: sightings are not. Written in the file (``primary: true``); absent means not primary.
    primary: bool = False

    @property
    def verified(self) -> bool:
        """The clause was checked against a primary source: confirmed *and* resting on one."""
        return self.primary and bool(self.url) and not self.unconfirmed

    def text(self) -> str:
        return f"{self.law} {self.clause}".strip()


@dataclass(frozen=True)
class Template:
    """Explanation text with {fact}, {parameter} and {missing} placeholders, parsed once."""

    parts: tuple[tuple[str, str], ...]  # (kind, text): kind is lit | fact | missing
    params: tuple[str, ...] = ()  # parameters mentioned (their values are already in the text)

    @staticmethod
    def parse(
        text: str, lang: str, vocab: Vocabulary, params: Mapping[str, Parameter],
        path: tuple[str | int, ...], report: datafiles.Report,
    ) -> Template:
        parts: list[tuple[str, str]] = []
        used: list[str] = []
        pos = 0

        def lit(t: str) -> None:
            if parts and parts[-1][0] == "lit":
                parts[-1] = ("lit", parts[-1][1] + t)
            else:
                parts.append(("lit", t))

        for m in PLACEHOLDER_RE.finditer(text):
            if m.start() > pos:
                lit(text[pos:m.start()])
            name = m.group(1)
            if name == "missing":
                parts.append(("missing", name))
            elif name in params:
                lit(params[name].display(lang))
                used.append(name)
            elif name in vocab:
                parts.append(("fact", name))
            else:
                report.add(path, f"placeholder {{{name}}} is neither a fact nor a parameter")
            pos = m.end()
        if pos < len(text):
            lit(text[pos:])
        return Template(tuple(parts), tuple(used))


@dataclass(frozen=True)
class Explain:
    yes: Template
    no: Template
    unknown: Template


@dataclass(frozen=True)
class Group:
    id: str
    th: str
    en: str
    combine: str
    kind: str = Kind.CONDITION
    weighs: str = ""  # considerations only (Weighs)

    @property
    def condition(self) -> bool:
        return self.kind == Kind.CONDITION

    @property
    def consideration(self) -> bool:
        return self.kind == Kind.CONSIDERATION


def _group(raw: Mapping[str, Any]) -> Group:
    """A group as written; ``combine: advisory`` (the older spelling) is a consideration combining with any."""
    combine = str(raw["combine"])
    kind = str(raw.get("kind") or (Kind.CONSIDERATION if combine == Combine.ADVISORY else Kind.CONDITION))
    weighs = str(raw.get("weighs") or (Weighs.NOTE if kind == Kind.CONSIDERATION else ""))
    if combine == Combine.ADVISORY:
        combine = Combine.ANY
    return Group(str(raw["id"]), str(raw["th"]), str(raw["en"]), combine, kind, weighs)


@dataclass(frozen=True)
class Criterion:
    id: str
    group: str
    th: str
    en: str
    when: ex.Expr
    citations: tuple[Citation, ...]
    explain_th: Explain
    explain_en: Explain
    facts: tuple[str, ...]
    node: ex.Node = field(compare=False, repr=False)
    parameters: tuple[str, ...] = ()  # parameters compared with or shown in the explanation

    @property
    def evaluate(self) -> ex.Evaluator:
        return self.node.ev


@dataclass(frozen=True)
class Ruleset:
    """The criteria of one service with the parameter values they use, in force from ``in_force_from``.

    ``version`` and ``effective_from`` are the criteria file's; ``in_force_from`` is the later of
    that date and the dates of the parameter values used (a threshold change starts a new
    ruleset with the same criteria). ``key`` tells rulesets apart.
    """

    service: str
    version: str
    effective_from: date
    status: str
    th: str
    en: str
    groups: tuple[Group, ...]
    criteria: tuple[Criterion, ...]
    parameters: Mapping[str, Parameter]
    vocabulary: Vocabulary = field(compare=False, repr=False)
    notes: str = ""
    path: str = ""
    in_force_from: date = date.min

    @property
    def active(self) -> bool:
        return self.status == "active"

    @property
    def key(self) -> str:
        """``LIT-2016.1@2016-04-24``; a draft ends ``+draft``."""
        return f"{self.version}@{self.in_force_from.isoformat()}" + ("" if self.active else "+draft")

    def criterion(self, cid: str) -> Criterion:
        for c in self.criteria:
            if c.id == cid:
                return c
        raise KeyError(cid)

    def criteria_in(self, group: str) -> tuple[Criterion, ...]:
        return self.members()[group]

    def members(self) -> Mapping[str, tuple[Criterion, ...]]:
        """Group id → its criteria, in declaration order (computed once)."""
        cached: dict[str, tuple[Criterion, ...]] | None = self.__dict__.get("_members")
        if cached is None:
            cached = {g.id: tuple(c for c in self.criteria if c.group == g.id) for g in self.groups}
            object.__setattr__(self, "_members", cached)
        return cached

    def facts_used(self) -> tuple[str, ...]:
        """Facts named by any criterion (derived ones included), in declaration order."""
        used = {f for c in self.criteria for f in c.facts}
        return tuple(n for n in self.vocabulary.facts if n in used)

    def base_facts_used(self) -> tuple[str, ...]:
        used: set[str] = set()
        for name in self.facts_used():
            used.update(self.vocabulary.base_facts_of(name))
        return tuple(n for n in self.vocabulary.facts if n in used)

    def figure_facts(self) -> tuple[str, ...]:
        """Facts an explanation records: every fact used and every base fact behind it."""
        cached: tuple[str, ...] | None = self.__dict__.get("_figure_facts")
        if cached is None:
            wanted = set(self.facts_used()) | set(self.base_facts_used())
            cached = tuple(n for n in self.vocabulary.facts if n in wanted)
            object.__setattr__(self, "_figure_facts", cached)
        return cached

    def label(self) -> str:
        return f"{self.service} {self.version} ({self.effective_from.isoformat()}, {self.status})"


# ---------------------------------------------------------------------- criteria files


@dataclass(frozen=True)
class CriteriaFile:
    """One criteria file, checked; compiled into a Ruleset once per set of parameter values."""

    service: str
    version: str
    effective_from: date
    status: str
    data: Mapping[str, Any] = field(repr=False)
    doc: datafiles.Document = field(repr=False)
    parameters: tuple[str, ...] = ()  # the parameters it names

    @property
    def active(self) -> bool:
        return self.status == "active"


DEFAULT_UNKNOWN = {"th": "ยังไม่ทราบข้อมูล: {missing}", "en": "Not yet known: {missing}"}


def _explain(
    texts: Mapping[str, str], lang: str, vocab: Vocabulary, params: Mapping[str, Parameter],
    path: tuple[str | int, ...], report: datafiles.Report,
) -> Explain:
    def parse(key: str, text: str) -> Template:
        return Template.parse(text, lang, vocab, params, (*path, key), report)

    return Explain(
        yes=parse("yes", texts["yes"]), no=parse("no", texts["no"]),
        unknown=parse("unknown", texts.get("unknown") or DEFAULT_UNKNOWN[lang]),
    )


def _compile(
    cf: CriteriaFile, vocab: Vocabulary, params: Mapping[str, Parameter], report: datafiles.Report
) -> tuple[tuple[Group, ...], tuple[Criterion, ...]]:
    """Groups and criteria with these parameter values; cross-reference problems go to ``report``."""
    data = cf.data
    before = len(report.problems)
    groups = tuple(
        _group(g) for i, g in enumerate(data.get("groups") or ()) if not report.broken(("groups", i))
    )
    for i, raw_g in enumerate(data.get("groups") or ()):
        if report.broken(("groups", i)) or not isinstance(raw_g, dict):
            continue
        if raw_g.get("kind") == Kind.CONDITION and raw_g.get("combine") == Combine.ADVISORY:
            report.add(("groups", i, "combine"), "a condition cannot be advisory: write kind: consideration")
        if raw_g.get("weighs") and raw_g.get("kind", Kind.CONDITION) == Kind.CONDITION \
                and raw_g.get("combine") != Combine.ADVISORY:
            report.add(("groups", i, "weighs"), "only a consideration weighs for or against (kind: consideration)")
    if groups and not any(g.condition for g in groups):
        report.add(("groups",), "at least one group must be a condition (kind: condition)")
    group_ids = [g.id for g in groups]
    for gid in sorted({g for g in group_ids if group_ids.count(g) > 1}):
        report.add(("groups",), f"the group id '{gid}' is used twice")
    expr_params = {n: ex.ParamValue(p.type, p.value) for n, p in params.items()}
    criteria: list[Criterion] = []
    seen: set[str] = set()
    for i, raw in enumerate(data.get("criteria") or ()):
        # each part the schema found sound is checked, so that every problem is listed at once
        at: tuple[str | int, ...] = ("criteria", i)
        if not isinstance(raw, dict):
            continue
        cid = str(raw.get("id"))
        if cid in seen:
            report.add((*at, "id"), f"the criterion id '{cid}' is used twice")
        seen.add(cid)
        if isinstance(raw.get("group"), str) and raw["group"] not in group_ids:
            report.add((*at, "group"), f"group '{raw['group']}' is not declared in groups")
        when = None
        if "when" in raw and not report.broken((*at, "when")):
            when = ex.parse(raw["when"], vocab, expr_params, (*at, "when"), report)
        if "explain" not in raw or report.broken((*at, "explain")):
            continue
        ex_th = _explain(raw["explain"]["th"], "th", vocab, params, (*at, "explain", "th"), report)
        ex_en = _explain(raw["explain"]["en"], "en", vocab, params, (*at, "explain", "en"), report)
        if when is None or report.broken(at):
            continue
        shown = [n for e in (ex_th, ex_en) for t in (e.yes, e.no, e.unknown) for n in t.params]
        criteria.append(Criterion(
            id=cid, group=raw["group"], th=raw["th"], en=raw["en"], when=when,
            citations=tuple(
                Citation(c["law"], c["clause"], c.get("unconfirmed") is True, c.get("url", ""),
                         c.get("secondary", ""), c.get("note", ""), c.get("primary") is True)
                for c in raw["citations"]
            ),
            explain_th=ex_th, explain_en=ex_en, facts=ex.facts_in(when), node=ex.compile_node(when, vocab),
            parameters=tuple(dict.fromkeys([*ex.params_in(when), *shown])),
        ))
    for g in groups:  # (when criteria were skipped for their problems, an empty group says nothing)
        if len(report.problems) == before and not any(c.group == g.id for c in criteria):
            report.add(("groups",), f"group '{g.id}' has no criteria")
    return groups, tuple(criteria)


def read_criteria(
    doc: datafiles.Document, vocab: Vocabulary, parameters: Mapping[str, ParameterDef], problems: list[str]
) -> CriteriaFile | None:
    """Check one criteria file (schema, then cross-references); problems are appended."""
    report = datafiles.Report(doc, problems)
    before = len(problems)
    report.check("rules")
    data = datafiles.to_json(doc.data)
    if not isinstance(data, dict):
        return None
    eff = date.min
    try:
        eff = date.fromisoformat(str(data.get("effective_from")))
    except ValueError:
        if not report.broken(("effective_from",)):
            report.add(("effective_from",), f"{data.get('effective_from')} is not a real date")
    cf = CriteriaFile(
        service=str(data.get("service", "")), version=str(data.get("version", "")), effective_from=eff,
        status=str(data.get("status", "")), data=data, doc=doc,
    )
    # any value will do to check names and types: compile with each parameter's first value
    probe = {n: p for n, p in ((n, d.at(d.values[0].since, drafts=True)) for n, d in parameters.items() if d.values)
             if p is not None}
    _groups, criteria = _compile(cf, vocab, probe, report)
    if len(problems) > before:
        return None
    used = tuple(dict.fromkeys(n for c in criteria for n in c.parameters))
    return CriteriaFile(cf.service, cf.version, cf.effective_from, cf.status, data, doc, used)


def _ruleset(
    cf: CriteriaFile, vocab: Vocabulary, params: Mapping[str, Parameter], start: date, status: str
) -> Ruleset:
    groups, criteria = _compile(cf, vocab, params, datafiles.Report(cf.doc))
    return Ruleset(
        service=cf.service, version=cf.version, effective_from=cf.effective_from, status=status,
        th=str(cf.data["th"]), en=str(cf.data["en"]), groups=groups, criteria=criteria,
        parameters={n: params[n] for n in cf.parameters}, vocabulary=vocab,
        notes=str(cf.data.get("notes", "")), path=cf.doc.label, in_force_from=start,
    )


def build_ruleset(
    data: Mapping[str, Any], vocab: Vocabulary, source: str = "<data>",
    parameters: Mapping[str, ParameterDef] | None = None,
) -> Ruleset:
    """One criteria mapping as in force on its effective date; raise RuleDefinitionError listing every problem."""
    params = parameters or {}
    problems: list[str] = []
    cf = read_criteria(datafiles.Document(data, source), vocab, params, problems)
    if cf is None or problems:
        raise RuleDefinitionError(problems)
    book = RuleBook.of(vocab, params, [cf])
    return book.ruleset_for(cf.service, cf.effective_from) if cf.active else book.drafts(cf.service)[0]


# ---------------------------------------------------------------------- the rule book


@dataclass(frozen=True)
class _Step:
    start: date
    criteria: CriteriaFile
    values: Mapping[str, Parameter]

    def signature(self) -> tuple[object, ...]:
        return (self.criteria.version, self.criteria.status,
                tuple((n, p.since, p.status) for n, p in sorted(self.values.items())))


def _timeline(
    files: list[CriteriaFile], params: Mapping[str, ParameterDef], drafts: bool, problems: list[str]
) -> list[_Step]:
    """Each day something changes (criteria or a parameter value they use), the combination from then."""
    eligible = sorted((f for f in files if drafts or f.active), key=lambda f: (f.effective_from, f.active))
    days = {f.effective_from for f in eligible}
    for f in eligible:
        for n in f.parameters:
            days.update(params[n].dates(drafts=drafts))
    steps: list[_Step] = []
    for day in sorted(days):
        current = [f for f in eligible if f.effective_from <= day]
        if not current:
            continue
        cf = current[-1]
        values: dict[str, Parameter] = {}
        for n in cf.parameters:
            p = params[n].at(day, drafts=drafts)
            if p is None:
                first = params[n].dates(drafts=drafts)
                text = (f"{cf.doc.label}: uses parameter '{n}', which has no {'value' if drafts else 'active value'} "
                        f"on {day} (its first is from {first[0] if first else 'no date'})")
                if (not drafts or not cf.active) and text not in problems:
                    problems.append(text)
                continue
            values[n] = p
        step = _Step(day, cf, values)
        if len(values) == len(cf.parameters) and (not steps or steps[-1].signature() != step.signature()):
            steps.append(step)
    return steps


@dataclass(frozen=True)
class RuleBook:
    """Every criteria version and parameter value of every service, and which were in force when."""

    vocabulary: Vocabulary
    versions: Mapping[str, tuple[Ruleset, ...]]  # per service, in force or draft, by date
    parameters: Mapping[str, ParameterDef] = field(default_factory=dict)
    _active_dates: Mapping[str, tuple[date, ...]] = field(default_factory=dict, compare=False, repr=False)
    _active: Mapping[str, tuple[Ruleset, ...]] = field(default_factory=dict, compare=False, repr=False)

    @staticmethod
    def of(
        vocabulary: Vocabulary, parameters: Mapping[str, ParameterDef], files: Iterable[CriteriaFile],
        problems: list[str] | None = None,
    ) -> RuleBook:
        problems = problems if problems is not None else []
        for name, p in sorted(parameters.items()):
            if name in vocabulary:
                problems.append(f"{p.path or name}: a parameter may not have the name of a fact ('{name}')")
        by_service: dict[str, list[CriteriaFile]] = {}
        for cf in files:
            by_service.setdefault(cf.service, []).append(cf)
        versions: dict[str, tuple[Ruleset, ...]] = {}
        active: dict[str, tuple[Ruleset, ...]] = {}
        for service, items in sorted(by_service.items()):
            names = [f.version for f in items]
            for v in sorted({v for v in names if names.count(v) > 1}):
                problems.append(f"{service}: the version name '{v}' is used by two files")
            dates = [f.effective_from for f in items if f.active]
            for d in sorted({d for d in dates if dates.count(d) > 1}):
                problems.append(f"{service}: two active criteria files take effect on {d}")
            in_force = _timeline(items, parameters, False, problems)
            starts = [s.start for s in in_force]
            rulesets = [_ruleset(s.criteria, vocabulary, s.values, s.start, "active") for s in in_force]
            active[service] = tuple(rulesets)
            for s in _timeline(items, parameters, True, problems):
                i = bisect_right(starts, s.start)  # a draft step differs from the step in force that day
                if not i or in_force[i - 1].signature() != s.signature():
                    rulesets.append(_ruleset(s.criteria, vocabulary, s.values, s.start, "draft"))
            versions[service] = tuple(sorted(rulesets, key=lambda r: (r.in_force_from, not r.active)))
        used = {n for items in by_service.values() for f in items for n in f.parameters}
        for name, p in sorted(parameters.items()):
            if name not in used:
                problems.append(f"{p.path or name}: no criteria file uses this parameter")
        if problems:
            raise RuleDefinitionError(problems)
        return RuleBook(
            vocabulary=vocabulary, versions=versions, parameters=dict(parameters),
            _active_dates={s: tuple(r.in_force_from for r in v) for s, v in active.items()}, _active=active,
        )

    @property
    def services(self) -> tuple[str, ...]:
        return tuple(sorted(self.versions))

    def ruleset_for(self, service: str, on: date) -> Ruleset:
        """The criteria and parameter values in force on ``on`` (drafts are never in force)."""
        i = bisect_right(self._active_dates.get(service, ()), on)
        if i == 0:
            raise NoRulesetInForce(service, on)
        return self._active[service][i - 1]

    def version(self, service: str, version: str) -> Ruleset:
        """By ``key`` (``LIT-2016.1@2016-04-24``), or the first ruleset of a criteria version name."""
        candidates = self.versions.get(service, ())
        for r in (*(r for r in candidates if r.key == version), *(r for r in candidates if r.version == version)):
            return r
        raise KeyError(f"{service} {version}")

    def drafts(self, service: str) -> tuple[Ruleset, ...]:
        """Each combination that a draft (criteria file or parameter value) would put in force, by date."""
        return tuple(r for r in self.versions.get(service, ()) if not r.active)

    def draft(self, service: str, on: date) -> Ruleset:
        """What would be in force on ``on`` if every draft dated on or before it were approved."""
        found = [r for r in self.drafts(service) if r.in_force_from <= on]
        if not found:
            raise NoRulesetInForce(service, on)
        return found[-1]

    def with_criteria(self, doc: datafiles.Document) -> Ruleset:
        """A criteria file kept elsewhere (a steward's draft), with the values on its effective date, drafts included."""
        problems: list[str] = []
        cf = read_criteria(doc, self.vocabulary, self.parameters, problems)
        if cf is None or problems:
            raise RuleDefinitionError(problems)
        values: dict[str, Parameter] = {}
        for n in cf.parameters:
            p = self.parameters[n].at(cf.effective_from, drafts=True)
            if p is None:
                problems.append(f"{doc.label}: uses parameter '{n}', which has no value on {cf.effective_from}")
            else:
                values[n] = p
        if problems:
            raise RuleDefinitionError(problems)
        return _ruleset(cf, self.vocabulary, values, max([cf.effective_from, *(p.since for p in values.values())]),
                        cf.status)


def missing_sources(book: RuleBook, root: Path) -> list[str]:
    """Citations and parameter references whose ``url`` is neither an https:// address nor a file
    of the repository at ``root`` (the schemas refuse other forms; this checks that the file exists)."""
    out: list[str] = []
    top = root.resolve()

    def check(where: str, url: str) -> None:
        if not url or url.startswith("https://"):
            return
        target = (top / url).resolve()
        if not target.is_relative_to(top) or not target.is_file():
            out.append(f"{where}: {url} is neither an https:// address nor a file of the repository")

    for versions in book.versions.values():
        for rs in versions:
            for c in rs.criteria:
                for cit in c.citations:
                    check(f"{rs.path}: criterion '{c.id}'", cit.url)
    for p in book.parameters.values():
        for v in p.values:
            for r in v.references:
                check(f"{p.path}: values.{v.since}", r.url)
    return sorted(set(out))


def rule_files(rules_dir: Path) -> list[Path]:
    return sorted(
        p for d in sorted(rules_dir.iterdir())
        if d.is_dir() and SERVICE_RE.match(d.name)
        for p in d.glob("*.yaml")
    )


def _in_place(path: Path, cf: CriteriaFile, problems: list[str]) -> None:
    label = cf.doc.label
    m = FILE_RE.match(path.name)
    if not m or m.group(1) != cf.effective_from.isoformat():
        problems.append(f"{label}: the file must be named after its effective date ({cf.effective_from}.yaml)")
    if path.parent.name != cf.service:
        problems.append(f"{label}: a {cf.service} criteria file belongs in the folder {cf.service}/")


def load_ruleset(path: Path, book: RuleBook) -> Ruleset:
    """A criteria file kept anywhere (e.g. a steward's draft), checked against the book's facts and parameters."""
    doc, problems = datafiles.read_yaml(path, path.name)
    if doc is None:
        raise RuleDefinitionError(problems)
    return book.with_criteria(doc)


def load_rulebook(rules_dir: Path) -> RuleBook:
    """Load and check the vocabulary, every parameter and every criteria file; raise listing *all* problems."""
    vocab = load_vocabulary(rules_dir / "facts.yaml")
    problems: list[str] = []
    parameters = load_parameters(rules_dir / "parameters", problems)
    files: list[CriteriaFile] = []
    for path in rule_files(rules_dir):
        doc, read_problems = datafiles.read_yaml(path, f"{path.parent.name}/{path.name}")
        problems.extend(read_problems)
        cf = read_criteria(doc, vocab, parameters, problems) if doc is not None else None
        if cf is not None:
            _in_place(path, cf, problems)
            files.append(cf)
    if not files and not problems:
        problems.append(f"no criteria files found under {rules_dir}")
    if problems:
        raise RuleDefinitionError(problems)
    return RuleBook.of(vocab, parameters, files)
