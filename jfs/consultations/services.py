"""Writing consultations: a citizen books one slot (the database's unique constraint refuses a
second booking of the same slot, however close together), cancels it, is reminded the day before;
a question asked online becomes a CONSULT request that officers answer from the workspace with the
workflow's "give_advice" (its comment is the answer), and the citizen is then notified."""

from __future__ import annotations

import secrets
import uuid
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse

from jfs.accounts.models import Office, User
from jfs.audit.services import record
from jfs.cases import services as case_services
from jfs.cases.errors import Conflict, InvalidInput, NotPermitted, field_error
from jfs.cases.models import Transition
from jfs.consultations import policy as policy_mod
from jfs.consultations import selectors
from jfs.consultations.models import BOOKED, CANCELLED, Appointment, Question
from jfs.core import clock
from jfs.notify import services as notify_services
from jfslib import roles
from jfslib.thaidate import format_en, format_thai

SERVICE = "CONSULT"
TOPIC_MAX = 300
QUESTION_MAX = 3000


def _citizen(user: User) -> None:
    if user.role != roles.CITIZEN:
        raise NotPermitted("ใช้ได้เฉพาะประชาชน", "For citizens only")


def _clean_text(value: str, field: str, th_name: str, en_name: str, limit: int) -> tuple[str, list[dict[str, str]]]:
    text = (value or "").strip()
    if not text:
        return text, [field_error(field, f"กรุณากรอก{th_name}", f"Please enter {en_name}")]
    if len(text) > limit or "\x00" in text:
        return text, [
            field_error(
                field,
                f"{th_name}ยาวได้ไม่เกิน {limit:,} ตัวอักษร",
                f"{en_name.capitalize()} can be at most {limit:,} characters",
            )
        ]
    return text, []


def _video_link(office: Office, day: date, start: time) -> str:
    return policy_mod.load().video_link_pattern.format(
        office=office.code, day=day.strftime("%Y%m%d"), time=start.strftime("%H%M"), token=secrets.token_urlsafe(9)
    )


