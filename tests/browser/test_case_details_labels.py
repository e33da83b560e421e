"""The case page names every service detail in words (Thai or English), never by its JSON key.

(A fast test next to the browser tests: it checks the filter the case page uses.)
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from jfs.cases import details as details_mod
from jfs.staff.forms import DETAIL_FORMS
from jfs.staff.templatetags.casepage import detail_rows_for

SAMPLES: dict[str, dict[str, Any]] = {
    "LIT": {"case_kind": "labour", "court": "ศาลแรงงานภาค 5", "case_number": "", "party_role": "plaintiff",
            "costs": {"lawyer": "12000", "court_fee": "0", "expert": "0", "travel": "800.5", "other": "0"}},
    "BAIL": {"detainee_name": "นายสมปอง ใจกล้า", "detainee_national_id": "1101700123456", "charge": "ลักทรัพย์",
             "held_at": "สภ.เมืองขอนแก่น", "authority": "police", "authority_name": "สภ.เมืองขอนแก่น", "bail_amount": "50000"},
    "HR": {"violation": "ถูกทำร้าย\nขณะควบคุมตัว", "harm": "บาดเจ็บ", "remedy_requested": "ค่ารักษา", "amount_requested": "20000"},
    "PROJECT": {"organisation": "มูลนิธิทดสอบ", "organisation_registration_no": "", "title": "อบรมกฎหมายชุมชน",
                "plan": "อบรม 2 วัน", "budget_lines": [{"item": "ค่าวิทยากร", "amount": "12000"},
                                                       {"item": "ค่าเอกสาร", "amount": "3000"}], "participants": 40},
    "CONSULT": {"topic": "มรดก", "channel": "mobile_unit", "advice_given": "", "referral": ""},
}


@pytest.mark.parametrize("service", sorted(SAMPLES))
def test_every_stored_key_gets_a_label_in_both_languages(service):
    stored = details_mod.validate(service, SAMPLES[service]).model_dump(mode="json")
    keys = set(stored)
    for lang in ("th", "en"):
        with translation.override(lang):
            rows = detail_rows_for(service, stored)
        labels = [r["label"] for r in rows]
        assert not keys & set(labels), f"{service}/{lang}: raw keys shown: {keys & set(labels)}"
        assert all(label.strip() for label in labels)
        if lang == "en":
            assert not any("\u0e00" <= ch <= "\u0e7f" for ch in "".join(labels)), labels


def test_choices_money_lists_and_personal_data_are_shown_for_people():
    with translation.override("en"):
        lit = {r["label"]: r for r in detail_rows_for("LIT", SAMPLES["LIT"])}
        bail = {r["label"]: r for r in detail_rows_for("BAIL", SAMPLES["BAIL"])}
        project = {r["label"]: r for r in detail_rows_for("PROJECT", SAMPLES["PROJECT"])}
        consult = {r["label"]: r for r in detail_rows_for("CONSULT", SAMPLES["CONSULT"])}
    assert lit["Type of case"]["value"] == "Labour case"
    assert lit["Role in the case"]["value"] == "Plaintiff"
    assert lit["Lawyer's fees"] == {"label": "Lawyer's fees", "value": "12,000.00", "kind": "money", "items": []}
    assert lit["Travel costs"]["value"] == "800.50"
    assert "Court fees" not in lit  # nothing asked for: not listed
    assert lit["Case number"]["value"] == "–"
    # the police stage is named for the inquiry official who decides release there (issue 10: bail stages)
    assert bail["Bail requested from"]["value"] == "Inquiry official (police station)"
    assert bail["National ID number of the detained person"]["value"] == "1-XXXX-XXXXX-45-6"
    assert bail["Bail amount requested"]["kind"] == "money"
    assert project["Budget"]["items"] == [{"item": "ค่าวิทยากร", "amount": "12,000.00"},
                                          {"item": "ค่าเอกสาร", "amount": "3,000.00"}]
    assert consult["Channel"]["value"] == "Mobile unit"
    with translation.override("th"):
        th = {r["label"]: r for r in detail_rows_for("HR", SAMPLES["HR"])}
    assert th["การละเมิดที่เกิดขึ้น"]["kind"] == "longtext"
    assert th["จำนวนเงินที่ขอ"]["value"] == "20,000.00"


def test_every_detail_form_field_maps_to_a_stored_key():
    """The labels come from the staff forms: a form field must match a stored key (costs as cost_<item>)."""
    for service, form in DETAIL_FORMS.items():
        schema = details_mod.SCHEMAS[service].model_fields
        for name in form.base_fields:
            key = "costs" if name.startswith("cost_") else name
            assert key in schema, f"{service}: form field {name} has no stored key"
