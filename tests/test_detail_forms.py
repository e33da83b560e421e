"""The staff's service-details forms are generated from the pydantic details models."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.utils import translation

from jfs.cases import details as details_mod
from jfs.cases import service_registry
from jfs.staff.forms import DETAIL_FORMS, details_initial

SAMPLES: dict[str, dict[str, Any]] = {
    "LIT": {"case_kind": "civil", "court": "ศาลจังหวัดเชียงใหม่", "case_number": "", "party_role": "defendant",
            "costs": {"lawyer": "15000.00", "court_fee": "0", "expert": "0", "travel": "500", "other": "0"}},
    "BAIL": {"detainee_name": "นายสมชาย ใจดี", "detainee_national_id": "", "charge": "ลักทรัพย์",
             "held_at": "สภ.เมือง", "authority": "police", "authority_name": "สภ.เมืองเชียงใหม่", "bail_amount": "50000"},
    "HR": {"violation": "ถูกทำร้าย", "harm": "บาดเจ็บ", "remedy_requested": "ค่าเยียวยา", "amount_requested": "20000"},
    "PROJECT": {"organisation": "มูลนิธิ", "organisation_registration_no": "", "title": "อบรมกฎหมาย",
                "plan": "อบรม 2 วัน", "budget_lines": [{"item": "ค่าวิทยากร", "amount": "12000"}], "participants": 40},
    "CONSULT": {"topic": "มรดก", "channel": "phone", "advice_given": "", "referral": ""},
}


def test_every_service_has_a_generated_form_with_thai_and_english_labels() -> None:
    assert set(DETAIL_FORMS) == set(service_registry.all_services())
    for service, form in DETAIL_FORMS.items():
        keys = set(details_mod.SCHEMAS[service].model_fields)
        for name, field in form.base_fields.items():
            with translation.override("th"):
                th = str(field.label)
            with translation.override("en"):
                en = str(field.label)
            assert th != en, f"{service}.{name}: the label has no English"
            assert th not in keys and en not in keys, f"{service}.{name}: the label is the JSON key"


def test_field_kinds_follow_the_model() -> None:
    lit, bail, hr = DETAIL_FORMS["LIT"].base_fields, DETAIL_FORMS["BAIL"].base_fields, DETAIL_FORMS["HR"].base_fields
    assert isinstance(lit["case_kind"], forms.ChoiceField) and lit["case_kind"].required
    assert isinstance(lit["cost_lawyer"], forms.DecimalField) and not lit["cost_lawyer"].required
    assert isinstance(bail["bail_amount"], forms.DecimalField) and bail["bail_amount"].required
    assert isinstance(hr["violation"].widget, forms.Textarea)
    assert isinstance(DETAIL_FORMS["PROJECT"].base_fields["participants"], forms.IntegerField)
    with translation.override("en"):
        # the inquiry official is the first of the bail stages (issue 10: inquiry official, prosecutor, court, appeal)
        assert dict(bail["authority"].choices)["police"] == "Inquiry official (police station)"  # type: ignore[attr-defined]


@pytest.mark.parametrize("service", list(SAMPLES))
def test_a_form_filled_from_stored_details_gives_them_back(service: str) -> None:
    stored = details_mod.validate(service, SAMPLES[service]).model_dump(mode="json")
    initial = details_initial(service, stored)
    form = DETAIL_FORMS[service]({f"d-{k}": v for k, v in initial.items()}, prefix="d")
    assert form.is_valid(), form.errors
    again = details_mod.validate(service, form.to_details()).model_dump(mode="json")
    assert again == stored


def test_a_budget_line_that_is_not_item_equals_amount_is_refused() -> None:
    data = {"d-organisation": "มูลนิธิ", "d-title": "อบรม", "d-plan": "อบรม", "d-participants": "10",
            "d-budget_lines": "ค่าวิทยากร 12000"}
    form = DETAIL_FORMS["PROJECT"](data, prefix="d")
    assert not form.is_valid() and "budget_lines" in form.errors
