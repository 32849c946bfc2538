"""What the agent returns per ticket and pass."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agents.service_desk.plan import Outcome


@dataclass(frozen=True)
class TicketResult:
    number: str
    system: str
    reopen_count: int
    transaction_id: str
    outcome: Outcome
    category: str
    confidence: float
    reasons: tuple[str, ...] = ()
    assignment_group: str | None = None
    """Where an escalated ticket went."""
    approval_id: str | None = None
    actions: tuple[tuple[str, str], ...] = ()
    """(operation, governor status) of every action submitted this pass, in order."""
    requester: str | None = None
    target: str | None = None
    sla: str | None = None
    """``met`` / ``breached`` when the ticket ended this pass, else the clock's state at decision."""
    note: str = ""

    @property
    def autonomous(self) -> bool:
        return self.outcome is Outcome.RESOLVED

    @property
    def writes(self) -> tuple[tuple[str, str], ...]:
        """The playbook's own actions (directory and catalogue), without the ticket bookkeeping."""
        return tuple(
            (op, status)
            for op, status in self.actions
            if op.startswith("directory.") or op == "itsm.create_catalog_request"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "system": self.system,
            "reopen_count": self.reopen_count,
            "outcome": self.outcome.value,
            "category": self.category,
            "confidence": round(self.confidence, 3),
            "reasons": list(self.reasons),
            "assignment_group": self.assignment_group,
            "approval_id": self.approval_id,
            "actions": [f"{op}:{status}" for op, status in self.actions],
            "requester": self.requester,
            "target": self.target,
            "sla": self.sla,
        }
