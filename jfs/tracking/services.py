"""Every write of the tracking app: messages between the applicant and the office, the read marks,
the satisfaction survey, the applicant's "send the documents asked for"; and the notices the
request's events send to the applicant (``after_transition``, ``after_letter``: connected in
``jfs.tracking.apps`` to the saving of a workflow step and of a decision letter, sent once the
transaction commits)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from django.db import transaction
from django.urls import reverse

from jfs.accounts.models import User
from jfs.audit.services import record
from jfs.cases import reasons
from jfs.cases import services as cases
from jfs.cases.errors import Conflict, InvalidInput, NotPermitted, field_error
from jfs.cases.models import Request, Transition
from jfs.core import clock
from jfs.decisions.models import Letter
from jfs.notify.services import notify
from jfs.tracking import selectors
from jfs.tracking.models import FROM_APPLICANT, FROM_OFFICE, Message, Survey
from jfslib import roles
from jfslib.thaidate import fiscal_year

log = logging.getLogger(__name__)

#: the longest message (characters): a message is a note, a file is uploaded as a document
MESSAGE_MAX = 2000
#: the longest survey comment (characters)
COMMENT_MAX = 1000
#: who answers on the office's side: the office's registrars (intake, case officer, head)
OFFICE_WRITERS = cases.REGISTRARS


def _text(value: str, field: str, limit: int, *, required: bool) -> str:
    """Typed text, stripped; empty (when required) or too long is a refusal on ``field``."""
    cases.refuse_nul({field: value})
    text = (value or "").strip()
    if required and not text:
        th, en = "กรุณาพิมพ์ข้อความ", "Please type a message"
        raise InvalidInput(th, en, errors=[field_error(field, th, en)])
    if len(text) > limit:
        th, en = f"ข้อความยาวเกิน {limit:,} ตัวอักษร", f"The text is longer than {limit:,} characters"
        raise InvalidInput(th, en, errors=[field_error(field, th, en)])
    return text


def _side(actor: User, req: Request) -> str:
    """Which side ``actor`` writes for on ``req``: the applicant (their own request, still open) or
    the office (its registrars, in scope); else ``NotPermitted``/``RequestClosed``."""
    if actor.is_authenticated and actor.role == roles.CITIZEN:
        refused = cases.refusal(actor, req, cases.ACT)
        if refused is not None:
            raise refused
        return FROM_APPLICANT
    if actor.is_authenticated and actor.role in OFFICE_WRITERS and cases.ACT in cases.allowed(actor, req):
        return FROM_OFFICE
    raise NotPermitted("ท่านไม่มีสิทธิ์ส่งข้อความในคำขอนี้", "You may not write messages on this request")


@transaction.atomic
def send_message(*, actor: User, request_id: int, text: str) -> Message:
    """A message on the request from the applicant (portal) or an officer (staff case page); the
    other side is told once it is committed (the applicant by their chosen channels, the officer in
    the staff inbox). The message's words are not in the notice (an SMS is not private)."""
    req = Request.objects.select_related("office", "applicant").get(pk=request_id)
    direction = _side(actor, req)
    body = _text(text, "text", MESSAGE_MAX, required=True)
    msg = Message.objects.create(request=req, author=actor, direction=direction, text=body, sent_at=clock.now())
    record(
        "message_sent",
        actor=actor,
        object_type="request",
        object_id=str(req.pk),
        reference=req.number,
        details={"message": msg.pk, "direction": direction},
    )
    if direction == FROM_OFFICE:
        _after_commit(
            lambda: _tell_applicant(
                req,
                "tracking_message",
                ("มีข้อความใหม่จากเจ้าหน้าที่ เรื่องคำขอเลขที่ {n}", "A new message from the office about request {n}"),
                ("อ่านและตอบได้ที่หน้าติดตามคำขอ", "Read it and answer on the request's tracking page"),
            )
        )
    else:
        _after_commit(
            lambda: _tell_office(
                req,
                "tracking_citizen_message",
                ("ผู้ขอส่งข้อความเรื่องคำขอเลขที่ {n}", "The applicant wrote about request {n}"),
                ("อ่านและตอบได้ในส่วนข้อความของหน้าคำขอ", "Read and answer it in the messages of the case page"),
            )
        )
    return msg


