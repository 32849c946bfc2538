"""ServiceNow's wire format: error bodies, choice values and record-to-model mapping.

Only this package (and the mock) knows ServiceNow's field names. Values arrive as strings
(``sysparm_display_value=false``, ``sysparm_exclude_reference_link=true``); dates are
``YYYY-MM-DD hh:mm:ss`` in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import requests

from connectors.itsm.models import (
    CatalogItemKind,
    CloseCode,
    Comment,
    ITSMUser,
    Priority,
    RequestState,
    Ticket,
    TicketState,
)

VENDOR = "servicenow"

STATE_TO_NEUTRAL = {"1": TicketState.NEW, "2": TicketState.IN_PROGRESS, "3": TicketState.ON_HOLD,
                    "6": TicketState.RESOLVED, "7": TicketState.CLOSED, "8": TicketState.CANCELED}  # fmt: skip
STATE_FROM_NEUTRAL = {v: k for k, v in STATE_TO_NEUTRAL.items()}
OPEN_STATE_VALUES = ("1", "2", "3")
PRIORITY_TO_NEUTRAL = {"1": Priority.CRITICAL, "2": Priority.HIGH, "3": Priority.MODERATE, "4": Priority.LOW,
                       "5": Priority.PLANNING}  # fmt: skip
IMPACT_URGENCY = {Priority.CRITICAL: ("1", "1"), Priority.HIGH: ("1", "2"), Priority.MODERATE: ("2", "2"),
                  Priority.LOW: ("2", "3"), Priority.PLANNING: ("3", "3")}  # fmt: skip
CLOSE_CODE_FROM_NEUTRAL = {
    CloseCode.SOLVED: "Solution provided",
    CloseCode.WORKAROUND: "Workaround provided",
    CloseCode.DUPLICATE: "Duplicate",
    CloseCode.KNOWN_ERROR: "Known error",
    CloseCode.NOT_REPRODUCIBLE: "Not Solved (Not Reproducible)",
    CloseCode.RESOLVED_BY_CALLER: "Resolved by caller",
    CloseCode.WONT_DO: "No resolution provided",
}
CLOSE_CODE_TO_NEUTRAL = {v.lower(): k for k, v in CLOSE_CODE_FROM_NEUTRAL.items()} | {
    "solved (permanently)": CloseCode.SOLVED,
    "solved remotely (permanently)": CloseCode.SOLVED,
    "solved (work around)": CloseCode.WORKAROUND,
    "solved remotely (work around)": CloseCode.WORKAROUND,
    "closed/resolved by caller": CloseCode.RESOLVED_BY_CALLER,
}
REQUEST_STATE_TO_NEUTRAL = {
    "requested": RequestState.SUBMITTED,
    "in_process": RequestState.IN_PROGRESS,
    "closed_complete": RequestState.FULFILLED,
    "closed_rejected": RequestState.REJECTED,
    "closed_cancelled": RequestState.CANCELED,
    "closed_incomplete": RequestState.CANCELED,
}
CATEGORY_KIND = {"software": CatalogItemKind.SOFTWARE, "access": CatalogItemKind.ACCESS,
                 "hardware": CatalogItemKind.HARDWARE}  # fmt: skip

INCIDENT_FIELDS = ("sys_id", "number", "short_description", "description", "state", "priority", "category",
                   "caller_id.user_name", "assignment_group.name", "opened_at", "sys_updated_on", "reopen_count",
                   "close_code", "close_notes", "correlation_id", "resolved_at",
                   "resolved_by.user_name")  # fmt: skip
JOURNAL_FIELDS = ("sys_id", "element", "value", "sys_created_by", "sys_created_on")
USER_FIELDS = ("sys_id", "user_name", "email", "name", "active", "department.name", "title", "locked_out")
REQUEST_FIELDS = ("sys_id", "number", "requested_for.user_name", "short_description", "request_state",
                  "correlation_id", "opened_at")  # fmt: skip
REQUEST_ITEM_FIELDS = ("sys_id", "number", "cat_item.name")


def parse_error(response: requests.Response) -> tuple[str, str | None] | None:
    """``{"error": {"message", "detail"}, "status": "failure"}`` or the OAuth ``{error, error_description}``."""
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, dict):
        message = str(error.get("message") or "error")
        detail = error.get("detail")
        return (f"{message}: {str(detail).strip()}" if detail else message), None
    if isinstance(error, str):
        return str(body.get("error_description") or error), error
    return None


def envelope_error(body: Any) -> str | None:
    """A 2xx whose body is ServiceNow's failure envelope."""
    if isinstance(body, dict) and body.get("status") == "failure" and "error" in body:
        error = body["error"]
        return str(error.get("message") if isinstance(error, dict) else error)
    return None


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _text(row: dict[str, Any], name: str) -> str:
    value = row.get(name)
    if isinstance(value, dict):  # a reference left with its link, or a display_value pair
        value = value.get("value", value.get("display_value"))
    return "" if value is None else str(value)


def _optional(row: dict[str, Any], name: str) -> str | None:
    return _text(row, name) or None


def ticket(row: dict[str, Any], journal: list[dict[str, Any]]) -> Ticket:
    state = _text(row, "state")
    return Ticket(
        number=_text(row, "number"),
        short_description=_text(row, "short_description"),
        description=_text(row, "description"),
        state=STATE_TO_NEUTRAL.get(state, TicketState.IN_PROGRESS),
        priority=PRIORITY_TO_NEUTRAL.get(_text(row, "priority"), Priority.MODERATE),
        category=_optional(row, "category"),
        caller=_optional(row, "caller_id.user_name"),
        assignment_group=_optional(row, "assignment_group.name"),
        opened_at=parse_time(_text(row, "opened_at")),
        updated_at=parse_time(_text(row, "sys_updated_on")),
        reopen_count=int(_text(row, "reopen_count") or 0),
        close_code=CLOSE_CODE_TO_NEUTRAL.get(_text(row, "close_code").lower()),
        close_notes=_optional(row, "close_notes"),
        resolved_at=parse_time(_text(row, "resolved_at")),
        resolved_by=_optional(row, "resolved_by.user_name"),
        business_key=_optional(row, "correlation_id"),
        comments=tuple(comment(entry) for entry in journal),
    )


def comment(row: dict[str, Any]) -> Comment:
    return Comment(
        id=_text(row, "sys_id"),
        body=_text(row, "value"),
        internal=_text(row, "element") == "work_notes",
        author=_optional(row, "sys_created_by"),
        created_at=parse_time(_text(row, "sys_created_on")),
    )


def user(row: dict[str, Any]) -> ITSMUser:
    return ITSMUser(
        user_name=_text(row, "user_name"),
        email=_optional(row, "email"),
        display_name=_text(row, "name") or _text(row, "user_name"),
        active=_text(row, "active").lower() == "true",
        department=_optional(row, "department.name"),
        title=_optional(row, "title"),
        locked_out=_text(row, "locked_out").lower() == "true",
    )


def request_state(row: dict[str, Any]) -> RequestState:
    return REQUEST_STATE_TO_NEUTRAL.get(_text(row, "request_state"), RequestState.SUBMITTED)


def text(row: dict[str, Any], name: str) -> str:
    """A field as plain text ('' when absent)."""
    return _text(row, name)
