"""Writing to and checking the audit log (the only place that appends events)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from jfs.audit.models import GENESIS, AuditChainHead, AuditEvent
from jfs.core.middleware import current

HASHED_FIELDS = (
    "seq", "at", "actor_id", "actor_username", "actor_role", "actor_office", "action",
    "object_type", "object_id", "reference", "purpose", "details", "ip",
)


@dataclass
class Event:
    action: str
    actor: Any = None
    object_type: str = ""
    object_id: str = ""
    reference: str = ""
    purpose: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    ip: str | None = None
    at: datetime | None = None


def _canonical(values: dict[str, Any]) -> str:
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def compute_hash(prev_hash: str, values: dict[str, Any]) -> str:
    payload = {k: values[k] for k in HASHED_FIELDS}
    at = payload["at"]
    payload["at"] = at.isoformat() if isinstance(at, datetime) else str(at)
    # JSON round-trip so the hash is the same before and after the database stores it
    payload["details"] = json.loads(_canonical(payload["details"] or {}))
    return hashlib.sha256((prev_hash + "|" + _canonical(payload)).encode()).hexdigest()


def _values(ev: Event, seq: int) -> dict[str, Any]:
    actor = ev.actor
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    office = getattr(actor, "office", None) if authenticated else None
    at = ev.at or timezone.now()
    return {
        "seq": seq,
        "at": at.replace(microsecond=(at.microsecond // 1000) * 1000),
        "actor_id": actor.pk if authenticated else None,
        "actor_username": actor.get_username() if authenticated else "",
        "actor_role": getattr(actor, "role", "") if authenticated else "",
        "actor_office": office.code if office else "",
        "action": ev.action,
        "object_type": ev.object_type,
        "object_id": str(ev.object_id),
        "reference": ev.reference,
        "purpose": ev.purpose,
        "details": json.loads(_canonical(ev.details or {})),
        "ip": ev.ip if ev.ip is not None else current().ip,
    }


def record_many(events: Iterable[Event]) -> int:
    """Append events in order under one lock of the chain head; return how many."""
    events = list(events)
    if not events:
        return 0
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        rows = []
        prev = head.hash
        seq = head.seq
        for ev in events:
            seq += 1
            values = _values(ev, seq)
            h = compute_hash(prev, values)
            rows.append(values | {"prev_hash": prev, "hash": h})
            prev = h
        _insert(rows)
        head.seq, head.hash = seq, prev
        head.save(update_fields=["seq", "hash"])
    return len(rows)


_COLUMNS = (*HASHED_FIELDS, "prev_hash", "hash")


def _insert(rows: list[dict[str, Any]]) -> None:
    """Write the new events: PostgreSQL ``COPY`` (about six times faster than INSERT for
    the demo loader's million events), else a bulk INSERT. Events are immutable, so no
    model behaviour is skipped."""
    if connection.vendor != "postgresql":
        AuditEvent.objects.bulk_create((AuditEvent(**row) for row in rows), batch_size=2000)
        return
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in _COLUMNS)
    with connection.cursor() as cursor, cursor.copy(f"COPY {qn(AuditEvent._meta.db_table)} ({cols}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(tuple(_canonical(row[c]) if c == "details" else row[c] for c in _COLUMNS))


def record(action: str, **kwargs: Any) -> None:
    record_many([Event(action=action, **kwargs)])


@dataclass(frozen=True)
class BrokenLink:
    seq: int
    reason: str


def _ordered() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("seq").iterator(chunk_size=5000)


def verify_chain() -> tuple[int, BrokenLink | None]:
    """Walk the chain; return events checked and the first broken link (or None)."""
    prev = GENESIS
    expected_seq = 1
    checked = 0
    for ev in _ordered():
        if ev.seq != expected_seq:
            return checked, BrokenLink(expected_seq, f"event {expected_seq} is missing (next is {ev.seq})")
        if ev.prev_hash != prev:
            return checked, BrokenLink(ev.seq, "does not follow the previous event (deleted or inserted row)")
        values = {k: getattr(ev, k) for k in HASHED_FIELDS}
        if compute_hash(prev, values) != ev.hash:
            return checked, BrokenLink(ev.seq, "content does not match its hash (row edited)")
        prev = ev.hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head and (head.seq != checked or head.hash != prev):
        return checked, BrokenLink(checked + 1, "the newest events are missing (chain head is ahead)")
    return checked, None
