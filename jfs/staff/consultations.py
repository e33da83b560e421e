"""Staff page for legal consultation (issue 12, item 8): the office's upcoming appointments (in
person or by video) and the questions asked online still waiting for advice, each linking to its
CONSULT request, where an officer records the advice with the workflow's "give_advice"."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from jfs.accounts.http import StaffRequest
from jfs.audit.services import record
from jfs.consultations import policy, selectors
from jfs.staff.access import staff_required


@staff_required
def consultations(request: StaffRequest) -> HttpResponse:
    pol = policy.load()
    appointments = list(selectors.office_appointments(request.user)[:200])
    questions = list(selectors.office_questions(request.user)[:100])
    if appointments:
        record(
            "view_personal_data",
            actor=request.user,
            object_type="appointment",
            purpose="consultation",
            details={"ids": [a.pk for a in appointments]},
        )
    if questions:  # the names and topics of the citizens who asked
        record(
            "view_personal_data",
            actor=request.user,
            object_type="question",
            purpose="consultation",
            details={"ids": [q.pk for q in questions]},
        )
    return render(
        request,
        "staff/consultations/list.html",
        {
            "appointments": [(a, pol.modes.get(a.mode)) for a in appointments],
            "questions": questions,
        },
    )


urlpatterns: list[URLPattern] = [
    path("consultations/", consultations, name="consultations"),
]
