"""Decisions on the case page: the deciding actions' forms, check-your-answers, the decisions panel,
letters, and actions that are never posted twice.

- A deciding action (``sets_outcome``) is checked by the case services (which ask the decision rules,
  ``jfs.decisions``), then shown on a check-your-answers page (GOV.UK pattern) with "change" links
  back to the form, the typed values kept; only its "confirm" button posts the action.
- The chair's urgent decision and the office head's termination ask the outcome, several reasons
  (checkboxes by name and category; ``reason_options`` narrows them to the chosen outcome, htmx),
  the approved amount per requested cost item, the termination's cause and the note. A meeting's
  resolution (``record_subcommittee_decision``, ``decide_appeal``) is not offered here: the page
  says which body decides and links to the meeting whose agenda holds the request.
- A refused action answers with a redirect to the case page (Post/Redirect/Get: refreshing the
  page never posts again); what the officer typed, and the errors, come back once in the open form.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jfs.accounts.http import StaffRequest
from jfs.accounts.models import User
from jfs.cases import reasons, selectors, services
from jfs.cases.errors import CaseError, field_message
from jfs.cases.models import Request
from jfs.core import clock
from jfs.core.downloads import pdf_attachment
from jfs.core.templatetags.thai import be_date
from jfs.decisions import authority
from jfs.decisions import models as dm
from jfs.decisions import selectors as dselectors
from jfs.decisions import services as dservices
from jfs.decisions.items import RequestedItem, requested_items
from jfs.staff.access import staff_required
from jfs.staff.forms import DECISION_FORM_FIELDS, TransitionForm, deciding_outcomes, reason_choices
from jfslib import roles
from jfslib.workflow import Action

#: session key: what an officer typed into an action form that was refused, shown once on the case page
TYPED_KEY = "jfs.typed_action"
#: session key: deciding actions' answers waiting for confirmation, by "<request pk>:<action>"
ANSWERS_KEY = "jfs.decision_answers"
#: a meeting's resolutions are recorded on the meeting's page, not the case page
NOT_ON_CASE_PAGE = frozenset({"record_subcommittee_decision", "decide_appeal"})
_PREFIX = re.compile(r"^[a-z_]{1,40}$")


def _lang() -> str:
    return "en" if (translation.get_language() or "th").startswith("en") else "th"


def _see_other(url: str) -> HttpResponse:
    resp = HttpResponseRedirect(url)
    resp.status_code = 303  # after a POST: the browser GETs the page, and refreshing it posts nothing
    return resp


def case_url(req: Request, action: str = "") -> str:
    return reverse("staff:case", args=[req.pk]) + (f"#action-{action}" if action else "")


# --------------------------------------------------------------------------- the action forms


def requested(req: Request, action: Action | None) -> list[RequestedItem]:
    """The request's cost items when ``action``'s form asks an approved amount for each."""
    if action is None or "items" not in DECISION_FORM_FIELDS.get(action.code, ()):
        return []
    return requested_items(req)


def action_form(req: Request, code: str, data: Any = None, initial: dict[str, Any] | None = None) -> TransitionForm:
    """The form of action ``code`` on ``req`` (bound to ``data`` when given)."""
    action = req.workflow.actions.get(code)
    return TransitionForm(data, initial=initial, prefix=code, action=action, service=req.service,
                          requested=requested(req, action))


def urgent_refusal(req: Request) -> str:
    """Why the chair may not decide ``req`` urgently ("" when the amount is within the urgent limit)."""
    limit = authority.urgent_limit(req.service, req.received_on)
    if req.amount_requested <= limit:
        return ""
    return _("จำนวนเงินที่ขอ %(amount)s บาท เกินวงเงินที่ประธานพิจารณากรณีเร่งด่วนได้ (%(limit)s บาท) "
             "จึงต้องเสนอที่ประชุมคณะอนุกรรมการพิจารณา") % {
        "amount": f"{req.amount_requested:,.2f}", "limit": f"{limit:,.2f}"}


def offered(user: User, req: Request, action: Action) -> bool:
    """Whether the case page offers ``action``: never a meeting's resolution; the urgent decision
    only to the chair of the committee that decides the request, within the urgent limit (the
    decision rules refuse the rest the same way)."""
    if action.code in NOT_ON_CASE_PAGE:
        return False
    if action.code == "decide_urgent":
        committee = dselectors.deciding_committee(req)
        return (committee is not None and not urgent_refusal(req)
                and dselectors.holds_seat(user, committee, dm.CHAIR, clock.today()))
    return True


def on_fields(form: TransitionForm, errors: list[dict[str, str]], *, skip_flagged: bool = False) -> list[dict[str, str]]:
    """The decision rules' errors on the form's fields (``items.<key>``: that item's amount); with
    ``skip_flagged``, only those on fields the form's own checks did not flag already."""
    out = []
    for e in errors:
        name = form.field_of(e["field"])
        if name is not None and not (skip_flagged and name in form.errors):
            out.append({**e, "field": name})
    return out


def back_to_case(request: HttpRequest, req: Request, action: str,
                 errors: list[dict[str, str]] | None = None) -> HttpResponse:
    """Answer a refused action: redirect to the case page, keeping what the officer typed into the
    action's form (every value of a field: several reasons) and the field errors (``field_error``
    dicts) for the page's next rendering only."""
    prefix = f"{action}-"
    data = {k: v for k, v in request.POST.lists() if k.startswith(prefix)}
    request.session[TYPED_KEY] = {"request": req.pk, "action": action, "data": data, "errors": list(errors or [])}
    return _see_other(case_url(req, action))


def remember_answers(request: HttpRequest, req: Request, action: str, form: TransitionForm) -> HttpResponse:
    """Keep a deciding action's checked answers and show them on the check-your-answers page."""
    answers = dict(request.session.get(ANSWERS_KEY) or {})
    answers[f"{req.pk}:{action}"] = {"version": form.cleaned_data["version"],
                                     "comment": str(form.cleaned_data.get("comment") or ""),
                                     **form.decision_values()}
    request.session[ANSWERS_KEY] = answers
    return _see_other(reverse("staff:decision_check", args=[req.pk]) + "?action=" + action)


def forget_answers(request: HttpRequest, req: Request, action: str) -> None:
    answers = dict(request.session.get(ANSWERS_KEY) or {})
    if answers.pop(f"{req.pk}:{action}", None) is not None:
        request.session[ANSWERS_KEY] = answers


def _answers(request: HttpRequest, req: Request, action: str) -> dict[str, Any] | None:
    found = (request.session.get(ANSWERS_KEY) or {}).get(f"{req.pk}:{action}")
    return found if isinstance(found, dict) else None


def _as_post(action: str, answers: dict[str, Any]) -> QueryDict:
    """Kept answers as the form's posted data (``<action>-<field>``; an item's amount as ``item_<key>``)."""
    data = QueryDict(mutable=True)
    data[f"{action}-action"] = action
    for key, value in answers.items():
        if key == "items" and isinstance(value, dict):
            for item, amount in value.items():
                data[f"{action}-item_{item}"] = str(amount)
        elif isinstance(value, list):
            data.setlist(f"{action}-{key}", [str(v) for v in value])
        else:
            data[f"{action}-{key}"] = str(value)
    return data


def restore_typed(request: HttpRequest, req: Request) -> dict[str, Any]:
    """The case page's action form as the officer left it: after a refusal (once, with its errors),
    or from the check page's "change" links (``?change=<action>``, the answers kept until confirmed).
    Returns the ``failed_action``/``failed_form`` the case page shows open (or nothing)."""
    typed = request.session.pop(TYPED_KEY, None)  # the redirect's next page is this one: never kept longer
    if isinstance(typed, dict) and typed.get("request") == req.pk:
        action, errors = str(typed["action"]), list(typed["errors"])
        data = QueryDict(mutable=True)
        for key, values in dict(typed["data"]).items():
            data.setlist(key, values if isinstance(values, list) else [values])
    else:
        action = request.GET.get("change", "")
        answers = _answers(request, req, action) if action else None
        if answers is None:
            return {}
        data, errors = _as_post(action, answers), []
    form = action_form(req, action, data)
    form.is_valid()
    for e in errors:
        form.add_error(e["field"] if e.get("field") in form.fields else None, field_message(e, _lang()))
    return {"failed_action": action, "failed_form": form}


@require_GET
@staff_required
def reason_options(request: StaffRequest) -> HttpResponse:
    """htmx: the reasons' checkboxes for the chosen outcome (every reason of the action, for none)."""
    prefix = request.GET.get("prefix", "")
    prefix = prefix if _PREFIX.match(prefix) else "decision"
    outcome = next((request.GET.get(k, "") for k in request.GET if k == "outcome" or k.endswith("-outcome")), "")
    outcomes = deciding_outcomes(prefix) or tuple(reasons.OUTCOME_NAMES)
    options = reason_choices(outcome if outcome in outcomes else "", outcomes)
    chosen = request.GET.getlist(f"{prefix}-reason_codes")
    return render(request, "staff/_reason_options.html", {
        "options": [(i, v, n) for i, (v, n) in enumerate(options)], "field_name": f"{prefix}-reason_codes",
        "chosen": chosen})


# --------------------------------------------------------------------------- check your answers


def _reason_rows(codes: list[str], lang: str) -> list[dict[str, str]]:
    catalogue = reasons.all_reasons()
    rows = []
    for code in codes:
        r = catalogue.get(code)
        rows.append({"name": r.name(lang), "category": reasons.category_name(r.category, lang), "basis": r.basis}
                    if r else {"name": code, "category": "", "basis": ""})
    return rows


def _item_rows(req: Request, answers: dict[str, Any], outcome: str) -> tuple[list[dict[str, Any]], Decimal, Decimal]:
    """The amounts as the decision rules will record them (an item left empty: all of it approved,
    or none of it in a partial approval)."""
    lang, approved = _lang(), answers.get("items") or {}
    rows: list[dict[str, Any]] = []
    for r in requested_items(req):
        try:
            ok = Decimal(str(approved.get(r.key, r.amount if outcome == "approved" else "0")))
        except ArithmeticError:
            ok = Decimal(0)
        rows.append({"name": r.name(lang), "requested": r.amount, "approved": ok, "key": r.key})
    return rows, sum((x["requested"] for x in rows), Decimal(0)), sum((x["approved"] for x in rows), Decimal(0))


@require_GET
@staff_required
def check_answers(request: StaffRequest, pk: int) -> HttpResponse:
    """Check your answers before a decision that cannot be undone: the request, the applicant, the
    outcome, the reasons by name (with category and basis), the approved amount per cost item with
    totals, a termination's cause, a referral's agency and the note, each with a link to change it."""
    req = selectors.get_visible(request.user, pk)
    code = request.GET.get("action", "")
    action = req.workflow.actions.get(code)
    answers = _answers(request, req, code) if action is not None and action.sets_outcome else None
    if action is None or answers is None:
        messages.error(request, _("ไม่พบผลการพิจารณาที่รอยืนยัน กรุณากรอกแบบฟอร์มการพิจารณาอีกครั้ง"))
        return redirect("staff:case", pk=req.pk)
    services.audit_view(request.user, req)  # the page names the applicant
    lang = _lang()
    implied = dservices.OWNER.complete(req, code, {k: v for k, v in answers.items() if k not in ("version", "comment")})
    outcome = str(implied.get("outcome") or "")
    items, total_requested, total_approved = (_item_rows(req, answers, outcome) if outcome in dservices.APPROVING
                                              else ([], Decimal(0), Decimal(0)))
    change = reverse("staff:case", args=[req.pk]) + f"?change={code}"
    asked = DECISION_FORM_FIELDS.get(code, ())
    return render(request, "staff/decision_check.html", {
        "req": req,
        "action": action,
        "answers": answers,
        "asked": asked,
        "prefix": code,
        "outcome_name": reasons.outcome_name(outcome, lang),
        "cause_name": reasons.cause_name(str(implied.get("cause") or ""), lang) if implied.get("cause") else "",
        "reasons": _reason_rows([str(c) for c in implied.get("reason_codes") or []], lang),
        "items": items,
        "total_requested": total_requested,
        "total_approved": total_approved,
        "hidden_items": [(f"{code}-item_{k}", v) for k, v in (answers.get("items") or {}).items()],
        "change": change,
        "change_outcome": f"{change}#id_{code}-outcome",
        "change_reason": f"{change}#{code}-reason_codes-options",
        "change_items": f"{change}#{code}-items",
        "change_cause": f"{change}#id_{code}-cause",
        "change_referred": f"{change}#id_{code}-referred_to",
        "change_comment": f"{change}#id_{code}-comment",
    })


# --------------------------------------------------------------------------- the decisions panel


def _meeting_name(meeting: dm.Meeting, lang: str) -> str:
    return _("%(committee)s ครั้งที่ %(number)s/%(year)s") % {
        "committee": meeting.committee.name(lang), "number": meeting.number, "year": meeting.fiscal_year}


def meeting_url(meeting: dm.Meeting | None) -> str:
    """The meeting's page (``staff:meeting``), "" when there is none (or the page is not there)."""
    if meeting is None:
        return ""
    try:
        return reverse("staff:meeting", args=[meeting.pk])
    except NoReverseMatch:
        return ""


def _by_whom(d: dm.Decision, req: Request, reported: dm.AgendaItem | None, lang: str) -> tuple[str, str]:
    """Who decided, in words, and (an urgent decision) whether its meeting acknowledged it."""
    if d.authority == dm.BY_MEETING and d.meeting is not None:
        return _("มติที่ประชุม%(meeting)s") % {"meeting": _meeting_name(d.meeting, lang)}, ""
    if d.authority == dm.BY_CHAIR:
        who = _("คำวินิจฉัยกรณีเร่งด่วนของประธาน%(committee)s") % {
            "committee": d.committee.name(lang) if d.committee else ""}
        if reported is not None and reported.acknowledged_at is not None:
            return who, _("ที่ประชุม%(meeting)s รับทราบแล้ว") % {"meeting": _meeting_name(reported.meeting, lang)}
        if reported is not None:
            return who, _("เสนอที่ประชุม%(meeting)s แล้ว รอที่ประชุมรับทราบ") % {
                "meeting": _meeting_name(reported.meeting, lang)}
        return who, _("ยังไม่ได้รายงานให้ที่ประชุมคณะอนุกรรมการรับทราบ")
    return _("สำนักงาน (%(office)s)") % {"office": req.office.name_en if lang == "en" else req.office.name_th}, ""


def decision_row(d: dm.Decision, req: Request, reported: dm.AgendaItem | None, lang: str) -> dict[str, Any]:
    """One decision as the panel shows it: every code in words."""
    who, acknowledged = _by_whom(d, req, reported, lang)
    items: list[dict[str, Any]] = [
        {"name": i.label_en if lang == "en" else i.label_th, "requested": i.requested, "approved": i.approved}
        for i in d.items.all()]
    return {
        "decision": d,
        "appeal": d.kind == dm.APPEAL_DECISION,
        "outcome": reasons.outcome_name(d.outcome, lang),
        "cause": reasons.cause_name(d.cause, lang) if d.cause else "",
        "by": who,
        "acknowledged": acknowledged,
        "reasons": _reason_rows([r.code for r in d.reasons.all()], lang),
        "items": items if d.outcome in dservices.APPROVING else [],
        "total_requested": sum((i["requested"] for i in items), Decimal(0)),
        "total_approved": sum((i["approved"] for i in items), Decimal(0)),
        "votes": (d.votes_for, d.votes_against, d.votes_abstain) if d.votes_for is not None else None,
        "letters": list(d.letters.all()),
    }


def case_context(user: User, req: Request, actions: list[Action]) -> dict[str, Any]:
    """What the case page shows of the request's decisions: who decides (and the meeting whose
    agenda holds it), every decision in words, the letters, the appeals and the appeal deadline."""
    lang = _lang()
    decided = dselectors.decisions_of(req)
    reported = dselectors.acknowledgements(decided)
    meeting = dselectors.agenda_meeting(req)
    codes = {a.code for a in actions}
    chair_without_urgent = ("decide_urgent" in req.workflow.actions and req.state == "consideration"
                            and "decide_urgent" not in codes and user.role == roles.SUBCOMMITTEE_CHAIR)
    appeal_problems = ([field_message(e, lang) for e in
                        dservices.OWNER.check(user, req, "appeal", {}, "", clock.today())]
                       if "appeal" in codes and dservices.OWNER.owns(req, "appeal") else [])
    appeal_body = dselectors.board()
    deadline = dservices.appeal_deadline(req) if req.state in ("notified", "appeal") or appeal_problems else None
    return {
        "decision_rows": [decision_row(d, req, reported.get(d.pk), lang) for d in decided],
        "appeal_rows": [{"appeal": a, "state": a.get_state_display(),
                         "outcome": reasons.outcome_name(a.decision.outcome, lang) if a.decision else ""}
                        for a in dselectors.appeals_of(req)],
        "route_text": dselectors.route_text(req, lang),
        "appeal_body": appeal_body.name(lang) if req.state == "appeal" and appeal_body else "",
        "decides_at_meeting": req.state in ("consideration", "appeal"),
        "agenda_meeting": meeting,
        "agenda_meeting_name": _meeting_name(meeting, lang) if meeting else "",
        "agenda_meeting_url": meeting_url(meeting),
        "can_issue_letter": bool(decided) and dservices.may_issue_letter(user, req),
        "urgent_refusal": urgent_refusal(req) if chair_without_urgent else "",
        "appeal_deadline": deadline,
        "appeal_deadline_text": be_date(deadline, "long") if deadline else "",
        "appeal_problems": appeal_problems,
    }


# --------------------------------------------------------------------------- letters


@require_POST
@staff_required
def issue_letter(request: StaffRequest, pk: int) -> HttpResponse:
    """"ออกหนังสือแจ้งผล": the latest decision's letter as a PDF kept with the request."""
    req = selectors.get_visible(request.user, pk)
    try:
        dservices.generate_letter(actor=request.user, request_id=req.pk)
    except CaseError as exc:
        messages.error(request, exc.message(_lang()))
    else:
        messages.success(request, _("ออกหนังสือแจ้งผลการพิจารณาแล้ว ดาวน์โหลดได้ในส่วนผลการพิจารณา"))
    return _see_other(reverse("staff:case", args=[req.pk]) + "#h-decisions")


@require_GET
@staff_required
def letter(request: StaffRequest, pk: int) -> HttpResponse:
    """A letter's PDF, as an attachment with the document view's safe headers; audited."""
    try:
        found = dselectors.letter(pk)
    except dm.Letter.DoesNotExist:
        raise Http404("letter not found") from None
    req = selectors.get_visible(request.user, found.request_id)  # 404 outside the user's scope
    try:
        data = dservices.read_stored(found.storage_name)
    except OSError:
        raise Http404("letter not stored") from None
    services.audit_view(request.user, req, "letter")
    number = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in req.number)
    return pdf_attachment(data, f"letter-{number}-{found.pk}.pdf")
