"""Staff pages: bail money (กทย.2) until it returns (issue 11, item 2).

- ``bail_list`` (``bail/``): the bail records the person may read (their office's; every office for
  the central office's staff, executives and auditors), filtered by status and office, with each
  record's next hearing; paged. Audited as a view of the requests listed.
- ``bail_record`` (``requests/<pk>/bail/``): the contract and its obligations, the orders, the
  deposits with their ledger entries, the hearings (upcoming first) with the appearance, the
  returns with the court's receipt, the money in figures (approved, deposited, returned, still out)
  and only the forms the person's role may use in the record's state. A non-appearance is shown at
  the top with a link to the request's recovery page. Audited as a view of personal data.
- Each form posts to its own sub-path; success answers with a redirect (Post/Redirect/Get), a
  refusal shows the page again with what was typed and the message on its field (422/409/403).
  Deposits and returns carry a hidden key made when the form is shown: a double submit posts once.

Reads go through ``jfs.bail.selectors``, writes through ``jfs.bail.services``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from jfs.accounts import selectors as account_selectors
from jfs.accounts.http import StaffRequest
from jfs.bail import models as m
from jfs.bail import selectors
from jfs.bail import services as bail
from jfs.cases import services as case_services
from jfs.cases.errors import CaseError, field_message
from jfs.cases.models import Request
from jfs.core import clock
from jfs.finance.models import METHOD_CHOICES
from jfs.staff.access import staff_required
from jfs.staff.forms import BEDateField, NamedErrors, name_errors
from jfslib import thaidate

PAGE_SIZE = 50
#: orders recorded here (forfeiture and fines are the recovery page's)
ORDER_CHOICES = [(k, v) for k, v in m.ORDER_KIND_CHOICES if k not in bail.RECOVERY_ORDERS]


def _lang() -> str:
    return "en" if (translation.get_language() or "th").startswith("en") else "th"


def _see_other(url: str) -> HttpResponse:
    resp = HttpResponseRedirect(url)
    resp.status_code = 303
    return resp


def _url(req: Request, anchor: str = "") -> str:
    return reverse("staff:bail_record", args=[req.pk]) + (f"#{anchor}" if anchor else "")


# --------------------------------------------------------------------------- forms


class OpenForm(NamedErrors, forms.Form):
    contract_number = forms.CharField(label=gettext_lazy("เลขที่สัญญาประกัน"), max_length=60)
    contract_on = BEDateField(label=gettext_lazy("วันที่ทำสัญญาประกัน"))
    role = forms.ChoiceField(label=gettext_lazy("ฐานะของกองทุน"), choices=m.ROLE_CHOICES, initial=m.DEPOSITOR)
    released_name = forms.CharField(label=gettext_lazy("ชื่อผู้ได้รับการปล่อยชั่วคราว"), max_length=200)
    authority = forms.ChoiceField(label=gettext_lazy("ผู้มีอำนาจสั่งปล่อยชั่วคราว"), choices=m.AUTHORITY_CHOICES)
    authority_name = forms.CharField(label=gettext_lazy("ชื่อศาลหรือหน่วยงาน"), max_length=200)
    case_number = forms.CharField(label=gettext_lazy("เลขคดี"), max_length=60, required=False)
    amount = forms.DecimalField(label=gettext_lazy("จำนวนเงินประกันตามคำสั่ง (บาท)"), max_digits=14, decimal_places=2,
                                min_value=0.01)
    obligations = forms.CharField(label=gettext_lazy("เงื่อนไขตามสัญญาประกัน"), max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        name_errors(self.fields)


class OrderForm(NamedErrors, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("คำสั่ง"), choices=[("", gettext_lazy("— เลือก —")), *ORDER_CHOICES])
    ordered_on = BEDateField(label=gettext_lazy("วันที่มีคำสั่ง"))
    authority = forms.ChoiceField(label=gettext_lazy("ผู้ออกคำสั่ง"), choices=m.AUTHORITY_CHOICES)
    authority_name = forms.CharField(label=gettext_lazy("ชื่อศาลหรือหน่วยงานที่สั่ง"), max_length=200)
    amount = forms.DecimalField(label=gettext_lazy("จำนวนเงินตามคำสั่ง (บาท)"), max_digits=14, decimal_places=2,
                                min_value=0.01, required=False,
                                help_text=gettext_lazy("เฉพาะคำสั่งให้วางหลักประกันเพิ่มหรือลดหลักประกัน"))
    reference = forms.CharField(label=gettext_lazy("เลขที่คำสั่ง"), max_length=100, required=False)
    note = forms.CharField(label=gettext_lazy("หมายเหตุ"), max_length=1000, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        name_errors(self.fields)


class DepositForm(NamedErrors, forms.Form):
    amount = forms.DecimalField(label=gettext_lazy("จำนวนเงินที่วาง (บาท)"), max_digits=14, decimal_places=2,
                                min_value=0.01)
    on = BEDateField(label=gettext_lazy("วันที่วางเงิน"))
    method = forms.ChoiceField(label=gettext_lazy("วิธีจ่ายเงิน"), choices=METHOD_CHOICES, initial="transfer")
    receipt_number = forms.CharField(label=gettext_lazy("เลขที่ใบรับเงินประกัน"), max_length=100)
    extra = forms.BooleanField(label=gettext_lazy("เป็นการวางหลักประกันเพิ่มตามคำสั่ง (ชั้นอุทธรณ์/ฎีกา)"), required=False)
    key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        name_errors(self.fields)


class FutureBEDateField(BEDateField):
    """A B.E. date that may lie ahead (a hearing)."""

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]  # a date, not text
        text = forms.CharField.to_python(self, value)
        if not text:
            return None
        try:
            return thaidate.parse_date(text, era="BE")
        except thaidate.DateInputError as exc:
            message = exc.message(translation.get_language())
            raise forms.ValidationError(f"{self.label}: {message}" if self.label else message) from None


class HearingForm(NamedErrors, forms.Form):
    on = FutureBEDateField(label=gettext_lazy("วันนัด"))
    at = forms.TimeField(label=gettext_lazy("เวลานัด"), input_formats=["%H:%M", "%H.%M"],
                         help_text=gettext_lazy("เช่น 09.30"),
                         widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "09.30"}))
    place = forms.CharField(label=gettext_lazy("สถานที่นัด"), max_length=200)
    purpose = forms.CharField(label=gettext_lazy("เรื่องที่นัด"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        name_errors(self.fields)
        self.fields["at"].error_messages["invalid"] = _("เวลานัด: กรุณากรอกเวลาเป็น ชั่วโมง.นาที เช่น 09.30")


class AppearanceForm(NamedErrors, forms.Form):
    appeared = forms.ChoiceField(label=gettext_lazy("ผู้ได้รับการปล่อยชั่วคราวมาตามนัดหรือไม่"), choices=[
        ("", gettext_lazy("— เลือก —")), ("yes", gettext_lazy("มาตามนัด")), ("no", gettext_lazy("ไม่มาตามนัด"))])
    note = forms.CharField(label=gettext_lazy("หมายเหตุ"), max_length=1000, required=False,
                           help_text=gettext_lazy("ถ้าไม่มาตามนัด กรุณาบันทึกสิ่งที่ทราบ"))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        name_errors(self.fields)


class ReturnForm(NamedErrors, forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("เหตุที่ได้รับเงินคืน"),
                               choices=[("", gettext_lazy("— เลือก —")), *m.BailReturn.REASON_CHOICES])
    amount = forms.DecimalField(label=gettext_lazy("จำนวนเงินที่ได้รับคืน (บาท)"), max_digits=14, decimal_places=2,
                                min_value=0.01)
    on = BEDateField(label=gettext_lazy("วันที่ได้รับเงินคืน"))
    court_receipt_number = forms.CharField(label=gettext_lazy("เลขที่ใบรับคืนเงินประกันของศาล"), max_length=100)
    key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        name_errors(self.fields)


#: the service's error fields and the form fields they are shown on
FIELD_MAP = {"at": "on", "ordered_on": "ordered_on", "contract_on": "contract_on"}


def _errors_on(form: forms.Form, exc: CaseError) -> None:
    lang = _lang()
    errors = exc.errors or [{"field": "__all__", "message_th": exc.th, "message_en": exc.en}]
    for e in errors:
        target = FIELD_MAP.get(e.get("field", ""), e.get("field", ""))
        form.add_error(target if target in form.fields and not form.fields[target].widget.is_hidden else None,
                       field_message(e, lang))


# --------------------------------------------------------------------------- the record page


def _request(request: StaffRequest, pk: int) -> Request:
    req = selectors.bail_request(request.user, pk)
    if req is None:
        raise Http404("request not found")
    return req


def _context(request: StaffRequest, req: Request, rec: m.BailRecord | None,
             bound: dict[str, forms.Form] | None = None) -> dict[str, Any]:
    user, bound = request.user, bound or {}
    today, now = clock.today(), clock.now()
    ctx: dict[str, Any] = {"req": req, "rec": rec, "lang": _lang(), "forms": {}}
    if rec is None:
        approved = bail.committed(req.pk)
        ctx["approved"] = approved
        if bail.may_keep(user, req) and req.state in bail.OPEN_STATES and approved > 0:
            details = req.details or {}
            ctx["forms"]["open"] = bound.get("open") or OpenForm(prefix="open", initial={
                "contract_on": today, "released_name": details.get("detainee_name", ""),
                "authority": details.get("authority", ""), "authority_name": details.get("authority_name", ""),
                "amount": approved})
        return ctx
    money = bail.money(rec)
    hearings = list(rec.hearings.all())
    orders = list(rec.orders.all())
    kinds = {o.kind for o in orders}
    live = rec.status in bail.LIVE
    keeper, payer = bail.may_keep(user, req), bail.may_move_money(user, req)
    ordered_extra = sum((o.amount or 0 for o in orders if o.kind == "extra_bail"), 0)
    deposited_extra = sum((d.amount for d in rec.deposits.all() if d.extra), 0)
    ctx.update({
        "money": money,
        "orders": orders,
        "deposits": list(rec.deposits.all()),
        "returns": list(rec.returns.all()),
        "absences": selectors.absences(rec),
    })
    appearance: dict[int, forms.Form] = {}
    if keeper and live:
        ctx["forms"]["order"] = bound.get("order") or OrderForm(prefix="order", initial={
            "ordered_on": today, "authority": rec.authority, "authority_name": rec.authority_name,
            "version": rec.version})
        ctx["forms"]["hearing"] = bound.get("hearing") or HearingForm(prefix="hearing")
        for h in hearings:
            if h.appeared is None and h.at <= now:
                key = f"appearance-{h.pk}"
                appearance[h.pk] = bound.get(key) or AppearanceForm(prefix=key)
    ctx["upcoming"] = [{"h": h, "form": appearance.get(h.pk)} for h in hearings if h.at >= now]
    ctx["past"] = [{"h": h, "form": appearance.get(h.pk)}
                   for h in sorted((h for h in hearings if h.at < now), key=lambda h: h.at, reverse=True)]
    if payer and live and (rec.status == m.CONTRACTED or ordered_extra > deposited_extra):
        ctx["forms"]["deposit"] = bound.get("deposit") or DepositForm(prefix="deposit", initial={
            "on": today, "key": str(uuid.uuid4()), "extra": rec.status != m.CONTRACTED,
            "amount": money.approved - money.still_out if rec.status == m.CONTRACTED else ordered_extra - deposited_extra})
    returnable = kinds & set(bail.RETURN_NEEDS.values())
    if payer and rec.status in (m.DEPOSITED, m.RELEASED) and money.still_out > 0 and returnable:
        ctx["forms"]["return"] = bound.get("return") or ReturnForm(prefix="return", initial={
            "on": today, "key": str(uuid.uuid4()), "amount": money.still_out,
            "reason": next(iter(sorted(returnable))) if len(returnable) == 1 else ""})
    ctx["refused_waiting"] = "refused" in kinds and rec.status == m.DEPOSITED and money.still_out > 0
    return ctx


def _page(request: StaffRequest, req: Request, rec: m.BailRecord | None, *, status: int = 200,
          bound: dict[str, forms.Form] | None = None) -> HttpResponse:
    case_services.audit_view(request.user, req, "bail_record")
    return render(request, "staff/bail/record.html", _context(request, req, rec, bound), status=status)


@require_GET
@staff_required
def bail_record(request: StaffRequest, pk: int) -> HttpResponse:
    req = _request(request, pk)
    return _page(request, req, selectors.record_of_request(request.user, req.pk))


def _refused(request: StaffRequest, req: Request, name: str, form: forms.Form, exc: CaseError | None) -> HttpResponse:
    status = 422
    if exc is not None:
        _errors_on(form, exc)
        status = exc.status
    return _page(request, req, selectors.record_of_request(request.user, req.pk), status=status, bound={name: form})


def _record_or_404(request: StaffRequest, req: Request) -> m.BailRecord:
    rec = selectors.record_of_request(request.user, req.pk)
    if rec is None:
        raise Http404("no bail record")
    return rec


@require_POST
@staff_required
def bail_open(request: StaffRequest, pk: int) -> HttpResponse:
    req = _request(request, pk)
    form = OpenForm(request.POST, prefix="open")
    if not form.is_valid():
        return _refused(request, req, "open", form, None)
    c = form.cleaned_data
    try:
        bail.open_record(request.user, req, bail.Contract(
            contract_number=c["contract_number"], contract_on=c["contract_on"], obligations=c["obligations"],
            role=c["role"], case_number=c["case_number"], released_name=c["released_name"],
            authority=c["authority"], authority_name=c["authority_name"], amount=c["amount"]))
    except CaseError as exc:
        return _refused(request, req, "open", form, exc)
    messages.success(request, _("เปิดเรื่องประกันแล้ว"))
    return _see_other(_url(req))


@require_POST
@staff_required
def bail_order(request: StaffRequest, pk: int) -> HttpResponse:
    req = _request(request, pk)
    rec = _record_or_404(request, req)
    form = OrderForm(request.POST, prefix="order")
    if not form.is_valid():
        return _refused(request, req, "order", form, None)
    c = form.cleaned_data
    try:
        bail.record_order(request.user, rec.pk, kind=c["kind"], ordered_on=c["ordered_on"], amount=c["amount"],
                          reference=c["reference"], note=c["note"], authority=c["authority"],
                          authority_name=c["authority_name"], expected_version=c["version"])
    except CaseError as exc:
        return _refused(request, req, "order", form, exc)
    messages.success(request, _("บันทึกคำสั่งแล้ว"))
    return _see_other(_url(req, "orders"))


@require_POST
@staff_required
def bail_deposit(request: StaffRequest, pk: int) -> HttpResponse:
    req = _request(request, pk)
    rec = _record_or_404(request, req)
    form = DepositForm(request.POST, prefix="deposit")
    if not form.is_valid():
        return _refused(request, req, "deposit", form, None)
    c = form.cleaned_data
    try:
        bail.deposit(request.user, rec.pk, amount=c["amount"], on=c["on"], receipt_number=c["receipt_number"],
                     key=c["key"], method=c["method"], extra=c["extra"])
    except CaseError as exc:
        return _refused(request, req, "deposit", form, exc)
    messages.success(request, _("บันทึกการวางเงินประกันแล้ว"))
    return _see_other(_url(req, "deposits"))


@require_POST
@staff_required
def bail_hearing(request: StaffRequest, pk: int) -> HttpResponse:
    req = _request(request, pk)
    rec = _record_or_404(request, req)
    form = HearingForm(request.POST, prefix="hearing")
    if not form.is_valid():
        return _refused(request, req, "hearing", form, None)
    c = form.cleaned_data
    at = timezone.make_aware(datetime.combine(c["on"], c["at"]), clock.FUND_TIMEZONE)
    try:
        bail.schedule_hearing(request.user, rec.pk, at=at, place=c["place"], purpose=c["purpose"])
    except CaseError as exc:
        return _refused(request, req, "hearing", form, exc)
    messages.success(request, _("บันทึกวันนัดแล้ว"))
    return _see_other(_url(req, "hearings"))


@require_POST
@staff_required
def bail_appearance(request: StaffRequest, pk: int, hearing: int) -> HttpResponse:
    req = _request(request, pk)
    rec = _record_or_404(request, req)
    found = rec.hearings.filter(pk=hearing).first()
    if found is None:
        raise Http404("no such hearing")
    key = f"appearance-{found.pk}"
    form = AppearanceForm(request.POST, prefix=key)
    if not form.is_valid():
        return _refused(request, req, key, form, None)
    try:
        bail.record_appearance(request.user, found.pk, appeared=form.cleaned_data["appeared"] == "yes",
                               note=form.cleaned_data["note"])
    except CaseError as exc:
        return _refused(request, req, key, form, exc)
    messages.success(request, _("บันทึกการมาตามนัดแล้ว"))
    return _see_other(_url(req, "hearings"))


@require_POST
@staff_required
def bail_return(request: StaffRequest, pk: int) -> HttpResponse:
    req = _request(request, pk)
    rec = _record_or_404(request, req)
    form = ReturnForm(request.POST, prefix="return")
    if not form.is_valid():
        return _refused(request, req, "return", form, None)
    c = form.cleaned_data
    try:
        bail.return_money(request.user, rec.pk, amount=c["amount"], on=c["on"], reason=c["reason"],
                          court_receipt_number=c["court_receipt_number"], key=c["key"])
    except CaseError as exc:
        return _refused(request, req, "return", form, exc)
    messages.success(request, _("บันทึกการรับเงินประกันคืนแล้ว"))
    return _see_other(_url(req, "returns"))


# --------------------------------------------------------------------------- the list


@require_GET
@staff_required
def bail_list(request: StaffRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in dict(m.STATUS_CHOICES) else ""
    office = request.GET.get("office", "")[:10]
    wide = selectors.sees_all_offices(request.user)
    qs = selectors.records_listed(request.user, status=status, office=office if wide else "")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    case_services.audit_views(request.user, [r.request for r in rows], "bail_list")
    return render(request, "staff/bail/list.html", {
        "page": page, "rows": rows, "status": status, "office": office, "statuses": m.STATUS_CHOICES,
        "offices": list(account_selectors.offices().order_by("code")) if wide else [], "lang": _lang(),
    })


urlpatterns: list[URLPattern] = [
    path("bail/", bail_list, name="bail_list"),
    path("requests/<int:pk>/bail/", bail_record, name="bail_record"),
    path("requests/<int:pk>/bail/open/", bail_open, name="bail_open"),
    path("requests/<int:pk>/bail/orders/", bail_order, name="bail_order"),
    path("requests/<int:pk>/bail/deposits/", bail_deposit, name="bail_deposit"),
    path("requests/<int:pk>/bail/hearings/", bail_hearing, name="bail_hearing"),
    path("requests/<int:pk>/bail/hearings/<int:hearing>/appearance/", bail_appearance, name="bail_appearance"),
    path("requests/<int:pk>/bail/returns/", bail_return, name="bail_return"),
]