def mark_read(*, reader: User, request: Request) -> int:
    """Mark the messages from the other side read, now that ``reader`` opened them; how many changed."""
    direction = FROM_OFFICE if reader.role == roles.CITIZEN else FROM_APPLICANT
    return Message.objects.filter(request=request, direction=direction, read_at__isnull=True).update(
        read_at=clock.now()
    )


def send_documents(*, actor: User, request_id: int, expected_version: int | None, comment: str = "") -> Request:
    """The applicant's "send the documents asked for" (the workflow's ``send_documents``, after they
    uploaded them): the request returns to the step it waited at and its clock runs again; the
    officer is told once it is committed."""
    req = cases.transition(
        actor=actor,
        request_id=request_id,
        action="send_documents",
        expected_version=expected_version,
        comment=_text(comment, "comment", MESSAGE_MAX, required=False),
    )
    _after_commit(
        lambda: _tell_office(
            req,
            "tracking_documents_sent",
            ("ผู้ขอส่งเอกสารที่ขอเพิ่มเติมแล้ว คำขอเลขที่ {n}", "The applicant sent the documents asked for: request {n}"),
            (
                "เริ่มนับเวลาต่อแล้ว ตรวจเอกสารได้ในส่วนเอกสารของหน้าคำขอ",
                "The clock runs again; check the documents on the case page",
            ),
        )
    )
    return req


@transaction.atomic
def answer_survey(*, actor: User, request_id: int, score: int | str | None, comment: str = "") -> Survey:
    """The applicant's satisfaction survey: once per request, after its decision, by the applicant."""
    req = Request.objects.select_for_update(of=("self",)).select_related("office").get(pk=request_id)
    if not (
        actor.is_authenticated and actor.role == roles.CITIZEN and selectors.owned_by(actor).filter(pk=req.pk).exists()
    ):
        raise NotPermitted("ตอบแบบสอบถามได้เฉพาะผู้ขอของคำขอนี้", "Only this request's applicant answers its survey")
    if req.decided_on is None:
        raise InvalidInput("ตอบแบบสอบถามได้หลังมีผลการพิจารณาแล้ว", "The survey opens once the request is decided")
    if Survey.objects.filter(request=req).exists():
        raise Conflict("ท่านตอบแบบสอบถามของคำขอนี้แล้ว ขอบคุณค่ะ", "You have already answered this request's survey")
    try:
        value = int(str(score))
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        th, en = "กรุณาเลือกระดับความพึงพอใจ 1 ถึง 5", "Choose how satisfied you are, from 1 to 5"
        raise InvalidInput(th, en, errors=[field_error("score", th, en)])
    text = _text(comment, "comment", COMMENT_MAX, required=False)
    now = clock.now()
    survey = Survey.objects.create(
        request=req,
        respondent=actor,
        score=value,
        comment=text,
        at=now,
        fiscal_year=fiscal_year(clock.today()),
        office=req.office,
    )
    record(
        "survey_answered",
        actor=actor,
        object_type="request",
        object_id=str(req.pk),
        reference=req.number,
        details={"score": value},
    )
    return survey


# --------------------------------------------------------------------------- notices


def _after_commit(fn: Callable[[], object]) -> None:
    """Run ``fn`` once the transaction commits; a notice that fails is logged, the write stands."""
    transaction.on_commit(fn, robust=True)


Words = tuple[str, str]

#: the SMS/e-mail/LINE copies of "the office asks for documents": never the officer's words
DOCUMENTS_ASKED_COPY = "สำนักงานขอเอกสารเพิ่มเติม ดูรายการเอกสารและส่งได้ที่หน้าติดตามคำขอ ระหว่างรอเอกสารหยุดนับเวลา 21 วันทำการไว้ก่อน"


def _tell(
    people: Sequence[User],
    req: Request,
    link: str,
    kind: str,
    subject: Words,
    body: Words,
    urgent: bool = False,
    copy_body: str | None = None,
) -> int:
    """Notify each person of ``req`` (its number in the subject); how many were told."""
    for person in people:
        notify(
            recipient=person,
            kind=kind,
            subject=subject[0].format(n=req.number),
            body=body[0],
            subject_en=subject[1].format(n=req.number),
            body_en=body[1],
            link=link,
            urgent=urgent,
            copy_body=copy_body,
        )
    return len(people)


def _tell_applicant(
    req: Request, kind: str, subject: Words, body: Words, urgent: bool = False, copy_body: str | None = None
) -> int:
    """Tell the request's citizens (``selectors.citizen_recipients``) in their inbox and by their
    channels (``copy_body``, when given, is the SMS/e-mail/LINE copies' text in place of the inbox
    message's); how many were told (none when nobody has a citizen account)."""
    link = reverse("portal:my_request", args=[req.number])
    return _tell(selectors.citizen_recipients(req), req, link, kind, subject, body, urgent, copy_body)


