"""Latency of the pages issue 10 added or grew, over real HTTP, on a loaded database.

Starts gunicorn against ``DATABASE_URL`` (e.g. after ``bash bench/load_million.sh``), signs in
through the real password + TOTP pages, and requests one at a time:

- the executive's dashboard (it now counts the outcome shares and the "other"-only share of two
  fiscal years from the decisions recorded);
- the secretary's meetings list and the meeting pages of the biggest recent meetings of
  Chiang Mai's subcommittee (agenda with the screening summary, votes, resolutions);
- the case page of decided requests (the decisions panel, letters, appeals);

and times ``selectors.outcome_shares`` in the process itself. Prints a Markdown table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jfs_bench_dec JFS_TESTING=1 \\
        .venv/bin/python bench/decisions_pages.py --requests 60
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# the signed-in HTTP session and the percentile of bench/latency.py (a script, not a package)
_spec = importlib.util.spec_from_file_location("latency", ROOT / "bench" / "latency.py")
assert _spec is not None and _spec.loader is not None
_latency = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_latency)
Session, pct = _latency.Session, _latency.pct


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=60, help="requests per measured page kind")
    ap.add_argument("--port", type=int, default=8766)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db.models import Count

    from jfs.cases.models import Request
    from jfs.core import clock
    from jfs.decisions import selectors
    from jfs.decisions.models import Decision, Meeting
    from jfslib.thaidate import fiscal_year

    fy = fiscal_year(clock.today())
    shares = []
    for _ in range(args.requests // 3 or 1):
        for year in (fy - 1, fy):
            start = time.perf_counter()
            selectors.outcome_shares(year)
            shares.append((time.perf_counter() - start) * 1000)
    meetings = list(Meeting.objects.filter(committee__code="P50").annotate(n=Count("items"))
                    .order_by("-scheduled_for").values_list("pk", "n")[:10])
    decided = list(Decision.objects.filter(request__office__code="50").order_by("-id")
                   .values_list("request_id", flat=True)[:args.requests])
    total, decisions = Request.objects.count(), Decision.objects.count()

    env = dict(os.environ, DEBUG="0", SECRET_KEY="bench-only", ALLOWED_HOSTS="127.0.0.1")
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{args.port}",
         "--workers", str(args.workers), "--log-level", "warning"], cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except Exception:
                time.sleep(0.2)
        results: dict[str, list[float]] = {"outcome_shares (one fiscal year, in process)": shares}
        executive, secretary, officer = Session(base), Session(base), Session(base)
        executive.login("executive", "demo-password-2569")
        secretary.login("secretary.cm", "demo-password-2569")
        officer.login("officer.cm", "demo-password-2569")
        for s, path in ((executive, "/staff/dashboard/"), (secretary, "/staff/meetings/")):
            s.get(path)  # warm-up
        results["dashboard (executive)"] = [executive.get("/staff/dashboard/")[2] for _ in range(args.requests)]
        results["meetings list (secretary.cm)"] = [secretary.get("/staff/meetings/")[2] for _ in range(args.requests)]
        results[f"meeting page ({min(n for _, n in meetings)}–{max(n for _, n in meetings)} items)"] = [
            secretary.get(f"/staff/meetings/{meetings[i % len(meetings)][0]}/")[2] for i in range(args.requests)]
        results["case page of a decided request (officer.cm)"] = [
            officer.get(f"/staff/requests/{pk}/")[2] for pk in decided]
        print(f"\nRequests: {total:,}; decisions: {decisions:,}\n")
        print("| measured | n | p50 ms | p95 ms | max ms |")
        print("|---|---:|---:|---:|---:|")
        for name, vals in results.items():
            print(f"| {name} | {len(vals)} | {statistics.median(vals):.1f} | {pct(vals, 95):.1f} | {max(vals):.1f} |")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
