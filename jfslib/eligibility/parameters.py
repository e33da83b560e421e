"""Thresholds as dated parameters, kept apart from the criteria (in the manner of OpenFisca's parameters).

One file per parameter, ``rules/parameters/<name>.yaml`` (schema: ``schemas/parameters.schema.json``)::

    type: decimal
    th: เกณฑ์รายได้ต่อเดือนของผู้ขอ
    en: applicant's monthly income limit
    unit_th: บาท
    unit_en: baht
    values:
      2016-04-24:
        value: 15000
        unconfirmed: true
        reference: [{title: …, note: …}]
      2027-01-01: {value: 17500, status: draft, unconfirmed: true, reference: [{title: …}]}

A criterion names it (``{param: monthly_income_limit}``). The value in force on the evaluation
date (a request's receipt date) applies: the latest active value dated on or before it. Draft
values are never in force; the shadow report applies them to see what they would change.
A new threshold is therefore a new dated value, not a new copy of the criteria.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from jfslib import datafiles
from jfslib.eligibility import fmt
from jfslib.eligibility.errors import RuleDefinitionError
from jfslib.eligibility.facts import FactType, FactValue, parse_literal

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


@dataclass(frozen=True)
class Reference:
    """Where a value comes from: an https:// address or a file of this repository (``url``), and/or
    a secondary source named in words (``secondary``, e.g. a document outside the repository)."""

    title: str
    url: str = ""
    secondary: str = ""
    note: str = ""


@dataclass(frozen=True)
class DatedValue:
    since: date
    value: FactValue
    status: str = "active"  # or "draft": never in force
    unconfirmed: bool = False
    references: tuple[Reference, ...] = ()
    note: str = ""

    @property
    def active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True)
class Parameter:
    """A parameter's value as one rule version uses it: the value, since when, and its sources."""

    name: str
    type: FactType
    value: FactValue
    th: str
    en: str
    unit_th: str = ""
    unit_en: str = ""
    since: date = date.min
    status: str = "active"
    unconfirmed: bool = False
    references: tuple[Reference, ...] = ()
    note: str = ""

    def display(self, lang: str) -> str:
        v = self.value
        if isinstance(v, bool):
            return fmt.boolean(v, lang)
        if isinstance(v, date):
            return fmt.thai_date(v) if lang == "th" else fmt.en_date(v)
        if isinstance(v, int | Decimal):
            return fmt.number(v)
        return str(v)

    def describe(self, lang: str) -> str:
        """The parameter named with its value, since when, whether confirmed, and its sources."""
        unit = self.unit_th if lang == "th" else self.unit_en
        value = f"{self.display(lang)} {unit}".strip()
        titles = "; ".join(r.title + (f" ({r.url})" if r.url else "") for r in self.references)
        if lang == "th":
            since = fmt.thai_date(self.since)
            state = " (ร่าง)" if self.status == "draft" else ""
            confirm = " ค่าชั่วคราว ยังไม่ยืนยันกับแหล่งต้นฉบับ;" if self.unconfirmed else ""
            return f"{self.th} ({self.name}) = {value} ใช้ตั้งแต่ {since}{state};{confirm} ที่มา: {titles}"
        since = fmt.en_date(self.since)
        state = " (draft)" if self.status == "draft" else ""
        confirm = " provisional, not confirmed by a primary source;" if self.unconfirmed else ""
        return f"{self.en} ({self.name}) = {value} from {since}{state};{confirm} source: {titles}"

    @property
    def describe_th(self) -> str:
        return self.describe("th")

    @property
    def describe_en(self) -> str:
        return self.describe("en")


