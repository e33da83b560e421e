"""``{% online_filing req as filing %}``: how a request was filed online, for the staff case page:
"ยื่นออนไลน์", how the filer signed in (the digital ID, or a one-time code at a lower assurance),
and the representative's relationship to the applicant. None for a request registered at an office."""

from __future__ import annotations

from typing import Any

from django import template

from jfs.applications import selectors
from jfs.applications.models import ASSURANCE_CHOICES, RELATIONSHIP_CHOICES

register = template.Library()


@register.simple_tag
def online_filing(req: Any) -> dict[str, Any] | None:
    if getattr(req, "channel", "") != "online" or not getattr(req, "pk", None):
        return None
    app = selectors.filing_of(req.pk)
    if app is None:
        return None
    relationship = dict(RELATIONSHIP_CHOICES).get(app.relationship, "")
    return {
        "assurance": dict(ASSURANCE_CHOICES).get(app.assurance, ""),
        "lower_assurance": app.assurance == "one_time_code",
        "representative": app.for_whom == "other",
        "relationship": relationship,
        "relationship_other": app.relationship_other,
        "representative_name": req.representative_name,
        "submitted_at": app.submitted_at,
        "notice_version": app.notice_version,
    }
