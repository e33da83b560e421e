"""Bulk evaluation: the same rule definition compiled to one SQL SELECT (DuckDB or PostgreSQL).

The query reads a table or view with one column per base fact (NULL = not known) and
returns the key columns, one BOOLEAN column per criterion (TRUE / FALSE / NULL =
YES / NO / UNKNOWN), one per group (``grp_<id>``) and ``overall``: the AND of the
condition groups only (a consideration group's column is its finding's basis, never a fail).

SQL's AND / OR / NOT already are Kleene's three-valued logic. The traps avoided here:

* ``x IS TRUE`` is FALSE for NULL, so booleans compile to ``x = TRUE`` (NULL stays NULL);
* ``IN`` / ``NOT IN`` lists never contain NULL (the loader refuses it), so a NULL fact
  gives NULL and a known fact gives TRUE/FALSE exactly as in Python;
* ratios compare by cross-multiplication (``of <= t * per``) inside
  ``CASE WHEN per > 0 ...``, exact in DECIMAL/NUMERIC arithmetic with no division;
* ages count completed years with month*100+day, identical to the Python derivation;
* day differences: DuckDB ``date_diff('day', a, b)``, PostgreSQL ``b - a``.

Literals are inlined (typed and validated at load, strings quoted with '' doubling),
so the SQL is self-contained and can be stored as a view; identifiers are checked
against a strict pattern and double-quoted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from jfslib.eligibility import expr as ex
from jfslib.eligibility.facts import FactType, FactValue, Vocabulary
from jfslib.eligibility.rules import Combine, Ruleset

IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
SQL_OPS = {"eq": "=", "ne": "<>", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


class Dialect(StrEnum):
    DUCKDB = "duckdb"
    POSTGRES = "postgres"


def quote(name: str) -> str:
    if not IDENT_RE.match(name):
        raise ValueError(f"not a safe SQL identifier: {name!r}")
    return f'"{name}"'


def quote_source(source: str) -> str:
    """A table or view, optionally schema-qualified (``schema.table``)."""
    return ".".join(quote(part) for part in source.split("."))


def literal(value: FactValue) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    if "\x00" in value:
        raise ValueError("NUL character in an SQL string literal")
    return "'" + value.replace("'", "''") + "'"


def sql_type(t: FactType, dialect: Dialect, values: Sequence[str] = ()) -> str:
    """The column type for a fact; DuckDB enums become ENUM types (compared as small integers)."""
    pg = dialect is Dialect.POSTGRES
    if t is FactType.ENUM and values and not pg:
        return "ENUM(" + ", ".join(literal(v) for v in values) + ")"
    return {
        FactType.INT: "BIGINT",
        FactType.DECIMAL: "NUMERIC(18,2)" if pg else "DECIMAL(18,2)",
        FactType.BOOL: "BOOLEAN",
        FactType.STR: "TEXT" if pg else "VARCHAR",
        FactType.ENUM: "TEXT" if pg else "VARCHAR",
        FactType.DATE: "DATE",
    }[t]


def _shift_years(on: date, years: int) -> date:
    """``on`` moved back by ``years`` (29 February becomes 28 February in a common year)."""
    y = on.year - years
    if y < date.min.year:
        return date.min
    if y > date.max.year:
        return date.max
    try:
        return on.replace(year=y)
    except ValueError:
        return on.replace(year=y, day=28)


def _shift_days(on: date, days: int) -> date:
    try:
        return on - timedelta(days=days)
    except OverflowError:
        return date.min if days > 0 else date.max


class _Compiler:
    def __init__(self, vocab: Vocabulary, dialect: Dialect, on_sql: str, on_date: date | None):
        self.vocab = vocab
        self.dialect = dialect
        self.on = on_sql
        self.on_date = on_date

    def folded(self, c: ex.Compare) -> str | None:
        """With a fixed evaluation date, compare the underlying date column with a constant.

        ``age_years(b) >= n`` is exactly ``b <= on - n years`` (29 February clamped to the
        28th), ``days_since(d) <= n`` is ``d >= on - n days``: no per-row date arithmetic.
        """
        f = self.vocab[c.fact]
        d = f.derive
        if self.on_date is None or d is None or d.fn not in ("age_years", "days_since"):
            return None
        if c.op not in SQL_OPS or not isinstance(c.value, int) or isinstance(c.value, bool):
            return None
        col = self.fact(d.of)
        n = c.value
        on = self.on_date
        if d.fn == "age_years":
            at_least = {  # age >= k  <=>  born on or before _shift_years(on, k)
                "ge": f"{col} <= {literal(_shift_years(on, n))}",
                "gt": f"{col} <= {literal(_shift_years(on, n + 1))}",
                "lt": f"{col} > {literal(_shift_years(on, n))}",
                "le": f"{col} > {literal(_shift_years(on, n + 1))}",
                "eq": f"{col} <= {literal(_shift_years(on, n))} AND {col} > {literal(_shift_years(on, n + 1))}",
                "ne": f"{col} > {literal(_shift_years(on, n))} OR {col} <= {literal(_shift_years(on, n + 1))}",
            }
            return f"({at_least[c.op]})"
        mirror = {"le": ">=", "lt": ">", "ge": "<=", "gt": "<", "eq": "=", "ne": "<>"}
        return f"({col} {mirror[c.op]} {literal(_shift_days(on, n))})"

    def fact(self, name: str) -> str:
        f = self.vocab[name]
        d = f.derive
        if d is None:
            return quote(name)
        src = self.fact(d.of)
        on = self.on
        if d.fn == "age_years":
            return (
                f"(CAST(EXTRACT(YEAR FROM {on}) AS INTEGER) - CAST(EXTRACT(YEAR FROM {src}) AS INTEGER)"
                f" - CASE WHEN EXTRACT(MONTH FROM {on}) * 100 + EXTRACT(DAY FROM {on})"
                f" < EXTRACT(MONTH FROM {src}) * 100 + EXTRACT(DAY FROM {src}) THEN 1 ELSE 0 END)"
            )
        if d.fn == "days_since":
            if self.dialect is Dialect.DUCKDB:
                return f"date_diff('day', {src}, {on})"
            return f"({on} - {src})"
        if d.fn == "multiply":
            assert d.by is not None
            by = int(d.by) if f.type is FactType.INT else d.by
            return f"({src} * {literal(by)})"
        raise ValueError(f"the ratio {name!r} can only be used in a comparison")

    def expr(self, e: ex.Expr) -> str:
        if isinstance(e, ex.Not):
            return f"(NOT {self.expr(e.item)})"
        if isinstance(e, ex.AllOf):
            return "(" + " AND ".join(self.expr(i) for i in e.items) + ")"
        if isinstance(e, ex.AnyOf):
            return "(" + " OR ".join(self.expr(i) for i in e.items) + ")"
        return self.compare(e)

    def compare(self, c: ex.Compare) -> str:
        if c.op == "is_true":
            return f"({self.fact(c.fact)} = TRUE)"
        if c.op == "is_false":
            return f"({self.fact(c.fact)} = FALSE)"
        if c.op in ex.SET_OPS:
            assert isinstance(c.value, tuple) and c.value
            items = ", ".join(literal(v) for v in c.value)
            neg = "NOT " if c.op == "not_in" else ""
            return f"({self.fact(c.fact)} {neg}IN ({items}))"
        assert c.value is not None and not isinstance(c.value, tuple)
        folded = self.folded(c)
        if folded is not None:
            return folded
        op = SQL_OPS[c.op]
        parts = self.vocab.ratio_parts(c.fact)
        if parts is not None:
            num, den = self.fact(parts[0]), self.fact(parts[1])
            return f"(CASE WHEN {den} > 0 THEN {num} {op} {literal(c.value)} * {den} END)"
        return f"({self.fact(c.fact)} {op} {literal(c.value)})"


def _group_sql(combine: str, cols: Sequence[str]) -> str:
    if combine == Combine.ALL:
        return "(" + " AND ".join(cols) + ")"
    joined = "(" + " OR ".join(cols) + ")"
    return f"(NOT {joined})" if combine == Combine.NONE else joined


def group_column(group_id: str) -> str:
    return f"grp_{group_id}"


def compile_select(
    ruleset: Ruleset,
    *,
    source: str,
    dialect: Dialect | str,
    on: date | None = None,
    on_column: str | None = None,
    keys: Sequence[str] = ("id",),
) -> str:
    """SELECT keys, one column per criterion, ``grp_<group>`` per group and ``overall``.

    The evaluation date is either a fixed ``on`` date or a column of the source
    (``on_column``, e.g. each request's received date).
    """
    d = Dialect(dialect)
    if (on is None) == (on_column is None):
        raise ValueError("give exactly one of on= or on_column=")
    on_sql = literal(on) if on is not None else quote(str(on_column))
    comp = _Compiler(ruleset.vocabulary, d, on_sql, on)
    crit_ids = [c.id for c in ruleset.criteria]
    clash = set(keys) & (set(crit_ids) | {group_column(g.id) for g in ruleset.groups} | {"overall"})
    if clash:
        raise ValueError(f"key columns clash with result columns: {sorted(clash)}")
    key_sql = [quote(k) for k in keys]
    inner = ",\n    ".join(key_sql + [f"{comp.expr(c.when)} AS {quote(c.id)}" for c in ruleset.criteria])
    group_sql: dict[str, str] = {}
    for g in ruleset.groups:
        cols = [quote(c.id) for c in ruleset.criteria_in(g.id)]
        group_sql[g.id] = _group_sql(g.combine, cols)
    # considerations have their group column but never enter the overall result (docs/decisions/0015)
    overall = " AND ".join(group_sql[g.id] for g in ruleset.groups if g.condition)
    outer = key_sql + [quote(c) for c in crit_ids]
    outer += [f"{sql} AS {quote(group_column(gid))}" for gid, sql in group_sql.items()]
    outer.append(f"({overall}) AS \"overall\"")
    # the parameter values inlined below (the same the explained evaluator uses), one comment line each
    params = "".join(
        "-- " + " ".join(f"{p.name} = {p.value} (from {p.since}{', draft' if p.status == 'draft' else ''})".split())
        + "\n"
        for p in ruleset.parameters.values()
    )
    return (
        f"-- eligibility {ruleset.service} {ruleset.version} (effective {ruleset.effective_from}), {d.value}\n"
        + params
        + "SELECT\n  " + ",\n  ".join(outer) + "\nFROM (\n  SELECT\n    " + inner
        + f"\n  FROM {quote_source(source)}\n) AS criteria"
    )


def compile_summary(
    ruleset: Ruleset,
    *,
    source: str,
    dialect: Dialect | str,
    on: date | None = None,
    on_column: str | None = None,
) -> str:
    """One row: for ``overall`` and every criterion, how many rows are YES / NO / UNKNOWN.

    Columns are ``<name>_yes``, ``<name>_no``, ``<name>_unknown`` (name = criterion id
    or ``overall``), plus ``total``: what proactive targeting needs. A single scan
    counts, per result column, the rows that are TRUE and the rows that are known
    (``count(col)`` skips NULL); NO and UNKNOWN follow by subtraction.
    """
    d = Dialect(dialect)
    select = compile_select(ruleset, source=source, dialect=d, on=on, on_column=on_column, keys=())
    names = [c.id for c in ruleset.criteria] + ["overall"]
    inner: list[str] = ['count(*) AS "total"']
    outer: list[str] = ['"total"']
    for i, name in enumerate(names):
        q = quote(name)
        # DuckDB's count_if is markedly faster than an aggregate FILTER clause
        yes = f"count_if({q})" if d is Dialect.DUCKDB else f"count(*) FILTER (WHERE {q})"
        inner += [f'{yes} AS "y{i}"', f'count({q}) AS "k{i}"']
        outer += [
            f'"y{i}" AS {quote(name + "_yes")}',
            f'"k{i}" - "y{i}" AS {quote(name + "_no")}',
            f'"total" - "k{i}" AS {quote(name + "_unknown")}',
        ]
    return (
        "SELECT\n  " + ",\n  ".join(outer) + "\nFROM (\nSELECT\n  " + ",\n  ".join(inner)
        + f"\nFROM (\n{select}\n) AS evaluated\n) AS counted"
    )


def facts_table_ddl(
    vocab: Vocabulary, table: str, facts: Sequence[str], dialect: Dialect | str,
    keys: Sequence[tuple[str, str]] = (("id", "BIGINT"),), temporary: bool = False,
) -> str:
    """CREATE TABLE for a population of facts (base facts only; derived ones are computed)."""
    d = Dialect(dialect)
    cols = [f"{quote(k)} {t}" for k, t in keys]
    for name in facts:
        f = vocab[name]
        if f.derived:
            raise ValueError(f"{name!r} is derived: store its base facts instead")
        cols.append(f"{quote(name)} {sql_type(f.type, d, [v.code for v in f.values])}")
    temp = "TEMPORARY " if temporary else ""
    return f"CREATE {temp}TABLE {quote_source(table)} (\n  " + ",\n  ".join(cols) + "\n)"
