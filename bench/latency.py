"""Measure p50/p95/p99 latency of the staff queue page and search over real HTTP.

Starts gunicorn against the database in DATABASE_URL (loaded beforehand, e.g. with
``manage.py demo_data --scale K``), signs in as demo users through the real
password + TOTP pages, then requests the queue page and a mix of searches
(request number, name, national ID, filters) and prints a Markdown table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jfs_bench \
        .venv/bin/python bench/latency.py --requests 300
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def totp_now() -> str:
    from django_otp.oath import totp

    from jfs.demo.users import DEMO_TOTP_KEY_HEX

    return f"{totp(bytes.fromhex(DEMO_TOTP_KEY_HEX), step=30, t0=0, digits=6):06d}"


class Session:
    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str, float]:
        t0 = time.perf_counter()
        with self.opener.open(self.base + path, timeout=60) as resp:
            body = resp.read().decode()
            status = resp.status
        return status, body, (time.perf_counter() - t0) * 1000

    def post(self, path: str, data: dict[str, str]) -> tuple[int, str]:
        _, body, _ = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        payload = dict(data, csrfmiddlewaretoken=token.group(1) if token else "")
        req = urllib.request.Request(
            self.base + path, data=urllib.parse.urlencode(payload).encode(),
            headers={"Referer": self.base + path},
        )
        with self.opener.open(req, timeout=60) as resp:
            return resp.status, resp.read().decode()

    def login(self, username: str, password: str) -> None:
        self.post("/accounts/login/", {"username": username, "password": password})
        status, body = self.post("/accounts/otp/", {"token": totp_now()})
        if "งานของฉัน" not in body and "My work" not in body:
            raise SystemExit(f"login failed for {username}")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def sample_search_terms(n: int) -> list[str]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from jfs.cases.models import Request

    last = Request.objects.order_by("-id").values_list("id", flat=True).first() or 1
    terms: list[str] = []
    rng = random.Random(7)
    while len(terms) < n:
        pk = rng.randint(1, last)
        r = Request.objects.filter(pk__gte=pk).select_related("applicant").order_by("pk").first()
        if r is None:
            continue
        kind = len(terms) % 4
        if kind == 0:
            terms.append(f"q={urllib.parse.quote(r.number)}")
        elif kind == 1:
            terms.append(f"q={urllib.parse.quote(r.applicant.national_id)}")
        elif kind == 2:
            terms.append(f"q={urllib.parse.quote(r.applicant.first_name + ' ' + r.applicant.last_name)}")
        else:
            terms.append(f"service={r.service}&fiscal_year={r.fiscal_year}&state=closed")
    return terms


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=300, help="requests per measured page kind")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    env = dict(os.environ, DEBUG="0", SECRET_KEY="bench-only", ALLOWED_HOSTS="127.0.0.1")
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{args.port}",
         "--workers", str(args.workers), "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except Exception:
                time.sleep(0.2)
        from django.db.models import Count  # noqa: F401 - django set up by sample_search_terms

        terms = sample_search_terms(args.requests)
        from jfs.cases.models import Request

        total = Request.objects.count()
        results: dict[str, list[float]] = {}
        sessions: dict[str, Session] = {}
        for username in ("officer.cm", "head.cm", "intake.central", "officer.central", "executive"):
            s = sessions[username] = Session(base)
            s.login(username, "demo-password-2569")
            s.get("/staff/")  # warm-up
            key = f"queue ({username})"
            results[key] = [s.get("/staff/")[2] for _ in range(args.requests // 4 or 1)]
        # a one-time code is accepted once per device: reuse the sessions signed in above
        results["search (executive, all offices)"] = [sessions["executive"].get("/staff/requests/?" + t)[2] for t in terms]
        results["search (officer.cm, own office)"] = [sessions["officer.cm"].get("/staff/requests/?" + t)[2] for t in terms]
        results["search (officer.central, central office)"] = [
            sessions["officer.central"].get("/staff/requests/?" + t)[2] for t in terms
        ]
        all_queue = [v for k, vals in results.items() if k.startswith("queue") for v in vals]
        all_search = [v for k, vals in results.items() if k.startswith("search") for v in vals]
        print(f"\nRequests in database: {total:,}\n")
        print("| page | n | p50 ms | p95 ms | p99 ms | max ms |")
        print("|---|---|---|---|---|---|")
        rows = list(results.items()) + [("queue (all users)", all_queue), ("search (all)", all_search)]
        for name, vals in rows:
            print(f"| {name} | {len(vals)} | {statistics.median(vals):.1f} | {pct(vals, 95):.1f} | "
                  f"{pct(vals, 99):.1f} | {max(vals):.1f} |")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
