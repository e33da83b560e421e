"""The online application pages (/apply/…): the services and the citizen's drafts, a start page per
service, then one thing per page: for whom, the PDPA consent, the questions, the documents, the
office, the declaration, check your answers, and the receipt. Every page works without JavaScript;
with it, ``static/js/portal-upload.js`` sends files in resumable pieces (``upload_chunk``).

The pages only translate HTTP: the draft and its rules are ``jfs.applications.services``. A draft is
in the database, so a session that expires mid-form loses nothing: each page carries a signed token
naming the draft, and a POST that arrives without a session is kept aside on the draft
(``services.stash_post``) and shown again on the same question after signing in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from jfs.accounts import selectors as accounts
from jfs.applications import notice as notice_mod
from jfs.applications import questions as qs
from jfs.applications import selectors, services
from jfs.applications.models import FOR_OTHER, RELATIONSHIP_CHOICES, Application
from jfs.cases import service_registry, workflows
from jfs.cases.errors import CaseError
from jfs.portal.access import assurance, citizen_required
from jfs.portal.http import citizen as _citizen
from jfs.portal.http import lang as _lang
from jfslib import roles, thai_id, thaidate

#: the services a citizen applies for online, in the registry's order
TOKEN_SALT = "jfs.portal.apply.draft"
#: how long a page's draft token lets a POST after the session expired be kept (seconds)
TOKEN_AGE = 7 * 24 * 3600


def _en() -> bool:
    return _lang() == "en"


def _messages(errors: list[dict[str, str]]) -> list[dict[str, str]]:
    """Errors for the error summary: the input's id and the message in the reader's language."""
    return [{"id": f"id_{e['input']}", "input": e["input"], "text": e["en"] if _en() else e["th"]} for e in errors]


def _token(app: Application) -> str:
    return signing.dumps({"a": str(app.key), "u": app.citizen_id}, salt=TOKEN_SALT)


def _url(app: Application, step: str, *args: str) -> str:
    return reverse(f"portal:apply_{step}", args=[app.service, str(app.key), *args])


def _question_url(app: Application, key: str) -> str:
    return _url(app, "question", key)


ViewFn = Callable[..., HttpResponseBase]


def draft_page(view: ViewFn) -> ViewFn:
    """A page of one draft: the citizen's own (another's is 404, audited); a POST without a session
    that carries the page's signed token is kept on the draft before signing in."""

    @wraps(view)
    def wrapper(request: HttpRequest, code: str, key: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if request.method == "POST" and not user.is_authenticated:
            _stash_expired(request, key, kwargs.get("question", ""))
            return redirect_to_login(request.get_full_path(), "portal:sign_in")
        return _signed_in(request, code, key, *args, **kwargs)

    @citizen_required
    def _signed_in(request: HttpRequest, code: str, key: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
        found = selectors.application_for(_citizen(request), key)
        if found.foreign:
            services.audit_foreign(_citizen(request), key)
        app = found.application
        if app is None or app.service != code:
            raise Http404
        if app.submitted and view.__name__ != "done":  # a submitted draft shows its receipt
            return redirect(_url(app, "done"))
        return view(request, app, *args, **kwargs)

    return wrapper


def _stash_expired(request: HttpRequest, key: str, question: str) -> None:
    try:
        data = signing.loads(request.POST.get("draft", ""), salt=TOKEN_SALT, max_age=TOKEN_AGE)
    except signing.BadSignature:
        return
    if not question or data.get("a") != key:
        return
    app = selectors.draft_of(data.get("u"), key)
    if app is not None:
        services.stash_post(app, question, request.POST.dict())


def _context(app: Application, step: str, **extra: Any) -> dict[str, Any]:
    svc = service_registry.get(app.service)
    return {
        "app": app,
        "svc": svc,
        "service_name": svc.en if _en() else svc.th,
        "step": step,
        "draft_token": _token(app),
        **extra,
    }


# --------------------------------------------------------------------------- listing and start


def index(request: HttpRequest) -> HttpResponse:
    """The services a citizen can apply for, and their drafts to resume."""
    signed_in = request.user.is_authenticated and getattr(request.user, "role", "") == roles.CITIZEN
    drafts = list(selectors.drafts_of(_citizen(request))) if signed_in else []
    names = {code: (s.en if _en() else s.th) for code, s in service_registry.all_services().items()}
    return render(
        request,
        "portal/apply/index.html",
        {
            "services": [(code, names[code]) for code in names],
            "drafts": [{"app": d, "name": names.get(d.service, d.service), "url": _resume_url(d)} for d in drafts],
        },
    )


def _resume_url(app: Application) -> str:
    """Where a resumed draft lands: the page the citizen was last on."""
    pos = app.position or "for_whom"
    if pos.startswith("q:"):
        return _question_url(app, pos[2:])
    if pos in ("for_whom", "consent", "documents", "declaration", "check", "office"):
        return _url(app, pos)
    return _url(app, "for_whom")


def start(request: HttpRequest, code: str) -> HttpResponseBase:
    """The service's start page (what you need, how long); starting needs signing in."""
    if not service_registry.exists(code):
        raise Http404
    if request.method == "POST":
        return _begin(request, code)
    svc = service_registry.get(code)
    wf = workflows.get(code)
    docs = [(d.en if _en() else d.th) for d in wf.documents.values() if d.required]
    return render(
        request,
        "portal/apply/start.html",
        {
            "svc": svc,
            "service_name": svc.en if _en() else svc.th,
            "documents": docs,
            "code": code,
            "questions": len(qs.flow(code, False, {}).questions),
        },
    )


@citizen_required
def _begin(request: HttpRequest, code: str) -> HttpResponseBase:
    app = services.start(actor=_citizen(request), service=code)
    return redirect(_resume_url(app))


# --------------------------------------------------------------------------- for whom and consent


@draft_page
def for_whom(request: HttpRequest, app: Application) -> HttpResponseBase:
    errors: list[dict[str, str]] = []
    values = {
        "for_whom": app.for_whom,
        "relationship": app.relationship,
        "relationship_other": app.relationship_other,
        "representative_name": app.answers.get("_representative_name") or _citizen(request).get_full_name(),
    }
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        errors = services.set_for_whom(app, **values)
        if not errors:
            return redirect(_url(app, "consent"))
    services.set_position(app, "for_whom")
    return render(
        request,
        "portal/apply/for_whom.html",
        _context(
            app,
            "for_whom",
            errors=_messages(errors),
            values=values,
            relationships=[(v, str(label)) for v, label in RELATIONSHIP_CHOICES],
        ),
        status=422 if errors else 200,
    )


@draft_page
def consent(request: HttpRequest, app: Application) -> HttpResponseBase:
    errors: list[dict[str, str]] = []
    if not app.for_whom:
        return redirect(_url(app, "for_whom"))
    if request.method == "POST":
        errors = services.give_consent(
            app,
            actor=_citizen(request),
            acknowledged=bool(request.POST.get("acknowledged")),
            purposes=request.POST.getlist("purposes"),
        )
        if not errors:
            return redirect(_after_answers(app))
    services.set_position(app, "consent")
    n = notice_mod.load()
    purposes = [
        {"code": p.code, "text": p.en if _en() else p.th, "checked": p.code in app.consent_purposes}
        for p in services.consent_purposes(app.service)
    ]
    informed = [p.en if _en() else p.th for p in n.purposes if not p.consent]
    return render(
        request,
        "portal/apply/consent.html",
        _context(
            app,
            "consent",
            errors=_messages(errors),
            notice=n,
            purposes=purposes,
            informed=informed,
            self_verified=app.for_whom != FOR_OTHER and bool(_citizen(request).national_id),
        ),
        status=422 if errors else 200,
    )


def _after_answers(app: Application) -> str:
    """The next question, or once all are answered the documents (or check answers, when changing)."""
    key = services.next_question(app)
    if key:
        return _question_url(app, key)
    return _url(app, "documents")


# --------------------------------------------------------------------------- the questions


def _choices(q: qs.Question) -> list[tuple[str, str]]:
    return [(v, qs.text(label)) for v, label in q.choices]


def _inputs(q: qs.Question, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The page's inputs: one for a plain question, each part for a group (a name, costs)."""
    items = q.parts if q.kind == qs.GROUP else (q,)
    out = []
    for item in items:
        name = item.key if q.kind == qs.GROUP else "value"
        out.append(
            {
                "name": name,
                "id": f"id_{name}",
                "kind": item.kind,
                "label": qs.text(item.label),
                "hint": qs.text(item.hint),
                "required": item.required,
                "choices": _choices(item),
                "value": str(values.get(name, "") or ""),
                "max_length": item.max_length,
                "autocomplete": item.autocomplete,
                "numeric": item.kind in (qs.MONEY, qs.INTEGER, qs.NATIONAL_ID),
            }
        )
    return out


def _shown(q: qs.Question, value: Any) -> dict[str, Any]:
    """A stored answer as the inputs show it again (a date in B.E., a group's parts)."""
    if q.kind == qs.GROUP:
        return dict(value or {})
    if q.kind == qs.DATE_BE and value:
        try:
            y, m, d = (int(x) for x in str(value).split("-"))
            return {"value": f"{d:02d}/{m:02d}/{y + 543}"}
        except ValueError:
            return {"value": value}
    if q.kind == qs.NATIONAL_ID and value:
        return {"value": thai_id.format_id(str(value))}
    return {"value": value or ""}


@draft_page
@require_http_methods(["GET", "POST"])
def question(request: HttpRequest, app: Application, question: str) -> HttpResponseBase:
    if not app.for_whom:
        return redirect(_url(app, "for_whom"))
    q = services.flow(app).get(question)
    if q is None or question in services.known_answers(app):
        raise Http404
    returning = request.GET.get("back") == "check" or request.POST.get("back") == "check"
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        posted = {k: str(v) for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "draft", "back")}
        errors = services.answer(app, question, posted)
        if not errors:
            nxt = services.next_question(app)
            if returning and nxt is None:
                return redirect(_url(app, "check"))
            return redirect(_question_url(app, nxt) if nxt else _url(app, "documents"))
        values: Mapping[str, Any] = posted
    elif question in app.stash:
        values, errors = app.stash[question], []
    elif question in app.errors:
        values, errors = app.errors[question]["raw"], app.errors[question]["messages"]
    else:
        values = _shown(q, app.answers.get(question))
    services.set_position(app, f"q:{question}")
    previous = services.previous_question(app, question)
    inputs = _inputs(q, values)
    restored = request.method == "GET" and question in app.stash
    return render(
        request,
        "portal/apply/question.html",
        _context(
            app,
            "question",
            q=q,
            label=qs.text(q.label),
            hint=qs.text(q.hint),
            inputs=inputs,
            errors=_messages(errors),
            error_inputs={e["input"] for e in errors},
            returning=returning,
            restored=restored,
            back_url=_url(app, "check")
            if returning
            else (_question_url(app, previous) if previous else _url(app, "consent")),
            radios=q.kind == qs.CHOICE and len(q.choices) <= 8,
            position=_progress(app, question),
        ),
        status=422 if errors and request.method == "POST" else 200,
    )


def _progress(app: Application, key: str) -> tuple[int, int]:
    known = services.known_answers(app)
    keys = [k for k in services.flow(app).keys() if k not in known]
    return (keys.index(key) + 1 if key in keys else 0), len(keys)


# --------------------------------------------------------------------------- documents


@draft_page
@require_http_methods(["GET", "POST"])
def documents(request: HttpRequest, app: Application) -> HttpResponseBase:
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        doc_type = request.POST.get("doc_type", "")
        upload = request.FILES.get("file")
        if upload is None:
            errors = [{"input": f"file_{doc_type}"[:60], "th": "กรุณาเลือกไฟล์", "en": "Choose a file"}]
        else:
            try:
                services.add_upload(
                    app,
                    actor=_citizen(request),
                    doc_type=doc_type,
                    name=upload.name or "",
                    # at most one byte past the limit: enough to refuse a bigger file, never all of it
                    data=upload.read(settings.DOCUMENT_MAX_BYTES + 1),
                )
            except CaseError as exc:
                errors = [{"input": f"file_{doc_type}"[:60], "th": exc.th, "en": exc.en}]
            else:
                return redirect(_url(app, "documents") + f"#doc-{doc_type}")
    services.set_position(app, "documents")
    docs = [{**d, "name": d["en"] if _en() else d["th"]} for d in services.documents(app)]
    return render(
        request,
        "portal/apply/documents.html",
        _context(
            app,
            "documents",
            errors=_messages(errors),
            docs=docs,
            max_mb=_max_mb(),
            next_url=_url(app, "declaration") if app.declared_at is None else _url(app, "check"),
        ),
        status=422 if errors else 200,
    )


def _max_mb() -> str:
    return f"{settings.DOCUMENT_MAX_BYTES / (1024 * 1024):g}"


@draft_page
@require_POST
def remove_document(request: HttpRequest, app: Application, upload_id: str) -> HttpResponseBase:
    if upload_id.isdecimal():
        services.remove_upload(app, int(upload_id), actor=_citizen(request))
    return redirect(_url(app, "documents"))


_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")


@draft_page
@require_POST
def upload_begin(request: HttpRequest, app: Application) -> HttpResponseBase:
    """JavaScript's resumable upload, first call: the file's name, type and size; answers its address."""
    try:
        size = int(request.POST.get("size", "0"))
        chunked = services.begin_chunked(
            app,
            actor=_citizen(request),
            doc_type=request.POST.get("doc_type", ""),
            name=request.POST.get("name", "")[:255],
            size=size,
        )
    except (ValueError, CaseError) as exc:
        th, en = (exc.th, exc.en) if isinstance(exc, CaseError) else ("ขนาดไฟล์ไม่ถูกต้อง", "Invalid size")
        return JsonResponse({"error": en if _en() else th}, status=422)
    return JsonResponse({"url": _url(app, "upload_chunk", str(chunked.key)), "received": 0}, status=201)


@draft_page
@require_http_methods(["HEAD", "GET", "PUT"])
def upload_chunk(request: HttpRequest, app: Application, upload_key: str) -> HttpResponseBase:
    """``HEAD``/``GET``: how much arrived (``Upload-Offset``); ``PUT`` with ``Content-Range``: one piece."""
    chunked = selectors.chunked_upload(app, upload_key)
    if chunked is None:
        raise Http404
    if request.method in ("HEAD", "GET"):
        resp = JsonResponse({"received": chunked.received, "size": chunked.total_size})
        resp["Upload-Offset"] = str(chunked.received)
        return resp
    m = _RANGE.match(request.headers.get("Content-Range", ""))
    body = request.body
    if m is None or int(m.group(2)) - int(m.group(1)) + 1 != len(body):
        return JsonResponse({"error": "Content-Range ไม่ถูกต้อง", "received": chunked.received}, status=400)
    try:
        done = services.append_chunk(
            chunked, actor=_citizen(request), start=int(m.group(1)), data=body, total=int(m.group(3))
        )
    except services.NotFound:  # the file was assembled by another PUT meanwhile
        raise Http404 from None
    except CaseError as exc:
        status = 409 if "gap" in exc.en.lower() else 422
        return JsonResponse({"error": exc.en if _en() else exc.th, "received": chunked.received}, status=status)
    if done is None:
        resp = JsonResponse({"received": chunked.received})
        resp["Upload-Offset"] = str(chunked.received)
        return resp
    return JsonResponse({"done": True, "next": _url(app, "documents")}, status=201)


# --------------------------------------------------------------------------- office, declaration, check


@draft_page
@require_http_methods(["GET", "POST"])
def office(request: HttpRequest, app: Application) -> HttpResponseBase:
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        errors = services.choose_office(app, request.POST.get("office", ""))
        if not errors:
            return redirect(_url(app, "check"))
    chosen = services.office_of(app)
    offices = [(o.code, o.en if _en() else o.th) for o in accounts.offices()]
    return render(
        request,
        "portal/apply/office.html",
        _context(app, "office", errors=_messages(errors), offices=offices, chosen=chosen.code if chosen else ""),
        status=422 if errors else 200,
    )


@draft_page
@require_http_methods(["GET", "POST"])
def declaration(request: HttpRequest, app: Application) -> HttpResponseBase:
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        errors = services.declare(app, agreed=bool(request.POST.get("agreed")))
        if not errors:
            return redirect(_url(app, "check"))
    services.set_position(app, "declaration")
    return render(
        request,
        "portal/apply/declaration.html",
        _context(app, "declaration", errors=_messages(errors)),
        status=422 if errors else 200,
    )


def _display(q: qs.Question, value: Any) -> str:
    """An answer as words: a choice's name, a date in B.E., an ID masked, money with separators."""
    if value in (None, "", {}):
        return ""
    if q.kind == qs.GROUP:
        parts = [(p, (value or {}).get(p.key)) for p in q.parts]
        if q.key == "name":
            return " ".join(str(v) for _, v in parts if v).replace(f"{parts[0][1]} ", str(parts[0][1] or ""), 1)
        return "; ".join(f"{qs.text(p.label)} {_display(p, v)}" for p, v in parts if v)
    if q.kind in (qs.CHOICE, qs.PLACE):
        return next((qs.text(label) for v, label in q.choices if v == value), str(value))
    if q.kind == qs.DATE_BE:
        try:
            y, m, d = (int(x) for x in str(value).split("-"))
            return thaidate.format_en(date(y, m, d)) if _en() else thaidate.format_thai(date(y, m, d), "long")
        except ValueError:
            return str(value)
    if q.kind == qs.NATIONAL_ID:
        return thai_id.mask(str(value))
    if q.kind == qs.MONEY:
        try:
            return f"{float(value):,.2f} " + ("baht" if _en() else "บาท")
        except ValueError:
            return str(value)
    return str(value)


@draft_page
def check(request: HttpRequest, app: Application) -> HttpResponseBase:
    """Check your answers: every answer with a change link back to its question (returning here)."""
    services.set_position(app, "check")
    known = services.known_answers(app)
    merged = services.merged_answers(app)
    rows = []
    for q in services.flow(app).questions:
        if q.key in known:
            rows.append(
                {
                    "label": qs.text(q.label),
                    "value": _display(q, known[q.key].value),
                    "source": qs.text(known[q.key].source),
                    "url": "",
                }
            )
        else:
            rows.append(
                {
                    "label": qs.text(q.label),
                    "value": _display(q, merged.get(q.key)),
                    "source": "",
                    "url": _question_url(app, q.key) + "?back=check",
                    "key": q.key,
                }
            )
    problems = [
        {"where": p.where, "text": p.en if _en() else p.th, "url": _problem_url(app, p.where)}
        for p in services.problems(app)
    ]
    chosen = services.office_of(app)
    docs = [{**d, "name": d["en"] if _en() else d["th"]} for d in services.documents(app)]
    return render(
        request,
        "portal/apply/check.html",
        _context(
            app,
            "check",
            rows=rows,
            problems=problems,
            office=chosen,
            docs=docs,
            relationship=dict(RELATIONSHIP_CHOICES).get(app.relationship, ""),
        ),
    )


def _problem_url(app: Application, where: str) -> str:
    if where in ("for_whom", "consent", "documents", "declaration", "office"):
        return _url(app, where)
    if services.flow(app).get(where) is not None:
        return _question_url(app, where) + "?back=check"
    return _url(app, "check")


@draft_page
@require_POST
def submit(request: HttpRequest, app: Application) -> HttpResponseBase:
    try:
        services.submit(app, actor=_citizen(request), assurance=assurance(request))
    except CaseError:
        return redirect(_url(app, "check"))
    return redirect(_url(app, "done"))


@draft_page
def done(request: HttpRequest, app: Application) -> HttpResponseBase:
    """The receipt: the request number, printable; the request is also in /my/requests/."""
    if not app.submitted:
        return redirect(_url(app, "check"))
    req = app.request
    assert req is not None
    my = reverse("portal:my_requests")
    return render(request, "portal/apply/done.html", _context(app, "done", req=req, my_requests=my))


P = "apply/<str:code>/<str:key>/"
urlpatterns: list[URLPattern] = [
    path("apply/", index, name="apply"),
    path("apply/<str:code>/", start, name="apply_start"),
    path(P + "for-whom/", for_whom, name="apply_for_whom"),
    path(P + "consent/", consent, name="apply_consent"),
    path(P + "q/<str:question>/", question, name="apply_question"),
    path(P + "documents/", documents, name="apply_documents"),
    path(P + "documents/<str:upload_id>/remove/", remove_document, name="apply_remove_document"),
    path(P + "uploads/", upload_begin, name="apply_upload_begin"),
    path(P + "uploads/<str:upload_key>/", upload_chunk, name="apply_upload_chunk"),
    path(P + "office/", office, name="apply_office"),
    path(P + "declaration/", declaration, name="apply_declaration"),
    path(P + "check/", check, name="apply_check"),
    path(P + "submit/", submit, name="apply_submit"),
    path(P + "done/", done, name="apply_done"),
]
