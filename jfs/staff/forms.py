"""Forms of the staff workspace: a new request (applicant + service details), actions, uploads.

Forms only translate what a person typed into the inputs of the case services;
validation of meaning (check digits, address codes, amounts) happens in the services
so the API and the pages give the same answers.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import geothai
from django import forms
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jfs.cases.details import PERSONAL_IDS
from jfs.cases.models import (
    CHANNEL_CHOICES,
    EDUCATION_CHOICES,
    OCCUPATION_CHOICES,
    REPRESENTATIVE_CHOICES,
    SEX_CHOICES,
)
from jfs.cases.services import ApplicantInput
from jfs.core import clock
from jfslib import thai_id, thai_phone, thaidate

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class BEDateField(forms.CharField):
    """A date typed as วว/ดด/ปปปป in the Buddhist era; C.E. years are refused with a clear message."""

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": _("วว/ดด/ปปปป (พ.ศ.)"), "inputmode": "numeric"}))
        kwargs.setdefault("help_text", _("ปี พ.ศ. เช่น 15/08/2530"))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, date):
            return f"{value.day:02d}/{value.month:02d}/{value.year + 543}"
        return value

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]  # a date, not text
        text = super().to_python(value)
        if not text:
            return None
        try:
            return thaidate.parse_date(text, era="BE", today=clock.today())
        except thaidate.DateInputError as exc:
            raise forms.ValidationError(exc.message(translation.get_language())) from None


class PhoneField(forms.CharField):
    """A phone number as people write it; one on file (E.164, +66812345678) is shown as 081-234-5678.
    Whether it is a valid Thai number is the case services' decision (``thai_phone``)."""

    def prepare_value(self, value: Any) -> Any:
        return thai_phone.display(value) if isinstance(value, str) and value.startswith("+") else value


def _place(p: Any) -> str:
    return str(p.name_en if translation.get_language() == "en" else p.name_th)


def province_choices() -> list[tuple[str, str]]:
    return [("", gettext("— เลือกจังหวัด —"))] + [(p.code, _place(p)) for p in geothai.provinces()]


def district_choices(province_code: str) -> list[tuple[str, str]]:
    if not province_code:
        return [("", gettext("— เลือกจังหวัดก่อน —"))]
    return [("", gettext("— เลือกอำเภอ/เขต —"))] + [(d.code, _place(d)) for d in geothai.districts(province_code)]


def subdistrict_choices(district_code: str) -> list[tuple[str, str]]:
    if not district_code:
        return [("", gettext("— เลือกอำเภอก่อน —"))]
    return [("", gettext("— เลือกตำบล/แขวง —"))] + [(s.code, _place(s)) for s in geothai.subdistricts(district_code)]


