"""Screening of one request: its facts (as typed, plus what registries confirmed) through
the rules in force on the day it was received.

Registry answers win over what the applicant typed for the facts they cover (Once-Only),
and a registry that has not answered leaves the fact UNKNOWN rather than guessing. A registry
that has no record of the applicant says "not registered": for the welfare card and disability
registers (the registers of card holders) that is "holds no card", for the MSO logbook (a survey)
the household level stays UNKNOWN. ``screening_panel`` shapes an evaluation for reading: the
conditions first (eligible / not / unknown: the alternatives of an "any" group as one row,
exclusions named as such), then the subcommittee's considerations with their evidence, each
read as pointing for or against the request or not assessed yet, never as a pass or a fail
(docs/decisions/0015); and what each registry's answer means for the criterion it feeds.
``summary_for_agenda`` gives the same as plain data for a meeting's agenda.
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
from jfslib.eligibility import CriterionResult, Evaluation, GroupResult, NoRulesetInForce, Outcome


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
    combine: str  # all | any | none
    outcome: Outcome
    badge: str
    criteria: list[PanelCriterion] = field(default_factory=list)
    kind: str = "condition"  # condition | consideration
    finding: str = ""  # considerations: for | against | note | unknown

    @property
    def alternatives(self) -> bool:
        return self.combine == "any" and self.condition

    @property
    def condition(self) -> bool:
        return self.kind == "condition"


@dataclass
class ScreeningPanel:
    evaluation: Evaluation
    groups: list[PanelGroup]

    def __getattr__(self, name: str) -> Any:  # outcome, explanation_th, version, … of the evaluation
        if name == "evaluation":
            raise AttributeError(name)
        return getattr(self.evaluation, name)

    @property
    def conditions(self) -> list[PanelGroup]:
        """The legal prerequisites: only these decide the overall result."""
        return [g for g in self.groups if g.condition]

    @property
    def considerations(self) -> list[PanelGroup]:
        """What the subcommittee weighs, with its evidence (ข้อพิจารณาของคณะอนุกรรมการ)."""
        return [g for g in self.groups if not g.condition]

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
}
#: a consideration's badge is its finding (see _badge.html): for, against, to note, does not apply, not assessed
_FINDING_BADGE = {"for": "f_for", "against": "f_against", "note": "advice", "none": "no_advice",
                  "unknown": "not_assessed"}

#: a finding in words, in both languages at once (an agenda carries both)
FINDING_WORDS = {
    "for": ("สนับสนุนการให้ความช่วยเหลือ", "points for the request"),
    "against": ("ค้านการให้ความช่วยเหลือ", "points against the request"),
    "note": ("ข้อสังเกตประกอบการพิจารณา", "to be noted"),
    "none": ("ไม่เข้ากรณีนี้", "does not apply"),
    "unknown": ("ยังไม่ได้ประเมิน", "not assessed yet"),
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
        badge = (_BADGES.get(group.combine, _OUTCOME_BADGE)[r.outcome] if group.condition
                 else _FINDING_BADGE[r.finding])
        uses = ev.ruleset.criterion(r.id).facts
        note, not_registered = next(((n, nr) for f, (n, nr) in notes.items() if f in uses), ("", False))
        if not_registered:
            badge = "not_registered"
        members.setdefault(r.group, []).append(PanelCriterion(r, badge, note, not_registered))
    groups = [
        PanelGroup(g.id, g.th, g.en, g.combine, g.outcome, _group_badge(g), members.get(g.id, []), g.kind, g.finding)
        for g in ev.groups
    ]
    return ScreeningPanel(ev, groups)


def _group_badge(g: GroupResult) -> str:
    if not g.condition:
        return _FINDING_BADGE[g.finding]
    if g.combine == "none":
        return _BADGES["none"][_negate(g.outcome)]
    return _OUTCOME_BADGE[g.outcome]


def summary_for_agenda(req: Request) -> dict[str, Any]:
    """A JSON-serialisable snapshot of the screening of ``req`` for a meeting's agenda.

    ``overall`` is yes / no / unknown and decided by the conditions alone; each condition criterion
    gives its result; each consideration gives its finding with the evidence in words (Thai and
    English, both always: an agenda is printed once for everyone). A service without eligibility
    rules gives ``unknown`` with no conditions and says so.
    """
    ev = screen_request(req)
    if ev is None:
        return {
            "overall": "unknown", "overall_text_th": "บริการนี้ไม่มีหลักเกณฑ์คัดกรองคุณสมบัติของผู้ขอ",
            "overall_text_en": "This service has no eligibility criteria", "conditions": [], "considerations": [],
            "rule_version": "",
        }
    conditions = [
        {"th": c.th, "en": c.en, "result": c.outcome.value.lower(), "explanation_th": c.explanation_th,
         "explanation_en": c.explanation_en}
        for g in ev.conditions for c in ev.criteria_of(g.id)
    ]
    considerations = []
    for g in ev.considerations:
        th_word, en_word = FINDING_WORDS[g.finding]
        evidence = ev.criteria_of(g.id)
        considerations.append({
            "id": g.id, "th": g.th, "en": g.en, "finding": g.finding,
            "finding_th": f"{th_word}: " + "; ".join(c.explanation_th for c in evidence),
            "finding_en": f"{en_word}: " + "; ".join(c.explanation_en for c in evidence),
        })
    return {
        "overall": ev.outcome.value.lower(), "overall_text_th": ev.explanation_th,
        "overall_text_en": ev.explanation_en, "conditions": conditions, "considerations": considerations,
        "rule_version": ev.version, "rule_key": ev.ruleset.key,  # the key names the thresholds' date too
    }


def _negate(o: Outcome) -> Outcome:
    """An exclusions group passes (YES) when no exclusion applies: its badge speaks of the exclusion."""
    return {Outcome.YES: Outcome.NO, Outcome.NO: Outcome.YES}.get(o, Outcome.UNKNOWN)

