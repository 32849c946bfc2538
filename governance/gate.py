"""The gate: a pure function from an action and its context to a verdict.

    evaluate(action, context) -> Verdict(decision, reasons, tier, policy_version, route)

It reads nothing and writes nothing; everything it needs -- the policy, the clock, the running
totals for aggregate limits, who recently changed what (segregation of duties), the approver when
an approval is being used -- arrives in `Context`. The caller asks `required_aggregates` and
`required_sod_facts` (`governance.gate_facts`) which totals and facts to read, so the store queries
live in one place (`governance.context`); verdicts are `governance.verdict`.

Order of checks, first match wins for deny:
1. kill switches (global, agent) -> deny
2. unknown agent, unknown system, operation not granted on that system -> deny (default deny)
3. binding (amount, currency or counterparty not what the parameters write), money operations
   without an amount or with an amount <= 0 (credit operations are judged on the absolute value),
   hard ceilings (`deny_above`) and, when an approver is named, maker = checker, approver rights
   and segregation-of-duties rules (also when no counterparty lets them be checked) -> deny
4. tier `shadow` -> shadow (record what would have been done)
5. thresholds, currency mismatches, aggregate limits and aggregates whose key (counterparty,
   target) is missing -> hold
6. tier `hitl` -> hold; `hotl` and `hootl` -> execute

Boundaries are exact: an amount equal to a cap passes, one cent more is held. Counterparties and
targets are compared by `canonical_key` for aggregates and segregation of duties alike.
"""

from __future__ import annotations

from decimal import Decimal

from governance.action import Action
from governance.gate_facts import (
    AggregateKey,
    Context,
    SodQuery,
    per_value,
    required_aggregates,
    required_sod_facts,
    window_start,
)
from governance.operations import canonical_key, derive, judged_amount, same_key, spec_for
from governance.policy import AgentPolicy, Policy, Tier
from governance.verdict import Decision, Reason, ReasonDetail, Verdict

__all__ = [
    "AggregateKey",
    "Context",
    "Decision",
    "Reason",
    "ReasonDetail",
    "SodQuery",
    "Verdict",
    "approval_covers",
    "evaluate",
    "required_aggregates",
    "required_sod_facts",
    "window_start",
]


class _Verdicts:
    """Builds verdicts that all carry the same policy version and digest."""

    def __init__(self, action: Action, policy: Policy) -> None:
        self.version = policy.version
        self.digest = action.digest_for(self.version)

    def make(
        self,
        decision: Decision,
        reasons: list[ReasonDetail],
        tier: Tier | None = None,
        agent: AgentPolicy | None = None,
    ) -> Verdict:
        route = None
        if decision is Decision.HOLD and agent is not None:
            route = agent.escalation.route_for([r.code.value for r in reasons])
        return Verdict(decision, tuple(reasons), self.version, self.digest, tier, route)


def _scope_denial(action: Action, policy: Policy) -> ReasonDetail | None:
    if policy.settings.kill_switch:
        return ReasonDetail(Reason.GLOBAL_KILL_SWITCH, "the global kill switch is on")
    agent = policy.agents.get(action.agent)
    if agent is None:
        return ReasonDetail(Reason.UNKNOWN_AGENT, f"agent {action.agent!r} is not declared in the policy")
    if agent.kill_switch:
        return ReasonDetail(Reason.KILL_SWITCH, f"the kill switch of agent {action.agent!r} is on")
    if action.system not in agent.systems:
        known = action.system in policy.systems
        return ReasonDetail(
            Reason.OUT_OF_SCOPE if known else Reason.UNKNOWN_SYSTEM,
            f"agent {action.agent!r} has no access to system {action.system!r}",
            {"system": action.system},
        )
    if not agent.allowed(action.system, action.operation):
        return ReasonDetail(
            Reason.OUT_OF_SCOPE,
            f"operation {action.operation!r} is not granted to {action.agent!r} on {action.system!r}",
            {"operation": action.operation, "system": action.system},
        )
    return None


