"""The knowledge base's entries, read from ``content/knowledge/*.yaml`` (``settings.JFS_KNOWLEDGE_DIR``)
and indexed once per process; the index is rebuilt when a file changes (its name, size or time).
Each file is one topic: ``topic: {code, th, en}`` and ``entries:`` (slug, question, answer and
keywords in Thai and English, links to portal pages, services). A broken file raises
``KnowledgeError`` naming every problem (tests/test_knowledge_search.py loads the real files)."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from jfs.knowledge.index import Entry, Index, Result

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: the portal pages an answer may link to (the portal turns them into links by its URL names)
LINKS = frozenset(
    {"selfcheck", "apply", "my_requests", "complaints", "consult", "offices", "privacy", "services", "accessibility"}
)


class KnowledgeError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("knowledge base files are invalid:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class Topic:
    code: str
    th: str
    en: str
    slugs: tuple[str, ...]

    def name(self, lang: str) -> str:
        return self.en if lang == "en" else self.th


@dataclass(frozen=True)
class Catalogue:
    index: Index
    topics: tuple[Topic, ...]


_lock = threading.Lock()
_cached: tuple[tuple[tuple[str, int, int], ...], Catalogue] | None = None


def knowledge_dir() -> Path:
    return Path(getattr(settings, "JFS_KNOWLEDGE_DIR", settings.BASE_DIR / "content" / "knowledge"))


def _pair(raw: Any, where: str, key: str, problems: list[str]) -> tuple[str, str]:
    value = raw.get(key) if isinstance(raw, dict) else None
    if not isinstance(value, dict) or not all(isinstance(value.get(k), str) and value[k].strip() for k in ("th", "en")):
        problems.append(f"{where}: '{key}' must give 'th' and 'en' texts")
        return "", ""
    return value["th"].strip(), value["en"].strip()


def _words(raw: Any, where: str, problems: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    value = raw.get("keywords", {}) if isinstance(raw, dict) else {}
    if not isinstance(value, dict):
        problems.append(f"{where}: 'keywords' must be {{th: [...], en: [...]}}")
        return (), ()
    out = []
    for lang in ("th", "en"):
        words = value.get(lang, [])
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            problems.append(f"{where}: keywords.{lang} must be a list of words")
            words = []
        out.append(tuple(words))
    return out[0], out[1]


def read(directory: Path) -> Catalogue:
    """Every topic file in ``directory``, checked; an index over their entries."""
    problems: list[str] = []
    entries: list[Entry] = []
    topics: list[Topic] = []
    seen: set[str] = set()
    for path in sorted(directory.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            problems.append(f"{path.name}: {exc}")
            continue
        if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
            problems.append(f"{path.name}: must have 'topic' and a list of 'entries'")
            continue
        code = str((data.get("topic") or {}).get("code", "")) if isinstance(data.get("topic"), dict) else ""
        topic_th, topic_en = _pair(data, path.name, "topic", problems)
        slugs: list[str] = []
        for n, raw in enumerate(data["entries"], 1):
            where = f"{path.name} entry {n}"
            slug = raw.get("slug") if isinstance(raw, dict) else None
            if not isinstance(slug, str) or not SLUG_RE.match(slug):
                problems.append(f"{where}: 'slug' must be lower-case words joined by '-'")
                continue
            where = f"{path.name} {slug}"
            if slug in seen:
                problems.append(f"{where}: the slug is used twice")
            seen.add(slug)
            q_th, q_en = _pair(raw, where, "question", problems)
            a_th, a_en = _pair(raw, where, "answer", problems)
            k_th, k_en = _words(raw, where, problems)
            links = raw.get("links", [])
            if not isinstance(links, list) or any(link not in LINKS for link in links):
                problems.append(f"{where}: links must be among {sorted(LINKS)}")
                links = []
            services = raw.get("services", [])
            if not isinstance(services, list) or not all(isinstance(s, str) for s in services):
                problems.append(f"{where}: services must be a list of service codes")
                services = []
            entries.append(Entry(slug, code, q_th, q_en, a_th, a_en, k_th, k_en, tuple(links), tuple(services)))
            slugs.append(slug)
        topics.append(Topic(code, topic_th, topic_en, tuple(slugs)))
    if not entries and not problems:
        problems.append(f"no knowledge base files in {directory}")
    if problems:
        raise KnowledgeError(problems)
    return Catalogue(Index(entries), tuple(topics))


def _stamp(directory: Path) -> tuple[tuple[str, int, int], ...]:
    stamps = []
    for path in sorted(directory.glob("*.yaml")):
        st = path.stat()
        stamps.append((path.name, st.st_size, st.st_mtime_ns))
    return tuple(stamps)


def catalogue() -> Catalogue:
    """The indexed knowledge base, built once per process and again when a file changed."""
    global _cached
    directory = knowledge_dir()
    stamp = _stamp(directory)
    cached = _cached
    if cached is not None and cached[0] == stamp:
        return cached[1]
    with _lock:
        if _cached is None or _cached[0] != stamp:
            _cached = (stamp, read(directory))
        return _cached[1]


def search(query: str, lang: str = "th", limit: int = 10) -> Result:
    return catalogue().index.search(query, lang, limit)


def entry(slug: str) -> Entry | None:
    return catalogue().index.by_slug.get(slug)


def related(item: Entry, limit: int = 3) -> list[Entry]:
    return catalogue().index.related(item, limit)


def topics() -> tuple[Topic, ...]:
    return catalogue().topics
