"""The self-check pages (/check/): choose a service, then one question per page, "check your answers" with
change links, and one outcome page (likely eligible / not eligible / cannot tell yet). Anonymous: the
answers live in the session, per service. The questions, their checks and the outcome come from
``jfs.eligibility.selfcheck``; these views only translate HTTP (docs/self-check.md)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods

from jfs.eligibility import selfcheck as sc
from jfslib.thaidate import to_be_year

SESSION_KEY = "selfcheck"


def _check(code: str) -> sc.ServiceCheck:
    try:
        return sc.service_check(code)
    except KeyError:
        raise Http404("no such service") from None


def _answers(request: HttpRequest, code: str) -> dict[str, str]:
    store = request.session.get(SESSION_KEY)
    kept = store.get(code) if isinstance(store, dict) else None
    return {str(k): str(v) for k, v in kept.items()} if isinstance(kept, dict) else {}


def _save(request: HttpRequest, code: str, answers: dict[str, str]) -> None:
    store = request.session.get(SESSION_KEY)
    store = dict(store) if isinstance(store, dict) else {}
    store[code] = answers
    request.session[SESSION_KEY] = store


def _question_url(code: str, slug: str, change: bool = False) -> str:
    url = reverse("portal:selfcheck_question", args=[code, slug])
    return f"{url}?change=1" if change else url


def _next_url(check: sc.ServiceCheck, answers: dict[str, str]) -> str:
    """The next question, or (all answered) the answers page; a service with no questions goes to its result."""
    if not check.questions:
        return reverse("portal:selfcheck_result", args=[check.code])
    nxt = sc.progress(check, answers).next
    if nxt is not None:
        return _question_url(check.code, nxt.slug)
    return reverse("portal:selfcheck_answers", args=[check.code])


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """Choose a service (one page); a known choice goes on to its first question."""
    checks = sc.services()
    error = False
    if request.method == "POST":
        code = str(request.POST.get("service") or "")
        if code in {c.code for c in checks}:
            return redirect(_next_url(_check(code), _answers(request, code)))
        error = True
    return render(request, "portal/selfcheck/start.html", {"checks": checks, "error": error})


def service_start(request: HttpRequest, code: str) -> HttpResponse:
    check = _check(code)
    return redirect(_next_url(check, _answers(request, code)))


def _kept_from_stored(q: sc.Question, stored: str | None) -> dict[str, str]:
    """What a question's inputs show for an answer already given (dates in the Buddhist era)."""
    if not stored:
        return {}
    if stored == sc.UNKNOWN:
        return {"answer": sc.UNKNOWN} if q.kind == "choice" else {}
    if q.kind == "date":
        d = date.fromisoformat(stored)
        return {"day": str(d.day), "month": str(d.month), "year": str(to_be_year(d.year))}
    return {"answer": stored}


@require_http_methods(["GET", "POST"])
def question(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    check = _check(code)
    q = check.question(slug)
    if q is None:
        raise Http404("no such question")
    answers = _answers(request, code)
    change = request.GET.get("change") == "1"
    progress = sc.progress(check, answers)
    on_path = [a.slug for a in progress.asked] + ([progress.next.slug] if progress.next else [])
    if slug not in on_path:  # a question whose answer cannot matter now, or not reached yet
        return redirect(_next_url(check, answers))
    parsed = sc.Parsed(kept=_kept_from_stored(q, answers.get(slug)))
    if request.method == "POST":
        parsed = sc.parse_answer(q, request.POST)
        if not parsed.errors and parsed.value is not None:
            answers[slug] = parsed.value
            _save(request, code, answers)
            after = sc.progress(check, answers)
            if change and after.complete:
                return redirect("portal:selfcheck_answers", code=code)
            return redirect(_next_url(check, answers))
    index = on_path.index(slug)
    back = (
        reverse("portal:selfcheck_answers", args=[code])
        if change
        else (_question_url(code, on_path[index - 1]) if index else reverse("portal:selfcheck"))
    )
    context: dict[str, Any] = {
        "check": check,
        "q": q,
        "kept": parsed.kept,
        "errors": parsed.errors,
        "suggestion": parsed.suggestion,
        "ce": int(parsed.suggestion) - 543 if parsed.suggestion else None,
        "back_url": back,
        "change": change,
        "step": index + 1,
    }
    return render(request, "portal/selfcheck/question.html", context, status=200)


@require_http_methods(["GET", "POST"])
def answers_page(request: HttpRequest, code: str) -> HttpResponse:
    check = _check(code)
    answers = _answers(request, code)
    if request.method == "POST":  # start again
        _save(request, code, {})
        return redirect(_next_url(check, {}))
    if not sc.progress(check, answers).complete:
        return redirect(_next_url(check, answers))
    rows = [(row, _question_url(code, row.question.slug, change=True)) for row in sc.answer_rows(check, answers)]
    return render(request, "portal/selfcheck/answers.html", {"check": check, "rows": rows})


def result(request: HttpRequest, code: str) -> HttpResponse | HttpResponseRedirect:
    check = _check(code)
    answers = _answers(request, code)
    if not sc.progress(check, answers).complete:
        return redirect(_next_url(check, answers))
    outcome = sc.evaluate(check, answers)
    back = reverse("portal:selfcheck_answers", args=[code]) if check.questions else reverse("portal:selfcheck")
    return render(request, "portal/selfcheck/result.html", {"check": check, "o": outcome, "back_url": back})


urlpatterns: list[URLPattern] = [
    path("check/", start, name="selfcheck"),
    path("check/<str:code>/", service_start, name="selfcheck_service"),
    path("check/<str:code>/answers/", answers_page, name="selfcheck_answers"),
    path("check/<str:code>/result/", result, name="selfcheck_result"),
    path("check/<str:code>/<slug:slug>/", question, name="selfcheck_question"),
]
