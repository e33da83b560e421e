"""200 citizens at once on the e-Service portal (issue 12), on SQLite (the default) or PostgreSQL.

Builds a fresh database with the demo data (``manage.py demo_data``) and the registry simulator's
data, starts what ``scripts/up.sh`` starts — gunicorn (DEBUG off), the background worker, the
registry simulator and the message gateways' simulator — then runs ``bench/portal_locust.py``
headless: N citizens arriving at R a second, each doing one journey after another (browsing and
searching the help, the self-check, signing in with a one-time code and applying for bail with
documents, tracking) with 3–8 s of think time between pages. Prints and (``--results``) appends to
bench/RESULTS.md: the offered load (requests/s), p50/p95/p99/max per page and in all, errors; then
the weight of every portal page (``bench/page_weights.py``).

    .venv/bin/python bench/portal_load.py --db sqlite --users 200 --duration 300 --results bench/RESULTS.md
    .venv/bin/python bench/portal_load.py --db postgres --users 200 --duration 300 --results bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import shutil
import socket
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv/bin/python")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, seconds: float = 90) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} did not answer")


def run(cmd: list[str], env: dict[str, str]) -> float:
    t = time.monotonic()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True)
    return time.monotonic() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--users", type=int, default=200)
    ap.add_argument("--spawn-rate", type=float, default=5.0, help="citizens arriving per second")
    ap.add_argument("--duration", type=int, default=300, help="seconds of load, arrivals included")
    ap.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    ap.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (gthread)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--results", type=Path, help="append the figures to this Markdown file")
    args = ap.parse_args()

    data = Path(tempfile.mkdtemp(prefix="jfs-portal-bench-"))
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings", DEBUG="0", SECRET_KEY="bench-only-" + "x" * 40,
               ALLOWED_HOSTS="127.0.0.1,localhost", JFS_DATA_DIR=str(data), JFS_AUDIT_SEAL_KEY="ab" * 32,
               PYTHAINLP_OFFLINE="1")
    env.pop("JFS_TESTING", None)
    db_name = ""
    if args.db == "postgres":
        db_name = f"jfs_portal_bench_{int(time.time())}"
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {db_name}"], check=True,
                       capture_output=True)
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{db_name}"
    else:
        env.pop("DATABASE_URL", None)
    web, gw_http, gw_smtp, registry = free_port(), free_port(), free_port(), free_port()
    env.update(JFS_GDX_BASE_URL=f"http://127.0.0.1:{registry}", JFS_SMS_BASE_URL=f"http://127.0.0.1:{gw_http}/thaibulksms",
               JFS_LINE_BASE_URL=f"http://127.0.0.1:{gw_http}/line", EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(gw_smtp))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env)
        run([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
        load_s = run([PY, "manage.py", "demo_data", "--seed", str(args.seed)], env)
        seed_file = data / "registry_seed.jsonl"
        run([PY, "manage.py", "export_registry_seed", "--out", str(seed_file)], env)
        run([PY, "-m", "registry_sim.build", "--seed", str(args.seed), "--out", str(data / "registry.sqlite3"),
             "--from-export", str(seed_file)], env)
        seed_file.unlink()
        procs.append(subprocess.Popen([PY, "-m", "registry_sim", "--port", str(registry), "--data",
                                       str(data / "registry.sqlite3")], cwd=ROOT, env=env))
        procs.append(subprocess.Popen([PY, "-m", "gateway_sim", "--http-port", str(gw_http), "--smtp-port", str(gw_smtp),
                                       "--data", str(data / "gateway")], cwd=ROOT, env=env))
        procs.append(subprocess.Popen([PY, "manage.py", "run_worker"], cwd=ROOT, env=env))
        procs.append(subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "--config", "gunicorn.conf.py", "--bind",
             f"127.0.0.1:{web}", "--workers", str(args.workers), "--threads", str(args.threads),
             "--worker-class", "gthread"], cwd=ROOT, env=env))
        wait_http(f"http://127.0.0.1:{web}/healthz")
        wait_http(f"http://127.0.0.1:{gw_http}/healthz")
        load_avg = os.getloadavg()
        stats = data / "locust"
        started = datetime.now(UTC)
        subprocess.run(
            [str(ROOT / ".venv/bin/locust"), "-f", "bench/portal_locust.py", "--headless", "-u", str(args.users),
             "-r", str(args.spawn_rate), "-t", f"{args.duration}s", "--host", f"http://127.0.0.1:{web}",
             "--gateway", f"http://127.0.0.1:{gw_http}", "--csv", str(stats), "--only-summary", "--stop-timeout", "30"],
            cwd=ROOT, env=env, check=False)
        rows = list(csv.DictReader(open(f"{stats}_stats.csv", encoding="utf-8")))
        weighed = subprocess.run([PY, "bench/page_weights.py", "--host", f"http://127.0.0.1:{web}", "--gateway",
                                  f"http://127.0.0.1:{gw_http}", "--markdown"], cwd=ROOT, env=env, capture_output=True,
                                 text=True)
        weights = weighed.stdout if weighed.returncode == 0 else f"(page weights failed: {weighed.stderr[-2000:]})"
        report = render(args, rows, load_s, load_avg, started, weights)
        print(report)
        if args.results:
            with open(args.results, "a", encoding="utf-8") as out:
                out.write("\n" + report)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        if db_name:
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f"DROP DATABASE IF EXISTS {db_name}"],
                           check=False, capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


def render(args: argparse.Namespace, rows: list[dict[str, str]], load_s: float, load_avg: tuple[float, float, float],
           started: datetime, weights: str) -> str:
    total = next(r for r in rows if r["Name"] == "Aggregated")
    pages = sorted((r for r in rows if r["Name"] != "Aggregated"), key=lambda r: -int(r["Request Count"]))
    db = "SQLite (the embedded default, WAL)" if args.db == "sqlite" else "PostgreSQL 15 on the same machine"
    p95 = float(total["95%"])
    lines = [
        f"### {args.users} citizens on {db}",
        "",
        f"- **Machine:** {os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), Python "
        f"{platform.python_version()}; load average at start {load_avg[0]:.2f} {load_avg[1]:.2f} {load_avg[2]:.2f} "
        "(the server, the worker, both simulators and Locust share the two cores)",
        f"- **Date:** {started:%Y-%m-%d %H:%M} UTC",
        f"- **Command:** `.venv/bin/python bench/portal_load.py --db {args.db} --users {args.users} --spawn-rate "
        f"{args.spawn_rate:g} --duration {args.duration} --workers {args.workers} --threads {args.threads}`",
        f"- **Data:** the demo (`manage.py demo_data --seed {args.seed}`, {load_s:.0f} s to load), gunicorn "
        f"{args.workers} workers × {args.threads} threads, DEBUG off",
        f"- **Offered load:** {float(total['Requests/s']):.1f} requests/s over {args.duration} s "
        f"({total['Request Count']} requests, {total['Failure Count']} errors)",
        f"- **Result:** p95 **{p95:.0f} ms** over every request (target < 300 ms: "
        f"**{'met' if p95 < 300 and int(total['Failure Count']) == 0 else 'not met'}**)",
        "",
        "| page | n | errors | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in [*pages, total]:
        name = f"**{r['Name']}**" if r is total else f"{r['Type']} `{r['Name']}`"
        lines.append(f"| {name} | {r['Request Count']} | {r['Failure Count']} | {r['50%']} | {r['95%']} | "
                     f"{r['99%']} | {float(r['Max Response Time']):.0f} |")
    lines += ["", weights.strip(), ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
