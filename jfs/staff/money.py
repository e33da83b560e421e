"""Staff pages of the money (issue 11, items 1 and 5): budgets, the ledger, its exports and the
monthly statement, and a request's payments by cost item with receipts.

- ``money`` (and ``budgets``): per fiscal year (B.E.), office and service: allotted, committed,
  spent and available (overcommitted said in words), with totals; the finance officers allot and
  transfer (central finance for any office, provincial for their own); closing a fiscal year
  (central finance) goes through a confirmation page.
- ``ledger``: the entries of a fiscal year, filtered, paged by id (never counted); an entry's page
  with its lines, receipt and the reversal (finance; a reason; a confirmation page). Downloads as
  CSV and XLSX, and an office's monthly statement (page and CSV): every export is audited.
- ``payments``: a request's approved cost items (committed, paid, returned, still payable), the
  finance officers' forms to pay an item with the payee's receipt and to record money returned.

Every form carries a hidden idempotency key made when it is rendered: a double submit posts once.
Reads go through ``jfs.finance.selectors``, writes through ``jfs.finance.services`` and
``jfs.finance.payments``; a refusal comes back on its field, in Thai (English when the page is),
with what was typed kept, never a 500.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from jfs.accounts import selectors as account_selectors
from jfs.accounts.http import StaffRequest
from jfs.accounts.models import Office, User
from jfs.audit.services import record
from jfs.cases import services as case_services
from jfs.cases import workflows
from jfs.cases.errors import CaseError, field_message
from jfs.core import clock
from jfs.core.downloads import no_active_content
from jfs.finance import accounts as acc
from jfs.finance import exports, payments, selectors, services
from jfs.finance import models as m
from jfs.staff.access import staff_required
from jfs.staff.forms import BEDateField, NamedErrors, name_errors
from jfslib.thaidate import fiscal_year

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _lang() -> str:
    return "en" if (translation.get_language() or "th").startswith("en") else "th"


def _see_other(url: str) -> HttpResponse:
    resp = HttpResponseRedirect(url)
    resp.status_code = 303  # after a POST: refreshing the page posts nothing
    return resp


def _forbidden(request: StaffRequest) -> HttpResponse:
    return render(request, "staff/forbidden.html", status=403)


def _new_key() -> str:
    return str(uuid.uuid4())


def service_choices() -> list[tuple[str, str]]:
    lang = _lang()
    return [(code, wf.en if lang == "en" else wf.th) for code, wf in workflows.all_definitions().items()]


def service_name(code: str) -> str:
    return dict(service_choices()).get(code, code)


def office_name(office: Office) -> str:
    return office.name_en if _lang() == "en" else office.name_th


def posts_for(user: User, office: Office) -> bool:
    """Whether the page offers ``user`` the postings of ``office`` (the services refuse the same)."""
    central = user.office is not None and user.office.is_central
    return user.role in services.POSTERS and (central or user.office_id == office.pk)


def poster_offices(user: User) -> list[Office]:
    if user.role not in services.POSTERS or user.office is None:
        return []
    if user.office.is_central:
        return list(account_selectors.offices().order_by("-is_central", "code"))
    return [user.office]


def _errors_on(form: forms.Form, exc: CaseError, fields: dict[str, str]) -> None:
    """A service's refusal on the form: each field error on its field, the rest above the form."""
    lang = _lang()
    errors = exc.errors or [{"field": "__all__", "message_th": exc.th, "message_en": exc.en}]
    for e in errors:
        target = fields.get(e.get("field", ""), e.get("field", ""))
        form.add_error(target if target in form.fields else None, field_message(e, lang))


def _int(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


def _reader(request: StaffRequest) -> bool:
    return selectors.reads_money(request.user)


# --------------------------------------------------------------------------- forms


class MoneyForm(NamedErrors, forms.Form):
    """Every posting form: an idempotency key made when the form is shown, kept when it comes back."""

    key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("key", _new_key())

    def finish(self) -> None:
        name_errors(self.fields)
        self.fields["key"].error_messages["required"] = _("แบบฟอร์มหมดอายุ กรุณาส่งอีกครั้ง")


def _amount_field() -> forms.CharField:
    # text, not a number input: "12,500.50" as people type it; the ledger's rule says what is wrong
    return forms.CharField(label=gettext_lazy("จำนวนเงิน (บาท)"), max_length=20, help_text=gettext_lazy("เช่น 12,500.00"),
                           widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))


