"""Screening of one request: its facts (as typed, plus what registries confirmed) through
the rules in force on the day it was received.

Registry answers win over what the applicant typed for the facts they cover (Once-Only),
and a registry that has not answered leaves the fact UNKNOWN rather than guessing.
"""

from __future__ import annotations

from typing import Any

from jfs.cases.models import Request
from jfs.eligibility import rulebook
from jfs.eligibility.facts import detail_fact_names, facts_for_request
from jfs.exchange import models as xm
from jfs.exchange.selectors import checks_for_request
from jfslib.eligibility import Evaluation, NoRulesetInForce


def registry_facts(request: Request) -> dict[str, object]:
    """Rule facts confirmed by government registries for this request."""
    out: dict[str, object] = {}
    # the corrections registry confirms detention where the service's details ask about it (bail)
    detained_fact = "is_detained" in detail_fact_names(request.service)
    for c in checks_for_request(request):
        f: dict[str, Any] = c.facts or {}
        if c.kind == xm.KIND_WELFARE and c.answered:
            out["has_welfare_card"] = bool(f.get("welfare_card"))
        elif c.kind == xm.KIND_HOUSEHOLD:
            if c.status == xm.STATUS_VERIFIED and f.get("vulnerability_level") is not None:
                out["vulnerable_household_level"] = int(f["vulnerability_level"])
            elif c.status == xm.STATUS_NOT_FOUND:
                out["vulnerable_household_level"] = 0  # not in the MSO logbook
        elif c.kind == xm.KIND_DISABILITY and c.answered:
            out["has_disability_card"] = bool(f.get("card_valid"))
        elif c.kind == xm.KIND_DETENTION and c.status == xm.STATUS_VERIFIED and detained_fact:
            out["is_detained"] = bool(f.get("detained_now"))
    return out


def screen_request(request: Request) -> Evaluation | None:
    """Explained evaluation with the rule version in force when the request was received;
    None for services that have no eligibility rules (project grants, consultations)."""
    facts = facts_for_request(request, extra=registry_facts(request))
    try:
        return rulebook.screen(request.service, facts, request.received_on)
    except NoRulesetInForce:
        return None
