"""The cost items a request asks for: what a partial approval approves item by item.

Read from the request's details (``jfs.cases.details``): litigation's cost items, the bail
amount, the amount a human-rights victim asks for, a project's budget lines; any other
service is one item, the amount requested.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from jfs.cases.details import CostItems
from jfs.cases.models import Request


@dataclass(frozen=True)
class RequestedItem:
    key: str
    th: str
    en: str
    amount: Decimal

    def name(self, lang: str | None) -> str:
        return self.en if lang == "en" else self.th


def _money(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def requested_items(req: Request) -> list[RequestedItem]:
    """Each item the request asks for, with its amount (items of 0 baht left out)."""
    details: dict[str, Any] = req.details or {}
    if isinstance(details.get("costs"), dict):
        out = []
        for key, field in CostItems.model_fields.items():
            amount = _money(details["costs"].get(key, 0))
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            if amount > 0:
                out.append(RequestedItem(key, str(field.title or key), str(extra.get("en", key)), amount))
        return out
    if "bail_amount" in details:
        return [RequestedItem("bail_amount", "เงินประกันเพื่อการปล่อยชั่วคราว", "Bail money", _money(details["bail_amount"]))]
    if isinstance(details.get("budget_lines"), list):
        return [
            RequestedItem(f"line-{i}", str(line.get("item", "")), str(line.get("item", "")), _money(line.get("amount")))
            for i, line in enumerate(details["budget_lines"], start=1) if isinstance(line, dict)
        ]
    return [RequestedItem("amount", "จำนวนเงินที่ขอ", "Amount requested", _money(req.amount_requested))]


def parse_amounts(raw: Any) -> tuple[dict[str, Decimal], list[str]]:
    """``{"key": "12500.00", ...}`` as amounts, and the keys whose value is not an amount."""
    if not isinstance(raw, dict):
        return {}, ["*"] if raw not in (None, "", {}) else []
    good: dict[str, Decimal] = {}
    bad: list[str] = []
    for key, value in raw.items():
        try:
            amount = Decimal(str(value).replace(",", "").strip())
        except (InvalidOperation, ValueError):
            bad.append(str(key))
            continue
        if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
            bad.append(str(key))
        else:
            good[str(key)] = amount
    return good, bad
