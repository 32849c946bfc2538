"""Jira and JSM wire shapes for the mock's stored issues, comments and users."""

from __future__ import annotations

from typing import Any

from mocks.jsm.state import JsmState, StoredComment, StoredIssue, date_dto


class Renderer:
    """Renders state objects with absolute ``self`` links under `base` (the URL the client used)."""

    def __init__(self, state: JsmState, base: str, *, cloud: bool = False) -> None:
        self.state = state
        self.base = base.rstrip("/")
        self.cloud = cloud

    def user(self, name: str | None, *, full: bool = False) -> dict[str, Any] | None:
        """A user as Jira embeds one (``UserDetails``: no ``locale``); `full` for ``/user``, ``/myself``
        and user search, which answer the whole ``User``."""
        if not name:
            return None
        found = self.state.users.get(name.lower())
        if found is not None and not full:
            found = {k: v for k, v in found.items() if k != "locale"}
        if self.cloud:
            return self._cloud_user(name, found)
        if found is None:
            return {"name": name, "key": name, "displayName": name, "active": False}
        return {"self": f"{self.base}/rest/api/2/user?username={found['name']}", **found,
                "avatarUrls": {"48x48": f"{self.base}/secure/useravatar?ownerId={found['key']}"}}  # fmt: skip

    def _cloud_user(self, name: str, found: dict[str, Any] | None) -> dict[str, Any]:
        """Cloud's user: an account id, no ``name``/``key`` (GDPR strict mode)."""
        account = self.state.account_ids_by_name.get(name.lower(), name)
        shown = {
            k: v
            for k, v in (found or {"displayName": name, "active": False}).items()
            if k not in ("name", "key")
        }
        return {"self": f"{self.base}/rest/api/2/user?accountId={account}", "accountId": account,
                "accountType": "atlassian", **shown,
                "avatarUrls": {"48x48": f"{self.base}/secure/useravatar?ownerId={account}"}}  # fmt: skip

    def status(self, name: str) -> dict[str, Any]:
        status = self.state.statuses.get(name.lower(), {"id": "0", "name": name, "statusCategory": {}})
        category = status["statusCategory"]
        return {"self": f"{self.base}/rest/api/2/status/{status['id']}", "description": "", "name": status["name"],
                "id": status["id"], "statusCategory": {"self": f"{self.base}/rest/api/2/statuscategory/{category.get('id')}",
                **category, "colorName": {"new": "blue-gray", "done": "green"}.get(category.get("key", ""), "yellow")}}  # fmt: skip

    def comment(self, issue: StoredIssue, comment: StoredComment) -> dict[str, Any]:
        return {"self": f"{self.base}/rest/api/2/issue/{issue.id}/comment/{comment.id}", "id": comment.id,
                "author": self.user(comment.author), "body": comment.body, "updateAuthor": self.user(comment.author),
                "created": comment.created, "updated": comment.created, "jsdPublic": comment.public}  # fmt: skip

    def sd_comment(self, comment: StoredComment) -> dict[str, Any]:
        return {"id": comment.id, "body": comment.body, "public": comment.public, "author": self.user(comment.author),
                "created": date_dto(comment.created),
                "_links": {"self": f"{self.base}/rest/servicedeskapi/request/comment/{comment.id}"}}  # fmt: skip

    def request_type(self, request_type_id: str | None) -> dict[str, Any] | None:
        found = self.state.request_types.get(request_type_id or "")
        if found is None:
            return None
        return {**found, "_links": {"self": f"{self.base}/rest/servicedeskapi/servicedesk/"
                                            f"{found['serviceDeskId']}/requesttype/{found['id']}"}}  # fmt: skip

    def current_status(self, issue: StoredIssue) -> dict[str, Any]:
        category = (
            self.state.statuses.get(issue.status.lower(), {}).get("statusCategory", {}).get("key", "new")
        )
        return {"status": issue.status, "statusCategory": {"new": "NEW", "done": "DONE"}.get(category, "INDETERMINATE"),
                "statusDate": date_dto(issue.updated)}  # fmt: skip

    def issue(
        self, issue: StoredIssue, fields: str | None = None, expand: str | None = None
    ) -> dict[str, Any]:
        all_fields = self._fields(issue)
        wanted = [f.strip() for f in (fields or "*all").split(",") if f.strip()]
        if "*all" in wanted or "*navigable" in wanted:
            chosen = {k: v for k, v in all_fields.items() if f"-{k}" not in wanted}
        else:
            chosen = {k: all_fields.get(k) for k in wanted if k in all_fields or self.state.field_id(k)}
        rendered: dict[str, Any] = {"expand": "renderedFields,names,schema,transitions,changelog", "id": issue.id,
                                    "self": f"{self.base}/rest/api/2/issue/{issue.id}", "key": issue.key,
                                    "fields": chosen}  # fmt: skip
        if expand and "changelog" in expand:
            histories = [{**h, "author": self.user(_author(h))} for h in issue.histories]
            rendered["changelog"] = {"startAt": 0, "maxResults": len(histories), "total": len(histories),
                                     "histories": histories}  # fmt: skip
        return rendered

    def _fields(self, issue: StoredIssue) -> dict[str, Any]:
        state = self.state
        project = next((p for p in state.projects if p["key"] == issue.project), {"key": issue.project})
        issuetype = state.issuetypes.get(issue.issuetype, {"id": issue.issuetype, "name": "Task"})
        priority = state.priorities.get(issue.priority.lower(), {"id": "3", "name": issue.priority})
        resolution = state.resolutions.get((issue.resolution or "").lower())
        group = state.groups.get(str(issue.custom.get("customfield_10070") or "").lower())
        request_type = self.request_type(issue.request_type)
        comments = [self.comment(issue, c) for c in issue.comments]
        fields: dict[str, Any] = {
            "summary": issue.summary,
            "description": issue.description,
            "status": self.status(issue.status),
            "priority": {"self": f"{self.base}/rest/api/2/priority/{priority['id']}", **priority},
            "reporter": self.user(issue.reporter),
            "creator": self.user(issue.reporter),
            "assignee": self.user(issue.assignee),
            "created": issue.created,
            "updated": issue.updated,
            "resolution": {"self": f"{self.base}/rest/api/2/resolution/{resolution['id']}", **resolution}
            if resolution
            else None,
            "resolutiondate": issue.resolutiondate,
            "labels": list(issue.labels),
            "issuetype": {"self": f"{self.base}/rest/api/2/issuetype/{issuetype['id']}", **issuetype},
            "project": {"self": f"{self.base}/rest/api/2/project/{project.get('id', '')}", **project},
            "customfield_10010": {"requestType": request_type, "currentStatus": self.current_status(issue)}
            if request_type
            else None,
            "comment": {
                "comments": comments,
                "maxResults": len(comments),
                "total": len(comments),
                "startAt": 0,
            },
        }
        for field_id, value in issue.custom.items():
            if field_id == "customfield_10070":
                fields[field_id] = {"name": group["name"], "groupId": group["groupId"],
                                    "self": f"{self.base}/rest/api/2/group?groupname={group['name']}"} if group else None  # fmt: skip
            else:
                fields[field_id] = value
        return fields

    def customer_request(self, issue: StoredIssue, expand: str | None = None) -> dict[str, Any]:
        values: list[dict[str, Any]] = [
            {"fieldId": "summary", "label": "Summary", "value": issue.summary},
            {"fieldId": "description", "label": "Description", "value": issue.description or ""},
        ]
        for field_id in self.state.request_type_fields:
            if field_id.startswith("customfield_") and issue.custom.get(field_id) is not None:
                label = next((f["name"] for f in self.state.fields if f["id"] == field_id), field_id)
                value = issue.custom[field_id]
                values.append({"fieldId": field_id, "label": label,
                               "value": {"name": value} if field_id == "customfield_10070" else value})  # fmt: skip
        request_type = self.state.request_types.get(issue.request_type or "", {})
        body: dict[str, Any] = {
            "_expands": ["participant", "status", "sla", "requestType", "serviceDesk", "attachment", "action", "comment"],
            "issueId": issue.id,
            "issueKey": issue.key,
            "requestTypeId": issue.request_type,
            "serviceDeskId": request_type.get("serviceDeskId", "1"),
            "createdDate": date_dto(issue.created),
            "reporter": self.user(issue.reporter),
            "requestFieldValues": values,
            "currentStatus": self.current_status(issue),
            "_links": {"jiraRest": f"{self.base}/rest/api/2/issue/{issue.id}",
                       "web": f"{self.base}/servicedesk/customer/portal/1/{issue.key}",
                       "self": f"{self.base}/rest/servicedeskapi/request/{issue.id}"},
        }  # fmt: skip
        if expand and "requestType" in expand:
            body["requestType"] = self.request_type(issue.request_type)
        return body


def _author(history: dict[str, Any]) -> str | None:
    author = history.get("author")
    return author.get("name") if isinstance(author, dict) else author


def paged(values: list[Any], start: int, limit: int, base: str, path: str) -> dict[str, Any]:
    """JSM's PagedDTO: ``{size, start, limit, isLastPage, _links, values}``."""
    page = values[start : start + limit]
    last = start + limit >= len(values)
    links: dict[str, str] = {"base": base, "context": "", "self": f"{base}{path}?start={start}&limit={limit}"}
    if not last:
        links["next"] = f"{base}{path}?start={start + limit}&limit={limit}"
    if start > 0:
        links["prev"] = f"{base}{path}?start={max(0, start - limit)}&limit={limit}"
    return {
        "size": len(page),
        "start": start,
        "limit": limit,
        "isLastPage": last,
        "_links": links,
        "values": page,
    }