class AllotForm(MoneyForm):
    office = forms.TypedChoiceField(label=gettext_lazy("สำนักงาน"), coerce=int)
    service = forms.ChoiceField(label=gettext_lazy("บริการ"))
    amount = _amount_field()
    on = BEDateField(label=gettext_lazy("วันที่จัดสรร"))
    memo = forms.CharField(label=gettext_lazy("หมายเหตุ"), max_length=500, required=False)

    def __init__(self, *args: Any, offices: list[Office], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["office"].choices = [(o.pk, office_name(o)) for o in offices]  # type: ignore[attr-defined]
        self.fields["service"].choices = service_choices()  # type: ignore[attr-defined]
        self.finish()


class TransferForm(MoneyForm):
    source_office = forms.TypedChoiceField(label=gettext_lazy("โอนจากสำนักงาน"), coerce=int)
    source_service = forms.ChoiceField(label=gettext_lazy("โอนจากบริการ"))
    target_office = forms.TypedChoiceField(label=gettext_lazy("โอนไปยังสำนักงาน"), coerce=int)
    target_service = forms.ChoiceField(label=gettext_lazy("โอนไปยังบริการ"))
    amount = _amount_field()
    on = BEDateField(label=gettext_lazy("วันที่โอน"))
    memo = forms.CharField(label=gettext_lazy("เหตุผลการโอน"), max_length=500, required=False)

    def __init__(self, *args: Any, sources: list[Office], **kwargs: Any):
        super().__init__(*args, **kwargs)
        everyone = [(o.pk, office_name(o)) for o in account_selectors.offices().order_by("-is_central", "code")]
        self.fields["source_office"].choices = [(o.pk, office_name(o)) for o in sources]  # type: ignore[attr-defined]
        self.fields["target_office"].choices = everyone  # type: ignore[attr-defined]
        self.fields["source_service"].choices = service_choices()  # type: ignore[attr-defined]
        self.fields["target_service"].choices = service_choices()  # type: ignore[attr-defined]
        self.finish()


class ReverseForm(MoneyForm):
    memo = forms.CharField(label=gettext_lazy("เหตุที่กลับรายการ"), max_length=500,
                           widget=forms.Textarea(attrs={"rows": 3}))
    on = BEDateField(label=gettext_lazy("วันที่กลับรายการ"))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.finish()


class ReceiptFields(MoneyForm):
    item = forms.ChoiceField(label=gettext_lazy("รายการค่าใช้จ่าย"))
    amount = _amount_field()
    on = BEDateField(label=gettext_lazy("วันที่"))
    receipt_number = forms.CharField(label=gettext_lazy("เลขที่ใบเสร็จรับเงิน"), max_length=100, required=False)
    receipt_date = BEDateField(label=gettext_lazy("วันที่ออกใบเสร็จรับเงิน"), required=False)
    receipt_issuer = forms.CharField(label=gettext_lazy("ผู้ออกใบเสร็จรับเงิน"), max_length=300, required=False)
    receipt_file = forms.FileField(label=gettext_lazy("สำเนาใบเสร็จรับเงิน (PDF หรือรูปภาพ)"), required=False)
    memo = forms.CharField(label=gettext_lazy("หมายเหตุ"), max_length=500, required=False)

    def __init__(self, *args: Any, items: list[selectors.ItemMoney], **kwargs: Any):
        super().__init__(*args, **kwargs)
        lang = _lang()
        self.fields["item"].choices = [(i.key, i.label(lang)) for i in items]  # type: ignore[attr-defined]
        if len(items) == 1:
            self.fields["item"].initial = items[0].key
        self.finish()


class PayForm(ReceiptFields):
    payee = forms.CharField(label=gettext_lazy("ผู้รับเงิน"), max_length=300)
    method = forms.ChoiceField(label=gettext_lazy("วิธีจ่ายเงิน"), choices=m.METHOD_CHOICES)
    reference = forms.CharField(label=gettext_lazy("เลขอ้างอิงการโอนหรือเลขที่เช็ค"), max_length=100, required=False)

    field_order = ["item", "amount", "on", "payee", "method", "reference", "receipt_number", "receipt_date",
                   "receipt_issuer", "receipt_file", "memo", "key"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["on"].label = _("วันที่จ่าย")
        self.fields["receipt_issuer"].help_text = _("เว้นว่างได้ถ้าผู้รับเงินเป็นผู้ออก")
        self.finish()


class ReturnForm(ReceiptFields):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["on"].label = _("วันที่รับเงินคืน")
        self.fields["receipt_number"].label = _("เลขที่ใบเสร็จรับเงินของกองทุน")
        self.fields["receipt_issuer"].help_text = _("เว้นว่างได้ถ้าสำนักงานเป็นผู้ออก")
        self.finish()


#: the services' field names and the forms' fields they are shown on
POSTING_FIELDS = {"amount": "amount", "payee": "payee", "method": "method", "on_date": "on", "item_key": "item",
                  "reference": "receipt_number", "memo": "memo", "receipt_number": "receipt_number",
                  "receipt_date": "receipt_date", "receipt_issuer": "receipt_issuer", "receipt_file": "receipt_file"}


# --------------------------------------------------------------------------- budgets


def _year(request: StaffRequest) -> int:
    year = _int(request.GET.get("fiscal_year"))
    return year if year is not None and 2400 <= year <= 2999 else fiscal_year(clock.today())


@require_http_methods(["GET", "POST"])
@staff_required
def budgets(request: StaffRequest, form_name: str = "") -> HttpResponse:
    """The budgets of a fiscal year by office and service, with the finance officers' forms."""
    user = request.user
    if not _reader(request):
        return _forbidden(request)
    offices = poster_offices(user)
    allot_form = AllotForm(offices=offices, prefix="allot", initial={"on": clock.today()})
    transfer_form = TransferForm(sources=offices, prefix="transfer", initial={"on": clock.today()})
    status = 200
    if request.method == "POST":
        if not offices:
            return _forbidden(request)
        status = 422
        if form_name == "allot":
            allot_form = AllotForm(request.POST, offices=offices, prefix="allot")
            if allot_form.is_valid():
                c = allot_form.cleaned_data
                target = account_selectors.offices().get(pk=c["office"])
                try:
                    services.allot(actor=user, key=c["key"], year=fiscal_year(c["on"]), office=target,
                                   service=c["service"], amount=c["amount"], on=c["on"], memo=c["memo"])
                except CaseError as exc:
                    if exc.status == 403:
                        return _forbidden(request)
                    _errors_on(allot_form, exc, {"on_date": "on"})
                    status = exc.status
                else:
                    messages.success(request, _("จัดสรรงบประมาณแล้ว: %(office)s %(service)s %(amount)s บาท") % {
                        "office": office_name(target), "service": service_name(c["service"]),
                        "amount": f"{Decimal(str(c['amount']).replace(',', '')):,.2f}"})
                    return _see_other(reverse("staff:money") + f"?fiscal_year={fiscal_year(c['on'])}")
        else:
            transfer_form = TransferForm(request.POST, sources=offices, prefix="transfer")
            if transfer_form.is_valid():
                c = transfer_form.cleaned_data
                source, target = account_selectors.offices().get(pk=c["source_office"]), account_selectors.offices().get(pk=c["target_office"])
                try:
                    if (source.pk, c["source_service"]) == (target.pk, c["target_service"]):
                        raise services.refuse("ต้นทางและปลายทางของการโอนต้องต่างกัน",
                                              "The transfer's source and target must differ", "target_service")
                    services.transfer(actor=user, key=c["key"], on=c["on"], source=(source, c["source_service"]),
                                      target=(target, c["target_service"]), amount=c["amount"], memo=c["memo"])
                except CaseError as exc:
                    if exc.status == 403:
                        return _forbidden(request)
                    _errors_on(transfer_form, exc, {"on_date": "on"})
                    status = exc.status
                else:
                    messages.success(request, _("โอนงบประมาณแล้ว"))
                    return _see_other(reverse("staff:money") + f"?fiscal_year={fiscal_year(c['on'])}")
    year = _year(request)
    office_ids = selectors.money_offices(user)
    office = _int(request.GET.get("office"))
    if office is not None and (office_ids is None or office in office_ids):
        office_ids = {office}
    service = request.GET.get("service", "")
    service = service if service in dict(service_choices()) else ""
    rows = selectors.budget_rows(year, office_ids, service)
    central_finance = user.role in services.POSTERS and user.office is not None and user.office.is_central
    closed = selectors.closed_years()
    return render(request, "staff/money/budgets.html", {
        "year": year, "years": selectors.year_choices(clock.today()), "rows": [
            {"row": r, "office": office_name(r.office), "service": service_name(r.service)} for r in rows],
        "totals": selectors.budget_totals(rows), "offices": selectors.offices_read(user), "office": office,
        "services": service_choices(), "service": service, "allot_form": allot_form if offices else None,
        "transfer_form": transfer_form if offices else None, "closed": year in closed,
        "may_close": central_finance and year not in closed,
    }, status=status)


@require_http_methods(["GET", "POST"])
@staff_required
def close_year(request: StaffRequest, year: int) -> HttpResponse:
    """Confirm, then close a fiscal year's books (central finance officers)."""
    user = request.user
    if not (user.role in services.POSTERS and user.office is not None and user.office.is_central):
        return _forbidden(request)
    error = ""
    if request.method == "POST":
        try:
            services.close_year(actor=user, year=year)
        except CaseError as exc:
            if exc.status == 403:
                return _forbidden(request)
            error = exc.message(_lang())
        else:
            messages.success(request, _("ปิดปีงบประมาณ %(year)s แล้ว ไม่สามารถบันทึกรายการในปีนี้ได้อีก") % {"year": year})
            return _see_other(reverse("staff:money") + f"?fiscal_year={year}")
    totals = selectors.budget_totals(selectors.budget_rows(year, None))
    return render(request, "staff/money/close_year.html", {"year": year, "totals": totals, "error": error},
                  status=422 if error else 200)


# --------------------------------------------------------------------------- the ledger


def _kind_choices() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in m.KIND_CHOICES]


def _ledger_filter(request: StaffRequest) -> tuple[selectors.EntryFilter, dict[str, Any]]:
    user = request.user
    year = _year(request)
    office_ids = selectors.money_offices(user)
    office = _int(request.GET.get("office"))
    if office is not None and (office_ids is None or office in office_ids):
        office_ids = {office}
    service = request.GET.get("service", "")
    service = service if service in dict(service_choices()) else ""
    kind = request.GET.get("kind", "")
    kind = kind if kind in dict(m.KIND_CHOICES) else ""
    number = request.GET.get("request", "").strip()[:30]
    errors: dict[str, str] = {}
    dates: dict[str, date | None] = {}
    for name in ("date_from", "date_to"):
        raw = request.GET.get(name, "").strip()
        dates[name] = None
        if raw:
            field = BEDateField(label=_("ตั้งแต่วันที่") if name == "date_from" else _("ถึงวันที่"), required=False)
            try:
                dates[name] = field.clean(raw)
            except forms.ValidationError as exc:
                errors[name] = " ".join(str(x) for x in exc.messages)
    f = selectors.EntryFilter(fiscal_year=year, office_ids=office_ids, service=service, kind=kind,
                              request_number=number, date_from=dates["date_from"], date_to=dates["date_to"])
    shown = {"year": year, "office": office, "service": service, "kind": kind, "request_number": number,
             "date_from": request.GET.get("date_from", "")[:20], "date_to": request.GET.get("date_to", "")[:20],
             "filter_errors": errors}
    return f, shown


def entry_view(e: m.Entry, lang: str) -> dict[str, Any]:
    """An entry in words: its kind, lines with the accounts' names and codes, debit and credit."""
    chart = acc.chart()
    lines = [{"code": ln.account, "name": chart[ln.account].name(lang) if ln.account in chart else ln.account,
              "debit": ln.amount if ln.amount > 0 else None, "credit": -ln.amount if ln.amount < 0 else None}
             for ln in e.lines.all()]
    amount = sum((ln.amount for ln in e.lines.all() if ln.amount > 0 and not ln.account.startswith("8")), Decimal(0))
    if not amount:
        amount = sum((ln.amount for ln in e.lines.all() if ln.amount > 0), Decimal(0))
    receipt = getattr(e, "receipt", None) if hasattr(e, "receipt") else None
    return {"entry": e, "kind": e.get_kind_display(), "method": e.get_method_display() if e.method else "",
            "lines": lines, "amount": amount, "service": service_name(e.service),
            "office": office_name(e.office), "receipt": receipt}


@require_GET
@staff_required
def ledger(request: StaffRequest) -> HttpResponse:
    """A fiscal year's entries, newest first, filtered; paged by id (``?before=``), never counted."""
    if not _reader(request):
        return _forbidden(request)
    f, shown = _ledger_filter(request)
    before = _int(request.GET.get("before"))
    rows, next_before = selectors.page_of(selectors.entries(f), before=before, limit=PAGE_SIZE)
    if rows:
        record("view_personal_data", actor=request.user, object_type="ledger", purpose="finance",
               details={"entries": [e.pk for e in rows]})
    query = request.GET.copy()
    query.pop("before", None)
    lang = _lang()
    return render(request, "staff/money/ledger.html", {
        **shown, "rows": [entry_view(e, lang) for e in rows], "next_before": next_before, "first_page": before is None,
        "query": query.urlencode(), "years": selectors.year_choices(clock.today()),
        "offices": selectors.offices_read(request.user), "services": service_choices(), "kinds": _kind_choices(),
    })


def _entry_for(request: StaffRequest, pk: int) -> m.Entry:
    e = selectors.entry(pk)
    if e is None or not selectors.reads_office(request.user, e.office_id):
        raise Http404("entry not found")
    return e


def _reversible(e: m.Entry) -> bool:
    return e.kind not in (m.REVERSAL, m.COMMITMENT) and selectors.reversal_of(e) is None


@require_http_methods(["GET", "POST"])
@staff_required
def ledger_entry(request: StaffRequest, pk: int) -> HttpResponse:
    """One entry: its lines, payee, method, reference, receipt; the reversal form (finance). A
    reversal is posted only from its confirmation page (``confirm``)."""
    if not _reader(request):
        return _forbidden(request)
    e = _entry_for(request, pk)
    may_reverse = posts_for(request.user, e.office) and _reversible(e)
    form = ReverseForm(prefix="reverse", initial={"on": clock.today()})
    status, confirming = 200, False
    if request.method == "POST":
        if not posts_for(request.user, e.office):
            return _forbidden(request)
        form = ReverseForm(request.POST, prefix="reverse")
        status = 422
        if form.is_valid():
            c = form.cleaned_data
            if request.POST.get("confirm") != "yes":
                confirming, status = True, 200
            else:
                try:
                    fix = services.reverse(actor=request.user, key=c["key"], entry_id=e.pk, on=c["on"], memo=c["memo"])
                except CaseError as exc:
                    if exc.status == 403:
                        return _forbidden(request)
                    _errors_on(form, exc, {"on_date": "on"})
                    status = exc.status
                else:
                    messages.success(request, _("กลับรายการแล้ว (รายการที่ %(n)s)") % {"n": fix.pk})
                    return _see_other(reverse("staff:ledger_entry", args=[fix.pk]))
    if e.request is not None:
        case_services.audit_view(request.user, e.request, "ledger_entry")
    else:
        record("view_personal_data", actor=request.user, object_type="ledger_entry", object_id=str(e.pk),
               purpose="finance")
    reversed_by = selectors.reversal_of(e)
    return render(request, "staff/money/entry.html", {
        "e": entry_view(e, _lang()), "form": form if may_reverse or request.method == "POST" else None,
        "confirming": confirming, "reversed_by": reversed_by,
    }, status=status)


def _export_scope(request: StaffRequest) -> tuple[int, int | None] | None:
    """The export's fiscal year and office (``None``: every office the reader may read, which must
    then be all of them); ``None`` when the reader may not export that office."""
    offices = selectors.money_offices(request.user)
    year = _year(request)
    office = _int(request.GET.get("office"))
    if office is None:
        if offices is None:
            return year, None
        if len(offices) != 1:
            return None
        office = next(iter(offices))
    return (year, office) if selectors.reads_office(request.user, office) else None


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    resp = HttpResponse(data, content_type=content_type)
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    no_active_content(resp)
    return resp


@require_GET
@staff_required
def ledger_export(request: StaffRequest, fmt: str) -> HttpResponse:
    """Every line of a fiscal year (of an office) with its account code, as CSV or XLSX; audited."""
    scope = _export_scope(request) if _reader(request) else None
    if scope is None:
        return _forbidden(request)
    year, office = scope
    rows = exports.ledger_rows(year, office)
    code = account_selectors.offices().get(pk=office).code if office is not None else "all"
    record("report_export", actor=request.user, object_type="report", object_id="ledger",
           details={"fiscal_year": year, "office": code, "format": fmt, "rows": len(rows)})
    if fmt == "xlsx":
        return _download(exports.to_xlsx(rows), XLSX, f"jfs-ledger-{year}-{code}.xlsx")
    return _download(exports.to_csv(rows), "text/csv; charset=utf-8", f"jfs-ledger-{year}-{code}.csv")


def _statement_scope(request: StaffRequest) -> tuple[Office | None, int, int, str]:
    """The office, month and year (C.E.) of the statement asked for, and what is wrong with them."""
    offices = selectors.offices_read(request.user)
    office_id = _int(request.GET.get("office"))
    office = next((o for o in offices if o.pk == office_id), None)
    if office is None and len(offices) == 1:
        office = offices[0]
    today = clock.today()
    month = _int(request.GET.get("month")) or today.month
    be_year = _int(request.GET.get("year")) or today.year + 543
    problem = ""
    if not 1 <= month <= 12 or not 2400 <= be_year <= 2999:
        problem, month, be_year = _("กรุณาเลือกเดือนและปี พ.ศ. ที่ถูกต้อง"), today.month, today.year + 543
    return office, month, be_year - 543, problem


@require_GET
@staff_required
def statement(request: StaffRequest) -> HttpResponse:
    """An office's monthly statement: each account's opening balance, debits, credits, closing."""
    if not _reader(request):
        return _forbidden(request)
    office, month, year, problem = _statement_scope(request)
    rows = exports.monthly_statement(office.pk, year, month) if office is not None else []
    lang = _lang()
    chart = acc.chart()
    if office is not None:
        record("view_personal_data", actor=request.user, object_type="monthly_statement", object_id=office.code,
               purpose="finance", details={"year": year, "month": month})
    return render(request, "staff/money/statement.html", {
        "office": office, "offices": selectors.offices_read(request.user), "month": month, "be_year": year + 543,
        "months": [(i, _month_name(i)) for i in range(1, 13)], "problem": problem,
        "rows": [{"row": r, "name": chart[r.account].name(lang) if r.account in chart else r.name} for r in rows],
        "query": f"office={office.pk}&month={month}&year={year + 543}" if office else "",
    }, status=422 if problem else 200)


def _month_name(i: int) -> str:
    names_th = ["มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม",
                "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"]
    names_en = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December"]
    return (names_en if _lang() == "en" else names_th)[i - 1]


@require_GET
@staff_required
def statement_csv(request: StaffRequest) -> HttpResponse:
    if not _reader(request):
        return _forbidden(request)
    office, month, year, _problem = _statement_scope(request)
    if office is None:
        return _forbidden(request)
    rows = exports.monthly_statement(office.pk, year, month)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["รหัสบัญชี", "ชื่อบัญชี", "ยอดยกมา", "เดบิต", "เครดิต", "ยอดยกไป"])
    for r in rows:
        writer.writerow([r.account, r.name, f"{r.opening:.2f}", f"{r.debits:.2f}", f"{r.credits:.2f}",
                         f"{r.closing:.2f}"])
    record("report_export", actor=request.user, object_type="report", object_id="monthly_statement",
           details={"office": office.code, "year": year, "month": month, "rows": len(rows)})
    name = f"jfs-statement-{office.code}-{year + 543}-{month:02d}.csv"
    return _download(("\ufeff" + out.getvalue()).encode("utf-8"), "text/csv; charset=utf-8", name)


