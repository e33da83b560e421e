"""Files a data steward edits (facts, criteria, parameters, workflows): read strictly, checked by
the JSON Schemas in ``schemas/``, every problem named by file, line and path in plain words.

YAML is read the way editors read it (the YAML 1.2 core schema): only ``true``/``false`` are
booleans (``yes``, ``no``, ``on`` stay text) and dates stay text (``2016-04-24``), so what the
schema checks in the editor is exactly what the loader sees. A key written twice in one mapping
is refused (plain PyYAML silently keeps the last one).

The schemas say what a file may contain (keys, types, allowed values, required entries); the
loaders only check what a schema cannot: cross-references (facts, parameters, states exist),
dates in order, expressions that type-check.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"

Path_ = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 core scalars and no duplicate keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[object, int] = {}
        for key_node, _value in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node, yaml.ScalarNode):
                continue
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark,
                    f"the key {key!r} is written twice (first on line {seen[key] + 1})", key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)

    def construct_decimal_int(self, node: yaml.ScalarNode) -> int:
        return int(self.construct_scalar(node))


_DROPPED = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."),
)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_decimal_int)


@dataclass(frozen=True)
class Document:
    """A file's data and, for messages, the line each path starts on."""

    data: object
    label: str
    lines: Mapping[Path_, int] = field(default_factory=dict)


