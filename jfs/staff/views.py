"""The staff workspace: queue, dashboard, search, the case page and its actions.

Views are thin: they read through ``jfs.cases.selectors``, write through
``jfs.cases.services`` and turn a ``CaseError`` into a message on the same page,
keeping everything the officer typed.
"""

from __future__ import annotations

import csv
import secrets
from typing import Any
from urllib.parse import urlencode

import geothai
from csp.utils import build_policy
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jfs.accounts import selectors as account_selectors
from jfs.accounts.http import StaffRequest
from jfs.accounts.models import User
from jfs.cases import details as details_mod
from jfs.cases import handoffs, reports, selectors, services, workflows
from jfs.cases.errors import (
    ApplicantChanged,
    CaseError,
    Conflict,
    InvalidInput,
    NotPermitted,
    RequestClosed,
    field_error,
)
from jfs.cases.models import SERVICE_CHOICES, Document, Request
from jfs.cases.progress import progress_of
from jfs.core import clock, notifications
from jfs.core import selectors as core_selectors
from jfs.core.downloads import no_active_content
from jfs.core.templatetags.thai import be_datetime
from jfs.decisions import selectors as decision_selectors
from jfs.exchange import services as exchange_services
from jfs.exchange.selectors import documents_confirmed_by_registry
from jfs.staff import decisions, money, nextstep, queues
from jfs.staff.access import staff_required
from jfs.staff.forms import (
    DETAIL_FORMS,
    ApplicantCorrectionForm,
    ApplicantForm,
    TransitionForm,
    UploadForm,
    applicant_initial,
    details_for_correction,
    details_initial,
    district_choices,
    mask_personal_ids,
    show_service_errors,
    subdistrict_choices,
)
from jfs.staff.registry_panel import panel_context
from jfs.staff.templatetags.casepage import applicant_field_labels, changed_field_labels
from jfslib import thai_id

PAGE_SIZE = 25
#: the fund's goal for decisions whose only reason is "another reason" (issue 10: under 5%)
OTHER_ONLY_GOAL = 5.0
#: workflow refusals that concern one field of the action form
REFUSAL_FIELDS = {"comment_required": "comment", "missing_fields": "reason_codes", "bad_outcome": "outcome"}


def _lang() -> str:
    return translation.get_language() or "th"


def _doc_choices(wf: Any) -> list[tuple[str, str]]:
    return [(d.code, d.en if _lang() == "en" else d.th) for d in wf.documents.values()]


def _error(request: HttpRequest, exc: CaseError) -> None:
    messages.error(request, exc.message(_lang()))


# the queue ("งานของฉัน") and the table the lists share are in jfs.staff.queues


def _filter_context(request: StaffRequest) -> dict[str, Any]:
    return queues.filter_choices(request.user) | {"params": request.GET}


# A search by national ID never goes into a URL (browser history, bookmarks, proxy and server
# logs, the Referer header): the search form posts, and a query that holds thirteen digits is
# kept in the session under a random short-lived token; the list's URL carries only ``s=<token>``.

#: how long a search kept in the session answers (seconds since it was last used)
SEARCH_TOKEN_SECONDS = 15 * 60
#: how many searches one session keeps (the newest)
SEARCH_TOKENS_KEPT = 5
_SEARCHES = "jfs_searches"
#: the request list's filters besides the search text (and its sort)
LIST_FILTERS = ("service", "state", "office", "fiscal_year", "overdue", "mine", "waiting", "sort")


def _clean(value: str | None, limit: int) -> str:
    return (value or "").replace("\x00", "").strip()[:limit]  # PostgreSQL refuses NUL


def _remember_search(request: HttpRequest, q: str) -> str:
    now = int(clock.now().timestamp())
    kept = {t: v for t, v in (request.session.get(_SEARCHES) or {}).items()
            if isinstance(v, dict) and int(v.get("until", 0)) > now}
    token = secrets.token_urlsafe(9)
    kept[token] = {"q": q, "until": now + SEARCH_TOKEN_SECONDS}
    request.session[_SEARCHES] = dict(sorted(kept.items(), key=lambda kv: -int(kv[1]["until"]))[:SEARCH_TOKENS_KEPT])
    return token


def _recall_search(request: HttpRequest, token: str) -> str | None:
    """The query kept under ``token`` (its time renewed), or None when it expired or never was."""
    now = int(clock.now().timestamp())
    kept = dict(request.session.get(_SEARCHES) or {})
    entry = kept.get(token)
    if not isinstance(entry, dict) or int(entry.get("until", 0)) <= now:
        return None
    kept[token] = {"q": str(entry.get("q", "")), "until": now + SEARCH_TOKEN_SECONDS}
    request.session[_SEARCHES] = kept
    return kept[token]["q"]


