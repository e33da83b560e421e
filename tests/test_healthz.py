"""/healthz reports the database and the background worker's heartbeat."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from time_machine import TimeMachineFixture

from jfs.core import clock, tasks

pytestmark = pytest.mark.django_db


def health() -> dict[str, Any]:
    resp = Client().get("/healthz")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/json"
    return resp.json()


def test_database_ok_and_worker_never_seen() -> None:
    data = health()
    assert data["database"]["status"] == "ok" and data["database"]["vendor"] in ("sqlite", "postgresql")
    assert data["worker"] == {"status": "never_seen"}
    assert data["status"] == "degraded"


def test_worker_ok_after_a_tick() -> None:
    result = tasks.tick.call()
    assert result["escalated"] == 0
    data = health()
    assert data["worker"]["status"] == "ok" and data["worker"]["last_beat_seconds_ago"] <= 5
    assert data["status"] == "ok"


def test_worker_stale_when_the_heartbeat_is_old(settings: Any, time_machine: TimeMachineFixture) -> None:
    tasks.tick.call()
    time_machine.move_to(clock.now() + timedelta(seconds=settings.WORKER_HEARTBEAT_SECONDS * 3 + 30))  # no tick since
    data = health()
    assert data["worker"]["status"] == "stale" and data["status"] == "degraded"
    assert data["worker"]["last_beat_seconds_ago"] >= settings.WORKER_HEARTBEAT_SECONDS * 3


def test_tick_queues_its_next_run() -> None:
    from django_tasks_db.models import DBTaskResult

    tasks.tick.call()
    queued = DBTaskResult.objects.filter(task_path=tasks.TICK_PATH, status="READY")
    assert queued.count() == 1
    assert queued.get().run_after > clock.now()


def test_ensure_tick_scheduled_queues_only_once() -> None:
    assert tasks.ensure_tick_scheduled() is True
    assert tasks.ensure_tick_scheduled() is False


def test_healthz_needs_no_sign_in_and_only_answers_get() -> None:
    assert Client().post("/healthz").status_code == 405
