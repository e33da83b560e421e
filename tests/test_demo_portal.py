"""The portal in the demo data (``jfs.demo.portal``): what the demo citizen finds when she signs in,
written through the services at the moments they happened; the other applicants' survey answers and
complaints in bulk, so the satisfaction KPI and the complaints figures have FY2565 numbers.

The figures the demo pins (FY2564/2565 counts, outcomes, on-time shares) are checked by
tests/test_demo_data.py and tests/test_demo_decisions.py, which load through the same
``generator.generate`` and so with the portal part; run them with this file.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from django.db.models import Count, Q
from django.test import Client
from django.urls import reverse

from jfs.accounts.models import User
from jfs.applications.models import Application
from jfs.audit.models import AuditEvent
from jfs.cases.models import Document, Request
from jfs.citizens.models import CitizenProfile
from jfs.complaints import selectors as complaint_selectors
from jfs.complaints.models import Complaint
from jfs.consultations.models import Appointment, Question
from jfs.core.models import Notification
from jfs.decisions.models import Letter
from jfs.demo import generator, portal
from jfs.demo.users import DEMO_CITIZEN_NATIONAL_ID
from jfs.notify.models import ChannelChoice
from jfs.portal.access import ASSURANCE_KEY
from jfs.tracking import selectors as tracking_selectors
from jfs.tracking.models import Message, Survey
from jfslib import roles
from jfslib.thaidate import fiscal_year

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 20)  # a Friday of FY2570, seven weeks into the year


def _load(first: int, last: int, today: date, django_capture_on_commit_callbacks: Any) -> None:
    # the services' notices go out on commit: run them (the test's transaction never commits)
    with django_capture_on_commit_callbacks(execute=True):
        generator.generate(generator.Options(seed=3, today=today, first_year=first, last_year=last))


def _client(user: User, assurance: str = "digital_id") -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[ASSURANCE_KEY] = assurance
    session.save()
    return client


def test_the_demo_citizen_finds_her_requests_at_every_step(django_capture_on_commit_callbacks: Any) -> None:
    _load(2570, 2570, TODAY, django_capture_on_commit_callbacks)
    her = User.objects.get(username="citizen")
    mine = list(Request.objects.filter(created_by=her).order_by("received_on", "id"))
    assert [r.service for r in mine] == ["LIT", "BAIL", "HR", "CONSULT", "LIT"]
    assert {r.channel for r in mine} == {"online"}
    assert {r.office.code for r in mine} == {"50"}
    assert {r.applicant.national_id for r in mine} == {DEMO_CITIZEN_NATIONAL_ID}
    assert all(fiscal_year(r.received_on) == 2570 and r.received_on <= TODAY for r in mine)
    closed, decided, waiting, question, new = mine

    # just filed today, with her documents, and the application it came from (signed in with ThaID)
    assert new.state == "received" and new.received_on == TODAY
    assert Document.objects.filter(request=new, uploaded_by=her).exists()
    assert Application.objects.get(request=new).assurance == "digital_id"
    # the office asked for documents: clock paused, the officer's comment, a message from the officer
    assert waiting.state == "awaiting_documents" and waiting.paused_since is not None and waiting.due_on is None
    asked = waiting.transitions.get(action="request_documents")
    assert asked.actor.username == "officer.cm" and "ใบรับรองแพทย์" in asked.comment
    note = Message.objects.get(request=waiting)
    assert note.direction == "out" and note.author.username == "officer.cm" and note.read_at is None
    # decided, notified, its letter issued, the survey still open
    assert decided.state == "notified" and decided.outcome == "approved" and decided.decided_on is not None
    assert Letter.objects.filter(request=decided).count() == 1
    assert not Survey.objects.filter(request=decided).exists()
    # closed, with her survey answer
    assert closed.state == "closed" and Letter.objects.filter(request=closed).exists()
    survey = Survey.objects.get(request=closed)
    assert survey.respondent == her and survey.score == 5 and survey.fiscal_year == 2570
    # a question asked online, answered by officer.cm
    assert question.state == "advised"
    assert Question.objects.get(request=question).citizen == her
    assert question.transitions.get(action="give_advice").actor.username == "officer.cm"
    # every step in order, each dated on or before today
    for req in mine:
        ats = list(req.transitions.order_by("id").values_list("at", "on_date"))
        assert [a for a, _ in ats] == sorted(a for a, _ in ats)
        assert all(on <= TODAY for _, on in ats)

    # a draft to resume, her complaint answered by head.cm, an appointment next week
    draft = Application.objects.get(citizen=her, request__isnull=True)
    assert draft.service == "BAIL" and draft.consent_processing and draft.answers
    complaint = Complaint.objects.get(citizen=her)
    assert complaint.state == "answered" and complaint.answered_by.username == "head.cm" and complaint.answer
    appointment = Appointment.objects.get(citizen=her)
    assert TODAY + timedelta(days=3) <= appointment.day <= TODAY + timedelta(days=14)
    assert appointment.day.isocalendar()[1] == (TODAY + timedelta(days=7)).isocalendar()[1]

    # her inbox: each event that concerns her, with a link to it
    kinds = Counter(Notification.objects.filter(recipient=her).values_list("kind", flat=True))
    assert kinds == {
        "tracking_decided": 2,
        "tracking_letter": 2,
        "tracking_documents_requested": 1,
        "tracking_message": 1,
        "complaint_answered": 1,
        "consultation_answered": 1,
        "appointment_booked": 1,
    }
    # her channels: SMS to the demo number, which a one-time code also signs her in with
    choice = ChannelChoice.objects.get(user=her)
    assert choice.sms and choice.sms_number == portal.DEMO_MOBILE
    assert CitizenProfile.objects.get(user=her).code_address == f"sms:{portal.DEMO_MOBILE}"

    # hers only: she sees these and nothing else; another citizen of the demo sees none of them
    assert set(tracking_selectors.owned_by(her)) == set(mine)
    other = User.objects.filter(role=roles.CITIZEN).exclude(pk=her.pk).exclude(national_id="").first()
    assert other is not None and not tracking_selectors.owned_by(other).filter(created_by=her).exists()
    assert not Notification.objects.filter(~Q(recipient=her), link__contains=closed.number, recipient__role="citizen")
    page = _client(other).get(reverse("portal:my_request", args=[decided.number]))
    assert page.status_code == 404
    assert AuditEvent.objects.filter(
        action="portal_access_refused", actor_id=other.pk, reference=decided.number
    ).exists()

    # the pages she opens (with the digital ID or a one-time code to her number: the same account)
    client = _client(her)
    listing = client.get(reverse("portal:my_requests")).content.decode()
    assert all(r.number in listing for r in mine if r.service != "CONSULT")
    html = client.get(reverse("portal:my_request", args=[decided.number])).content.decode()
    letter = Letter.objects.get(request=decided)
    assert reverse("portal:my_request_letter", args=[decided.number, letter.pk]) in html
    assert (
        "ใบรับรองแพทย์"
        in _client(her, "one_time_code").get(reverse("portal:my_request", args=[waiting.number])).content.decode()
    )
    inbox = client.get(reverse("portal:inbox")).content.decode()
    assert decided.number in inbox and complaint.reference in inbox


#: DOMAIN.md: FY2565's requests per service, which the portal part leaves as they are
REQUESTS_2565 = {"LIT": 3178, "BAIL": 1079, "HR": 52, "PROJECT": 154, "CONSULT": 384}


def test_fy2565_has_satisfaction_and_complaint_figures_near_the_goals(
    django_capture_on_commit_callbacks: Any, login: Any
) -> None:
    _load(2564, 2565, date(2026, 11, 22), django_capture_on_commit_callbacks)
    # the pinned figures are untouched: no request added or changed into FY2564/2565
    counts = dict(Request.objects.filter(fiscal_year=2565).values_list("service").annotate(n=Count("id")))
    assert counts == REQUESTS_2565
    assert not Request.objects.filter(created_by__role=roles.CITIZEN).exists()

    # the satisfaction KPI: enough answers, a share between the two goals (demo data)
    kpi = tracking_selectors.satisfaction(2565)
    assert kpi.answers > 200 and kpi.percent is not None and 80 <= kpi.percent < 85
    assert portal.SATISFIED_SHARE[2565] * 100 == pytest.approx(kpi.percent, abs=0.2)
    # each answer is by the applicant's own portal account (the digital ID's national ID), after the decision
    for s in Survey.objects.filter(fiscal_year=2565).select_related("request__applicant", "respondent")[:300]:
        assert s.respondent.role == roles.CITIZEN
        assert s.respondent.national_id == s.request.applicant.national_id
        assert s.request.decided_on is not None and s.request.decided_on < s.at.date()
        assert tracking_selectors.owned_by(s.respondent).filter(pk=s.request_id).exists()
    html = login("head.cm").get(reverse("staff:satisfaction") + "?fy=2565").content.decode()
    assert f"{tracking_selectors.satisfaction(2565).percent}" in html and "เป้าหมาย 80%" in html

    # complaints: about 1% of the year's requests, answered, mostly within the answer time
    rows = complaint_selectors.figures(2565)
    received = sum(r.received for r in rows)
    answered = sum(r.answered for r in rows)
    on_time = sum(r.answered_on_time for r in rows)
    assert 30 <= received <= 60 and answered == received
    assert 0.75 <= on_time / answered < 1
    assert not Complaint.objects.filter(fiscal_year=2565, steps__isnull=True).exists()
    assert not Complaint.objects.filter(fiscal_year=2565).filter(~Q(citizen__role=roles.CITIZEN)).exists()
