"""What the simulator's registries are seeded with: the people JFS knows and their requests.

They come from the **registry seed**, a file JFS writes (``manage.py export_registry_seed --out
FILE``), never from JFS's database: the simulator knows the file's documented format, not the
system's tables (docs/data-exchange.md, "The registry seed"). Format ``jfs-registry-seed``,
version 1, JSON Lines in UTF-8, one JSON object a line:

* line 1, the header: ``{"format": "jfs-registry-seed", "version": 1, "written_at": "…"}``;
* one ``{"type": "person", …}`` per applicant (one per national ID): ``national_id``, ``title``,
  ``first_name``, ``last_name``, ``birth_date`` (ISO, C.E.), ``sex`` (M/F/X), ``house_no``,
  ``province_code``, ``district_code``, ``subdistrict_code``, ``monthly_income`` (THB, a number),
  ``household_size``;
* one ``{"type": "request", …}`` per bail or litigation request: ``national_id`` (the
  applicant's), ``number``, ``service``, ``received_on`` (ISO) and ``details``, the facts the
  justice registries would hold (bail: ``detainee_national_id``, ``detainee_name``, ``charge``,
  ``held_at``, ``authority``, ``authority_name``; litigation: ``case_kind``, ``court``,
  ``case_number``, ``party_role``);
* last, ``{"type": "end", "people": N, "requests": M}``: a file without it is incomplete.

Fields a reader does not know are ignored (a writer may add optional fields within a version);
anything else that changes is a new version, and a file of another version is refused. Errors
name the line and the field, never a value: the file holds personal data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

FORMAT = "jfs-registry-seed"
#: the versions this simulator reads
VERSIONS = (1,)
SEXES = ("M", "F", "X")


@dataclass
class SeedPerson:
    """A person as JFS knows them (a ``person`` record of the seed)."""

    national_id: str
    first_name: str
    last_name: str
    birth_date: date
    title: str = ""
    sex: str = "X"
    house_no: str = ""
    province_code: str = "10"
    district_code: str = "1001"
    subdistrict_code: str = "100101"
    monthly_income: float = 0.0
    household_size: int = 1
    #: force how the twin differs ("same", one of VARIANTS, "moved", "absent"); None = by chance
    variant: str | None = None
    #: replace generated registry rows: keys person, address, welfare_card, household, disability
    #: (a dict of columns, or None to leave the row out); add justice records: keys arrest,
    #: court_case, detention, probation (lists of dicts of columns, dates as BE YYYYMMDD)
    overrides: dict[str, Any] = field(default_factory=dict)


@dataclass
class SeedRequest:
    """A JFS request (a ``request`` record of the seed) whose facts the justice registries should hold."""

    national_id: str
    service: str
    received_on: date
    details: dict[str, Any] = field(default_factory=dict)
    number: str = ""


class SeedFileError(ValueError):
    """The file is not a registry seed this simulator can read (the message says why and where)."""


def _text(rec: dict[str, Any], name: str, where: str, required: bool = True) -> str:
    value = rec.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise SeedFileError(f"{where}: {name} is missing or not a non-empty string")
    return value


def _date(rec: dict[str, Any], name: str, where: str) -> date:
    text = _text(rec, name, where)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SeedFileError(f"{where}: {name} is not an ISO date (YYYY-MM-DD)") from None


def _person(rec: dict[str, Any], where: str) -> SeedPerson:
    nid = _text(rec, "national_id", where)
    if len(nid) != 13 or not nid.isdigit():
        raise SeedFileError(f"{where}: national_id is not 13 digits")
    sex = _text(rec, "sex", where, required=False) or "X"
    if sex not in SEXES:
        raise SeedFileError(f"{where}: sex is not one of {', '.join(SEXES)}")
    income = rec.get("monthly_income", 0)
    size = rec.get("household_size", 1)
    if isinstance(income, bool) or not isinstance(income, int | float) or income < 0:
        raise SeedFileError(f"{where}: monthly_income is not a number of 0 or more")
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise SeedFileError(f"{where}: household_size is not a whole number of 1 or more")
    return SeedPerson(
        national_id=nid,
        title=_text(rec, "title", where, required=False),
        first_name=_text(rec, "first_name", where),
        last_name=_text(rec, "last_name", where),
        birth_date=_date(rec, "birth_date", where),
        sex=sex,
        house_no=_text(rec, "house_no", where, required=False),
        province_code=_text(rec, "province_code", where),
        district_code=_text(rec, "district_code", where),
        subdistrict_code=_text(rec, "subdistrict_code", where),
        monthly_income=float(income),
        household_size=size,
    )


def _request(rec: dict[str, Any], where: str) -> SeedRequest:
    details = rec.get("details", {})
    if not isinstance(details, dict):
        raise SeedFileError(f"{where}: details is not an object")
    return SeedRequest(
        national_id=_text(rec, "national_id", where),
        service=_text(rec, "service", where),
        received_on=_date(rec, "received_on", where),
        details=details,
        number=_text(rec, "number", where, required=False),
    )


def _header(line: bytes, name: str) -> None:
    try:
        head = json.loads(line.decode("utf-8"))
    except ValueError:  # not UTF-8 or not JSON
        head = None
    if not isinstance(head, dict) or head.get("format") != FORMAT:
        raise SeedFileError(
            f'{name} is not a registry seed: its first line is not a {{"format": "{FORMAT}", …}} header '
            "(write one with: manage.py export_registry_seed --out FILE)"
        )
    version = head.get("version")
    if version not in VERSIONS or isinstance(version, bool):
        readable = ", ".join(map(str, VERSIONS))
        raise SeedFileError(
            f"{name} is {FORMAT} version {version!r}; this simulator reads version {readable}. "
            "Write the file again with the manage.py export_registry_seed of the same release, "
            "or use a simulator that reads that version."
        )


def read_seed(path: str | Path) -> tuple[list[SeedPerson], list[SeedRequest]]:
    """The people and requests in a registry seed file; ``SeedFileError`` if it is not one this
    simulator reads (another format or version, a malformed or incomplete file)."""
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise SeedFileError(f"registry seed not found: {name} (write it with: manage.py export_registry_seed --out FILE)")
    people: dict[str, SeedPerson] = {}
    requests: list[SeedRequest] = []
    end: dict[str, Any] | None = None
    with path.open("rb") as f:
        _header(f.readline(), name)
        for n, line in enumerate(f, start=2):
            if not line.strip():
                continue
            where = f"{name} line {n}"
            if end is not None:
                raise SeedFileError(f"{where}: a record after the end record")
            try:
                rec = json.loads(line.decode("utf-8"))
            except ValueError:  # not UTF-8 or not JSON
                raise SeedFileError(f"{where}: not a JSON object in UTF-8") from None
            kind = rec.get("type") if isinstance(rec, dict) else None
            if kind == "person":
                person = _person(rec, where)
                if person.national_id in people:
                    raise SeedFileError(f"{where}: a second person record with the same national_id")
                people[person.national_id] = person
            elif kind == "request":
                requests.append(_request(rec, where))
            elif kind == "end":
                end = rec
            else:
                raise SeedFileError(f'{where}: not a record of {FORMAT} version 1 ("type" is not person, request or end)')
    if end is None:
        raise SeedFileError(f"{name} ends without its end record: the file is incomplete (was the export cut short?)")
    if end.get("people") != len(people) or end.get("requests") != len(requests):
        raise SeedFileError(
            f"{name}: the end record counts {end.get('people')!r} people and {end.get('requests')!r} requests, "
            f"the file holds {len(people)} and {len(requests)}"
        )
    return list(people.values()), requests
