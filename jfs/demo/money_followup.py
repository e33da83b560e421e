"""The demo money's second pass (issue 11, item 6): what follows an approval once the first pass
(``jfs.demo.money``) has committed it — lawyers engaged on litigation and paid by milestone, project
grants paid by instalment against progress reports, and the people who absconded on the fund's bail
with what the fund recovered.

Rows are written in bulk through the first pass's tables, each as the owning service would write it:

- **Lawyers** (``jfs.lawyers.services``): a roster per office (Thai names from Faker's lists, licence
  numbers ``<serial>/<B.E. year>``, specialities, a few declared conflicts); an engagement for most
  approved litigation requests with a ``lawyer`` item (``ENGAGED``), the fee scale in force on the
  day copied on it, the agreed fee = the committed ``lawyer`` item; the lawyer's milestone reports
  (filing, hearings, judgement, sometimes an appeal), each with its ``lawyer_report`` document and
  the scale's fee capped at what is left of the agreed fee; each paid (``disburse`` of the
  ``lawyer`` item) to ``Lawyer.payee`` of the engaged lawyer, as ``lawyer_payment_check`` requires;
  the case's result once the case has run its course, 120–500 working days after the engagement
  (repayment per ``governance/lawyer_fees.yaml``). The demo closes a request's follow-up soon after
  its decision, so the lawyer is engaged before that day and the court case goes on after it.
- **Grants** (``jfs.grants.services``): for approved projects the assessment (before the decision),
  the agreement, 2–3 instalments split over the budget lines by ``plan_shares`` and paid one
  disbursement per line with the key ``<instalment key>/<line>``, progress reports, the final report
  with people reached, unspent money back for some (``split`` over the lines by what each was paid),
  and the grant closed once nothing is owed.
- **Absconders** (``jfs.recovery.services``): ``ABSCOND`` of the bail records released with a hearing
  behind them miss one; the court forfeits the deposit (``forfeit``), the responsible office traces
  the person (traced ``TRACED`` of the time), sues some, agrees repayment plans with the traced (monthly instalments
  with PromptPay references, reconciled from monthly bank files: key ``bank/<transaction>``), and the
  authority of ``governance/recovery.yaml`` writes off some old untraced debts.

``jfs.demo.money`` calls these from its loader (``lawyer``, ``grant``, ``abscond``) and creates the
``State`` in its set-up. Documents are rows pointing at the loader's shared sample PDFs.
"""

from __future__ import annotations

import hashlib
import json
import random
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from faker.providers.person.th_TH import Provider as ThaiNames

from jfs.accounts.models import User
from jfs.bail import models as bm
from jfs.cases.models import Document
from jfs.finance import accounts as acc
from jfs.finance import models as fm
from jfs.grants import models as gm
from jfs.grants import rules as grant_rules
from jfs.grants import services as grant_services
from jfs.grants.matching import name_key, registration_key
from jfs.lawyers import fees
from jfs.lawyers import models as lm
from jfs.recovery import models as rm
from jfs.recovery import rules as recovery_rules
from jfs.recovery import services as recovery_services
from jfslib import roles
from jfslib.thaidate import to_be_year
from jfslib.workdays import WorkingCalendar

if TYPE_CHECKING:
    from jfs.demo.money import _Item, _Loader, _Req

BKK = timedelta(hours=7)
#: approved litigation requests with a lawyer item that get a lawyer from the roster
ENGAGED = 0.9
#: lawyers per provincial office's roster (the central office: twice as many)
ROSTER = (4, 7)
#: lawyers who declared a conflict
CONFLICTED = 0.12
#: closed litigation cases that went to appeal before the result
APPEALED = 0.08
#: case results of closed litigation requests
RESULTS = (("won", 0.45), ("settled", 0.25), ("lost", 0.2), ("withdrawn", 0.1))
#: released bail records whose person misses a hearing (DOMAIN.md: 51 of the people bailed 2010–2022
#: absconded; about 1.5–2 % of bail records: the demo takes 1.8 %)
ABSCOND = 0.018
#: absconders found by tracing (DOMAIN.md: 21 traced, 30 not)
TRACED = 21 / 51
#: of the untraced, those the fund still sues (a judgement against someone not found)
SUED_UNTRACED = 0.4
#: debtors who keep paying every instalment (the rest stop after a few: overdue)
KEEP_PAYING = 0.7
#: untraced debts older than this many days: most (``WRITTEN_OFF``) are written off 200–300 working days
#: after the order
WRITE_OFF_AFTER = 300
WRITTEN_OFF = 0.6
#: projects whose final report leaves money unspent (returned)
UNSPENT = 0.2
SPECIALITIES = ("civil", "criminal", "administrative", "labour", "family", "consumer")
COMPANIES = ("บริษัท สยามลิสซิ่ง จำกัด", "บริษัท เงินทันใจ แคปปิตอล จำกัด", "บริษัท พัฒนาที่ดินรุ่งเรือง จำกัด",
             "บริษัท ไทยประกันภัยทั่วไป จำกัด (มหาชน)", "ธนาคารเพื่อการเกษตรและสหกรณ์การเกษตร",
             "บริษัท รับเหมาก่อสร้างเจริญกิจ จำกัด", "บริษัท ขนส่งสินค้าด่วนพิเศษ จำกัด")
