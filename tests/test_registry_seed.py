"""The registry seed: JFS writes it (``manage.py export_registry_seed``), the registry simulator
builds its registries from it, and the simulator reads nothing of JFS's database."""

from __future__ import annotations

import ast
import json
import logging
import re
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import fields
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from jfs.audit.models import AuditEvent
from jfs.cases.models import Person, Request
from jfs.demo import registry_seed
from registry_sim import build as sim_build
from registry_sim import seed as sim_seed
from tests.exchange_support import ROOT

#: national IDs that seed 3 mirrors unchanged ("same": no deliberate difference, not moved)
APPLICANT, LITIGANT = "3509900000021", "3509900000030"
DETAINEE = "3509900000048"
BAIL = {
    "detainee_name": "นายสมพิศ ธัญาโภชน์", "detainee_national_id": DETAINEE, "charge": "ฉ้อโกง",
    "held_at": "เรือนจำกลางเชียงใหม่", "authority": "court", "authority_name": "ศาลจังหวัดเชียงใหม่",
    "bail_amount": "50000",
}
LIT = {"case_kind": "civil", "court": "ศาลจังหวัดเชียงใหม่", "case_number": "พ.77/2569", "party_role": "plaintiff",
       "costs": {"lawyer": "15000"}}
TODAY = "2026-03-01"


@pytest.fixture
def applicants(make_request: Callable[..., Request]) -> list[Request]:
    return [
        make_request(service="BAIL", received_on=date(2026, 1, 5), details=BAIL,
                     applicant={"national_id": APPLICANT, "first_name": "บุญมา", "last_name": "ใจเย็น",
                                "monthly_income": "2500.50", "household_size": 5}),
        make_request(service="LIT", received_on=date(2026, 1, 6), details=LIT,
                     applicant={"national_id": LITIGANT, "title": "นาง", "first_name": "สายใจ", "last_name": "ศรีงาม",
                                "sex": "F", "birth_date": date(1975, 12, 31)}),
        make_request(service="CONSULT", received_on=date(2026, 1, 7)),  # not a justice registry's business
    ]


def _export(path: Path) -> str:
    out = StringIO()
    call_command("export_registry_seed", "--out", str(path), stdout=out)
    return out.getvalue()


def _as_jfs_holds_them() -> tuple[list[sim_seed.SeedPerson], list[sim_seed.SeedRequest]]:
    """What the builder was given when it read JFS's tables itself (the removed path): every person,
    every request with all its details."""
    people = [
        sim_seed.SeedPerson(
            national_id=p.national_id, title=p.title, first_name=p.first_name, last_name=p.last_name,
            birth_date=p.birth_date, sex=p.sex, house_no=p.house_no, province_code=p.province_code,
            district_code=p.district_code, subdistrict_code=p.subdistrict_code,
            monthly_income=float(p.monthly_income), household_size=p.household_size,
        )
        for p in Person.objects.order_by("pk")
    ]
    requests = [
        sim_seed.SeedRequest(r.applicant.national_id, r.service, r.received_on, r.details, r.number)
        for r in Request.objects.select_related("applicant").order_by("pk")
    ]
    return people, requests


def _dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


