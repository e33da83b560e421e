"""Consideration and decisions as the Justice Fund Act sets them: who decides (``authority``),
committees and their members, meetings (agenda, attendance and quorum, conflict declarations,
votes, minutes), decisions with coded reasons and approved amounts per cost item, letters, and
appeals.

A decision is a workflow action of the request (``decide_urgent``, ``record_subcommittee_decision``,
``decide_appeal``, ``terminate``, ``withdraw``, ``refer``): the case services take it and, in the
same transaction, ask this module (``DecisionOwner``, registered at start-up) to check its fields
and to write the ``Decision``. Whoever takes the action, through a page, the API or the demo
loader, meets the same rules. Every refusal names its field in Thai and English and writes nothing.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q

from jfs.accounts.models import CENTRAL_OFFICE_CODE, Office, User
from jfs.audit.services import record
from jfs.cases import reasons
from jfs.cases import services as cases
from jfs.cases.calendar import calendar_for
from jfs.cases.errors import InvalidInput, NotPermitted, field_error
from jfs.cases.models import Request, Transition
from jfs.core import clock
from jfs.decisions import authority, documents, selectors
from jfs.decisions import models as m
from jfs.decisions.items import parse_amounts, requested_items
from jfs.eligibility.screening import summary_for_agenda
from jfslib import roles, thaidate
from jfslib.thaidate import fiscal_year

#: the deciding actions and the outcomes each may record
DECIDING_OUTCOMES: dict[str, tuple[str, ...]] = {
    "decide_urgent": ("approved", "partially_approved", "rejected", "terminated"),
    "record_subcommittee_decision": ("approved", "partially_approved", "rejected", "terminated"),
    "decide_appeal": ("approved", "partially_approved", "rejected"),
    "terminate": ("terminated",),
    "withdraw": ("terminated",),
    "refer": ("referred",),
}
#: outcomes that approve money (item by item)
APPROVING = ("approved", "partially_approved")
#: decisions an applicant may appeal against
APPEALABLE = ("rejected", "partially_approved")


class MeetingRefused(InvalidInput):
    """A meeting step that the meeting's rules refuse (quorum, conflicts, a locked record)."""

    code = "meeting_refused"


def _refuse(th: str, en: str, field: str = "__all__") -> MeetingRefused:
    return MeetingRefused(th, en, errors=[field_error(field, th, en)])


# --------------------------------------------------------------------------- committees


def ensure_committees() -> int:
    """Create the Justice Fund Committee, the central subcommittees of ``governance/authority.yaml``
    and a provincial subcommittee for each Provincial Justice Office (idempotent). Returns how many
    committees exist."""
    auth = authority.load()
    central = Office.objects.get(code=CENTRAL_OFFICE_CODE)
    th, en = auth.bodies[m.LEVEL_BOARD]
    m.Committee.objects.get_or_create(code="BOARD", defaults={
        "level": m.LEVEL_BOARD, "office": central, "name_th": th, "name_en": en, "services": []})
    for code, c in auth.central.items():
        m.Committee.objects.get_or_create(code=code, defaults={
            "level": m.LEVEL_CENTRAL, "office": central, "name_th": c.th, "name_en": c.en,
            "services": list(c.services)})
    th, en = auth.bodies[m.LEVEL_PROVINCIAL]
    provincial = sorted({s for s, r in auth.routes.items() if r == authority.PROVINCIAL})
    existing = set(m.Committee.objects.filter(level=m.LEVEL_PROVINCIAL).values_list("office_id", flat=True))
    m.Committee.objects.bulk_create([
        m.Committee(code=f"P{o.code}", level=m.LEVEL_PROVINCIAL, office=o,
                    name_th=f"{th}{o.name_th.replace('สำนักงานยุติธรรมจังหวัด', '')}",
                    name_en=f"{en}, {o.name_en.replace('Provincial Justice Office', '').strip()}",
                    services=provincial)
        for o in Office.objects.filter(is_central=False).exclude(pk__in=existing)
    ])
    return m.Committee.objects.count()


_POSITION_ROLE = {m.CHAIR: roles.SUBCOMMITTEE_CHAIR, m.MEMBER: roles.SUBCOMMITTEE_MEMBER,
                  m.SECRETARY: roles.SUBCOMMITTEE_SECRETARY}


@transaction.atomic
def appoint(*, actor: User, committee_id: int, user: User, position: str, since: date) -> m.Membership:
    """Seat ``user`` on a committee. The administrator appoints to any committee, an office head to
    their own office's; the person's role must be the position's (a chair is a subcommittee chair).
    A chair or secretary appointed replaces the one before (their seat ends the day before)."""
    committee = m.Committee.objects.select_for_update().get(pk=committee_id)
    if not (actor.role == roles.ADMINISTRATOR or (actor.role == roles.OFFICE_HEAD and actor.office_id == committee.office_id)):
        raise NotPermitted("ท่านไม่มีสิทธิ์แต่งตั้งกรรมการของคณะนี้", "You may not appoint members of this committee")
    if position not in _POSITION_ROLE:
        raise InvalidInput("ตำแหน่งไม่ถูกต้อง", "Not a valid position",
                           errors=[field_error("position", "ตำแหน่งไม่ถูกต้อง", "Not a valid position")])
    if user.role != _POSITION_ROLE[position]:
        th, en = "บทบาทของผู้ใช้ไม่ตรงกับตำแหน่ง", "The person's role does not match the position"
        raise InvalidInput(th, en, errors=[field_error("user", th, en)])
    if position in (m.CHAIR, m.SECRETARY):
        for seat in committee.memberships.filter(position=position, until__isnull=True).exclude(user=user):
            seat.until = since
            seat.save(update_fields=["until"])
    seat, _created = m.Membership.objects.get_or_create(
        committee=committee, user=user, since=since, defaults={"position": position})
    record("committee_appointment", actor=actor, object_type="committee", object_id=str(committee.pk),
           reference=committee.code, details={"user": user.pk, "position": position})
    return seat


