"""Jira platform issue routes beyond the service-desk flow, mixed into `JsmMock`: assignee,
worklogs and attachments, as the ``jira`` client calls them.

- ``PUT /rest/api/{2,latest}/issue/{key}/assignee`` with ``{"name"}`` (Server/DC) or
  ``{"accountId"}`` (Cloud); ``null`` unassigns; 204.
- ``GET|POST .../issue/{key}/worklog``: ``timeSpentSeconds`` or ``timeSpent`` (``1h 30m``,
  ``2d``: 8-hour days, 5-day weeks), ``comment``, ``started``; 201 with the worklog; the list is
  paged ``{startAt, maxResults, total, worklogs}``.
- ``POST .../issue/{key}/attachments``: ``multipart/form-data`` with a ``file`` part and
  ``X-Atlassian-Token: no-check`` (403 without, as Jira's XSRF check answers); 200 with a list of
  attachments. ``GET /rest/api/2/attachment/{id}`` reads metadata and
  ``GET /rest/api/2/attachment/content/{id}`` the bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from typing import TYPE_CHECKING, Any

from mocks.base import MockHttpError, MockRequest, MockResponse, empty_response, json_response, route
from mocks.jsm.state import jira_time

if TYPE_CHECKING:
    from mocks.jsm.rendering import Renderer
    from mocks.jsm.state import JsmState, StoredIssue

_ISSUE = r"/rest/api/(?:2|latest)/issue/(?P<key>[A-Za-z0-9-]+)"
_DURATION = re.compile(r"(\d+)\s*([wdhm])")
_SECONDS = {"w": 5 * 8 * 3600, "d": 8 * 3600, "h": 3600, "m": 60}


@dataclass
class StoredFile:
    id: str
    issue_key: str
    filename: str
    mime_type: str
    content: bytes
    author: str
    created: str


def parse_duration(text: str) -> int:
    """Jira's ``1w 2d 3h 30m`` → seconds; anything else raises a 400 naming the value."""
    parts = _DURATION.findall(text)
    if not parts or _DURATION.sub("", text).strip():
        raise MockHttpError(400, f"Invalid time duration entered: {text!r}", code="field:timeLogged")
    return sum(int(n) * _SECONDS[unit] for n, unit in parts)


