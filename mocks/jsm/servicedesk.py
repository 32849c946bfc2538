"""JSM ``/rest/servicedeskapi`` routes of the mock: desks, request types, queues, customer requests.

Every list is JSM's PagedDTO (``start``/``limit`` in, ``{size, start, limit, isLastPage, _links,
values}`` out). Creating a request validates the desk, the request type, that every
``requestFieldValues`` key is on the request type, and ``raiseOnBehalfOf``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mocks.base import MockHttpError, MockRequest, MockResponse, empty_response, json_response, route
from mocks.jsm.rendering import paged
from mocks.jsm.state import JsmState, StoredComment, StoredIssue

if TYPE_CHECKING:
    from mocks.jsm.rendering import Renderer

_SD = r"/rest/servicedeskapi"
_DESK = _SD + r"/servicedesk/(?P<desk>\w+)"
_REQUEST = _SD + r"/request/(?P<key>[A-Za-z0-9-]+)"


def _window(request: MockRequest, default_limit: int = 50) -> tuple[int, int]:
    try:
        start, limit = int(request.query.get("start") or 0), int(request.query.get("limit") or default_limit)
    except ValueError:
        raise MockHttpError(400, "start and limit must be integers") from None
    if start < 0 or limit < 1:
        raise MockHttpError(400, "start must not be negative and limit must be positive")
    return start, limit


class ServiceDeskRoutes:
    """Mixed into `JsmMock`."""

    state: JsmState

    if TYPE_CHECKING:  # provided by JsmMock and IssueWrites

        def current_user(self, request: MockRequest) -> str | None: ...

        def renderer(self) -> Renderer: ...

        def stored(self, key: str) -> StoredIssue: ...

        def search_issues(self, jql: str) -> list[StoredIssue]: ...

        def apply_fields(
            self, issue: StoredIssue, fields: dict[str, Any], *, creating: bool = False
        ) -> None: ...

        def user_name(self, value: Any, field: str) -> str: ...

        def new_issue(self, *, issuetype: str, reporter: str, request_type: str | None) -> StoredIssue: ...

        def append_comment(
            self, issue: StoredIssue, body: str, *, public: bool, author: str
        ) -> StoredComment: ...

        def valid_transitions(self, issue: StoredIssue) -> list[dict[str, Any]]: ...

        def transition(
            self,
            issue: StoredIssue,
            transition_id: str,
            fields: dict[str, Any],
            update: dict[str, Any],
            *,
            actor: str,
        ) -> None: ...

    def _page(self, request: MockRequest, values: list[Any]) -> dict[str, Any]:
        start, limit = _window(request)
        return paged(values, start, limit, self.renderer().base, request.path)

    def _desk(self, desk: str) -> dict[str, Any]:
        found = next((d for d in self.state.service_desks if desk in (d["id"], d["projectKey"])), None)
        if found is None:
            raise MockHttpError(
                404,
                f"The service desk with id '{desk}' does not exist.",
                code="sd.servicedesk.error.notfound",
            )
        return found

    @route("GET", _SD + r"/servicedesk")
    def service_desks(self, request: MockRequest) -> dict[str, Any]:
        return self._page(request, list(self.state.service_desks))

    @route("GET", _DESK)
    def service_desk(self, request: MockRequest, desk: str) -> dict[str, Any]:
        found = self._desk(desk)
        return {
            **found,
            "_links": {"self": f"{self.renderer().base}/rest/servicedeskapi/servicedesk/{found['id']}"},
        }

    @route("GET", _DESK + r"/requesttype")
    def request_types(self, request: MockRequest, desk: str) -> dict[str, Any]:
        found = self._desk(desk)
        renderer = self.renderer()
        group = request.query.get("groupId")
        types = [renderer.request_type(r["id"]) for r in self.state.request_types.values()
                 if r["serviceDeskId"] == found["id"] and (not group or group in r["groupIds"])]  # fmt: skip
        return self._page(request, types)

    @route("GET", _DESK + r"/requesttypegroup")
    def request_type_groups(self, request: MockRequest, desk: str) -> dict[str, Any]:
        self._desk(desk)
        return self._page(request, list(self.state.request_type_groups))

    @route("GET", _DESK + r"/requesttype/(?P<type_id>\w+)/field")
    def request_type_fields(self, request: MockRequest, desk: str, type_id: str) -> dict[str, Any]:
        self._desk(desk)
        if type_id not in self.state.request_types:
            raise MockHttpError(
                404, f"Request type {type_id} does not exist.", code="sd.requesttype.error.notfound"
            )
        fields = [{"fieldId": f["id"], "name": f["name"], "required": f["id"] == "summary", "validValues": []}
                  for f in self.state.fields if f["id"] in self.state.request_type_fields]  # fmt: skip
        return {"requestTypeFields": fields, "canRaiseOnBehalfOf": True, "canAddRequestParticipants": True}

    @route("GET", _DESK + r"/queue")
    def queues(self, request: MockRequest, desk: str) -> dict[str, Any]:
        self._desk(desk)
        counted = request.query.get("includeCount", "").lower() == "true"
        values = [
            {**q, **({"issueCount": len(self.search_issues(q["jql"]))} if counted else {})}
            for q in self.state.queues
        ]
        return self._page(request, values)

    @route("GET", _DESK + r"/queue/(?P<queue_id>\w+)/issue")
    def queue_issues(self, request: MockRequest, desk: str, queue_id: str) -> dict[str, Any]:
        self._desk(desk)
        queue = next((q for q in self.state.queues if q["id"] == queue_id), None)
        if queue is None:
            raise MockHttpError(404, f"Queue {queue_id} does not exist.", code="sd.queue.error.notfound")
        renderer = self.renderer()
        fields = ",".join(queue["fields"])
        return self._page(request, [renderer.issue(i, fields) for i in self.search_issues(queue["jql"])])

    # -- customer requests -----------------------------------------------------------------------

    @route("POST", _SD + r"/request")
    def create_request(self, request: MockRequest) -> MockResponse:
        body = request.json()
        if not isinstance(body, dict):
            raise MockHttpError(400, "The request body must be a JSON object.")
        desk = self._desk(str(body.get("serviceDeskId", "")))
        request_type = self.state.request_types.get(str(body.get("requestTypeId", "")))
        if request_type is None or request_type["serviceDeskId"] != desk["id"]:
            raise MockHttpError(
                400, f"The request type '{body.get('requestTypeId')}' does not exist in this service desk."
            )
        values = body.get("requestFieldValues") or {}
        unknown = sorted(set(values) - set(self.state.request_type_fields))
        if unknown:
            raise MockHttpError(
                400, f"The following fields are not on the request type: {', '.join(unknown)}."
            )
        if not str(values.get("summary") or "").strip():
            raise MockHttpError(400, "Summary: You must specify a summary of the issue.")
        try:
            reporter = (
                self.user_name(body["raiseOnBehalfOf"], "raiseOnBehalfOf")
                if body.get("raiseOnBehalfOf")
                else self.current_user(request) or ""
            )
        except MockHttpError:
            raise MockHttpError(400, f"The user '{body.get('raiseOnBehalfOf')}' does not exist.") from None
        issue = self.new_issue(
            issuetype=request_type["issueTypeId"], reporter=reporter, request_type=request_type["id"]
        )
        try:
            self.apply_fields(issue, dict(values))
        except MockHttpError as exc:
            raise MockHttpError(400, exc.message) from None
        self.state.issues[issue.key] = issue
        return json_response(self.renderer().customer_request(issue), 201)

    @route("GET", _REQUEST)
    def get_request(self, request: MockRequest, key: str) -> dict[str, Any]:
        issue = self._customer_request(key)
        return self.renderer().customer_request(issue, request.query.get("expand"))

    def _customer_request(self, key: str) -> StoredIssue:
        issue = self.state.issue(key)
        if issue is None or issue.request_type is None:
            raise MockHttpError(404, f"The request '{key}' does not exist or you do not have permission to see it.",
                                code="sd.request.error.notfound")  # fmt: skip
        return issue

    @route("GET", _REQUEST + r"/comment")
    def request_comments(self, request: MockRequest, key: str) -> dict[str, Any]:
        issue = self._customer_request(key)
        public_only = request.query.get("internal", "true").lower() == "false"
        renderer = self.renderer()
        return self._page(
            request, [renderer.sd_comment(c) for c in issue.comments if c.public or not public_only]
        )

    @route("POST", _REQUEST + r"/comment")
    def add_request_comment(self, request: MockRequest, key: str) -> MockResponse:
        issue = self._customer_request(key)
        body = request.json()
        text = body.get("body") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise MockHttpError(400, "The comment body must not be empty.")
        public = body.get("public", True)
        if not isinstance(public, bool):
            raise MockHttpError(400, "'public' must be true or false.")
        comment = self.append_comment(issue, text, public=public, author=self.current_user(request) or "")
        return json_response(self.renderer().sd_comment(comment), 201)

    @route("GET", _REQUEST + r"/transition")
    def request_transitions(self, request: MockRequest, key: str) -> dict[str, Any]:
        issue = self._customer_request(key)
        return self._page(
            request, [{"id": t["id"], "name": t["name"]} for t in self.valid_transitions(issue)]
        )

    @route("POST", _REQUEST + r"/transition")
    def do_request_transition(self, request: MockRequest, key: str) -> MockResponse:
        issue = self._customer_request(key)
        body = request.json()
        actor = self.current_user(request) or ""
        self.transition(issue, str((body or {}).get("id", "")), {}, {}, actor=actor)
        comment = (body or {}).get("additionalComment") or {}
        if comment.get("body"):
            self.append_comment(issue, str(comment["body"]), public=True, author=actor)
        return empty_response(204)
