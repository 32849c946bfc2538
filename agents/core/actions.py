"""What an agent proposes, before the core turns it into a governed `Action`.

An agent names the *kind* of system it wants to write to (``erp``, ``itsm``, ``crm``,
``directory``); the transaction's `Connections` turn that kind into the connection name the
policy knows (``sap``, ``servicenow``), and the agent's own name goes on every action. So the
agent never builds an `Action` by hand and never repeats its name or its connections.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agents.errors import AgentError
from governance.action import Action

__all__ = ["Connections", "ProposedAction", "UnknownSystemKind"]


class UnknownSystemKind(AgentError, KeyError):
    """A proposed action names a kind of system the agent was given no connection for."""


@dataclass(frozen=True)
class Connections:
    """The kind -> connection map of one agent: ``{"erp": "sap", "itsm": "servicenow"}``."""

    by_kind: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, **by_kind: str) -> Connections:
        return cls(dict(by_kind))

    def system(self, kind: str) -> str:
        try:
            return self.by_kind[kind]
        except KeyError:
            known = ", ".join(sorted(self.by_kind)) or "none"
            raise UnknownSystemKind(f"no connection for system kind {kind!r} (known: {known})") from None


class ProposedAction(BaseModel):
    """One write an agent wants, without its agent name or connection (the core adds both)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    operation: str = Field(min_length=1)
    """``<kind>.<verb>``, as in `Action.operation`."""
    business_key: str = Field(min_length=1)
    """Stable per business document and step: the executor's idempotency key derives from it."""
    target: str = ""
    params: dict[str, Any] = Field(default_factory=dict)
    kind: str | None = None
    """The system kind; None: the operation's prefix (``erp.post_invoice`` -> ``erp``)."""
    amount: Decimal | None = None
    currency: str | None = None
    counterparty: str | None = None
    requested_by: str | None = None

    @property
    def system_kind(self) -> str:
        return self.kind or self.operation.split(".", 1)[0]

    def to_action(self, agent: str, connections: Connections) -> Action:
        return Action(
            agent=agent,
            system=connections.system(self.system_kind),
            operation=self.operation,
            target=self.target,
            params=self.params,
            amount=self.amount,
            currency=self.currency,
            counterparty=self.counterparty,
            business_key=self.business_key,
            requested_by=self.requested_by,
        )
