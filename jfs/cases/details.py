"""Service-specific details of a request, validated by pydantic schemas.

The same schemas validate the staff forms, the API and the demo generator, and
give the OpenAPI document its shapes. Stored in ``Request.details`` (JSON).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

Money = Decimal


class _Details(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    def amount(self) -> Decimal:
        return Decimal(0)


class CostItems(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lawyer: Money = Field(default=Decimal(0), ge=0, max_digits=12, decimal_places=2)
    court_fee: Money = Field(default=Decimal(0), ge=0, max_digits=12, decimal_places=2)
    expert: Money = Field(default=Decimal(0), ge=0, max_digits=12, decimal_places=2)
    travel: Money = Field(default=Decimal(0), ge=0, max_digits=12, decimal_places=2)
    other: Money = Field(default=Decimal(0), ge=0, max_digits=12, decimal_places=2)

    def total(self) -> Decimal:
        return self.lawyer + self.court_fee + self.expert + self.travel + self.other


class LitigationDetails(_Details):
    """กทย.1 — help with litigation costs."""

    case_kind: Literal["civil", "criminal", "administrative", "labour", "other"]
    court: str = Field(min_length=2, max_length=200)
    case_number: str = Field(default="", max_length=60)
    party_role: Literal["plaintiff", "defendant", "injured_party", "accused", "other"]
    costs: CostItems

    @field_validator("costs")
    @classmethod
    def _something_requested(cls, v: CostItems) -> CostItems:
        if v.total() <= 0:
            raise ValueError("ต้องขออย่างน้อยหนึ่งรายการ (request at least one cost item)")
        return v

    def amount(self) -> Decimal:
        return self.costs.total()


class BailDetails(_Details):
    """กทย.2 — bail money for a detained suspect or defendant."""

    detainee_name: str = Field(min_length=2, max_length=200)
    detainee_national_id: str = Field(default="", max_length=13)
    charge: str = Field(min_length=2, max_length=300)
    held_at: str = Field(min_length=2, max_length=200)
    authority: Literal["court", "police"]
    authority_name: str = Field(min_length=2, max_length=200)
    bail_amount: Money = Field(gt=0, max_digits=12, decimal_places=2)

    def amount(self) -> Decimal:
        return self.bail_amount


class HumanRightsDetails(_Details):
    """กทย.3 — help for a victim of a human-rights violation."""

    violation: str = Field(min_length=2, max_length=1000)
    harm: str = Field(min_length=2, max_length=1000)
    remedy_requested: str = Field(min_length=2, max_length=1000)
    amount_requested: Money = Field(default=Decimal(0), ge=0, max_digits=12, decimal_places=2)

    def amount(self) -> Decimal:
        return self.amount_requested


class BudgetLine(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item: str = Field(min_length=1, max_length=200)
    amount: Money = Field(gt=0, max_digits=12, decimal_places=2)


class ProjectDetails(_Details):
    """กทย.4 — a legal-knowledge project by an organisation."""

    organisation: str = Field(min_length=2, max_length=200)
    organisation_registration_no: str = Field(default="", max_length=60)
    title: str = Field(min_length=2, max_length=300)
    plan: str = Field(min_length=2, max_length=3000)
    budget_lines: list[BudgetLine] = Field(min_length=1, max_length=50)
    participants: int = Field(gt=0, le=100000)

    def amount(self) -> Decimal:
        return sum((b.amount for b in self.budget_lines), Decimal(0))


class ConsultationDetails(_Details):
    """Legal consultation: topic, channel, advice given and any referral."""

    topic: str = Field(min_length=2, max_length=300)
    channel: Literal["counter", "phone", "online", "mobile_unit"]
    advice_given: str = Field(default="", max_length=3000)
    referral: str = Field(default="", max_length=300)


SCHEMAS: dict[str, type[_Details]] = {
    "LIT": LitigationDetails,
    "BAIL": BailDetails,
    "HR": HumanRightsDetails,
    "PROJECT": ProjectDetails,
    "CONSULT": ConsultationDetails,
}


class DetailsError(ValueError):
    def __init__(self, errors: list[dict[str, str]]):
        self.errors = errors
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))


def validate(service: str, data: dict[str, object]) -> _Details:
    schema = SCHEMAS.get(service)
    if schema is None:
        raise DetailsError([{"field": "service", "message": f"unknown service {service!r}"}])
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise DetailsError(
            [
                {"field": ".".join(str(p) for p in err["loc"]) or "details", "message": err["msg"]}
                for err in exc.errors()
            ]
        ) from None
