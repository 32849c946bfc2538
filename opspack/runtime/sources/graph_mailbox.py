"""`GraphMailboxSource`: messages in an Outlook mailbox folder, read through Microsoft Graph, become
work items shaped exactly like the IMAP source's: ``kind="message"`` with the raw RFC 822 bytes as
payload (rebuilt from Graph's message and its file attachments), so `documents_from_message` and the
intake agent read a Graph message like any other.

What is still to do is what carries neither opspack category: settling marks the message read and
adds the ``opspack-done`` or ``opspack-failed`` category, which Outlook users see as a coloured tag.
The cursor is a received time: every message received before it is settled. It only moves past a
message once that message is settled, so a cursor saved at any moment never skips work.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any, Protocol

from connectors.errors import ConnectorError
from connectors.msgraph.mail import MailFile, MailMessage
from opspack.runtime.sources.base import WorkItem
from opspack.runtime.sources.errors import SourceConfigurationError, SourceUnavailableError
from opspack.runtime.sources.mail import message_key, message_metadata

logger = logging.getLogger("opspack.runtime.sources.graph_mailbox")

DONE_CATEGORY = "opspack-done"
FAILED_CATEGORY = "opspack-failed"


class MailReader(Protocol):
    """What the source needs from a mailbox client (`connectors.msgraph.mail.GraphMailReader`)."""

    def messages(
        self, user: str, folder: str = "inbox", *, received_since: datetime | None = None
    ) -> Iterable[MailMessage]: ...

    def attachments(self, user: str, message_id: str) -> list[MailFile]: ...

    def mark(self, user: str, message_id: str, *, read: bool, categories: Iterable[str]) -> MailMessage: ...


class GraphMailboxSource:
    """Work items from one mailbox folder; see the module docstring."""

    def __init__(
        self,
        name: str,
        client: MailReader,
        user: str,
        folder: str = "inbox",
        kind: str = "message",
        *,
        batch_size: int = 50,
    ) -> None:
        if not user:
            raise SourceConfigurationError(name, "needs the mailbox's user (id or user principal name)")
        self.name = name
        self.client = client
        self.user = user
        self.folder = folder
        self.kind = kind
        self.batch_size = batch_size
        self._in_flight: dict[str, datetime] = {}
        """Graph message id -> received time, handed out and not yet settled."""

    def poll(self, cursor: str | None) -> tuple[list[WorkItem], str | None]:
        since = self._read_cursor(cursor)
        items: list[WorkItem] = []
        pending: list[datetime] = list(self._in_flight.values())
        latest: datetime | None = None
        try:
            for message in self.client.messages(self.user, self.folder, received_since=since):
                latest = message.received_at
                if {DONE_CATEGORY, FAILED_CATEGORY} & set(message.categories):
                    continue
                pending.append(message.received_at)
                if message.id in self._in_flight or len(items) >= self.batch_size:
                    continue
                items.append(self._item(message))
                self._in_flight[message.id] = message.received_at
        except ConnectorError as exc:
            raise SourceUnavailableError(
                self.name, f"cannot read {self.user}'s {self.folder} folder: {exc}"
            ) from exc
        moment = min(pending) if pending else latest
        return items, moment.isoformat() if moment is not None else cursor

    def settle(self, item: WorkItem, *, ok: bool, reason: str) -> None:
        """Mark the message read and tag it done or failed; the reason goes to the log."""
        graph_id = item.metadata.get("graph_id")
        if not isinstance(graph_id, str):
            raise SourceConfigurationError(self.name, f"work item {item.key!r} carries no Graph message id")
        tag = DONE_CATEGORY if ok else FAILED_CATEGORY
        categories = [*item.metadata.get("categories", []), tag]
        try:
            self.client.mark(self.user, graph_id, read=True, categories=categories)
        except ConnectorError as exc:
            raise SourceUnavailableError(self.name, f"cannot mark message {item.key} {tag}: {exc}") from exc
        self._in_flight.pop(graph_id, None)
        logger.info("%s: message %s %s: %s", self.name, item.key, tag, reason)

    def _item(self, message: MailMessage) -> WorkItem:
        files = self.client.attachments(self.user, message.id) if message.has_attachments else []
        raw = _rfc822(message, files)
        metadata: dict[str, Any] = message_metadata(raw)
        metadata.update(
            {
                "graph_id": message.id,
                "user": self.user,
                "folder": self.folder,
                "received_at": message.received_at.isoformat(),
                "categories": list(message.categories),
                "skipped_attachments": [f"{f.name} ({f.kind})" for f in files if f.kind != "file"],
            }
        )
        return WorkItem(
            source=self.name,
            key=message_key(raw, message.internet_message_id),
            kind=self.kind,
            payload=raw,
            metadata=metadata,
        )

    def _read_cursor(self, cursor: str | None) -> datetime | None:
        if not cursor:
            return None
        try:
            moment = datetime.fromisoformat(cursor)
        except ValueError:
            raise SourceConfigurationError(self.name, f"cursor {cursor!r} is not a received time") from None
        if moment.tzinfo is None:
            raise SourceConfigurationError(self.name, f"cursor {cursor!r} has no time zone")
        return moment


def _header(value: str) -> str:
    """One line: Graph text may hold line breaks a header must not."""
    return " ".join(value.split())


def _rfc822(message: MailMessage, files: list[MailFile]) -> bytes:
    mime = EmailMessage()
    if message.sender:
        mime["From"] = formataddr((_header(message.sender_name or ""), message.sender))
    if message.to:
        mime["To"] = ", ".join(message.to)
    mime["Subject"] = _header(message.subject)
    mime["Date"] = format_datetime(message.received_at)
    if message.internet_message_id:
        mime["Message-ID"] = _header(message.internet_message_id)
    mime.set_content(message.body, subtype="html" if message.body_is_html else "plain")
    for attached in files:
        if attached.kind != "file":
            continue
        maintype, _, subtype = (attached.content_type or "application/octet-stream").partition("/")
        mime.add_attachment(
            attached.content,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=attached.name,
        )
    return bytes(mime)