@pytest.fixture
def simulator_on() -> Iterator[Callable[[Path], httpx.Client]]:
    """Start ``python -m registry_sim`` on a data file; a client with a GDX token."""
    procs: list[subprocess.Popen[str]] = []

    def start(data: Path) -> httpx.Client:
        proc = subprocess.Popen([sys.executable, "-m", "registry_sim", "--port", "0", "--data", str(data)],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        procs.append(proc)
        line = proc.stdout.readline() if proc.stdout else ""
        assert "listening on" in line
        http = httpx.Client(base_url=line.split("listening on ", 1)[1].split()[0], timeout=5)
        token = http.get("/ws/auth/validate", params={"ConsumerSecret": "jfs-local-consumer-secret", "AgentID": "JFS"},
                         headers={"Consumer-Key": "jfs-local-consumer-key"}).json()["Result"]
        http.headers.update({"Consumer-Key": "jfs-local-consumer-key", "Token": token})
        return http

    yield start
    for proc in procs:
        proc.kill()
        proc.wait(timeout=5)


def test_the_export_round_trips_to_the_same_registries_and_answers(
    applicants: list[Request], tmp_path: Path, caplog: pytest.LogCaptureFixture,
    simulator_on: Callable[[Path], httpx.Client],
) -> None:
    seed = tmp_path / "registry_seed.jsonl"
    with caplog.at_level(logging.DEBUG):
        said = _export(seed)

    # the file: the header, only what the simulator needs, the end record; readable by its owner only
    assert stat.S_IMODE(seed.stat().st_mode) == 0o600
    lines = [json.loads(line) for line in seed.read_text(encoding="utf-8").splitlines()]
    assert {k: lines[0][k] for k in ("format", "version")} == {"format": "jfs-registry-seed", "version": 1}
    people = {r["national_id"]: r for r in lines if r.get("type") == "person"}
    requests = [r for r in lines if r.get("type") == "request"]
    assert lines[-1] == {"type": "end", "people": 3, "requests": 2}
    assert people[APPLICANT] == {
        "type": "person", "national_id": APPLICANT, "title": "นาย", "first_name": "บุญมา", "last_name": "ใจเย็น",
        "birth_date": "1980-05-17", "sex": "M", "house_no": "12 หมู่ 3", "province_code": "50",
        "district_code": "5001", "subdistrict_code": "500101", "monthly_income": 2500.5, "household_size": 5,
    }
    assert [(r["service"], r["national_id"]) for r in requests] == [("BAIL", APPLICANT), ("LIT", LITIGANT)]
    assert requests[0]["details"] == {k: v for k, v in BAIL.items() if k != "bail_amount"}
    assert requests[1]["details"] == {k: v for k, v in LIT.items() if k != "costs"}
    assert "phone" not in people[APPLICANT] and "0812345678" not in seed.read_text(encoding="utf-8")

    # what the command says and logs names no one; the audit log records the export, counts only
    assert said.startswith(f"registry seed written to {seed}: 3 people, 2 requests")
    told = said + caplog.text
    assert not any(value in told for value in (APPLICANT, LITIGANT, DETAINEE, "บุญมา", "ใจเย็น", "สายใจ"))
    event = AuditEvent.objects.get(action="personal_data_export")
    assert event.details == {"format": "jfs-registry-seed", "version": 1, "people": 3, "requests": 2}

    # built from the file, the registries are exactly those built from JFS's own rows
    built, expected = tmp_path / "from_export.sqlite3", tmp_path / "from_rows.sqlite3"
    args = ["--seed", "3", "--population", "30", "--today", TODAY]
    assert sim_build.main([*args, "--out", str(built), "--from-export", str(seed)]) == 0
    rows_people, rows_requests = _as_jfs_holds_them()
    sim_build.build_registry(expected, 3, rows_people, rows_requests, 30, today=date.fromisoformat(TODAY),
                             source="jfs")
    assert _dump(built) == _dump(expected)

    # and the simulator answers for an exported person, in the GDX wire format, what JFS holds
    with sqlite3.connect(built) as conn:
        variants = dict(conn.execute("SELECT citizen_id, variant FROM jfs_link"))
    assert len(variants) == 3 and variants[APPLICANT] == variants[LITIGANT] == "same"
    http = simulator_on(built)
    link = {"OfficeID": "00023", "Version": "01", "CitizenID": LITIGANT}
    profile = http.get("/ws/dopa/linkage/v1/link", params={**link, "ServiceID": "001"})
    assert profile.status_code == 200 and profile.json() == {"Result": {
        "CitizenID": LITIGANT, "TitleName": "นาง", "FirstName": "สายใจ", "LastName": "ศรีงาม",
        "BEBirthDate": "25181231", "Sex": "F"}}
    house = http.get("/ws/dopa/linkage/v1/link", params={**link, "ServiceID": "008"}).json()["Result"]
    assert (house["HouseNo"], house["SubdistrictCode"], house["DistrictCode"], house["ProvinceCode"]) == (
        "12 หมู่ 3", "500101", "5001", "50")
    cases = http.get("/ws/moj/dxc/court-cases", params={"CitizenID": LITIGANT}).json()["Result"]
    assert [(c["Court"], c["CaseNumber"], c["CaseKind"]) for c in cases] == [("ศาลจังหวัดเชียงใหม่", "พ.77/2569", "civil")]
    # bail: the justice records belong to the detainee the request names, whom the registry now knows
    detained = http.get("/ws/moj/dxc/detentions", params={"CitizenID": DETAINEE}).json()["Result"]
    assert [(d["Place"], d["ReleasedOn"]) for d in detained] == [("เรือนจำกลางเชียงใหม่", None)]
    arrests = http.get("/ws/moj/dxc/arrests", params={"CitizenID": DETAINEE}).json()["Result"]
    assert [a["Charge"] for a in arrests] == ["ฉ้อโกง"]
    named = http.get("/ws/dopa/linkage/v1/link", params={**link, "CitizenID": DETAINEE, "ServiceID": "001"})
    assert (named.json()["Result"]["FirstName"], named.json()["Result"]["LastName"]) == ("สมพิศ", "ธัญาโภชน์")


def test_an_empty_system_writes_a_seed_the_builder_reads(db: None, tmp_path: Path) -> None:
    seed = tmp_path / "seed.jsonl"
    _export(seed)
    assert sim_seed.read_seed(seed) == ([], [])
    assert seed.read_text(encoding="utf-8").splitlines()[-1] == '{"type":"end","people":0,"requests":0}'


def test_a_person_on_file_twice_is_exported_once(make_request: Callable[..., Request], tmp_path: Path) -> None:
    first = make_request(applicant={"national_id": APPLICANT})
    Person.objects.filter(pk=first.applicant.pk).update(first_name="ชื่อเดิม")
    second = Person.objects.get(pk=first.applicant.pk)
    second.pk = None
    second.first_name = "ชื่อใหม่"
    second.save()
    seed = tmp_path / "seed.jsonl"
    _export(seed)
    people, _ = sim_seed.read_seed(seed)
    assert [(p.national_id, p.first_name) for p in people] == [(APPLICANT, "ชื่อเดิม")]


def test_the_production_profile_refuses_the_export(db: None, settings: Any, tmp_path: Path) -> None:
    settings.JFS_DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="refused with these settings"):
        _export(tmp_path / "seed.jsonl")
    assert not (tmp_path / "seed.jsonl").exists()


