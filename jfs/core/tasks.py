"""Background tasks (django-tasks, database queue, run by ``manage.py run_worker``).

``tick`` runs every JFS_HEARTBEAT_SECONDS: it writes the worker heartbeat,
escalates late steps to office heads, queues a re-check of registry checks that are
due (``jfs.exchange``), and queues its own next run.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from jfs.core.models import WorkerHeartbeat

TICK_PATH = "jfs.core.tasks.tick"


@task()
def tick() -> dict[str, int]:
    from jfs.cases.escalation import escalate_overdue
    from jfs.exchange.tasks import schedule_due_retries

    WorkerHeartbeat.objects.update_or_create(name="worker", defaults={"beat_at": timezone.now()})
    escalated = escalate_overdue()
    registry_sweeps = schedule_due_retries()
    schedule_tick(delay_seconds=settings.WORKER_HEARTBEAT_SECONDS)
    return {"escalated": escalated, "registry_sweeps": registry_sweeps}


def schedule_tick(delay_seconds: int = 0) -> None:
    tick.using(run_after=timezone.now() + timedelta(seconds=delay_seconds)).enqueue()


def ensure_tick_scheduled() -> bool:
    """Queue a tick unless one is already waiting; True if one was queued."""
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(task_path=TICK_PATH, status__in=["READY", "RUNNING"]).exists()
    if not waiting:
        schedule_tick()
    return not waiting