def _see_other(url: str) -> HttpResponse:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _search_redirect(request: HttpRequest, data: QueryDict, *, keep_page: bool = False) -> HttpResponse:
    """To the request list with the filters in ``data``: the search text in the URL, or, when it
    could hold a national ID, in the session under a token (``s``)."""
    params = {k: _clean(data.get(k), 50) for k in LIST_FILTERS + (("page",) if keep_page else ())}
    q = _clean(data.get("q"), 200)
    if thai_id.contains_id(q):
        params["s"] = _remember_search(request, q)
    else:
        params["q"] = q
    query = urlencode({k: v for k, v in params.items() if v})
    return _see_other(reverse("staff:requests") + (f"?{query}" if query else ""))


@require_POST
@staff_required
def request_search(request: StaffRequest) -> HttpResponse:
    """The search form posts here (a national ID typed into it never reaches a URL)."""
    return _search_redirect(request, request.POST)


@require_GET
def request_list(request: HttpRequest) -> HttpResponseBase:
    if thai_id.contains_id(request.GET.get("q", "")):
        # an old link or bookmark with the ID in it: answered, but from a URL without it (before
        # the sign-in check, so that the sign-in page's "next" does not carry it either)
        return _search_redirect(request, request.GET, keep_page=True)
    return _request_list(request)


