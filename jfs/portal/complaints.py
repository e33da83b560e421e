"""Portal pages for complaints and feedback (issue 12, item 7): a public start page, then one
question per page (what about, which request, which office, who, what happened), check answers,
sent; the citizen's complaints with their answers, where they accept an answer or reopen it once.

The draft lives in the session until it is sent (a session that ends loses only the draft's
pages, never a sent complaint). Another citizen's complaint is a 404, and the attempt is audited."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from jfs.accounts import selectors as account_selectors
from jfs.accounts.models import User
from jfs.cases import selectors as case_selectors
from jfs.cases.errors import CaseError, field_message
from jfs.complaints import policy, selectors, services
from jfs.portal.access import citizen_required
from jfs.portal.http import citizen as _citizen
from jfs.portal.http import lang as _lang
from jfs.portal.http import see_other as _see_other

DRAFT = "complaint_draft"
#: the reference of the complaint the session's last draft became (a repeated "send" lands on it)
SENT = "complaint_sent"
STEPS = ("about", "request", "office", "person", "details")
#: the purpose recorded when a citizen opens their own complaint (as tracking records their requests)
OWN_VIEW = "the citizen's own complaint on the portal"


class AboutForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("ท่านต้องการร้องเรียนหรือแจ้งเรื่องใด"),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("กรุณาเลือกเรื่องที่ร้องเรียน")},
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        lang = _lang()
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(k, n.text(lang)) for k, n in policy.load().kinds.items()]


class RequestForm(forms.Form):
    request = forms.ChoiceField(
        label=gettext_lazy("เรื่องนี้เกี่ยวกับคำขอใดของท่าน"),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("กรุณาเลือกคำขอ หรือเลือกว่าไม่เกี่ยวกับคำขอใด")},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["request"]
        assert isinstance(field, forms.ChoiceField)
        mine = case_selectors.visible_requests(user).order_by("-received_on")[:20]
        en = _lang() == "en"
        field.choices = [(str(r.pk), f"{r.number} – {r.workflow.en if en else r.workflow.th}") for r in mine] + [
            ("none", _("ไม่เกี่ยวกับคำขอใด"))
        ]


class OfficeForm(forms.Form):
    office = forms.ChoiceField(
        label=gettext_lazy("สำนักงานที่เกี่ยวข้อง"),
        help_text=gettext_lazy("สำนักงานที่ให้บริการท่าน หรือสำนักงานในจังหวัดของท่าน"),
        error_messages={"required": gettext_lazy("กรุณาเลือกสำนักงานที่เกี่ยวข้อง")},
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["office"]
        assert isinstance(field, forms.ChoiceField)
        en = _lang() == "en"
        field.choices = [("", _("เลือกสำนักงาน"))] + [
            (o.code, o.name_en if en else o.name_th) for o in account_selectors.offices()
        ]


class PersonForm(forms.Form):
    named_person = forms.CharField(
        label=gettext_lazy("ชื่อของบุคคลที่ท่านร้องเรียน"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("ถ้าไม่ทราบชื่อ เว้นว่างได้ ถ้าเลือกคำขอไว้ เราจะส่งเรื่องถึงผู้รับผิดชอบคำขอนั้น"),
    )


class DetailsForm(forms.Form):
    subject = forms.CharField(
        label=gettext_lazy("หัวข้อเรื่อง"), max_length=200, error_messages={"required": gettext_lazy("กรุณากรอกหัวข้อเรื่อง")}
    )
    details = forms.CharField(
        label=gettext_lazy("เล่าว่าเกิดอะไรขึ้น"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("บอกวัน เวลา สถานที่ และสิ่งที่ท่านต้องการให้เราทำ"),
        error_messages={"required": gettext_lazy("กรุณาเล่ารายละเอียด")},
    )


class ReopenForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("เหตุผลที่ยังไม่พอใจคำตอบ"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": gettext_lazy("กรุณาบอกเหตุผลที่ยังไม่พอใจ")},
    )


def _draft(request: HttpRequest) -> dict[str, Any]:
    draft = request.session.get(DRAFT)
    return dict(draft) if isinstance(draft, dict) else {}


def _save(request: HttpRequest, draft: dict[str, Any]) -> None:
    # the draft's idempotency key, from its first answer: two submissions of it file one complaint
    draft.setdefault("key", uuid.uuid4().hex)
    request.session[DRAFT] = draft


def _applies(step: str, draft: dict[str, Any], user: User) -> bool:
    """Whether a question is asked, given the answers so far."""
    if step == "request":
        return case_selectors.visible_requests(user).exists()
    if step == "office":
        return not draft.get("request")
    if step == "person":
        return draft.get("kind") in ("officer", "lawyer")
    return True


def _next_url(step: str, draft: dict[str, Any], user: User) -> str:
    later = STEPS[STEPS.index(step) + 1 :]
    for s in later:
        if _applies(s, draft, user):
            return reverse("portal:complaint_step", args=[s])
    return reverse("portal:complaint_check")


def _back_url(step: str, draft: dict[str, Any], user: User) -> str:
    for s in reversed(STEPS[: STEPS.index(step)]):
        if _applies(s, draft, user):
            return reverse("portal:complaint_step", args=[s])
    return reverse("portal:complaints")


def start(request: HttpRequest) -> HttpResponse:
    """The public start page: what a complaint is for, what happens next, how long the answer takes."""
    pol = policy.load()
    return render(request, "portal/complaints/start.html", {"policy": pol, "kinds": pol.kinds.values()})


@citizen_required
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, name: str) -> HttpResponse:
    user = _citizen(request)
    if name not in STEPS:
        raise Http404
    draft = _draft(request)
    if name != "about" and "kind" not in draft:
        return _see_other(reverse("portal:complaint_step", args=["about"]))
    form: forms.Form
    initial = {k: draft.get(k, "") for k in ("kind", "office", "named_person", "subject", "details")}
    initial["request"] = draft.get("request") or ("none" if "request" in draft else "")
    data = request.POST if request.method == "POST" else None
    if name == "about":
        form = AboutForm(data, initial=initial)
        heading = _("ท่านต้องการร้องเรียนหรือแจ้งเรื่องใด")
    elif name == "request":
        form = RequestForm(data, initial=initial, user=user)
        heading = _("เรื่องนี้เกี่ยวกับคำขอใดของท่าน")
    elif name == "office":
        form = OfficeForm(data, initial=initial)
        heading = _("สำนักงานที่เกี่ยวข้อง")
    elif name == "person":
        form = PersonForm(data, initial=initial)
        heading = _("ชื่อของบุคคลที่ท่านร้องเรียน")
    else:
        form = DetailsForm(data, initial=initial)
        heading = _("เล่าว่าเกิดอะไรขึ้น")
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        if name == "request":
            values["request"] = "" if values["request"] == "none" else values["request"]
            if values["request"]:
                draft.pop("office", None)
        draft.update(values)
        _save(request, draft)
        if request.GET.get("change") == "1":
            return _see_other(reverse("portal:complaint_check"))
        return _see_other(_next_url(name, draft, user))
    return render(
        request,
        "portal/complaints/question.html",
        {
            "form": form,
            "heading": heading,
            "step": name,
            "back_url": _back_url(name, draft, user),
            "radios": name in ("about", "request"),
        },
        status=422 if request.method == "POST" else 200,
    )


def _summary(draft: dict[str, Any], user: User) -> list[tuple[str, str, str]]:
    lang = _lang()
    pol = policy.load()
    rows: list[tuple[str, str, str]] = []
    kind = pol.kinds.get(str(draft.get("kind", "")))
    rows.append((_("เรื่องที่ร้องเรียน"), kind.text(lang) if kind else "", "about"))
    if _applies("request", draft, user):
        req = case_selectors.visible_requests(user).filter(pk=draft.get("request") or 0).first()
        rows.append((_("คำขอที่เกี่ยวข้อง"), req.number if req else _("ไม่เกี่ยวกับคำขอใด"), "request"))
    if _applies("office", draft, user):
        office = account_selectors.offices().filter(code=draft.get("office", "")).first()
        rows.append(
            (_("สำนักงานที่เกี่ยวข้อง"), (office.name_en if lang == "en" else office.name_th) if office else "", "office")
        )
    if _applies("person", draft, user):
        rows.append((_("ชื่อของบุคคลที่ท่านร้องเรียน"), draft.get("named_person") or _("ไม่ระบุ"), "person"))
    rows.append((_("หัวข้อเรื่อง"), str(draft.get("subject", "")), "details"))
    rows.append((_("รายละเอียด"), str(draft.get("details", "")), "details"))
    return rows


@citizen_required
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest) -> HttpResponse:
    user = _citizen(request)
    draft = _draft(request)
    if not draft.get("kind") or not draft.get("details"):
        sent_reference = request.session.get(SENT)
        if request.method == "POST" and isinstance(sent_reference, str):
            # "send" again after the draft became a complaint (a double click, the back button)
            return _see_other(reverse("portal:complaint_sent", args=[sent_reference]))
        return _see_other(reverse("portal:complaint_step", args=["about"]))
    if "key" not in draft:  # a draft begun before drafts had keys
        _save(request, draft)
    errors: list[str] = []
    if request.method == "POST":
        office = None
        if draft.get("office"):
            office = account_selectors.offices().filter(code=draft["office"]).first()
        try:
            c = services.file_complaint(
                citizen=user,
                kind=str(draft["kind"]),
                subject=str(draft.get("subject", "")),
                details=str(draft.get("details", "")),
                office=office,
                request_id=int(draft["request"]) if str(draft.get("request") or "").isdigit() else None,
                named_person=str(draft.get("named_person", "")),
                submission_key=draft.get("key"),
            )
        except CaseError as exc:
            errors = [field_message(e, _lang()) for e in exc.errors] or [exc.message(_lang())]
        else:
            request.session.pop(DRAFT, None)
            request.session[SENT] = c.reference
            return _see_other(reverse("portal:complaint_sent", args=[c.reference]))
    return render(
        request,
        "portal/complaints/check.html",
        {"rows": _summary(draft, user), "errors": errors},
        status=422 if errors else 200,
    )


def _own(request: HttpRequest, reference: str) -> Any:
    user = _citizen(request)
    c = selectors.citizen_complaint(user, reference)
    if c is None:
        services.audit_denied(user, reference)
        raise Http404
    return c


@citizen_required
def sent(request: HttpRequest, reference: str) -> HttpResponse:
    c = _own(request, reference)
    services.audit_view(_citizen(request), c, purpose=OWN_VIEW)
    return render(request, "portal/complaints/sent.html", {"c": c, "policy": policy.load()})


@citizen_required
def mine(request: HttpRequest) -> HttpResponse:
    user = _citizen(request)
    states = policy.load().states
    rows = [(c, states[c.state]) for c in selectors.citizen_complaints(user)]
    return render(request, "portal/complaints/mine.html", {"rows": rows})


@citizen_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    user = _citizen(request)
    c = _own(request, reference)
    pol = policy.load()
    form = ReopenForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        # accept has no field: an empty bound form, so a refusal can be added to it (an unbound one has no cleaned_data)
        form = (
            ReopenForm(request.POST)
            if action == "reopen"
            else ReopenForm(data={}, empty_permitted=True, use_required_attribute=False)
        )
        if action not in ("accept", "reopen"):
            raise Http404
        if action == "accept" or form.is_valid():
            try:
                services.act(
                    actor=user,
                    complaint_id=c.pk,
                    action=action,
                    comment=form.cleaned_data.get("comment", "") if action == "reopen" else "",
                )
            except CaseError as exc:
                form.add_error("comment" if action == "reopen" else None, exc.message(_lang()))
                status = 422
            else:
                return _see_other(reverse("portal:complaint", args=[c.reference]))
        else:
            status = 422
    actions = {a.key for a in pol.actions_from(c.state, policy.CITIZEN)}
    if c.reopened >= pol.reopen_limit:
        actions.discard("reopen")
    services.audit_view(user, c, purpose=OWN_VIEW)  # each time the page is shown (a done POST redirects here)
    return render(
        request,
        "portal/complaints/detail.html",
        {
            "c": c,
            "state": pol.states[c.state],
            "kind": pol.kinds.get(c.kind),
            "actions": actions,
            "form": form,
            "policy": pol,
        },
        status=status,
    )


urlpatterns: list[URLPattern] = [
    path("complaints/", start, name="complaints"),
    path("complaints/new/check/", check, name="complaint_check"),
    path("complaints/new/<str:name>/", step, name="complaint_step"),
    path("complaints/mine/", mine, name="complaints_mine"),
    path("complaints/sent/<str:reference>/", sent, name="complaint_sent"),
    path("complaints/<str:reference>/", detail, name="complaint"),
]
