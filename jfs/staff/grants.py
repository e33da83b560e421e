"""Staff pages: project grants (กทย.4, issue 11).

- ``grants``: the grants the person may see, with their status, money paid and overdue reports
  (filters: status, overdue only).
- ``grant_assessment``: the case officer's assessment of a proposal (criteria of
  ``governance/grants.yaml`` scored 1–5 with notes, a recommendation), the grantee's history for
  the proposal; read by the committee and everyone who may see the request.
- ``grant``: an approved project's grant: the agreement (or its form), the instalments (a finance
  officer's pay form on the one that may be paid), progress reports, the final report, returns of
  unspent money, closing; each form shown only to the role that may use it in that state (the
  services refuse the same). Posts go to ``grant/<step>/``; a refusal renders the page again with the
  errors on their fields and what was typed kept (422), a success redirects (303).

Every form that moves money carries a hidden key made when it is rendered (uuid4): the same form
posted twice posts once.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jfs.accounts.http import StaffRequest
from jfs.accounts.models import User
from jfs.cases import selectors as case_selectors
from jfs.cases import services as case_services
from jfs.cases.errors import CaseError, NotPermitted, field_message
from jfs.cases.models import Request
from jfs.core import clock
from jfs.finance.models import METHOD_CHOICES
from jfs.grants import models as m
from jfs.grants import rules as grant_rules
from jfs.grants import selectors, services
from jfs.staff.access import staff_required
from jfs.staff.forms import BEDateField, NamedErrors, name_errors
from jfslib import thaidate

#: rows of the schedule the agreement's form offers
SCHEDULE_ROWS = 6


def _lang() -> str:
    return "en" if (translation.get_language() or "th").startswith("en") else "th"


def _see_other(url: str) -> HttpResponse:
    resp = HttpResponseRedirect(url)
    resp.status_code = 303
    return resp


def _grant_url(req: Request, anchor: str = "") -> str:
    return reverse("staff:grant", args=[req.pk]) + (f"#{anchor}" if anchor else "")


# --------------------------------------------------------------------------- forms


class PlanDateField(BEDateField):
    """A B.E. date that may lie ahead (a project's end, a report's due day)."""

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]  # a date, not text
        text = forms.CharField.to_python(self, value)
        if not text:
            return None
        try:
            return thaidate.parse_date(text, era="BE")
        except thaidate.DateInputError as exc:
            message = exc.message(translation.get_language())
            raise forms.ValidationError(f"{self.label}: {message}" if self.label else message) from None


class AssessmentForm(NamedErrors, forms.Form):
    recommendation = forms.ChoiceField(label=gettext_lazy("ข้อเสนอแนะต่อคณะอนุกรรมการ"), choices=m.RECOMMENDATION_CHOICES,
                                       widget=forms.RadioSelect)
    summary = forms.CharField(label=gettext_lazy("สรุปความเห็น"), max_length=3000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        lang = _lang()
        scale = grant_rules.rules().scale
        for c in grant_rules.rules().criteria:
            self.fields[f"score_{c.code}"] = forms.TypedChoiceField(
                label=c.name(lang), coerce=int, widget=forms.RadioSelect,
                choices=[(n, f"{n} – {scale[n].name(lang)}") for n in grant_rules.SCORES])
            self.fields[f"note_{c.code}"] = forms.CharField(
                label=_("หมายเหตุ: %(name)s") % {"name": c.name(lang)}, max_length=1000, required=False)
        name_errors(self.fields)

    def criteria(self) -> list[tuple[Any, Any]]:
        return [(self[f"score_{c.code}"], self[f"note_{c.code}"]) for c in grant_rules.rules().criteria]

    def scores(self) -> dict[str, dict[str, Any]]:
        d = self.cleaned_data
        return {c.code: {"score": d[f"score_{c.code}"], "note": d.get(f"note_{c.code}") or ""}
                for c in grant_rules.rules().criteria}


class AgreementForm(NamedErrors, forms.Form):
    number = forms.CharField(label=gettext_lazy("เลขที่สัญญารับทุน"), max_length=60)
    signed_on = BEDateField(label=gettext_lazy("วันที่ลงนามสัญญา"))
    period_start = PlanDateField(label=gettext_lazy("วันเริ่มโครงการ"))
    period_end = PlanDateField(label=gettext_lazy("วันสิ้นสุดโครงการ"))
    signed_for_grantee = forms.CharField(label=gettext_lazy("ผู้ลงนามแทนองค์กร"), max_length=200)
    document = forms.TypedChoiceField(label=gettext_lazy("ไฟล์สัญญารับทุน"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, documents: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        for n in range(1, SCHEDULE_ROWS + 1):
            self.fields[f"amount_{n}"] = forms.DecimalField(
                label=_("งวดที่ %(n)s: จำนวนเงิน (บาท)") % {"n": n}, required=n == 1, min_value=0, max_digits=14,
                decimal_places=2, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
            if n > 1:
                self.fields[f"due_{n}"] = PlanDateField(
                    label=_("งวดที่ %(n)s: วันครบกำหนดส่งรายงานความก้าวหน้าฉบับที่ %(r)s") % {"n": n, "r": n - 1},
                    required=False)
        doc = self.fields["document"]
        assert isinstance(doc, forms.ChoiceField)
        doc.choices = [("", _("— ไม่แนบ —")), *((d.pk, d.original_name) for d in documents)]
        name_errors(self.fields)

    def schedule_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"amount_{n}"], self[f"due_{n}"] if n > 1 else None) for n in range(1, SCHEDULE_ROWS + 1)]

    def schedule(self) -> list[services.PlannedInstalment]:
        d, out = self.cleaned_data, []
        for n in range(1, SCHEDULE_ROWS + 1):
            if d.get(f"amount_{n}") is not None:
                out.append(services.PlannedInstalment(d[f"amount_{n}"], d.get(f"due_{n}")))
        return out


class _DocumentForm(NamedErrors, forms.Form):
    doc_type = ""
    document = forms.TypedChoiceField(label=gettext_lazy("ไฟล์รายงาน"), coerce=int)

    def __init__(self, *args: Any, documents: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        doc = self.fields["document"]
        assert isinstance(doc, forms.ChoiceField)
        doc.choices = [("", _("— เลือก —")), *((d.pk, d.original_name) for d in documents)]
        doc.help_text = _("อัปโหลดไฟล์ในหน้าคำขอ (เอกสาร) ก่อน แล้วเลือกที่นี่")
        name_errors(self.fields)


class ProgressForm(_DocumentForm):
    received_on = BEDateField(label=gettext_lazy("วันที่ได้รับรายงาน"))
    period_from = BEDateField(label=gettext_lazy("ช่วงที่รายงาน: ตั้งแต่"))
    period_to = BEDateField(label=gettext_lazy("ช่วงที่รายงาน: ถึง"))
    activities = forms.CharField(label=gettext_lazy("กิจกรรมที่ดำเนินการ"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))
    people_reached = forms.IntegerField(label=gettext_lazy("ผู้ได้รับประโยชน์สะสม (คน)"), min_value=0, max_value=10_000_000)
    spent = forms.DecimalField(label=gettext_lazy("ใช้จ่ายสะสม (บาท)"), min_value=0, max_digits=14, decimal_places=2,
                               widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    field_order = ["received_on", "period_from", "period_to", "activities", "people_reached", "spent", "document"]


class FinalForm(_DocumentForm):
    received_on = BEDateField(label=gettext_lazy("วันที่ได้รับรายงานผล"))
    outputs = forms.CharField(label=gettext_lazy("ผลผลิตของโครงการ"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))
    people_reached = forms.IntegerField(label=gettext_lazy("ผู้ได้รับประโยชน์ทั้งหมด (คน)"), min_value=0, max_value=10_000_000)
    total_spent = forms.DecimalField(label=gettext_lazy("ใช้จ่ายจริงทั้งหมด (บาท)"), min_value=0, max_digits=14,
                                     decimal_places=2, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    field_order = ["received_on", "outputs", "people_reached", "total_spent", "document"]


class PayForm(NamedErrors, forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, max_length=60)
    instalment = forms.IntegerField(widget=forms.HiddenInput)
    on = BEDateField(label=gettext_lazy("วันที่จ่าย"))
    method = forms.ChoiceField(label=gettext_lazy("วิธีจ่ายเงิน"), choices=[("", gettext_lazy("— เลือก —")), *METHOD_CHOICES])
    reference = forms.CharField(label=gettext_lazy("เลขที่อ้างอิงการโอน/เช็ค"), max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        name_errors(self.fields)


class ReturnForm(NamedErrors, forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, max_length=60)
    amount = forms.DecimalField(label=gettext_lazy("จำนวนเงินที่รับคืน (บาท)"), min_value=0, max_digits=14,
                                decimal_places=2, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    received_on = BEDateField(label=gettext_lazy("วันที่รับเงินคืน"))
    receipt_number = forms.CharField(label=gettext_lazy("เลขที่ใบรับเงิน"), max_length=100)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        name_errors(self.fields)


def _on_form(form: forms.Form, exc: CaseError, fields: dict[str, str]) -> None:
    """A service's refusal on the form: each field error on its field, the rest on the form."""
    lang = _lang()
    for e in exc.errors or [{"field": "__all__", "message_th": exc.th, "message_en": exc.en}]:
        name = e.get("field", "")
        target = fields.get(name, fields.get(name.split(".")[0], name))
        form.add_error(target if target in form.fields else None, field_message(e, lang))


