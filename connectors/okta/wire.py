"""Okta's wire format, translated at the boundary: JSON in, vendor-neutral models out.

Okta field names (``profile.login``, ``LOCKED_OUT``, ``errorSummary``) stop here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import requests

from connectors.directory.models import DirectoryUser, Group, UserStatus
from connectors.errors import BadResponseError, RejectedError

VENDOR = "okta"

USER_STATUS: dict[str, UserStatus] = {
    "ACTIVE": UserStatus.ACTIVE,
    "LOCKED_OUT": UserStatus.LOCKED,
    "SUSPENDED": UserStatus.SUSPENDED,
    "RECOVERY": UserStatus.RECOVERY,
    "PASSWORD_EXPIRED": UserStatus.PASSWORD_EXPIRED,
    "STAGED": UserStatus.STAGED,
    "PROVISIONED": UserStatus.STAGED,  # activated without credentials: not yet usable
    "DEPROVISIONED": UserStatus.DEPROVISIONED,
}

STATUS_NOT_ALLOWED = "E0000038"
"""Okta's "operation not allowed in the user's current status" (sent as HTTP 403)."""


def parse_time(value: Any, *, endpoint: str) -> datetime | None:
    """Okta timestamps are ISO 8601 with milliseconds and ``Z``; None stays None."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadResponseError(f"timestamp {value!r} is not a string", vendor=VENDOR, endpoint=endpoint)
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadResponseError(f"unreadable timestamp {value!r}", vendor=VENDOR, endpoint=endpoint) from None


def _object(body: Any, endpoint: str, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadResponseError(
            f"expected a {what} object, got {type(body).__name__}", vendor=VENDOR, endpoint=endpoint
        )
    return body


def user_from_wire(body: Any, *, endpoint: str) -> DirectoryUser:
    """An Okta user object as a `DirectoryUser`."""
    data = _object(body, endpoint, "user")
    profile = _object(data.get("profile"), endpoint, "user profile")
    raw_status = data.get("status")
    status = USER_STATUS.get(str(raw_status))
    if status is None or not data.get("id") or not profile.get("login"):
        raise BadResponseError(
            f"user object lacks id, login or a known status ({raw_status!r})",
            vendor=VENDOR,
            endpoint=endpoint,
        )
    display = profile.get("displayName") or " ".join(
        p for p in (profile.get("firstName"), profile.get("lastName")) if p
    )
    recovery = (
        parse_time(data.get("statusChanged"), endpoint=endpoint) if status is UserStatus.RECOVERY else None
    )
    return DirectoryUser(
        id=str(data["id"]),
        login=str(profile["login"]),
        email=profile.get("email"),
        display_name=display or "",
        status=status,
        manager_id=profile.get("managerId"),
        department=profile.get("department"),
        title=profile.get("title"),
        password_changed_at=parse_time(data.get("passwordChanged"), endpoint=endpoint),
        recovery_since=recovery,
    )


def group_from_wire(body: Any, *, endpoint: str) -> Group:
    """An Okta group object as a `Group`; Okta does not mark groups privileged, so the hint is None."""
    data = _object(body, endpoint, "group")
    profile = _object(data.get("profile"), endpoint, "group profile")
    if not data.get("id") or not profile.get("name"):
        raise BadResponseError("group object lacks id or profile.name", vendor=VENDOR, endpoint=endpoint)
    return Group(id=str(data["id"]), name=str(profile["name"]), description=profile.get("description") or "")


def list_of(body: Any, *, endpoint: str) -> list[Any]:
    """Okta collections are bare JSON arrays."""
    if not isinstance(body, list):
        raise BadResponseError(
            f"expected a JSON array, got {type(body).__name__}", vendor=VENDOR, endpoint=endpoint
        )
    return body


def parse_error(response: requests.Response) -> tuple[str, str | None] | None:
    """Read ``{errorCode, errorSummary, errorCauses}``; None when the body is not an Okta error."""
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict) or "errorCode" not in body:
        return None
    summary = str(body.get("errorSummary") or "error")
    causes = [str(c.get("errorSummary")) for c in body.get("errorCauses") or [] if isinstance(c, dict)]
    if causes:
        summary = f"{summary}: {'; '.join(causes)}"
    return summary, str(body["errorCode"])


def envelope_error(body: Any) -> str | None:
    """A 2xx whose body is an Okta error object is not a success."""
    if isinstance(body, dict) and "errorCode" in body and "errorSummary" in body:
        return f"{body['errorCode']} {body['errorSummary']}"
    return None


def search_literal(value: str, *, endpoint: str) -> str:
    """Quote a value for Okta's ``search`` expression, escaping ``\\`` and ``"`` so that a value can
    never change the query (``x" or profile.login sw "`` stays one literal that matches nobody)."""
    if not value.strip():
        raise RejectedError("an empty value cannot be searched for", vendor=VENDOR, endpoint=endpoint)
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
