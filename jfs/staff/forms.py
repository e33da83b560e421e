"""Forms of the staff workspace: a new request (applicant + service details), actions, uploads.

Forms only translate what a person typed into the inputs of the case services;
validation of meaning (check digits, address codes, amounts) happens in the services
so the API and the pages give the same answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from types import UnionType
from typing import TYPE_CHECKING, Any, Literal, Union, get_args, get_origin

import geothai
from django import forms
from django.urls import reverse
from django.utils import translation
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from jfs.cases import reasons, service_registry
from jfs.cases.details import PERSONAL_IDS, recorded_by
from jfs.cases.errors import field_message
from jfs.cases.models import (
    EDUCATION_CHOICES,
    OCCUPATION_CHOICES,
    OUTCOME_CHOICES,
    REPRESENTATIVE_CHOICES,
    SEX_CHOICES,
)
from jfs.cases.services import ApplicantInput
from jfs.core import clock
from jfs.decisions.items import RequestedItem
from jfs.decisions.services import DECIDING_OUTCOMES
from jfslib import thai_id, thai_phone, thaidate
from jfslib.workflow import Action

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
        except thaidate.DateInputError as exc:  # named: the summary lists the message alone
            message = exc.message(translation.get_language())
            raise forms.ValidationError(f"{self.label}: {message}" if self.label else message) from None


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


def _named(template: StrOrPromise, name: StrOrPromise) -> StrOrPromise:
    return format_lazy(template, name=name)


def name_errors(fields: Mapping[str, forms.Field], names: Mapping[str, StrOrPromise] | None = None) -> None:
    """Give every field error messages that name the field (GOV.UK: "กรุณากรอกชื่อผู้ขอรับความช่วยเหลือ",
    never "ฟิลด์นี้จำเป็น"): "กรุณากรอก<name>" for text, "กรุณาเลือก<name>" for a choice or a file,
    and the same for a value that is not valid or out of range. ``<name>`` is the field's label, or
    ``names[field]`` where the label alone would not say whose it is (the applicant's first name)."""
    names = names or {}
    for key, field in fields.items():
        name = names.get(key) or field.label or key
        msgs: dict[str, StrOrPromise] = {}
        if isinstance(field, forms.ChoiceField):
            msgs["required"] = _named(_("กรุณาเลือก{name}"), name)
            msgs["invalid_choice"] = _named(_("กรุณาเลือก{name}จากรายการ"), name)
        elif isinstance(field, forms.FileField):
            msgs["required"] = _named(_("กรุณาเลือก{name}"), name)
            msgs["invalid"] = _named(_("{name}: ไม่ใช่ไฟล์ กรุณาเลือกไฟล์อีกครั้ง"), name)
            msgs["empty"] = _named(_("{name}: ไฟล์ว่างเปล่า"), name)
        else:
            msgs["required"] = _named(_("กรุณากรอก{name}"), name)
        if isinstance(field, forms.IntegerField | forms.DecimalField):
            whole = not isinstance(field, forms.DecimalField)  # a DecimalField is an IntegerField
            msgs["invalid"] = _named(_("{name}ต้องเป็นจำนวนเต็ม") if whole else _("{name}ต้องเป็นตัวเลข"), name)
            msgs["min_value"] = _named(_("{name}ต้องไม่น้อยกว่า %(limit_value)s"), name)
            msgs["max_value"] = _named(_("{name}ต้องไม่เกิน %(limit_value)s"), name)
            msgs["max_digits"] = _named(_("{name}: ตัวเลขยาวเกินไป"), name)
            msgs["max_decimal_places"] = _named(_("{name}: ทศนิยมได้ไม่เกิน %(max)s ตำแหน่ง"), name)
            msgs["max_whole_digits"] = _named(_("{name}: ตัวเลขยาวเกินไป"), name)
        elif isinstance(field, forms.CharField):
            msgs["max_length"] = _named(_("{name}ยาวได้ไม่เกิน %(limit_value)d ตัวอักษร (ตอนนี้ %(show_value)d)"), name)
            msgs["min_length"] = _named(_("{name}ต้องยาวอย่างน้อย %(limit_value)d ตัวอักษร"), name)
        field.error_messages.update(msgs)


class NamedErrors:
    """A form whose every error message names its field (``name_errors``): the error summary
    (templates/_form_errors.html) lists the messages alone."""

    messages_named = True


def choice(form: forms.Form, name: str) -> forms.ChoiceField:
    """A form's choice field, typed as one (``form.fields`` holds plain ``Field``s)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


class ApplicantForm(NamedErrors, forms.Form):
    national_id = forms.CharField(label=_("เลขประจำตัวประชาชน 13 หลัก"), max_length=17,
                                  widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    title = forms.CharField(label=_("คำนำหน้า"), max_length=30, required=False)
    first_name = forms.CharField(label=_("ชื่อ"), max_length=100)
    last_name = forms.CharField(label=_("นามสกุล"), max_length=100)
    birth_date = BEDateField(label=_("วันเกิด"))
    sex = forms.ChoiceField(label=_("เพศ"), choices=[("", _("— เลือก —")), *SEX_CHOICES])  # none preselected
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

    #: how the error messages name a field whose label alone does not say whose it is
    ERROR_NAMES: Mapping[str, StrOrPromise] = {
        "national_id": _("เลขประจำตัวประชาชนของผู้ขอรับความช่วยเหลือ"),
        "first_name": _("ชื่อผู้ขอรับความช่วยเหลือ"),
        "last_name": _("นามสกุลผู้ขอรับความช่วยเหลือ"),
        "birth_date": _("วันเกิดของผู้ขอรับความช่วยเหลือ"),
        "sex": _("เพศของผู้ขอรับความช่วยเหลือ"),
        "monthly_income": _("รายได้ต่อเดือนของผู้ขอรับความช่วยเหลือ"),
        "household_size": _("จำนวนสมาชิกในครัวเรือนของผู้ขอรับความช่วยเหลือ"),
    }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        name_errors(self.fields, self.ERROR_NAMES)
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
        """The service's input; of a form with errors, what it accepted (the rest empty), so the
        services can judge those fields in the same round (``services.registration_problems``)."""
        c = self.cleaned_data

        def text(name: str) -> str:
            return str(c.get(name) or "")

        born: Any = c.get("birth_date")  # None when refused: the service says so, the form already has

        return ApplicantInput(
            national_id=text("national_id"), title=text("title"), first_name=text("first_name"),
            last_name=text("last_name"), birth_date=born, sex=text("sex"), house_no=text("house_no"),
            province_code=text("province_code"), district_code=text("district_code"),
            subdistrict_code=text("subdistrict_code"), phone=text("phone"), education=text("education"),
            occupation=text("occupation"), monthly_income=c.get("monthly_income") or 0,
            household_size=c.get("household_size") or 1,
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


def optional_inner(annotation: Any) -> Any:
    """``Decimal | None`` → ``Decimal`` (an optional field left empty is its default, ``None``)."""
    args = get_args(annotation)
    if get_origin(annotation) in (Union, UnionType) and type(None) in args and len(args) == 2:
        return next(a for a in args if a is not type(None))
    return annotation


def _form_field(name: str, info: FieldInfo) -> forms.Field:
    """One form field for one details field: text, long text (1000 characters or more), a choice
    (a ``Literal``), money (``Decimal``), a whole number, yes/no, or lines (a list of small models)."""
    ann, label, required = optional_inner(info.annotation), _label(name, info), info.is_required()
    extra = field_extra(info)
    if get_origin(ann) is Literal:
        names = extra.get("choices") or {}
        options = [(v, bilingual(*names[v]) if v in names else str(v)) for v in get_args(ann)]
        blank = [] if required else [("", "—")]  # an optional question starts unanswered, never preselected
        return forms.ChoiceField(label=label, choices=[*blank, *options], required=required)
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
        if name in recorded_by(model):  # typed once, in the action that records it
            continue
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
        if name in recorded_by(model):  # not on the form: the service keeps what the action recorded
            continue
        if is_model(info.annotation):
            assert isinstance(info.annotation, type)
            out[name] = _details_from(info.annotation, cleaned, f"{prefix}{nested_prefix(name, info)}_")
        elif name in PERSONAL_IDS:  # typed with dashes or spaces, stored as digits
            out[name] = "".join(ch for ch in str(cleaned.get(prefix + name) or "") if ch.isdigit())
        else:
            out[name] = _value(info, cleaned.get(prefix + name))
    return out


class DetailsForm(NamedErrors, forms.Form):
    """A service's details form, generated from its pydantic model (``details_form``): ``to_details``
    gives the values the model takes."""

    model: type[BaseModel]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        name_errors(self.fields)

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


def details_field(model: type[BaseModel], path: str) -> tuple[str, StrOrPromise] | None:
    """The details form's field of a service error's path, and the label that names it:
    "costs.lawyer" -> ("cost_lawyer", ค่าทนายความ), "budget_lines.0.amount" -> ("budget_lines", …);
    a group's own error ("costs": nothing requested) goes to its first field, named by the group's
    label (ค่าใช้จ่าย); None for the whole model."""
    prefix, group = "", None
    for part in path.split("."):
        info = model.model_fields.get(part)
        if info is None:
            return None
        if is_model(info.annotation):
            assert isinstance(info.annotation, type)
            prefix, model, group = f"{prefix}{nested_prefix(part, info)}_", info.annotation, _label(part, info)
            continue
        return prefix + part, _label(part, info)
    if group is not None and model.model_fields:
        return prefix + next(iter(model.model_fields)), group
    return None


def show_service_errors(errors: list[dict[str, str]], applicant_form: forms.Form, details_form: DetailsForm,
                        *, only_accepted: bool = False) -> None:
    """Show a service's field errors on the fields of the applicant and details forms, in the reader's
    language, a details error named by its field's label (an error about no one field on the form
    as a whole). ``only_accepted``: only on fields the form accepted (a field the form refused keeps
    its own message; the service's complaint about what the form did not pass on says nothing new)."""
    lang = translation.get_language()
    for err in errors:
        field, text = err["field"], field_message(err, lang)
        name: str | None
        if field.startswith("details."):
            form: forms.Form = details_form
            found = details_field(details_form.model, field.removeprefix("details."))
            name = found[0] if found and found[0] in details_form.fields else None
            if found and name:
                text = f"{found[1]}: {text}"
        else:
            form, name = applicant_form, field if field in applicant_form.fields else None
        if only_accepted and name is not None and (name in form.errors or name not in form.cleaned_data):
            continue
        form.add_error(name, text)


def details_for_correction(form: DetailsForm) -> dict[str, Any]:
    """What the correction form's service details say. A national ID input left empty (the one on
    file is shown masked beside it) is left out: ``services.update_details`` keeps the one on file."""
    return {k: v for k, v in form.to_details().items() if not (k in PERSONAL_IDS and not v)}


def _reader_lang() -> str:
    return "en" if (translation.get_language() or "th").startswith("en") else "th"


def _reason_label(r: reasons.Reason, lang: str, outcomes: tuple[str, ...] = ()) -> str:
    """A reason in words with the category of fact it rests on (and, when no outcome is chosen yet,
    the outcomes it explains), never a bare code."""
    label = f"{r.name(lang)} ({reasons.category_name(r.category, lang)})"
    fits = [reasons.outcome_name(o, lang) for o in r.outcomes if o in outcomes]
    return f"{label} · {gettext('ใช้กับ')} {', '.join(fits)}" if fits and len(outcomes) > 1 else label


def reason_choices(outcome: str = "", outcomes: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """The reasons' checkboxes, by name with their category: only the reasons of ``outcome`` once one
    is chosen; before that, every reason of the action's ``outcomes`` once (each saying which outcomes
    it explains), so that without JavaScript the officer still sees which reasons go with which."""
    lang = _reader_lang()
    if outcome in reasons.OUTCOME_NAMES:
        return [(r.code, _reason_label(r, lang)) for r in reasons.for_outcome(outcome)]
    seen: dict[str, str] = {}
    for o in outcomes or tuple(reasons.OUTCOME_NAMES):
        for r in reasons.for_outcome(o):
            seen.setdefault(r.code, _reason_label(r, lang, outcomes or tuple(reasons.OUTCOME_NAMES)))
    return list(seen.items())


#: what each deciding action's form asks besides the comment (the case page offers no meeting's
#: resolution: the secretary records those on the meeting's page)
DECISION_FORM_FIELDS: dict[str, tuple[str, ...]] = {
    "decide_urgent": ("outcome", "reason_codes", "items"),
    "terminate": ("cause", "reason_codes"),
    "withdraw": (),
    "refer": ("referred_to",),
}
#: the approved amount of a cost item is asked for as ``item_<key>``
ITEM_PREFIX = "item_"


def deciding_outcomes(action: str) -> tuple[str, ...]:
    """The outcomes an action's form offers (``jfs.decisions.services.DECIDING_OUTCOMES``)."""
    return DECIDING_OUTCOMES.get(action, ())


class TransitionForm(forms.Form):
    """An action on a request. A deciding action asks what ``DECISION_FORM_FIELDS`` lists: the
    outcome, one or more reasons that fit it (checkboxes, by name and category), the approved amount
    of each requested cost item (prefilled with the amount requested), a termination's cause, the
    agency a request is referred to. The decision rules (``jfs.decisions``) say what is missing or
    does not fit, each on its field (``field_of``); the form only offers the choices."""

    action = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("หมายเหตุ/เหตุผล"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000)
    outcome = forms.ChoiceField(label=_("ผลการพิจารณา"), required=False,
                                choices=[("", _("— เลือกผลการพิจารณา —")), *OUTCOME_CHOICES])
    reason_codes = forms.MultipleChoiceField(
        label=_("เหตุผลของผลการพิจารณา"), required=False, choices=(), widget=forms.CheckboxSelectMultiple,
        help_text=_("เลือกได้หลายข้อ แสดงเฉพาะเหตุผลที่ใช้กับผลการพิจารณาที่เลือก"))
    cause = forms.ChoiceField(label=_("สาเหตุที่ยุติเรื่อง"), required=False, choices=())
    referred_to = forms.CharField(label=_("ส่งต่อไปยังหน่วยงาน"), required=False, max_length=300)
    #: two steps in one: the follow-on chosen (``services.follow_ons``; "" for none) and its comment,
    #: and the officer the request is handed to with the action (``services.offers_hand_off``; "" for
    #: nobody new). The page lists the choices; the services refuse any other.
    then = forms.CharField(label=_("ขั้นตอนต่อไปที่ทำในคราวเดียวกัน"), required=False, max_length=60)
    then_comment = forms.CharField(label=_("หมายเหตุ/เหตุผลของขั้นตอนต่อไป"), widget=forms.Textarea(attrs={"rows": 2}),
                                   required=False, max_length=5000)
    hand_to = forms.CharField(label=_("ส่งต่อให้"), required=False, max_length=12)

    def __init__(self, *args: Any, action: Action | None = None, service: str = "",
                 requested: Sequence[RequestedItem] = (), **kwargs: Any):
        """``action``: the workflow action the form is for; a deciding one asks its fields
        (``DECISION_FORM_FIELDS``), one that needs a comment requires it (the page marks them, every
        message names its field). ``service``: the request's; when the action's comment is a details
        field's value (``recorded_by``: the consultation's advice), the comment is asked for under
        that field's name. ``requested``: the request's cost items (``jfs.decisions.items``), one
        approved-amount field each when the action approves money."""
        super().__init__(*args, **kwargs)
        comment_required = gettext("กรุณาระบุเหตุผลประกอบ")
        if action is not None and service:
            model = service_registry.get(service).details
            for name in sorted(recorded_by(model, action.code)):
                self.fields["comment"].label = _label(name, model.model_fields[name])
                comment_required = str(_named(_("กรุณากรอก{name}"), self.fields["comment"].label))
        code = action.code if action is not None and action.sets_outcome else ""
        self.decision_fields = DECISION_FORM_FIELDS.get(code, ())
        self.item_names: list[tuple[str, RequestedItem]] = []
        if "items" in self.decision_fields:
            for r in requested:
                name = f"{ITEM_PREFIX}{r.key}"
                self.fields[name] = forms.CharField(
                    label=format_lazy(_("จำนวนเงินที่อนุมัติ: {item}"), item=r.name(_reader_lang())), required=False,
                    max_length=20, initial=f"{r.amount:.2f}",
                    help_text=format_lazy(_("ขอ {amount} บาท"), amount=f"{r.amount:,.2f}"),
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "amount"}))
                self.item_names.append((name, r))
        name_errors(self.fields)  # a comment too long, a choice not offered: named (the required ones below)
        required = {
            "outcome": ("outcome" in self.decision_fields, gettext("กรุณาเลือกผลการพิจารณา")),
            "reason_codes": ("reason_codes" in self.decision_fields, gettext("กรุณาเลือกเหตุผลอย่างน้อยหนึ่งข้อ")),
            "cause": ("cause" in self.decision_fields, gettext("กรุณาเลือกสาเหตุที่ยุติเรื่อง")),
            "comment": (action is not None and action.comment_required, comment_required),
        }
        for name, (needed, message) in required.items():
            self.fields[name].required = needed
            self.fields[name].error_messages["required"] = message
        outcomes = deciding_outcomes(code)
        choice(self, "outcome").choices = [("", gettext("— เลือกผลการพิจารณา —")),
                                           *((o, reasons.outcome_name(o, _reader_lang())) for o in outcomes)]
        choice(self, "cause").choices = [("", gettext("— เลือกสาเหตุ —")),
                                         *((c, reasons.cause_name(c, _reader_lang())) for c in reasons.CAUSE_NAMES)]
        reason = self.fields["reason_codes"]
        assert isinstance(reason, forms.MultipleChoiceField)
        reason.choices = [(r, r) for r in reasons.all_reasons()]  # every reason valid: a mismatch is the rules' to explain
        chosen = str(self.data.get(self.add_prefix("outcome")) or self.initial.get("outcome") or "")
        if "outcome" not in self.decision_fields and len(outcomes) == 1:
            chosen = outcomes[0]  # a termination: its reasons only
        reason.widget.choices = reason_choices(chosen if chosen in outcomes else "", outcomes)
        self.fields["outcome"].widget.attrs.update({
            # the reasons already ticked go with the outcome (and stay ticked where they still fit)
            "hx-get": reverse("staff:reason_options"), "hx-trigger": "change",
            "hx-include": f"#{self.add_prefix('reason_codes')}-options",
            "hx-target": f"#{self.add_prefix('reason_codes')}-options", "hx-swap": "innerHTML",
            "hx-vals": f'{{"prefix": "{self.prefix or ""}"}}',
        })
        self.workflow_action = action
        self.follow_ons: tuple[Action, ...] = ()
        self.hand_off_to: list[Any] = []
        self.hand_off_selected = ""

    @property
    def reason_options(self) -> list[tuple[int, str, str]]:
        """The reasons' checkboxes: (index, code, name with category); ids as Django's (``_<index>``)."""
        widget = self.fields["reason_codes"].widget
        assert isinstance(widget, forms.CheckboxSelectMultiple)
        return [(i, str(v), str(n)) for i, (v, n) in enumerate(widget.choices)]

    @property
    def reasons_chosen(self) -> list[str]:
        return [str(v) for v in self["reason_codes"].value() or []]

    @property
    def item_fields(self) -> list[tuple[forms.BoundField, RequestedItem]]:
        return [(self[name], r) for name, r in self.item_names]

    def field_of(self, error_field: str) -> str | None:
        """The form field a decision rule's error is about (``items.<key>``: that item's amount)."""
        if error_field.startswith("items"):
            key = error_field.partition(".")[2]
            names = [n for n, r in self.item_names if not key or r.key == key]
            return names[0] if names else None
        if error_field == "reason_code":
            error_field = "reason_codes"
        return error_field if error_field in self.fields else None

    def decision_values(self) -> dict[str, Any]:
        """What the decision rules are given (``jfs.cases.services.transition(fields=...)``): the
        fields this action asks, the amounts only for an outcome that approves money."""
        c = getattr(self, "cleaned_data", {})
        out: dict[str, Any] = {k: c.get(k) for k in self.decision_fields if k != "items" and c.get(k)}
        if "items" in self.decision_fields and c.get("outcome") in ("approved", "partially_approved"):
            typed = {r.key: str(c.get(name) or "").replace(",", "").strip() for name, r in self.item_names}
            out["items"] = {k: v for k, v in typed.items() if v}  # one left empty: the rules' default
        return out

    def offer(self, follow_ons: tuple[Action, ...], hand_off_to: list[Any], holder: int | None) -> None:
        """What the page offers with this action: its follow-ons (``services.follow_ons``) and the
        officers to hand the request to (``services.offers_hand_off``), the one who holds it now
        selected (what the officer chose, when the form comes back)."""
        self.follow_ons, self.hand_off_to = follow_ons, hand_off_to
        if self.then_needs_comment:
            self.fields["then_comment"].help_text = _("จำเป็นเมื่อเลือกทำขั้นตอนต่อไปที่ต้องระบุเหตุผล")
        posted = self.data.get(self.add_prefix("hand_to")) if self.is_bound else None
        self.hand_off_selected = str(posted if posted is not None else holder or "")

    @property
    def then_chosen(self) -> str:
        return str(self.data.get(self.add_prefix("then")) or "") if self.is_bound else ""

    @property
    def then_needs_comment(self) -> bool:
        return any(a.comment_required for a in self.follow_ons)


