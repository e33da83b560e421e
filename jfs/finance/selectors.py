"""Reads of the ledger: balances are sums of lines, never stored."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from jfs.finance import accounts as acc
from jfs.finance import models as m


def balance(account: str, *, fiscal_year: int | None = None, office_id: int | None = None,
            service: str | None = None) -> Decimal:
    """An account's balance (debits less credits) for a fiscal year, office and service, or any slice."""
    qs = m.Line.objects.filter(account=account)
    if fiscal_year is not None:
        qs = qs.filter(fiscal_year=fiscal_year)
    if office_id is not None:
        qs = qs.filter(office_dim=office_id)
    if service is not None:
        qs = qs.filter(service=service)
    return qs.aggregate(s=Sum("amount"))["s"] or Decimal(0)


def budget(fiscal_year: int, office_id: int, service: str) -> dict[str, Decimal]:
    """Allotted, committed, spent and available (negative: more committed than allotted) for one
    office, service and fiscal year."""
    rows = dict(m.Line.objects.filter(fiscal_year=fiscal_year, office_dim=office_id, service=service,
                                      account__in=(acc.BUDGET_ALLOTTED, acc.BUDGET_AVAILABLE, acc.BUDGET_COMMITTED,
                                                   acc.BUDGET_SPENT))
                .values_list("account").annotate(s=Sum("amount")).order_by())
    return {"allotted": -(rows.get(acc.BUDGET_ALLOTTED) or Decimal(0)),
            "available": rows.get(acc.BUDGET_AVAILABLE) or Decimal(0),
            "committed": rows.get(acc.BUDGET_COMMITTED) or Decimal(0),
            "spent": rows.get(acc.BUDGET_SPENT) or Decimal(0)}


def unbalanced_entries() -> list[int]:
    """Entries whose lines do not sum to zero (there must be none)."""
    return list(m.Line.objects.values("entry_id").annotate(s=Sum("amount")).exclude(s=0)
                .values_list("entry_id", flat=True))


def trial_balance(fiscal_year: int | None = None) -> dict[str, Decimal]:
    qs = m.Line.objects.all()
    if fiscal_year is not None:
        qs = qs.filter(fiscal_year=fiscal_year)
    return {a: s for a, s in qs.values_list("account").annotate(s=Sum("amount")).order_by("account")}


def commitments_of(request_id: int) -> list[m.Commitment]:
    return list(m.Commitment.objects.filter(request_id=request_id).order_by("id"))
