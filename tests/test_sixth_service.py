"""A sixth service, declared in a folder of its own, works end to end without touching other code.

The folder holds the three files a new service takes (docs/services.md): service.yaml,
workflow.yaml and details.py. The registry is pointed at a temporary copy of services/ with
the new folder added; the request goes through intake (service layer, API, staff page) and
its workflow to a decision.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from jfs.cases import service_registry, services, workflows
from jfs.cases.models import SERVICE_CHOICES, SERVICE_PREFIX, Request
from jfs.exchange.services import KINDS_BY_SERVICE
from jfs.staff.forms import DETAIL_FORMS
from tests.conftest import CHIANG_MAI, applicant_input

SERVICE_YAML = """\
code: MEDIATE
order: 6
th: ขอรับความช่วยเหลือในการไกล่เกลี่ยข้อพิพาท
en: Mediation aid
label: {th: ไกล่เกลี่ยข้อพิพาท, en: Mediation}
prefix: MD
standard_applies: false
registry_checks: []
rules: null
workflow: workflow.yaml
details: details.py:MediationDetails
"""

WORKFLOW_YAML = """\
service: MEDIATE
th: ขอรับความช่วยเหลือในการไกล่เกลี่ยข้อพิพาท
en: Mediation aid
standard_days: 21
initial: received
states:
  received: {th: รับคำขอ, en: Received, sla_days: 5, stage: 1}
  decided: {th: มีผลการพิจารณา, en: Decided, sla_days: 5, stage: 2}
  closed: {th: ปิดเรื่อง, en: Closed, clock: stopped, terminal: true, stage: 3}
documents:
  agreement: {th: บันทึกข้อตกลง, en: Settlement agreement}
actions:
  decide:
    th: พิจารณาคำขอ
    en: Decide
    from: [received]
    to: decided
    roles: [office_head]
    sets_outcome: true
    fields_required: [reason_code]
    comment_required: true
  close:
    th: ปิดเรื่อง
    en: Close
    from: [decided]
    to: closed
    roles: [intake_officer, case_officer, office_head]
