"""Coded decision reasons, read from ``workflows/_reasons.yaml``, and the outcomes they explain.

A decision (``jfs.decisions``) records an outcome and one or more reasons that fit it
(``valid_for``); pages show both by name (``outcome_name``, ``Reason.name``), never as codes.
``for_outcome`` is the one place that says which reasons a form offers for an outcome. Each reason
names its basis and the category of fact it rests on; ``X01``-style codes marked ``other`` are the
catch-all whose sole use is reported (``is_other``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import yaml
from django.conf import settings


@dataclass(frozen=True)
class Reason:
    code: str
    outcomes: tuple[str, ...]
    th: str
    en: str
    basis: str
    category: str = "other"
    cause: str = ""
    other: bool = False
    unconfirmed: bool = False

    def name(self, lang: str | None) -> str:
        """The reason in words, in the reader's language (English for "en", Thai otherwise)."""
        return self.en if lang == "en" else self.th


#: the outcomes of a decision, in the order forms offer them, with their Thai and English names
OUTCOME_NAMES: dict[str, tuple[str, str]] = {
    "approved": ("อนุมัติ", "Approved"),
    "partially_approved": ("อนุมัติบางส่วน", "Partly approved"),
    "rejected": ("ไม่อนุมัติ", "Rejected"),
    "terminated": ("ยุติเรื่อง", "Terminated"),
    "referred": ("ส่งต่อหน่วยงานอื่น", "Referred to another agency"),
}

#: why a request was terminated (a terminated decision names one), with Thai and English names
CAUSE_NAMES: dict[str, tuple[str, str]] = {
    "withdrawn": ("ผู้ขอถอนคำขอ", "Withdrawn by the applicant"),
    "duplicate": ("คำขอซ้ำ", "Duplicate request"),
    "outside_mission": ("อยู่นอกภารกิจของกองทุน", "Outside the Fund's mission"),
    "referred": ("ส่งต่อหน่วยงานอื่น", "Referred elsewhere"),
    "unreachable": ("ติดต่อผู้ขอไม่ได้", "Applicant unreachable"),
    "other": ("เหตุอื่น", "Other"),
}

#: the names of the categories of fact a reason rests on
CATEGORY_NAMES: dict[str, tuple[str, str]] = {
    "condition": ("เงื่อนไขการขอรับความช่วยเหลือ", "Condition of assistance"),
    "hardship": ("สถานะและความเดือดร้อนของผู้ขอ", "The applicant's status and hardship"),
    "merit": ("พฤติการณ์และข้อเท็จจริงแห่งกรณี", "Facts and merit of the case"),
    "risk": ("ความเสี่ยงในการปล่อยชั่วคราว", "Bail risks"),
    "other_law": ("ความช่วยเหลือตามกฎหมายอื่น", "Help under other laws"),
    "procedure": ("อัตราและวิธีการของกองทุน", "The Fund's scales and procedures"),
    "termination": ("การยุติเรื่อง", "Termination"),
    "referral": ("การส่งต่อ", "Referral"),
    "appeal": ("การอุทธรณ์", "Appeal"),
    "other": ("อื่น ๆ", "Other"),
}


def cause_name(cause: str, lang: str | None) -> str:
    names = CAUSE_NAMES.get(cause)
    if names is None:
        return cause
    return names[1] if lang == "en" else names[0]


def category_name(category: str, lang: str | None) -> str:
    names = CATEGORY_NAMES.get(category)
    if names is None:
        return category
    return names[1] if lang == "en" else names[0]


def outcome_name(outcome: str, lang: str | None) -> str:
    """An outcome in words ("" for none; an unknown code as is, never a crash)."""
    names = OUTCOME_NAMES.get(outcome)
    if names is None:
        return outcome
    return names[1] if lang == "en" else names[0]


@lru_cache(maxsize=1)
def all_reasons() -> dict[str, Reason]:
    data = yaml.safe_load((settings.WORKFLOW_DIR / "_reasons.yaml").read_text(encoding="utf-8"))
    return {
        code: Reason(code, tuple(r["outcome"]), r["th"], r["en"], r["basis"], str(r.get("category", "other")),
                     str(r.get("cause", "")), r.get("other") is True, r.get("unconfirmed") is True)
        for code, r in data["reasons"].items()
    }


def is_other(code: str) -> bool:
    """Whether ``code`` is a catch-all ("another reason") code."""
    r = all_reasons().get(code)
    return bool(r and r.other)


def valid_for(code: str, outcome: str) -> bool:
    r = all_reasons().get(code)
    return bool(r and outcome in r.outcomes)


def for_outcome(outcome: str) -> list[Reason]:
    """The reasons that explain ``outcome``, in the file's order (none for an unknown outcome)."""
    return [r for r in all_reasons().values() if outcome in r.outcomes]
