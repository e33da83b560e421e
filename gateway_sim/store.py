"""Where the simulator records every message it accepts (a JSON-lines file in the data
directory) and the fault switches tests turn on (down / 500 / 429 for the next N requests)."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SERVICES = ("sms", "line", "smtp")
FAULTS = ("down", "500", "429")


class Recorder:
    """Appends each accepted message to ``DIR/messages.jsonl``; reads them back, oldest first."""

    def __init__(self, data_dir: str | Path) -> None:
        self.path = Path(data_dir) / "messages.jsonl"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def add(self, service: str, record: dict[str, Any]) -> dict[str, Any]:
        entry = {"service": service, "received_at": datetime.now(UTC).isoformat(), **record}
        with self._lock, self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
        return entry

    def all(self, service: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            if not self.path.exists():
                return []
            lines = self.path.read_text(encoding="utf-8").splitlines()
        entries = [json.loads(line) for line in lines if line.strip()]
        return [e for e in entries if service is None or e["service"] == service]

    def clear(self) -> None:
        with self._lock:
            self.path.write_text("", encoding="utf-8")


class Faults:
    """Per service, a fault for the next N requests (``times`` None: until cleared)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._on: dict[str, list[Any]] = {}

    def set(self, service: str, fault: str, times: int | None) -> None:
        if service not in SERVICES or fault not in FAULTS:
            raise ValueError(f"service must be one of {SERVICES}, fault one of {FAULTS}")
        with self._lock:
            self._on[service] = [fault, times]

    def clear(self, service: str | None = None) -> None:
        with self._lock:
            if service is None:
                self._on.clear()
            else:
                self._on.pop(service, None)

    def take(self, service: str) -> str | None:
        """The fault for this request to ``service`` (using up one of its N), or None."""
        with self._lock:
            current = self._on.get(service)
            if current is None:
                return None
            fault, times = current
            if times is not None:
                if times <= 1:
                    del self._on[service]
                else:
                    current[1] = times - 1
            return str(fault)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {service: {"fault": f, "times": t} for service, (f, t) in self._on.items()}
