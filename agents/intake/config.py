"""Intake configuration: intent catalogue, required information, questions, escalation triggers.

One YAML file (`fixtures/intake/catalogue.yaml` by default), validated strictly so a typo in a
field name fails loudly instead of silently switching a check off.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from agents.errors import AgentConfigError
from connectors.fixture_files import fixture_path

DEFAULT_CONFIG = fixture_path("intake", "catalogue.yaml")


class IntakeConfigError(AgentConfigError):
    """The intake configuration file is missing, unreadable or invalid (names file and field)."""


class Resolution(StrEnum):
    """How an intent is resolved once everything required is known."""

    ORDER_STATUS = "order_status"
    CHANGE_ADDRESS = "change_address"
    CREDIT_MEMO = "credit_memo"
    INVOICE_COPY = "invoice_copy"
    CANCEL_SUBSCRIPTION = "cancel_subscription"
    """Stop the renewal of the subscription the customer means (asked when it is not clear which)."""
    ROUTE = "route"
    """Hand to a team's queue with the case file (no autonomous action exists for it)."""


class Slot(StrEnum):
    """Facts an intent can require; each has a follow-up question in `questions`."""

    ORDER_NUMBER = "order_number"
    NEW_ADDRESS = "new_address"
    AMOUNT = "amount"
    ORDER_OR_INVOICE_NUMBER = "order_or_invoice_number"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IntentSpec(_Strict):
    resolution: Resolution
    required: tuple[Slot, ...] = ()
    queue: str | None = None
    """The CRM queue for `route` intents."""

    @model_validator(mode="after")
    def _route_has_queue(self) -> IntentSpec:
        if self.resolution is Resolution.ROUTE and not self.queue:
            raise ValueError("a 'route' intent needs a queue")
        return self


class EscalationSpec(_Strict):
    default_queue: str
    vip_queue: str
    repeat_contacts: int = Field(ge=2)
    """Escalate when the customer has written this many times ..."""
    repeat_window_days: int = Field(ge=1)
    """... within this many days."""
    negative_words_threshold: int = Field(ge=1)
    legal_patterns: tuple[str, ...]
    regulatory_patterns: tuple[str, ...]
    churn_patterns: tuple[str, ...]
    chargeback_patterns: tuple[str, ...]
    human_patterns: tuple[str, ...]
    injection_patterns: tuple[str, ...]
    negative_words: tuple[str, ...]
    urgent_words: tuple[str, ...]

    @field_validator(
        "legal_patterns",
        "regulatory_patterns",
        "churn_patterns",
        "chargeback_patterns",
        "human_patterns",
        "injection_patterns",
    )
    @classmethod
    def _compiles(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad regular expression {pattern!r}: {exc}") from None
        return patterns


class IntakeConfig(_Strict):
    training_data: Path
    """Labelled CSV (text,label) the offline classifier learns from; relative to the config file."""
    models: Path | None = None
    """Model registry root (`opspack models --root`); when it holds a promoted version for intake
    (`REGISTRY_AGENT`), that model reads intents instead of one trained from `training_data`."""
    confidence_threshold: float = Field(gt=0, le=1)
    intents: dict[str, IntentSpec]
    questions: dict[str, str]
    escalation: EscalationSpec

    @model_validator(mode="after")
    def _questions_cover_slots(self) -> IntakeConfig:
        needed = {slot.value for spec in self.intents.values() for slot in spec.required}
        needed |= {"identity", "ambiguous_identity"}
        if any(spec.resolution is Resolution.CANCEL_SUBSCRIPTION for spec in self.intents.values()):
            needed.add("subscription")
        missing = sorted(needed - set(self.questions))
        if missing:
            raise ValueError(f"no follow-up question for {', '.join(missing)}")
        return self


def load_config(path: Path = DEFAULT_CONFIG) -> IntakeConfig:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise IntakeConfigError(f"{path}: cannot read intake configuration: {exc}") from None
    if not isinstance(data, dict):
        raise IntakeConfigError(f"{path}: expected a mapping at the top level")
    try:
        config = IntakeConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise IntakeConfigError(f"{path}: {where}: {first['msg']}") from None
    resolved = {
        name: (path.parent / value).resolve()
        for name in ("training_data", "models")
        if (value := getattr(config, name)) is not None and not value.is_absolute()
    }
    return config.model_copy(update=resolved) if resolved else config
