"""Background registry checks (django-tasks): checks queued from web views, and re-checks of a
registry that was down.

``queue_checks`` hands a request's checks to ``run_request_checks``; ``run_checks`` queues
``retry_request_checks`` for when the request's first pending check is due; the worker's
periodic tick also calls ``schedule_due_retries`` so nothing pending is forgotten (for
example if the queue was emptied).
"""

from __future__ import annotations

from django_tasks_db.models import DBTaskResult

from jfs.core import clock
from jfs.exchange.models import STATUS_PENDING, RegistryCheck

# the tasks themselves live beside the services they run (``jfs.exchange.services``), so that the
# services queue them without importing this module back; named here too for the worker's sweep
from jfs.exchange.services import retry_request_checks, run_request_checks, sweep_registry_checks  # noqa: F401

SWEEP_PATH = sweep_registry_checks.module_path


def schedule_due_retries() -> int:
    """Queue a sweep if pending checks are due and no sweep is waiting; return how many were queued."""
    if not RegistryCheck.objects.filter(status=STATUS_PENDING, next_attempt_at__lte=clock.now()).exists():
        return 0
    try:
        if DBTaskResult.objects.filter(task_path=SWEEP_PATH, status__in=["READY", "RUNNING"]).exists():
            return 0
    except Exception:  # another task backend: queue anyway, a second sweep finds nothing due
        pass
    sweep_registry_checks.enqueue()
    return 1
