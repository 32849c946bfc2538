"""`GraphMock`: Microsoft Graph v1.0 users, groups, app passwords and Outlook mail
(`mocks.msgraph.mail`), plus the identity platform's client-credentials token endpoint
(``/{tenant}/oauth2/v2.0/token``).

Faithful where clients notice: bearer tokens from the grant (401 ``InvalidAuthenticationToken``
otherwise), ``{"@odata.context", "value", "@odata.nextLink"}`` collections with ``$top`` and
``$skiptoken``, ``$filter``/``$select``/``$expand=manager``, errors as ``{"error": {code, message,
innerError: {date, request-id, client-request-id}}}``, 429 with ``Retry-After``, 204 for ``PATCH``
and ``$ref`` writes, 400 "already exist" for adding a member twice and 404 for removing a
non-member, and Entra's password complexity rule. Graph sets passwords on disabled accounts too;
refusing that is the adapter's policy, not the vendor's.

Mock conveniences: links are relative unless ``graph_url`` is set; token scopes are not checked
per endpoint.
"""

from __future__ import annotations

import string
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from mocks.base import (
    MockHttpError,
    MockRequest,
    MockResponse,
    MockVendor,
    empty_response,
    json_response,
    route,
)
from mocks.msgraph import odata
from mocks.msgraph.applications import GraphAppRegistrationRoutes
from mocks.msgraph.batch import GraphBatchRoutes
from mocks.msgraph.mail import GraphMailRoutes, Mailbox
from mocks.msgraph.state import GraphTenant, graph_time
from mocks.msgraph.user_writes import GraphUserWrites, drop_odata_type

_ID = r"(?P<{}>[^/]+)"
_CODES = {
    400: "Request_BadRequest",
    401: "InvalidAuthenticationToken",
    403: "Authorization_RequestDenied",
    404: "Request_ResourceNotFound",
    409: "Request_MultipleObjectsWithSameKeyValue",
    429: "TooManyRequests",
}
_HIDDEN = ("manager", "passwordProfile")
_COMPLEXITY = (string.ascii_uppercase, string.ascii_lowercase, string.digits)


def _p(name: str) -> str:
    return _ID.format(name)


