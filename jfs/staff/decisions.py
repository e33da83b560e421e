"""Decisions without mistakes, and actions that are never posted twice.

- A deciding action (``sets_outcome``) is checked by the case services, then shown on a
  check-your-answers page (GOV.UK pattern) with "change" links back to the form, the typed values
  kept; only its "confirm" button posts the action (``do_transition`` with ``confirmed``).
- The reason field offers the reasons of the chosen outcome by name (``reason_options``, htmx;
  without JavaScript the options are grouped per outcome and the service refuses a mismatch).
- A refused action answers with a redirect to the case page (Post/Redirect/Get: refreshing the
  page never posts again); what the officer typed, and the errors, come back once in the open form.

The decisions issue will add meetings, votes and per-item outcomes: they extend the answers kept
here (``DECISION_FIELDS``) and the rows of the check page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jfs.accounts.http import StaffRequest
from jfs.cases import reasons, selectors, services
from jfs.cases.errors import field_message
from jfs.cases.models import Request
from jfs.staff.access import staff_required
from jfs.staff.forms import TransitionForm, reason_choices

#: session key: what an officer typed into an action form that was refused, shown once on the case page
TYPED_KEY = "jfs.typed_action"
#: session key: deciding actions' answers waiting for confirmation, by "<request pk>:<action>"
ANSWERS_KEY = "jfs.decision_answers"
#: what a decision's form asks (and the check page shows)
DECISION_FIELDS = ("outcome", "reason_code", "comment")


def _lang() -> str:
    return "en" if (translation.get_language() or "th").startswith("en") else "th"


def _see_other(url: str) -> HttpResponse:
    resp = HttpResponseRedirect(url)
    resp.status_code = 303  # after a POST: the browser GETs the page, and refreshing it posts nothing
    return resp


def case_url(req: Request, action: str = "") -> str:
    return reverse("staff:case", args=[req.pk]) + (f"#action-{action}" if action else "")


def back_to_case(request: HttpRequest, req: Request, action: str,
                 errors: list[dict[str, str]] | None = None) -> HttpResponse:
    """Answer a refused action: redirect to the case page, keeping what the officer typed into the
    action's form and the field errors (``field_error`` dicts) for the page's next rendering only."""
    prefix = f"{action}-"
    data = {k: v for k, v in request.POST.items() if k.startswith(prefix)}
    request.session[TYPED_KEY] = {"request": req.pk, "action": action, "data": data, "errors": list(errors or [])}
    return _see_other(case_url(req, action))


def remember_answers(request: HttpRequest, req: Request, action: str, cleaned: dict[str, Any]) -> HttpResponse:
    """Keep a deciding action's checked answers and show them on the check-your-answers page."""
    answers = dict(request.session.get(ANSWERS_KEY) or {})
    answers[f"{req.pk}:{action}"] = {"version": cleaned["version"],
                                     **{k: str(cleaned.get(k) or "") for k in DECISION_FIELDS}}
    request.session[ANSWERS_KEY] = answers
    return _see_other(reverse("staff:decision_check", args=[req.pk]) + "?action=" + action)


def forget_answers(request: HttpRequest, req: Request, action: str) -> None:
    answers = dict(request.session.get(ANSWERS_KEY) or {})
    if answers.pop(f"{req.pk}:{action}", None) is not None:
        request.session[ANSWERS_KEY] = answers


def _answers(request: HttpRequest, req: Request, action: str) -> dict[str, Any] | None:
    found = (request.session.get(ANSWERS_KEY) or {}).get(f"{req.pk}:{action}")
    return found if isinstance(found, dict) else None


def restore_typed(request: HttpRequest, req: Request) -> dict[str, Any]:
    """The case page's action form as the officer left it: after a refusal (once, with its errors),
    or from the check page's "change" links (``?change=<action>``, the answers kept until confirmed).
    Returns the ``failed_action``/``failed_form`` the case page shows open (or nothing)."""
    typed = request.session.pop(TYPED_KEY, None)  # the redirect's next page is this one: never kept longer
    if isinstance(typed, dict) and typed.get("request") == req.pk:
        action, data, errors = str(typed["action"]), dict(typed["data"]), list(typed["errors"])
    else:
        action = request.GET.get("change", "")
        answers = _answers(request, req, action) if action else None
        if answers is None:
            return {}
        data = {f"{action}-{k}": v for k, v in answers.items()}
        data[f"{action}-action"], errors = action, []
    form = TransitionForm(data, prefix=action, action=req.workflow.actions.get(action), service=req.service)
    form.is_valid()
    for e in errors:
        form.add_error(e["field"] if e.get("field") in form.fields else None, field_message(e, _lang()))
    return {"failed_action": action, "failed_form": form}


@require_GET
@staff_required
def reason_options(request: StaffRequest) -> HttpResponse:
    """htmx: the reason field's options for the chosen outcome (every reason, grouped, for none)."""
    outcome = next((request.GET.get(k, "") for k in request.GET if k == "outcome" or k.endswith("-outcome")), "")
    groups: list[dict[str, Any]] = []
    for value, label in reason_choices(outcome):
        if isinstance(label, list):
            groups.append({"label": value, "options": label})
        else:
            groups.append({"label": "", "options": [(value, label)]})
    return render(request, "staff/_reason_options.html", {"groups": groups})


@require_GET
@staff_required
def check_answers(request: StaffRequest, pk: int) -> HttpResponse:
    """Check your answers before a decision that cannot be undone: the request, the applicant, the
    outcome, the reason by name (and its basis) and the comment, each with a link to change it."""
    req = selectors.get_visible(request.user, pk)
    code = request.GET.get("action", "")
    action = req.workflow.actions.get(code)
    answers = _answers(request, req, code) if action is not None and action.sets_outcome else None
    if action is None or answers is None:
        messages.error(request, _("ไม่พบผลการพิจารณาที่รอยืนยัน กรุณากรอกแบบฟอร์มการพิจารณาอีกครั้ง"))
        return redirect("staff:case", pk=req.pk)
    services.audit_view(request.user, req)  # the page names the applicant
    lang = _lang()
    reason = reasons.all_reasons().get(answers["reason_code"])
    change = reverse("staff:case", args=[req.pk]) + f"?change={code}"
    return render(request, "staff/decision_check.html", {
        "req": req,
        "action": action,
        "answers": answers,
        "prefix": code,
        "outcome_name": reasons.outcome_name(answers["outcome"], lang),
        "reason": reason.name(lang) if reason else answers["reason_code"],
        "basis": reason.basis if reason else "",
        "change_outcome": f"{change}#id_{code}-outcome",
        "change_reason": f"{change}#id_{code}-reason_code",
        "change_comment": f"{change}#id_{code}-comment",
    })
