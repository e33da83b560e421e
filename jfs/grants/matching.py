"""How the grantee's history recognises an organisation: by its registration number (digits and
letters only, upper case), else by its name folded (case, spaces and punctuation ignored, and the
common Thai forms of "foundation" / "association" written the same way)."""

from __future__ import annotations

import unicodedata

#: how the same organisation is often written: abbreviations spelt out
_FORMS = (("มูลนิธิฯ", "มูลนิธิ"), ("สมาคมฯ", "สมาคม"), ("มนธ.", "มูลนิธิ"))


def _letters(text: str) -> str:
    """Without spaces, punctuation and symbols (Thai vowel and tone marks are kept)."""
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LMN")


def registration_key(value: str) -> str:
    return _letters(unicodedata.normalize("NFKC", value or "")).upper()[:60]


def name_key(value: str) -> str:
    text = unicodedata.normalize("NFKC", value or "").casefold()
    for short, long in _FORMS:
        text = text.replace(short, long)
    return _letters(text)[:200]
