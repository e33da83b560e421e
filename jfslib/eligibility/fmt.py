"""Formatting of fact values inside explanations, Thai style and English style.

Numbers get thousands separators (8,500; 8,333.33), dates the Buddhist-era year
(17 พ.ค. 2523), booleans ใช่/ไม่ใช่, enumerated values their declared label.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from jfslib.thaidate import format_en, format_thai

CENT = Decimal("0.01")
UNKNOWN_TH = "ไม่ทราบ"
UNKNOWN_EN = "unknown"


def number(value: int | Decimal) -> str:
    """8500 → '8,500'; Decimal('8333.333') → '8,333.33'; whole decimals drop the cents."""
    if isinstance(value, int):
        return f"{value:,}"
    q = value.quantize(CENT, rounding=ROUND_HALF_UP)
    if q == q.to_integral_value():
        return f"{int(q):,}"
    return f"{q:,.2f}"


def thai_date(value: date) -> str:
    return format_thai(value, "short")


def en_date(value: date) -> str:
    return format_en(value)


def boolean(value: bool, lang: str) -> str:
    if lang == "th":
        return "ใช่" if value else "ไม่ใช่"
    return "yes" if value else "no"
