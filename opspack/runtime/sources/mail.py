"""E-mail helpers shared by the mailbox sources: reading an RFC 822 message's headers and
attachments, and turning a message into the documents the AP agent takes.

A message source (IMAP, Microsoft Graph, a folder of ``.eml`` files) yields ``kind="message"`` work
items whose payload is the raw RFC 822 bytes, so every agent reads one shape whichever mailbox it
came from. `documents_from_message` splits out the PDF and XML attachments (an invoice and its
e-invoice twin); when there is none it says why, so the runner escalates or answers the sender
instead of dropping the message.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from pathlib import PurePath
from typing import Any

from opspack.runtime.sources.base import WorkItem

DOCUMENT_TYPES: dict[str, str] = {
    "application/pdf": ".pdf",
    "application/xml": ".xml",
    "text/xml": ".xml",
}
"""Content types the AP agent reads, with the file suffix that says the same."""
DOCUMENT_SUFFIXES = frozenset(DOCUMENT_TYPES.values())


@dataclass(frozen=True)
class MailAttachment:
    filename: str
    content_type: str
    content: bytes

    def describe(self) -> dict[str, Any]:
        return {"filename": self.filename, "content_type": self.content_type, "size": len(self.content)}

    @property
    def is_document(self) -> bool:
        """A PDF or XML file, by content type or, for a generic type, by file suffix."""
        if self.content_type in DOCUMENT_TYPES:
            return True
        generic = self.content_type in ("application/octet-stream", "binary/octet-stream")
        return generic and PurePath(self.filename).suffix.lower() in DOCUMENT_SUFFIXES


@dataclass(frozen=True)
class MessageDocuments:
    """The documents in one message, or why there are none (`problem` set, `documents` empty)."""

    documents: tuple[WorkItem, ...]
    problem: str | None = None


def parse_message(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)  # policy.default always builds EmailMessage
    return message


def attachments_of(message: EmailMessage) -> list[MailAttachment]:
    """Every attached file (inline images with a file name included), in message order."""
    found: list[MailAttachment] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if part.get_content_disposition() != "attachment" and not filename:
            continue
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        found.append(MailAttachment(filename or "unnamed", part.get_content_type(), content))
    return found


def message_metadata(raw: bytes) -> dict[str, Any]:
    """Message-ID, sender, subject, date and the attachment list (names, types, sizes)."""
    message = parse_message(raw)
    senders = getaddresses([str(message.get("From", ""))])
    return {
        "message_id": str(message.get("Message-ID", "")).strip() or None,
        "from": senders[0][1] if senders and senders[0][1] else None,
        "subject": str(message.get("Subject", "")),
        "date": str(message.get("Date", "")) or None,
        "attachments": [a.describe() for a in attachments_of(message)],
    }


def message_key(raw: bytes, message_id: str | None) -> str:
    """The Message-ID when the sender set one, else the SHA-256 of the raw message."""
    if message_id:
        return message_id
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def document_key(filename: str, content: bytes) -> str:
    """The business key of a document file: its name and the SHA-256 of its content."""
    return f"{filename}:{hashlib.sha256(content).hexdigest()}"


def documents_from_message(item: WorkItem) -> MessageDocuments:
    """One ``kind="document"`` work item per PDF or XML attachment of a message work item."""
    if not isinstance(item.payload, bytes):
        raise TypeError(f"work item {item.key!r} has no raw message payload (kind {item.kind!r})")
    message = parse_message(item.payload)
    attachments = attachments_of(message)
    documents = tuple(
        WorkItem(
            source=item.source,
            key=document_key(a.filename, a.content),
            kind="document",
            payload=a.content,
            filename=a.filename,
            metadata={"message_key": item.key, "content_type": a.content_type, "from": message.get("From")},
        )
        for a in attachments
        if a.is_document and a.content
    )
    if documents:
        return MessageDocuments(documents)
    if not attachments:
        problem = f"message {item.key} has no attachment; an invoice must come as a PDF or XML file"
    else:
        names = ", ".join(f"{a.filename} ({a.content_type})" for a in attachments)
        problem = f"message {item.key} has no usable PDF or XML attachment (found: {names})"
    return MessageDocuments((), problem)
