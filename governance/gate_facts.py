"""What the gate asks to be told: the running totals (`AggregateKey`) and segregation-of-duties
facts (`SodQuery`) an action needs, and the `Context` they arrive in. `governance.context` reads
them; the gate (`governance.gate.evaluate`) judges them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from governance.action import Action
from governance.operations import canonical_key
from governance.policy import AggregateLimit, Policy


@dataclass(frozen=True)
class AggregateKey:
    """One running total the gate needs: which operations, measured how, for whom, since when."""

    agent: str
    name: str
    operations: tuple[str, ...]
    measure: str
    per: str
    per_value: str
    window_start: datetime
    currency: str | None
    window: str
    """The calendar period (hour, day, month) that starts at `window_start`."""


@dataclass(frozen=True)
class SodQuery:
    """Who requested or approved any of `operations` for `counterparty` since `since`."""

    rule: str
    operations: tuple[str, ...]
    counterparty: str
    since: datetime


@dataclass(frozen=True)
class Context:
    policy: Policy
    now: datetime
    totals: Mapping[AggregateKey, Decimal] = field(default_factory=dict)
    """Current totals *before* this action, keyed as `required_aggregates` returned them."""
    approver: str | None = None
    """Set when an approval is being used: maker = checker and SoD rules then apply."""
    sod_facts: Mapping[SodQuery, frozenset[str]] = field(default_factory=dict)
    """Answers to `required_sod_facts`: the people involved in the earlier changes."""


def window_start(window: str, now: datetime) -> datetime:
    now = now.astimezone(UTC)
    if window == "hour":
        return now.replace(minute=0, second=0, microsecond=0)
    if window == "day":
        return now.replace(hour=0, minute=0, second=0, microsecond=0)
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def per_value(limit: AggregateLimit, action: Action) -> str | None:
    """The bucket of `action` in `limit`, canonicalised; None when the action names none."""
    if limit.per == "agent":
        return action.agent
    if limit.per == "target":
        return canonical_key(action.target)
    return canonical_key(action.counterparty)


def required_aggregates(action: Action, policy: Policy, now: datetime) -> list[AggregateKey]:
    """The running totals `evaluate` will look up for `action` at `now`."""
    agent = policy.agents.get(action.agent)
    if agent is None:
        return []
    keys = []
    for limit in agent.aggregates:
        value = per_value(limit, action)
        if not limit.counts(action.operation) or value is None:
            continue
        keys.append(
            AggregateKey(
                agent=action.agent,
                name=limit.name,
                operations=limit.operations,
                measure=limit.measure,
                per=limit.per,
                per_value=value,
                window_start=window_start(limit.window, now),
                currency=limit.currency,
                window=limit.window,
            )
        )
    return keys


def required_sod_facts(action: Action, policy: Policy, now: datetime) -> list[SodQuery]:
    """The segregation-of-duties facts `evaluate` needs when an approver is named."""
    counterparty = canonical_key(action.counterparty)
    if counterparty is None:
        return []
    return [
        SodQuery(rule.name, rule.changed_by, counterparty, now - timedelta(days=rule.window_days))
        for rule in policy.segregation_of_duties
        if action.operation in rule.cannot_approve
    ]
