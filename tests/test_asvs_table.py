"""docs/security/asvs-l2.md stays true: the ASVS 4.0.3 level 2 review cites real tests and files.

The page has one row per ASVS 4.0.3 requirement that applies at level 1 or 2. This test fails when
a cited ``tests/<file>.py::<name>`` is not a module-level test function of that file (renamed or
deleted tests must be re-cited), when a row's status is not *met*, *not applicable* or *open*, when
a *met* row names no test and no existing file or setting, when an *open* row does not say what is
**Missing** and what would **Close** it, when a path in backquotes does not exist, when the rows
are not exactly the standard's L1+L2 requirements, or when the summary's counts differ from the rows.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from functools import cache
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "security" / "asvs-l2.md"
STATUSES = ("met", "not applicable", "open")

#: OWASP ASVS 4.0.3 (github.com/OWASP/ASVS, tag v4.0.3_release, 4.0/en/0x10-V1 … 0x22-V14): every
#: requirement ticked for L1 or L2, without the entries marked deleted; one line per section
ASVS_L1_L2 = """
    1.1.1 1.1.2 1.1.3 1.1.4 1.1.5 1.1.6 1.1.7
    1.2.1 1.2.2 1.2.3 1.2.4
    1.4.1 1.4.4 1.4.5
    1.5.1 1.5.2 1.5.3 1.5.4
    1.6.1 1.6.2 1.6.3 1.6.4
    1.7.1 1.7.2
    1.8.1 1.8.2
    1.9.1 1.9.2
    1.10.1
    1.11.1 1.11.2
    1.12.2
    1.14.1 1.14.2 1.14.3 1.14.4 1.14.5 1.14.6
    2.1.1 2.1.2 2.1.3 2.1.4 2.1.5 2.1.6 2.1.7 2.1.8 2.1.9 2.1.10 2.1.11 2.1.12
    2.2.1 2.2.2 2.2.3
    2.3.1 2.3.2 2.3.3
    2.4.1 2.4.2 2.4.3 2.4.4 2.4.5
    2.5.1 2.5.2 2.5.3 2.5.4 2.5.5 2.5.6 2.5.7
    2.6.1 2.6.2 2.6.3
    2.7.1 2.7.2 2.7.3 2.7.4 2.7.5 2.7.6
    2.8.1 2.8.2 2.8.3 2.8.4 2.8.5 2.8.6 2.8.7
    2.9.1 2.9.2 2.9.3
    2.10.1 2.10.2 2.10.3 2.10.4
    3.1.1
    3.2.1 3.2.2 3.2.3 3.2.4
    3.3.1 3.3.2 3.3.3 3.3.4
    3.4.1 3.4.2 3.4.3 3.4.4 3.4.5
    3.5.1 3.5.2 3.5.3
    3.7.1
    4.1.1 4.1.2 4.1.3 4.1.5
    4.2.1 4.2.2
    4.3.1 4.3.2 4.3.3
    5.1.1 5.1.2 5.1.3 5.1.4 5.1.5
    5.2.1 5.2.2 5.2.3 5.2.4 5.2.5 5.2.6 5.2.7 5.2.8
    5.3.1 5.3.2 5.3.3 5.3.4 5.3.5 5.3.6 5.3.7 5.3.8 5.3.9 5.3.10
    5.4.1 5.4.2 5.4.3
    5.5.1 5.5.2 5.5.3 5.5.4
    6.1.1 6.1.2 6.1.3
    6.2.1 6.2.2 6.2.3 6.2.4 6.2.5 6.2.6
    6.3.1 6.3.2
    6.4.1 6.4.2
    7.1.1 7.1.2 7.1.3 7.1.4
    7.2.1 7.2.2
    7.3.1 7.3.3 7.3.4
    7.4.1 7.4.2 7.4.3
    8.1.1 8.1.2 8.1.3 8.1.4
    8.2.1 8.2.2 8.2.3
    8.3.1 8.3.2 8.3.3 8.3.4 8.3.5 8.3.6 8.3.7 8.3.8
    9.1.1 9.1.2 9.1.3
    9.2.1 9.2.2 9.2.3 9.2.4
    10.2.1 10.2.2
    10.3.1 10.3.2 10.3.3
    11.1.1 11.1.2 11.1.3 11.1.4 11.1.5 11.1.6 11.1.7 11.1.8
    12.1.1 12.1.2 12.1.3
    12.2.1
    12.3.1 12.3.2 12.3.3 12.3.4 12.3.5 12.3.6
    12.4.1 12.4.2
    12.5.1 12.5.2
    12.6.1
    13.1.1 13.1.3 13.1.4 13.1.5
    13.2.1 13.2.2 13.2.3 13.2.5 13.2.6
    13.3.1 13.3.2
    13.4.1 13.4.2
    14.1.1 14.1.2 14.1.3 14.1.4
    14.2.1 14.2.2 14.2.3 14.2.4 14.2.5 14.2.6
    14.3.2 14.3.3
    14.4.1 14.4.2 14.4.3 14.4.4 14.4.5 14.4.6 14.4.7
    14.5.1 14.5.2 14.5.3 14.5.4
