"""The decision for one ticket, as data: what to do, and what to write when done or stopped.

A plan is an `agents.core.Plan` (``kind`` ``resolve`` or ``escalate``) whose actions are the
core's `ProposedAction`s with a summary for the case file. It is decided once, recorded in the
decision record and stored with the ticket's queue state, so a restarted or retried run submits
exactly the same actions (same parameters, same business keys) instead of deciding again on a
world its own first attempt already changed (an unlocked account is no longer locked).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field, ValidationInfo, model_validator

from agents.core import Plan as CorePlan
from agents.core import ProposedAction
from connectors.itsm.models import CloseCode

RESOLVE, ESCALATE = "resolve", "escalate"


class Outcome(StrEnum):
    """How a ticket ended this pass."""

    RESOLVED = "resolved"
    """Done end to end by the agent, ticket resolved with a close code."""
    ESCALATED = "escalated"
    """Handed to an assignment group with the case file."""
    AWAITING_APPROVAL = "awaiting_approval"
    """A governed action waits for a named approver; the ticket stays with the agent."""
    PENDING = "pending"
    """A write could not be completed this pass; the next pass resumes the same plan."""
    STUCK = "stuck"
    """Writes kept failing for `max_attempts` passes; a person must look at the ITSM side."""
    DUPLICATE = "duplicate"
    """Already handled (this ticket at this reopen count); nothing was done."""

    @property
    def final(self) -> bool:
        return self in (Outcome.RESOLVED, Outcome.ESCALATED, Outcome.STUCK)


class PlannedAction(ProposedAction):
    """One governed write the playbook wants, on the directory or the ITSM catalogue.

    Its business key is ``<transaction>:<step>`` with a step stable within the ticket (``reset``,
    ``grant:<group id>``, ``catalog``); its kind (``directory`` or ``itsm``) is the operation's prefix."""

    summary: str
    """What it does, for the case file ("reset the password of jsmith@acme.example")."""

    @model_validator(mode="before")
    @classmethod
    def _earlier_form(cls, data: Any, info: ValidationInfo) -> Any:
        """A queue-state row stored before the agent core named a ``step`` and a ``system_kind``
        instead of a business key; the row's transaction id (the validation context) completes it."""
        if not isinstance(data, dict) or "step" not in data:
            return data
        transaction_id = (info.context or {}).get("transaction_id")
        if not transaction_id:
            raise ValueError("a planned action stored with a step needs its row's transaction id")
        data = dict(data)
        step, kind = data.pop("step"), data.pop("system_kind", None)
        data.setdefault("business_key", f"{transaction_id}:{step}")
        if kind is not None:
            data.setdefault("kind", kind)
        return data


class Plan(CorePlan):
    """Resolve (after the actions) or escalate, with everything the case file needs."""

    category: str
    confidence: float
    actions: tuple[PlannedAction, ...] = ()
    resolution_note: str = ""
    """What the caller reads when the ticket is resolved (never a secret)."""
    close_code: CloseCode = CloseCode.SOLVED
    assignment_group: str
    """Where the ticket goes when the agent stops (escalation, failure, refusal)."""
    next_step: str = ""
    requester: str | None = None
    """The requester's directory login, when verified."""
    target: str | None = None
    """The directory login the actions are for, when there is one."""
    looked_up: tuple[str, ...] = ()
    facts: dict[str, Any] = Field(default_factory=dict)
    """Understanding, entities, SLA and answers, for the case file and the ledger."""

    @property
    def resolve(self) -> bool:
        """Resolve after the actions (``kind`` ``resolve``); otherwise escalate (``reasons`` say why)."""
        return self.kind == RESOLVE

    @model_validator(mode="before")
    @classmethod
    def _earlier_form(cls, data: Any) -> Any:
        """A queue-state row stored before the agent core said ``resolve: true|false``."""
        if isinstance(data, dict) and "resolve" in data and "kind" not in data:
            data = dict(data)
            data["kind"] = RESOLVE if data.pop("resolve") else ESCALATE
        return data