# --------------------------------------------------------------------------- the decision owner


def _codes(fields: dict[str, Any]) -> list[str]:
    raw = fields.get("reason_codes", fields.get("reason_code", ""))
    if isinstance(raw, str):
        raw = [c for c in raw.replace(" ", ",").split(",")]
    if not isinstance(raw, list | tuple):
        return []
    seen: list[str] = []
    for c in raw:
        code = str(c).strip().upper()
        if code and code not in seen:
            seen.append(code)
    return seen


@dataclass(frozen=True)
class Plan:
    """What a deciding action will record, once checked."""

    outcome: str
    codes: list[str]
    cause: str
    items: list[tuple[str, str, str, Decimal, Decimal]]  # key, th, en, requested, approved
    committee: m.Committee | None
    item: m.AgendaItem | None
    appeal: m.Appeal | None
    authority: str
    tally: tuple[int, int, int] | None


def _reason_errors(outcome: str, codes: list[str], cause: str, note: str) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    catalogue = reasons.all_reasons()
    if not codes:
        errors.append(field_error("reason_codes", "กรุณาเลือกเหตุผลอย่างน้อยหนึ่งข้อ",
                                  "Choose at least one reason"))
    for code in codes:
        r = catalogue.get(code)
        if r is None:
            errors.append(field_error("reason_codes", f"ไม่มีเหตุผลรหัส {code} ในรายการ กรุณาเลือกจากรายการ",
                                      f"There is no reason {code}: choose one from the list"))
        elif outcome in reasons.OUTCOME_NAMES and outcome not in r.outcomes:
            th, en = reasons.OUTCOME_NAMES[outcome]
            errors.append(field_error(
                "reason_codes",
                f"เหตุผล “{r.th}” ใช้กับผลการพิจารณา “{th}” ไม่ได้ กรุณาเลือกเหตุผลที่ตรงกับผลการพิจารณา",
                f"The reason “{r.en}” does not explain the outcome “{en}”: choose a reason that fits the outcome"))
        elif r.cause and cause and r.cause != cause:
            errors.append(field_error(
                "reason_codes",
                f"เหตุผล “{r.th}” ไม่ตรงกับสาเหตุที่ยุติเรื่อง “{reasons.cause_name(cause, 'th')}”",
                f"The reason “{r.en}” does not fit the cause “{reasons.cause_name(cause, 'en')}”"))
    if codes and all(reasons.is_other(c) for c in codes) and not note.strip():
        errors.append(field_error("comment", "เลือกเหตุผลอื่น ต้องระบุเหตุผลในบันทึก",
                                  "With “another reason” the note must say what it is"))
    if outcome == "terminated" and cause not in m.TERMINATION_CAUSES:
        errors.append(field_error("cause", "กรุณาเลือกสาเหตุที่ยุติเรื่อง", "Choose why the request is terminated"))
    return errors


def _item_errors(req: Request, outcome: str, raw: Any) -> tuple[list[dict[str, str]], list[tuple[str, str, str, Decimal, Decimal]]]:
    """The approved amount per requested item: every problem, and the items to record."""
    requested = requested_items(req)
    amounts, bad = parse_amounts(raw)
    errors: list[dict[str, str]] = []
    for key in bad:
        errors.append(field_error(f"items.{key}" if key != "*" else "items", "จำนวนเงินที่อนุมัติต้องเป็นตัวเลขไม่ติดลบ ทศนิยมไม่เกิน 2 ตำแหน่ง",
                                  "An approved amount must be a number of baht, not negative, at most 2 decimals"))
    known = {r.key for r in requested}
    for key in amounts:
        if key not in known:
            errors.append(field_error("items", f"ไม่มีรายการ “{key}” ในคำขอ", f"The request has no item “{key}”"))
    rows: list[tuple[str, str, str, Decimal, Decimal]] = []
    if outcome not in APPROVING:
        if amounts:
            errors.append(field_error("items", "ผลการพิจารณานี้ไม่มีจำนวนเงินที่อนุมัติ",
                                      "This outcome approves no amount"))
        return errors, [(r.key, r.th, r.en, r.amount, Decimal(0)) for r in requested]
    for r in requested:
        approved = amounts.get(r.key, r.amount if outcome == "approved" else Decimal(0))
        if approved > r.amount:
            errors.append(field_error(
                f"items.{r.key}", f"“{r.th}” อนุมัติได้ไม่เกินที่ขอ {r.amount:,.2f} บาท",
                f"“{r.en}”: at most the {r.amount:,.2f} baht requested can be approved"))
        rows.append((r.key, r.th, r.en, r.amount, approved))
    total_req = sum((row[3] for row in rows), Decimal(0))
    total_ok = sum((row[4] for row in rows), Decimal(0))
    if outcome == "approved" and total_ok < total_req and not errors:
        errors.append(field_error("outcome", "อนุมัติไม่เต็มจำนวนที่ขอ ให้เลือก “อนุมัติบางส่วน”",
                                  "Less than requested is approved: choose “Partly approved”"))
    if outcome == "partially_approved" and not errors:
        if total_ok <= 0:
            errors.append(field_error("items", "อนุมัติบางส่วนต้องอนุมัติอย่างน้อยหนึ่งรายการ",
                                      "A partial approval approves at least one item"))
        elif total_ok > total_req:
            errors.append(field_error("items", f"รวมที่อนุมัติ {total_ok:,.2f} บาท เกินที่ขอ {total_req:,.2f} บาท",
                                      f"The {total_ok:,.2f} baht approved is more than the {total_req:,.2f} baht requested"))
        elif total_ok == total_req:
            errors.append(field_error("outcome", "อนุมัติเต็มจำนวนที่ขอ ให้เลือก “อนุมัติ”",
                                      "All that was requested is approved: choose “Approved”"))
    return errors, rows


