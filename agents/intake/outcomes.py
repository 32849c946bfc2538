"""What the intake agent returns per message, and what it keeps between turns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from agents.intake.reply_performer import Outbox
from agents.intake.understanding import Entities
from connectors.crm.models import Account, Contact
from connectors.crm.protocol import CRMConnector
from connectors.erp.protocol import CustomerERP
from connectors.readonly import read_only_crm, read_only_erp


class IntakeOutcome(StrEnum):
    RESOLVED = "resolved"
    """Done end to end by the agent, reply sent."""
    AWAITING_CUSTOMER = "awaiting_customer"
    ROUTED = "routed"
    """Handed to the team that owns the intent, with the case file."""
    ESCALATED = "escalated"
    HELD = "held"
    """A write waits for human approval."""
    FAILED = "failed"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class IntakeResult:
    message_id: str
    transaction_id: str
    outcome: IntakeOutcome
    intent: str
    confidence: float
    reasons: tuple[str, ...] = ()
    case_id: str | None = None
    account_id: str | None = None
    actions: tuple[tuple[str, str], ...] = ()
    """(operation, governor status) of every action submitted, in order."""
    reply: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "outcome": self.outcome.value,
            "intent": self.intent,
            "confidence": round(self.confidence, 3),
            "reasons": list(self.reasons),
            "case_id": self.case_id,
            "account_id": self.account_id,
            "actions": [f"{op}:{status}" for op, status in self.actions],
        }

    def ledger_form(self) -> dict[str, Any]:
        """The whole result, as the completion record stores it (`from_json` reads it back)."""
        return {
            "message_id": self.message_id,
            "transaction_id": self.transaction_id,
            "outcome": self.outcome.value,
            "intent": self.intent,
            "confidence": self.confidence,
            "reasons": list(self.reasons),
            "case_id": self.case_id,
            "account_id": self.account_id,
            "actions": [list(a) for a in self.actions],
            "reply": self.reply,
        }

    def headline(self) -> dict[str, Any]:
        """What the message's last ``decision`` record says at its top level (the console's
        timeline shows the outcome; label corrections read the intent)."""
        return {"outcome": self.outcome.value, "intent": self.intent, "reasons": list(self.reasons)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> IntakeResult:
        return cls(
            message_id=str(data["message_id"]),
            transaction_id=str(data["transaction_id"]),
            outcome=IntakeOutcome(data["outcome"]),
            intent=str(data["intent"]),
            confidence=float(data["confidence"]),
            reasons=tuple(data.get("reasons") or ()),
            case_id=data.get("case_id"),
            account_id=data.get("account_id"),
            actions=tuple((str(a[0]), str(a[1])) for a in data.get("actions") or ()),
            reply=data.get("reply"),
        )


@dataclass
class ParkedCase:
    """A case waiting for the customer's answer; the reply resumes from here."""

    intent: str
    confidence: float
    entities: Entities
    account: Account | None
    contact: Contact | None


@dataclass
class IntakeSystems:
    """The connectors the agent reads through, and the connection names its actions go to."""

    crm: CRMConnector
    erp: CustomerERP
    crm_system: str
    """Connection names come from the deployment (or the caller); none is a default here."""
    erp_system: str
    outbox: Outbox = field(default_factory=Outbox)
    """Where replies queue for the channel gateway; files sent with a reply are staged here."""

    def read_only(self) -> IntakeSystems:
        """The same systems as read-only views: what agent code holds (writes go through the Governor)."""
        return replace(self, crm=read_only_crm(self.crm), erp=read_only_erp(self.erp))