def _approver_denials(action: Action, context: Context) -> list[ReasonDetail]:
    approver = context.approver
    if approver is None:
        return []
    reasons = []
    if approver in {action.agent, action.requested_by}:
        reasons.append(
            ReasonDetail(Reason.MAKER_CHECKER, f"{approver!r} requested this action and cannot approve it")
        )
    if not context.policy.may_approve(approver, action.agent):
        reasons.append(
            ReasonDetail(
                Reason.APPROVER_NOT_AUTHORISED,
                f"{approver!r} is not an approver for agent {action.agent!r}",
            )
        )
    agent = context.policy.agents.get(action.agent)
    for guard in agent.guarded_values if agent is not None else ():
        if (
            guard.approvers
            and guard.matches(action.operation, action.params)
            and approver not in guard.approvers
        ):
            reasons.append(
                ReasonDetail(
                    Reason.APPROVER_NOT_AUTHORISED,
                    f"{approver!r} may not approve this action: rule {guard.name!r} reserves it for "
                    f"{', '.join(guard.approvers)}",
                    {"rule": guard.name},
                )
            )
    if canonical_key(action.counterparty) is None:
        for rule in context.policy.segregation_of_duties:
            if action.operation in rule.cannot_approve:
                reasons.append(
                    ReasonDetail(
                        Reason.SOD_CONFLICT,
                        f"rule {rule.name!r} cannot be checked: {action.operation!r} names no counterparty",
                        {"rule": rule.name, "counterparty": None},
                    )
                )
    for query in required_sod_facts(action, context.policy, context.now):
        if approver in context.sod_facts.get(query, frozenset()):
            reasons.append(
                ReasonDetail(
                    Reason.SOD_CONFLICT,
                    f"{approver!r} took part in {'/'.join(query.operations)} for {query.counterparty!r} "
                    f"and cannot approve {action.operation!r} for it (rule {query.rule!r})",
                    {"rule": query.rule, "counterparty": query.counterparty},
                )
            )
    return reasons


def _limit_holds(action: Action, agent: AgentPolicy, context: Context) -> list[ReasonDetail]:
    reasons = []
    amount = judged_amount(action.operation, action.amount)
    threshold = agent.thresholds.get(action.operation)
    if threshold is not None:
        if amount is None:
            reasons.append(ReasonDetail(Reason.AMOUNT_MISSING, f"{action.operation} has a cap but no amount"))
        elif (caps := threshold.limits_in(action.currency, context.policy.settings.exchange_rates)) is None:
            reasons.append(
                ReasonDetail(
                    Reason.CURRENCY_MISMATCH,
                    f"amount in {action.currency} cannot be checked against a cap in {threshold.currency}",
                )
            )
        elif amount > caps[0]:
            reasons.append(
                ReasonDetail(
                    Reason.OVER_THRESHOLD,
                    f"{amount} {action.currency} is above the cap of {caps[0]:.2f}",
                    {"amount": str(amount), "cap": f"{caps[0]:.2f}"},
                )
            )
    for limit in agent.aggregates:
        if limit.counts(action.operation) and per_value(limit, action) is None:
            reasons.append(
                ReasonDetail(
                    Reason.AGGREGATE_KEY_MISSING,
                    f"aggregate {limit.name!r} is kept per {limit.per}, and this action names no "
                    f"{limit.per}: it cannot be counted, so it is held",
                    {"aggregate": limit.name, "per": limit.per},
                )
            )
    limits = {limit.name: limit for limit in agent.aggregates}
    for key in required_aggregates(action, context.policy, context.now):
        limit = limits[key.name]
        current = context.totals.get(key, Decimal(0))
        if key.measure == "count":
            added = Decimal(1)
        elif amount is None:
            continue
        elif action.currency != key.currency:
            # With a rates table the action counts at its converted value; the running total
            # holds this currency's actions only, so declare an aggregate per currency as well.
            factor = (
                context.policy.settings.exchange_rates.factor(action.currency, key.currency)
                if action.currency and key.currency
                else None
            )
            if factor is None:
                reasons.append(
                    ReasonDetail(
                        Reason.CURRENCY_MISMATCH,
                        f"aggregate {key.name!r} sums {key.currency}; this action is in {action.currency}",
                    )
                )
                continue
            added = amount * factor
        else:
            added = amount
        if current + added > limit.limit:
            reasons.append(
                ReasonDetail(
                    Reason.AGGREGATE_LIMIT,
                    f"aggregate {key.name!r} for {key.per_value!r} would reach {current + added} "
                    f"(limit {limit.limit} per {limit.window})",
                    {"aggregate": key.name, "current": str(current), "limit": str(limit.limit)},
                )
            )
    return reasons


