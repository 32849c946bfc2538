"""The decision for one ticket, as data: what to do, and what to write when done or stopped.

A plan is decided once and stored with the ticket's queue state, so a restarted or retried run
submits exactly the same actions (same parameters, same business keys) instead of deciding
again on a world its own first attempt already changed (an unlocked account is no longer locked).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from connectors.itsm.models import CloseCode


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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlannedAction(_Strict):
    """One governed write the playbook wants, on the directory or the ITSM catalogue."""

    step: str
    """Stable name within the ticket (``reset``, ``grant:<group id>``, ``catalog``); part of the business key."""
    system_kind: str
    """``directory`` or ``itsm``; the agent maps it to the connection name."""
    operation: str
    target: str
    params: dict[str, Any] = Field(default_factory=dict)
    summary: str
    """What it does, for the case file ("reset the password of jsmith@acme.example")."""


class Plan(_Strict):
    """Resolve (after the actions) or escalate, with everything the case file needs."""

    resolve: bool
    category: str
    confidence: float
    reasons: tuple[str, ...] = ()
    """Why the agent stops (leading reason first); empty when it resolves."""
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
