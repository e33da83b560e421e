"""Writing complaints: a citizen files one, staff take it, answer it and close it, the citizen
accepts the answer or reopens the complaint (once), and the worker escalates late complaints to
the office head. The rules (states, actions, answer time) come from ``jfs.complaints.policy``.

A complaint about an officer is routed to the office head (``to_head``) and never shown to the
officer it names (``jfs.complaints.selectors.staff_complaints``)."""

from __future__ import annotations

import secrets
import uuid
from datetime import date

from django.db import IntegrityError, transaction
from django.urls import reverse

from jfs.accounts.models import Office, User
from jfs.audit.services import Event, record, record_many
from jfs.cases import selectors as case_selectors
from jfs.cases.calendar import calendar_for
from jfs.cases.errors import InvalidInput, NotPermitted, TransitionNotAllowed, field_error
from jfs.cases.models import Request
from jfs.complaints import policy as policy_mod
from jfs.complaints import selectors
from jfs.complaints.models import Complaint, ComplaintStep
from jfs.core import clock
from jfs.notify import services as notify_services
from jfslib import roles
from jfslib.thaidate import fiscal_year, format_en, format_thai

SUBJECT_MAX = 200
DETAILS_MAX = 5000


def due_date(office_id: int | None, start: date) -> date:
    """The day an answer is due: the policy's working days after ``start`` on the office's calendar."""
    return calendar_for(office_id).add_working_days(start, policy_mod.load().answer_within)


#: titles and ranks people put before a name ("นายสมชาย ใจดี", "Mr Somchai Jaidee", "ดร.สมศักดิ์"),
#: folded away before names are compared; longest first, so "นางสาว" is not read as "นาง" + "สาว…"
TITLES = tuple(
    sorted(
        (
            "นาย", "นาง", "นางสาว", "น.ส.", "น.ส", "คุณ", "ดร.", "ดร", "ว่าที่ร้อยตรี", "ว่าที่ ร.ต.",
            "mr.", "mrs.", "ms.", "miss", "mr", "mrs", "ms", "dr.", "dr", "khun",
        ),
        key=len,
        reverse=True,
    )
)  # fmt: skip


def fold_name(name: str) -> str:
    """A name as compared: the titles before it removed (a Thai one joined to the name, an English
    one followed by a space or a dot), spaces and dots dropped, case folded. "นาย สมชาย  ใจดี",
    "นายสมชาย ใจดี" and "สมชาย ใจดี" fold alike."""
    text = " ".join(name.split()).casefold()
    stripped = True
    while stripped:
        stripped = False
        for title in TITLES:
            rest = text[len(title) :]
            if text.startswith(title) and rest.strip() and (not title.isascii() or rest[0] in " ." or title[-1] == "."):
                text, stripped = rest.lstrip(" ."), True
                break
    return "".join(ch for ch in text if not ch.isspace() and ch != ".")


def _named_officer(office: Office, name: str, req: Request | None) -> User | None:
    """The staff member a complaint about an officer names: the officer handling the chosen request
    when no name is typed, else the one staff member of the office whose full name matches the name
    typed once titles, spaces and dots are folded away (``fold_name``); None when nobody (or more
    than one person) matches: such a complaint goes to the central office (``_recipients``)."""
    wanted = fold_name(name)
    if not wanted:
        return req.assigned_to if req is not None else None
    found = [
        u
        for u in User.objects.filter(office=office, is_active=True).exclude(role=roles.CITIZEN)
        if fold_name(f"{u.first_name} {u.last_name}") == wanted
    ]
    return found[0] if len(found) == 1 else None


def _heads(office_id: int, *, besides: User | None) -> list[User]:
    """The office heads who receive a complaint (never the person it names). A complaint naming the
    office's only head goes to the central office's heads."""
    qs = User.objects.filter(role=roles.OFFICE_HEAD, is_active=True)
    heads = [u for u in qs.filter(office_id=office_id) if besides is None or u.pk != besides.pk]
    if not heads:
        heads = [u for u in qs.filter(office__is_central=True) if besides is None or u.pk != besides.pk]
    return heads


def _recipients(c: Complaint) -> list[User]:
    """Who is told of a complaint routed to the heads: the office's heads besides the officer it
    names; when the officer named could not be identified (``Complaint.officer`` empty), the central
    office's heads, since the person named may be one of the office's own heads."""
    if c.to_head and c.officer_id is None:
        return list(User.objects.filter(role=roles.OFFICE_HEAD, is_active=True, office__is_central=True))
    return _heads(c.office_id, besides=c.officer)


