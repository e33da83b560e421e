"""Thai 13-digit national ID numbers: check digit validation and masking.

d13 = (11 - sum(d_i * (14 - i) for i in 1..12) mod 11) mod 10.
IDs that begin with 0 belong to people without Thai registration status and are valid.
"""

from __future__ import annotations

import re

from jfslib.bilingual import BilingualValueError

_NON_DIGITS = re.compile(r"[\s\-]")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def _ascii_digits(value: str) -> bool:
    # str.isdigit() alone accepts "²" and other characters int() cannot read
    return value.isascii() and value.isdigit()


class InvalidNationalID(BilingualValueError):
    """Raised when a national ID is not valid."""


def check_digit(first12: str) -> int:
    """Return the check digit for the first twelve digits of an ID."""
    if len(first12) != 12 or not _ascii_digits(first12):
        raise ValueError("need exactly 12 digits")
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return (11 - total % 11) % 10


def normalize(raw: str) -> str:
    """Strip spaces and dashes people type (1-2345-67890-12-3); Thai numerals become 0-9."""
    return _NON_DIGITS.sub("", (raw or "").translate(_THAI_DIGITS))


def is_valid(raw: str) -> bool:
    value = normalize(raw)
    return len(value) == 13 and _ascii_digits(value) and check_digit(value[:12]) == int(value[12])


def validate(raw: str) -> str:
    """Return the normalised ID or raise InvalidNationalID with a clear message."""
    value = normalize(raw)
    if not _ascii_digits(value) or len(value) != 13:
        raise InvalidNationalID("เลขประจำตัวประชาชนต้องเป็นตัวเลข 13 หลัก", "National ID must be 13 digits")
    if check_digit(value[:12]) != int(value[12]):
        raise InvalidNationalID(
            "เลขประจำตัวประชาชนไม่ถูกต้อง: หลักตรวจสอบไม่ตรง", "National ID check digit does not match"
        )
    return value


def mask(value: str) -> str:
    """Show only the first and last three digits: 1-xxxx-xxxxx-12-3 → 1-XXXX-XXXXX-X2-3 style."""
    v = normalize(value)
    if len(v) != 13:
        return "•" * len(v)
    return f"{v[0]}-XXXX-XXXXX-{v[10]}{v[11]}-{v[12]}"


def format_id(value: str) -> str:
    v = normalize(value)
    if len(v) != 13:
        return v
    return f"{v[0]}-{v[1:5]}-{v[5:10]}-{v[10:12]}-{v[12]}"


def make_valid(first12: str) -> str:
    """Append the check digit (used by synthetic data generators)."""
    return first12 + str(check_digit(first12))
