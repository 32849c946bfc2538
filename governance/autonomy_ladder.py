"""The autonomy ladder: evidence per agent and action class from the ledger's transactions, the
one-sided Wilson bounds on agreement and error rate, what blocks a promotion, which regressions call
for a demotion, and every granted operation's rung with its recommendation (promote, hold, demote)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from governance.autonomy_config import MeasurementConfig
from governance.baselines import wilson_bounds
from governance.ledger import Ledger
from governance.metrics import TransactionView, parse_time
from governance.policy import Tier, load_policy
from governance.transactions import class_views


@dataclass(frozen=True)
class Evidence:
    """What the ledger says about one agent's action class within the evidence window."""

    agent: str
    operation: str
    window_days: float
    volume: int
    """Transactions a human judged (shadow/replay comparison, approval decision, or execution)."""
    agreed: int
    """Of those, how many the human agreed with."""
    executed: int
    """Transactions where the action was executed (the error-rate denominator)."""
    errors: int
    """Executed transactions later corrected."""
    critical_errors: int
    """Corrections whose root cause is listed as critical in the config."""
    agreement_lower: float
    """One-sided Wilson lower bound of agreed / volume (promotion uses it)."""
    agreement_upper: float
    """One-sided Wilson upper bound of agreed / volume (demotion uses it)."""
    error_lower: float
    """One-sided Wilson lower bound of errors / executed (demotion uses it)."""
    error_upper: float
    """One-sided Wilson upper bound of errors / executed (promotion uses it)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            key: round(value, 4) if isinstance(value, float) else value for key, value in asdict(self).items()
        }


def _judged(view: TransactionView) -> bool | None:
    """Did the human agree with the agent on this transaction? None when nobody judged it."""
    if view.shadow_agreed is not None:
        return view.shadow_agreed
    if view.approvals_rejected or view.approvals_approved:
        return view.approvals_rejected == 0 and not view.corrected
    if view.executed:
        return not view.corrected
    return None


def gather_evidence(
    views: list[TransactionView], agent: str, operation: str, config: MeasurementConfig, now: datetime
) -> Evidence:
    window = config.promotion.evidence_window_days
    since = now - timedelta(days=window)
    mine = [
        v
        for v in class_views(views)
        if v.agent == agent and v.action_class == operation and since <= v.started_at <= now
    ]
    judgements = [j for v in mine if (j := _judged(v)) is not None]
    agreed = sum(judgements)
    executed = [v for v in mine if v.executed]
    errors = sum(1 for v in executed if v.corrected)
    critical = sum(1 for v in mine for cause in v.root_causes if cause in config.critical_root_causes)
    confidence = config.promotion.confidence
    a_low, a_high = wilson_bounds(agreed, len(judgements), confidence)
    e_low, e_high = wilson_bounds(errors, len(executed), confidence)
    return Evidence(
        agent,
        operation,
        window,
        len(judgements),
        agreed,
        len(executed),
        errors,
        critical,
        a_low,
        a_high,
        e_low,
        e_high,
    )


def next_tier(tier: Tier) -> Tier | None:
    tiers = list(Tier)
    return tiers[tier.rank + 1] if tier.rank + 1 < len(tiers) else None


def previous_tier(tier: Tier) -> Tier | None:
    return list(Tier)[tier.rank - 1] if tier.rank > 0 else None


def promotion_blockers(
    evidence: Evidence, current: Tier, target: Tier, config: MeasurementConfig
) -> list[str]:
    """Why `evidence` is not enough to move from `current` to `target`; empty when it is."""
    goal = config.promotion.targets[target]
    blockers = []
    if evidence.volume < goal.min_volume:
        blockers.append(f"volume {evidence.volume} < {goal.min_volume}")
    if evidence.agreement_lower < goal.min_agreement:
        blockers.append(
            f"agreement lower bound {evidence.agreement_lower:.4f} < target {goal.min_agreement} "
            f"({evidence.agreed}/{evidence.volume} agreed)"
        )
    if evidence.executed == 0 and current is not Tier.SHADOW:
        blockers.append("no executed actions to measure an error rate on")
    elif evidence.executed and evidence.error_upper > goal.max_error_rate:
        blockers.append(
            f"error rate upper bound {evidence.error_upper:.4f} > target {goal.max_error_rate} "
            f"({evidence.errors}/{evidence.executed} corrected)"
        )
    if evidence.critical_errors:
        blockers.append(f"{evidence.critical_errors} critical error(s) in the window")
    return blockers


def regression_reasons(evidence: Evidence, current: Tier, config: MeasurementConfig) -> list[str]:
    """Why the agent should lose `current` (statistically confident regressions only)."""
    if current is Tier.SHADOW:
        return []
    goal = config.promotion.targets[current]
    reasons = []
    if evidence.critical_errors:
        reasons.append(f"{evidence.critical_errors} critical error(s) in the window")
    if evidence.executed and evidence.error_lower > goal.max_error_rate:
        reasons.append(f"error rate lower bound {evidence.error_lower:.4f} > target {goal.max_error_rate}")
    if evidence.volume and evidence.agreement_upper < goal.min_agreement:
        reasons.append(f"agreement upper bound {evidence.agreement_upper:.4f} < target {goal.min_agreement}")
    return reasons


@dataclass(frozen=True)
class LadderRung:
    """One agent's action class on the ladder: where it is, what the next tier needs."""

    agent: str
    operation: str
    tier: Tier
    next_tier: Tier | None
    evidence: Evidence
    blockers: tuple[str, ...]
    regressions: tuple[str, ...]

    @property
    def recommendation(self) -> str:
        if self.regressions and self.tier.rank > 0:
            return "demote"
        if self.next_tier is not None and not self.blockers:
            return "promote"
        return "hold"

    def as_dict(self) -> dict[str, Any]:
        return {
            "agent": self.agent,
            "operation": self.operation,
            "tier": self.tier.value,
            "next_tier": self.next_tier.value if self.next_tier else None,
            "recommendation": self.recommendation,
            "blockers": list(self.blockers),
            "regressions": list(self.regressions),
            "evidence": self.evidence.as_dict(),
        }


