"""Thai national ID numbers: check digit, normalisation, refusal, masking."""

from __future__ import annotations

import pickle
import random
import re

import pytest

from jfslib import thai_id


def reference_check_digit(first12: str) -> int:
    """The formula as the domain states it: d13 = (11 − Σ d_i·(14−i) mod 11) mod 10, i = 1..12."""
    total = sum(int(first12[i - 1]) * (14 - i) for i in range(1, 13))
    return (11 - total % 11) % 10


KNOWN_VALID = ["1101700203450", "3100600445937", "1234567890121", "3509901234565", "0123456789016"]


@pytest.mark.parametrize("value", KNOWN_VALID)
def test_known_valid_ids_are_accepted(value: str) -> None:
    assert reference_check_digit(value[:12]) == int(value[12])
    assert thai_id.is_valid(value)
    assert thai_id.validate(value) == value


def test_exactly_one_check_digit_is_valid_for_any_first_twelve_digits() -> None:
    rng = random.Random(2569)
    prefixes = ["".join(rng.choice("0123456789") for _ in range(12)) for _ in range(300)]
    prefixes += ["000000000000", "999999999999", "110170020345"]
    for prefix in prefixes:
        valid = [d for d in "0123456789" if thai_id.has_valid_check_digit(prefix + d)]
        assert valid == [str(reference_check_digit(prefix))], prefix
        assert thai_id.make_valid(prefix) == prefix + valid[0]
        # a wrong check digit is refused whatever the rest says
        for d in set("0123456789") - set(valid):
            assert not thai_id.is_valid(prefix + d)


@pytest.mark.parametrize("value", ["1101700203451", "3100600445930", "1234567890123"])
def test_wrong_check_digit_is_refused_with_a_bilingual_message(value: str) -> None:
    assert not thai_id.is_valid(value)
    with pytest.raises(thai_id.InvalidNationalID) as exc:
        thai_id.validate(value)
    assert "หลักตรวจสอบไม่ตรง" in str(exc.value) and "check digit does not match" in str(exc.value)


@pytest.mark.parametrize(("value", "th", "en"), [
    ("1101700203451", "เลขประจำตัวประชาชนไม่ถูกต้อง: หลักตรวจสอบไม่ตรง", "National ID check digit does not match"),
    ("12345", "เลขประจำตัวประชาชนต้องเป็นตัวเลข 13 หลัก", "National ID must be 13 digits"),
])
def test_the_refusal_carries_thai_and_english_texts_separately(value: str, th: str, en: str) -> None:
    with pytest.raises(thai_id.InvalidNationalID) as exc:
        thai_id.validate(value)
    assert (exc.value.th, exc.value.en) == (th, en)
    assert (exc.value.message("th"), exc.value.message("en"), exc.value.message(None)) == (th, en, th)
    assert str(exc.value) == f"{th} ({en})"
    copy = pickle.loads(pickle.dumps(exc.value))
    assert (copy.th, copy.en, str(copy)) == (th, en, str(exc.value))


def test_ids_beginning_with_zero_are_accepted() -> None:
    for prefix in ("000000000010", "012345678901", "098765432109", "000189012345"):
        value = thai_id.make_valid(prefix)
        assert value.startswith("0") and len(value) == 13
        assert thai_id.validate(value) == value


@pytest.mark.parametrize("typed", ["1-1017-00203-45-0", "1 1017 00203 45 0", " 1101700203450 ", "1-1017 00203-45 0"])
def test_dashes_and_spaces_are_normalised(typed: str) -> None:
    assert thai_id.normalize(typed) == "1101700203450"
    assert thai_id.validate(typed) == "1101700203450"


@pytest.mark.parametrize("value", ["110170020345", "11017002034501", "", "110170020345X", "1.101700203450", "11017002034²0", "１101700203450"])
def test_wrong_length_or_non_digits_are_refused(value: str) -> None:
    assert not thai_id.is_valid(value)
    with pytest.raises(thai_id.InvalidNationalID) as exc:
        thai_id.validate(value)
    assert "13" in str(exc.value)


def test_check_digit_needs_twelve_digits() -> None:
    with pytest.raises(ValueError):
        thai_id.check_digit("12345")


@pytest.mark.parametrize("value", KNOWN_VALID + ["1-1017-00203-45-0"])
def test_masking_shows_no_more_than_four_digits(value: str) -> None:
    masked = thai_id.mask(value)
    assert len(re.findall(r"\d", masked)) <= 4
    assert thai_id.normalize(value) not in masked.replace("-", "")


def test_masking_something_that_is_not_an_id_shows_no_digits() -> None:
    assert not re.search(r"\d", thai_id.mask("12345"))


def test_format_id_groups_the_digits() -> None:
    assert thai_id.format_id("1101700203450") == "1-1017-00203-45-0"


