"""The service registry: one folder per service (services/<CODE>/service.yaml), checked at start-up."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.apps import apps
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from jfs.cases import service_registry, workflows
from jfs.cases.details import SCHEMAS, BailDetails, LitigationDetails
from jfs.cases.models import SERVICE_CHOICES, SERVICE_PREFIX
from jfs.exchange import models as xm
from jfs.exchange.services import KINDS_BY_SERVICE

SERVICES = Path(django_settings.BASE_DIR) / "services"
_BASIC = [xm.KIND_IDENTITY, xm.KIND_ADDRESS, xm.KIND_WELFARE, xm.KIND_HOUSEHOLD, xm.KIND_DISABILITY]


@pytest.fixture
def restore() -> Iterator[None]:
    yield
    service_registry._registry.clear()  # reloaded lazily from the (restored) real folder
    workflows._registry.clear()


def test_the_five_services_in_their_order_with_prefixes_names_and_standard() -> None:
    assert [code for code, _ in SERVICE_CHOICES] == ["LIT", "BAIL", "HR", "PROJECT", "CONSULT"]
    assert dict(SERVICE_PREFIX) == {"LIT": "JF1", "BAIL": "JF2", "HR": "JF3", "PROJECT": "JF4", "CONSULT": "LC"}
    with translation.override("th"):
        assert dict(SERVICE_CHOICES)["LIT"] == "กทย.1 ช่วยเหลือการดำเนินคดี"
    with translation.override("en"):
        assert dict(SERVICE_CHOICES)["BAIL"] == "JF2 Bail (temporary release)"
    # seed 000: the 21-working-day standard for missions 1-3; projects and consultations have their own
    applies = {code: s.standard_applies for code, s in service_registry.all_services().items()}
    assert applies == {"LIT": True, "BAIL": True, "HR": True, "PROJECT": False, "CONSULT": False}
    assert SCHEMAS["LIT"] is LitigationDetails and SCHEMAS["BAIL"] is BailDetails
    rules = {code: s.rules for code, s in service_registry.all_services().items()}
    assert rules == {"LIT": "LIT", "BAIL": "BAIL", "HR": "HR", "PROJECT": None, "CONSULT": None}
    for code, svc in service_registry.all_services().items():
        assert workflows.get(code).service == code and svc.workflow_path.is_file()


def test_registry_checks_come_from_the_service_definitions() -> None:
    assert dict(KINDS_BY_SERVICE) == {
        "LIT": [*_BASIC, xm.KIND_COURT_CASES],
        "BAIL": [*_BASIC, xm.KIND_ARRESTS, xm.KIND_COURT_CASES, xm.KIND_DETENTION, xm.KIND_PROBATION],
        "HR": [*_BASIC, xm.KIND_COURT_CASES],
        "PROJECT": [xm.KIND_IDENTITY],
        "CONSULT": [xm.KIND_IDENTITY, xm.KIND_ADDRESS, xm.KIND_WELFARE],
    }


def _copy(tmp_path: Path) -> Path:
    """The real services, with their workflow and details pointers still resolving."""
    root = tmp_path / "services"
    for code in ("LIT", "BAIL"):
        (root / code).mkdir(parents=True)
        data = yaml.safe_load((SERVICES / code / "service.yaml").read_text(encoding="utf-8"))
        data["workflow"] = str((SERVICES / code / data["workflow"]).resolve())
        (root / code / "service.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return root


def _edit(root: Path, code: str, **changes: Any) -> None:
    path = root / code / "service.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is ...:
            data.pop(key)
        else:
            data[key] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_every_problem_is_listed_and_startup_stops(tmp_path: Path, settings: Any, restore: None) -> None:
    root = _copy(tmp_path)
    _edit(root, "LIT", registry_checks=..., colour="blue")  # a missing key is an error, not "no checks"
    _edit(root, "BAIL", prefix="JF-2", standard_applies="yes", details="jfs.cases.details:NoSuchModel",
          workflow="nowhere.yaml")
    settings.JFS_SERVICES_DIR = root
    with pytest.raises(service_registry.ServiceDefinitionError) as exc:
        service_registry.load()
    text = str(exc.value)
    for expected in ("LIT/service.yaml: 'registry_checks' is missing", "unknown key 'colour'",
                     "prefix 'JF-2'", "'standard_applies' must be true or false", "NoSuchModel",
                     "workflow file nowhere.yaml not found"):
        assert expected in text, text
    with pytest.raises(ImproperlyConfigured, match="registry_checks"):
        apps.get_app_config("cases").ready()


def test_an_empty_list_of_registry_checks_is_allowed(tmp_path: Path, settings: Any, restore: None) -> None:
    root = _copy(tmp_path)
    _edit(root, "BAIL", registry_checks=[])
    settings.JFS_SERVICES_DIR = root
    service_registry.load()
    assert KINDS_BY_SERVICE["BAIL"] == [] and list(KINDS_BY_SERVICE) == ["LIT", "BAIL"]


def test_duplicate_prefixes_a_misplaced_code_and_unknown_check_kinds(
    tmp_path: Path, settings: Any, restore: None
) -> None:
    root = _copy(tmp_path)
    _edit(root, "BAIL", prefix="JF1")
    shutil.copytree(root / "BAIL", root / "HR")
    settings.JFS_SERVICES_DIR = root
    with pytest.raises(service_registry.ServiceDefinitionError) as exc:
        service_registry.load()
    assert "prefix JF1 is already LIT's" in str(exc.value)
    assert "the service BAIL belongs in the folder BAIL/" in str(exc.value)
    shutil.rmtree(root / "HR")
    _edit(root, "BAIL", prefix="JF2", registry_checks=["identity", "horoscope"])
    service_registry.load()
    with pytest.raises(ImproperlyConfigured, match="unknown check kind 'horoscope'"):
        apps.get_app_config("exchange").ready()


def test_an_empty_folder_is_an_error(tmp_path: Path, settings: Any, restore: None) -> None:
    settings.JFS_SERVICES_DIR = tmp_path
    with pytest.raises(service_registry.ServiceDefinitionError, match="no services found"):
        service_registry.load()


def test_eligibility_facts_come_from_the_details_models() -> None:
    from jfs.eligibility import rulebook
    from jfs.eligibility.facts import detail_fact_problems, detail_facts

    # the household's monthly income and help from elsewhere are asked in the details of the three
    # services with rules (optional: unanswered stays unknown); a bail request's charge is classified
    unasked = {"household_monthly_income": None, "other_help_received": None}
    # and the officer assesses the considerations the subcommittee weighs: merit, for bail the risks
    assert detail_facts("LIT", {"case_kind": "civil", "party_role": "", "other_help_received": "no",
                                "case_has_merit": "yes"}) == {
        "case_kind": "civil", "party_role": None, "household_monthly_income": None, "other_help_received": False,
        "case_has_merit": True}
    assert detail_facts("BAIL", {"authority": "court", "bail_amount": "30000", "held_at": "เรือนจำ",
                                 "household_monthly_income": "12000", "offence_category": "narcotics",
                                 "flight_risk": "no"}) == {
        "bail_authority": "court", "bail_amount": Decimal("30000.00"), "is_detained": True,
        "household_monthly_income": Decimal("12000.00"), "other_help_received": None, "offence_category": "narcotics",
        "flight_risk": False, "evidence_tampering_risk": None, "absconded_before": None}
    assert detail_facts("HR", {"violation": "", "other_help_received": "yes"}) == {
        "hr_violation_claimed": None, **unasked, "other_help_received": True, "case_has_merit": None}
    assert detail_facts("CONSULT", {"topic": "มรดก"}) == {}
    book = rulebook.get()
    assert detail_fact_problems(book.vocabulary) == [] and rulebook.rule_folder_problems(book) == []


def test_a_rule_folder_without_a_service_and_a_service_without_criteria(
    tmp_path: Path, settings: Any, restore: None
) -> None:
    from jfs.eligibility import rulebook

    root = _copy(tmp_path)
    _edit(root, "BAIL", rules="NOPE")
    settings.JFS_SERVICES_DIR = root
    service_registry.load()
    problems = rulebook.rule_folder_problems(rulebook.get())
    assert "BAIL/service.yaml: rules: NOPE, but the rule book has no criteria for NOPE" in problems
    assert any(p.startswith("rules/HR/: no service names this folder") for p in problems)
    with pytest.raises(ImproperlyConfigured, match="no criteria for NOPE"):
        apps.get_app_config("eligibility").ready()
