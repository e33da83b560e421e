"""Operations: the worker's periodic tick survives a failure, logs keep personal data out
(gunicorn's access and error logs, Django's request logging, logged tracebacks), and the
settings find this clone's secret key so the README's commands work from a new shell."""

from __future__ import annotations

import io
import logging
import os
import runpy
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import IntegrityError
from django.test import Client
from django.utils import timezone

from jfs.core import tasks
from jfs.core.logging import RedactPersonalData

ROOT = Path(django_settings.BASE_DIR)
NATIONAL_ID = "3501010427687"
PHONE = "0812345678"


# --------------------------------------------------------------------------- the worker's tick


@pytest.fixture
def tick_fails_once(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The first escalation run raises a database error quoting a row (as PostgreSQL's do)."""
    import jfs.cases.escalation

    real = jfs.cases.escalation.escalate_overdue
    calls: list[int] = []

    def flaky(*args: Any, **kwargs: Any) -> int:
        calls.append(1)
        if len(calls) == 1:
            raise IntegrityError(f"duplicate key value: Key (national_id)=({NATIONAL_ID}) already exists")
        return real(*args, **kwargs)

    registered = tasks.PERIODIC["escalated"]  # what the case system registered for every tick
    monkeypatch.setitem(tasks.PERIODIC, "escalated", tasks.Periodic("escalated", flaky, registered.order))
    return calls


def _queued_ticks() -> Any:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=tasks.TICK_PATH, status="READY")


@pytest.mark.django_db
def test_a_failing_tick_still_queues_the_next_one(tick_fails_once: list[int], caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="jfs.core.tasks"), pytest.raises(tasks.TickFailed) as exc:
        tasks.tick.call()
    assert NATIONAL_ID not in str(exc.value) and "IntegrityError" in str(exc.value)
    queued = _queued_ticks()
    assert queued.count() == 1 and queued.get().run_after > timezone.now()
    [record] = [r for r in caplog.records if r.name == "jfs.core.tasks"]
    assert "IntegrityError" in record.getMessage() and NATIONAL_ID not in caplog.text

    assert tasks.tick.call()["escalated"] == 0  # the next tick runs normally
    assert len(tick_fails_once) == 2 and _queued_ticks().count() == 2


@pytest.mark.django_db
def test_the_worker_keeps_ticking_after_a_failed_tick(tick_fails_once: list[int], caplog: pytest.LogCaptureFixture) -> None:
    """Through the django-tasks database worker: the failed run is recorded as failed, without
    the exception's text, and the next run is waiting."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id="test", excluded_queue_names=[])
    tasks.schedule_tick()
    [first] = _queued_ticks()
    with caplog.at_level(logging.INFO):
        worker.run_task(first)
    first.refresh_from_db()
    assert first.status == "FAILED" and NATIONAL_ID not in first.traceback
    assert NATIONAL_ID not in caplog.text
    [second] = _queued_ticks()
    DBTaskResult.objects.filter(pk=second.pk).update(run_after=timezone.now() - timedelta(seconds=1))
    second.refresh_from_db()
    worker.run_task(second)
    second.refresh_from_db()
    assert second.status == "SUCCESSFUL" and second.return_value["escalated"] == 0
    assert _queued_ticks().count() == 1


# --------------------------------------------------------------------------- gunicorn's logs


def _gunicorn_logger(tmp_path: Path) -> Any:
    """Gunicorn's logger configured the way gunicorn loads ./gunicorn.conf.py."""
    from gunicorn.config import Config

    cfg = Config()
    for key, value in runpy.run_path(str(ROOT / "gunicorn.conf.py")).items():
        if key in cfg.settings:
            cfg.set(key, value)
    cfg.set("accesslog", str(tmp_path / "access.log"))
    cfg.set("errorlog", str(tmp_path / "error.log"))
    return cfg.logger_class(cfg)


def test_gunicorn_access_log_format_has_no_query_string_or_headers() -> None:
    fmt = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["access_log_format"]
    for atom in ("%(r)s", "%(q)s", "%(f)s", "%(a)s", "}i)s", "}e)s"):
        assert atom not in fmt
    for atom in ("%(h)s", "%(m)s", "%(U)s", "%(s)s", "%(b)s", "%(M)s"):
        assert atom in fmt


def test_gunicorn_access_log_line_keeps_the_path_only(tmp_path: Path) -> None:
    log = _gunicorn_logger(tmp_path)
    url = f"/staff/requests/?q={NATIONAL_ID}"
    environ = {
        "REQUEST_METHOD": "GET", "RAW_URI": url, "PATH_INFO": "/staff/requests/", "QUERY_STRING": f"q={NATIONAL_ID}",
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.1.2.3", "HTTP_REFERER": f"http://127.0.0.1:8000{url}",
        "HTTP_USER_AGENT": "test",
    }
    resp = SimpleNamespace(status="200 OK", sent=5120, headers=[("Content-Type", "text/html")])
    req = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    log.access(resp, req, environ, timedelta(milliseconds=42))
    for h in log.access_log.handlers:
        h.flush()
    line = (tmp_path / "access.log").read_text()
    assert NATIONAL_ID not in line and "?" not in line
    assert '10.1.2.3' in line and '"GET /staff/requests/" 200 5120 42ms' in line


def test_gunicorn_error_log_is_redacted(tmp_path: Path) -> None:
    log = _gunicorn_logger(tmp_path)
    log.error("Error handling request %s", f"/staff/requests/?q={NATIONAL_ID}&phone={PHONE}")
    for h in log.error_log.handlers:
        h.flush()
    text = (tmp_path / "error.log").read_text()
    assert "Error handling request /staff/requests/?[query]" in text
    assert NATIONAL_ID not in text and PHONE not in text


def test_up_sh_serves_with_the_gunicorn_config() -> None:
    script = (ROOT / "scripts" / "up.sh").read_text()
    assert "--config gunicorn.conf.py" in script
    assert "--access-logformat" not in script
    assert subprocess.run(["bash", "-n", str(ROOT / "scripts" / "up.sh")]).returncode == 0


# --------------------------------------------------------------------------- Django's logs


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What the configured console handler (the one with the personal-data filter) writes."""
    [handler] = [h for h in logging.getLogger().handlers if any(isinstance(f, RedactPersonalData) for f in h.filters)]
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(old)


@pytest.mark.django_db
def test_a_404_with_an_id_in_the_query_string_does_not_log_the_id(console: io.StringIO) -> None:
    resp = Client().get(f"/no-such-page/?q={NATIONAL_ID}&name=สมปอง")
    assert resp.status_code == 404
    text = console.getvalue()
    assert "Not Found: /no-such-page/" in text
    assert NATIONAL_ID not in text and "สมปอง" not in text


def test_runserver_request_lines_lose_their_query_string() -> None:
    """django.server (manage.py runserver) logs the whole request line; Django's own handler for
    it has no filter, so the settings route it through the console handler."""
    logger = logging.getLogger("django.server")
    handlers = [h for h in logger.handlers if isinstance(h, logging.StreamHandler)]
    assert handlers and all(any(isinstance(f, RedactPersonalData) for f in h.filters) for h in handlers)
    streams = [io.StringIO() for _ in handlers]
    old = [h.setStream(s) for h, s in zip(handlers, streams, strict=True)]
    try:
        logger.warning('"%s" %s %s', f"GET /staff/requests/?q={NATIONAL_ID}&name=สมปอง HTTP/1.1", "404", "179")
    finally:
        for h, o in zip(handlers, old, strict=True):
            h.setStream(o)
    text = "".join(s.getvalue() for s in streams)
    assert '"GET /staff/requests/?[query] HTTP/1.1" 404 179' in text
    assert NATIONAL_ID not in text and "สมปอง" not in text


def test_every_handler_django_and_jfs_log_to_redacts() -> None:
    """No logger of Django's or ours reaches a handler without the personal-data filter (Django's
    default "console" handler, used when DEBUG is on, has none)."""
    for name in ("django", "django.request", "django.server", "django.security.csrf", "django_tasks", "jfs.exchange"):
        logger: logging.Logger | None = logging.getLogger(name)
        seen = []
        while logger is not None:
            seen += [h for h in logger.handlers if not type(h).__module__.startswith("_pytest")]
            logger = logger.parent if logger.propagate else None
        assert seen, name
        for handler in seen:
            assert any(isinstance(f, RedactPersonalData) for f in handler.filters), (name, handler)


def test_a_logged_traceback_is_redacted(console: io.StringIO) -> None:
    try:
        raise ValueError(f"lookup failed for http://gdx.example/api?CitizenID={NATIONAL_ID}&Phone={PHONE}")
    except ValueError:
        logging.getLogger("jfs.test").exception("registry call failed")
    text = console.getvalue()
    assert "registry call failed" in text and "ValueError: lookup failed for http://gdx.example/api?[query]" in text
    assert NATIONAL_ID not in text and PHONE not in text


def test_the_query_filter_leaves_ordinary_text_alone() -> None:
    from jfs.core.logging import redact

    text = "Is the worker running? 3 ticks at /healthz took 12 ms (ratio 1/2?)"
    assert redact(text) == text


# --------------------------------------------------------------------------- settings and the README


def _run_settings(data_dir: Path, *, extra_env: dict[str, str] | None = None,
                  code: str = "from django.conf import settings; print(settings.DEBUG, settings.SECRET_KEY)",
                  ) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh interpreter, with a controlled environment: no SECRET_KEY,
    no DEBUG, not testing, like a new shell in a clone."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"SECRET_KEY", "DEBUG", "JFS_TESTING", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update({"JFS_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "config.settings", **(extra_env or {})})
    return subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_without_a_key_or_a_local_key_file_the_settings_refuse_to_load(tmp_path: Path) -> None:
    result = _run_settings(tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_the_local_key_file_written_by_up_sh_is_used_and_debug_stays_off(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("clone-key-" + "x" * 40 + "\n")
    result = _run_settings(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "clone-key-" + "x" * 40]


def test_the_environment_s_secret_key_wins_over_the_local_file(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("clone-key")
    result = _run_settings(tmp_path, extra_env={"SECRET_KEY": "production-key"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "production-key"]


def test_an_empty_local_key_file_is_not_a_key(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("\n")
    assert _run_settings(tmp_path).returncode != 0


def test_up_sh_writes_the_key_file_the_settings_read(tmp_path: Path) -> None:
    """Run the lines of up.sh that create the key, then a README command from a 'new shell'."""
    script = (ROOT / "scripts" / "up.sh").read_text().splitlines()
    start = next(i for i, line in enumerate(script) if line.startswith('DATA="'))
    end = next(i for i, line in enumerate(script) if i > start and line == "fi")
    snippet = "\n".join(["set -euo pipefail", f"PY={sys.executable}", *script[start:end + 1]])
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    subprocess.run(["bash", "-c", snippet], cwd=ROOT, env={**env, "JFS_DATA_DIR": str(tmp_path)}, check=True)
    key_file = tmp_path / "secret_key"
    assert len(key_file.read_text().strip()) >= 50 and (key_file.stat().st_mode & 0o077) == 0
    first = key_file.read_text()
    subprocess.run(["bash", "-c", snippet], cwd=ROOT, env={**env, "JFS_DATA_DIR": str(tmp_path)}, check=True)
    assert key_file.read_text() == first  # written once, kept afterwards

    # the README's command, as written, from a shell that exported nothing
    env = {k: v for k, v in os.environ.items()
           if k not in {"SECRET_KEY", "DEBUG", "JFS_TESTING", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    result = subprocess.run([sys.executable, "manage.py", "demo_totp"], cwd=ROOT,
                            env={**env, "JFS_DATA_DIR": str(tmp_path)}, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "valid for" in result.stdout


# --------------------------------------------------------------------------- JSON logs


@pytest.fixture
def json_console(console: io.StringIO) -> Iterator[io.StringIO]:
    """The configured console handler (its filters: personal data, request id) writing JSON lines."""
    from jfs.core.logging import JsonFormatter

    [handler] = [h for h in logging.getLogger().handlers if any(isinstance(f, RedactPersonalData) for f in h.filters)]
    old = handler.formatter
    handler.setFormatter(JsonFormatter())
    try:
        yield console
    finally:
        handler.setFormatter(old)


def _json_lines(text: str) -> list[dict[str, Any]]:
    import json

    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_a_json_log_line_is_valid_json_without_personal_data(json_console: io.StringIO) -> None:
    try:
        raise ValueError(f"lookup failed for http://gdx.example/api?CitizenID={NATIONAL_ID} phone {PHONE}")
    except ValueError:
        logging.getLogger("jfs.test").exception("registry call for %s failed", NATIONAL_ID,
                                                extra={"request": f"<WSGIRequest: GET '/x?q={NATIONAL_ID}'>"})
    [line] = _json_lines(json_console.getvalue())
    assert line["level"] == "ERROR" and line["logger"] == "jfs.test" and line["time"]
    assert line["message"] == "registry call for [national-id] failed"
    assert "ValueError: lookup failed for http://gdx.example/api?[query] phone [phone]" in line["exc_info"]
    assert "request" not in line  # what callers pass as extra is left out, except the request id
    assert NATIONAL_ID not in json_console.getvalue() and PHONE not in json_console.getvalue()


@pytest.mark.django_db
def test_a_json_line_logged_while_serving_a_request_has_its_id(json_console: io.StringIO) -> None:
    resp = Client().get(f"/no-such-page/?q={NATIONAL_ID}", HTTP_X_REQUEST_ID="f3a9c1e27b8d4a6c9e0b2d4f6a8c0e1b")
    assert resp.status_code == 404 and resp["X-Request-ID"] == "f3a9c1e27b8d4a6c9e0b2d4f6a8c0e1b"
    [line] = [entry for entry in _json_lines(json_console.getvalue()) if entry["logger"] == "django.request"]
    assert line["message"] == "Not Found: /no-such-page/" and line["status_code"] == 404
    assert line["request_id"] == "f3a9c1e27b8d4a6c9e0b2d4f6a8c0e1b"
    assert NATIONAL_ID not in json_console.getvalue()

    # an id that is not a plain token is replaced, and every response carries one
    other = Client().get("/healthz", HTTP_X_REQUEST_ID="<script>")
    assert other["X-Request-ID"] != "<script>" and len(other["X-Request-ID"]) == 32
    logging.getLogger("jfs.test").warning("outside any request")
    assert "request_id" not in _json_lines(json_console.getvalue())[-1]


def test_the_settings_log_json_when_asked(tmp_path: Path) -> None:
    code = ("import logging; logging.getLogger('jfs.test').error('applicant %s, phone %s', "
            f"'{NATIONAL_ID}', '{PHONE}')")
    result = _run_settings(tmp_path, extra_env={"JFS_TESTING": "1", "JFS_LOG_FORMAT": "json"}, code=code)
    assert result.returncode == 0, result.stderr
    lines = _json_lines(result.stderr)  # every line is JSON, whichever library wrote it
    [line] = [entry for entry in lines if entry["logger"] == "jfs.test"]
    assert line["message"] == "applicant [national-id], phone [phone]" and line["level"] == "ERROR"
    text = _run_settings(tmp_path, extra_env={"JFS_TESTING": "1"}, code=code)
    assert text.returncode == 0 and " ERROR jfs.test applicant [national-id], phone [phone]" in text.stderr


def test_gunicorn_logs_json_lines_when_the_application_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    monkeypatch.setenv("JFS_LOG_FORMAT", "json")
    log = _gunicorn_logger(tmp_path)
    log.error("Error handling request %s", f"/staff/requests/?q={NATIONAL_ID}")
    for h in log.error_log.handlers:
        h.flush()
    line = json.loads((tmp_path / "error.log").read_text().splitlines()[-1])
    assert line["message"] == "Error handling request /staff/requests/?[query]"


# --------------------------------------------------------------------------- backups


def _fake_backup(directory: Path) -> Path:
    import json

    from jfs.core import backup

    directory.mkdir()
    (directory / backup.DUMP).write_bytes(b"PGDMP fake dump")
    (directory / backup.DOCUMENTS).write_bytes(b"fake tar")
    manifest = {"format": backup.FORMAT, "created_at": "2026-01-01T00:00:00+00:00"}
    for part, name in (("database", backup.DUMP), ("documents", backup.DOCUMENTS)):
        path = directory / name
        manifest[part] = {"file": name, "bytes": path.stat().st_size, "sha256": backup.sha256(path)}
    (directory / backup.MANIFEST).write_text(json.dumps(manifest))
    return directory


def test_a_damaged_backup_is_refused_before_anything_is_restored(tmp_path: Path) -> None:
    from jfs.core import backup

    good = _fake_backup(tmp_path / "jfs-1")
    assert backup.read_manifest(good)["format"] == backup.FORMAT
    (good / backup.DUMP).write_bytes(b"PGDMP fake dumq")  # same size, one byte changed
    with pytest.raises(backup.BackupError, match="does not match the manifest"):
        backup.read_manifest(good)
    (good / backup.DUMP).unlink()
    with pytest.raises(backup.BackupError, match="is missing"):
        backup.read_manifest(good)
    with pytest.raises(backup.BackupError, match="has no manifest.json"):
        backup.read_manifest(tmp_path)


@pytest.mark.skipif(django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
                    reason="SQLite only")
def test_backup_and_restore_refuse_sqlite_clearly(tmp_path: Path) -> None:
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match=r"work with PostgreSQL .*sqlite3 .*\.backup"):
        call_command("backup", "--output", str(tmp_path))
    with pytest.raises(CommandError, match="work with PostgreSQL"):
        call_command("restore", str(_fake_backup(tmp_path / "jfs-1")))
    assert not list(tmp_path.glob(".partial-*"))


def test_the_ops_scripts_parse_and_ci_runs_the_backup_check() -> None:
    for script in ("prod-local.sh", "backup-restore-check.sh"):
        path = ROOT / "scripts" / script
        assert subprocess.run(["bash", "-n", str(path)]).returncode == 0, script
        assert os.access(path, os.X_OK), script
    ci = (ROOT / ".ci" / "run").read_text()
    assert ci.index("scripts/test.sh") < ci.index("bash scripts/backup-restore-check.sh")


def test_the_apps_register_their_periodic_jobs_and_sealing_runs_last() -> None:
    """The tick runs what the apps above core registered (core imports none of them)."""
    order = [j.name for j in sorted(tasks.PERIODIC.values(), key=lambda j: (j.order, j.name))]
    assert order == ["escalated", "complaints_escalated", "bail_reminders", "registry_sweeps", "consultation_reminders",
                     "notifications_sent", "audit_sealed"]
