"""The e-Service portal in the demo data (docs/demo-data.md, "The portal in the demo").

Two parts, both fixed by the seed and the load's ``today``:

- **The demo citizen** (user ``citizen``, สมศรี ประชาชน, national ID 1509900123453, ``DEMO_CITIZEN``):
  her online requests at Chiang Mai at different steps of the current fiscal year (one just filed,
  one waiting for her documents with the officer's message, one decided with its letter and the
  survey open, one closed with the survey answered), a saved draft, her inbox, a complaint answered
  by the office head, an appointment next week and a question answered, her channel choices. Few
  rows, so every one is written **through the services** (jfs.applications, jfs.cases,
  jfs.decisions, jfs.tracking, jfs.complaints, jfs.consultations, jfs.notify), each at its own
  moment: the services read the time from ``jfs.core.clock.now`` and Django's ``auto_now`` fields
  from the ``now`` of ``django.utils.timezone``; ``_at`` pins both to the event's moment for one transaction
  (committed inside the pin, so the notices sent on commit carry it too), as time-machine does in
  the tests.
- **The other applicants, in bulk** (as the rest of the demo is written): a portal account for the
  applicants of the requests filed online and for one in ten of the others with a decision (they
  signed in with the state digital ID, which links them to their requests by national ID), their
  survey answers after the decision (the satisfaction KPI: a share satisfied close to the plans'
  80% and 85% goals, demo data) and complaints (about 1% of the requests, answered within the
  15 working days for about nine in ten).
"""

from __future__ import annotations

import hashlib
import io
import random
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from unittest import mock

import pikepdf
from django.db import transaction
from django.utils import timezone

from jfs.accounts.models import Office, User
from jfs.applications import services as applications
from jfs.applications.models import Application
from jfs.cases import services as cases
from jfs.cases.calendar import calendar_for
from jfs.cases.models import Request
from jfs.citizens.models import DIGITAL_ID, CitizenProfile
from jfs.citizens.people_file import DEMO_CITIZEN
from jfs.complaints import policy as complaint_policy
from jfs.complaints import services as complaints
from jfs.complaints.models import Complaint, ComplaintStep
from jfs.consultations import policy as consult_policy
from jfs.consultations import selectors as consult_selectors
from jfs.consultations import services as consultations
from jfs.core import clock
from jfs.decisions import services as decisions
from jfs.demo.users import CHIANG_MAI, DEMO_CITIZEN_NATIONAL_ID
from jfs.notify import services as notify
from jfs.tracking import services as tracking
from jfs.tracking.models import Survey
from jfslib import roles
from jfslib.thaidate import fiscal_year
from jfslib.workdays import WorkingCalendar

#: the demo citizen's mobile number: her SMS channel, and the address her one-time codes go to
DEMO_MOBILE = "+66891234567"

#: the share of the year's survey answers scoring 4-5, by the fiscal year of the answer (demo data,
#: chosen near the goals of satisfaction.yaml: 80% by the Justice IT plan, 85% by 2570)
SATISFIED_SHARE = {2564: 0.78, 2565: 0.81, 2566: 0.82, 2567: 0.83, 2568: 0.84, 2569: 0.85, 2570: 0.86}
#: how likely an applicant who has a portal account answers the survey
ANSWERS_ONLINE, ANSWERS_COUNTER = 0.65, 0.45
#: the share of the applicants of other decided requests with a portal account (the digital ID)
ACCOUNT_SHARE = 0.10
#: complaints per request received in the year, and the share answered within the answer time
COMPLAINT_RATE, ANSWERED_ON_TIME = 0.01, 0.9


@dataclass
class Loaded:
    """What the portal part of the demo wrote."""

    citizens: int = 0
    surveys: int = 0
    complaints: int = 0
    demo_requests: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.citizens + self.surveys + self.complaints + len(self.demo_requests)