def book(*, citizen: User, office: Office, day: date, start: time, mode: str, topic: str) -> Appointment:
    """Book one slot. Refused with the problem on its field when the day is not one the office gives
    appointments on (a holiday, a closure, too far ahead), the time is not a slot or the mode not
    offered; refused when the citizen already holds the policy's ``max_open_bookings`` (counted with
    their account's row locked, so two bookings at once cannot both pass); Conflict when another
    citizen booked the slot first."""
    _citizen(citizen)
    pol = policy_mod.load()
    errors: list[dict[str, str]] = []
    if day not in selectors.bookable_days(office.pk):
        errors.append(
            field_error(
                "day",
                "สำนักงานไม่เปิดให้นัดในวันนี้ กรุณาเลือกวันอื่น",
                "The office gives no appointments on this day: please choose another",
            )
        )
    elif start not in pol.slot_starts():
        errors.append(field_error("slot", "กรุณาเลือกเวลานัดจากรายการ", "Please choose a time from the list"))
    if mode not in pol.modes:
        errors.append(field_error("mode", "กรุณาเลือกวิธีพบเจ้าหน้าที่", "Please choose how to meet"))
    topic, problems = _clean_text(topic, "topic", "เรื่องที่ต้องการปรึกษา", "the topic", TOPIC_MAX)
    errors += problems
    if errors:
        raise InvalidInput("ข้อมูลการนัดหมายไม่ครบหรือไม่ถูกต้อง", "The appointment is incomplete or not valid", errors=errors)
    end = (datetime.combine(day, start) + timedelta(minutes=pol.slot_minutes)).time()
    try:
        with transaction.atomic():
            # one citizen's bookings one at a time: their row locked while counting (PostgreSQL)
            User.objects.select_for_update().filter(pk=citizen.pk).first()
            if selectors.open_bookings(citizen) >= pol.max_open_bookings:
                th = f"ท่านมีนัดที่ยังไม่ถึงวันนัดครบ {pol.max_open_bookings} นัดแล้ว กรุณายกเลิกนัดเดิมที่หน้านัดหมายของท่านก่อนจองใหม่"
                en = (
                    f"You already hold {pol.max_open_bookings} upcoming appointments, the most allowed: "
                    "please cancel one on your appointments page before booking another"
                )
                raise InvalidInput(th, en, errors=[field_error("slot", th, en)])
            appt = Appointment.objects.create(
                office=office,
                citizen=citizen,
                day=day,
                start=start,
                end=end,
                mode=mode,
                topic=topic,
                video_link=_video_link(office, day, start) if mode == policy_mod.VIDEO else "",
                created_at=clock.now(),
            )
            record(
                "appointment_book",
                actor=citizen,
                object_type="appointment",
                object_id=str(appt.pk),
                details={"office": office.code, "day": day.isoformat(), "start": start.strftime("%H:%M"), "mode": mode},
            )
            notify_services.notify(
                recipient=citizen,
                kind="appointment_booked",
                subject=f"นัดปรึกษากฎหมาย {format_thai(day)} เวลา {start:%H.%M} น. ที่{office.name_th}",
                body=_how_to_meet_th(appt),
                subject_en=f"Legal consultation on {format_en(day)} at {start:%H:%M}, {office.name_en}",
                body_en=_how_to_meet_en(appt),
                link=reverse("portal:consult_mine"),
            )
    except IntegrityError:
        raise Conflict(
            "มีผู้จองเวลานี้ไปแล้ว กรุณาเลือกเวลาอื่น",
            "Someone has just booked this time: please choose another",
            errors=[
                field_error(
                    "slot", "มีผู้จองเวลานี้ไปแล้ว กรุณาเลือกเวลาอื่น", "Someone has just booked this time: please choose another"
                )
            ],
        ) from None
    return appt


def _how_to_meet_th(a: Appointment) -> str:
    if a.mode == policy_mod.VIDEO:
        return f"เข้าประชุมทางวิดีโอที่ {a.video_link}"
    return f"กรุณามาที่{a.office.name_th} ก่อนเวลานัด 10 นาที พร้อมบัตรประจำตัวประชาชน"


def _how_to_meet_en(a: Appointment) -> str:
    if a.mode == policy_mod.VIDEO:
        return f"Join the video call at {a.video_link}"
    return f"Please come to {a.office.name_en} 10 minutes early with your ID card"


@transaction.atomic
def cancel(*, citizen: User, appointment_id: int) -> Appointment:
    """The citizen cancels their own upcoming appointment; the slot is free again."""
    appt = Appointment.objects.select_for_update().filter(pk=appointment_id, citizen=citizen).first()
    if appt is None:
        raise NotPermitted("ไม่พบนัดหมายนี้", "No such appointment")
    if appt.state != BOOKED or appt.day < clock.today():
        raise InvalidInput("ยกเลิกนัดนี้ไม่ได้แล้ว", "This appointment can no longer be cancelled")
    appt.state, appt.cancelled_at = CANCELLED, clock.now()
    appt.save(update_fields=["state", "cancelled_at"])
    record("appointment_cancel", actor=citizen, object_type="appointment", object_id=str(appt.pk))
    return appt


