"""Governed hand-offs between agents, with guards so errors cannot compound down a chain.

One agent hands a transaction to another (intake → AP for a billing dispute, procurement → AP)
with a correlation id that every ledger record of the chain carries. The receiving agent
proposes its own actions, and they go through the same Governor under *its* policy: a hand-off
never widens scope -- an action proposed in the receiver's name for another agent is refused.

Three guards stop a chain before anything executes past them, each with an escalation record:
- depth: a hand-off deeper than `max_depth` (a loop, or a chain nobody designed) stops;
- budget: each receiving agent may execute at most `limit` hand-off actions per window;
- circuit breaker: when a receiver's recent hand-off actions fail (failed, unknown, denied) at
  or above `error_rate` over at least `min_volume` actions, it opens: further hand-offs to that
  agent are escalated and an alert goes to the ledger and the `on_alert` callback.

Every hand-off is recorded on both transactions: a ``note`` (``event: handoff_sent``) on the
sender's transaction naming the receiver's, and a ``handoff`` record (``direction: received``,
with the case) on the receiver's naming the sender's, so an auditor walks the chain either way.
The sender's side is a note because a ``handoff`` record marks its transaction escalated in the
measurements, and a sender may well have finished its own work (a desk that answered a ticket
and told procurement). Each action the
receiver proposes gets a ``decision`` record before it is submitted; a receiver that fails
(its system unreachable) is a stop too, never a crash of the sender.

Budget and breaker state live in the router (one per process); the ledger keeps the record of
every opening, closing and stop, so a restarted process can be told what happened.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from governance.action import Action
from governance.ledger import Ledger, utc_now
from governance.runtime import Governor, Outcome


@dataclass(frozen=True)
class Proposed:
    """An action a receiver proposes, with the rule and rationale its decision record carries."""

    action: Action
    rule: str
    rationale: str


@dataclass(frozen=True)
class Noted:
    """Something the receiver found and did not act on (recorded as a ``note`` on its transaction)."""

    message: str


Receiver = Callable[["Handoff"], Sequence[Action | Proposed | Noted]]
"""The receiving agent's decision step: the actions it proposes for the handed-off case."""
AlertSink = Callable[[str, dict[str, Any]], None]

_ERRORS = frozenset({"failed", "unknown", "denied"})


@dataclass(frozen=True)
class Handoff:
    correlation_id: str
    """Shared by every transaction of the chain; the ledger ties them together with it."""
    from_agent: str
    to_agent: str
    reason: str
    case: dict[str, Any] = field(default_factory=dict)
    """The case file the sender hands over (what it saw, what it did, why it hands off)."""
    depth: int = 1
    """1 for a first hand-off; a receiver handing on passes `next(...)`."""
    from_transaction: str | None = None
    """The sender's transaction: it gets a ``handoff`` record naming the receiver's."""

    def next(self, to_agent: str, reason: str, case: dict[str, Any] | None = None) -> Handoff:
        return Handoff(
            self.correlation_id,
            self.to_agent,
            to_agent,
            reason,
            case or self.case,
            self.depth + 1,
            self.transaction_id,
        )

    @property
    def transaction_id(self) -> str:
        return f"{self.correlation_id}/{self.depth}:{self.to_agent}"


@dataclass(frozen=True)
class HandoffResult:
    status: Literal["done", "escalated"]
    handoff: Handoff
    outcomes: tuple[Outcome, ...] = ()
    guard: str | None = None
    """Which guard stopped the chain: ``max_depth``, ``budget``, ``circuit_open``, ``scope``,
    ``receiver_failed``."""
    message: str = ""


@dataclass
class _ReceiverState:
    executed_at: deque[datetime] = field(default_factory=deque)
    recent: deque[bool] = field(default_factory=deque)
    """Whether each recent hand-off action ended in error (failed, unknown, denied)."""
    open_since: datetime | None = None