def test_writer_and_reader_agree_on_the_format() -> None:
    """The two sides share no code (the simulator imports no app), so their contract is checked here."""
    assert registry_seed.FORMAT == sim_seed.FORMAT and registry_seed.VERSION in sim_seed.VERSIONS
    mirrored = {f.name for f in fields(sim_seed.SeedPerson)} - {"variant", "overrides"}
    assert set(registry_seed.PERSON_FIELDS) == mirrored
    source = Path(sim_build.__file__).read_text(encoding="utf-8")
    read_details = set(re.findall(r"""\bd\.get\("(\w+)"\)""", source))
    assert read_details and read_details <= set(registry_seed.DETAIL_KEYS)
    assert set(re.findall(r"""r\.service == "(\w+)\"""", source)) == set(registry_seed.SERVICES)


def test_the_simulator_reads_no_jfs_table() -> None:
    """No database driver, no JFS table name, and SQLite only for its own data file (written by the
    builder, read by the store)."""
    tables = {m._meta.db_table for m in apps.get_models()}
    connects = set()
    for path in sorted((ROOT / "registry_sim").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert "psycopg" not in text and "DATABASE_URL" not in text, path.name
        assert not [t for t in tables if re.search(rf"\b{re.escape(t)}\b", text)], path.name
        tree = ast.parse(text)
        for func in ast.walk(tree):
            if isinstance(func, ast.FunctionDef):
                for node in ast.walk(func):
                    if isinstance(node, ast.Attribute) and node.attr == "connect":
                        connects.add((path.name, func.name))
    assert connects == {("build.py", "build_registry"), ("store.py", "_conn")}
    assert not hasattr(sim_build, "read_jfs")