def parse_submission_key(value: object) -> uuid.UUID | None:
    """A draft's idempotency key from what the portal kept (a UUID or its text); None when absent.
    A key that is not a UUID (a tampered or corrupted draft) is refused as input, never a 500."""
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise InvalidInput(
            "แบบร่างเรื่องร้องเรียนไม่ถูกต้อง กรุณาเริ่มใหม่", "The complaint's draft is not valid: please start again"
        ) from None


def file_complaint(
    *,
    citizen: User,
    kind: str,
    subject: str,
    details: str,
    office: Office | None = None,
    request_id: int | None = None,
    named_person: str = "",
    submission_key: object = None,
) -> Complaint:
    """A citizen files a complaint (or feedback). Every problem is listed at once (InvalidInput, each
    on its field); ``request_id`` must be one of the citizen's own requests, and its office is the
    complaint's office.

    ``submission_key`` is the draft's idempotency key: a second submission of the same draft (a double click,
    two tabs, a retry after a timeout) returns the complaint the first one filed, however close
    together they come (the column is unique: the later insert is refused and the first found)."""
    if citizen.role != roles.CITIZEN:
        raise NotPermitted("ยื่นเรื่องร้องเรียนได้เฉพาะประชาชน", "Only citizens file complaints here")
    draft_key = parse_submission_key(submission_key)
    if draft_key is not None and (done := selectors.submitted(citizen, draft_key)) is not None:
        return done
    pol = policy_mod.load()
    errors = []
    if kind not in pol.kinds:
        errors.append(field_error("kind", "กรุณาเลือกเรื่องที่ร้องเรียน", "Please choose what the complaint is about"))
    req = None
    if request_id is not None:
        req = case_selectors.visible_requests(citizen).filter(pk=request_id).first()
        if req is None:
            errors.append(field_error("request", "ไม่พบคำขอนี้ในคำขอของท่าน", "This is not one of your requests"))
        else:
            office = req.office
    if office is None:
        errors.append(field_error("office", "กรุณาเลือกสำนักงานที่เกี่ยวข้อง", "Please choose the office concerned"))
    subject, details, named_person = subject.strip(), details.strip(), named_person.strip()
    if not subject:
        errors.append(field_error("subject", "กรุณากรอกหัวข้อเรื่อง", "Please enter a subject"))
    elif len(subject) > SUBJECT_MAX:
        errors.append(
            field_error(
                "subject",
                f"หัวข้อเรื่องยาวได้ไม่เกิน {SUBJECT_MAX} ตัวอักษร",
                f"The subject can be at most {SUBJECT_MAX} characters",
            )
        )
    if not details:
        errors.append(field_error("details", "กรุณาเล่ารายละเอียด", "Please describe what happened"))
    elif len(details) > DETAILS_MAX:
        errors.append(
            field_error(
                "details",
                f"รายละเอียดยาวได้ไม่เกิน {DETAILS_MAX:,} ตัวอักษร",
                f"The details can be at most {DETAILS_MAX:,} characters",
            )
        )
    if len(named_person) > 200:
        errors.append(field_error("named_person", "ชื่อยาวได้ไม่เกิน 200 ตัวอักษร", "The name can be at most 200 characters"))
    if "\x00" in subject + details + named_person:
        errors.append(field_error("details", "ข้อความมีอักขระที่ใช้ไม่ได้", "The text has a character that cannot be used"))
    if errors:
        raise InvalidInput("ข้อมูลเรื่องร้องเรียนไม่ครบหรือไม่ถูกต้อง", "The complaint is incomplete or not valid", errors=errors)
    assert office is not None
    officer = _named_officer(office, named_person, req) if kind == "officer" else None
    try:
        c = _file(citizen, office, kind, req, officer, named_person, subject, details, draft_key)
    except IntegrityError:
        # the same draft submitted at the same moment: the other submission's complaint is committed
        done = selectors.submitted(citizen, draft_key) if draft_key is not None else None
        if done is None:
            raise
        return done
    return c


