"""Rule versions as dated data: one YAML file per service and effective date, validated at load.

Layout (``rules/`` at the repository root)::

    rules/facts.yaml              the shared fact vocabulary
    rules/<SERVICE>/<YYYY-MM-DD>.yaml   one version of a service's rules, named by its effective date
    rules/golden/<SERVICE>.csv    policy-owned golden scenarios (read by the tests)

A version has a ``status`` of ``active`` or ``draft``. ``RuleBook.ruleset_for(service, on)``
picks the active version with the latest ``effective_from`` on or before ``on``; older
versions stay in the folder so past decisions can always be re-explained.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from jfslib.eligibility import expr as ex
from jfslib.eligibility import fmt
from jfslib.eligibility.errors import NoRulesetInForce, RuleDefinitionError
from jfslib.eligibility.facts import FactType, FactValue, Vocabulary, load_vocabulary, parse_literal

SERVICE_RE = re.compile(r"^[A-Z][A-Z0-9_]{0,15}$")
ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
FILE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.yaml$")
PLACEHOLDER_RE = re.compile(r"\{([a-z][a-z0-9_]*)\}")
STATUSES = ("active", "draft")


class Combine:
    """How a group's criteria combine, and how the group enters the overall result."""

    ALL = "all"  # every criterion YES
    ANY = "any"  # at least one criterion YES
    NONE = "none"  # no criterion YES (exclusions)
    ADVISORY = "advisory"  # shown to staff, never changes the overall result
    CHOICES = (ALL, ANY, NONE, ADVISORY)


@dataclass(frozen=True)
class Source:
    title: str
    url: str = ""
    note: str = ""
    verified: bool = False


@dataclass(frozen=True)
class Citation:
    law: str
    clause: str
    verified: bool = False
    url: str = ""
    note: str = ""

    def text(self) -> str:
        return f"{self.law} {self.clause}".strip()


@dataclass(frozen=True)
class Parameter:
    name: str
    type: FactType
    value: FactValue
    th: str
    en: str
    unit_th: str = ""
    unit_en: str = ""
    sources: tuple[Source, ...] = ()

    def display(self, lang: str) -> str:
        v = self.value
        if isinstance(v, bool):
            return fmt.boolean(v, lang)
        if isinstance(v, date):
            return fmt.thai_date(v) if lang == "th" else fmt.en_date(v)
        if isinstance(v, int | Decimal):
            return fmt.number(v)
        return str(v)


