"""What the executor hands around: the performer seam, a claim on a business key, an outcome,
and how what was written is compared with what was judged."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, Protocol

from governance.action import Action
from governance.operations import same_key

ExecutionStatus = Literal["executed", "duplicate", "failed", "unknown"]


@dataclass(frozen=True)
class ExecutionResult:
    """What the target system answered: its document id and any non-secret detail."""

    document_id: str | None
    detail: dict[str, Any] = field(default_factory=dict)
    written: dict[str, Any] = field(default_factory=dict)
    """What the target system now holds, as the performer read it back: ``amount`` (decimal
    string), ``currency``, ``counterparty`` and ``document_ids``. Empty for writes without money."""


class ActionPerformer(Protocol):
    """The connector seam: agents map operations onto connector Protocol calls."""

    def perform(self, action: Action) -> ExecutionResult:
        """Do the write."""
        ...

    def reconcile(self, action: Action) -> ExecutionResult | None:
        """Look the document up by business key: None if absent; `OutcomeUnknownError` if it cannot tell."""
        ...


@dataclass(frozen=True)
class ExecutionOutcome:
    status: ExecutionStatus
    document_id: str | None
    message: str
    attempts: int = 0
    """How many times the write was sent in this run."""
    reconciled: bool = False
    """The document was found by business key instead of being (re)sent."""
    detail: dict[str, Any] = field(default_factory=dict)
    written: dict[str, Any] = field(default_factory=dict)
    """What the performer read back from the target system (see `ExecutionResult.written`)."""


@dataclass(frozen=True)
class Claim:
    """The executor's hold on one business key, taken inside the caller's transaction."""

    action: Action
    transaction_id: str
    kind: Literal["new", "resume", "duplicate"]
    """``resume``: an earlier run left the key started/unknown; reconcile before sending."""
    owner: str
    key: str
    """The action's idempotency key (computed once: it is a hash)."""
    document_id: str | None = None
    message: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)
    """The approval this execution uses (id, approver, decision, reason, digest), recorded with it."""


def judged_values(action: Action) -> dict[str, Any]:
    """The amount, currency and counterparty the gate judged, as the ledger records them."""
    return {
        "amount": None if action.amount is None else str(action.amount),
        "currency": action.currency,
        "counterparty": action.counterparty,
    }


def written_differences(action: Action, written: dict[str, Any]) -> list[str]:
    """How what the performer read back differs from what was judged (empty when it agrees)."""
    found: list[str] = []
    if "amount" in written:
        amount = None if written["amount"] is None else Decimal(str(written["amount"]))
        if amount != action.amount:
            found.append(f"amount {amount} where {action.amount} was judged")
    if "currency" in written and written["currency"] != action.currency:
        found.append(f"currency {written['currency']} where {action.currency} was judged")
    if "counterparty" in written and not same_key(written["counterparty"], action.counterparty):
        found.append(f"counterparty {written['counterparty']} where {action.counterparty} was judged")
    return found
