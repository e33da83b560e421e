"""Many staff sessions at once: latency, throughput and lock waits over real HTTP on PostgreSQL.

Starts gunicorn against the database in DATABASE_URL (loaded beforehand, e.g. by
``bench/load_million.sh``), signs in N sessions through the real password + TOTP pages
(the demo staff accounts, several sessions each: a one-time code is accepted once per
account and 30-second step, so the sign-ins take a minute or two), then runs every
session for ``--duration`` seconds as a loop of actions with 1–3 s of think time:

* ``queue``      the session's own queue (``/staff/``)
* ``list``       a list or a search (``/staff/requests/`` by name, number prefix or filters,
                 or ``/staff/overdue/``)
* ``case``       a case page seen in an earlier list
* ``transition`` for intake and case officers, now and then: on a request of their queue,
                 "ask for documents" or "documents received" (a reversible pair) through the
                 case page's form (the POST and the redirect to the case page)

A sampler reads ``pg_stat_activity`` every 100 ms and counts the sessions of this
database waiting on a lock (``wait_event_type = 'Lock'``), and how many of those wait on
the audit log (the waiting query or the locked relation names an ``audit_`` table).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jfs_bench_1m \\
        .venv/bin/python bench/concurrent_staff.py --sessions 32 --duration 60

``--root`` serves another checkout (e.g. a ``git worktree`` of an earlier commit) with the
same script. ``--think 0.1,0.5`` shortens the think time (a saturating load). With a checkout
whose audit log is sealed by the worker (``jfs/audit/sealing.py``), a sealer process runs beside
the server every ``--seal-every`` seconds, as the worker's tick would. Results: bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import functools
import http.cookiejar
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "demo-password-2569"
DEMO_TOTP_KEY_HEX = "3132333435363738393031323334353637383930"
#: staff accounts of the demo data that see requests (username, may change a request's state)
ACCOUNTS = [
    ("officer.cm", True), ("officer2.cm", True), ("intake.cm", True), ("head.cm", False), ("secretary.cm", False),
    ("finance.cm", False), ("officer.kk", True), ("head.kk", False), ("intake.central", True),
    ("officer.central", True), ("head.central", False), ("secretary.central", False), ("finance.central", False),
    ("executive", False), ("member.cm", False),
]
CASE_LINK = re.compile(r'href="/staff/requests/(\d+)/"')
NUMBER = re.compile(r"\b((?:JF[1-4]|LC)-\d{2}-\d{4})-\d{5}\b")
#: (action, the states it leaves from): a reversible pair
TOGGLE = ("request_documents", "documents_received")


def totp_at(step: int) -> str:
    import hashlib
    import hmac
    import struct

    digest = hmac.new(bytes.fromhex(DEMO_TOTP_KEY_HEX), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


class Session:
    def __init__(self, base: str, username: str, may_transition: bool, seed: int):
        self.base = base
        self.username = username
        self.may_transition = may_transition
        self.rng = random.Random(seed)
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.seen: list[int] = []  # request ids seen in lists
        self.mine: list[int] = []  # request ids of the session's own queue
        self.prefixes: list[str] = []  # request number prefixes seen (JF1-50-2569)
        self.think = (1.0, 3.0)  # seconds between actions

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=60) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def post(self, path: str, data: dict[str, str], form_page: str | None = None) -> tuple[int, str]:
        body = form_page if form_page is not None else self.get(path)[1]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        payload = dict(data, csrfmiddlewaretoken=token.group(1) if token else "")
        req = urllib.request.Request(self.base + path, data=urllib.parse.urlencode(payload).encode(),
                                     headers={"Referer": self.base + path})
        try:
            with self.opener.open(req, timeout=60) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def login(self, step: int) -> None:
        self.post("/accounts/login/", {"username": self.username, "password": DEMO_PASSWORD})
        _, body = self.post("/accounts/otp/", {"token": totp_at(step)})
        if "งานของฉัน" not in body and "My work" not in body:
            raise SystemExit(f"sign-in failed for {self.username}")


@dataclass
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    attempted: int = 0
    skipped_transitions: int = 0

    def add(self, kind: str, ms: float, ok: bool) -> None:
        with self.lock:
            self.attempted += 1
            if ok:
                self.times[kind].append(ms)
            else:
                self.errors[kind] += 1


def timed(results: Results, kind: str, fn: Any) -> tuple[int, str]:
    t0 = time.perf_counter()
    try:
        status, body = fn()
    except Exception as exc:  # noqa: BLE001 - counted as an error of this kind
        results.add(kind, (time.perf_counter() - t0) * 1000, False)
        return 0, str(exc)
    results.add(kind, (time.perf_counter() - t0) * 1000, status < 400)
    return status, body


def remember(s: Session, body: str, own: bool = False) -> None:
    ids = [int(x) for x in CASE_LINK.findall(body)]
    if ids:
        s.seen = (ids + s.seen)[:200]
        if own:
            s.mine = ids
    s.prefixes = list(dict.fromkeys(NUMBER.findall(body) + s.prefixes))[:20]


def list_path(s: Session) -> str:
    r = s.rng.random()
    if r < 0.15:
        return "/staff/overdue/"
    if r < 0.35 and s.prefixes:
        return "/staff/requests/?q=" + urllib.parse.quote(s.rng.choice(s.prefixes))
    if r < 0.6:
        name = s.rng.choice(["สมชาย", "สมหญิง", "วิไล", "ประเสริฐ", "สุนทร", "มาลี", "บุญมี", "ทองดี"])
        return "/staff/requests/?q=" + urllib.parse.quote(name)
    service = s.rng.choice(["LIT", "BAIL", "HR", "CONSULT"])
    state = s.rng.choice(["closed", "fact_finding", "consideration", "screening"])
    return f"/staff/requests/?service={service}&state={state}"


def transition(s: Session, results: Results) -> None:
    pk = s.rng.choice(s.mine)
    status, page = timed(results, "case", functools.partial(s.get, f"/staff/requests/{pk}/"))
    if status != 200:
        return
    for action in TOGGLE:
        m = re.search(rf'name="{action}-version" value="(\d+)"', page)
        if m:
            data = {"action_code": action, f"{action}-action": action, f"{action}-version": m.group(1),
                    f"{action}-comment": "bench: reversible step"}
            timed(results, "transition", functools.partial(s.post, f"/staff/requests/{pk}/transition/", data, page))
            return
    with results.lock:
        results.skipped_transitions += 1


def run_session(s: Session, deadline: float, results: Results) -> None:
    time.sleep(s.rng.uniform(0, 3))  # do not all start in the same instant
    while time.monotonic() < deadline:
        r = s.rng.random()
        if r < 0.3 or not s.seen:
            _, body = timed(results, "queue", functools.partial(s.get, "/staff/"))
            remember(s, body, own=True)
        elif r < 0.6:
            path = list_path(s)
            _, body = timed(results, "list", functools.partial(s.get, path))
            remember(s, body)
        elif r < 0.9 or not (s.may_transition and s.mine):
            pk = s.rng.choice(s.seen)
            timed(results, "case", functools.partial(s.get, f"/staff/requests/{pk}/"))
        else:
            transition(s, results)
        time.sleep(s.rng.uniform(*s.think))


@dataclass
class LockSamples:
    waiting: list[int] = field(default_factory=list)
    on_audit: list[int] = field(default_factory=list)
    examples: dict[str, int] = field(default_factory=lambda: defaultdict(int))


SAMPLE_SQL = """
SELECT a.pid, left(a.query, 120),
       coalesce((SELECT string_agg(coalesce(l.relation::regclass::text, l.locktype), ',')
                 FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted), '')
