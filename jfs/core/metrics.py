"""Prometheus metrics at ``/metrics`` (prometheus-client).

Two kinds of numbers:

- **Counted in the web processes**: requests by method, route name and status, and their
  duration. The route is the URL pattern's name (``staff:case``, ``api:get_request``), never
  the path, which carries request numbers and IDs. Gunicorn runs several worker processes:
  with ``PROMETHEUS_MULTIPROC_DIR`` set (``gunicorn.conf.py`` sets it before the workers
  start), every process writes its counts to files there and a scrape adds them up, so the
  numbers are the server's, not one worker's.
- **Read from the database at scrape time** (``DatabaseCollector``): the task queue's depth,
  failed tasks, the worker's last heartbeat, each registry's circuit-breaker state and the
  number of open requests past their due date (``jfs.cases.selectors.overdue``); the last two
  are registered by their apps (``register_gauges``). The database
  is shared by every process and the worker, so these are right whichever process answers.

Nobody outside may read them: a request is served only from an allowed address
(``JFS_METRICS_ALLOWED_IPS``, loopback by default, the socket's address, never a forwarded
one) and, when ``JFS_METRICS_TOKEN`` is set, with ``Authorization: Bearer <token>``. Without a
token, a request that came through the proxy (it carries ``X-Forwarded-For`` or the proxy's
HTTPS header) is refused too, so a proxy on the same machine cannot make them public. A refused
request gets a plain 404.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks_db.models import DBTaskResult
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector

from jfs.core import clock
from jfs.core.models import WorkerHeartbeat

#: methods counted by name; anything else is "other" (a client choosing the method must not
#: create new series)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUESTS = Counter(
    "jfs_http_requests",
    "HTTP requests served, by method, route name and status code",
    ["method", "view", "status"],
)
LATENCY = Histogram(
    "jfs_http_request_duration_seconds",
    "Time to serve an HTTP request, by method and route name",
    ["method", "view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)


def route_name(request: HttpRequest) -> str:
    """The URL pattern's name, or a fixed word: never the path."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name  # the pattern's name, or the view's dotted path when it has none
    if request.path.startswith(settings.STATIC_URL):
        return "static"
    return "unresolved"  # 404s without a route, redirects to HTTPS before routing


class MetricsMiddleware:
    """Counts and times every response (first in MIDDLEWARE, so redirects and errors count)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = clock.monotonic()
        response = self.get_response(request)
        method = request.method if request.method in METHODS else "other"
        view = route_name(request)
        LATENCY.labels(method, view).observe(clock.monotonic() - started)
        REQUESTS.labels(method, view, str(response.status_code)).inc()
        return response


# --------------------------------------------------------------------------- read at scrape time

#: gauges the apps above this one add (the registries' circuits, the overdue requests): each is
#: called with the scrape's time and yields its metric families. An app registers its own in its
#: ``AppConfig.ready`` (``register_gauges``), so this module imports none of them.
GAUGES: list[Callable[[datetime], Iterable[Metric]]] = []


def register_gauges(gauges: Callable[[datetime], Iterable[Metric]]) -> None:
    if gauges not in GAUGES:
        GAUGES.append(gauges)



class DatabaseCollector:
    """Gauges computed from the database on each scrape."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("jfs_database_up", "1 if the database answered this scrape's queries")
        try:
            families = list(self._from_database())
        except Exception:  # noqa: BLE001 - a scrape reports the database as down instead of failing
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _from_database(self) -> Iterable[Metric]:
        now = clock.now()
        queue = GaugeMetricFamily(
            "jfs_task_queue_depth", "Tasks waiting for a worker now (READY and due), by queue", labels=["queue"]
        )
        scheduled = GaugeMetricFamily(
            "jfs_task_queue_scheduled", "Tasks queued to run later (READY, not yet due), by queue", labels=["queue"]
        )
        rows = (
            DBTaskResult.objects.filter(status="READY")
            .values("queue_name")
            .annotate(due=Count("id", filter=Q(run_after__lte=now)), later=Count("id", filter=Q(run_after__gt=now)))
        )
        depth = {name: (0, 0) for name in settings.TASKS["default"].get("QUEUES", ["default"])}
        for row in rows:
            depth[row["queue_name"]] = (row["due"], row["later"])
        for name, (due, later) in sorted(depth.items()):
            queue.add_metric([name], due)
            scheduled.add_metric([name], later)
        yield queue
        yield scheduled

        failed = GaugeMetricFamily(
            "jfs_tasks_failed",
            "Failed task runs kept in the task results table, by task (use delta() or increase() to alert)",
            labels=["task"],
        )
        for task_path, n in DBTaskResult.objects.filter(status="FAILED").values_list("task_path").annotate(
                n=Count("id")):
            failed.add_metric([task_path], n)
        yield failed

        beat = WorkerHeartbeat.objects.filter(name="worker").values_list("beat_at", flat=True).first()
        if beat is not None:
            yield GaugeMetricFamily(
                "jfs_worker_heartbeat_age_seconds", "Seconds since the background worker's last tick",
                value=max(0.0, (now - beat).total_seconds()),
            )

        for gauges in GAUGES:
            yield from gauges(now)


class _Scrape:
    """What one scrape reads: the process or multi-process counters, then the database's gauges."""

    def __init__(self, counters: Any):
        self.counters = counters

    def collect(self) -> Iterator[Metric]:
        yield from self.counters.collect()
        yield from DatabaseCollector().collect()


def render(accept: str = "") -> tuple[bytes, str]:
    """The exposition (text or OpenMetrics, as the scraper's Accept header asks) and its content type."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        counters: Any = CollectorRegistry()
        MultiProcessCollector(counters, path=directory)
    else:
        counters = REGISTRY
    encoder, content_type = choose_encoder(accept)
    return encoder(_Scrape(counters)), content_type


# --------------------------------------------------------------------------- who may read them


def allowed(request: HttpRequest) -> bool:
    address = request.META.get("REMOTE_ADDR", "")
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if not any(ip in ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOWED_IPS):
        return False
    token = settings.METRICS_TOKEN
    if token:
        given = request.META.get("HTTP_AUTHORIZATION", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    proxy_header = (settings.SECURE_PROXY_SSL_HEADER or ("HTTP_X_FORWARDED_PROTO", ""))[0]
    return "HTTP_X_FORWARDED_FOR" not in request.META and proxy_header not in request.META


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        return HttpResponseNotFound(b"Not Found", content_type="text/plain")
    body, content_type = render(request.META.get("HTTP_ACCEPT", ""))
    return HttpResponse(body, content_type=content_type)
