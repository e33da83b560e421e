"""Who considers requests and what they decided: committees, their members, meetings with
agendas, attendance, conflict declarations and votes, decisions with coded reasons and approved
amounts per cost item, letters, and appeals.

Writes go through ``jfs.decisions.services``; reads through ``jfs.decisions.selectors``.
Decisions, their reasons and items, votes, declarations and letters are history: written once,
never changed (``AppendOnlyModel``). A meeting's minutes are locked once approved.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jfs.accounts.models import Office
from jfs.cases.models import Request, Transition
from jfs.core.models import AppendOnlyModel

LEVEL_BOARD = "board"
LEVEL_CENTRAL = "central"
LEVEL_PROVINCIAL = "provincial"
LEVEL_CHOICES = [
    (LEVEL_BOARD, _("คณะกรรมการกองทุนยุติธรรม")),
    (LEVEL_CENTRAL, _("คณะอนุกรรมการส่วนกลาง")),
    (LEVEL_PROVINCIAL, _("คณะอนุกรรมการให้ความช่วยเหลือประจำจังหวัด")),
]

CHAIR = "chair"
MEMBER = "member"
SECRETARY = "secretary"
POSITION_CHOICES = [(CHAIR, _("ประธาน")), (MEMBER, _("อนุกรรมการ")), (SECRETARY, _("เลขานุการ"))]
#: positions that count towards the quorum and vote
VOTING_POSITIONS = (CHAIR, MEMBER)

IN_PERSON = "in_person"
ELECTRONIC = "electronic"
ATTENDANCE_MODE_CHOICES = [(IN_PERSON, _("เข้าประชุมในห้องประชุม")), (ELECTRONIC, _("เข้าประชุมผ่านสื่ออิเล็กทรอนิกส์"))]
MEETING_MODE_CHOICES = [
    (IN_PERSON, _("ประชุมในห้องประชุม")),
    (ELECTRONIC, _("ประชุมผ่านสื่ออิเล็กทรอนิกส์")),
    ("hybrid", _("ประชุมในห้องประชุมและผ่านสื่ออิเล็กทรอนิกส์")),
]

SCHEDULED = "scheduled"
OPEN = "open"
CLOSED = "closed"
APPROVED = "approved"
MEETING_STATE_CHOICES = [
    (SCHEDULED, _("นัดประชุมแล้ว")),
    (OPEN, _("กำลังประชุม")),
    (CLOSED, _("ปิดประชุมแล้ว รอรับรองรายงานการประชุม")),
    (APPROVED, _("รับรองรายงานการประชุมแล้ว")),
]

CONSIDER = "consider"
ACKNOWLEDGE = "acknowledge"
APPEAL = "appeal"
ITEM_KIND_CHOICES = [
    (CONSIDER, _("พิจารณาคำขอ")),
    (ACKNOWLEDGE, _("รับทราบผลการพิจารณากรณีเร่งด่วน")),
    (APPEAL, _("พิจารณาอุทธรณ์")),
]

FOR = "for"
AGAINST = "against"
ABSTAIN = "abstain"
VOTE_CHOICES = [(FOR, _("เห็นชอบ")), (AGAINST, _("ไม่เห็นชอบ")), (ABSTAIN, _("งดออกเสียง"))]

#: how a decision was taken
BY_MEETING = "meeting"
BY_CHAIR = "chair_urgent"
BY_OFFICE = "office"
AUTHORITY_CHOICES = [
    (BY_MEETING, _("มติที่ประชุม")),
    (BY_CHAIR, _("ประธานพิจารณากรณีเร่งด่วน")),
    (BY_OFFICE, _("สำนักงานบันทึกตามข้อเท็จจริง")),
]

FIRST = "first"
APPEAL_DECISION = "appeal"
DECISION_KIND_CHOICES = [(FIRST, _("การพิจารณาคำขอ")), (APPEAL_DECISION, _("การพิจารณาอุทธรณ์"))]


class Committee(models.Model):
    """The Justice Fund Committee, a central subcommittee, or a province's subcommittee."""

    code = models.CharField(max_length=20, unique=True)
    level = models.CharField(max_length=12, choices=LEVEL_CHOICES)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="committees")
    name_th = models.CharField(max_length=300)
    name_en = models.CharField(max_length=300)
    #: service codes it considers (empty for the board: it decides appeals)
    services = models.JSONField(default=list)

    class Meta:
        ordering = ["level", "code"]

    def __str__(self) -> str:
        return self.name_th

    def name(self, lang: str | None) -> str:
        return self.name_en if lang == "en" else self.name_th


