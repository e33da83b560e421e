"""Background tasks (django-tasks, database queue, run by ``manage.py run_worker``).

``tick`` runs every JFS_HEARTBEAT_SECONDS: it writes the worker heartbeat,
escalates late steps to office heads, queues a re-check of registry checks that are
due (``jfs.exchange``), seals the audit events appended since the last tick
(``jfs.audit.sealing``), and queues its own next run, also when it fails.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

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


def _tick_body() -> dict[str, int]:
    from jfs.audit.sealing import seal_for_tick
    from jfs.cases.escalation import escalate_overdue
    from jfs.exchange.tasks import schedule_due_retries

    WorkerHeartbeat.objects.update_or_create(name="worker", defaults={"beat_at": timezone.now()})
    escalated = escalate_overdue()
    registry_sweeps = schedule_due_retries()
    sealed = seal_for_tick()  # last: also seals the escalation events just written
    return {"escalated": escalated, "registry_sweeps": registry_sweeps, "audit_sealed": sealed}


def schedule_tick(delay_seconds: int = 0) -> None:
    tick.using(run_after=timezone.now() + timedelta(seconds=delay_seconds)).enqueue()


def ensure_tick_scheduled() -> bool:
    """Queue a tick unless one is already waiting; True if one was queued."""
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(task_path=TICK_PATH, status__in=["READY", "RUNNING"]).exists()
    if not waiting:
        schedule_tick()
    return not waiting
