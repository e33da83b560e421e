"""Template filters for where the case stands (``jfs.staff.nextstep``): roles and actions joined with
"or", a decision's outcome and reason by name, the next step in a sentence."""

from __future__ import annotations

from typing import Any

from django import template

from jfs.staff import nextstep

register = template.Library()

register.filter("role_names", nextstep.role_names)
register.filter("action_names", nextstep.action_names)
register.filter("outcome_label", nextstep.outcome_label)
register.filter("reason_name", nextstep.reason_name)


@register.filter
def next_sentence(nxt: Any) -> str:
    return nextstep.next_step_sentence(nxt)


@register.filter
def documents_at_hand(required: Any) -> int:
    """How many of the required documents (``(document, source)`` pairs) are on file or confirmed."""
    return sum(1 for _doc, source in required or () if source)


@register.filter
def any_mismatch(registry: Any) -> bool:
    """Whether any registry answer disagrees with what was typed (its panel then opens)."""
    return any(getattr(v, "mismatches", None) or (isinstance(v, dict) and v.get("mismatches")) for v in registry or ())


@register.filter
def needs_documents(nxt: Any) -> bool:
    """Whether the next step waits for documents (the documents panel then opens)."""
    return bool(getattr(nxt, "paused", False) or any(a.documents_required for a in getattr(nxt, "actions", ())))
