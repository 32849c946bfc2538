"""Shadow mode: compare what the agent would have done with what the human actually did.

An agent at tier ``shadow`` decides without acting: the Governor records a ``verdict`` with
decision ``shadow`` and the proposed action. When the human's outcome arrives (the ticket was
resolved, the invoice posted or held), `record_human_outcome` compares it with the proposal and
appends a ``note`` with ``event: shadow_comparison`` and ``agreed``. `record_replay_comparison`
does the same for a historical case replayed through the agent (``opspack replay``): the
transaction gets a ``decision`` with ``mode: replay``, so replays count as shadow evidence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from governance.ledger import Ledger, LedgerRecord
from governance.metrics import MeasurementError


@dataclass(frozen=True)
class ProposedOutcome:
    """What was (or would have been) done: the operation, on what, for how much."""

    operation: str | None
    """None when no action was taken (a person left the ticket alone, held nothing)."""
    target: str = ""
    amount: Decimal | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_action(cls, action: Mapping[str, Any]) -> ProposedOutcome:
        amount = action.get("amount")
        return cls(
            action.get("operation"),
            str(action.get("target") or ""),
            _decimal(amount) if amount is not None else None,
            dict(action.get("params") or {}),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "target": self.target,
            "amount": str(self.amount) if self.amount is not None else None,
            "params": dict(self.params),
        }


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise MeasurementError(f"amount {value!r} is not a number") from None


def differences(
    proposed: ProposedOutcome, human: ProposedOutcome, compare_params: Sequence[str] = ()
) -> list[str]:
    """What differs between the two; empty means agreement."""
    found = []
    if proposed.operation != human.operation:
        found.append(f"operation: agent {proposed.operation!r}, human {human.operation!r}")
    if proposed.target and human.target and proposed.target != human.target:
        found.append(f"target: agent {proposed.target!r}, human {human.target!r}")
    if proposed.amount is not None and human.amount is not None and proposed.amount != human.amount:
        found.append(f"amount: agent {proposed.amount}, human {human.amount}")
    for name in compare_params:
        if proposed.params.get(name) != human.params.get(name):
            found.append(
                f"params.{name}: agent {proposed.params.get(name)!r}, human {human.params.get(name)!r}"
            )
    return found


@dataclass(frozen=True)
class ShadowComparison:
    transaction_id: str
    agent: str
    source: str
    """``shadow`` (live shadow decision) or ``replay`` (historical case replayed)."""
    agreed: bool
    differences: tuple[str, ...]
    record_id: str


def _shadow_proposal(records: list[LedgerRecord]) -> tuple[str, ProposedOutcome] | None:
    for record in reversed(records):
        if record.kind == "verdict" and record.payload.get("decision") == "shadow":
            return record.agent or "unknown", ProposedOutcome.from_action(record.payload.get("action") or {})
    return None


def _append_comparison(
    ledger: Ledger,
    transaction_id: str,
    agent: str,
    source: str,
    proposed: ProposedOutcome,
    human: ProposedOutcome,
    actor: str,
    compare_params: Sequence[str],
    label: str,
) -> ShadowComparison:
    if not actor.strip():
        raise MeasurementError("a human outcome needs the person who produced it (actor)")
    found = differences(proposed, human, compare_params)
    record = ledger.append(
        transaction_id,
        "note",
        {
            "event": "shadow_comparison",
            "source": source,
            "agreed": not found,
            "differences": found,
            "operation": proposed.operation,
            "proposed": proposed.as_dict(),
            "human": {**human.as_dict(), "label": label},
        },
        agent=agent,
        actor=actor,
    )
    return ShadowComparison(transaction_id, agent, source, not found, tuple(found), record.id)


def record_human_outcome(
    ledger: Ledger,
    transaction_id: str,
    human: ProposedOutcome,
    *,
    actor: str,
    label: str = "",
    compare_params: Sequence[str] = (),
) -> ShadowComparison:
    """Compare the human's outcome with the transaction's shadow decision and record it."""
    found = _shadow_proposal(ledger.records(transaction_id))
    if found is None:
        raise MeasurementError(f"transaction {transaction_id!r} has no shadow decision to compare with")
    agent, proposed = found
    return _append_comparison(
        ledger, transaction_id, agent, "shadow", proposed, human, actor, compare_params, label
    )


def record_replay_comparison(
    ledger: Ledger,
    transaction_id: str,
    agent: str,
    proposed: ProposedOutcome,
    human: ProposedOutcome,
    *,
    actor: str,
    label: str = "",
    compare_params: Sequence[str] = (),
) -> ShadowComparison:
    """Record a replayed historical case: the agent's decision, then its comparison with history."""
    ledger.append(
        transaction_id,
        "decision",
        {"mode": "replay", "proposed": proposed.as_dict(), "rationale": "replayed historical case"},
        agent=agent,
        actor=actor,
    )
    return _append_comparison(
        ledger, transaction_id, agent, "replay", proposed, human, actor, compare_params, label
    )
