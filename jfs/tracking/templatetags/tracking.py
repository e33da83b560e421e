"""Template tags for the staff case page's messages panel (``templates/staff/case/_messages.html``):
the request's messages with the applicant, read through the tracking selectors."""

from __future__ import annotations

from typing import Any

from django import template

from jfs.cases.models import Request
from jfs.tracking import selectors

register = template.Library()

#: the session key of a reply the officer typed and the service refused (shown again, not lost)
UNSENT_KEY = "tracking_unsent_reply"


@register.simple_tag(takes_context=True)
def request_thread(context: Any, req: Request) -> dict[str, Any]:
    """The request's messages (oldest first), how many from the applicant are unread, whether the
    applicant has a portal account to read an answer, and a refused reply to show again."""
    request = context.get("request")
    unsent = request.session.get(UNSENT_KEY, {}) if request is not None else {}
    return {
        "messages": selectors.thread(req),
        "unread": selectors.unread_from_applicant(req),
        "reachable": bool(selectors.citizen_recipients(req)),
        "unsent": unsent.get(str(req.pk), "") if isinstance(unsent, dict) else "",
    }
