"""Tracking on the portal: the citizen's requests, and one request's steps with their due dates in
plain words, what the office asked for and the upload that answers it, messages with the officer,
the decision letter, an appeal and the satisfaction survey. Pages translate HTTP; the rules live in
``jfs.cases.services``, ``jfs.decisions.services`` and ``jfs.tracking.services``.

Another citizen's request number is "not found" (404), and the attempt is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jfs.cases import reasons, service_registry
from jfs.cases import selectors as case_selectors
from jfs.cases import services as cases
from jfs.cases.errors import CaseError
from jfs.cases.models import SCAN_QUARANTINED, Request
from jfs.cases.progress import progress_of
from jfs.core import clock
from jfs.core.downloads import pdf_attachment
from jfs.decisions import models as dm
from jfs.decisions import selectors as dselectors
from jfs.decisions import services as dservices
from jfs.portal.access import citizen_required
from jfs.portal.http import citizen as _user
from jfs.portal.http import lang as _lang
from jfs.tracking import selectors
from jfs.tracking import services as tracking
from jfs.tracking.models import SCORE_CHOICES
from jfslib import progress as stages

#: each step of the workflow in the words a citizen uses (the staff names are the office's words)
PLAIN_STEPS: dict[str, tuple[str, str]] = {
    "received": ("ได้รับคำขอของท่านแล้ว", "We received your request"),
    "screening": ("ตรวจเอกสารและคุณสมบัติ", "We check your documents and whether the fund can help"),
    "awaiting_documents": ("รอเอกสารเพิ่มเติมจากท่าน", "Waiting for more documents from you"),
    "fact_finding": ("รวบรวมข้อเท็จจริง", "We gather the facts"),
    "opinion": ("เจ้าหน้าที่เสนอความเห็น", "The officer gives an opinion"),
    "consideration": ("คณะอนุกรรมการพิจารณา", "The subcommittee considers your request"),
    "decided": ("มีผลการพิจารณาแล้ว", "Decided"),
    "notified": ("แจ้งผลให้ท่านทราบแล้ว", "We told you the decision"),
    "follow_up": ("ติดตามผลการช่วยเหลือ", "We follow up the help given"),
    "appeal": ("พิจารณาอุทธรณ์ของท่าน", "Your appeal is considered"),
    "closed": ("ปิดเรื่องแล้ว", "Closed"),
    "referred": ("ส่งต่อหน่วยงานที่รับผิดชอบโดยตรง", "Sent to the agency directly responsible"),
    "withdrawn": ("ถอนคำขอแล้ว", "Withdrawn"),
    "terminated": ("ยุติเรื่องแล้ว", "Ended"),
}


def _words(pair: tuple[str, str]) -> str:
    return pair[1] if _lang() == "en" else pair[0]


# --------------------------------------------------------------------------- forms


class MessageForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("ข้อความถึงเจ้าหน้าที่"),
        max_length=tracking.MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("กรุณาพิมพ์ข้อความ")},
    )


class UploadForm(forms.Form):
    doc_type = forms.ChoiceField(
        label=gettext_lazy("เอกสารนี้คือ"), error_messages={"required": gettext_lazy("กรุณาเลือกว่าเป็นเอกสารอะไร")}
    )
    file = forms.FileField(
        label=gettext_lazy("เลือกไฟล์ (PDF, JPEG หรือ PNG) หรือถ่ายรูปเอกสาร"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
        error_messages={"required": gettext_lazy("กรุณาเลือกไฟล์")},
    )

    def __init__(self, *args: Any, req: Request, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lang = _lang()
        choice: Any = self.fields["doc_type"]
        choice.choices = [("", _("เลือกประเภทเอกสาร"))] + [
            (code, d.en if lang == "en" else d.th) for code, d in req.workflow.documents.items()
        ]


class AppealForm(forms.Form):
    grounds = forms.CharField(
        label=gettext_lazy("เหตุผลที่ท่านขออุทธรณ์"),
        max_length=tracking.MESSAGE_MAX,
        help_text=gettext_lazy("บอกว่าท่านไม่เห็นด้วยกับผลการพิจารณาตรงไหน และเพราะอะไร"),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": gettext_lazy("กรุณาบอกเหตุผลที่ขออุทธรณ์")},
    )


class Radios(forms.RadioSelect):
    """Radios whose group "label" is the first radio: the error summary's link lands on it (GOV.UK)."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return super().id_for_label(id_, "0" if index is None else index)


