"""Corrections: a human records that a past decision or action was wrong, and why.

A correction is itself a ledger record (kind ``correction``) linked to the record it corrects --
an execution outcome or a decision -- and attributed to the agent that made the mistake, so it
counts against that agent's error rate (`error_counts`) and, through it, its autonomy. When the
mistake needs undoing, the compensating action goes through the same gate as any other action
(via the `Governor`): it may be held for approval, denied or executed exactly once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from governance.action import Action
from governance.errors import GovernanceError
from governance.evidence import evidence_of
from governance.ledger import Ledger, LedgerRecord
from governance.runtime import Governor, Outcome

CORRECTABLE_KINDS = ("execution_outcome", "decision")


class CorrectionError(GovernanceError):
    """A correction cannot be recorded as asked (wrong record kind, missing reason, no governor)."""


@dataclass(frozen=True)
class Correction:
    id: str
    """The ledger record id of the correction itself."""
    record_id: str
    """The ledger record it corrects."""
    transaction_id: str
    agent: str | None
    actor: str
    reason: str
    root_cause: str
    created_at: str
    compensation: dict[str, Any] | None = None
    """The compensating action's operation and digest, when one was requested."""

    @classmethod
    def from_record(cls, record: LedgerRecord) -> Correction:
        payload = record.payload
        return cls(
            id=record.id,
            record_id=payload["corrects"],
            transaction_id=record.transaction_id,
            agent=record.agent,
            actor=record.actor or "",
            reason=payload["reason"],
            root_cause=payload["root_cause"],
            created_at=record.created_at,
            compensation=payload.get("compensation"),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "record_id": self.record_id,
            "transaction_id": self.transaction_id,
            "agent": self.agent,
            "actor": self.actor,
            "reason": self.reason,
            "root_cause": self.root_cause,
            "created_at": self.created_at,
            "compensation": self.compensation,
        }


@dataclass(frozen=True)
class CorrectionResult:
    correction: Correction
    compensation: Outcome | None = None
    """What the gate and executor did with the compensating action, if there was one."""


@dataclass(frozen=True)
class ErrorCounts:
    agent: str
    since: datetime
    errors: int
    """Distinct records corrected against the agent since `since` (a re-correction is not a new error)."""
    actions: int
    """Actions the agent executed since `since` (the denominator of its error rate)."""
    by_root_cause: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.errors / self.actions if self.actions else 0.0


class Corrections:
    """Records corrections in the ledger and submits compensating actions through the governor."""

    def __init__(self, ledger: Ledger, *, governor: Governor | None = None) -> None:
        self.ledger = ledger
        self.governor = governor

    def add_correction(
        self, record_id: str, reason: str, root_cause: str, actor: str, compensate: Action | None = None
    ) -> CorrectionResult:
        """Link a correction to `record_id`; submit `compensate` through the gate when given."""
        for name, value in (("reason", reason), ("root cause", root_cause), ("actor", actor)):
            if not value.strip():
                raise CorrectionError(f"a correction needs a {name}")
        original = self.ledger.get(record_id)
        if original.kind not in CORRECTABLE_KINDS:
            raise CorrectionError(
                f"record {record_id} is a {original.kind!r} record; only {' or '.join(CORRECTABLE_KINDS)} "
                "records can be corrected"
            )
        if compensate is not None and self.governor is None:
            raise CorrectionError("a compensating action needs a governor to pass it through the gate")
        corrected = evidence_of(original.kind, original.agent, original.payload)
        charged = corrected.action_class if corrected is not None else None
        payload = {
            "corrects": record_id,
            "corrected_kind": original.kind,
            # the action class the mistake is charged to (not the transaction's first action)
            "operation": charged.operation if charged else None,
            "system": charged.system if charged else None,
            "reason": reason,
            "root_cause": root_cause,
            "compensation": (
                {
                    "operation": compensate.operation,
                    "action_digest": compensate.digest_for(self.governor.policy.version)
                    if self.governor is not None
                    else None,
                    "system": compensate.system,
                }
                if compensate is not None
                else None
            ),
        }
        record = self.ledger.append(
            original.transaction_id, "correction", payload, agent=original.agent, actor=actor
        )
        correction = Correction.from_record(record)
        if compensate is None or self.governor is None:
            return CorrectionResult(correction)
        outcome = self.governor.submit(compensate, transaction_id=original.transaction_id)
        self.ledger.append(
            original.transaction_id,
            "note",
            {
                "event": "compensation_submitted",
                "correction_id": correction.id,
                "status": outcome.status,
                "approval_id": outcome.approval_id,
                "document_id": outcome.document_id,
            },
            agent=compensate.agent,
            actor=actor,
        )
        return CorrectionResult(correction, outcome)

    def list_corrections(
        self, *, agent: str | None = None, transaction_id: str | None = None, since: datetime | None = None
    ) -> list[Correction]:
        records = self.ledger.records(transaction_id, kind="correction", agent=agent, since=since)
        return [Correction.from_record(record) for record in records]

    def error_counts(self, agent: str, since: datetime) -> ErrorCounts:
        """Corrections against `agent` since `since`, next to how many actions it executed."""
        # One mistake is one error however often it is corrected; the latest root cause stands.
        latest = {c.record_id: c for c in self.list_corrections(agent=agent, since=since)}
        outcomes = self.ledger.records(kind="execution_outcome", agent=agent, since=since)
        executed = sum(1 for record in outcomes if record.payload.get("status") == "executed")
        causes = Counter(correction.root_cause for correction in latest.values())
        return ErrorCounts(agent, since, len(latest), executed, dict(causes))
