"""Reads for pages and the API: a request's registry checks, the facts they confirmed, and
which documents the citizen need not bring (Once-Only)."""

from __future__ import annotations

from typing import Any

from jfs.cases.models import Request
from jfs.exchange import models as m

_ORDER = {kind: i for i, (kind, _) in enumerate(m.KIND_CHOICES)}


def checks_for_request(request: Request) -> list[m.RegistryCheck]:
    """The request's checks in display order (identity first)."""
    return sorted(m.RegistryCheck.objects.filter(request=request), key=lambda c: _ORDER.get(c.kind, 99))


def confirmed_facts(request: Request) -> dict[str, dict[str, Any]]:
    """kind → facts, for the checks the registries answered (verified, mismatch or not found)."""
    return {c.kind: c.facts for c in checks_for_request(request) if c.answered}


def documents_confirmed_by_registry(request: Request) -> set[str]:
    """Workflow document codes a registry has already confirmed, so the applicant need not bring copies."""
    docs: set[str] = set()
    for c in checks_for_request(request):
        if c.status != m.STATUS_VERIFIED:
            continue
        f = c.facts
        if c.kind == m.KIND_IDENTITY and f.get("identity_verified"):
            docs.add("id_card")
        elif c.kind == m.KIND_ADDRESS:
            docs.add("house_registration")
        elif c.kind == m.KIND_WELFARE and f.get("welfare_card"):
            docs.add("income_proof")
        elif c.kind == m.KIND_DETENTION and f.get("detained_now"):
            docs.add("detention_warrant")
        elif c.kind in (m.KIND_ARRESTS, m.KIND_COURT_CASES) and f.get("count"):
            docs.add("charge_documents")
    return docs


def pending_count() -> int:
    return m.RegistryCheck.objects.filter(status=m.STATUS_PENDING).count()
