"""A logging filter that keeps personal data out of logs (PDPA).

National ID numbers (13 digits, with or without dashes) and Thai phone numbers are
replaced before a record reaches any handler.
"""

from __future__ import annotations

import logging
import re

_ID = re.compile(r"(?<!\d)\d[\s-]?\d{4}[\s-]?\d{5}[\s-]?\d{2}[\s-]?\d(?!\d)")
_PHONE = re.compile(r"(?<!\d)0\d{1,2}[\s-]?\d{3}[\s-]?\d{4}(?!\d)")


def redact(text: str) -> str:
    return _PHONE.sub("[phone]", _ID.sub("[national-id]", text))


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # malformed format args: leave the record alone
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = ()
        return True
