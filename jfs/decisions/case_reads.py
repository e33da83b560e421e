"""Reads the case page needs about a request's decisions beyond ``selectors``: whether the meeting
acknowledged a chair's urgent decision, and the meeting whose agenda holds the request now.

Kept apart from ``selectors`` so that the case page's reads change with the case page; pages read
through these (``tests/test_service_invariants.py``), never the models.
"""

from __future__ import annotations

from jfs.cases.models import Request
from jfs.decisions import models as m


def acknowledgements(decisions: list[m.Decision]) -> dict[int, m.AgendaItem]:
    """For each urgent decision reported to a meeting: the agenda item that reported it (its
    ``acknowledged_at`` says whether the meeting acknowledged it), by decision id."""
    urgent = [d.pk for d in decisions if d.authority == m.BY_CHAIR]
    if not urgent:
        return {}
    items = (m.AgendaItem.objects.filter(kind=m.ACKNOWLEDGE, decision_reported_id__in=urgent)
             .select_related("meeting", "meeting__committee").order_by("acknowledged_at", "id"))
    found: dict[int, m.AgendaItem] = {}
    for item in items:
        if item.decision_reported_id is not None:
            found[item.decision_reported_id] = item  # the acknowledged one last, so it wins
    return found


def board() -> m.Committee | None:
    """The Justice Fund Committee (it decides appeals)."""
    return m.Committee.objects.filter(level=m.LEVEL_BOARD).first()


def agenda_meeting(req: Request) -> m.Meeting | None:
    """The meeting (scheduled or open) whose agenda holds ``req`` for a resolution not recorded yet
    (to consider it, or to decide its appeal); None when it is on no such agenda."""
    item = (m.AgendaItem.objects.filter(request=req, kind__in=(m.CONSIDER, m.APPEAL), withdrawn=False,
                                        decision__isnull=True, meeting__state__in=(m.SCHEDULED, m.OPEN))
            .select_related("meeting", "meeting__committee").order_by("-meeting__scheduled_for", "-id").first())
    return item.meeting if item is not None else None
