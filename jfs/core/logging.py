"""A logging filter that keeps personal data out of logs (PDPA).

National ID numbers (13 digits, with or without dashes) and Thai phone numbers (also in E.164, +66…) are
replaced before a record reaches any handler, in the message and in the traceback of a
logged exception. Query strings of URLs (``/staff/requests/?q=…``: a search for a name or
an ID) are dropped, so a request line logged by Django's development server or by
gunicorn's error log keeps only the path.

``JsonFormatter`` writes one JSON object per line (``JFS_LOG_FORMAT=json``, the production
default) with the same redaction, and ``RequestId`` adds the request id to a line logged while
serving a request.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from pythonjsonlogger.json import JsonFormatter as _BaseJsonFormatter

from jfs.core.middleware import current

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


class RequestId(logging.Filter):
    """Adds ``request_id`` (the X-Request-ID of the request being served, see
    ``jfs.core.middleware``) to a record logged while serving a request, or about one (Django
    logs a 4xx/5xx response with the request, after the middleware); nothing otherwise."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            request_id = current().request_id or getattr(getattr(record, "request", None), "request_id", "")
            if request_id:
                record.request_id = request_id
        return True


#: what a JSON line may carry besides time, level, logger and message. Everything else passed
#: to a logger as ``extra`` is left out: Django passes the request object itself, whose text
#: is the full URL with its query string.
JSON_EXTRA_FIELDS = frozenset({"request_id", "status_code"})


class JsonFormatter(_BaseJsonFormatter):
    """python-json-logger's formatter, one JSON object per line, without personal data.

    ``RedactPersonalData`` (on every handler) has already cleaned the message and the
    traceback's text; python-json-logger formats a traceback again from ``exc_info``, so that
    text is redacted here as well, and so is every other string value of the line.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", "%(levelname)s %(name)s %(message)s")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", "time")
        super().__init__(*args, **kwargs)

    def formatException(self, ei: Any) -> Any:  # noqa: N802 - logging's name
        return redact(str(super().formatException(ei)))

    def formatStack(self, stack_info: str) -> Any:  # noqa: N802 - logging's name
        return redact(str(super().formatStack(stack_info)))

    def add_fields(self, log_data: dict[str, object], record: logging.LogRecord,
                   message_dict: dict[str, object]) -> None:
        super().add_fields(log_data, record, message_dict)
        keep = {self._get_rename(f) for f in self._required_fields} | {"time", "exc_info", "stack_info"}
        for key in list(log_data):
            if key not in keep and key not in JSON_EXTRA_FIELDS:
                del log_data[key]
            elif isinstance(log_data[key], str):
                log_data[key] = redact(log_data[key])  # type: ignore[arg-type]
