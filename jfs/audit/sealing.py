"""Sealing the audit log: chaining appended events and writing checkpoints sealed with a key
kept outside the database.

Appends (``jfs.audit.services.record_many``) insert events with their content hash only. The
sealer, run by the worker's tick and by ``manage.py seal_audit``, takes the events not yet in
the chain in id order, gives each the next position (``seq``), the previous event's hash
(``prev_hash``) and ``hash = SHA-256(prev_hash | seq | id | content_hash)``, and ends every
batch with an ``AuditCheckpoint``: the position and hash reached, how many events were sealed,
when, and an HMAC-SHA-256 over these with the seal key. Only sealers take the sealer's lock
(a PostgreSQL advisory lock; SQLite serialises writers anyway): request handlers never wait.

The chain's order is the order in which events became visible to the sealer. A transaction
that commits after a newer one is simply sealed in a later run: an id that is never committed
(a rolled-back append) is never part of the chain, so gaps in ids mean nothing, while a deleted
sealed event breaks the link of the event after it.

The key: ``JFS_AUDIT_SEAL_KEY`` (the environment), else the file ``JFS_AUDIT_SEAL_KEY_FILE``
(default ``JFS_DATA_DIR/audit_seal_key``), first line the current key, further lines retired
keys still accepted when verifying; at least 32 characters, never the ``SECRET_KEY``. A local
clone (DEBUG or JFS_TESTING) without one gets a random key file on first use; elsewhere the
sealer refuses to run without a key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

from jfs.audit.models import GENESIS, AuditCheckpoint, AuditEvent
from jfs.audit.services import SEALED_COLUMNS, Event, event_values, insert_rows, link_hash
from jfs.core import clock

logger = logging.getLogger(__name__)

#: the advisory lock only sealers take (PostgreSQL): "JFSAUDIT" read as a number
SEALER_LOCK = 0x4A46534155444954
#: a checkpoint at least every this many events (and at the end of every run)
DEFAULT_CHECKPOINT_EVENTS = 10_000
MIN_KEY_LENGTH = 32


# --------------------------------------------------------------------------- the key


class SealKeyMissing(ImproperlyConfigured):
    """No seal key is configured (or it is unusable); the message says what to do."""


@dataclass(frozen=True)
class SealKey:
    secret: bytes

    @property
    def key_id(self) -> str:
        """A fingerprint naming the key in checkpoints (the key cannot be derived from it)."""
        return "hmac-sha256:" + hashlib.sha256(b"jfs-audit-seal-key-id|" + self.secret).hexdigest()[:16]


def _setting(name: str, default: str = "") -> str:
    value = getattr(settings, name, None)
    return str(value) if value is not None else os.environ.get(name, default)


def key_file() -> Path:
    return Path(_setting("JFS_AUDIT_SEAL_KEY_FILE") or Path(settings.DATA_DIR) / "audit_seal_key")


def _local_clone() -> bool:
    return bool(settings.DEBUG or os.environ.get("JFS_TESTING"))


def _checked(keys: list[str], where: str) -> list[SealKey]:
    out = []
    for k in keys:
        if len(k) < MIN_KEY_LENGTH:
            raise SealKeyMissing(f"the audit seal key in {where} is shorter than {MIN_KEY_LENGTH} characters")
        if hmac.compare_digest(k.encode(), str(settings.SECRET_KEY).encode()):
            raise SealKeyMissing(f"the audit seal key in {where} is the SECRET_KEY: it must be a key of its own")
        out.append(SealKey(k.encode()))
    return out


def seal_keys(create: bool = True) -> list[SealKey]:
    """The keys: the current one (sealing) first, then retired ones (verifying only). Empty
    when none is configured and ``create`` is false or this is not a local clone."""
    env = os.environ.get("JFS_AUDIT_SEAL_KEY", "").strip()
    retired = [k.strip() for k in os.environ.get("JFS_AUDIT_SEAL_RETIRED_KEYS", "").split(",") if k.strip()]
    if env:
        return _checked([env, *retired], "JFS_AUDIT_SEAL_KEY / JFS_AUDIT_SEAL_RETIRED_KEYS")
    path = key_file()
    if not path.is_file() and create and _local_clone():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process wrote it first
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(secrets.token_hex(32) + "\n")
    if not path.is_file():
        return _checked(retired, "JFS_AUDIT_SEAL_RETIRED_KEYS") if retired else []
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
    keys = [ln for ln in lines if ln and not ln.startswith("#")]
    return _checked(keys + retired, str(path))


def current_key() -> SealKey:
    keys = seal_keys()
    if not keys:
        raise SealKeyMissing(
            "no audit seal key: set JFS_AUDIT_SEAL_KEY (at least 32 characters, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`) or write it to "
            f"{key_file()} (JFS_AUDIT_SEAL_KEY_FILE); keep a copy outside the database server"
        )
    return keys[0]


# --------------------------------------------------------------------------- checkpoints


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def checkpoint_fields(cp: AuditCheckpoint | dict[str, Any]) -> dict[str, Any]:
    """A checkpoint as exported (JSON) and as its seal covers it."""
    get = cp.get if isinstance(cp, dict) else lambda name: getattr(cp, name)
    sealed_at = get("sealed_at")
    return {
        "seq": int(str(get("seq"))), "hash": get("hash"), "count": int(str(get("count"))),
        "sealed_at": _iso(sealed_at) if isinstance(sealed_at, datetime) else str(sealed_at),
        "key_id": get("key_id"), "prev_mac": get("prev_mac"),
    }


def checkpoint_mac(key: SealKey, fields: dict[str, Any]) -> str:
    message = json.dumps({k: fields[k] for k in ("seq", "hash", "count", "sealed_at", "key_id", "prev_mac")},
                         sort_keys=True, separators=(",", ":"))
    return hmac.new(key.secret, ("jfs-audit-checkpoint-v1|" + message).encode(), hashlib.sha256).hexdigest()


def _write_checkpoint(key: SealKey, seq: int, chain_hash: str, count: int) -> AuditCheckpoint:
    last = AuditCheckpoint.objects.order_by("-seq").values_list("mac", flat=True).first()
    now = clock.now()
    cp = AuditCheckpoint(seq=seq, hash=chain_hash, count=count, key_id=key.key_id, prev_mac=last or GENESIS,
                         sealed_at=now.replace(microsecond=(now.microsecond // 1000) * 1000))
    cp.mac = checkpoint_mac(key, checkpoint_fields(cp))
    cp.save()
    return cp


def export_lines(since: int = 0) -> Iterator[str]:
    """The checkpoints after position ``since``, one JSON object a line (``export_audit_seals``)."""
    for cp in AuditCheckpoint.objects.filter(seq__gt=since).order_by("seq").iterator(chunk_size=2000):
        yield json.dumps(checkpoint_fields(cp) | {"mac": cp.mac}, sort_keys=True, separators=(",", ":"))


# --------------------------------------------------------------------------- the sealer


@dataclass
class SealRun:
    sealed: int = 0
    checkpoints: int = 0
    head: int = 0
    #: another sealer held the lock: nothing was done
    busy: bool = False


def _head() -> tuple[int, str]:
    row = AuditEvent.objects.filter(seq__isnull=False).order_by("-seq").values_list("seq", "hash").first()
    return (row[0] or 0, row[1] or "") if row else (0, GENESIS)


@contextmanager
def _sealer_lock() -> Iterator[bool]:
    """Held by one sealer at a time (PostgreSQL advisory lock, session level); True if taken.
    SQLite runs every write transaction alone (``transaction_mode`` IMMEDIATE), which is enough."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [SEALER_LOCK])
        taken = bool(_one(cursor))
    try:
        yield taken
    finally:
        if taken:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [SEALER_LOCK])


