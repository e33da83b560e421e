"""The registry simulator itself: GDX authentication, fault switches, and the data builder
(deterministic, consistent with the JFS applicants it mirrors, read from the registry seed JFS writes)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from registry_sim.build import build_registry
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


def _seed_file(path: Path, n: int, version: object = 1) -> list[tuple[str, int]]:
    """A registry seed as docs/data-exchange.md describes it (what export_registry_seed writes), n applicants."""
    people = []
    lines: list[dict[str, object]] = [{"format": "jfs-registry-seed", "version": version, "written_at": "2026-03-01T00:00:00+00:00"}]
    requests = 0
    for i in range(1, n + 1):
        nid = valid_id(f"350{i:09d}")  # category 3, registered in Chiang Mai (50)
        income = 1500 if i % 2 else 40000
        people.append((nid, income))
        lines.append({
            "type": "person", "national_id": nid, "title": "นาย", "first_name": f"ชื่อ{i}", "last_name": f"สกุล{i}",
            "birth_date": "1980-05-17", "sex": "M", "house_no": f"{i} หมู่ 1", "province_code": "50",
            "district_code": "5001", "subdistrict_code": "500101", "monthly_income": income, "household_size": 3,
        })
    for i in range(1, n + 1):
        service = "BAIL" if i % 10 == 0 else "LIT"
        details = (
            {"charge": "ลักทรัพย์", "held_at": "เรือนจำกลางเชียงใหม่", "authority": "police",
             "authority_name": "สภ.เมืองเชียงใหม่"}
            if service == "BAIL"
            else {"case_kind": "civil", "court": "ศาลจังหวัดเชียงใหม่", "case_number": "พ.1/2569"}
        )
        lines.append({"type": "request", "national_id": people[i - 1][0], "number": f"JF-{i}", "service": service,
                      "received_on": "2026-01-10", "details": details})
        requests += 1
    lines.append({"type": "end", "people": n, "requests": requests})
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    return people


def _build(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "registry_sim.build", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_registries_mirror_the_jfs_applicants_with_a_few_deliberate_differences(tmp_path: Path) -> None:
    seed = tmp_path / "registry_seed.jsonl"
    people = _seed_file(seed, 400)
    out = tmp_path / "registry.sqlite3"
    result = _build("--seed", "5", "--out", str(out), "--from-export", str(seed), "--population", "300")
    assert result.returncode == 0, result.stderr
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


def test_an_empty_seed_gives_the_general_population_only(tmp_path: Path) -> None:
    seed = tmp_path / "empty.jsonl"
    _seed_file(seed, 0)
    result = _build("--seed", "5", "--out", str(tmp_path / "r.sqlite3"), "--from-export", str(seed), "--population", "20")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "r.sqlite3") as conn:
        assert dict(conn.execute("SELECT key, value FROM meta"))["jfs_people"] == "0"
        assert conn.execute("SELECT COUNT(*) FROM jfs_link").fetchone() == (0,)


def _broken(path: Path, how: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if how == "truncated":
        path.write_text("".join(lines[:-1]), encoding="utf-8")
    elif how == "count":
        path.write_text("".join(lines[:3] + lines[-1:]), encoding="utf-8")
    elif how == "no_birth_date":
        rec = json.loads(lines[1])
        del rec["birth_date"]
        path.write_text("".join([lines[0], json.dumps(rec, ensure_ascii=False) + "\n", *lines[2:]]), encoding="utf-8")
    elif how == "bad_id":
        rec = json.loads(lines[1])
        rec["national_id"] = rec["national_id"][:12]
        path.write_text("".join([lines[0], json.dumps(rec, ensure_ascii=False) + "\n", *lines[2:]]), encoding="utf-8")
    elif how == "not_a_seed":
        path.write_bytes(b"SQLite format 3\x00\xff\xfe")


@pytest.mark.parametrize(
    "version, how, message",
    [
        (2, "", "is jfs-registry-seed version 2; this simulator reads version 1"),
        ("1", "", "version '1'; this simulator reads version 1"),
        (None, "", "version None; this simulator reads version 1"),
        (1, "not_a_seed", 'is not a registry seed: its first line is not a {"format": "jfs-registry-seed"'),
        (1, "truncated", "ends without its end record: the file is incomplete"),
        (1, "count", "the end record counts 3 people and 3 requests, the file holds 2 and 0"),
        (1, "no_birth_date", "line 2: birth_date is missing"),
        (1, "bad_id", "line 2: national_id is not 13 digits"),
    ],
)
def test_a_seed_of_another_version_or_broken_is_refused_clearly(
    tmp_path: Path, version: object, how: str, message: str
) -> None:
    """Exit status 2, one line naming the file and what is wrong, never a personal value; no data file written."""
    seed = tmp_path / "seed.jsonl"
    people = _seed_file(seed, 3, version=version)
    _broken(seed, how)
    out = tmp_path / "registry.sqlite3"
    result = _build("--out", str(out), "--from-export", str(seed), "--population", "5")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"registry_sim.build: error: {seed}") and message in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()
    assert not any(nid[:12] in result.stderr for nid, _ in people) and "ชื่อ" not in result.stderr


def test_the_removed_database_option_says_what_replaced_it(tmp_path: Path) -> None:
    result = _build("--out", str(tmp_path / "r.sqlite3"), "--from-jfs-db", str(tmp_path / "db.sqlite3"))
    assert result.returncode == 2 and "export_registry_seed --out FILE" in result.stderr
    assert "--from-export" in result.stderr and not (tmp_path / "r.sqlite3").exists()
