"""`crm.send_reply`: a customer-visible reply is a public case comment plus an outbox record.

The outbox is what a mail or chat gateway drains; keeping the record lets the executor
reconcile a send whose outcome it could not observe (look the reply up by business key).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

from agents.performers.crm import CRMPerformer
from connectors.crm.protocol import CRMConnector
from governance.action import Action
from governance.executor import ExecutionResult


@dataclass(frozen=True)
class OutboxMessage:
    """One reply waiting for the channel gateway."""

    business_key: str
    """The reply's idempotency key (one reply per business key)."""
    case_id: str
    comment_id: str
    to: str | None
    """The customer's address on the channel (email address, chat session id); None if unknown."""
    channel: str
    subject: str
    body: str
    queued_at: datetime


@dataclass
class Outbox:
    """In-process outbox; thread-safe."""

    messages: list[OutboxMessage] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, message: OutboxMessage) -> None:
        with self._lock:
            self.messages.append(message)

    def find(self, business_key: str) -> OutboxMessage | None:
        with self._lock:
            return next((m for m in self.messages if m.business_key == business_key), None)


class ReplyingCRMPerformer(CRMPerformer):
    """The CRM performer plus `crm.send_reply`, so one system name serves every CRM operation."""

    def __init__(self, connector: CRMConnector, outbox: Outbox) -> None:
        super().__init__(connector)
        self.outbox = outbox

    def perform_send_reply(self, action: Action) -> ExecutionResult:
        existing = self.outbox.find(action.business_key)
        if existing is not None:
            return self.result(existing.comment_id, case=existing.case_id, already_queued=True)
        body = str(self.param(action, "body"))
        comment = self.connector.add_case_comment(action.target, body, public=True)
        to = action.params.get("to")
        self.outbox.add(
            OutboxMessage(
                business_key=action.business_key,
                case_id=action.target,
                comment_id=comment.id,
                to=None if to is None else str(to),
                channel=str(action.params.get("channel", "email")),
                subject=str(action.params.get("subject", "")),
                body=body,
                queued_at=datetime.now(UTC),
            )
        )
        return self.result(comment.id, case=action.target)

    def reconcile_send_reply(self, action: Action) -> ExecutionResult | None:
        sent = self.outbox.find(action.business_key)
        return None if sent is None else self.result(sent.comment_id, case=sent.case_id, reconciled=True)
