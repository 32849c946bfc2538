"""Creating users on the Graph mock (``POST /v1.0/users``), mixed into `GraphMock`.

Required as in Graph: ``accountEnabled``, ``displayName``, ``mailNickname``, ``userPrincipalName``
and ``passwordProfile.password`` (complexity-checked); a UPN already taken answers 400
``Request_BadRequest`` "Another object with the same value for property userPrincipalName already
exists."; ``@odata.type`` may be sent (the SDK always sends it) and must name a user. Answers 201 with
the created user and a ``Location``.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from mocks.base import MockHttpError, MockRequest, MockResponse, json_response, route
from mocks.msgraph.state import GraphTenant, graph_time

USER_TYPE = "#microsoft.graph.user"
_REQUIRED = ("accountEnabled", "displayName", "mailNickname", "userPrincipalName", "passwordProfile")
_SETTABLE = {"givenName", "surname", "jobTitle", "department", "employeeId", "mail", "usageLocation",
             "officeLocation", "mobilePhone", "companyName", "employeeHireDate"}  # fmt: skip


def drop_odata_type(body: dict[str, Any], expected: str = USER_TYPE) -> None:
    """Remove ``@odata.type`` from a write body, refusing one that names another type."""
    declared = body.pop("@odata.type", None)
    if declared is not None and str(declared).lower() != expected.lower():
        raise MockHttpError(
            400, f"Invalid @odata.type '{declared}': expected '{expected}'.", code="BadRequest"
        )


class GraphUserWrites:
    """Needs ``tenant``, ``graph_url``, ``_user`` and ``_context`` from `GraphMock`."""

    tenant: GraphTenant
    graph_url: str | None

    if TYPE_CHECKING:

        def password_ok(self, password: str) -> bool: ...

        def _user(self, request: MockRequest, user: dict[str, Any]) -> dict[str, Any]: ...

        def _context(self, what: str) -> str: ...

    @route("POST", r"/v1\.0/users")
    def create_user(self, request: MockRequest) -> MockResponse:
        body = request.json()
        if not isinstance(body, dict):
            raise MockHttpError(400, "Invalid request body.", code="BadRequest")
        drop_odata_type(body)
        missing = [k for k in _REQUIRED if body.get(k) in (None, "")]
        if missing:
            raise MockHttpError(
                400, f"Property '{missing[0]}' is required but missing.", code="Request_BadRequest"
            )
        upn = str(body["userPrincipalName"])
        if "@" not in upn:
            raise MockHttpError(400, "Property userPrincipalName is invalid.", code="Request_BadRequest")
        if self.tenant.user(upn) is not None:
            raise MockHttpError(
                400,
                "Another object with the same value for property userPrincipalName already exists.",
                code="Request_BadRequest",
            )
        profile = body["passwordProfile"]
        password = profile.get("password") if isinstance(profile, dict) else None
        if not isinstance(password, str) or not self.password_ok(password):
            raise MockHttpError(
                400,
                "The specified password does not comply with password complexity requirements. "
                "Please provide a different password.",
            )
        unknown = [k for k in body if k not in _REQUIRED and k not in _SETTABLE]
        if unknown:
            raise MockHttpError(
                400, f"Property '{unknown[0]}' does not exist on type 'microsoft.graph.user'."
            )
        now = graph_time(self.tenant.clock())
        user: dict[str, Any] = {
            "id": str(uuid.uuid4()), "userPrincipalName": upn, "mail": body.get("mail"),
            "displayName": body["displayName"], "givenName": body.get("givenName"), "surname": body.get("surname"),
            "jobTitle": body.get("jobTitle"), "department": body.get("department"),
            "employeeId": body.get("employeeId"), "accountEnabled": bool(body["accountEnabled"]),
            "createdDateTime": now, "lastPasswordChangeDateTime": now, "employeeHireDate": body.get("employeeHireDate"),
            "employeeLeaveDateTime": None,
            "passwordProfile": {"forceChangePasswordNextSignIn": bool(profile.get("forceChangePasswordNextSignIn", True))},
        }  # fmt: skip
        self.tenant.users[user["id"]] = user
        shown = {"@odata.context": self._context("users/$entity"), **self._user(request, user)}
        location = (
            f"{self.graph_url or request.origin('https://graph.microsoft.com')}/v1.0/users/{user['id']}"
        )
        return json_response(shown, 201, headers={"Location": location})
