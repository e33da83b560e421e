"""Checking the audit log (``manage.py verify_audit``).

Recomputes every sealed event's content hash and chain link in position order, checks every
checkpoint's seal (HMAC with the seal keys, when this machine has them) and that the chain
passes through each checkpoint's hash, and, given a file written earlier by
``export_audit_seals``, that every exported checkpoint is still in the database unchanged.
Reports the first broken link:

* an edited event: its content no longer matches its content hash;
* a deleted event: a position is missing, or the next event does not link to the one before;
* an inserted or reordered event: the link (previous hash, position, id) does not match;
* a recomputed chain (every hash rewritten consistently, by someone without the seal key): the
  chain no longer passes through a checkpoint's hash, or a checkpoint's seal does not match,
  or a checkpoint exported earlier is gone or different;
* deleted newest events: a checkpoint (or an exported one) lies beyond the end of the chain.

Events appended since the last sealing run are *pending*: their content is checked, and they
are counted, not failed. Gaps in event ids (appends rolled back) are not checked: the chain
is checked by position, which the sealer gives without gaps.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jfs.audit.models import GENESIS, AuditCheckpoint, AuditEvent
from jfs.audit.sealing import SealKey, checkpoint_fields, checkpoint_mac, seal_keys
from jfs.audit.services import HASHED_FIELDS, content_hash, link_hash

CHECKPOINT_KEYS = ("seq", "hash", "count", "sealed_at", "key_id", "prev_mac", "mac")


@dataclass(frozen=True)
class BrokenLink:
    #: the chain position where the log is broken (None for a pending event)
    seq: int | None
    reason: str
    event_id: int | None = None

    @property
    def where(self) -> str:
        return f"event {self.seq}" if self.seq is not None else f"pending event id {self.event_id}"


@dataclass
class Report:
    #: events checked, sealed and pending
    events: int = 0
    sealed: int = 0
    pending: int = 0
    checkpoints: int = 0
    #: whether checkpoint seals were checked (this machine has the seal keys)
    macs_checked: bool = False
    #: checkpoints of an exported file found unchanged
    exported: int = 0
    broken: BrokenLink | None = None
    notes: list[str] = field(default_factory=list)

    def fail(self, link: BrokenLink) -> None:
        """Keep the earliest break (by position; pending events after every position)."""
        if self.broken is None or _rank(link) < _rank(self.broken):
            self.broken = link


def _rank(link: BrokenLink) -> tuple[int, int]:
    return (0, link.seq) if link.seq is not None else (1, link.event_id or 0)


def read_export(path: Path) -> list[dict[str, Any]]:
    """Checkpoints from a file written by ``export_audit_seals`` (JSON lines), in position order."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or any(k not in item for k in CHECKPOINT_KEYS):
                raise ValueError("not a checkpoint")
            item["seq"], item["count"] = int(item["seq"]), int(item["count"])
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{path}, line {n}: not an exported checkpoint ({exc})") from None
        out.append(item)
    return sorted(out, key=lambda i: i["seq"])


def _check_checkpoints(cps: Iterable[dict[str, Any]], keys: dict[str, SealKey], report: Report,
                       prev_seq: int = 0, prev_mac: str = GENESIS) -> tuple[int, str]:
    """Each checkpoint follows the one before and carries a valid seal; returns the last (seq, mac)."""
    for cp in cps:
        if cp["prev_mac"] != prev_mac or cp["count"] != cp["seq"] - prev_seq:
            report.fail(BrokenLink(cp["seq"], "its checkpoint does not follow the previous checkpoint "
                                               "(a checkpoint was deleted, inserted or altered)"))
        if keys:
            key = keys.get(cp["key_id"])
            if key is None:
                report.fail(BrokenLink(cp["seq"], f"its checkpoint names seal key {cp['key_id']}, which is not "
                                                   "one of this system's keys (JFS_AUDIT_SEAL_KEY, retired keys)"))
            elif not hmac.compare_digest(checkpoint_mac(key, checkpoint_fields(cp)), cp["mac"]):
                report.fail(BrokenLink(cp["seq"], "its checkpoint's seal does not match (the checkpoint was altered "
                                                   "by someone without the seal key)"))
        report.checkpoints += 1
        prev_seq, prev_mac = cp["seq"], cp["mac"]
    return prev_seq, prev_mac


def _checkpoints(since: int = 0) -> list[dict[str, Any]]:
    return [checkpoint_fields(cp) | {"mac": cp.mac}
            for cp in AuditCheckpoint.objects.filter(seq__gt=since).order_by("seq")]


