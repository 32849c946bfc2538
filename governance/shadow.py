"""Shadow mode: compare what the agent would have done with what the human actually did.

An agent at tier ``shadow`` decides without acting: the Governor records a ``verdict`` with
decision ``shadow`` and the proposed action. The human's outcome normally comes from the system
of record (`governance.human_outcomes.collect_human_outcomes`). `record_human_outcome` is the
manual entry for systems without an API: the outcome is marked ``source: manual``, must name a
person other than the agent, and is added next to earlier comparisons, never over them.
`record_replay_comparison` records a historical case replayed through the agent: the transaction
gets a ``decision`` with ``mode: replay`` and a ``shadow_comparison`` note, so replays count as
shadow evidence. (The ``opspack replay`` commands report their agreement without writing to the
ledger; this function is the hook for a replay that should count as evidence.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from governance.human_outcomes import (
    HumanOutcome,
    HumanOutcomeError,
    OutcomeRecord,
    ProposedOutcome,
    differences,
    record_outcome,
)
from governance.ledger import Ledger, LedgerRecord
from governance.metrics import MeasurementError

__all__ = [
    "ProposedOutcome",
    "ShadowComparison",
    "differences",
    "record_human_outcome",
    "record_replay_comparison",
]


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
    at: datetime | None = None,
) -> OutcomeRecord:
    """Record a manually entered human outcome for a shadowed transaction (``source: manual``)."""
    records = ledger.records(transaction_id)
    found = _shadow_proposal(records)
    if found is None:
        raise MeasurementError(f"transaction {transaction_id!r} has no shadow decision to compare with")
    if not actor.strip():
        raise MeasurementError("a human outcome needs the person who produced it (--by)")
    try:
        outcome = HumanOutcome(
            transaction_id=transaction_id,
            decided_by=actor,
            decided_at=at or ledger.clock(),
            source="manual",
            system="manual",
            reference=f"manual:{transaction_id}:{len(records)}",
            resolution=label or ("acted" if human.operation else "no_action"),
            operation=human.operation,
            target=human.target,
            amount=human.amount,
            params=dict(human.params),
        )
        recorded = record_outcome(ledger, outcome, compare_params=compare_params)
    except (HumanOutcomeError, ValueError) as exc:
        raise MeasurementError(str(exc)) from exc
    if recorded is None:
        raise MeasurementError(f"the outcome for {transaction_id!r} is already recorded")
    return recorded


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
