"""The audit log at scale: appends that never wait on each other, a sealer that chains them
and writes checkpoints sealed with a key kept outside the database, exports of those
checkpoints, and ``verify_audit`` finding an edited, deleted, inserted or reordered event and a
chain recomputed by someone who can write the database but has not the key.

Concurrency tests need PostgreSQL (SQLite runs one writer at a time) and are skipped elsewhere."""

from __future__ import annotations

import json
import threading
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.urls import reverse

from jfs.audit import sealing
from jfs.audit.models import GENESIS, AuditCheckpoint, AuditEvent
from jfs.audit.sealing import SealKeyMissing, record_sealed, seal_pending
from jfs.audit.services import HASHED_FIELDS, Event, content_hash, link_hash, record, record_many

KEY = "k" * 16 + "0123456789abcdef0123456789abcdef"
OTHER_KEY = "o" * 16 + "fedcba9876543210fedcba9876543210"
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="row and advisory locks are PostgreSQL's")


@pytest.fixture(autouse=True)
def seal_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("JFS_AUDIT_SEAL_KEY", KEY)
    monkeypatch.delenv("JFS_AUDIT_SEAL_RETIRED_KEYS", raising=False)
    return KEY


def _table(model: Any = AuditEvent) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _sql(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cur:
        cur.execute(sql.format(events=_table(), checkpoints=_table(AuditCheckpoint)), params or [])


def _append(n: int, start: int = 0) -> None:
    record_many(Event(action="test", object_type="thing", object_id=str(i), details={"i": i, "ชื่อ": "ทดสอบ"})
                for i in range(start, start + n))


def _sealed(n: int, batch: int | None = None) -> list[AuditEvent]:
    _append(n)
    seal_pending(batch=batch)
    return list(AuditEvent.objects.order_by("seq"))


def verify_cmd(*args: str) -> str:
    out = StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


def broken(*args: str) -> str:
    with pytest.raises(CommandError) as exc:
        verify_cmd(*args)
    return str(exc.value)


def _rechain(from_seq: int, edit: dict[str, Any] | None = None) -> str:
    """What someone who can write the database but has no seal key can do: change an event and
    recompute its content hash and every link from there on, consistently. Returns the new head hash."""
    prev = AuditEvent.objects.get(seq=from_seq - 1).hash if from_seq > 1 else GENESIS
    assert prev is not None
    for ev in AuditEvent.objects.filter(seq__gte=from_seq).order_by("seq"):
        values = {k: getattr(ev, k) for k in HASHED_FIELDS}
        if ev.seq == from_seq and edit:
            values |= edit
            _sql("UPDATE {events} SET purpose = %s WHERE id = %s", [values["purpose"], ev.pk])
        digest = content_hash(values)
        assert ev.seq is not None
        h = link_hash(prev, ev.seq, ev.pk, digest)
        _sql("UPDATE {events} SET content_hash = %s, prev_hash = %s, hash = %s WHERE id = %s", [digest, prev, h, ev.pk])
        prev = h
    return prev


# --------------------------------------------------------------------------- appending and sealing


@pytest.mark.django_db
def test_an_append_takes_no_lock_and_waits_to_be_sealed() -> None:
    _append(3)
    assert list(AuditEvent.objects.values_list("seq", "prev_hash", "hash")) == [(None, None, None)] * 3
    assert not AuditCheckpoint.objects.exists()
    assert "3 pending, not yet sealed" in verify_cmd()


@pytest.mark.django_db
def test_the_sealer_chains_in_id_order_and_seals_a_checkpoint() -> None:
    evs = _sealed(5)
    assert [e.seq for e in evs] == [1, 2, 3, 4, 5]
    assert [e.pk for e in evs] == sorted(e.pk for e in evs)
    for prev, ev in zip([None, *evs], evs, strict=False):
        assert ev.prev_hash == (prev.hash if prev else GENESIS)
        assert ev.seq is not None and ev.hash == link_hash(ev.prev_hash or "", ev.seq, ev.pk, ev.content_hash)
    [cp] = AuditCheckpoint.objects.all()
    assert (cp.seq, cp.hash, cp.count, cp.prev_mac) == (5, evs[-1].hash, 5, GENESIS)
    assert cp.key_id == sealing.SealKey(KEY.encode()).key_id and KEY not in cp.key_id
    assert cp.mac == sealing.checkpoint_mac(sealing.SealKey(KEY.encode()), sealing.checkpoint_fields(cp))
    assert "Audit chain intact: 5 events verified (5 sealed under 1 checkpoints, seals checked; 0 pending" in verify_cmd()


@pytest.mark.django_db
def test_the_sealer_is_idempotent_and_checkpoints_every_batch() -> None:
    _append(5)
    run = seal_pending(batch=2)
    assert (run.sealed, run.checkpoints, run.head, run.busy) == (5, 3, 5, False)
    assert list(AuditCheckpoint.objects.order_by("seq").values_list("seq", "count")) == [(2, 2), (4, 2), (5, 1)]
    again = seal_pending(batch=2)
    assert (again.sealed, again.checkpoints, again.head) == (0, 0, 5)
    assert AuditCheckpoint.objects.count() == 3
    out = StringIO()
    call_command("seal_audit", stdout=out)
    assert "Sealed 0 events, 0 checkpoints written; the chain is at event 5." in out.getvalue()


@pytest.mark.django_db
def test_an_interrupted_sealing_run_resumes_where_it_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    _append(7)
    write = sealing._write_checkpoint
    calls = []

    def fail_on_second(*args: Any, **kwargs: Any) -> AuditCheckpoint:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the worker was stopped")
        return write(*args, **kwargs)

    monkeypatch.setattr(sealing, "_write_checkpoint", fail_on_second)
    with pytest.raises(RuntimeError):
        seal_pending(batch=3)
    # the first batch stays sealed; the second was rolled back with its checkpoint
    assert list(AuditEvent.objects.exclude(seq=None).order_by("seq").values_list("seq", flat=True)) == [1, 2, 3]
    assert AuditEvent.objects.filter(seq=None).count() == 4
    assert "3 sealed under 1 checkpoints" in verify_cmd() and "4 pending" in verify_cmd()
    monkeypatch.setattr(sealing, "_write_checkpoint", write)
    run = seal_pending(batch=3)
    assert (run.sealed, run.head) == (4, 7)
    assert "Audit chain intact: 7 events verified (7 sealed under 3 checkpoints" in verify_cmd()


@pytest.mark.django_db
def test_the_worker_tick_seals() -> None:
    from jfs.core import tasks

    _append(4)
    result = tasks.tick.call()
    assert result["audit_sealed"] == 4
    assert not AuditEvent.objects.filter(seq=None).exists()


@pytest.mark.django_db
def test_the_bulk_path_writes_events_sealed_after_the_pending_ones() -> None:
    _append(2)
    n = record_sealed(Event(action="create", object_type="request", object_id=str(i), reference=f"JF1-50-2569-{i:05d}")
                      for i in range(1, 4))
    assert n == 3
    evs = list(AuditEvent.objects.order_by("seq"))
    assert [(e.seq, e.action) for e in evs] == [(1, "test"), (2, "test"), (3, "create"), (4, "create"), (5, "create")]
    assert [e.pk for e in evs] == sorted(e.pk for e in evs)
    assert list(AuditCheckpoint.objects.order_by("seq").values_list("seq", "count")) == [(2, 2), (5, 3)]
    record("test")  # an append after the bulk path gets a fresh id
    seal_pending()
    assert "Audit chain intact: 6 events verified (6 sealed under 3 checkpoints" in verify_cmd()


@pytest.mark.django_db
def test_an_edited_pending_event_is_reported() -> None:
    _sealed(2)
    record("test", object_type="thing", object_id="x")
    pending = AuditEvent.objects.get(seq=None)
    _sql("UPDATE {events} SET object_id = %s WHERE id = %s", ["y", pending.pk])
    assert f"broken at pending event id {pending.pk}: content does not match its hash" in broken()


# --------------------------------------------------------------------------- what verify_audit detects


@pytest.mark.django_db
def test_verify_detects_an_edited_event() -> None:
    _sealed(6)
    _sql("UPDATE {events} SET actor_username = %s WHERE seq = 4", ["someone.else"])
    msg = broken()
    assert "broken at event 4: content does not match its hash (row edited)" in msg
    assert "(3 events before it are intact)" in msg


@pytest.mark.django_db
def test_verify_detects_a_deleted_event() -> None:
    _sealed(6)
    _sql("DELETE FROM {events} WHERE seq = 3")
    assert "broken at event 3: event 3 is missing (deleted): the chain goes on at event 4" in broken()


@pytest.mark.django_db
def test_verify_detects_a_deleted_event_renumbered_around() -> None:
    _sealed(6)
    _sql("DELETE FROM {events} WHERE seq = 3")
    for seq in (4, 5, 6):
        _sql("UPDATE {events} SET seq = %s WHERE seq = %s", [seq - 1, seq])
    assert "broken at event 3: does not follow the previous event" in broken()


@pytest.mark.django_db
def test_verify_detects_an_inserted_event() -> None:
    evs = _sealed(5)
    for seq in (5, 4):  # make room after event 3
        _sql("UPDATE {events} SET seq = %s WHERE seq = %s", [seq + 1, seq])
    record("test", object_type="thing", object_id="forged")
    forged = AuditEvent.objects.get(seq=None)
    h = link_hash(evs[2].hash or "", 4, forged.pk, forged.content_hash)
    _sql("UPDATE {events} SET seq = 4, prev_hash = %s, hash = %s WHERE id = %s", [evs[2].hash, h, forged.pk])
    assert "broken at event 5: does not follow the previous event" in broken()


@pytest.mark.django_db
def test_verify_detects_an_event_added_at_the_end_of_the_chain_without_the_key() -> None:
    evs = _sealed(3)
    record("test", object_type="thing", object_id="forged")
    forged = AuditEvent.objects.get(seq=None)
    h = link_hash(evs[-1].hash or "", 4, forged.pk, forged.content_hash)
    _sql("UPDATE {events} SET seq = 4, prev_hash = %s, hash = %s WHERE id = %s", [evs[-1].hash, h, forged.pk])
    assert "broken at event 4: events 4–4 are in the chain but no checkpoint seals them" in broken()


@pytest.mark.django_db
def test_verify_detects_reordered_events() -> None:
    _sealed(5)
    _sql("UPDATE {events} SET seq = -1 WHERE seq = 2")
    _sql("UPDATE {events} SET seq = 2 WHERE seq = 3")
    _sql("UPDATE {events} SET seq = 3 WHERE seq = -1")
    assert "broken at event 2: does not follow the previous event" in broken()


@pytest.mark.django_db
def test_verify_detects_events_swapped_in_place_with_their_hashes() -> None:
    """Swapping two events' whole rows (content, content hash and links) but not their ids."""
    evs = _sealed(4)
    a, b = evs[1], evs[2]
    cols = [*HASHED_FIELDS, "content_hash"]
    for src, dst in ((b, a), (a, b)):
        values = [json.dumps(src.details) if c == "details" else getattr(src, c) for c in cols]
        _sql("UPDATE {events} SET " + ", ".join(f"{c} = %s" for c in cols) + " WHERE id = %s", [*values, dst.pk])
    assert "broken at event 2: its chain hash does not match its position, id and content" in broken()


@pytest.mark.django_db
def test_verify_detects_a_recomputed_chain_by_its_checkpoint() -> None:
    """Every hash recomputed consistently from the edited event on: the chain no longer passes
    through the sealed checkpoint's hash."""
    _sealed(6, batch=3)  # checkpoints at 3 and 6
    _rechain(5, {"purpose": "rewritten"})
    assert "broken at event 6: the chain differs from the checkpoint sealed at this position" in broken()


@pytest.mark.django_db
def test_verify_detects_a_recomputed_chain_whose_checkpoint_was_rewritten_without_the_key() -> None:
    _sealed(6, batch=3)
    head = _rechain(2, {"purpose": "rewritten"})
    _sql("UPDATE {checkpoints} SET hash = %s WHERE seq = 6", [head])
    # the checkpoint at 3 no longer matches the chain either; the rewritten one at 6 has a bad seal
    assert "broken at event 3: the chain differs from the checkpoint sealed at this position" in broken()
    old3 = AuditCheckpoint.objects.get(seq=3)
    new3 = AuditEvent.objects.get(seq=3).hash
    _sql("UPDATE {checkpoints} SET hash = %s WHERE seq = 3", [new3])
    msg = broken()
    assert "broken at event 3: its checkpoint's seal does not match" in msg, msg
    assert old3.hash != new3


@pytest.mark.django_db
def test_verify_detects_deleted_checkpoints_and_newest_events() -> None:
    _sealed(6, batch=2)  # checkpoints at 2, 4, 6
    _sql("DELETE FROM {checkpoints} WHERE seq = 4")
    assert "broken at event 6: its checkpoint does not follow the previous checkpoint" in broken()


@pytest.mark.django_db
def test_verify_detects_the_newest_events_deleted() -> None:
    _sealed(6, batch=2)
    _sql("DELETE FROM {events} WHERE seq > 4")
    assert "broken at event 5: the newest sealed events are missing: the checkpoint sealed is at event 6" in broken()


@pytest.mark.django_db
def test_an_id_never_committed_is_not_a_deletion() -> None:
    """A rolled-back append leaves a gap in the ids (PostgreSQL sequences are not rolled back):
    the chain is checked by position, so nothing is reported; a deleted sealed event still is."""
    _append(2)
    with pytest.raises(RuntimeError), transaction.atomic():
        record("test", object_type="thing", object_id="rolled back")
        raise RuntimeError("the request failed")
    _append(2, start=2)
    seal_pending()
    ids = list(AuditEvent.objects.order_by("seq").values_list("id", flat=True))
    if connection.vendor == "postgresql":
        assert ids[2] - ids[1] == 2  # the rolled-back id is a gap
    assert "Audit chain intact: 4 events verified" in verify_cmd()
    _sql("DELETE FROM {events} WHERE seq = 2")
    assert "broken at event 2: event 2 is missing (deleted)" in broken()


# --------------------------------------------------------------------------- exported checkpoints


@pytest.mark.django_db
def test_export_and_verify_against_the_export(tmp_path: Path) -> None:
    _sealed(4, batch=2)
    path = tmp_path / "seals.jsonl"
    call_command("export_audit_seals", "--append", str(path), stderr=StringIO())
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    assert [x["seq"] for x in lines] == [2, 4]
    assert set(lines[0]) == {"seq", "hash", "count", "sealed_at", "key_id", "prev_mac", "mac"}
    _append(3)
    seal_pending(batch=2)
    call_command("export_audit_seals", "--append", str(path), stderr=StringIO())  # only the new ones
    assert [json.loads(x)["seq"] for x in path.read_text().splitlines()] == [2, 4, 6, 7]
    out = StringIO()
    call_command("export_audit_seals", stdout=out)
    assert out.getvalue().splitlines() == path.read_text().splitlines()
    assert "4 exported checkpoints match" in verify_cmd("--against", str(path))


@pytest.mark.django_db
def test_only_the_export_reveals_a_chain_unsealed_and_sealed_again(tmp_path: Path) -> None:
    """Someone who can write the database deletes the checkpoints after an event, edits it,
    marks the events from there unsealed, and lets the sealer (which has the key) seal them
    again. The database alone is consistent again; the checkpoint exported before is not."""
    _sealed(6, batch=3)
    path = tmp_path / "seals.jsonl"
    call_command("export_audit_seals", "--output", str(path), stderr=StringIO())
    _sql("DELETE FROM {checkpoints} WHERE seq > 3")
    _sql("UPDATE {events} SET seq = NULL, prev_hash = NULL, hash = NULL WHERE seq > 3")
    victim = AuditEvent.objects.filter(seq=None).order_by("id").first()
    assert victim is not None
    values = {k: getattr(victim, k) for k in HASHED_FIELDS} | {"purpose": "rewritten"}
    _sql("UPDATE {events} SET purpose = %s, content_hash = %s WHERE id = %s",
         ["rewritten", content_hash(values), victim.pk])
    seal_pending()
    assert "Audit chain intact: 6 events verified" in verify_cmd()
    msg = broken("--against", str(path))
    assert "broken at event 6: the checkpoint exported earlier for this position is missing or different" in msg


@pytest.mark.django_db
def test_an_altered_export_file_is_reported(tmp_path: Path) -> None:
    _sealed(3)
    path = tmp_path / "seals.jsonl"
    call_command("export_audit_seals", "--output", str(path), stderr=StringIO())
    line = json.loads(path.read_text())
    path.write_text(json.dumps(line | {"count": 2}) + "\n")
    assert "broken at event 3:" in broken("--against", str(path))
    path.write_text("not json\n")
    assert "not an exported checkpoint" in broken("--against", str(path))


# --------------------------------------------------------------------------- the key


@pytest.mark.django_db
def test_a_retired_key_still_verifies_old_checkpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    _sealed(2)
    monkeypatch.setenv("JFS_AUDIT_SEAL_KEY", OTHER_KEY)
    monkeypatch.setenv("JFS_AUDIT_SEAL_RETIRED_KEYS", KEY)
    _append(2)
    seal_pending()
    assert list(AuditCheckpoint.objects.order_by("seq").values_list("key_id", flat=True)) == [
        sealing.SealKey(KEY.encode()).key_id, sealing.SealKey(OTHER_KEY.encode()).key_id]
    assert "Audit chain intact: 4 events verified (4 sealed under 2 checkpoints, seals checked" in verify_cmd()
    monkeypatch.delenv("JFS_AUDIT_SEAL_RETIRED_KEYS")
    assert "broken at event 2: its checkpoint names seal key" in broken()


@pytest.mark.django_db
def test_checkpoints_sealed_with_another_key_do_not_verify(monkeypatch: pytest.MonkeyPatch) -> None:
    _sealed(2)
    monkeypatch.setenv("JFS_AUDIT_SEAL_KEY", OTHER_KEY)
    monkeypatch.setenv("JFS_AUDIT_SEAL_RETIRED_KEYS", "x" * 40)
    assert "is not one of this system's keys" in broken()


@pytest.mark.django_db
def test_without_a_key_verification_still_checks_the_chain_but_not_the_seals(
    monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path
) -> None:
    _sealed(3)
    monkeypatch.delenv("JFS_AUDIT_SEAL_KEY")
    monkeypatch.delenv("JFS_TESTING")
    settings.DEBUG = False
    settings.JFS_AUDIT_SEAL_KEY_FILE = str(tmp_path / "none")
    assert "seals NOT checked: no seal key on this machine" in verify_cmd()
    with pytest.raises(SealKeyMissing, match="no audit seal key"):
        seal_pending()
    with pytest.raises(CommandError, match="no audit seal key"):
        call_command("seal_audit", stdout=StringIO())
    assert sealing.seal_for_tick() == 0  # logged; the rest of the tick goes on
    assert not (tmp_path / "none").exists()


@pytest.mark.django_db
def test_the_key_comes_from_a_file_with_retired_keys_after_the_first(
    monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path
) -> None:
    monkeypatch.delenv("JFS_AUDIT_SEAL_KEY")
    path = tmp_path / "audit_seal_key"
    path.write_text(f"# the current key first\n{OTHER_KEY}\n{KEY}\n")
    settings.JFS_AUDIT_SEAL_KEY_FILE = str(path)
    assert [k.secret.decode() for k in sealing.seal_keys()] == [OTHER_KEY, KEY]


@pytest.mark.django_db
def test_a_local_clone_gets_a_key_file_of_its_own(monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path) -> None:
    monkeypatch.delenv("JFS_AUDIT_SEAL_KEY")
    settings.JFS_AUDIT_SEAL_KEY_FILE = str(tmp_path / "audit_seal_key")
    key = sealing.current_key()
    assert (tmp_path / "audit_seal_key").read_text().strip() == key.secret.decode()
    assert (tmp_path / "audit_seal_key").stat().st_mode & 0o777 == 0o600
    assert sealing.current_key() == key


@pytest.mark.parametrize("bad", ["short", "SECRET"])
def test_a_weak_key_or_the_secret_key_is_refused(bad: str, monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    settings.SECRET_KEY = "s" * 50
    monkeypatch.setenv("JFS_AUDIT_SEAL_KEY", settings.SECRET_KEY if bad == "SECRET" else bad)
    with pytest.raises(SealKeyMissing, match="SECRET_KEY" if bad == "SECRET" else "shorter"):
        sealing.current_key()


# --------------------------------------------------------------------------- list pages


@pytest.mark.django_db
def test_a_list_page_writes_one_event_naming_the_rows_and_the_auditor_finds_it(make_request: Any, login: Any) -> None:
    reqs = [make_request(assign_to="officer.cm") for _ in range(3)]
    other = make_request(assign_to="officer.cm")
    before = AuditEvent.objects.count()
    resp = login("officer.cm").get(reverse("staff:queue"))
    shown = [row["req"] for row in resp.context["rows"]]
    [ev] = AuditEvent.objects.filter(action="view_personal_data", object_type="request_list")
    assert AuditEvent.objects.count() == before + 2  # the sign-in, and one event for the whole list
    assert ev.details == {"ids": [r.pk for r in shown], "references": [r.number for r in shown]}
    auditor = login("auditor")
    page = auditor.get(reverse("audit:search"), {"reference": reqs[1].number, "action": "view_personal_data"})
    assert [e.pk for e in page.context["page"]] == [ev.pk]
    page = auditor.get(reverse("audit:search"), {"reference": reqs[1].number})
    assert {e.action for e in page.context["page"]} == {"create", "update", "view_personal_data"}
    assert other.number in ev.details["references"]
    assert not auditor.get(reverse("audit:search"), {"reference": "JF1-50-2569-99999"}).context["page"].object_list


@pytest.mark.django_db
def test_the_api_list_writes_one_event_naming_the_rows(make_request: Any, api_client: Any) -> None:
    reqs = [make_request() for _ in range(3)]
    assert api_client("officer.cm").get("/api/v1/requests").status_code == 200
    [ev] = AuditEvent.objects.filter(object_type="request_list")
    assert sorted(ev.details["ids"]) == sorted(r.pk for r in reqs) and ev.actor_username == "officer.cm"


@postgresql_only
@pytest.mark.django_db
def test_the_search_for_a_request_in_list_views_uses_an_index() -> None:
    from jfs.audit.services import naming_request

    record_many(Event(action="view_personal_data", object_type="request_list",
                      details={"ids": [i], "references": [f"JF1-50-2569-{i:05d}", f"JF1-50-2569-{i + 1:05d}"]})
                for i in range(1, 3001))
    qs = AuditEvent.objects.filter(naming_request("JF1-50-2569-00002"))
    with connection.cursor() as cur:
        cur.execute(f"ANALYZE {_table()}")
        sql, params = qs.query.sql_with_params()
        cur.execute("EXPLAIN " + sql, params)
        plan = "\n".join(r[0] for r in cur.fetchall())
    assert "audit_event_list_references" in plan, plan
    assert qs.count() == 2


# --------------------------------------------------------------------------- concurrency (PostgreSQL)


def _in_thread(fn: Any, *args: Any) -> threading.Thread:
    def run() -> None:
        try:
            fn(*args)
        finally:
            connections.close_all()

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def _waiting_on_locks() -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'")
        row = cur.fetchone()
        return int(row[0]) if row else 0


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_appends_do_not_wait_for_each_other_nor_for_an_open_append() -> None:
    """One transaction has appended and stays open; eight threads append meanwhile. With the
    chain-head row of the old design (SELECT … FOR UPDATE) all eight waited for it; now they finish."""
    appended, release = threading.Event(), threading.Event()

    def hold() -> None:
        with transaction.atomic():
            record("test", object_type="thing", object_id="held open")
            appended.set()
            release.wait(30)

    holder = _in_thread(hold)
    assert appended.wait(10)
    done: list[int] = []
    start = threading.Barrier(8)

    def append(i: int) -> None:
        start.wait()
        with transaction.atomic():
            record_many(Event(action="test", object_type="thing", object_id=f"{i}.{j}") for j in range(5))
        done.append(i)

    threads = [_in_thread(append, i) for i in range(8)]
    t0 = time.monotonic()
    for t in threads:
        t.join(timeout=10)
    finished_in = time.monotonic() - t0
    try:
        assert sorted(done) == list(range(8)), "appends waited for the open transaction"
        assert finished_in < 10
        assert _waiting_on_locks() == 0
    finally:
        release.set()
        holder.join(10)
    assert AuditEvent.objects.count() == 41


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_late_commit_of_an_older_id_is_sealed_in_a_later_run() -> None:
    """A transaction that took its id first but commits last is invisible to the sealer until
    it commits, then sealed after the others: neither a deletion nor a gap."""
    appended, release = threading.Event(), threading.Event()

    def hold() -> None:
        with transaction.atomic():
            record("test", object_type="thing", object_id="late")
            appended.set()
            release.wait(30)

    holder = _in_thread(hold)
    assert appended.wait(10)
    _append(3)
    first = seal_pending()
    assert (first.sealed, first.head) == (3, 3)
    assert "Audit chain intact: 3 events verified" in verify_cmd()
    release.set()
    holder.join(10)
    assert "1 pending" in verify_cmd()
    assert seal_pending().sealed == 1
    late = AuditEvent.objects.get(object_id="late")
    assert late.seq == 4 and late.pk < AuditEvent.objects.get(seq=1).pk
    assert "Audit chain intact: 4 events verified (4 sealed under 2 checkpoints" in verify_cmd()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_sealers_run_one_at_a_time_and_appends_never_wait_for_them() -> None:
    import psycopg

    _append(20)
    settings_dict = connection.settings_dict
    other = psycopg.connect(dbname=settings_dict["NAME"], user=settings_dict["USER"], host=settings_dict["HOST"],
                            port=settings_dict["PORT"] or 5432, password=settings_dict["PASSWORD"] or None,
                            autocommit=True)
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [sealing.SEALER_LOCK])  # a sealer is running elsewhere
        assert seal_pending().busy
        record("test", object_type="thing", object_id="while sealing")  # not blocked
        other.execute("SELECT pg_advisory_unlock(%s)", [sealing.SEALER_LOCK])
    finally:
        other.close()
    results: list[sealing.SealRun] = []
    threads = [_in_thread(lambda: results.append(seal_pending(batch=4))) for _ in range(3)]
    for t in threads:
        t.join(20)
    assert len(results) == 3
    assert sum(r.sealed for r in results) == 21
    assert "Audit chain intact: 21 events verified (21 sealed" in verify_cmd()


# --------------------------------------------------------------------------- migration 0002


class _NoHead:
    class objects:  # noqa: N801 - stands in for a model manager
        @staticmethod
        def filter(**kwargs: Any) -> Any:
            return AuditEvent.objects.none()


class _Apps:
    @staticmethod
    def get_model(app: str, name: str) -> Any:
        return AuditEvent if name == "AuditEvent" else _NoHead


class _Editor:
    connection = connection


def _old_chain(n: int) -> None:
    """n events as the 0001 design wrote them: hash = SHA-256(prev_hash | content with seq)."""
    import importlib

    old = importlib.import_module("jfs.audit.migrations.0002_sealed_chain")
    _append(n)
    prev = GENESIS
    for seq, ev in enumerate(AuditEvent.objects.order_by("id"), start=1):
        values = {k: getattr(ev, k) for k in HASHED_FIELDS} | {"seq": seq}
        h = old._old_hash(prev, values)
        _sql("UPDATE {events} SET seq = %s, prev_hash = %s, hash = %s, content_hash = '' WHERE id = %s",
             [seq, prev, h, ev.pk])
        prev = h


@pytest.mark.django_db
def test_migration_0002_checks_the_old_chain_then_the_sealer_numbers_events_as_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib

    old = importlib.import_module("jfs.audit.migrations.0002_sealed_chain")
    _old_chain(7)
    before = list(AuditEvent.objects.order_by("seq").values_list("id", "seq"))
    monkeypatch.setattr(old, "BATCH", 3)  # several batches
    old.convert(_Apps, _Editor)
    assert AuditEvent.objects.filter(seq=None).count() == 7 and not AuditEvent.objects.filter(content_hash="").exists()
    seal_pending()
    assert list(AuditEvent.objects.order_by("seq").values_list("id", "seq")) == before
    assert "Audit chain intact: 7 events verified (7 sealed under 1 checkpoints" in verify_cmd()


@pytest.mark.django_db
def test_migration_0002_stops_on_a_broken_old_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    old = importlib.import_module("jfs.audit.migrations.0002_sealed_chain")
    _old_chain(4)
    _sql("UPDATE {events} SET purpose = 'edited' WHERE seq = 2")
    with pytest.raises(RuntimeError, match=r"The audit chain is broken \(event 2 does not match its hash\)"):
        old.convert(_Apps, _Editor)
    monkeypatch.setenv("JFS_AUDIT_MIGRATE_UNVERIFIED", "1")
    old.convert(_Apps, _Editor)
    assert AuditEvent.objects.filter(seq=None).count() == 4