"""

DETAILS_PY = '''\
from decimal import Decimal
from typing import Literal

from pydantic import Field

from jfs.cases.details import ServiceDetails


class MediationDetails(ServiceDetails):
    dispute: str = Field(min_length=2, max_length=1000, title="เรื่องพิพาท", json_schema_extra={"en": "Dispute"})
    other_party: str = Field(min_length=2, max_length=200, title="คู่กรณี", json_schema_extra={"en": "Other party"})
    kind: Literal["family", "debt"] = Field(title="ประเภทข้อพิพาท", json_schema_extra={
        "en": "Kind of dispute", "choices": {"family": ["ครอบครัว", "Family"], "debt": ["หนี้สิน", "Debt"]}})
    sessions: int = Field(default=1, ge=1, le=20, title="จำนวนครั้งที่นัด", json_schema_extra={"en": "Sessions"})
    costs: Decimal = Field(default=Decimal(0), ge=0, max_digits=12, decimal_places=2,
                           title="ค่าใช้จ่าย (บาท)", json_schema_extra={"en": "Costs (baht)"})

    def amount(self) -> Decimal:
        return self.costs
'''

DETAILS = {"dispute": "ข้อพิพาทเรื่องหนี้ค่าเช่า", "other_party": "นายเจ้าของ บ้านเช่า", "kind": "debt",
           "sessions": 2, "costs": "1500"}


@pytest.fixture
def sixth_service(tmp_path: Path, settings: Any) -> Iterator[Path]:
    """services/ copied (workflow paths kept pointing at workflows/) with services/MEDIATE/ added."""
    real = Path(django_settings.BASE_DIR) / "services"
    root = tmp_path / "services"
    for path in sorted(real.glob("*/service.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["workflow"] = str((path.parent / data["workflow"]).resolve())
        (root / path.parent.name).mkdir(parents=True)
        (root / path.parent.name / "service.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    folder = root / "MEDIATE"
    folder.mkdir()
    (folder / "service.yaml").write_text(SERVICE_YAML, encoding="utf-8")
    (folder / "workflow.yaml").write_text(WORKFLOW_YAML, encoding="utf-8")
    (folder / "details.py").write_text(DETAILS_PY, encoding="utf-8")
    settings.JFS_SERVICES_DIR = root
    service_registry.load()
    workflows.load()
    yield folder
    service_registry._registry.clear()  # reloaded lazily from the real services/
    workflows._registry.clear()


def test_the_sixth_service_is_registered_everywhere(sixth_service: Path) -> None:
    assert [code for code, _ in SERVICE_CHOICES][-1] == "MEDIATE"
    assert SERVICE_PREFIX["MEDIATE"] == "MD" and KINDS_BY_SERVICE["MEDIATE"] == []
    assert workflows.get("MEDIATE").actions["decide"].sets_outcome
    fields = DETAIL_FORMS["MEDIATE"].base_fields
    assert list(fields) == ["dispute", "other_party", "kind", "sessions", "costs"]
    with translation.override("en"):
        assert str(fields["other_party"].label) == "Other party"
        assert dict(fields["kind"].choices)["debt"] == "Debt"  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_a_sixth_service_request_from_intake_to_decision(
    sixth_service: Path, users: dict[str, Any], offices: dict[str, Any], act: Callable[..., Request],
    api_client: Callable[..., Client], login: Callable[[str], Client],
) -> None:
    # intake through the service layer
    req = services.create_request(actor=users["intake.cm"], service="MEDIATE", office=offices[CHIANG_MAI],
                                  applicant=applicant_input(CHIANG_MAI), details=DETAILS)
    assert req.number.startswith(f"MD-{CHIANG_MAI}-") and req.state == "received"
    assert req.amount_requested == 1500 and req.details["kind"] == "debt"
    # a decision, then closed
    req = act(req, "head.cm", "decide", outcome="approved", reason_code="A01")
    assert (req.state, req.outcome) == ("decided", "approved")
    req = act(req, "head.cm", "close")
    assert req.state == "closed"

    # intake and decision through the API; the reference data describe the new service
    client = api_client("intake.cm")
    ref = {s["code"]: s for s in client.get("/api/v1/reference/services").json()}
    assert ref["MEDIATE"]["prefix"] == "MD" and "other_party" in ref["MEDIATE"]["details_schema"]["properties"]
    applicant = {"national_id": applicant_input(CHIANG_MAI).national_id, "first_name": "สมหญิง", "last_name": "ไกล่เกลี่ย",
                 "birth_date": "1985-05-05", "sex": "F", "province_code": "50", "district_code": "5001",
                 "subdistrict_code": "500102", "monthly_income": 4000, "household_size": 3}
    body = {"service": "MEDIATE", "office": CHIANG_MAI, "applicant": applicant, "details": DETAILS}
    resp = client.post("/api/v1/requests", json.dumps(body), content_type="application/json")
    assert resp.status_code == 201, resp.content
    created = resp.json()
    assert created["number"].startswith("MD-")
    bad = client.post("/api/v1/requests", json.dumps({**body, "details": {**DETAILS, "kind": "war"}}),
                      content_type="application/json")
    assert bad.status_code == 422 and any(e["field"] == "details.kind" for e in bad.json()["errors"])
    head = api_client("head.cm")
    resp = head.post(f"/api/v1/requests/{created['id']}/transitions", json.dumps(
        {"action": "decide", "version": created["version"], "comment": "ตกลงกันได้", "outcome": "approved",
         "reason_code": "A01"}), content_type="application/json")
    assert resp.status_code == 200, resp.content
    assert (resp.json()["state"], Request.objects.get(pk=created["id"]).outcome) == ("decided", "approved")

    # the staff page's form for the new service, generated from its details model
    staff = login("intake.cm")
    page = staff.get("/staff/requests/new/?service=MEDIATE")
    assert page.status_code == 200
    assert "คู่กรณี" in page.content.decode()
    case = staff.get(reverse("staff:case", args=[req.pk]))
    assert case.status_code == 200 and "ข้อพิพาทเรื่องหนี้ค่าเช่า" in case.content.decode()
