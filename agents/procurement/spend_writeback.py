"""Writing categories back to the ERP as governed actions; the unsure rest to a review queue.

A classification run is one transaction (an `agents.core.Transaction`, walked by
`agents.core.run` in `spend_agent.py`). Each line at or above
the policy's ``confidence_threshold`` becomes an ``erp.set_spend_category`` action submitted
through the `Governor` (so autonomy tier, limits, kill switch and the ledger apply line by line); a line
below it -- or with no category at all -- is written to the review queue with its alternatives so
an analyst can pick one, and that correction becomes labelled history for the next run.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from agents.core import Connections, ProposedAction, Transaction
from agents.procurement.spend_classifier import SpendRecord, SpendResult
from governance.action import Action
from governance.runtime import Governor

AGENT = "procurement"
OPERATION = "erp.set_spend_category"
REVIEW_COLUMNS = (
    "row",
    "line_id",
    "description",
    "vendor",
    "amount",
    "code",
    "title",
    "confidence",
    "method",
    "alternatives",
    "reason",
)


class ReviewQueue:
    """Low-confidence lines as CSV, one row each, for an analyst to confirm or correct."""

    def __init__(self, handle: IO[str] | None) -> None:
        self._writer = csv.DictWriter(handle, fieldnames=REVIEW_COLUMNS) if handle is not None else None
        if self._writer is not None:
            self._writer.writeheader()
        self.count = 0

    def add(self, record: SpendRecord, result: SpendResult, reason: str) -> None:
        self.count += 1
        if self._writer is None:
            return
        self._writer.writerow(
            {
                "row": record.row,
                "line_id": record.line_id,
                "description": record.description,
                "vendor": record.vendor,
                "amount": record.amount,
                "code": result.code,
                "title": result.title,
                "confidence": f"{result.confidence:.4f}",
                "method": result.method,
                "alternatives": result.alternatives_text(),
                "reason": reason,
            }
        )


@dataclass
class RoutingSummary:
    """What happened to a run's lines."""

    lines: int = 0
    review: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    """Governor outcome status → count, for lines sent to the ERP."""
    methods: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, object]:
        return {
            "lines": self.lines,
            "review": self.review,
            "outcomes": dict(self.outcomes),
            "methods": dict(self.methods),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RoutingSummary:
        return cls(
            int(data["lines"]),
            int(data["review"]),
            Counter(data.get("outcomes") or {}),
            Counter(data.get("methods") or {}),
        )


class SpendRouter:
    """Sends each classified line to the ERP (governed) or to review, by confidence."""

    def __init__(
        self,
        threshold: float,
        review: ReviewQueue,
        *,
        governor: Governor | None = None,
        system: str = "sap",
        transaction_id: str = "spend-run",
        requested_by: str | None = None,
    ) -> None:
        self.threshold, self.review, self.governor = threshold, review, governor
        self.system, self.transaction_id, self.requested_by = system, transaction_id, requested_by
        self.summary = RoutingSummary()
        self.txn = (
            None
            if governor is None
            else Transaction(transaction_id, AGENT, governor, Connections.of(erp=system))
        )
        """None: classify and queue only, write nothing to an ERP. Its intake, perception and
        decision are the agent core's (`spend_agent.run_spend`); each routed batch adds its own
        ``perception`` record and a governed write per confident line."""

    def route(self, records: list[SpendRecord], results: list[SpendResult]) -> None:
        summary = self.summary
        summary.lines += len(records)
        summary.methods.update(r.method for r in results)
        confident = []
        for record, result in zip(records, results, strict=True):
            if not result.code:
                self.review.add(record, result, "no category matched the text")
            elif result.confidence < self.threshold:
                self.review.add(record, result, f"confidence below the policy threshold {self.threshold:.2f}")
            else:
                confident.append((record, result))
        summary.review = self.review.count
        if self.txn is None:
            summary.outcomes["not written (no ERP)"] += len(confident)
            return
        self.txn.record(
            "perception",
            {
                "lines": len(records),
                "methods": dict(Counter(r.method for r in results)),
                "confident": len(confident),
                "threshold": self.threshold,
            },
        )
        for record, result in confident:
            summary.outcomes[self.txn.submit(self.proposed(record, result)).status] += 1

    def proposed(self, record: SpendRecord, result: SpendResult) -> ProposedAction:
        return ProposedAction(
            operation=OPERATION,
            target=record.line_id,
            params={"category": result.code, "confidence": result.confidence, "method": result.method},
            business_key=f"spend-category:{record.line_id}:{result.code}",
            requested_by=self.requested_by,
        )

    def action(self, record: SpendRecord, result: SpendResult) -> Action:
        """The governed action for one confident line (agent and connection filled in)."""
        return self.proposed(record, result).to_action(AGENT, Connections.of(erp=self.system))
