"""The registry simulator itself: GDX authentication, fault switches, and the data builder
(deterministic, consistent with the JFS applicants it mirrors)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from registry_sim.build import build_registry, read_jfs
from registry_sim.faults import RESERVED_IDS, valid_id
from tests.exchange_support import ROOT, SOMYING, Sim

WELFARE = "/ws/mof/welfare/card"


@pytest.fixture
def fresh(sim: Sim) -> Sim:
    sim.reset()
    return sim


# --------------------------------------------------------------------------- GDX authentication


def test_auth_validate_answers_a_token_in_result(fresh: Sim) -> None:
    resp = fresh.http.get(
        "/ws/auth/validate",
        params={"ConsumerSecret": "jfs-local-consumer-secret", "AgentID": "1234567890121"},
        headers={"Consumer-Key": "jfs-local-consumer-key"},
    )
    assert resp.status_code == 200 and set(resp.json()) == {"Result"} and len(resp.json()["Result"]) == 36


@pytest.mark.parametrize(
    "key, secret, agent, status",
    [
        ("wrong", "jfs-local-consumer-secret", "JFS", 401),
        ("jfs-local-consumer-key", "wrong", "JFS", 401),
        ("jfs-local-consumer-key", "jfs-local-consumer-secret", "", 400),
    ],
)
def test_auth_validate_refuses_bad_credentials(fresh: Sim, key: str, secret: str, agent: str, status: int) -> None:
    resp = fresh.http.get(
        "/ws/auth/validate", params={"ConsumerSecret": secret, "AgentID": agent}, headers={"Consumer-Key": key}
    )
    assert resp.status_code == status and resp.json()["Code"] == str(status)


def test_data_endpoints_need_consumer_key_and_a_valid_token(fresh: Sim) -> None:
    params = {"CitizenID": SOMYING.national_id}
    assert fresh.http.get(WELFARE, params=params).status_code == 401
    assert (
        fresh.http.get(
            WELFARE, params=params, headers={"Consumer-Key": "jfs-local-consumer-key", "Token": "made-up"}
        ).status_code
        == 401
    )
    ok = fresh.http.get(
        WELFARE, params=params, headers={"Consumer-Key": "jfs-local-consumer-key", "Token": fresh.token()}
    )
    assert ok.status_code == 200 and ok.json()["Result"]["CardHolder"] is True


def test_bad_parameters_are_a_400(fresh: Sim) -> None:
    headers = {"Consumer-Key": "jfs-local-consumer-key", "Token": fresh.token()}
    resp = fresh.http.get(
        "/ws/dopa/verification/personal",
        headers=headers,
        params={
            "CitizenID": SOMYING.national_id,
            "FirstName": "a",
            "LastName": "b",
            "BEBirthDate": "1985-02-10",
            "LaserCode": "JT1234567890",
        },
    )
    assert resp.status_code == 400


def test_header_faults_are_honoured_with_allow_faults(fresh: Sim) -> None:
    headers = {"Consumer-Key": "jfs-local-consumer-key", "Token": fresh.token(), "X-Sim-Fault": "500"}
    resp = fresh.http.get(WELFARE, params={"CitizenID": SOMYING.national_id}, headers=headers)
    assert resp.status_code == 500 and resp.headers["content-type"].startswith("text/html")
    assert fresh.stats()["faults"] == {"500": 1}


def test_the_stats_never_hold_query_strings(fresh: Sim) -> None:
    fresh.http.get(
        WELFARE,
        params={"CitizenID": SOMYING.national_id},
        headers={"Consumer-Key": "jfs-local-consumer-key", "Token": fresh.token()},
    )
    assert SOMYING.national_id not in str(fresh.stats())


@pytest.fixture(scope="module")
def strict_sim(sim: Sim) -> Iterator[str]:
    """A second simulator on the same data, without --allow-faults."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "registry_sim", "--port", "0", "--data", str(sim.data)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert "listening on" in line and "faults allowed" not in line
        yield line.split("listening on ", 1)[1].split()[0]
    finally:
        proc.kill()
        proc.wait(timeout=5)


def test_without_allow_faults_no_fault_switch_works(strict_sim: str) -> None:
    with httpx.Client(base_url=strict_sim, timeout=5) as http:
        token = http.get(
            "/ws/auth/validate",
            params={"ConsumerSecret": "jfs-local-consumer-secret", "AgentID": "JFS"},
            headers={"Consumer-Key": "jfs-local-consumer-key"},
        ).json()["Result"]
        headers = {"Consumer-Key": "jfs-local-consumer-key", "Token": token}
        assert (
            http.get(
                WELFARE, params={"CitizenID": SOMYING.national_id}, headers={**headers, "X-Sim-Fault": "500"}
            ).status_code
            == 200
        )
        reserved = next(cid for cid, fault in RESERVED_IDS.items() if fault == "500")
        assert http.get("/ws/dep/disability/card", params={"CitizenID": reserved}, headers=headers).status_code == 200
        assert http.post("/__sim/faults", json={"fault": "500", "path": "/"}).status_code == 404
        assert http.get("/__sim/health").json()["allow_faults"] is False


# --------------------------------------------------------------------------- builder


