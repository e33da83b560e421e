"""The data exchange's gauges for /metrics (registered in ``ExchangeConfig.ready``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily, Metric

from jfs.exchange.resilience import circuit_states


def circuit_gauges(now: datetime) -> Iterator[Metric]:
    state = GaugeMetricFamily(
        "jfs_registry_circuit_state",
        "Circuit breaker of each registry: 1 for its current state (closed, open, half_open)",
        labels=["registry", "state"],
    )
    failures = GaugeMetricFamily(
        "jfs_registry_circuit_consecutive_failures", "Consecutive failed calls to each registry",
        labels=["registry"],
    )
    for registry, (current, count) in sorted(circuit_states(now).items()):
        for name in ("closed", "open", "half_open"):
            state.add_metric([registry, name], 1 if name == current else 0)
        failures.add_metric([registry], count)
    yield state
    yield failures