MILESTONE_TEXT = {
    "filing": "ทนายความยื่นคำฟ้อง/คำให้การต่อศาลแล้ว แนบสำเนาคำคู่ความ",
    "hearing": "ทนายความไปศาลตามนัดสืบพยาน/นัดพิจารณา รายงานผลการพิจารณาและนัดครั้งต่อไป",
    "judgement": "ศาลมีคำพิพากษาแล้ว ทนายความรายงานผลคำพิพากษาพร้อมสำเนา",
    "appeal": "ทนายความยื่นอุทธรณ์คำพิพากษาศาลชั้นต้นแล้ว",
}
RESULT_TEXT = {"won": "ศาลพิพากษาให้ผู้ขอเป็นฝ่ายชนะคดี", "lost": "ศาลพิพากษายกฟ้อง/ให้ผู้ขอแพ้คดี",
               "settled": "คู่ความตกลงประนีประนอมยอมความกันในศาล", "withdrawn": "ผู้ขอถอนฟ้อง ศาลจำหน่ายคดี"}
OUTPUTS = ("จัดอบรม {days} วัน มีผู้เข้าร่วม {people} คน แจกคู่มือกฎหมาย {books} เล่ม "
           "และแนะนำช่องทางขอรับความช่วยเหลือจากกองทุนยุติธรรม")


def at(day: date, minutes: int = 0) -> datetime:
    """A moment on ``day`` in Bangkok office hours (09:00 + minutes), in UTC."""
    return datetime.combine(day, time(9), tzinfo=UTC) - BKK + timedelta(minutes=minutes)


class FastCalendar:
    """An office's working calendar with its working days listed once, so adding working days is a
    look-up rather than a walk (the money step adds days hundreds of thousands of times)."""

    FIRST, LAST = date(2005, 1, 1), date(2040, 12, 31)

    def __init__(self, calendar: WorkingCalendar) -> None:
        self.calendar = calendar
        days, day = [], self.FIRST
        while day <= self.LAST:
            if calendar.is_working_day(day):
                days.append(day)
            day += timedelta(days=1)
        self.days = days

    def is_working_day(self, day: date) -> bool:
        return self.calendar.is_working_day(day)

    def add_working_days(self, start: date, n: int) -> date:
        if n < 0:
            raise ValueError("n must be >= 0")
        if not self.FIRST <= start <= self.LAST - timedelta(days=2 * n + 400):
            return self.calendar.add_working_days(start, n)
        if n == 0:
            return start
        i = bisect_left(self.days, start)
        if i < len(self.days) and self.days[i] == start:
            i += 1  # the start day itself does not count
        return self.days[i + n - 1]

    def on_or_after(self, day: date) -> date:
        i = bisect_left(self.days, day)
        return self.days[i] if self.FIRST <= day <= self.LAST else working_on_or_after(self.calendar, day)


def working_on_or_after(cal: WorkingCalendar | FastCalendar, day: date) -> date:
    while not cal.is_working_day(day):
        day += timedelta(days=1)
    return day


def bank_reference(rng: random.Random, on: date, method: str) -> str:
    if method == "cheque":
        return f"เช็คธนาคารกรุงไทย เลขที่ {rng.randint(10_000_000, 99_999_999)}"
    if method == "promptpay":
        return f"PP{on:%Y%m%d}{rng.randint(0, 999_999):06d}"
    return f"KTB-{on:%y%m%d}-{rng.randint(0, 999_999):06d}"


def _round100(value: Decimal) -> Decimal:
    return (value / 100).quantize(Decimal(1)) * 100


@dataclass
class Summary:
    lawyers: int = 0
    engagements: int = 0
    milestones: int = 0
    grants: int = 0
    absconders: int = 0


@dataclass
class State:
    """What the second pass keeps through the load."""

    rng: random.Random
    #: office -> [(lawyer id, payee, conflicted parties)]
    roster: dict[int, list[tuple[int, str, frozenset[str]]]] = field(default_factory=dict)
    case_officer: dict[int, int] = field(default_factory=dict)
    head: dict[int, int] = field(default_factory=dict)
    central: int = 0
    samples: dict[str, tuple[str, int, str]] = field(default_factory=dict)
    engaged: set[int] = field(default_factory=set)  # requests with an engagement already
    granted: set[int] = field(default_factory=set)  # requests with an assessment already
    agreements: int = 0
    #: month -> [bank import id, rows, the day of the file]
    bank_files: dict[tuple[int, int], list[Any]] = field(default_factory=dict)
    summary: Summary = field(default_factory=Summary)