def load(
    *,
    today: date,
    seed: int,
    years: Sequence[int],
    pinned: Collection[int] = (),
    log: Callable[[str], None] = lambda _: None,
) -> Loaded:
    """The portal's demo data for the fiscal years just loaded: the other applicants' accounts,
    surveys and complaints; and the demo citizen's own requests (when the current fiscal year is
    loaded, is not one of the ``pinned`` years whose request counts reproduce DOMAIN.md, and she has
    no request yet, so ``--append`` does not repeat them)."""
    started = clock.monotonic()
    out = Loaded()
    out.citizens, out.surveys, out.complaints = _bulk(today, seed, years)
    citizen = User.objects.filter(username="citizen", role=roles.CITIZEN).first()
    current = fiscal_year(today)
    if (
        citizen is not None
        and current in years
        and current not in pinned
        and not Request.objects.filter(created_by=citizen).exists()
    ):
        out.demo_requests = DemoCitizen(citizen, today).run()
    log(
        f"Portal: {out.citizens:,} citizens' accounts, {out.surveys:,} survey answers, {out.complaints:,} "
        f"complaints; the demo citizen's requests {', '.join(out.demo_requests) or '(none)'} "
        f"({clock.monotonic() - started:.1f} s)"
    )
    return out


# --------------------------------------------------------------------------- the time of an event


def _moment(day: date, hh: int, mm: int) -> datetime:
    """``hh:mm`` on ``day`` in Thailand, as the aware UTC moment the services store."""
    return datetime.combine(day, time(hh, mm), tzinfo=clock.FUND_TIMEZONE).astimezone(UTC)


@contextmanager
def _at(moment: datetime) -> Iterator[None]:
    """One transaction of the services as if it were ``moment``; it commits (and its notices are sent
    to the inbox) before the clock is let go."""

    def fixed() -> datetime:
        return moment

    with mock.patch.object(clock, "now", fixed), mock.patch.object(timezone, "now", fixed), transaction.atomic():
        yield


def _working_days_back(cal: WorkingCalendar, day: date, n: int) -> date:
    """The ``n``-th working day before ``day`` (``day`` itself, or the working day before it, for 0)."""
    while not cal.is_working_day(day):
        day -= timedelta(days=1)
    while n > 0:
        day -= timedelta(days=1)
        if cal.is_working_day(day):
            n -= 1
    return day


# --------------------------------------------------------------------------- the demo citizen


