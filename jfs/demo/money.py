"""The demo data's money (issue 11): budgets, the commitments of the approvals, payments, returns and
the bail records, written after the decisions (``jfs.demo.generator.generate`` calls :func:`load`).

Written in bulk like the rest of the demo (rows as tuples through the generator's writer: PostgreSQL
``COPY``, else prepared inserts), but each posting is the one ``jfs.finance.services`` would make:

- **Budgets** (``allot``): per fiscal year, office and service, from ``governance/demo_budgets.yaml``
  (FY2565: DOMAIN.md's 45M / 130M / 2M / 20M THB; other years an assumption stated there), apportioned
  to the offices by their share of the year's requests of the service, so each national total is exact.
- **Commitments** (``commit_decision``): every approving decision (approved and partially approved
  first decisions, approvals on appeal) commits each item's approved amount beyond what is already
  committed for the item: a ``Commitment``, its entry (key ``commit/<decision>/<item>``, the decision's
  date) and lines. The loader writes decisions in bulk, so the decision hook never ran for them.
- **Payments** (``disburse``) to the payee of each service: bail money to the court or police named in
  the request (a ``BailDeposit`` with the authority's receipt); human-rights aid to the applicant (with
  the applicant's ``Receipt``); litigation's court fees, other costs, expert fees and travel to their
  payees. Never the ``lawyer`` item (a later pass pays lawyers through their engagements) nor projects
  (the grants pass). Most approvals older than a few weeks are paid; recent ones not yet; nothing is
  dated after ``today``; never more than committed per item.
- **Returns** (``receive_return``): a court refunding part of a fee, unused travel money, and bail
  money when the case ends (or release is refused), with the court's receipt (``BailReturn``).
- **Bail records** (``jfs.bail.models``) for every approved bail request whose contract is signed by
  ``today``: the contract, the release order (2% refused: the money comes back), the deposit, hearings
  (past ones attended; future ones for the records still out, some in the next few days so the reminder
  job has work), and when the request was closed, the ``case_ended`` order and the return: status
  ``returned`` with ``closed_on``. A few released people abscond instead (``jfs.demo.money_followup``).

Dates are working days of the office's calendar; fiscal years come from the dates. Not written: the
per-posting audit event (like the loader's decisions, meetings and votes, only the request's
``create`` event is audited in bulk). The second pass (``jfs.demo.money_followup``: lawyers' engagements
and milestone payments, project grants, absconders and recoveries) is called from the same walk.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import yaml
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Count, Exists, Max, OuterRef, Sum

from jfs.accounts.models import Office, User
from jfs.bail import models as bm
from jfs.cases.calendar import calendar_for
from jfs.cases.models import SERVICE_BAIL, SERVICE_HR, SERVICE_LIT, SERVICE_PROJECT, Document, Request
from jfs.core import clock
from jfs.decisions import models as dm
from jfs.demo import money_followup as followup
from jfs.demo.money_followup import FastCalendar
from jfs.demo.money_followup import at as _at
from jfs.demo.money_followup import bank_reference as _bank_reference
from jfs.demo.money_followup import working_on_or_after as _working_on_or_after
from jfs.finance import accounts as acc
from jfs.finance import models as fm
from jfs.grants import models as gm
from jfs.lawyers import models as lm
from jfs.recovery import models as rm
from jfslib import roles
from jfslib.thaidate import FiscalYear, fiscal_year, to_be_year

APPROVING = ("approved", "partially_approved")
#: the services that have a budget (consultations cost nothing)
BUDGETED = ("LIT", "BAIL", "HR", "PROJECT")
#: approved items handled between two writes
FLUSH_EVERY = 20_000
#: litigation items paid here to their payees (``lawyer``: the lawyers' pass, through engagements)
LIT_PAID_ITEMS = ("court_fee", "expert", "travel", "other")
#: working days after the decision before an item is paid: (fewest, most)
PAY_AFTER = {"bail_amount": (0, 2), "amount": (8, 30), "court_fee": (3, 20), "expert": (15, 70),
             "travel": (10, 90), "other": (8, 50)}
#: litigation items never paid (the cost did not arise; the commitment stays until released)
NEVER_PAID = 0.06
#: release refused by the court or the inquiry official: the money comes back
RELEASE_REFUSED = 0.02
EXPERTS = ("สถาบันนิติวิทยาศาสตร์ กระทรวงยุติธรรม", "กองพิสูจน์หลักฐานกลาง สำนักงานตำรวจแห่งชาติ",
           "กรมที่ดิน (ค่ารังวัดตรวจสอบแนวเขตที่ดิน)", "กองพิสูจน์หลักฐาน (ตรวจพิสูจน์เอกสาร)")
OBLIGATIONS = {
    "court": "จำเลยต้องมาศาลตามกำหนดนัดทุกครั้ง ห้ามเดินทางออกนอกราชอาณาจักรเว้นแต่ได้รับอนุญาตจากศาล "
             "ห้ามยุ่งเหยิงกับพยานหลักฐาน และแจ้งกองทุนยุติธรรมเมื่อเปลี่ยนที่อยู่",
    "police": "ผู้ต้องหาต้องไปรายงานตัวต่อพนักงานสอบสวนตามกำหนดนัดทุกครั้ง ห้ามเดินทางออกนอกราชอาณาจักร "
              "ห้ามยุ่งเหยิงกับพยานหลักฐาน และแจ้งกองทุนยุติธรรมเมื่อเปลี่ยนที่อยู่",
}
HEARINGS = {
    "court": ("นัดพร้อมเพื่อตรวจพยานหลักฐาน", "นัดสืบพยานโจทก์", "นัดสืบพยานจำเลย", "นัดไกล่เกลี่ย"),
    "police": ("รายงานตัวต่อพนักงานสอบสวน",),
}
LAST_HEARING = {"court": "นัดฟังคำพิพากษา", "police": "รายงานตัวเพื่อส่งตัวให้พนักงานอัยการ"}


class Write(Protocol):
    """The generator's bulk writer: rows as tuples in ``columns`` order (parents written first)."""

    def __call__(self, model: type[models.Model], columns: list[str], rows: list[tuple[Any, ...]]) -> None: ...