# --------------------------------------------------------------------------- set-up


def setup(lo: _Loader) -> State:
    state = State(rng=random.Random(f"jfs-demo-money-followup/{lo.seed}"))
    offices = lo.offices
    central = [pk for pk, o in offices.items() if o.is_central]
    state.central = central[0] if central else next(iter(offices), 0)
    for role, into in ((roles.CASE_OFFICER, state.case_officer), (roles.OFFICE_HEAD, state.head)):
        for u in User.objects.filter(role=role, is_active=True, office__isnull=False).order_by("id"):
            assert u.office_id is not None
            into.setdefault(u.office_id, u.pk)
    folder = settings.DOCUMENT_ROOT / "demo"
    for code in ("lawyer_report", "grant_agreement", "progress_report", "final_report"):
        path = folder / f"{code}.pdf"
        if path.exists():
            data = path.read_bytes()
            state.samples[code] = (f"{code}.pdf", len(data), hashlib.sha256(data).hexdigest())
    state.engaged = set(lm.Engagement.objects.values_list("request_id", flat=True))
    state.granted = set(gm.Assessment.objects.values_list("request_id", flat=True))
    state.agreements = gm.GrantAgreement.objects.count()
    _roster(lo, state)
    return state


def _officer(state: State, office_id: int, lo: _Loader) -> int:
    return state.case_officer.get(office_id) or state.case_officer.get(state.central) or lo.recorder


def _person(rng: random.Random) -> str:
    if rng.random() < 0.6:
        return f"นาย{rng.choice(ThaiNames.first_names_male)} {rng.choice(ThaiNames.last_names)}"
    return f"{rng.choice(('นาง', 'นางสาว'))}{rng.choice(ThaiNames.first_names_female)} {rng.choice(ThaiNames.last_names)}"


def _roster(lo: _Loader, state: State) -> None:
    """Each office's lawyers (an office with some already keeps them, ``--append``)."""
    rng = state.rng
    taken = set(lm.Lawyer.objects.values_list("licence_no", flat=True))
    for lawyer_id, office_id, name, licence in lm.Lawyer.objects.filter(active=True).values_list(
            "id", "office_id", "name", "licence_no"):
        state.roster.setdefault(office_id, []).append((lawyer_id, f"{name} (ใบอนุญาตทนายความเลขที่ {licence})",
                                                       frozenset()))
    table = lo.tables[lm.Lawyer]
    conflicts = lo.tables[lm.LawyerConflict]
    for office_id, office in sorted(lo.offices.items()):
        if office_id in state.roster:
            continue
        low, high = ROSTER
        count = rng.randint(low, high) * (2 if office.is_central else 1)
        by = state.head.get(office_id) or _officer(state, office_id, lo)
        for _n in range(count):
            year = rng.randint(2530, 2560)
            licence = f"{rng.randint(100, 99_999)}/{year}"
            while licence in taken:
                licence = f"{rng.randint(100, 99_999)}/{year}"
            taken.add(licence)
            name = _person(rng)
            kinds = sorted(rng.sample(SPECIALITIES, rng.randint(1, 3)), key=SPECIALITIES.index)
            registered = date(2016, 1, 4) + timedelta(days=rng.randint(0, 1500))
            lawyer_id = table.add(
                name=name, licence_no=licence, office_id=office_id, specialities="," + ",".join(kinds) + ",",
                phone=f"08{rng.randint(0, 99_999_999):08d}", email="", active=True, registered_on=registered,
                created_by_id=by, created_at=at(registered, 30))
            parties: set[str] = set()
            if rng.random() < CONFLICTED:
                party = rng.choice(COMPANIES) if rng.random() < 0.6 else _person(rng)
                parties.add(party)
                conflicts.add(lawyer_id=lawyer_id, party_name=party, note="เคยเป็นทนายความหรือที่ปรึกษาของคู่กรณีนี้",
                              declared_on=registered, recorded_by_id=by, recorded_at=at(registered, 40))
            state.roster.setdefault(office_id, []).append(
                (lawyer_id, f"{name} (ใบอนุญาตทนายความเลขที่ {licence})", frozenset(parties)))
            state.summary.lawyers += 1


def _document(lo: _Loader, state: State, request_id: int, code: str, by: int, when: datetime) -> int | None:
    sample = state.samples.get(code)
    if sample is None:
        return None
    name, size, digest = sample
    return lo.tables[Document].add(
        request_id=request_id, doc_type=code, original_name=name, content_type="application/pdf", size=size,
        sha256=digest, storage_name=f"demo/{code}.pdf", uploaded_by_id=by, uploaded_at=when, transition_id=None,
        superseded_by_id=None, original_sha256=digest, cleaned=False, sanitised="[]", scan_status="not_scanned",
        scan_reason="")


# --------------------------------------------------------------------------- lawyers


