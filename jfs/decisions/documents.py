"""The decision letter and the meeting minutes as Thai PDFs (``jfs.core.pdf``, WeasyPrint).

Each renders a template from the records as they are (a decision and its reasons and items; a
meeting, its attendance, agenda, votes and resolutions) and returns the PDF; the letter also
returns the text read back from the PDF, kept with the letter (``Letter.text``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from jfs.cases import reasons, service_registry
from jfs.core import clock
from jfs.core.pdf import pdf_text, render_pdf
from jfs.decisions import authority
from jfs.decisions import models as m
from jfslib import thaidate


def _be(d: date | None) -> str:
    return thaidate.format_thai(d, "long") if d else "–"


def _reasons(decision: m.Decision) -> list[dict[str, str]]:
    catalogue = reasons.all_reasons()
    out = []
    for r in decision.reasons.all():
        reason = catalogue.get(r.code)
        out.append({"text": reason.th if reason else r.code,
                    "category": reasons.category_name(reason.category, "th") if reason else "",
                    "basis": reason.basis if reason else ""})
    return out


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def letter_context(decision: m.Decision, deadline: date | None) -> dict[str, Any]:
    req = decision.request
    service = service_registry.get(req.service)
    appealable = decision.kind == m.FIRST and decision.outcome in ("rejected", "partially_approved")
    items = [{"th": i.label_th, "requested": _money(i.requested), "approved": _money(i.approved)}
             for i in decision.items.all()]
    return {
        "office_name": req.office.name_th,
        "today": _be(clock.today()),
        "req": req,
        "service_name": service.th,
        "received": _be(req.received_on),
        "decided": _be(decision.decided_on),
        "decider": decision.committee.name_th if decision.committee else req.office.name_th,
        "by_chair": decision.authority == m.BY_CHAIR,
        "appeal_decision": decision.kind == m.APPEAL_DECISION,
        "outcome": reasons.outcome_name(decision.outcome, "th"),
        "outcome_code": decision.outcome,
        "cause": reasons.cause_name(decision.cause, "th") if decision.cause else "",
        "reasons": _reasons(decision),
        "note": decision.note,
        "items": items if decision.outcome in ("approved", "partially_approved") else [],
        "total_requested": _money(decision.amount_requested),
        "total_approved": _money(decision.amount_approved),
        "referred_to": decision.referred_to,
        "appealable": appealable,
        "appeal_days": authority.appeal_working_days(decision.decided_on),
        "appeal_deadline": _be(deadline) if deadline else "",
        "applicant": req.applicant.full_name,
    }


def letter_pdf(decision: m.Decision, *, deadline: date | None) -> tuple[bytes, str]:
    data = render_pdf("pdf/decision_letter.html", letter_context(decision, deadline))
    return data, pdf_text(data)


def minutes_context(meeting: m.Meeting) -> dict[str, Any]:
    committee = meeting.committee
    day = meeting.scheduled_for.date()
    present = {a.user_id: a for a in meeting.attendance.select_related("user")}
    seats = [s for s in committee.memberships.select_related("user").filter(since__lte=day)
             if s.until is None or s.until > day]
    position = dict(m.POSITION_CHOICES)
    mode = dict(m.ATTENDANCE_MODE_CHOICES)
    attended = [{"name": a.user.get_full_name(), "position": str(position[a.position]), "mode": str(mode[a.mode])}
                for a in present.values()]
    absent = [{"name": s.user.get_full_name(), "position": str(position[s.position])}
              for s in seats if s.user_id not in present]
    items = []
    for item in meeting.items.select_related("request", "request__applicant").order_by("position"):
        decision = getattr(item, "decision", None)
        conflicts = [c.user.get_full_name() for c in item.conflicts.select_related("user")]
        screening = item.summary.get("screening") or {}
        items.append({
            "position": item.position, "kind": item.kind, "number": item.request.number,
            "service": service_registry.get(item.request.service).th,
            "amount": _money(Decimal(item.summary.get("amount_requested", item.request.amount_requested))),
            "screening": screening.get("overall_text_th", ""),
            "considerations": [c.get("th", "") + (": " + c["finding_th"] if c.get("finding_th") else "")
                               for c in screening.get("considerations", [])],
            "conflicts": conflicts,
            "tally": (decision.votes_for, decision.votes_against, decision.votes_abstain) if decision else None,
            "outcome": reasons.outcome_name(decision.outcome, "th") if decision else "",
            "reasons": _reasons(decision) if decision else [],
            "approved": _money(decision.amount_approved) if decision else "",
            "note": decision.note if decision else "",
            "acknowledged": item.acknowledged_at is not None,
            "reported": reasons.outcome_name(item.decision_reported.outcome, "th") if item.decision_reported else "",
            "grounds": item.appeal.grounds if item.appeal else "",
        })
    return {
        "office_name": committee.office.name_th,
        "committee": committee.name_th,
        "number": meeting.number, "fiscal_year": meeting.fiscal_year,
        "date": _be(day), "time": meeting.scheduled_for.strftime("%H:%M"),
        "place": meeting.place, "mode": str(dict(m.MEETING_MODE_CHOICES)[meeting.mode]),
        "attended": attended, "absent": absent, "quorum": meeting.quorum, "members": meeting.members_count,
        "items": items,
        "opened": meeting.opened_at.strftime("%H:%M") if meeting.opened_at else "",
        "closed": meeting.closed_at.strftime("%H:%M") if meeting.closed_at else "",
        "approved_by": meeting.minutes_approved_by.get_full_name() if meeting.minutes_approved_by else "",
        "approved_on": _be(meeting.minutes_approved_at.date()) if meeting.minutes_approved_at else "",
    }


def minutes_pdf(meeting: m.Meeting) -> bytes:
    return render_pdf("pdf/minutes.html", minutes_context(meeting))
