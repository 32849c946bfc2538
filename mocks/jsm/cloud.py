"""What differs on Jira Cloud: account ids, the enhanced JQL search, and the removed Server APIs.

A `JsmMock` built with ``deployment="cloud"``:

- reports ``deploymentType: "Cloud"`` from ``serverInfo`` (the ``jira`` client switches on it);
- renders users as Cloud does, by ``accountId`` (``712020:<uuid>``) with ``accountType``, and
  without ``name``/``key``; user references in writes (``raiseOnBehalfOf``, ``assignee``...) and
  JQL user clauses must be account ids;
- serves ``GET|POST /rest/api/{2,3}/search/jql`` (``nextPageToken`` / ``isLast``, no ``total``;
  v3 renders ``description`` and comment bodies as Atlassian Document Format) and answers the
  removed ``/rest/api/{2,3}/search`` with 410 and Atlassian's migration message;
- answers ``user/search?username=`` with 400 (GDPR strict mode) and serves ``query=`` and
  ``GET /rest/api/2/user?accountId=``.

The Server/DC mock (``deployment="server"``, the default) does not serve ``/search/jql``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import TYPE_CHECKING, Any

from mocks.base import MockHttpError, MockRequest, route
from mocks.jsm.rendering import Renderer
from mocks.jsm.state import JsmState, StoredIssue

__all__ = ["REMOVED_SEARCH", "CloudRoutes", "adf"]

REMOVED_SEARCH = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)


def adf(text: str | None) -> dict[str, Any] | None:
    """Plain text as an Atlassian Document Format document, one paragraph per line."""
    if text is None:
        return None
    paragraphs = [
        {"type": "paragraph", "content": [{"type": "text", "text": line}] if line else []}
        for line in text.split("\n")
    ]
    return {"type": "doc", "version": 1, "content": paragraphs}


def _token(offset: int, jql: str) -> str:
    raw = json.dumps({"o": offset, "q": hashlib.sha256(jql.encode()).hexdigest()[:12]})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _offset(token: str, jql: str) -> int:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset = int(decoded["o"])
        same_query = decoded["q"] == hashlib.sha256(jql.encode()).hexdigest()[:12]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise MockHttpError(400, "The provided next page token is invalid or expired.") from None
    if not same_query or offset < 0:
        raise MockHttpError(400, "The provided next page token is invalid or expired.")
    return offset


class CloudRoutes:
    """Mixed into `JsmMock`; the enhanced search that only a Cloud site serves."""

    state: JsmState
    cloud: bool

    if TYPE_CHECKING:  # provided by JsmMock

        def renderer(self) -> Renderer: ...

        def search_issues(self, jql: str) -> list[StoredIssue]: ...

    @route("GET", r"/rest/api/(?P<version>[23])/search/jql")
    def search_jql_get(self, request: MockRequest, version: str) -> dict[str, Any]:
        q = request.query
        return self._enhanced_search(
            version,
            q.get("jql"),
            q.get("nextPageToken"),
            q.get("maxResults"),
            q.get("fields"),
            q.get("expand"),
        )

    @route("POST", r"/rest/api/(?P<version>[23])/search/jql")
    def search_jql_post(self, request: MockRequest, version: str) -> dict[str, Any]:
        body = request.json()
        if not isinstance(body, dict):
            raise MockHttpError(400, "The request body must be a JSON object.")
        fields = body.get("fields")
        expand = body.get("expand")
        return self._enhanced_search(
            version,
            body.get("jql"),
            body.get("nextPageToken"),
            body.get("maxResults"),
            ",".join(fields) if isinstance(fields, list) else fields,
            ",".join(expand) if isinstance(expand, list) else expand,
        )

    def _enhanced_search(
        self, version: str, jql: Any, token: Any, size: Any, fields: str | None, expand: Any
    ) -> dict[str, Any]:
        if not self.cloud:
            raise MockHttpError(404, "null for uri: /rest/api/2/search/jql")  # what Server answers
        text = str(jql or "")
        if not text.strip():
            raise MockHttpError(
                400, "Unbounded JQL queries are not allowed here. Please add a search restriction."
            )
        try:
            max_results = min(int(size if size is not None else 50), 5000)
        except (TypeError, ValueError):
            raise MockHttpError(400, "maxResults must be an integer") from None
        start = _offset(str(token), text) if token else 0
        found = self.search_issues(text)
        page = found[start : start + max_results]
        renderer = self.renderer()
        issues = [
            renderer.issue(i, fields or "id", expand if isinstance(expand, str) else None) for i in page
        ]
        if version == "3":
            issues = [_as_adf(i) for i in issues]
        body: dict[str, Any] = {"issues": issues, "isLast": start + len(page) >= len(found)}
        if not body["isLast"]:
            body["nextPageToken"] = _token(start + len(page), text)
        return body


def _as_adf(issue: dict[str, Any]) -> dict[str, Any]:
    fields = dict(issue.get("fields") or {})
    if isinstance(fields.get("description"), str):
        fields["description"] = adf(fields["description"])
    comment = fields.get("comment")
    if isinstance(comment, dict):
        comments = [{**c, "body": adf(c.get("body"))} for c in comment.get("comments", [])]
        fields["comment"] = {**comment, "comments": comments}
    return {**issue, "fields": fields}