def _pdf(label: str) -> bytes:
    """A small real one-page PDF (uploads are sniffed and cleaned as any citizen's)."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.docinfo["/Title"] = label
    buf = io.BytesIO()
    pdf.save(buf, deterministic_id=True)
    return buf.getvalue()


#: her answers to the applicant's questions (the digital ID gives her national ID and name)
HER_ANSWERS: dict[str, dict[str, str]] = {
    "name": {"title": "นาง", "first_name": "สมศรี", "last_name": "ประชาชน"},
    "birth_date": {"value": "17/05/2523"},
    "sex": {"value": "F"},
    "province": {"value": "50"},
    "district": {"value": "5001"},
    "subdistrict": {"value": "500101"},
    "house_no": {"value": "99 หมู่ 1"},
    "phone": {"value": "089 123 4567"},
    "monthly_income": {"value": "7,500"},
    "household_size": {"value": "3"},
    "household_monthly_income": {"value": "12000"},
    "other_help_received": {"value": "no"},
}
#: her answers to each service's questions
DETAILS: dict[str, dict[str, dict[str, str]]] = {
    "LIT_CLOSED": {
        "case_kind": {"value": "civil"},
        "_case_filed": {"value": "yes"},
        "court": {"value": "ศาลจังหวัดเชียงใหม่"},
        "case_number": {"value": "ผบ.1187/2569"},
        "party_role": {"value": "defendant"},
        "costs": {"lawyer": "15000", "court_fee": "1500"},
    },
    "LIT_NEW": {
        "case_kind": {"value": "civil"},
        "_case_filed": {"value": "yes"},
        "court": {"value": "ศาลแขวงเชียงใหม่"},
        "case_number": {"value": "ผบ.2231/2569"},
        "party_role": {"value": "defendant"},
        "costs": {"lawyer": "12000", "court_fee": "1000"},
    },
    "BAIL": {
        "_detainee_is_applicant": {"value": "no"},
        "detainee_name": {"value": "นายสมปอง ประชาชน"},
        "detainee_national_id": {"value": ""},
        "charge": {"value": "ลักทรัพย์"},
        "held_at": {"value": "เรือนจำกลางเชียงใหม่"},
        "authority": {"value": "court"},
        "authority_name": {"value": "ศาลจังหวัดเชียงใหม่"},
        "bail_amount": {"value": "40000"},
    },
    "HR": {
        "violation": {"value": "ถูกทำร้ายร่างกายระหว่างถูกควบคุมตัว"},
        "harm": {"value": "บาดเจ็บที่ศีรษะและแขน ต้องรักษาตัวที่โรงพยาบาล 5 วัน"},
        "remedy_requested": {"value": "ค่ารักษาพยาบาลและค่าขาดรายได้"},
        "amount_requested": {"value": "18000"},
    },
}


class DemoCitizen:
    """The demo citizen's portal history, played event by event in the order they happened, each on
    its working day (counted back from ``today`` on Chiang Mai's calendar, never before the fiscal
    year began) and hour."""

    def __init__(self, citizen: User, today: date) -> None:
        self.citizen = citizen
        self.today = today
        self.office = Office.objects.get(code=CHIANG_MAI)
        self.cal = calendar_for(self.office.pk)
        self.staff = {u.username: u for u in User.objects.filter(office=self.office).exclude(role=roles.CITIZEN)}
        fy = fiscal_year(today)
        self.year_start = date(fy - 543 - 1, 10, 1)
        self.made: dict[str, Request] = {}
        self.last: datetime | None = None
        self.latest = clock.now()  # nothing is dated after the moment the demo is loaded
        self.complaint_id = 0

    def when(self, back: int, hh: int, mm: int) -> datetime:
        """The moment ``back`` working days before today at ``hh:mm``: after the previous event, never
        before the fiscal year began nor after now."""
        day = max(_working_days_back(self.cal, self.today, back), self.year_start)
        moment = _moment(min(day, self.today), hh, mm)
        if self.last is not None and moment <= self.last:
            moment = self.last + timedelta(minutes=3)
        if moment > self.latest:  # today's events, loaded before their hour
            moment = self.latest - timedelta(minutes=10)
            if self.last is not None and moment <= self.last:
                moment = self.last + timedelta(seconds=30)
        self.last = moment
        return moment

    def run(self) -> list[str]:
        """Every event, oldest first; the numbers of her requests."""
        her = self.citizen
        self.profile()
        script: list[tuple[int, int, int, Callable[[], object]]] = [
            # (working days back, hour, minute, what happens)
            (30, 19, 12, lambda: self.apply("closed", "LIT", DETAILS["LIT_CLOSED"])),
            (29, 10, 5, lambda: self.act("closed", "intake.cm", "start_screening")),
            (28, 10, 40, lambda: self.act("closed", "intake.cm", "accept")),
            (
                25,
                14,
                20,
                lambda: self.act(
                    "closed", "officer.cm", "complete_fact_finding", "สอบข้อเท็จจริงจากผู้ขอและตรวจสำเนาคำฟ้องแล้ว"
                ),
            ),
            (
                23,
                11,
                0,
                lambda: self.act(
                    "closed",
                    "officer.cm",
                    "submit_opinion",
                    "ผู้ขอมีรายได้น้อย คดีมีมูล เห็นควรช่วยเหลือค่าทนายความและค่าธรรมเนียมศาล",
                ),
            ),
            (
                21,
                15,
                30,
                lambda: self.act(
                    "closed", "chair.cm", "decide_urgent", "อนุมัติตามที่ขอ", outcome="approved", reason_codes=["A01", "A02"]
                ),
            ),
            (20, 10, 15, lambda: self.notify_and_letter("closed")),
            (
                18,
                20,
                40,
                lambda: tracking.answer_survey(
                    actor=her,
                    request_id=self.made["closed"].pk,
                    score=5,
                    comment="ยื่นออนไลน์ได้ที่บ้าน ไม่ต้องเดินทาง เจ้าหน้าที่โทรมาอธิบายชัดเจน",
                ),
            ),
            (14, 18, 30, self.complaint),
            (12, 8, 55, lambda: self.apply("decided", "BAIL", DETAILS["BAIL"])),
            (12, 9, 40, lambda: self.act("decided", "intake.cm", "start_screening")),
            (11, 10, 20, lambda: self.act("decided", "intake.cm", "accept")),
            (11, 14, 10, self.answer_complaint),
            (
                10,
                13,
                0,
                lambda: self.act(
                    "decided", "officer.cm", "complete_fact_finding", "ตรวจสอบกับเรือนจำแล้ว ผู้ต้องหามีภูมิลำเนาแน่นอน"
                ),
            ),
            (10, 16, 45, lambda: self.act("closed", "officer.cm", "close", "ปิดเรื่อง ช่วยเหลือครบแล้ว")),
            (
                9,
                10,
                30,
                lambda: self.act(
                    "decided", "officer.cm", "submit_opinion", "ไม่มีพฤติการณ์หลบหนี เห็นควรช่วยเหลือเงินประกันตามที่ขอ"
                ),
            ),
            (
                8,
                16,
                10,
                lambda: self.act(
                    "decided",
                    "chair.cm",
                    "decide_urgent",
                    "อนุมัติเงินประกันตามที่ขอ",
                    outcome="approved",
                    reason_codes=["A03"],
                ),
            ),
            (7, 9, 30, lambda: self.notify_and_letter("decided")),
            (6, 20, 15, lambda: self.apply("waiting", "HR", DETAILS["HR"])),
            (5, 9, 20, lambda: self.act("waiting", "intake.cm", "start_screening")),
            (
                4,
                11,
                10,
                lambda: self.act(
                    "waiting", "officer.cm", "request_documents", "ขอสำเนาใบรับรองแพทย์และใบเสร็จค่ารักษาพยาบาล"
                ),
            ),
            (
                4,
                11,
                15,
                lambda: tracking.send_message(
                    actor=self.staff["officer.cm"],
                    request_id=self.made["waiting"].pk,
                    text="เรียนคุณสมศรี ขอใบรับรองแพทย์จากโรงพยาบาลที่รักษา และใบเสร็จค่ารักษาทุกใบ "
                    "ถ่ายรูปด้วยโทรศัพท์แล้วแนบในหน้านี้ได้เลยครับ หากสงสัยโทร 053 112 345",
                ),
            ),
            (3, 19, 0, self.question),
            (
                2,
                14,
                0,
                lambda: self.act(
                    "question",
                    "officer.cm",
                    "give_advice",
                    "กรณีเจ้าของบ้านเช่าไม่คืนเงินประกัน ท่านมีสิทธิเรียกคืนได้ตามสัญญาเช่า "
                    "ขอให้ทำหนังสือทวงถามก่อน หากยังไม่คืน ฟ้องคดีมโนสาเร่ที่ศาลแขวงได้ "
                    "ซึ่งกองทุนยุติธรรมช่วยค่าธรรมเนียมได้",
                ),
            ),
            (1, 20, 30, self.appointment),
            (1, 21, 10, self.draft),
            (0, 7, 5, lambda: self.apply("new", "LIT", DETAILS["LIT_NEW"])),
            (0, 7, 20, self.channels),
        ]
        for back, hh, mm, event in script:
            with _at(self.when(back, hh, mm)):
                event()
        return [r.number for r in self.made.values()]

    def profile(self) -> None:
        """Her portal profile: what the digital ID verified, and her number for a one-time code."""
        her = self.citizen
        her.phone = DEMO_MOBILE
        her.save(update_fields=["phone"])
        with _at(self.when(31, 19, 0)):
            profile, _ = CitizenProfile.objects.get_or_create(user=her)
            profile.assurance = DIGITAL_ID
            profile.verified_claims = {k: DEMO_CITIZEN[k] for k in ("pid", "given_name", "family_name", "birthdate")}
            profile.verified_at = profile.last_sign_in_at = clock.now()
            profile.code_address = f"sms:{DEMO_MOBILE}"
            profile.contact_phone = DEMO_MOBILE
            profile.save()

    def apply(self, key: str, service: str, details: dict[str, dict[str, str]]) -> Request:
        """An application filled in on the portal, one question at a time, with its documents, and submitted."""
        her = self.citizen
        app = applications.start(actor=her, service=service)
        applications.set_for_whom(app, for_whom="self")
        applications.give_consent(app, actor=her, acknowledged=True, purposes=[])
        self.answer(app, {**HER_ANSWERS, **details})
        applications.choose_office(app, CHIANG_MAI)
        for doc in applications.documents(app):
            if doc["required"]:
                applications.add_upload(
                    app, actor=her, doc_type=doc["code"], name=f"{doc['code']}.pdf", data=_pdf(doc["en"])
                )
        applications.declare(app, agreed=True)
        req = applications.submit(app, actor=her, assurance=DIGITAL_ID)
        self.made[key] = req
        return req

    @staticmethod
    def answer(app: Application, answers: dict[str, dict[str, str]], stop_at: str = "") -> None:
        for _ in range(80):
            key = applications.next_question(app)
            if key is None or key == stop_at:
                return
            problems = applications.answer(app, key, answers[key])
            if problems:
                raise ValueError(f"demo answer to {key!r} refused: {problems}")
        raise ValueError("the application's questions never ended")

    def act(self, key: str, who: str, action: str, comment: str = "", **fields: Any) -> Request:
        req = Request.objects.get(pk=self.made[key].pk)
        done = cases.transition(
            actor=self.staff[who],
            request_id=req.pk,
            action=action,
            expected_version=req.version,
            comment=comment,
            fields=fields or None,
        )
        self.made[key] = done
        return done

    def notify_and_letter(self, key: str) -> None:
        """The office tells her of the decision and issues its letter."""
        req = self.act(key, "officer.cm", "notify_applicant")
        decisions.generate_letter(actor=self.staff["officer.cm"], request_id=req.pk)

    def complaint(self) -> None:
        self.complaint_id = complaints.file_complaint(
            citizen=self.citizen,
            kind="service",
            office=self.office,
            request_id=self.made["closed"].pk,
            subject="โทรติดต่อสำนักงานไม่ติดหลายวัน",
            details="ช่วงที่รอผลการพิจารณา ดิฉันโทรไปที่สำนักงานหลายครั้งในเวลาราชการแต่ไม่มีผู้รับสาย "
            "อยากให้มีช่องทางสอบถามที่ติดต่อได้ง่ายกว่านี้ค่ะ",
        ).pk

    def answer_complaint(self) -> None:
        complaints.act(
            actor=self.staff["head.cm"],
            complaint_id=self.complaint_id,
            action="answer",
            comment="ขออภัยในความไม่สะดวกครับ ช่วงนั้นสำนักงานมีเจ้าหน้าที่ลงพื้นที่หลายคน ตอนนี้เพิ่มคู่สายเป็น "
            "2 หมายเลขแล้ว และท่านติดตามคำขอและส่งข้อความถึงเจ้าหน้าที่ได้ที่หน้าคำขอของฉันบนเว็บไซต์ "
            "ซึ่งจะตอบภายในวันทำการถัดไป",
        )

    def question(self) -> None:
        q = consultations.ask_question(
            citizen=self.citizen,
            office=self.office,
            topic="เงินประกันบ้านเช่า",
            question="ดิฉันย้ายออกจากบ้านเช่ามาแล้ว 2 เดือน เจ้าของบ้านยังไม่คืนเงินประกัน 6,000 บาท "
            "โดยอ้างว่าต้องทาสีใหม่ ดิฉันมีสิทธิได้เงินคืนไหมคะ และต้องทำอย่างไร",
            applicant=cases.ApplicantInput(**self.applicant_values()),
        )
        self.made["question"] = q.request

    def applicant_values(self) -> dict[str, Any]:
        return {
            "national_id": DEMO_CITIZEN_NATIONAL_ID,
            "title": "นาง",
            "first_name": "สมศรี",
            "last_name": "ประชาชน",
            "birth_date": date(1980, 5, 17),
            "sex": "F",
            "house_no": "99 หมู่ 1",
            "province_code": "50",
            "district_code": "5001",
            "subdistrict_code": "500101",
            "phone": "0891234567",
            "monthly_income": "7500",
            "household_size": 3,
        }

    def appointment(self) -> None:
        """An appointment by video on the first day the office gives them in the coming week."""
        days = consult_selectors.bookable_days(self.office.pk)
        monday = clock.today() + timedelta(days=7 - clock.today().weekday())
        day = next((d for d in days if d >= monday), days[-1])
        start = consult_policy.load().slot_starts()[1]
        consultations.book(
            citizen=self.citizen,
            office=self.office,
            day=day,
            start=start,
            mode=consult_policy.VIDEO,
            topic="ถูกเลิกจ้างโดยไม่ได้รับค่าชดเชย",
        )

    def draft(self) -> None:
        """An application she began and left: for herself, consent given, her address still to come."""
        app = applications.start(actor=self.citizen, service="BAIL")
        applications.set_for_whom(app, for_whom="self")
        applications.give_consent(app, actor=self.citizen, acknowledged=True, purposes=[])
        self.answer(app, HER_ANSWERS, stop_at="province")
        applications.set_position(app, "province")

    def channels(self) -> None:
        """Her channel choice: SMS to her number (the notices before it went to her inbox only)."""
        _, problems = notify.set_channels(
            self.citizen, sms=True, sms_number=DEMO_MOBILE, email=False, email_address="", line=False, line_user_id=""
        )
        if problems:
            raise ValueError(f"demo channels refused: {problems}")


# --------------------------------------------------------------------------- the others, in bulk

SURVEY_COMMENTS = {
    5: ["สะดวกมาก ไม่ต้องเดินทางไปสำนักงาน", "เจ้าหน้าที่ให้คำแนะนำดีมาก ขอบคุณค่ะ", "ได้รับความช่วยเหลือทันเวลา"],
    4: ["ดีครับ แต่อยากให้แจ้งผลเร็วกว่านี้", "ติดตามสถานะได้ง่าย", "เอกสารที่ต้องเตรียมเยอะไปหน่อย"],
    3: ["พอใช้ได้ รอนานกว่าที่คิด", "อยากให้อธิบายเหตุผลให้ละเอียดกว่านี้"],
    2: ["ต้องส่งเอกสารเพิ่มหลายรอบ", "โทรสอบถามแล้วไม่มีคนรับสาย"],
    1: ["ไม่ได้รับความช่วยเหลือตามที่ขอ และไม่เข้าใจเหตุผล"],
}
#: (kind, subject, details, answer) of the complaints filed by the applicants
COMPLAINTS = [
    (
        "service",
        "รอผลการพิจารณานาน",
        "ยื่นคำขอมานานแล้วยังไม่ทราบผล อยากทราบว่าถึงขั้นตอนไหน",
        "คำขอของท่านอยู่ระหว่างการพิจารณาของคณะอนุกรรมการ จะแจ้งผลภายในกำหนดเวลา ท่านติดตามได้ที่หน้าคำขอของฉัน",
    ),
    (
        "service",
        "โทรติดต่อสำนักงานไม่ได้",
        "โทรไปหลายครั้งในเวลาราชการแต่ไม่มีผู้รับสาย",
        "ขออภัยในความไม่สะดวก สำนักงานเพิ่มคู่สายแล้ว และท่านส่งข้อความถึงเจ้าหน้าที่ได้ที่หน้าคำขอ",
    ),
    (
        "service",
        "ต้องส่งเอกสารซ้ำ",
        "ส่งสำเนาทะเบียนบ้านไปแล้วแต่ถูกขอซ้ำอีกครั้ง",
        "ตรวจสอบแล้วเอกสารที่ส่งครั้งแรกไม่ชัด จึงขอใหม่ ขออภัยที่ไม่ได้แจ้งเหตุผลให้ชัดเจน",
    ),
    (
        "officer",
        "เจ้าหน้าที่พูดจาไม่สุภาพ",
        "เจ้าหน้าที่ที่รับเรื่องพูดจาไม่สุภาพและไม่อธิบายขั้นตอน",
        "สำนักงานได้ชี้แจงและตักเตือนเจ้าหน้าที่แล้ว ขออภัยในสิ่งที่เกิดขึ้น",
    ),
    (
        "lawyer",
        "ทนายความไม่ติดต่อกลับ",
        "ทนายความที่กองทุนจัดให้ไม่ติดต่อกลับมาเลยตั้งแต่ได้รับการอนุมัติ",
        "สำนักงานติดต่อทนายความแล้ว ทนายความจะนัดพบท่านภายในสัปดาห์นี้",
    ),
    ("feedback", "ขอบคุณเจ้าหน้าที่", "ขอบคุณเจ้าหน้าที่ที่ช่วยเหลือและอธิบายอย่างละเอียด", "ขอบคุณสำหรับคำชม สำนักงานจะแจ้งให้เจ้าหน้าที่ทราบ"),
    (
        "feedback",
        "อยากให้มีบริการนอกเวลาราชการ",
        "อยากให้เปิดให้สอบถามทางโทรศัพท์ช่วงเย็นด้วย",
        "ขอบคุณสำหรับข้อเสนอแนะ ท่านยื่นคำขอและส่งข้อความออนไลน์ได้ตลอด 24 ชั่วโมง",
    ),
]
KIND_WEIGHTS = [("service", 0.5), ("officer", 0.1), ("lawyer", 0.1), ("feedback", 0.3)]
#: how likely a decision of each outcome is scored 4-5 relative to the others (the best are chosen)
OUTCOME_WEIGHT = {"approved": 1.0, "partially_approved": 0.8, "rejected": 0.45, "terminated": 0.55, "referred": 0.6}


def _username(national_id: str) -> str:
    return "thaid-" + hashlib.sha256(f"demo|{national_id}".encode()).hexdigest()[:20]


def _bulk(today: date, seed: int, years: Sequence[int]) -> tuple[int, int, int]:
    """The other applicants' portal accounts, survey answers and complaints (bulk rows)."""
    rng = random.Random(f"demo-portal-{seed}")
    rows = list(
        Request.objects.filter(fiscal_year__in=list(years), survey__isnull=True)
        .exclude(created_by__role=roles.CITIZEN)
        .order_by("id")
        .values_list(
            "id",
            "number",
            "fiscal_year",
            "office_id",
            "channel",
            "outcome",
            "decided_on",
            "received_on",
            "applicant__national_id",
            "applicant__first_name",
            "applicant__last_name",
        )
    )
    holders: dict[str, tuple[str, str, date]] = {}
    for _, _, _, _, channel, _, decided, received, nid, first, last in rows:
        if len(nid) != 13 or nid.startswith("0") or nid == DEMO_CITIZEN_NATIONAL_ID:
            continue  # no Thai registration, no digital ID
        if rng.random() < (0.9 if channel == "online" else ACCOUNT_SHARE if decided else 0.0) or nid in holders:
            holders.setdefault(nid, (first, last, received))
    accounts = {u.national_id: u for u in User.objects.filter(role=roles.CITIZEN).exclude(national_id="")}
    new = [
        User(
            username=_username(nid),
            role=roles.CITIZEN,
            national_id=nid,
            first_name=first,
            last_name=last,
            password="!demo-digital-id",
            date_joined=_moment(since, 19, 0),
        )
        for nid, (first, last, since) in sorted(holders.items())
        if nid not in accounts
    ]
    User.objects.bulk_create(new, batch_size=2000)
    accounts.update({u.national_id: u for u in User.objects.filter(username__in=[u.username for u in new])})
    surveys = _surveys(rng, rows, accounts, today)
    return len(new), surveys, _complaints(rng, rows, accounts, today)


