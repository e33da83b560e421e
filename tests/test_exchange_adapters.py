"""Every registry adapter against the real simulator over HTTP: answers, not-found, and disagreement."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from jfs.exchange.gdx import GdxClient, gdx_registries
from jfs.exchange.registries import Registries
from jfs.exchange.wire import date_to_be
from tests.exchange_support import (
    KANYA,
    MALEE,
    NOBODY,
    PRASERT,
    SOMCHAI,
    SOMYING,
    WANDEE,
    Known,
    Sim,
    configure,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(settings: Any, sim: Sim) -> Iterator[GdxClient]:
    configure(settings, sim)
    with GdxClient() as c:
        yield c


@pytest.fixture
def regs(client: GdxClient) -> Registries:
    return gdx_registries(client)


def verify(regs: Registries, k: Known, **typed: Any) -> Any:
    values: dict[str, Any] = {"first_name": k.first_name, "last_name": k.last_name, "birth": k.birth_date, "laser": k.laser_code}
    values.update(typed)
    return regs.population.verify_card(
        k.national_id, values["first_name"], values["last_name"], date_to_be(values["birth"]), values["laser"]
    )


# --------------------------------------------------------------------------- GDX token


def test_a_token_from_auth_validate_is_reused_across_calls(regs: Registries, sim: Sim) -> None:
    regs.welfare.welfare_card(SOMYING.national_id)
    regs.household.household(SOMYING.national_id)
    assert sim.calls("/ws/auth/validate") == 1
    assert sim.calls("/ws/mof/welfare/card") == 1 and sim.calls("/ws/msdhs/mso/household") == 1


# --------------------------------------------------------------------------- DOPA


def test_identity_card_verifies_when_every_field_matches(regs: Registries) -> None:
    answer = verify(regs, SOMYING)
    assert answer.valid and answer.status == "ok"


def test_identity_card_answer_is_false_when_the_surname_differs_from_the_registry(regs: Registries) -> None:
    answer = verify(regs, MALEE)  # the registry has her new surname
    assert not answer.valid and answer.status == "data_mismatch"


def test_identity_card_answer_is_false_for_another_birth_date(regs: Registries) -> None:
    assert verify(regs, PRASERT).status == "data_mismatch"


def test_identity_card_with_a_wrong_laser_code_is_reported_as_such(regs: Registries) -> None:
    answer = verify(regs, SOMYING, laser="JT0000000000")
    assert not answer.valid and answer.status == "laser_not_found"


def test_identity_card_void_after_a_change_of_address(regs: Registries) -> None:
    assert verify(regs, KANYA).status == "card_void"


def test_identity_card_of_someone_the_registry_does_not_know(regs: Registries) -> None:
    assert not verify(regs, NOBODY).valid


def test_dopa_card_status_answers_on_http_500_are_answers_not_retried(regs: Registries, sim: Sim) -> None:
    verify(regs, MALEE)
    assert sim.calls("/ws/dopa/verification/personal") == 1


def test_registered_person_from_the_linkage_center(regs: Registries) -> None:
    person = regs.population.person(SOMYING.national_id)
    assert person is not None
    assert (person.first_name, person.last_name, person.be_birth_date) == (
        SOMYING.first_name,
        SOMYING.last_name,
        date_to_be(SOMYING.birth_date),
    )
    other = regs.population.person(MALEE.national_id)
    assert other is not None and other.last_name != MALEE.last_name and other.first_name == MALEE.first_name


def test_registered_person_not_found(regs: Registries) -> None:
    assert regs.population.person(NOBODY.national_id) is None


def test_registered_address_has_real_geothai_codes(regs: Registries) -> None:
    import geothai

    addr = regs.population.address(SOMYING.national_id)
    assert addr is not None
    assert (addr.house_no, addr.subdistrict_code, addr.district_code, addr.province_code) == (
        "12 หมู่ 3",
        "500101",
        "5001",
        "50",
    )
    moved = regs.population.address(WANDEE.national_id)
    assert moved is not None and moved.subdistrict_code != WANDEE.subdistrict_code
    sub = geothai.subdistrict(moved.subdistrict_code)
    assert sub is not None and sub.district_code == moved.district_code and sub.province_code == moved.province_code


def test_registered_address_not_found(regs: Registries) -> None:
    assert regs.population.address(NOBODY.national_id) is None


# --------------------------------------------------------------------------- welfare, MSO, disability


def test_welfare_card_holder_and_income_band(regs: Registries) -> None:
    card = regs.welfare.welfare_card(SOMYING.national_id)
    assert card is not None and card.card_holder and card.income_band == "<=30000" and card.registration_round == "2565"
    other = regs.welfare.welfare_card(MALEE.national_id)
    assert other is not None and not other.card_holder and other.income_band == "30001-100000"


def test_welfare_card_not_registered(regs: Registries) -> None:
    assert regs.welfare.welfare_card(SOMCHAI.national_id) is None


def test_vulnerable_household_level(regs: Registries) -> None:
    h = regs.household.household(SOMYING.national_id)
    assert h is not None and h.vulnerability_level == 2 and h.household_size == 4
    assert h.assessed_on == date(2024, 3, 1)
    assert regs.household.household(SOMCHAI.national_id) is None


def test_disability_registration(regs: Registries) -> None:
    d = regs.disability.disability(SOMYING.national_id)
    assert d is not None and d.registered and d.disability_type == "3" and d.card_expiry == date(2037, 1, 1)
    assert d.disability_type_name
    none = regs.disability.disability(SOMCHAI.national_id)
    assert none is not None and not none.registered and none.card_expiry is None
    assert regs.disability.disability(NOBODY.national_id) is None


# --------------------------------------------------------------------------- Justice DXC


def _rows(sim: Sim, sql: str, *args: Any) -> list[Any]:
    with sqlite3.connect(sim.data) as conn:
        return conn.execute(sql, args).fetchall()


def test_justice_arrests_and_charges(regs: Registries) -> None:
    arrests = regs.justice.arrests(SOMCHAI.national_id)
    assert [a.charge for a in arrests] == ["ลักทรัพย์"]
    assert arrests[0].arrested_on is not None and arrests[0].arrested_on < date(2026, 1, 5)


def test_justice_court_cases(regs: Registries) -> None:
    cases = regs.justice.court_cases(SOMYING.national_id)
    assert [(c.court, c.case_number, c.case_kind) for c in cases] == [("ศาลจังหวัดเชียงใหม่", "พ.123/2569", "civil")]
    criminal = regs.justice.court_cases(SOMCHAI.national_id)
    assert [(c.case_kind, c.status) for c in criminal] == [("criminal", "pending")]


def test_justice_detention_including_pretrial_without_bail(regs: Registries, sim: Sim) -> None:
    detentions = regs.justice.detentions(SOMCHAI.national_id)
    expected = _rows(
        sim, "SELECT place, pretrial_without_bail FROM detention WHERE citizen_id = ?", SOMCHAI.national_id
    )
    assert [(d.place, d.pretrial_without_bail) for d in detentions] == [(p, bool(b)) for p, b in expected]
    assert detentions[0].place == "เรือนจำกลางเชียงใหม่" and detentions[0].released_on is None


def test_justice_probation(regs: Registries) -> None:
    probations = regs.justice.probations(SOMCHAI.national_id)
    assert [(p.status, p.since, p.until) for p in probations] == [("completed", date(2021, 1, 1), date(2022, 1, 1))]


def test_justice_records_of_someone_with_none_are_empty(regs: Registries) -> None:
    assert regs.justice.arrests(NOBODY.national_id) == []
    assert regs.justice.court_cases(NOBODY.national_id) == []
    assert regs.justice.detentions(NOBODY.national_id) == []
    assert regs.justice.probations(NOBODY.national_id) == []
