"""The officer's lists of requests: the queue ("งานของฉัน", /staff/) and the request list's table.

Both show the same table (service by name, applicant, assignee, next action, the current step's
due date with the working days left or overdue, state), sortable by the column headers and
filtered by service, state, overdue, assigned to me and waiting for the applicant, 50 rows a
page with the total. The filters and the sort stay in the URL; a person can save them under a
name (``SavedView``, theirs alone). See docs/case-system.md, "Queues".
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jfs.accounts import selectors as account_selectors
from jfs.accounts.http import StaffRequest
from jfs.accounts.models import ROLE_CHOICES, User
from jfs.cases import selectors, service_registry, services, workflows
from jfs.cases.models import SERVICE_CHOICES, Request
from jfs.staff.access import staff_required
from jfs.staff.saved_views import VIEW_KEYS, SavedViewRefused, delete_view, save_view, saved_views, view_query
from jfslib.progress import forward_actions, roles_of
from jfslib.sla import Colour
from jfslib.thaidate import fiscal_year

#: rows on one page of a list
PAGE_SIZE = 50
#: the filters the queue offers (the request list also has the office, the fiscal year and a search)
QUEUE_FILTERS = ("service", "state", "overdue", "mine", "waiting")
#: the column headers that sort, and the direction of their first click
SORT_COLUMNS = {"number": "number", "service": "service", "due": "due", "received": "-received"}


def _clean(value: str | None, limit: int = 50) -> str:
    return (value or "").replace("\x00", "").strip()[:limit]  # PostgreSQL refuses NUL


def _role_names() -> dict[str, str]:
    return {code: str(name) for code, name in ROLE_CHOICES}


def next_action(req: Request, user: User, names: dict[str, str] | None = None) -> dict[str, Any]:
    """What happens next to ``req``: the workflow actions from its state that move it on (``jfslib.progress.forward_actions``, as the case page's next step)
    when ``user`` may take them (by name; ``others`` counts their other ways, such as withdrawing),
    or else the roles that take them (by name)."""
    wf = req.workflow
    lang_en = (translation.get_language() or "th").startswith("en")
    possible = wf.actions_from(req.state)
    onward = forward_actions(wf, req.state)
    own = [a for a in possible if user.role in a.roles and (not a.assignee_only or req.assigned_to_id == user.pk)]
    main = [a for a in onward if a in own]
    if main:
        return {"mine": [a.en if lang_en else a.th for a in main], "others": len(own) - len(main), "roles": []}
    names = names if names is not None else _role_names()
    return {"mine": [], "others": 0, "roles": [names.get(r, r) for r in roles_of(onward)]}


def rows(reqs: list[Request], user: User) -> list[dict[str, Any]]:
    """The table's rows: each request with its clock (``selectors.SlaReader``), its state, its
    service's short name and what comes next. No query per row: the requests come with their
    applicant, office and assignee, and the offices' working calendars are read at once."""
    reader = selectors.SlaReader(services.today()).prime(reqs)
    role_names = _role_names()
    out = []
    for r in reqs:
        state = r.workflow.states[r.state]
        try:
            service_label = service_registry.get(r.service).label
        except KeyError:
            service_label = r.service
        sla = reader.read(r)
        out.append({
            "req": r, "sla": sla, "state": state, "service": service_label,
            "next": next_action(r, user, role_names),
            # closed: the day it finished, never a deadline still ahead
            "finished_on": (r.closed_on or r.clock_stopped_on) if state.terminal else None,
            **_due_words(sla),
        })
    return out


def _due_words(sla: selectors.Sla) -> dict[str, str]:
    """The due date's words: a badge that says the colour in words (never the colour alone) and
    the working days left; an overdue step says by how many working days."""
    left = sla.step_left
    if left is None:
        return {"badge": "", "left": ""}
    if left < 0:
        return {"badge": _("เกินกำหนด %(n)s วันทำการ") % {"n": -left}, "left": ""}
    days = _("ครบกำหนดวันนี้") if left == 0 else _("เหลือ %(n)s วันทำการ") % {"n": left}
    if sla.queue == Colour.RED:  # the step is on time, the whole standard is not
        return {"badge": _("เกินมาตรฐาน 21 วันทำการ"), "left": days}
    return {"badge": _("ใกล้ครบกำหนด") if sla.queue == Colour.AMBER else _("ปกติ"), "left": days}


def filter_choices(user: User) -> dict[str, Any]:
    """The choices of the filter form: services, states (each once, by name), offices for those
    who see every office, fiscal years."""
    states: dict[str, Any] = {}
    for wf in workflows.all_definitions().values():
        for code, st in wf.states.items():
            states.setdefault(code, st)
    return {
        "services": SERVICE_CHOICES,
        "states": list(states.values()),
        "offices": account_selectors.offices() if user.sees_all_offices else [],
        "fiscal_years": list(range(fiscal_year(services.today()), 2563, -1)),
    }


def _query(params: QueryDict | dict[str, str], **changes: str) -> str:
    data = {k: v for k, v in params.items() if k != "page" and v}
    data.update(changes)
    return urlencode({k: v for k, v in data.items() if v})


def sort_headers(request: HttpRequest, current: str) -> dict[str, dict[str, str]]:
    """For each sortable column: the link that sorts by it (the other way when it is the current
    sort) and its ``aria-sort`` ("ascending", "descending", or "none")."""
    out = {}
    for key, first in SORT_COLUMNS.items():
        if current.lstrip("-") == key:
            aria = "descending" if current.startswith("-") else "ascending"
            target = key if current.startswith("-") else f"-{key}"
        else:
            aria, target = "none", first
        out[key] = {"url": "?" + _query(request.GET, sort=target), "aria": aria}
    return out


def sort_choices() -> list[tuple[str, str]]:
    """The orders the filters' "sort by" offers (the column headers give the same, on a desktop)."""
    return [
        ("due", _("ครบกำหนดก่อน")), ("-due", _("ครบกำหนดหลังสุดก่อน")),
        ("-received", _("รับคำขอล่าสุดก่อน")), ("received", _("รับคำขอเก่าสุดก่อน")),
        ("number", _("เลขที่คำขอ น้อยไปมาก")), ("-number", _("เลขที่คำขอ มากไปน้อย")),
        ("service", _("บริการ ก-ฮ")), ("-service", _("บริการ ฮ-ก")),
    ]


def table_context(request: StaffRequest, qs: Any, page_name: str, default_sort: str) -> dict[str, Any]:
    """Sort and page ``qs`` (already filtered) and give the table's context; records the page's
    rows as seen (one audit event for the page)."""
    sort = _clean(request.GET.get("sort"))
    if sort.lstrip("-") not in selectors.SORT_KEYS:
        sort = default_sort
    page = Paginator(selectors.order_requests(qs, sort), PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    services.audit_views(request.user, shown, "request_list")
    return {
        "page": page, "rows": rows(shown, request.user), "sort": sort, "sort_headers": sort_headers(request, sort),
        "sort_choices": sort_choices(),
        "saved_views": saved_views(request.user, page_name),
        "view_page": page_name, "view_query": _query({k: str(request.GET.get(k, "")) for k in VIEW_KEYS}),
    }


def list_params(request: HttpRequest, keys: tuple[str, ...]) -> dict[str, str]:
    return {k: _clean(request.GET.get(k)) for k in keys if request.GET.get(k)}


@require_GET
@staff_required
def queue(request: StaffRequest) -> HttpResponse:
    params = list_params(request, QUEUE_FILTERS)
    qs = selectors.apply_filters(selectors.my_queue(request.user), params, user=request.user,
                                 today=services.today())
    ctx = filter_choices(request.user) | {"params": params, "queue_form": True}
    ctx |= table_context(request, qs, "queue", "due")
    return render(request, "staff/queue.html", ctx)


# --------------------------------------------------------------------------- saved views (jfs.staff.saved_views)

def _list_url(page: str, query: str = "") -> str:
    return reverse("staff:requests" if page == "requests" else "staff:queue") + (f"?{query}" if query else "")


def _see_other(url: str) -> HttpResponse:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


@require_POST
@staff_required
def saved_view_create(request: StaffRequest) -> HttpResponse:
    page = _clean(request.POST.get("page"))
    query = _clean(request.POST.get("query"), 500)
    try:
        view = save_view(request.user, page, request.POST.get("name", ""), query)
    except SavedViewRefused as exc:
        messages.error(request, exc.message)
        return _see_other(_list_url(page, view_query(query)))
    messages.success(request, _("บันทึกมุมมอง “%(name)s” แล้ว เลือกได้จากรายการ “มุมมองที่บันทึกไว้”")
                     % {"name": view.name})
    return _see_other(_list_url(view.page, view.query))


@require_POST
@staff_required
def saved_view_delete(request: StaffRequest, pk: int) -> HttpResponse:
    view = delete_view(request.user, pk)
    messages.success(request, _("ลบมุมมอง “%(name)s” แล้ว") % {"name": view.name})
    return _see_other(_list_url(view.page))
