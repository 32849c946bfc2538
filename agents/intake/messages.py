"""Inbound customer messages from every channel, normalised into one `InboundMessage`.

Email is parsed from raw RFC 822 bytes with the standard library's policy-aware parser: the
plain-text part wins, HTML-only mail is reduced to its visible text (scripts and styles
dropped), quoted history below a reply is cut off, attachments are listed by name and type but
never opened. Anything unreadable still becomes a message, flagged with its `problems`, so
nothing is lost: the agent files it for a person instead of dropping it.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from enum import StrEnum
from html.parser import HTMLParser

from pydantic import BaseModel, ConfigDict, Field

from agents.errors import AgentError

MAX_BODY_CHARS = 20_000
"""Longer bodies are truncated for understanding (the full text stays in the CRM case)."""
MAX_RAW_BYTES = 5_000_000


class Channel(StrEnum):
    EMAIL = "email"
    CHAT = "chat"
    WEB_FORM = "web_form"
    CRM = "crm"


class MessageError(AgentError, ValueError):
    """Input that cannot be read as a message of the named channel at all."""


class Attachment(BaseModel):
    model_config = ConfigDict(frozen=True)

    filename: str
    content_type: str
    size: int
    """Bytes; content is never opened or trusted."""


class InboundMessage(BaseModel):
    """One customer message, whatever the channel."""

    model_config = ConfigDict(frozen=True)

    channel: Channel
    message_id: str = Field(min_length=1)
    """Stable id: the email Message-ID, chat/web-form id, or a content hash when missing."""
    in_reply_to: tuple[str, ...] = ()
    """Ids of earlier messages this one answers (email In-Reply-To/References, chat session)."""
    case_number: str | None = None
    """A CRM case the message explicitly belongs to (CRM inbound, web form follow-ups)."""
    sender_email: str | None = None
    sender_name: str | None = None
    subject: str = ""
    body: str = ""
    """Visible new text: HTML stripped, quoted history removed, truncated to MAX_BODY_CHARS."""
    attachments: tuple[Attachment, ...] = ()
    received_at: datetime
    problems: tuple[str, ...] = ()
    """What was wrong with the input (empty, binary, mis-encoded, truncated ...)."""

    @property
    def text(self) -> str:
        """Subject and body, the text understanding works on."""
        return f"{self.subject}\n{self.body}".strip()


class _VisibleText(HTMLParser):
    _SKIP = frozenset({"script", "style", "head", "title", "template", "noscript"})
    _BREAK = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0
        self._quote = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        if tag == "blockquote":
            self._quote += 1
        if tag in self._BREAK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        if tag == "blockquote" and self._quote:
            self._quote -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping and not self._quote:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Visible text of an HTML body; scripts, styles and quoted blocks are dropped."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return re.sub(r"[ \t]+", " ", "".join(parser.parts)).strip()


_QUOTE_HEADER = re.compile(
    r"^(On .{0,200}wrote:|-{2,} ?Original Message ?-{2,}|From: .+|Am .{0,200}schrieb .+:|Le .{0,200}a écrit ?:)\s*$",
    re.IGNORECASE,
)


def strip_quoted(text: str) -> str:
    """The new part of a reply: stop at the quote header or the first run of `>` lines."""
    kept: list[str] = []
    for line in text.splitlines():
        if _QUOTE_HEADER.match(line.strip()) or line.lstrip().startswith(">"):
            break
        kept.append(line)
    return "\n".join(kept).strip()


def clean_body(text: str, problems: list[str]) -> str:
    """`text` made safe to work on; what was wrong with it is appended to `problems`."""
    if "\x00" in text or sum(1 for ch in text[:2000] if ord(ch) < 32 and ch not in "\r\n\t") > 20:
        problems.append("binary_content")
        text = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t")
    if "\ufffd" in text:
        problems.append("mis_encoded")
    if len(text) > MAX_BODY_CHARS:
        problems.append("truncated")
        text = text[:MAX_BODY_CHARS]
    if not text.strip():
        problems.append("empty")
    return text.strip()


def _content_id(*parts: str) -> str:
    return "sha256:" + hashlib.sha256("\x1f".join(parts).encode("utf-8", "replace")).hexdigest()[:32]


def _ids(value: str | None) -> tuple[str, ...]:
    return tuple(re.findall(r"<[^<>\s]+>", value or ""))


def _part_text(part: EmailMessage, problems: list[str]) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeDecodeError, AssertionError):
        payload = part.get_payload(decode=True)
        problems.append("mis_encoded")
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if isinstance(content, bytes):
        return content.decode("utf-8", "replace")
    return str(content)


def parse_eml(raw: bytes, *, received_at: datetime | None = None) -> InboundMessage:
    """An RFC 822 message; never raises for bad content, only flags `problems`."""
    problems: list[str] = []
    if len(raw) > MAX_RAW_BYTES:
        problems.append("oversized")
        raw = raw[:MAX_RAW_BYTES]
    message = BytesParser(policy=policy.default).parsebytes(raw)
    if not isinstance(message, EmailMessage):  # pragma: no cover - policy.default yields EmailMessage
        raise MessageError("email parser returned an unexpected message type")
    if message.defects:
        problems.append("malformed_headers")
    plain: str | None = None
    html: str | None = None
    attachments: list[Attachment] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        ctype = part.get_content_type()
        if disposition == "attachment" or (part.get_filename() and ctype not in ("text/plain", "text/html")):
            payload = part.get_payload(decode=True)
            attachments.append(
                Attachment(
                    filename=part.get_filename() or "unnamed",
                    content_type=ctype,
                    size=len(payload) if isinstance(payload, bytes) else 0,
                )
            )
        elif ctype == "text/plain" and plain is None:
            plain = _part_text(part, problems)
        elif ctype == "text/html" and html is None:
            html = _part_text(part, problems)
    if (
        plain is None
        and html is None
        and not message.is_multipart()
        and not message.get_content_type().startswith("text/")
    ):
        problems.append("binary_content")
    text = plain if plain is not None and plain.strip() else html_to_text(html) if html else ""
    body = clean_body(strip_quoted(text.replace("\r\n", "\n")), problems)
    senders = getaddresses([str(message.get("From", ""))])
    name, address = senders[0] if senders else ("", "")
    subject = str(message.get("Subject", "") or "")[:255]
    message_id = (_ids(str(message.get("Message-ID", ""))) or (_content_id(address, subject, body),))[0]
    references = _ids(str(message.get("References", ""))) + _ids(str(message.get("In-Reply-To", "")))
    when = received_at
    if when is None:
        try:
            when = parsedate_to_datetime(str(message.get("Date", "")))
        except (TypeError, ValueError):
            when = None
    when = when if when is not None and when.tzinfo is not None else datetime.now(UTC)
    return InboundMessage(
        channel=Channel.EMAIL,
        message_id=message_id,
        in_reply_to=tuple(dict.fromkeys(references)),
        sender_email=address.lower() if "@" in address else None,
        sender_name=name or None,
        subject=subject,
        body=body,
        attachments=tuple(attachments),
        received_at=when,
        problems=tuple(dict.fromkeys(problems)),
    )