def _tally(item: m.AgendaItem) -> tuple[int, int, int]:
    votes = list(item.votes.values_list("choice", flat=True))
    return votes.count(m.FOR), votes.count(m.AGAINST), votes.count(m.ABSTAIN)


def _carried(item: m.AgendaItem, tally: tuple[int, int, int]) -> bool:
    """A majority of the votes cast for; a tie is carried when the chair voted for (the chair's
    casting vote, Administrative Procedure Act s.82, unconfirmed for the Fund's committees)."""
    yes, no, _abstain = tally
    if yes != no:
        return yes > no
    chair = selectors.seat_holder(item.meeting.committee, m.CHAIR, item.meeting.scheduled_for.date())
    return yes > 0 and chair is not None and item.votes.filter(user=chair, choice=m.FOR).exists()


def _meeting_item_errors(actor: User, req: Request, action: str, raw: Any) -> tuple[list[dict[str, str]], m.AgendaItem | None, tuple[int, int, int] | None]:
    kind = m.APPEAL if action == "decide_appeal" else m.CONSIDER
    try:
        item = m.AgendaItem.objects.select_related("meeting__committee").get(pk=int(raw), request=req, kind=kind)
    except (m.AgendaItem.DoesNotExist, TypeError, ValueError):
        th, en = "มติต้องบันทึกจากวาระของการประชุม", "A resolution is recorded from a meeting's agenda item"
        return [field_error("agenda_item", th, en)], None, None
    meeting = item.meeting
    errors: list[dict[str, str]] = []
    if not selectors.holds_seat(actor, meeting.committee, m.SECRETARY, meeting.scheduled_for.date()):
        raise NotPermitted("เฉพาะเลขานุการของคณะนี้บันทึกมติได้", "Only this committee's secretary records its resolutions")
    if meeting.state != m.OPEN:
        errors.append(field_error("agenda_item", "การประชุมยังไม่เปิดหรือปิดไปแล้ว บันทึกมติไม่ได้",
                                  "The meeting is not open: no resolution can be recorded"))
    if hasattr(item, "decision"):
        errors.append(field_error("agenda_item", "วาระนี้บันทึกมติแล้ว", "This item's resolution is already recorded"))
    present = selectors.voting_present(meeting)
    if meeting.quorum is None or present < meeting.quorum:
        errors.append(field_error("agenda_item", f"องค์ประชุมไม่ครบ: มาประชุม {present} คน ต้องมีอย่างน้อย {meeting.quorum or '-'} คน",
                                  f"No quorum: {present} present, at least {meeting.quorum or '-'} needed"))
    tally = _tally(item)
    if sum(tally) == 0:
        errors.append(field_error("agenda_item", "ยังไม่มีการลงมติในวาระนี้", "No vote has been cast on this item"))
    elif not _carried(item, tally):
        errors.append(field_error("agenda_item", f"มติไม่ผ่าน: เห็นชอบ {tally[0]} ไม่เห็นชอบ {tally[1]}",
                                  f"The vote did not carry: {tally[0]} for, {tally[1]} against"))
    return errors, item, tally