def test_thai_numerals_are_read_as_digits() -> None:
    assert thai_id.validate("๑-๑๐๑๗-๐๐๒๐๓-๔๕-๐") == "1101700203450"
    assert not thai_id.is_valid("๑๑๐๑๗๐๐๒๐๓๔๕๑")


# --------------------------------------------------------------------------- registration rules


@pytest.mark.parametrize(("value", "th", "en"), [
    (thai_id.make_valid("912345678901"), "เลขประจำตัวประชาชนไม่มีการออกเลขที่ขึ้นต้นด้วย 9",
     "No national ID is issued beginning with 9"),
    ("9999999999994", "เลขประจำตัวประชาชนไม่มีการออกเลขที่ขึ้นต้นด้วย 9", "No national ID is issued beginning with 9"),
    ("0000000000001", "เลขประจำตัวประชาชนไม่ถูกต้อง: เลขที่ขึ้นต้นด้วย 0 ต้องมีรหัสสำนักทะเบียนหรือเลขลำดับ "
     "หลักที่ 2–12 เป็นศูนย์ทั้งหมดไม่ได้",
     "National ID is not valid: a number beginning with 0 needs an office or running number; digits 2–12 cannot all be zero"),
    ("1111111111119", "เลขประจำตัวประชาชนไม่ถูกต้อง: ตัวเลข 12 หลักแรกเหมือนกันทั้งหมด ไม่มีการออกเลขเช่นนี้",
     "National ID is not valid: its first 12 digits are all the same, which is never issued"),
    (thai_id.make_valid("100000000000"), "เลขประจำตัวประชาชนไม่ถูกต้อง: หลักที่ 2–3 (00) ต้องเป็นรหัสจังหวัด 10–96 "
     "ของสำนักทะเบียนที่ออกเลข",
     "National ID is not valid: digits 2–3 (00) must be the province code (10–96) of the registration office that issued it"),
])
def test_numbers_never_issued_are_refused_saying_why(value: str, th: str, en: str) -> None:
    assert thai_id.has_valid_check_digit(value)
    assert not thai_id.is_valid(value)
    with pytest.raises(thai_id.InvalidNationalID) as exc:
        thai_id.validate(value)
    assert (exc.value.th, exc.value.en) == (th, en)


@pytest.mark.parametrize("digit", "23456789")
def test_twelve_identical_leading_digits_are_refused(digit: str) -> None:
    value = thai_id.make_valid(digit * 12)
    assert not thai_id.is_valid(value)


@pytest.mark.parametrize("category", "12345678")
@pytest.mark.parametrize(("province", "ok"), [("09", False), ("10", True), ("50", True), ("96", True), ("97", False), ("99", False)])
def test_categories_one_to_eight_carry_a_province_code(category: str, province: str, ok: bool) -> None:
    value = thai_id.make_valid(f"{category}{province}0100123{category}4")
    assert thai_id.is_valid(value) is ok, value


@pytest.mark.parametrize("first12", ["012345678901", "000100012345", "009912345678", "098765432109"])
def test_category_zero_has_no_province_rule(first12: str) -> None:
    """People without Thai registration status: digits 2–3 are not a province code (migrant workers' 00…)."""
    assert thai_id.validate(thai_id.make_valid(first12))


def test_people_without_thai_nationality_are_valid() -> None:
    for first12 in ("650990012345", "750990012345", "850990012345", "610010012345"):
        value = thai_id.make_valid(first12)
        assert thai_id.validate(value) == value
        assert thai_id.category(value) is thai_id.CATEGORIES[first12[0]]


def test_the_category_table_is_data_with_its_sources() -> None:
    assert sorted(thai_id.CATEGORIES) == list("0123456789")
    assert [c.digit for c in thai_id.CATEGORIES.values() if not c.issued] == ["9"]
    assert [c.digit for c in thai_id.CATEGORIES.values() if c.province_office] == list("12345678")
    for c in thai_id.CATEGORIES.values():
        assert c.source and c.th and c.en
        assert c.confirmed is False  # no primary DOPA text on file yet: see docs/case-system.md
    assert thai_id.category("12345") is None


@pytest.mark.parametrize(("text", "found"), [
    ("1101700203450", True), ("1-1017-00203-45-0", True), ("สมปอง 1 1017 00203 45 0", True), ("1101700203451", True),
    ("๑๑๐๑๗๐๐๒๐๓๔๕๐", True), ("JF1-50-2569-00012", False), ("สมปอง ทดสอบ", False), ("110170020345", False), ("", False),
])
def test_contains_id_finds_thirteen_digits_valid_or_not(text: str, found: bool) -> None:
    assert thai_id.contains_id(text) is found
