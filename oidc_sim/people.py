"""The simulator's synthetic people: who may sign in, and the claims the provider releases for them.

A people file is JSON, format ``oidc-sim-people`` version 1::

    {"format": "oidc-sim-people", "version": 1,
     "people": [{"pid": "1509900123453", "title": "นาง", "given_name": "สมศรี", "family_name": "ประชาชน",
                 "title_en": "Mrs.", "given_name_en": "Somsri", "family_name_en": "Prachachon",
                 "birthdate": "1980-05-17", "gender": "female",
                 "address": {"formatted": "…", "locality": "…", "region": "…", "postal_code": "…"}}]}

JFS writes one from the demo data (``manage.py export_oidc_people``); without a file the
simulator knows only the README's demo citizen. Every person's password is the same
(``--password``, default ``demo-password-2569``): this is a development stand-in, not an identity store.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = "oidc-sim-people"
VERSION = 1
PID = re.compile(r"^\d{13}$")

#: the README's demo citizen (user ``citizen``): a valid 13-digit ID (check digit 3), province code 50
DEMO_CITIZEN: dict[str, Any] = {
    "pid": "1509900123453",
    "title": "นาง",
    "given_name": "สมศรี",
    "family_name": "ประชาชน",
    "title_en": "Mrs.",
    "given_name_en": "Somsri",
    "family_name_en": "Prachachon",
    "birthdate": "1980-05-17",
    "gender": "female",
    "address": {
        "formatted": "99 หมู่ 1 ตำบลศรีภูมิ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่ 50200",
        "locality": "อำเภอเมืองเชียงใหม่",
        "region": "จังหวัดเชียงใหม่",
        "postal_code": "50200",
        "country": "TH",
    },
}


def _check_digit_ok(pid: str) -> bool:
    total = sum(int(d) * (13 - i) for i, d in enumerate(pid[:12]))
    return (11 - total % 11) % 10 == int(pid[12])


@dataclass(frozen=True)
class Person:
    pid: str
    claims: dict[str, Any] = field(default_factory=dict)

    def claim(self, name: str) -> Any:
        if name == "pid":
            return self.pid
        if name == "name":
            given, family = self.claims.get("given_name", ""), self.claims.get("family_name", "")
            return f"{self.claims.get('title', '')}{given} {family}".strip()
        if name == "name_en":
            given, family = self.claims.get("given_name_en", ""), self.claims.get("family_name_en", "")
            title = self.claims.get("title_en", "")
            return " ".join(p for p in (title, given, family) if p)
        return self.claims.get(name)


def person_from(record: dict[str, Any]) -> Person:
    pid = str(record.get("pid", ""))
    if not PID.match(pid) or not _check_digit_ok(pid):
        raise ValueError(f"a person's pid must be 13 digits with a valid check digit (got {len(pid)} characters)")
    claims = {k: v for k, v in record.items() if k != "pid"}
    return Person(pid, claims)


def load(path: str | None) -> dict[str, Person]:
    """The people by pid: the file's (plus the demo citizen when the file lacks her), or the demo citizen alone."""
    people = {DEMO_CITIZEN["pid"]: person_from(DEMO_CITIZEN)}
    if not path:
        return people
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
        raise ValueError(f"{path}: not an {FORMAT} v{VERSION} file")
    for record in data.get("people", []):
        person = person_from(record)
        people[person.pid] = person
    return people
