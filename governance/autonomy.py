"""Earned autonomy: evidence per agent and action class, promotion with sign-off, automatic demotion.

Evidence for an action class comes from the ledger over the evidence window: every closed
transaction a human judged -- a shadow or replay comparison, an approval decision, or an executed
action that was (or was not) corrected -- is one trial; agreement is its success. A promotion to
the next tier needs, at that tier's targets: volume, a one-sided Wilson *lower* bound on
agreement at or above the target, a Wilson *upper* bound on the error rate at or below the target,
and zero critical errors. It also needs the sign-off of an *authenticated* approver listed for the
agent in the policy (`governance.approver_auth.AuthenticatedApprover`; a bare name is refused), and
the ledger records who signed and how they were authenticated. A manual demotion needs the same;
only the automatic demotions below run without one (actor ``opspack:autonomy``). Demotion is automatic and needs
statistical confidence the other way round: a Wilson *lower* bound on the error rate above the
current tier's target, an agreement *upper* bound below it, or any critical error. Every change
writes a new policy file version (`write_policy_change`) and an ``autonomy_changed`` record.

The config lives in `governance.autonomy_config`, the evidence and ladder in
`governance.autonomy_ladder`, policy file versions in `governance.policy_versions`; their public
names are importable from here too.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from governance.approver_auth import AuthenticatedApprover
from governance.autonomy_config import MeasurementConfig, PromotionConfig, TierTarget, load_measurement_config
from governance.autonomy_ladder import (
    Evidence,
    LadderRung,
    gather_evidence,
    ladder,
    next_tier,
    previous_tier,
    promotion_blockers,
    regression_reasons,
    tiers_as_of,
)
from governance.baselines import BaselineCheck
from governance.errors import GovernanceError
from governance.ledger import Ledger
from governance.metrics import TransactionView
from governance.policy import Tier, load_policy
from governance.policy_versions import PolicyChange, write_policy_change

__all__ = [
    "AUTOMATIC_ACTOR",
    "AutonomyError",
    "Evidence",
    "LadderRung",
    "MeasurementConfig",
    "PolicyChange",
    "PromotionConfig",
    "TierTarget",
    "apply_alert_actions",
    "demote",
    "demote_regressions",
    "gather_evidence",
    "ladder",
    "load_measurement_config",
    "next_tier",
    "previous_tier",
    "promote",
    "promotion_blockers",
    "regression_reasons",
    "tiers_as_of",
    "write_policy_change",
]

"""Earned autonomy: evidence per agent and action class, promotion with sign-off, automatic demotion.

Evidence for an action class comes from the ledger over the evidence window: every closed
transaction a human judged -- a shadow or replay comparison, an approval decision, or an executed
action that was (or was not) corrected -- is one trial; agreement is its success. A promotion to
the next tier needs, at that tier's targets: volume, a one-sided Wilson *lower* bound on
agreement at or above the target, a Wilson *upper* bound on the error rate at or below the target,
and zero critical errors. It also needs the sign-off of an *authenticated* approver listed for the
agent in the policy (`governance.approver_auth.AuthenticatedApprover`; a bare name is refused), and
the ledger records who signed and how they were authenticated. A manual demotion needs the same;
only the automatic demotions below run without one (actor ``opspack:autonomy``). Demotion is automatic and needs
statistical confidence the other way round: a Wilson *lower* bound on the error rate above the
current tier's target, an agreement *upper* bound below it, or any critical error. Every change
writes a new policy file version (`write_policy_change`) and an ``autonomy_changed`` record.
"""

AUTOMATIC_ACTOR = "opspack:autonomy"


class AutonomyError(GovernanceError):
    """A promotion or demotion cannot be made as asked; the message says which criterion failed."""


def _record(ledger: Ledger, change: PolicyChange, payload: dict[str, Any], actor: str) -> None:
    ledger.append(
        f"autonomy:{change.agent}:{change.operation or 'kill_switch'}",
        "autonomy_changed",
        {**payload, **change.as_dict()},
        agent=change.agent,
        actor=actor,
    )


def promote(
    policy_path: Path,
    ledger: Ledger,
    views: list[TransactionView],
    config: MeasurementConfig,
    *,
    agent: str,
    operation: str,
    signer: AuthenticatedApprover,
    reason: str,
    now: datetime,
) -> PolicyChange:
    """Move `operation` one tier up if the evidence clears the targets and `signer` may sign."""
    policy = load_policy(policy_path)
    agent_policy = policy.agent(agent)
    if operation not in agent_policy.operations:
        raise AutonomyError(f"{agent} is not granted {operation!r}; nothing to promote")
    if not reason.strip():
        raise AutonomyError("a promotion needs a reason")
    _check_signer(policy_path, agent, signer, "promotion")
    current = agent_policy.autonomy.tier_for(operation)
    target = next_tier(current)
    if target is None:
        raise AutonomyError(f"{agent} {operation} is already at {current.value}, the top tier")
    evidence = gather_evidence(views, agent, operation, config, now)
    blockers = promotion_blockers(evidence, current, target, config)
    if blockers:
        raise AutonomyError(
            f"promotion of {agent} {operation} to {target.value} refused: " + "; ".join(blockers)
        )
    change = write_policy_change(policy_path, agent=agent, operation=operation, tier=target)
    payload = {
        "direction": "promote",
        "signed_off_by": signer.approver,
        "authentication": signer.evidence(),
        "reason": reason,
        "evidence": evidence.as_dict(),
    }
    _record(ledger, change, payload, signer.approver)
    return change


def _check_signer(policy_path: Path, agent: str, signer: object, what: str) -> AuthenticatedApprover:
    """`signer` must be an authenticated approver listed for `agent` under the policy's approvers."""
    if not isinstance(signer, AuthenticatedApprover):
        raise AutonomyError(
            f"a {what} needs an authenticated approver (their secret checked against the approver "
            f"records), not the bare name {signer!r}"
        )
    if not load_policy(policy_path).may_approve(signer.approver, agent):
        raise AutonomyError(
            f"{signer.approver!r} may not sign off autonomy for {agent}: only an approver listed for it "
            "in the policy (approvers.<id>.may_approve)"
        )
    return signer


