"""Background tasks (django-tasks, database queue, run by ``manage.py run_worker``).

``tick`` runs every JFS_HEARTBEAT_SECONDS: it writes the worker heartbeat, runs the periodic
jobs the apps registered (``register_periodic`` in their ``AppConfig.ready``: the case system
escalates late steps to office heads, the data exchange queues a re-check of registry checks that
are due, the audit log seals the events appended since the last tick, last so that it also seals
the escalations just written), and queues its own next run, also when it fails. This module
imports none of those apps: they sit above it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from jfs.core import clock
from jfs.core.models import WorkerHeartbeat

TICK_PATH = "jfs.core.tasks.tick"
logger = logging.getLogger(__name__)


@task()
def tick() -> dict[str, int]:
    """One periodic run. Whatever happens in it, the next run is queued (``finally``): one
    failing tick (a database hiccup, a bad row) must not stop escalations until a restart."""
    try:
        return _tick_body()
    except Exception as exc:
        # An exception's text can carry row values (a national ID in a database error), and
        # the worker logs and stores the traceback of a failed task: log and re-raise only the
        # exception's type and where it was raised, so the task still shows as failed.
        summary = f"{type(exc).__name__} at {_where(exc)}"
        logger.error("worker tick failed: %s; the next tick is queued", summary)
        raise TickFailed(summary) from None
    finally:
        schedule_tick(delay_seconds=settings.WORKER_HEARTBEAT_SECONDS)


class TickFailed(Exception):
    """A tick failed; the message names the original exception's type and place only."""


def _where(exc: BaseException) -> str:
    """file:line (function) of the innermost frame of an exception's traceback."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return "?"
    code = tb.tb_frame.f_code
    return f"{code.co_filename.rsplit('/', 1)[-1]}:{tb.tb_lineno} ({code.co_name})"


@dataclass(frozen=True)
class Periodic:
    name: str  # the key of its count in the tick's result
    run: Callable[[], int]
    order: int  # lower runs first


#: the jobs each tick runs, registered by the apps at start-up
PERIODIC: dict[str, Periodic] = {}


def register_periodic(name: str, run: Callable[[], int], *, order: int = 50) -> None:
    """Run ``run`` on every tick (``order``: lower first); its return value is reported as ``name``."""
    PERIODIC[name] = Periodic(name, run, order)


def _tick_body() -> dict[str, int]:
    WorkerHeartbeat.objects.update_or_create(name="worker", defaults={"beat_at": clock.now()})
    return {job.name: job.run() for job in sorted(PERIODIC.values(), key=lambda j: (j.order, j.name))}


def schedule_tick(delay_seconds: int = 0) -> None:
    tick.using(run_after=clock.now() + timedelta(seconds=delay_seconds)).enqueue()


def ensure_tick_scheduled() -> bool:
    """Queue a tick unless one is already waiting; True if one was queued."""
    waiting = DBTaskResult.objects.filter(task_path=TICK_PATH, status__in=["READY", "RUNNING"]).exists()
    if not waiting:
        schedule_tick()
    return not waiting
