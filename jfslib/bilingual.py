"""A refusal worded in Thai and in English, for the pure engines' input errors."""

from __future__ import annotations


class BilingualValueError(ValueError):
    """``.th`` and ``.en`` hold the message in each language; ``str(exc)`` is both,
    "Thai (English)", for logs and callers that show one string."""

    def __init__(self, th: str, en: str):
        self.th = th
        self.en = en
        super().__init__(f"{th} ({en})")

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        # pickles (e.g. across the demo loader's process boundary) with both texts
        return type(self), (self.th, self.en)

    def message(self, lang: str | None) -> str:
        """The text in the reader's language: English for "en", Thai otherwise."""
        return self.en if lang == "en" else self.th
