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
from typing import Any

from jfs.cases.models import Request

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
    if request.service == "LIT":
        facts["case_kind"] = details.get("case_kind") or None
        facts["party_role"] = details.get("party_role") or None
    elif request.service == "BAIL":
        facts["bail_authority"] = details.get("authority") or None
        facts["bail_amount"] = _money(details.get("bail_amount"))
        # self-declared on the form; the corrections registry will confirm it later
        facts["is_detained"] = True if details.get("held_at") else None
    elif request.service == "HR":
        facts["hr_violation_claimed"] = True if details.get("violation") else None
    if extra:
        facts.update(extra)
    return facts
