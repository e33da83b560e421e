"""Template filters for Thai readers: Buddhist-era dates, masked IDs, phone numbers, SLA colours."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone, translation

from jfslib import thai_id, thai_phone, thaidate

register = template.Library()


def _as_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    return value


@register.filter
def be_date(value: date | datetime | None, style: str = "short") -> str:
    """21 พ.ย. 2569 in Thai; 21 Nov B.E. 2569 (2026) in English."""
    if not value:
        return "–"
    d = _as_date(value)
    if translation.get_language() == "en":
        return thaidate.format_en(d)
    return thaidate.format_thai(d, style)


@register.filter
def be_datetime(value: datetime | None) -> str:
    if not value:
        return "–"
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{be_date(local)} {local:%H:%M}"


@register.filter
def masked_id(value: str | None) -> str:
    return thai_id.mask(value or "")


@register.filter
def formatted_id(value: str | None) -> str:
    return thai_id.format_id(value or "")


@register.filter
def phone(value: str | None) -> str:
    """A stored phone number (E.164, +66812345678) in the national format people read: 081-234-5678."""
    return thai_phone.display(value or "")


@register.filter
def fiscal_year(value: date | datetime | None) -> str:
    return str(thaidate.fiscal_year(_as_date(value))) if value else "–"


@register.filter
def label(obj: object) -> str:
    """Pick the Thai or English name of a workflow state/action/document, an office or a place."""
    lang = translation.get_language() or "th"
    for attr in ("en", "name_en") if lang == "en" else ("th", "name_th"):
        if hasattr(obj, attr):
            return str(getattr(obj, attr))
    return str(obj)
