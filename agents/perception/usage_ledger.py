"""Writing LLM usage to the ledger: one ``llm_usage`` record per model call.

Perception returns `LLMUsage` records on its results instead of writing them itself, so a
prediction can be made (and tested) without a store; the agent that owns the transaction calls
`record_llm_usage` once it has a transaction id.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from agents.perception.results import LLMUsage


class UsageLedger(Protocol):
    """The part of `governance.ledger.Ledger` this needs."""

    def append(
        self,
        transaction_id: str,
        kind: str,
        payload: dict[str, object],
        *,
        agent: str | None = None,
        actor: str | None = None,
    ) -> object: ...


def record_llm_usage(
    ledger: UsageLedger, transaction_id: str, usages: Iterable[LLMUsage], *, agent: str | None = None
) -> int:
    """Append one ``llm_usage`` record per call; returns how many were written."""
    written = 0
    for usage in usages:
        ledger.append(transaction_id, "llm_usage", usage.ledger_payload(), agent=agent)
        written += 1
    return written
