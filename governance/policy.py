"""Policy as code: one YAML file, validated with pydantic, default deny, failing closed.

Anything not granted is denied: an agent may perform only the operations listed for it on the
systems listed for it. Unknown keys, wrong types, negative limits, duplicate YAML keys and
references to agents, systems or operations the policy does not declare are rejected with a
message naming the file, the key path and the problem. The policy version is the SHA-256 of the
validated content in canonical JSON, so comments and formatting never change it while any
change of meaning does. Every key is documented in docs/POLICY.md.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from enum import StrEnum
from fnmatch import fnmatchcase
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from governance.action import canonical_json, sha256_hex
from governance.errors import PolicyError
from governance.operations import is_money_operation

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


class Policy(_Strict):
    version_label: str = ""
    """Free text for humans; the real version is `version`, the content hash."""
    settings: GlobalSettings = GlobalSettings()
    systems: dict[str, SystemDecl] = Field(min_length=1)
    agents: dict[str, AgentPolicy] = Field(min_length=1)
    approvers: dict[str, Approver] = Field(default_factory=dict)
    segregation_of_duties: tuple[SodRule, ...] = ()

    @model_validator(mode="after")
    def _references(self) -> Policy:
        problems: list[str] = []
        for agent_name, agent in self.agents.items():
            base = f"agents.{agent_name}"
            for system, operations in agent.systems.items():
                decl = self.systems.get(system)
                if decl is None:
                    problems.append(f"{base}.systems.{system}: unknown system (declare it under 'systems')")
                    continue
                for op in operations:
                    if op.split(".", 1)[0] != decl.kind:
                        problems.append(
                            f"{base}.systems.{system}: operation {op!r} does not belong to a "
                            f"'{decl.kind}' system"
                        )
            allowed = agent.operations
            for section, keys in (
                ("thresholds", agent.thresholds),
                ("autonomy.classes", agent.autonomy.classes),
            ):
                for op in keys:
                    if op not in allowed:
                        problems.append(f"{base}.{section}.{op}: operation is not granted to this agent")
            for op in agent.thresholds:
                if op in allowed and not is_money_operation(op):
                    problems.append(
                        f"{base}.thresholds.{op}: operation moves no money (governance/operations.py), "
                        "so a cap on it could never be checked"
                    )
            for i, aggregate in enumerate(agent.aggregates):
                for op in aggregate.operations:
                    if op != "*" and op not in allowed:
                        problems.append(
                            f"{base}.aggregates[{i}].operations: {op!r} is not granted to this agent"
                        )
            for i, guard in enumerate(agent.guarded_values):
                if guard.operation not in allowed:
                    problems.append(
                        f"{base}.guarded_values[{i}].operation: {guard.operation!r} is not granted to this agent"
                    )
                for approver_id in guard.approvers:
                    entry = self.approvers.get(approver_id)
                    if entry is None or agent_name not in entry.may_approve:
                        problems.append(
                            f"{base}.guarded_values[{i}].approvers: {approver_id!r} is not an approver "
                            f"for this agent"
                        )
            for system in agent.credentials:
                if system not in agent.systems:
                    problems.append(f"{base}.credentials.{system}: agent has no access to this system")
        owners: dict[str, str] = {}
        for agent_name, agent in self.agents.items():
            other = owners.setdefault(agent.identity.id, agent_name)
            if other != agent_name:
                problems.append(
                    f"agents.{agent_name}.identity.id: {agent.identity.id!r} is already the identity of "
                    f"{other!r}; every agent needs its own identity"
                )
        for approver_id, approver in self.approvers.items():
            for agent_name in approver.may_approve:
                if agent_name not in self.agents:
                    problems.append(f"approvers.{approver_id}.may_approve: unknown agent {agent_name!r}")
            if approver_id in self.agents:
                problems.append(f"approvers.{approver_id}: an agent identity cannot be an approver")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @cached_property
    def version(self) -> str:
        """SHA-256 of the canonical content: changes with meaning, never with formatting."""
        return sha256_hex(canonical_json(self.model_dump()))

    @property
    def approval_ttl(self) -> timedelta:
        return timedelta(hours=self.settings.approval_ttl_hours)

    def agent(self, name: str) -> AgentPolicy:
        try:
            return self.agents[name]
        except KeyError:
            raise PolicyError(f"unknown agent {name!r}; the policy declares {sorted(self.agents)}") from None

    def may_approve(self, approver: str, agent: str) -> bool:
        entry = self.approvers.get(approver)
        return entry is not None and agent in entry.may_approve


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses duplicate keys instead of silently keeping the last one."""


def _construct_mapping(
    loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False
) -> dict[Any, Any]:
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in mapping:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _format_validation(source: str, exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        path = ".".join(str(part) for part in error["loc"]) or "(top level)"
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown key (not part of the policy schema)"
        lines.append(f"{source}: {path}: {message}")
    return "\n".join(lines)


def parse_policy(data: Any, *, source: str = "<policy>") -> Policy:
    """Validate already-parsed YAML/JSON data into a `Policy`, or raise `PolicyError`."""
    if not isinstance(data, dict):
        raise PolicyError(f"{source}: the policy must be a mapping at the top level")
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(_format_validation(source, exc)) from None


MAX_POLICY_BYTES = 1024 * 1024
MAX_YAML_DEPTH = 32
MAX_YAML_ALIASES = 100
"""Caps checked on the YAML event stream (an iterative parser) before anything is built: a
deeply nested document would overflow PyYAML's recursive composer, and aliases can multiply
what validation walks (a "billion laughs")."""


def _check_yaml_shape(text: str, source: Path) -> None:
    depth = aliases = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark else "?"
                raise PolicyError(f"{source}: YAML nested deeper than {MAX_YAML_DEPTH} levels (line {line})")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_YAML_ALIASES:
                raise PolicyError(f"{source}: more than {MAX_YAML_ALIASES} YAML aliases")


def load_policy(path: str | Path) -> Policy:
    """Read, validate and return the policy at `path`; any problem raises `PolicyError`."""
    file = Path(path)
    try:
        if file.stat().st_size > MAX_POLICY_BYTES:
            raise PolicyError(f"{file}: policy file is larger than {MAX_POLICY_BYTES} bytes")
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError(f"{file}: policy file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{file}: cannot read policy file: {exc}") from None
    try:
        _check_yaml_shape(text, file)
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        raise PolicyError(f"{file}: not valid YAML: {exc}") from None
    except RecursionError:
        raise PolicyError(f"{file}: YAML nested too deeply to read") from None
    return parse_policy(data, source=str(file))