def _one(cursor: Any) -> Any:
    """The first column of the first row, or None."""
    row = cursor.fetchone()
    return row[0] if row else None


def _lock_for_this_transaction() -> None:
    """The sealer's lock until the current transaction ends (the bulk path), waiting for a running sealer."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEALER_LOCK])


def _update_links(links: list[tuple[int, int, str, str]]) -> int:
    """Write (id, seq, prev_hash, hash) on events still unsealed; the number of rows written."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} AS e SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash "
                "FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[]) AS v(id, seq, prev_hash, hash) "
                "WHERE e.id = v.id AND e.seq IS NULL",
                [[x[0] for x in links], [x[1] for x in links], [x[2] for x in links], [x[3] for x in links]],
            )
            return int(cursor.rowcount)
        written = 0
        for event_id, seq, prev, h in links:
            cursor.execute(f"UPDATE {table} SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s AND seq IS NULL",
                           [seq, prev, h, event_id])
            written += cursor.rowcount
        return written


def _seal_batch(key: SealKey, size: int) -> tuple[int, int, bool]:
    """Chain up to ``size`` pending events and seal a checkpoint (in the caller's transaction).
    Returns events sealed, the head position and whether a checkpoint was written."""
    seq, prev = _head()
    pending = list(AuditEvent.objects.filter(seq__isnull=True).order_by("id").values_list("id", "content_hash")[:size])
    links = []
    for event_id, digest in pending:
        seq += 1
        h = link_hash(prev, seq, event_id, digest)
        links.append((event_id, seq, prev, h))
        prev = h
    if links and _update_links(links) != len(links):
        raise RuntimeError("audit events changed while being sealed")
    last_sealed = AuditCheckpoint.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    if seq > last_sealed:  # also events chained before any checkpoint (the 0002 migration's)
        _write_checkpoint(key, seq, prev, seq - last_sealed)
        return len(links), seq, True
    return len(links), seq, False


