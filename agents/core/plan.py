"""The typed plan an agent decides, and the result the core's default execution reports.

A plan goes into the ledger's decision record (`Plan.ledger_form`), so a transaction resumed
after a crash carries on with exactly the actions it decided instead of deciding again against
systems its earlier self already changed. Agents with more to say subclass `Plan` with typed
fields (the AP agent's `APPlan`); only the fields a plan was given are written, so a plan reads
back as it was recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from agents.core.actions import ProposedAction

__all__ = ["Plan", "PlanResult", "PlanStatus"]


class Plan(BaseModel):
    """What the agent decided: act (the actions, in order) or hand over (reasons and route)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str
    """The agent's name for the path it chose (``pay``, ``escalate``, ``remind``)."""
    outcome: str = ""
    reasons: tuple[str, ...] = ()
    """Why the agent stops or holds (leading reason first); empty for a clean case."""
    rule: str = ""
    """The rule that decided, for the case file and the audit."""
    route: dict[str, Any] | None = None
    """Where a person takes over when the agent stops (the policy's escalation route)."""
    actions: tuple[ProposedAction, ...] = ()
    """The governed writes, submitted in this order by the core's default execution."""

    def ledger_form(self) -> dict[str, Any]:
        """Plain JSON with only the fields that were set: what the decision record stores."""
        return self.model_dump(mode="json", include=set(self.model_fields_set))


PlanStatus = Literal["completed", "escalated", "awaiting_approval", "in_progress_elsewhere"]


@dataclass(frozen=True)
class PlanResult:
    """How one run of a plan ended (`agents.core.run.submit_in_order`)."""

    transaction_id: str
    status: PlanStatus
    reasons: tuple[str, ...] = ()
    actions: tuple[tuple[str, str], ...] = ()
    """(operation, outcome status) of every action submitted this run."""
    approval_id: str | None = None
    documents: tuple[str, ...] = ()
    resumed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def final(self) -> bool:
        """Awaiting approval or another worker's write is not an end: the next run carries on."""
        return self.status in ("completed", "escalated")

    def as_dict(self) -> dict[str, Any]:
        return {
            "transaction_id": self.transaction_id,
            "status": self.status,
            "reasons": list(self.reasons),
            "actions": [list(a) for a in self.actions],
            "approval_id": self.approval_id,
            "documents": list(self.documents),
            "extra": dict(self.extra),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, resumed: bool = False) -> PlanResult:
        return cls(
            transaction_id=str(data["transaction_id"]),
            status=data["status"],
            reasons=tuple(data.get("reasons") or ()),
            actions=tuple((str(a[0]), str(a[1])) for a in data.get("actions") or ()),
            approval_id=data.get("approval_id"),
            documents=tuple(data.get("documents") or ()),
            resumed=resumed,
            extra=dict(data.get("extra") or {}),
        )
