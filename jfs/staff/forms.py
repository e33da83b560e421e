"""Forms of the staff workspace: a new request (applicant + service details), actions, uploads.

Forms only translate what a person typed into the inputs of the case services;
validation of meaning (check digits, address codes, amounts) happens in the services
so the API and the pages give the same answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, get_args, get_origin

import geothai
from django import forms
from django.urls import reverse
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from jfs.cases import service_registry
from jfs.cases.details import PERSONAL_IDS
from jfs.cases.models import (
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


def _pick(th: str, en: str) -> str:
    return en if (translation.get_language() or "th").startswith("en") else th


#: a label chosen when shown: the Thai, or the English when English is active
bilingual = lazy(_pick, str)


def field_extra(info: FieldInfo) -> dict[str, Any]:
    extra = info.json_schema_extra
    return extra if isinstance(extra, dict) else {}


def _label(name: str, info: FieldInfo) -> StrOrPromise:
    """The field's ``title`` (Thai) and ``json_schema_extra["en"]`` (English); never the JSON key, unless untitled."""
    th = info.title or name
    return bilingual(th, str(field_extra(info).get("en") or th))


def _limit(info: FieldInfo, attr: str) -> Any:
    return next((getattr(m, attr) for m in info.metadata if getattr(m, attr, None) is not None), None)


def is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def lines_parts(model: type[BaseModel]) -> tuple[str, str]:
    """A list of small models typed as lines "text = amount": the text field and the amount field."""
    text = next((n for n, f in model.model_fields.items() if f.annotation is str), None)
    number = next((n for n, f in model.model_fields.items() if f.annotation in (Decimal, int)), None)
    if text is None or number is None or len(model.model_fields) != 2:
        raise TypeError(f"{model.__name__}: a list in a service's details holds models of one text and one number")
    return text, number


class LinesField(forms.CharField):
    """A list of (text, amount) models typed one per line: ``item = amount``."""

    def __init__(self, *args: Any, item_model: type[BaseModel], **kwargs: Any):
        self.text_key, self.number_key = lines_parts(item_model)
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> list[dict[str, str]]:  # a list, not text
        text = super().clean(value)
        lines = []
        for raw in (text or "").splitlines():
            if not raw.strip():
                continue
            item, sep, amount = raw.rpartition("=")
            try:
                number: Decimal | None = Decimal(amount.replace(",", "").strip())
            except (InvalidOperation, ValueError):
                number = None
            if not sep or not item.strip() or number is None or number <= 0:
                raise forms.ValidationError(_("บรรทัด “%(line)s” ต้องอยู่ในรูป รายการ = จำนวนเงิน") % {"line": raw.strip()})
            lines.append({self.text_key: item.strip(), self.number_key: str(number)})
        if not lines and self.required:
            raise forms.ValidationError(_("ต้องมีอย่างน้อยหนึ่งรายการ"))
        return lines


def _form_field(name: str, info: FieldInfo) -> forms.Field:
    """One form field for one details field: text, long text (1000 characters or more), a choice
    (a ``Literal``), money (``Decimal``), a whole number, yes/no, or lines (a list of small models)."""
    ann, label, required = info.annotation, _label(name, info), info.is_required()
    extra = field_extra(info)
    if get_origin(ann) is Literal:
        names = extra.get("choices") or {}
        options = [(v, bilingual(*names[v]) if v in names else str(v)) for v in get_args(ann)]
        return forms.ChoiceField(label=label, choices=options, required=required)
    if ann is Decimal:
        low = _limit(info, "ge") if _limit(info, "ge") is not None else _limit(info, "gt")
        return forms.DecimalField(label=label, min_value=low, max_value=_limit(info, "le"),
                                  max_digits=_limit(info, "max_digits"), decimal_places=_limit(info, "decimal_places"),
                                  required=required, initial=None if required else info.default)
    if ann is int:
        gt = _limit(info, "gt")
        return forms.IntegerField(label=label, min_value=gt + 1 if gt is not None else _limit(info, "ge"),
                                  max_value=_limit(info, "le"), required=required,
                                  initial=None if required else info.default)
    if ann is bool:
        return forms.BooleanField(label=label, required=False)
    if get_origin(ann) is list and is_model(get_args(ann)[0]):
        ph = extra.get("placeholder")
        attrs = {"rows": 4, **({"placeholder": bilingual(*ph)} if ph else {})}
        return LinesField(label=label, required=required, widget=forms.Textarea(attrs=attrs), item_model=get_args(ann)[0])
    if ann is str:
        length = _limit(info, "max_length")
        long_text = bool(length and length >= 1000) or extra.get("widget") == "long"
        return forms.CharField(label=label, max_length=length, required=required,
                               widget=forms.Textarea(attrs={"rows": 3}) if long_text else None)
    raise TypeError(f"{name}: no form field for a details field of type {ann!r}")


