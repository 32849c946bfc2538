"""Issue writes of the JSM mock: create, edit, transition and comment, with Jira's validation.

Field errors answer 400 ``{"errorMessages": [], "errors": {field: message}}``; a transition that
the workflow does not offer from the current status answers 400 naming the operation. Moving into
a *done* status sets a resolution (default ``Done``); leaving it clears the resolution and is
recorded in the changelog, which is where reopen counts come from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mocks.base import MockHttpError, MockRequest, MockResponse, empty_response, json_response, route
from mocks.jsm.state import JsmState, StoredComment, StoredIssue, jira_time

if TYPE_CHECKING:
    from mocks.jsm.rendering import Renderer

_ISSUE_PATH = r"/rest/api/(?:2|latest)/issue"
_SETTABLE = {"summary", "description", "priority", "labels", "customfield_10060", "customfield_10070",
             "customfield_10090"}  # fmt: skip


def _ref(value: Any, *keys: str) -> str | None:
    if isinstance(value, dict):
        for key in keys:
            if value.get(key) is not None:
                return str(value[key])
        return None
    return None if value is None else str(value)


class IssueWrites:
    """Mixed into `JsmMock`."""

    state: JsmState
    cloud: bool

    if TYPE_CHECKING:  # provided by JsmMock

        def current_user(self, request: MockRequest) -> str | None: ...

        def stored(self, key: str) -> StoredIssue: ...

        def renderer(self) -> Renderer: ...

    # -- validation helpers ----------------------------------------------------------------------

    def apply_fields(self, issue: StoredIssue, fields: dict[str, Any], *, creating: bool = False) -> None:
        """Validate and store editable fields (group pickers by name, priorities by name or id)."""
        for name, value in fields.items():
            if name in ("project", "issuetype", "reporter") and creating:
                continue
            if name not in _SETTABLE:
                raise MockHttpError(
                    400, f"Field '{name}' cannot be set. It is not on the appropriate screen, or unknown.",
                    code=f"field:{name}",
                )  # fmt: skip
            if name == "summary":
                if not isinstance(value, str) or not value.strip():
                    raise MockHttpError(400, "You must specify a summary of the issue.", code="field:summary")
                issue.summary = value
            elif name == "description":
                issue.description = None if value is None else str(value)
            elif name == "priority":
                wanted = (_ref(value, "name", "id") or "").lower()
                found = self.state.priorities.get(wanted) or next(
                    (p for p in self.state.priorities.values() if p["id"] == wanted), None
                )
                if found is None:
                    raise MockHttpError(400, f"Priority name '{wanted}' is not valid", code="field:priority")
                issue.priority = found["name"]
            elif name == "labels":
                issue.labels = [str(v) for v in value or []]
            elif name == "customfield_10070":
                group_name = _ref(value, "name")
                if group_name is not None and group_name.lower() not in self.state.groups:
                    raise MockHttpError(
                        400, f"Group '{group_name}' does not exist.", code="field:customfield_10070"
                    )
                issue.custom[name] = self.state.groups[group_name.lower()]["name"] if group_name else None
            else:
                issue.custom[name] = None if value is None else str(value)

    def user_name(self, value: Any, field: str) -> str:
        if self.cloud:  # Cloud only knows account ids
            account = _ref(value, "accountId") if isinstance(value, dict) else _ref(value)
            if (account or "") not in self.state.user_names_by_account:
                raise MockHttpError(400, f"The user '{account}' does not exist.", code=f"field:{field}")
            return self.state.user_names_by_account[str(account)]
        name = _ref(value, "name", "key", "accountId") or ""
        if name.lower() not in self.state.users:
            raise MockHttpError(400, f"The user '{name}' does not exist.", code=f"field:{field}")
        return str(self.state.users[name.lower()]["name"])

    def new_issue(self, *, issuetype: str, reporter: str, request_type: str | None) -> StoredIssue:
        issue_id, key = self.state.new_issue_id()
        stamp = jira_time()
        return StoredIssue(id=issue_id, key=key, project=self.state.projects[0]["key"], issuetype=issuetype,
                           summary="", description=None, status="Open", priority="Medium", reporter=reporter,
                           created=stamp, updated=stamp, request_type=request_type)  # fmt: skip

    # -- routes ------------------------------------------------------------------------------------

    @route("POST", _ISSUE_PATH)
    def create_issue(self, request: MockRequest) -> MockResponse:
        body = request.json()
        fields = body.get("fields") if isinstance(body, dict) else None
        if not isinstance(fields, dict):
            raise MockHttpError(400, "Can not deserialize instance of fields", code="field:fields")
        project = _ref(fields.get("project"), "key", "id")
        if not any(project in (p["key"], p["id"]) for p in self.state.projects):
            raise MockHttpError(400, "project is required", code="field:project")
        type_ref = (_ref(fields.get("issuetype"), "id", "name") or "").lower()
        issuetype = next(
            (t for t in self.state.issuetypes.values() if type_ref in (t["id"], t["name"].lower())), None
        )
        if issuetype is None:
            raise MockHttpError(400, "issue type is required", code="field:issuetype")
        if not str(fields.get("summary") or "").strip():
            raise MockHttpError(400, "You must specify a summary of the issue.", code="field:summary")
        reporter = (
            self.user_name(fields["reporter"], "reporter")
            if fields.get("reporter")
            else self.current_user(request)
        )
        issue = self.new_issue(issuetype=issuetype["id"], reporter=reporter or "", request_type=None)
        self.apply_fields(issue, fields, creating=True)
        self.state.issues[issue.key] = issue
        base = self.renderer().base
        return json_response(
            {"id": issue.id, "key": issue.key, "self": f"{base}/rest/api/2/issue/{issue.id}"}, 201
        )

    @route("PUT", _ISSUE_PATH + r"/(?P<key>[A-Za-z0-9-]+)")
    def edit_issue(self, request: MockRequest, key: str) -> MockResponse:
        issue = self.stored(key)
        body = request.json()
        fields = body.get("fields") if isinstance(body, dict) else None
        self.apply_fields(issue, fields or {})
        for entry in ((body.get("update") or {}).get("comment") or []) if isinstance(body, dict) else []:
            added = (entry or {}).get("add") or {}
            if added.get("body"):
                self.append_comment(
                    issue, str(added["body"]), public=True, author=self.current_user(request) or ""
                )
        issue.updated = jira_time()
        return empty_response(204)

    # -- shared by the platform and servicedeskapi routes ----------------------------------------

    def append_comment(self, issue: StoredIssue, body: str, *, public: bool, author: str) -> StoredComment:
        comment = StoredComment(self.state.new_comment_id(), author, body, jira_time(), public)
        issue.comments.append(comment)
        issue.updated = comment.created
        return comment

    def valid_transitions(self, issue: StoredIssue) -> list[dict[str, Any]]:
        return [t for t in self.state.transitions if issue.status in t["from"]]

    def transition(
        self,
        issue: StoredIssue,
        transition_id: str,
        fields: dict[str, Any],
        update: dict[str, Any],
        *,
        actor: str,
    ) -> None:
        chosen = next((t for t in self.valid_transitions(issue) if t["id"] == transition_id), None)
        if chosen is None:
            known = next((t for t in self.state.transitions if t["id"] == transition_id), None)
            operation = known["name"] if known else transition_id
            raise MockHttpError(
                400,
                f"It seems that you have tried to perform a workflow operation ({operation}) that is not valid "
                f"for the current state of this issue ({issue.key}). The likely cause is that somebody has changed "
                "the issue recently, please look at the issue history for details.",
            )
        resolution_ref = _ref(fields.pop("resolution", None), "name", "id")
        if fields and not chosen["hasScreen"]:
            raise MockHttpError(
                400, "Fields cannot be set on a transition without a screen.", code="field:fields"
            )
        self.apply_fields(issue, fields)
        target = self.state.statuses[chosen["to"].lower()]
        done = target["statusCategory"]["key"] == "done"
        stamp = jira_time()
        if done:
            name = (resolution_ref or issue.resolution or "Done").lower()
            resolution = self.state.resolutions.get(name) or next(
                (r for r in self.state.resolutions.values() if r["id"] == name), None
            )
            if resolution is None:
                raise MockHttpError(
                    400, f"Resolution '{resolution_ref}' is not valid.", code="field:resolution"
                )
            issue.resolution, issue.resolutiondate = resolution["name"], stamp
        else:
            issue.resolution, issue.resolutiondate = None, None
        issue.histories.append({"id": str(len(issue.histories) + 1), "author": {"name": actor}, "created": stamp,
                                "items": [{"field": "status", "fieldtype": "jira", "fromString": issue.status,
                                           "toString": target["name"]}]})  # fmt: skip
        issue.status, issue.updated = target["name"], stamp
        for entry in update.get("comment") or []:
            added = (entry or {}).get("add") or {}
            if added.get("body"):
                self.append_comment(issue, str(added["body"]), public=True, author=actor)
