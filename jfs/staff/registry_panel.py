"""The case page's registry panel (and the screening panel that depends on it), refreshed in place.

While any registry check is pending, the registry panel asks ``registry_panel`` every 3 seconds
(htmx ``hx-get`` + ``hx-trigger="every 3s"``), naming the version of the answers it shows
(``?v=``, a digest of each check's status and time of change). The same answers give
``204 No Content``: nothing is rendered, htmx keeps the page as it is, and nothing is audited.
Changed answers give the panel again, with the screening panel swapped out of band
(``hx-swap-oob``), and that render of personal data is audited like the case page: one event
per change of answers, not one per poll. Once no check is pending, the panel comes without
the trigger and the polling stops.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from jfs.accounts.http import StaffRequest
from jfs.cases import selectors, services
from jfs.cases.models import Request
from jfs.eligibility.screening import screening_panel
from jfs.exchange import models as xm
from jfs.exchange.presentation import present_all
from jfs.exchange.selectors import checks_for_request
from jfs.staff.access import staff_required

POLL_SECONDS = 3


def answers_version(checks: list[xm.RegistryCheck]) -> str:
    """A short digest of the checks' statuses and times of change: it changes when an answer arrives."""
    text = "|".join(f"{c.pk}:{c.status}:{c.updated_at.isoformat() if c.updated_at else ''}" for c in checks)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def panel_context(req: Request, checks: list[xm.RegistryCheck] | None = None) -> dict[str, Any]:
    """What the registry and screening panels show: the checks in words, the screening, and the
    polling address while an answer is awaited ("" once none is pending)."""
    checks = checks_for_request(req) if checks is None else checks
    pending = any(c.status == xm.STATUS_PENDING for c in checks)
    poll = f"{reverse('staff:registry_panel', args=[req.pk])}?v={answers_version(checks)}" if pending else ""
    return {
        "registry_checks": checks,
        "registry": present_all(checks, req.applicant),
        "registry_poll": poll,
        "registry_poll_trigger": f"every {POLL_SECONDS}s",
        "screening": screening_panel(req),
    }


@require_GET
@staff_required
def registry_panel(request: StaffRequest, pk: int) -> HttpResponse:
    """The registry panel, with the screening panel out of band; 204 when the answers are those
    the page already shows (404 for a request outside the reader's scope, as the case page)."""
    req = selectors.get_visible(request.user, pk)
    checks = checks_for_request(req)
    if request.GET.get("v") == answers_version(checks):
        return HttpResponse(status=204)
    services.audit_view(request.user, req)
    context = {"req": req, "can": services.allowed(request.user, req), "oob": True, **panel_context(req, checks)}
    return render(request, "staff/case/_registry_poll.html", context)
