"""The agent core: one transaction, its records, its governed writes, and the five steps.

An agent implements `Agent` (``perceive`` and ``decide``) and returns a typed `Plan` of
`ProposedAction`s; `run` does the rest for one `Transaction` (resume, records, submit, outcome).
docs/WRITING_AN_AGENT.md walks through a new agent on it.
"""

from agents.core.actions import Connections, ProposedAction, UnknownSystemKind
from agents.core.plan import Plan, PlanResult, PlanStatus
from agents.core.run import (
    Agent,
    Decided,
    Decision,
    Lifecycle,
    Perceived,
    Resumed,
    plan_lifecycle,
    run,
    submit_in_order,
)
from agents.core.transaction import STOP_REASONS, Predictor, Submitted, Transaction

__all__ = [
    "STOP_REASONS",
    "Agent",
    "Connections",
    "Decided",
    "Decision",
    "Lifecycle",
    "Perceived",
    "Plan",
    "PlanResult",
    "PlanStatus",
    "Predictor",
    "ProposedAction",
    "Resumed",
    "Submitted",
    "Transaction",
    "UnknownSystemKind",
    "plan_lifecycle",
    "run",
    "submit_in_order",
]