class IssueExtraRoutes:
    """Needs ``state``, ``cloud``, ``stored``, ``renderer``, ``current_user`` and ``user_name``."""

    state: JsmState
    cloud: bool
    worklogs: dict[str, list[dict[str, Any]]]
    files: dict[str, StoredFile]

    if TYPE_CHECKING:

        def stored(self, key: str) -> StoredIssue: ...

        def renderer(self) -> Renderer: ...

        def current_user(self, request: MockRequest) -> str | None: ...

        def user_name(self, value: Any, field: str) -> str: ...

    @route("PUT", _ISSUE + r"/assignee")
    def assign(self, request: MockRequest, key: str) -> MockResponse:
        issue = self.stored(key)
        body = request.json() if request.body.strip() not in (b"", b"null") else None
        if body is None or (isinstance(body, dict) and not any(body.get(k) for k in ("name", "accountId"))):
            issue.assignee = None
        else:
            issue.assignee = self.user_name(body, "assignee")
        issue.updated = jira_time()
        return empty_response(204)

    @route("GET", _ISSUE + r"/worklog")
    def list_worklogs(self, request: MockRequest, key: str) -> dict[str, Any]:
        issue = self.stored(key)
        logs = self.worklogs.get(issue.key, [])
        return {"startAt": 0, "maxResults": len(logs), "total": len(logs), "worklogs": logs}

    @route("POST", _ISSUE + r"/worklog")
    def add_worklog(self, request: MockRequest, key: str) -> MockResponse:
        issue = self.stored(key)
        body = request.json()
        if not isinstance(body, dict):
            raise MockHttpError(400, "The worklog must be a JSON object.")
        if body.get("timeSpentSeconds") is not None:
            try:
                seconds = int(body["timeSpentSeconds"])
            except (TypeError, ValueError):
                raise MockHttpError(
                    400, "timeSpentSeconds must be a number", code="field:timeLogged"
                ) from None
        elif body.get("timeSpent"):
            seconds = parse_duration(str(body["timeSpent"]))
        else:
            raise MockHttpError(400, "You must indicate the time spent working.", code="field:timeLogged")
        if seconds <= 0:
            raise MockHttpError(400, "Time Spent must be greater than zero.", code="field:timeLogged")
        logs = self.worklogs.setdefault(issue.key, [])
        author = self.renderer().user(self.current_user(request))
        worklog_id = str(10000 + sum(len(v) for v in self.worklogs.values()))
        stamp = jira_time()
        hours, rest = divmod(seconds, 3600)
        entry = {
            "self": f"{self.renderer().base}/rest/api/2/issue/{issue.id}/worklog/{worklog_id}",
            "author": author, "updateAuthor": author, "comment": body.get("comment", ""),
            "created": stamp, "updated": stamp, "started": body.get("started") or stamp,
            "timeSpent": " ".join(p for p in (f"{hours}h" if hours else "", f"{rest // 60}m" if rest >= 60 else "") if p)
            or f"{seconds}s",
            "timeSpentSeconds": seconds, "id": worklog_id, "issueId": issue.id,
        }  # fmt: skip
        logs.append(entry)
        issue.updated = stamp
        return json_response(entry, 201)

    @route("POST", _ISSUE + r"/attachments")
    def add_attachments(self, request: MockRequest, key: str) -> list[dict[str, Any]]:
        issue = self.stored(key)
        if (request.headers.get("X-Atlassian-Token") or "").lower() != "no-check":
            raise MockHttpError(403, "XSRF check failed")
        content_type = request.headers.get("Content-Type") or ""
        if not content_type.lower().startswith("multipart/form-data"):
            raise MockHttpError(415, "Unsupported Media Type: attachments are multipart/form-data")
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + request.body
        )
        parts = [
            p for p in message.iter_parts() if p.get_param("name", header="content-disposition") == "file"
        ]
        if not parts:
            raise MockHttpError(400, "No file part named 'file' in the request.")
        author = self.current_user(request) or ""
        created: list[dict[str, Any]] = []
        for part in parts:
            data = part.get_payload(decode=True)
            stored = StoredFile(
                id=str(20000 + len(self.files)), issue_key=issue.key, filename=part.get_filename() or "attachment",
                mime_type=part.get_content_type(), content=data if isinstance(data, bytes) else b"",
                author=author, created=jira_time(),
            )  # fmt: skip
            self.files[stored.id] = stored
            created.append(self._attachment(stored))
        return created

    def _attachment(self, stored: StoredFile) -> dict[str, Any]:
        base = self.renderer().base
        return {"self": f"{base}/rest/api/2/attachment/{stored.id}", "id": stored.id, "filename": stored.filename,
                "author": self.renderer().user(stored.author), "created": stored.created, "size": len(stored.content),
                "mimeType": stored.mime_type, "content": f"{base}/rest/api/2/attachment/content/{stored.id}"}  # fmt: skip

    def _file(self, attachment_id: str) -> StoredFile:
        found = self.files.get(attachment_id)
        if found is None:
            raise MockHttpError(404, f"The attachment with id '{attachment_id}' does not exist")
        return found

    @route("GET", r"/rest/api/(?:2|latest)/attachment/(?P<attachment_id>\d+)")
    def get_attachment(self, request: MockRequest, attachment_id: str) -> dict[str, Any]:
        return self._attachment(self._file(attachment_id))

    @route("GET", r"/rest/api/(?:2|latest)/attachment/content/(?P<attachment_id>\d+)")
    def attachment_content(self, request: MockRequest, attachment_id: str) -> MockResponse:
        stored = self._file(attachment_id)
        return MockResponse(200, stored.content, {"Content-Type": stored.mime_type})