class DecisionOwner:
    """The decision rules, asked by the case services for every deciding action and for lodging an
    appeal (``jfs.cases.services.ActionOwner``)."""

    actions = frozenset(DECIDING_OUTCOMES) | {"appeal"}

    def owns(self, req: Request, action: str) -> bool:
        act = req.workflow.actions.get(action)
        if act is None:
            return False
        return act.sets_outcome or (action == "appeal" and "decide_appeal" in req.workflow.actions)

    def complete(self, req: Request, action: str, fields: dict[str, Any]) -> dict[str, Any]:
        """What the action implies: a withdrawal terminates with the cause "withdrawn" (reason T03),
        a referral is the outcome "referred" (reason F01), a termination's outcome is "terminated"."""
        out = dict(fields)
        if action == "withdraw":
            out.update(outcome="terminated", cause="withdrawn")
            out.setdefault("reason_codes", ["T03"])
        elif action == "refer":
            out.update(outcome="referred")
            out.setdefault("reason_codes", ["F01"])
        elif action == "terminate":
            out["outcome"] = "terminated"
        if "reason_codes" not in out and "reason_code" in out:
            out["reason_codes"] = _codes(out)
        return out

    def plan(self, actor: User, req: Request, action: str, fields: dict[str, Any], comment: str,
             on: date) -> tuple[list[dict[str, str]], Plan | None]:
        if action == "appeal":
            return _appeal_errors(req, on), None
        outcome = str(fields.get("outcome") or "")
        errors: list[dict[str, str]] = []
        if outcome not in DECIDING_OUTCOMES[action]:
            names = ", ".join(reasons.outcome_name(o, "th") for o in DECIDING_OUTCOMES[action])
            names_en = ", ".join(reasons.outcome_name(o, "en") for o in DECIDING_OUTCOMES[action])
            errors.append(field_error("outcome", f"กรุณาเลือกผลการพิจารณา ({names})", f"Choose the outcome ({names_en})"))
        codes = _codes(fields)
        cause = str(fields.get("cause") or "") if outcome == "terminated" else ""
        errors += _reason_errors(outcome, codes, cause, comment)
        item_errors, rows = _item_errors(req, outcome, fields.get("items"))
        errors += item_errors
        committee = selectors.deciding_committee(req, on)
        item: m.AgendaItem | None = None
        appeal: m.Appeal | None = None
        tally = None
        how = m.BY_OFFICE
        if action == "decide_urgent":
            how = m.BY_CHAIR
            if committee is None or not selectors.holds_seat(actor, committee, m.CHAIR, on):
                raise NotPermitted("เฉพาะประธานของคณะอนุกรรมการที่พิจารณาคำขอนี้ตัดสินกรณีเร่งด่วนได้",
                                   "Only the chair of the subcommittee that decides this request may decide it urgently")
            limit = authority.urgent_limit(req.service, req.received_on)
            if req.amount_requested > limit:
                errors.append(field_error(
                    "outcome",
                    f"จำนวนเงินที่ขอ {req.amount_requested:,.2f} บาท เกินวงเงินที่ประธานพิจารณากรณีเร่งด่วนได้ "
                    f"({limit:,.2f} บาท) ต้องเสนอที่ประชุมคณะอนุกรรมการ",
                    f"The {req.amount_requested:,.2f} baht requested is above the chair's urgent limit "
                    f"({limit:,.2f} baht): put it to the subcommittee's meeting"))
        elif action in ("record_subcommittee_decision", "decide_appeal"):
            how = m.BY_MEETING
            meeting_errors, item, tally = _meeting_item_errors(actor, req, action, fields.get("agenda_item"))
            errors += meeting_errors
            if item is not None:
                committee = item.meeting.committee
                appeal = item.appeal
        return errors, Plan(outcome, codes, cause, rows, committee, item, appeal, how, tally)

    def check(self, actor: User, req: Request, action: str, fields: dict[str, Any], comment: str,
              on: date) -> list[dict[str, str]]:
        return self.plan(actor, req, action, fields, comment, on)[0]

    def fields(self, action: str, fields: dict[str, Any]) -> dict[str, str]:
        if action == "appeal":
            return {}
        out = {"outcome": str(fields.get("outcome", "")), "reason_code": ",".join(_codes(fields))[:40]}
        if fields.get("cause"):
            out["cause"] = str(fields["cause"])
        return out

    def record(self, actor: User, req: Request, action: str, fields: dict[str, Any], comment: str, on: date,
               transition: Transition) -> None:
        if action == "appeal":
            _lodge(actor, req, comment, on)
            return
        errors, plan = self.plan(actor, req, action, fields, comment, on)
        if errors or plan is None:  # checked in the same transaction a moment ago; never half-written
            raise InvalidInput("ข้อมูลการพิจารณาไม่ถูกต้อง", "The decision is not valid", errors=errors)
        approved = sum((r[4] for r in plan.items), Decimal(0))
        requested = sum((r[3] for r in plan.items), Decimal(0))
        decision = m.Decision.objects.create(
            request=req, kind=m.APPEAL_DECISION if action == "decide_appeal" else m.FIRST,
            outcome=plan.outcome, cause=plan.cause, authority=plan.authority, committee=plan.committee,
            meeting=plan.item.meeting if plan.item else None, item=plan.item, appeal=plan.appeal,
            recorded_by=actor, decided_on=on, fiscal_year=fiscal_year(on), service=req.service,
            amount_requested=requested or req.amount_requested, amount_approved=approved,
            note=comment.strip(), referred_to=str(fields.get("referred_to", ""))[:300],
            other_only=all(reasons.is_other(c) for c in plan.codes),
            votes_for=plan.tally[0] if plan.tally else None, votes_against=plan.tally[1] if plan.tally else None,
            votes_abstain=plan.tally[2] if plan.tally else None, transition=transition, created_at=clock.now(),
        )
        m.DecisionReason.objects.bulk_create(
            [m.DecisionReason(decision=decision, code=c, position=i) for i, c in enumerate(plan.codes, start=1)])
        m.DecisionItem.objects.bulk_create([
            m.DecisionItem(decision=decision, key=k, label_th=th, label_en=en, requested=rq, approved=ok)
            for k, th, en, rq, ok in plan.items])
        if plan.appeal is not None:
            m.Appeal.objects.filter(pk=plan.appeal.pk).update(state=m.Appeal.DECIDED, decision=decision)
        for hook in DECISION_HOOKS:  # in this transaction: a hook that refuses undoes the decision too
            hook(actor, decision)
        record("decision", actor=actor, object_type="request", object_id=str(req.pk), reference=req.number,
               details={"outcome": plan.outcome, "reasons": plan.codes, "authority": plan.authority,
                        "meeting": plan.item.meeting_id if plan.item else None})

    def in_scope(self, user: User, req: Request) -> bool:
        if user.role not in (roles.SUBCOMMITTEE_CHAIR, roles.SUBCOMMITTEE_SECRETARY):
            return False
        return selectors.sits_on_deciding_committee(user, req)

    def visible(self, user: User) -> Q | None:
        """The requests the committees ``user`` sits on decide (chairs, members, secretaries only)."""
        if user.role not in COMMITTEE_ROLES:
            return None
        return selectors.decided_by_committees_of(user)