class Membership(models.Model):
    """A person's seat on a committee: chair, member or secretary, from a date (until another)."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    position = models.CharField(max_length=12, choices=POSITION_CHOICES)
    since = models.DateField()
    until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["committee", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["committee", "user", "since"], name="membership_once")]


class Meeting(models.Model):
    """One meeting of a committee: scheduled, held (attendance, votes, decisions), minutes approved."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="meetings")
    fiscal_year = models.PositiveSmallIntegerField()
    number = models.PositiveSmallIntegerField(help_text="running number within the committee's fiscal year")
    scheduled_for = models.DateTimeField()
    place = models.CharField(max_length=300, blank=True)
    mode = models.CharField(max_length=12, choices=MEETING_MODE_CHOICES, default=IN_PERSON)
    state = models.CharField(max_length=12, choices=MEETING_STATE_CHOICES, default=SCHEDULED, db_index=True)
    #: the quorum when the meeting opened, and how many voting members it had then
    members_count = models.PositiveSmallIntegerField(null=True, blank=True)
    quorum = models.PositiveSmallIntegerField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    minutes_sha256 = models.CharField(max_length=64, blank=True)
    minutes_storage_name = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-scheduled_for", "-id"]
        constraints = [models.UniqueConstraint(fields=["committee", "fiscal_year", "number"], name="meeting_number")]

    def __str__(self) -> str:
        return f"{self.committee.code} {self.number}/{self.fiscal_year}"

    @property
    def locked(self) -> bool:
        return self.state == APPROVED


class AgendaItem(models.Model):
    """A request on a meeting's agenda: to consider it, to acknowledge a chair's urgent decision, or
    to decide an appeal. ``summary`` is what the members were shown (screening, considerations),
    kept as it was when the agenda was made."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items")
    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="agenda_items")
    kind = models.CharField(max_length=12, choices=ITEM_KIND_CHOICES, default=CONSIDER)
    position = models.PositiveSmallIntegerField()
    summary = models.JSONField(default=dict)
    #: for ACKNOWLEDGE: the urgent decision reported; for APPEAL: the appeal
    decision_reported = models.ForeignKey("Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    appeal = models.ForeignKey("Appeal", null=True, blank=True, on_delete=models.PROTECT, related_name="agenda_items")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    withdrawn = models.BooleanField(default=False, help_text="taken off the agenda before it was decided")

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "request", "kind"], name="agenda_item_once"),
        ]


class Attendance(models.Model):
    """Who attended a meeting and how (in the room, or electronically)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    position = models.CharField(max_length=12, choices=POSITION_CHOICES)
    mode = models.CharField(max_length=12, choices=ATTENDANCE_MODE_CHOICES, default=IN_PERSON)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["meeting", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="attendance_once")]


class ConflictDeclaration(AppendOnlyModel):
    """A member's declared conflict of interest in one agenda item: they may not vote on it."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="conflicts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    declared_at = models.DateTimeField()

    refusal = "a declared conflict of interest is history: it is never changed or deleted"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "user"], name="conflict_once")]


class Vote(AppendOnlyModel):
    """One member's vote on one agenda item's proposed decision (in the room or electronically)."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=8, choices=VOTE_CHOICES)
    mode = models.CharField(max_length=12, choices=ATTENDANCE_MODE_CHOICES, default=IN_PERSON)
    cast_at = models.DateTimeField()

    refusal = "a vote is history: it is never changed or deleted"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "user"], name="vote_once")]


TERMINATION_CAUSES = ("withdrawn", "duplicate", "outside_mission", "referred", "unreachable", "other")


