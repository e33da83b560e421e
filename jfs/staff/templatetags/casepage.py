"""Template filters for the case page: readable service details, role and workflow names.

The labels of a request's service details come from the same staff forms that
collect them (``jfs.staff.forms.DETAIL_FORMS``, generated from each service's pydantic
details model): a field added to the model shows up in the form and on the case page
with its own label and choice names, in Thai or English.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, get_args, get_origin

from django import forms, template
from django.utils import translation
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from jfs.accounts.models import ROLE_CHOICES
from jfs.cases.details import PERSONAL_IDS, SCHEMAS
from jfs.staff.forms import DETAIL_FORMS, ApplicantForm, bilingual, field_extra, is_model, lines_parts, nested_prefix
from jfslib import thai_id

register = template.Library()

#: Details that are personal data and are shown masked (the same set the API masks).
MASKED = PERSONAL_IDS


def _money(value: Any) -> str:
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return str(value)


def _label(fields: dict[str, forms.Field], infos: dict[str, FieldInfo], key: str) -> str:
    """The model's short label for reading (``"short"``), else the form's, else the model's title."""
    info = infos.get(key)
    extra = field_extra(info) if info is not None else {}
    if extra.get("short"):
        return str(bilingual(*extra["short"]))
    field = fields.get(key)
    if field is not None and field.label:
        return str(field.label)
    if info is not None and info.title:
        return str(bilingual(info.title, str(extra.get("en") or info.title)))
    return key


def _row(label: str, value: Any, kind: str = "text", items: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"label": label, "value": value, "kind": kind, "items": items or []}


def _fields(service: str) -> tuple[dict[str, forms.Field], dict[str, FieldInfo]]:
    form = DETAIL_FORMS.get(service)
    model = SCHEMAS.get(service)
    return (dict(form.base_fields) if form else {}), (dict(model.model_fields) if model else {})


def detail_rows_for(service: str, details: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows (label, value, kind) describing a request's service details, in the active language."""
    fields, infos = _fields(service)
    rows = []
    for key, value in (details or {}).items():
        field, info = fields.get(key), infos.get(key)
        ann = info.annotation if info is not None else None
        if info is not None and is_model(ann) and isinstance(value, dict):
            assert isinstance(ann, type) and issubclass(ann, BaseModel)
            prefix = nested_prefix(key, info)
            for item, sub in value.items():
                sub_info = ann.model_fields.get(item)
                label = _label(fields, {}, f"{prefix}_{item}")
                if sub_info is not None and sub_info.annotation is Decimal:
                    if Decimal(str(sub or 0)) != 0:
                        rows.append(_row(label, _money(sub), "money"))
                else:
                    rows.append(_row(label, "–" if sub in ("", None) else str(sub)))
        elif get_origin(ann) is list and is_model(get_args(ann)[0]) and isinstance(value, list):
            text, number = lines_parts(get_args(ann)[0])
            items = [{"item": str(line.get(text, "")), "amount": _money(line.get(number, 0))} for line in value]
            rows.append(_row(_label(fields, infos, key), "", "lines", items))
        elif value in ("", None):
            rows.append(_row(_label(fields, infos, key), "–"))
        elif key in MASKED:
            rows.append(_row(_label(fields, infos, key), thai_id.mask(str(value))))
        elif isinstance(field, forms.ChoiceField):
            rows.append(_row(_label(fields, infos, key), str(dict(field.choices).get(value, value))))  # type: ignore[arg-type]
        elif isinstance(field, forms.DecimalField):
            rows.append(_row(_label(fields, infos, key), _money(value), "money"))
        elif isinstance(field, forms.CharField) and isinstance(field.widget, forms.Textarea):
            rows.append(_row(_label(fields, infos, key), str(value), "longtext"))
        else:
            rows.append(_row(_label(fields, infos, key), str(value)))
    return rows


def applicant_field_labels(names: Any) -> list[str]:
    """The labels of an applicant's fields (``Person`` field names), in the form's order and the reader's language."""
    fields = ApplicantForm.base_fields
    order = {name: i for i, name in enumerate(fields)}
    return [str(fields[n].label) if n in fields and fields[n].label else n
            for n in sorted(names, key=lambda n: (order.get(n, len(order)), n))]


def changed_field_labels(service: str, keys: Any) -> list[str]:
    """Labels of the fields named in an "update" diff (``applicant.first_name``, ``details.court``)."""
    fields, infos = _fields(service)
    keys = list(keys)
    labels = applicant_field_labels([k.split(".", 1)[1] for k in keys if k.startswith("applicant.")])
    return labels + [_label(fields, infos, k.split(".", 1)[1]) for k in sorted(keys) if k.startswith("details.")]


@register.filter
def detail_rows(req: Any) -> list[dict[str, Any]]:
    return detail_rows_for(req.service, req.details)


@register.filter
def role_label(code: str | None) -> str:
    return str(dict(ROLE_CHOICES).get(code or "", code or ""))


def _name(obj: Any) -> str:
    return str(getattr(obj, "en" if translation.get_language() == "en" else "th", obj))


@register.filter
def state_name(wf: Any, code: str) -> str:
    state = wf.states.get(code)
    return _name(state) if state is not None else (code or "")


@register.filter
def action_name(wf: Any, code: str) -> str:
    action = wf.actions.get(code)
    return _name(action) if action is not None else (code or "")


@register.filter
def document_name(wf: Any, code: str) -> str:
    doc = wf.documents.get(code)
    return _name(doc) if doc is not None else (code or "")
