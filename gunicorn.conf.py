"""Gunicorn settings for the web process (read by ``scripts/up.sh`` and, because gunicorn
loads ``./gunicorn.conf.py`` by default, by ``bench/latency.py``).

PDPA: the access log never writes a query string (``/staff/requests/?q=<national ID>``),
the Referer (a URL with its query string) or other request headers: the path without its
query (``%(U)s``), method, status, response size, duration, remote address and time only.
Gunicorn's own error log (e.g. "Error handling request /path?query") goes through the same
personal-data filter as the application's logs, and both logs are JSON lines when the
application's are (``JFS_LOG_FORMAT=json``, the production profile's default).

Metrics: the workers count requests in prometheus-client's multi-process mode. Before any
worker starts, ``PROMETHEUS_MULTIPROC_DIR`` is set (a fresh temporary directory unless the
environment names one, e.g. the systemd unit's runtime directory) and emptied of an earlier
run's files; a worker that exits is marked dead. Do not use ``--preload``: the application
must be imported by the workers, after the variable is set.
"""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
from typing import Any

from gunicorn.glogging import Logger

#: remote address, time, method and path (no query string), status, bytes sent, duration in ms
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'


class RedactingLogger(Logger):
    """Gunicorn's logger with ``jfs.core.logging.RedactPersonalData`` on its handlers."""

    def setup(self, cfg: Any) -> None:
        from jfs.core.logging import JsonFormatter, RedactPersonalData

        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(f, RedactPersonalData) for f in handler.filters):
                    handler.addFilter(RedactPersonalData())
                if log_format() == "json":
                    handler.setFormatter(JsonFormatter())


def log_format() -> str:
    """The application's log format: JFS_LOG_FORMAT, else json in the production profile."""
    production = os.environ.get("DJANGO_SETTINGS_MODULE") == "config.settings_production"
    return os.environ.get("JFS_LOG_FORMAT") or ("json" if production else "text")


logger_class = RedactingLogger

#: multi-process metrics directories this master created (removed when it exits)
_created_dirs: list[str] = []


def on_starting(server: Any) -> None:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        directory = tempfile.mkdtemp(prefix="jfs-metrics-")
        _created_dirs.append(directory)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    os.makedirs(directory, exist_ok=True)
    for stale in glob.glob(os.path.join(directory, "*.db")):  # an earlier run's counts
        os.remove(stale)


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server: Any) -> None:
    for directory in _created_dirs:
        shutil.rmtree(directory, ignore_errors=True)