def test_reserved_ids_are_valid_national_ids() -> None:
    """Check digit and the registration rules (no 9 first, a province code 10–96): JFS forms accept them."""
    from jfslib import thai_id

    assert len(RESERVED_IDS) == 7 and all(thai_id.is_valid(cid) for cid in RESERVED_IDS)


def test_the_general_population_has_valid_national_ids(tmp_path: Path) -> None:
    from jfslib import thai_id

    build_registry(tmp_path / "r.sqlite3", seed=5, population=400, today=date(2026, 3, 1))
    with sqlite3.connect(tmp_path / "r.sqlite3") as conn:
        ids = [row[0] for row in conn.execute("SELECT citizen_id FROM person")]
    assert len(ids) >= 400
    assert [cid for cid in ids if not thai_id.is_valid(cid)] == []


def _dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


def test_the_same_seed_builds_the_same_registries(tmp_path: Path) -> None:
    day = date(2026, 3, 1)
    build_registry(tmp_path / "a.sqlite3", seed=3, population=200, today=day)
    build_registry(tmp_path / "b.sqlite3", seed=3, population=200, today=day)
    build_registry(tmp_path / "c.sqlite3", seed=4, population=200, today=day)
    assert _dump(tmp_path / "a.sqlite3") == _dump(tmp_path / "b.sqlite3")
    assert _dump(tmp_path / "a.sqlite3") != _dump(tmp_path / "c.sqlite3")


def _jfs_db(path: Path, n: int) -> list[tuple[str, int]]:
    """A database shaped like the JFS one (the columns the builder reads), with n applicants."""
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE cases_person (id INTEGER PRIMARY KEY, national_id TEXT, title TEXT, first_name TEXT,
            last_name TEXT, birth_date DATE, sex TEXT, house_no TEXT, province_code TEXT, district_code TEXT,
            subdistrict_code TEXT, monthly_income DECIMAL, household_size INTEGER);
        CREATE TABLE cases_request (id INTEGER PRIMARY KEY, number TEXT, service TEXT, applicant_id INTEGER,
            details TEXT, received_on DATE);
    """)
    people = []
    for i in range(1, n + 1):
        nid = valid_id(f"350{i:09d}")  # category 3, registered in Chiang Mai (50)
        income = 1500 if i % 2 else 40000
        people.append((nid, income))
        conn.execute(
            "INSERT INTO cases_person VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (i, nid, "นาย", f"ชื่อ{i}", f"สกุล{i}", "1980-05-17", "M", f"{i} หมู่ 1", "50", "5001", "500101", income, 3),
        )
        service = "BAIL" if i % 10 == 0 else "LIT"
        details = (
            '{"charge": "ลักทรัพย์", "held_at": "เรือนจำกลางเชียงใหม่", "authority": "police",'
            ' "authority_name": "สภ.เมืองเชียงใหม่"}'
            if service == "BAIL"
            else '{"case_kind": "civil", "court": "ศาลจังหวัดเชียงใหม่", "case_number": "พ.1/2569"}'
        )
        conn.execute(
            "INSERT INTO cases_request VALUES (?,?,?,?,?,?)", (i, f"JF-{i}", service, i, details, "2026-01-10")
        )
    conn.commit()
    conn.close()
    return people


def test_the_registries_mirror_the_jfs_applicants_with_a_few_deliberate_differences(tmp_path: Path) -> None:
    jfs = tmp_path / "jfs.sqlite3"
    people = _jfs_db(jfs, 400)
    out = tmp_path / "registry.sqlite3"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "registry_sim.build",
            "--seed",
            "5",
            "--out",
            str(out),
            "--from-jfs-db",
            f"sqlite:///{jfs}",
            "--population",
            "300",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "registry data written" in result.stdout
    with sqlite3.connect(out) as conn:
        rows = {
            cid: (first, last, birth)
            for cid, first, last, birth in conn.execute(
                "SELECT citizen_id, first_name, last_name, be_birth_date FROM person"
            )
        }
        variants = dict(conn.execute("SELECT citizen_id, variant FROM jfs_link"))
        holders = dict(conn.execute("SELECT citizen_id, card_holder FROM welfare_card"))
        detained = {r[0] for r in conn.execute("SELECT citizen_id FROM detention")}
        meta = dict(conn.execute("SELECT key, value FROM meta"))
    assert len(rows) >= 400 + 300 and meta["jfs_people"] == "400"
    same = sum(1 for i, (nid, _) in enumerate(people, 1) if rows.get(nid) == (f"ชื่อ{i}", f"สกุล{i}", "25230517"))
    assert 0.88 * 400 <= same < 400  # about 95% identical, a few deliberately not
    assert all(nid in variants for nid, _ in people)
    low = [nid for nid, income in people if income < 3000]
    high = [nid for nid, income in people if income >= 3000]
    assert sum(holders.get(n, 0) for n in low) / len(low) > 0.6 > sum(holders.get(n, 0) for n in high) / len(high)
    assert {nid for i, (nid, _) in enumerate(people, 1) if i % 10 == 0} <= detained


def test_read_jfs_tolerates_a_database_without_applicants(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite3"
    sqlite3.connect(empty).close()
    assert read_jfs(str(empty)) == ([], [])