def _index_lines(node: yaml.Node, path: Path_, out: dict[Path_, int], depth: int = 0) -> None:
    if depth > 64 or path in out:
        return
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                _index_lines(value_node, (*path, str(key_node.value)), out, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index_lines(item, (*path, i), out, depth + 1)


def read_yaml(path: Path, label: str) -> tuple[Document | None, list[str]]:
    """Read one YAML file; on failure, the problem (file, line, what is wrong) instead."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return None, [f"{label}: cannot read the file: {exc.strerror or exc}"]
    loader = _Loader(text)
    loader.name = label
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        return None, [f"{label}: not valid YAML: {exc}"]
    finally:
        loader.dispose()
    lines: dict[Path_, int] = {}
    if node is not None:
        _index_lines(node, (), lines)
    return Document(data, label, lines), []


def to_json(value: object) -> Any:
    """The JSON form of YAML data: dates as YYYY-MM-DD, mapping keys as text, tuples as lists."""
    if isinstance(value, Mapping):
        return {_key(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _key(k: object) -> str:
    if isinstance(k, bool):
        return "true" if k else "false"
    if isinstance(k, date):
        return k.isoformat()
    return str(k)


# ---------------------------------------------------------------------- messages


def format_path(path: Sequence[str | int]) -> str:
    """``criteria[3].when.all[0]``; the top level is ``(top level)``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _where(doc: Document, path: Sequence[str | int]) -> str:
    """``file line N: path (in 'id')``: the line of the deepest part of the path found in the file."""
    line = 0
    for n in range(len(path), -1, -1):
        line = doc.lines.get(tuple(path[:n]), 0)
        if line:
            break
    hint = ""
    node: object = doc.data
    for part in path[:-1] if path else ():
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
            if isinstance(node, Mapping) and isinstance(node.get("id"), str):
                hint = f" (in '{node['id']}')"
        elif isinstance(part, str) and isinstance(node, Mapping):
            node = node.get(part)
        else:
            break
    at = f" line {line}" if line else ""
    return f"{doc.label}{at}: {format_path(path)}{hint}"


_TYPES = {
    "string": "a text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
    "object": "a mapping (key: value)", "array": "a list", "null": "empty",
}


def _show(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "…"


def _node(schema: Mapping[str, Any], schema_path: Sequence[str | int]) -> Mapping[str, Any]:
    """The schema object holding the keyword that failed."""
    node: Any = schema
    for part in schema_path[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return {}
    return node if isinstance(node, Mapping) else {}


def _explain(schema: Mapping[str, Any], err: jsonschema_rs.ValidationError) -> tuple[Sequence[str | int], str]:
    """(instance path, message) for one schema error, in words a data steward reads."""
    kind = err.kind.name
    detail = err.kind.as_dict()
    node = _node(schema, err.schema_path)
    custom = node.get("errorMessage")
    path = list(err.instance_path)
    if kind == "additionalProperties":
        allowed = sorted(node.get("properties", {}))
        unexpected = [str(k) for k in detail.get("unexpected", [])]
        parts = []
        for key in unexpected:
            guess = difflib.get_close_matches(key, allowed, n=1)
            parts.append(f"unknown key '{key}'" + (f" — did you mean '{guess[0]}'?" if guess else ""))
        known = f" (allowed here: {', '.join(allowed)})" if allowed else ""
        return ([*path, unexpected[0]] if len(unexpected) == 1 else path), "; ".join(parts) + known
    if kind == "required":
        return path, str(custom) if custom else f"'{detail.get('property')}' is missing"
    if kind == "propertyNames":
        inner = detail.get("error")
        name = getattr(inner, "instance", "?")
        inner_path = getattr(inner, "schema_path", err.schema_path)
        message = _node(schema, inner_path).get("errorMessage") or getattr(inner, "message", err.message)
        return path, f"the key {_show(name)} is not allowed: {message}"
    if custom and kind in ("type", "enum", "pattern", "minimum", "maximum", "exclusiveMinimum"):
        return path, f"should be {custom}; found {_show(err.instance)}"
    if custom and kind == "const":
        return path, f"{custom} (found {_show(err.instance)})"
    if custom:
        return path, str(custom)
    if kind == "type":
        wanted = " or ".join(_TYPES.get(t, t) for t in detail.get("types", []))
        return path, f"{_show(err.instance)} should be {wanted}"
    if kind == "enum":
        return path, f"{_show(err.instance)} is not one of: {', '.join(str(o) for o in detail.get('options', []))}"
    if kind == "minItems":
        return path, f"needs at least {detail.get('limit')} item(s)"
    if kind == "minLength":
        return path, "must not be empty"
    if kind in ("minProperties", "maxProperties") and node.get("description"):
        return path, str(node["description"])
    return path, err.message


@dataclass(frozen=True)
class Schema:
    """One schema of ``schemas/``, compiled once."""

    name: str
    document: Mapping[str, Any]
    validator: jsonschema_rs.Validator = field(compare=False, repr=False)

    def errors(self, data: object) -> list[tuple[Path_, str, str]]:
        """(path, message, keyword) for every schema problem of the data."""
        out: list[tuple[Path_, str, str]] = []
        for err in self.validator.iter_errors(to_json(data)):
            path, message = _explain(self.document, err)
            out.append((tuple(path), message, err.kind.name))
        return out

    def requiring(self, *keys: str) -> Schema:
        """The same schema with top-level keys required (e.g. a service definition after ``extends``)."""
        doc = dict(self.document)
        doc["required"] = [*doc.get("required", []), *keys]
        return Schema(self.name, doc, jsonschema_rs.validator_for(doc))


@cache
def schema(name: str) -> Schema:
    """``schemas/<name>.schema.json``."""
    document = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    return Schema(name, document, jsonschema_rs.validator_for(document))


@dataclass
class Report:
    """The problems of one file, each written ``file line N: path (in 'id'): message``.

    ``problems`` may be shared by several reports, so that loading lists every file's problems.
    """

    doc: Document
    problems: list[str] = field(default_factory=list)
    schema_errors: list[tuple[Path_, str]] = field(default_factory=list)  # (path, keyword)

    def add(self, path: Sequence[str | int], message: str) -> None:
        text = f"{_where(self.doc, path)}: {message}"
        if text not in self.problems:
            self.problems.append(text)

    def check(self, against: str | Schema) -> bool:
        """Check the file against a schema; True when it fits."""
        s = schema(against) if isinstance(against, str) else against
        errors = sorted(s.errors(self.doc.data), key=lambda e: self.doc.lines.get(e[0], 0))
        for path, message, keyword in errors:
            self.schema_errors.append((path, keyword))
            self.add(path, message)
        return not errors

    def broken(self, path: Sequence[str | int]) -> bool:
        """Whether the schema found a problem at or under ``path``, or found that something above it
        has the wrong type: the loaders skip such entries (the schema has said what is wrong)."""
        path = tuple(path)
        n = len(path)
        for p, keyword in self.schema_errors:
            if p[:n] == path or (keyword == "type" and path[: len(p)] == p):
                return True
        return False
