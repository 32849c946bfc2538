"""The JSM mock's state: instance configuration, users, groups and issues, and how they render.

Issues are stored compactly (names for statuses, priorities and users) and rendered on the way
out in Jira's REST shapes: ``{id, key, self, fields}`` with nested status, priority and user
objects, custom fields, ``comment`` and ``changelog``. Times are Jira's
``2026-11-02T08:00:00.000+0000``.
"""

from __future__ import annotations

import itertools
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mocks.jsm.jql import JqlError

REQUEST_TYPE_FIELD = "customfield_10010"
_ACCOUNT_NAMESPACE = uuid.UUID("5d0c0b1e-8f7a-4c57-9d0e-6a0b5e1a7c11")


def account_id(user_name: str) -> str:
    """A stable Cloud-style account id (``712020:<uuid>``) for a seeded user."""
    return f"712020:{uuid.uuid5(_ACCOUNT_NAMESPACE, user_name.lower())}"


def jira_time(moment: datetime | None = None) -> str:
    moment = moment or datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def parse_jira_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


def date_dto(text: str) -> dict[str, Any]:
    """JSM's DateDTO for a Jira timestamp."""
    moment = parse_jira_time(text)
    return {
        "iso8601": moment.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "jira": text,
        "friendly": moment.strftime("%d/%b/%y %I:%M %p"),
        "epochMillis": int(moment.timestamp() * 1000),
    }


def _name(value: Any, key: str = "name") -> str | None:
    if isinstance(value, dict):
        found = value.get(key)
        return None if found is None else str(found)
    return None if value is None else str(value)


@dataclass
class StoredComment:
    id: str
    author: str
    body: str
    created: str
    public: bool


@dataclass
class StoredIssue:
    id: str
    key: str
    project: str
    issuetype: str
    summary: str
    description: str | None
    status: str
    priority: str
    reporter: str
    created: str
    updated: str
    request_type: str | None = None
    resolution: str | None = None
    resolutiondate: str | None = None
    labels: list[str] = field(default_factory=list)
    custom: dict[str, Any] = field(default_factory=dict)
    """Custom field id -> stored value (group pickers hold the group name)."""
    comments: list[StoredComment] = field(default_factory=list)
    histories: list[dict[str, Any]] = field(default_factory=list)
    assignee: str | None = None
    """User name of the assignee (``PUT .../assignee``)."""

    @property
    def number(self) -> int:
        return int(self.key.rsplit("-", 1)[1])


