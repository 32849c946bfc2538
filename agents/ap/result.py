"""What happened to one invoice, as the agent reports it (and records it in the ledger)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

ResultStatus = Literal["posted", "held", "awaiting_approval", "shadowed", "failed", "in_progress_elsewhere"]


@dataclass(frozen=True)
class APResult:
    transaction_id: str
    source: str
    status: ResultStatus
    """posted (and payment scheduled) | held (on hold in the ERP, or escalated without posting) |
    awaiting_approval (the gate holds an action) | shadowed (shadow tier: nothing done) | failed |
    in_progress_elsewhere (another worker is performing this transaction's write: nothing recorded
    as an end, the item comes back and resumes from the ledger)."""
    decision: Literal["post", "hold"]
    """The agent's own decision, before governance."""
    reasons: tuple[str, ...] = ()
    rule: str = ""
    vendor_id: str | None = None
    reference: str | None = None
    document_id: str | None = None
    payment_id: str | None = None
    approval_id: str | None = None
    gate_reasons: tuple[str, ...] = ()
    route: dict[str, Any] | None = None
    message: str = ""
    resumed: bool = False
    """True when the transaction had been decided (or finished) by an earlier run."""

    def with_status(self, status: ResultStatus, message: str, **changes: Any) -> APResult:
        return replace(self, status=status, message=message, **changes)

    def with_document(self, document_id: str) -> APResult:
        return replace(self, document_id=document_id)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["reasons"] = list(self.reasons)
        data["gate_reasons"] = list(self.gate_reasons)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, resumed: bool = False) -> APResult:
        fields = {**data, "reasons": tuple(data.get("reasons") or ()), "resumed": resumed}
        fields["gate_reasons"] = tuple(data.get("gate_reasons") or ())
        return cls(**fields)
