"""Health check and small shared views."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from jfs.core import clock
from jfs.core.models import WorkerHeartbeat


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """JSON status of the database and the background worker (503 if the database is down)."""
    db = {"status": "ok", "vendor": connection.vendor}
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        db = {"status": "error", "vendor": connection.vendor, "error": exc.__class__.__name__}
        return JsonResponse({"status": "error", "database": db, "worker": {"status": "unknown"}}, status=503)
    beat = WorkerHeartbeat.objects.filter(name="worker").first()
    limit = settings.WORKER_HEARTBEAT_SECONDS * 3
    worker: dict[str, str | int]
    if beat is None:
        worker = {"status": "never_seen"}
    else:
        age = (clock.now() - beat.beat_at).total_seconds()
        worker = {"status": "ok" if age <= limit else "stale", "last_beat_seconds_ago": round(age)}
    overall = "ok" if worker["status"] == "ok" else "degraded"
    return JsonResponse({"status": overall, "database": db, "worker": worker})
