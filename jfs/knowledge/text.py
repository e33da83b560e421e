"""Thai and English text for the knowledge base's search: normalise, segment Thai words (pythainlp's
newmm over its bundled dictionary, never a download), fold tone marks and English word endings into
index terms, split compounds into their parts, and suggest index words for misspelt ones (edit
distance over a deletion index, with the lk82 Thai soundex as a second opinion).
See docs/decisions/0021-thai-search.md."""

from __future__ import annotations

import os

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")  # set before pythainlp is imported: nothing is fetched at run time

import re  # noqa: E402
import threading  # noqa: E402
import unicodedata  # noqa: E402
from collections.abc import Iterable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from functools import lru_cache  # noqa: E402

from pythainlp.corpus import thai_words  # noqa: E402
from pythainlp.soundex import lk82  # noqa: E402
from pythainlp.tokenize import word_tokenize  # noqa: E402
from pythainlp.util import Trie, dict_trie  # noqa: E402
from pythainlp.util import normalize as thai_normalize  # noqa: E402

#: the longest query we read (characters); the rest is ignored, never an error
MAX_QUERY = 200
THAI = re.compile(r"[\u0e00-\u0e7f]")
WORDISH = re.compile(r"[0-9a-z\u0e00-\u0e7f]")
TONE_MARKS = dict.fromkeys(map(ord, "\u0e48\u0e49\u0e4a\u0e4b"))
#: question words and particles that say nothing about the topic (pythainlp's own stop list is far
#: larger and drops words people search for, such as ช่วยเหลือ, ผล, วัน)
STOP_TH = frozenset(
    "อะไร บ้าง อย่างไร ยังไง ไหม มั้ย หรือไม่ หรือเปล่า ครับ ค่ะ คะ คับ จ้า นะ ที่ และ ของ ใน จะ ได้ ไหน "
    "ว่า ให้ กับ แล้ว หรือ ก็ คือ เป็น มี ไป มา นี้ นั้น ผม ฉัน ดิฉัน หนู เรา ท่าน การ ความ อยาก ต้องการ "
    "เมื่อ ถ้า หาก ทำ ต้อง ไม่ ยัง".split()
)
STOP_EN = frozenset(
    "a an the of to in on for and or is are was be been can could do does did i my me we you your it its "
    "how what when where who which why with by at from as if not no any this that there get".split()
)

_STOP_FOLDED = frozenset(w.translate(TONE_MARKS) for w in STOP_TH)
_TRIE: Trie = dict_trie(thai_words())
_SPLIT_LOCK = threading.Lock()


def normalise(text: str) -> str:
    """One form of a text: NFC, Thai spelling normalised (doubled vowels and marks, their order),
    lower case."""
    return shape(text).lower()


def shape(text: str) -> str:
    """A text as shown: NFC with Thai spelling normalised, case kept."""
    return str(thai_normalize(unicodedata.normalize("NFC", text)))


def fold(token: str) -> str:
    """The index term of a token: Thai without tone marks (a wrong or missing tone mark is a common
    typo and rarely changes which answer is meant); English with its plural or -ing/-ed ending cut."""
    if THAI.search(token):
        return token.translate(TONE_MARKS)
    if token.isascii() and token.isalpha() and not token.endswith("ss"):
        if token.endswith("ies") and len(token) > 4:
            return token[:-3] + "y"
        for suffix, longer_than in (("ing", 5), ("ed", 4), ("s", 3)):
            if token.endswith(suffix) and len(token) > longer_than:
                return token[: -len(suffix)]
    return token


def tokens(text: str) -> list[str]:
    """The words of a text as written (normalised), Thai segmented by newmm; spaces and
    punctuation dropped."""
    words = word_tokenize(normalise(text), custom_dict=_TRIE, engine="newmm", keep_whitespace=False)
    return [w for w in (w.strip() for w in words) if w and WORDISH.search(w)]


def is_stop(word: str) -> bool:
    return word in STOP_TH or word in STOP_EN or word in _STOP_FOLDED


def folded_trie(words: Iterable[str]) -> Trie:
    """A dictionary of index terms (tone marks folded) and folded stop words, to segment a query
    again when its tone marks are wrong: "ทน้ายความ" is cut apart by the real dictionary but is
    ทนายความ once folded."""
    return Trie([*(w for w in words if THAI.search(w)), *_STOP_FOLDED])


