"""Personal data never reaches the logs."""

from __future__ import annotations

import logging

import pytest

from jfs.core.logging import RedactPersonalData, redact


@pytest.mark.parametrize("text", [
    "applicant 1101700203450 registered",
    "applicant 1-1017-00203-45-0 registered",
    "applicant 1 1017 00203 45 0 registered",
    "id=0123456789012;",
])
def test_national_ids_are_removed(text: str) -> None:
    out = redact(text)
    assert "[national-id]" in out
    assert not any(ch.isdigit() for ch in out)


@pytest.mark.parametrize("text", ["call 0812345678", "call 081-234-5678", "call 081 234 5678", "office 02-123-4567",
                                  "office 053123456"])
def test_phone_numbers_are_removed(text: str) -> None:
    out = redact(text)
    assert "[phone]" in out and not any(ch.isdigit() for ch in out)


@pytest.mark.parametrize("text", ["call +66812345678", "call +66 81 234 5678", "office +6621234567", "office +6653123456",
                                  "phone='+66912345678'"])
def test_phone_numbers_as_stored_in_e164_are_removed(text: str) -> None:
    """Phones are stored in E.164 (+66…): a stored value that reaches a log line is removed too."""
    out = redact(text)
    assert "[phone]" in out and not any(ch.isdigit() for ch in out)


def test_filter_removes_an_e164_phone_from_the_arguments() -> None:
    record = logging.LogRecord("jfs", logging.INFO, __file__, 1, "saved phone %s", ("+66812345678",), None)
    assert RedactPersonalData().filter(record) is True
    assert record.getMessage() == "saved phone [phone]"


def test_other_numbers_are_kept() -> None:
    text = "request JF1-50-2569-00012 amount 15000.00 took 13 working days at 10:42"
    assert redact(text) == text


def test_filter_rewrites_the_record_including_its_arguments() -> None:
    record = logging.LogRecord("jfs", logging.INFO, __file__, 1, "user %s phoned from %s", ("3100600445937", "0891234567"), None)
    assert RedactPersonalData().filter(record) is True
    message = record.getMessage()
    assert "3100600445937" not in message and "0891234567" not in message
    assert message == "user [national-id] phoned from [phone]"


def test_filter_leaves_clean_and_malformed_records_alone() -> None:
    clean = logging.LogRecord("jfs", logging.INFO, __file__, 1, "count %d", (5,), None)
    assert RedactPersonalData().filter(clean) and clean.getMessage() == "count 5"
    broken = logging.LogRecord("jfs", logging.INFO, __file__, 1, "%d items", ("x",), None)
    assert RedactPersonalData().filter(broken) is True


def test_configured_console_handler_redacts() -> None:
    import io

    [console] = [h for h in logging.getLogger().handlers
                 if any(isinstance(f, RedactPersonalData) for f in h.filters)]
    assert isinstance(console, logging.StreamHandler)
    stream = io.StringIO()
    old = console.setStream(stream)
    try:
        logging.getLogger("jfs.test").warning("lookup of %s by phone %s", "1101700203450", "0812345678")
    finally:
        console.setStream(old)
    line = stream.getvalue()
    assert "lookup of [national-id] by phone [phone]" in line
    assert "1101700203450" not in line and "0812345678" not in line
