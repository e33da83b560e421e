"""Reads of project grants: the assessment for the committee, a grant with its money and reports, the
list with overdue reports, and the grantee's history for the next proposal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum

from jfs.accounts.models import User
from jfs.cases import selectors as case_selectors
from jfs.cases.models import Request
from jfs.core import clock
from jfs.finance import models as fm
from jfs.finance import services as ledger
from jfs.grants import models as m
from jfs.grants import rules as grant_rules
from jfs.grants.matching import name_key, registration_key


def assessment_of(req: Request) -> m.Assessment | None:
    """The case officer's assessment of the proposal (the committee reads it with the request)."""
    return m.Assessment.objects.select_related("assessed_by").filter(request=req).first()


def assessment_rows(assessment: m.Assessment | None, lang: str) -> list[dict[str, Any]]:
    """Each criterion in the file's order, named, with its score in words and the note."""
    the_rules = grant_rules.rules()
    scores = assessment.scores if assessment else {}
    rows = []
    for c in the_rules.criteria:
        got = scores.get(c.code) or {}
        score = got.get("score")
        rows.append({"code": c.code, "name": c.name(lang), "score": score,
                     "score_name": the_rules.scale[score].name(lang) if score in the_rules.scale else "",
                     "note": got.get("note", "")})
    return rows


def assessment_total(assessment: m.Assessment | None) -> tuple[int, int]:
    """The sum of the scores and the most it could be."""
    n = len(grant_rules.rules().criteria)
    if assessment is None:
        return 0, 5 * n
    return sum(int(v.get("score") or 0) for v in assessment.scores.values()), 5 * n


def grant_of(req: Request) -> m.GrantAgreement | None:
    return (m.GrantAgreement.objects.select_related("request", "request__office", "signed_by", "closed_by")
            .filter(request=req).first())


def visible_grants(user: User) -> QuerySet[m.GrantAgreement]:
    """The grants of the requests the person may see (office scoping as for the requests)."""
    return (m.GrantAgreement.objects.filter(request__in=case_selectors.visible_requests(user).values("pk"))
            .select_related("request", "request__office"))


def get_visible_grant(user: User, pk: int) -> m.GrantAgreement | None:
    return visible_grants(user).filter(pk=pk).first()


@dataclass
class Money:
    committed: Decimal
    scheduled: Decimal
    paid: Decimal
    returned: Decimal
    net_paid: Decimal
    per_line: dict[str, Decimal] = field(default_factory=dict)


def money(agreement: m.GrantAgreement) -> Money:
    """The grant's money from the ledger: committed, scheduled in instalments, paid, returned."""
    per_line = paid_per_line(agreement)
    net = sum(per_line.values(), Decimal(0))
    returned = sum((r.amount for r in agreement.returns.all()), Decimal(0))
    scheduled = sum((i.amount for i in agreement.instalments.all()), Decimal(0))
    return Money(committed=agreement.total, scheduled=scheduled, paid=net + returned, returned=returned,
                 net_paid=net, per_line=per_line)


def instalments(agreement: m.GrantAgreement) -> list[dict[str, Any]]:
    """Each instalment with whether it may be paid now and, if not, why (in both languages)."""
    reports = set(agreement.progress_reports.values_list("sequence", flat=True))
    rows, earlier_paid = [], True
    for inst in agreement.instalments.prefetch_related("shares").select_related("paid_by"):
        waiting_th = waiting_en = ""
        if inst.paid_on is None:
            if not earlier_paid:
                waiting_th, waiting_en = "รอจ่ายงวดก่อนหน้า", "Waits for the earlier instalment"
            elif inst.after_report and inst.after_report not in reports:
                waiting_th = f"รอรายงานความก้าวหน้าฉบับที่ {inst.after_report}"
                waiting_en = f"Waits for progress report {inst.after_report}"
        rows.append({"instalment": inst, "payable": inst.paid_on is None and not waiting_th and agreement.status != m.CLOSED,
                     "waiting_th": waiting_th, "waiting_en": waiting_en,
                     "overdue": bool(inst.paid_on is None and inst.after_report and inst.after_report not in reports
                                     and inst.report_due and inst.report_due < clock.today())})
        earlier_paid = earlier_paid and inst.paid_on is not None
    return rows


def overdue_reports(agreement: m.GrantAgreement, today: date | None = None) -> list[tuple[str, str, date]]:
    """Reports the organisation owes past their due day: (Thai, English, due day)."""
    today = today or clock.today()
    out: list[tuple[str, str, date]] = []
    if agreement.status == m.CLOSED:
        return out
    reports = set(agreement.progress_reports.values_list("sequence", flat=True))
    for inst in agreement.instalments.all():
        if inst.after_report and inst.after_report not in reports and inst.report_due and inst.report_due < today:
            out.append((f"รายงานความก้าวหน้าฉบับที่ {inst.after_report}", f"Progress report {inst.after_report}",
                        inst.report_due))
    if agreement.status == m.ACTIVE and agreement.final_report_due < today:
        out.append(("รายงานผลการดำเนินโครงการ", "Final report", agreement.final_report_due))
    return out


