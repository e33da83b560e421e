"""The ledger's accounts, read from ``governance/accounts.yaml`` (codes, names, normal side)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from django.conf import settings

CASH = "1101"
BAIL_DEPOSITED = "1201"
ABSCONDER_RECEIVABLE = "1301"
AID_EXPENSE = "5101"
BAIL_FORFEITED = "5201"
WRITTEN_OFF = "5301"
BUDGET_AVAILABLE = "8101"
BUDGET_COMMITTED = "8201"
BUDGET_SPENT = "8301"
BUDGET_ALLOTTED = "8901"


@dataclass(frozen=True)
class Account:
    code: str
    th: str
    en: str
    normal: str  # debit | credit

    def name(self, lang: str | None) -> str:
        return self.en if lang == "en" else self.th


def path() -> Path:
    return Path(getattr(settings, "JFS_ACCOUNTS_FILE", settings.BASE_DIR / "governance" / "accounts.yaml"))


@lru_cache(maxsize=1)
def chart() -> dict[str, Account]:
    """Every account, checked: the codes the services post to are all there."""
    data = yaml.safe_load(path().read_text(encoding="utf-8"))
    found = {str(code): Account(str(code), str(a["th"]), str(a["en"]), str(a["normal"]))
             for code, a in data["accounts"].items()}
    needed = {CASH, BAIL_DEPOSITED, ABSCONDER_RECEIVABLE, AID_EXPENSE, BAIL_FORFEITED, WRITTEN_OFF,
              BUDGET_AVAILABLE, BUDGET_COMMITTED, BUDGET_SPENT, BUDGET_ALLOTTED}
    missing = needed - set(found)
    if missing:
        raise ValueError(f"governance/accounts.yaml: accounts missing: {', '.join(sorted(missing))}")
    bad = [a.code for a in found.values() if a.normal not in ("debit", "credit")]
    if bad:
        raise ValueError(f"governance/accounts.yaml: normal must be debit or credit: {', '.join(bad)}")
    return found