def nested_prefix(name: str, info: FieldInfo) -> str:
    return str(field_extra(info).get("form_prefix") or name)


def details_form_fields(model: type[BaseModel]) -> dict[str, forms.Field]:
    """The form fields of a details model, in its order; a nested model's fields are flattened
    as ``<prefix>_<field>`` (``costs`` -> ``cost_lawyer``, its ``form_prefix``)."""
    out: dict[str, forms.Field] = {}
    for name, info in model.model_fields.items():
        if is_model(info.annotation):
            prefix = nested_prefix(name, info)
            assert isinstance(info.annotation, type)
            for sub, field in details_form_fields(info.annotation).items():
                out[f"{prefix}_{sub}"] = field
        else:
            out[name] = _form_field(name, info)
    return out


def _value(info: FieldInfo, value: Any) -> Any:
    """A cleaned form value as the details model takes it (money as text, an empty optional field as its default)."""
    if value is None or value == "":
        value = None if info.is_required() else info.default
    if isinstance(value, Decimal):
        return str(value)
    return value


def _details_from(model: type[BaseModel], cleaned: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if is_model(info.annotation):
            assert isinstance(info.annotation, type)
            out[name] = _details_from(info.annotation, cleaned, f"{prefix}{nested_prefix(name, info)}_")
        elif name in PERSONAL_IDS:  # typed with dashes or spaces, stored as digits
            out[name] = "".join(ch for ch in str(cleaned.get(prefix + name) or "") if ch.isdigit())
        else:
            out[name] = _value(info, cleaned.get(prefix + name))
    return out


class DetailsForm(forms.Form):
    """A service's details form, generated from its pydantic model (``details_form``): ``to_details``
    gives the values the model takes."""

    model: type[BaseModel]

    def to_details(self) -> dict[str, Any]:
        return _details_from(self.model, self.cleaned_data)


@cache
def details_form(model: type[BaseModel]) -> type[DetailsForm]:
    """The staff form of a details model: its labels, choices and limits come from the model."""
    attrs: dict[str, Any] = {"model": model, **details_form_fields(model)}
    return type(f"{model.__name__}Form", (DetailsForm,), attrs)


#: each service's details form, generated from the model in its services/<CODE>/service.yaml
DETAIL_FORMS: Mapping[str, type[DetailsForm]] = service_registry.ServiceMap(lambda s: details_form(s.details))


def _initial(model: type[BaseModel], details: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        value = details.get(name)
        if name in PERSONAL_IDS or name not in details:
            continue
        if is_model(info.annotation) and isinstance(value, dict):
            assert isinstance(info.annotation, type)
            out.update(_initial(info.annotation, value, f"{prefix}{nested_prefix(name, info)}_"))
        elif get_origin(info.annotation) is list and is_model(get_args(info.annotation)[0]) and isinstance(value, list):
            text, number = lines_parts(get_args(info.annotation)[0])
            out[prefix + name] = "\n".join(f"{line.get(text, '')} = {line.get(number, '')}" for line in value)
        else:
            out[prefix + name] = value
    return out


def details_initial(service: str, details: dict[str, Any]) -> dict[str, Any]:
    """The service form's initial values from a request's stored details (the inverse of ``to_details``)."""
    model = service_registry.get(service).details
    return _initial(model, details or {})


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
