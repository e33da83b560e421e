"""Screening of one request: its facts (as typed, plus what registries confirmed) through
the rules in force on the day it was received.

Registry answers win over what the applicant typed for the facts they cover (Once-Only),
and a registry that has not answered leaves the fact UNKNOWN rather than guessing. A registry
that has no record of the applicant says "not registered": for the welfare card and disability
registers (the registers of card holders) that is "holds no card", for the MSO logbook (a survey)
the household level stays UNKNOWN. ``screening_panel`` shapes an evaluation for reading: the
alternatives of an "any" group as one row, exclusions and considerations named as such, and
what each registry's answer means for the criterion it feeds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jfs.cases.models import Request
from jfs.eligibility import rulebook
from jfs.eligibility.facts import detail_fact_names, facts_for_request
from jfs.exchange import models as xm
from jfs.exchange.selectors import checks_for_request
from jfslib.eligibility import CriterionResult, Evaluation, NoRulesetInForce, Outcome


def registry_facts(request: Request) -> dict[str, object]:
    """Rule facts confirmed by government registries for this request."""
    out: dict[str, object] = {}
    # the corrections registry confirms detention where the service's details ask about it (bail)
    detained_fact = "is_detained" in detail_fact_names(request.service)
    for c in checks_for_request(request):
        f: dict[str, Any] = c.facts or {}
        if c.kind == xm.KIND_WELFARE and c.answered:
            out["has_welfare_card"] = bool(f.get("welfare_card"))
        elif c.kind == xm.KIND_HOUSEHOLD:
            # a household the MSO logbook has no record of has not been surveyed: its level is
            # unknown (the panel says "not registered"), never level 0, which would fail the criterion
            if c.status == xm.STATUS_VERIFIED and f.get("vulnerability_level") is not None:
                out["vulnerable_household_level"] = int(f["vulnerability_level"])
        elif c.kind == xm.KIND_DISABILITY and c.answered:
            out["has_disability_card"] = bool(f.get("card_valid"))
        elif c.kind == xm.KIND_DETENTION and c.status == xm.STATUS_VERIFIED and detained_fact:
            out["is_detained"] = bool(f.get("detained_now"))
    return out


def screen_request(request: Request) -> Evaluation | None:
    """Explained evaluation with the rule version in force when the request was received;
    None for services that have no eligibility rules (project grants, consultations)."""
    facts = facts_for_request(request, extra=registry_facts(request))
    try:
        return rulebook.screen(request.service, facts, request.received_on)
    except NoRulesetInForce:
        return None


# --------------------------------------------------------------------------- the panel

#: the rule fact each registry check kind confirms
FACT_OF_KIND = {
    xm.KIND_WELFARE: "has_welfare_card",
    xm.KIND_HOUSEHOLD: "vulnerable_household_level",
    xm.KIND_DISABILITY: "has_disability_card",
    xm.KIND_DETENTION: "is_detained",
}

#: what "not found in the registry" means for the criterion the check feeds
_NOT_REGISTERED: dict[str, Promise] = {
    xm.KIND_WELFARE: _("ไม่พบผู้ขอรับความช่วยเหลือในทะเบียนบัตรสวัสดิการแห่งรัฐ (ไม่ได้ขึ้นทะเบียน) "
                       "ข้อนี้ไม่เข้า แต่ไม่ได้หมายความว่าไม่ผ่านเกณฑ์ ให้พิจารณาข้ออื่นในกลุ่มเดียวกัน"),
    xm.KIND_HOUSEHOLD: _("ไม่พบครัวเรือนของผู้ขอรับความช่วยเหลือใน MSO Logbook (ยังไม่ได้รับการสำรวจ) "
                         "จึงยังไม่ทราบระดับความเปราะบาง ไม่ได้หมายความว่าไม่ผ่านเกณฑ์"),
    xm.KIND_DISABILITY: _("ไม่พบผู้ขอรับความช่วยเหลือในทะเบียนคนพิการ (ไม่ได้ขึ้นทะเบียน) "
                          "ข้อนี้ไม่เข้า แต่ไม่ได้หมายความว่าไม่ผ่านเกณฑ์ ให้พิจารณาข้ออื่นในกลุ่มเดียวกัน"),
    xm.KIND_DETENTION: _("ไม่พบประวัติการควบคุมตัวในทะเบียนกระบวนการยุติธรรม ให้ตรวจสอบกับหมายขังหรือเอกสารการควบคุมตัว"),
}
_PENDING = _("รอคำตอบจากทะเบียนราชการ ผลข้อนี้จะปรากฏเองเมื่อได้รับคำตอบ")
_FAILED = _("ตรวจสอบกับทะเบียนไม่สำเร็จ กดปุ่ม “ตรวจสอบกับทะเบียนราชการ” เพื่อลองอีกครั้ง")


@dataclass
class PanelCriterion:
    """One criterion as the panel shows it: ``badge`` names its label and colour (see
    templates/staff/case/_screening.html), ``note`` what the registry's answer means."""

    result: CriterionResult
    badge: str
    note: str | Promise = ""
    not_registered: bool = False

    @property
    def missing(self) -> list[Any]:
        """The missing facts its explanation does not already name."""
        r = self.result
        return [m for m in r.missing_facts if m.th not in r.explanation_th]


