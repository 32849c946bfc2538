"""Spend classification on the agent core: one source, one transaction, walked by `agents.core.run`.

A source is a spend file (`spend_run.classify_file`) or one replayed case (`spend_replay`). The
core records the intake (source, level, threshold); `perceive` says what is about to stream;
`decide` records the rule every line is routed by -- at or above the policy's confidence
threshold an ``erp.set_spend_category`` write through the Governor, below it the review queue.
That plan is more than actions in a row (the lines are classified as they stream, a batch at a
time, so memory stays flat), so the agent's `Lifecycle.act` is the stream itself, which routes
each batch through `SpendRouter` and records that batch's ``perception``.

No completion is recorded: a spend file's transaction id is stable per path and size, and a
second run streams the file again and writes its outputs again (the executor keeps every write
exactly-once). The second run records no second intake, perception or decision.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from agents.core import Decision, Lifecycle, Perceived, Plan, Transaction, run
from agents.procurement.spend_writeback import RoutingSummary

__all__ = ["ROUTING_PLAN", "SpendAgent", "SpendSource", "run_spend"]

ROUTING_PLAN = Plan(kind="classify", rule="confidence_threshold")
"""Every line: a category at or above the threshold is written back, the rest go to review."""


@dataclass(frozen=True)
class SpendSource:
    """What one transaction classifies: its name, the level and threshold, what is known upfront."""

    name: str
    level: str
    threshold: float
    facts: Mapping[str, Any] = field(default_factory=dict)
    """The perception record's facts besides the name (the file's size, the case's line id)."""

    def intake(self) -> dict[str, Any]:
        return {"source": self.name, "level": self.level, "threshold": self.threshold}


class SpendAgent:
    """The Agent Protocol for spend classification (the stream is the lifecycle's `act`)."""

    def perceive(self, source: SpendSource, txn: Transaction) -> Perceived[SpendSource]:
        return Perceived(source, {"source": source.name, **source.facts})

    def decide(self, source: SpendSource, txn: Transaction) -> Decision[Plan]:
        return Decision(ROUTING_PLAN, {"level": source.level, "threshold": source.threshold})


def run_spend(source: SpendSource, txn: Transaction, stream: Callable[[], RoutingSummary]) -> RoutingSummary:
    """Walk the core's steps for `source` as `txn`; `stream` classifies and routes every line."""
    lifecycle: Lifecycle[Plan, RoutingSummary] = Lifecycle(
        plan_type=Plan,
        act=lambda decided, t: stream(),
        restore=RoutingSummary.from_dict,
        completion=lambda summary: None,
    )
    return run(SpendAgent(), source, txn, lifecycle, intake=source.intake)
