"""Generate the simulator's synthetic registries, deterministically from a seed.

    python -m registry_sim.build --seed 1 --out var/registry.sqlite3 [--from-export var/registry_seed.jsonl]

With ``--from-export`` (a registry seed, the file ``manage.py export_registry_seed`` writes; its
format is in ``registry_sim.seed`` and docs/data-exchange.md) every JFS applicant in it gets a
registry twin: same name, birth date and address for most, and a small share
(``--mismatch-share``, default 5%) deliberately different (a changed surname, a misspelt first
name, another birth date, an ID card that lost validity) so the system can show what happens
when a registry disagrees with what the applicant typed. Welfare card status follows the
applicant's income; the justice records (arrest, detention, court case) follow their requests
(bail → arrest + pretrial detention + criminal case; litigation → the court case they named).
``--population`` extra people who never applied make up the general population for proactive
targeting. The same seed and inputs always give the same file. The simulator never reads JFS's
database: only the seed file, whose format version it checks.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import geothai
from faker import Faker

from registry_sim.faults import RESERVED_IDS, valid_id
from registry_sim.schema import DDL, SCHEMA_VERSION
from registry_sim.seed import SeedFileError, SeedPerson, SeedRequest, read_seed

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
CHARGES = (
    "ลักทรัพย์",
    "ครอบครองยาเสพติดให้โทษประเภท 1",
    "ทำร้ายร่างกาย",
    "ฉ้อโกง",
    "บุกรุก",
    "เล่นการพนัน",
    "ขับรถขณะเมาสุรา",
    "รับของโจร",
)
#: disability types 1–7 with rough national shares (physical/mobility is about half)
DISABILITY_WEIGHTS = {"1": 9, "2": 19, "3": 48, "4": 8, "5": 7, "6": 2, "7": 1}
#: how a JFS applicant's registry twin may differ from what they typed, with relative weights
VARIANTS = {"last_name": 40, "first_name": 20, "birth_date": 30, "card_expired": 10}
ADDRESS_MOVED_SHARE = 0.08
TITLES = ("นางสาว", "นาง", "นาย", "เด็กชาย", "เด็กหญิง", "ด.ช.", "ด.ญ.")
JUSTICE_TABLES = {"arrest": "ARR", "court_case": "CC", "detention": "DET", "probation": "PRB"}
JUSTICE_COLUMNS = {
    "arrest": ("arrested_on", "agency", "charge"),
    "court_case": ("court", "case_number", "case_kind", "status", "filed_on"),
    "detention": ("place", "since", "pretrial_without_bail", "released_on"),
    "probation": ("office", "since", "until", "status"),
}


# --------------------------------------------------------------------------- helpers


def be(d: date) -> str:
    """A date as the wire carries it: Buddhist-era YYYYMMDD."""
    return f"{d.year + 543:04d}{d.month:02d}{d.day:02d}"


def income_band(annual: float) -> str:
    if annual <= 30000:
        return "<=30000"
    if annual <= 100000:
        return "30001-100000"
    return ">100000"


def laser_code(rng: random.Random) -> str:
    return rng.choice(LETTERS) + rng.choice(LETTERS) + "".join(rng.choice("0123456789") for _ in range(10))


def _is_valid_id(value: str) -> bool:
    return len(value) == 13 and value.isdigit() and valid_id(value[:12]) == value


def _province_name(code: str) -> str:
    p = geothai.province(code)
    return p.name_th if p else "กรุงเทพมหานคร"


def _court(province_code: str, kind: str) -> str:
    if province_code == "10":
        return {"civil": "ศาลแพ่ง", "administrative": "ศาลปกครองกลาง"}.get(kind, "ศาลอาญา")
    if kind == "administrative":
        return "ศาลปกครองกลาง"
    return f"ศาลจังหวัด{_province_name(province_code)}"


class Geography:
    """Real subdistrict codes from geothai, for random addresses."""

    def __init__(self) -> None:
        self.subdistricts = [
            s for p in geothai.provinces() for d in geothai.districts(p.code) for s in geothai.subdistricts(d.code)
        ]
        self.by_province: dict[str, list[Any]] = {}
        for s in self.subdistricts:
            self.by_province.setdefault(s.province_code, []).append(s)

    def random(self, rng: random.Random, province_code: str | None = None) -> Any:
        pool = self.by_province.get(province_code or "", []) or self.subdistricts
        return rng.choice(pool)


# --------------------------------------------------------------------------- generating


class Builder:
    def __init__(self, seed: int, today: date, mismatch_share: float) -> None:
        self.seed = seed
        self.today = today
        self.mismatch_share = mismatch_share
        self.geo = Geography()
        self.rows: dict[str, list[tuple[Any, ...]]] = {
            t: []
            for t in (
                "person",
                "address",
                "welfare_card",
                "household",
                "disability",
                "arrest",
                "court_case",
                "detention",
                "probation",
                "jfs_link",
            )
        }
        self.counters: dict[str, int] = {}
        self.fake = Faker("th_TH")

    def rng(self, *key: object) -> random.Random:
        return random.Random(":".join([str(self.seed), *map(str, key)]))

    def record_id(self, prefix: str) -> str:
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return f"{prefix}-{self.counters[prefix]:07d}"

    # -- one person, all registries ----------------------------------------------------------

    def add_person(self, p: SeedPerson, *, jfs: bool, background: bool = True) -> None:
        rng = self.rng("person", p.national_id)
        variant = p.variant
        if variant is None:
            variant = "same"
            if jfs and rng.random() < self.mismatch_share:
                variant = rng.choices(list(VARIANTS), weights=list(VARIANTS.values()))[0]
            if jfs and rng.random() < ADDRESS_MOVED_SHARE:
                variant = "moved" if variant == "same" else f"{variant}+moved"
        if variant == "absent":
            if jfs:
                self.rows["jfs_link"].append((p.national_id, variant))
            return
        parts = set(variant.split("+"))
        first, last, birth = p.first_name, p.last_name, p.birth_date
        if "last_name" in parts:
            last = self._other_last_name(rng, last)
        if "first_name" in parts:
            first = self._misspelt(rng, first)
        if "birth_date" in parts:
            birth = birth + timedelta(days=rng.choice([-366, -31, -1, 1, 31, 365]))
        card_status = "expired_address_change" if "card_expired" in parts else "normal"
        person = {
            "citizen_id": p.national_id,
            "title": p.title,
            "first_name": first,
            "last_name": last,
            "be_birth_date": be(birth),
            "sex": p.sex,
            "laser_code": laser_code(rng),
            "card_status": card_status,
        }
        person.update(p.overrides.get("person") or {})
        self.rows["person"].append(
            tuple(
                person[k]
                for k in (
                    "citizen_id",
                    "title",
                    "first_name",
                    "last_name",
                    "be_birth_date",
                    "sex",
                    "laser_code",
                    "card_status",
                )
            )
        )
        if jfs:
            self.rows["jfs_link"].append((p.national_id, variant))

        # registered address (house registration)
        if "moved" in parts:
            sub = self.geo.random(rng, p.province_code)
            if sub.code == p.subdistrict_code:
                sub = self.geo.random(rng)
            addr = {
                "house_no": f"{rng.randint(1, 399)} หมู่ {rng.randint(1, 15)}",
                "subdistrict_code": sub.code,
                "district_code": sub.district_code,
                "province_code": sub.province_code,
            }
        else:
            addr = {
                "house_no": p.house_no or f"{rng.randint(1, 399)}",
                "subdistrict_code": p.subdistrict_code,
                "district_code": p.district_code,
                "province_code": p.province_code,
            }
        addr["moved_in_on"] = be(self.today - timedelta(days=rng.randint(200, 9000)))
        self._put("address", p, addr, ("house_no", "subdistrict_code", "district_code", "province_code", "moved_in_on"))

        # state welfare card, following income (the registry's own assessment, a little noisy)
        annual = max(0.0, p.monthly_income * 12 * rng.uniform(0.85, 1.15))
        welfare: dict[str, Any] | None = None
        if rng.random() < (0.9 if annual <= 100000 else 0.25):
            band = income_band(annual)
            welfare = {
                "card_holder": int(band != ">100000" and rng.random() < 0.92),
                "income_band": band,
                "registration_round": rng.choices(["2565", "2560"], weights=[7, 3])[0],
            }
        self._put("welfare_card", p, welfare, ("card_holder", "income_band", "registration_round"))

        # MSO logbook: vulnerable households graded 0-3 by income per head
        household: dict[str, Any] | None = None
        if annual <= 100000 and rng.random() < 0.6:
            per_head = (annual / 12) / max(1, p.household_size)
            level = 3 if per_head < 1000 else 2 if per_head < 2000 else 1 if per_head < 3000 else 0
            household = {
                "vulnerability_level": level,
                "household_size": p.household_size,
                "assessed_on": be(self.today - timedelta(days=rng.randint(30, 900))),
            }
        self._put("household", p, household, ("vulnerability_level", "household_size", "assessed_on"))

        # disability registration
        dis: dict[str, Any] | None = None
        if rng.random() < (0.06 if jfs else 0.04):
            issued = self.today - timedelta(days=rng.randint(0, 8 * 365))
            dis = {
                "disability_type": rng.choices(list(DISABILITY_WEIGHTS), weights=list(DISABILITY_WEIGHTS.values()))[0],
                "card_expiry": be(issued + timedelta(days=8 * 365)),
            }
        self._put("disability", p, dis, ("disability_type", "card_expiry"))

        for table, prefix in JUSTICE_TABLES.items():  # records given outright (tests, demos)
            for rec in p.overrides.get(table) or []:
                self.rows[table].append(
                    (self.record_id(prefix), p.national_id, *(rec.get(c) for c in JUSTICE_COLUMNS[table]))
                )

        if not jfs and background:
            self._background_justice(p, rng)

    def _put(self, table: str, p: SeedPerson, values: dict[str, Any] | None, cols: Sequence[str]) -> None:
        if table in p.overrides:
            values = None if p.overrides[table] is None else {**(values or {}), **p.overrides[table]}
        if values is not None:
            self.rows[table].append((p.national_id, *(values[c] for c in cols)))

    def _other_last_name(self, rng: random.Random, current: str) -> str:
        fake = self.fake
        fake.seed_instance(rng.randint(0, 2**31))
        for _ in range(5):
            name = fake.last_name()
            if name != current:
                return name
        return current + "สกุล"

    @staticmethod
    def _misspelt(rng: random.Random, name: str) -> str:
        if len(name) > 2 and rng.random() < 0.5:
            i = rng.randrange(1, len(name))
            return name[:i] + name[i + 1 :]
        return name + rng.choice("ร์ย์ณ์")

    # -- justice records ------------------------------------------------------------------------

    def add_request(self, r: SeedRequest, province_code: str) -> SeedPerson | None:
        """Justice records for a request; for bail they belong to the detainee if the request names one.

        Returns the detainee as a person the population registry should know (if not the applicant).
        """
        rng = self.rng("request", r.national_id, r.number, r.received_on.isoformat())
        d = r.details or {}
        prov = _province_name(province_code)
        detainee: SeedPerson | None = None
        if r.service == "BAIL":
            subject = str(d.get("detainee_national_id") or "")
            if _is_valid_id(subject) and subject != r.national_id:
                detainee = self._detainee(subject, str(d.get("detainee_name") or ""), province_code)
            else:
                subject = r.national_id
            arrested = r.received_on - timedelta(days=rng.randint(2, 10))
            self._arrest(
                subject,
                arrested,
                f"สถานีตำรวจภูธรเมือง{prov}" if province_code != "10" else "สถานีตำรวจนครบาลชนะสงคราม",
                str(d.get("charge") or rng.choice(CHARGES)),
            )
            self.rows["detention"].append(
                (
                    self.record_id("DET"),
                    subject,
                    str(d.get("held_at") or f"เรือนจำจังหวัด{prov}"),
                    be(arrested + timedelta(days=1)),
                    int(rng.random() < 0.9),
                    None,
                )
            )
            court = str(d.get("authority_name") or "") if d.get("authority") == "court" else ""
            self._court_case(
                subject,
                court or _court(province_code, "criminal"),
                f"อ.{rng.randint(100, 9999)}/{r.received_on.year + 543}",
                "criminal",
                "pending",
                arrested + timedelta(days=rng.randint(1, 5)),
            )
            if rng.random() < 0.05:
                self._probation(subject, prov, rng, active=False)
        elif r.service == "LIT":
            kind = str(d.get("case_kind") or "civil")
            filed = r.received_on - timedelta(days=rng.randint(10, 120))
            status = "decided" if (self.today - r.received_on).days > 365 and rng.random() < 0.7 else "pending"
            self._court_case(
                r.national_id,
                str(d.get("court") or _court(province_code, kind)),
                str(d.get("case_number") or f"{rng.randint(100, 9999)}/{r.received_on.year + 543}"),
                kind,
                status,
                filed,
            )
            if kind == "criminal" and d.get("party_role") in {"defendant", "accused", "suspect"}:
                self._arrest(
                    r.national_id,
                    filed - timedelta(days=rng.randint(5, 60)),
                    f"สถานีตำรวจภูธรเมือง{prov}",
                    rng.choice(CHARGES),
                )
        return detainee

    def _detainee(self, cid: str, name: str, province_code: str) -> SeedPerson:
        """The detainee as the request names them ("นายสมพิศ ธัญาโภชน์"), for the population registry."""
        rng = self.rng("detainee", cid)
        title = next((t for t in TITLES if name.startswith(t)), "")
        first, _, last = name[len(title) :].strip().partition(" ")
        person = self._random_person(cid, rng, self.fake)
        person.title = title or person.title
        person.first_name = first or person.first_name
        person.last_name = last.strip() or person.last_name
        sub = self.geo.random(rng, province_code)
        person.province_code, person.district_code, person.subdistrict_code = (
            sub.province_code,
            sub.district_code,
            sub.code,
        )
        return person

    def _background_justice(self, p: SeedPerson, rng: random.Random) -> None:
        prov = _province_name(p.province_code)
        if rng.random() < 0.03:
            arrested = self.today - timedelta(days=rng.randint(1, 1500))
            self._arrest(p.national_id, arrested, f"สถานีตำรวจภูธรเมือง{prov}", rng.choice(CHARGES))
            self._court_case(
                p.national_id,
                _court(p.province_code, "criminal"),
                f"อ.{rng.randint(100, 9999)}/{arrested.year + 543}",
                "criminal",
                rng.choice(["pending", "decided", "appeal"]),
                arrested + timedelta(days=rng.randint(1, 30)),
            )
            if rng.random() < 0.2:
                self.rows["detention"].append(
                    (
                        self.record_id("DET"),
                        p.national_id,
                        f"เรือนจำจังหวัด{prov}",
                        be(arrested + timedelta(days=1)),
                        int(rng.random() < 0.7),
                        None if rng.random() < 0.6 else be(arrested + timedelta(days=90)),
                    )
                )
        if rng.random() < 0.03:
            kind = rng.choice(["civil", "civil", "administrative"])
            self._court_case(
                p.national_id,
                _court(p.province_code, kind),
                f"{rng.randint(100, 9999)}/{self.today.year + 542}",
                kind,
                rng.choice(["pending", "decided"]),
                self.today - timedelta(days=rng.randint(10, 900)),
            )
        if rng.random() < 0.01:
            self._probation(p.national_id, prov, rng, active=True)

    def _arrest(self, cid: str, on: date, agency: str, charge: str) -> None:
        self.rows["arrest"].append((self.record_id("ARR"), cid, be(on), agency, charge))

    def _court_case(self, cid: str, court: str, number: str, kind: str, status: str, filed: date) -> None:
        self.rows["court_case"].append((self.record_id("CC"), cid, court, number, kind, status, be(filed)))

    def _probation(self, cid: str, prov: str, rng: random.Random, active: bool) -> None:
        since = self.today - timedelta(days=rng.randint(30, 300) if active else rng.randint(800, 2500))
        until = since + timedelta(days=rng.choice([365, 730]))
        self.rows["probation"].append(
            (
                self.record_id("PRB"),
                cid,
                f"สำนักงานคุมประพฤติจังหวัด{prov}",
                be(since),
                be(until),
                "active" if until >= self.today else "completed",
            )
        )

    # -- the general population ------------------------------------------------------------------

    def population(self, n: int, taken: set[str]) -> list[SeedPerson]:
        fake = Faker("th_TH")
        fake.seed_instance(self.seed)
        rng = self.rng("population")
        people: list[SeedPerson] = []
        while len(people) < n:
            first_digit = rng.choices("13578", weights=[55, 35, 4, 3, 3])[0]
            body = "".join(rng.choice("0123456789") for _ in range(11))
            # digits 2–3 are the issuing office's province code (10–96), as on real numbers
            body = f"{10 + int(body[:2]) % 87:02d}{body[2:]}"
            nid = valid_id(first_digit + body)
            if nid in taken:
                continue
            taken.add(nid)
            people.append(self._random_person(nid, rng, fake))
        for nid in sorted(RESERVED_IDS):  # the fault IDs answer normally when faults are off
            if nid not in taken:
                taken.add(nid)
                people.append(self._random_person(nid, rng, fake))
        return people

    def _random_person(self, nid: str, rng: random.Random, fake: Faker) -> SeedPerson:
        sex = rng.choice("MF")
        age = rng.randint(18, 85)
        birth = self.today - timedelta(days=age * 365 + rng.randint(0, 364))
        sub = self.geo.random(rng)
        title = "นาย" if sex == "M" else rng.choice(["นาง", "นางสาว"])
        return SeedPerson(
            national_id=nid,
            title=title,
            first_name=fake.first_name_male() if sex == "M" else fake.first_name_female(),
            last_name=fake.last_name(),
            birth_date=birth,
            sex=sex,
            house_no=f"{rng.randint(1, 399)} หมู่ {rng.randint(1, 15)}",
            province_code=sub.province_code,
            district_code=sub.district_code,
            subdistrict_code=sub.code,
            monthly_income=round(rng.lognormvariate(9.0, 0.8), -2),
            household_size=rng.randint(1, 7),
        )


def build_registry(
    out: str | Path,
    seed: int,
    people: Iterable[SeedPerson] = (),
    requests: Iterable[SeedRequest] = (),
    population: int = 2000,
    mismatch_share: float = 0.05,
    today: date | None = None,
    source: str = "",
) -> dict[str, int]:
    """Write a registry file; return the number of rows per table."""
    today = today or date.today()
    b = Builder(seed, today, mismatch_share)
    jfs_people = sorted(people, key=lambda p: p.national_id)
    provinces = {p.national_id: p.province_code for p in jfs_people}
    for p in jfs_people:
        b.add_person(p, jfs=True)
    detainees: dict[str, SeedPerson] = {}
    for r in sorted(requests, key=lambda r: (r.national_id, r.received_on, r.number)):
        if r.national_id in provinces:
            detainee = b.add_request(r, provinces[r.national_id])
            if detainee and detainee.national_id not in provinces:
                detainees.setdefault(detainee.national_id, detainee)
    for p in detainees.values():
        b.add_person(p, jfs=False, background=False)
    for p in b.population(population, set(provinces) | set(detainees)):
        b.add_person(p, jfs=False)

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=out.name, suffix=".tmp", dir=out.parent)
    os.close(fd)
    conn = sqlite3.connect(tmp)
    try:
        conn.executescript(DDL)
        for table, rows in b.rows.items():
            if rows:
                marks = ",".join("?" * len(rows[0]))
                conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
        meta = {
            "schema": SCHEMA_VERSION,
            "seed": str(seed),
            "built_on": today.isoformat(),
            "source": "jfs" if source else "none",
            "jfs_people": str(len(jfs_people)),
        }
        conn.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
        conn.commit()
    finally:
        conn.close()
    os.replace(tmp, out)
    return {table: len(rows) for table, rows in b.rows.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m registry_sim.build", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default="var/registry.sqlite3")
    parser.add_argument(
        "--from-export",
        default="",
        metavar="FILE",
        help="registry seed written by JFS (manage.py export_registry_seed --out FILE)",
    )
    parser.add_argument("--from-jfs-db", default="", help=argparse.SUPPRESS)  # removed: says what replaced it
    parser.add_argument("--population", type=int, default=5000, help="people who never applied to the fund")
    parser.add_argument("--mismatch-share", type=float, default=0.05)
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="reference date for generated dates (YYYY-MM-DD, default today)",
    )
    args = parser.parse_args(argv)
    if args.from_jfs_db:
        parser.error(
            "--from-jfs-db is gone: the simulator no longer reads JFS's database. Write the registry seed "
            "with `manage.py export_registry_seed --out FILE`, then pass --from-export FILE"
        )
    people: list[SeedPerson] = []
    requests: list[SeedRequest] = []
    if args.from_export:
        try:
            people, requests = read_seed(args.from_export)
        except SeedFileError as exc:
            print(f"registry_sim.build: error: {exc}", file=sys.stderr)
            return 2
    counts = build_registry(
        args.out,
        args.seed,
        people,
        requests,
        args.population,
        args.mismatch_share,
        today=args.today,
        source=args.from_export,
    )
    print(f"registry data written to {args.out}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
