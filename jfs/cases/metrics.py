"""The case system's gauges for /metrics (registered in ``CasesConfig.ready``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily, Metric

from jfs.cases.models import Request
from jfs.cases.selectors import overdue
from jfs.core import clock


def sla_gauges(now: datetime) -> Iterator[Metric]:
    yield GaugeMetricFamily(
        "jfs_sla_overdue_requests",
        "Open requests past the due date of their current step or of the whole request",
        value=overdue(Request.objects.all(), clock.day_of(now)).count(),
    )
