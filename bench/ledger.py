"""The ledger with 1,000,000 entries: the balance of one office, service and fiscal year, and posting
throughput under concurrency (issue 11's benchmark).

Against the PostgreSQL database of ``DATABASE_URL`` (migrated; a loaded demo such as
``bench/load_million.sh``'s gives the requests and decisions the payments are made for):

1. tops the ledger up to ``--entries`` synthetic balanced entries with COPY (two lines each, spread over
   every office, five services and the fiscal years of the data: allotments, payments, returns);
2. times ``selectors.budget`` and ``selectors.balance`` for random (office, service, fiscal year);
3. commits ``--requests`` approved decisions through ``services.commit_decision`` and has ``--threads``
   threads pay their items through ``services.disburse`` for ``--seconds``: spread over the requests,
   then all on five items (the lock of an item serialises its payments); then checks the books balance.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jfs_bench_dec JFS_TESTING=1 \\
        .venv/bin/python bench/ledger.py --entries 1000000 --threads 8 --seconds 20
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVICES = ("LIT", "BAIL", "HR", "PROJECT", "CONSULT")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def top_up(target: int) -> tuple[int, float]:
    """Synthetic entries up to ``target`` (COPY); returns how many were added and the seconds taken."""
    from django.db import connection

    from jfs.accounts.models import Office, User
    from jfs.finance import accounts as acc
    from jfs.finance import models as m
    from jfslib.thaidate import fiscal_year

    have = m.Entry.objects.count()
    if have >= target:
        return 0, 0.0
    offices = list(Office.objects.values_list("pk", flat=True))
    actor = User.objects.filter(role="finance_officer").values_list("pk", flat=True).first()
    start = time.perf_counter()
    rng = random.Random(11)
    first_day, days = date(2020, 10, 1), 6 * 365
    next_id = (m.Entry.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    next_line = (m.Line.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    kinds = ((m.ALLOTMENT, acc.BUDGET_AVAILABLE, acc.BUDGET_ALLOTTED), (m.DISBURSEMENT, acc.AID_EXPENSE, acc.CASH),
             (m.RETURN, acc.CASH, acc.AID_EXPENSE))
    now = datetime.now(UTC).isoformat()
    batch = 100_000
    added = 0
    with connection.cursor() as cur:
        while have + added < target:
            n = min(batch, target - have - added)
            entries, lines = io.StringIO(), io.StringIO()
            for _ in range(n):
                kind, debit, credit = kinds[rng.choices((0, 1, 2), (1, 8, 1))[0]]
                day = first_day + timedelta(days=rng.randrange(days))
                office, service = rng.choice(offices), rng.choice(SERVICES)
                fy = fiscal_year(day)
                amount = f"{rng.randrange(5, 2000) * 100}.00"
                entries.write(f"{next_id}\tbench-{next_id}\t{kind}\t{day}\t{fy}\t{office}\t{service}\t{actor}\t{now}\n")
                for account, sign in ((debit, ""), (credit, "-")):
                    lines.write(f"{next_line}\t{next_id}\t{account}\t{sign}{amount}\t{fy}\t{office}\t{service}\n")
                    next_line += 1
                next_id += 1
            with cur.cursor.copy("COPY finance_entry (id, key, kind, on_date, fiscal_year, office_id, service, "
                                 "created_by_id, created_at, item_key, payee, method, reference, memo) FROM STDIN") as cp:
                for row in entries.getvalue().splitlines():
                    cp.write(row + "\t\t\t\t\t\n")
            with cur.cursor.copy("COPY finance_line (id, entry_id, account, amount, fiscal_year, office_dim, service, "
                                 "item_key) FROM STDIN") as cp:
                for row in lines.getvalue().splitlines():
                    cp.write(row + "\t\n")
            added += n
        cur.execute("SELECT setval(pg_get_serial_sequence('finance_entry', 'id'), %s)", [next_id])
        cur.execute("SELECT setval(pg_get_serial_sequence('finance_line', 'id'), %s)", [next_line])
        cur.execute("ANALYZE finance_entry")
        cur.execute("ANALYZE finance_line")
    return added, time.perf_counter() - start


def balances(n: int) -> dict[str, list[float]]:
    from jfs.accounts.models import Office
    from jfs.finance import accounts as acc
    from jfs.finance import selectors

    offices = list(Office.objects.values_list("pk", flat=True))
    rng = random.Random(5)
    out: dict[str, list[float]] = {"budget (one office, service, fiscal year)": [],
                                   "cash balance (one office, service, fiscal year)": []}
    for _ in range(n):
        office, service, fy = rng.choice(offices), rng.choice(SERVICES), rng.randrange(2564, 2570)
        t = time.perf_counter()
        selectors.budget(fy, office, service)
        out["budget (one office, service, fiscal year)"].append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        selectors.balance(acc.CASH, fiscal_year=fy, office_id=office, service=service)
        out["cash balance (one office, service, fiscal year)"].append((time.perf_counter() - t) * 1000)
    return out


def payments(requests: int, threads: int, seconds: float, hot: bool) -> tuple[int, int, list[float], float]:
    """Threads paying items of committed requests: (posted, refused, latencies ms, wall seconds)."""
    from django.db import connections

    from jfs.accounts.models import User
    from jfs.cases.errors import CaseError
    from jfs.finance import models as m
    from jfs.finance import services as ledger

    commitments = list(m.Commitment.objects.filter(entry__key__startswith="commit/").order_by("-id")
                       .values_list("request_id", "item_key", "office_id")[:requests])
    if hot:
        commitments = commitments[:5]
    actor = User.objects.get(username="finance.central")
    stop = time.perf_counter() + seconds
    lock = threading.Lock()
    posted, refused, took = [0], [0], []
    run_id = f"{time.time():.0f}-{'hot' if hot else 'spread'}"

    def work(t: int) -> None:
        rng = random.Random(t)
        n = 0
        try:
            while time.perf_counter() < stop:
                request_id, item_key, _office = rng.choice(commitments)
                start = time.perf_counter()
                try:
                    ledger.disburse(actor=actor, key=f"bench-pay-{run_id}-{t}-{n}", request_id=request_id,
                                    item_key=item_key, amount="10", on=date.today(), payee="bench",
                                    method="transfer")
                    with lock:
                        posted[0] += 1
                        took.append((time.perf_counter() - start) * 1000)
                except CaseError:
                    with lock:
                        refused[0] += 1
                n += 1
        finally:
            connections.close_all()

    began = time.perf_counter()
    pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    return posted[0], refused[0], took, time.perf_counter() - began


def commit(requests: int) -> tuple[int, float]:
    """Commit approved decisions of the loaded demo (what an approval does now)."""
    from jfs.accounts.models import User
    from jfs.decisions.models import Decision
    from jfs.finance import services as ledger

    actor = User.objects.get(username="finance.central")
    done = 0
    start = time.perf_counter()
    for d in (Decision.objects.filter(outcome="approved", kind="first", commitments__isnull=True)
              .select_related("request", "request__office").prefetch_related("items").order_by("-id")[:requests]):
        ledger.commit_decision(actor, d)
        done += 1
    return done, time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--balances", type=int, default=300)
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=20)
    args = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from jfs.finance import models as m
    from jfs.finance import selectors

    added, load_s = top_up(args.entries)
    print(f"entries: {m.Entry.objects.count():,} (added {added:,} in {load_s:.1f} s); lines: {m.Line.objects.count():,}")
    rows: list[tuple[str, int, float, float, float]] = []
    for name, vals in balances(args.balances).items():
        rows.append((name, len(vals), statistics.median(vals), pct(vals, 0.95), max(vals)))
    done, commit_s = commit(args.requests)
    print(f"commitments: {done} approvals committed in {commit_s:.1f} s ({done / commit_s if commit_s else 0:.0f}/s)")
    for hot in (False, True):
        posted, refused, took, wall = payments(args.requests, args.threads, args.seconds, hot)
        label = "all on 5 items" if hot else f"over {args.requests} requests"
        print(f"payments, {args.threads} threads, {label}: {posted} posted, {refused} refused, "
              f"{posted / wall:.0f} postings/s")
        if took:
            rows.append((f"disburse ({args.threads} threads, {label})", len(took), statistics.median(took),
                         pct(took, 0.95), max(took)))
    print(f"unbalanced entries: {len(selectors.unbalanced_entries())}")
    print("\n| measured | n | p50 ms | p95 ms | max ms |\n|---|---:|---:|---:|---:|")
    for name, n, p50, p95, top in rows:
        print(f"| {name} | {n} | {p50:.1f} | {p95:.1f} | {top:.1f} |")


if __name__ == "__main__":
    main()
