"""The parts of a policy (`governance.policy.Policy`): autonomy tiers, systems, the agent's identity,
thresholds, exchange rates, aggregate limits, escalation, autonomy classes, guarded values,
credentials, approvers, segregation-of-duties rules and the global settings. Each is a strict
pydantic model: unknown keys and wrong types are refused. Every key is documented in docs/POLICY.md.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from fnmatch import fnmatchcase
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

OPERATION_PATTERN = r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_.]*$"
SYSTEM_KINDS = ("erp", "itsm", "crm", "directory", "email", "kb")


class Tier(StrEnum):
    """Autonomy tiers, from least to most autonomous."""

    SHADOW = "shadow"
    HITL = "hitl"
    HOTL = "hotl"
    HOOTL = "hootl"

    @property
    def rank(self) -> int:
        return list(Tier).index(self)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SystemDecl(_Strict):
    kind: Literal["erp", "itsm", "crm", "directory", "email", "kb"]
    """Which Protocol the system speaks; an operation's prefix must match it."""
    description: str = ""


class Identity(_Strict):
    id: str = Field(min_length=1)
    """The agent's own non-human identity (never shared, never a person's account)."""
    owner: str = Field(min_length=1)
    """The accountable human owner of the agent."""
    description: str = ""


class Threshold(_Strict):
    max_amount: Decimal = Field(ge=0)
    """Largest amount the agent may move on its tier alone; equal is allowed, more is held."""
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    deny_above: Decimal | None = Field(default=None, ge=0)
    """Optional hard ceiling: above it the action is denied outright, approval or not."""

    caps: dict[str, Decimal] = Field(default_factory=dict)
    """Optional caps in other currencies (``{GBP: 21000.00}``); the hard ceiling scales with them."""

    @model_validator(mode="after")
    def _ceiling_above_cap(self) -> Threshold:
        if self.deny_above is not None and self.deny_above < self.max_amount:
            raise ValueError("deny_above must be at least max_amount")
        for code, cap in self.caps.items():
            if len(code) != 3 or not code.isupper() or cap < 0:
                raise ValueError(f"caps: {code!r}: {cap} needs an ISO 4217 code and a non-negative cap")
        return self

    def limits_in(self, currency: str | None, rates: ExchangeRates) -> tuple[Decimal, Decimal | None] | None:
        """(cap, hard ceiling) in `currency`: the threshold's own, a per-currency cap, or both
        converted through the policy's rates table; None when the amount cannot be judged."""
        if currency == self.currency:
            return self.max_amount, self.deny_above
        if currency is None:
            return None
        if currency in self.caps:
            cap = self.caps[currency]
            scaled = (
                None
                if self.deny_above is None or not self.max_amount
                else self.deny_above * cap / self.max_amount
            )
            return cap, scaled
        factor = rates.factor(self.currency, currency)
        if factor is None:
            return None
        return self.max_amount * factor, None if self.deny_above is None else self.deny_above * factor


class ExchangeRates(_Strict):
    """A rates table for judging amounts against caps in another currency (policy
    ``settings.exchange_rates``): ``rates[X]`` is the value of one X in ``base``."""

    base: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    rates: dict[str, Decimal] = Field(default_factory=dict)

    def factor(self, source: str, target: str) -> Decimal | None:
        """How many `target` one `source` is worth, or None when the table lacks either."""
        value = {**self.rates, self.base: Decimal(1)}
        if source not in value or target not in value or value[target] <= 0:
            return None
        return value[source] / value[target]


class AggregateLimit(_Strict):
    name: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$")
    operations: tuple[str, ...] = Field(min_length=1)
    """Operations counted; ``"*"`` counts every operation of the agent."""
    measure: Literal["sum", "count"]
    per: Literal["counterparty", "agent", "target"]
    window: Literal["hour", "day", "month"]
    """Calendar window in UTC: the current clock hour, day or month."""
    limit: Decimal = Field(ge=0)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    """Required for ``sum``: amounts in other currencies never add up silently (they are held)."""

    @model_validator(mode="after")
    def _currency_for_sums(self) -> AggregateLimit:
        if self.measure == "sum" and self.currency is None:
            raise ValueError("a 'sum' aggregate needs a currency")
        if self.measure == "count" and self.limit != self.limit.to_integral_value():
            raise ValueError("a 'count' limit must be a whole number")
        return self

    def counts(self, operation: str) -> bool:
        return "*" in self.operations or operation in self.operations


