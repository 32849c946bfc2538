"""Jira / JSM wire format: error bodies, JQL quoting, status and priority names, issue mapping.

Only this package (and the mock) knows Jira's field names. The platform API reports errors as
``{"errorMessages": [...], "errors": {field: message}}``; the JSM API as ``{"errorMessage",
"i18nErrorMessage": {"i18nKey", "parameters"}}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import requests

from connectors.itsm.models import CloseCode, Comment, Priority, RequestState, TicketState

VENDOR = "jsm"

STATUS_TO_NEUTRAL = {
    "open": TicketState.NEW,
    "to do": TicketState.NEW,
    "waiting for support": TicketState.NEW,
    "in progress": TicketState.IN_PROGRESS,
    "escalated": TicketState.IN_PROGRESS,
    "waiting for customer": TicketState.ON_HOLD,
    "pending": TicketState.ON_HOLD,
    "resolved": TicketState.RESOLVED,
    "done": TicketState.RESOLVED,
    "closed": TicketState.CLOSED,
    "canceled": TicketState.CANCELED,
    "cancelled": TicketState.CANCELED,
    "declined": TicketState.CANCELED,
}
CATEGORY_TO_NEUTRAL = {
    "new": TicketState.NEW,
    "indeterminate": TicketState.IN_PROGRESS,
    "done": TicketState.CLOSED,
}
REQUEST_STATE = {
    TicketState.NEW: RequestState.SUBMITTED,
    TicketState.IN_PROGRESS: RequestState.IN_PROGRESS,
    TicketState.ON_HOLD: RequestState.IN_PROGRESS,
    TicketState.RESOLVED: RequestState.FULFILLED,
    TicketState.CLOSED: RequestState.FULFILLED,
    TicketState.CANCELED: RequestState.CANCELED,
}
PRIORITY_TO_NEUTRAL = {"highest": Priority.CRITICAL, "blocker": Priority.CRITICAL, "high": Priority.HIGH,
                       "critical": Priority.HIGH, "medium": Priority.MODERATE, "major": Priority.MODERATE,
                       "low": Priority.LOW, "minor": Priority.LOW, "lowest": Priority.PLANNING,
                       "trivial": Priority.PLANNING}  # fmt: skip
PRIORITY_FROM_NEUTRAL = {Priority.CRITICAL: "Highest", Priority.HIGH: "High", Priority.MODERATE: "Medium",
                         Priority.LOW: "Low", Priority.PLANNING: "Lowest"}  # fmt: skip
DEFAULT_RESOLUTIONS = {
    CloseCode.SOLVED: "Done",
    CloseCode.WORKAROUND: "Workaround",
    CloseCode.DUPLICATE: "Duplicate",
    CloseCode.KNOWN_ERROR: "Known Error",
    CloseCode.NOT_REPRODUCIBLE: "Cannot Reproduce",
    CloseCode.RESOLVED_BY_CALLER: "Resolved by Customer",
    CloseCode.WONT_DO: "Won't Do",
}


def parse_error(response: requests.Response) -> tuple[str, str | None] | None:
    """Either Jira error shape; field errors are listed as ``field: message``."""
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    if "errorMessage" in body:
        i18n = body.get("i18nErrorMessage")
        code = i18n.get("i18nKey") if isinstance(i18n, dict) else None
        return str(body["errorMessage"]), (str(code) if code else None)
    messages = [str(m) for m in body.get("errorMessages") or []]
    errors = body.get("errors")
    if isinstance(errors, dict):
        messages += [f"{field}: {message}" for field, message in errors.items()]
    return ("; ".join(messages), None) if messages else None


def envelope_error(body: Any) -> str | None:
    """A 2xx carrying an error body."""
    if not isinstance(body, dict):
        return None
    if set(body) <= {"errorMessages", "errors", "status"} and (
        body.get("errorMessages") or body.get("errors")
    ):
        return parse_error_body(body)
    if "errorMessage" in body and "i18nErrorMessage" in body:
        return str(body["errorMessage"])
    return None


def parse_error_body(body: dict[str, Any]) -> str:
    messages = [str(m) for m in body.get("errorMessages") or []]
    messages += [f"{k}: {v}" for k, v in (body.get("errors") or {}).items()]
    return "; ".join(messages) or "error"


def jql_string(value: str) -> str:
    """A JQL string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def jql_field(field_id: str) -> str:
    """``customfield_10070`` → ``cf[10070]``; system fields unchanged."""
    return f"cf[{field_id.split('_', 1)[1]}]" if field_id.startswith("customfield_") else field_id


def parse_time(value: Any) -> datetime | None:
    """Jira ``2026-11-02T08:00:00.000+0000`` or JSM DateDTO ``{"iso8601": ...}``."""
    if isinstance(value, dict):
        value = value.get("iso8601") or value.get("jira")
    if not isinstance(value, str) or not value:
        return None
    for pattern in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return datetime.strptime(value, pattern)
        except ValueError:
            continue
    return None


def user_of(value: Any) -> str | None:
    """A user's identifier: the ``accountId`` on Cloud (which has no user names), else ``name``."""
    if isinstance(value, dict) and value.get("accountId"):
        return str(value["accountId"])
    return name_of(value)


def name_of(value: Any, key: str = "name") -> str | None:
    if isinstance(value, dict):
        found = value.get(key)
        return None if found is None else str(found)
    return None if value in (None, "") else str(value)


def state_of(status: Any) -> TicketState:
    """A status object (or name) → neutral state, by name first, then by status category."""
    name = (name_of(status) or "").lower()
    if name in STATUS_TO_NEUTRAL:
        return STATUS_TO_NEUTRAL[name]
    category = status.get("statusCategory") if isinstance(status, dict) else None
    key = category.get("key") if isinstance(category, dict) else None
    return CATEGORY_TO_NEUTRAL.get(str(key), TicketState.IN_PROGRESS)


def request_state(status: Any) -> RequestState:
    """A catalog request's status: declined requests were rejected, not canceled."""
    if (name_of(status) or "").lower() == "declined":
        return RequestState.REJECTED
    return REQUEST_STATE[state_of(status)]


def reopen_count(changelog: Any) -> int:
    """Status changes out of a resolved/closed status back into an open one."""
    done = {TicketState.RESOLVED, TicketState.CLOSED, TicketState.CANCELED}
    count = 0
    for history in (changelog or {}).get("histories") or []:
        for item in history.get("items") or []:
            if item.get("field") != "status":
                continue
            before = STATUS_TO_NEUTRAL.get(str(item.get("fromString", "")).lower())
            after = STATUS_TO_NEUTRAL.get(str(item.get("toString", "")).lower())
            if before in done and after is not None and after.is_open:
                count += 1
    return count


def platform_comment(raw: dict[str, Any]) -> Comment:
    return Comment(
        id=str(raw.get("id", "")),
        body=str(raw.get("body") or ""),
        internal=raw.get("jsdPublic", True) is False,
        author=user_of(raw.get("author")),
        created_at=parse_time(raw.get("created")),
    )


def desk_comment(raw: dict[str, Any]) -> Comment:
    return Comment(
        id=str(raw.get("id", "")),
        body=str(raw.get("body") or ""),
        internal=raw.get("public", True) is False,
        author=user_of(raw.get("author")),
        created_at=parse_time(raw.get("created")),
    )
