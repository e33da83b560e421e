"""Defects found by the review of the citizen e-Service (issue 12), each pinned by a test that failed
before its fix: what PostgreSQL refuses but SQLite lets through, and bad input that answered a 500."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models.signals import pre_save

from jfs.accounts.models import Office, User
from jfs.complaints import services as complaints
from jfs.complaints.models import Complaint
from tests.conftest import CHIANG_MAI

pytestmark = pytest.mark.django_db

BKK = ZoneInfo("Asia/Bangkok")


def _fits_its_columns(sender: type[Any], instance: Any, **kwargs: Any) -> None:
    """What PostgreSQL checks and SQLite does not: every text fits its column's max_length."""
    for field in sender._meta.concrete_fields:
        value = getattr(instance, field.attname, None)
        if isinstance(value, str) and field.max_length is not None:
            assert len(value) <= field.max_length, (f"{sender.__name__}.{field.name}", value)


@pytest.fixture
def column_lengths_checked() -> Iterator[None]:
    pre_save.connect(_fits_its_columns, sender=Complaint)
    yield
    pre_save.disconnect(_fits_its_columns, sender=Complaint)


def test_a_complaint_filed_at_a_time_with_microseconds_fits_its_reference_column(
    users: dict[str, User], offices: dict[str, Office], column_lengths_checked: None
) -> None:
    # the placeholder reference was "tmp-<timestamp>-<pk>" (24+ characters) in a 20-character column:
    # on PostgreSQL every complaint filed at a real (ticking) time was refused, a 500
    with time_machine.travel(datetime(2025, 6, 2, 10, 15, 30, 123456, tzinfo=BKK), tick=False):
        c = complaints.file_complaint(
            citizen=users["citizen"], kind="service", subject="รอนาน", details="รอคิวนาน", office=offices[CHIANG_MAI]
        )
    assert c.reference == f"RC{c.fiscal_year}-{c.pk:06d}"