class SurveyForm(forms.Form):
    score = forms.TypedChoiceField(
        label=gettext_lazy("ท่านพอใจกับบริการครั้งนี้เพียงใด"),
        coerce=int,
        choices=SCORE_CHOICES,
        widget=Radios,
        error_messages={"required": gettext_lazy("กรุณาเลือกระดับความพึงพอใจ")},
    )
    comment = forms.CharField(
        label=gettext_lazy("ความเห็นเพิ่มเติม"),
        required=False,
        max_length=tracking.COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _on_form(form: forms.Form, exc: CaseError, fields: dict[str, str]) -> None:
    """A service's refusal shown on the form: each error on its field (renamed by ``fields``), the
    rest at the top; always something, so the error summary says why."""
    placed = False
    for e in exc.errors:
        name = fields.get(e.get("field", ""), e.get("field", ""))
        text = e["message_en"] if _lang() == "en" else e["message_th"]
        if name in form.fields:
            form.add_error(name, text)
            placed = True
    if not placed:
        form.add_error(None, exc.message(_lang()))


# --------------------------------------------------------------------------- finding the request


def _mine(request: HttpRequest, number: str) -> Request:
    """The signed-in citizen's request with this number; anything else is "not found", audited."""
    user = _user(request)
    found = selectors.own_request(user, number)
    if found is None:
        tracking.refused_look(actor=user, number=number)
        raise Http404("request not found")
    return found


# --------------------------------------------------------------------------- the list


@require_GET
@citizen_required
def my_requests(request: HttpRequest) -> HttpResponse:
    """ "คำขอของฉัน": the citizen's requests, newest first, each with where it stands in words."""
    user = _user(request)
    rows = list(selectors.owned_by(user))
    if rows:
        cases.audit_views(user, rows, "request_list")
    items = [
        {
            "req": r,
            "service": service_registry.get(r.service),
            "step": _step_words(r.state, r),
            "unread": selectors.unread_from_office(r),
        }
        for r in rows
    ]
    return render(request, "portal/track/list.html", {"items": items})


def _step_words(state: str, req: Request) -> str:
    pair = PLAIN_STEPS.get(state)
    if pair is None:
        st = req.workflow.states.get(state)
        return (st.en if _lang() == "en" else st.th) if st else state
    return _words(pair)


# --------------------------------------------------------------------------- one request


@dataclass(frozen=True)
class Row:
    """One step as the citizen reads it."""

    code: str
    name: str
    status: str
    date: date | None
    date_kind: str
    current: bool


def _rows(req: Request) -> list[Row]:
    prog = progress_of(req, case_selectors.history(req))
    return [
        Row(s.code, _step_words(s.code, req), s.status, s.date, s.date_kind, s.code == req.state)
        for s in prog.stages
        if s.status != stages.SKIPPED
    ]


def _asked_for(req: Request) -> str:
    """What the office asked for: the officer's comment on the latest "ask for documents"."""
    for t in reversed(list(case_selectors.history(req))):
        if t.action == "request_documents":
            return t.comment
    return ""


def _appeal(req: Request) -> dict[str, Any]:
    """Whether the citizen may appeal now, until when, and whether the period is over."""
    latest = dselectors.latest_decision(req)
    appeals = dselectors.appeals_of(req)
    appealable = (
        latest is not None and latest.kind == dm.FIRST and latest.outcome in dservices.APPEALABLE and not appeals
    )
    deadline = dservices.appeal_deadline(req) if appealable else None
    passed = deadline is not None and clock.today() > deadline
    return {
        "appealable": appealable and req.state == "notified",
        "deadline": deadline,
        "passed": passed,
        "appeals": appeals,
        "open": appealable and req.state == "notified" and not passed,
    }


def _context(request: HttpRequest, req: Request, **forms_given: Any) -> dict[str, Any]:
    user = _user(request)
    latest = dselectors.latest_decision(req)
    mine = [d for d in case_selectors.documents_of(req) if d.uploaded_by_id == user.pk]
    waiting = req.state == "awaiting_documents"
    return {
        "req": req,
        "service": service_registry.get(req.service),
        "rows": _rows(req),
        "now": _step_words(req.state, req),
        "paused": bool(req.paused_since),
        "due_on": req.due_on,
        "finished": req.workflow.states[req.state].terminal or req.clock_stopped_on is not None,
        "waiting": waiting,
        "asked_for": _asked_for(req) if waiting else "",
        "my_documents": [d for d in mine if d.superseded_by_id is None],
        "quarantined": SCAN_QUARANTINED,
        "may_upload": cases.UPLOAD in cases.allowed(user, req),
        "upload_form": forms_given.get("upload_form") or UploadForm(req=req),
        "decision": latest,
        "outcome": reasons.outcome_name(latest.outcome, _lang()) if latest else "",
        "letters": dselectors.letters_of(req),
        "appeal": _appeal(req),
        "appeal_form": forms_given.get("appeal_form") or AppealForm(),
        "survey": selectors.survey_of(req),
        "survey_form": forms_given.get("survey_form") or SurveyForm(),
        "thread": selectors.thread(req),
        "may_write": cases.ACT in cases.allowed(user, req),
        "message_form": forms_given.get("message_form") or MessageForm(),
    }


def _page(request: HttpRequest, req: Request, status: int = 200, **forms_given: Any) -> HttpResponse:
    return render(request, "portal/track/request.html", _context(request, req, **forms_given), status=status)


def _back(req: Request, anchor: str) -> HttpResponseRedirect:
    return redirect(reverse("portal:my_request", args=[req.number]) + anchor)


@require_GET
@citizen_required
def my_request(request: HttpRequest, number: str) -> HttpResponse:
    """One request: its steps and due dates, what is asked of the citizen, messages, the letter,
    the appeal and the survey. Viewing it is audited; the office's messages are marked read."""
    req = _mine(request, number)
    user = _user(request)
    tracking.viewed(actor=user, req=req)
    response = _page(request, req)
    tracking.mark_read(reader=user, request=req)
    return response


@require_http_methods(["POST"])
@citizen_required
def message(request: HttpRequest, number: str) -> HttpResponse:
    req = _mine(request, number)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            tracking.send_message(actor=_user(request), request_id=req.pk, text=form.cleaned_data["text"])
        except CaseError as exc:
            _on_form(form, exc, {"text": "text"})
        else:
            messages.success(request, _("ส่งข้อความถึงเจ้าหน้าที่แล้ว เจ้าหน้าที่จะตอบในหน้านี้"))
            return _back(req, "#h-messages")
    return _page(request, req, status=400, message_form=form)


@require_POST
@citizen_required
def upload(request: HttpRequest, number: str) -> HttpResponse:
    """One document answering what the office asked for (the request's documents, with their checks)."""
    req = _mine(request, number)
    form = UploadForm(request.POST, request.FILES, req=req)
    if form.is_valid():
        f = form.cleaned_data["file"]
        try:
            cases.add_document(
                actor=_user(request),
                request_id=req.pk,
                doc_type=form.cleaned_data["doc_type"],
                name=f.name or "",
                chunks=f.chunks(),
                size=f.size or 0,
            )
        except CaseError as exc:
            _on_form(form, exc, {"file": "file", "doc_type": "doc_type", "__all__": "file"})
        else:
            messages.success(request, _("อัปโหลดเอกสารแล้ว เมื่อครบแล้วกด “ส่งเอกสารให้เจ้าหน้าที่”"))
            return _back(req, "#h-asked")
    return _page(request, req, status=400, upload_form=form)


@require_POST
@citizen_required
def send_documents(request: HttpRequest, number: str) -> HttpResponse:
    """ "ส่งเอกสารให้เจ้าหน้าที่": the request goes back to the officer and its clock runs again."""
    req = _mine(request, number)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        tracking.send_documents(actor=_user(request), request_id=req.pk, expected_version=version)
    except CaseError as exc:
        messages.error(request, exc.message(_lang()))
    else:
        messages.success(request, _("ส่งเอกสารให้เจ้าหน้าที่แล้ว เริ่มนับเวลาต่อจากวันนี้"))
    return _back(req, "#h-steps")


@require_POST
@citizen_required
def appeal(request: HttpRequest, number: str) -> HttpResponse:
    """An appeal filed online: the workflow's ``appeal`` with the grounds as its comment (the
    decisions app checks the decision may be appealed and the period is not over)."""
    req = _mine(request, number)
    form = AppealForm(request.POST)
    if form.is_valid():
        try:
            cases.transition(
                actor=_user(request),
                request_id=req.pk,
                action="appeal",
                expected_version=None,
                comment=form.cleaned_data["grounds"],
            )
        except CaseError as exc:
            _on_form(form, exc, {"comment": "grounds"})
        else:
            messages.success(request, _("ยื่นอุทธรณ์แล้ว คณะกรรมการกองทุนยุติธรรมจะพิจารณา และแจ้งผลให้ท่านทราบ"))
            return _back(req, "#h-appeal")
    return _page(request, req, status=400, appeal_form=form)


@require_POST
@citizen_required
def survey(request: HttpRequest, number: str) -> HttpResponse:
    req = _mine(request, number)
    form = SurveyForm(request.POST)
    if form.is_valid():
        try:
            tracking.answer_survey(
                actor=_user(request),
                request_id=req.pk,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except CaseError as exc:
            _on_form(form, exc, {"score": "score", "comment": "comment"})
        else:
            messages.success(request, _("ขอบคุณที่ตอบแบบสอบถาม ความเห็นของท่านช่วยให้เราปรับปรุงบริการ"))
            return _back(req, "#h-survey")
    return _page(request, req, status=400, survey_form=form)


@require_GET
@citizen_required
def letter(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """The citizen's own decision letter (PDF, to save); another's is "not found", audited."""
    req = _mine(request, number)
    found = next((x for x in dselectors.letters_of(req) if x.pk == pk), None)
    if found is None:
        tracking.refused_look(actor=_user(request), number=f"{number} letter {pk}", what="letter")
        raise Http404("letter not found")
    try:
        data = dservices.read_stored(found.storage_name)
    except OSError:
        raise Http404("letter not stored") from None
    tracking.viewed(actor=_user(request), req=req, what="letter")
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in req.number)
    return pdf_attachment(data, f"letter-{safe}-{found.pk}.pdf")


urlpatterns: list[URLPattern] = [
    path("my/requests/", my_requests, name="my_requests"),
    path("my/requests/<str:number>/", my_request, name="my_request"),
    path("my/requests/<str:number>/message/", message, name="my_request_message"),
    path("my/requests/<str:number>/documents/", upload, name="my_request_upload"),
    path("my/requests/<str:number>/documents/send/", send_documents, name="my_request_send_documents"),
    path("my/requests/<str:number>/appeal/", appeal, name="my_request_appeal"),
    path("my/requests/<str:number>/survey/", survey, name="my_request_survey"),
    path("my/requests/<str:number>/letters/<int:pk>/", letter, name="my_request_letter"),
]