def lawyer(lo: _Loader, state: State, rng: random.Random, item: _Item, amount: Decimal) -> None:
    """The engagement of an approved litigation request's lawyer, the milestones and their payments."""
    req = item.request
    if req.id in state.engaged or rng.random() >= ENGAGED:
        return
    cal = lo.cal(req.office_id)
    engaged_on = cal.add_working_days(item.decided_on, rng.randint(1, 10))
    if req.closed_on is not None:  # engaged while the request was in follow-up
        engaged_on = max(item.decided_on, min(engaged_on, req.closed_on))
    scale = fees.scale_on(engaged_on)
    if engaged_on > lo.today or scale is None:
        return
    opposing = rng.choice(COMPANIES) if rng.random() < 0.4 else _person(rng)
    choices = [x for x in state.roster.get(req.office_id, []) + state.roster.get(state.central, [])[:2]
               if not x[2] & {opposing, req.applicant}]
    if not choices:
        return
    lawyer_id, payee, _parties = rng.choice(choices)
    state.engaged.add(req.id)
    case_kind = str(req.details.get("case_kind") or "other")
    rates = scale.for_case(case_kind)
    # the case's course in court (the demo closes a request's follow-up soon after the decision; the case
    # goes on): filing, hearings, the judgement (sometimes an appeal) and the result once the case ends
    case_end = cal.add_working_days(engaged_on, rng.randint(120, 500))
    finished = case_end <= lo.today
    end = case_end if finished else lo.today
    steps: list[tuple[str, date]] = []
    day = cal.add_working_days(engaged_on, rng.randint(5, 30))
    if day <= end:
        steps.append(("filing", day))
    result = _pick(rng, RESULTS) if finished else None
    result_on = case_end if finished else None
    last_hearing = end - timedelta(days=30) if finished else end
    while steps:
        day = cal.add_working_days(day, rng.randint(20, 60))
        if day > last_hearing or len(steps) > 6:
            break
        steps.append(("hearing", day))
    if finished and steps and result in ("won", "lost"):
        judgement = max(steps[-1][1] + timedelta(days=1), case_end - timedelta(days=20))
        steps.append(("judgement", judgement))
        if rng.random() < APPEALED:
            steps.append(("appeal", cal.add_working_days(judgement, rng.randint(10, 25))))
            result_on = max(case_end, steps[-1][1])
    if result_on is not None and result_on > lo.today:
        result, result_on = None, None
    by = _officer(state, req.office_id, lo)
    engagement = lo.tables[lm.Engagement]
    milestones = lo.tables[lm.Milestone]
    left, paid = amount, Decimal(0)
    rows: list[Callable[[int], object]] = []
    for n, (kind, report_on) in enumerate(steps, start=1):
        due = min(rates[kind], left)
        if due <= 0 or report_on > lo.today:
            break
        left -= due
        document = _document(lo, state, req.id, "lawyer_report", by, at(report_on, 120))
        pay_on = cal.add_working_days(report_on, rng.randint(3, 15))
        entry = None
        if pay_on <= lo.today:
            method = "transfer" if rng.random() < 0.85 else "cheque"
            entry = lo.disburse(item, n, due, pay_on, payee, method, bank_reference(rng, pay_on, method),
                                memo=f"{fees.milestone_name(kind, 'th')} ({report_on.isoformat()})")
            paid += due

        def milestone(eng: int, kind: str = kind, report_on: date = report_on, document: int | None = document,
                      due: Decimal = due, entry: int | None = entry) -> int:
            return milestones.add(engagement_id=eng, kind=kind, report_on=report_on, summary=MILESTONE_TEXT[kind],
                                  document_id=document, amount_due=due, payment_id=entry, recorded_by_id=by,
                                  recorded_at=at(report_on, 130))
        rows.append(milestone)
        state.summary.milestones += 1
    repay: Decimal | None = None
    required: bool | None = None
    if result is not None:
        rule = fees.result(result)
        if rule is not None and rule.repayment_required and paid <= 0:
            result = "withdrawn"
            rule = fees.result(result)
        required = bool(rule and rule.repayment_required)
        if required:
            repay = min(paid, max(Decimal(100), _round100(paid * Decimal(rng.uniform(0.3, 1.0)))))
    eng = engagement.add(
        request_id=req.id, lawyer_id=lawyer_id, engaged_on=engaged_on, opposing_party=opposing[:200],
        case_kind=case_kind, scale_effective=scale.effective,
        scale=json.dumps({k: f"{v:.2f}" for k, v in rates.items()}), agreed_fee=amount, status=lm.ACTIVE,
        ended_on=None, end_reason="", result=result or "", result_on=result_on,
        result_note=RESULT_TEXT.get(result or "", ""), repayment_required=required, repayment_amount=repay,
        created_by_id=by, created_at=at(engaged_on, 45))
    for add in rows:
        add(eng)
    state.summary.engagements += 1


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    r, acc_ = rng.random(), 0.0
    for code, weight in weighted:
        acc_ += weight
        if r < acc_:
            return code
    return weighted[-1][0]


