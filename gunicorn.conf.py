"""Gunicorn settings for the web process (read by ``scripts/up.sh`` and, because gunicorn
loads ``./gunicorn.conf.py`` by default, by ``bench/latency.py``).

PDPA: the access log never writes a query string (``/staff/requests/?q=<national ID>``),
the Referer (a URL with its query string) or other request headers: the path without its
query (``%(U)s``), method, status, response size, duration, remote address and time only.
Gunicorn's own error log (e.g. "Error handling request /path?query") goes through the same
personal-data filter as the application's logs.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

#: remote address, time, method and path (no query string), status, bytes sent, duration in ms
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'


class RedactingLogger(Logger):
    """Gunicorn's logger with ``jfs.core.logging.RedactPersonalData`` on its handlers."""

    def setup(self, cfg: Any) -> None:
        from jfs.core.logging import RedactPersonalData

        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(f, RedactPersonalData) for f in handler.filters):
                    handler.addFilter(RedactPersonalData())


logger_class = RedactingLogger
