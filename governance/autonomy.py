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

from __future__ import annotations

import fcntl
import os
import stat
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from governance.approver_auth import AuthenticatedApprover
from governance.baselines import AlertConfig, BaselineCheck, wilson_bounds
from governance.errors import GovernanceError
from governance.ledger import Ledger
from governance.metrics import CostConfig, MeasurementError, MetricsConfig, TransactionView, parse_time
from governance.policy import Tier, load_policy, parse_policy
from governance.roi import RoiConfig
from governance.transactions import class_views

AUTOMATIC_ACTOR = "opspack:autonomy"


class AutonomyError(GovernanceError):
    """A promotion or demotion cannot be made as asked; the message says which criterion failed."""


class TierTarget(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_volume: int = Field(ge=1)
    """Closed transactions judged by a human within the evidence window."""
    min_agreement: float = Field(gt=0, le=1)
    max_error_rate: float = Field(ge=0, lt=1)


class PromotionConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    confidence: float = Field(default=0.95, gt=0.5, lt=1)
    """Confidence of the one-sided Wilson bounds (z = inverse normal CDF of it)."""
    evidence_window_days: float = Field(default=90, gt=0)
    targets: dict[Tier, TierTarget]
    """Targets to *reach* each tier (and to stay there); every tier above shadow needs one."""
    demotion_floor: Tier = Tier.HITL
    """Automatic demotion never goes below this tier."""

    @model_validator(mode="after")
    def _every_tier(self) -> PromotionConfig:
        missing = [tier.value for tier in Tier if tier is not Tier.SHADOW and tier not in self.targets]
        if missing:
            raise ValueError(f"promotion.targets needs an entry for {', '.join(missing)}")
        return self


class MeasurementConfig(BaseModel):
    """Everything in ``fixtures/autonomy.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    costs: CostConfig
    """Human minutes, loaded rate, LLM currency conversion and default SLAs (metrics)."""
    critical_root_causes: tuple[str, ...] = ()
    """Correction root causes that block promotion and force demotion."""
    alerts: AlertConfig = AlertConfig()
    """Exception baselines: windows, significance, minimum volumes, webhook, policy reactions."""
    promotion: PromotionConfig
    """Evidence targets per tier, confidence and the demotion floor."""
    roi: RoiConfig
    """Business-case parameters."""

    @property
    def metrics(self) -> MetricsConfig:
        return MetricsConfig(costs=self.costs, critical_root_causes=self.critical_root_causes)


def load_measurement_config(path: str | Path) -> MeasurementConfig:
    """Read and validate the autonomy/measurement config; any problem raises `MeasurementError`."""
    file = Path(path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MeasurementError(f"{file}: autonomy config not found") from None
    except (OSError, yaml.YAMLError) as exc:
        raise MeasurementError(f"{file}: cannot read autonomy config: {exc}") from None
    if not isinstance(data, dict):
        raise MeasurementError(f"{file}: the autonomy config must be a mapping")
    try:
        return MeasurementConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or '(top level)'}: {error['msg']}"
            for error in exc.errors()
        )
        raise MeasurementError(f"{file}: {problems}") from None


@dataclass(frozen=True)
class PolicyChange:
    """A new policy file version: what changed, and the versions before and after."""

    agent: str
    operation: str | None
    old_tier: str | None
    new_tier: str | None
    kill_switch: bool | None
    old_policy_version: str
    new_policy_version: str
    policy_file: str
    archived_previous: str
    """Where the previous file content was kept, byte for byte."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def write_policy_change(
    policy_path: Path,
    *,
    agent: str,
    operation: str | None = None,
    tier: Tier | None = None,
    kill_switch: bool | None = None,
) -> PolicyChange:
    """Write the changed tier (or kill switch) into the policy file as a new, validated version.

    The previous content is archived unchanged under ``.policy-versions/`` beside the file (named
    by its version) before the file is atomically replaced; the new content must pass the
    policy's own validation, so a change can never leave an invalid policy behind. An exclusive
    lock on ``<policy>.lock`` serialises concurrent changes, so none is lost.
    """
    lock_path = policy_path.with_name(policy_path.name + ".lock")
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _rewrite_policy(policy_path, agent, operation, tier, kill_switch)


def _rewrite_policy(
    policy_path: Path, agent: str, operation: str | None, tier: Tier | None, kill_switch: bool | None
) -> PolicyChange:
    text = policy_path.read_text(encoding="utf-8")
    old = load_policy(policy_path)
    old.agent(agent)  # an unknown agent fails here, with the agents the policy declares
    data = yaml.safe_load(text)
    entry = data["agents"][agent]
    old_tier = None
    if operation is not None and tier is not None:
        classes = entry.setdefault("autonomy", {}).setdefault("classes", {})
        old_tier = old.agent(agent).autonomy.tier_for(operation).value
        classes[operation] = tier.value
    if kill_switch is not None:
        entry["kill_switch"] = kill_switch
    new = parse_policy(data, source=str(policy_path))
    archive_dir = policy_path.parent / ".policy-versions"
    archive_dir.mkdir(exist_ok=True)
    archive = archive_dir / f"{policy_path.stem}.{old.version[:16]}{policy_path.suffix}"
    archive.write_text(text, encoding="utf-8")
    header = (
        f"# Written by opspack autonomy: {agent} {operation or 'kill_switch'} changed.\n"
        f"# Previous version {old.version[:16]} kept at {archive}.\n"
    )
    body = header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)
    handle, temporary = tempfile.mkstemp(dir=policy_path.parent, prefix=".policy-", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(body)
    os.chmod(temporary, stat.S_IMODE(policy_path.stat().st_mode))  # keep the file's permissions
    os.replace(temporary, policy_path)
    return PolicyChange(
        agent,
        operation,
        old_tier,
        tier.value if tier is not None else None,
        kill_switch,
        old.version,
        new.version,
        str(policy_path),
        str(archive),
    )


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
