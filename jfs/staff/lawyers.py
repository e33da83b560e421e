"""Staff pages: lawyers (issue 11, item 3) — the roster, a lawyer's page, and a litigation request's
lawyer page (engagement, milestones and their payments, court costs, refunds, the case's result).

Every form posts to its own path and answers with a redirect to the page (303: refreshing posts
nothing); a refused post shows the page again with what was typed and the errors next to the fields
(422). Each form is shown only to those the service lets use it (``services.may_*``); money forms
to finance officers only. Each money form carries an idempotency key (a uuid4 made when the form is
rendered): a double submit posts once.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jfs.accounts import selectors as account_selectors
from jfs.accounts.http import StaffRequest
from jfs.accounts.models import Office
from jfs.audit.services import record
from jfs.cases import services as case_services
from jfs.cases.errors import CaseError, field_message
from jfs.cases.models import Request
from jfs.core import clock
from jfs.finance import models as fm
from jfs.lawyers import fees, selectors, services
from jfs.lawyers import models as m
from jfs.staff.access import staff_required
from jfs.staff.forms import BEDateField, NamedErrors, name_errors


def _lang() -> str:
    return "en" if (translation.get_language() or "th").startswith("en") else "th"


def _see_other(url: str) -> HttpResponse:
    resp = HttpResponseRedirect(url)
    resp.status_code = 303
    return resp


def _errors_on(form: forms.Form, exc: CaseError, fields: dict[str, str] | None = None) -> None:
    """A service's refusal on the form: each field error on its field, the rest on the form."""
    lang = _lang()
    errors = exc.errors or [{"field": "__all__", "message_th": exc.th, "message_en": exc.en}]
    for e in errors:
        name = (fields or {}).get(e.get("field", ""), e.get("field", ""))
        form.add_error(name if name in form.fields else None, field_message(e, lang))


def _key_field() -> forms.CharField:
    return forms.CharField(widget=forms.HiddenInput, max_length=100)