@dataclass(frozen=True)
class ParameterDef:
    """One parameter file: labels, type and every dated value, oldest first."""

    name: str
    type: FactType
    th: str
    en: str
    values: tuple[DatedValue, ...]
    unit_th: str = ""
    unit_en: str = ""
    description: str = ""
    path: str = ""

    def value_on(self, on: date, *, drafts: bool = False) -> DatedValue | None:
        """The value in force on ``on`` (with ``drafts``: as if every draft were approved)."""
        values = self.values if drafts else tuple(v for v in self.values if v.active)
        i = bisect_right([v.since for v in values], on)
        return values[i - 1] if i else None

    def at(self, on: date, *, drafts: bool = False) -> Parameter | None:
        v = self.value_on(on, drafts=drafts)
        if v is None:
            return None
        return Parameter(
            name=self.name, type=self.type, value=v.value, th=self.th, en=self.en, unit_th=self.unit_th,
            unit_en=self.unit_en, since=v.since, status=v.status, unconfirmed=v.unconfirmed,
            references=v.references, note=v.note,
        )

    def dates(self, *, drafts: bool = False) -> tuple[date, ...]:
        return tuple(v.since for v in self.values if drafts or v.active)


def _date(text: object) -> date | None:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        return None


def build_parameter(name: str, doc: datafiles.Document, problems: list[str]) -> ParameterDef | None:
    """One parameter file. The schema checks its shape; here: its name, real dates from oldest to
    newest, and values of its type. Problems are appended; None when nothing usable is left."""
    report = datafiles.Report(doc, problems)
    report.check("parameters")
    data = datafiles.to_json(doc.data)
    if not isinstance(data, dict):
        return None
    if not NAME_RE.match(name):
        report.add((), f"the file name '{name}.yaml' must be lower_snake_case ASCII: it is the parameter's name")
    try:
        ptype = FactType(str(data.get("type")))
    except ValueError:
        ptype = None  # reported by the schema
    raw_values = data.get("values")
    values: list[DatedValue] = []
    for key, raw in (raw_values.items() if isinstance(raw_values, dict) else ()):
        since = _date(key)
        if since is None:
            if DATE_RE.match(key):
                report.add(("values", key), f"{key} is not a real date")
            continue
        if values and since <= values[-1].since:
            report.add(("values", key), f"dates go from oldest to newest: {key} is written after {values[-1].since}")
        if ptype is None or report.broken(("values", key)):
            continue
        value = parse_literal(ptype, raw["value"])
        if value is None:
            report.add(("values", key, "value"), f"{raw['value']!r} is not a {ptype.value}")
            continue
        values.append(DatedValue(
            since=since, value=value, status=str(raw.get("status", "active")),
            unconfirmed=raw.get("unconfirmed") is True, note=str(raw.get("note", "")),
            references=tuple(
                Reference(str(r["title"]), str(r.get("url", "")), str(r.get("secondary", "")), str(r.get("note", "")))
                for r in raw["reference"]
            ),
        ))
    if ptype is None or not values or not isinstance(data.get("th"), str) or not isinstance(data.get("en"), str):
        return None
    # with problems, the good values are still returned: the criteria that use the parameter are then
    # checked against it, instead of reporting it as unknown (the load fails all the same)
    return ParameterDef(
        name=name, type=ptype, th=str(data["th"]), en=str(data["en"]), values=tuple(values),
        unit_th=str(data.get("unit_th", "")), unit_en=str(data.get("unit_en", "")),
        description=str(data.get("description", "")), path=doc.label,
    )


def load_parameters(directory: Path, problems: list[str]) -> dict[str, ParameterDef]:
    """Every ``<name>.yaml`` of ``directory`` (none if the folder is absent); problems are appended."""
    out: dict[str, ParameterDef] = {}
    if not directory.is_dir():
        return out
    for path in sorted(directory.glob("*.yaml")):
        doc, read_problems = datafiles.read_yaml(path, f"{directory.name}/{path.name}")
        problems.extend(read_problems)
        if doc is None:
            continue
        p = build_parameter(path.stem, doc, problems)
        if p is not None:
            out[p.name] = p
    return out


def parameter_from_mapping(name: str, data: Mapping[str, object], source: str = "<data>") -> ParameterDef:
    """A parameter from a mapping (tests, tools); raises RuleDefinitionError listing every problem."""
    problems: list[str] = []
    p = build_parameter(name, datafiles.Document(data, source), problems)
    if p is None or problems:
        raise RuleDefinitionError(problems)
    return p
