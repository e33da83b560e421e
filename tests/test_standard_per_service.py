"""The 21-working-day standard holds only services whose ``service.yaml`` says ``standard_applies``
(missions 1–3: LIT, BAIL, HR). Project grants and consultations have their own timelines, which the
system does not know: no whole-request due date, no on-time verdict, no on-time rate or mean on the
dashboard; the working days are still counted and each step keeps its own allowance."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from jfs.cases import reports, selectors, service_registry
from jfs.cases.calendar import calendar_for
from jfslib.sla import Colour
from jfslib.thaidate import fiscal_year
from tests.test_working_days import _to_notified

pytestmark = pytest.mark.django_db

RECEIVED = date(2026, 9, 1)  # Tuesday
NO_STANDARD = "ไม่ใช้มาตรฐาน 21 วันทำการ (บริการนี้มีกรอบเวลาของตนเอง)"


def _finish(req: Any, act: Any, attach: Any) -> Any:
    cal = calendar_for(req.office_id)
    day = cal.add_working_days(RECEIVED, 3)
    req = _to_notified(req, act, attach, day)
    return act(req, "intake.cm", "notify_applicant", on=day)


def test_the_services_say_where_the_standard_applies() -> None:
    applies = {code: s.standard_applies for code, s in service_registry.all_services().items()}
    assert {c for c, a in applies.items() if a} >= {"LIT", "BAIL", "HR"}
    assert applies["PROJECT"] is False and applies["CONSULT"] is False


def test_a_project_grant_has_step_due_dates_but_no_21_day_due_date_or_verdict(
    make_request: Any, act: Any, attach: Any
) -> None:
    req = make_request(service="PROJECT", received_on=RECEIVED)
    cal = calendar_for(req.office_id)
    assert req.standard_applies is False
    assert req.due_on is None
    assert req.step_due_on == cal.add_working_days(RECEIVED, req.workflow.states[req.state].sla_days)
    sla = selectors.SlaReader(RECEIVED).read(req)
    assert sla.overall == sla.step and sla.days_left is None

    req = _finish(req, act, attach)
    assert req.clock_stopped_on is not None
    assert req.working_days_taken == 3
    assert req.due_on is None and req.on_time is None
    assert any(t.step_due_on for t in req.transitions.all())


def test_a_litigation_request_is_held_to_the_standard_as_before(make_request: Any, act: Any, attach: Any) -> None:
    req = make_request(received_on=RECEIVED)
    cal = calendar_for(req.office_id)
    assert req.standard_applies is True
    assert req.due_on == cal.add_working_days(RECEIVED, 21)
    sla = selectors.SlaReader(RECEIVED).read(req)
    assert sla.overall is Colour.GREEN and sla.days_left == 21
    req = _finish(req, act, attach)
    assert req.working_days_taken == 3 and req.on_time is True
    assert req.due_on == cal.add_working_days(RECEIVED, 21)


def test_the_dashboard_s_on_time_rate_leaves_out_services_without_the_standard(
    make_request: Any, act: Any, attach: Any, users: Any, login: Any
) -> None:
    _finish(make_request(received_on=RECEIVED), act, attach)
    _finish(make_request(service="PROJECT", received_on=RECEIVED), act, attach)
    fy = fiscal_year(RECEIVED)
    figures = {r.service: r for r in reports.dashboard(users["head.cm"], fiscal_year=fy).per_service}
    assert figures["LIT"].on_time_pct is not None and figures["LIT"].mean_days is not None
    project = figures["PROJECT"]
    assert project.finished == 1 and project.standard_applies is False
    assert project.on_time_pct is None and project.mean_days is None

    html = login("head.cm").get(reverse("staff:dashboard"), {"fiscal_year": str(fy)}).content.decode()
    assert NO_STANDARD in html


def test_the_migration_clears_the_21_day_dates_stored_before_the_flag_was_honoured(make_request: Any) -> None:
    import importlib

    from django.apps import apps

    from jfs.cases.models import Request

    project, lit = make_request(service="PROJECT"), make_request(service="LIT")
    Request.objects.filter(pk=project.pk).update(due_on=date(2027, 1, 8), on_time=False)
    lit_due = Request.objects.get(pk=lit.pk).due_on
    importlib.import_module("jfs.cases.migrations.0011_no_standard_dates").clear(apps, None)
    project.refresh_from_db()
    lit.refresh_from_db()
    assert project.due_on is None and project.on_time is None and project.step_due_on is not None
    assert lit.due_on == lit_due and lit_due is not None
