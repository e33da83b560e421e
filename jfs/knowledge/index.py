"""The knowledge base's search index: BM25 over each answer's question (weighted most), keywords and
answer text in Thai and English together, built once per process; a query's misspelt words are
replaced by the nearest index words (and said so: "did you mean"), and the words that matched are
highlighted in the results. Pure Python over jfs.knowledge.text; the entries come from
jfs.knowledge.catalogue."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from jfs.knowledge import text

#: how much a word counts in each part of an entry
FIELD_WEIGHTS = {"question": 3.0, "keywords": 2.0, "answer": 1.0}
K1 = 1.2
B = 0.75
#: a word found only through a spelling correction or as a compound's part counts this much
CORRECTED_WEIGHT = 0.8
PART_WEIGHT = 0.5
MAX_QUERY_WORDS = 24
SNIPPET_BEFORE, SNIPPET_AFTER = 20, 80  # pieces (words, spaces, punctuation)


@dataclass(frozen=True)
class Entry:
    """One question and its answer, in Thai and English."""

    slug: str
    topic: str
    question_th: str
    question_en: str
    answer_th: str
    answer_en: str
    keywords_th: tuple[str, ...] = ()
    keywords_en: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    services: tuple[str, ...] = ()

    def question(self, lang: str) -> str:
        return self.question_en if lang == "en" else self.question_th

    def answer(self, lang: str) -> str:
        return self.answer_en if lang == "en" else self.answer_th


#: a displayed word: (as written, the terms that would highlight it)
Shown = tuple[str, frozenset[str]]


@dataclass
class _Doc:
    entry: Entry
    weights: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    length: float = 0.0
    shown: dict[str, list[Shown]] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float
    question_html: SafeString
    snippet_html: SafeString


@dataclass(frozen=True)
class Result:
    query: str
    hits: list[Hit]
    #: the query with its misspelt words replaced, when any were ("did you mean")
    corrected: str = ""
    #: the query's words that are in no answer and have no near word either
    unknown: tuple[str, ...] = ()


def _shown(value: str) -> list[Shown]:
    return [(piece, frozenset((term, *p)) if term else frozenset()) for piece, term, p in text.pieces(value)]


def _join_words(words: list[str]) -> str:
    """Words joined back: no space between two Thai words, a space elsewhere."""
    out: list[str] = []
    for word in words:
        if out and not (text.THAI.search(out[-1][-1:]) and text.THAI.search(word[:1])):
            out.append(" ")
        out.append(word)
    return "".join(out)


class Index:
    """BM25 over the entries; ``search`` takes well under a millisecond per query on ~50 entries."""

    def __init__(self, entries: Sequence[Entry]):
        self.docs: list[_Doc] = []
        self.postings: dict[str, list[tuple[int, float]]] = {}
        for entry in entries:
            doc = _Doc(entry)
            fields = {
                "question": [entry.question_th, entry.question_en],
                "keywords": [" ".join(entry.keywords_th), " ".join(entry.keywords_en)],
                "answer": [entry.answer_th, entry.answer_en],
            }
            for name, values in fields.items():
                weight = FIELD_WEIGHTS[name]
                for value in values:
                    for word, term, term_parts in text.terms(value):
                        if text.is_stop(word):
                            continue
                        doc.weights[term] += weight
                        doc.length += weight
                        for p in term_parts:
                            doc.weights[p] += weight * PART_WEIGHT
            for lang in ("th", "en"):
                doc.shown[f"question_{lang}"] = _shown(entry.question(lang))
                doc.shown[f"answer_{lang}"] = _shown(entry.answer(lang))
            self.docs.append(doc)
        n = len(self.docs) or 1
        self.avg_length = sum(d.length for d in self.docs) / n or 1.0
        frequency: Counter[str] = Counter()
        for i, doc in enumerate(self.docs):
            for term, w in doc.weights.items():
                self.postings.setdefault(term, []).append((i, w))
                frequency[term] += 1
        self.idf = {t: math.log(1 + (n - df + 0.5) / (df + 0.5)) for t, df in frequency.items()}
        self.speller = text.Speller(frequency.items())
        self.folded_trie = text.folded_trie(frequency)
        self.by_slug = {d.entry.slug: d.entry for d in self.docs}
        self.written: dict[str, str] = {}
        for doc in self.docs:
            for shown in doc.shown.values():
                for piece, keys in shown:
                    word = piece.strip().lower()
                    if keys and word:
                        self.written.setdefault(text.fold(word), word)

    def __len__(self) -> int:
        return len(self.docs)

    def _query_terms(self, query: str) -> tuple[dict[str, float], str, tuple[str, ...]]:
        """The query's index terms with their weights, the corrected query (or "") and the words
        that matched nothing."""
        query = query[: text.MAX_QUERY]
        words = text.terms(query)[:MAX_QUERY_WORDS]
        if self._unknown(words):
            # a wrong tone mark makes the segmenter cut a word apart: segment again without them
            again = text.terms_folded(query, self.folded_trie)[:MAX_QUERY_WORDS]
            if self._unknown(again) < self._unknown(words):
                words = again
        # one slot per word as shown back: (word, its terms and their weights)
        slots: list[tuple[str, dict[str, float]]] = []
        unknown: list[str] = []
        corrected = False
        i = 0
        while i < len(words):
            word, term, term_parts = words[i]
            if text.is_stop(word):
                slots.append((word, {}))
                i += 1
                continue
            if term in self.speller:
                slots.append((word, self._with_parts(term, 1.0, term_parts)))
                i += 1
                continue
            # a word the answers do not use: a misspelling is often cut in two by the segmenter
            # ("ประกันตว" → ประกัน + ตว), so try it joined to the next and the previous word too
            options = [(0, 1, word)]
            if i + 1 < len(words):
                options.append((0, 2, word + words[i + 1][0]))
            if slots and slots[-1][0] == words[i - 1][0]:
                options.append((1, 1, words[i - 1][0] + word))
            best: tuple[int, int, int, text.Suggestion] | None = None
            for back, span, joined in options:
                s = self.speller.suggest(text.fold(joined))
                # fewest edits first, then the longest stretch of the query explained
                if s and (best is None or (s.distance, -(span + back)) < (best[3].distance, -(best[1] + best[0]))):
                    best = (back, span, 0, s)
            if best is None:
                found = {p: PART_WEIGHT for p in term_parts if p in self.speller}
                if not found:
                    unknown.append(word)
                slots.append((word, found))
                i += 1
                continue
            back, span, _, suggestion = best
            if back:
                slots.pop()
            slots.append((self._display_word(suggestion.term), self._with_parts(suggestion.term, CORRECTED_WEIGHT)))
            corrected = True
            i += span
        weights: dict[str, float] = {}
        for _, contributions in slots:
            for t, w in contributions.items():
                weights[t] = max(weights.get(t, 0.0), w)
        corrected_query = _join_words([w for w, _ in slots]) if corrected else ""
        return weights, corrected_query, tuple(unknown)

    def _unknown(self, words: list[tuple[str, str, tuple[str, ...]]]) -> int:
        return sum(1 for word, term, _ in words if not text.is_stop(word) and term not in self.speller)

    def _with_parts(self, term: str, weight: float, term_parts: Sequence[str] | None = None) -> dict[str, float]:
        """A term and the parts of its compound, the parts weighing less."""
        if term_parts is None:
            term_parts = tuple(text.fold(p) for p in text.parts(self._display_word(term)))
        found = {p: PART_WEIGHT * weight for p in term_parts if p in self.speller and p != term}
        found[term] = weight
        return found

    def _display_word(self, term: str) -> str:
        """A word as the answers write it (with its tone marks) for the term ``term``."""
        return self.written.get(term, term)

    def search(self, query: str, lang: str = "th", limit: int = 10) -> Result:
        """The entries that answer ``query``, best first, with the matched words highlighted."""
        query = (query or "").strip()
        if not query:
            return Result(query, [])
        weights, corrected, unknown = self._query_terms(query)
        scores: dict[int, float] = {}
        matched: dict[int, set[str]] = {}
        for term, qw in weights.items():
            idf = self.idf.get(term, 0.0)
            for i, tf in self.postings.get(term, ()):
                norm = K1 * (1 - B + B * self.docs[i].length / self.avg_length)
                scores[i] = scores.get(i, 0.0) + qw * idf * tf * (K1 + 1) / (tf + norm)
                matched.setdefault(i, set()).add(term)
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], self.docs[kv[0]].entry.slug))[:limit]
        hits = [
            Hit(
                entry=self.docs[i].entry,
                score=score,
                question_html=_highlight(self.docs[i].shown[f"question_{lang}"], matched[i]),
                snippet_html=_snippet(self.docs[i].shown[f"answer_{lang}"], matched[i]),
            )
            for i, score in ranked
        ]
        return Result(query, hits, corrected, unknown)

    def related(self, entry: Entry, limit: int = 3) -> list[Entry]:
        """Other entries close to ``entry`` (searched by its question), for "see also"."""
        result = self.search(entry.question_th, "th", limit + 1)
        return [h.entry for h in result.hits if h.entry.slug != entry.slug][:limit]


def _mark(word: str, keys: frozenset[str], matched: set[str]) -> str:
    if keys & matched:
        return f"<mark>{escape(word)}</mark>"
    return str(escape(word))


def _highlight(words: list[Shown], matched: set[str]) -> SafeString:
    return mark_safe("".join(_mark(w, k, matched) for w, k in words))  # noqa: S308 - each piece escaped


def _snippet(words: list[Shown], matched: set[str]) -> SafeString:
    """A window of the answer around its first matched word."""
    first = next((i for i, (_, keys) in enumerate(words) if keys & matched), 0)
    start = max(0, first - SNIPPET_BEFORE)
    end = min(len(words), start + SNIPPET_BEFORE + SNIPPET_AFTER)
    body = "".join(_mark(w, k, matched) for w, k in words[start:end]).strip()
    return mark_safe(("… " if start else "") + body + (" …" if end < len(words) else ""))  # noqa: S308
