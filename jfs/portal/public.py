"""The portal's public pages, open to everyone without signing in: the start page, the five services
(what each pays for, who can get help, the documents from its workflow, how long it takes), every
office with its contacts, the PDPA privacy notice, the accessibility statement and the knowledge
base's search and answers. Their words are data: ``content/services/<CODE>.yaml``,
``content/knowledge/*.yaml``, ``governance/office_contacts.yaml`` and
``governance/privacy_notice.yaml`` (docs/portal-public.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from jfs.accounts import selectors as accounts
from jfs.cases import service_registry, workflows
from jfs.knowledge import catalogue as knowledge

#: where an answer's named links go, with their words
LINKS: dict[str, tuple[str, Any]] = {
    "selfcheck": ("portal:selfcheck", _("ตรวจสอบสิทธิ์เบื้องต้น")),
    "apply": ("portal:apply", _("ยื่นคำขอออนไลน์")),
    "my_requests": ("portal:my_requests", _("คำขอของฉัน")),
    "complaints": ("portal:complaints", _("ร้องเรียน")),
    "consult": ("portal:consult", _("ปรึกษากฎหมาย")),
    "offices": ("portal:offices", _("สำนักงานทุกจังหวัด")),
    "privacy": ("portal:privacy", _("ประกาศความเป็นส่วนตัว")),
    "services": ("portal:services", _("บริการของกองทุน")),
    "accessibility": ("portal:accessibility", _("การเข้าถึงเว็บไซต์")),
}
#: the documents a representative adds, shown apart from the applicant's own
REPRESENTATIVE_DOCUMENT = "representative_authority"
MAX_QUERY_PARAM = 500


def _lang() -> str:
    return "en" if (get_language() or "th").startswith("en") else "th"


def _url(name: str, *args: str) -> str:
    """The URL of a portal page, or "" while its area is not built (the link is left out)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _pick(data: dict[str, Any], key: str, lang: str) -> Any:
    """``data[key]`` in the language (``{th, en}`` or ``key_th``/``key_en``)."""
    value = data.get(key)
    if isinstance(value, dict):
        return value.get(lang) or value.get("th")
    return data.get(f"{key}_{lang}") or data.get(f"{key}_th", "")


@lru_cache(maxsize=32)
def _read_yaml(path: Path, mtime: int) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _yaml(path: Path) -> Any:
    """A data file, read again only when it changed; {} when it is missing."""
    try:
        return _read_yaml(path, path.stat().st_mtime_ns) or {}
    except FileNotFoundError:
        return {}


def _content_dir() -> Path:
    return Path(getattr(settings, "JFS_CONTENT_DIR", settings.BASE_DIR / "content"))


def _governance(name: str) -> Path:
    return Path(settings.BASE_DIR) / "governance" / name


@dataclass(frozen=True)
class ServiceCard:
    code: str
    name: str
    label: str
    summary: str
    url: str


def _cards(lang: str) -> list[ServiceCard]:
    cards = []
    for svc in service_registry.all_services().values():
        content = _yaml(_content_dir() / "services" / f"{svc.code}.yaml")
        cards.append(
            ServiceCard(
                code=svc.code,
                name=svc.en if lang == "en" else svc.th,
                label=svc.label,
                summary=str(_pick(content, "summary", lang) or ""),
                url=reverse("portal:service", args=[svc.code]),
            )
        )
    return cards


def _common() -> dict[str, str]:
    return {
        "selfcheck_url": _url("portal:selfcheck"),
        "apply_url": _url("portal:apply"),
        "track_url": _url("portal:my_requests"),
        "consult_url": _url("portal:consult"),
        "complaints_url": _url("portal:complaints"),
    }


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/public/home.html", {"services": _cards(_lang()), **_common()})


