"""`JsmMock`: a stateful Jira Service Management (Server/DC flavour) with the Jira platform API.

Serves the Jira platform REST API under ``/rest/api/2`` (``serverInfo``, fields, issues, search,
comments, transitions, users, groups) and the JSM API under ``/rest/servicedeskapi`` (service
desks, request types, queues, customer requests, their comments and transitions), enough for our
adapter and for the ``jira`` client. Auth is Basic ``email:api_token``. Errors use the platform's
``{errorMessages, errors}`` under ``/rest/api`` and JSM's ``{errorMessage, i18nErrorMessage}``
under ``/rest/servicedeskapi``; 429s carry ``Retry-After`` and the DC ``X-RateLimit-*`` headers.

For this mock, a `MockHttpError` whose ``code`` starts with ``field:`` reports a field error
(``errors: {field: message}``) on the platform API.
"""

from __future__ import annotations

import base64
import binascii
import threading
from functools import partial
from pathlib import Path
from typing import Any, Self

from connectors.fixture_files import fixture_path
from mocks.base import (
    MockHttpError,
    MockRequest,
    MockResponse,
    MockVendor,
    empty_response,
    json_response,
    route,
)
from mocks.jsm.cloud import REMOVED_SEARCH, CloudRoutes
from mocks.jsm.issue_extras import IssueExtraRoutes, StoredFile
from mocks.jsm.issue_writes import IssueWrites
from mocks.jsm.jql import JqlError, matches, parse
from mocks.jsm.rendering import Renderer
from mocks.jsm.servicedesk import ServiceDeskRoutes
from mocks.jsm.state import JsmState, StoredComment, StoredIssue, jira_time

FIXTURES = fixture_path("jsm")
_API = r"/rest/api/(?:2|latest)"
_ISSUE = _API + r"/issue/(?P<key>[A-Za-z0-9-]+)"