def verify(exported: list[dict[str, Any]] | None = None) -> Report:
    """Check the log; see the module's docstring."""
    report = Report()
    keys = {k.key_id: k for k in seal_keys(create=False)}
    report.macs_checked = bool(keys)
    # Checkpoints are read before the events: the events each one seals were committed with it,
    # so the walk below sees them all. Checkpoints written during the walk are read afterwards.
    cps = _checkpoints()
    last_cp_seq, last_mac = _check_checkpoints(cps, keys, report)
    expected: dict[int, list[tuple[str, str]]] = {}
    for cp in cps:
        expected.setdefault(cp["seq"], []).append(("the checkpoint sealed at this position", cp["hash"]))
    db_by_seq = {cp["seq"]: cp for cp in cps}
    for item in exported or []:
        expected.setdefault(item["seq"], []).append(("the checkpoint exported earlier for this position", item["hash"]))
        if db_by_seq.get(item["seq"]) != {k: item[k] for k in CHECKPOINT_KEYS}:
            report.fail(BrokenLink(item["seq"], "the checkpoint exported earlier for this position is missing or "
                                                "different in the database (checkpoints rewritten)"))
        if keys and (key := keys.get(item["key_id"])) is not None and not hmac.compare_digest(
                checkpoint_mac(key, checkpoint_fields(item)), item["mac"]):
            report.fail(BrokenLink(item["seq"], "the exported checkpoint's seal does not match (the exported file "
                                                "was altered)"))
        report.exported += 1

    later: dict[int, str] = {}  # hashes past the last checkpoint read, for checkpoints written meanwhile
    last_seq, complete = _walk(expected, last_cp_seq, later, report)
    if complete:
        _tail(expected, last_seq, last_cp_seq, last_mac, later, keys, report)
    _pending(report)
    report.events = report.sealed + report.pending
    return report


def _tail(expected: dict[int, list[tuple[str, str]]], last_seq: int, last_cp_seq: int, last_mac: str,
          later: dict[int, str], keys: dict[str, SealKey], report: Report) -> None:
    """After a complete walk: nothing sealed is missing at the end, and every event is under a checkpoint."""
    for seq in sorted(s for s in expected if s > last_seq):
        what = expected[seq][0][0].replace(" at this position", "").replace(" for this position", "")
        report.fail(BrokenLink(last_seq + 1, f"the newest sealed events are missing: {what} is at event {seq}, "
                                             f"the chain ends at event {last_seq}"))
    newer = _checkpoints(since=last_cp_seq)
    _check_checkpoints(newer, keys, report, last_cp_seq, last_mac)
    for cp in newer:
        if cp["seq"] in later and later[cp["seq"]] != cp["hash"]:
            report.fail(BrokenLink(cp["seq"], "its hash differs from the checkpoint sealed at this position"))
        last_cp_seq = max(last_cp_seq, cp["seq"]) if cp["seq"] <= last_seq else last_cp_seq
    if last_seq > last_cp_seq:
        report.fail(BrokenLink(last_cp_seq + 1, f"events {last_cp_seq + 1}–{last_seq} are in the chain but no "
                                                "checkpoint seals them (checkpoints deleted, or events added "
                                                "to the chain by someone without the seal key)"))


def _walk(expected: dict[int, list[tuple[str, str]]], last_cp_seq: int, later: dict[int, str],
          report: Report) -> tuple[int, bool]:
    """Sealed events in position order, up to the first broken link; returns the last position
    checked and whether the walk reached the end of the chain."""
    prev, position = GENESIS, 0
    rows = (AuditEvent.objects.filter(seq__isnull=False).order_by("seq")
            .values_list("id", "seq", "prev_hash", "hash", "content_hash", *HASHED_FIELDS).iterator(chunk_size=5000))
    for event_id, seq, prev_hash, h, digest, *content in rows:
        if report.broken is not None and report.broken.seq is not None and seq >= report.broken.seq:
            return position, False
        if seq != position + 1:
            report.fail(BrokenLink(position + 1, f"event {position + 1} is missing (deleted): the chain goes on "
                                                 f"at event {seq}"))
            return position, False
        if prev_hash != prev:
            report.fail(BrokenLink(seq, "does not follow the previous event (an event was deleted, inserted or "
                                        "moved)"))
            return position, False
        if content_hash(dict(zip(HASHED_FIELDS, content, strict=True))) != digest:
            report.fail(BrokenLink(seq, "content does not match its hash (row edited)", event_id))
            return position, False
        if link_hash(prev, seq, event_id, digest) != h:
            report.fail(BrokenLink(seq, "its chain hash does not match its position, id and content (row edited)",
                                   event_id))
            return position, False
        for what, want in expected.get(seq, ()):
            if want != h:
                report.fail(BrokenLink(seq, f"the chain differs from {what}: the events before it were rewritten "
                                            "and their hashes recomputed"))
        if report.broken is not None and report.broken.seq == seq:
            return position, False
        if seq > last_cp_seq:
            later[seq] = h
        prev, position = h, seq
        report.sealed += 1
    return position, True


def _pending(report: Report) -> None:
    rows = (AuditEvent.objects.filter(seq__isnull=True).order_by("id")
            .values_list("id", "content_hash", *HASHED_FIELDS).iterator(chunk_size=5000))
    for event_id, digest, *content in rows:
        if content_hash(dict(zip(HASHED_FIELDS, content, strict=True))) != digest:
            report.fail(BrokenLink(None, "content does not match its hash (row edited before it was sealed)",
                                   event_id))
        report.pending += 1


def verify_chain() -> tuple[int, BrokenLink | None]:
    """Check the whole log: events checked (sealed and pending) and the first broken link, or None."""
    report = verify()
    return report.events, report.broken