def _tell_office(req: Request, kind: str, subject: Words, body: Words) -> int:
    """Tell the officer who holds the request (else the office's intake and case officers)."""
    return _tell(selectors.office_recipients(req), req, reverse("staff:case", args=[req.pk]), kind, subject, body)


def after_transition(t: Transition) -> None:
    """A workflow step was saved: once committed, the applicant is told what concerns them (the
    office asks for documents; the request is decided; the appeal is decided). Other steps tell them
    nothing (the tracking page shows every step).

    The officer's words asking for documents are only in the inbox message and on the tracking page
    (signed in): the SMS, e-mail and LINE copies say that the office asks for documents, with the
    link. An SMS or an e-mail is not private, and the words may hold personal data."""
    action = t.request.workflow.actions.get(t.action)
    if t.action == "request_documents":
        comment = t.comment
        _after_commit(
            lambda: _tell_applicant(
                t.request,
                "tracking_documents_requested",
                ("สำนักงานขอเอกสารเพิ่มเติม คำขอเลขที่ {n}", "The office asks for more documents: request {n}"),
                (
                    f"เจ้าหน้าที่แจ้งว่า: {comment}\nส่งเอกสารได้ที่หน้าติดตามคำขอ ระหว่างรอเอกสารหยุดนับเวลา 21 วันทำการไว้ก่อน",
                    f"The officer says: {comment}\nSend them on the request's tracking page; the 21-working-day clock "
                    "is paused while we wait",
                ),
                urgent=False,
                copy_body=DOCUMENTS_ASKED_COPY,
            )
        )
    elif t.action == "decide_appeal":
        outcome = t.fields.get("outcome", "")
        _after_commit(
            lambda: _tell_applicant(
                t.request,
                "tracking_appeal_decided",
                ("มีผลการพิจารณาอุทธรณ์แล้ว คำขอเลขที่ {n}", "Your appeal is decided: request {n}"),
                (
                    f"ผล: {reasons.outcome_name(outcome, 'th')} ดูรายละเอียดได้ที่หน้าติดตามคำขอ",
                    f"Outcome: {reasons.outcome_name(outcome, 'en')}. See the request's tracking page",
                ),
            )
        )
    elif action is not None and action.sets_outcome:
        outcome = t.fields.get("outcome", "")
        _after_commit(
            lambda: _tell_applicant(
                t.request,
                "tracking_decided",
                ("คำขอเลขที่ {n} มีผลการพิจารณาแล้ว", "Request {n} is decided"),
                (
                    f"ผล: {reasons.outcome_name(outcome, 'th')} หนังสือแจ้งผลจะตามมาที่หน้าติดตามคำขอ",
                    f"Outcome: {reasons.outcome_name(outcome, 'en')}. The letter will follow on the tracking page",
                ),
            )
        )


def after_letter(letter: Letter) -> None:
    """A decision letter was issued: once committed, the applicant is told it is ready to download."""
    _after_commit(
        lambda: _tell_applicant(
            letter.request,
            "tracking_letter",
            ("หนังสือแจ้งผลการพิจารณาคำขอเลขที่ {n} พร้อมแล้ว", "The decision letter for request {n} is ready"),
            ("ดาวน์โหลดได้ที่หน้าติดตามคำขอ", "Download it on the request's tracking page"),
        )
    )


# --------------------------------------------------------------------------- the audit of the portal's looks


def refused_look(*, actor: User, number: str, what: str = "request") -> None:
    """A citizen asked for a request that is not theirs (or does not exist): they are shown "not
    found" and the attempt is on record (the number as asked, whether such a request exists)."""
    record(
        "portal_access_refused",
        actor=actor,
        object_type=what,
        reference=number[:60],
        purpose="a citizen opened a request that is not theirs",
        details={"exists": selectors.request_exists(number), "number": number[:60]},
    )


def viewed(*, actor: User, req: Request, what: str = "request") -> None:
    """The applicant saw their request's personal data (or its letter) on the portal (PDPA)."""
    record(
        "view_personal_data",
        actor=actor,
        object_type=what,
        object_id=str(req.pk),
        reference=req.number,
        purpose="the applicant's own request on the portal",
    )
