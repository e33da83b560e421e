"""Staff pages: recovery from absconders (issue 11, item 2).

- ``recovery`` (``requests/<pk>/recovery/``): a bail record's abscondence, tracing, civil suits,
  repayment plans and instalments, write-offs and what is owed; each form only for the roles that
  may use it in that state (``jfs.recovery.services`` refuses the same). A post answers with a
  redirect (Post/Redirect/Get); a refusal shows the page again with the errors on their fields and
  what was typed kept (422/409/403, never a 500).
- ``recovery_instalment``: one instalment's PromptPay QR (inline SVG), with the amount, the due date
  (B.E.) and the reference in words for people who cannot scan.
- ``recovery_import``: a finance officer imports the bank's payment file; the quarantined rows are listed.
- ``absconders``: the absconder figures by fiscal year and region.

Every view of a page with the released person's name is audited (PDPA).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jfs.accounts.http import StaffRequest
from jfs.bail import models as bm
from jfs.cases import services as case_services
from jfs.cases.errors import CaseError, InvalidInput, field_message
from jfs.core import clock
from jfs.recovery import models as m
from jfs.recovery import rules, selectors, services
from jfs.staff.access import staff_required
from jfs.staff.forms import BEDateField, NamedErrors, name_errors
from jfslib import roles
from jfslib.thaidate import fiscal_year


def _lang() -> str:
    return "en" if (translation.get_language() or "th").startswith("en") else "th"


def _see_other(url: str) -> HttpResponse:
    resp = HttpResponseRedirect(url)
    resp.status_code = 303
    return resp


def _key() -> str:
    return uuid.uuid4().hex


# --------------------------------------------------------------------------- forms


class _Form(NamedErrors, forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("initial", {}).setdefault("key", _key())
        super().__init__(*args, **kwargs)
        name_errors(self.fields)


class AbscondForm(_Form):
    order = forms.ChoiceField(label=gettext_lazy("คำสั่งศาล"), choices=m.ORDER_CHOICES, widget=forms.RadioSelect)
    absconded_on = BEDateField(label=gettext_lazy("วันที่ผิดนัด (ไม่มาศาล)"))
    court_name = forms.CharField(label=gettext_lazy("ศาลที่มีคำสั่ง"), max_length=200)
    order_reference = forms.CharField(label=gettext_lazy("เลขที่คำสั่งศาล"), max_length=100)
    ordered_on = BEDateField(label=gettext_lazy("วันที่มีคำสั่ง"))
    amount = forms.DecimalField(label=gettext_lazy("จำนวนเงินที่ริบหรือปรับ (บาท)"), max_digits=14, decimal_places=2,
                                min_value=Decimal("0.01"))


class TracingForm(_Form):
    on = BEDateField(label=gettext_lazy("วันที่ติดตาม"))
    result = forms.ChoiceField(label=gettext_lazy("ผลการติดตาม"), choices=m.RESULT_CHOICES, widget=forms.RadioSelect)
    note = forms.CharField(label=gettext_lazy("รายละเอียดการติดตาม"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class SuitForm(_Form):
    filed_on = BEDateField(label=gettext_lazy("วันที่ยื่นฟ้อง"))
    court_name = forms.CharField(label=gettext_lazy("ศาลที่ยื่นฟ้อง"), max_length=200)
    case_number = forms.CharField(label=gettext_lazy("หมายเลขคดีดำ"), max_length=60)
    claim = forms.DecimalField(label=gettext_lazy("ทุนทรัพย์ที่ฟ้อง (บาท)"), max_digits=14, decimal_places=2,
                               min_value=Decimal("0.01"))


class JudgementForm(_Form):
    suit = forms.IntegerField(widget=forms.HiddenInput)
    judgement_on = BEDateField(label=gettext_lazy("วันที่ศาลพิพากษา"))
    judgement_amount = forms.DecimalField(label=gettext_lazy("จำนวนเงินตามคำพิพากษา (บาท)"), max_digits=14,
                                          decimal_places=2, min_value=Decimal("0.01"))


class PlanForm(_Form):
    agreed_on = BEDateField(label=gettext_lazy("วันที่ทำข้อตกลงผ่อนชำระ"))
    basis = forms.CharField(label=gettext_lazy("ที่มาของแผน (สัญญาประนีประนอมหรือคำพิพากษา)"), max_length=300)
    total = forms.DecimalField(label=gettext_lazy("ยอดผ่อนชำระรวม (บาท)"), max_digits=14, decimal_places=2,
                               min_value=Decimal("0.01"))
    count = forms.IntegerField(label=gettext_lazy("จำนวนงวด (รายเดือน)"), min_value=1, max_value=120)
    first_due = BEDateField(label=gettext_lazy("วันครบกำหนดงวดแรก"))


class PayForm(_Form):
    instalment = forms.IntegerField(widget=forms.HiddenInput)
    paid_on = BEDateField(label=gettext_lazy("วันที่รับชำระ"))
    bank_reference = forms.CharField(label=gettext_lazy("เลขอ้างอิงของธนาคาร"), max_length=100)


class WriteOffForm(_Form):
    tier = forms.ChoiceField(label=gettext_lazy("ผู้มีอำนาจอนุมัติ"), choices=(), widget=forms.RadioSelect)
    amount = forms.DecimalField(label=gettext_lazy("จำนวนเงินที่ตัดหนี้สูญ (บาท)"), max_digits=14, decimal_places=2,
                                min_value=Decimal("0.01"))
    on = BEDateField(label=gettext_lazy("วันที่อนุมัติ"))
    decision_reference = forms.CharField(label=gettext_lazy("เลขที่หนังสืออนุมัติหรือมติคณะกรรมการ"), max_length=100)
    reason = forms.CharField(label=gettext_lazy("เหตุผลที่ตัดหนี้สูญ"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, tiers: list[rules.Tier], **kwargs: Any):
        super().__init__(*args, **kwargs)
        lang = _lang()
        field = self.fields["tier"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(t.key, t.name(lang) + (_(" (ไม่เกิน %(n)s บาท)") % {"n": f"{t.up_to:,.2f}"}
                                                 if t.up_to is not None else _(" (ตามมติ ไม่จำกัดวงเงิน)")))
                         for t in tiers]
        if len(tiers) == 1:
            field.initial = tiers[0].key


class ImportForm(NamedErrors, forms.Form):
    file = forms.FileField(label=gettext_lazy("ไฟล์รายการรับชำระจากธนาคาร (CSV)"),
                           help_text=gettext_lazy("คอลัมน์: transaction_id, paid_at, ref1, ref2, amount"))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        name_errors(self.fields)


#: each step: its form, the form's prefix, the fields its service errors land on
STEPS: dict[str, type[_Form]] = {"abscond": AbscondForm, "tracing": TracingForm, "suit": SuitForm,
                                 "judgement": JudgementForm, "plan": PlanForm, "pay": PayForm,
                                 "write_off": WriteOffForm}


def _errors_on(form: forms.Form, exc: CaseError, aliases: dict[str, str] | None = None) -> None:
    lang = _lang()
    errors = exc.errors or [{"field": "__all__", "message_th": exc.th, "message_en": exc.en}]
    for e in errors:
        name = (aliases or {}).get(e.get("field", ""), e.get("field", ""))
        form.add_error(name if name in form.fields else None, field_message(e, lang))


# --------------------------------------------------------------------------- the recovery page


def _record_or_404(request: StaffRequest, pk: int) -> bm.BailRecord:
    found = selectors.bail_record_of(request.user, pk)
    if found is None:
        raise Http404("no bail record")
    return found


def _may(request: StaffRequest, rec: bm.BailRecord, who: frozenset[str]) -> bool:
    user = request.user
    office = user.office
    return (user.role in who and office is not None
            and (office.is_central or office.pk == rec.request.office_id))


def _context(request: StaffRequest, rec: bm.BailRecord, bound: dict[str, forms.Form] | None = None) -> dict[str, Any]:
    bound = bound or {}
    ab = selectors.abscondence_of(rec)
    today = clock.today()
    money_ = selectors.money(ab) if ab else None
    is_open = ab is not None and ab.closed_on is None
    forms_: dict[str, forms.Form] = {}

    def offer(step: str, allowed: bool, **kwargs: Any) -> None:
        if allowed:
            forms_[step] = bound.get(step) or STEPS[step](prefix=step, **kwargs)

    offer("abscond", ab is None and rec.status in services.MAY_ABSCOND and _may(request, rec, services.MONEY),
          initial={"court_name": rec.authority_name, "amount": selectors.deposited(rec), "key": _key()})
    offer("tracing", is_open and _may(request, rec, services.FOLLOW_UP))
    offer("suit", is_open and _may(request, rec, services.FOLLOW_UP))
    offer("plan", is_open and _may(request, rec, services.PLANNERS))
    tiers = services.tiers_for(request.user, rec.request, today) if is_open else []
    offer("write_off", bool(tiers), tiers=tiers)
    may_pay = is_open and _may(request, rec, services.MONEY)
    may_judge = is_open and _may(request, rec, services.FOLLOW_UP)
    plans = []
    if ab is not None:
        for plan in ab.plans.all():
            rows = []
            for inst in plan.instalments.all():
                form = None
                if may_pay and inst.entry_id is None:
                    form = bound.get(f"pay-{inst.pk}") or PayForm(prefix=f"pay{inst.pk}",
                                                                   initial={"instalment": inst.pk, "key": _key()})
                rows.append({"inst": inst, "form": form})
            plans.append({"plan": plan, "rows": rows})
    suits = []
    if ab is not None:
        for suit in ab.suits.all():
            form = None
            if may_judge and suit.judgement_on is None:
                form = bound.get(f"judgement-{suit.pk}") or JudgementForm(prefix=f"judgement{suit.pk}",
                                                                          initial={"suit": suit.pk, "key": _key()})
            suits.append({"suit": suit, "form": form})
    return {"rec": rec, "req": rec.request, "ab": ab, "money": money_, "forms": forms_, "plans": plans,
            "suits": suits, "deposited": selectors.deposited(rec), "tiers": tiers, "lang": _lang(),
            "status_name": rec.get_status_display()}


@require_GET
@staff_required
def recovery(request: StaffRequest, pk: int) -> HttpResponse:
    rec = _record_or_404(request, pk)
    case_services.audit_view(request.user, rec.request, "recovery")
    return render(request, "staff/recovery/recovery.html", _context(request, rec))


def _call(request: StaffRequest, rec: bm.BailRecord, step: str, form: forms.Form) -> None:
    c, user = form.cleaned_data, request.user
    ab = selectors.abscondence_of(rec)
    if step == "abscond":
        services.record_abscondence(actor=user, record_id=rec.pk, key=c["key"], absconded_on=c["absconded_on"],
                                    order=c["order"], court_name=c["court_name"],
                                    order_reference=c["order_reference"], ordered_on=c["ordered_on"],
                                    amount=c["amount"])
        return
    if ab is None:
        raise InvalidInput("ยังไม่มีการบันทึกการผิดสัญญาประกัน", "No abscondence is recorded yet")
    if step == "tracing":
        services.add_tracing(actor=user, abscondence_id=ab.pk, on=c["on"], result=c["result"], note=c["note"])
    elif step == "suit":
        services.file_suit(actor=user, abscondence_id=ab.pk, filed_on=c["filed_on"], court_name=c["court_name"],
                           case_number=c["case_number"], claim=c["claim"])
    elif step == "judgement":
        if not ab.suits.filter(pk=c["suit"]).exists():
            raise Http404("no such suit")
        services.record_judgement(actor=user, suit_id=c["suit"], judgement_on=c["judgement_on"],
                                  amount=c["judgement_amount"])
    elif step == "plan":
        services.make_plan(actor=user, abscondence_id=ab.pk, agreed_on=c["agreed_on"], basis=c["basis"],
                           instalments=services.equal_instalments(c["total"], c["count"], c["first_due"]))
    elif step == "pay":
        if not selectors.plan_has_instalment(ab, c["instalment"]):
            raise Http404("no such instalment")
        services.pay_instalment(actor=user, instalment_id=c["instalment"], key=c["key"], paid_on=c["paid_on"],
                                bank_reference=c["bank_reference"])
    elif step == "write_off":
        services.write_off(actor=user, abscondence_id=ab.pk, key=c["key"], tier=c["tier"], amount=c["amount"],
                           on=c["on"], decision_reference=c["decision_reference"], reason=c["reason"])


DONE = {
    "abscond": gettext_lazy("บันทึกการผิดสัญญาประกันและคำสั่งศาลแล้ว"),
    "tracing": gettext_lazy("บันทึกการติดตามตัวแล้ว"),
    "suit": gettext_lazy("บันทึกการยื่นฟ้องคดีแพ่งแล้ว"),
    "judgement": gettext_lazy("บันทึกคำพิพากษาแล้ว"),
    "plan": gettext_lazy("บันทึกแผนการผ่อนชำระแล้ว"),
    "pay": gettext_lazy("บันทึกรับชำระงวดแล้ว"),
    "write_off": gettext_lazy("บันทึกการตัดหนี้สูญแล้ว"),
}


@require_POST
@staff_required
def recovery_step(request: StaffRequest, pk: int, step: str) -> HttpResponseBase:
    rec = _record_or_404(request, pk)
    if step not in STEPS:
        raise Http404("no such step")
    row = request.POST.get("row", "")
    prefix = f"{step}{row}" if step in ("pay", "judgement") and row.isdigit() else step
    slot = f"{step}-{row}" if prefix != step else step
    if step == "write_off":
        tiers = services.tiers_for(request.user, rec.request, clock.today())
        form: forms.Form = WriteOffForm(request.POST, prefix=prefix, tiers=tiers)
    else:
        form = STEPS[step](request.POST, prefix=prefix)
    status = 422
    if form.is_valid():
        try:
            _call(request, rec, step, form)
        except CaseError as exc:
            _errors_on(form, exc, {"total": "total", "instalments": "total", "claim": "claim",
                                   "judgement_amount": "judgement_amount"})
            status = exc.status
        else:
            messages.success(request, str(DONE[step]))
            return _see_other(reverse("staff:recovery", args=[pk]) + f"#{step}")
    rec = _record_or_404(request, pk)
    context = _context(request, rec, {slot: form})
    context["failed"] = slot
    return render(request, "staff/recovery/recovery.html", context, status=status)


# --------------------------------------------------------------------------- an instalment's QR


def qr_svg(payload: str) -> str:
    """The payload as an inline SVG QR code (path, no external files: the page's CSP allows it)."""
    image = qrcode.make(payload, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=4)
    text = image.to_string(encoding="unicode")
    return text.split("?>", 1)[-1].strip() if text.startswith("<?xml") else text


@require_GET
@staff_required
def instalment(request: StaffRequest, pk: int) -> HttpResponse:
    inst = selectors.instalment(request.user, pk)
    if inst is None:
        raise Http404("no instalment")
    rec = inst.plan.abscondence.record
    case_services.audit_view(request.user, rec.request, "recovery_instalment")
    payload = services.promptpay_payload(inst)
    return render(request, "staff/recovery/instalment.html", {
        "inst": inst, "rec": rec, "req": rec.request, "payload": payload, "svg": mark_safe(qr_svg(payload)),  # noqa: S308 (the qrcode library's own SVG of our payload)
        "biller_id": rules.biller_id(), "unconfirmed": rules.unconfirmed(),
    })


# --------------------------------------------------------------------------- the bank file


@require_http_methods(["GET", "POST"])
@staff_required
def recovery_import(request: StaffRequest) -> HttpResponse:
    if request.user.role not in services.MONEY and request.user.role not in roles.READ_ONLY:
        return render(request, "staff/forbidden.html", status=403)
    may_import = request.user.role in services.MONEY
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if not may_import:
            return render(request, "staff/forbidden.html", status=403)
        status = 422
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = services.import_bank_file(actor=request.user, file_name=upload.name or "bank.csv",
                                                  content=upload.read(services.MAX_BANK_FILE + 1))
            except CaseError as exc:
                _errors_on(form, exc)
                status = exc.status
            else:
                messages.success(request, _("นำเข้าแล้ว %(rows)s รายการ: บันทึกรับชำระ %(posted)s รายการ "
                                            "รอตรวจสอบ %(q)s รายการ") % {
                    "rows": batch.rows, "posted": batch.posted, "q": batch.quarantined})
                return _see_other(reverse("staff:recovery_import") + f"?batch={batch.pk}")
    batch_id = request.GET.get("batch", "")
    rows = list(selectors.rows_of(int(batch_id))) if batch_id.isdigit() else []
    return render(request, "staff/recovery/import.html", {
        "form": form if may_import else None, "imports": selectors.bank_imports(), "rows": rows,
        "quarantined": list(selectors.quarantined_rows()), "columns": services.BANK_COLUMNS,
    }, status=status)


# --------------------------------------------------------------------------- absconder figures


@require_GET
@staff_required
def absconders(request: StaffRequest) -> HttpResponse:
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() and 2500 <= int(year_text) <= 2700 else None
    rows = selectors.absconder_figures(request.user, year)
    lang = _lang()
    return render(request, "staff/recovery/absconders.html", {
        "rows": rows, "totals": selectors.totals(rows), "year": year, "lang": lang,
        "years": list(range(fiscal_year(clock.today()), 2552, -1)),
    })


urlpatterns: list[URLPattern] = [
    path("requests/<int:pk>/recovery/", recovery, name="recovery"),
    path("requests/<int:pk>/recovery/<str:step>/", recovery_step, name="recovery_step"),
    path("recovery/instalments/<int:pk>/", instalment, name="recovery_instalment"),
    path("recovery/import/", recovery_import, name="recovery_import"),
    path("absconders/", absconders, name="absconders"),
]