#: the roles that sit on committees
COMMITTEE_ROLES = frozenset({roles.SUBCOMMITTEE_CHAIR, roles.SUBCOMMITTEE_MEMBER, roles.SUBCOMMITTEE_SECRETARY})


OWNER = DecisionOwner()

#: apps above this one that act on every decision recorded, in its transaction (the finance app
#: commits an approval's amounts per cost item), registered at start-up
DecisionHook = Callable[[User, m.Decision], None]
DECISION_HOOKS: list[DecisionHook] = []


def register_decision_hook(hook: DecisionHook) -> None:
    if hook not in DECISION_HOOKS:
        DECISION_HOOKS.append(hook)


# --------------------------------------------------------------------------- appeals


def notified_on(req: Request) -> date | None:
    """The day the applicant was told of the latest decision (the appeal period runs from it)."""
    return (Transition.objects.filter(request=req, action="notify_applicant").order_by("-at", "-id")
            .values_list("on_date", flat=True).first())


def appeal_deadline(req: Request) -> date | None:
    told = notified_on(req)
    if told is None:
        return None
    return calendar_for(req.office_id).add_working_days(told, authority.appeal_working_days(told))


def _appeal_errors(req: Request, on: date) -> list[dict[str, str]]:
    latest = selectors.latest_decision(req)
    if latest is not None and latest.kind == m.APPEAL_DECISION:
        th, en = "คำขอนี้พิจารณาอุทธรณ์แล้ว อุทธรณ์ซ้ำไม่ได้", "This request's appeal is decided: it cannot be appealed again"
        return [field_error("comment", th, en)]
    if latest is None or latest.outcome not in APPEALABLE:
        th, en = ("อุทธรณ์ได้เฉพาะผลการพิจารณาที่ไม่อนุมัติหรืออนุมัติบางส่วน",
                  "Only a rejection or a partial approval can be appealed")
        return [field_error("comment", th, en)]
    deadline = appeal_deadline(req)
    if deadline is not None and on > deadline:
        return [field_error(
            "comment", f"พ้นกำหนดอุทธรณ์แล้ว (อุทธรณ์ได้ถึงวันที่ {thaidate.format_thai(deadline, 'long')})",
            f"The appeal period is over (appeals were open until {thaidate.format_en(deadline)})")]
    return []


def _lodge(actor: User, req: Request, grounds: str, on: date) -> None:
    latest = selectors.latest_decision(req)
    assert latest is not None  # checked by _appeal_errors in the same transaction
    m.Appeal.objects.create(request=req, against=latest, lodged_on=on, deadline=appeal_deadline(req) or on,
                            grounds=grounds.strip(), lodged_by=actor)


# --------------------------------------------------------------------------- meetings


def _require_secretary(actor: User, meeting: m.Meeting) -> None:
    if not selectors.holds_seat(actor, meeting.committee, m.SECRETARY, meeting.scheduled_for.date()):
        raise NotPermitted("เฉพาะเลขานุการของคณะนี้ทำขั้นตอนนี้ได้", "Only this committee's secretary may do this")


def _lock_meeting(meeting_id: int) -> m.Meeting:
    meeting = m.Meeting.objects.select_for_update(of=("self",)).select_related("committee").get(pk=meeting_id)
    if meeting.locked:
        raise _refuse("รายงานการประชุมนี้รับรองแล้ว แก้ไขไม่ได้", "This meeting's minutes are approved and locked")
    return meeting


@transaction.atomic
def schedule_meeting(*, actor: User, committee_id: int, scheduled_for: datetime, place: str = "",
                     mode: str = m.IN_PERSON) -> m.Meeting:
    committee = m.Committee.objects.select_for_update().get(pk=committee_id)
    if not selectors.holds_seat(actor, committee, m.SECRETARY, scheduled_for.date()):
        raise NotPermitted("เฉพาะเลขานุการของคณะนี้นัดประชุมได้", "Only this committee's secretary may schedule its meetings")
    if mode not in dict(m.MEETING_MODE_CHOICES):
        raise InvalidInput("รูปแบบการประชุมไม่ถูกต้อง", "Not a valid meeting mode",
                           errors=[field_error("mode", "รูปแบบการประชุมไม่ถูกต้อง", "Not a valid meeting mode")])
    fy = fiscal_year(scheduled_for.date())
    number = (m.Meeting.objects.filter(committee=committee, fiscal_year=fy).aggregate(n=Max("number"))["n"] or 0) + 1
    meeting = m.Meeting.objects.create(committee=committee, fiscal_year=fy, number=number, scheduled_for=scheduled_for,
                                       place=place.strip()[:300], mode=mode, created_by=actor)
    record("meeting_scheduled", actor=actor, object_type="meeting", object_id=str(meeting.pk),
           reference=str(meeting), details={"committee": committee.code})
    return meeting


