"""The real registry simulator for the exchange tests: one process per test session, over HTTP.

``simulator()`` builds a small registry file in process (known people below + a little
population; no database and no seed file, so it is fast), starts
``python -m registry_sim --port 0 --allow-faults`` as a subprocess, waits until it answers,
and kills it when the session ends. ``Sim`` talks to its control endpoints (fault
rules, request counts, token expiry).
"""

from __future__ import annotations

import atexit
import functools
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from registry_sim.build import build_registry
from registry_sim.faults import RESERVED_IDS
from registry_sim.seed import SeedPerson, SeedRequest

ROOT = Path(__file__).resolve().parent.parent
FAULT_DELAY = 5.0  # the simulated "timeout" holds this long; clients in tests give up far sooner
SLOW_DELAY = 0.4  # the "slow" fault answers after this long


def _id(n: int) -> str:
    from registry_sim.faults import valid_id

    return valid_id(f"31000{n:07d}")


@dataclass(frozen=True)
class Known:
    """A person the simulator knows, and what JFS applicants type for them."""

    national_id: str
    first_name: str
    last_name: str
    birth_date: date
    laser_code: str
    house_no: str = "12 หมู่ 3"
    province_code: str = "50"
    district_code: str = "5001"
    subdistrict_code: str = "500101"

    def applicant(self, **overrides: Any) -> dict[str, Any]:
        """Applicant fields for ``make_request(applicant=...)``."""
        values = {
            "national_id": self.national_id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "birth_date": self.birth_date,
            "house_no": self.house_no,
            "province_code": self.province_code,
            "district_code": self.district_code,
            "subdistrict_code": self.subdistrict_code,
        }
        values.update(overrides)
        return values


#: everything on record, matching what they type: welfare card, MSO level 2, disability card
SOMYING = Known(_id(1), "สมหญิง", "ใจดี", date(1985, 2, 10), "JT1234567890")
#: the registry has another surname (married since): "disagrees with what the applicant typed"
MALEE = Known(_id(2), "มาลี", "ศรีสุข", date(1979, 7, 1), "ME1000000002")
#: the registry has another birth date
PRASERT = Known(_id(3), "ประเสริฐ", "มั่นคง", date(1990, 12, 31), "AB1000000003")
#: detained before trial without bail, arrested, with a pending criminal case and a past probation
SOMCHAI = Known(_id(4), "สมชาย", "ยากจน", date(1995, 3, 3), "CD1000000004")
#: registered elsewhere (house registration in another subdistrict)
WANDEE = Known(_id(5), "วันดี", "ย้ายบ้าน", date(1970, 1, 20), "EF1000000005")
#: ID card void after a change of address
KANYA = Known(_id(6), "กัญญา", "บัตรหมดอายุ", date(1988, 8, 8), "GH1000000006")
#: no registry knows this person
NOBODY = Known(_id(7), "ไม่มี", "ในทะเบียน", date(1999, 9, 9), "IJ1000000007")

RESERVED = {fault: cid for cid, fault in RESERVED_IDS.items()}


def _seed_people() -> tuple[list[SeedPerson], list[SeedRequest]]:
    def seed(k: Known, variant: str, **overrides: Any) -> SeedPerson:
        return SeedPerson(
            national_id=k.national_id,
            first_name=k.first_name,
            last_name=k.last_name,
            birth_date=k.birth_date,
            title="นาย",
            sex="M",
            house_no=k.house_no,
            province_code=k.province_code,
            district_code=k.district_code,
            subdistrict_code=k.subdistrict_code,
            monthly_income=2000,
            household_size=4,
            variant=variant,
            overrides={"person": {"laser_code": k.laser_code}, **overrides},
        )

    people = [
        seed(
            SOMYING,
            "same",
            welfare_card={"card_holder": 1, "income_band": "<=30000", "registration_round": "2565"},
            household={"vulnerability_level": 2, "household_size": 4, "assessed_on": "25670301"},
            disability={"disability_type": "3", "card_expiry": "25800101"},
        ),
        seed(
            MALEE,
            "last_name",
            welfare_card={"card_holder": 0, "income_band": "30001-100000", "registration_round": "2560"},
        ),
        seed(PRASERT, "birth_date"),
        seed(
            SOMCHAI,
            "same",
            welfare_card=None,
            household=None,
            disability=None,
            probation=[
                {
                    "office": "สำนักงานคุมประพฤติจังหวัดเชียงใหม่",
                    "since": "25640101",
                    "until": "25650101",
                    "status": "completed",
                }
            ],
        ),
        seed(WANDEE, "moved"),
        seed(KANYA, "card_expired"),
        seed(NOBODY, "absent"),
    ]
    requests = [
        SeedRequest(
            SOMCHAI.national_id,
            "BAIL",
            date(2026, 1, 5),
            {
                "charge": "ลักทรัพย์",
                "held_at": "เรือนจำกลางเชียงใหม่",
                "authority": "court",
                "authority_name": "ศาลจังหวัดเชียงใหม่",
            },
            "JF2-50-2569-00001",
        ),
        SeedRequest(
            SOMYING.national_id,
            "LIT",
            date(2026, 1, 6),
            {"case_kind": "civil", "court": "ศาลจังหวัดเชียงใหม่", "case_number": "พ.123/2569"},
            "JF1-50-2569-00001",
        ),
    ]
    return people, requests


