"""A logging filter that keeps personal data out of logs (PDPA).

National ID numbers (13 digits, with or without dashes) and Thai phone numbers (also in E.164, +66…) are
replaced before a record reaches any handler, in the message and in the traceback of a
logged exception. Query strings of URLs (``/staff/requests/?q=…``: a search for a name or
an ID) are dropped, so a request line logged by Django's development server or by
gunicorn's error log keeps only the path.
"""

from __future__ import annotations

import logging
import re

_ID = re.compile(r"(?<!\d)\d[\s-]?\d{4}[\s-]?\d{5}[\s-]?\d{2}[\s-]?\d(?!\d)")
#: a Thai phone number as people write it (081-234-5678, 02 123 4567, 053123456) or as it is
#: stored, in E.164 (+66812345678, +66 81 234 5678)
_PHONE = re.compile(r"(?<!\d)0\d{1,2}[\s-]?\d{3}[\s-]?\d{4}(?!\d)|\+66[\s-]?\d(?:[\s-]?\d){7,8}(?!\d)")
#: a URL or an absolute path, then "?" and its query string (up to a space or a quote)
_QUERY = re.compile(r"((?:https?://|(?<![\w/.])/)[^\s?#\"'<>]*)\?[^\s\"'<>]*")


def redact(text: str) -> str:
    text = _QUERY.sub(r"\1?[query]", text)
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
        if record.exc_info and not record.exc_text:
            # an exception's text can carry values (a database error quoting a row, an HTTP
            # error quoting a URL): format it once here, redacted; formatters reuse exc_text
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