def _summary(req: Request) -> dict[str, Any]:
    """What an agenda item shows the members of a request, kept as it was when the agenda was made:
    the amount and items, the officer's opinion, and the screening (conditions, then the
    considerations with their evidence: ``jfs.eligibility.screening.summary_for_agenda``)."""
    opinion = (Transition.objects.filter(request=req, action="submit_opinion").order_by("-at", "-id")
               .values_list("comment", flat=True).first() or "")
    return {"amount_requested": str(req.amount_requested), "opinion": opinion,
            "items": [{"key": r.key, "th": r.th, "en": r.en, "amount": str(r.amount)} for r in requested_items(req)],
            "screening": summary_for_agenda(req)}


def _next_position(meeting: m.Meeting) -> int:
    return (meeting.items.aggregate(n=Max("position"))["n"] or 0) + 1


@transaction.atomic
def build_agenda(*, actor: User, meeting_id: int) -> list[m.AgendaItem]:
    """Put on the agenda every request ready for this committee (in consideration, decided by it,
    not on another open meeting's agenda), every urgent decision of its chair not yet reported, and
    (for the Justice Fund Committee) every appeal lodged. Returns the items added."""
    meeting = _lock_meeting(meeting_id)
    _require_secretary(actor, meeting)
    if meeting.state != m.SCHEDULED:
        raise _refuse("เพิ่มวาระได้เฉพาะก่อนเปิดประชุม", "Items are added before the meeting opens")
    added: list[m.AgendaItem] = []
    position = _next_position(meeting)
    for req in selectors.ready_for(meeting.committee, meeting.scheduled_for.date()):
        added.append(m.AgendaItem.objects.create(meeting=meeting, request=req, kind=m.CONSIDER, position=position,
                                                 summary=_summary(req)))
        position += 1
    for decision in selectors.unacknowledged_urgent(meeting.committee):
        added.append(m.AgendaItem.objects.create(
            meeting=meeting, request=decision.request, kind=m.ACKNOWLEDGE, position=position,
            decision_reported=decision, summary={"outcome": decision.outcome}))
        position += 1
    if meeting.committee.level == m.LEVEL_BOARD:
        for appeal in selectors.appeals_waiting():
            added.append(m.AgendaItem.objects.create(
                meeting=meeting, request=appeal.request, kind=m.APPEAL, position=position, appeal=appeal,
                summary={**_summary(appeal.request), "grounds": appeal.grounds}))
            position += 1
    meeting.version += 1
    meeting.save(update_fields=["version"])
    record("agenda_built", actor=actor, object_type="meeting", object_id=str(meeting.pk), reference=str(meeting),
           details={"items": [i.pk for i in added]})
    return added


@transaction.atomic
def record_attendance(*, actor: User, meeting_id: int, user: User, mode: str = m.IN_PERSON) -> m.Attendance:
    """The secretary records a member present (in the room or electronically); a member joining
    electronically records themselves (Emergency Decree on Electronic Meetings B.E. 2563)."""
    meeting = _lock_meeting(meeting_id)
    day = meeting.scheduled_for.date()
    if actor.pk != user.pk:
        _require_secretary(actor, meeting)
    elif mode != m.ELECTRONIC:
        raise NotPermitted("ลงชื่อเข้าประชุมด้วยตนเองได้เฉพาะการประชุมผ่านสื่ออิเล็กทรอนิกส์",
                           "Members sign themselves in only when attending electronically")
    if mode not in dict(m.ATTENDANCE_MODE_CHOICES):
        raise _refuse("รูปแบบการเข้าประชุมไม่ถูกต้อง", "Not a valid way of attending", "mode")
    if mode == m.ELECTRONIC and meeting.mode == m.IN_PERSON:
        raise _refuse("การประชุมนี้ไม่ได้จัดผ่านสื่ออิเล็กทรอนิกส์", "This meeting is not held electronically", "mode")
    seat = selectors.seat_of(user, meeting.committee, day)
    if seat is None:
        raise _refuse(f"{user.get_full_name()} ไม่ได้เป็นกรรมการของคณะนี้", f"{user.get_full_name()} does not sit on this committee", "user")
    if meeting.state not in (m.SCHEDULED, m.OPEN):
        raise _refuse("การประชุมปิดแล้ว", "The meeting is closed")
    try:
        with transaction.atomic():
            row = m.Attendance.objects.create(meeting=meeting, user=user, position=seat.position, mode=mode,
                                              recorded_at=clock.now(), recorded_by=actor)
    except IntegrityError:
        raise _refuse(f"บันทึกการเข้าประชุมของ {user.get_full_name()} แล้ว",
                      f"{user.get_full_name()}'s attendance is already recorded", "user") from None
    record("meeting_attendance", actor=actor, object_type="meeting", object_id=str(meeting.pk), reference=str(meeting),
           details={"user": user.pk, "mode": mode})
    return row