FROM pg_stat_activity a
WHERE a.datname = current_database() AND a.wait_event_type = 'Lock' AND a.pid <> pg_backend_pid()
"""


def sample_locks(url: str, stop: threading.Event, out: LockSamples) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        while not stop.is_set():
            rows = conn.execute(SAMPLE_SQL).fetchall()
            audit = [r for r in rows if "audit_" in r[1] or "audit_" in r[2]]
            out.waiting.append(len(rows))
            out.on_audit.append(len(audit))
            for _, query, rel in rows:
                out.examples[(rel or "?") + " :: " + " ".join(query.split())[:80]] += 1
            time.sleep(0.1)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def sign_in_all(base: str, n: int, seed: int) -> list[Session]:
    """N sessions over the demo accounts; each account signs in once per TOTP step."""
    sessions = [Session(base, ACCOUNTS[i % len(ACCOUNTS)][0], ACCOUNTS[i % len(ACCOUNTS)][1], seed + i)
                for i in range(n)]
    rounds = [sessions[i:i + len(ACCOUNTS)] for i in range(0, n, len(ACCOUNTS))]
    last_step = -1
    for batch in rounds:
        step = int(time.time()) // 30
        while step <= last_step:  # a new step for the accounts' next sign-in
            time.sleep(0.5)
            step = int(time.time()) // 30
        if int(time.time()) % 30 > 25:  # too close to the step's end: wait for the next one
            time.sleep(30 - int(time.time()) % 30 + 0.5)
            step = int(time.time()) // 30
        for s in batch:
            s.login(step)
        last_step = step
        print(f"signed in {sum(len(b) for b in rounds[:rounds.index(batch) + 1])}/{n}", file=sys.stderr)
    return sessions


SEALER = """
import time
from jfs.audit.sealing import seal_pending
while True:
    t0 = time.monotonic()
    run = seal_pending()
    print(f"sealed {run.sealed} in {time.monotonic() - t0:.2f} s", flush=True)
    time.sleep({every})
