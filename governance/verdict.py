"""What the gate answers: a `Verdict` (decision, reasons, tier, policy version, action digest,
escalation route), stored with approval requests and in the ledger."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from governance.policy import EscalationRoute, Tier


class Decision(StrEnum):
    EXECUTE = "execute"
    HOLD = "hold"
    SHADOW = "shadow"
    DENY = "deny"


class Reason(StrEnum):
    GLOBAL_KILL_SWITCH = "global_kill_switch"
    KILL_SWITCH = "kill_switch"
    UNKNOWN_AGENT = "unknown_agent"
    UNKNOWN_SYSTEM = "unknown_system"
    OUT_OF_SCOPE = "out_of_scope"
    HARD_LIMIT = "hard_limit"
    MAKER_CHECKER = "maker_checker"
    APPROVER_NOT_AUTHORISED = "approver_not_authorised"
    SOD_CONFLICT = "sod_conflict"
    BINDING_MISMATCH = "binding_mismatch"
    NON_POSITIVE_AMOUNT = "non_positive_amount"
    OVER_THRESHOLD = "over_threshold"
    AMOUNT_MISSING = "amount_missing"
    AGGREGATE_KEY_MISSING = "aggregate_key_missing"
    CURRENCY_MISMATCH = "currency_mismatch"
    AGGREGATE_LIMIT = "aggregate_limit"
    GUARDED_VALUE = "guarded_value"
    TIER_SHADOW = "tier_shadow"
    TIER_HITL = "tier_hitl"
    TIER_HOTL = "tier_hotl"
    TIER_HOOTL = "tier_hootl"


@dataclass(frozen=True)
class ReasonDetail:
    code: Reason
    message: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code.value, "message": self.message, "data": dict(self.data)}


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    reasons: tuple[ReasonDetail, ...]
    policy_version: str
    action_digest: str
    tier: Tier | None = None
    route: EscalationRoute | None = None
    """Where a held action goes (queue and SLA), chosen by its reason codes."""

    @property
    def codes(self) -> list[str]:
        return [reason.code.value for reason in self.reasons]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Verdict:
        """The inverse of `as_dict`: approvals store verdicts and must get them back whole."""
        reasons = tuple(
            ReasonDetail(Reason(item["code"]), item["message"], item.get("data") or {})
            for item in data["reasons"]
        )
        tier = Tier(data["tier"]) if data.get("tier") else None
        route = EscalationRoute.model_validate(data["route"]) if data.get("route") else None
        return cls(
            Decision(data["decision"]), reasons, data["policy_version"], data["action_digest"], tier, route
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision.value,
            "reasons": [reason.as_dict() for reason in self.reasons],
            "policy_version": self.policy_version,
            "action_digest": self.action_digest,
            "tier": self.tier.value if self.tier else None,
            "route": self.route.model_dump() if self.route else None,
        }
