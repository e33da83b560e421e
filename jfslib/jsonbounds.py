"""Bounds on free-form JSON input: no NUL characters, limited nesting and size.

A NUL is never meaningful text and PostgreSQL cannot store it; a value nested hundreds of levels
deep or with tens of thousands of members is not a request's details but an attack on the code
that walks it (Python's recursion limit). The walk here is iterative, so any input, however deep,
is answered with a list of problems instead of a RecursionError.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

#: nesting allowed below the value checked (a request's details use three levels at most)
MAX_DEPTH = 8
#: strings, numbers, lists and objects counted together
MAX_ITEMS = 5000

Kind = Literal["nul", "too_deep", "too_many"]


@dataclass(frozen=True)
class Problem:
    path: str  # dotted: details.costs.lawyer; list items by index
    kind: Kind


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def problems(value: Any, *, root: str = "", max_depth: int = MAX_DEPTH, max_items: int = MAX_ITEMS) -> list[Problem]:
    """Every NUL (in a string or a key), the first place nested deeper than ``max_depth``, and
    whether there are more than ``max_items`` values; in document order for NULs."""
    found: list[Problem] = []
    stack: list[tuple[Any, str, int]] = [(value, root, 0)]
    seen = 0
    while stack:
        item, path, depth = stack.pop()
        seen += 1
        if seen > max_items:
            found.append(Problem(root, "too_many"))
            break
        if isinstance(item, str):
            if "\x00" in item:
                found.append(Problem(path, "nul"))
            continue
        children: list[tuple[object, Any]]
        if isinstance(item, dict):
            children = list(item.items())
        elif isinstance(item, list | tuple):
            children = list(enumerate(item))
        else:
            continue
        if depth >= max_depth and children:
            found.append(Problem(path, "too_deep"))
            continue
        for key, child in reversed(children):
            if isinstance(key, str) and "\x00" in key:
                found.append(Problem(_join(path, key.replace("\x00", "")), "nul"))
                continue
            stack.append((child, _join(path, key), depth + 1))
    return found


#: (Thai, English) per kind, for field errors
MESSAGES: dict[Kind, tuple[str, str]] = {
    "nul": ("มีอักขระที่ไม่อนุญาต (NUL) กรุณาลบออก", "Contains a character that is not allowed (NUL)"),
    "too_deep": (f"ข้อมูลซ้อนกันลึกเกิน {MAX_DEPTH} ชั้น", f"Nested more than {MAX_DEPTH} levels deep"),
    "too_many": (f"ข้อมูลมีมากเกิน {MAX_ITEMS} รายการ", f"More than {MAX_ITEMS} values"),
}
