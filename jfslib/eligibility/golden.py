"""Golden scenarios: policy-owned CSV files of facts and the results policy expects.

One file per service, ``rules/golden/<SERVICE>.csv``, one scenario per row:

``scenario``            a short stable id
``description``         what the scenario is about (Thai or English)
``evaluated_on``        the evaluation date (YYYY-MM-DD); the rules in force that day apply
``<fact name>``         one column per fact used; an empty cell = not known
``expected_overall``    YES / NO / UNKNOWN: decided by the condition groups only
``expected_<criterion>`` YES / NO / UNKNOWN; an empty cell = not checked
``finding_<group>``     optional, a consideration group's finding for the subcommittee:
                        for / against / note / none / unknown (an empty cell = not checked)
``expected_missing``    optional: the fact names the overall UNKNOWN should list, space-separated
``expected_version``    optional: the rule version that must have been applied
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from jfslib.eligibility.facts import FactType, FactValue, Vocabulary
from jfslib.eligibility.rules import Finding

RESERVED = {"scenario", "description", "evaluated_on", "expected_overall", "expected_missing", "expected_version"}
OUTCOMES = {"YES", "NO", "UNKNOWN"}


class GoldenFileError(ValueError):
    pass


@dataclass(frozen=True)
class Scenario:
    service: str
    scenario: str
    description: str
    evaluated_on: date
    facts: dict[str, FactValue]
    expected: dict[str, str]  # "overall" and criterion ids → YES / NO / UNKNOWN
    expected_missing: tuple[str, ...] | None
    expected_version: str
    findings: dict[str, str] | None = None  # consideration group id → expected finding


def parse_cell(vocab: Vocabulary, name: str, text: str) -> FactValue | None:
    text = text.strip()
    if text == "":
        return None
    t = vocab[name].type
    try:
        if t is FactType.INT:
            return int(text)
        if t is FactType.DECIMAL:
            return Decimal(text)
        if t is FactType.DATE:
            return date.fromisoformat(text)
    except (ValueError, InvalidOperation) as exc:
        raise GoldenFileError(f"{name}: {text!r} is not a {t.value}") from exc
    if t is FactType.BOOL:
        low = text.lower()
        if low not in ("true", "false"):
            raise GoldenFileError(f"{name}: write true or false, not {text!r}")
        return low == "true"
    return text


def load_scenarios(path: Path, vocab: Vocabulary) -> list[Scenario]:
    service = path.stem
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out: list[Scenario] = []
    for n, row in enumerate(rows, start=2):
        where = f"{path.name} line {n}"
        facts: dict[str, FactValue] = {}
        expected: dict[str, str] = {}
        findings: dict[str, str] = {}
        try:
            for col, raw in row.items():
                if col is None:
                    raise GoldenFileError("more cells than columns")
                value = (raw or "").strip()
                if col in RESERVED:
                    continue
                if col.startswith("finding_"):
                    if value:
                        if value not in Finding.CHOICES:
                            raise GoldenFileError(f"{col}: {value!r} is not one of {', '.join(Finding.CHOICES)}")
                        findings[col.removeprefix("finding_")] = value
                    continue
                if col.startswith("expected_"):
                    if value:
                        if value not in OUTCOMES:
                            raise GoldenFileError(f"{col}: {value!r} is not YES, NO or UNKNOWN")
                        expected[col.removeprefix("expected_")] = value
                    continue
                if col not in vocab:
                    raise GoldenFileError(f"column {col!r} is not a fact of the vocabulary")
                v = parse_cell(vocab, col, value)
                if v is not None:
                    facts[col] = v
            overall = (row.get("expected_overall") or "").strip()
            if overall not in OUTCOMES:
                raise GoldenFileError(f"expected_overall {overall!r} is not YES, NO or UNKNOWN")
            expected["overall"] = overall
            on = date.fromisoformat((row.get("evaluated_on") or "").strip())
        except (GoldenFileError, ValueError) as exc:
            raise GoldenFileError(f"{where}: {exc}") from exc
        missing_raw = row.get("expected_missing")
        out.append(Scenario(
            service=service, scenario=(row.get("scenario") or f"line{n}").strip(),
            description=(row.get("description") or "").strip(), evaluated_on=on, facts=facts,
            expected=expected,
            expected_missing=tuple(missing_raw.split()) if missing_raw and missing_raw.strip() else None,
            expected_version=(row.get("expected_version") or "").strip(), findings=findings,
        ))
    return out
