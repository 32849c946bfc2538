"""What measurement is configured with (human minutes, costs, critical root causes) and the error
it raises; read by `governance.transactions` and `governance.metrics` alike."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from governance.errors import GovernanceError

Disposition = Literal["autonomous", "held", "escalated", "denied", "shadowed", "open"]
DISPOSITIONS: tuple[Disposition, ...] = ("autonomous", "held", "escalated", "denied", "shadowed", "open")


class MeasurementError(GovernanceError):
    """Measurement cannot proceed: bad configuration, bad input file, or data it cannot price."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HumanMinutes(_Strict):
    """Human minutes one transaction costs, by how it was handled."""

    autonomous: float = Field(ge=0)
    """Spot checks and on-the-loop review of an autonomously handled transaction."""
    approval: float = Field(ge=0)
    """Reviewing the case file and deciding a held action."""
    escalation: float = Field(ge=0)
    """A person handles the escalated case."""
    manual: float = Field(ge=0)
    """Shadowed or denied: a person does the whole job (the handle time without an agent)."""
    correction: float = Field(default=0, ge=0)
    """Extra minutes for finding and correcting a wrong outcome."""

    def for_disposition(self, disposition: Disposition) -> float:
        return {
            "autonomous": self.autonomous,
            "held": self.approval,
            "escalated": self.escalation,
            "denied": self.manual,
            "shadowed": self.manual,
            "open": 0.0,
        }[disposition]


class CostConfig(_Strict):
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    loaded_rate_per_hour: Decimal = Field(gt=0)
    """Fully loaded cost of one hour of the people who do this work."""
    human_minutes: dict[str, HumanMinutes]
    """Per agent; ``default`` applies to agents not listed (and is required)."""
    llm_fx: dict[str, Decimal] = Field(default_factory=dict)
    """Conversion of LLM usage cost currencies into `currency` (``USD: 0.92``)."""
    sla_hours: dict[str, float] = Field(default_factory=dict)
    """Per agent SLA (``default`` for the rest) for transactions whose verdict carries no route."""

    @model_validator(mode="after")
    def _default_minutes(self) -> CostConfig:
        if "default" not in self.human_minutes:
            raise ValueError("human_minutes needs a 'default' entry")
        return self

    def minutes(self, agent: str) -> HumanMinutes:
        return self.human_minutes.get(agent, self.human_minutes["default"])

    def fx(self, currency: str) -> Decimal:
        if currency == self.currency:
            return Decimal(1)
        if currency not in self.llm_fx:
            raise MeasurementError(
                f"LLM usage is priced in {currency} but costs.llm_fx has no rate from {currency} "
                f"to {self.currency}; add one to the autonomy config"
            )
        return self.llm_fx[currency]


class MetricsConfig(_Strict):
    costs: CostConfig
    critical_root_causes: tuple[str, ...] = ()
    """Correction root causes that count as critical errors (block promotion, force demotion)."""