class JsmState:
    """Everything the mock knows; not thread-safe (the mock holds its lock)."""

    def __init__(self, directory: Path) -> None:
        def load(name: str) -> Any:
            return json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))

        instance = load("instance")
        self.server_info: dict[str, Any] = instance["serverInfo"]
        self.projects: list[dict[str, Any]] = instance["projects"]
        self.issuetypes = {t["id"]: t for t in instance["issuetypes"]}
        self.statuses = {s["name"].lower(): s for s in instance["statuses"]}
        self.priorities = {p["name"].lower(): p for p in instance["priorities"]}
        self.resolutions = {r["name"].lower(): r for r in instance["resolutions"]}
        self.fields: list[dict[str, Any]] = instance["fields"]
        self.transitions: list[dict[str, Any]] = instance["transitions"]
        self.request_type_fields: list[str] = instance["requestTypeFields"]
        self.users = {u["name"].lower(): u for u in load("users")}
        self.account_ids_by_name = {name: account_id(name) for name in self.users}
        """Cloud account ids (`mocks.jsm.cloud.account_id`), used when the mock plays a Cloud site."""
        self.user_names_by_account = {a: n for n, a in self.account_ids_by_name.items()}
        self.groups = {g["name"].lower(): g for g in load("groups")}
        self.service_desks: list[dict[str, Any]] = load("servicedesks")["values"]
        self.request_types = {r["id"]: r for r in load("requesttypes")["values"]}
        self.request_type_groups: list[dict[str, Any]] = load("requesttypegroups")["values"]
        self.queues: list[dict[str, Any]] = load("queues")["values"]
        self.api_tokens = {t["email"].lower(): t["api_token"] for t in load("api_tokens")["tokens"]}
        self.issues: dict[str, StoredIssue] = {}
        for raw in load("issues")["issues"]:
            issue = self._from_wire(raw)
            self.issues[issue.key] = issue
        self._ids = itertools.count(max((int(i.id) for i in self.issues.values()), default=10000) + 1)
        self._numbers = itertools.count(max((i.number for i in self.issues.values()), default=0) + 1)
        self._comment_ids = itertools.count(
            max((int(c.id) for i in self.issues.values() for c in i.comments), default=20000) + 1
        )

    @staticmethod
    def _from_wire(raw: dict[str, Any]) -> StoredIssue:
        f = raw["fields"]
        custom = {
            k: (_name(v) if k == "customfield_10070" else v)
            for k, v in f.items()
            if k.startswith("customfield_")
        }
        request_type: Any = custom.pop(REQUEST_TYPE_FIELD, None)
        comments = [
            StoredComment(
                str(c["id"]),
                _name(c["author"]) or "",
                c["body"],
                c["created"],
                bool(c.get("jsdPublic", True)),
            )
            for c in (f.get("comment") or {}).get("comments", [])
        ]
        return StoredIssue(
            id=str(raw["id"]), key=raw["key"], project=_name(f["project"], "key") or "", issuetype=_name(f["issuetype"], "id") or "",
            summary=f["summary"], description=f.get("description"), status=_name(f["status"]) or "Open",
            priority=_name(f["priority"]) or "Medium", reporter=_name(f["reporter"]) or "", created=f["created"],
            updated=f["updated"], request_type=_name((request_type or {}).get("requestType"), "id") if request_type else None,
            resolution=_name(f.get("resolution")), resolutiondate=f.get("resolutiondate"), labels=list(f.get("labels") or []),
            custom=custom, comments=comments, histories=list((raw.get("changelog") or {}).get("histories", [])),
        )  # fmt: skip

    # -- look-ups ----------------------------------------------------------------------------------

    def issue(self, id_or_key: str) -> StoredIssue | None:
        found = self.issues.get(id_or_key.upper())
        return found or next((i for i in self.issues.values() if i.id == id_or_key), None)

    def field_id(self, name: str) -> str | None:
        """``cf[10070]``, ``customfield_10070`` or the field's name → its id."""
        text = name.strip()
        if text.lower().startswith("cf[") and text.endswith("]"):
            text = f"customfield_{text[3:-1]}"
        for entry in self.fields:
            if entry["id"] == text or entry["name"].lower() == text.lower():
                return str(entry["id"])
        return None

    def new_issue_id(self) -> tuple[str, str]:
        return str(next(self._ids)), f"{self.projects[0]['key']}-{next(self._numbers)}"

    def new_comment_id(self) -> str:
        return str(next(self._comment_ids))

    # -- JQL field values --------------------------------------------------------------------------

    def jql_values(self, issue: StoredIssue, name: str) -> list[str] | None:
        lowered = name.strip().lower()
        status = self.statuses.get(issue.status.lower(), {})
        simple: dict[str, list[str | None]] = {
            "project": [issue.project],
            "key": [issue.key],
            "issuekey": [issue.key],
            "id": [issue.id],
            "summary": [issue.summary],
            "description": [issue.description],
            "text": [issue.summary, issue.description],
            "status": [issue.status],
            "statuscategory": [
                status.get("statusCategory", {}).get("name"),
                status.get("statusCategory", {}).get("key"),
            ],
            "priority": [issue.priority],
            "reporter": [issue.reporter, self.account_ids_by_name.get((issue.reporter or "").lower())],
            "resolution": [issue.resolution],
            "labels": list(issue.labels),
            "created": [issue.created],
            "updated": [issue.updated],
            "issuetype": [self.issuetypes.get(issue.issuetype, {}).get("name")],
        }
        if lowered in simple:
            return [str(v).lower() for v in simple[lowered] if v is not None]
        field_id = self.field_id(name)
        if field_id is None:
            return None
        if field_id == REQUEST_TYPE_FIELD:
            rt = self.request_types.get(issue.request_type or "")
            return [rt["name"].lower()] if rt else []
        value = issue.custom.get(field_id)
        return [] if value is None else [str(value).lower()]

    def sort_key(self, issue: StoredIssue, name: str) -> Any:
        lowered = name.lower()
        if lowered in ("key", "issuekey", "id"):
            return issue.number
        if lowered in ("created", "updated"):
            return getattr(issue, lowered)
        values = self.jql_values(issue, name)
        if values is None:
            raise JqlError(f"Not able to sort using field '{name}'.")
        return values[0] if values else ""
