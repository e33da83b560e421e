"""Backups: the PostgreSQL database with its own tools, the document folders beside it.

``manage.py backup`` writes one directory per backup, ``jfs-YYYYMMDDTHHMMSSZ/``:

- ``database.dump``: ``pg_dump --format=custom`` (compressed; ``pg_restore`` can restore all of
  it, one table, or list it), connected as ``DATABASE_URL`` says (the password goes to pg_dump
  in its environment, never on a command line);
- ``documents.tar``: the uploaded documents (``documents/``) and the quarantined uploads
  (``quarantine/``), as files, with their modification times;
- ``manifest.json``: when, from which database and versions (PostgreSQL, pg_dump, the latest
  migration of each app), and each file's size and SHA-256.

The directory is written under a temporary name and renamed when complete, so a directory
named ``jfs-…`` is a whole backup. It holds personal data: mode 0700, and docs/production.md
says where copies may go.

``manage.py restore DIR`` checks the manifest's sizes and checksums first, then restores into
an empty database (``pg_restore --single-transaction --exit-on-error --no-owner``) and an empty
document folder; ``--replace`` restores over an existing database (``--clean``) and moves the
existing folders aside. SQLite is refused: see docs/production.md for copying its file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from jfs.core import clock

MANIFEST = "manifest.json"
DUMP = "database.dump"
DOCUMENTS = "documents.tar"
FORMAT = 1


class BackupError(Exception):
    """Why a backup or a restore cannot go ahead (the commands print it and exit non-zero)."""


def _require_postgresql() -> Any:  # Django's settings.DATABASES entry
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise BackupError(
            "manage.py backup and restore work with PostgreSQL (pg_dump / pg_restore); this database is "
            f"{connection.vendor}. For the SQLite demo database, stop the web and worker processes and copy "
            "the file (or: sqlite3 var/db.sqlite3 \".backup var/backup.sqlite3\") together with "
            "var/documents/; production runs on PostgreSQL (docs/production.md)."
        )
    return db


def pg_env(db: dict[str, Any]) -> dict[str, str]:
    """libpq's variables for the Django connection: nothing secret on a command line."""
    env = dict(os.environ)
    for var, value in (
        ("PGHOST", db.get("HOST")), ("PGPORT", db.get("PORT")), ("PGUSER", db.get("USER")),
        ("PGPASSWORD", db.get("PASSWORD")), ("PGDATABASE", db.get("NAME")),
        ("PGSSLMODE", (db.get("OPTIONS") or {}).get("sslmode")),
    ):
        if value:
            env[var] = str(value)
    return env


def _run(cmd: list[str], env: dict[str, str]) -> str:
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(f"{cmd[0]} is not installed (Debian: apt-get install postgresql-client)") from None
    if done.returncode != 0:
        raise BackupError(f"{cmd[0]} failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")
    return done.stdout


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _folders() -> dict[str, Path]:
    """The folders that go into documents.tar, by their name inside it."""
    folders = {"documents": Path(settings.DOCUMENT_ROOT)}
    quarantine = getattr(settings, "DOCUMENT_QUARANTINE_ROOT", None)
    if quarantine:
        folders["quarantine"] = Path(quarantine)
    return folders


def _migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


def _server_version() -> str:
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        return str(cur.fetchone()[0])


@dataclass(frozen=True)
class Backup:
    path: Path
    manifest: dict[str, Any]


def backup(output: Path) -> Backup:
    """Write a backup directory under ``output`` and return it."""
    db = _require_postgresql()
    env = pg_env(db)
    started = clock.now()
    output.mkdir(parents=True, exist_ok=True)
    final = output / f"jfs-{started:%Y%m%dT%H%M%SZ}"
    if final.exists():
        raise BackupError(f"{final} already exists")
    work = Path(tempfile.mkdtemp(prefix=".partial-", dir=output))  # mode 0700
    try:
        dump = work / DUMP
        pg_dump_version = _run(["pg_dump", "--version"], env).strip()
        _run(["pg_dump", "--format=custom", "--no-password", f"--file={dump}"], env)

        tar_path = work / DOCUMENTS
        counts: dict[str, int] = {}
        with tarfile.open(tar_path, "w") as tar:
            for name, folder in _folders().items():
                top = tarfile.TarInfo(name)  # the folder itself, also when it does not exist yet
                top.type, top.mode, top.mtime = tarfile.DIRTYPE, 0o700, int(started.timestamp())
                tar.addfile(top)
                counts[name] = 0
                for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
                    tar.add(path, arcname=f"{name}/{path.relative_to(folder)}", recursive=False)
                    counts[name] += path.is_file()

        manifest = {
            "format": FORMAT,
            "created_at": started.isoformat(),
            "finished_at": clock.now().isoformat(),
            "database": {
                "file": DUMP, "bytes": dump.stat().st_size, "sha256": sha256(dump),
                "name": db.get("NAME"), "host": db.get("HOST") or "local socket",
                "server_version": _server_version(), "pg_dump": pg_dump_version,
            },
            "documents": {
                "file": DOCUMENTS, "bytes": tar_path.stat().st_size, "sha256": sha256(tar_path), "files": counts,
            },
            "migrations": _migrations(),
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        for file in work.iterdir():
            file.chmod(0o600)
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return Backup(final, manifest)


def read_manifest(directory: Path) -> dict[str, Any]:
    """The manifest, after checking every file's size and SHA-256 against it."""
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(f"{directory} is not a backup: it has no {MANIFEST}")
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    for part in ("database", "documents"):
        entry = manifest[part]
        file = directory / entry["file"]
        if not file.is_file():
            raise BackupError(f"{file} is missing")
        if file.stat().st_size != entry["bytes"] or sha256(file) != entry["sha256"]:
            raise BackupError(f"{file} does not match the manifest (size or SHA-256): the backup is damaged")
    return manifest


def _is_empty(folder: Path) -> bool:
    return not folder.exists() or not any(folder.iterdir())


def restore(directory: Path, *, replace: bool = False) -> dict[str, Any]:
    """Restore a backup into this database and document folders; returns its manifest."""
    db = _require_postgresql()
    manifest = read_manifest(directory)
    tables = connection.introspection.table_names()
    if tables and not replace:
        raise BackupError(
            f"database {db.get('NAME')!r} is not empty ({len(tables)} tables): restore into a new, empty database "
            "(createdb, then point DATABASE_URL at it), or pass --replace to restore over it"
        )
    busy = [f"{folder}" for folder in _folders().values() if not _is_empty(folder)]
    if busy and not replace:
        raise BackupError(f"{', '.join(busy)} not empty: restore with an empty JFS_DATA_DIR, or pass --replace")
    connection.close()

    cmd = ["pg_restore", "--no-password", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
           f"--dbname={db.get('NAME')}"]
    if replace:
        cmd += ["--clean", "--if-exists"]
    _run([*cmd, str(directory / DUMP)], pg_env(db))

    folders = _folders()
    data_parent = Path(settings.DOCUMENT_ROOT).parent
    unpack = Path(tempfile.mkdtemp(prefix=".restore-", dir=data_parent))
    try:
        with tarfile.open(directory / DOCUMENTS) as tar:
            tar.extractall(unpack, filter="data")  # no absolute paths, links out or devices
        stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
        for name, folder in folders.items():
            source = unpack / name
            if not source.is_dir():
                continue
            if folder.exists():
                if _is_empty(folder):
                    folder.rmdir()
                else:
                    folder.rename(folder.with_name(f"{folder.name}.before-restore-{stamp}"))
            folder.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(source), str(folder))
    finally:
        shutil.rmtree(unpack, ignore_errors=True)
    return manifest
