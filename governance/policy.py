"""Policy as code: one YAML file, validated with pydantic, default deny, failing closed.

Anything not granted is denied: an agent may perform only the operations listed for it on the
systems listed for it. Unknown keys, wrong types, negative limits, duplicate YAML keys and
references to agents, systems or operations the policy does not declare are rejected with a
message naming the file, the key path and the problem. The policy version is the SHA-256 of the
validated content in canonical JSON, so comments and formatting never change it while any
change of meaning does. Every key is documented in docs/POLICY.md.

The parts of a policy (tiers, thresholds, approvers...) live in `governance.policy_models` and are
importable from here too.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from governance.action import canonical_json, sha256_hex
from governance.errors import PolicyError
from governance.operations import is_money_operation
from governance.policy_models import (
    OPERATION_PATTERN,
    SYSTEM_KINDS,
    AgentPolicy,
    AggregateLimit,
    Approver,
    Autonomy,
    CredentialPolicy,
    Escalation,
    EscalationRoute,
    ExchangeRates,
    GlobalSettings,
    GuardedValues,
    Identity,
    SodRule,
    SystemDecl,
    Threshold,
    Tier,
)

__all__ = [
    "MAX_POLICY_BYTES",
    "MAX_YAML_ALIASES",
    "MAX_YAML_DEPTH",
    "OPERATION_PATTERN",
    "SYSTEM_KINDS",
    "AgentPolicy",
    "AggregateLimit",
    "Approver",
    "Autonomy",
    "CredentialPolicy",
    "Escalation",
    "EscalationRoute",
    "ExchangeRates",
    "GlobalSettings",
    "GuardedValues",
    "Identity",
    "Policy",
    "SodRule",
    "SystemDecl",
    "Threshold",
    "Tier",
    "load_policy",
    "parse_policy",
]


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

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


try:  # libyaml's parser (PyYAML's wheels ship it): the same safe loading, about 8x faster
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]


class _UniqueKeyLoader(_SafeLoader):
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
    try:
        _check_events(yaml.parse(text, Loader=_SafeLoader), source)
    except yaml.YAMLError:
        # libyaml stops at caps of its own (a nesting depth of 1,000) in its own words: the
        # pure-Python parser walks the same events and names ours; any other error stands
        _check_events(yaml.parse(text, Loader=yaml.SafeLoader), source)
        raise


def _check_events(events: Iterable[yaml.Event], source: Path) -> None:
    depth = aliases = 0
    for event in events:
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
