"""The case page's screening panel and Once-Only: registry-confirmed facts feed the rules
and count as documents on file."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from jfs.cases.errors import TransitionNotAllowed
from jfs.eligibility.screening import registry_facts, screen_request
from jfs.exchange import models as xm


def _check(req, kind, status, facts):
    return xm.RegistryCheck.objects.create(
        request=req, kind=kind, registry=xm.KIND_REGISTRY[kind], status=status, facts=facts,
        checked_at=timezone.now(),
    )


@pytest.mark.django_db
def test_registry_answers_become_rule_facts(make_request):
    req = make_request(service="BAIL")
    _check(req, xm.KIND_WELFARE, xm.STATUS_VERIFIED, {"welfare_card": True, "income_band": "<=30000"})
    _check(req, xm.KIND_HOUSEHOLD, xm.STATUS_NOT_FOUND, {})
    _check(req, xm.KIND_DISABILITY, xm.STATUS_VERIFIED, {"card_valid": False})
    _check(req, xm.KIND_DETENTION, xm.STATUS_VERIFIED, {"detained_now": True})
    # a household the MSO logbook has no record of is not level 0: its level stays unknown
    assert registry_facts(req) == {"has_welfare_card": True, "has_disability_card": False, "is_detained": True}


@pytest.mark.django_db
def test_a_pending_check_leaves_the_fact_unknown(make_request):
    req = make_request()
    _check(req, xm.KIND_WELFARE, xm.STATUS_PENDING, {})
    assert "has_welfare_card" not in registry_facts(req)


@pytest.mark.django_db
def test_welfare_card_confirmed_by_registry_changes_the_hardship_criteria(make_request):
    req = make_request(applicant={"monthly_income": 90000})
    before = {c.id: c.outcome.value for c in screen_request(req).criteria}
    _check(req, xm.KIND_WELFARE, xm.STATUS_VERIFIED, {"welfare_card": True})
    after = {c.id: c.outcome.value for c in screen_request(req).criteria}
    changed = {k for k in after if before.get(k) != after[k]}
    assert changed, "a confirmed welfare card must change at least one criterion"
    assert all(before[k] == "UNKNOWN" and after[k] == "YES" for k in changed)


@pytest.mark.django_db
def test_screening_uses_the_rule_version_in_force_on_the_day_received(make_request):
    req = make_request(received_on=date(2026, 11, 2))
    ev = screen_request(req)
    assert ev is not None and ev.effective_from <= req.received_on
    assert ev.evaluated_on == req.received_on


@pytest.mark.django_db
def test_services_without_rules_have_no_screening(make_request):
    assert screen_request(make_request(service="CONSULT")) is None


@pytest.mark.django_db
def test_case_page_shows_each_criterion_with_its_clause_and_the_registry_facts(make_request, login):
    req = make_request()
    _check(req, xm.KIND_WELFARE, xm.STATUS_VERIFIED, {"welfare_card": True})
    html = login("intake.cm").get(reverse("staff:case", args=[req.pk])).content.decode()
    ev = screen_request(req)
    assert "การคัดกรองคุณสมบัติตามหลักเกณฑ์" in html
    for c in ev.criteria:
        assert c.th in html
        for cit in c.citations:
            assert cit.law in html
    # each threshold is named with its value, since when and its source
    income = ev.criterion("income_within_limit").parameters[0]
    assert income.name == "monthly_income_limit" and income.describe_th in html
    assert "เกณฑ์รายได้ต่อเดือนของผู้ขอ (monthly_income_limit) = 15,000 บาท ใช้ตั้งแต่" in html
    assert "ข้อมูลที่ตรวจสอบกับทะเบียนราชการ" in html
    assert "บัตรสวัสดิการแห่งรัฐและช่วงรายได้" in html


@pytest.mark.django_db
def test_documents_confirmed_by_a_registry_need_no_upload(make_request, act, attach):
    req = make_request()
    act(req, "intake.cm", "start_screening")
    with pytest.raises(TransitionNotAllowed):
        act(req, "intake.cm", "accept")
    _check(req, xm.KIND_IDENTITY, xm.STATUS_VERIFIED, {"identity_verified": True})
    _check(req, xm.KIND_ADDRESS, xm.STATUS_VERIFIED, {"province_code": "50"})
    _check(req, xm.KIND_WELFARE, xm.STATUS_VERIFIED, {"welfare_card": True})
    attach(req, "intake.cm", "case_documents")
    assert act(req, "intake.cm", "accept").state == "fact_finding"


@pytest.mark.django_db
def test_asking_the_registries_again_queues_pending_checks(make_request, login):
    req = make_request()
    resp = login("intake.cm").post(reverse("staff:registry_checks", args=[req.pk]))
    assert resp.status_code == 302
    assert set(req.registry_checks.values_list("kind", flat=True)) >= {xm.KIND_IDENTITY, xm.KIND_WELFARE}


@pytest.mark.django_db
def test_read_only_roles_cannot_queue_registry_checks(make_request, login):
    req = make_request()
    resp = login("executive").post(reverse("staff:registry_checks", args=[req.pk]))
    assert resp.status_code == 403
    assert not req.registry_checks.exists()
