"""A thing the rules files name in Thai and English (a kind, a state, a way to meet): its key, its
two names, and the one to show in a language. Shared by the policies read from ``governance/*.yaml``
(``jfs.complaints.policy``, ``jfs.consultations.policy``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Named:
    key: str
    th: str
    en: str

    def text(self, lang: str | None) -> str:
        """The English name when ``lang`` is "en", else the Thai one."""
        return self.en if lang == "en" else self.th