class EscalationRoute(_Strict):
    queue: str = Field(min_length=1)
    """Queue or assignment group that receives the case."""
    sla_hours: float = Field(gt=0)


class Escalation(_Strict):
    default: EscalationRoute
    routes: dict[str, EscalationRoute] = Field(default_factory=dict)
    """Per reason code (``price_variance``, ``over_threshold``, ...) where it differs from default."""

    def route_for(self, codes: list[str]) -> EscalationRoute:
        for code in codes:
            if code in self.routes:
                return self.routes[code]
        return self.default


class Autonomy(_Strict):
    default: Tier = Tier.HITL
    classes: dict[str, Tier] = Field(default_factory=dict)
    """Tier per action class (an operation name)."""

    def tier_for(self, operation: str) -> Tier:
        return self.classes.get(operation, self.default)


class GuardedValues(_Strict):
    """Values of one parameter that always need a named human, whatever the operation's tier.

    ``directory.add_group_member`` may run autonomously for ordinary groups while a grant to
    ``Domain Admins`` waits for the group owner: the rule names the operation, the parameter and
    the values (case-insensitive, ``fnmatch`` globs allowed). An action of that operation whose
    parameter is missing or not a string matches too: a rule that a missing field could bypass
    would fail open.
    """

    name: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$")
    operation: str = Field(pattern=OPERATION_PATTERN)
    param: str = Field(min_length=1)
    values: tuple[str, ...] = Field(min_length=1)
    approvers: tuple[str, ...] = ()
    """When set, only these approvers may approve a matching action (the owners of the resource)."""

    def matches(self, operation: str, params: dict[str, Any]) -> bool:
        if operation != self.operation:
            return False
        value = params.get(self.param)
        if not isinstance(value, str) or not value.strip():
            return True
        folded = value.strip().casefold()
        return any(fnmatchcase(folded, pattern.casefold()) for pattern in self.values)


class CredentialPolicy(_Strict):
    rotation_days: int = Field(gt=0)


class AgentPolicy(_Strict):
    identity: Identity
    kill_switch: bool = False
    systems: dict[str, tuple[str, ...]]
    """Least privilege: system name -> the operations allowed there. Nothing else is allowed."""
    autonomy: Autonomy = Autonomy()
    thresholds: dict[str, Threshold] = Field(default_factory=dict)
    aggregates: tuple[AggregateLimit, ...] = ()
    guarded_values: tuple[GuardedValues, ...] = ()
    """Parameter values that hold an action for approval (and, optionally, for named approvers)."""
    escalation: Escalation
    credentials: dict[str, CredentialPolicy] = Field(default_factory=dict)
    confidence_threshold: float = Field(default=0.9, ge=0, le=1)
    """Perception confidence below which the agent escalates instead of acting."""

    @field_validator("systems")
    @classmethod
    def _operation_names(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        import re

        for system, operations in value.items():
            for operation in operations:
                if not re.match(OPERATION_PATTERN, operation):
                    raise ValueError(
                        f"{system}: {operation!r} is not an operation name like 'erp.post_invoice'"
                    )
        return value

    def allowed(self, system: str, operation: str) -> bool:
        return operation in self.systems.get(system, ())

    @property
    def operations(self) -> set[str]:
        return {op for ops in self.systems.values() for op in ops}


class Approver(_Strict):
    name: str = Field(min_length=1)
    may_approve: tuple[str, ...] = Field(min_length=1)
    """Agents whose held actions this person may decide."""


class SodRule(_Strict):
    name: str = Field(min_length=1)
    changed_by: tuple[str, ...] = Field(min_length=1)
    """Operations whose requester or approver for a counterparty ..."""
    cannot_approve: tuple[str, ...] = Field(min_length=1)
    """... may not approve these operations for the same counterparty."""
    window_days: int = Field(default=90, gt=0)


class GlobalSettings(_Strict):
    kill_switch: bool = False
    approval_ttl_hours: float = Field(default=72, gt=0)
    hotl_review_hours: float = Field(default=24, gt=0)
    exchange_rates: ExchangeRates = Field(default_factory=lambda: ExchangeRates())
    """Optional rates table; caps in one currency then also judge amounts in the others."""
