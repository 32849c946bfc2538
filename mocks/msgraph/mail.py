"""The Outlook mail side of the Graph mock, mixed into `GraphMock`: a mailbox per user with
well-known folders, messages and their file attachments.

Routes (Graph v1.0 mail API, application permission ``Mail.ReadWrite``):

- ``GET /users/{id|upn}/mailFolders/{folder}/messages`` with ``$filter`` (``isRead eq false``,
  ``receivedDateTime ge 2026-03-02T09:00:00Z``), ``$orderby=receivedDateTime [asc|desc]``,
  ``$select``, ``$top`` / ``$skiptoken``; ``{folder}`` is a well-known name (``inbox``,
  ``archive``, ...) or a folder id;
- ``GET /users/{id}/messages/{id}``; ``PATCH`` the same with ``isRead`` and ``categories`` (200 with
  the updated message, as Graph answers; other properties of a received message are read-only here);
- ``GET /users/{id}/messages/{id}/attachments``: ``#microsoft.graph.fileAttachment`` objects with
  base64 ``contentBytes``, and ``#microsoft.graph.itemAttachment`` (an attached e-mail) without it.

Errors as Graph's: 404 ``ErrorItemNotFound`` for an unknown folder or message, 404
``MailboxNotEnabledForRESTAPI`` for a user without a mailbox. Mock convenience: `deliver_mail`.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from mocks.base import MockHttpError, MockRequest, MockResponse, json_response, route
from mocks.msgraph import odata
from mocks.msgraph.state import GraphTenant, graph_time

WELL_KNOWN_FOLDERS = ("inbox", "archive", "drafts", "sentitems", "deleteditems", "junkemail")
_U, _F, _M = r"(?P<uid>[^/]+)", r"(?P<folder>[^/]+)", r"(?P<mid>[^/]+)"
_WRITABLE = frozenset({"isRead", "categories"})


@dataclass
class Mailbox:
    folders: dict[str, str] = field(default_factory=dict)
    """Folder id -> well-known name."""
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Message id -> message in Graph's wire shape (``parentFolderId`` says where it is)."""
    attachments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


