"""Helpers for the bail tests: an approved BAIL request (its ``bail_amount`` committed by the
committee's decision) and its bail record, through the services."""

from __future__ import annotations

from typing import Any

from jfs.bail import models as bm
from jfs.bail import services as bail
from jfs.cases.models import Request
from jfs.core import clock
from tests.conftest import DETAILS
from tests.decisions_support import decide


def approved_bail(make_request: Any, users: dict[str, Any], amount: str = "50000", asked: str = "50000") -> Request:
    """A Chiang Mai bail request (``asked`` baht) approved for ``amount``, assigned to officer.cm."""
    req = make_request(service="BAIL", assign_to="officer.cm", details={**DETAILS["BAIL"], "bail_amount": asked})
    if amount == asked:
        return decide(req, users, "approved")
    return decide(req, users, "partially_approved", ["A01", "P01"], items={"bail_amount": amount})


def contract(**overrides: Any) -> bail.Contract:
    values: dict[str, Any] = {"contract_number": "สป.123/2569", "contract_on": clock.today(),
                              "obligations": "มารายงานตัวต่อศาลทุกนัด ห้ามออกนอกจังหวัดเชียงใหม่",
                              "case_number": "อ.456/2569"}
    values.update(overrides)
    return bail.Contract(**values)


def opened(make_request: Any, users: dict[str, Any], amount: str = "50000", asked: str = "50000") -> bm.BailRecord:
    req = approved_bail(make_request, users, amount, asked)
    return bail.open_record(users["officer.cm"], req, contract())