# --------------------------------------------------------------------------- payments by item


def _receipt(c: dict[str, Any], upload: Any) -> payments.ReceiptInput:
    return payments.ReceiptInput(
        number=c.get("receipt_number") or "", issued_on=c.get("receipt_date"), issued_by=c.get("receipt_issuer") or "",
        file_name=upload.name if upload else "", file_chunks=upload.chunks() if upload else None,
        file_size=upload.size if upload else 0)


@require_http_methods(["GET", "POST"])
@staff_required
def request_payments(request: StaffRequest, pk: int) -> HttpResponse:
    """A request's approved cost items and entries; the finance officers pay an item with the
    payee's receipt, or record money returned with the fund's receipt."""
    user = request.user
    req = selectors.request_for_money(user, pk)
    items = selectors.items_of(req.pk)
    may_post = posts_for(user, req.office) and bool(items)
    pay_form = PayForm(items=items, prefix="pay", initial={"on": clock.today(), "receipt_date": clock.today()})
    return_form = ReturnForm(items=items, prefix="back", initial={"on": clock.today(), "receipt_date": clock.today()})
    status = 200
    if request.method == "POST":
        if not may_post:
            return _forbidden(request)
        status = 422
        which = request.POST.get("form")
        form: ReceiptFields = (PayForm if which == "pay" else ReturnForm)(
            request.POST, request.FILES, items=items, prefix="pay" if which == "pay" else "back")
        if form.is_valid():
            c = form.cleaned_data
            try:
                if which == "pay":
                    posted = payments.pay_item(
                        actor=user, key=c["key"], request_id=req.pk, item_key=c["item"], amount=c["amount"],
                        on=c["on"], payee=c["payee"], method=c["method"], reference=c["reference"],
                        receipt=_receipt(c, c.get("receipt_file")), memo=c["memo"])
                else:
                    posted = payments.return_item(
                        actor=user, key=c["key"], request_id=req.pk, item_key=c["item"], amount=c["amount"],
                        on=c["on"], receipt=_receipt(c, c.get("receipt_file")), memo=c["memo"])
            except CaseError as exc:
                if exc.status == 403:
                    return _forbidden(request)
                _errors_on(form, exc, POSTING_FIELDS)
                status = exc.status
            else:
                text = _("บันทึกการจ่ายเงินแล้ว") if which == "pay" else _("บันทึกการรับเงินคืนแล้ว")
                messages.success(request, f"{text} ({posted.reference or posted.pk})")
                return _see_other(reverse("staff:payments", args=[req.pk]))
        if which == "pay":
            pay_form = form  # type: ignore[assignment]
        else:
            return_form = form  # type: ignore[assignment]
    case_services.audit_view(user, req, "payments")
    lang = _lang()
    return render(request, "staff/money/payments.html", {
        "req": req, "items": [{"item": i, "label": i.label(lang)} for i in items],
        "entries": [entry_view(e, lang) for e in selectors.request_entries(req.pk)],
        "pay_form": pay_form if may_post else None, "return_form": return_form if may_post else None,
        "service_links": service_links(req.pk, req.service),
    }, status=status)


