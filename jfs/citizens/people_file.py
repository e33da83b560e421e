"""The digital-ID simulator's people file, written from the demo data: the README's demo citizen
and the demo applicants, so that signing in with the local provider matches what JFS holds.

Format ``oidc-sim-people`` version 1 (``oidc_sim.people``; the simulator never reads JFS's
tables). It holds personal data: written readable by its owner only.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import geothai

from jfs.cases.models import Person

FORMAT = "oidc-sim-people"
VERSION = 1
#: the README's demo citizen (user ``citizen``, สมศรี ประชาชน): a valid national ID (check digit 3)
DEMO_CITIZEN_PID = "1509900123453"
DEMO_CITIZEN: dict[str, Any] = {
    "pid": DEMO_CITIZEN_PID,
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
GENDERS = {"M": "male", "F": "female"}


def address_claim(house_no: str, subdistrict_code: str) -> dict[str, str]:
    """An OpenID Connect address claim (Thai names from geothai) for a house number and subdistrict code."""
    sub = geothai.subdistrict(subdistrict_code or "")
    found = geothai.address(sub.code) if sub is not None else None
    if sub is None or found is None:
        return {"formatted": house_no, "country": "TH"}
    district = f"อำเภอ{found.district.name_th}" if found.province.code != "10" else f"เขต{found.district.name_th}"
    province = "กรุงเทพมหานคร" if found.province.code == "10" else f"จังหวัด{found.province.name_th}"
    postal = sub.postal_codes[0] if sub.postal_codes else ""
    formatted = " ".join(p for p in (house_no, f"ตำบล{found.subdistrict.name_th}", district, province, postal) if p)
    return {"formatted": formatted, "locality": district, "region": province, "postal_code": postal, "country": "TH"}


def people(limit: int) -> list[dict[str, Any]]:
    """The demo citizen, then up to ``limit`` demo applicants (one per national ID)."""
    out = [DEMO_CITIZEN]
    seen = {DEMO_CITIZEN_PID}
    for p in Person.objects.order_by("pk").iterator(chunk_size=2000):
        if len(out) > limit:
            break
        if p.national_id in seen or len(p.national_id) != 13:
            continue
        seen.add(p.national_id)
        out.append(
            {
                "pid": p.national_id,
                "title": p.title,
                "given_name": p.first_name,
                "family_name": p.last_name,
                "birthdate": p.birth_date.isoformat(),
                "gender": GENDERS.get(p.sex, ""),
                "address": address_claim(p.house_no, p.subdistrict_code),
            }
        )
    return out


def write(path: str, limit: int) -> int:
    """Write the file whole (replaced atomically, mode 0600); return how many people it holds."""
    records = people(limit)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".oidc-people-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"format": FORMAT, "version": VERSION, "people": records}, fh, ensure_ascii=False)
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(records)