class UploadForm(NamedErrors, forms.Form):
    """Several documents in one post, without JavaScript: one row per file, each a document type
    and a file input. The rows start with the required documents still missing (their types chosen);
    a row left without a file is skipped. Row 1's fields are ``doc_type`` and ``file``, row n's
    ``doc_type_n`` and ``file_n``; ``cleaned_data["uploads"]`` lists the (type, file) pairs."""

    MIN_ROWS, MAX_ROWS = 3, 8

    def __init__(self, *args: Any, doc_choices: list[tuple[str, str]] | None = None,
                 missing: list[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        missing = missing or []
        if self.is_bound:  # as many rows as were posted
            n = max([1, *(i for i in range(2, self.MAX_ROWS + 1)
                          if self.add_prefix(f"doc_type_{i}") in self.data or self.add_prefix(f"file_{i}") in self.files)])
        else:
            n = min(max(len(missing) + 1, self.MIN_ROWS), self.MAX_ROWS)
        self.row_names: list[tuple[str, str]] = []
        for i in range(1, n + 1):
            kind, file = ("doc_type", "file") if i == 1 else (f"doc_type_{i}", f"file_{i}")
            self.fields[kind] = forms.ChoiceField(
                label=format_lazy(_("ประเภทเอกสารที่ {n}"), n=i), required=False,
                choices=[("", _("— เลือก —")), *(doc_choices or [])],
                initial=missing[i - 1] if i <= len(missing) else "")
            self.fields[file] = forms.FileField(label=format_lazy(_("ไฟล์ที่ {n} (PDF, JPEG, PNG)"), n=i), required=False)
            self.row_names.append((kind, file))
        name_errors(self.fields)

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[kind], self[file]) for kind, file in self.row_names]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        uploads = []
        for i, (kind, file) in enumerate(self.row_names, start=1):
            if cleaned.get(file) and not cleaned.get(kind) and kind not in self.errors:
                self.add_error(kind, format_lazy(_("กรุณาเลือกประเภทเอกสารของไฟล์ที่ {n}"), n=i))
            elif cleaned.get(file) and cleaned.get(kind):
                uploads.append((cleaned[kind], cleaned[file], file))
        if not uploads and not self.errors:
            self.add_error("file", _("กรุณาเลือกไฟล์ที่จะแนบอย่างน้อยหนึ่งไฟล์"))
        cleaned["uploads"] = uploads
        return cleaned