@transaction.atomic
def open_meeting(*, actor: User, meeting_id: int) -> m.Meeting:
    """Open the meeting once enough voting members attend (``authority.quorum``)."""
    meeting = _lock_meeting(meeting_id)
    _require_secretary(actor, meeting)
    if meeting.state != m.SCHEDULED:
        raise _refuse("การประชุมนี้เปิดไปแล้ว", "This meeting is already open")
    day = meeting.scheduled_for.date()
    members = selectors.voting_members(meeting.committee, day)
    needed = authority.quorum(len(members), day)
    present = selectors.voting_present(meeting)
    if present < needed:
        raise _refuse(f"องค์ประชุมไม่ครบ: มาประชุม {present} คน จากกรรมการ {len(members)} คน ต้องมีอย่างน้อย {needed} คน",
                      f"No quorum: {present} of {len(members)} members present, at least {needed} needed")
    meeting.state, meeting.opened_at = m.OPEN, clock.now()
    meeting.members_count, meeting.quorum = len(members), needed
    meeting.version += 1
    meeting.save()
    record("meeting_opened", actor=actor, object_type="meeting", object_id=str(meeting.pk), reference=str(meeting),
           details={"present": present, "quorum": needed})
    return meeting


def _open_item(item_id: int) -> m.AgendaItem:
    item = m.AgendaItem.objects.select_related("meeting__committee", "request").get(pk=item_id)
    _lock_meeting(item.meeting_id)
    item.meeting.refresh_from_db()
    if item.meeting.state != m.OPEN:
        raise _refuse("การประชุมยังไม่เปิด", "The meeting is not open")
    if hasattr(item, "decision"):
        raise _refuse("วาระนี้บันทึกมติแล้ว", "This item's resolution is already recorded")
    return item


@transaction.atomic
def declare_conflict(*, actor: User, item_id: int, note: str = "") -> m.ConflictDeclaration:
    """A member declares a conflict of interest in an item: they may not vote on it."""
    item = _open_item(item_id)
    if selectors.seat_of(actor, item.meeting.committee, item.meeting.scheduled_for.date()) is None:
        raise NotPermitted("ท่านไม่ได้เป็นกรรมการของคณะนี้", "You do not sit on this committee")
    if item.votes.filter(user=actor).exists():
        raise _refuse("ท่านลงมติในวาระนี้แล้ว ต้องแจ้งส่วนได้เสียก่อนลงมติ",
                      "You have voted on this item: a conflict is declared before voting")
    try:
        with transaction.atomic():
            row = m.ConflictDeclaration.objects.create(item=item, user=actor, note=note.strip()[:2000],
                                                       declared_at=clock.now())
    except IntegrityError:
        raise _refuse("ท่านแจ้งส่วนได้เสียในวาระนี้แล้ว", "You have declared a conflict in this item already") from None
    record("conflict_declared", actor=actor, object_type="agenda_item", object_id=str(item.pk),
           reference=item.request.number, details={"meeting": item.meeting_id})
    return row


@transaction.atomic
def cast_vote(*, actor: User, item_id: int, choice: str) -> m.Vote:
    """A voting member present at the open meeting votes on an item once (in the room or electronically,
    as they attend). Refused: not present, not a voting member, a declared conflict, a second vote."""
    item = _open_item(item_id)
    if item.kind == m.ACKNOWLEDGE:
        raise _refuse("วาระรับทราบไม่มีการลงมติ", "An item for acknowledgement is not voted on")
    if choice not in dict(m.VOTE_CHOICES):
        raise _refuse("กรุณาเลือก เห็นชอบ ไม่เห็นชอบ หรืองดออกเสียง", "Choose for, against or abstain", "choice")
    attendance = item.meeting.attendance.filter(user=actor).first()
    if attendance is None or attendance.position not in m.VOTING_POSITIONS:
        raise NotPermitted("ผู้ลงมติต้องเป็นประธานหรือกรรมการที่เข้าประชุม",
                           "Only the chair or a member attending the meeting may vote")
    if item.conflicts.filter(user=actor).exists():
        raise _refuse("ท่านแจ้งส่วนได้เสียในวาระนี้ จึงลงมติไม่ได้",
                      "You declared a conflict of interest in this item, so you may not vote on it", "choice")
    try:
        with transaction.atomic():
            vote = m.Vote.objects.create(item=item, user=actor, choice=choice, mode=attendance.mode, cast_at=clock.now())
    except IntegrityError:
        raise _refuse("ท่านลงมติในวาระนี้แล้ว", "You have already voted on this item", "choice") from None
    record("vote_cast", actor=actor, object_type="agenda_item", object_id=str(item.pk), reference=item.request.number,
           details={"meeting": item.meeting_id, "mode": attendance.mode})
    return vote


def decide_at_meeting(*, actor: User, item_id: int, outcome: str, reason_codes: list[str], note: str = "",
                      items: dict[str, Any] | None = None, cause: str = "", on: date | None = None) -> Request:
    """The secretary records the resolution on an item (``record_subcommittee_decision``, or
    ``decide_appeal`` at the Justice Fund Committee): the request moves on and the decision is
    written, with the vote's tally, in one transaction."""
    item = m.AgendaItem.objects.select_related("request").get(pk=item_id)
    action = "decide_appeal" if item.kind == m.APPEAL else "record_subcommittee_decision"
    req = item.request
    return cases.transition(actor=actor, request_id=req.pk, action=action, expected_version=None, comment=note,
                            fields={"outcome": outcome, "reason_codes": reason_codes, "items": items or {},
                                    "cause": cause, "agenda_item": item.pk}, on=on)


