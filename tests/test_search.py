"""Searching requests by name: whole first name or surname, first name and the start of the
surname, with or without the title people type before a name."""

from __future__ import annotations

from typing import Any

import pytest

from jfs.cases import selectors
from jfs.cases.models import Request

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_request: Any) -> dict[str, Request]:
    return {
        "manee": make_request(applicant={"first_name": "มานี", "last_name": "ใจดี", "title": "นางสาว"}),
        "mana": make_request(applicant={"first_name": "มานะ", "last_name": "ใจเย็น", "title": "นาย"}),
        "other": make_request(applicant={"first_name": "สมปอง", "last_name": "ทดสอบ"}),
        "nangfa": make_request(applicant={"first_name": "นางฟ้า", "last_name": "ใจดี"}),  # begins like a title
    }


@pytest.mark.parametrize(("text", "expected"), [
    ("มานี", {"manee"}),
    ("ใจดี", {"manee", "nangfa"}),
    ("นางฟ้า ใจดี", {"nangfa"}),
    ("นางฟ้า", {"nangfa"}),
    ("มานี ใจ", {"manee"}),
    ("มานะ ใจ", {"mana"}),
    ("นางสาวมานี ใจดี", {"manee"}),
    ("น.ส. มานี ใจดี", {"manee"}),
    ("นายมานะ", {"mana"}),
    ("Miss มานี ใจดี", {"manee"}),
    ("  มานี   ใจดี ", {"manee"}),
    ("มา", set()),  # one word is a whole name, not a part of one
    ("ใจ", set()),
    ("นาย", set()),  # a title alone is not a name
])
def test_name_search(people: dict[str, Request], users: Any, text: str, expected: set[str]) -> None:
    found = set(selectors.search(selectors.visible_requests(users["officer.cm"]), text))
    assert found == {people[k] for k in expected}, text