def _surveys(rng: random.Random, rows: list[tuple[Any, ...]], accounts: dict[str, User], today: date) -> int:
    """Survey answers a few days after the decision, scored so that each year's share satisfied is
    ``SATISFIED_SHARE``'s (the applicants most likely satisfied, by outcome, score 4-5)."""
    by_year: dict[int, list[tuple[float, Survey]]] = defaultdict(list)
    for rid, _, _, office_id, channel, outcome, decided, _, nid, _, _ in rows:
        user = accounts.get(nid)
        if user is None or decided is None:
            continue
        if rng.random() >= (ANSWERS_ONLINE if channel == "online" else ANSWERS_COUNTER):
            continue
        day = decided + timedelta(days=rng.randint(2, 21))
        if day > today:
            continue
        at = _moment(day, rng.randint(7, 21), rng.randint(0, 59))
        fy = fiscal_year(day)
        key = OUTCOME_WEIGHT.get(outcome, 0.5) * rng.random()
        by_year[fy].append(
            (key, Survey(request_id=rid, respondent=user, score=3, at=at, fiscal_year=fy, office_id=office_id))
        )
    made: list[Survey] = []
    for fy, answers in sorted(by_year.items()):
        share = SATISFIED_SHARE.get(fy, 0.86 if fy > 2570 else 0.78)
        satisfied = round(share * len(answers))
        for rank, (_, survey) in enumerate(sorted(answers, key=lambda a: -a[0])):
            if rank < satisfied:
                survey.score = 5 if rng.random() < 0.55 else 4
            else:
                survey.score = rng.choices((3, 2, 1), (0.55, 0.3, 0.15))[0]
            if rng.random() < 0.3:
                survey.comment = rng.choice(SURVEY_COMMENTS[survey.score])
            made.append(survey)
    made.sort(key=lambda s: (s.at, s.request_id))
    Survey.objects.bulk_create(made, batch_size=2000)
    return len(made)


