"""Facts for the eligibility rules, read from a JFS request and its applicant.

Only what the JFS records is filled in; everything else (welfare card, vulnerable
household level, disability, staff assessments) is simply absent, so the rules
answer UNKNOWN for it and name it as missing. Registry adapters, and the screening
panel's staff answers, pass their verified values in ``extra``: they take
precedence over what the JFS recorded, and the rules do not change.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin

from pydantic.fields import FieldInfo

from jfs.cases.details import SCHEMAS
from jfs.cases.models import Request
from jfslib.eligibility.facts import Vocabulary

_TWO_PLACES = Decimal("0.01")


def _money(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value)).quantize(_TWO_PLACES)
    except InvalidOperation:
        return None


def facts_for_request(request: Request, extra: Mapping[str, object] | None = None) -> dict[str, object]:
    """Fact name → value (``None`` = not known) for ``request``; see rules/facts.yaml."""
    person = request.applicant
    national_id = person.national_id or ""
    facts: dict[str, object] = {
        "birth_date": person.birth_date,
        "sex": person.sex or None,
        # IDs beginning with 0 belong to people without Thai civil registration status
        "has_thai_registration": (not national_id.startswith("0")) if national_id else None,
        "monthly_income": _money(person.monthly_income),
        "household_size": person.household_size or None,
        "representative_type": request.representative_type or "none",
        "amount_requested": _money(request.amount_requested),
    }
    details: dict[str, Any] = request.details if isinstance(request.details, dict) else {}
    facts.update(detail_facts(request.service, details))
    if extra:
        facts.update(extra)
    return facts


def optional_inner(annotation: Any) -> Any:
    """``X | None`` → ``X`` (an optional details field)."""
    args = get_args(annotation)
    if get_origin(annotation) in (Union, UnionType) and type(None) in args and len(args) == 2:
        return next(a for a in args if a is not type(None))
    return annotation


def _fact_fields(service: str) -> list[tuple[str, FieldInfo, dict[str, Any]]]:
    """(details key, its field, its json_schema_extra) of each details field that is a fact."""
    model = SCHEMAS.get(service)
    out = []
    for name, info in (model.model_fields.items() if model else ()):
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if extra.get("fact"):
            out.append((name, info, extra))
    return out


def detail_fact_names(service: str) -> set[str]:
    """The facts a service's details model names."""
    return {str(extra["fact"]) for _name, _info, extra in _fact_fields(service)}


def detail_facts(service: str, details: Mapping[str, Any]) -> dict[str, object]:
    """The facts a service's details give, as its details model names them (``json_schema_extra["fact"]``):
    money as a decimal, ``"fact_when": "given"`` as true when filled in (e.g. the bail form's place of
    detention, self-declared; the corrections registry confirms it later), anything else as typed."""
    facts: dict[str, object] = {}
    for name, info, extra in _fact_fields(service):
        value = details.get(name)
        if extra.get("fact_when") == "given":
            facts[str(extra["fact"])] = True if value else None
        elif isinstance(extra.get("fact_values"), dict):  # a choice that stands for a yes/no fact
            facts[str(extra["fact"])] = extra["fact_values"].get(value)
        elif optional_inner(info.annotation) is Decimal:
            facts[str(extra["fact"])] = _money(value)
        else:
            facts[str(extra["fact"])] = value if value not in ("", None) else None
    return facts


def detail_fact_problems(vocabulary: Vocabulary) -> list[str]:
    """Each fact a details model names is in rules/facts.yaml, and a choice's values are the fact's values."""
    problems = []
    for service in SCHEMAS:
        for name, info, extra in _fact_fields(service):
            fact = str(extra["fact"])
            if fact not in vocabulary:
                problems.append(f"{service} details.{name}: fact {fact!r} is not in facts.yaml")
                continue
            choices = optional_inner(info.annotation)
            if isinstance(extra.get("fact_values"), dict):
                if set(get_args(choices)) != set(extra["fact_values"]):
                    problems.append(f"{service} details.{name}: fact_values must name each of its choices")
            elif get_origin(choices) is Literal:
                typed, known = set(get_args(choices)), {v.code for v in vocabulary[fact].values}
                if typed != known:
                    problems.append(f"{service} details.{name}: its choices {sorted(typed)} are not the values "
                                    f"of the fact {fact} in facts.yaml {sorted(known)}")
    return problems