@dataclass
class MoneySummary:
    budgets: int = 0
    commitments: int = 0
    payments: int = 0
    returns: int = 0
    bail_records: int = 0
    hearings: int = 0
    rows: int = 0


def budgets_file() -> Path:
    return Path(getattr(settings, "JFS_DEMO_BUDGETS_FILE", settings.BASE_DIR / "governance" / "demo_budgets.yaml"))


def national_budget(fy: int) -> dict[str, Decimal]:
    """The national allotment of a fiscal year per service (the data file's year, else ``other_years``)."""
    data = yaml.safe_load(budgets_file().read_text(encoding="utf-8"))
    figures = (data.get("years") or {}).get(fy) or data["other_years"]
    return {s: Decimal(str(figures[s])) for s in BUDGETED}


def apportion(total: Decimal, weights: Mapping[int, int]) -> dict[int, Decimal]:
    """Split whole baht in proportion to ``weights`` (largest remainder): the parts add up to ``total``."""
    whole, baht = sum(weights.values()), int(total)
    if whole <= 0 or baht <= 0:
        return {}
    parts = {k: baht * w // whole for k, w in weights.items()}
    rest = sorted(weights, key=lambda k: (-(baht * weights[k] % whole), k))[: baht - sum(parts.values())]
    for k in rest:
        parts[k] += 1
    return {k: Decimal(v) for k, v in parts.items() if v}


# --------------------------------------------------------------------------- rows


def _columns(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


TABLES: tuple[type[models.Model], ...] = (
    fm.Entry, fm.Line, fm.Commitment, fm.Receipt, bm.BailRecord, bm.BailOrder, bm.BailDeposit, bm.Hearing, bm.BailReturn,
    Document, lm.Lawyer, lm.LawyerConflict, lm.Engagement, lm.Milestone, gm.Assessment, gm.GrantAgreement,
    gm.Instalment, gm.InstalmentShare, gm.ProgressReport, gm.FinalReport, gm.GrantReturn, gm.ReturnShare,
    rm.Abscondence, rm.Tracing, rm.CivilSuit, rm.RepaymentPlan, rm.Instalment, rm.BankImport, rm.BankRow,
    rm.WriteOff)


class _Table:
    """One model's rows as tuples in its column order; unnamed columns take the field's default."""

    def __init__(self, model: type[models.Model], first_id: int) -> None:
        self.model = model
        self.columns = _columns(model)
        fields = {f.attname: f for f in model._meta.concrete_fields}
        self.defaults = {c: (fields[c].get_default() if fields[c].has_default() else None) for c in self.columns}
        self.last_id = first_id
        self.rows: list[tuple[Any, ...]] = []

    def add(self, **values: Any) -> int:
        return self.put(self.reserve(), **values)

    def reserve(self) -> int:
        """The next id, for a row written later with :meth:`put` (its children need the id first)."""
        self.last_id += 1
        return self.last_id

    def put(self, ident: int, **values: Any) -> int:
        unknown = set(values) - set(self.columns)
        if unknown:
            raise KeyError(f"{self.model.__name__}: no columns {sorted(unknown)}")
        values["id"] = ident
        self.rows.append(tuple(values[c] if c in values else self.defaults[c] for c in self.columns))
        return ident


@dataclass
class _Item:
    """One approved item of an approving decision, with what the loader needs of its request."""

    decision_id: int
    key: str
    label_th: str
    label_en: str
    approved: Decimal
    decided_on: date
    recorded_by: int
    decided_at: datetime
    request: _Req


@dataclass
class _Req:
    id: int
    number: str
    office_id: int
    service: str
    details: dict[str, Any]
    state: str
    closed_on: date | None
    assigned_to: int | None
    applicant: str
    fiscal_year: int


@dataclass
class _Loader:
    write: Write
    today: date
    seed: int
    scale: int
    recorder: int  # who posted where the office has no demo finance officer (the former system's records)
    finance: dict[int, int] = field(default_factory=dict)  # office -> its demo finance officer
    central_finance: int = 0
    offices: dict[int, Office] = field(default_factory=dict)
    calendars: dict[int, FastCalendar] = field(default_factory=dict)
    tables: dict[type[models.Model], _Table] = field(default_factory=dict)
    summary: MoneySummary = field(default_factory=MoneySummary)
    #: committed so far per (request, item): an appeal's approval commits only what is beyond it
    committed: dict[tuple[int, str], Decimal] = field(default_factory=dict)
    users: set[int] = field(default_factory=set)
    follow: followup.State | None = None

    def setup(self) -> None:
        self.offices = {o.pk: o for o in Office.objects.all()}
        for u in User.objects.filter(role=roles.FINANCE_OFFICER, is_active=True, office__isnull=False).order_by("id"):
            assert u.office_id is not None
            self.finance.setdefault(u.office_id, u.pk)
        central = [pk for pk, o in self.offices.items() if o.is_central]
        self.central_finance = self.finance.get(central[0], self.recorder) if central else self.recorder
        self.users = set(User.objects.values_list("id", flat=True))
        for model in TABLES:
            self.tables[model] = _Table(model, model._default_manager.aggregate(m=Max("id"))["m"] or 0)
        for req, key, amount in (fm.Commitment.objects.values_list("request_id", "item_key")
                                 .annotate(s=Sum("amount")).values_list("request_id", "item_key", "s")):
            self.committed[(req, key)] = amount
        self.follow = followup.setup(self)

    def flush(self, final: bool = False) -> None:
        for model in TABLES:
            if model is rm.BankRow and not final:
                continue  # a bank file's rows wait for their file (written by ``followup.finish``, last)
            table = self.tables[model]
            self.write(model, table.columns, table.rows)
            self.summary.rows += len(table.rows)
            table.rows = []

    def cal(self, office_id: int) -> FastCalendar:
        found = self.calendars.get(office_id)
        if found is None:
            found = self.calendars[office_id] = FastCalendar(calendar_for(office_id))
        return found

    @property
    def state(self) -> followup.State:
        assert self.follow is not None, "setup() first"
        return self.follow

    def poster(self, office_id: int) -> int:
        return self.finance.get(office_id, self.recorder)

    # ----- postings (the lines ``jfs.finance.services`` writes for each kind)

    def post(self, *, key: str, kind: str, on: date, office_id: int, service: str, legs: Iterable[tuple[str, Decimal]],
             by: int, at: datetime, request_id: int | None = None, decision_id: int | None = None,
             item_key: str = "", payee: str = "", method: str = "", reference: str = "", memo: str = "") -> int:
        legs = list(legs)
        if sum((a for _, a in legs), Decimal(0)) != 0:
            raise ValueError(f"{key}: the entry does not balance")
        fy = fiscal_year(on)
        entry = self.tables[fm.Entry].add(
            key=key, kind=kind, on_date=on, fiscal_year=fy, office_id=office_id, service=service,
            request_id=request_id, decision_id=decision_id, item_key=item_key, payee=payee[:300], method=method,
            reference=reference[:100], memo=memo[:500], reverses_id=None, created_by_id=by, created_at=at)
        lines = self.tables[fm.Line]
        for account, amount in legs:
            lines.add(entry_id=entry, account=account, amount=amount, fiscal_year=fy, office_dim=office_id,
                      service=service, request_dim=request_id, item_key=item_key)
        return entry

    def disburse(self, item: _Item, n: int, amount: Decimal, on: date, payee: str, method: str, reference: str,
                 memo: str = "") -> int:
        return self.pay(item.request, item.key, f"demo/pay/{item.request.id}/{item.key}/{n}", amount, on, payee, method,
                        reference, memo)

    def pay(self, req: _Req, item_key: str, key: str, amount: Decimal, on: date, payee: str, method: str,
            reference: str, memo: str = "") -> int:
        """``disburse``'s entry for an item of ``req`` under ``key``."""
        paid = acc.BAIL_DEPOSITED if req.service == SERVICE_BAIL else acc.AID_EXPENSE
        self.summary.payments += 1
        return self.post(key=key, kind=fm.DISBURSEMENT, on=on, office_id=req.office_id,
                         service=req.service, request_id=req.id, item_key=item_key, payee=payee, method=method,
                         reference=reference, memo=memo, by=self.poster(req.office_id), at=_at(on, 60),
                         legs=[(paid, amount), (acc.CASH, -amount), (acc.BUDGET_SPENT, amount),
                               (acc.BUDGET_COMMITTED, -amount)])

    def receive(self, item: _Item, n: int, amount: Decimal, on: date, reference: str, memo: str) -> int:
        return self.take_back(item.request, item.key, f"demo/return/{item.request.id}/{item.key}/{n}", amount, on,
                              reference, memo)

    def take_back(self, req: _Req, item_key: str, key: str, amount: Decimal, on: date, reference: str,
                  memo: str) -> int:
        """``receive_return``'s entry for an item of ``req`` under ``key``."""
        paid = acc.BAIL_DEPOSITED if req.service == SERVICE_BAIL else acc.AID_EXPENSE
        self.summary.returns += 1
        return self.post(key=key, kind=fm.RETURN, on=on, office_id=req.office_id,
                         service=req.service, request_id=req.id, item_key=item_key, reference=reference, memo=memo,
                         by=self.poster(req.office_id), at=_at(on, 90),
                         legs=[(acc.CASH, amount), (paid, -amount), (acc.BUDGET_COMMITTED, amount),
                               (acc.BUDGET_SPENT, -amount)])

    # ----- budgets

    def budgets(self) -> None:
        """An allotment per fiscal year, office and service, on the year's first day. A year and service
        already allotted is left as it is (``--append``: its national total stays exact)."""
        done = set(fm.Entry.objects.filter(kind=fm.ALLOTMENT, key__startswith="demo/allot/")
                   .values_list("fiscal_year", "service").distinct())
        counts: dict[tuple[int, str], dict[int, int]] = defaultdict(dict)
        for fy, service, office, n in (Request.objects.filter(service__in=BUDGETED)
                                       .values_list("fiscal_year", "service", "office_id").annotate(n=Count("id"))
                                       .order_by("fiscal_year", "service", "office_id")):
            counts[(fy, service)][office] = n
        for (fy, service), weights in sorted(counts.items()):
            if (fy, service) in done:
                continue
            total = national_budget(fy)[service] * self.scale
            start = FiscalYear(fy).start
            for office_id, amount in sorted(apportion(total, weights).items()):
                key = f"demo/allot/{fy}/{self.offices[office_id].code}/{service}"
                self.post(key=key, kind=fm.ALLOTMENT, on=start, office_id=office_id, service=service,
                          by=self.central_finance, at=_at(start), memo=f"จัดสรรงบประมาณปี {fy}",
                          legs=[(acc.BUDGET_AVAILABLE, amount), (acc.BUDGET_ALLOTTED, -amount)])
                self.summary.budgets += 1
        self.flush()

    # ----- one fiscal year of decisions

    def items(self, fy: int) -> list[_Item]:
        """The approved items of the year's approving decisions not yet committed, in decision order."""
        approving = (dm.Decision.objects.filter(fiscal_year=fy, outcome__in=APPROVING)
                     .filter(~Exists(fm.Commitment.objects.filter(decision=OuterRef("pk")))))
        reqs: dict[int, _Req] = {}
        for (rid, number, office, service, details, state, closed_on, assigned, title, first, last,
             rfy) in Request.objects.filter(id__in=approving.values("request_id")).values_list(
                "id", "number", "office_id", "service", "details", "state", "closed_on", "assigned_to_id",
                "applicant__title", "applicant__first_name", "applicant__last_name", "fiscal_year"):
            reqs[rid] = _Req(rid, number, office, service, details or {}, state, closed_on, assigned,
                             f"{title}{first} {last}", rfy)
        return [_Item(d, key, th, en, amount, on, by, at, reqs[rid]) for d, key, th, en, amount, on, by, at, rid in
                dm.DecisionItem.objects.filter(decision__in=approving, approved__gt=0)
                .order_by("decision__decided_on", "decision_id", "id")
                .values_list("decision_id", "key", "label_th", "label_en", "approved", "decision__decided_on",
                             "decision__recorded_by_id", "decision__created_at", "decision__request_id")]

    def year(self, fy: int) -> None:
        rng = random.Random(f"jfs-demo-money/{self.seed}/{fy}")
        more_rng = random.Random(f"jfs-demo-money-followup/{self.seed}/{fy}")  # the second pass's own stream
        projects: dict[int, list[tuple[_Item, Decimal]]] = defaultdict(list)
        has_bail = set(bm.BailRecord.objects.values_list("request_id", flat=True))
        for n, item in enumerate(self.items(fy), start=1):
            if n % FLUSH_EVERY == 0:  # bounds memory at --scale K (every row's parents are written first)
                self.flush()
            req = item.request
            already = self.committed.get((req.id, item.key), Decimal(0))
            more = item.approved - already
            if more <= 0:
                continue
            self.committed[(req.id, item.key)] = item.approved
            entry = self.post(key=f"commit/{item.decision_id}/{item.key}", kind=fm.COMMITMENT, on=item.decided_on,
                              office_id=req.office_id, service=req.service, request_id=req.id,
                              decision_id=item.decision_id, item_key=item.key, memo=item.label_th,
                              by=item.recorded_by, at=item.decided_at,
                              legs=[(acc.BUDGET_COMMITTED, more), (acc.BUDGET_AVAILABLE, -more)])
            self.tables[fm.Commitment].add(
                request_id=req.id, decision_id=item.decision_id, item_key=item.key, label_th=item.label_th,
                label_en=item.label_en, amount=more, fiscal_year=fiscal_year(item.decided_on), office_id=req.office_id,
                service=req.service, entry_id=entry)
            self.summary.commitments += 1
            if req.service == SERVICE_BAIL and item.key == "bail_amount":
                if req.id not in has_bail:
                    has_bail.add(req.id)
                    self.bail(rng, item, more, more_rng)
            elif req.service == SERVICE_HR:
                self.human_rights(rng, item, more)
            elif req.service == SERVICE_LIT and item.key in LIT_PAID_ITEMS:
                self.litigation(rng, item, more)
            elif req.service == SERVICE_LIT and item.key == "lawyer":
                followup.lawyer(self, self.state, more_rng, item, more)
            elif req.service == SERVICE_PROJECT:
                projects[req.id].append((item, more))
        for lines in projects.values():
            followup.grant(self, self.state, more_rng, lines)
        self.flush()

    def pay_day(self, rng: random.Random, item: _Item, start: date | None = None) -> date:
        low, high = PAY_AFTER.get(item.key, (5, 30))
        return self.cal(item.request.office_id).add_working_days(start or item.decided_on, rng.randint(low, high))

    # ----- payees by service

    def human_rights(self, rng: random.Random, item: _Item, amount: Decimal) -> None:
        """The approved aid paid to the applicant, who signs a receipt."""
        on = self.pay_day(rng, item)
        if on > self.today:
            return
        req = item.request
        method = "transfer" if rng.random() < 0.7 else "promptpay"
        entry = self.disburse(item, 1, amount, on, req.applicant, method, _bank_reference(rng, on, method),
                              memo=f"จ่ายเงินช่วยเหลือผู้เสียหายจากการละเมิดสิทธิมนุษยชน ({item.label_th})")
        self.tables[fm.Receipt].add(entry_id=entry, number=f"ใบสำคัญรับเงิน {req.number}", issued_on=on,
                                    issued_by=req.applicant, document_id=None, recorded_by_id=self.poster(req.office_id),
                                    recorded_at=_at(on, 75))

    def litigation(self, rng: random.Random, item: _Item, amount: Decimal) -> None:
        """Court fees and other case costs to the court, expert fees to the expert, travel to the
        applicant (often less than approved); some courts refund part of a fee, some travel money is
        not used."""
        if rng.random() < NEVER_PAID:
            return
        on = self.pay_day(rng, item)
        if on > self.today:
            return
        req = item.request
        court = str(req.details.get("court") or "ศาลจังหวัด")
        if item.key == "expert":
            payee, method = rng.choice(EXPERTS), "transfer"
        elif item.key == "travel":
            payee, method = req.applicant, ("transfer" if rng.random() < 0.6 else "promptpay")
        else:
            payee, method = court, ("cheque" if rng.random() < 0.5 else "transfer")
        paid = amount
        if item.key == "travel" and rng.random() < 0.3:
            paid = max(Decimal(10), (amount * Decimal(rng.uniform(0.7, 1.0)) / 10).quantize(Decimal(1)) * 10)
        self.disburse(item, 1, paid, on, payee, method, _bank_reference(rng, on, method), memo=item.label_th)
        back_share = {"court_fee": 0.08, "travel": 0.05}.get(item.key, 0.0)
        if rng.random() < back_share:
            back_on = self.cal(req.office_id).add_working_days(on, rng.randint(40, 160))
            back = (paid * Decimal(rng.uniform(0.3, 0.7)) / 100).quantize(Decimal(1)) * 100
            if back_on <= self.today and Decimal(0) < back < paid:
                why = ("ศาลคืนค่าธรรมเนียมศาลบางส่วน (คดีตกลงกันได้)" if item.key == "court_fee"
                       else "ผู้ขอคืนค่าพาหนะที่ไม่ได้ใช้")
                self.receive(item, 1, back, back_on, f"ใบรับเงินเลขที่ {rng.randint(1, 9999)}/{to_be_year(back_on.year)}", why)

    def bail(self, rng: random.Random, item: _Item, amount: Decimal, more_rng: random.Random) -> None:
        """The bail record of an approved bail request: contract, deposit, the release order,
        hearings, and when the request was closed the case's end and the money back."""
        req = item.request
        cal = self.cal(req.office_id)
        contract_on = cal.add_working_days(item.decided_on, rng.randint(0, 1))
        if contract_on > self.today:
            return
        details = req.details
        authority = "court" if details.get("authority") == "court" else "police"
        authority_name = str(details.get("authority_name") or ("ศาล" if authority == "court" else "สถานีตำรวจ"))
        be = to_be_year(contract_on.year)
        responsible = req.assigned_to if req.assigned_to in self.users else self.poster(req.office_id)
        by = self.poster(req.office_id)
        set_amount = Decimal(str(details.get("bail_amount") or amount))
        case_number = (f"อ.{rng.randint(1, 4500)}/{be}" if authority == "court"
                       else f"คดีอาญาที่ {rng.randint(1, 900)}/{be}")
        record = bm.BailRecord
        orders, hearings = self.tables[bm.BailOrder], self.tables[bm.Hearing]
        deposit_on = cal.add_working_days(contract_on, rng.randint(0, 1))
        order_on = cal.add_working_days(deposit_on, rng.randint(0, 1))
        refused = rng.random() < RELEASE_REFUSED
        status, closed_on = bm.CONTRACTED, None
        rows: list[Callable[[int], object]] = []  # written once the record's id is known
        released_name = str(details.get("detainee_name") or req.applicant)[:200]
        if deposit_on <= self.today:
            status = bm.DEPOSITED
            method = "cheque" if rng.random() < 0.6 else "transfer"
            receipt = f"ใบรับเงินประกันเลขที่ {rng.randint(1, 9999)}/{to_be_year(deposit_on.year)}"
            entry = self.disburse(item, 1, amount, deposit_on, authority_name, method,
                                  _bank_reference(rng, deposit_on, method), memo="วางเงินประกันเพื่อการปล่อยชั่วคราว")
            rows.append(lambda rec: self.tables[bm.BailDeposit].add(
                record_id=rec, extra=False, amount=amount, deposited_on=deposit_on, receipt_number=receipt,
                entry_id=entry))
        if deposit_on <= self.today and order_on <= self.today:
            kind = "refused" if refused else "release"
            note = ("ไม่อนุญาตให้ปล่อยชั่วคราว เกรงว่าจะหลบหนี" if refused
                    else f"อนุญาตให้ปล่อยชั่วคราว หลักประกัน {set_amount:,.0f} บาท")
            rows.append(lambda rec: orders.add(
                record_id=rec, kind=kind, authority=authority, authority_name=authority_name, ordered_on=order_on,
                amount=set_amount, reference=f"{rng.randint(1, 9999)}/{to_be_year(order_on.year)}", note=note,
                document_id=None, recorded_by_id=by, recorded_at=_at(order_on, 120)))
            if refused:
                back_on = cal.add_working_days(order_on, rng.randint(3, 15))
                if back_on <= self.today:
                    status, closed_on = self._returned(rng, rows, item, amount, back_on, "refused",
                                                       "คืนเงินประกันเมื่อไม่ได้รับอนุญาตให้ปล่อยชั่วคราว")
            else:
                status = bm.RELEASED
                ended_on = None
                if req.state == "closed" and req.closed_on is not None:
                    ended_on = max(cal.add_working_days(order_on, 10), req.closed_on)
                    if ended_on > self.today:
                        ended_on = None
                days = self._hearing_days(rng, cal, order_on, ended_on)
                past = [d for d in days if d <= self.today - timedelta(days=10)]
                missed = None
                if past and followup.absconds(self.state):  # the person does not appear: the recovery follows
                    missed = more_rng.choice(past)
                    days, ended_on = [d for d in days if d <= missed], None
                self._hearings(rng, rows, hearings, days, authority, authority_name, order_on, ended_on, by, missed)
                if missed is not None:
                    status, closed_on = followup.abscond(self, self.state, more_rng, item, amount, missed,
                                                         authority_name, released_name, rows)
                elif ended_on is not None:
                    end_order = min(ended_on, _working_on_or_after(cal, max(order_on + timedelta(days=1),
                                                                            ended_on - timedelta(days=10))))
                    rows.append(lambda rec: orders.add(
                        record_id=rec, kind="case_ended", authority=authority, authority_name=authority_name,
                        ordered_on=end_order, amount=None, reference=f"{rng.randint(1, 9999)}/{to_be_year(end_order.year)}",
                        note="คดีถึงที่สุด ให้คืนหลักประกันแก่ผู้ประกัน", document_id=None, recorded_by_id=by,
                        recorded_at=_at(end_order, 150)))
                    status, closed_on = self._returned(rng, rows, item, amount, ended_on, "case_ended",
                                                       "รับคืนเงินประกันเมื่อคดีถึงที่สุด")
        rec = self.tables[record].add(
            request_id=req.id, released_name=released_name,
            role=bm.DEPOSITOR, authority=authority, authority_name=authority_name[:200], case_number=case_number,
            contract_number=f"สป.{req.id}/{be}", contract_on=contract_on, obligations=OBLIGATIONS[authority],
            amount=set_amount, status=status, responsible_id=responsible, created_by_id=by, created_at=_at(contract_on),
            closed_on=closed_on, version=1)
        for add in rows:
            add(rec)
        self.summary.bail_records += 1

    def _returned(self, rng: random.Random, rows: list[Callable[[int], object]], item: _Item, amount: Decimal,
                  on: date, reason: str, memo: str) -> tuple[str, date]:
        receipt = f"ใบรับคืนหลักประกันเลขที่ {rng.randint(1, 9999)}/{to_be_year(on.year)}"
        entry = self.receive(item, 1, amount, on, receipt, memo)
        rows.append(lambda rec: self.tables[bm.BailReturn].add(
            record_id=rec, reason=reason, amount=amount, returned_on=on, court_receipt_number=receipt,
            document_id=None, entry_id=entry))
        return bm.RETURNED, on

    def _hearing_days(self, rng: random.Random, cal: FastCalendar, released_on: date, ended_on: date | None) -> list[date]:
        """Dates to appear from the release: up to the case's end, else past ones and some ahead; one in
        three open records has one in the next few days."""
        last = ended_on or self.today + timedelta(days=rng.randint(40, 120))
        days: list[date] = []
        day = released_on
        while True:
            day = cal.add_working_days(day, rng.randint(15, 45))
            if day >= last:
                break
            days.append(day)
        if ended_on is not None:  # the last one before the case ends: the judgement
            final = _working_on_or_after(cal, max(released_on + timedelta(days=1), ended_on - timedelta(days=21)))
            days = [d for d in days if d < final] + [min(final, ended_on)]
        else:
            if rng.random() < 1 / 3:  # the reminder job has work in the next few days
                soon = cal.add_working_days(self.today, rng.randint(1, 4))
                days = sorted({d for d in days if d <= self.today or d > soon + timedelta(days=7)} | {soon})
            if not any(d > self.today for d in days):
                days.append(cal.add_working_days(max(self.today, released_on), rng.randint(5, 30)))
        return days

    def _hearings(self, rng: random.Random, rows: list[Callable[[int], object]], hearings: _Table, days: list[date],
                  authority: str, place: str, released_on: date, ended_on: date | None, by: int,
                  missed: date | None = None) -> None:
        """The hearings on ``days``: past ones attended (reminded two days before) but the one ``missed``
        (the person did not appear), future ones not yet reminded."""
        for i, d in enumerate(days):
            past = d <= self.today
            purpose = (LAST_HEARING[authority] if ended_on is not None and i == len(days) - 1
                       else rng.choice(HEARINGS[authority]))
            at = _at(d, 30 * rng.randint(0, 8))
            appeared = (d != missed) if past else None
            note = ("ไม่มาตามนัด ศาลออกหมายจับและสั่งปรับนายประกัน" if appeared is False
                    else "มาตามนัด" if past else "")

            def hearing(rec: int, at: datetime = at, past: bool = past, purpose: str = purpose,
                        appeared: bool | None = appeared, note: str = note) -> int:
                return hearings.add(
                    record_id=rec, at=at, place=place[:200], purpose=purpose, appeared=appeared,
                    note=note, reminded_at=at - timedelta(days=2) if past else None,
                    recorded_by_id=by, recorded_at=at if past else _at(released_on, 200))
            rows.append(hearing)
            self.summary.hearings += 1


def load(write: Write, *, today: date, seed: int, scale: int, recorder: int,
         log: Callable[[str], None] = lambda _: None) -> MoneySummary:
    """Write the demo's money after its requests and decisions (inside the loader's transaction)."""
    started = clock.monotonic()
    loader = _Loader(write=write, today=today, seed=seed, scale=scale, recorder=recorder)
    loader.setup()
    loader.budgets()
    years = list(dm.Decision.objects.filter(outcome__in=APPROVING).values_list("fiscal_year", flat=True)
                 .distinct().order_by("fiscal_year"))
    for fy in years:
        loader.year(fy)
        log(f"money FY{fy}: {loader.summary.commitments:,} commitments, {loader.summary.payments:,} payments, "
            f"{loader.summary.bail_records:,} bail records")
    statements = connection.ops.sequence_reset_sql(no_style(), list(TABLES))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            for model in TABLES:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    followup.finish(loader, loader.state)  # the bank files, their rows counted (written last: rows point at them)
    loader.flush(final=True)
    more = loader.state.summary
    log(f"money, second pass: {more.lawyers:,} lawyers, {more.engagements:,} engagements, {more.milestones:,} "
        f"milestones, {more.grants:,} grant agreements, {more.absconders:,} absconders")
    log(f"money: {loader.summary.rows:,} rows in {clock.monotonic() - started:.1f} s")
    return loader.summary
