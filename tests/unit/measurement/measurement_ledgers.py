"""Ledgers with known rates: each transaction is written with the record shapes the Governor writes.

`LedgerWriter.transaction` appends intake, decision, verdict, approval, execution, escalation,
correction, LLM-usage and shadow records for one transaction at a chosen time, so a test knows
exactly what every metric must come out as.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from governance.autonomy import MeasurementConfig, load_measurement_config
from governance.ledger import Ledger
from governance.store import Store

REPO = Path(__file__).resolve().parents[3]
POLICY = REPO / "fixtures" / "policy.yaml"
CONFIG = REPO / "fixtures" / "autonomy.yaml"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def config() -> MeasurementConfig:
    return load_measurement_config(CONFIG)


@dataclass
class MovableClock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


class LedgerWriter:
    """Writes whole transactions into a ledger at chosen times."""

    def __init__(self, store: Store) -> None:
        self.clock = MovableClock()
        self.ledger = Ledger(store, clock=self.clock)
        self._ids = itertools.count(1)

    def _append(
        self, at: datetime, txn: str, kind: str, payload: dict[str, Any], agent: str, actor: str | None = None
    ) -> str:
        self.clock.now = at
        return self.ledger.append(txn, kind, payload, agent=agent, actor=actor).id

    def transaction(
        self,
        agent: str,
        operation: str,
        disposition: str,
        *,
        at: datetime = NOW,
        cycle: timedelta = timedelta(minutes=10),
        exceptions: tuple[str, ...] = (),
        counterparty: str = "",
        corrected: bool = False,
        root_cause: str = "wrong_gl_account",
        rejected: bool = False,
        shadow_agreed: bool | None = None,
        resolved: bool = True,
        llm_cost: str | None = None,
        llm_currency: str = "EUR",
        reopened: bool = False,
        sla_hours: float | None = None,
    ) -> str:
        """One transaction ending in `disposition` (autonomous, held, escalated, denied, shadowed, open)."""
        txn = f"T{next(self._ids):05d}"
        end = at + cycle
        self._append(at, txn, "intake", {"source": "test"}, agent)
        self._append(
            at, txn, "decision", {"exceptions": list(exceptions), "counterparty": counterparty or None}, agent
        )
        if llm_cost is not None:
            self._append(
                at, txn, "llm_usage", {"model": "fake", "cost": llm_cost, "currency": llm_currency}, agent
            )
        action = {
            "operation": operation,
            "target": "X1",
            "amount": "100.00",
            "counterparty": counterparty,
            "params": {},
        }
        route = {"queue": "q", "sla_hours": sla_hours} if sla_hours is not None else None
        decision = {
            "autonomous": "execute",
            "held": "hold",
            "denied": "deny",
            "shadowed": "shadow",
            "open": "execute",
        }
        if disposition == "escalated":
            self._append(
                end if resolved else at,
                txn,
                "escalation",
                {"reason": "needs_human", "operation": operation},
                agent,
            )
            if resolved:
                self._append(end, txn, "note", {"event": "resolved"}, agent, "human")
            return txn
        reasons = [{"code": "over_threshold", "message": "", "data": {}}] if disposition == "denied" else []
        verdict = {"decision": decision[disposition], "reasons": reasons, "action": action, "route": route}
        self._append(at, txn, "verdict", verdict, agent)
        if disposition == "held":
            self._append(at, txn, "approval_requested", {"approval_id": txn}, agent)
            outcome = "rejected" if rejected else "approved"
            self._append(
                end, txn, "approval_decided", {"approval_id": txn, "decision": outcome}, agent, "alice"
            )
            if rejected:
                return txn
        if disposition in ("autonomous", "held"):
            record = self._append(
                end, txn, "execution_outcome", {"status": "executed", "operation": operation}, agent
            )
            if corrected:
                self._append(
                    end + timedelta(minutes=30),  # before the tests' as-of: later records do not count
                    txn,
                    "correction",
                    {"corrects": record, "root_cause": root_cause, "reason": "wrong"},
                    agent,
                    "alice",
                )
        if disposition == "shadowed" and shadow_agreed is not None:
            self._append(
                end, txn, "note", {"event": "shadow_comparison", "agreed": shadow_agreed}, agent, "human"
            )
        if reopened:
            self._append(end + timedelta(hours=1), txn, "intake", {"source": "test", "reopened": True}, agent)
        return txn