def checkpoint_every() -> int:
    return max(1, int(_setting("JFS_AUDIT_CHECKPOINT_EVENTS", str(DEFAULT_CHECKPOINT_EVENTS))))


def seal_pending(batch: int | None = None) -> SealRun:
    """Seal every pending event, a checkpoint every ``batch`` events (one transaction each, so
    an interrupted run resumes where it stopped) and at the end. Idempotent: with nothing
    pending it writes nothing. Returns what was done; ``busy`` if another sealer is running."""
    key = current_key()
    size = batch or checkpoint_every()
    run = SealRun()
    with _sealer_lock() as taken:
        if not taken:
            run.busy = True
            return run
        while True:
            with transaction.atomic():
                sealed, run.head, wrote = _seal_batch(key, size)
            run.sealed += sealed
            run.checkpoints += wrote
            if sealed < size:
                return run


def record_sealed(events: Iterable[Event]) -> int:
    """The bulk path (the demo loader): append events already sealed, in one transaction with
    the caller's writes. Takes the sealer's lock until that transaction ends, seals whatever was
    pending first, then writes the new events in the chain with ids taken from the table's
    sequence and ends with a checkpoint. Returns how many events were written."""
    rows = [event_values(ev) for ev in events]
    if not rows:
        return 0
    key = current_key()
    with transaction.atomic():
        _lock_for_this_transaction()
        while _seal_batch(key, checkpoint_every())[0]:
            pass
        seq, prev = _head()
        for event_id, row in zip(_new_ids(len(rows)), rows, strict=True):
            seq += 1
            h = link_hash(prev, seq, event_id, row["content_hash"])
            row.update(id=event_id, seq=seq, prev_hash=prev, hash=h)
            prev = h
        insert_rows(rows, SEALED_COLUMNS)
        last_sealed = AuditCheckpoint.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        _write_checkpoint(key, seq, prev, seq - last_sealed)
    return len(rows)


def _new_ids(n: int) -> list[int]:
    """Ids for n new events: from the identity sequence on PostgreSQL (concurrent appends take
    theirs in between, never the same), after the largest ever used on SQLite (one writer)."""
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n])
            return [r[0] for r in cursor.fetchall()]
        cursor.execute(f"SELECT max(id) FROM {connection.ops.quote_name(table)}")
        top = int(_one(cursor) or 0)
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            top = max(top, int(_one(cursor) or 0))
    return list(range(top + 1, top + 1 + n))


def seal_for_tick() -> int:
    """The worker's periodic sealing: events sealed. A missing key is logged (and the events
    stay pending, reported by verify_audit) rather than stopping the rest of the tick."""
    try:
        run = seal_pending()
    except SealKeyMissing as exc:
        logger.error("audit events not sealed: %s", exc)
        return 0
    return run.sealed
