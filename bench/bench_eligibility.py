"""Benchmark the eligibility engine's two evaluators.

(a) Explained evaluation of one applicant (``jfslib.eligibility.evaluate``: fact
    validation, every criterion, Thai and English explanations, missing facts),
    timed call by call over N generated applicants (default 100,000): mean, p50, p95, p99.
(b) Bulk evaluation in DuckDB: a population of P people (default 10,000,000) is
    generated inside DuckDB with ``range()`` and ``random()`` (not timed), then the
    compiled rules are timed twice, best and median of R runs:
      - ``summary``: one aggregate query counting YES / NO / UNKNOWN per criterion and
        overall (what proactive targeting needs);
      - ``materialise``: ``CREATE TABLE … AS`` the full per-person result (one column
        per criterion, per group and overall).

    .venv/bin/python bench/bench_eligibility.py [--applicants 100000] [--people 10000000]
        [--service LIT] [--runs 3] [--results bench/RESULTS.md]

With ``--results`` the "## Eligibility engine" section of that Markdown file is
replaced (or appended); other sections are left as they are.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from jfslib.eligibility import (  # noqa: E402
    Ruleset,
    compile_select,
    compile_summary,
    evaluate,
    facts_table_ddl,
    load_rulebook,
)
from jfslib.eligibility.facts import FactType, Vocabulary  # noqa: E402
from jfslib.eligibility.population import generate  # noqa: E402
from jfslib.eligibility.sql import quote  # noqa: E402

ON = date(2026, 6, 1)
SECTION = "## Eligibility engine"


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(int(x.split()[1]) for x in Path("/proc/meminfo").read_text().splitlines()
                      if x.startswith("MemTotal"))
        ram = f"{mem_kb / 1024 / 1024:.1f} GiB"
        load = Path("/proc/loadavg").read_text().split()[:3]
    except (OSError, StopIteration):
        ram, load = "unknown", ["?"]
    return {
        "cpus": str(os.cpu_count()), "cpu": cpu, "ram": ram, "load": " ".join(load),
        "python": platform.python_version(), "duckdb": duckdb.__version__,
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
    }


# --------------------------------------------------------------------------- (a) explained


def bench_explained(ruleset: Ruleset, n: int) -> dict[str, float]:
    rows = generate([ruleset], n, seed=7)
    cases: list[tuple[dict[str, object], date]] = []
    for r in rows:
        on = r["on"]
        assert isinstance(on, date)
        cases.append(({k: v for k, v in r.items() if k not in ("id", "on") and v is not None}, on))
    for facts, on in cases[:2000]:  # warm up
        evaluate(ruleset, facts, on)
    times: list[int] = []
    clock = time.perf_counter_ns
    outcomes: dict[str, int] = {}
    for facts, on in cases:
        t0 = clock()
        result = evaluate(ruleset, facts, on)
        times.append(clock() - t0)
        outcomes[result.outcome.value] = outcomes.get(result.outcome.value, 0) + 1
    times.sort()
    us = [t / 1000 for t in times]
    return {
        "n": n, "mean": statistics.fmean(us), "p50": us[len(us) // 2],
        "p95": us[int(len(us) * 0.95)], "p99": us[int(len(us) * 0.99)],
        **{f"outcome_{k}": float(v) for k, v in outcomes.items()},
    }


# --------------------------------------------------------------------------- (b) bulk


def _random_sql(vocab: Vocabulary, name: str) -> str:
    """A DuckDB expression drawing one random value of a base fact (about 8% NULL)."""
    f = vocab[name]
    t = f.type
    if t is FactType.BOOL:
        value = "random() < 0.5"
    elif t is FactType.ENUM:
        codes = ", ".join("'" + v.code + "'" for v in f.values)
        value = f"[{codes}][1 + CAST(floor(random() * {len(f.values)}) AS INTEGER)]"
    elif t is FactType.DATE:
        value = "DATE '1940-01-01' + CAST(floor(random() * 31000) AS INTEGER)"
    elif t is FactType.INT:
        lo = int(f.minimum or 0)
        hi = int(f.maximum) if f.maximum is not None else 10
        value = f"{lo} + CAST(floor(random() * {hi - lo + 1}) AS BIGINT)"
    elif t is FactType.DECIMAL:
        value = "CAST(round(random() * 40000, 2) AS DECIMAL(18,2))"
    else:
        value = "'x'"
    return f"CASE WHEN random() < 0.08 THEN NULL ELSE {value} END AS {quote(name)}"


def bench_bulk(ruleset: Ruleset, people: int, runs: int) -> dict[str, Any]:
    con = duckdb.connect()
    con.execute("SELECT setseed(0.2569)")
    facts = ruleset.base_facts_used()
    cols = ",\n  ".join(_random_sql(ruleset.vocabulary, n) for n in facts)
    t0 = time.perf_counter()
    # the table the rules read: typed columns (enumerations as DuckDB ENUM types)
    con.execute(facts_table_ddl(ruleset.vocabulary, "population", facts, "duckdb"))
    con.execute(f"INSERT INTO population SELECT range AS id,\n  {cols}\nFROM range({people})")
    generate_s = time.perf_counter() - t0
    summary_sql = compile_summary(ruleset, source="population", dialect="duckdb", on=ON)
    select_sql = compile_select(ruleset, source="population", dialect="duckdb", on=ON)
    summary_times: list[float] = []
    summary_cpu: list[float] = []
    materialise_times: list[float] = []
    materialise_cpu: list[float] = []
    counts: dict[str, int] = {}
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()  # process time: CPU of every thread
        row = con.execute(summary_sql).fetchone()
        summary_times.append(time.perf_counter() - t0)
        summary_cpu.append(time.process_time() - c0)
        assert row is not None
        counts = dict(zip([d[0] for d in con.description], row, strict=True))
        con.execute("DROP TABLE IF EXISTS results")
        t0, c0 = time.perf_counter(), time.process_time()
        con.execute(f"CREATE TABLE results AS {select_sql}")
        materialise_times.append(time.perf_counter() - t0)
        materialise_cpu.append(time.process_time() - c0)
    threads = con.execute("SELECT current_setting('threads')").fetchone()
    con.close()
    return {
        "people": people, "generate_s": generate_s, "threads": threads[0] if threads else "?",
        "summary": summary_times, "materialise": materialise_times,
        "summary_cpu": summary_cpu, "materialise_cpu": materialise_cpu,
        "overall": (counts.get("overall_yes"), counts.get("overall_no"), counts.get("overall_unknown")),
    }


# --------------------------------------------------------------------------- report


def markdown(m: dict[str, str], command: str, service: str, version: str,
             a: dict[str, float], b: dict[str, Any]) -> str:
    s, mat = b["summary"], b["materialise"]
    s_cpu, mat_cpu = min(b["summary_cpu"]), min(b["materialise_cpu"])
    yes, no, unknown = b["overall"]
    return "\n".join([
        SECTION,
        "",
        f"- **Machine:** {m['cpus']} CPUs ({m['cpu']}), {m['ram']} RAM; load average at start {m['load']} "
        "(the machine is shared with other work: figures are upper bounds)",
        f"- **Software:** Python {m['python']}, DuckDB {m['duckdb']} ({b['threads']} threads)",
        f"- **Date:** {m['date']}",
        f"- **Command:** `{command}`",
        f"- **Rules:** {service} {version}, evaluation date {ON.isoformat()}",
        "",
        "| measurement | what is timed | result | target |",
        "|---|---|---|---|",
        f"| explained evaluation, per applicant | `evaluate()` on {int(a['n']):,} generated applicants, one call "
        "at a time: validation, every criterion, Thai + English explanations, missing facts "
        f"| mean {a['mean']:.0f} µs, p50 {a['p50']:.0f} µs, p95 {a['p95']:.0f} µs, p99 {a['p99']:.0f} µs "
        "| < 1 ms |",
        f"| bulk, summary of {b['people']:,} people (DuckDB) | one query counting YES/NO/UNKNOWN for every "
        "criterion and overall (population generated in DuckDB beforehand, not timed) "
        f"| wall best {min(s):.2f} s, median {statistics.median(s):.2f} s of {len(s)}; "
        f"CPU {s_cpu:.2f} s over {b['threads']} threads | < 5 s |",
        f"| bulk, full result of {b['people']:,} people (DuckDB) | `CREATE TABLE results AS` the compiled "
        "SELECT: one column per criterion, per group and overall for every person "
        f"| wall best {min(mat):.2f} s, median {statistics.median(mat):.2f} s of {len(mat)}; "
        f"CPU {mat_cpu:.2f} s over {b['threads']} threads | < 5 s |",
        "",
        f"Generating the {b['people']:,}-row population took {b['generate_s']:.1f} s (not part of the figures). "
        f"Overall results: {yes:,} YES, {no:,} NO, {unknown:,} UNKNOWN. CPU time is the process's "
        "(all DuckDB threads); on an otherwise idle machine the wall time approaches CPU time ÷ threads.",
        "",
    ])


def write_section(path: Path, text: str) -> None:
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(old):
        new = pattern.sub(lambda _m: text + "\n", old, count=1)
    else:
        new = old.rstrip("\n") + "\n\n" + text
    path.write_text(new.rstrip("\n") + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applicants", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=10_000_000)
    parser.add_argument("--service", default="LIT")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--results", type=Path, default=None, help="Markdown file whose section to replace")
    args = parser.parse_args()
    book = load_rulebook(ROOT / "rules")
    ruleset = book.ruleset_for(args.service, ON)
    m = machine()
    print(f"explained evaluation of {args.applicants:,} applicants ({ruleset.version})…", flush=True)
    a = bench_explained(ruleset, args.applicants)
    print(f"  mean {a['mean']:.0f} µs, p95 {a['p95']:.0f} µs", flush=True)
    print(f"bulk evaluation of {args.people:,} people in DuckDB…", flush=True)
    b = bench_bulk(ruleset, args.people, args.runs)
    print(f"  summary {min(b['summary']):.2f} s, materialise {min(b['materialise']):.2f} s", flush=True)
    command = "cd /work/main && .venv/bin/python bench/bench_eligibility.py " + " ".join(sys.argv[1:])
    text = markdown(m, command.strip(), args.service, ruleset.version, a, b)
    print()
    print(text)
    if args.results:
        write_section(args.results, text)


if __name__ == "__main__":
    main()
