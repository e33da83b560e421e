"""Criterion expressions: a small typed AST read from YAML, evaluated in three-valued logic.

YAML forms (no Python is ever evaluated)::

    {fact: monthly_income, le: {param: monthly_income_limit}}   # eq ne lt le gt ge
    {fact: party_role, in: [plaintiff, defendant]}              # in, not_in
    {fact: has_welfare_card, is_true: true}                     # is_true, is_false
    {all: [...]}   {any: [...]}   {not: {...}}

Evaluation returns True (YES), False (NO) or None (UNKNOWN). A comparison over a
missing fact is UNKNOWN; all/any/not follow Kleene's strong three-valued logic, as
SQL's AND/OR/NOT do.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jfslib.datafiles import Report
from jfslib.eligibility.facts import Context, FactType, FactValue, Vocabulary, parse_literal

COMPARE_OPS = ("eq", "ne", "lt", "le", "gt", "ge")
SET_OPS = ("in", "not_in")
BOOL_OPS = ("is_true", "is_false")
ALL_OPS = COMPARE_OPS + SET_OPS + BOOL_OPS

_PY_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq, "ne": operator.ne, "lt": operator.lt,
    "le": operator.le, "gt": operator.gt, "ge": operator.ge,
}


@dataclass(frozen=True)
class Compare:
    """``fact <op> value``; ``param`` names the rule parameter the value came from, if any."""

    fact: str
    op: str
    value: FactValue | tuple[FactValue, ...] | None = None
    param: str | None = None


@dataclass(frozen=True)
class AllOf:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Not:
    item: Expr


Expr = Compare | AllOf | AnyOf | Not
Tri = bool | None
Evaluator = Callable[[Context], Tri]


@dataclass(frozen=True)
class ParamValue:
    """What an expression needs to know about a rule parameter."""

    type: FactType
    value: FactValue


# ---------------------------------------------------------------------- Kleene logic


def k_and(values: list[Tri]) -> Tri:
    unknown = False
    for v in values:
        if v is False:
            return False
        if v is None:
            unknown = True
    return None if unknown else True


def k_or(values: list[Tri]) -> Tri:
    unknown = False
    for v in values:
        if v is True:
            return True
        if v is None:
            unknown = True
    return None if unknown else False


def k_not(value: Tri) -> Tri:
    return None if value is None else not value


# ---------------------------------------------------------------------- parsing


def parse(
    raw: Any,
    vocab: Vocabulary,
    params: Mapping[str, ParamValue],
    path: tuple[str | int, ...],
    report: Report,
) -> Expr | None:
    """Check one expression's names and types and build it; report problems and return None when broken.

    Its shape (one of all / any / not / a comparison with exactly one operator) was checked by
    the schema (``schemas/rules.schema.json``); here: the facts and parameters exist, the
    operator suits the fact's type and the values are of that type.
    """
    for key, make in (("all", AllOf), ("any", AnyOf)):
        if key in raw:
            items = [parse(it, vocab, params, (*path, key, i), report) for i, it in enumerate(raw[key])]
            parsed = tuple(it for it in items if it is not None)
            return make(parsed) if len(parsed) == len(items) else None
    if "not" in raw:
        inner = parse(raw["not"], vocab, params, (*path, "not"), report)
        return Not(inner) if inner is not None else None
    return _parse_compare(raw, vocab, params, path, report)


def _parse_compare(
    raw: dict[str, Any],
    vocab: Vocabulary,
    params: Mapping[str, ParamValue],
    path: tuple[str | int, ...],
    report: Report,
) -> Compare | None:
    name = raw["fact"]
    if name not in vocab:
        report.add((*path, "fact"), f"unknown fact '{name}' (facts are declared in rules/facts.yaml)")
        return None
    op, arg = next((k, v) for k, v in raw.items() if k != "fact")
    at = (*path, op)
    ftype = vocab[name].type
    if op in BOOL_OPS:
        if ftype is not FactType.BOOL:
            report.add(at, f"{op} needs a bool fact, '{name}' is {ftype.value}")
            return None
        return Compare(name, op)
    if op in SET_OPS:
        if vocab.ratio_parts(name) is not None:
            report.add(at, f"'{name}' is a ratio and can only be compared (eq/ne/lt/le/gt/ge)")
            return None
        values = [_literal(vocab, name, item, (*at, i), report) for i, item in enumerate(arg)]
        known = tuple(v for v in values if v is not None)
        return Compare(name, op, known) if len(known) == len(values) else None
    if op not in ("eq", "ne") and not ftype.ordered:
        report.add(at, f"{op} needs a number or date fact, '{name}' is {ftype.value}")
        return None
    if not isinstance(arg, dict):
        literal = _literal(vocab, name, arg, at, report)
        return Compare(name, op, literal) if literal is not None else None
    param_name = str(arg["param"])
    p = params.get(param_name)
    if p is None:
        report.add((*at, "param"), f"unknown parameter '{param_name}' (parameters are files in rules/parameters/)")
        return None
    if not (ftype is p.type or (ftype is FactType.DECIMAL and p.type is FactType.INT)):
        report.add((*at, "param"), f"parameter '{param_name}' is {p.type.value}, fact '{name}' is {ftype.value}")
        return None
    value: FactValue = Decimal(p.value) if ftype is FactType.DECIMAL and isinstance(p.value, int) else p.value
    return Compare(name, op, value, param_name)


def _literal(vocab: Vocabulary, name: str, raw: object, at: tuple[str | int, ...], report: Report) -> FactValue | None:
    f = vocab[name]
    v = parse_literal(FactType.STR if f.type is FactType.ENUM else f.type, raw)
    if v is None:
        report.add(at, f"{raw!r} is not a {f.type.value} value for fact '{name}'")
    elif f.type is FactType.ENUM and v not in {e.code for e in f.values}:
        report.add(at, f"{raw!r} is not a declared value of '{name}' ({', '.join(e.code for e in f.values)})")
        return None
    return v


# ---------------------------------------------------------------------- facts used


def facts_in(expr: Expr) -> tuple[str, ...]:
    """Facts named by an expression, in order of first appearance."""
    out: list[str] = []

    def walk(e: Expr) -> None:
        if isinstance(e, Compare):
            if e.fact not in out:
                out.append(e.fact)
        elif isinstance(e, Not):
            walk(e.item)
        else:
            for it in e.items:
                walk(it)

    walk(expr)
    return tuple(out)


def params_in(expr: Expr) -> tuple[str, ...]:
    out: list[str] = []

    def walk(e: Expr) -> None:
        if isinstance(e, Compare):
            if e.param and e.param not in out:
                out.append(e.param)
        elif isinstance(e, Not):
            walk(e.item)
        else:
            for it in e.items:
                walk(it)

    walk(expr)
    return tuple(out)


# ---------------------------------------------------------------------- Python evaluation


class Node:
    """A compiled expression: ``ev`` gives True/False/None; ``missing`` explains a None."""

    __slots__ = ("ev",)

    ev: Evaluator

    def missing(self, ctx: Context, out: list[str]) -> None:
        raise NotImplementedError


class _Leaf(Node):
    __slots__ = ("bases",)

    def __init__(self, ev: Evaluator, bases: tuple[str, ...]):
        self.ev = ev
        self.bases = bases

    def missing(self, ctx: Context, out: list[str]) -> None:
        facts = ctx.facts
        for name in self.bases:
            if facts.get(name) is None and name not in out:
                out.append(name)


class _Branch(Node):
    __slots__ = ("parts",)

    def __init__(self, ev: Evaluator, parts: tuple[Node, ...]):
        self.ev = ev
        self.parts = parts

    def missing(self, ctx: Context, out: list[str]) -> None:
        # follow only the UNKNOWN branches: a fact that cannot change the result is not missing
        for p in self.parts:
            if p.ev(ctx) is None:
                p.missing(ctx, out)


def compile_node(expr: Expr, vocab: Vocabulary) -> Node:
    """Compile an expression once, at load; evaluation is then a few closure calls."""
    if isinstance(expr, Not):
        inner = compile_node(expr.item, vocab)
        inner_ev = inner.ev

        def not_(ctx: Context) -> Tri:
            v = inner_ev(ctx)
            return None if v is None else not v

        return _Branch(not_, (inner,))
    if isinstance(expr, AllOf | AnyOf):
        parts = tuple(compile_node(e, vocab) for e in expr.items)
        evs = tuple(p.ev for p in parts)
        # three-valued (Kleene) AND / OR: one False decides all_of, one True decides any_of;
        # otherwise an UNKNOWN part leaves the whole UNKNOWN
        decisive = isinstance(expr, AnyOf)

        def combine(ctx: Context) -> Tri:
            unknown = False
            for ev in evs:
                v = ev(ctx)
                if v is decisive:
                    return decisive
                if v is None:
                    unknown = True
            return None if unknown else not decisive

        return _Branch(combine, parts)
    return _Leaf(_compile_compare(expr, vocab), vocab.base_facts_of(expr.fact))


def _compile_compare(c: Compare, vocab: Vocabulary) -> Evaluator:
    get = vocab.getters[c.fact]
    op = c.op
    if op in ("is_true", "is_false"):
        wanted = op == "is_true"

        def is_bool(ctx: Context) -> Tri:
            v = get(ctx)
            return None if v is None else v is wanted

        return is_bool
    if op in SET_OPS:
        members = frozenset(c.value if isinstance(c.value, tuple) else ())
        negate = op == "not_in"

        def member(ctx: Context) -> Tri:
            v = get(ctx)
            if v is None:
                return None
            return (v in members) != negate

        return member
    py_op = _PY_OPS[op]
    target = c.value
    parts = vocab.ratio_parts(c.fact)
    if parts is not None:
        get_num = vocab.getters[parts[0]]
        get_den = vocab.getters[parts[1]]

        def ratio_cmp(ctx: Context) -> Tri:
            num = get_num(ctx)
            den = get_den(ctx)
            if num is None or den is None or den <= 0:
                return None
            return py_op(num, target * den)

        return ratio_cmp

    def cmp(ctx: Context) -> Tri:
        v = get(ctx)
        if v is None:
            return None
        return py_op(v, target)

    return cmp
