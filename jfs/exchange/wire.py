"""The GDX wire format as strict pydantic models: what each endpoint must answer.

Unknown extra fields are ignored (partners add fields); missing or mistyped required fields
fail validation, which the client reports as a ``PartialAnswer``. Dates travel as
Buddhist-era ``YYYYMMDD`` strings; ``00`` stands for an unknown day or month (DOPA's rule for
ID cards that print no day or month of birth).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr


def _check_be_date(value: str) -> str:
    year, month, day = int(value[:4]), int(value[4:6]), int(value[6:])
    if year < 2400:
        raise ValueError("not a Buddhist-era year")
    if month and day:
        date(year - 543, month, day)  # raises ValueError for 25670231
    elif month > 12 or day > 31:
        raise ValueError("invalid month or day")
    return value


BeDate = Annotated[str, Field(pattern=r"^\d{8}$"), AfterValidator(_check_be_date)]
CitizenID = Annotated[str, Field(pattern=r"^\d{13}$")]
Text = Annotated[StrictStr, Field(min_length=1)]


def be_to_date(value: str | None) -> date | None:
    """A wire date as a Gregorian date; None when absent or partly unknown."""
    if not value or value[4:6] == "00" or value[6:] == "00":
        return None
    return date(int(value[:4]) - 543, int(value[4:6]), int(value[6:]))


def date_to_be(value: date) -> str:
    return f"{value.year + 543:04d}{value.month:02d}{value.day:02d}"


class Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


# --------------------------------------------------------------------------- GDX gateway


class TokenAnswer(Wire):
    """``GET /ws/auth/validate`` → ``{"Result": "<token>"}``."""

    Result: Text


# --------------------------------------------------------------------------- DOPA


class VerifyAnswer(Wire):
    """``GET /ws/dopa/verification/personal`` → ``{"Result": true|false}``."""

    Result: StrictBool


class DopaCardStatus(Wire):
    """DOPA's documented HTTP 500 answers for an abnormal card status (an answer, not an outage):
    Code 2 = card void after a change of address; Code 4 = laser code not found for the ID,
    or name / birth date do not match."""

    Code: Literal["2", "4", "[2]", "[4]"]
    Message: StrictStr = ""


class Profile(Wire):
    CitizenID: CitizenID
    TitleName: StrictStr = ""
    FirstName: Text
    LastName: Text
    BEBirthDate: BeDate


class ProfileAnswer(Wire):
    Result: Profile


class Address(Wire):
    CitizenID: CitizenID
    HouseNo: StrictStr
    SubdistrictCode: Annotated[str, Field(pattern=r"^\d{6}$")]
    DistrictCode: Annotated[str, Field(pattern=r"^\d{4}$")]
    ProvinceCode: Annotated[str, Field(pattern=r"^\d{2}$")]
    MovedInOn: BeDate | None = None


class AddressAnswer(Wire):
    Result: Address


# --------------------------------------------------------------------------- welfare, MSO, disability


class WelfareCard(Wire):
    CitizenID: CitizenID
    CardHolder: StrictBool
    IncomeBand: Literal["<=30000", "30001-100000", ">100000"]
    RegistrationRound: Text


class WelfareAnswer(Wire):
    Result: WelfareCard


class Household(Wire):
    CitizenID: CitizenID
    VulnerabilityLevel: Annotated[StrictInt, Field(ge=0, le=3)]
    HouseholdSize: StrictInt | None = None
    AssessedOn: BeDate


class HouseholdAnswer(Wire):
    Result: Household


class Disability(Wire):
    CitizenID: CitizenID
    Registered: StrictBool
    DisabilityType: StrictStr | None = None
    DisabilityTypeName: StrictStr | None = None
    CardExpiry: BeDate | None = None


class DisabilityAnswer(Wire):
    Result: Disability


# --------------------------------------------------------------------------- Justice DXC


class ArrestItem(Wire):
    RecordID: Text
    ArrestedOn: BeDate
    Agency: Text
    Charge: Text


class CourtCaseItem(Wire):
    RecordID: Text
    Court: Text
    CaseNumber: Text
    CaseKind: Text  # civil, criminal, administrative, labour, …
    Status: Text
    FiledOn: BeDate


class DetentionItem(Wire):
    RecordID: Text
    Place: Text
    Since: BeDate
    PretrialWithoutBail: StrictBool
    ReleasedOn: BeDate | None = None


class ProbationItem(Wire):
    RecordID: Text
    Office: Text
    Since: BeDate
    Until: BeDate
    Status: Text


class ArrestsAnswer(Wire):
    Result: list[ArrestItem]


class CourtCasesAnswer(Wire):
    Result: list[CourtCaseItem]


class DetentionsAnswer(Wire):
    Result: list[DetentionItem]


class ProbationsAnswer(Wire):
    Result: list[ProbationItem]