class GraphMock(GraphBatchRoutes, GraphUserWrites, GraphMailRoutes, GraphAppRegistrationRoutes, MockVendor):
    """A stateful Entra ID tenant with Outlook mailboxes; inspect ``tenant.password_sets``,
    ``tenant.enables``, ``tenant.membership_log``; put mail in with ``deliver_mail``."""

    NAME = "msgraph"
    PREFIXES = ("/v1.0",)
    MISSING_ROUTE_MESSAGE = "Resource not found for the segment '{segment}'."
    MISSING_ROUTE_CODE = "BadRequest"

    def __init__(self, tenant: GraphTenant | None = None, *, graph_url: str | None = None) -> None:
        super().__init__()
        self.tenant = tenant if tenant is not None else GraphTenant()
        self.graph_url = graph_url.rstrip("/") if graph_url else None
        """Absolute base for ``@odata.nextLink`` (``https://graph.microsoft.com``); None: path-only links."""
        self.mailboxes: dict[str, Mailbox] = {}
        """User object id -> Outlook mailbox (created on first use; see `mocks.msgraph.mail`)."""

    @classmethod
    def from_fixtures(
        cls,
        path: str | Path | None = None,
        *,
        graph_url: str | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> GraphMock:
        return cls(GraphTenant.load(path, clock=clock), graph_url=graph_url)

    # -- vendor hooks ----------------------------------------------------------------------------

    def authenticate(self, request: MockRequest) -> MockResponse | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return self.error_response(401, "Access token is empty.", "InvalidAuthenticationToken")
        issued = self.tenant.access_tokens.get(token.strip())
        if issued is None:
            return self.error_response(
                401, "Access token validation failure. Invalid audience.", "InvalidAuthenticationToken"
            )
        if issued["expires_at"] <= self.tenant.clock().timestamp():
            return self.error_response(
                401, "Lifetime validation failed, the token is expired.", "InvalidAuthenticationToken"
            )
        return None

    def error_response(self, status: int, message: str, code: str | None = None) -> MockResponse:
        if status == 429:
            code, message = (
                "TooManyRequests",
                "Too many requests. Please retry after the time in Retry-After.",
            )
        elif status >= 500:
            code, message = (
                ("serviceNotAvailable" if status == 503 else "UnknownError"),
                "Service unavailable.",
            )
        elif not code or not code[0].isalpha() or code.isupper():
            code = _CODES.get(status, "Request_BadRequest")
        request_id = str(uuid.uuid4())
        body = {
            "error": {
                "code": code,
                "message": message,
                "innerError": {
                    "date": graph_time(self.tenant.clock()),
                    "request-id": request_id,
                    "client-request-id": request_id,
                },
            }
        }
        return json_response(body, status, headers={"request-id": request_id})

    def rate_limit_headers(
        self, request: MockRequest, *, limited: bool, retry_after: float
    ) -> dict[str, str]:
        return {"Retry-After": str(max(1, round(retry_after)))} if limited else {}

    # -- users -----------------------------------------------------------------------------------

    @route("GET", r"/v1\.0/users")
    def list_users(self, request: MockRequest) -> MockResponse:
        matches = odata.parse_filter(request.query.get("$filter"))
        users = [u for u in self.tenant.users.values() if matches(u)]
        return self._collection(request, "/v1.0/users", "users", [self._user(request, u) for u in users])

    @route("GET", rf"/v1\.0/users/{_p('uid')}")
    def get_user(self, request: MockRequest, uid: str) -> dict[str, Any]:
        user = self._user(request, self._find_user(uid))
        return {"@odata.context": self._context("users/$entity"), **user}

    @route("PATCH", rf"/v1\.0/users/{_p('uid')}")
    def update_user(self, request: MockRequest, uid: str) -> MockResponse:
        user = self._find_user(uid)
        changes = request.json()
        if not isinstance(changes, dict):
            raise MockHttpError(400, "Invalid request body.", code="BadRequest")
        drop_odata_type(changes)  # msgraph-sdk always sends "@odata.type": "#microsoft.graph.user"
        profile = changes.pop("passwordProfile", None)
        if profile is not None:
            password = profile.get("password") if isinstance(profile, dict) else None
            if not isinstance(password, str) or not _complex_enough(password):
                raise MockHttpError(
                    400,
                    "The specified password does not comply with password complexity "
                    "requirements. Please provide a different password.",
                )
            user["passwordProfile"] = {
                "forceChangePasswordNextSignIn": bool(profile.get("forceChangePasswordNextSignIn"))
            }
            user["lastPasswordChangeDateTime"] = graph_time(self.tenant.clock())
            self.tenant.password_sets[user["id"]] += 1
        if "accountEnabled" in changes:
            enabled = changes.pop("accountEnabled")
            if not isinstance(enabled, bool):
                raise MockHttpError(
                    400, "Invalid value specified for property 'accountEnabled' of resource 'User'."
                )
            if enabled and not user["accountEnabled"]:
                self.tenant.enables[user["id"]] += 1
            user["accountEnabled"] = enabled
        unknown = [k for k in changes if k in ("id", "userPrincipalName") or k not in user]
        if unknown:
            raise MockHttpError(
                400, f"Property '{unknown[0]}' cannot be updated or does not exist on 'User'."
            )
        user.update(changes)
        return empty_response(204)

    @route("GET", rf"/v1\.0/users/{_p('uid')}/memberOf")
    def member_of(self, request: MockRequest, uid: str) -> MockResponse:
        user = self._find_user(uid)
        items = [{"@odata.type": kind, **obj} for kind, obj in self.tenant.member_of(user["id"])]
        return self._collection(request, f"/v1.0/users/{uid}/memberOf", "directoryObjects", items)

    @route("GET", rf"/v1\.0/users/{_p('uid')}/manager")
    def manager(self, request: MockRequest, uid: str) -> dict[str, Any]:
        manager = self._find_user(uid).get("manager")
        if not manager:
            raise MockHttpError(
                404,
                "Resource 'manager' does not exist or one of its queried reference-property "
                "objects are not present.",
            )
        return {
            "@odata.type": "#microsoft.graph.user",
            **self._user(request, self.tenant.users[manager["id"]]),
        }

    # -- groups ----------------------------------------------------------------------------------

    @route("GET", r"/v1\.0/groups")
    def list_groups(self, request: MockRequest) -> MockResponse:
        matches = odata.parse_filter(request.query.get("$filter"))
        groups = [
            odata.select(g, request.query.get("$select")) for g in self.tenant.groups.values() if matches(g)
        ]
        return self._collection(request, "/v1.0/groups", "groups", groups)

    @route("GET", rf"/v1\.0/groups/{_p('gid')}")
    def get_group(self, request: MockRequest, gid: str) -> dict[str, Any]:
        group = odata.select(self._find_group(gid), request.query.get("$select"))
        return {"@odata.context": self._context("groups/$entity"), **group}

    @route("GET", rf"/v1\.0/groups/{_p('gid')}/members")
    def group_members(self, request: MockRequest, gid: str) -> MockResponse:
        self._find_group(gid)
        items = [
            {"@odata.type": "#microsoft.graph.user", **self._user(request, self.tenant.users[uid])}
            for uid in self.tenant.members[gid]
        ]
        return self._collection(request, f"/v1.0/groups/{gid}/members", "directoryObjects", items)

    @route("POST", rf"/v1\.0/groups/{_p('gid')}/members/\$ref")
    def add_member(self, request: MockRequest, gid: str) -> MockResponse:
        self._find_group(gid)
        body = request.json()
        reference = body.get("@odata.id") if isinstance(body, dict) else None
        if not isinstance(reference, str) or "/directoryObjects/" not in reference:
            raise MockHttpError(400, "Invalid object identifier '@odata.id'.", code="Request_BadRequest")
        uid = reference.rstrip("/").rsplit("/", 1)[-1]
        if uid not in self.tenant.users:
            raise self._not_found(uid)
        if not self.tenant.add_member(gid, uid):
            raise MockHttpError(
                400,
                "One or more added object references already exist for the following "
                "modified properties: 'members'.",
            )
        return empty_response(204)

    @route("DELETE", rf"/v1\.0/groups/{_p('gid')}/members/{_p('uid')}/\$ref")
    def remove_member(self, request: MockRequest, gid: str, uid: str) -> MockResponse:
        self._find_group(gid)
        if not self.tenant.remove_member(gid, uid):
            raise self._not_found(uid)
        return empty_response(204)

    # -- rendering -------------------------------------------------------------------------------

    def _context(self, what: str) -> str:
        return f"{self.graph_url or 'https://graph.microsoft.com'}/v1.0/$metadata#{what}"

    def _user(self, request: MockRequest, user: dict[str, Any]) -> dict[str, Any]:
        shown = odata.select(
            {k: v for k, v in user.items() if k not in _HIDDEN}, request.query.get("$select")
        )
        if request.query.get("$expand", "").startswith("manager") and user.get("manager"):
            shown["manager"] = {"@odata.type": "#microsoft.graph.user", "id": user["manager"]["id"]}
        return shown

    def _collection(
        self, request: MockRequest, path: str, context: str, items: list[dict[str, Any]]
    ) -> MockResponse:
        offset, size = odata.page_bounds(request.query.get("$top"), request.query.get("$skiptoken"))
        body: dict[str, Any] = {"@odata.context": self._context(context)}
        if (request.query.get("$count") or "").lower() == "true":
            if (request.headers.get("ConsistencyLevel") or "").lower() != "eventual":
                raise MockHttpError(400, "$count is not currently supported.", code="Request_BadRequest")
            body["@odata.count"] = len(items)
        body["value"] = items[offset : offset + size]
        if offset + size < len(items):
            kept = {k: request.query[k] for k in request.query if k != "$skiptoken"}
            kept["$skiptoken"] = odata.skiptoken(offset + size)
            origin = self.graph_url or request.origin("")  # absolute when served, as Graph's links are
            body["@odata.nextLink"] = f"{origin}{path}?{urlencode(kept)}"
        return json_response(body, headers={"Content-Type": "application/json;odata.metadata=minimal"})

    def password_ok(self, password: str) -> bool:
        return _complex_enough(password)

    def _not_found(self, key: str) -> MockHttpError:
        return MockHttpError(
            404,
            f"Resource '{key}' does not exist or one of its queried reference-property "
            "objects are not present.",
            code="Request_ResourceNotFound",
        )

    def _find_user(self, key: str) -> dict[str, Any]:
        user = self.tenant.user(key)
        if user is None:
            raise self._not_found(key)
        return user

    def _find_group(self, gid: str) -> dict[str, Any]:
        if gid not in self.tenant.groups:
            raise self._not_found(gid)
        return self.tenant.groups[gid]

    # -- state inspection for tests --------------------------------------------------------------

    def user_id(self, login: str) -> str:
        user = self.tenant.user(login)
        if user is None:
            raise KeyError(f"no Graph mock user {login!r}")
        return str(user["id"])

    def group_id(self, name: str) -> str:
        for group in self.tenant.groups.values():
            if group["displayName"] == name:
                return str(group["id"])
        raise KeyError(f"no Graph mock group named {name!r}")

    def block_sign_in(self, login: str) -> None:
        """Disable sign-in for a user, as an admin (or a risk policy) would: reads as LOCKED."""
        with self.lock:
            self.tenant.users[self.user_id(login)]["accountEnabled"] = False

    def password_resets(self, login: str) -> int:
        return self.tenant.password_sets[self.user_id(login)]

    def unlock_count(self, login: str) -> int:
        return self.tenant.enables[self.user_id(login)]


def _complex_enough(password: str) -> bool:
    """Entra: 8-256 characters from at least three of upper, lower, digits and symbols."""
    classes = sum(any(ch in pool for ch in password) for pool in _COMPLEXITY)
    classes += any(not ch.isalnum() for ch in password)
    return 8 <= len(password) <= 256 and classes >= 3
