"""Thai QR Payment (PromptPay bill payment) payloads: the CRC-16/CCITT-FALSE check value, payloads
published with the open-source PromptPay libraries (promptparse's test vectors) rebuilt byte for
byte or read back, and payloads refused when a byte changes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jfslib import promptpay

#: static bill payment, biller 099999999999990, reference 1 111222333444 (no amount)
STATIC = "00020101021130550016A0000006770101120115099999999999990021211122233344453037645802TH63043EE7"
#: dynamic bill payment, biller 099400016550100, refs 123456789012 / 670429, 3,649.22 baht (54 after 58)
DYNAMIC = ("00020101021230650016A00000067701011201150994000165501000212123456789012030667042953037645802TH"
           "54073649.2263044534")


def test_crc16_ccitt_false_check_value() -> None:
    assert promptpay.crc16("123456789") == "29B1"  # the catalogue's check value for CRC-16/CCITT-FALSE
    assert promptpay.crc16(STATIC[:-4]) == "3EE7"
    assert promptpay.crc16(DYNAMIC[:-4]) == "4534"


def test_a_published_static_payload_is_rebuilt_byte_for_byte() -> None:
    assert promptpay.build(biller_id="099999999999990", ref1="111222333444", dynamic=False) == STATIC


def test_a_published_dynamic_payload_is_read_back() -> None:
    got = promptpay.parse(DYNAMIC)
    assert (got.biller_id, got.ref1, got.ref2, got.amount, got.dynamic) == (
        "099400016550100", "123456789012", "670429", Decimal("3649.22"), True)


def test_built_payloads_round_trip_with_every_field() -> None:
    payload = promptpay.build(biller_id="099400000000000", ref1="JF00000012001", ref2="20260315",
                              amount=Decimal("1250.5"), terminal_label="JFS")
    assert payload.startswith("000201010212") and "5303764" in payload and "54071250.50" in payload
    assert "5802TH" in payload and "62070703JFS" in payload and payload[-8:-4] == "6304"
    got = promptpay.parse(payload)
    assert (got.ref1, got.ref2, got.amount) == ("JF00000012001", "20260315", Decimal("1250.50"))


def test_a_changed_byte_or_a_missing_crc_is_refused() -> None:
    with pytest.raises(promptpay.PayloadError, match="CRC mismatch"):
        promptpay.parse(DYNAMIC.replace("3649.22", "3649.23"))
    with pytest.raises(promptpay.PayloadError, match="6304"):
        promptpay.parse(DYNAMIC[:-8])
    other_aid = promptpay.tlv("00", "01") + promptpay.tlv("01", "12") + promptpay.tlv(
        "30", promptpay.tlv("00", "A000000677010111") + promptpay.tlv("01", "0812345678")) + "5303764" + "5802TH6304"
    with pytest.raises(promptpay.PayloadError, match="bill payment"):
        promptpay.parse(other_aid + promptpay.crc16(other_aid))


@pytest.mark.parametrize("kwargs", [
    {"biller_id": "12345", "ref1": "A1", "amount": Decimal(1)},  # not 15 digits
    {"biller_id": "099400000000000", "ref1": "a lower-case ref", "amount": Decimal(1)},
    {"biller_id": "099400000000000", "ref1": "", "amount": Decimal(1)},
    {"biller_id": "099400000000000", "ref1": "A1", "amount": Decimal("0")},
    {"biller_id": "099400000000000", "ref1": "A1", "amount": Decimal("1.005")},
    {"biller_id": "099400000000000", "ref1": "A1"},  # a dynamic QR without its amount
])
def test_bad_parts_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(promptpay.PayloadError):
        promptpay.build(**kwargs)  # type: ignore[arg-type]