def terms_folded(text: str, trie: Trie) -> list[tuple[str, str, tuple[str, ...]]]:
    """Like ``terms``, for the text with its tone marks taken out, segmented by ``trie``."""
    folded = normalise(text).translate(TONE_MARKS)
    words = word_tokenize(folded, custom_dict=trie, engine="newmm", keep_whitespace=False)
    return [(w, fold(w), ()) for w in (w.strip() for w in words) if w and WORDISH.search(w)]


@lru_cache(maxsize=8192)
def parts(word: str) -> tuple[str, ...]:
    """The dictionary words a Thai compound is made of ("ค่าธรรมเนียมศาล" → ค่าธรรมเนียม, ศาล), so a
    search for a part finds the compound; () for a word that is not a Thai compound."""
    if len(word) < 4 or not THAI.search(word):
        return ()
    with _SPLIT_LOCK:  # the compound is taken out of the shared dictionary for a moment
        present = word in _TRIE
        if present:
            _TRIE.remove(word)
        try:
            pieces = word_tokenize(word, custom_dict=_TRIE, engine="newmm", keep_whitespace=False)
        finally:
            if present:
                _TRIE.add(word)
    pieces = [p for p in pieces if p.strip()]
    if len(pieces) < 2:
        return ()
    return tuple(p for p in pieces if len(p) >= 2 and not is_stop(p))


def pieces(value: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """A text cut into pieces to show it again, spaces and punctuation kept: (the piece as written,
    its index term or "" for a space or a stop word, the terms of its parts)."""
    result: list[tuple[str, str, tuple[str, ...]]] = []
    for piece in word_tokenize(shape(value), custom_dict=_TRIE, engine="newmm", keep_whitespace=True):
        word = piece.lower().strip()
        if not word or not WORDISH.search(word) or is_stop(word):
            result.append((piece, "", ()))
        else:
            result.append((piece, fold(word), tuple(fold(p) for p in parts(word))))
    return result


def terms(text: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """For each word of ``text``: (the word as written, its index term, the terms of its parts)."""
    result = []
    for word in tokens(text):
        result.append((word, fold(word), tuple(fold(p) for p in parts(word))))
    return result


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count one), or ``limit + 1`` once it is over."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def allowed_distance(word: str) -> int:
    """How many edits a misspelt word may be from the word meant: none for very short words (too
    many near neighbours: Thai under three characters, English under five), one up to six
    characters, two beyond."""
    n = len(word)
    if n < 3 or (n <= 4 and word.isascii()):
        return 0
    return 1 if n <= 6 else 2


def _deletes(word: str, depth: int) -> set[str]:
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


@dataclass(frozen=True)
class Suggestion:
    term: str
    distance: int


class Speller:
    """Index words near a misspelt one: a symmetric-deletion index (SymSpell) finds every word
    within two edits in a few dictionary look-ups, then the real distance is checked; the lk82
    soundex of the word brings in words that sound the same but are written further apart
    (ศ/ส/ษ, ท/ธ/ฑ), at most three edits away."""

    def __init__(self, vocabulary: Iterable[tuple[str, int]]):
        self.frequency: dict[str, int] = {}
        self.by_delete: dict[str, set[str]] = {}
        self.by_sound: dict[str, set[str]] = {}
        for term, freq in vocabulary:
            self.frequency[term] = freq
            for d in _deletes(term, min(2, allowed_distance(term))):
                self.by_delete.setdefault(d, set()).add(term)
            if THAI.search(term) and len(term) >= 3:
                self.by_sound.setdefault(lk82(term), set()).add(term)

    def __contains__(self, term: str) -> bool:
        return term in self.frequency

    def suggest(self, word: str) -> Suggestion | None:
        """The closest index word (fewest edits, then the commonest), or None."""
        limit = allowed_distance(word)
        if limit == 0 or len(word) > 40:
            return None
        candidates: set[str] = set()
        for d in _deletes(word, limit):
            candidates |= self.by_delete.get(d, set())
        best: tuple[int, int, str] | None = None
        for term in candidates:
            dist = edit_distance(word, term, limit)
            if dist <= limit and (best is None or (dist, -self.frequency[term], term) < best):
                best = (dist, -self.frequency[term], term)
        if best is None and THAI.search(word):
            for term in self.by_sound.get(lk82(word), set()):
                dist = edit_distance(word, term, 3)
                if dist <= 3 and (best is None or (dist, -self.frequency[term], term) < best):
                    best = (dist, -self.frequency[term], term)
        return Suggestion(best[2], best[0]) if best else None
