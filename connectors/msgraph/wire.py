"""Microsoft Graph's wire format, translated at the boundary; Graph names stop here.

Graph v1.0 has no "locked out" state a client can read (Entra smart lockout is transient and not
exposed), so the account state is derived from what Graph does expose:

- ``accountEnabled: true`` -> ACTIVE;
- disabled with ``employeeLeaveDateTime`` in the past -> SUSPENDED (a leaver: never re-enable);
- disabled with ``employeeHireDate`` in the future -> STAGED (a joiner not yet started);
- any other disabled account -> LOCKED ("sign-in blocked"), which a help desk may unblock.

Reading ``employeeLeaveDateTime`` needs the ``User-LifeCycleInfo.Read.All`` permission in a real
tenant; without it the value is absent and a disabled leaver would read as LOCKED, so grant it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import requests

from connectors.directory.models import DirectoryUser, Group, UserStatus
from connectors.errors import BadResponseError

VENDOR = "msgraph"

USER_FIELDS = (
    "id,userPrincipalName,mail,displayName,jobTitle,department,accountEnabled,"
    "lastPasswordChangeDateTime,employeeHireDate,employeeLeaveDateTime"
)
GROUP_FIELDS = "id,displayName,description,isAssignableToRole"
MANAGER_EXPAND = "manager($select=id)"
GROUP_TYPE = "#microsoft.graph.group"


def parse_time(value: Any, *, endpoint: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadResponseError(f"timestamp {value!r} is not a string", vendor=VENDOR, endpoint=endpoint)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadResponseError(f"unreadable timestamp {value!r}", vendor=VENDOR, endpoint=endpoint) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _object(body: Any, endpoint: str, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadResponseError(
            f"expected a {what} object, got {type(body).__name__}", vendor=VENDOR, endpoint=endpoint
        )
    return body


def account_status(data: dict[str, Any], *, endpoint: str, now: datetime | None = None) -> UserStatus:
    """The neutral status of a Graph user (see the module docstring)."""
    enabled = data.get("accountEnabled")
    if not isinstance(enabled, bool):
        raise BadResponseError("user object lacks accountEnabled", vendor=VENDOR, endpoint=endpoint)
    if enabled:
        return UserStatus.ACTIVE
    moment = now or datetime.now(UTC)
    left = parse_time(data.get("employeeLeaveDateTime"), endpoint=endpoint)
    if left is not None and left <= moment:
        return UserStatus.SUSPENDED
    hired = parse_time(data.get("employeeHireDate"), endpoint=endpoint)
    if hired is not None and hired > moment:
        return UserStatus.STAGED
    return UserStatus.LOCKED


def user_from_wire(body: Any, *, endpoint: str) -> DirectoryUser:
    data = _object(body, endpoint, "user")
    if not data.get("id") or not data.get("userPrincipalName"):
        raise BadResponseError("user object lacks id or userPrincipalName", vendor=VENDOR, endpoint=endpoint)
    manager = data.get("manager")
    return DirectoryUser(
        id=str(data["id"]),
        login=str(data["userPrincipalName"]),
        email=data.get("mail"),
        display_name=data.get("displayName") or "",
        status=account_status(data, endpoint=endpoint),
        manager_id=str(manager["id"]) if isinstance(manager, dict) and manager.get("id") else None,
        department=data.get("department"),
        title=data.get("jobTitle"),
        password_changed_at=parse_time(data.get("lastPasswordChangeDateTime"), endpoint=endpoint),
    )


def group_from_wire(body: Any, *, endpoint: str) -> Group:
    """A Graph group; role-assignable groups (``isAssignableToRole``) are marked privileged."""
    data = _object(body, endpoint, "group")
    if not data.get("id") or not data.get("displayName"):
        raise BadResponseError("group object lacks id or displayName", vendor=VENDOR, endpoint=endpoint)
    return Group(
        id=str(data["id"]),
        name=str(data["displayName"]),
        description=data.get("description") or "",
        privileged=True if data.get("isAssignableToRole") is True else None,
    )


def collection(body: Any, *, endpoint: str) -> list[Any]:
    """The ``value`` array of an OData collection."""
    data = _object(body, endpoint, "collection")
    value = data.get("value")
    if not isinstance(value, list):
        raise BadResponseError("collection has no value array", vendor=VENDOR, endpoint=endpoint)
    return value


def parse_error(response: requests.Response) -> tuple[str, str | None] | None:
    """Read ``{"error": {code, message, innerError}}``; None when the body is something else."""
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("message") or "error"), str(error.get("code")) if error.get("code") else None
    if isinstance(error, str):  # the identity platform's token endpoint: {"error", "error_description"}
        return str(body.get("error_description") or error), error
    return None


def envelope_error(body: Any) -> str | None:
    """A 2xx carrying a Graph error object is not a success."""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and "code" in error:
        return f"{error.get('code')}: {error.get('message')}"
    return None


def odata_literal(value: str) -> str:
    """An OData string literal: single quotes doubled."""
    return "'" + value.replace("'", "''") + "'"
