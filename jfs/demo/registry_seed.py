"""The registry seed: what the registry simulator needs to mirror the demo applicants, as a file.

The simulator (``registry_sim``, a separate service) never reads JFS's tables; it builds its
registries from this file (``python -m registry_sim.build --from-export FILE``). Format
``jfs-registry-seed`` version 1, JSON Lines in UTF-8 (docs/data-exchange.md, "The registry seed"):
a header ``{"format", "version", "written_at"}``, one ``person`` record per applicant (one per
national ID, the first record of the ID), one ``request`` record per bail or litigation request
with only the details the justice registries would hold, and an ``end`` record with the counts.
Dates are ISO (C.E.). Nothing else leaves: no phone, education, occupation, representative,
amounts, states or documents.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from jfs.cases.models import Person, Request
from jfs.core import clock

FORMAT = "jfs-registry-seed"
VERSION = 1
#: the person fields the simulator mirrors (national ID, names, birth date, sex, address; income and
#: household size drive its welfare-card and vulnerable-household registries)
PERSON_FIELDS = (
    "national_id", "title", "first_name", "last_name", "birth_date", "sex", "house_no",
    "province_code", "district_code", "subdistrict_code", "monthly_income", "household_size",
)
#: the services whose facts the justice registries hold (arrest, detention, court case)
SERVICES = ("BAIL", "LIT")
#: the request details those registries would hold: bail (the detainee, charge, place, authority)
#: and litigation (the court case)
DETAIL_KEYS = (
    "detainee_national_id", "detainee_name", "charge", "held_at", "authority", "authority_name",
    "case_kind", "court", "case_number", "party_role",
)
CHUNK = 5000


@dataclass(frozen=True)
class Written:
    people: int
    requests: int


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def records() -> Iterator[dict[str, Any]]:
    """The seed's records after the header, the end record last."""
    seen: set[str] = set()
    for row in Person.objects.order_by("pk").values_list(*PERSON_FIELDS).iterator(chunk_size=CHUNK):
        person = dict(zip(PERSON_FIELDS, row, strict=True))
        if person["national_id"] in seen:  # a later record of the same person
            continue
        seen.add(person["national_id"])
        person["birth_date"] = person["birth_date"].isoformat()
        person["monthly_income"] = float(person["monthly_income"] or 0)
        yield {"type": "person", **person}
    requests = 0
    rows = (
        Request.objects.filter(service__in=SERVICES)
        .order_by("pk")
        .values_list("applicant__national_id", "number", "service", "received_on", "details")
        .iterator(chunk_size=CHUNK)
    )
    for nid, number, service, received_on, details in rows:
        facts = {k: details[k] for k in DETAIL_KEYS if isinstance(details, dict) and k in details}
        yield {"type": "request", "national_id": nid, "number": number, "service": service,
               "received_on": received_on.isoformat(), "details": facts}
        requests += 1
    yield {"type": "end", "people": len(seen), "requests": requests}


def write(out: TextIO) -> Written:
    """Write the seed to an open text file; return the counts."""
    out.write(_line({"format": FORMAT, "version": VERSION,
                     "written_at": clock.now().isoformat(timespec="seconds")}))
    end: dict[str, Any] = {}
    for record in records():
        out.write(_line(record))
        end = record
    return Written(people=int(end["people"]), requests=int(end["requests"]))


def export(path: str | Path) -> Written:
    """Write the seed to ``path`` whole or not at all (a temporary file renamed), readable by its
    owner only: it holds personal data."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            written = write(f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return written