class KeyedForm(NamedErrors, forms.Form):
    """A form that posts money: its hidden idempotency key is made when it is first rendered."""

    key = _key_field()

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("initial", {}).setdefault("key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)


METHOD_CHOICES = fm.METHOD_CHOICES

# --------------------------------------------------------------------------- the roster


class LawyerForm(NamedErrors, forms.Form):
    name = forms.CharField(label=gettext_lazy("ชื่อ-นามสกุลทนายความ"), max_length=200)
    licence_no = forms.CharField(label=gettext_lazy("เลขที่ใบอนุญาตทนายความ"), max_length=20,
                                 help_text=gettext_lazy("เลขที่/ปี พ.ศ. ที่ออกใบอนุญาต เช่น 12345/2550"))
    office = forms.TypedChoiceField(label=gettext_lazy("ทะเบียนของสำนักงาน"), coerce=int)
    specialities = forms.MultipleChoiceField(label=gettext_lazy("ความเชี่ยวชาญ"), choices=m.SPECIALITY_CHOICES,
                                             widget=forms.CheckboxSelectMultiple)
    phone = forms.CharField(label=gettext_lazy("หมายเลขโทรศัพท์"), max_length=20, required=False)
    email = forms.CharField(label=gettext_lazy("อีเมล"), max_length=200, required=False)
    registered_on = BEDateField(label=gettext_lazy("วันที่ขึ้นทะเบียน"))

    def __init__(self, *args: Any, offices: list[Office], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["office"]
        assert isinstance(field, forms.ChoiceField)
        lang = _lang()
        field.choices = [(o.pk, o.name_en if lang == "en" else o.name_th) for o in offices]
        if len(offices) == 1:
            field.initial = offices[0].pk
        name_errors(self.fields)


def _maintained_offices(request: StaffRequest) -> list[Office]:
    user = request.user
    if not services.may_maintain(user):
        return []
    if user.office and user.office.is_central:
        return list(account_selectors.offices().order_by("code"))
    return [user.office] if user.office else []


@require_GET
@staff_required
def roster(request: StaffRequest) -> HttpResponse:
    """The roster with its search (name or licence), speciality filter and each lawyer's workload."""
    q = request.GET.get("q", "")[:100]
    speciality = request.GET.get("speciality", "")
    if speciality not in services.SPECIALITIES:
        speciality = ""
    rows = list(selectors.roster(request.user, q=q, speciality=speciality)[:500])
    labels = dict(m.SPECIALITY_CHOICES)
    return render(request, "staff/lawyers/list.html", {
        "rows": [{"lawyer": x, "specialities": [labels[c] for c in x.speciality_codes() if c in labels]} for x in rows],
        "q": q, "speciality": speciality, "specialities": m.SPECIALITY_CHOICES,
        "may_add": services.may_maintain(request.user),
    })


@require_http_methods(["GET", "POST"])
@staff_required
def lawyer_new(request: StaffRequest) -> HttpResponse:
    offices = _maintained_offices(request)
    if not offices:
        return render(request, "staff/forbidden.html", status=403)
    form = LawyerForm(request.POST or None, offices=offices, initial={"registered_on": clock.today()})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            c = form.cleaned_data
            office = next(o for o in offices if o.pk == c["office"])
            try:
                made = services.register_lawyer(actor=request.user, office=office, name=c["name"],
                                                licence_no=c["licence_no"], specialities=c["specialities"],
                                                phone=c["phone"], email=c["email"], registered_on=c["registered_on"])
            except CaseError as exc:
                _errors_on(form, exc)
                status = exc.status
            else:
                messages.success(request, _("ขึ้นทะเบียนทนายความแล้ว"))
                return _see_other(reverse("staff:lawyer", args=[made.pk]))
    return render(request, "staff/lawyers/new.html", {"form": form}, status=status)


class ConflictForm(NamedErrors, forms.Form):
    party_name = forms.CharField(label=gettext_lazy("ชื่อคู่กรณีที่ทนายความมีส่วนได้เสีย"), max_length=200)
    note = forms.CharField(label=gettext_lazy("หมายเหตุ"), max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        name_errors(self.fields)


def _visible_lawyer(request: StaffRequest, pk: int) -> m.Lawyer:
    found = selectors.lawyer(request.user, pk)
    if found is None:
        raise Http404("lawyer not found")
    return found


def _lawyer_page(request: StaffRequest, lawyer: m.Lawyer, conflict_form: ConflictForm | None = None,
                 status: int = 200) -> HttpResponse:
    may = services.may_maintain(request.user, lawyer.office)
    record("view_personal_data", actor=request.user, object_type="lawyer", object_id=str(lawyer.pk),
           purpose="lawyer roster", details={"contact": True})
    labels = dict(m.SPECIALITY_CHOICES)
    return render(request, "staff/lawyers/lawyer.html", {
        "lawyer": lawyer, "specialities": [labels[c] for c in lawyer.speciality_codes() if c in labels],
        "conflicts": list(lawyer.conflicts.all()), "engagements": selectors.engagements_of_lawyer(lawyer.pk),
        "workload": selectors.workload(lawyer.pk), "may_maintain": may,
        "conflict_form": (conflict_form or ConflictForm(prefix="conflict")) if may else None,
    }, status=status)


@require_GET
@staff_required
def lawyer_page(request: StaffRequest, pk: int) -> HttpResponse:
    """A lawyer: registration, specialities, contact details (audited), conflicts, engagements."""
    return _lawyer_page(request, _visible_lawyer(request, pk))


@require_POST
@staff_required
def lawyer_conflict(request: StaffRequest, pk: int) -> HttpResponse:
    lawyer = _visible_lawyer(request, pk)
    form = ConflictForm(request.POST, prefix="conflict")
    if form.is_valid():
        try:
            services.declare_conflict(actor=request.user, lawyer_id=lawyer.pk, party_name=form.cleaned_data["party_name"],
                                      note=form.cleaned_data["note"])
        except CaseError as exc:
            _errors_on(form, exc)
            return _lawyer_page(request, lawyer, form, exc.status)
        messages.success(request, _("บันทึกการมีส่วนได้เสียแล้ว"))
        return _see_other(reverse("staff:lawyer", args=[lawyer.pk]))
    return _lawyer_page(request, lawyer, form, 422)


@require_POST
@staff_required
def lawyer_active(request: StaffRequest, pk: int) -> HttpResponse:
    lawyer = _visible_lawyer(request, pk)
    try:
        services.set_active(actor=request.user, lawyer_id=lawyer.pk, active=request.POST.get("active") == "1")
    except CaseError as exc:
        messages.error(request, exc.message(_lang()))
    return _see_other(reverse("staff:lawyer", args=[lawyer.pk]))


# --------------------------------------------------------------------------- a request's lawyer


class EngageForm(NamedErrors, forms.Form):
    lawyer = forms.TypedChoiceField(label=gettext_lazy("ทนายความจากทะเบียน"), coerce=int)
    agreed_fee = forms.DecimalField(label=gettext_lazy("ค่าทนายความที่ตกลง (บาท)"), max_digits=14, decimal_places=2,
                                    min_value=Decimal("0.01"), localize=False,
                                    widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    engaged_on = BEDateField(label=gettext_lazy("วันที่แต่งตั้ง"))
    opposing_party = forms.CharField(label=gettext_lazy("คู่ความฝ่ายตรงข้าม"), max_length=200, required=False,
                                     help_text=gettext_lazy("ใช้ตรวจว่าทนายความมีส่วนได้เสียกับคู่ความหรือไม่"))

    def __init__(self, *args: Any, lawyers: list[m.Lawyer], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["lawyer"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("— เลือกทนายความ —"))] + [
            (x.pk, _("%(name)s (ใบอนุญาต %(licence)s, ว่าความอยู่ %(n)s คดี)") % {
                "name": x.name, "licence": x.licence_no, "n": getattr(x, "workload", 0)}) for x in lawyers]
        name_errors(self.fields)


class MilestoneForm(NamedErrors, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("ขั้นตอนของคดี"))
    report_on = BEDateField(label=gettext_lazy("วันที่ทนายความรายงาน"))
    summary = forms.CharField(label=gettext_lazy("สรุปรายงานของทนายความ"), max_length=2000, widget=forms.Textarea(
        attrs={"rows": 3}))
    report = forms.FileField(label=gettext_lazy("ไฟล์รายงานของทนายความ (PDF, JPEG หรือ PNG)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        lang = _lang()
        field.choices = [("", _("— เลือกขั้นตอน —"))] + [(k, fees.milestone_name(k, lang)) for k in fees.MILESTONE_KINDS]
        name_errors(self.fields)


class PayMilestoneForm(KeyedForm):
    on_date = BEDateField(label=gettext_lazy("วันที่จ่าย"))
    method = forms.ChoiceField(label=gettext_lazy("วิธีจ่ายเงิน"), choices=METHOD_CHOICES)
    reference = forms.CharField(label=gettext_lazy("เลขอ้างอิงการโอนหรือเลขที่เช็ค"), max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        name_errors(self.fields)


class CostForm(KeyedForm):
    item_key = forms.ChoiceField(label=gettext_lazy("รายการค่าใช้จ่าย"))
    amount = forms.DecimalField(label=gettext_lazy("จำนวนเงิน (บาท)"), max_digits=14, decimal_places=2,
                                min_value=Decimal("0.01"), localize=False,
                                widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    payee = forms.CharField(label=gettext_lazy("ผู้รับเงิน (ศาล ผู้เชี่ยวชาญ)"), max_length=300)
    on_date = BEDateField(label=gettext_lazy("วันที่จ่าย"))
    method = forms.ChoiceField(label=gettext_lazy("วิธีจ่ายเงิน"), choices=METHOD_CHOICES)
    reference = forms.CharField(label=gettext_lazy("เลขอ้างอิงการโอนหรือเลขที่เช็ค"), max_length=100, required=False)

    def __init__(self, *args: Any, items: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["item_key"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = items
        name_errors(self.fields)


class RefundForm(KeyedForm):
    item_key = forms.ChoiceField(label=gettext_lazy("รายการที่ได้รับเงินคืน"))
    amount = forms.DecimalField(label=gettext_lazy("จำนวนเงินที่ได้รับคืน (บาท)"), max_digits=14, decimal_places=2,
                                min_value=Decimal("0.01"), localize=False,
                                widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    reference = forms.CharField(label=gettext_lazy("เลขที่ใบรับเงินหรือหลักฐานการคืนเงิน"), max_length=100)
    on_date = BEDateField(label=gettext_lazy("วันที่ได้รับเงินคืน"))
    memo = forms.CharField(label=gettext_lazy("เหตุที่ได้รับเงินคืน"), max_length=500, required=False)

    def __init__(self, *args: Any, items: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["item_key"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = items
        name_errors(self.fields)


class ResultForm(NamedErrors, forms.Form):
    result = forms.ChoiceField(label=gettext_lazy("ผลคดี"), widget=forms.RadioSelect)
    result_on = BEDateField(label=gettext_lazy("วันที่ทราบผลคดี"))
    note = forms.CharField(label=gettext_lazy("รายละเอียดผลคดี"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    repayment_amount = forms.CharField(
        label=gettext_lazy("จำนวนเงินที่ผู้ได้รับความช่วยเหลือต้องชดใช้ (บาท)"), max_length=20, required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=gettext_lazy("กรอกเฉพาะผลคดีที่หลักเกณฑ์กำหนดให้ชดใช้เงินกองทุน"))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["result"]
        assert isinstance(field, forms.ChoiceField)
        lang = _lang()
        rows = []
        for code in fees.RESULT_KINDS:
            r = fees.result(code)
            note = (_("ต้องชดใช้เงินกองทุน") if r and r.repayment_required else _("ไม่ต้องชดใช้เงินกองทุน"))
            rows.append((code, f"{fees.result_name(code, lang)} ({note})"))
        field.choices = rows
        name_errors(self.fields)


def _visible_request(request: StaffRequest, pk: int) -> Request:
    req = selectors.visible_request(request.user, pk)
    if req is None or req.service != services.SERVICE:
        raise Http404("request not found")
    return req


def _item_choices(req: Request, keys: tuple[str, ...]) -> list[tuple[str, str]]:
    lang = _lang()
    return [(i.key, i.label_en if lang == "en" else i.label_th) for i in selectors.money(req.pk) if i.key in keys]


def _page(request: StaffRequest, req: Request, bound: dict[str, forms.Form] | None = None,
          status: int = 200) -> HttpResponse:
    """The request's lawyer page; ``bound`` holds a refused form (by its name) to show as typed."""
    user, bound = request.user, bound or {}
    lang = _lang()
    engagements = selectors.engagements(req.pk)
    active = next((e for e in engagements if e.status == m.ACTIVE), None)
    manage, pay = services.may_manage(user, req), services.may_pay(user, req)
    money = selectors.money(req.pk)
    has_lawyer_item = any(i.key == services.LAWYER_ITEM and i.committed > 0 for i in money)
    lawyers = []
    if manage and has_lawyer_item:
        lawyers = [x for x in selectors.roster(user, active=True)
                   if x.office_id == req.office_id or x.office.is_central]
    forms_: dict[str, Any] = {}
    if manage and has_lawyer_item:
        forms_["engage"] = bound.get("engage") or EngageForm(prefix="engage", lawyers=lawyers, initial={"engaged_on": clock.today()})
    if manage and active and not active.result:
        forms_["milestone"] = bound.get("milestone") or MilestoneForm(prefix="milestone", initial={"report_on": clock.today()})
        forms_["result"] = bound.get("result") or ResultForm(prefix="result", initial={"result_on": clock.today()})
    cost_items = _item_choices(req, services.COST_ITEMS)
    refund_items = _item_choices(req, services.REFUNDABLE_ITEMS)
    if pay and cost_items:
        forms_["cost"] = bound.get("cost") or CostForm(prefix="cost", items=cost_items, initial={"on_date": clock.today()})
    if pay and refund_items:
        forms_["refund"] = bound.get("refund") or RefundForm(prefix="refund", items=refund_items, initial={"on_date": clock.today()})
    rows = []
    for e in engagements:
        milestones = []
        for ms in e.milestones.all():
            form = None
            if pay and ms.payment_id is None and e.status == m.ACTIVE:
                form = bound.get(f"pay-{ms.pk}") or PayMilestoneForm(prefix=f"pay-{ms.pk}",
                                                                     initial={"on_date": clock.today()})
            milestones.append({"m": ms, "kind": fees.milestone_name(ms.kind, lang), "form": form})
        rows.append({"e": e, "milestones": milestones,
                     "scale": [(fees.milestone_name(k, lang), Decimal(v)) for k, v in e.scale.items()],
                     "result": fees.result_name(e.result, lang) if e.result else ""})
    case_services.audit_views(user, [req], "lawyer_engagement")
    item_names = {i.key: (i.label_en if lang == "en" else i.label_th) for i in money}
    postings = [{"e": p, "item": item_names.get(p.item_key, p.item_key), "amount": selectors.cash_amount(p)}
                for p in selectors.postings(req.pk)]
    return render(request, "staff/lawyers/engagement.html", {
        "req": req, "money": money, "engagements": rows, "active": active, "forms": forms_,
        "manage": manage, "pay": pay, "has_lawyer_item": has_lawyer_item, "postings": postings,
        "fees_unconfirmed": fees.load().unconfirmed,
    }, status=status)


def _page_url(req: Request, anchor: str = "") -> str:
    return reverse("staff:engagement", args=[req.pk]) + (f"#{anchor}" if anchor else "")


@require_GET
@staff_required
def engagement(request: StaffRequest, pk: int) -> HttpResponse:
    """A litigation request's lawyer, milestones, payments, refunds and result."""
    return _page(request, _visible_request(request, pk))


def _refused(request: StaffRequest, req: Request, name: str, form: forms.Form, exc: CaseError | None,
             fields: dict[str, str] | None = None) -> HttpResponse:
    if exc is not None:
        _errors_on(form, exc, fields)
    return _page(request, req, {name: form}, exc.status if exc is not None else 422)


@require_POST
@staff_required
def engage(request: StaffRequest, pk: int) -> HttpResponse:
    req = _visible_request(request, pk)
    lawyers = list(selectors.roster(request.user, active=True))
    form = EngageForm(request.POST, prefix="engage", lawyers=lawyers)
    if not form.is_valid():
        return _refused(request, req, "engage", form, None)
    c = form.cleaned_data
    try:
        services.engage(actor=request.user, request_id=req.pk, lawyer_id=c["lawyer"], agreed_fee=c["agreed_fee"],
                        engaged_on=c["engaged_on"], opposing_party=c["opposing_party"])
    except CaseError as exc:
        return _refused(request, req, "engage", form, exc)
    messages.success(request, _("แต่งตั้งทนายความแล้ว"))
    return _see_other(_page_url(req))


@require_POST
@staff_required
def milestone(request: StaffRequest, pk: int) -> HttpResponse:
    req = _visible_request(request, pk)
    active = selectors.active_engagement(req.pk)
    form = MilestoneForm(request.POST, request.FILES, prefix="milestone")
    if active is None:
        raise Http404("no active engagement")
    if not form.is_valid():
        return _refused(request, req, "milestone", form, None)
    c = form.cleaned_data
    upload = None
    if c["report"] is not None:
        f = c["report"]
        upload = case_services.Upload("lawyer_report", f.name or "report", f.chunks(), f.size or 0)
    try:
        services.report_milestone(actor=request.user, engagement_id=active.pk, kind=c["kind"],
                                  report_on=c["report_on"], summary=c["summary"], upload=upload)
    except CaseError as exc:
        return _refused(request, req, "milestone", form, exc, {"file": "report"})
    messages.success(request, _("บันทึกรายงานของทนายความแล้ว"))
    return _see_other(_page_url(req, "milestones"))


@require_POST
@staff_required
def pay_milestone(request: StaffRequest, pk: int, milestone_pk: int) -> HttpResponse:
    req = _visible_request(request, pk)
    ms = selectors.milestone(milestone_pk, req)
    if ms is None:
        raise Http404("milestone not found")
    name = f"pay-{ms.pk}"
    form = PayMilestoneForm(request.POST, prefix=name)
    if not form.is_valid():
        return _refused(request, req, name, form, None)
    c = form.cleaned_data
    try:
        services.pay_milestone(actor=request.user, key=c["key"], milestone_id=ms.pk, on=c["on_date"],
                               method=c["method"], reference=c["reference"])
    except CaseError as exc:
        return _refused(request, req, name, form, exc)
    messages.success(request, _("จ่ายค่าทนายความแล้ว"))
    return _see_other(_page_url(req, "milestones"))


@require_POST
@staff_required
def pay_cost(request: StaffRequest, pk: int) -> HttpResponse:
    req = _visible_request(request, pk)
    form = CostForm(request.POST, prefix="cost", items=_item_choices(req, services.COST_ITEMS))
    if not form.is_valid():
        return _refused(request, req, "cost", form, None)
    c = form.cleaned_data
    try:
        services.pay_cost(actor=request.user, key=c["key"], request_id=req.pk, item_key=c["item_key"],
                          amount=c["amount"], on=c["on_date"], payee=c["payee"], method=c["method"],
                          reference=c["reference"])
    except CaseError as exc:
        return _refused(request, req, "cost", form, exc)
    messages.success(request, _("จ่ายค่าใช้จ่ายแล้ว"))
    return _see_other(_page_url(req, "postings"))


@require_POST
@staff_required
def refund(request: StaffRequest, pk: int) -> HttpResponse:
    req = _visible_request(request, pk)
    form = RefundForm(request.POST, prefix="refund", items=_item_choices(req, services.REFUNDABLE_ITEMS))
    if not form.is_valid():
        return _refused(request, req, "refund", form, None)
    c = form.cleaned_data
    try:
        services.refund(actor=request.user, key=c["key"], request_id=req.pk, item_key=c["item_key"],
                        amount=c["amount"], on=c["on_date"], reference=c["reference"], memo=c["memo"])
    except CaseError as exc:
        return _refused(request, req, "refund", form, exc)
    messages.success(request, _("บันทึกการรับเงินคืนแล้ว"))
    return _see_other(_page_url(req, "postings"))


@require_POST
@staff_required
def result(request: StaffRequest, pk: int) -> HttpResponse:
    req = _visible_request(request, pk)
    active = selectors.active_engagement(req.pk)
    if active is None:
        raise Http404("no active engagement")
    form = ResultForm(request.POST, prefix="result")
    if not form.is_valid():
        return _refused(request, req, "result", form, None)
    c = form.cleaned_data
    try:
        services.record_result(actor=request.user, engagement_id=active.pk, result=c["result"], on=c["result_on"],
                               note=c["note"], repayment_amount=c["repayment_amount"])
    except CaseError as exc:
        return _refused(request, req, "result", form, exc)
    messages.success(request, _("บันทึกผลคดีแล้ว"))
    return _see_other(_page_url(req, "result"))


urlpatterns: list[URLPattern] = [
    path("lawyers/", roster, name="lawyers"),
    path("lawyers/new/", lawyer_new, name="lawyer_new"),
    path("lawyers/<int:pk>/", lawyer_page, name="lawyer"),
    path("lawyers/<int:pk>/conflict/", lawyer_conflict, name="lawyer_conflict"),
    path("lawyers/<int:pk>/active/", lawyer_active, name="lawyer_active"),
    path("requests/<int:pk>/lawyer/", engagement, name="engagement"),
    path("requests/<int:pk>/lawyer/engage/", engage, name="engagement_engage"),
    path("requests/<int:pk>/lawyer/milestone/", milestone, name="engagement_milestone"),
    path("requests/<int:pk>/lawyer/milestone/<int:milestone_pk>/pay/", pay_milestone, name="engagement_pay"),
    path("requests/<int:pk>/lawyer/cost/", pay_cost, name="engagement_cost"),
    path("requests/<int:pk>/lawyer/refund/", refund, name="engagement_refund"),
    path("requests/<int:pk>/lawyer/result/", result, name="engagement_result"),
]