class JsmMock(CloudRoutes, IssueExtraRoutes, ServiceDeskRoutes, IssueWrites, MockVendor):
    """In-memory JSM; inspect with `count`, `issue`, `comments`, `find_by_field`."""

    NAME = "jsm"
    PREFIXES = ("/rest/",)
    MISSING_ROUTE_MESSAGE = "null for uri: {path}"

    def __init__(
        self,
        state: JsmState,
        *,
        base_url: str = "https://jsm.mock",
        rate_limit: int = 1000,
        deployment: str = "server",
    ) -> None:
        super().__init__()
        if deployment not in ("server", "cloud"):
            raise ValueError(f"deployment must be 'server' or 'cloud', got {deployment!r}")
        self.cloud = deployment == "cloud"
        """A Jira Cloud site (`mocks.jsm.cloud`) instead of Server/Data Center."""
        self.state = state
        self.worklogs: dict[str, list[dict[str, Any]]] = {}
        """Issue key -> rendered worklogs (`mocks.jsm.issue_extras`)."""
        self.files: dict[str, StoredFile] = {}
        """Attachment id -> stored file."""
        self.base_url = base_url.rstrip("/")
        self.rate_limit = rate_limit
        self._served = 0
        self._local = threading.local()

    @classmethod
    def from_fixtures(cls, path: str | Path | None = None, *, deployment: str = "server") -> Self:
        return cls(JsmState(Path(path) if path else FIXTURES), deployment=deployment)

    def account_id(self, user_name: str) -> str:
        """The Cloud account id of a seeded user (for tests driving the Cloud mode)."""
        return self.state.account_ids_by_name[user_name.lower()]

    # -- inspection ------------------------------------------------------------------------------

    def count(self, **equals: str) -> int:
        """Issues whose stored attributes or custom fields equal the given values (``status="Resolved"``)."""
        with self.lock:
            return sum(1 for i in self.state.issues.values() if _has(i, equals))

    def issue(self, key: str) -> StoredIssue | None:
        with self.lock:
            return self.state.issue(key)

    def comments(self, key: str) -> list[StoredComment]:
        with self.lock:
            found = self.state.issue(key)
            return list(found.comments) if found else []

    def find_by_field(self, field_id: str, value: str) -> list[StoredIssue]:
        with self.lock:
            return [i for i in self.state.issues.values() if i.custom.get(field_id) == value]

    # -- vendor hooks ----------------------------------------------------------------------------

    def handle(self, request: MockRequest, *, strict: bool = False) -> MockResponse:
        self._local.path = request.path
        self._local.origin = request.origin(self.base_url)
        return super().handle(request, strict=strict)

    def error_response(self, status: int, message: str, code: str | None = None) -> MockResponse:
        if status == 429:
            message = "Rate limit exceeded."
        elif status >= 500 and code is None:
            message = "Internal server error"
        if str(getattr(self._local, "path", "")).startswith("/rest/servicedeskapi"):
            key = code if code and not code.startswith("field:") else f"sd.error.http.{status}"
            return json_response(
                {"errorMessage": message, "i18nErrorMessage": {"i18nKey": key, "parameters": []}}, status
            )
        if code and code.startswith("field:"):
            return json_response({"errorMessages": [], "errors": {code[len("field:") :]: message}}, status)
        return json_response({"errorMessages": [message], "errors": {}}, status)

    def rate_limit_headers(
        self, request: MockRequest, *, limited: bool, retry_after: float
    ) -> dict[str, str]:
        self._served += 1
        headers = {
            "X-RateLimit-Limit": str(self.rate_limit),
            "X-RateLimit-Remaining": "0"
            if limited
            else str(max(0, self.rate_limit - self._served % self.rate_limit)),
            "X-RateLimit-Interval-Seconds": "60",
            "X-RateLimit-FillRate": str(self.rate_limit // 60 or 1),
        }
        if limited:
            headers["Retry-After"] = str(max(0, round(retry_after)))
        return headers

    def authenticate(self, request: MockRequest) -> MockResponse | None:
        if self.current_user(request) is not None:
            return None
        response = self.error_response(401, "Client must be authenticated to access this resource.")
        response.headers["WWW-Authenticate"] = 'Basic realm="protected-area"'
        return response

    def current_user(self, request: MockRequest) -> str | None:
        """The user name behind a valid Basic ``email:api_token``, else None."""
        scheme, _, credential = (request.headers.get("authorization") or "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            email, _, token = base64.b64decode(credential.strip()).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        with self.lock:
            if not token or self.state.api_tokens.get(email.lower()) != token:
                return None
            user = next(
                (u for u in self.state.users.values() if u["emailAddress"].lower() == email.lower()), None
            )
        return user["name"] if user else None

    def renderer(self) -> Renderer:
        return Renderer(self.state, getattr(self._local, "origin", self.base_url), cloud=self.cloud)

    def stored(self, key: str) -> StoredIssue:
        found = self.state.issue(key)
        if found is None:
            raise MockHttpError(404, "Issue does not exist or you do not have permission to see it.")
        return found

    # -- platform: instance ----------------------------------------------------------------------

    @route("GET", _API + r"/serverInfo", auth=False)
    def server_info(self, request: MockRequest) -> dict[str, Any]:
        info = {**self.state.server_info, "baseUrl": self.renderer().base, "serverTime": jira_time()}
        if self.cloud:
            info.update(deploymentType="Cloud", versionNumbers=[1001, 0, 0], version="1001.0.0-SNAPSHOT")
        return info

    @route("GET", _API + r"/myself")
    def myself(self, request: MockRequest) -> dict[str, Any] | None:
        return self.renderer().user(self.current_user(request), full=True)

    @route("GET", _API + r"/field")
    def fields(self, request: MockRequest) -> list[dict[str, Any]]:
        return [{**f, "navigable": True, "searchable": True, "orderable": True} for f in self.state.fields]

    @route("GET", _API + r"/(?P<kind>priority|resolution|issuetype)")
    def lookup_lists(self, request: MockRequest, kind: str) -> list[dict[str, Any]]:
        source = {"priority": self.state.priorities, "resolution": self.state.resolutions,
                  "issuetype": self.state.issuetypes}[kind]  # fmt: skip
        return list(source.values())

    @route("GET", _API + r"/status")
    def status_list(self, request: MockRequest) -> list[dict[str, Any]]:
        return [self.renderer().status(s["name"]) for s in self.state.statuses.values()]

    @route("GET", _API + r"/project/(?P<key>\w+)")
    def project(self, request: MockRequest, key: str) -> dict[str, Any]:
        found = next((p for p in self.state.projects if key in (p["key"], p["id"])), None)
        if found is None:
            raise MockHttpError(404, f"No project could be found with key '{key}'.")
        return {**found, "self": f"{self.renderer().base}/rest/api/2/project/{found['id']}",
                "issueTypes": list(self.state.issuetypes.values())}  # fmt: skip

    # -- platform: issues ------------------------------------------------------------------------

    @route("GET", _ISSUE)
    def get_issue(self, request: MockRequest, key: str) -> dict[str, Any]:
        return self.renderer().issue(
            self.stored(key), request.query.get("fields"), request.query.get("expand")
        )

    @route("GET", _API + r"/search")
    def search_get(self, request: MockRequest) -> dict[str, Any]:
        if self.cloud:
            raise MockHttpError(410, REMOVED_SEARCH)
        q = request.query
        return self._search(
            q.get("jql"), q.get("startAt"), q.get("maxResults"), q.get("fields"), q.get("expand")
        )

    @route("POST", _API + r"/search")
    def search_post(self, request: MockRequest) -> dict[str, Any]:
        if self.cloud:
            raise MockHttpError(410, REMOVED_SEARCH)
        body = request.json()
        fields = body.get("fields")
        return self._search(
            body.get("jql"), body.get("startAt"), body.get("maxResults"),
            ",".join(fields) if isinstance(fields, list) else fields, body.get("expand"),
        )  # fmt: skip

    def _search(self, jql: Any, start: Any, size: Any, fields: str | None, expand: Any) -> dict[str, Any]:
        try:
            start_at, max_results = int(start or 0), min(int(size if size is not None else 50), 1000)
        except (TypeError, ValueError):
            raise MockHttpError(400, "startAt and maxResults must be integers") from None
        found = self.search_issues(str(jql or ""))
        page = found[start_at : start_at + max_results]
        renderer = self.renderer()
        return {"expand": "schema,names", "startAt": start_at, "maxResults": max_results, "total": len(found),
                "issues": [renderer.issue(i, fields, expand if isinstance(expand, str) else None) for i in page]}  # fmt: skip

    def search_issues(self, jql: str) -> list[StoredIssue]:
        try:
            query = parse(jql)
            found = [i for i in self.state.issues.values() if matches(query, i, self.state.jql_values)]
            for name, descending in reversed(query.order_by or [("key", True)]):
                found.sort(key=partial(_sort_value, self.state, name), reverse=descending)
        except JqlError as exc:
            raise MockHttpError(400, str(exc)) from None
        return found

    @route("GET", _ISSUE + r"/comment")
    def list_comments(self, request: MockRequest, key: str) -> dict[str, Any]:
        issue = self.stored(key)
        start, size = int(request.query.get("startAt") or 0), int(request.query.get("maxResults") or 5000)
        comments = [self.renderer().comment(issue, c) for c in issue.comments]
        return {
            "startAt": start,
            "maxResults": size,
            "total": len(comments),
            "comments": comments[start : start + size],
        }

    @route("POST", _ISSUE + r"/comment")
    def add_comment(self, request: MockRequest, key: str) -> MockResponse:
        issue = self.stored(key)
        body = request.json()
        text = body.get("body") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise MockHttpError(400, "Comment body can not be empty!", code="field:comment")
        public = not (isinstance(body.get("visibility"), dict) or _internal_property(body))
        comment = self.append_comment(issue, text, public=public, author=self.current_user(request) or "")
        return json_response(self.renderer().comment(issue, comment), 201)

    @route("GET", _ISSUE + r"/transitions")
    def list_transitions(self, request: MockRequest, key: str) -> dict[str, Any]:
        issue = self.stored(key)
        renderer = self.renderer()
        return {"expand": "transitions", "transitions": [
            {"id": t["id"], "name": t["name"], "to": renderer.status(t["to"]), "hasScreen": t["hasScreen"],
             "isGlobal": False, "isInitial": False, "isConditional": False}
            for t in self.valid_transitions(issue)]}  # fmt: skip

    @route("POST", _ISSUE + r"/transitions")
    def do_transition(self, request: MockRequest, key: str) -> MockResponse:
        issue = self.stored(key)
        body = request.json()
        transition_id = str(((body.get("transition") or {}) if isinstance(body, dict) else {}).get("id", ""))
        self.transition(issue, transition_id, body.get("fields") or {}, body.get("update") or {},
                        actor=self.current_user(request) or "")  # fmt: skip
        return empty_response(204)

    # -- platform: users and groups --------------------------------------------------------------

    @route("GET", _API + r"/user")
    def get_user(self, request: MockRequest) -> dict[str, Any] | None:
        if self.cloud:
            account = request.query.get("accountId") or ""
            if not account:
                raise MockHttpError(400, "The query parameter 'accountId' is required.")
            if account not in self.state.user_names_by_account:
                raise MockHttpError(
                    404, "Specified user does not exist or you do not have required permissions"
                )
            return self.renderer().user(self.state.user_names_by_account[account], full=True)
        name = request.query.get("username") or request.query.get("key") or ""
        if name.lower() not in self.state.users:
            raise MockHttpError(404, f"The user named '{name}' does not exist")
        return self.renderer().user(name, full=True)

    @route("GET", _API + r"/user/search")
    def search_users(self, request: MockRequest) -> list[dict[str, Any] | None]:
        if self.cloud and "username" in request.query:
            raise MockHttpError(400, "The query parameter 'username' is not supported in GDPR strict mode.")
        text = (request.query.get("username") or request.query.get("query") or "").lower()
        if not text:
            raise MockHttpError(400, "The username query parameter was not provided", code="field:username")
        limit = int(request.query.get("maxResults") or 50)
        hits = [
            u for u in self.state.users.values()
            if u["name"].lower().startswith(text) or u["emailAddress"].lower().startswith(text)
            or any(part.lower().startswith(text) for part in u["displayName"].split())
        ]  # fmt: skip
        return [self.renderer().user(u["name"], full=True) for u in hits[:limit]]

    @route("GET", _API + r"/group/member")
    def group_members(self, request: MockRequest) -> dict[str, Any]:
        name = request.query.get("groupname") or ""
        group = self.state.groups.get(name.lower())
        if group is None:
            raise MockHttpError(404, f"Group with name '{name}' does not exist.")
        start, size = int(request.query.get("startAt") or 0), int(request.query.get("maxResults") or 50)
        members = [self.renderer().user(u) for u in group["users"]]
        return {"self": f"{self.renderer().base}/rest/api/2/group/member?groupname={group['name']}",
                "maxResults": size, "startAt": start, "total": len(members),
                "isLast": start + size >= len(members), "values": members[start : start + size]}  # fmt: skip


def _sort_value(state: JsmState, name: str, issue: StoredIssue) -> Any:
    return state.sort_key(issue, name)


def _has(issue: StoredIssue, equals: dict[str, str]) -> bool:
    for name, value in equals.items():
        have = issue.custom.get(name) if name.startswith("customfield_") else getattr(issue, name, None)
        if have != value:
            return False
    return True


def _internal_property(body: dict[str, Any]) -> bool:
    for prop in body.get("properties") or []:
        if prop.get("key") == "sd.public.comment" and (prop.get("value") or {}).get("internal"):
            return True
    return False
