"""The recovery rules that are data (``governance/recovery.yaml``, ``governance/regions.yaml``): who may
write a debt off up to how much, the fund's PromptPay biller, and the region of each province."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from jfs.core import clock


@dataclass(frozen=True)
class Tier:
    """One authority that may write a debt off: the role, central or provincial office, the most it
    may write off at once (None: no limit), and whether a committee's resolution must be named."""

    key: str
    th: str
    en: str
    role: str
    office: str  # central | provincial
    up_to: Decimal | None
    decision_required: bool

    def name(self, lang: str | None) -> str:
        return self.en if lang == "en" else self.th


@dataclass(frozen=True)
class Region:
    key: str
    th: str
    en: str

    def name(self, lang: str | None) -> str:
        return self.en if lang == "en" else self.th


def _governance(name: str) -> Path:
    return Path(settings.BASE_DIR) / "governance" / name


@lru_cache(maxsize=1)
def _recovery() -> dict[str, Any]:
    data = yaml.safe_load(_governance("recovery.yaml").read_text(encoding="utf-8"))
    sets = data["write_off"]
    for s in sets:
        for t in s["tiers"]:
            if t["office"] not in ("central", "provincial"):
                raise ValueError(f"governance/recovery.yaml: tier {t['key']}: office must be central or provincial")
    pp = data["promptpay"]
    if len(str(pp["tax_id"])) != 13 or len(str(pp["suffix"])) != 2:
        raise ValueError("governance/recovery.yaml: promptpay needs a 13-digit tax_id and a 2-digit suffix")
    return dict(data)


def tiers(on: date) -> list[Tier]:
    """The write-off authorities in force on ``on`` (the latest set dated on or before it)."""
    sets = sorted(_recovery()["write_off"], key=lambda s: s["from"])
    current = [s for s in sets if s["from"] <= on] or sets[:1]
    return [Tier(str(t["key"]), str(t["th"]), str(t["en"]), str(t["role"]), str(t["office"]),
                 None if t["up_to"] is None else Decimal(str(t["up_to"])), bool(t["decision_required"]))
            for t in current[-1]["tiers"]]


def tier(key: str, on: date) -> Tier | None:
    return next((t for t in tiers(on) if t.key == key), None)


def biller_id() -> str:
    pp = _recovery()["promptpay"]
    return f"{pp['tax_id']}{pp['suffix']}"


def terminal_label() -> str:
    return str(_recovery()["promptpay"].get("terminal_label") or "")


def unconfirmed() -> bool:
    return bool(_recovery().get("unconfirmed"))


@lru_cache(maxsize=1)
def _regions() -> tuple[dict[str, Region], dict[str, str]]:
    data = yaml.safe_load(_governance("regions.yaml").read_text(encoding="utf-8"))["regions"]
    regions = {k: Region(k, str(v["th"]), str(v["en"])) for k, v in data.items()}
    of: dict[str, str] = {}
    for k, v in data.items():
        for code in v["provinces"]:
            if str(code) in of:
                raise ValueError(f"governance/regions.yaml: province {code} is in two regions")
            of[str(code)] = k
    return regions, of


def regions() -> dict[str, Region]:
    return _regions()[0]


def region_of(province_code: str) -> Region | None:
    regions_, of = _regions()
    key = of.get(province_code)
    return regions_[key] if key else None


def check() -> None:
    """Read both files (at start-up): a broken file stops the server with its problem."""
    _recovery()
    _regions()
    tiers(clock.today())