def _file(
    citizen: User,
    office: Office,
    kind: str,
    req: Request | None,
    officer: User | None,
    named_person: str,
    subject: str,
    details: str,
    draft_key: uuid.UUID | None,
) -> Complaint:
    """Write the complaint, its first step and audit record, and tell the office heads (one transaction)."""
    pol = policy_mod.load()
    today = clock.today()
    with transaction.atomic():
        c = Complaint.objects.create(
            # a unique placeholder within the 20-character column, replaced by RC<year>-<pk> below
            reference=f"tmp-{secrets.token_hex(8)}",
            citizen=citizen,
            office=office,
            kind=kind,
            request=req,
            officer=officer,
            named_person=named_person if kind in ("officer", "lawyer") else "",
            to_head=kind == "officer",
            subject=subject,
            details=details,
            state=pol.initial,
            received_on=today,
            due_on=(due := due_date(office.pk, today)),
            first_due_on=due,
            fiscal_year=fiscal_year(today),
            submission_key=draft_key,
            created_at=clock.now(),
        )
        c.reference = f"RC{c.fiscal_year}-{c.pk:06d}"
        c.save(update_fields=["reference"])
        ComplaintStep.objects.create(complaint=c, action="file", to_state=c.state, actor=citizen, at=clock.now())
        record(
            "complaint_file",
            actor=citizen,
            object_type="complaint",
            object_id=str(c.pk),
            reference=c.reference,
            details={"kind": kind, "office": office.code, "to_head": c.to_head},
        )
        if c.to_head:
            for head in _recipients(c):
                notify_services.notify(
                    recipient=head,
                    kind="complaint_officer",
                    subject=f"เรื่องร้องเรียนเจ้าหน้าที่ {c.reference} (ตอบภายใน {format_thai(c.due_on)})",
                    body="",
                    subject_en=f"Complaint about an officer {c.reference} (answer by {format_en(c.due_on)})",
                    body_en="",
                    link=reverse("staff:complaint", args=[c.pk]),
                )
    return c


def _lock(complaint_id: int) -> Complaint:
    c = Complaint.objects.select_for_update().filter(pk=complaint_id).first()
    if c is None:
        raise InvalidInput("ไม่พบเรื่องร้องเรียนนี้", "No such complaint")
    return c


def _citizen_link(c: Complaint) -> str:
    return reverse("portal:complaint", args=[c.reference])


@transaction.atomic
def act(*, actor: User, complaint_id: int, action: str, comment: str = "") -> Complaint:
    """Take a workflow action on a complaint: staff who may handle it (``selectors.may_handle``) take
    the staff actions, the citizen who filed it the citizen's. An answer notifies the citizen; a
    reopening (at most the policy's limit) starts a new answer time and tells the office head."""
    pol = policy_mod.load()
    c = _lock(complaint_id)
    a = pol.actions.get(action)
    if a is None:
        raise TransitionNotAllowed("ไม่มีขั้นตอนนี้", f"Unknown action {action!r}", "unknown_action")
    if a.by == policy_mod.CITIZEN:
        if actor.pk != c.citizen_id:
            raise NotPermitted("ท่านไม่ใช่ผู้ร้องเรียน", "You did not file this complaint")
    elif not selectors.may_handle(actor, c):
        raise NotPermitted("ท่านไม่มีสิทธิ์ดำเนินการเรื่องร้องเรียนนี้", "You may not handle this complaint")
    if c.state not in a.sources:
        raise TransitionNotAllowed(
            "ทำขั้นตอนนี้จากสถานะปัจจุบันไม่ได้", "This step cannot be taken from the current state", "wrong_state"
        )
    comment = comment.strip()
    if a.comment_required and not comment:
        th, en = (
            ("กรุณากรอกคำตอบถึงผู้ร้องเรียน", "Please write the answer to the citizen")
            if action == "answer"
            else ("กรุณาบอกเหตุผลที่ยังไม่พอใจ", "Please say why you are not satisfied")
        )
        raise InvalidInput(th, en, errors=[field_error("comment", th, en)])
    if len(comment) > DETAILS_MAX or "\x00" in comment:
        th, en = f"ข้อความยาวได้ไม่เกิน {DETAILS_MAX:,} ตัวอักษร", f"The text can be at most {DETAILS_MAX:,} characters"
        raise InvalidInput(th, en, errors=[field_error("comment", th, en)])
    today = clock.today()
    before = c.state
    if action == "reopen":
        if c.reopened >= pol.reopen_limit:
            raise TransitionNotAllowed(
                "เรื่องนี้ขอให้พิจารณาใหม่ได้เพียงครั้งเดียว ซึ่งได้ใช้ไปแล้ว",
                "This complaint can be reopened only once, and it already was",
                "reopen_limit",
            )
        c.reopened += 1
        c.due_on = due_date(c.office_id, today)
        c.escalated_on = None
    if action == "answer":
        c.answer, c.answered_on, c.answered_by = comment, today, actor
        c.first_answered_on = c.first_answered_on or today
    c.state = a.to
    c.save()
    ComplaintStep.objects.create(
        complaint=c, action=action, from_state=before, to_state=c.state, actor=actor, comment=comment, at=clock.now()
    )
    record(
        f"complaint_{action}",
        actor=actor,
        object_type="complaint",
        object_id=str(c.pk),
        reference=c.reference,
        details={"from": before, "to": c.state},
    )
    if action == "answer":
        notify_services.notify(
            recipient=c.citizen,
            kind="complaint_answered",
            subject=f"เรื่องร้องเรียน {c.reference} ได้รับคำตอบแล้ว",
            body="อ่านคำตอบได้ที่หน้าเรื่องร้องเรียนของท่าน หากยังไม่พอใจ ขอให้พิจารณาอีกครั้งได้หนึ่งครั้ง",
            subject_en=f"Your complaint {c.reference} has been answered",
            body_en="Read the answer on your complaint's page. If you are not satisfied you may reopen it once.",
            link=_citizen_link(c),
        )
    if action == "reopen":
        for head in _recipients(c):
            notify_services.notify(
                recipient=head,
                kind="complaint_reopened",
                subject=f"ผู้ร้องเรียนไม่พอใจคำตอบ เรื่อง {c.reference} (ตอบภายใน {format_thai(c.due_on)})",
                body="",
                subject_en=f"The citizen is not satisfied with the answer to {c.reference} (answer by {format_en(c.due_on)})",
                body_en="",
                link=reverse("staff:complaint", args=[c.pk]),
            )
    return c


