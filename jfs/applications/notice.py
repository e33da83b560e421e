"""The portal's PDPA privacy notice as the consent step needs it: ``governance/privacy_notice.yaml``
(kept by the public pages, shown at /privacy/): its ``version``, ``effective`` date and purposes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

#: libyaml's safe loader where it is built in (it is in PyYAML's wheels), else the pure-Python one
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: purposes whose consent the application asks for (the others are informed only, or asked elsewhere)
APPLICATION_CONSENTS = ("registry_check", "criminal_records")
#: the registry checks that need the sensitive-data consent (``criminal_records``)
CRIMINAL_RECORD_KINDS = frozenset({"arrests", "court_cases", "detention", "probation"})


@dataclass(frozen=True)
class Purpose:
    code: str
    th: str
    en: str
    consent: bool


@dataclass(frozen=True)
class Notice:
    version: str
    effective: str
    purposes: tuple[Purpose, ...]

    def purpose(self, code: str) -> Purpose | None:
        return next((p for p in self.purposes if p.code == code), None)


def notice_path() -> Path:
    return Path(getattr(settings, "JFS_PRIVACY_NOTICE", settings.BASE_DIR / "governance" / "privacy_notice.yaml"))


def load() -> Notice:
    """The notice in force: read again whenever the file changes (a new version takes effect at once),
    else kept (parsing it is most of a consent page's time)."""
    path = notice_path()
    stamp = (str(path), path.stat().st_mtime_ns)
    cached = _CACHE.get(stamp)
    if cached is None:
        cached = _read(path)
        _CACHE.clear()
        _CACHE[stamp] = cached
    return cached


_CACHE: dict[tuple[str, int], Notice] = {}


def _read(path: Path) -> Notice:
    data: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
    purposes = tuple(
        Purpose(str(p["code"]), str(p.get("th", "")), str(p.get("en", "")), bool(p.get("consent")))
        for p in data.get("purposes") or []
        if isinstance(p, dict) and p.get("code")
    )
    return Notice(str(data.get("version", "")), str(data.get("effective", "")), purposes)
