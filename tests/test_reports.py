"""Aggregate figures (``jfs.cases.reports``): the dashboard page, its CSV export and
``GET /api/v1/reports/dashboard`` give the same rows, and those rows are the figures the dashboard
showed before the module existed (its computation is kept below as ``old_dashboard``), including
the fund's own FY2565 figures on the demo data of ``tests/test_demo_data.py``."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Avg, Count, Q
from django.test import Client
from django.urls import reverse

from jfs.accounts.models import User
from jfs.audit.models import AuditEvent
from jfs.cases import reports, selectors, service_registry, services
from jfs.decisions import selectors as decision_selectors
from jfs.demo import generator
from jfs.staff.views import DASHBOARD_CSV_COLUMNS
from tests.test_demo_data import ON_TIME_2565, OUTCOMES, REFERRED, REQUESTS, TODAY

pytestmark = pytest.mark.django_db

API = "/api/v1/reports/dashboard"


def old_dashboard(user: User, fy: int, office_code: str, today: date) -> dict[str, Any]:
    """The staff dashboard's figures as ``jfs.staff.views.dashboard`` computed them before
    ``jfs.cases.reports`` (commit 94973ab), query for query."""
    qs = selectors.visible_requests(user)
    if office_code:
        qs = qs.filter(office__code=office_code)
    year = qs.filter(fiscal_year=fy)
    # since referrals are decisions with the outcome "referred" (issue 10), "decided" is the four outcomes
    decided = Q(outcome__in=reports.OUTCOMES) & Q(working_days_taken__isnull=False)
    per_service = [
        {
            "service": row["service"], "total": row["total"], "open": row["open"], "finished": row["finished"],
            "on_time": row["on_time"],
            "on_time_pct": (Decimal(10000 * row["on_time"] // row["finished"]) / 100) if row["finished"] else None,
            "mean_days": round(row["mean_days"], 2) if row["mean_days"] is not None else None,
        }
        for row in year.values("service").annotate(
            total=Count("id"),
            open=Count("id", filter=~Q(state__in=selectors.OPEN_EXCLUDE)),
            finished=Count("id", filter=decided),
            on_time=Count("id", filter=decided & Q(on_time=True)),
            mean_days=Avg("working_days_taken", filter=decided),
        ).order_by("service")
    ]
    for row in per_service:  # since standard_applies is used: no on-time rate or mean without the standard
        if not service_registry.get(row["service"]).standard_applies:
            row["on_time_pct"] = row["mean_days"] = None
    outcomes = {r["outcome"]: r["n"] for r in year.filter(outcome__in=reports.OUTCOMES).values("outcome").annotate(n=Count("id"))}
    return {"per_service": per_service, "outcomes": outcomes, "total": year.count(),
            "overdue_count": selectors.overdue(qs, today).count(), "open_count": selectors.open_requests(qs).count()}


def assert_same_as_old(figures: reports.Dashboard, old: dict[str, Any]) -> None:
    assert figures.total == old["total"]
    assert figures.open_count == old["open_count"] and figures.overdue_count == old["overdue_count"]
    assert {k: v for k, v in figures.outcomes.items() if v} == old["outcomes"]
    assert len(figures.per_service) == len(old["per_service"])
    for new, before in zip(figures.per_service, old["per_service"], strict=True):
        assert (new.service, new.total, new.open, new.finished, new.on_time, new.on_time_pct) == (
            before["service"], before["total"], before["open"], before["finished"], before["on_time"],
            before["on_time_pct"]), new.service
        # SQLite's AVG is a float, PostgreSQL's a numeric: compared as the page printed them
        assert str(new.mean_days) == str(before["mean_days"]) or (
            before["mean_days"] is not None and new.mean_days == Decimal(str(before["mean_days"]))), new.service


def api_figures(client: Client, **params: Any) -> dict[str, Any]:
    resp = client.get(API, params)
    assert resp.status_code == 200, resp.content
    return resp.json()


def csv_rows(resp: Any) -> list[dict[str, str]]:
    text = resp.content.decode("utf-8")
    assert text.startswith("\ufeff")  # spreadsheet programs read the Thai names as UTF-8
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_rates_are_the_funds() -> None:
    assert reports.on_time_rate(2754, 2922) == Decimal("94.25")  # 94.2505…: truncated, not rounded
    assert reports.on_time_rate(2, 3) == Decimal("66.66")
    assert reports.on_time_rate(0, 0) is None
    assert reports.mean_days(40674, 2922) == Decimal("13.92")
    assert reports.mean_days(0, 0) is None


def test_fy2565_demo_figures_are_the_funds_and_the_old_dashboards(users: Any, login: Any, api_client: Any) -> None:
    generator.generate(generator.Options(seed=7, today=TODAY, first_year=2565, last_year=2565))
    executive = users["executive"]
    figures = reports.dashboard(executive, fiscal_year=2565, today=TODAY)
    assert_same_as_old(figures, old_dashboard(executive, 2565, "", TODAY))
    assert_same_as_old(reports.dashboard(executive, fiscal_year=2565, office="50", today=TODAY),
                       old_dashboard(executive, 2565, "50", TODAY))
    # DOMAIN.md's figures
    assert {r.service: r.total for r in figures.per_service} == REQUESTS[2565]
    # the dashboard counts the requests received in the year by their outcome (some decided in FY2566);
    # the outcome table counts the decisions taken in the year: DOMAIN.md's, FY2564 generated or not
    received = generator.figures_for(2565).values()
    assert figures.outcomes == {o: sum(f.outcomes.get(o, 0) for f in received) for o in reports.OUTCOMES}
    assert decision_selectors.outcome_shares(2565).counts == {**OUTCOMES[2565], "referred": REFERRED[2565]}
    by_service = {r.service: r for r in figures.per_service}
    for service, (pct, mean) in ON_TIME_2565.items():
        assert (by_service[service].on_time_pct, by_service[service].mean_days) == (pct, mean), service

    # the API gives the same rows
    out = api_figures(api_client("executive", scope="read"), fiscal_year=2565)
    assert (out["fiscal_year"], out["office"], out["total"]) == (2565, "", figures.total)
    assert out["outcomes"] == figures.outcomes
    assert [(s["service"], s["total"], s["open"], s["finished"], s["on_time"], s["on_time_pct"], s["mean_days"],
             s["approved"], s["rejected"]) for s in out["services"]] == [
        (r.service, r.total, r.open, r.finished, r.on_time, None if r.on_time_pct is None else float(r.on_time_pct),
         None if r.mean_days is None else float(r.mean_days), r.approved, r.rejected) for r in figures.per_service]

    # so do the page and its CSV export
    client = login("executive")
    html = client.get(reverse("staff:dashboard"), {"fiscal_year": "2565"}).content.decode()
    for pct, mean in ON_TIME_2565.values():
        assert f">{pct}<" in html and f">{mean}<" in html
    assert reverse("staff:dashboard_export") + "?fiscal_year=2565" in html
    rows = csv_rows(client.get(reverse("staff:dashboard_export"), {"fiscal_year": "2565"}))
    assert [(r["service"], int(r["requests"]), int(r["finished"]), r["on_time_pct"], r["mean_working_days"])
            for r in rows] == [(f.service, f.total, f.finished, "" if f.on_time_pct is None else str(f.on_time_pct),
                                "" if f.mean_days is None else str(f.mean_days)) for f in figures.per_service]
    assert sum(int(r["approved"]) for r in rows) == figures.outcomes["approved"]


def test_figures_count_what_the_user_may_see_now(make_request: Any, users: Any, act: Any) -> None:
    today = services.today()
    late = make_request(received_on=today - timedelta(days=60))  # past its step's due date
    make_request()
    make_request(office="40")
    withdrawn = make_request()
    act(withdrawn, "officer.cm", "withdraw", comment="ผู้ขอถอนคำขอ")
    fy = late.fiscal_year if late.fiscal_year == withdrawn.fiscal_year else withdrawn.fiscal_year
    for username, office in (("officer.cm", ""), ("officer.kk", ""), ("officer.kk", "50"), ("executive", ""),
                             ("executive", "40"), ("executive", "\x00")):
        user = users[username]
        figures = reports.dashboard(user, fiscal_year=fy, office=office, today=today)
        assert_same_as_old(figures, old_dashboard(user, fy, office.replace("\x00", ""), today))
    cm = reports.dashboard(users["officer.cm"], today=today)
    assert cm.open_count == 2 and cm.overdue_count == 1
    assert reports.dashboard(users["officer.kk"], office="50", today=today).open_count == 0
    assert reports.dashboard(users["executive"], today=today).open_count == 3


def test_the_api_takes_the_pages_filters_and_documents_its_answers(make_request: Any, api_client: Any) -> None:
    req = make_request()
    make_request(office="40")
    client = api_client("officer.cm", scope="read")
    out = api_figures(client)
    assert out["fiscal_year"] == req.fiscal_year and out["total"] == 1 and out["open"] == 1
    assert [s["service"] for s in out["services"]] == ["LIT"]
    assert out["services"][0]["name_en"] and out["services"][0]["name_th"]
    assert api_figures(client, office="40")["total"] == 0  # another office: nothing, not an error
    assert api_figures(api_client("executive", scope="read"), office="40")["total"] == 1
    for params in ({"fiscal_year": "25x5"}, {"fiscal_year": "99999"}, {"year": "2565"}, {"office": "12345"}):
        resp = client.get(API, params)
        assert resp.status_code == 422, params
        assert resp.json()["code"] == "invalid_input" and resp.json()["errors"], params
    assert Client().get(API).status_code == 401

    op = Client().get("/api/v1/openapi.json").json()["paths"][API]["get"]
    assert {"200", "401", "404", "422", "500"} <= set(op["responses"])
    assert op["responses"]["422"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
    assert op["tags"] == ["reports"]


def test_the_csv_export_is_the_pages_rows_and_is_audited(make_request: Any, login: Any) -> None:
    req = make_request()
    make_request(office="40")
    assert Client().get(reverse("staff:dashboard_export")).status_code == 302  # signed in staff only
    client = login("officer.cm")
    resp = client.get(reverse("staff:dashboard_export"), {"fiscal_year": str(req.fiscal_year), "office": "50"})
    assert resp.status_code == 200 and resp["Content-Type"] == "text/csv; charset=utf-8"
    assert resp["Content-Disposition"] == f'attachment; filename="jfs-dashboard-{req.fiscal_year}-50.csv"'
    [row] = csv_rows(resp)
    assert tuple(row) == DASHBOARD_CSV_COLUMNS
    assert (row["fiscal_year"], row["office"], row["service"], row["requests"], row["open"]) == (
        str(req.fiscal_year), "50", "LIT", "1", "1")
    assert row["service_name"] and row["on_time_pct"] == "" and row["mean_working_days"] == ""
    event = AuditEvent.objects.get(action="report_export")
    assert event.actor_username == "officer.cm" and event.object_id == "dashboard"
    assert event.details == {"fiscal_year": req.fiscal_year, "office": "50", "rows": 1}
    odd = client.get(reverse("staff:dashboard_export"), {"office": '5"\r\n0'})
    assert odd.status_code == 200 and odd["Content-Disposition"].endswith('-50.csv"')