""".split()

ID = re.compile(r"^\d+\.\d+\.\d+$")
CITATION = re.compile(r"(tests/[\w/]+?\.py)::(\w+)")
CODE = re.compile(r"`([^`]+)`")
PATH = re.compile(r"^[\w.-]+(/[\w.-]*)+$")
SETTING = re.compile(r"^[A-Z][A-Z0-9_]+$")
CHAPTER = re.compile(r"^V(\d+) ")


def cells(line: str) -> list[str]:
    """A markdown table line's cells (a ``\\|`` inside a cell is not a separator)."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def table_lines() -> list[str]:
    return [line for line in DOC.read_text(encoding="utf-8").splitlines() if line.startswith("|")]


def rows() -> list[list[str]]:
    """The requirement rows: ID, paraphrase, level, status, evidence."""
    found = [c for c in map(cells, table_lines()) if c and ID.match(c[0])]
    assert found, "no requirement rows found"
    return found


@cache
def functions_of(path: str) -> frozenset[str]:
    """Module-level ``test_…`` functions of a test file (a parametrised one is one of them)."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return frozenset(node.name for node in tree.body
                     if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_"))


def repo_paths(text: str) -> list[str]:
    """Backquoted paths that start with a top-level entry of the repository (``jfs/…``, ``deploy/…``)."""
    top = {p.name for p in ROOT.iterdir()}
    return [c for c in CODE.findall(text) if PATH.match(c) and c.split("/")[0] in top and "::" not in c]


def named_settings(text: str) -> list[str]:
    return [c for c in CODE.findall(text) if SETTING.match(c) and hasattr(settings, c)]


def test_every_cited_test_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    citations = set(CITATION.findall(text))
    assert citations
    missing = sorted(f"{path}::{name}" for path, name in citations
                     if not (ROOT / path).is_file() or name not in functions_of(path))
    assert not missing, f"cited but not a test function of that file: {missing}"


def test_every_row_has_a_known_status_and_level() -> None:
    for row in rows():
        assert len(row) == 5, row
        assert row[3] in STATUSES, f"{row[0]}: status {row[3]!r} is not one of {STATUSES}"
        assert row[2] in ("L1", "L2"), f"{row[0]}: level {row[2]!r}"
        assert row[1] and row[4], f"{row[0]}: paraphrase and evidence must not be empty"


def test_every_met_row_cites_a_test_or_a_file_or_setting() -> None:
    bare = [row[0] for row in rows() if row[3] == "met"
            and not (CITATION.search(row[4]) or repo_paths(row[4]) or named_settings(row[4]))]
    assert not bare, f"met without a test, file or setting: {bare}"


def test_every_open_row_says_what_is_missing_and_what_would_close_it() -> None:
    vague = [row[0] for row in rows() if row[3] == "open"
             and not ("**Missing:**" in row[4] and "**Close:**" in row[4])]
    assert not vague, f"open rows without **Missing:** and **Close:**: {vague}"


def test_every_cited_path_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = sorted({p for p in repo_paths(text) if not (ROOT / p).exists()})
    assert not missing, f"paths named on the page that do not exist: {missing}"


def test_the_rows_are_exactly_the_asvs_level_1_and_2_requirements() -> None:
    ids = [row[0] for row in rows()]
    duplicates = sorted(i for i, n in Counter(ids).items() if n > 1)
    assert not duplicates, duplicates
    assert len(ASVS_L1_L2) == len(set(ASVS_L1_L2)) == 259
    assert set(ids) == set(ASVS_L1_L2), {"missing": sorted(set(ASVS_L1_L2) - set(ids)),
                                         "not in ASVS L1/L2": sorted(set(ids) - set(ASVS_L1_L2))}


def test_the_summary_counts_match_the_rows() -> None:
    all_rows = rows()
    counts = Counter(row[3] for row in all_rows)
    per_chapter: dict[int, Counter[str]] = {}
    for row in all_rows:
        per_chapter.setdefault(int(row[0].split(".")[0]), Counter())[row[3]] += 1
    summary: dict[str, str] = {}
    chapters: dict[int, list[int]] = {}
    for c in map(cells, table_lines()):
        if len(c) == 2 and c[0].strip("*") in (*STATUSES, "total"):
            summary[c[0].strip("*")] = c[1].strip("*")
        elif len(c) == 4 and (m := CHAPTER.match(c[0])):
            chapters[int(m.group(1))] = [int(x) for x in c[1:]]
    assert summary == {**{s: str(counts[s]) for s in STATUSES}, "total": str(len(all_rows))}
    assert chapters == {ch: [n[s] for s in STATUSES] for ch, n in per_chapter.items()}