class Decision(AppendOnlyModel):
    """What was decided on a request (or on its appeal), by whom, with coded reasons.

    ``outcome``: approved, partially_approved, rejected, terminated (with its ``cause``), or
    referred (sent to the agency directly responsible before consideration: docs/decisions.md).
    ``fiscal_year`` is the fiscal year of ``decided_on`` (the year the decision was taken, as the
    fund's reports count decisions), not the request's: a request received in September may be
    decided in October, in the next fiscal year.
    """

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(max_length=8, choices=DECISION_KIND_CHOICES, default=FIRST)
    outcome = models.CharField(max_length=20, db_index=True)
    cause = models.CharField(max_length=20, blank=True, help_text="why a request was terminated")
    authority = models.CharField(max_length=16, choices=AUTHORITY_CHOICES)
    committee = models.ForeignKey(Committee, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions")
    item = models.OneToOneField(AgendaItem, null=True, blank=True, on_delete=models.PROTECT, related_name="decision")
    appeal = models.ForeignKey("Appeal", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField(db_index=True)
    #: the fiscal year the decision was taken in (of ``decided_on``), not the request's
    fiscal_year = models.PositiveSmallIntegerField(db_index=True)
    service = models.CharField(max_length=10, db_index=True)
    amount_requested = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    amount_approved = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    note = models.TextField(blank=True, help_text="free text that adds to the reason codes")
    #: its only reasons are catch-all codes ("another reason"): kept with the decision, whose reasons never
    #: change, so that the share of such decisions is counted from an index (``selectors.outcome_shares``)
    other_only = models.BooleanField(default=False)
    referred_to = models.CharField(max_length=300, blank=True)
    votes_for = models.PositiveSmallIntegerField(null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(null=True, blank=True)
    votes_abstain = models.PositiveSmallIntegerField(null=True, blank=True)
    transition = models.OneToOneField(Transition, on_delete=models.PROTECT, related_name="decision")
    created_at = models.DateTimeField()

    refusal = "a decision is history: it is never changed or deleted (an appeal gives a new decision)"

    class Meta:
        ordering = ["-decided_on", "-id"]
        indexes = [models.Index(fields=["fiscal_year", "kind", "outcome", "other_only", "service"],
                                name="decision_shares")]


class DecisionReason(AppendOnlyModel):
    """One coded reason of a decision (the catalogue: ``workflows/_reasons.yaml``)."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="reasons")
    code = models.CharField(max_length=20, db_index=True)
    position = models.PositiveSmallIntegerField()

    refusal = "a decision's reasons are history"

    class Meta:
        ordering = ["decision", "position"]
        constraints = [models.UniqueConstraint(fields=["decision", "code"], name="decision_reason_once")]


class DecisionItem(AppendOnlyModel):
    """One requested cost item and the amount approved for it."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="items")
    key = models.CharField(max_length=60)
    label_th = models.CharField(max_length=300)
    label_en = models.CharField(max_length=300)
    requested = models.DecimalField(max_digits=14, decimal_places=2)
    approved = models.DecimalField(max_digits=14, decimal_places=2)

    refusal = "a decision's items are history"

    class Meta:
        ordering = ["decision", "id"]


class Appeal(models.Model):
    """An applicant's appeal against a rejection or a partial approval, decided by the Committee."""

    LODGED = "lodged"
    DECIDED = "decided"
    STATE_CHOICES = [(LODGED, _("ยื่นอุทธรณ์แล้ว รอการพิจารณา")), (DECIDED, _("พิจารณาอุทธรณ์แล้ว"))]

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="appeals")
    against = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="appeals")
    lodged_on = models.DateField()
    deadline = models.DateField(help_text="the last day it could be lodged (working days after notification)")
    grounds = models.TextField()
    state = models.CharField(max_length=10, choices=STATE_CHOICES, default=LODGED)
    lodged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.OneToOneField(Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-lodged_on", "-id"]


class Letter(AppendOnlyModel):
    """A decision letter (PDF) as sent: kept with the request, for the staff and the citizen."""

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="letters")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="letters")
    storage_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    text = models.TextField(help_text="the letter's text as rendered (for search and verification)")
    generated_at = models.DateTimeField()
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    refusal = "a letter is history: a new one is generated, never an edit"

    class Meta:
        ordering = ["-generated_at", "-id"]