@require_GET
def services(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/public/services.html", {"services": _cards(_lang()), **_common()})


@require_GET
def service(request: HttpRequest, code: str) -> HttpResponse:
    code = code.upper()
    if not code.isascii() or not service_registry.exists(code):
        raise Http404
    lang = _lang()
    svc = service_registry.get(code)
    wf = workflows.get(code)
    content = _yaml(_content_dir() / "services" / f"{code}.yaml")

    def doc_name(d: Any) -> str:
        return str(d.en if lang == "en" else d.th)

    required = [doc_name(d) for d in wf.required_documents()]
    representative = wf.documents.get(REPRESENTATIVE_DOCUMENT)
    answers = [e for e in knowledge.catalogue().index.by_slug.values() if code in e.services]
    return render(
        request,
        "portal/public/service.html",
        {
            "service": svc,
            "name": svc.en if lang == "en" else svc.th,
            "summary": _pick(content, "summary", lang) or "",
            "pays_for": _pick(content, "pays_for", lang) or [],
            "who": _pick(content, "who", lang) or [],
            "weighed": _pick(content, "weighed", lang) or [],
            "decided_by": _pick(content, "decided_by", lang) or "",
            "required_documents": required,
            "representative_document": doc_name(representative) if representative else "",
            "standard_days": wf.standard_days if svc.standard_applies else None,
            "answers": [(e, e.question(lang), reverse("portal:answer", args=[e.slug])) for e in answers],
            **_common(),
        },
    )


@dataclass(frozen=True)
class OfficeCard:
    code: str
    name: str
    province_code: str
    address: str
    phone: str
    email: str
    serves: str
    is_central: bool


@require_GET
def offices(request: HttpRequest) -> HttpResponse:
    lang = _lang()
    data = _yaml(_governance("office_contacts.yaml"))
    contacts: dict[str, dict[str, Any]] = data.get("offices") or {}
    hours = str(_pick(data, "hours", lang) or "")
    hotline = str(data.get("hotline_en" if lang == "en" else "hotline") or "1111 กด 77")
    cards = []
    for office in accounts.offices():
        c = contacts.get(office.code) or {}
        phone = str(c.get("phone") or "")
        cards.append(
            OfficeCard(
                code=office.code,
                name=office.name_en if lang == "en" else office.name_th,
                province_code=office.province_code,
                address=str(_pick(c, "address", lang) or ""),
                phone="" if phone == data.get("hotline") else phone,
                email=str(c.get("email") or ""),
                serves=str(_pick(c, "serves", lang) or ""),
                is_central=office.is_central,
            )
        )
    chosen = request.GET.get("office", "")[:4]
    shown = [c for c in cards if c.code == chosen] if chosen and any(c.code == chosen for c in cards) else cards
    choices = sorted(cards, key=lambda c: (not c.is_central, c.name))
    return render(
        request,
        "portal/public/offices.html",
        {
            "offices": shown,
            "choices": choices,
            "chosen": chosen if shown is not cards else "",
            "unknown_choice": bool(chosen) and shown is cards,
            "hours": hours,
            "hotline": hotline,
            "total": len(cards),
        },
    )


def _text(data: Any, lang: str) -> str:
    """A ``{th, en}`` mapping's text in the language."""
    if not isinstance(data, dict):
        return ""
    return str(data.get(lang) or data.get("th") or "")


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    lang = _lang()
    notice = _yaml(_governance("privacy_notice.yaml"))
    bases = notice.get("bases") or {}
    controller = notice.get("controller") or {}
    purposes = [
        {
            "text": _text(p, lang),
            "data": _pick(p, "data", lang),
            "basis": _text(bases.get(p.get("basis")), lang),
            "consent": bool(p.get("consent")),
        }
        for p in notice.get("purposes") or []
    ]
    effective = notice.get("effective")
    return render(
        request,
        "portal/public/privacy.html",
        {
            "version": notice.get("version", ""),
            "effective": effective if isinstance(effective, date) else None,
            "controller_name": _text(controller, lang),
            "controller_address": _pick(controller, "address", lang),
            "purposes": purposes,
            "recipients": [
                {"name": _text(r, lang), "what": _pick(r, "what", lang)} for r in notice.get("recipients") or []
            ],
            "retention": [_text(r, lang) for r in notice.get("retention") or []],
            "rights": [_text(r, lang) for r in notice.get("rights") or []],
            "complaints_url": _url("portal:complaints"),
        },
    )


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/public/accessibility.html", {"complaints_url": _url("portal:complaints")})


def _links(names: tuple[str, ...]) -> list[tuple[str, Any]]:
    out = []
    for name in names:
        url_name, words = LINKS[name]
        url = _url(url_name)
        if url:
            out.append((url, words))
    return out


@require_GET
def help_search(request: HttpRequest) -> HttpResponse:
    lang = _lang()
    query = request.GET.get("q", "")[:MAX_QUERY_PARAM].replace("\x00", "").strip()
    result = knowledge.search(query, lang) if query else None
    cat = knowledge.catalogue()
    topics = [
        (t.name(lang), [(cat.index.by_slug[s].question(lang), reverse("portal:answer", args=[s])) for s in t.slugs])
        for t in cat.topics
    ]
    suggestions = [
        (cat.index.by_slug[s].question(lang), reverse("portal:answer", args=[s]))
        for s in ("who-can-get-help", "documents-needed", "how-long", "track-request", "hotline")
        if s in cat.index.by_slug
    ]
    hits = [
        {"url": reverse("portal:answer", args=[h.entry.slug]), "question": h.question_html, "snippet": h.snippet_html}
        for h in (result.hits if result else [])
    ]
    return render(
        request,
        "portal/public/help.html",
        {
            "query": query,
            "result": result,
            "hits": hits,
            "corrected": result.corrected if result else "",
            "topics": topics,
            "suggestions": suggestions,
            "selfcheck_url": _url("portal:selfcheck"),
        },
    )


@require_GET
def answer(request: HttpRequest, slug: str) -> HttpResponse:
    entry = knowledge.entry(slug)
    if entry is None:
        raise Http404
    lang = _lang()
    paragraphs = [p.strip() for p in entry.answer(lang).split("\n\n") if p.strip()]
    blocks = []
    for p in paragraphs:
        lines = [line.strip() for line in p.splitlines() if line.strip()]
        numbered = len(lines) > 1 and all(line[:1].isdigit() and ". " in line[:4] for line in lines)
        blocks.append({"steps": [line.split(". ", 1)[1] for line in lines]} if numbered else {"text": " ".join(lines)})
    return render(
        request,
        "portal/public/answer.html",
        {
            "question": entry.question(lang),
            "blocks": blocks,
            "links": _links(entry.links),
            "services": [
                (service_registry.get(c).label, reverse("portal:service", args=[c]))
                for c in entry.services
                if service_registry.exists(c)
            ],
            "related": [(e.question(lang), reverse("portal:answer", args=[e.slug])) for e in knowledge.related(entry)],
        },
    )


urlpatterns: list[URLPattern] = [
    path("", home, name="home"),
    path("services/", services, name="services"),
    path("services/<str:code>/", service, name="service"),
    path("offices/", offices, name="offices"),
    path("privacy/", privacy, name="privacy"),
    path("accessibility/", accessibility, name="accessibility"),
    path("help/", help_search, name="help"),
    path("help/<slug:slug>/", answer, name="answer"),
]