def choice(form: forms.Form, name: str) -> forms.ChoiceField:
    """A form's choice field, typed as one (``form.fields`` holds plain ``Field``s)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


class DetailsForm(forms.Form):
    """A service's details form: ``to_details`` gives the values the service's details schema takes."""

    def to_details(self) -> dict[str, Any]:
        raise NotImplementedError


class ApplicantForm(forms.Form):
    national_id = forms.CharField(label=_("เลขประจำตัวประชาชน 13 หลัก"), max_length=17,
                                  widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    title = forms.CharField(label=_("คำนำหน้า"), max_length=30, required=False)
    first_name = forms.CharField(label=_("ชื่อ"), max_length=100)
    last_name = forms.CharField(label=_("นามสกุล"), max_length=100)
    birth_date = BEDateField(label=_("วันเกิด"))
    sex = forms.ChoiceField(label=_("เพศ"), choices=SEX_CHOICES)
    house_no = forms.CharField(label=_("บ้านเลขที่ หมู่ ถนน"), max_length=100, required=False)
    province_code = forms.ChoiceField(label=_("จังหวัด"), choices=())
    district_code = forms.ChoiceField(label=_("อำเภอ/เขต"), choices=())
    subdistrict_code = forms.ChoiceField(label=_("ตำบล/แขวง"), choices=())
    phone = PhoneField(label=_("โทรศัพท์"), max_length=20, required=False,
                       widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    education = forms.ChoiceField(label=_("การศึกษา"), choices=[("", "—"), *EDUCATION_CHOICES], required=False)
    occupation = forms.ChoiceField(label=_("อาชีพ"), choices=[("", "—"), *OCCUPATION_CHOICES], required=False)
    monthly_income = forms.DecimalField(label=_("รายได้ต่อเดือน (บาท)"), min_value=0, max_digits=12, decimal_places=2, initial=0)
    household_size = forms.IntegerField(label=_("จำนวนสมาชิกในครัวเรือน"), min_value=1, max_value=50, initial=1)
    representative_type = forms.ChoiceField(label=_("ผู้แทน"), choices=REPRESENTATIVE_CHOICES, required=False)
    representative_name = forms.CharField(label=_("ชื่อผู้แทน"), max_length=200, required=False)
    representative_national_id = forms.CharField(label=_("เลขประจำตัวประชาชนผู้แทน"), max_length=17, required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        data = self.data or {}
        initial = self.initial or {}
        # bound data carries the form's prefix ("a-province_code"), initial values do not
        prov = data.get(self.add_prefix("province_code")) or initial.get("province_code", "")
        dist = data.get(self.add_prefix("district_code")) or initial.get("district_code", "")
        choice(self, "province_code").choices = province_choices()
        choice(self, "district_code").choices = district_choices(prov)
        choice(self, "subdistrict_code").choices = subdistrict_choices(dist)
        url = reverse("staff:address_options")
        self.fields["province_code"].widget.attrs.update(
            {"hx-get": url, "hx-trigger": "change", "hx-include": "this", "hx-target": f"#id_{self.add_prefix('district_code')}"}
        )
        self.fields["district_code"].widget.attrs.update(
            {"hx-get": url, "hx-trigger": "change", "hx-include": "this", "hx-target": f"#id_{self.add_prefix('subdistrict_code')}"}
        )

    def to_input(self) -> ApplicantInput:
        c = self.cleaned_data
        return ApplicantInput(
            national_id=c["national_id"], title=c["title"], first_name=c["first_name"], last_name=c["last_name"],
            birth_date=c["birth_date"], sex=c["sex"], house_no=c["house_no"], province_code=c["province_code"],
            district_code=c["district_code"], subdistrict_code=c["subdistrict_code"], phone=c["phone"],
            education=c["education"], occupation=c["occupation"], monthly_income=c["monthly_income"],
            household_size=c["household_size"],
        )


class ApplicantCorrectionForm(ApplicantForm):
    """The applicant form of the new-request page, for correcting a request's applicant.

    The national ID is not a field: a different ID is another person (moving the request to
    them is not a correction), so the page shows it masked and the input keeps the one on file.
    The representative belongs to the request, not to the person, and is not corrected here.
    """

    NOT_CORRECTED = ("national_id", "representative_type", "representative_name", "representative_national_id")

    def __init__(self, *args: Any, national_id: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in self.NOT_CORRECTED:
            del self.fields[name]
        self.applicant_national_id = national_id

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["national_id"] = self.applicant_national_id
        return cleaned


def applicant_initial(person: Any) -> dict[str, Any]:
    """The applicant form's initial values from a ``Person``."""
    return {name: getattr(person, name) for name in ApplicantForm.base_fields if hasattr(person, name)}