class GraphMailRoutes:
    """Routes for Outlook mail; needs ``tenant``, ``graph_url`` and ``_find_user`` from `GraphMock`."""

    tenant: GraphTenant
    graph_url: str | None
    mailboxes: dict[str, Mailbox]
    _find_user: Callable[[str], dict[str, Any]]

    # -- routes ----------------------------------------------------------------------------------

    @route("GET", rf"/v1\.0/users/{_U}/mailFolders/{_F}/messages")
    def list_messages(self, request: MockRequest, uid: str, folder: str) -> MockResponse:
        box, user_id = self._mailbox(uid)
        folder_id = self._folder_id(box, folder)
        matches = odata.parse_filter(request.query.get("$filter"))
        found = [m for m in box.messages.values() if m["parentFolderId"] == folder_id and matches(m)]
        found.sort(key=lambda m: m["receivedDateTime"], reverse=_descending(request.query.get("$orderby")))
        shown = [odata.select(_public(m), request.query.get("$select")) for m in found]
        offset, size = odata.page_bounds(
            request.query.get("$top"), request.query.get("$skiptoken"), default=10
        )
        body: dict[str, Any] = {
            "@odata.context": f"{self._mail_base()}/v1.0/$metadata#users('{user_id}')/mailFolders('{folder}')/messages",
            "value": shown[offset : offset + size],
        }
        if offset + size < len(shown):
            kept = {k: request.query[k] for k in request.query if k != "$skiptoken"}
            kept["$skiptoken"] = odata.skiptoken(offset + size)
            path = f"/v1.0/users/{uid}/mailFolders/{folder}/messages"
            body["@odata.nextLink"] = f"{self.graph_url or ''}{path}?{urlencode(kept)}"
        return json_response(body, headers={"Content-Type": "application/json;odata.metadata=minimal"})

    @route("GET", rf"/v1\.0/users/{_U}/messages/{_M}")
    def get_message(self, request: MockRequest, uid: str, mid: str) -> dict[str, Any]:
        box, user_id = self._mailbox(uid)
        message = odata.select(_public(self._message(box, mid)), request.query.get("$select"))
        return {
            "@odata.context": f"{self._mail_base()}/v1.0/$metadata#users('{user_id}')/messages/$entity",
            **message,
        }

    @route("PATCH", rf"/v1\.0/users/{_U}/messages/{_M}")
    def update_message(self, request: MockRequest, uid: str, mid: str) -> dict[str, Any]:
        box, user_id = self._mailbox(uid)
        message = self._message(box, mid)
        changes = request.json()
        if not isinstance(changes, dict):
            raise MockHttpError(400, "Empty Payload, JSON content expected.", code="ErrorInvalidRequest")
        for name, value in changes.items():
            if name not in _WRITABLE:
                raise MockHttpError(
                    400, f"The property '{name}' is read-only and cannot be set.", code="ErrorInvalidProperty"
                )
            valid = isinstance(value, bool) if name == "isRead" else _strings(value)
            if not valid:
                raise MockHttpError(400, f"Invalid value for property '{name}'.", code="ErrorInvalidProperty")
        message.update(changes)
        message["lastModifiedDateTime"] = graph_time(self.tenant.clock())
        return {
            "@odata.context": f"{self._mail_base()}/v1.0/$metadata#users('{user_id}')/messages/$entity",
            **_public(message),
        }

    @route("GET", rf"/v1\.0/users/{_U}/messages/{_M}/attachments")
    def list_attachments(self, request: MockRequest, uid: str, mid: str) -> dict[str, Any]:
        box, user_id = self._mailbox(uid)
        self._message(box, mid)
        return {
            "@odata.context": f"{self._mail_base()}/v1.0/$metadata#users('{user_id}')/messages('{mid}')/attachments",
            "value": [odata.select(a, request.query.get("$select")) for a in box.attachments.get(mid, [])],
        }

    # -- mock conveniences -----------------------------------------------------------------------

    def deliver_mail(
        self,
        user: str,
        *,
        sender: str,
        subject: str,
        body: str = "",
        attachments: Sequence[tuple[str, str, bytes]] = (),
        attached_messages: Sequence[str] = (),
        internet_message_id: str | None = None,
        folder: str = "inbox",
        received_at: datetime | None = None,
    ) -> str:
        """Put a message into `user`'s folder as if it had arrived; returns its Graph id.

        `attachments` are (file name, content type, bytes); `attached_messages` are subjects of
        e-mails attached as items (no bytes through the attachments endpoint, as in Graph).
        """
        box, _ = self._mailbox(user)
        moment = received_at or self.tenant.clock()
        mid = "AAMkAD" + uuid.uuid4().hex
        name, _, address = sender.rpartition(" ")
        address = address.strip("<>")
        box.messages[mid] = {
            "id": mid,
            "createdDateTime": graph_time(moment),
            "lastModifiedDateTime": graph_time(moment),
            "receivedDateTime": graph_time(moment),
            "sentDateTime": graph_time(moment),
            "hasAttachments": bool(attachments or attached_messages),
            "internetMessageId": internet_message_id or f"<{uuid.uuid4().hex}@mail.mock>",
            "subject": subject,
            "bodyPreview": body[:255],
            "importance": "normal",
            "parentFolderId": self._folder_id(box, folder),
            "conversationId": "AAQkAD" + uuid.uuid4().hex[:24],
            "isRead": False,
            "isDraft": False,
            "categories": [],
            "body": {"contentType": "text", "content": body},
            "from": {"emailAddress": {"name": name.strip() or address, "address": address}},
            "sender": {"emailAddress": {"name": name.strip() or address, "address": address}},
            "toRecipients": [
                {"emailAddress": {"name": user, "address": self._find_user(user)["userPrincipalName"]}}
            ],
        }
        files = [
            {
                "@odata.type": "#microsoft.graph.fileAttachment",
                "id": "AAMkAtt" + uuid.uuid4().hex,
                "lastModifiedDateTime": graph_time(moment),
                "name": filename,
                "contentType": content_type,
                "size": len(content),
                "isInline": False,
                "contentId": None,
                "contentLocation": None,
                "contentBytes": base64.b64encode(content).decode("ascii"),
            }
            for filename, content_type, content in attachments
        ]
        items = [
            {
                "@odata.type": "#microsoft.graph.itemAttachment",
                "id": "AAMkAtt" + uuid.uuid4().hex,
                "lastModifiedDateTime": graph_time(moment),
                "name": attached_subject,
                "contentType": None,
                "size": 2048,
                "isInline": False,
            }
            for attached_subject in attached_messages
        ]
        box.attachments[mid] = files + items
        return mid

    def mail_message(self, user: str, message_id: str) -> dict[str, Any]:
        """The stored message, for assertions."""
        box, _ = self._mailbox(user)
        return self._message(box, message_id)

    # -- helpers ---------------------------------------------------------------------------------

    def _mailbox(self, key: str) -> tuple[Mailbox, str]:
        user = self._find_user(key)
        if not user.get("mail"):  # no Exchange Online licence: Graph has no mailbox to show
            raise MockHttpError(
                404,
                "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
                code="MailboxNotEnabledForRESTAPI",
            )
        user_id = str(user["id"])
        if user_id not in self.mailboxes:
            self.mailboxes[user_id] = Mailbox(
                folders={"AAMkFld" + uuid.uuid4().hex: n for n in WELL_KNOWN_FOLDERS}
            )
        return self.mailboxes[user_id], user_id

    @staticmethod
    def _folder_id(box: Mailbox, folder: str) -> str:
        if folder in box.folders:
            return folder
        wanted = folder.lower()
        for folder_id, name in box.folders.items():
            if name == wanted:
                return folder_id
        raise MockHttpError(404, "The specified object was not found in the store.", code="ErrorItemNotFound")

    @staticmethod
    def _message(box: Mailbox, mid: str) -> dict[str, Any]:
        if mid not in box.messages:
            raise MockHttpError(
                404, "The specified object was not found in the store.", code="ErrorItemNotFound"
            )
        return box.messages[mid]

    def _mail_base(self) -> str:
        return self.graph_url or "https://graph.microsoft.com"


def _public(message: dict[str, Any]) -> dict[str, Any]:
    return {"@odata.etag": f'W/"{message["lastModifiedDateTime"]}"', **message}


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _descending(orderby: str | None) -> bool:
    if not orderby:
        return False
    parts = orderby.split()
    if (
        parts[0] != "receivedDateTime"
        or len(parts) > 2
        or (len(parts) == 2 and parts[1] not in ("asc", "desc"))
    ):
        raise odata.unsupported(f"Invalid $orderby: {orderby}; the mock orders by receivedDateTime only")
    return len(parts) == 2 and parts[1] == "desc"
