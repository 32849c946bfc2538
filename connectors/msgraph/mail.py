"""`GraphMailReader`: an Outlook mailbox through Microsoft Graph's mail API, in neutral terms.

Reads a folder's messages (``GET /v1.0/users/{id}/mailFolders/{folder}/messages``, oldest first,
optionally only those received since a moment), a message's attachments
(``GET /v1.0/users/{id}/messages/{id}/attachments``; file attachments carry their bytes as base64
``contentBytes``, attached e-mails and cloud links carry none) and marks a message read and
categorised (``PATCH /v1.0/users/{id}/messages/{id}`` with ``isRead`` and ``categories``; setting
both to fixed values is idempotent, so it may be retried).

The app registration needs the application permission ``Mail.ReadWrite`` (restrict it to the
mailboxes opspack reads with an Exchange Online application access policy). Graph field names stop
here: callers get `MailMessage` and `MailFile`.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

import requests
from pydantic import BaseModel, ConfigDict

from connectors.errors import BadResponseError
from connectors.http import VendorHttp
from connectors.msgraph import wire
from connectors.pagination import follow_links, odata_next_link

if TYPE_CHECKING:
    from typing import Self

    from connectors.registry import ConnectionConfig

MESSAGE_FIELDS = (
    "id,internetMessageId,subject,from,toRecipients,receivedDateTime,body,hasAttachments,isRead,categories"
)
_KINDS = {
    "#microsoft.graph.fileAttachment": "file",
    "#microsoft.graph.itemAttachment": "item",
    "#microsoft.graph.referenceAttachment": "reference",
}


class MailMessage(BaseModel):
    """One received e-mail, without its attachments' content."""

    model_config = ConfigDict(frozen=True)

    id: str
    """The mailbox's id of the message (opaque; changes if the message is moved)."""
    internet_message_id: str | None
    subject: str
    sender: str | None
    """The sender's e-mail address."""
    sender_name: str | None = None
    to: tuple[str, ...] = ()
    received_at: datetime
    body: str = ""
    body_is_html: bool = False
    has_attachments: bool = False
    is_read: bool = False
    categories: tuple[str, ...] = ()


class MailFile(BaseModel):
    """One attachment; only ``kind="file"`` carries content."""

    model_config = ConfigDict(frozen=True)

    name: str
    content_type: str | None
    content: bytes = b""
    kind: Literal["file", "item", "reference", "other"] = "file"
    inline: bool = False


class GraphMailReader:
    """Messages, attachments and read/category marks of Outlook mailboxes in one tenant."""

    def __init__(self, http: VendorHttp, *, page_size: int = 50) -> None:
        self._http = http
        self.vendor = http.vendor
        self.page_size = page_size

    @classmethod
    def from_config(
        cls, connection: ConnectionConfig, credentials: Mapping[str, str], session: requests.Session | None
    ) -> Self:
        """The same connection entry and credentials as `GraphAdapter.from_config` (client secret or
        certificate): the reader shares the adapter's authenticated HTTP client."""
        from connectors.msgraph.adapter import GraphAdapter

        adapter = GraphAdapter.from_config(connection, credentials, session)
        options: Mapping[str, Any] = connection.options or {}
        return cls(adapter.http, page_size=int(options.get("mail_page_size", 50)))

    # -- reading ---------------------------------------------------------------------------------

    def messages(
        self, user: str, folder: str = "inbox", *, received_since: datetime | None = None
    ) -> Iterator[MailMessage]:
        """The folder's messages, oldest first (from `received_since` on, inclusive, when given)."""
        path = f"/v1.0/users/{_segment(user)}/mailFolders/{_segment(folder)}/messages"
        params: dict[str, Any] = {
            "$select": MESSAGE_FIELDS,
            "$orderby": "receivedDateTime asc",
            "$top": self.page_size,
        }
        if received_since is not None:
            params["$filter"] = f"receivedDateTime ge {_graph_time(received_since)}"
        endpoint = "GET /v1.0/users/{id}/mailFolders/{folder}/messages"
        for raw in self._pages(path, params):
            yield _message(raw, endpoint)

    def attachments(self, user: str, message_id: str) -> list[MailFile]:
        path = f"/v1.0/users/{_segment(user)}/messages/{_segment(message_id)}/attachments"
        endpoint = "GET /v1.0/users/{id}/messages/{id}/attachments"
        return [_attachment(raw, endpoint) for raw in self._pages(path, {})]

    # -- marking ---------------------------------------------------------------------------------

    def mark(self, user: str, message_id: str, *, read: bool, categories: Iterable[str]) -> MailMessage:
        """Set the message's read flag and its full category list; returns the message as stored."""
        path = f"/v1.0/users/{_segment(user)}/messages/{_segment(message_id)}"
        body = {"isRead": read, "categories": list(dict.fromkeys(categories))}
        answer = self._http.send_json("PATCH", path, body, idempotent=True)
        return _message(answer, "PATCH /v1.0/users/{id}/messages/{id}")

    def _pages(self, path: str, params: Mapping[str, Any]) -> Iterator[Any]:
        endpoint = f"GET {path}"
        return follow_links(
            self._http,
            path,
            params,
            next_link=odata_next_link,
            items_of=lambda body: wire.collection(body, endpoint=endpoint),
        )


def _message(raw: Any, endpoint: str) -> MailMessage:
    if not isinstance(raw, dict) or not raw.get("id"):
        raise BadResponseError("message object lacks an id", vendor=wire.VENDOR, endpoint=endpoint)
    received = wire.parse_time(raw.get("receivedDateTime"), endpoint=endpoint)
    if received is None:
        raise BadResponseError(
            f"message {raw['id']} lacks receivedDateTime", vendor=wire.VENDOR, endpoint=endpoint
        )
    sender = (raw.get("from") or {}).get("emailAddress") or {}
    body = raw.get("body") or {}
    return MailMessage(
        id=str(raw["id"]),
        internet_message_id=raw.get("internetMessageId") or None,
        subject=str(raw.get("subject") or ""),
        sender=sender.get("address"),
        sender_name=sender.get("name"),
        to=tuple(
            str(r["emailAddress"]["address"])
            for r in raw.get("toRecipients") or []
            if isinstance(r, dict) and (r.get("emailAddress") or {}).get("address")
        ),
        received_at=received,
        body=str(body.get("content") or ""),
        body_is_html=str(body.get("contentType", "text")).lower() == "html",
        has_attachments=bool(raw.get("hasAttachments")),
        is_read=bool(raw.get("isRead")),
        categories=tuple(str(c) for c in raw.get("categories") or []),
    )


def _attachment(raw: Any, endpoint: str) -> MailFile:
    if not isinstance(raw, dict):
        raise BadResponseError("attachment is not an object", vendor=wire.VENDOR, endpoint=endpoint)
    kind = _KINDS.get(str(raw.get("@odata.type")), "other")
    content = b""
    if kind == "file":
        try:
            content = base64.b64decode(str(raw.get("contentBytes") or ""), validate=True)
        except (binascii.Error, ValueError):
            raise BadResponseError(
                f"attachment {raw.get('name')!r} has unreadable contentBytes",
                vendor=wire.VENDOR,
                endpoint=endpoint,
            ) from None
    return MailFile(
        name=str(raw.get("name") or "unnamed"),
        content_type=raw.get("contentType"),
        content=content,
        kind=kind,
        inline=bool(raw.get("isInline")),
    )


def _graph_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _segment(value: str) -> str:
    return quote(value, safe="")