def escalate_overdue(limit: int = 2000) -> int:
    """Tell the office heads (never the officer a complaint names) of each open complaint past its
    answer date, once per answer time; return how many complaints were escalated.

    Each complaint is claimed by a conditional update (``escalated_on`` still empty) in its own
    transaction before its notices, with no global lock: a worker's tick that overlaps this one,
    having read the same list, finds it taken and skips it, so the heads are told once."""
    pol = policy_mod.load()
    today = clock.today()
    late = list(
        Complaint.objects.filter(state__in=pol.open_states, due_on__lt=today, escalated_on__isnull=True)
        .select_related("officer")
        .order_by("due_on")[:limit]
    )
    escalated = 0
    for c in late:
        with transaction.atomic():
            claimed = Complaint.objects.filter(
                pk=c.pk, state__in=pol.open_states, due_on__lt=today, escalated_on__isnull=True
            ).update(escalated_on=today)
            if not claimed:
                continue
            for head in _recipients(c):
                notify_services.notify(
                    recipient=head,
                    kind="complaint_escalation",
                    subject=f"เรื่องร้องเรียน {c.reference} เกินกำหนดตอบ (ครบกำหนด {format_thai(c.due_on)})",
                    body="",
                    subject_en=f"Complaint {c.reference} is overdue; the answer was due on {format_en(c.due_on)}",
                    body_en="",
                    link=reverse("staff:complaint", args=[c.pk]),
                )
            record_many(
                [
                    Event(
                        action="complaint_escalate",
                        object_type="complaint",
                        object_id=str(c.pk),
                        reference=c.reference,
                        details={"due_on": c.due_on.isoformat()},
                    )
                ]
            )
            escalated += 1
    return escalated


def audit_view(actor: User, c: Complaint, purpose: str = "complaint handling") -> None:
    """Record that someone saw a complaint (a citizen's personal data, PDPA): staff handling it, or
    the citizen their own on the portal (``purpose`` says which)."""
    record(
        "view_personal_data",
        actor=actor,
        object_type="complaint",
        object_id=str(c.pk),
        reference=c.reference,
        purpose=purpose,
    )


def audit_denied(actor: User, reference: str) -> None:
    """Record a citizen's (or anyone's) attempt to open a complaint that is not theirs."""
    record(
        "portal_access_refused",
        actor=actor,
        object_type="complaint",
        reference=reference[:40],
        purpose="access refused",
    )
