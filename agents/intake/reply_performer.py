"""`crm.send_reply`: a customer-visible reply is a public case comment plus an outbox record.

The outbox is what a mail or chat gateway drains; keeping the record lets the executor
reconcile a send whose outcome it could not observe (look the reply up by business key). Files
sent with a reply (an invoice PDF) are staged in the outbox by their SHA-256 before the action is
submitted; the action names them by digest, so the ledger proves which file went out without
holding its bytes, and a reply naming a file that was never staged is refused.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from agents.performers.crm import CRMPerformer
from connectors.crm.protocol import CRMConnector
from governance.action import Action
from governance.errors import ExecutionError
from governance.executor import ExecutionResult


@dataclass(frozen=True)
class OutboxAttachment:
    filename: str
    media_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    def descriptor(self) -> dict[str, Any]:
        """What the reply action carries instead of the bytes."""
        return {
            "filename": self.filename,
            "media_type": self.media_type,
            "size": len(self.content),
            "sha256": self.sha256,
        }


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
    attachments: tuple[OutboxAttachment, ...] = ()


@dataclass
class Outbox:
    """In-process outbox; thread-safe."""

    messages: list[OutboxMessage] = field(default_factory=list)
    _staged: dict[str, OutboxAttachment] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def stage(self, attachment: OutboxAttachment) -> dict[str, Any]:
        """Keep a file for a reply about to be submitted; returns its descriptor for the action."""
        with self._lock:
            self._staged[attachment.sha256] = attachment
        return attachment.descriptor()

    def staged(self, descriptor: Any) -> OutboxAttachment:
        """The staged file a reply action names; ExecutionError when it is unknown or differs."""
        digest = descriptor.get("sha256") if isinstance(descriptor, dict) else None
        with self._lock:
            found = self._staged.get(str(digest))
        if found is None or found.descriptor() != descriptor:
            raise ExecutionError(f"crm.send_reply: attachment {descriptor!r} was not staged in the outbox")
        return found

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
        files = tuple(self.outbox.staged(d) for d in action.params.get("attachments") or ())
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
                attachments=files,
            )
        )
        return self.result(comment.id, case=action.target)

    def reconcile_send_reply(self, action: Action) -> ExecutionResult | None:
        sent = self.outbox.find(action.business_key)
        return None if sent is None else self.result(sent.comment_id, case=sent.case_id, reconciled=True)