@dataclass
class PanelGroup:
    id: str
    th: str
    en: str
    combine: str  # all | any | none | advisory
    outcome: Outcome
    badge: str
    criteria: list[PanelCriterion] = field(default_factory=list)

    @property
    def alternatives(self) -> bool:
        return self.combine == "any"


@dataclass
class ScreeningPanel:
    evaluation: Evaluation
    groups: list[PanelGroup]

    def __getattr__(self, name: str) -> Any:  # outcome, explanation_th, version, … of the evaluation
        if name == "evaluation":
            raise AttributeError(name)
        return getattr(self.evaluation, name)

    @property
    def cited(self) -> list[CriterionResult]:
        """The criteria with their citations and thresholds, for the disclosure under the table."""
        return [c for c in self.evaluation.criteria if c.citations or c.parameters]


_OUTCOME_BADGE = {Outcome.YES: "yes", Outcome.NO: "no", Outcome.UNKNOWN: "unknown"}
#: a criterion's badge by its group's way of combining (an alternative that is not met fails nothing;
#: an exclusion that applies is the failure; a consideration is advice, never a pass or a fail)
_BADGES = {
    "all": _OUTCOME_BADGE,
    "any": {Outcome.YES: "alt_yes", Outcome.NO: "alt_no", Outcome.UNKNOWN: "unknown"},
    "none": {Outcome.YES: "excluded", Outcome.NO: "not_excluded", Outcome.UNKNOWN: "unknown"},
    "advisory": {Outcome.YES: "advice", Outcome.NO: "no_advice", Outcome.UNKNOWN: "unknown"},
}


def screening_panel(request: Request, evaluation: Evaluation | None = None) -> ScreeningPanel | None:
    """The screening panel of ``request`` (None for services without eligibility rules)."""
    ev = evaluation if evaluation is not None else screen_request(request)
    if ev is None:
        return None
    checks = {c.kind: c for c in checks_for_request(request)}
    notes: dict[str, tuple[str | Promise, bool]] = {}  # fact → (note, not registered)
    for kind, fact in FACT_OF_KIND.items():
        c = checks.get(kind)
        if c is None:
            continue
        if c.status == xm.STATUS_NOT_FOUND:
            notes[fact] = (_NOT_REGISTERED[kind], True)
        elif c.status == xm.STATUS_PENDING:
            notes[fact] = (_PENDING, False)
        elif c.status == xm.STATUS_FAILED:
            notes[fact] = (_FAILED, False)
    members: dict[str, list[PanelCriterion]] = {}
    for r in ev.criteria:
        group = next(g for g in ev.groups if g.id == r.group)
        badge = _BADGES.get(group.combine, _OUTCOME_BADGE)[r.outcome]
        uses = ev.ruleset.criterion(r.id).facts
        note, not_registered = next(((n, nr) for f, (n, nr) in notes.items() if f in uses), ("", False))
        if not_registered:
            badge = "not_registered"
        members.setdefault(r.group, []).append(PanelCriterion(r, badge, note, not_registered))
    groups = [
        PanelGroup(g.id, g.th, g.en, g.combine, g.outcome,
                   {"none": _BADGES["none"][_negate(g.outcome)], "advisory": _BADGES["advisory"][g.outcome]}.get(
                       g.combine, _OUTCOME_BADGE[g.outcome]),
                   members.get(g.id, []))
        for g in ev.groups
    ]
    return ScreeningPanel(ev, groups)


def _negate(o: Outcome) -> Outcome:
    """An exclusions group passes (YES) when no exclusion applies: its badge speaks of the exclusion."""
    return {Outcome.YES: Outcome.NO, Outcome.NO: Outcome.YES}.get(o, Outcome.UNKNOWN)