# --------------------------------------------------------------------------- the list


@require_GET
@staff_required
def grant_list(request: StaffRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in dict(m.STATUS_CHOICES) else ""
    overdue = request.GET.get("overdue") == "1"
    rows = selectors.grant_list(request.user, status=status, overdue=overdue)
    case_services.audit_views(request.user, [r["grant"].request for r in rows], "grant_list")
    return render(request, "staff/grants/list.html", {
        "rows": rows, "status": status, "overdue": overdue, "statuses": m.STATUS_CHOICES, "lang": _lang()})


# --------------------------------------------------------------------------- the assessment


def _project(user: User, pk: int) -> Request:
    req = case_selectors.get_visible(user, pk)
    if req.service != services.SERVICE:
        raise Http404("not a project request")
    return req


@require_http_methods(["GET", "POST"])
@staff_required
def assessment(request: StaffRequest, pk: int) -> HttpResponseBase:
    req = _project(request.user, pk)
    current = selectors.assessment_of(req)
    may_assess = services.may_handle(request.user, req) and req.state in services.ASSESSING
    status = 200
    if request.method == "POST":
        if not may_assess:
            messages.error(request, _("ท่านประเมินข้อเสนอโครงการนี้ในขั้นตอนนี้ไม่ได้"))
            return render(request, "staff/forbidden.html", status=403)
        form = AssessmentForm(request.POST, prefix="a")
        status = 422
        if form.is_valid():
            try:
                services.assess(actor=request.user, request_id=req.pk, scores=form.scores(),
                                recommendation=form.cleaned_data["recommendation"], summary=form.cleaned_data["summary"],
                                expected_version=current.version if current else None)
            except CaseError as exc:
                _on_form(form, exc, {"recommendation": "recommendation", "summary": "summary",
                                     **{f"scores.{c.code}": f"score_{c.code}" for c in grant_rules.rules().criteria}})
                status = exc.status
            else:
                messages.success(request, _("บันทึกการประเมินข้อเสนอโครงการแล้ว"))
                return _see_other(reverse("staff:grant_assessment", args=[req.pk]))
    else:
        initial: dict[str, Any] = {}
        if current is not None:
            initial = {"recommendation": current.recommendation, "summary": current.summary}
            for code, row in current.scores.items():
                initial[f"score_{code}"], initial[f"note_{code}"] = row.get("score"), row.get("note", "")
        form = AssessmentForm(initial=initial, prefix="a")
    case_services.audit_views(request.user, [req], "grant_assessment")
    lang = _lang()
    return render(request, "staff/grants/assessment.html", {
        "req": req, "details": req.details or {}, "assessment": current,
        "rows": selectors.assessment_rows(current, lang), "total": selectors.assessment_total(current),
        "recommendation": dict(m.RECOMMENDATION_CHOICES).get(current.recommendation, "") if current else "",
        "form": form if may_assess else None, "history": selectors.history_for_request(request.user, req),
        "unconfirmed": grant_rules.rules().unconfirmed, "lang": lang,
    }, status=status)


# --------------------------------------------------------------------------- the grant page


def _context(request: StaffRequest, req: Request, **forms_in: Any) -> dict[str, Any]:
    user, lang = request.user, _lang()
    grant = selectors.grant_of(req)
    officer = services.may_handle(user, req)
    payer = services.may_pay(user, req)
    used = selectors.used_documents(grant)
    ctx: dict[str, Any] = {"req": req, "details": req.details or {}, "grant": grant, "lang": lang,
                           "assessment": selectors.assessment_of(req),
                           "history": selectors.history_for_request(user, req)}
    committed = selectors.committed_lines(req)
    ctx["committed_total"] = sum(committed.values())
    if grant is None:
        if officer and req.state in services.AFTER_APPROVAL and committed:
            ctx["agreement_form"] = forms_in.get("agreement") or AgreementForm(
                prefix="ag", documents=selectors.documents_of(req, "grant_agreement"),
                initial={"signed_on": clock.today(), "amount_1": ctx["committed_total"]})
        return ctx
    ctx["money"] = selectors.money(grant)
    ctx["instalments"] = selectors.instalments(grant)
    ctx["progress_reports"] = list(grant.progress_reports.select_related("document"))
    ctx["final"] = selectors.final_report(grant)
    ctx["returns"] = list(grant.returns.all())
    ctx["overdue"] = selectors.overdue_reports(grant)
    ctx["unspent"] = services.unspent(grant)
    active = grant.status == m.ACTIVE
    if payer:
        payable = next((row for row in ctx["instalments"] if row["payable"]), None)
        if payable is not None:
            ctx["pay_for"] = payable["instalment"]
            ctx["pay_form"] = forms_in.get("pay") or PayForm(prefix="pay", initial={
                "key": uuid.uuid4().hex, "instalment": payable["instalment"].pk, "on": clock.today()})
        if grant.status != m.CLOSED and ctx["money"].net_paid > 0:
            ctx["return_form"] = forms_in.get("return") or ReturnForm(prefix="ret", initial={
                "key": uuid.uuid4().hex, "received_on": clock.today(), "amount": ctx["unspent"] or None})
    if officer and active:
        ctx["progress_form"] = forms_in.get("progress") or ProgressForm(
            prefix="pr", documents=selectors.documents_of(req, "progress_report", used),
            initial={"received_on": clock.today()})
        ctx["final_form"] = forms_in.get("final") or FinalForm(
            prefix="fr", documents=selectors.documents_of(req, "final_report", used), initial={"received_on": clock.today()})
    ctx["may_close"] = officer and grant.status == m.REPORTED and ctx["unspent"] == 0
    ctx["may_upload"] = case_services.UPLOAD in case_services.allowed(user, req)
    return ctx


@require_GET
@staff_required
def grant(request: StaffRequest, pk: int) -> HttpResponse:
    req = _project(request.user, pk)
    case_services.audit_views(request.user, [req], "grant")
    return render(request, "staff/grants/grant.html", _context(request, req))


STEPS = ("agreement", "progress", "final", "pay", "return", "close")


@require_POST
@staff_required
def grant_step(request: StaffRequest, pk: int, step: str) -> HttpResponseBase:
    if step not in STEPS:
        raise Http404("no such step")
    req = _project(request.user, pk)
    grant_row = selectors.grant_of(req)
    user = request.user
    try:
        if step == "agreement":
            form: forms.Form = AgreementForm(request.POST, prefix="ag",
                                             documents=selectors.documents_of(req, "grant_agreement"))
            if not services.may_handle(user, req):
                raise NotPermitted("เฉพาะเจ้าหน้าที่ผู้รับผิดชอบคดีของสำนักงานบันทึกสัญญารับทุนได้",
                                   "Only the office's case officers record a grant agreement")
            if form.is_valid():
                d = form.cleaned_data
                assert isinstance(form, AgreementForm)
                services.make_agreement(actor=user, request_id=req.pk, number=d["number"], signed_on=d["signed_on"],
                                        period_start=d["period_start"], period_end=d["period_end"],
                                        signed_for_grantee=d["signed_for_grantee"], instalments=form.schedule(),
                                        document_id=d.get("document"))
                messages.success(request, _("บันทึกสัญญารับทุนแล้ว"))
                return _see_other(_grant_url(req))
            return _again(request, req, "agreement", form)
        if grant_row is None:
            raise Http404("no grant yet")
        used = selectors.used_documents(grant_row)
        if step == "progress":
            form = ProgressForm(request.POST, prefix="pr", documents=selectors.documents_of(req, "progress_report", used))
            if form.is_valid():
                d = form.cleaned_data
                services.record_progress_report(actor=user, agreement_id=grant_row.pk, received_on=d["received_on"],
                                                period_from=d["period_from"], period_to=d["period_to"],
                                                activities=d["activities"], people_reached=d["people_reached"],
                                                spent=d["spent"], document_id=d["document"])
                messages.success(request, _("บันทึกรายงานความก้าวหน้าแล้ว"))
                return _see_other(_grant_url(req, "progress"))
            return _again(request, req, "progress", form)
        if step == "final":
            form = FinalForm(request.POST, prefix="fr", documents=selectors.documents_of(req, "final_report", used))
            if form.is_valid():
                d = form.cleaned_data
                services.record_final_report(actor=user, agreement_id=grant_row.pk, received_on=d["received_on"],
                                             outputs=d["outputs"], people_reached=d["people_reached"],
                                             total_spent=d["total_spent"], document_id=d["document"])
                messages.success(request, _("บันทึกรายงานผลการดำเนินโครงการแล้ว"))
                return _see_other(_grant_url(req, "final"))
            return _again(request, req, "final", form)
        if step == "pay":
            form = PayForm(request.POST, prefix="pay")
            if form.is_valid():
                d = form.cleaned_data
                if not grant_row.instalments.filter(pk=d["instalment"]).exists():
                    raise Http404("no such instalment")
                inst = services.pay_instalment(actor=user, instalment_id=d["instalment"], key=d["key"], on=d["on"],
                                               method=d["method"], reference=d["reference"])
                messages.success(request, _("จ่ายเงินงวดที่ %(n)s แล้ว") % {"n": inst.sequence})
                return _see_other(_grant_url(req, "instalments"))
            return _again(request, req, "pay", form)
        if step == "return":
            form = ReturnForm(request.POST, prefix="ret")
            if form.is_valid():
                d = form.cleaned_data
                services.receive_unspent(actor=user, agreement_id=grant_row.pk, key=d["key"], amount=d["amount"],
                                         on=d["received_on"], receipt_number=d["receipt_number"])
                messages.success(request, _("บันทึกการรับเงินเหลือจ่ายคืนแล้ว"))
                return _see_other(_grant_url(req, "returns"))
            return _again(request, req, "return", form)
        services.close_grant(actor=user, agreement_id=grant_row.pk)
        messages.success(request, _("ปิดโครงการแล้ว"))
        return _see_other(_grant_url(req))
    except NotPermitted as exc:
        messages.error(request, exc.message(_lang()))
        return render(request, "staff/grants/grant.html", _context(request, req), status=403)
    except CaseError as exc:
        if step == "close":
            messages.error(request, exc.message(_lang()))
            return _see_other(_grant_url(req))
        _on_form(form, exc, {"on_date": "on", "key": "__all__", "instalment": "__all__", "document_id": "document",
                             "instalments": "amount_1", **{f"instalments.{i}": f"amount_{i + 1}" for i in range(SCHEDULE_ROWS)}})
        return _again(request, req, step, form, status=exc.status)


def _again(request: StaffRequest, req: Request, step: str, form: forms.Form, status: int = 422) -> HttpResponse:
    """The page again with the refused form: its errors on their fields, what was typed kept."""
    names = {"agreement": "agreement", "progress": "progress", "final": "final", "pay": "pay", "return": "return"}
    ctx = _context(request, req, **{names[step]: form})
    ctx["focus"] = step
    return render(request, "staff/grants/grant.html", ctx, status=status)


urlpatterns = [
    path("grants/", grant_list, name="grants"),
    path("requests/<int:pk>/grant/", grant, name="grant"),
    path("requests/<int:pk>/grant/assessment/", assessment, name="grant_assessment"),
    path("requests/<int:pk>/grant/<str:step>/", grant_step, name="grant_step"),
]
