"""The satisfaction KPI page: the share of the applicants' survey answers scoring 4-5 by fiscal year
(B.E.) and office, against the goals of the plans (``jfs.tracking.selectors``; aggregate figures,
no personal data). An office's staff see the fund and their office; all-office readers every office."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from jfs.accounts.http import StaffRequest
from jfs.core import clock
from jfs.staff.access import staff_required
from jfs.tracking import selectors
from jfslib import roles
from jfslib.thaidate import fiscal_year


@require_GET
@staff_required
def satisfaction(request: StaffRequest) -> HttpResponse:
    years = selectors.survey_years()
    current = fiscal_year(clock.today())
    try:
        year = int(request.GET.get("fy", "") or current)
    except ValueError:
        year = current
    offices = selectors.satisfaction_by_office(year)
    if request.user.role not in roles.ALL_OFFICES_READ:
        offices = [s for s in offices if s.office is not None and s.office.pk == request.user.office_id]
    return render(
        request,
        "staff/satisfaction.html",
        {
            "year": year,
            "years": sorted({*years, current}, reverse=True),
            "fund": selectors.satisfaction(year),
            "offices": offices,
            "kpi": selectors.definition(),
        },
    )


urlpatterns: list[URLPattern] = [path("satisfaction/", satisfaction, name="satisfaction")]
