"""Background registry checks (django-tasks): checks queued from web views, and re-checks of a
registry that was down.

``queue_checks`` hands a request's checks to ``run_request_checks``; ``run_checks`` queues
``retry_request_checks`` for when the request's first pending check is due; the worker's
periodic tick also calls ``schedule_due_retries`` so nothing pending is forgotten (for
example if the queue was emptied).
"""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from jfs.exchange.models import STATUS_PENDING, RegistryCheck

SWEEP_PATH = "jfs.exchange.tasks.sweep_registry_checks"


@task()
def run_request_checks(request_id: int, actor_id: int | None, purpose: str, kinds: list[str]) -> dict[str, int]:
    """The worker's half of ``services.queue_checks``."""
    from django.contrib.auth import get_user_model

    from jfs.cases.models import Request
    from jfs.exchange.services import run_checks

    request = Request.objects.select_related("applicant").get(pk=request_id)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    counts: dict[str, int] = {}
    for check in run_checks(request, actor, purpose, kinds=kinds):
        counts[check.status] = counts.get(check.status, 0) + 1
    return counts


@task()
def retry_request_checks(request_id: int) -> dict[str, int]:
    from jfs.exchange.services import retry_due_checks

    return retry_due_checks(request_id=request_id)


@task()
def sweep_registry_checks() -> dict[str, int]:
    from jfs.exchange.services import retry_due_checks

    return retry_due_checks()


def schedule_due_retries() -> int:
    """Queue a sweep if pending checks are due and no sweep is waiting; return how many were queued."""
    if not RegistryCheck.objects.filter(status=STATUS_PENDING, next_attempt_at__lte=timezone.now()).exists():
        return 0
    try:
        from django_tasks_db.models import DBTaskResult

        if DBTaskResult.objects.filter(task_path=SWEEP_PATH, status__in=["READY", "RUNNING"]).exists():
            return 0
    except Exception:  # another task backend: queue anyway, a second sweep finds nothing due
        pass
    sweep_registry_checks.enqueue()
    return 1