@staff_required
def _request_list(request: StaffRequest) -> HttpResponse:
    params = {k: v for k, v in request.GET.dict().items() if (k in LIST_FILTERS or k == "q") and v}
    token = request.GET.get("s", "")
    expired = False
    if token:
        recalled = _recall_search(request, token)
        expired = recalled is None
        params["q"] = recalled or ""
    qs = selectors.apply_filters(selectors.visible_requests(request.user), params, user=request.user,
                                 today=services.today())
    if expired:
        messages.error(request, _(
            "การค้นหานี้หมดอายุแล้ว (ระบบไม่เก็บเลขประจำตัวประชาชนไว้ในที่อยู่เว็บ จึงจำการค้นหาไว้ได้เพียง "
            "%(minutes)s นาที) กรุณาค้นหาอีกครั้ง") % {"minutes": SEARCH_TOKEN_SECONDS // 60})
        qs = qs.none()
    else:
        qs = selectors.search(qs, params.get("q", ""))
    ctx = _filter_context(request) | {"params": params, "search_expired": expired}
    ctx |= queues.table_context(request, qs, "requests", "-received")
    return render(request, "staff/request_list.html", ctx)


@require_GET
@staff_required
def overdue(request: StaffRequest) -> HttpResponse:
    qs = selectors.overdue(selectors.visible_requests(request.user), services.today())
    if request.GET.get("office"):
        qs = qs.filter(office__code=request.GET["office"].replace("\x00", ""))  # PostgreSQL refuses NUL
    page = Paginator(selectors.order_requests(qs, "due"), PAGE_SIZE).get_page(request.GET.get("page"))
    services.audit_views(request.user, list(page.object_list), "request_list")
    ctx = _filter_context(request) | {"page": page, "rows": queues.rows(list(page.object_list), request.user)}
    return render(request, "staff/overdue.html", ctx)


def _dashboard(request: StaffRequest) -> reports.Dashboard:
    """The dashboard's figures for the filters in the query string (a fiscal year that is not a
    number is the current one)."""
    raw_fy = request.GET.get("fiscal_year", "")
    return reports.dashboard(
        request.user, fiscal_year=int(raw_fy) if raw_fy.isdecimal() and len(raw_fy) <= 4 else None,
        office=request.GET.get("office", ""), today=services.today())


@require_GET
@staff_required
def dashboard(request: StaffRequest) -> HttpResponse:
    figures = _dashboard(request)
    ctx = _filter_context(request) | {
        "fy": figures.fiscal_year,
        "per_service": figures.per_service,
        "outcomes": figures.outcomes,
        "total": figures.total,
        "overdue_count": figures.overdue_count,
        "open_count": figures.open_count,
        "office_code": figures.office,
        # the outcomes counted from the decisions recorded, the last two fiscal years (jfs.decisions)
        "outcome_table": decision_selectors.outcome_table([figures.fiscal_year - 1, figures.fiscal_year], _lang()),
        "other_only_goal": OTHER_ONLY_GOAL,
    }
    return render(request, "staff/dashboard.html", ctx)


#: the CSV export's columns (the same rows as the dashboard's table and the API's ``services``)
DASHBOARD_CSV_COLUMNS = (
    "fiscal_year", "office", "service", "service_name", "requests", "open", "finished", "on_time",
    "on_time_pct", "mean_working_days", *reports.OUTCOMES,
)


@require_GET
@staff_required
def dashboard_export(request: StaffRequest) -> HttpResponse:
    """The dashboard's per-service rows as CSV (UTF-8 with a byte-order mark, so that spreadsheet
    programs read the Thai names), with the same filters; every export is audited."""
    figures = _dashboard(request)
    office = "".join(c for c in figures.office if c.isascii() and c.isalnum())[:4] or "all"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="jfs-dashboard-{figures.fiscal_year}-{office}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(DASHBOARD_CSV_COLUMNS)
    for r in figures.per_service:
        writer.writerow([
            figures.fiscal_year, figures.office, r.service, str(r.label), r.total, r.open, r.finished, r.on_time,
            "" if r.on_time_pct is None else r.on_time_pct, "" if r.mean_days is None else r.mean_days,
            *(r.outcome(code) for code in reports.OUTCOMES),
        ])
    services.audit_export(request.user, "dashboard", {
        "fiscal_year": figures.fiscal_year, "office": figures.office, "rows": len(figures.per_service)})
    return response


def _case_context(request: StaffRequest, req: Any, **extra: Any) -> dict[str, Any]:
    """Everything the case page shows. Every rendering of it (the page, and the page again after a
    refused action or upload) is a view of the applicant's personal data, and is audited here; the
    full national ID is shown only on the page itself when asked for (?reveal=id), audited too."""
    wf = req.workflow
    user = request.user
    services.audit_view(user, req)
    show_full_id = request.method == "GET" and request.GET.get("reveal") == "id"
    if show_full_id:
        services.audit_view(user, req, "national_id")
    can = services.allowed(user, req)  # what the page offers: the services refuse the rest
    actions = [a for a in (wf.available_actions(req.state, user.role) if services.ACT in can else [])
               if decisions.offered(user, req, a)]  # a meeting's resolution is recorded on the meeting's page
    forms_by_action = {
        a.code: decisions.action_form(req, a.code, initial={"action": a.code, "version": req.version})
        for a in actions
    }
    if "failed_action" in extra:  # the form as the officer left it (refused, stale, or to change)
        failed, failed_form = extra.pop("failed_action"), extra.pop("failed_form")
        if failed in forms_by_action:
            forms_by_action[failed] = failed_form
        elif failed_form.data.get(failed_form.add_prefix("comment")):  # no longer offered: keep the text
            extra.setdefault("unsaved_comment", failed_form.data[failed_form.add_prefix("comment")])
    uploaded = services.documents_uploaded(req)
    from_registry = documents_confirmed_by_registry(req)
    sub = geothai.subdistrict(req.applicant.subdistrict_code)
    assignees = list(selectors.assignable_officers(req)) if services.ASSIGN in can else []
    for a in actions:  # two steps in one: a follow-on, and the officer to hand the request to
        forms_by_action[a.code].offer(
            services.follow_ons(user, req, a.code),
            assignees if services.offers_hand_off(user, req, a.code) else [], req.assigned_to_id)
    return {
        "req": req,
        "wf": wf,
        "state": wf.states[req.state],
        "sla": selectors.SlaReader(services.today()).read(req),
        "actions": [(a, forms_by_action[a.code]) for a in actions],
        **nextstep.case_page(req, actions),  # transitions (newest first), progress, next_step, next_mine
        "documents": selectors.documents_of(req),
        "doc_types": wf.documents,
        "required_docs": [
            (d, "uploaded" if d.code in uploaded else "registry" if d.code in from_registry else "")
            for d in wf.required_documents()
        ],
        **panel_context(req),  # registry_checks, registry (in words), registry_poll, screening
        "upload_form": extra.pop("upload_form", None)
        or UploadForm(doc_choices=_doc_choices(wf), missing=[d.code for d in wf.required_documents()
                                                             if d.code not in uploaded and d.code not in from_registry]),
        "address": geothai.address(sub.code) if sub else None,
        "can_write": bool(can),
        "can": can,
        "assignees": assignees,
        "assign_selected": _assign_selected(req, user, assignees),
        "show_full_id": show_full_id,
        "applicant_history": applicant_history(req, user),
        **decisions.case_context(user, req, actions),  # who decides, the decisions, letters, appeals
        **money.case_panel(user, req),  # the money panel: approved items, paid, returned, latest entries
        **extra,
    }


def _assign_selected(req: Any, user: User, assignees: list[User]) -> int | None:
    """Whom the assign list preselects: the current assignee, else the signed-in user when they can
    be given the request, else nobody (the list then asks to choose)."""
    if req.assigned_to_id is not None:
        return int(req.assigned_to_id)
    return user.pk if any(u.pk == user.pk for u in assignees) else None


def applicant_history(req: Any, user: User) -> list[dict[str, Any]]:
    """When the applicant's record changed after this request was registered: by which request
    (a registration, perhaps at another office, or a correction), who, and which fields. The
    earlier values are not shown (the page shows the current ones; the auditor has the rest).
    A request the reader may not open is not named (its number tells the service, its office
    where the person applied): the row says only that it was another office's."""
    revisions = selectors.applicant_revisions(req)
    visible = selectors.visible_ids(user, {r.request_id for r in revisions})
    return [
        {"at": rev.at, "reason": rev.get_reason_display(), "fields": applicant_field_labels(rev.previous),
         **({"request": rev.request, "actor": rev.actor} if rev.request_id in visible else
            {"request": None, "actor": None, "elsewhere": True})}
        for rev in revisions
    ]


@require_GET
@staff_required
def case(request: StaffRequest, pk: int) -> HttpResponse:
    req = selectors.get_visible(request.user, pk)
    return render(request, "staff/case.html", _case_context(request, req, **decisions.restore_typed(request, req)))


@require_POST
@staff_required
def do_transition(request: StaffRequest, pk: int) -> HttpResponse:
    req = selectors.get_visible(request.user, pk)
    action = request.POST.get("action_code", "")
    form = decisions.action_form(req, action, request.POST)
    valid = form.is_valid()
    c = form.cleaned_data
    fields = form.decision_values()
    deciding = getattr(req.workflow.actions.get(c.get("action", "")), "sets_outcome", False)
    try:
        if not valid or (deciding and not request.POST.get("confirmed")):
            # an incomplete form, or a decision (it cannot be undone, the officer confirms it first):
            # the services check it now, so that an action not allowed at all is said before any field
            if "action" in c and "version" in c:
                services.check_transition(actor=request.user, request_id=req.pk, action=c["action"],
                                          expected_version=c["version"], comment=c.get("comment", ""), fields=fields)
            if valid:
                return decisions.remember_answers(request, req, action, form)
            # the form comes back once on the case page with its errors (no re-post on refresh)
            messages.error(request, _("ข้อมูลไม่ครบถ้วน กรุณาตรวจสอบ"))
            return decisions.back_to_case(request, req, action)
        then, hand_to = c.get("then", ""), _hand_to(c.get("hand_to", ""))
        moved = services.transition(
            actor=request.user, request_id=req.pk, action=c["action"], expected_version=c["version"],
            comment=c["comment"], fields=fields, hand_to=hand_to,
            then=services.FollowOn(then, c.get("then_comment", "")) if then else None,
        )
    except Conflict:
        # someone saved first: show what changed and offer the same form again against the current version
        return _stale_transition(request, selectors.get_visible(request.user, pk), action, form)
    except NotPermitted as exc:  # no action of this request is theirs: nothing to keep or offer
        _error(request, exc)
        return render(request, "staff/case.html", _case_context(request, req), status=exc.status)
    except CaseError as exc:
        # a refusal about one field is shown on that field (error summary in the open action), others at the top;
        # either way the answer is a redirect to the case page, what was typed kept (refreshing posts nothing)
        errors = decisions.on_fields(form, exc.errors)
        if not errors and exc.code in REFUSAL_FIELDS:
            errors = [field_error(REFUSAL_FIELDS[exc.code], exc.th, exc.en)]
        if not errors:
            _error(request, exc)
        elif not valid:  # the form's own errors say what they say on their fields; the rules' add the rest
            messages.error(request, _("ข้อมูลไม่ครบถ้วน กรุณาตรวจสอบ"))
            errors = decisions.on_fields(form, errors, skip_flagged=True)
        return decisions.back_to_case(request, req, action, errors)
    decisions.forget_answers(request, req, action)
    handed = hand_to if hand_to is not None and hand_to.pk != req.assigned_to_id else None
    _say_done(request, moved, c["action"], then=then, handed=handed)
    return redirect("staff:case", pk=req.pk)


def _hand_to(raw: str) -> User | None:
    """The officer chosen in an action's "hand to" list ("" for nobody new); one not found is a
    refusal on that field (the page lists the officers: a forged or stale choice)."""
    if not raw:
        return None
    found = account_selectors.user_by_id(raw)
    if found is None:
        message = ("ไม่พบเจ้าหน้าที่ที่เลือก กรุณาเลือกจากรายการ", "The officer chosen was not found: choose one from the list")
        raise InvalidInput(*message, errors=[field_error("hand_to", *message)])
    return found


def _say_done(request: StaffRequest, req: Request, action: str, *, then: str = "", handed: User | None = None) -> None:
    """The banner after an action (and its follow-on): what happened, and who acts next (a hand-off:
    who was notified; a request handed to an officer with the action: to whom)."""
    names = [act.en if _lang() == "en" else act.th for act in
             (req.workflow.actions.get(code) for code in (action, then) if code) if act is not None]
    state = req.workflow.states[req.state]
    what = _(" และ ").join(names) or action
    text = _("บันทึกแล้ว: %(action)s ขณะนี้อยู่ในขั้นตอน “%(state)s”") % {
        "action": what, "state": state.en if _lang() == "en" else state.th}
    if handed is not None and handed.pk == request.user.pk:
        text += " " + _("ท่านรับผิดชอบคำขอนี้แล้ว")
    elif handed is not None:
        text += " " + _("มอบหมายให้ %(who)s แล้ว และแจ้งเตือนในระบบแล้ว") % {"who": handed.get_full_name() or handed.username}
    # the next step (what, by whom, by when: jfs.staff.nextstep), on a line of its own in the banner
    text += "\n" + nextstep.next_step_sentence(progress_of(req).next)
    people = handoffs.recipients(req, request.user) if handoffs.next_roles(req) else []
    if people:
        text += " " + _("ระบบแจ้งเตือน %(who)s ในระบบงานแล้ว") % {"who": nextstep.either(
            f"{u.get_full_name() or u.username} ({u.get_role_display()})" for u in people)}
    messages.success(request, text, extra_tags="banner")


def _change_label(wf: Any, t: Any) -> str:
    what = {"create": _("รับคำขอ"), "update": _("แก้ไขข้อมูล"), "assign": _("มอบหมายผู้รับผิดชอบ")}.get(t.action)
    if what is None:
        action = wf.actions.get(t.action)
        what = (action.en if _lang() == "en" else action.th) if action is not None else t.action
    who = (t.actor.get_full_name() or t.actor.username) if t.actor else _("ระบบ")
    return _("%(what)s โดย %(who)s เมื่อ %(when)s") % {"what": what, "who": who, "when": be_datetime(t.at)}


def _say_what_changed(request: StaffRequest, req: Any, seen: int) -> list[Any]:
    """Tell the officer whose save came first (a 409): the changes made since version ``seen`` and
    the state now. Returns those changes (transitions), oldest first."""
    wf = req.workflow
    missed = min(max(req.version - seen, 1), 5)  # every write adds one timeline entry and one version
    changes = selectors.latest_transitions(req, missed)
    state = wf.states[req.state]
    messages.error(request, _(
        "มีผู้อื่นบันทึกคำขอนี้ก่อนท่าน: %(changes)s ขณะนี้สถานะคือ “%(state)s” "
        "กรุณาตรวจสอบการเปลี่ยนแปลงแล้วบันทึกอีกครั้งหากยังต้องการดำเนินการ (ข้อความที่ท่านกรอกยังอยู่)"
    ) % {"changes": "; ".join(_change_label(wf, t) for t in changes), "state": state.en if _lang() == "en" else state.th})
    return changes


def _stale_transition(request: StaffRequest, req: Any, action: str, form: TransitionForm) -> HttpResponse:
    """Answer a submit made against an old version (409): say what changed since the officer
    opened the page and re-render their form, everything typed kept, against the current
    version, so that submitting it again is a deliberate second decision (not an endless 409)."""
    data = request.POST.copy()
    data[form.add_prefix("version")] = str(req.version)
    fresh = decisions.action_form(req, action, data)
    fresh.is_valid()
    wf = req.workflow
    _say_what_changed(request, req, form.cleaned_data["version"])
    allowed = services.can_write(request.user, req) and any(
        a.code == action for a in wf.available_actions(req.state, request.user.role))
    extra: dict[str, Any] = {"failed_action": action, "failed_form": fresh}
    if not allowed:
        act = wf.actions.get(action)
        name = (act.en if _lang() == "en" else act.th) if act is not None else action
        messages.error(request, _("การดำเนินการ “%(action)s” ใช้ไม่ได้แล้วในสถานะนี้") % {"action": name})
        extra["unsaved_comment"] = fresh.cleaned_data.get("comment", "")
    return render(request, "staff/case.html", _case_context(request, req, **extra), status=409)


def _refused(request: StaffRequest, req: Request, capability: str) -> HttpResponse | None:
    """A post for a control the page does not offer this person (``services.refusal``): a role that may
    not, 403; a request closed since the page was read, back to the case, which says so."""
    refused = services.refusal(request.user, req, capability)
    if refused is None:
        return None
    if isinstance(refused, NotPermitted):
        return render(request, "staff/forbidden.html", status=403)
    _error(request, refused)
    return _see_other(reverse("staff:case", args=[req.pk]))


@require_POST
@staff_required
def upload(request: StaffRequest, pk: int) -> HttpResponse:
    req = selectors.get_visible(request.user, pk)
    refused = _refused(request, req, services.UPLOAD)
    if refused is not None:
        return refused
    form = UploadForm(request.POST, request.FILES, doc_choices=_doc_choices(req.workflow))
    if not form.is_valid():
        return render(request, "staff/case.html", _case_context(request, req, upload_form=form), status=422)
    posted = form.cleaned_data["uploads"]
    try:
        results = services.add_documents(actor=request.user, request_id=req.pk, uploads=[
            services.Upload(doc_type=kind, name=f.name, chunks=f.chunks(), size=f.size) for kind, f, _field in posted])
    except CaseError as exc:  # the whole post refused (closed or not permitted meanwhile)
        _error(request, exc)
        return _see_other(reverse("staff:case", args=[req.pk]))
    if not any(r.document for r in results):  # nothing stored: each refusal at its file, nothing to post again
        for (_kind, f, field), r in zip(posted, results, strict=True):
            form.add_error(field, _("“%(name)s”: %(reason)s") % {"name": f.name, "reason": r.error.message(_lang()) if r.error else ""})
        return render(request, "staff/case.html", _case_context(request, req, upload_form=form), status=422)
    names = dict(_doc_choices(req.workflow))
    for r in results:  # what happened to each file; then back to the case (no re-post on refresh)
        what = {"name": r.upload.name, "type": names.get(r.upload.doc_type, r.upload.doc_type)}
        if r.error is not None:
            messages.error(request, _("ไม่ได้อัปโหลด “%(name)s” (%(type)s): %(reason)s") % {**what, "reason": r.error.message(_lang())})
        elif r.document is not None and r.document.quarantined:
            messages.warning(request, _("“%(name)s” (%(type)s): เก็บไฟล์ไว้แล้ว แต่กักกันไว้ ไม่เปิดให้ดาวน์โหลด: %(reason)s")
                             % {**what, "reason": r.document.scan_reason_text})
        else:
            messages.success(request, _("อัปโหลดแล้ว: “%(name)s” (%(type)s)") % what)
    return redirect("staff:case", pk=req.pk)


@require_POST
@staff_required
def assign(request: StaffRequest, pk: int) -> HttpResponse:
    req = selectors.get_visible(request.user, pk)
    refused = _refused(request, req, services.ASSIGN)
    if refused is not None:
        return refused
    raw_assignee, raw_version = request.POST.get("assignee", ""), request.POST.get("version", "")
    assignee = account_selectors.user_by_id(raw_assignee)
    if assignee is None:
        messages.error(request, _("กรุณาเลือกเจ้าหน้าที่"))
        return redirect("staff:case", pk=req.pk)
    try:
        services.assign(actor=request.user, request_id=req.pk, assignee=assignee,
                        expected_version=int(raw_version) if raw_version.isdecimal() else 0)
    except CaseError as exc:
        _error(request, exc)
    else:
        who = assignee.get_full_name() or assignee.username
        if assignee.pk == request.user.pk:
            messages.success(request, _("ท่านรับผิดชอบคำขอนี้แล้ว"))
        else:
            messages.success(request, _("มอบหมายให้ %(who)s แล้ว และแจ้งเตือนในระบบแล้ว") % {"who": who})
    return redirect("staff:case", pk=req.pk)


@require_GET
@staff_required
def document(request: StaffRequest, pk: int) -> HttpResponseBase:
    doc, req = selectors.get_visible_document(request.user, pk)  # 404 outside the user's scope
    if doc.quarantined:  # never served: say why, in words
        resp = render(request, "staff/document_quarantined.html", {"doc": doc, "req": req}, status=409)
        no_active_content(resp)
        policy = build_policy()  # the site's policy for this page of ours, sandboxed as well
        resp["Content-Security-Policy"] = f"{policy}; sandbox" if policy else "sandbox"
        return resp
    path = (settings.DOCUMENT_ROOT / doc.storage_name).resolve()
    if settings.DOCUMENT_ROOT.resolve() not in path.parents or not path.exists():
        raise Http404
    services.audit_view(request.user, req, "document")
    # a re-encoded image may be previewed in the browser; a PDF (and any file stored before cleaning
    # existed) is downloaded and opened by a PDF reader, never by the browser in the app's origin
    inline = doc.cleaned and doc.content_type in ("image/jpeg", "image/png")
    download = FileResponse(path.open("rb"), content_type=doc.content_type, as_attachment=not inline,
                            filename=_download_name(doc))
    return no_active_content(download)


def _download_name(doc: Document) -> str:
    """The applicant's file name, without control characters, ending in the stored type's extension."""
    name = "".join(c if c.isprintable() else "_" for c in doc.original_name).strip() or "document"
    ext = "." + services.ALLOWED_DOCUMENT_TYPES.get(doc.content_type, "bin")
    if not name.lower().endswith(tuple(services.DOCUMENT_EXTENSIONS.get(doc.content_type, {ext}))):
        name += ext
    return name


def _form_errors(exc: CaseError, applicant_form: Any, details_form: Any) -> None:
    """Show a service's field errors on the fields of the applicant and details forms, in the reader's language."""
    show_service_errors(exc.errors, applicant_form, details_form)


def _all_problems(applicant_form: Any, details_form: Any, *, service: str, on_file_id: str | None = None,
                  details: dict[str, Any] | None = None) -> bool:
    """Every mistake in one round: the forms' own errors, and the services' judgement
    (``services.registration_problems``: check digit, address, details' rules) of each field the
    forms accepted. True when there is none."""
    forms_ok = applicant_form.is_valid() & details_form.is_valid()  # both, always: each form's errors
    a = applicant_form.cleaned_data
    problems = services.registration_problems(
        service=service, applicant=applicant_form.to_input(),
        details=details if details is not None else details_form.to_details(),
        representative_type=a.get("representative_type") or "", representative_name=a.get("representative_name") or "",
        representative_national_id=a.get("representative_national_id") or "", on_file_id=on_file_id)
    show_service_errors(problems, applicant_form, details_form, only_accepted=True)
    return forms_ok and not problems


@require_http_methods(["GET", "POST"])
@staff_required
def new_request(request: StaffRequest) -> HttpResponse:
    service = request.GET.get("service") or request.POST.get("service") or "LIT"
    if service not in DETAIL_FORMS:
        raise Http404
    wf = workflows.get(service)
    if not services.may_register(request.user):
        return render(request, "staff/forbidden.html", status=403)
    applicant_form = ApplicantForm(request.POST or None, prefix="a")
    details_form = DETAIL_FORMS[service](request.POST or None, prefix="d")
    offices = selectors.registration_offices(request.user)
    office_code = request.POST.get("office") or (request.user.office.code if request.user.office else "")
    # "register and start screening": a second button, the first step taken with the registration
    first_steps = services.registration_follow_ons(request.user, service)
    then = request.POST.get("then", "")
    if request.method == "POST" and _all_problems(applicant_form, details_form, service=service):
        a = applicant_form.cleaned_data
        try:
            req = services.create_request(
                actor=request.user, service=service, office=office_code, applicant=applicant_form.to_input(),
                details=details_form.to_details(),
                representative_type=a["representative_type"], representative_name=a["representative_name"],
                representative_national_id=a["representative_national_id"],
                then=services.FollowOn(then) if then else None,
            )
        except CaseError as exc:
            _error(request, exc)
            _form_errors(exc, applicant_form, details_form)
        else:
            messages.success(request, _("รับคำขอเลขที่ %(number)s แล้ว") % {"number": req.number})
            if then:
                _say_done(request, req, then)
            return redirect("staff:case", pk=req.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "staff/new_request.html", {
        "service": service, "wf": wf, "applicant_form": applicant_form, "details_form": details_form,
        "services": SERVICE_CHOICES, "offices": offices, "office_code": office_code, "first_steps": first_steps,
    }, status=status)


def _with_current_values(
    request: HttpRequest, req: Request, form: ApplicantCorrectionForm, read_version: int
) -> tuple[ApplicantCorrectionForm, list[str]]:
    """The correction form again, with the fields of the applicant's record that changed since
    ``read_version`` set to their current values; and those fields' names."""
    changed = sorted({
        f for rev in selectors.revisions_since(req.applicant_id, read_version)
        for f in rev.previous if f in form.fields
    })
    data = request.POST.copy()
    current = applicant_initial(req.applicant)
    for f in changed:
        data[form.add_prefix(f)] = form.fields[f].prepare_value(current[f])
    fresh = ApplicantCorrectionForm(data, prefix=form.prefix, national_id=req.applicant.national_id,
                                    initial=current)
    fresh.is_valid()
    return fresh, changed


def _posted_version(request: HttpRequest, name: str) -> int:
    raw = request.POST.get(name, "")
    return int(raw) if raw.isdecimal() and len(raw) < 12 else 0


@require_http_methods(["GET", "POST"])
@staff_required
def edit_request(request: StaffRequest, pk: int) -> HttpResponse:
    """Correct a request's applicant and service details (``services.update_details``)."""
    req = selectors.get_visible(request.user, pk)  # 404 outside the user's scope
    if isinstance(services.refusal(request.user, req, services.EDIT), NotPermitted):
        return render(request, "staff/forbidden.html", status=403)  # (a closed request: said below)
    if req.state_def.terminal and request.method != "POST":
        messages.error(request, _("คำขอนี้ปิดแล้ว แก้ไขข้อมูลไม่ได้"))
        return redirect("staff:case", pk=req.pk)
    data = request.POST if request.method == "POST" else None
    applicant_form = ApplicantCorrectionForm(data, prefix="a", national_id=req.applicant.national_id,
                                             initial=applicant_initial(req.applicant))
    details_form = DETAIL_FORMS[req.service](data, prefix="d", initial=details_initial(req.service, req.details))
    mask_personal_ids(details_form, req.details)
    version, applicant_version, status = req.version, req.applicant.version, 200
    if request.method == "POST":
        # the versions the officer read (the request's, and the applicant record's, which all the
        # person's requests share); anything unreadable cannot match: a conflict, never a blind overwrite
        version = _posted_version(request, "version")
        applicant_version = _posted_version(request, "applicant_version")
        status = 422
        on_file = details_mod.keep_personal_ids(details_for_correction(details_form) if details_form.is_valid() else
                                                details_form.to_details(), req.details, empty_keeps=True)
        if _all_problems(applicant_form, details_form, service=req.service, on_file_id=req.applicant.national_id,
                         details=on_file):
            try:
                updated = services.update_details(
                    actor=request.user, request_id=req.pk, expected_version=version,
                    applicant=applicant_form.to_input(), details=details_for_correction(details_form),
                    expected_applicant_version=applicant_version,
                )
            except RequestClosed:
                # closed since the form was opened: nothing is saved; what was typed stays on the page to
                # copy (the page says it is closed, below), and who closed it when the officer read it open
                req = selectors.get_visible(request.user, pk)
                if version != req.version:
                    _say_what_changed(request, req, version)
                status = 409
            except ApplicantChanged as exc:
                # changed through another of the person's requests since the form was read: the fields
                # that changed now show the current record, the rest what the officer typed
                _error(request, exc)
                req = selectors.get_visible(request.user, pk)
                applicant_form, changed = _with_current_values(request, req, applicant_form, applicant_version)
                if changed:
                    messages.error(request, _("ข้อมูลผู้ขอที่เปลี่ยนไปแล้ว (แสดงค่าปัจจุบัน): %(fields)s") % {
                        "fields": ", ".join(changed_field_labels(req.service, [f"applicant.{f}" for f in changed]))})
                version, applicant_version, status = req.version, req.applicant.version, 409
            except Conflict:
                # someone saved first: say what changed and offer what was typed again at the current version
                req = selectors.get_visible(request.user, pk)
                changes = _say_what_changed(request, req, version)
                changed = sorted({k for t in changes if t.action == "update" for k in t.diff})
                if changed:
                    messages.error(request, _("ข้อมูลที่ผู้อื่นแก้ไข: %(fields)s") % {
                        "fields": ", ".join(changed_field_labels(req.service, changed))})
                version, status = req.version, 409
            except CaseError as exc:
                _error(request, exc)
                _form_errors(exc, applicant_form, details_form)
                status = exc.status
            else:
                if updated.version == version:
                    messages.info(request, _("ไม่มีข้อมูลที่เปลี่ยนแปลง"))
                else:
                    messages.success(request, _("บันทึกแล้ว"))
                return redirect("staff:case", pk=req.pk)
    services.audit_view(request.user, req)
    closed = req.state_def.terminal
    if closed:
        messages.error(request, _("คำขอนี้ปิดแล้ว แก้ไขข้อมูลไม่ได้"))
    return render(request, "staff/edit_request.html", {
        "req": req, "wf": req.workflow, "applicant_form": applicant_form, "details_form": details_form,
        "version": version, "applicant_version": applicant_version,
        "can_save": services.EDIT in services.allowed(request.user, req),
    }, status=status)


@require_GET
@staff_required
def address_options(request: StaffRequest) -> HttpResponse:
    """htmx: district options for a province, or subdistrict options for a district."""
    if "a-district_code" in request.GET and request.GET.get("a-district_code"):
        options = subdistrict_choices(request.GET["a-district_code"])
        name = "subdistrict"
    else:
        options = district_choices(request.GET.get("a-province_code", ""))
        name = "district"
    return render(request, "staff/_options.html", {"options": options, "name": name})


@require_GET
@staff_required
def inbox(request: StaffRequest) -> HttpResponse:
    notes = core_selectors.notifications_for(request.user.pk)
    lang = _lang()
    for note in notes:
        note.shown_subject, note.shown_body = note.text(lang)  # type: ignore[attr-defined]
    return render(request, "staff/inbox.html", {"notes": notes, "unread": sum(1 for n in notes if n.read_at is None)})


@require_GET
@staff_required
def open_notification(request: StaffRequest, pk: int) -> HttpResponse:
    """Open a notification: marked read, then on to what it is about (one's own only; else 404)."""
    note = core_selectors.notification_of(request.user.pk, pk)
    if note is None:
        raise Http404("notification not found")
    notifications.mark_read(request.user.pk, note.pk)
    # only a path of this site (a link is written by the system, but never send anyone elsewhere)
    target = note.link if note.link.startswith("/") and not note.link.startswith("//") else reverse("staff:inbox")
    return redirect(target)


@require_POST
@staff_required
def notifications_read(request: StaffRequest) -> HttpResponse:
    """Mark all of one's notifications read."""
    notifications.mark_read(request.user.pk)
    messages.success(request, _("ทำเครื่องหมายว่าอ่านแล้วทั้งหมด"))
    return _see_other(reverse("staff:inbox"))


@require_POST
@staff_required
def registry_checks(request: StaffRequest, pk: int) -> HttpResponse:
    """Ask the government registries again (the worker calls them; the page never waits)."""
    req = selectors.get_visible(request.user, pk)
    try:
        exchange_services.ask_again(actor=request.user, request=req)
    except NotPermitted:
        return render(request, "staff/forbidden.html", status=403)
    messages.success(request, _("ส่งคำขอตรวจสอบกับทะเบียนราชการแล้ว ผลจะแสดงเมื่อได้รับคำตอบ"))
    return redirect("staff:case", pk=req.pk)