def demote(
    policy_path: Path,
    ledger: Ledger,
    *,
    agent: str,
    operation: str,
    actor: str,
    reasons: list[str],
    evidence: dict[str, Any] | None = None,
    floor: Tier = Tier.SHADOW,
    signer: AuthenticatedApprover | None = None,
) -> PolicyChange | None:
    """Move `operation` one tier down (not below `floor`); None when already at the floor.

    `actor` ``opspack:autonomy`` is the automatic demotion; any other actor is a manual demotion and
    needs `signer`, an authenticated approver listed for `agent` whose id is `actor`."""
    agent_policy = load_policy(policy_path).agent(agent)
    if operation not in agent_policy.operations:
        raise AutonomyError(f"{agent} is not granted {operation!r}; nothing to demote")
    if not reasons or not all(r.strip() for r in reasons):
        raise AutonomyError("a demotion needs a reason")
    if not actor.strip():
        raise AutonomyError("a demotion needs the name of whoever (or whatever) demotes")
    payload: dict[str, Any] = {"direction": "demote", "reasons": reasons, "evidence": evidence or {}}
    if actor != AUTOMATIC_ACTOR:
        authenticated = _check_signer(policy_path, agent, signer, "manual demotion")
        if authenticated.approver != actor:
            raise AutonomyError(f"the demotion names {actor!r} but {authenticated.approver!r} authenticated")
        payload |= {"signed_off_by": authenticated.approver, "authentication": authenticated.evidence()}
    lower = previous_tier(agent_policy.autonomy.tier_for(operation))
    if lower is None or lower.rank < floor.rank:
        return None
    change = write_policy_change(policy_path, agent=agent, operation=operation, tier=lower)
    _record(ledger, change, payload, actor)
    return change


def demote_regressions(
    policy_path: Path, ledger: Ledger, views: list[TransactionView], config: MeasurementConfig, now: datetime
) -> list[PolicyChange]:
    """Demote every action class whose evidence regressed; the automatic half of the ladder."""
    changes = []
    for rung in ladder(policy_path, views, config, now):
        if rung.recommendation != "demote":
            continue
        change = demote(
            policy_path,
            ledger,
            agent=rung.agent,
            operation=rung.operation,
            actor=AUTOMATIC_ACTOR,
            reasons=list(rung.regressions),
            evidence=rung.evidence.as_dict(),
            floor=config.promotion.demotion_floor,
        )
        if change is not None:
            changes.append(change)
    return changes


def apply_alert_actions(
    policy_path: Path, ledger: Ledger, checks: list[BaselineCheck], config: MeasurementConfig
) -> list[PolicyChange]:
    """Do what the config says for each rising exception alert: demote its action class or stop the agent.

    One event moves a class at most one tier: the agent-level and the per-vendor check of the same
    rise (and several exception types pointing at the same class) demote it once per call. Callers
    pass only alerts not dispatched before (`AlertDispatcher.dispatch` returns them), so re-running
    changes nothing.
    """
    changes = []
    demoted: set[tuple[str, str]] = set()
    for check in checks:
        if not check.alert or check.direction != "up":
            continue
        key = (check.agent, check.action_class or "")
        action = config.alerts.action_for(check.exception)
        reason = (
            f"exception alert: {check.exception} at {check.current_rate:.2%} vs baseline {check.baseline_rate:.2%} "
            f"(p={check.p_value:.2g})"
        )
        change: PolicyChange | None = None
        if action == "kill_switch":
            if load_policy(policy_path).agent(check.agent).kill_switch:
                continue
            change = write_policy_change(policy_path, agent=check.agent, kill_switch=True)
            _record(
                ledger,
                change,
                {"direction": "kill_switch", "reasons": [reason], "alert": check.as_dict()},
                AUTOMATIC_ACTOR,
            )
        elif action == "demote" and check.action_class and key not in demoted:
            if check.action_class not in load_policy(policy_path).agent(check.agent).operations:
                continue  # the exceptional cases ended before any granted action: nothing to demote
            demoted.add(key)
            change = demote(
                policy_path,
                ledger,
                agent=check.agent,
                operation=check.action_class,
                actor=AUTOMATIC_ACTOR,
                reasons=[reason],
                evidence={"alert": check.as_dict()},
                floor=config.promotion.demotion_floor,
            )
        if change is not None:
            changes.append(change)
    return changes