"""


def start_sealer(args: argparse.Namespace, env: dict[str, str]) -> subprocess.Popen[bytes] | None:
    """The worker's sealing, every ``--seal-every`` seconds, in a process of its own."""
    if not args.seal_every or not (args.root / "jfs/audit/sealing.py").exists():
        return None
    return subprocess.Popen([str(args.root / ".venv/bin/python"), "manage.py", "shell", "-c",
                             SEALER.replace("{every}", str(args.seal_every))], cwd=args.root, env=env)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=32)
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of measured load")
    ap.add_argument("--port", type=int, default=8766)
    ap.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    ap.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (gthread)")
    ap.add_argument("--root", type=Path, default=HERE, help="the checkout to serve (default: this one)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--think", default="1,3", help="think time between actions, MIN,MAX seconds (default 1,3)")
    ap.add_argument("--seal-every", type=float, default=5.0,
                    help="seconds between sealing runs of the audit log during the load, as the worker does "
                         "(checkouts with jfs/audit/sealing.py; 0: none)")
    args = ap.parse_args()
    url = os.environ["DATABASE_URL"]
    env = dict(os.environ, DEBUG="0", SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only"), ALLOWED_HOSTS="127.0.0.1")
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [str(args.root / ".venv/bin/gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{args.port}",
         "--workers", str(args.workers), "--threads", str(args.threads), "--log-level", "warning",
         "--timeout", "120"],
        cwd=args.root, env=env,
    )
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except Exception:
                time.sleep(0.2)
        sessions = sign_in_all(base, args.sessions, args.seed)
        think = tuple(float(x) for x in args.think.split(","))
        for s in sessions:
            s.think = (think[0], think[-1])
        for s in sessions:  # warm-up, not measured: fills each session's lists
            _, body = s.get("/staff/")
            remember(s, body, own=True)
        sealer = start_sealer(args, env)
        results = Results()
        locks = LockSamples()
        stop = threading.Event()
        sampler = threading.Thread(target=sample_locks, args=(url, stop, locks), daemon=True)
        sampler.start()
        began = time.monotonic()
        deadline = began + args.duration
        threads = [threading.Thread(target=run_session, args=(s, deadline, results), daemon=True) for s in sessions]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.duration + 120)
        elapsed = time.monotonic() - began
        stop.set()
        sampler.join(timeout=5)
        if sealer is not None:
            sealer.terminate()
            sealer.wait(timeout=20)
    finally:
        server.terminate()
        server.wait(timeout=20)
    report(args, results, locks, elapsed)


def report(args: argparse.Namespace, results: Results, locks: LockSamples, elapsed: float) -> None:
    done = sum(len(v) for v in results.times.values())
    errors = sum(results.errors.values())
    print(f"\n{args.sessions} sessions, {elapsed:.1f} s (think time {args.think.replace(',', '–')} s), gunicorn {args.workers} workers × "
          f"{args.threads} threads, checkout {args.root}\n")
    print(f"- offered load: {results.attempted / elapsed:.2f} requests/s ({results.attempted} attempted)")
    print(f"- throughput: {done / elapsed:.2f} requests/s answered 2xx/3xx ({done})")
    print(f"- errors: {errors} {dict(results.errors) if errors else ''}".rstrip())
    print(f"- transitions skipped (no reversible step on the request): {results.skipped_transitions}")
    w = locks.waiting or [0]
    a = locks.on_audit or [0]
    print(f"- sessions waiting on a lock ({len(locks.waiting)} samples, every 100 ms): mean {statistics.mean(w):.2f}, "
          f"max {max(w)}; on the audit log: mean {statistics.mean(a):.2f}, max {max(a)}, "
          f"in {sum(1 for x in a if x)} samples ({sum(a)} session-samples of {sum(w)})")
    if locks.examples:
        print("- what the waiting sessions were doing (session-samples):")
        for what, n in sorted(locks.examples.items(), key=lambda kv: -kv[1])[:6]:
            print(f"  - {n}: {what}")
    print("\n| kind | n | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|")
    every = [v for vals in results.times.values() for v in vals]
    for kind in ("queue", "list", "case", "transition"):
        vals = results.times.get(kind, [])
        if vals:
            print(f"| {kind} | {len(vals)} | {statistics.median(vals):.1f} | {pct(vals, 95):.1f} | "
                  f"{pct(vals, 99):.1f} | {max(vals):.1f} |")
    if every:
        print(f"| **all** | {len(every)} | {statistics.median(every):.1f} | **{pct(every, 95):.1f}** | "
              f"{pct(every, 99):.1f} | {max(every):.1f} |")


if __name__ == "__main__":
    main()
