"""The grant rules kept as data (``governance/grants.yaml``, unconfirmed): the assessment's criteria,
its 1–5 scale, the recommendations and how long after the project's period the final report is due."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from django.conf import settings

RECOMMENDATIONS = ("support", "support_with_changes", "not_support")
SCORES = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Named:
    code: str
    th: str
    en: str

    def name(self, lang: str | None) -> str:
        return self.en if lang == "en" else self.th


@dataclass(frozen=True)
class Rules:
    criteria: tuple[Named, ...]
    scale: dict[int, Named]
    recommendations: dict[str, Named]
    final_report_days: int
    unconfirmed: bool


def path() -> Path:
    return Path(getattr(settings, "JFS_GRANTS_FILE", settings.BASE_DIR / "governance" / "grants.yaml"))


def _named(code: object, row: dict[str, object]) -> Named:
    return Named(str(code), str(row["th"]), str(row["en"]))


@lru_cache(maxsize=1)
def rules() -> Rules:
    """The file, checked: criteria with names, the scale 1–5, the three recommendations, a period."""
    data = yaml.safe_load(path().read_text(encoding="utf-8"))
    criteria = tuple(_named(code, row) for code, row in data["criteria"].items())
    if not criteria:
        raise ValueError("governance/grants.yaml: criteria: at least one is needed")
    scale = {int(k): _named(k, v) for k, v in data["scale"].items()}
    if tuple(sorted(scale)) != SCORES:
        raise ValueError("governance/grants.yaml: scale must name the scores 1 to 5")
    recs = {str(k): _named(k, v) for k, v in data["recommendations"].items()}
    if set(recs) != set(RECOMMENDATIONS):
        raise ValueError(f"governance/grants.yaml: recommendations must be {', '.join(RECOMMENDATIONS)}")
    days = int(data["final_report_days"])
    if not 0 < days <= 365:
        raise ValueError("governance/grants.yaml: final_report_days must be 1 to 365")
    return Rules(criteria, scale, recs, days, bool(data.get("unconfirmed", False)))