# --------------------------------------------------------------------------- grants


def grant(lo: _Loader, state: State, rng: random.Random, lines: list[tuple[_Item, Decimal]]) -> None:
    """An approved project's assessment, agreement, instalments, reports and returns."""
    first = lines[0][0]
    req = first.request
    if req.id in state.granted:
        return
    state.granted.add(req.id)
    cal = lo.cal(req.office_id)
    by = _officer(state, req.office_id, lo)
    criteria = grant_rules.rules().criteria
    scores = {c.code: {"score": rng.randint(3, 5), "note": ""} for c in criteria}
    lo.tables[gm.Assessment].add(
        request_id=req.id, scores=json.dumps(scores, ensure_ascii=False),
        recommendation="support" if rng.random() < 0.8 else "support_with_changes",
        summary="กลุ่มเป้าหมายชัดเจน แผนการดำเนินงานเป็นไปได้ และงบประมาณสมเหตุสมผล", assessed_by_id=by,
        assessed_at=first.decided_at - timedelta(days=rng.randint(5, 20)), version=1)
    signed = cal.add_working_days(first.decided_on, rng.randint(10, 30))
    if signed > lo.today:
        return
    committed = {item.key: value for item, value in lines}
    total = sum(committed.values(), Decimal(0))
    count = rng.choice((2, 3))
    shares = (Decimal("0.6"),) if count == 2 else (Decimal("0.4"), Decimal("0.4"))
    amounts = [_round100(total * s) for s in shares]
    amounts.append(total - sum(amounts, Decimal(0)))
    if any(a <= 0 for a in amounts):
        amounts = [total]
    try:
        plans = grant_services.plan_shares(amounts, committed)
    except grant_services.GrantRefused:
        amounts = [total]
        plans = grant_services.plan_shares(amounts, committed)
    start = cal.add_working_days(signed, rng.randint(3, 10))
    end = start + timedelta(days=rng.randint(90, 270))
    state.agreements += 1
    be = to_be_year(signed.year)
    organisation = str(req.details.get("organisation") or "")[:200]
    registration = str(req.details.get("organisation_registration_no") or "")[:60]
    doc = _document(lo, state, req.id, "grant_agreement", by, at(signed, 60))
    final_due = end + timedelta(days=grant_rules.rules().final_report_days)
    # the course of the project: each instalment after its progress report; the final report, returns, closing
    step = (end - start) / len(amounts)
    pay_on = [cal.add_working_days(signed, rng.randint(3, 10))]
    reports: list[tuple[date, date, date, date]] = []  # (due, received, from, to)
    for i in range(1, len(amounts)):
        to = start + step * i
        due = to + timedelta(days=15)
        received = to + timedelta(days=rng.randint(3, 25))
        reports.append((due, received, start if i == 1 else reports[-1][3] + timedelta(days=1), to))
        pay_on.append(cal.add_working_days(received, rng.randint(3, 10)))
    participants = int(req.details.get("participants") or 100)
    final_on = end + timedelta(days=rng.randint(5, 45))
    paid_all = all(d <= lo.today for d in pay_on) and final_on <= lo.today
    unspent = Decimal(0)
    if paid_all and rng.random() < UNSPENT:
        unspent = max(Decimal(100), _round100(total * Decimal(rng.uniform(0.03, 0.15))))
    back_on = cal.add_working_days(final_on, rng.randint(10, 40)) if unspent else final_on
    closed_on = cal.add_working_days(back_on, rng.randint(3, 15)) if paid_all else None
    if closed_on is not None and closed_on > lo.today:
        closed_on = None
    status = gm.ACTIVE if not paid_all else gm.CLOSED if closed_on else gm.REPORTED
    agreement = lo.tables[gm.GrantAgreement].add(
        request_id=req.id, number=f"กทย.4-{lo.offices[req.office_id].code}-{state.agreements:05d}/{be}",
        organisation=organisation, registration_no=registration, registration_key=registration_key(registration),
        name_key=name_key(organisation), signed_on=signed, period_start=start, period_end=end, total=total,
        signed_for_grantee=f"{_person(rng)} (ประธาน{organisation})"[:200], signed_by_id=by, document_id=doc,
        final_report_due=final_due, status=status, closed_on=closed_on, closed_by_id=by if closed_on else None,
        created_at=at(signed, 90))
    state.summary.grants += 1
    finance = lo.poster(req.office_id)
    paid_lines: dict[str, Decimal] = defaultdict(Decimal)
    spent_so_far = Decimal(0)
    for seq, (amount, plan) in enumerate(zip(amounts, plans, strict=True), start=1):
        report = reports[seq - 2] if seq > 1 else None
        paid = pay_on[seq - 1] <= lo.today and all(d <= lo.today for d in pay_on[:seq])
        inst = lo.tables[gm.Instalment].reserve()
        key = f"demo/grant/{inst}"
        method = "transfer"
        reference = bank_reference(rng, pay_on[seq - 1], method) if paid else ""
        lo.tables[gm.Instalment].put(
            inst, agreement_id=agreement, sequence=seq, amount=amount, after_report=seq - 1 if seq > 1 else None,
            report_due=report[0] if report else None, paid_on=pay_on[seq - 1] if paid else None,
            paid_key=key if paid else "", method=method if paid else "", reference=reference,
            paid_by_id=finance if paid else None)
        for line, part in plan.items():
            if part <= 0:
                continue
            entry = None
            if paid:
                entry = lo.pay(req, line, f"{key}/{line}", part, pay_on[seq - 1], organisation, method, reference,
                               f"กทย.4 งวดที่ {seq}")
                paid_lines[line] += part
            lo.tables[gm.InstalmentShare].add(instalment_id=inst, item_key=line, amount=part, entry_id=entry)
        if report is not None and report[1] <= lo.today:
            due, received, period_from, period_to = report
            spent_so_far = sum(paid_lines.values(), Decimal(0)) * Decimal("0.8")
            document = _document(lo, state, req.id, "progress_report", by, at(received, 60))
            assert document is not None or not state.samples
            if document is not None:
                lo.tables[gm.ProgressReport].add(
                    agreement_id=agreement, sequence=seq - 1, received_on=received, period_from=period_from,
                    period_to=period_to, activities="ดำเนินกิจกรรมอบรมและประชาสัมพันธ์ตามแผนในช่วงรายงาน",
                    people_reached=int(participants * (seq - 1) / len(amounts)), spent=spent_so_far.quantize(Decimal(1)),
                    document_id=document, recorded_by_id=by, recorded_at=at(received, 70))
        if not paid:
            break
    if not paid_all:
        return
    paid_total = sum(paid_lines.values(), Decimal(0))
    document = _document(lo, state, req.id, "final_report", by, at(final_on, 60))
    if document is not None:
        reached = max(1, int(participants * rng.uniform(0.8, 1.3)))
        lo.tables[gm.FinalReport].add(
            agreement_id=agreement, received_on=final_on,
            outputs=OUTPUTS[0].format(days=rng.randint(1, 3), people=reached, books=reached + rng.randint(0, 50)),
            people_reached=reached, total_spent=paid_total - unspent, document_id=document, recorded_by_id=by,
            recorded_at=at(final_on, 70))
    if unspent and back_on <= lo.today:
        weights = {k: v for k, v in paid_lines.items() if v > 0}
        parts = {k: v for k, v in grant_services.split(unspent, weights).items() if v > 0}
        if any(v > paid_lines[k] for k, v in parts.items()):
            parts, left = {}, unspent
            for k, v in sorted(weights.items(), key=lambda kv: -kv[1]):
                take = min(v, left)
                if take > 0:
                    parts[k] = take
                left -= take
        key = f"demo/grant-return/{agreement}"
        receipt = f"ใบเสร็จรับเงินเลขที่ {rng.randint(1, 9999)}/{to_be_year(back_on.year)}"
        ret = lo.tables[gm.GrantReturn].add(agreement_id=agreement, amount=unspent, received_on=back_on,
                                            receipt_number=receipt, key=key, recorded_by_id=finance,
                                            recorded_at=at(back_on, 100))
        for line, part in parts.items():
            entry = lo.take_back(req, line, f"{key}/{line}", part, back_on, receipt, "เงินเหลือจ่ายคืน")
            lo.tables[gm.ReturnShare].add(grant_return_id=ret, item_key=line, amount=part, entry_id=entry)


