"""One transaction of one agent: its id, its ledger records, its governed writes.

Every agent works a unit of business (an invoice, a ticket, a message, a spend file) as one
transaction. `Transaction` is the only place that writes its records to the ledger, reads them
back to resume, turns a `ProposedAction` into an `Action` (agent name and connection filled in)
and submits it to the `Governor`; `Submitted` is the one reading of what came back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from agents.core.actions import Connections, ProposedAction
from governance.action import Action
from governance.ledger import LedgerRecord
from governance.runtime import Governor, Outcome, OutcomeStatus
from observability.tracing import SpanLike, transaction

__all__ = ["STOP_REASONS", "Predictor", "Submitted", "Transaction"]

Predictor = Callable[[Action], OutcomeStatus]
"""For a shadowed action: what the real policy would do (``executed``, ``held`` or ``denied``)."""

STOP_REASONS: Mapping[str, str] = {
    "denied": "action_denied",
    "failed": "action_failed",
    "unknown": "action_unknown",
}
"""The escalation reason for an action that stopped the transaction, by outcome status."""


@dataclass(frozen=True)
class Submitted:
    """A governed write and what the Governor made of it."""

    action: Action
    outcome: Outcome

    @property
    def status(self) -> OutcomeStatus:
        return self.outcome.status

    @property
    def document_id(self) -> str | None:
        return self.outcome.document_id

    @property
    def done(self) -> bool:
        """Written, now or by an earlier attempt (the executor's idempotency record)."""
        return self.status in ("executed", "duplicate")

    @property
    def landed(self) -> bool:
        """Written and the system named the document it made (the next step can refer to it)."""
        return self.done and bool(self.document_id)

    @property
    def elsewhere(self) -> bool:
        """Another worker is performing this very write right now (no document yet)."""
        return self.status == "duplicate" and not self.document_id

    @property
    def held(self) -> bool:
        """Waiting for a named approver (`outcome.approval_id`)."""
        return self.status == "held"

    @property
    def shadowed(self) -> bool:
        return self.status == "shadowed"

    @property
    def stop_reason(self) -> str:
        """Why the transaction stops here, for a case file: ``action_denied``, ``action_failed``..."""
        return STOP_REASONS.get(self.status, "action_failed")

    @property
    def gate_reasons(self) -> tuple[str, ...]:
        return tuple(reason.code.value for reason in self.outcome.reasons)


@dataclass
class Transaction:
    """The records and governed writes of one transaction of one agent."""

    id: str
    agent: str
    governor: Governor
    connections: Connections
    predictor: Predictor | None = None
    """Set in shadow replay: a shadowed outcome is replaced by what the real policy would have done."""
    completed_event: str = "completed"
    """The event that marks the transaction finished (its record's payload carries the result)."""
    completed_kind: str = "note"
    """The record kind of that mark: a ``note`` by default; an agent whose last word on the ledger
    is its outcome (the intake agent) records it as a ``decision``."""

    # --- the ledger ---------------------------------------------------------------------------

    def records(self, kind: str | None = None) -> list[LedgerRecord]:
        if kind is None:
            return self.governor.ledger.records(self.id)
        return self.governor.ledger.records(self.id, kind=kind)

    def record(self, kind: str, payload: Mapping[str, Any]) -> None:
        self.governor.ledger.append(self.id, kind, payload, agent=self.agent)

    def note(self, event: str, **fields: Any) -> None:
        self.record("note", {"event": event, **fields})

    def complete(self, result: Mapping[str, Any], **fields: Any) -> None:
        """Mark the transaction finished with `result`; `fields` go beside it at the top level."""
        self.record(self.completed_kind, {"event": self.completed_event, **fields, "result": dict(result)})

    def finished(self, records: list[LedgerRecord] | None = None) -> LedgerRecord | None:
        """The last completion mark, when the transaction already ended."""
        found = [
            r
            for r in (self.records() if records is None else records)
            if r.kind == self.completed_kind and r.payload.get("event") == self.completed_event
        ]
        return found[-1] if found else None

    def decision(self, records: list[LedgerRecord] | None = None) -> LedgerRecord | None:
        """The first decision record: what a resumed transaction carries on with."""
        if records is None:
            return next(iter(self.records(kind="decision")), None)
        return next((r for r in records if r.kind == "decision"), None)

    @contextmanager
    def traced(self, **attributes: Any) -> Iterator[SpanLike]:
        """The transaction's span (log lines inside carry its id even with tracing off)."""
        with transaction(self.id, agent=self.agent, **attributes) as span:
            yield span

    # --- governed writes ----------------------------------------------------------------------

    def action(self, proposed: ProposedAction) -> Action:
        return proposed.to_action(self.agent, self.connections)

    def submit(self, proposed: ProposedAction | Action) -> Submitted:
        action = proposed if isinstance(proposed, Action) else self.action(proposed)
        outcome = self.governor.submit(action, transaction_id=self.id)
        if outcome.status == "shadowed" and self.predictor is not None:
            predicted = self.predictor(action)
            outcome = Outcome(predicted, outcome.verdict, outcome.approval_id, outcome.document_id)
        return Submitted(action, outcome)
