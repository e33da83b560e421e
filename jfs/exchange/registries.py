"""What each registry can tell us: one small interface per registry and the facts it returns.

The real implementation of every interface is ``jfs.exchange.gdx`` (HTTP, GDX wire format);
offline it talks to the registry simulator (``registry_sim``), so there is no in-process fake.
Every method raises ``jfs.exchange.errors.ExchangeError`` when no answer could be had, and
returns ``None`` (or an empty list) when the registry holds no record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

DOPA = "dopa"
WELFARE = "mof_welfare"
MSO = "msdhs_mso"
DISABILITY = "dep_disability"
DXC = "moj_dxc"


@dataclass(frozen=True)
class CardVerification:
    """DOPA's answer about an ID card: valid, or why not (``ok``, ``data_mismatch``,
    ``laser_not_found``, ``card_void``, ``not_valid``)."""

    valid: bool
    status: str


@dataclass(frozen=True)
class RegisteredPerson:
    citizen_id: str
    title: str
    first_name: str
    last_name: str
    be_birth_date: str  # YYYYMMDD, Buddhist era; 00 = unknown part


@dataclass(frozen=True)
class RegisteredAddress:
    house_no: str
    subdistrict_code: str
    district_code: str
    province_code: str
    moved_in_on: date | None


@dataclass(frozen=True)
class WelfareCard:
    card_holder: bool
    income_band: str  # "<=30000" | "30001-100000" | ">100000" (THB a year)
    registration_round: str


@dataclass(frozen=True)
class HouseholdAssessment:
    vulnerability_level: int  # 0 (not vulnerable) … 3 (most vulnerable)
    household_size: int | None
    assessed_on: date | None


@dataclass(frozen=True)
class DisabilityRegistration:
    registered: bool
    disability_type: str | None
    disability_type_name: str | None
    card_expiry: date | None


@dataclass(frozen=True)
class Arrest:
    record_id: str
    arrested_on: date | None
    agency: str
    charge: str


@dataclass(frozen=True)
class CourtCase:
    record_id: str
    court: str
    case_number: str
    case_kind: str
    status: str
    filed_on: date | None


@dataclass(frozen=True)
class Detention:
    record_id: str
    place: str
    since: date | None
    pretrial_without_bail: bool
    released_on: date | None


@dataclass(frozen=True)
class Probation:
    record_id: str
    office: str
    since: date | None
    until: date | None
    status: str


class PopulationRegistry(Protocol):
    """DOPA (กรมการปกครอง): ID card verification, registered person, house registration."""

    registry: str

    def verify_card(
        self, citizen_id: str, first_name: str, last_name: str, be_birth_date: str, laser_code: str
    ) -> CardVerification: ...

    def person(self, citizen_id: str) -> RegisteredPerson | None: ...

    def address(self, citizen_id: str) -> RegisteredAddress | None: ...


class WelfareRegistry(Protocol):
    """State welfare card (บัตรสวัสดิการแห่งรัฐ): holder or not, assessed income band."""

    registry: str

    def welfare_card(self, citizen_id: str) -> WelfareCard | None: ...


class HouseholdRegistry(Protocol):
    """MSO logbook of vulnerable households (graded 0–3)."""

    registry: str

    def household(self, citizen_id: str) -> HouseholdAssessment | None: ...


class DisabilityRegistry(Protocol):
    """Disability registration (บัตรประจำตัวคนพิการ)."""

    registry: str

    def disability(self, citizen_id: str) -> DisabilityRegistration | None: ...


class JusticeRecords(Protocol):
    """Justice Data Exchange Center (DXC): police, courts, corrections, probation."""

    registry: str

    def arrests(self, citizen_id: str) -> list[Arrest]: ...

    def court_cases(self, citizen_id: str) -> list[CourtCase]: ...

    def detentions(self, citizen_id: str) -> list[Detention]: ...

    def probations(self, citizen_id: str) -> list[Probation]: ...


@dataclass
class Registries:
    population: PopulationRegistry
    welfare: WelfareRegistry
    household: HouseholdRegistry
    disability: DisabilityRegistry
    justice: JusticeRecords