# --------------------------------------------------------------------------- absconders


def absconds(state: State) -> bool:
    return state.rng.random() < ABSCOND


def abscond(lo: _Loader, state: State, rng: random.Random, item: _Item, amount: Decimal, missed: date,
            authority_name: str, released_name: str, rows: list[Callable[[int], object]]) -> tuple[str, date | None]:
    """The person missed the hearing of ``missed``: the court's forfeiture, tracing, suits, plans,
    instalments paid from the bank's files, write-offs. Returns the bail record's status and closed day."""
    req = item.request
    cal = lo.cal(req.office_id)
    ordered = cal.add_working_days(missed, rng.randint(5, 25))
    if ordered > lo.today:
        ordered = missed
    finance = lo.poster(req.office_id)
    office_name = lo.offices[req.office_id].name_th
    court = (authority_name if "ศาล" in authority_name  # released by the police: the court the case went to
             else office_name.replace("สำนักงานยุติธรรมจังหวัด", "ศาลจังหวัด") if "จังหวัด" in office_name else "ศาลอาญา")
    reference_of_order = f"คำสั่งศาลที่ {rng.randint(1, 9999)}/{to_be_year(ordered.year)}"
    forfeiture = lo.post(key=f"demo/forfeit/{req.id}", kind=fm.FORFEITURE, on=ordered, office_id=req.office_id,
                         service=req.service, request_id=req.id, item_key="bail_amount", reference=reference_of_order,
                         memo=f"{released_name} · {court}"[:500], by=finance, at=at(ordered, 100),
                         legs=[(acc.ABSCONDER_RECEIVABLE, amount), (acc.BAIL_DEPOSITED, -amount)])
    owed = amount
    state.summary.absconders += 1
    # tracing by the office (one attempt in four by the central office); the last attempt tells
    traced = rng.random() < TRACED
    central = lo.offices[req.office_id].is_central
    tracings: list[tuple[date, str, int, str]] = []
    day = ordered
    attempts = rng.randint(1, 3)
    for n in range(attempts):
        day = cal.add_working_days(day, rng.randint(10, 40))
        if day > lo.today:
            break
        by_central = central or rng.random() < 0.25
        found = traced and n == attempts - 1
        tracings.append((day, rm.CENTRAL if by_central else rm.PROVINCIAL,
                         state.central if by_central else req.office_id, rm.TRACED if found else rm.NOT_TRACED))
    found_on = tracings[-1][0] if tracings and tracings[-1][3] == rm.TRACED else None
    suits: list[tuple[date, date | None]] = []
    if found_on is not None or (tracings and rng.random() < SUED_UNTRACED):
        filed = cal.add_working_days(tracings[-1][0], rng.randint(20, 60))
        if filed <= lo.today:
            judged: date | None = cal.add_working_days(filed, rng.randint(80, 200))
            suits.append((filed, judged if judged and judged <= lo.today else None))
    plan: tuple[date, list[tuple[date, Decimal]]] | None = None
    if found_on is not None:
        basis_on = suits[0][1] if suits and suits[0][1] else found_on
        agreed = cal.add_working_days(basis_on, rng.randint(10, 30))
        if agreed <= lo.today:
            count = rng.randint(6, 24)
            plan = (agreed, recovery_services.equal_instalments(owed, count, agreed + timedelta(days=30)))
    written: tuple[date, Decimal] | None = None
    if found_on is None and tracings and (lo.today - ordered).days > WRITE_OFF_AFTER and rng.random() < WRITTEN_OFF:
        on = cal.add_working_days(max(ordered, tracings[-1][0]), rng.randint(200, 300))
        if on <= lo.today:
            written = (on, owed)
    # the instalments: (due, amount, the day paid or None); a debtor keeps paying or stops after a few
    keep_paying, stop_after = rng.random() < KEEP_PAYING, rng.randint(1, 4)
    schedule: list[tuple[date, Decimal, date | None]] = []
    closed_on: date | None = written[0] if written else None
    left = owed
    if plan is not None:
        for n, (due, value) in enumerate(plan[1], start=1):
            paid_on = due - timedelta(days=rng.randint(0, 5))
            pays = paid_on <= lo.today and (keep_paying or n <= stop_after)
            schedule.append((due, value, paid_on if pays else None))
            if pays:
                left -= value
                if left == 0:
                    closed_on = paid_on
    recorder = _officer(state, req.office_id, lo)
    case_numbers = [f"ผบ.{rng.randint(1, 3000)}/{to_be_year(filed.year)}" for filed, _j in suits]

    def rows_of(record_id: int) -> None:
        ab = lo.tables[rm.Abscondence].reserve()
        for day, level, office, result in tracings:
            lo.tables[rm.Tracing].add(abscondence_id=ab, on=day, level=level, office_id=office, result=result,
                                      note="พบตัวที่ภูมิลำเนา ตกลงผ่อนชำระ" if result == rm.TRACED
                                      else "ไม่พบตัวตามที่อยู่ที่ให้ไว้ สอบถามผู้นำชุมชนแล้ว",
                                      recorded_by_id=_officer(state, office, lo), recorded_at=at(day, 200))
        for (filed, judged), number in zip(suits, case_numbers, strict=True):
            lo.tables[rm.CivilSuit].add(
                abscondence_id=ab, filed_on=filed, court_name=court[:200], case_number=number, claim=owed,
                judgement_on=judged, judgement_amount=owed if judged else None, recorded_by_id=recorder,
                recorded_at=at(filed, 210))
        if plan is not None:
            agreed = plan[0]
            plan_id = lo.tables[rm.RepaymentPlan].add(
                abscondence_id=ab, agreed_on=agreed,
                basis="ตามคำพิพากษา" if suits and suits[0][1] else "บันทึกข้อตกลงผ่อนชำระหนี้กับกองทุนยุติธรรม",
                recorded_by_id=recorder, recorded_at=at(agreed, 220))
            for n, (due, value, paid_on) in enumerate(schedule, start=1):
                inst = lo.tables[rm.Instalment].reserve()
                reference = f"JF{plan_id:08d}{n:03d}"
                entry = txn = None
                if paid_on is not None:
                    txn = f"KTB{paid_on:%Y%m%d}{inst:07d}"
                    entry = lo.post(key=f"bank/{txn}", kind=fm.RECOVERY, on=paid_on, office_id=req.office_id,
                                    service=req.service, request_id=req.id, payee=released_name, method="promptpay",
                                    reference=txn, memo=f"งวดที่ {n} ({reference})", by=_bank_officer(lo, state),
                                    at=at(paid_on + timedelta(days=1), 30),
                                    legs=[(acc.CASH, value), (acc.ABSCONDER_RECEIVABLE, -value)])
                    _bank_row(lo, state, paid_on, txn, reference, due, value, inst, entry)
                lo.tables[rm.Instalment].put(inst, plan_id=plan_id, number=n, due_on=due, amount=value,
                                             reference=reference, paid_on=paid_on, bank_reference=txn or "",
                                             entry_id=entry)
        if written is not None:
            on, value = written
            tier, approver, ref = _tier(lo, state, req, value, on, rng)
            why = "ติดตามตัวไม่พบ ไม่มีทรัพย์สินให้บังคับคดี"
            entry = lo.post(key=f"demo/write-off/{req.id}", kind=fm.WRITE_OFF, on=on, office_id=req.office_id,
                            service=req.service, request_id=req.id, reference=ref, memo=why, by=approver,
                            at=at(on, 240), legs=[(acc.WRITTEN_OFF, value), (acc.ABSCONDER_RECEIVABLE, -value)])
            lo.tables[rm.WriteOff].add(abscondence_id=ab, amount=value, on=on, tier=tier,
                                       approver_role=roles.OFFICE_HEAD, decision_reference=ref, reason=why,
                                       entry_id=entry, approved_by_id=approver, recorded_at=at(on, 240))
        lo.tables[rm.Abscondence].put(
            ab, record_id=record_id, absconded_on=missed, order=rm.FORFEITURE, court_name=court[:200],
            order_reference=reference_of_order, ordered_on=ordered, amount=owed, entry_id=forfeiture,
            recorded_by_id=finance, recorded_at=at(ordered, 100), closed_on=closed_on)

    rows.append(rows_of)
    return (bm.CLOSED if closed_on else bm.ABSCONDED), closed_on


