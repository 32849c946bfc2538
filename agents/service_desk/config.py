"""Service desk configuration: playbook choices, aliases, assignment groups, SLA targets, cues.

One YAML file (`fixtures/service_desk/config.yaml` by default), validated strictly so a typo in a
key fails loudly instead of silently switching a safeguard off. What the agent may *do* stays in
the policy; this file says how it reads tickets and which choices its playbooks make.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from agents.errors import AgentConfigError
from connectors.fixture_files import fixture_path
from connectors.itsm.models import Priority

DEFAULT_CONFIG = fixture_path("service_desk", "config.yaml")


class ServiceDeskConfigError(AgentConfigError):
    """The configuration file is missing, unreadable or invalid (names the file and the field)."""


class Category(StrEnum):
    """What a ticket is about; the classifier's labels plus the agent's own fallback."""

    PASSWORD_RESET = "password_reset"
    ACCOUNT_UNLOCK = "account_unlock"
    ACCESS_REQUEST = "access_request"
    SOFTWARE_REQUEST = "software_request"
    HARDWARE = "hardware"
    HR_POLICY_QUESTION = "hr_policy_question"
    PROCUREMENT_INQUIRY = "procurement_inquiry"
    INCIDENT_OTHER = "incident_other"
    UNCLASSIFIED = "unclassified"
    """Below the confidence threshold, or none of the categories (out of scope)."""


class Delivery(StrEnum):
    """How a new credential reaches its owner; never through the ticket."""

    DIRECTORY_EMAIL = "directory_email"
    """The directory e-mails its own reset link (Okta ``sendEmail``)."""
    VERIFIED_EMAIL = "verified_email"
    """The agent's delivery channel sends it to the address the directory holds for the person."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cues(_Strict):
    """Regular expressions (case-insensitive) that make the agent stop, never act."""

    injection: tuple[str, ...]
    identity_claim: tuple[str, ...]
    credential_channel: tuple[str, ...]
    pressure: tuple[str, ...]
    third_party: tuple[str, ...]
    change_request: tuple[str, ...]

    @field_validator("*")
    @classmethod
    def _compiles(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad regular expression {pattern!r}: {exc}") from None
        return patterns


SECURITY_QUEUE_KEY = "security"
"""The `assignment_groups` key for suspected social engineering, whatever the category."""


class ServiceDeskConfig(_Strict):
    training_data: Path
    """Labelled CSV (text,label) the classifier learns from; relative to the config file."""
    knowledge_base: Path
    """Folder of knowledge articles the HR/policy playbook answers from."""
    models: Path | None = None
    """Model registry root (`opspack models --root`); when it holds a promoted version for the
    service desk, that model classifies instead of one trained from `training_data`."""
    queue_group: str = Field(min_length=1)
    max_attempts: int = Field(default=3, ge=1)
    """Passes over a ticket whose writes keep failing before it is reported stuck."""
    managers_may_reset: bool = False
    """Whether the target's manager (as the directory records it) may ask for a reset or unlock."""
    delivery: dict[str, Delivery]
    """Per directory connection name."""
    self_service_groups: tuple[str, ...]
    """Directory groups granted without a human; everything else is escalated or held."""
    group_aliases: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    catalogue_aliases: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    assignment_groups: dict[str, str]
    """Per category, plus `security`."""
    sla_hours: dict[Priority, float]
    sla_warning_share: float = Field(default=0.75, gt=0, le=1)
    cues: Cues

    @model_validator(mode="after")
    def _complete(self) -> ServiceDeskConfig:
        wanted = {c.value for c in Category} | {SECURITY_QUEUE_KEY}
        unknown = sorted(set(self.assignment_groups) - wanted)
        if unknown:
            raise ValueError(f"assignment_groups: unknown key(s) {', '.join(unknown)}")
        missing = sorted(wanted - set(self.assignment_groups))
        if missing:
            raise ValueError(f"assignment_groups: no group for {', '.join(missing)}")
        unset = [p.value for p in Priority if p not in self.sla_hours]
        if unset:
            raise ValueError(f"sla_hours: no target for priority {', '.join(unset)}")
        if any(hours <= 0 for hours in self.sla_hours.values()):
            raise ValueError("sla_hours: every target must be positive")
        return self

    def group_for(self, category: Category | str) -> str:
        return self.assignment_groups[str(category)]

    def delivery_for(self, directory_system: str) -> Delivery:
        """How credentials are delivered on this directory; the safe channel when not configured."""
        return self.delivery.get(directory_system, Delivery.VERIFIED_EMAIL)

    def is_self_service(self, group_name: str) -> bool:
        folded = group_name.strip().casefold()
        return any(folded == name.strip().casefold() for name in self.self_service_groups)


def load_config(path: Path = DEFAULT_CONFIG) -> ServiceDeskConfig:
    """Read and validate the configuration; relative paths are resolved against its folder."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ServiceDeskConfigError(f"{path}: cannot read service desk configuration: {exc}") from None
    if not isinstance(data, dict):
        raise ServiceDeskConfigError(f"{path}: expected a mapping at the top level")
    try:
        config = ServiceDeskConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ServiceDeskConfigError(f"{path}: {where}: {first['msg']}") from None
    resolved = {
        name: (path.parent / value).resolve()
        for name in ("training_data", "knowledge_base", "models")
        if (value := getattr(config, name)) is not None and not value.is_absolute()
    }
    return config.model_copy(update=resolved) if resolved else config
