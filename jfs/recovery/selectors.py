"""Reads of recovery from absconders: one bail record's recovery, the bank files and what they left in
quarantine, and the absconder figures by fiscal year (B.E.) and region, all computed from the records
and the ledger (never stored figures)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from jfs.accounts.models import User
from jfs.bail import models as bm
from jfs.cases import selectors as case_selectors
from jfs.cases.models import Request
from jfs.finance import accounts as acc
from jfs.finance import models as fm
from jfs.finance import services as ledger
from jfs.recovery import models as m
from jfs.recovery import rules
from jfslib import roles
from jfslib.thaidate import fiscal_year


def visible_requests(user: User) -> QuerySet[Request]:
    """The requests whose recovery the person may see: their office's (``jfs.cases``' scope), and every
    office's for the central office's staff (central finance and tracing act on all provinces)."""
    office = getattr(user, "office", None)
    if user.is_authenticated and user.role in roles.STAFF_ROLES and office is not None and office.is_central:
        return Request.objects.all()
    return case_selectors.visible_requests(user)


def may_see(user: User, request_id: int) -> bool:
    return visible_requests(user).filter(pk=request_id).exists()


def bail_record_of(user: User, request_id: int) -> bm.BailRecord | None:
    """The bail record of a request the person may see (None otherwise)."""
    if not may_see(user, request_id):
        return None
    return bm.BailRecord.objects.select_related("request", "request__office").filter(request_id=request_id).first()


def abscondence_of(record: bm.BailRecord) -> m.Abscondence | None:
    return (m.Abscondence.objects.select_related("entry", "recorded_by").prefetch_related(
        "tracings__office", "suits", "plans__instalments", "write_offs__approved_by").filter(record=record).first())


def deposited(record: bm.BailRecord) -> Decimal:
    return ledger.deposited_for(record.request_id)


def money(ab: m.Abscondence) -> dict[str, Decimal]:
    """What the absconder owed, paid, had written off and owes, from the ledger's receivable lines."""
    by_kind = dict(fm.Line.objects.filter(request_dim=ab.record.request_id, account=acc.ABSCONDER_RECEIVABLE)
                   .values_list("entry__kind").annotate(s=Sum("amount")).order_by())
    owed = sum(by_kind.values(), Decimal(0))
    return {"forfeited": by_kind.get(fm.FORFEITURE, Decimal(0)) + by_kind.get(fm.FINE, Decimal(0)),
            "recovered": -by_kind.get(fm.RECOVERY, Decimal(0)),
            "written_off": -by_kind.get(fm.WRITE_OFF, Decimal(0)),
            "owed": owed}


def instalment(user: User, pk: int) -> m.Instalment | None:
    found = m.Instalment.objects.select_related("plan__abscondence__record__request").filter(pk=pk).first()
    if found is None:
        return None
    req_id = found.plan.abscondence.record.request_id
    return found if may_see(user, req_id) else None


def bank_imports(limit: int = 20) -> list[m.BankImport]:
    return list(m.BankImport.objects.select_related("imported_by")[:limit])


def quarantined_rows(limit: int = 200) -> QuerySet[m.BankRow]:
    return (m.BankRow.objects.filter(status=m.QUARANTINED).select_related("bank_import", "instalment")
            .order_by("-bank_import__imported_at", "line_number")[:limit])


def rows_of(batch_id: int) -> QuerySet[m.BankRow]:
    return m.BankRow.objects.filter(bank_import_id=batch_id).select_related("instalment").order_by("line_number")


# --------------------------------------------------------------------------- absconder figures


@dataclass
class Figures:
    fiscal_year: int
    region: str
    region_name_th: str
    region_name_en: str
    absconders: int = 0
    central: int = 0
    provincial: int = 0
    traced: int = 0
    not_traced: int = 0
    untraced_yet: int = 0
    forfeited: Decimal = Decimal(0)
    recovered: Decimal = Decimal(0)
    written_off: Decimal = Decimal(0)
    outstanding: Decimal = Decimal(0)
    requests: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "requests"}


def absconder_figures(user: User, year: int | None = None) -> list[Figures]:
    """Absconders by fiscal year of the court's order (B.E.) and region of the office that handled
    the request: how many, handled by the central or a provincial office, traced (found at least once)
    or not traced (every attempt failed) or not traced yet (no attempt), and the money forfeited or
    paid as fines, recovered, written off and still owed. Only requests the person may see."""
    visible = visible_requests(user).values("pk")
    abscondences = list(m.Abscondence.objects.filter(record__request__in=visible)
                        .select_related("record__request__office").prefetch_related("tracings"))
    if year is not None:
        abscondences = [a for a in abscondences if fiscal_year(a.ordered_on) == year]
    req_ids = [a.record.request_id for a in abscondences]
    lines: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for req_id, kind, total in (fm.Line.objects.filter(account=acc.ABSCONDER_RECEIVABLE, request_dim__in=req_ids)
                                .values_list("request_dim", "entry__kind").annotate(s=Sum("amount")).order_by()):
        lines[req_id][kind] = total
    out: dict[tuple[int, str], Figures] = {}
    regions = rules.regions()
    for a in abscondences:
        office = a.record.request.office
        region = rules.region_of(office.province_code or "10")
        key = region.key if region else "unknown"
        fy = fiscal_year(a.ordered_on)
        row = out.get((fy, key))
        if row is None:
            name = regions.get(key)
            row = out[(fy, key)] = Figures(fy, key, name.th if name else "ไม่ทราบภาค", name.en if name else "Unknown")
        row.absconders += 1
        row.requests.append(a.record.request_id)
        if office.is_central:
            row.central += 1
        else:
            row.provincial += 1
        results = [t.result for t in a.tracings.all()]
        if m.TRACED in results:
            row.traced += 1
        elif results:
            row.not_traced += 1
        else:
            row.untraced_yet += 1
        kinds = lines.get(a.record.request_id, {})
        row.forfeited += kinds.get(fm.FORFEITURE, Decimal(0)) + kinds.get(fm.FINE, Decimal(0))
        row.recovered -= kinds.get(fm.RECOVERY, Decimal(0))
        row.written_off -= kinds.get(fm.WRITE_OFF, Decimal(0))
        row.outstanding += sum(kinds.values(), Decimal(0))
    return sorted(out.values(), key=lambda f: (-f.fiscal_year, f.region))


def totals(rows: list[Figures]) -> dict[str, Any]:
    keys = ("absconders", "central", "provincial", "traced", "not_traced", "untraced_yet", "forfeited", "recovered",
            "written_off", "outstanding")
    return {k: sum((getattr(r, k) for r in rows), Decimal(0) if k in ("forfeited", "recovered", "written_off",
                                                                        "outstanding") else 0) for k in keys}


def record_request_id(record_id: int) -> int | None:
    """The request of a bail record (whoever may see it: ``bail_record_of`` checks that)."""
    return bm.BailRecord.objects.filter(pk=record_id).values_list("request_id", flat=True).first()


def plan_has_instalment(ab: m.Abscondence, instalment_id: int) -> bool:
    return m.Instalment.objects.filter(pk=instalment_id, plan__abscondence=ab).exists()