def _complaints(rng: random.Random, rows: list[tuple[Any, ...]], accounts: dict[str, User], today: date) -> int:
    """About ``COMPLAINT_RATE`` of each year's requests bring a complaint from their applicant (one with
    a portal account), answered by the office (its demo head or intake officer, else the former
    system's records account) within the answer time for ``ANSWERED_ON_TIME`` of them."""
    pol = complaint_policy.load()
    received_in: dict[int, int] = defaultdict(int)
    candidates: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        received_in[row[2]] += 1
        if row[8] in accounts and row[7] + timedelta(days=5) <= today:
            candidates[row[2]].append(row)
    offices = {o.pk: o for o in Office.objects.all()}
    staff: dict[int, list[User]] = defaultdict(list)
    for u in User.objects.filter(role__in=(roles.OFFICE_HEAD, roles.INTAKE_OFFICER), is_active=True).order_by(
        "role", "username"
    ):
        if u.office_id is not None:
            staff[u.office_id].append(u)  # office heads first
    legacy = User.objects.filter(username="legacy.records").first()
    made: list[tuple[Complaint, list[ComplaintStep]]] = []
    for fy in sorted(candidates):
        pool = candidates[fy]
        for row in rng.sample(pool, min(len(pool), round(COMPLAINT_RATE * received_in[fy]))):
            c, steps = _one_complaint(
                rng, row, accounts[row[8]], offices[row[3]], staff.get(row[3], []), legacy, pol, today
            )
            if c is not None:
                made.append((c, steps))
    made.sort(key=lambda m: (m[0].created_at, m[0].citizen_id))
    Complaint.objects.bulk_create([c for c, _ in made], batch_size=1000)
    for c, _ in made:
        c.reference = f"RC{c.fiscal_year}-{c.pk:06d}"
    Complaint.objects.bulk_update([c for c, _ in made], ["reference"], batch_size=1000)
    steps = []
    for c, cs in made:
        for s in cs:
            s.complaint = c
            steps.append(s)
    ComplaintStep.objects.bulk_create(steps, batch_size=2000)
    return len(made)