class HandoffRouter:
    """Routes hand-offs through the guards and the Governor, recording every step."""

    def __init__(
        self,
        governor: Governor,
        *,
        max_depth: int = 3,
        budget: int = 100,
        budget_window: timedelta = timedelta(hours=1),
        error_rate: float = 0.5,
        min_volume: int = 4,
        breaker_window: int = 20,
        on_alert: AlertSink | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        if max_depth < 1 or budget < 0 or not 0 < error_rate <= 1 or min_volume < 1:
            raise ValueError(
                "hand-off guards need max_depth >= 1, budget >= 0, 0 < error_rate <= 1, min_volume >= 1"
            )
        self.governor, self.clock, self.on_alert = governor, clock, on_alert
        self.max_depth, self.budget, self.budget_window = max_depth, budget, budget_window
        self.error_rate, self.min_volume, self.breaker_window = error_rate, min_volume, breaker_window
        self._receivers: dict[str, _ReceiverState] = {}

    @property
    def ledger(self) -> Ledger:
        return self.governor.ledger

    def is_open(self, agent: str) -> bool:
        return self._state(agent).open_since is not None

    def reset(self, agent: str, *, by: str) -> None:
        """Close an open breaker after a human looked at it (recorded)."""
        state = self._state(agent)
        state.open_since, state.recent = None, deque()
        self.ledger.append(f"breaker:{agent}", "note", {"event": "circuit_closed", "agent": agent}, actor=by)

    def hand_off(self, handoff: Handoff, receiver: Receiver) -> HandoffResult:
        """Record the hand-off, apply the guards, and submit the receiver's actions one by one."""
        txn = handoff.transaction_id
        self._record_both_ends(handoff)
        if handoff.depth > self.max_depth:
            return self._stop(
                handoff, "max_depth", f"hand-off depth {handoff.depth} exceeds {self.max_depth}"
            )
        if self.is_open(handoff.to_agent):
            return self._stop(
                handoff, "circuit_open", f"{handoff.to_agent!r} is stopped by its circuit breaker"
            )
        try:
            decided = list(receiver(handoff))
        except Exception as exc:  # the receiver could not decide (its system failed): stop, keep the case
            self._count_error(handoff.to_agent, True)
            return self._stop(handoff, "receiver_failed", f"{type(exc).__name__}: {exc}")
        for item in decided:
            if isinstance(item, Noted):
                self.ledger.append(
                    txn,
                    "note",
                    {
                        "event": "handoff_noted",
                        "message": item.message,
                        "correlation_id": handoff.correlation_id,
                    },
                    agent=handoff.to_agent,
                )
        proposals = [
            p if isinstance(p, Proposed) else Proposed(p, f"handoff.{handoff.reason}", handoff.reason)
            for p in decided
            if not isinstance(p, Noted)
        ]
        if not proposals:
            self.ledger.append(
                txn,
                "note",
                {"event": "handoff_no_action", "correlation_id": handoff.correlation_id},
                agent=handoff.to_agent,
            )
        outcomes: list[Outcome] = []
        for proposed in proposals:
            action = proposed.action
            if action.agent != handoff.to_agent:
                return self._stop(
                    handoff,
                    "scope",
                    f"{handoff.to_agent!r} proposed an action as {action.agent!r}; a hand-off never widens scope",
                    outcomes,
                )
            if not self._within_budget(handoff.to_agent):
                return self._stop(
                    handoff,
                    "budget",
                    f"{handoff.to_agent!r} used its {self.budget} hand-off actions per {self.budget_window}",
                    outcomes,
                )
            self.ledger.append(
                txn,
                "decision",
                {
                    "rule": proposed.rule,
                    "rationale": proposed.rationale,
                    "correlation_id": handoff.correlation_id,
                    "action_digest": action.digest_for(self.governor.policy.version),
                    "business_key": action.business_key,
                    "proposed": {
                        "operation": action.operation,
                        "system": action.system,
                        "target": action.target,
                    },
                },
                agent=handoff.to_agent,
            )
            outcome = self.governor.submit(action, transaction_id=txn)
            outcomes.append(outcome)
            self._count_error(handoff.to_agent, outcome.status in _ERRORS)
            if self.is_open(handoff.to_agent):
                return self._stop(
                    handoff, "circuit_open", f"{handoff.to_agent!r} tripped its circuit breaker", outcomes
                )
        return HandoffResult("done", handoff, tuple(outcomes))

    def _record_both_ends(self, handoff: Handoff) -> None:
        common = {
            "correlation_id": handoff.correlation_id,
            "from_agent": handoff.from_agent,
            "to_agent": handoff.to_agent,
            "reason": handoff.reason,
            "depth": handoff.depth,
        }
        if handoff.from_transaction is not None:
            self.ledger.append(
                handoff.from_transaction,
                "note",  # not "handoff": that kind marks a transaction escalated, and the sender may be done
                {
                    **common,
                    "event": "handoff_sent",
                    "direction": "sent",
                    "to_transaction": handoff.transaction_id,
                },
                agent=handoff.from_agent,
            )
        self.ledger.append(
            handoff.transaction_id,
            "handoff",
            {
                **common,
                "direction": "received",
                "from_transaction": handoff.from_transaction,
                "case": handoff.case,
            },
            agent=handoff.to_agent,
        )

    # --- guards ------------------------------------------------------------------------------

    def _state(self, agent: str) -> _ReceiverState:
        return self._receivers.setdefault(agent, _ReceiverState())

    def _within_budget(self, agent: str) -> bool:
        state, now = self._state(agent), self.clock()
        while state.executed_at and now - state.executed_at[0] >= self.budget_window:
            state.executed_at.popleft()
        if len(state.executed_at) >= self.budget:
            return False
        state.executed_at.append(now)
        return True

    def _count_error(self, agent: str, error: bool) -> None:
        state = self._state(agent)
        state.recent.append(error)
        while len(state.recent) > self.breaker_window:
            state.recent.popleft()
        errors, volume = sum(state.recent), len(state.recent)
        if volume >= self.min_volume and errors / volume >= self.error_rate and state.open_since is None:
            state.open_since = self.clock()
            details = {"agent": agent, "errors": errors, "volume": volume, "threshold": self.error_rate}
            self.ledger.append(
                f"breaker:{agent}", "note", {"event": "circuit_opened", **details}, agent=agent
            )
            if self.on_alert is not None:
                self.on_alert("circuit_opened", details)

    def _stop(
        self, handoff: Handoff, guard: str, message: str, outcomes: Sequence[Outcome] = ()
    ) -> HandoffResult:
        self.ledger.append(
            handoff.transaction_id,
            "escalation",
            {
                "reason": f"handoff_{guard}",
                "message": message,
                "correlation_id": handoff.correlation_id,
                "from_agent": handoff.from_agent,
                "to_agent": handoff.to_agent,
                "depth": handoff.depth,
                "executed_before_stop": [o.document_id for o in outcomes if o.status == "executed"],
            },
            agent=handoff.to_agent,
        )
        return HandoffResult("escalated", handoff, tuple(outcomes), guard, message)