class Sim:
    def __init__(self, url: str, process: subprocess.Popen[str], data: Path) -> None:
        self.url = url
        self.process = process
        self.data = data
        self.http = httpx.Client(base_url=url, timeout=5)

    def reset(self) -> None:
        self.http.post("/__sim/reset").raise_for_status()

    def fault(self, fault: str, path: str, times: int | None = None) -> None:
        self.http.post("/__sim/faults", json={"fault": fault, "path": path, "times": times}).raise_for_status()

    def clear_faults(self) -> None:
        self.http.delete("/__sim/faults").raise_for_status()

    def expire_tokens(self) -> None:
        self.http.post("/__sim/tokens/expire").raise_for_status()

    def stats(self) -> dict[str, Any]:
        return dict(self.http.get("/__sim/stats").json())

    def calls(self, path: str) -> int:
        return int(self.stats()["by_path"].get(path, 0))

    def token(self, key: str = "jfs-local-consumer-key") -> str:
        resp = self.http.get(
            "/ws/auth/validate",
            params={"ConsumerSecret": "jfs-local-consumer-secret", "AgentID": "JFS"},
            headers={"Consumer-Key": key},
        )
        resp.raise_for_status()
        return str(resp.json()["Result"])


def _first_line(stream: Any, timeout: float) -> str:
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return ""


@functools.cache
def simulator() -> Sim:
    """Build the data file and start the simulator once per test session."""
    workdir = Path(tempfile.mkdtemp(prefix="registry-sim-"))
    data = workdir / "registry.sqlite3"
    people, requests = _seed_people()
    build_registry(data, seed=7, people=people, requests=requests, population=40)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "registry_sim",
            "--port",
            "0",
            "--data",
            str(data),
            "--allow-faults",
            "--fault-delay",
            str(FAULT_DELAY),
            "--slow-delay",
            str(SLOW_DELAY),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    atexit.register(_stop, proc)
    line = _first_line(proc.stdout, timeout=20)
    if "listening on " not in line:
        _stop(proc)
        raise RuntimeError(f"registry simulator did not start: {line!r}")
    url = line.split("listening on ", 1)[1].split()[0]
    deadline = time.monotonic() + 10
    while True:
        try:
            if httpx.get(url + "/__sim/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("registry simulator is not answering")
        time.sleep(0.05)
    return Sim(url, proc, data)


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=5)


def stop_simulator() -> None:
    """Kill the session's simulator (the session fixtures call this at teardown; atexit as a backstop)."""
    if simulator.cache_info().currsize:
        _stop(simulator().process)


#: settings that keep the failure tests fast (seconds)
FAST_SETTINGS = {
    "JFS_GDX_TIMEOUT": 2.0,
    "JFS_GDX_RETRIES": 2,
    "JFS_GDX_BACKOFF": 0.01,
    "JFS_GDX_BACKOFF_MAX": 0.05,
    "JFS_GDX_BREAKER_THRESHOLD": 3,
    "JFS_GDX_BREAKER_COOLDOWN": 0.5,
    "JFS_GDX_CACHE_TTL": 300,
    "JFS_GDX_TOKEN_TTL": 300,
    "JFS_GDX_RETRY_BASE": 30.0,
    "JFS_GDX_RETRY_MAX": 600.0,
    "JFS_GDX_MAX_ATTEMPTS": 4,
}


def configure(settings: Any, sim: Sim, **overrides: Any) -> None:
    """Point the exchange at the simulator with fast timeouts; clear caches and simulator state."""
    from django.core.cache import caches

    for name, value in {**FAST_SETTINGS, "JFS_GDX_BASE_URL": sim.url, **overrides}.items():
        setattr(settings, name, value)
    caches["default"].clear()
    sim.reset()


@pytest.fixture(scope="session")
def sim() -> Iterator[Sim]:
    """The registry simulator process, shared by every exchange test (started once)."""
    yield simulator()
    stop_simulator()


@pytest.fixture
def fast(settings: Any, sim: Sim) -> Any:
    """Adapters pointed at the simulator with short timeouts and back-offs."""
    configure(settings, sim)
    return settings
