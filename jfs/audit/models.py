"""The append-only, hash-chained, sealed audit log.

Appending never waits on another writer: an event is inserted with the SHA-256 of its own
content (``content_hash``) and nothing else; its place in the chain is given later by the
sealer (``jfs.audit.sealing``), which takes the unsealed events in id order, links each to
the one before (``seq``, ``prev_hash``, ``hash``) and writes a checkpoint sealed with a key
kept outside the database (``AuditCheckpoint``). ``manage.py verify_audit`` recomputes
everything and names the first broken link. Events name the personal data viewed (object
type and id), never its values. See docs/audit.md and docs/decisions/0010-audit-sealing.md.
"""

from __future__ import annotations

from django.db import models

from jfs.core.models import AppendOnlyModel

GENESIS = "0" * 64


class AuditEvent(AppendOnlyModel):
    #: the event's position in the chain, given by the sealer (empty while the event is pending)
    seq = models.BigIntegerField(unique=True, null=True, blank=True)
    at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=32, blank=True)
    actor_office = models.CharField(max_length=4, blank=True)
    action = models.CharField(max_length=40, db_index=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    reference = models.CharField(max_length=64, blank=True, db_index=True)
    purpose = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    ip = models.CharField(max_length=64, blank=True)
    #: SHA-256 of the event's content, computed when it is appended
    content_hash = models.CharField(max_length=64)
    #: written once by the sealer: the previous event's ``hash`` and SHA-256(prev_hash | seq | id | content_hash)
    prev_hash = models.CharField(max_length=64, null=True, blank=True)
    hash = models.CharField(max_length=64, null=True, blank=True)

    refusal = "audit events are append-only"

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # the sealer's work list: the few events not yet in the chain
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="audit_event_pending"),
        ]


class AuditCheckpoint(AppendOnlyModel):
    """A sealed checkpoint: the chain's position and hash at the end of one sealing run (or of
    every ``JFS_AUDIT_CHECKPOINT_EVENTS`` events), ``mac`` = HMAC-SHA-256 over these fields
    with the seal key, which never enters the database. Each names the previous one's mac, so
    checkpoints form a chain of their own; ``manage.py export_audit_seals`` copies them out."""

    seq = models.BigIntegerField(unique=True)
    hash = models.CharField(max_length=64)
    #: events sealed since the previous checkpoint
    count = models.BigIntegerField()
    sealed_at = models.DateTimeField()
    #: which seal key (a fingerprint of it, never the key)
    key_id = models.CharField(max_length=32)
    prev_mac = models.CharField(max_length=64)
    mac = models.CharField(max_length=64)

    refusal = "audit checkpoints are append-only"

    class Meta:
        ordering = ["-seq"]
