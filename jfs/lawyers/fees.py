"""The scale of lawyers' fees and the case results' repayment flags, read from
``governance/lawyer_fees.yaml`` (dated versions with their sources; see that file).

Pure reading; the services apply it. ``load()`` validates the file at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

#: the kinds of milestone a lawyer reports, in the order a case goes
MILESTONE_KINDS = ("filing", "hearing", "judgement", "appeal")
#: the case kinds of a litigation request (``LitigationDetails.case_kind``)
CASE_KINDS = ("civil", "criminal", "administrative", "labour", "other")
#: a case's results
RESULT_KINDS = ("won", "lost", "settled", "withdrawn", "other")


class FeeFileError(ValueError):
    """``governance/lawyer_fees.yaml`` is missing something the services need."""


@dataclass(frozen=True)
class Scale:
    """One dated version of the scale: baht per milestone kind, per case kind."""

    effective: date
    fees: dict[str, dict[str, Decimal]]
    unconfirmed: bool
    source: str

    def for_case(self, case_kind: str) -> dict[str, Decimal]:
        return dict(self.fees.get(case_kind) or self.fees["other"])


@dataclass(frozen=True)
class Result:
    code: str
    th: str
    en: str
    repayment_required: bool


@dataclass(frozen=True)
class FeeFile:
    milestones: dict[str, tuple[str, str]]
    versions: tuple[Scale, ...]
    results: dict[str, Result]
    unconfirmed: bool


def path() -> Path:
    return Path(getattr(settings, "JFS_LAWYER_FEES_FILE", settings.BASE_DIR / "governance" / "lawyer_fees.yaml"))


def _baht(value: Any, where: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise FeeFileError(f"{where}: {value!r} is not an amount of baht") from None
    if not amount.is_finite() or amount < 0:
        raise FeeFileError(f"{where}: {value!r} is not an amount of baht")
    return amount


def _parse(raw: Any) -> FeeFile:
    if not isinstance(raw, dict):
        raise FeeFileError("lawyer_fees.yaml: not a mapping")
    milestones = raw.get("milestones") or {}
    if set(milestones) != set(MILESTONE_KINDS):
        raise FeeFileError(f"lawyer_fees.yaml: milestones must be exactly {', '.join(MILESTONE_KINDS)}")
    versions = []
    for i, v in enumerate(raw.get("versions") or []):
        effective = v.get("effective")
        if not isinstance(effective, date):
            raise FeeFileError(f"lawyer_fees.yaml: versions[{i}].effective is not a date")
        fees: dict[str, dict[str, Decimal]] = {}
        for kind in CASE_KINDS:
            row = (v.get("fees") or {}).get(kind)
            if not isinstance(row, dict) or set(row) != set(MILESTONE_KINDS):
                raise FeeFileError(f"lawyer_fees.yaml: versions[{i}].fees.{kind} must give every milestone")
            fees[kind] = {m: _baht(row[m], f"versions[{i}].fees.{kind}.{m}") for m in MILESTONE_KINDS}
        source = v.get("source") or {}
        versions.append(Scale(effective=effective, fees=fees, unconfirmed=bool(v.get("unconfirmed", True)),
                              source=str(source.get("title", "")) if isinstance(source, dict) else str(source)))
    if not versions:
        raise FeeFileError("lawyer_fees.yaml: no versions")
    results = {}
    for code in RESULT_KINDS:
        r = (raw.get("results") or {}).get(code)
        if not isinstance(r, dict) or not isinstance(r.get("repayment_required"), bool):
            raise FeeFileError(f"lawyer_fees.yaml: results.{code} must say repayment_required: true or false")
        results[code] = Result(code=code, th=str(r["th"]), en=str(r["en"]),
                               repayment_required=r["repayment_required"])
    return FeeFile(milestones={k: (str(v["th"]), str(v["en"])) for k, v in milestones.items()},
                   versions=tuple(sorted(versions, key=lambda s: s.effective)), results=results,
                   unconfirmed=bool(raw.get("unconfirmed", True)))


@lru_cache(maxsize=1)
def load() -> FeeFile:
    with path().open(encoding="utf-8") as fh:
        return _parse(yaml.safe_load(fh))


def scale_on(day: date) -> Scale | None:
    """The scale in force on ``day`` (None before the first version)."""
    found = [s for s in load().versions if s.effective <= day]
    return found[-1] if found else None


def result(code: str) -> Result | None:
    return load().results.get(code)


def milestone_name(kind: str, lang: str) -> str:
    names = load().milestones.get(kind)
    if names is None:
        return kind
    return names[1] if lang == "en" else names[0]


def result_name(code: str, lang: str) -> str:
    r = load().results.get(code)
    if r is None:
        return code
    return r.en if lang == "en" else r.th