def _one_complaint(
    rng: random.Random,
    row: tuple[Any, ...],
    citizen: User,
    office: Office,
    staff: list[User],
    legacy: User | None,
    pol: complaint_policy.Policy,
    today: date,
) -> tuple[Complaint | None, list[ComplaintStep]]:
    rid, _, _, _, _, _, _, received, _, _, _ = row
    cal = calendar_for(office.pk)
    kind = rng.choices([k for k, _ in KIND_WEIGHTS], [w for _, w in KIND_WEIGHTS])[0]
    subject, details, answer = rng.choice([c[1:] for c in COMPLAINTS if c[0] == kind])
    day = received + timedelta(days=rng.randint(5, 60))
    if day > today:
        day = today
    fy = fiscal_year(day)
    due = cal.add_working_days(day, pol.answer_within)
    heads = [u for u in staff if u.role == roles.OFFICE_HEAD]
    handler = (heads[0] if heads else staff[0] if staff and kind != "officer" else None) or legacy
    if handler is None:
        return None, []
    filed = _moment(day, rng.randint(7, 22), rng.randint(0, 59))
    c = Complaint(
        reference=f"tmp-{rid}",
        citizen=citizen,
        office=office,
        kind=kind,
        request_id=rid if rng.random() < 0.6 else None,
        named_person="",
        to_head=kind == "officer",
        subject=subject,
        details=details,
        state=pol.initial,
        received_on=day,
        due_on=due,
        first_due_on=due,
        fiscal_year=fy,
        created_at=filed,
    )
    steps = [ComplaintStep(action="file", to_state=pol.initial, actor=citizen, at=filed)]
    taken = cal.add_working_days(day, 1)
    answered = cal.add_working_days(
        day,
        rng.randint(2, pol.answer_within) if rng.random() < ANSWERED_ON_TIME else pol.answer_within + rng.randint(1, 8),
    )
    if taken <= today:
        c.state = "handling"
        steps.append(
            ComplaintStep(
                action="take",
                from_state=pol.initial,
                to_state="handling",
                actor=handler,
                at=_moment(taken, 9, rng.randint(0, 59)),
            )
        )
    if answered > due and due < today:
        c.escalated_on = cal.add_working_days(due, 1)
    if answered <= today:
        c.state, c.answer, c.answered_on, c.first_answered_on, c.answered_by = (
            "answered",
            answer,
            answered,
            answered,
            handler,
        )
        c.escalated_on = c.escalated_on if c.escalated_on and c.escalated_on <= answered else None
        steps.append(
            ComplaintStep(
                action="answer",
                from_state="handling",
                to_state="answered",
                actor=handler,
                comment=answer,
                at=_moment(answered, 14, rng.randint(0, 59)),
            )
        )
        closing = cal.add_working_days(answered, rng.randint(1, 10))
        if closing <= today and rng.random() < 0.85:
            by_citizen = rng.random() < 0.6
            c.state = "closed"
            steps.append(
                ComplaintStep(
                    action="accept" if by_citizen else "close",
                    from_state="answered",
                    to_state="closed",
                    actor=citizen if by_citizen else handler,
                    at=_moment(closing, 20 if by_citizen else 10, rng.randint(0, 59)),
                )
            )
    return c, steps
