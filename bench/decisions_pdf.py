"""How long the Thai PDFs of issue 10 take: decision letters (one page or two) and meeting minutes.

Renders letters for N decisions of the demo data (``manage.py demo_data`` loaded beforehand into the
database of ``DATABASE_URL`` or the SQLite file of ``JFS_DATA_DIR``), one process at a time and then
with P worker processes at once (the web server's workers on two cores), and the minutes of the
largest meetings; prints a Markdown table. Nothing is written to the database.

    JFS_DATA_DIR=/tmp/jfs-bench .venv/bin/python bench/decisions_pdf.py --letters 60 --processes 2
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _letters(ids: list[int]) -> list[float]:
    _setup()
    from jfs.decisions import documents
    from jfs.decisions.models import Decision

    took = []
    for d in Decision.objects.filter(pk__in=ids).select_related("request", "request__office", "request__applicant",
                                                                 "committee").prefetch_related("reasons", "items"):
        start = time.perf_counter()
        documents.letter_pdf(d, deadline=None)
        took.append(time.perf_counter() - start)
    return took


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=60)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--meetings", type=int, default=3)
    args = parser.parse_args()
    _setup()
    from django.db.models import Count

    from jfs.decisions import documents
    from jfs.decisions.models import Decision, Meeting

    # a mix as the office sends them: partial approvals (an item table), rejections (the appeal paragraph), approvals
    ids: list[int] = []
    for outcome in ("partially_approved", "rejected", "approved", "terminated"):
        ids += list(Decision.objects.filter(outcome=outcome).order_by("-id").values_list("pk", flat=True)[:args.letters // 4])
    one = _letters(ids)
    rows = [("letter, one process", len(one), statistics.median(one), _pct(one, 0.95), len(one) / sum(one))]

    chunks = [ids[i::args.processes] for i in range(args.processes)]
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(args.processes) as pool:
        many = [t for part in pool.map(_letters, chunks) for t in part]
    wall = time.perf_counter() - start
    rows.append((f"letter, {args.processes} processes at once", len(many), statistics.median(many), _pct(many, 0.95),
                 len(many) / wall))

    big = (Meeting.objects.annotate(n=Count("items")).order_by("-n", "-id")
           .select_related("committee", "committee__office")[:args.meetings])
    minutes = []
    sizes = []
    for meeting in big:
        start = time.perf_counter()
        documents.minutes_pdf(meeting)
        minutes.append(time.perf_counter() - start)
        sizes.append(meeting.n)
    if minutes:
        rows.append((f"minutes ({min(sizes)}–{max(sizes)} agenda items)", len(minutes), statistics.median(minutes),
                     max(minutes), len(minutes) / sum(minutes)))
    print("| PDF | n | median ms | p95 ms | per second |")
    print("|---|---:|---:|---:|---:|")
    for name, n, med, p95, rate in rows:
        print(f"| {name} | {n} | {med * 1000:.0f} | {p95 * 1000:.0f} | {rate:.1f} |")


if __name__ == "__main__":
    main()