#: each service's own money pages, by URL name
SERVICE_PAGES: dict[str, tuple[tuple[str, Any], ...]] = {
    "BAIL": (("staff:bail_record", gettext_lazy("เงินประกันและสัญญาประกัน")),
             ("staff:recovery", gettext_lazy("การติดตามเงินคืนจากผู้ผิดสัญญาประกัน"))),
    "LIT": (("staff:engagement", gettext_lazy("ทนายความและการจ่ายค่าทนายตามขั้นตอน")),),
    "PROJECT": (("staff:grant", gettext_lazy("งวดเงินอุดหนุนโครงการ")),),
}


def service_links(pk: int, service: str) -> list[tuple[str, str]]:
    """The request's service's own money pages (bail and recovery, the lawyer, the grant)."""
    return [(reverse(name, args=[pk]), str(label)) for name, label in SERVICE_PAGES.get(service, ())]


def case_panel(user: User, req: Any) -> dict[str, Any]:
    """The case page's money panel: shown when the request has commitments (the case page is visible
    to the reader already)."""
    if not selectors.has_commitments(req.pk):
        return {"money": None}
    lang = _lang()
    items = selectors.items_of(req.pk)
    return {"money": {
        "items": [{"item": i, "label": i.label(lang)} for i in items],
        "totals": {name: sum((getattr(i, name) for i in items), Decimal(0))
                   for name in ("committed", "paid", "returned", "payable")},
        "entries": [entry_view(e, lang) for e in selectors.request_entries(req.pk, limit=5)],
        "links": service_links(req.pk, req.service), "may_pay": posts_for(user, req.office),
    }}


urlpatterns = [
    path("money/", budgets, name="money"),
    path("money/budgets/", budgets, name="budgets"),
    path("money/budgets/allot/", budgets, {"form_name": "allot"}, name="budget_allot"),
    path("money/budgets/transfer/", budgets, {"form_name": "transfer"}, name="budget_transfer"),
    path("money/years/<int:year>/close/", close_year, name="close_year"),
    path("money/ledger/", ledger, name="ledger"),
    path("money/ledger/export.csv", ledger_export, {"fmt": "csv"}, name="ledger_export_csv"),
    path("money/ledger/export.xlsx", ledger_export, {"fmt": "xlsx"}, name="ledger_export_xlsx"),
    path("money/ledger/<int:pk>/", ledger_entry, name="ledger_entry"),
    path("money/statement/", statement, name="statement"),
    path("money/statement.csv", statement_csv, name="statement_csv"),
    path("requests/<int:pk>/payments/", request_payments, name="payments"),
]
