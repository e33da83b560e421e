"""Synthetic populations of facts for testing and benchmarking the two evaluators.

Values are drawn at random but deliberately crowd the edges: missing facts (NULL),
values exactly at every threshold the rules compare against and one step either
side, birthdays exactly N years before the evaluation date (29 February included),
incidents exactly N days before it, and household incomes whose per-member figure
lands exactly on a ratio limit.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from jfslib.eligibility import expr as ex
from jfslib.eligibility.facts import FactType, FactValue, Vocabulary
from jfslib.eligibility.rules import Ruleset

CENT = Decimal("0.01")
ZERO = Decimal(0)


@dataclass
class Edges:
    """Interesting values per base fact, collected from the rules' comparisons."""

    numbers: dict[str, set[Decimal]] = field(default_factory=dict)
    ages: set[int] = field(default_factory=set)  # per date fact: completed years compared with
    age_facts: set[str] = field(default_factory=set)
    days: set[int] = field(default_factory=set)
    day_facts: set[str] = field(default_factory=set)
    ratios: list[tuple[str, str, Decimal]] = field(default_factory=list)  # numerator base, denominator, limit


def _walk(e: ex.Expr) -> Iterable[ex.Compare]:
    if isinstance(e, ex.Compare):
        yield e
    elif isinstance(e, ex.Not):
        yield from _walk(e.item)
    else:
        for it in e.items:
            yield from _walk(it)


def collect_edges(rulesets: Sequence[Ruleset]) -> Edges:
    edges = Edges()
    for rs in rulesets:
        vocab = rs.vocabulary
        for c in rs.criteria:
            for cmp in _walk(c.when):
                value = cmp.value
                if isinstance(value, tuple) or isinstance(value, bool) or not isinstance(value, int | Decimal):
                    continue
                f = vocab[cmp.fact]
                d = f.derive
                if d is None:
                    edges.numbers.setdefault(cmp.fact, set()).add(Decimal(value))
                elif d.fn == "age_years":
                    edges.ages.add(int(value))
                    edges.age_facts.add(d.of)
                elif d.fn == "days_since":
                    edges.days.add(int(value))
                    edges.day_facts.add(d.of)
                elif d.fn == "multiply" and d.by:
                    if vocab[d.of].derive is None:
                        edges.numbers.setdefault(d.of, set()).add(Decimal(value) / d.by)
                elif d.fn == "ratio" and d.per:
                    num = vocab[d.of]
                    if num.derive is not None and num.derive.fn == "multiply" and num.derive.by:
                        edges.ratios.append((num.derive.of, d.per, Decimal(value) / num.derive.by))
                    elif num.derive is None:
                        edges.ratios.append((d.of, d.per, Decimal(value)))
    return edges


def _years_before(on: date, years: int) -> date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February in a common year
        return on.replace(year=on.year - years, day=28)


def facts_needed(rulesets: Sequence[Ruleset]) -> list[str]:
    names: list[str] = []
    for rs in rulesets:
        for n in rs.base_facts_used():
            if n not in names:
                names.append(n)
    return names


Drawer = Callable[[random.Random, date], FactValue]


def generate(
    rulesets: Sequence[Ruleset],
    n: int,
    *,
    seed: int = 2569,
    null_rate: float = 0.12,
    edge_rate: float = 0.45,
    dates: tuple[date, date] = (date(2016, 4, 24), date(2027, 12, 31)),
) -> list[dict[str, FactValue | None]]:
    """``n`` rows: ``id``, ``on`` (evaluation date) and every base fact the rules use."""
    rng = random.Random(seed)
    vocab: Vocabulary = rulesets[0].vocabulary
    names = facts_needed(rulesets)
    edges = collect_edges(rulesets)
    drawers = [(name, _drawer(vocab, name, edges, edge_rate)) for name in names]
    ratios = [(num, per, limit) for num, per, limit in edges.ratios if num in names and per in names]
    rand = rng.random
    span = (dates[1] - dates[0]).days + 1
    rows: list[dict[str, FactValue | None]] = []
    for i in range(n):
        if rand() < 0.03:  # evaluation days around 29 February
            on = date(rng.choice([2020, 2021, 2024, 2025]), 2, 28) + timedelta(days=rng.randrange(3))
        else:
            on = dates[0] + timedelta(days=rng.randrange(span))
        row: dict[str, FactValue | None] = {"id": i + 1, "on": on}
        for name, draw in drawers:
            row[name] = None if rand() < null_rate else draw(rng, on)
        for num, per, limit in ratios:
            if rand() < edge_rate:
                size = rng.choice((1, 2, 3, 4, 6, 12))
                row[per] = size
                row[num] = (limit * size).quantize(CENT) + rng.choice((-CENT, ZERO, ZERO, CENT))
        rows.append(row)
    return rows


def _drawer(vocab: Vocabulary, name: str, edges: Edges, edge_rate: float) -> Drawer:
    """A function drawing one value of a base fact, crowding the rules' thresholds."""
    f = vocab[name]
    t = f.type
    if t is FactType.BOOL:
        return lambda rng, on: rng.random() < 0.5
    if t is FactType.ENUM:
        codes = tuple(v.code for v in f.values)
        return lambda rng, on: rng.choice(codes)
    if t is FactType.STR:
        return lambda rng, on: rng.choice(("a", "b", "c"))
    if t is FactType.DATE:
        ages = sorted(edges.ages) if name in edges.age_facts else []
        days = sorted(edges.days) if name in edges.day_facts else []
        earliest = date(1940, 1, 1)

        def draw_date(rng: random.Random, on: date) -> FactValue:
            if ages and rng.random() < edge_rate:
                if rng.random() < 0.1:
                    year = on.year - rng.choice(ages) - rng.choice((0, 1, 2, 3))
                    return date(year - year % 4, 2, 29)  # a leap year (1900 is not in range)
                return _years_before(on, rng.choice(ages)) + timedelta(days=rng.choice((-1, 0, 0, 1)))
            if days and rng.random() < edge_rate:
                return on - timedelta(days=rng.choice(days) + rng.choice((-1, 0, 0, 1)))
            return earliest + timedelta(days=rng.randrange(max(1, (on - earliest).days + 1)))

        return draw_date
    scale = 100 if t is FactType.DECIMAL else 1
    lo = int((f.minimum if f.minimum is not None else Decimal(0)) * scale)
    marks = sorted(edges.numbers.get(name, set()))
    top_value = f.maximum if f.maximum is not None else max([Decimal(10), *marks]) * 2
    hi = int(top_value * scale)
    edge_values = [int((m * scale).to_integral_value()) + k for m in marks for k in (-1, 0, 0, 1)]
    edge_values = [min(max(v, lo), hi) for v in edge_values]

    def draw_number(rng: random.Random, on: date) -> FactValue:
        v = rng.choice(edge_values) if edge_values and rng.random() < edge_rate else rng.randint(lo, hi)
        return v if scale == 1 else Decimal(v).scaleb(-2)

    return draw_number