def tiers_as_of(ledger: Ledger, as_of: datetime) -> dict[tuple[str, str], Tier]:
    """The tier at `as_of` of every action class whose tier changed after it (from ``autonomy_changed``).

    Such a class had the first later change's ``old_tier`` then. Classes not changed since `as_of`
    are not listed: the policy file says their tier.
    """
    tiers: dict[tuple[str, str], Tier] = {}
    for record in ledger.records(kind="autonomy_changed", since=as_of):
        payload = record.payload
        key = (str(record.agent or payload.get("agent")), str(payload.get("operation")))
        if parse_time(record.created_at) > as_of and payload.get("old_tier") and key not in tiers:
            tiers[key] = Tier(payload["old_tier"])
    return tiers


def ladder(
    policy_path: Path,
    views: list[TransactionView],
    config: MeasurementConfig,
    now: datetime,
    *,
    tiers: dict[tuple[str, str], Tier] | None = None,
) -> list[LadderRung]:
    """Every granted operation of every agent, with its evidence and recommendation.

    `tiers` overrides the policy file's tier per (agent, operation): `tiers_as_of` for a past state.
    """
    policy = load_policy(policy_path)
    rungs = []
    for agent_name, agent in sorted(policy.agents.items()):
        for operation in sorted(agent.operations):
            tier = (tiers or {}).get((agent_name, operation)) or agent.autonomy.tier_for(operation)
            evidence = gather_evidence(views, agent_name, operation, config, now)
            target = next_tier(tier)
            blockers = promotion_blockers(evidence, tier, target, config) if target else []
            regressions = regression_reasons(evidence, tier, config)
            rungs.append(
                LadderRung(agent_name, operation, tier, target, evidence, tuple(blockers), tuple(regressions))
            )
    return rungs