def _money(label: StrOrPromise, required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(label=label, min_value=0, max_digits=12, decimal_places=2, required=required, initial=0)


class LitigationForm(DetailsForm):
    case_kind = forms.ChoiceField(label=_("ประเภทคดี"), choices=[
        ("civil", _("คดีแพ่ง")), ("criminal", _("คดีอาญา")), ("administrative", _("คดีปกครอง")),
        ("labour", _("คดีแรงงาน")), ("other", _("อื่น ๆ"))])
    court = forms.CharField(label=_("ศาล"), max_length=200)
    case_number = forms.CharField(label=_("หมายเลขคดี"), max_length=60, required=False)
    party_role = forms.ChoiceField(label=_("ฐานะในคดี"), choices=[
        ("plaintiff", _("โจทก์")), ("defendant", _("จำเลย")), ("injured_party", _("ผู้เสียหาย")),
        ("accused", _("ผู้ต้องหา")), ("other", _("อื่น ๆ"))])
    cost_lawyer = _money(_("ค่าทนายความ"))
    cost_court_fee = _money(_("ค่าธรรมเนียมศาล"))
    cost_expert = _money(_("ค่าผู้เชี่ยวชาญ"))
    cost_travel = _money(_("ค่าเดินทาง"))
    cost_other = _money(_("ค่าใช้จ่ายอื่น"))

    def to_details(self) -> dict[str, Any]:
        c = self.cleaned_data
        return {
            "case_kind": c["case_kind"], "court": c["court"], "case_number": c["case_number"],
            "party_role": c["party_role"],
            "costs": {k: str(c[f"cost_{k}"] or Decimal(0)) for k in ("lawyer", "court_fee", "expert", "travel", "other")},
        }


class BailForm(DetailsForm):
    detainee_name = forms.CharField(label=_("ชื่อผู้ถูกควบคุมตัว"), max_length=200)
    detainee_national_id = forms.CharField(label=_("เลขประจำตัวประชาชนผู้ถูกควบคุมตัว"), max_length=17, required=False)
    charge = forms.CharField(label=_("ข้อหา"), max_length=300)
    held_at = forms.CharField(label=_("สถานที่ควบคุมตัว"), max_length=200)
    authority = forms.ChoiceField(label=_("ยื่นประกันต่อ"), choices=[("court", _("ศาล")), ("police", _("สถานีตำรวจ"))])
    authority_name = forms.CharField(label=_("ชื่อศาล/สถานีตำรวจ"), max_length=200)
    bail_amount = _money(_("จำนวนเงินประกันที่ขอ (บาท)"), required=True)

    def to_details(self) -> dict[str, Any]:
        c = dict(self.cleaned_data)
        c["detainee_national_id"] = "".join(ch for ch in c["detainee_national_id"] if ch.isdigit())
        c["bail_amount"] = str(c["bail_amount"])
        return c


class HumanRightsForm(DetailsForm):
    violation = forms.CharField(label=_("การละเมิดที่เกิดขึ้น"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)
    harm = forms.CharField(label=_("ความเสียหายที่ได้รับ"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)
    remedy_requested = forms.CharField(label=_("การเยียวยาที่ขอ"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)
    amount_requested = _money(_("จำนวนเงินที่ขอ (บาท)"))

    def to_details(self) -> dict[str, Any]:
        c = dict(self.cleaned_data)
        c["amount_requested"] = str(c["amount_requested"] or 0)
        return c


class ProjectForm(DetailsForm):
    organisation = forms.CharField(label=_("ชื่อองค์กร"), max_length=200)
    organisation_registration_no = forms.CharField(label=_("เลขทะเบียนองค์กร"), max_length=60, required=False)
    title = forms.CharField(label=_("ชื่อโครงการ"), max_length=300)
    plan = forms.CharField(label=_("แผนการดำเนินงาน"), widget=forms.Textarea(attrs={"rows": 4}), max_length=3000)
    budget_lines = forms.CharField(
        label=_("รายการงบประมาณ (บรรทัดละรายการ: รายการ = จำนวนเงิน)"),
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("ค่าวิทยากร = 12000\nค่าเอกสาร = 3000")}),
    )
    participants = forms.IntegerField(label=_("จำนวนผู้เข้าร่วม"), min_value=1, max_value=100000)

    def clean_budget_lines(self) -> list[dict[str, str]]:
        lines = []
        for raw in self.cleaned_data["budget_lines"].splitlines():
            if not raw.strip():
                continue
            item, sep, amount = raw.rpartition("=")
            try:
                value = Decimal(amount.replace(",", "").strip())
            except Exception:
                value = None
            if not sep or not item.strip() or value is None or value <= 0:
                raise forms.ValidationError(_("บรรทัด “%(line)s” ต้องอยู่ในรูป รายการ = จำนวนเงิน") % {"line": raw.strip()})
            lines.append({"item": item.strip(), "amount": str(value)})
        if not lines:
            raise forms.ValidationError(_("ต้องมีอย่างน้อยหนึ่งรายการ"))
        return lines

    def to_details(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ConsultationForm(DetailsForm):
    topic = forms.CharField(label=_("เรื่องที่ปรึกษา"), max_length=300)
    channel = forms.ChoiceField(label=_("ช่องทาง"), choices=[c for c in CHANNEL_CHOICES if c[0] != "api"])
    advice_given = forms.CharField(label=_("คำปรึกษาที่ให้"), widget=forms.Textarea(attrs={"rows": 3}), max_length=3000, required=False)
    referral = forms.CharField(label=_("ส่งต่อหน่วยงาน"), max_length=300, required=False)

    def to_details(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


DETAIL_FORMS: dict[str, type[DetailsForm]] = {
    "LIT": LitigationForm,
    "BAIL": BailForm,
    "HR": HumanRightsForm,
    "PROJECT": ProjectForm,
    "CONSULT": ConsultationForm,
}


def details_initial(service: str, details: dict[str, Any]) -> dict[str, Any]:
    """The service form's initial values from a request's stored details (the inverse of ``to_details``)."""
    initial = {k: v for k, v in (details or {}).items() if k not in PERSONAL_IDS}
    if service == "LIT":
        for item, amount in (initial.pop("costs", None) or {}).items():
            initial[f"cost_{item}"] = amount
    if service == "PROJECT":
        initial["budget_lines"] = "\n".join(
            f"{line.get('item', '')} = {line.get('amount', '')}" for line in initial.get("budget_lines") or []
        )
    return initial


def mask_personal_ids(form: forms.Form, stored: dict[str, Any]) -> None:
    """A national ID among the details (the bail detainee's) is personal data, shown masked like on
    the case page: the correction form leaves its input empty and says which ID is on file."""
    for key in PERSONAL_IDS:
        if key in form.fields and stored.get(key):
            form.fields[key].help_text = gettext("เลขที่บันทึกไว้ %(id)s (เว้นว่างไว้เพื่อคงเลขเดิม)") % {
                "id": thai_id.mask(str(stored[key]))}


def details_for_correction(form: DetailsForm) -> dict[str, Any]:
    """What the correction form's service details say. A national ID input left empty (the one on
    file is shown masked beside it) is left out: ``services.update_details`` keeps the one on file."""
    return {k: v for k, v in form.to_details().items() if not (k in PERSONAL_IDS and not v)}


class TransitionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("หมายเหตุ/เหตุผล"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000)
    outcome = forms.ChoiceField(label=_("ผลการพิจารณา"), required=False, choices=[
        ("", "—"), ("approved", _("อนุมัติ")), ("partially_approved", _("อนุมัติบางส่วน")),
        ("rejected", _("ไม่อนุมัติ")), ("terminated", _("ยุติเรื่อง"))])
    reason_code = forms.ChoiceField(label=_("รหัสเหตุผล"), required=False, choices=())

    def __init__(self, *args: Any, reason_choices: list[tuple[str, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        choice(self, "reason_code").choices = [("", "—"), *(reason_choices or [])]


class UploadForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("ประเภทเอกสาร"), choices=())
    file = forms.FileField(label=_("ไฟล์ (PDF, JPEG, PNG)"))

    def __init__(self, *args: Any, doc_choices: list[tuple[str, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        choice(self, "doc_type").choices = doc_choices or []