def grant_list(user: User, *, status: str = "", overdue: bool = False) -> list[dict[str, Any]]:
    """The grants the person may see, newest first, each with its money and overdue reports."""
    qs = visible_grants(user).prefetch_related("instalments", "progress_reports", "returns")
    if status:
        qs = qs.filter(status=status)
    rows = []
    for g in qs.order_by("-id")[:500]:
        late = overdue_reports(g)
        if overdue and not late:
            continue
        paid = sum((i.amount for i in g.instalments.all() if i.paid_on), Decimal(0))
        rows.append({"grant": g, "overdue": late, "paid": paid,
                     "instalments_paid": sum(1 for i in g.instalments.all() if i.paid_on),
                     "instalments": len(g.instalments.all())})
    return rows


def _history_filter(registration_no: str, organisation: str) -> Q | None:
    reg, name = registration_key(registration_no), name_key(organisation)
    if reg:
        return Q(registration_key=reg) | (Q(registration_key="") & Q(name_key=name)) if name else Q(registration_key=reg)
    if name:
        return Q(name_key=name)
    return None


def history(user: User, *, registration_no: str = "", organisation: str = "",
            exclude_request: int | None = None) -> list[dict[str, Any]]:
    """Every earlier grant to the organisation (registration number, else the name folded) the person
    may see: amount, instalments paid, final report on time or not, people reached, money returned."""
    where = _history_filter(registration_no, organisation)
    if where is None:
        return []
    qs = visible_grants(user).filter(where).prefetch_related("instalments", "progress_reports", "returns")
    if exclude_request is not None:
        qs = qs.exclude(request_id=exclude_request)
    today = clock.today()
    rows = []
    for g in qs.order_by("-signed_on", "-id")[:100]:
        final = m.FinalReport.objects.filter(agreement=g).first()
        progress = sorted(g.progress_reports.all(), key=lambda r: r.sequence)
        insts = list(g.instalments.all())
        if final is not None:
            on_time: bool | None = final.on_time
        elif g.final_report_due < today:
            on_time = False  # overdue and still missing
        else:
            on_time = None
        rows.append({
            "grant": g, "request_number": g.request.number, "fiscal_year": g.request.fiscal_year,
            "title": str((g.request.details or {}).get("title", "")),
            "total": g.total, "instalments_paid": sum(1 for i in insts if i.paid_on), "instalments": len(insts),
            "paid": sum((i.amount for i in insts if i.paid_on), Decimal(0)),
            "final_report": final, "final_on_time": on_time,
            "people_reached": final.people_reached if final else (progress[-1].people_reached if progress else None),
            "returned": sum((r.amount for r in g.returns.all()), Decimal(0)),
            "status": g.status,
        })
    return rows


def history_for_request(user: User, req: Request) -> list[dict[str, Any]]:
    details = req.details or {}
    return history(user, registration_no=str(details.get("organisation_registration_no") or ""),
                   organisation=str(details.get("organisation") or ""), exclude_request=req.pk)


def documents_of(req: Request, doc_type: str, used: set[int] | None = None) -> list[Any]:
    """The request's documents of a type not yet used by a report, newest first (for the forms)."""
    used = used or set()
    return [d for d in req.documents.filter(doc_type=doc_type, superseded_by__isnull=True).order_by("-id")
            if not d.quarantined and d.pk not in used]


def used_documents(agreement: m.GrantAgreement | None) -> set[int]:
    """The documents the grant's reports already hold (a report's document is its own)."""
    if agreement is None:
        return set()
    used = set(agreement.progress_reports.values_list("document_id", flat=True))
    used.update(m.FinalReport.objects.filter(agreement=agreement).values_list("document_id", flat=True))
    return used


def line_order(key: str) -> tuple[int, str]:
    tail = key.rsplit("-", 1)[-1]
    return (int(tail), key) if tail.isdigit() else (10**6, key)


def committed_lines(req: Request) -> dict[str, Decimal]:
    """What the approval committed per budget line (``line-1``…), in the lines' order."""
    rows = (fm.Commitment.objects.filter(request=req).values("item_key").annotate(s=Sum("amount"))
            .order_by("item_key"))
    got = {r["item_key"]: r["s"] for r in rows if r["s"] and r["s"] > 0}
    return dict(sorted(got.items(), key=lambda kv: line_order(kv[0])))


def paid_per_line(agreement: m.GrantAgreement) -> dict[str, Decimal]:
    """Paid on each budget line of the grant, less what came back (the ledger's own figure)."""
    return {k: ledger.paid_for(agreement.request_id, k) for k in committed_lines(agreement.request)}


def final_report(grant: m.GrantAgreement) -> m.FinalReport | None:
    """The grant's final report (with its document), if it is in."""
    return m.FinalReport.objects.filter(agreement=grant).select_related("document").first()


def instalment(pk: int) -> m.Instalment | None:
    return m.Instalment.objects.filter(pk=pk).first()
