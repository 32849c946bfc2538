"""The credential delivery channel: a new secret goes to its owner, never into a ticket or a log.

`CredentialOutbox` is the `agents.performers.directory.CredentialDelivery` the directory performer
calls after a reset. It never does I/O inside the call (a failing mail server must not turn a
done reset into an "unknown" one): it queues the secret for the address the directory holds for
the account, which the agent registers before it asks for the reset -- never an address typed in
the ticket. Only metadata (who, which address, what kind, when) is ever shown; the secret stays a
`SecretStr` until `dispatch` hands it to the transport.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pydantic import SecretStr

from connectors.directory.models import ResetDelivery, ResetResult


@dataclass(frozen=True)
class OutgoingCredential:
    user_id: str
    address: str | None
    """The directory's e-mail for the account; None when it had none (then it is not sent)."""
    delivery: ResetDelivery
    issued_at: datetime
    secret: SecretStr | None

    def describe(self) -> str:
        where = self.address or "no address on file"
        return f"{self.delivery.value} for {self.user_id} to {where}"


Transport = Callable[[OutgoingCredential], None]
"""Sends one credential (SMTP, SMS gateway...); must not log the secret."""


class CredentialOutbox:
    """Queues reset results for their owners' directory addresses; thread-safe."""

    def __init__(self, transport: Transport | None = None) -> None:
        self.transport = transport
        self._addresses: dict[str, str] = {}
        self._lock = threading.Lock()
        self.queued: list[OutgoingCredential] = []
        self.sent: list[OutgoingCredential] = []

    def expect(self, user_id: str, address: str | None) -> None:
        """Register where `user_id`'s credential goes: the e-mail the directory holds for them."""
        if address:
            with self._lock:
                self._addresses[user_id] = address

    def __call__(self, user_id: str, result: ResetResult) -> None:
        with self._lock:
            self.queued.append(
                OutgoingCredential(
                    user_id=user_id,
                    address=self._addresses.get(user_id),
                    delivery=result.delivery,
                    issued_at=result.issued_at,
                    secret=result.secret,
                )
            )

    def dispatch(self) -> list[OutgoingCredential]:
        """Hand every queued credential with an address to the transport (or mark it sent in-process)."""
        with self._lock:
            ready = [c for c in self.queued if c.address]
            self.queued = [c for c in self.queued if not c.address]
        for credential in ready:
            if self.transport is not None:
                self.transport(credential)
        with self._lock:
            self.sent.extend(ready)
        return ready
