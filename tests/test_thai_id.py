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


KNOWN_VALID = ["1101700203450", "3100600445937", "1234567890121", "0000000000001", "3509901234565"]


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
        valid = [d for d in "0123456789" if thai_id.is_valid(prefix + d)]
        assert valid == [str(reference_check_digit(prefix))], prefix
        assert thai_id.make_valid(prefix) == prefix + valid[0]


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
    for prefix in ("000000000000", "012345678901", "098765432109"):
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
