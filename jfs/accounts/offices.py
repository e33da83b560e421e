"""Creates the central office and one Provincial Justice Office per province.

Province codes and names come from the ``geothai`` package, never typed by hand.
Bangkok (province 10) is served by the central office, as requests for Bangkok
cases are filed there; the other 76 provinces each get a Provincial Justice Office.
"""

from __future__ import annotations

import geothai

from jfs.accounts.models import CENTRAL_OFFICE_CODE, Office

BANGKOK = "10"


def ensure_offices() -> int:
    """Create missing offices; return how many exist afterwards."""
    Office.objects.get_or_create(
        code=CENTRAL_OFFICE_CODE,
        defaults={
            "name_th": "สำนักงานกองทุนยุติธรรม (ส่วนกลาง)",
            "name_en": "Justice Fund Office (central)",
            "is_central": True,
        },
    )
    for p in geothai.provinces():
        if p.code == BANGKOK:
            continue
        Office.objects.get_or_create(
            code=p.code,
            defaults={
                "name_th": f"สำนักงานยุติธรรมจังหวัด{p.name_th}",
                "name_en": f"{p.name_en} Provincial Justice Office",
                "province_code": p.code,
            },
        )
    return Office.objects.count()


def office_for_province(province_code: str) -> Office:
    """Where a request is filed: Bangkok cases go to the central office."""
    if province_code == BANGKOK:
        return Office.objects.get(code=CENTRAL_OFFICE_CODE)
    return Office.objects.get(code=province_code)