def _bank_officer(lo: _Loader, state: State) -> int:
    return lo.finance.get(state.central, lo.recorder)


def _bank_row(lo: _Loader, state: State, paid_on: date, txn: str, ref1: str, due: date, value: Decimal, inst: int,
              entry: int) -> None:
    """The instalment's row in the month's bank file (one file per month, imported the next working day)."""
    month = (paid_on.year, paid_on.month)
    found = state.bank_files.get(month)
    if found is None:
        found = state.bank_files[month] = [lo.tables[rm.BankImport].reserve(), 0, paid_on]
    found[1] += 1
    found[2] = max(found[2], paid_on)
    lo.tables[rm.BankRow].add(bank_import_id=found[0], line_number=found[1] + 1, transaction_id=txn,
                              paid_at=f"{paid_on:%Y-%m-%d} 10:{found[1] % 60:02d}:00", paid_on=paid_on, ref1=ref1,
                              ref2=f"{due:%Y%m%d}", amount_text=f"{value:.2f}", status=rm.POSTED, reason="",
                              instalment_id=inst, entry_id=entry)


def finish(lo: _Loader, state: State) -> None:
    """The month's bank files, now that their rows are counted."""
    for (year, month), (ident, rows, last) in sorted(state.bank_files.items()):
        lo.tables[rm.BankImport].put(ident, file_name=f"ktb-billpayment-{year}{month:02d}.csv",
                                     imported_by_id=_bank_officer(lo, state),
                                     imported_at=at(last + timedelta(days=1), 60), rows=rows, posted=rows,
                                     quarantined=0)
    state.bank_files.clear()


def _tier(lo: _Loader, state: State, req: _Req, value: Decimal, on: date,
          rng: random.Random) -> tuple[str, int, str]:
    """The authority that writes ``value`` off (``governance/recovery.yaml``), its holder and reference."""
    tiers = {t.key: t for t in recovery_rules.tiers(on)}
    central_head = state.head.get(state.central, lo.recorder)
    be = to_be_year(on.year)
    for t in tiers.values():
        if t.office == "provincial" and not lo.offices[req.office_id].is_central and t.up_to is not None \
                and value <= t.up_to and req.office_id in state.head:
            return t.key, state.head[req.office_id], f"ยธ.{lo.offices[req.office_id].code}/{rng.randint(1, 999)}/{be}"
    for t in tiers.values():
        if t.office == "central" and (t.up_to is None or value <= t.up_to):
            ref = (f"มติคณะกรรมการบริหารกองทุนยุติธรรม ครั้งที่ {rng.randint(1, 12)}/{be}" if t.decision_required
                   else f"กทย.{rng.randint(1, 999)}/{be}")
            return t.key, central_head, ref
    raise ValueError("governance/recovery.yaml: no tier may write this debt off")