def send_reminders() -> int:
    """Remind each citizen of a booked appointment due within the policy's days before (once);
    return how many were reminded. Run by the worker's tick."""
    pol = policy_mod.load()
    today = clock.today()
    due = list(
        Appointment.objects.filter(
            state=BOOKED,
            reminded_at__isnull=True,
            day__gt=today,
            day__lte=today + timedelta(days=pol.remind_days_before),
        ).select_related("office", "citizen")
    )
    reminded = 0
    for a in due:
        with transaction.atomic():
            # each appointment claimed by a conditional update before its reminder (no global lock): a
            # worker's tick that overlaps this one, having read the same list, finds it taken and skips it
            claimed = Appointment.objects.filter(pk=a.pk, state=BOOKED, reminded_at__isnull=True).update(
                reminded_at=clock.now()
            )
            if not claimed:
                continue
            notify_services.notify(
                recipient=a.citizen,
                kind="appointment_reminder",
                subject=f"เตือนนัดปรึกษากฎหมาย {format_thai(a.day)} เวลา {a.start:%H.%M} น.",
                body=_how_to_meet_th(a),
                subject_en=f"Reminder: legal consultation on {format_en(a.day)} at {a.start:%H:%M}",
                body_en=_how_to_meet_en(a),
                link=reverse("portal:consult_mine"),
            )
            reminded += 1
    return reminded


def _submission_key(value: object) -> uuid.UUID | None:
    """A draft's idempotency key (a UUID or its text; None when absent); anything else is refused as input."""
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise InvalidInput(
            "แบบร่างคำถามไม่ถูกต้อง กรุณาเริ่มใหม่", "The question's draft is not valid: please start again"
        ) from None


def ask_question(
    *,
    citizen: User,
    office: Office,
    topic: str,
    question: str,
    applicant: case_services.ApplicantInput,
    submission_key: object = None,
) -> Question:
    """A question asked online: a CONSULT request registered on the portal (channel "online") with
    the topic, and the question's whole text kept beside it. Field problems all at once.

    ``submission_key`` is the draft's idempotency key: a second submission of the same draft (a
    double click, two tabs, a retry) returns the question the first one asked, and never registers a
    second CONSULT request, however close together they come (the column is unique: the later
    transaction, its request included, is rolled back and the first question found)."""
    _citizen(citizen)
    draft_key = _submission_key(submission_key)
    if draft_key is not None and (done := selectors.submitted_question(citizen, draft_key)) is not None:
        return done
    topic, errors = _clean_text(topic, "topic", "เรื่องที่ต้องการปรึกษา", "the topic", TOPIC_MAX)
    question, problems = _clean_text(question, "question", "คำถาม", "your question", QUESTION_MAX)
    errors += problems
    if errors:
        raise InvalidInput("คำถามไม่ครบหรือไม่ถูกต้อง", "The question is incomplete or not valid", errors=errors)
    try:
        with transaction.atomic():
            req = case_services.create_request(
                actor=citizen,
                service=SERVICE,
                office=office,
                applicant=applicant,
                details={"topic": topic, "channel": "online"},
                channel="online",
            )
            q = Question.objects.create(
                request=req, citizen=citizen, text=question, submission_key=draft_key, created_at=clock.now()
            )
    except IntegrityError:
        # the same draft submitted at the same moment: the other submission's question is committed
        done = selectors.submitted_question(citizen, draft_key) if draft_key is not None else None
        if done is None:
            raise
        return done
    return q


def advice_given(transition: Transition) -> None:
    """A workflow step was saved (``jfs.cases.services.register_step_hook``): when an officer records
    the advice ("give_advice") on a question asked online, the citizen who asked is told it is ready
    (``notify`` writes the inbox message in this transaction and sends the copies on commit)."""
    req = transition.request
    if transition.action != "give_advice" or req.service != SERVICE or req.channel != "online":
        return
    q = Question.objects.filter(request=req).select_related("citizen").first()
    if q is None:
        return
    notify_services.notify(
        recipient=q.citizen,
        kind="consultation_answered",
        subject=f"คำถามของท่าน ({req.number}) ได้รับคำตอบแล้ว",
        body="อ่านคำตอบได้ที่หน้าปรึกษากฎหมายของท่าน",
        subject_en=f"Your question ({req.number}) has been answered",
        body_en="Read the answer on your consultation page",
        link=reverse("portal:consult_question", args=[q.pk]),
    )