@dataclass(frozen=True)
class Template:
    """Explanation text with {fact}, {parameter} and {missing} placeholders, parsed once."""

    parts: tuple[tuple[str, str], ...]  # (kind, text): kind is lit | fact | missing
    params: tuple[str, ...] = ()  # parameters mentioned (their values are already in the text)

    @staticmethod
    def parse(
        text: str, lang: str, vocab: Vocabulary, params: Mapping[str, Parameter], where: str, problems: list[str]
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
                problems.append(f"{where}: placeholder {{{name}}} is neither a fact nor a parameter")
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

    @property
    def evaluate(self) -> ex.Evaluator:
        return self.node.ev


@dataclass(frozen=True)
class Ruleset:
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

    @property
    def active(self) -> bool:
        return self.status == "active"

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


# ---------------------------------------------------------------------- building


def _sources(raw: object, where: str, problems: list[str]) -> tuple[Source, ...]:
    if not isinstance(raw, list) or not raw:
        problems.append(f"{where}: needs 'sources' (a list of {{title, url, note, verified}})")
        return ()
    out: list[Source] = []
    for i, s in enumerate(raw):
        if not isinstance(s, dict) or not s.get("title"):
            problems.append(f"{where}: sources[{i}] needs a title")
            continue
        out.append(Source(str(s["title"]), str(s.get("url", "")), str(s.get("note", "")), s.get("verified") is True))
    return tuple(out)


def _citations(raw: object, where: str, problems: list[str]) -> tuple[Citation, ...]:
    if not isinstance(raw, list) or not raw:
        problems.append(f"{where}: every criterion cites at least one clause ('citations')")
        return ()
    out: list[Citation] = []
    for i, c in enumerate(raw):
        if not isinstance(c, dict) or not c.get("law") or not c.get("clause"):
            problems.append(f"{where}: citations[{i}] needs 'law' and 'clause'")
            continue
        out.append(Citation(
            str(c["law"]), str(c["clause"]), c.get("verified") is True, str(c.get("url", "")), str(c.get("note", ""))
        ))
    return tuple(out)


DEFAULT_UNKNOWN = {"th": "ยังไม่ทราบข้อมูล: {missing}", "en": "Not yet known: {missing}"}


def _explain(
    raw: object, lang: str, vocab: Vocabulary, params: Mapping[str, Parameter], where: str, problems: list[str]
) -> Explain:
    # YAML 1.1 reads the keys yes/no as booleans: accept both spellings
    texts = {({True: "yes", False: "no"}.get(k, k) if isinstance(k, bool) else k): v
             for k, v in (raw.items() if isinstance(raw, dict) else ())}
    if not texts.get("yes") or not texts.get("no"):
        problems.append(f"{where}: explain.{lang} needs 'yes' and 'no' texts")
    parse = Template.parse
    return Explain(
        yes=parse(str(texts.get("yes", "")), lang, vocab, params, f"{where}: explain.{lang}.yes", problems),
        no=parse(str(texts.get("no", "")), lang, vocab, params, f"{where}: explain.{lang}.no", problems),
        unknown=parse(
            str(texts.get("unknown") or DEFAULT_UNKNOWN[lang]), lang, vocab, params,
            f"{where}: explain.{lang}.unknown", problems,
        ),
    )


def build_ruleset(data: Mapping[str, Any], vocab: Vocabulary, source: str = "<data>") -> Ruleset:
    """Build and validate one rule version; raise RuleDefinitionError listing every problem."""
    problems: list[str] = []
    where = source
    service = str(data.get("service") or "")
    if not SERVICE_RE.match(service):
        problems.append(f"{where}: 'service' must be a code such as LIT, BAIL, HR")
    version = str(data.get("version") or "")
    if not version:
        problems.append(f"{where}: 'version' is missing")
    eff = data.get("effective_from")
    if not isinstance(eff, date):
        problems.append(f"{where}: 'effective_from' must be a date (YYYY-MM-DD)")
        eff = date.min
    status = str(data.get("status") or "")
    if status not in STATUSES:
        problems.append(f"{where}: 'status' must be one of {', '.join(STATUSES)}")
    if not data.get("th") or not data.get("en"):
        problems.append(f"{where}: needs a Thai (th) and English (en) title")

    params: dict[str, Parameter] = {}
    raw_params = data.get("parameters") or {}
    if not isinstance(raw_params, dict):
        problems.append(f"{where}: 'parameters' must be a mapping")
        raw_params = {}
    for name, raw in raw_params.items():
        pw = f"{where}: parameter '{name}'"
        if not isinstance(raw, dict) or not ID_RE.match(str(name)):
            problems.append(f"{pw}: must be a mapping with a lower_snake_case name")
            continue
        if name in vocab:
            problems.append(f"{pw}: has the same name as a fact")
        try:
            ptype = FactType(str(raw.get("type")))
        except ValueError:
            problems.append(f"{pw}: type must be int, decimal, bool, str or date")
            continue
        value = parse_literal(ptype, raw.get("value"))
        if value is None:
            problems.append(f"{pw}: value {raw.get('value')!r} is not a {ptype.value}")
            continue
        if not raw.get("th") or not raw.get("en"):
            problems.append(f"{pw}: needs th and en labels")
        params[str(name)] = Parameter(
            name=str(name), type=ptype, value=value, th=str(raw.get("th", name)), en=str(raw.get("en", name)),
            unit_th=str(raw.get("unit_th", "")), unit_en=str(raw.get("unit_en", "")),
            sources=_sources(raw.get("sources"), pw, problems),
        )
    expr_params = {n: ex.ParamValue(p.type, p.value) for n, p in params.items()}

    groups: list[Group] = []
    for i, raw in enumerate(data.get("groups") or []):
        gw = f"{where}: groups[{i}]"
        if not isinstance(raw, dict) or not ID_RE.match(str(raw.get("id", ""))):
            problems.append(f"{gw}: needs an 'id' in lower_snake_case")
            continue
        if raw.get("combine") not in Combine.CHOICES:
            problems.append(f"{gw}: combine must be one of {', '.join(Combine.CHOICES)}")
            continue
        if not raw.get("th") or not raw.get("en"):
            problems.append(f"{gw}: needs th and en labels")
        groups.append(Group(str(raw["id"]), str(raw.get("th", "")), str(raw.get("en", "")), str(raw["combine"])))
    if not groups:
        problems.append(f"{where}: needs at least one group")
    group_ids = [g.id for g in groups]
    if len(set(group_ids)) != len(group_ids):
        problems.append(f"{where}: group ids must be unique")

    criteria: list[Criterion] = []
    seen: set[str] = set()
    for i, raw in enumerate(data.get("criteria") or []):
        cw = f"{where}: criteria[{i}]"
        if not isinstance(raw, dict) or not ID_RE.match(str(raw.get("id", ""))):
            problems.append(f"{cw}: needs an 'id' in lower_snake_case")
            continue
        cid = str(raw["id"])
        cw = f"{where}: criterion '{cid}'"
        if cid in seen:
            problems.append(f"{cw}: defined twice")
        seen.add(cid)
        if raw.get("group") not in group_ids:
            problems.append(f"{cw}: group '{raw.get('group')}' is not declared")
        if not raw.get("th") or not raw.get("en"):
            problems.append(f"{cw}: needs th and en labels")
        when = ex.parse(raw.get("when"), vocab, expr_params, f"{cw}: when", problems)
        citations = _citations(raw.get("citations"), cw, problems)
        explain = raw.get("explain") if isinstance(raw.get("explain"), dict) else {}
        assert isinstance(explain, dict)
        ex_th = _explain(explain.get("th"), "th", vocab, params, cw, problems)
        ex_en = _explain(explain.get("en"), "en", vocab, params, cw, problems)
        if when is None:
            continue
        criteria.append(Criterion(
            id=cid, group=str(raw.get("group")), th=str(raw.get("th", "")), en=str(raw.get("en", "")),
            when=when, citations=citations, explain_th=ex_th, explain_en=ex_en,
            facts=ex.facts_in(when), node=ex.compile_node(when, vocab),
        ))
    for g in groups:
        if not any(c.group == g.id for c in criteria) and not problems:
            problems.append(f"{where}: group '{g.id}' has no criteria")
    if not criteria and not problems:
        problems.append(f"{where}: needs at least one criterion")
    used_params = {p for c in criteria for p in ex.params_in(c.when)}
    for name in params:
        if name not in used_params and not _mentioned_in_templates(name, criteria):
            problems.append(f"{where}: parameter '{name}' is never used")
    if problems:
        raise RuleDefinitionError(problems)
    assert isinstance(eff, date)
    return Ruleset(
        service=service, version=version, effective_from=eff, status=status,
        th=str(data["th"]), en=str(data["en"]), groups=tuple(groups), criteria=tuple(criteria),
        parameters=params, vocabulary=vocab, notes=str(data.get("notes", "")), path=source,
    )


def _mentioned_in_templates(name: str, criteria: Iterable[Criterion]) -> bool:
    for c in criteria:
        for e in (c.explain_th, c.explain_en):
            for t in (e.yes, e.no, e.unknown):
                if name in t.params:
                    return True
    return False


def load_ruleset(path: Path, vocab: Vocabulary, *, check_location: bool = True) -> Ruleset:
    """Read one rule file; in the rule book its name is its effective date and its folder its service.

    ``check_location=False`` reads a draft kept elsewhere (e.g. a steward's scratch file).
    """
    label = f"{path.parent.name}/{path.name}"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RuleDefinitionError([f"{label}: cannot read: {exc}"]) from exc
    if not isinstance(data, dict):
        raise RuleDefinitionError([f"{label}: top level must be a mapping"])
    rs = build_ruleset(data, vocab, source=label)
    if not check_location:
        return rs
    problems: list[str] = []
    m = FILE_RE.match(path.name)
    if not m or m.group(1) != rs.effective_from.isoformat():
        problems.append(f"{label}: the file must be named after its effective date ({rs.effective_from}.yaml)")
    if path.parent.name != rs.service:
        problems.append(f"{label}: a {rs.service} rule file belongs in the folder {rs.service}/")
    if problems:
        raise RuleDefinitionError(problems)
    return rs


# ---------------------------------------------------------------------- the rule book


@dataclass(frozen=True)
class RuleBook:
    """Every version of every service's rules, and which one was in force when."""

    vocabulary: Vocabulary
    versions: Mapping[str, tuple[Ruleset, ...]]  # per service, sorted by effective date
    _active_dates: Mapping[str, tuple[date, ...]] = field(default_factory=dict, compare=False, repr=False)

    @staticmethod
    def of(vocabulary: Vocabulary, rulesets: Iterable[Ruleset]) -> RuleBook:
        problems: list[str] = []
        by_service: dict[str, list[Ruleset]] = {}
        for rs in rulesets:
            by_service.setdefault(rs.service, []).append(rs)
        for service, items in by_service.items():
            items.sort(key=lambda r: (r.effective_from, r.status))
            versions = [r.version for r in items]
            if len(set(versions)) != len(versions):
                problems.append(f"{service}: version names must be unique")
            active_dates = [r.effective_from for r in items if r.active]
            if len(set(active_dates)) != len(active_dates):
                problems.append(f"{service}: two active versions take effect on the same date")
        if problems:
            raise RuleDefinitionError(problems)
        versions_map = {s: tuple(v) for s, v in by_service.items()}
        dates = {s: tuple(r.effective_from for r in v if r.active) for s, v in versions_map.items()}
        return RuleBook(vocabulary=vocabulary, versions=versions_map, _active_dates=dates)

    @property
    def services(self) -> tuple[str, ...]:
        return tuple(sorted(self.versions))

    def ruleset_for(self, service: str, on: date) -> Ruleset:
        """The active version in force on ``on`` (drafts are never in force)."""
        dates = self._active_dates.get(service, ())
        i = bisect_right(dates, on)
        if i == 0:
            raise NoRulesetInForce(service, on)
        actives = [r for r in self.versions[service] if r.active]
        return actives[i - 1]

    def version(self, service: str, version: str) -> Ruleset:
        for r in self.versions.get(service, ()):
            if r.version == version:
                return r
        raise KeyError(f"{service} {version}")

    def drafts(self, service: str) -> tuple[Ruleset, ...]:
        return tuple(r for r in self.versions.get(service, ()) if not r.active)


def rule_files(rules_dir: Path) -> list[Path]:
    return sorted(
        p for d in sorted(rules_dir.iterdir())
        if d.is_dir() and SERVICE_RE.match(d.name)
        for p in d.glob("*.yaml")
    )


def load_rulebook(rules_dir: Path) -> RuleBook:
    """Load and validate the vocabulary and every rule file; raise listing *all* problems."""
    vocab = load_vocabulary(rules_dir / "facts.yaml")
    problems: list[str] = []
    rulesets: list[Ruleset] = []
    for path in rule_files(rules_dir):
        try:
            rulesets.append(load_ruleset(path, vocab))
        except RuleDefinitionError as exc:
            problems.extend(exc.problems)
    if not rulesets and not problems:
        problems.append(f"no rule files found under {rules_dir}")
    if problems:
        raise RuleDefinitionError(problems)
    return RuleBook.of(vocab, rulesets)