def _binding_denials(action: Action) -> list[ReasonDetail]:
    """Deny an action whose judged values are not what its parameters write, or that moves no money.

    `Action` already derives these values; re-deriving here covers actions built without
    validation (``model_construct``) and keeps the gate's promise independent of the caller.
    """
    try:
        bound = derive(action.operation, action.params, action.target)
    except ValueError as exc:
        return [ReasonDetail(Reason.BINDING_MISMATCH, str(exc))]
    mismatched = [
        name
        for name, judged, written in (
            ("amount", action.amount, bound.amount),
            ("currency", action.currency, bound.currency),
        )
        if judged != written
    ]
    if not same_key(action.counterparty, bound.counterparty):
        mismatched.append("counterparty")
    if mismatched:
        return [
            ReasonDetail(
                Reason.BINDING_MISMATCH,
                f"{', '.join(mismatched)} of the action differ from what its parameters write",
                {"fields": mismatched},
            )
        ]
    spec = spec_for(action.operation)
    if not spec.money:
        return []
    if action.amount is None or action.currency is None:
        return [
            ReasonDetail(
                Reason.AMOUNT_MISSING,
                f"{action.operation} moves money, but its parameters give no amount and currency "
                f"(params.{spec.amount}, params.{spec.currency})",
            )
        ]
    if action.amount == 0 or (action.amount < 0 and not spec.credit):
        return [
            ReasonDetail(
                Reason.NON_POSITIVE_AMOUNT,
                f"{action.operation} of {action.amount} {action.currency}: a money operation must move "
                "a positive amount",
                {"amount": str(action.amount)},
            )
        ]
    return []


def evaluate(action: Action, context: Context) -> Verdict:
    """Judge `action` under `context`. Pure: same inputs, same verdict."""
    policy = context.policy
    verdicts = _Verdicts(action, policy)
    denial = _scope_denial(action, policy)
    if denial is not None:
        return verdicts.make(Decision.DENY, [denial])
    agent = policy.agents[action.agent]
    tier = agent.autonomy.tier_for(action.operation)
    denials = _binding_denials(action) + _approver_denials(action, context)
    threshold = agent.thresholds.get(action.operation)
    amount = judged_amount(action.operation, action.amount)
    limits = (
        threshold.limits_in(action.currency, policy.settings.exchange_rates)
        if threshold is not None
        else None
    )
    if limits is not None and limits[1] is not None and amount is not None and amount > limits[1]:
        denials.insert(
            0,
            ReasonDetail(
                Reason.HARD_LIMIT,
                f"{amount} {action.currency} is above the hard limit of {limits[1]:.2f}",
            ),
        )
    if denials:
        return verdicts.make(Decision.DENY, denials, tier)
    if tier is Tier.SHADOW:
        return verdicts.make(
            Decision.SHADOW, [ReasonDetail(Reason.TIER_SHADOW, "agent is in shadow mode here")], tier
        )
    holds = _limit_holds(action, agent, context)
    for guard in agent.guarded_values:
        if guard.matches(action.operation, action.params):
            holds.append(
                ReasonDetail(
                    Reason.GUARDED_VALUE,
                    f"{guard.param} {action.params.get(guard.param)!r} is guarded by rule {guard.name!r}",
                    {"rule": guard.name, "param": guard.param},
                )
            )
    if tier is Tier.HITL:
        holds.append(ReasonDetail(Reason.TIER_HITL, "human-in-the-loop: every action here needs approval"))
    if holds:
        return verdicts.make(Decision.HOLD, holds, tier, agent)
    code = Reason.TIER_HOTL if tier is Tier.HOTL else Reason.TIER_HOOTL
    return verdicts.make(Decision.EXECUTE, [ReasonDetail(code, f"tier {tier.value} allows acting")], tier)


def approval_covers(requested: Verdict, current: Verdict) -> bool:
    """Whether an approval given for `requested` still authorises the action judged `current`.

    The approval covers exactly the hold reasons it was asked for. It is void when the policy
    changed, when anything now denies or shadows, or when a new hold reason appeared since (an
    aggregate limit now exceeded, say): the world changed under the approver's decision.
    """
    if current.policy_version != requested.policy_version or current.action_digest != requested.action_digest:
        return False
    if current.decision in (Decision.DENY, Decision.SHADOW):
        return False
    return set(current.codes) - {Reason.TIER_HOTL.value, Reason.TIER_HOOTL.value} <= set(requested.codes)
