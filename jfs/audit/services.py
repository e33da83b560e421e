"""Writing to the audit log (the only place that appends events) and checking it.

An append inserts the event with the hash of its own content and takes no lock: concurrent
writers never wait on each other. The chain (position, link to the previous event) is added
later by the sealer, ``jfs.audit.sealing``; ``jfs.audit.verification.verify_chain`` checks both.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from jfs.audit.models import AuditEvent
from jfs.core import clock
from jfs.core.middleware import current

#: an event's content: what ``content_hash`` covers (the chain fields are added by the sealer)
HASHED_FIELDS = (
    "at", "actor_id", "actor_username", "actor_role", "actor_office", "action",
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


def content_hash(values: dict[str, Any]) -> str:
    """SHA-256 of an event's content (``HASHED_FIELDS``), the same before and after the
    database stores it: the time in UTC, the details through a JSON round-trip."""
    payload = {k: values[k] for k in HASHED_FIELDS}
    at = payload["at"]
    payload["at"] = at.astimezone(UTC).isoformat() if isinstance(at, datetime) else str(at)
    payload["details"] = json.loads(_canonical(payload["details"] or {}))
    return hashlib.sha256(("jfs-audit-event-v2|" + _canonical(payload)).encode()).hexdigest()


def link_hash(prev_hash: str, seq: int, event_id: int, digest: str) -> str:
    """The chain: an event's hash binds the previous event's hash, its position, its id and its content."""
    return hashlib.sha256(f"{prev_hash}|{seq}|{event_id}|{digest}".encode()).hexdigest()


def event_values(ev: Event) -> dict[str, Any]:
    """The row for an event: its content and ``content_hash``."""
    actor = ev.actor
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    office = getattr(actor, "office", None) if authenticated else None
    at = ev.at or clock.now()
    if at.tzinfo is not None:
        at = at.astimezone(UTC)
    values = {
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
    values["content_hash"] = content_hash(values)
    return values


def record_many(events: Iterable[Event]) -> int:
    """Append events in order; return how many. No lock is taken: the events wait, unsealed,
    for the sealer (``jfs.audit.sealing.seal_pending``) to give them their place in the chain."""
    rows = [event_values(ev) for ev in events]
    if rows:
        insert_rows(rows, CONTENT_COLUMNS)
    return len(rows)


CONTENT_COLUMNS = (*HASHED_FIELDS, "content_hash")
#: the columns of an event sealed as it is written (``jfs.audit.sealing.record_sealed``)
SEALED_COLUMNS = ("id", *CONTENT_COLUMNS, "seq", "prev_hash", "hash")


def insert_rows(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> None:
    """Write new events: PostgreSQL ``COPY`` (about six times faster than INSERT for the demo
    loader's million events), else a bulk INSERT. Events are immutable, so no model behaviour
    is skipped."""
    if connection.vendor != "postgresql":
        AuditEvent.objects.bulk_create((AuditEvent(**row) for row in rows), batch_size=2000)
        return
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor, cursor.copy(f"COPY {qn(AuditEvent._meta.db_table)} ({cols}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(tuple(_canonical(row[c]) if c == "details" else row[c] for c in columns))


def record(action: str, **kwargs: Any) -> None:
    record_many([Event(action=action, **kwargs)])


def naming_request(number: str) -> Q:
    """Events about a request: its own (``reference``) and the list views that showed it (one
    event per list, the numbers shown in ``details["references"]``; a GIN index on PostgreSQL)."""
    if connection.vendor == "postgresql":
        in_list = Q(object_type="request_list", details__references__contains=[number])
    else:
        table = connection.ops.quote_name(AuditEvent._meta.db_table)
        in_list = Q(id__in=RawSQL(
            f"SELECT e.id FROM {table} e, json_each(e.details, '$.references') r "
            "WHERE e.object_type = 'request_list' AND r.value = %s", [number]))
    return Q(reference=number) | in_list

