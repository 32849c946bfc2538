"""What the intake agent saw in a message and what it decided: its `Seen` and its typed `IntakePlan`.

The plan goes into the ledger's decision record (`agents.core`), so a message resumed after a
crash carries on with what was decided: hand the case over, ask the customer, or resolve it with
at most one governed write and a reply. What cannot go into the ledger -- the parsed entities,
the account and contact as read, a file to attach, the reply built from what the ERP holds after
the write -- rides along on the plan in memory (`IntakeLive`) and is read again on a resume.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pydantic import PrivateAttr

from agents.core import Plan
from agents.intake.messages import InboundMessage
from agents.intake.outcomes import ParkedCase
from agents.intake.resolutions import ReplyAttachment
from agents.intake.understanding import Entities, Understanding
from connectors.crm.models import Account, Contact

__all__ = ["IntakeLive", "IntakePlan", "Seen"]


@dataclass(frozen=True)
class Seen:
    """The message as perceived: its case so far, the turn it answers, what the text says."""

    message: InboundMessage
    case_id: str | None
    parked: ParkedCase | None
    understanding: Understanding | None
    intent: str
    confidence: float
    confident: bool
    entities: Entities


@dataclass(frozen=True)
class IntakeLive:
    """The decided plan's objects that stay out of the ledger."""

    entities: Entities
    account: Account | None
    contact: Contact | None
    attachments: tuple[ReplyAttachment, ...] = ()
    reply_after: Callable[[], str] | None = None


class IntakePlan(Plan):
    """Hand over (``hand_over``: routed or escalated), ask the customer (``ask``) or ``resolve``.

    `actions` holds the resolution's one governed write, if any; the case, its comments and the
    reply are the case work's own steps around it. A write decided before the message opened its
    case is keyed by the message; the case work keys it by the case once the case exists, as a
    later message on the same case keys its own (so one refund, whichever message asks)."""

    kind: Literal["hand_over", "ask", "resolve"]
    intent: str
    confidence: float
    case_id: str | None = None
    """The case the message continues; None: the case work opens one."""
    account_id: str | None = None
    contact_id: str | None = None
    entities: dict[str, list[str]] = {}
    queue: str = ""
    next_step: str = ""
    slots: tuple[str, ...] = ()
    """The facts to ask for (``ask``)."""
    note: str = ""
    """A line for the case file's list of what was done, before the case work starts."""
    reply_done: str = ""
    reply_held: str = ""
    summary: str = ""
    _live: IntakeLive | None = PrivateAttr(default=None)

    @property
    def live(self) -> IntakeLive | None:
        """Set on the plan just decided; None on a plan read back from the ledger."""
        return self._live

    def with_live(self, live: IntakeLive) -> IntakePlan:
        self._live = live
        return self
