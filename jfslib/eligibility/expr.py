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
    raw: object,
    vocab: Vocabulary,
    params: Mapping[str, ParamValue],
    where: str,
    problems: list[str],
) -> Expr | None:
    """Parse and type-check one expression; append problems and return None when broken."""
    if not isinstance(raw, dict):
        problems.append(f"{where}: an expression is a mapping, got {raw!r}")
        return None
    logical = [k for k in ("all", "any", "not") if k in raw]
    if logical:
        if len(raw) != 1:
            problems.append(f"{where}: '{logical[0]}' must stand alone in its mapping")
            return None
        key = logical[0]
        if key == "not":
            inner = parse(raw["not"], vocab, params, f"{where}.not", problems)
            return Not(inner) if inner is not None else None
        items_raw = raw[key]
        if not isinstance(items_raw, list) or not items_raw:
            problems.append(f"{where}: '{key}' needs a non-empty list")
            return None
        items = [parse(it, vocab, params, f"{where}.{key}[{i}]", problems) for i, it in enumerate(items_raw)]
        if any(it is None for it in items):
            return None
        parsed = tuple(it for it in items if it is not None)
        return AllOf(parsed) if key == "all" else AnyOf(parsed)
    return _parse_compare(raw, vocab, params, where, problems)


def _parse_compare(
    raw: dict[str, Any],
    vocab: Vocabulary,
    params: Mapping[str, ParamValue],
    where: str,
    problems: list[str],
) -> Compare | None:
    name = raw.get("fact")
    if not isinstance(name, str):
        problems.append(f"{where}: a comparison needs 'fact' (or use all/any/not)")
        return None
    if name not in vocab:
        problems.append(f"{where}: unknown fact '{name}'")
        return None
    ops = [k for k in raw if k != "fact"]
    if len(ops) != 1 or ops[0] not in ALL_OPS:
        problems.append(f"{where}: fact '{name}' needs exactly one operator of {', '.join(ALL_OPS)}")
        return None
    op = ops[0]
    f = vocab[name]
    arg = raw[op]
    ftype = f.type
    if op in BOOL_OPS:
        if ftype is not FactType.BOOL:
            problems.append(f"{where}: {op} needs a bool fact, '{name}' is {ftype.value}")
            return None
        if arg is not True:
            problems.append(f"{where}: write '{op}: true'")
            return None
        return Compare(name, op)
    is_ratio = vocab.ratio_parts(name) is not None
    if op in SET_OPS:
        if is_ratio:
            problems.append(f"{where}: '{name}' is a ratio and can only be compared (eq/ne/lt/le/gt/ge)")
            return None
        if not isinstance(arg, list) or not arg:
            problems.append(f"{where}: {op} needs a non-empty list")
            return None
        values: list[FactValue] = []
        for item in arg:
            v = _literal(ftype, item, f.values, name, where, problems)
            if v is None:
                return None
            values.append(v)
        return Compare(name, op, tuple(values))
    # eq/ne/lt/le/gt/ge
    if op not in ("eq", "ne") and not ftype.ordered:
        problems.append(f"{where}: {op} needs a number or date fact, '{name}' is {ftype.value}")
        return None
    param_name: str | None = None
    if isinstance(arg, dict):
        if set(arg) != {"param"}:
            problems.append(f"{where}: a value is a literal or {{param: name}}")
            return None
        param_name = str(arg["param"])
        p = params.get(param_name)
        if p is None:
            problems.append(f"{where}: unknown parameter '{param_name}'")
            return None
        if not _param_fits(ftype, p.type):
            problems.append(
                f"{where}: parameter '{param_name}' is {p.type.value}, fact '{name}' is {ftype.value}"
            )
            return None
        value: FactValue | None = p.value
        if ftype is FactType.DECIMAL and isinstance(value, int):
            value = Decimal(value)
    else:
        value = _literal(ftype, arg, f.values, name, where, problems)
        if value is None:
            return None
    return Compare(name, op, value, param_name)


def _param_fits(fact_type: FactType, param_type: FactType) -> bool:
    if fact_type is param_type:
        return True
    return fact_type is FactType.DECIMAL and param_type is FactType.INT


def _literal(
    ftype: FactType, raw: object, enum_values: tuple[Any, ...], name: str, where: str, problems: list[str]
) -> FactValue | None:
    v = parse_literal(FactType.STR if ftype is FactType.ENUM else ftype, raw)
    if v is None:
        problems.append(f"{where}: {raw!r} is not a {ftype.value} value for fact '{name}'")
        return None
    if ftype is FactType.ENUM and v not in {e.code for e in enum_values}:
        problems.append(f"{where}: {raw!r} is not a declared value of '{name}'")
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
