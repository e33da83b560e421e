"""Thai phone numbers: read as people type them, stored in E.164, shown in the national format.

Read with the ``phonenumbers`` library (Google's libphonenumber metadata) for region TH:
mobile numbers 06/08/09 + 8 digits, Bangkok and provincial landlines 02–07 + 7 digits, and
the same numbers written internationally (+66 81 234 5678, 66812345678). Only numbers that
are valid in Thailand are accepted. Stored as E.164 (``+66812345678``); shown to people as
``081-234-5678`` / ``02-123-4567`` / ``053-123-456``.
"""

from __future__ import annotations

import phonenumbers

from jfslib.bilingual import BilingualValueError

REGION = "TH"
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


class InvalidPhone(BilingualValueError):
    """Raised when a phone number is not a valid Thai number."""


def _parse(raw: str) -> phonenumbers.PhoneNumber | None:
    text = (raw or "").translate(_THAI_DIGITS).strip()
    if not text or len(text) > 40:
        return None
    try:
        number = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number_for_region(number, REGION) else None


def to_e164(raw: str) -> str:
    """The number in E.164 (+66812345678); "" for an empty input; InvalidPhone otherwise."""
    if not (raw or "").strip():
        return ""
    number = _parse(raw)
    if number is None:
        raise InvalidPhone(
            "หมายเลขโทรศัพท์ไม่ถูกต้อง: ต้องเป็นหมายเลขในประเทศไทย เช่น มือถือ 081-234-5678 หรือโทรศัพท์บ้าน 02-123-4567 หรือ 053-123-456",
            "Phone number is not valid: give a Thai number, e.g. mobile 081-234-5678 or landline 02-123-4567 or 053-123-456",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_valid(raw: str) -> bool:
    return _parse(raw) is not None


def display(value: str) -> str:
    """A stored number for people to read (081-234-5678); what cannot be read is shown as it is."""
    number = _parse(value)
    if number is None:
        return value or ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL).replace(" ", "-")
