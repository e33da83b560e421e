"""Prometheus metrics at /metrics (jfs/core/metrics.py): who may read them, what they hold,
that requests are labelled by route name (never the path), that the gauges read from the
database agree with the selectors, and that several gunicorn workers' counts add up."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families
from time_machine import TimeMachineFixture

from jfs.cases.models import Request
from jfs.cases.selectors import overdue
from jfs.core import clock

ROOT = Path(django_settings.BASE_DIR)
TOKEN = "metrics-token-for-tests-" + "x" * 20

pytestmark = pytest.mark.django_db


def scrape() -> dict[str, list[tuple[dict[str, str], float]]]:
    resp = Client().get("/metrics")
    assert resp.status_code == 200, resp.status_code
    assert resp["Content-Type"].startswith("text/plain; version=")
    samples: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(resp.content.decode()):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return samples


def value(samples: dict[str, list[tuple[dict[str, str], float]]], name: str, **labels: str) -> float:
    return sum(v for lab, v in samples.get(name, []) if all(lab.get(k) == x for k, x in labels.items()))


# --------------------------------------------------------------------------- who may read them


def test_loopback_may_read_them_when_no_token_is_set() -> None:
    assert Client().get("/metrics").status_code == 200  # the test client's address is 127.0.0.1


def test_another_address_is_refused(settings: Any) -> None:
    assert Client(REMOTE_ADDR="10.20.30.40").get("/metrics").status_code == 404
    settings.METRICS_TOKEN = TOKEN
    assert Client(REMOTE_ADDR="10.20.30.40").get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 404


def test_a_request_through_the_proxy_is_refused_without_a_token() -> None:
    """nginx on the same machine connects from 127.0.0.1: its requests carry X-Forwarded-* headers."""
    assert Client().get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 404
    assert Client().get("/metrics", HTTP_X_FORWARDED_PROTO="https").status_code == 404


def test_with_a_token_it_is_required(settings: Any) -> None:
    settings.METRICS_TOKEN = TOKEN
    assert Client().get("/metrics").status_code == 404
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert Client().get("/metrics", HTTP_AUTHORIZATION=TOKEN).status_code == 404
    assert Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    # with the token, a scrape through the proxy is fine
    ok = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert ok.status_code == 200


def test_an_allowed_network_with_the_token(settings: Any) -> None:
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8", "::1"]
    client = Client(REMOTE_ADDR="10.20.30.40")
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    assert Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 404  # 127.0.0.1 not listed


def test_the_refusal_says_nothing_and_is_not_cached() -> None:
    resp = Client(REMOTE_ADDR="192.0.2.1").get("/metrics")
    assert resp.status_code == 404 and b"jfs_" not in resp.content
    assert "no-cache" in Client().get("/metrics")["Cache-Control"]


# --------------------------------------------------------------------------- what they hold


def test_the_metric_families_are_there() -> None:
    Client().get("/healthz")
    samples = scrape()
    for name in (
        "jfs_http_requests_total", "jfs_http_request_duration_seconds_bucket", "jfs_http_request_duration_seconds_count",
        "jfs_database_up", "jfs_task_queue_depth", "jfs_task_queue_scheduled", "jfs_registry_circuit_state",
        "jfs_registry_circuit_consecutive_failures", "jfs_sla_overdue_requests",
    ):
        assert name in samples, name
    assert value(samples, "jfs_database_up") == 1
    assert {lab["registry"] for lab, _v in samples["jfs_registry_circuit_state"]} == {
        "dopa", "mof_welfare", "msdhs_mso", "dep_disability", "moj_dxc"}


def test_a_request_increments_the_counter_by_route_name(staff_client: Client, make_request: Callable[..., Any]) -> None:
    req = make_request(assign_to="officer.cm")
    before = scrape()
    assert staff_client.get(f"/staff/requests/{req.pk}/").status_code == 200
    assert staff_client.get("/staff/requests/999999999/").status_code == 404
    staff_client.get("/no-such-page/?q=3501010427687")
    after = scrape()
    for labels, expected in [
        ({"method": "GET", "view": "staff:case", "status": "200"}, 1),
        ({"method": "GET", "view": "staff:case", "status": "404"}, 1),
        ({"method": "GET", "view": "unresolved", "status": "404"}, 1),
    ]:
        grown = value(after, "jfs_http_requests_total", **labels) - value(before, "jfs_http_requests_total", **labels)
        assert grown == expected, labels
    assert value(after, "jfs_http_request_duration_seconds_count", method="GET", view="staff:case") >= 2
    # a label never holds a path, a number or a query string
    for name, rows in after.items():
        for labels, _v in rows:
            if name.startswith("jfs_http_"):
                for text in (labels["view"], labels["method"]):
                    assert "/" not in text and str(req.pk) not in text and "3501010427687" not in text, labels


def test_an_unknown_method_does_not_make_a_new_series() -> None:
    Client().generic("BREW", "/healthz")
    samples = scrape()
    assert value(samples, "jfs_http_requests_total", method="other", view="healthz") >= 1
    assert not any(lab.get("method") == "BREW" for lab, _v in samples["jfs_http_requests_total"])


def test_the_overdue_count_matches_the_selector(make_request: Callable[..., Any]) -> None:
    today = clock.today()
    make_request(received_on=today - timedelta(days=60))
    make_request(service="CONSULT", received_on=today - timedelta(days=45))
    make_request()  # received today: not overdue
    expected = overdue(Request.objects.all(), today).count()
    assert expected >= 2
    assert value(scrape(), "jfs_sla_overdue_requests") == expected


def test_queue_depth_and_failed_tasks() -> None:
    from django_tasks_db.models import DBTaskResult

    from jfs.core import tasks

    tasks.schedule_tick()  # due now
    tasks.schedule_tick(delay_seconds=600)  # later
    now = clock.now()
    DBTaskResult.objects.create(
        status="FAILED", args_kwargs={"args": [], "kwargs": {}}, task_path=tasks.TICK_PATH, backend_name="default",
        run_after=now, exception_class_path="jfs.core.tasks.TickFailed", traceback="", finished_at=now,
    )
    samples = scrape()
    assert value(samples, "jfs_task_queue_depth", queue="default") == 1
    assert value(samples, "jfs_task_queue_scheduled", queue="default") == 1
    assert value(samples, "jfs_tasks_failed", task=tasks.TICK_PATH) == 1


def test_the_registry_circuit_state() -> None:
    from jfs.exchange.models import RegistryCircuit

    now = clock.now()
    RegistryCircuit.objects.create(registry="dopa", consecutive_failures=5, opened_until=now + timedelta(minutes=1))
    RegistryCircuit.objects.create(registry="moj_dxc", consecutive_failures=6, opened_until=now - timedelta(seconds=1))
    samples = scrape()
    state = {(lab["registry"], lab["state"]): v for lab, v in samples["jfs_registry_circuit_state"]}
    assert state[("dopa", "open")] == 1 and state[("dopa", "closed")] == 0
    assert state[("moj_dxc", "half_open")] == 1
    assert state[("mof_welfare", "closed")] == 1
    assert value(samples, "jfs_registry_circuit_consecutive_failures", registry="dopa") == 5


def test_the_worker_heartbeat_age(time_machine: TimeMachineFixture) -> None:
    from jfs.core import tasks

    beat = clock.now()
    time_machine.move_to(beat, tick=False)
    tasks.tick.call()
    time_machine.move_to(beat + timedelta(seconds=90), tick=False)  # a worker silent for a minute and a half
    assert value(scrape(), "jfs_worker_heartbeat_age_seconds") == 90


# --------------------------------------------------------------------------- several gunicorn workers


COUNT_IN_A_WORKER = """
import django; django.setup()
from jfs.core.metrics import REQUESTS, LATENCY
REQUESTS.labels("GET", "staff:queue", "200").inc()
LATENCY.labels("GET", "staff:queue").observe(0.2)
"""


def test_the_workers_counts_add_up_in_multiprocess_mode(tmp_path: Path) -> None:
    """Two worker processes each count a request; a scrape (from a third) sees two."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings"}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", COUNT_IN_A_WORKER], cwd=ROOT, env=env, check=True, timeout=120)
    assert len(list(tmp_path.glob("*.db"))) >= 2
    code = ("import django; django.setup(); from jfs.core.metrics import render; import sys; "
            "sys.stdout.write(render()[0].decode())")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=120,
                         capture_output=True, text=True).stdout
    samples: dict[str, float] = {}
    for family in text_string_to_metric_families(out):
        for s in family.samples:
            if s.labels.get("view") == "staff:queue":
                samples[s.name] = samples.get(s.name, 0) + s.value
    assert samples["jfs_http_requests_total"] == 2
    assert samples["jfs_http_request_duration_seconds_count"] == 2


def test_gunicorn_conf_prepares_the_directory_and_marks_dead_workers(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    # the variable is restored (removed) after the test, whatever the hooks set
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "placeholder")
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    conf["on_starting"](None)
    created = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    assert created.is_dir() and created.name.startswith("jfs-metrics-")
    conf["on_exit"](None)
    assert not created.exists()

    named = tmp_path / "metrics"
    named.mkdir()
    (named / "counter_123.db").write_bytes(b"old run")
    (named / "gauge_livesum_456.db").write_bytes(b"a worker")
    (named / "keep.txt").write_text("not ours")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(named))
    conf["on_starting"](None)
    assert sorted(p.name for p in named.iterdir()) == ["keep.txt"]  # an earlier run's counts are gone
    (named / "gauge_livesum_456.db").write_bytes(b"a worker")
    conf["child_exit"](None, SimpleNamespace(pid=456))
    assert not (named / "gauge_livesum_456.db").exists()
    conf["on_exit"](None)
    assert named.is_dir()  # a directory named by the environment is left in place
