"""The screening as the subcommittee reads it (issue 10 item 1): the conditions decide, the
considerations are shown with their evidence and never as a pass or a fail, on the case page
and in the snapshot a meeting's agenda carries (``summary_for_agenda``)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from jfs.eligibility.screening import summary_for_agenda
from jfs.exchange import models as xm


def _check(req, kind, status, facts):
    return xm.RegistryCheck.objects.create(
        request=req, kind=kind, registry=xm.KIND_REGISTRY[kind], status=status, facts=facts,
        checked_at=timezone.now(),
    )


@pytest.mark.django_db
def test_the_agenda_summary_is_json_with_conditions_and_considerations(make_request):
    from tests.conftest import DETAILS

    # well above every income line, every hardship register closed, already helped elsewhere
    req = make_request(applicant={"monthly_income": "90000"},
                       details={**DETAILS["LIT"], "household_monthly_income": "90000", "other_help_received": "yes"})
    _check(req, xm.KIND_WELFARE, xm.STATUS_VERIFIED, {"welfare_card": False})
    _check(req, xm.KIND_HOUSEHOLD, xm.STATUS_VERIFIED, {"vulnerability_level": 0})
    _check(req, xm.KIND_DISABILITY, xm.STATUS_VERIFIED, {"card_valid": False})
    summary = summary_for_agenda(req)
    assert json.loads(json.dumps(summary, ensure_ascii=False)) == summary  # plain data only
    assert summary["overall"] == "yes"  # the considerations never turn it into "no"
    assert summary["rule_version"] == "LIT-2016.1"
    assert "ผ่านเกณฑ์เบื้องต้นทุกข้อ" in summary["overall_text_th"]
    assert {c["result"] for c in summary["conditions"]} == {"yes"}
    assert {c["en"] for c in summary["conditions"]} >= {"of age, or represented by a legal representative"}
    by_id = {c["id"]: c for c in summary["considerations"]}
    hardship = by_id["hardship"]
    assert hardship["th"] == "ความเดือดร้อนทางการเงินและหลักฐาน"
    assert hardship["finding_th"].startswith("ค้านการให้ความช่วยเหลือ: รายได้ต่อเดือน 90,000 บาท เกินเกณฑ์")
    assert hardship["finding_en"].startswith("points against the request: Monthly income of 90,000 baht")
    assert by_id["other_help"]["finding"] == "against"
    assert by_id["merit"]["finding_th"].startswith("ยังไม่ได้ประเมิน")
    assert set(summary) >= {"overall", "overall_text_th", "overall_text_en", "conditions", "considerations",
                            "rule_version"}


@pytest.mark.django_db
def test_a_failed_condition_is_no_and_a_service_without_rules_is_unknown(make_request):
    from tests.conftest import DETAILS

    req = make_request(details={**DETAILS["LIT"], "party_role": "other"})
    summary = summary_for_agenda(req)
    assert summary["overall"] == "no"
    failed = [c for c in summary["conditions"] if c["result"] == "no"]
    assert [c["en"] for c in failed] == ["a party to the case (a petitioner or objector in a non-contentious case included)"]
    petitioner = summary_for_agenda(make_request(details={**DETAILS["LIT"], "party_role": "petitioner"}))
    assert petitioner["overall"] == "yes"
    project = summary_for_agenda(make_request(service="PROJECT"))
    assert project["overall"] == "unknown" and project["conditions"] == [] and project["rule_version"] == ""


@pytest.mark.django_db
def test_the_case_page_shows_conditions_then_considerations_never_as_pass_or_fail(make_request, login):
    req = make_request(applicant={"monthly_income": "90000"})
    html = login("intake.cm").get(reverse("staff:case", args=[req.pk])).content.decode()
    section = html[html.index('id="screening-panel"'):html.index('id="registry-panel"')]
    conditions = section[:section.index("ข้อพิจารณาของคณะอนุกรรมการ")]
    considerations = section[section.index("ข้อพิจารณาของคณะอนุกรรมการ"):section.index("<details")]
    assert "เงื่อนไขตามกฎหมาย" in conditions and "ผู้มีสิทธิยื่นคำขอ" not in considerations
    assert "ความเดือดร้อนทางการเงินและหลักฐาน" in considerations
    assert "รายได้ต่อเดือนอยู่ในเกณฑ์" not in conditions  # hardship is weighed, not a condition
    # a consideration reads for / against / not assessed, never pass or fail
    assert "ไม่ผ่าน" not in considerations and ">ผ่าน<" not in considerations
    assert "ยังไม่ได้ประเมิน" in considerations
    # the citations rest on news reports and summaries: named as not checked against a primary source
    assert "ยังไม่ได้ตรวจกับแหล่งต้นฉบับ" in section
