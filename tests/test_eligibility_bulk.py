"""Bulk evaluation: the rules compiled to SQL agree with the explained evaluator, row by row.

A generated population of 50,000 people (missing facts, values exactly at every
threshold and one step either side, 29 February birthdays, per-member incomes exactly
at the ratio limit, per-row evaluation dates) is evaluated by every rule version in
Python and in SQL, on DuckDB and on PostgreSQL; every criterion, group and overall
result must match (TRUE/FALSE/NULL = YES/NO/UNKNOWN).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from jfslib.eligibility import RuleBook, Ruleset, compile_select, compile_summary, facts_table_ddl, load_rulebook
from jfslib.eligibility.explain import decide, outcomes_only
from jfslib.eligibility.facts import Context, FactValue
from jfslib.eligibility.population import facts_needed, generate
from jfslib.eligibility.sql import group_column

RULES = Path(__file__).resolve().parent.parent / "rules"
POPULATION = 50_000
PG_URL = os.environ.get("ELIGIBILITY_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
KEYS = (("id", "BIGINT"), ("on", "DATE"))


@pytest.fixture(scope="module")
def book() -> RuleBook:
    return load_rulebook(RULES)


@pytest.fixture(scope="module")
def rulesets(book: RuleBook) -> list[Ruleset]:
    return [r for versions in book.versions.values() for r in versions]


@pytest.fixture(scope="module")
def population(rulesets: list[Ruleset]) -> list[dict[str, FactValue | None]]:
    return generate(rulesets, POPULATION, seed=2569)


@pytest.fixture(scope="module")
def columns(rulesets: list[Ruleset]) -> list[str]:
    return facts_needed(rulesets)


@pytest.fixture(scope="module")
def validated(book: RuleBook, population: list[dict[str, Any]]) -> list[dict[str, FactValue]]:
    return [book.vocabulary.validate({k: v for k, v in row.items() if k not in ("id", "on")}) for row in population]


def expected_rows(
    ruleset: Ruleset, population: list[dict[str, Any]], validated: list[dict[str, FactValue]]
) -> list[tuple[Any, ...]]:
    """The explained evaluator's answers, in the SQL result's column order (id first)."""
    crit = [c.id for c in ruleset.criteria]
    out: list[tuple[Any, ...]] = []
    evs = [c.node.ev for c in ruleset.criteria]
    for row, facts in zip(population, validated, strict=True):
        ctx = Context(facts, row["on"])
        values = dict(zip(crit, [ev(ctx) for ev in evs], strict=True))
        groups, overall = decide(ruleset, values)
        out.append((row["id"], *values.values(), *(groups[g.id] for g in ruleset.groups), overall))
    return out


@pytest.fixture(scope="module")
def expected(
    rulesets: list[Ruleset], population: list[dict[str, Any]], validated: list[dict[str, FactValue]]
) -> dict[str, list[tuple[Any, ...]]]:
    return {rs.key: expected_rows(rs, population, validated) for rs in rulesets}


def result_columns(ruleset: Ruleset) -> list[str]:
    return ["id", *(c.id for c in ruleset.criteria), *(group_column(g.id) for g in ruleset.groups), "overall"]


def assert_agree(ruleset: Ruleset, want: list[tuple[Any, ...]], got: list[tuple[Any, ...]], where: str) -> None:
    assert len(got) == len(want)
    cols = result_columns(ruleset)
    bad = [(w, g) for w, g in zip(want, got, strict=True) if w != tuple(g)]
    if bad:
        w, g = bad[0]
        diff = {c: (a, b) for c, a, b in zip(cols, w, g, strict=True) if a != b}
        pytest.fail(f"{where} {ruleset.key}: {len(bad)} rows disagree; first id {w[0]}: python vs sql {diff}")


def test_the_population_exercises_every_outcome(
    rulesets: list[Ruleset], expected: dict[str, list[tuple[Any, ...]]]
) -> None:
    """Each criterion is YES, NO and UNKNOWN somewhere (in some version: a draft's
    ``level >= 0`` can never be NO), and so is every overall result."""
    seen: dict[tuple[str, str], set[bool | None]] = {}
    for rs in rulesets:
        rows = expected[rs.key]
        for i, c in enumerate(rs.criteria, start=1):
            seen.setdefault((rs.service, c.id), set()).update(r[i] for r in rows)
        assert {r[-1] for r in rows} == {True, False, None}, f"{rs.key} overall"
    thin = {k: v for k, v in seen.items() if v != {True, False, None}}
    assert not thin, f"criteria never reaching all three results: {thin}"


def write_csv(population: list[dict[str, Any]], columns: list[str], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        for row in population:
            w.writerow([
                "" if row[c] is None else (str(row[c]).lower() if isinstance(row[c], bool) else row[c])
                for c in ["id", "on", *columns]
            ])


@pytest.fixture(scope="module")
def duck(book: RuleBook, population: list[dict[str, Any]], columns: list[str],
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    con.execute(facts_table_ddl(book.vocabulary, "population", columns, "duckdb", keys=KEYS))
    path = tmp_path_factory.mktemp("eligibility") / "population.csv"
    write_csv(population, columns, path)
    con.execute(f"COPY population FROM '{path}' (HEADER false, NULLSTR '')")
    yield con
    con.close()


def test_duckdb_agrees_with_the_explained_evaluator_on_every_row(
    duck: duckdb.DuckDBPyConnection, rulesets: list[Ruleset], expected: dict[str, list[tuple[Any, ...]]]
) -> None:
    for rs in rulesets:
        sql = compile_select(rs, source="population", dialect="duckdb", on_column="on", keys=("id",))
        got = duck.execute(sql + "\nORDER BY id").fetchall()
        assert_agree(rs, expected[rs.key], got, "duckdb")


def test_duckdb_summary_counts_match(
    duck: duckdb.DuckDBPyConnection, rulesets: list[Ruleset], expected: dict[str, list[tuple[Any, ...]]]
) -> None:
    rs = rulesets[0]
    sql = compile_summary(rs, source="population", dialect="duckdb", on_column="on")
    row = duck.execute(sql).fetchone()
    assert row is not None
    names = [d[0] for d in duck.description]
    got = dict(zip(names, row, strict=True))
    overall = [r[-1] for r in expected[rs.key]]
    assert got["total"] == POPULATION
    assert (got["overall_yes"], got["overall_no"], got["overall_unknown"]) == (
        overall.count(True), overall.count(False), overall.count(None)
    )


FIXED = date(2024, 2, 29)  # a leap day: ages fold to "born on or before 28 Feb" in common years


@pytest.fixture(scope="module")
def fixed_population(rulesets: list[Ruleset]) -> list[dict[str, FactValue | None]]:
    """Everyone evaluated on one date: ages and day counts compile to date constants."""
    return generate(rulesets, 10_000, seed=29, dates=(FIXED, FIXED))


@pytest.fixture(scope="module")
def fixed_expected(
    rulesets: list[Ruleset], fixed_population: list[dict[str, Any]], book: RuleBook
) -> dict[str, list[tuple[Any, ...]]]:
    rows = [{**r, "on": FIXED} for r in fixed_population]
    validated = [book.vocabulary.validate({k: v for k, v in r.items() if k not in ("id", "on")}) for r in rows]
    return {rs.key: expected_rows(rs, rows, validated) for rs in rulesets}


def test_a_fixed_evaluation_date_agrees_too(
    duck: duckdb.DuckDBPyConnection, book: RuleBook, rulesets: list[Ruleset], columns: list[str],
    fixed_population: list[dict[str, Any]], fixed_expected: dict[str, list[tuple[Any, ...]]],
    tmp_path: Path,
) -> None:
    duck.execute(facts_table_ddl(book.vocabulary, "fixed_population", columns, "duckdb", keys=KEYS))
    write_csv(fixed_population, columns, tmp_path / "fixed.csv")
    duck.execute(f"COPY fixed_population FROM '{tmp_path / 'fixed.csv'}' (HEADER false, NULLSTR '')")
    for rs in rulesets:
        sql = compile_select(rs, source="fixed_population", dialect="duckdb", on=FIXED, keys=("id",))
        assert "EXTRACT" not in sql and "date_diff" not in sql  # folded to constants
        got = duck.execute(sql + "\nORDER BY id").fetchall()
        assert_agree(rs, fixed_expected[rs.key], got, "duckdb, fixed date")


# --------------------------------------------------------------------------- PostgreSQL


@pytest.fixture(scope="module")
def pg(book: RuleBook, population: list[dict[str, Any]], columns: list[str]) -> Iterator[Any]:
    psycopg = pytest.importorskip("psycopg")
    try:
        conn = psycopg.connect(PG_URL, connect_timeout=3, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {exc}")
    with conn.cursor() as cur:
        cur.execute(facts_table_ddl(book.vocabulary, "eligibility_population", columns, "postgres",
                                    keys=KEYS, temporary=True))
        cols = ", ".join(f'"{c}"' for c in ["id", "on", *columns])
        with cur.copy(f"COPY eligibility_population ({cols}) FROM STDIN") as copy:
            for row in population:
                copy.write_row([row[c] for c in ["id", "on", *columns]])
    yield conn
    conn.close()  # the temporary table goes with the session


def test_postgresql_agrees_with_the_explained_evaluator_on_every_row(
    pg: Any, rulesets: list[Ruleset], expected: dict[str, list[tuple[Any, ...]]]
) -> None:
    for rs in rulesets:
        sql = compile_select(rs, source="eligibility_population", dialect="postgres", on_column="on", keys=("id",))
        with pg.cursor() as cur:
            cur.execute(sql + "\nORDER BY id")
            got = cur.fetchall()
        assert_agree(rs, expected[rs.key], got, "postgres")


def test_postgresql_agrees_on_a_fixed_evaluation_date(
    pg: Any, book: RuleBook, rulesets: list[Ruleset], columns: list[str],
    fixed_population: list[dict[str, Any]], fixed_expected: dict[str, list[tuple[Any, ...]]],
) -> None:
    with pg.cursor() as cur:
        cur.execute(facts_table_ddl(book.vocabulary, "eligibility_fixed", columns, "postgres", keys=KEYS,
                                    temporary=True))
        cols = ", ".join(f'"{c}"' for c in ["id", "on", *columns])
        with cur.copy(f"COPY eligibility_fixed ({cols}) FROM STDIN") as copy:
            for row in fixed_population:
                copy.write_row([row[c] for c in ["id", "on", *columns]])
        for rs in rulesets:
            cur.execute(compile_select(rs, source="eligibility_fixed", dialect="postgres", on=FIXED, keys=("id",))
                        + "\nORDER BY id")
            assert_agree(rs, fixed_expected[rs.key], cur.fetchall(), "postgres, fixed date")


# --------------------------------------------------------------------------- the SQL traps, by hand


def test_nulls_stay_unknown_through_booleans_lists_and_ratios(book: RuleBook) -> None:
    rs = book.ruleset_for("LIT", date(2025, 6, 1))
    con = duckdb.connect()
    cols = rs.base_facts_used()
    con.execute(facts_table_ddl(book.vocabulary, "p", cols, "duckdb"))
    rows: list[dict[str, Any]] = [
        {},  # everything unknown
        {"has_welfare_card": False, "party_role": "other", "household_size": 3},
        {"has_welfare_card": True, "party_role": "defendant", "household_monthly_income": Decimal("25000"),
         "household_size": 3},
        {"household_monthly_income": Decimal("25000.01"), "household_size": 3, "has_thai_registration": False},
    ]
    for i, r in enumerate(rows, start=1):
        names = ["id", *r]
        con.execute(
            f"INSERT INTO p ({', '.join(chr(34) + n + chr(34) for n in names)}) VALUES ({', '.join('?' * len(names))})",
            [i, *r.values()],
        )
    sql = compile_select(rs, source="p", dialect="duckdb", on=date(2025, 6, 1))
    got = {r[0]: dict(zip([d[0] for d in con.description], r, strict=True))
           for r in con.execute(sql + " ORDER BY id").fetchall()}
    assert got[1]["welfare_card"] is None and got[1]["party_to_case"] is None
    assert got[1]["household_income_within_limit"] is None and got[1]["overall"] is None
    assert got[2]["welfare_card"] is False and got[2]["party_to_case"] is False
    assert got[2]["household_income_within_limit"] is None
    assert got[3]["welfare_card"] is True and got[3]["household_income_within_limit"] is True
    assert got[4]["household_income_within_limit"] is False and got[4]["status_check"] is True
    for i, r in enumerate(rows, start=1):
        ctx_values = outcomes_only(rs, rs.vocabulary.validate(r), date(2025, 6, 1))
        assert {k: got[i][k] for k in ctx_values} == ctx_values
    con.close()


def test_identifiers_and_strings_cannot_inject_sql(book: RuleBook) -> None:
    from jfslib.eligibility.sql import literal, quote, quote_source

    with pytest.raises(ValueError):
        quote('x"; DROP TABLE p; --')
    with pytest.raises(ValueError):
        quote_source("a.b c")
    assert literal("O'Brien") == "'O''Brien'"
    rs = book.ruleset_for("LIT", date(2025, 6, 1))
    with pytest.raises(ValueError, match="clash"):
        compile_select(rs, source="p", dialect="duckdb", on=date(2025, 6, 1), keys=("overall",))


def test_postgresql_summary_counts_match(
    pg: Any, rulesets: list[Ruleset], expected: dict[str, list[tuple[Any, ...]]]
) -> None:
    rs = rulesets[-1]
    with pg.cursor() as cur:
        cur.execute(compile_summary(rs, source="eligibility_population", dialect="postgres", on_column="on"))
        row = cur.fetchone()
        names = [d.name for d in cur.description]
    got = dict(zip(names, row, strict=True))
    for i, c in enumerate(rs.criteria, start=1):
        values = [r[i] for r in expected[rs.key]]
        assert (got[f"{c.id}_yes"], got[f"{c.id}_no"], got[f"{c.id}_unknown"]) == (
            values.count(True), values.count(False), values.count(None)
        ), c.id


def test_the_sql_overall_is_decided_by_the_conditions_alone(book: RuleBook) -> None:
    """Issue 10: a row failing every hardship route and helped elsewhere is still TRUE overall in SQL
    (its consideration columns say FALSE / TRUE), as in the explained evaluator."""
    rs = book.ruleset_for("LIT", date(2025, 6, 1))
    con = duckdb.connect()
    con.execute(facts_table_ddl(book.vocabulary, "p", rs.base_facts_used(), "duckdb"))
    row: dict[str, Any] = {
        "birth_date": date(1980, 5, 17), "representative_type": "none", "amount_requested": Decimal("17000"),
        "party_role": "petitioner", "monthly_income": Decimal("90000"), "household_size": 1,
        "household_monthly_income": Decimal("90000"), "has_welfare_card": False, "vulnerable_household_level": 0,
        "has_disability_card": False, "other_help_received": True,
    }
    names = ["id", *row]
    con.execute(f"INSERT INTO p ({', '.join(chr(34) + n + chr(34) for n in names)}) "
                f"VALUES ({', '.join('?' * len(names))})", [1, *row.values()])
    got = con.execute(compile_select(rs, source="p", dialect="duckdb", on=date(2025, 6, 1))).fetchall()[0]
    cols = result_columns(rs)
    by = dict(zip(cols, got, strict=True))
    assert by["grp_hardship"] is False and by["grp_other_help"] is True
    assert by["overall"] is True
    python = outcomes_only(rs, rs.vocabulary.validate(row), date(2025, 6, 1))
    assert {k: by[k] for k in python} == python
    con.close()
