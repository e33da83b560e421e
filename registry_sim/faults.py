"""Fault injection: how the simulator misbehaves on purpose, for tests and demos.

Faults are honoured only when the server runs with ``--allow-faults``. Three triggers:

* the request header ``X-Sim-Fault: <fault>`` (one call);
* a programmed rule, ``POST /__sim/faults {"fault": ..., "path": "/ws/...", "times": N}``
  (the next N calls whose path starts with ``path``; ``times`` null = until cleared);
* a reserved citizen ID (below) that always triggers its fault on data endpoints.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

#: every fault the simulator knows
FAULTS = (
    "timeout",  # hold the connection for --fault-delay seconds (longer than any client timeout)
    "slow",  # answer correctly after --slow-delay seconds
    "500",  # HTTP 500 with an HTML error page, like a failing gateway
    "503",  # HTTP 503 Service Unavailable
    "malformed",  # HTTP 200 with a truncated, unparseable JSON body
    "partial",  # HTTP 200 with valid JSON that lacks required fields
    "reset",  # close the connection without answering
    "401",  # HTTP 401 as if the token had expired
)


def _check_digit(first12: str) -> int:
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return (11 - total % 11) % 10


def valid_id(first12: str) -> str:
    """Complete twelve digits with the Thai national-ID check digit."""
    return first12 + str(_check_digit(first12))


#: reserved citizen IDs: valid national IDs (check digit, category 1, province 96), so JFS forms
#: accept them; office 9600 is no district's code, so no generated person has one
RESERVED_IDS: dict[str, str] = {
    valid_id(f"19600999990{n}"): fault
    for n, fault in enumerate(("timeout", "500", "malformed", "partial", "slow", "reset", "503"), start=1)
}


@dataclass
class Rule:
    fault: str
    path: str
    times: int | None


class FaultBook:
    """Programmed fault rules, shared by the server's threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[Rule] = []

    def add(self, fault: str, path: str, times: int | None) -> None:
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {', '.join(FAULTS)}")
        with self._lock:
            self._rules.append(Rule(fault, path or "/", times))

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def take(self, path: str) -> str | None:
        """The fault for this call, if a rule matches; counts the rule down."""
        with self._lock:
            for rule in self._rules:
                if path.startswith(rule.path):
                    if rule.times is not None:
                        rule.times -= 1
                        if rule.times <= 0:
                            self._rules.remove(rule)
                    return rule.fault
        return None

    def describe(self) -> list[dict[str, object]]:
        with self._lock:
            return [{"fault": r.fault, "path": r.path, "times": r.times} for r in self._rules]
