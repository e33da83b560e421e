"""The append-only, hash-chained audit log.

Each event stores the SHA-256 of its own content joined to the previous event's
hash, so editing, deleting or inserting a row anywhere breaks the chain from
that point on; ``manage.py verify_audit`` finds the first broken link.
Events name the personal data viewed (object type and id), never its values.
"""

from __future__ import annotations

from django.db import models

from jfs.core.models import AppendOnlyModel

GENESIS = "0" * 64


class AuditEvent(AppendOnlyModel):
    seq = models.BigIntegerField(unique=True)
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
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    refusal = "audit events are append-only"

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]



class AuditChainHead(models.Model):
    """One row holding the last sequence number and hash; locked while appending."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)
