"""Who may do what, for templates that have no request at hand (``services.may_register``)."""

from __future__ import annotations

from typing import Any

from django import template

from jfs.cases import services

register = template.Library()


@register.filter
def may_register(user: Any) -> bool:
    """Whether the signed-in person may register requests (the queue's "รับคำขอใหม่" buttons)."""
    return bool(user and user.is_authenticated and services.may_register(user))