@transaction.atomic
def acknowledge(*, actor: User, item_id: int) -> m.AgendaItem:
    """The meeting acknowledges its chair's urgent decision."""
    item = _open_item(item_id)
    _require_secretary(actor, item.meeting)
    if item.kind != m.ACKNOWLEDGE:
        raise _refuse("วาระนี้ไม่ใช่วาระรับทราบ", "This item is not for acknowledgement")
    if item.acknowledged_at is not None:
        raise _refuse("ที่ประชุมรับทราบวาระนี้แล้ว", "The meeting has acknowledged this item already")
    item.acknowledged_at = clock.now()
    item.save(update_fields=["acknowledged_at"])
    record("urgent_decision_acknowledged", actor=actor, object_type="agenda_item", object_id=str(item.pk),
           reference=item.request.number, details={"meeting": item.meeting_id})
    return item


@transaction.atomic
def close_meeting(*, actor: User, meeting_id: int) -> m.Meeting:
    meeting = _lock_meeting(meeting_id)
    _require_secretary(actor, meeting)
    if meeting.state != m.OPEN:
        raise _refuse("การประชุมยังไม่เปิด", "The meeting is not open")
    meeting.state, meeting.closed_at = m.CLOSED, clock.now()
    meeting.version += 1
    meeting.save()
    record("meeting_closed", actor=actor, object_type="meeting", object_id=str(meeting.pk), reference=str(meeting),
           details={})
    return meeting


@transaction.atomic
def approve_minutes(*, actor: User, meeting_id: int) -> m.Meeting:
    """The chair approves the minutes: the PDF is made and kept, and the meeting is locked."""
    meeting = _lock_meeting(meeting_id)
    if not selectors.holds_seat(actor, meeting.committee, m.CHAIR, meeting.scheduled_for.date()):
        raise NotPermitted("เฉพาะประธานของคณะนี้รับรองรายงานการประชุมได้", "Only this committee's chair approves its minutes")
    if meeting.state != m.CLOSED:
        raise _refuse("รับรองรายงานการประชุมได้เมื่อปิดประชุมแล้ว", "Minutes are approved once the meeting is closed")
    meeting.minutes_approved_at, meeting.minutes_approved_by = clock.now(), actor
    data = render_minutes(meeting)
    meeting.minutes_storage_name, meeting.minutes_sha256 = _store("minutes", data), hashlib.sha256(data).hexdigest()
    meeting.state = m.APPROVED
    meeting.version += 1
    meeting.save()
    record("minutes_approved", actor=actor, object_type="meeting", object_id=str(meeting.pk), reference=str(meeting),
           details={"sha256": meeting.minutes_sha256})
    return meeting


# --------------------------------------------------------------------------- letters and minutes (PDF)


def _store(kind: str, data: bytes) -> str:
    name = f"{kind}/{uuid.uuid4().hex}.pdf"
    path = settings.DOCUMENT_ROOT / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return name


def read_stored(name: str) -> bytes:
    return (settings.DOCUMENT_ROOT / name).read_bytes()


def render_minutes(meeting: m.Meeting) -> bytes:
    return documents.minutes_pdf(meeting)


def may_issue_letter(user: User, req: Request) -> bool:
    """The office's registrars (intake, case officer, head) and the deciding committee's secretary."""
    if user.office_id == req.office_id and user.role in cases.REGISTRARS:
        return True
    return user.role == roles.SUBCOMMITTEE_SECRETARY and selectors.sits_on_deciding_committee(user, req)


@transaction.atomic
def generate_letter(*, actor: User, request_id: int) -> m.Letter:
    """The decision letter for the request's latest decision, as a PDF kept with the request.
    Refused for a request not decided yet."""
    req = Request.objects.select_for_update(of=("self",)).select_related("office").get(pk=request_id)
    if not may_issue_letter(actor, req):
        raise NotPermitted("ท่านไม่มีสิทธิ์ออกหนังสือแจ้งผลของคำขอนี้", "You may not issue this request's letters")
    decision = selectors.latest_decision(req)
    if decision is None:
        th, en = "คำขอนี้ยังไม่มีผลการพิจารณา จึงออกหนังสือแจ้งผลไม่ได้", "This request is not decided yet: there is no letter to issue"
        raise InvalidInput(th, en, errors=[field_error("__all__", th, en)])
    data, text = documents.letter_pdf(decision, deadline=appeal_deadline(req))
    letter = m.Letter.objects.create(request=req, decision=decision, storage_name=_store("letters", data),
                                     sha256=hashlib.sha256(data).hexdigest(), size=len(data), text=text,
                                     generated_at=clock.now(), generated_by=actor)
    record("letter_generated", actor=actor, object_type="request", object_id=str(req.pk), reference=req.number,
           details={"decision": decision.pk, "sha256": letter.sha256})
    for hook in LETTER_HOOKS:
        hook(letter)
    return letter


#: Apps above this one told of each letter issued, inside its transaction (the portal's tracking
#: tells the applicant it is ready, deferred to the commit)
LetterHook = Callable[[m.Letter], None]
LETTER_HOOKS: list[LetterHook] = []


def register_letter_hook(hook: LetterHook) -> None:
    if hook not in LETTER_HOOKS:
        LETTER_HOOKS.append(hook)


__all__ = [
    "APPEALABLE", "OWNER", "DecisionOwner", "MeetingRefused", "acknowledge",
    "appeal_deadline", "appoint", "approve_minutes", "build_agenda", "cast_vote", "close_meeting",
    "decide_at_meeting", "declare_conflict", "ensure_committees", "generate_letter", "open_meeting",
    "record_attendance", "schedule_meeting",
]
