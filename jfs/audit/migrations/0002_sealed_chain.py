"""Appends without a lock, chained and sealed later (docs/decisions/0010-audit-sealing.md).

Events get ``content_hash`` (the SHA-256 of their content); the chain fields become empty until
the sealer fills them; the chain-head row goes; sealed checkpoints get their table. Existing
events are first checked against the old chain (hash = SHA-256(prev_hash | content with seq)):
a broken old chain stops the migration (run ``verify_audit`` on the previous release to see
where), unless JFS_AUDIT_MIGRATE_UNVERIFIED=1 says to go on. They are then left pending, and
the first sealing run (the worker, or ``manage.py seal_audit``) chains them again in the same
order, so they keep their numbers. On PostgreSQL a GIN index serves the auditor's search for
the requests named by list views.
"""

import hashlib
import json
import os
from datetime import UTC, datetime

from django.db import migrations, models

GENESIS = "0" * 64
OLD_FIELDS = ("seq", "at", "actor_id", "actor_username", "actor_role", "actor_office", "action",
              "object_type", "object_id", "reference", "purpose", "details", "ip")
CONTENT_FIELDS = OLD_FIELDS[1:]
BATCH = 5000


def _canonical(values):
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _old_hash(prev_hash, values):
    payload = {k: values[k] for k in OLD_FIELDS}
    at = payload["at"]
    payload["at"] = at.isoformat() if isinstance(at, datetime) else str(at)
    payload["details"] = json.loads(_canonical(payload["details"] or {}))
    return hashlib.sha256((prev_hash + "|" + _canonical(payload)).encode()).hexdigest()


def _content_hash(values):
    """As jfs.audit.services.content_hash when this migration was written."""
    payload = {k: values[k] for k in CONTENT_FIELDS}
    at = payload["at"]
    payload["at"] = at.astimezone(UTC).isoformat() if isinstance(at, datetime) else str(at)
    payload["details"] = json.loads(_canonical(payload["details"] or {}))
    return hashlib.sha256(("jfs-audit-event-v2|" + _canonical(payload)).encode()).hexdigest()


def convert(apps, schema_editor):
    Event = apps.get_model("audit", "AuditEvent")
    Head = apps.get_model("audit", "AuditChainHead")
    conn = schema_editor.connection
    table = conn.ops.quote_name(Event._meta.db_table)
    prev, expected, broken, last = GENESIS, 1, None, 0
    columns = ("id", "prev_hash", "hash", *OLD_FIELDS)
    while True:
        rows = [dict(zip(columns, r)) for r in
                Event.objects.filter(seq__gt=last).order_by("seq").values_list(*columns)[:BATCH]]
        if not rows:
            break
        updates = []
        for r in rows:
            if broken is None:
                if r["seq"] != expected:
                    broken = f"event {expected} is missing"
                elif r["prev_hash"] != prev:
                    broken = f"event {r['seq']} does not follow the previous one"
                elif _old_hash(prev, r) != r["hash"]:
                    broken = f"event {r['seq']} does not match its hash"
            prev, expected = r["hash"], expected + 1
            updates.append((r["id"], _content_hash(r)))
        last = rows[-1]["seq"]
        with conn.cursor() as cursor:
            if conn.vendor == "postgresql":
                cursor.execute(
                    f"UPDATE {table} AS e SET content_hash = v.h, seq = NULL, prev_hash = NULL, hash = NULL "
                    "FROM unnest(%s::bigint[], %s::text[]) AS v(id, h) WHERE e.id = v.id",
                    [[u[0] for u in updates], [u[1] for u in updates]],
                )
            else:
                cursor.executemany(
                    f"UPDATE {table} SET content_hash = %s, seq = NULL, prev_hash = NULL, hash = NULL WHERE id = %s",
                    [(h, i) for i, h in updates],
                )
    head = Head.objects.filter(id=1).first()
    if broken is None and head is not None and (head.seq != expected - 1 or head.hash != prev):
        broken = "the newest events are missing (the chain head is ahead)"
    if broken and os.environ.get("JFS_AUDIT_MIGRATE_UNVERIFIED") != "1":
        raise RuntimeError(
            f"The audit chain is broken ({broken}): not re-chaining it. Run `manage.py verify_audit` on the "
            "previous release to see where; set JFS_AUDIT_MIGRATE_UNVERIFIED=1 to migrate anyway."
        )


REFERENCES_INDEX = "audit_event_list_references"


def add_references_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {REFERENCES_INDEX} ON audit_auditevent USING gin ((details -> 'references') jsonb_path_ops) "
            "WHERE object_type = 'request_list'"
        )


def drop_references_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {REFERENCES_INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="content_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(blank=True, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.RunPython(convert, elidable=False),
        migrations.DeleteModel(name="AuditChainHead"),
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.BigIntegerField(unique=True)),
                ("hash", models.CharField(max_length=64)),
                ("count", models.BigIntegerField()),
                ("sealed_at", models.DateTimeField()),
                ("key_id", models.CharField(max_length=32)),
                ("prev_mac", models.CharField(max_length=64)),
                ("mac", models.CharField(max_length=64)),
            ],
            options={"ordering": ["-seq"]},
        ),
        migrations.AlterModelOptions(name="auditevent", options={"ordering": ["-id"]}),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(condition=models.Q(seq__isnull=True), fields=["id"], name="audit_event_pending"),
        ),
        migrations.RunPython(add_references_index, drop_references_index),
    ]
