"""Thai QR Payment (PromptPay bill payment) payloads, to the EMVCo Merchant-Presented QR standard.

A payload is a run of TLV fields: a two-digit tag, a two-digit length and the value. A bill payment
QR carries:

- ``00`` payload format indicator ``"01"``; ``01`` point of initiation ``"12"`` (dynamic: one
  amount for one bill) or ``"11"`` (static);
- ``30`` merchant account information, bill payment: ``00`` the AID ``A000000677010112``, ``01`` the
  biller ID (the biller's tax ID and the two-digit suffix the bank assigns), ``02`` reference 1,
  ``03`` reference 2 (optional);
- ``53`` currency ``"764"`` (baht), ``54`` the amount (optional on a static QR), ``58`` country ``"TH"``;
- ``62`` additional data (optional sub-fields, e.g. ``07`` a terminal label);
- ``63`` the CRC: CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF) over the whole payload
  including ``"6304"``, as four upper-case hexadecimal digits.

Pure Python (no Django): ``build`` makes a payload, ``parse`` reads one back and checks its CRC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

BILL_PAYMENT_AID = "A000000677010112"
CURRENCY_THB = "764"
COUNTRY_TH = "TH"
DYNAMIC = "12"
STATIC = "11"

_REFERENCE = re.compile(r"^[0-9A-Z]{1,20}$")
_BILLER = re.compile(r"^[0-9]{15}$")


class PayloadError(ValueError):
    """A payload that cannot be built (bad biller ID, reference, amount) or read (bad TLV, CRC)."""


def crc16(data: str) -> str:
    """CRC-16/CCITT-FALSE of ``data`` (its UTF-8 bytes) as four upper-case hex digits."""
    crc = 0xFFFF
    for byte in data.encode("utf-8"):
        crc ^= byte << 8
        for _bit in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return f"{crc:04X}"


def tlv(tag: str, value: str) -> str:
    if len(tag) != 2 or not tag.isdigit():
        raise PayloadError(f"tag {tag!r} must be two digits")
    if not value or len(value) > 99:
        raise PayloadError(f"field {tag}: a value of 1 to 99 characters is required")
    return f"{tag}{len(value):02d}{value}"


def amount_text(amount: Decimal) -> str:
    """The amount as the QR writes it: digits with two decimals, no separators."""
    if not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise PayloadError("the amount must be above 0 with at most 2 decimals")
    text = f"{amount:.2f}"
    if len(text) > 13:
        raise PayloadError("the amount is too large for a QR payment")
    return text


def build(*, biller_id: str, ref1: str, amount: Decimal | None = None, ref2: str = "",
          terminal_label: str = "", dynamic: bool = True) -> str:
    """A bill-payment payload for ``biller_id`` (15 digits: tax ID + suffix) and reference 1 (and 2),
    with the amount (required on a dynamic QR)."""
    if not _BILLER.match(biller_id):
        raise PayloadError("the biller ID is 15 digits: the 13-digit tax ID and a 2-digit suffix")
    for name, ref in (("reference 1", ref1), ("reference 2", ref2)):
        if ref and not _REFERENCE.match(ref):
            raise PayloadError(f"{name}: 1 to 20 digits or upper-case letters")
    if not ref1:
        raise PayloadError("reference 1 is required")
    if dynamic and amount is None:
        raise PayloadError("a dynamic QR carries its amount")
    account = tlv("00", BILL_PAYMENT_AID) + tlv("01", biller_id) + tlv("02", ref1) + (tlv("03", ref2) if ref2 else "")
    body = tlv("00", "01") + tlv("01", DYNAMIC if dynamic else STATIC) + tlv("30", account) + tlv("53", CURRENCY_THB)
    if amount is not None:
        body += tlv("54", amount_text(amount))
    body += tlv("58", COUNTRY_TH)
    if terminal_label:
        body += tlv("62", tlv("07", terminal_label))
    body += "6304"
    return body + crc16(body)


def split(data: str) -> list[tuple[str, str]]:
    """The TLV fields of ``data`` in order."""
    fields: list[tuple[str, str]] = []
    i = 0
    while i < len(data):
        head = data[i:i + 4]
        if len(head) < 4 or not head.isdigit():
            raise PayloadError(f"a field at position {i} has no tag and length")
        length = int(head[2:])
        value = data[i + 4:i + 4 + length]
        if len(value) != length:
            raise PayloadError(f"field {head[:2]} is shorter than its length {length}")
        fields.append((head[:2], value))
        i += 4 + length
    return fields


@dataclass(frozen=True)
class BillPayment:
    """A payload read back: its fields, and the bill payment's parts."""

    fields: dict[str, str] = field(default_factory=dict)
    biller_id: str = ""
    ref1: str = ""
    ref2: str = ""
    amount: Decimal | None = None
    dynamic: bool = False


def parse(payload: str) -> BillPayment:
    """Read a bill-payment payload, refusing a wrong CRC, a missing or misplaced field, or another AID."""
    payload = payload.strip()
    if len(payload) < 8 or payload[-8:-4] != "6304":
        raise PayloadError("the payload does not end with its CRC field (6304)")
    if crc16(payload[:-4]) != payload[-4:].upper():
        raise PayloadError(f"CRC mismatch: {payload[-4:]} given, {crc16(payload[:-4])} computed")
    parts = split(payload)
    if not parts or parts[0] != ("00", "01"):
        raise PayloadError("the payload format indicator (00 = 01) must come first")
    fields = dict(parts)
    if len(fields) != len(parts):
        raise PayloadError("a field is repeated")
    if fields.get("53") != CURRENCY_THB or fields.get("58") != COUNTRY_TH:
        raise PayloadError("not a Thai baht payment (53 = 764, 58 = TH)")
    account = dict(split(fields.get("30", "")))
    if account.get("00") != BILL_PAYMENT_AID:
        raise PayloadError("not a PromptPay bill payment (tag 30 with AID A000000677010112)")
    amount = Decimal(fields["54"]) if "54" in fields else None
    return BillPayment(fields=fields, biller_id=account.get("01", ""), ref1=account.get("02", ""),
                       ref2=account.get("03", ""), amount=amount, dynamic=fields.get("01") == DYNAMIC)
