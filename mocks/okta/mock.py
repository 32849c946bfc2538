"""`OktaMock`: Okta's Management API (users, groups, lifecycle, app client secrets) and org token endpoint.

Faithful where clients notice: ``SSWS``/``Bearer`` auth (401 ``E0000011``), bare JSON arrays with
``Link: <…after=…>; rel="next"`` paging, ``search=profile.login eq "…"``, ``q=`` prefix search,
``X-Rate-Limit-Limit/-Remaining/-Reset`` on every answer and 429 ``E0000047`` when exhausted,
errors as ``{errorCode, errorSummary, errorLink, errorId, errorCauses}``, 204 for group
membership PUT/DELETE whether or not anything changed, 403 ``E0000038`` for a lifecycle call the
user's status forbids and 400 ``E0000032`` for unlocking a user who is not locked out.

Mock conveniences (documented, not Okta behaviour): links are relative unless ``org_url`` is set;
bearer tokens are not checked against per-endpoint scopes; the rate limit is only enforced when
``rate_limit`` is given (the headers are always sent).
"""

from __future__ import annotations

import math
import re
import secrets
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from mocks.base import MockHttpError, MockRequest, MockResponse, MockVendor, json_response, route
from mocks.okta.credentials import OktaCredentialRoutes
from mocks.okta.lifecycle import OktaLifecycleRoutes
from mocks.okta.state import OktaOrg

_ID = r"(?P<{}>[^/]+)"
_CODES = {
    400: "E0000001",
    401: "E0000011",
    403: "E0000006",
    404: "E0000007",
    405: "E0000022",
    429: "E0000047",
}
_SEARCH = re.compile(r'^\s*(?P<attr>[\w.]+)\s+(?P<op>eq|sw)\s+"(?P<value>(?:[^"\\]|\\.)*)"\s*$', re.DOTALL)
_RESETTABLE = {"ACTIVE", "LOCKED_OUT", "RECOVERY", "PASSWORD_EXPIRED"}


def _p(name: str) -> str:
    return _ID.format(name)


class OktaMock(OktaLifecycleRoutes, OktaCredentialRoutes, MockVendor):
    """A stateful Okta org; inspect ``org.resets``, ``org.unlocks``, ``org.membership_log``."""

    NAME = "okta"
    PREFIXES = ("/api/v1", "/oauth2/v1")
    MISSING_ROUTE_MESSAGE = "Not found: Resource not found: {path}"
    MISSING_ROUTE_CODE = "E0000007"

    def __init__(
        self,
        org: OktaOrg | None = None,
        *,
        org_url: str | None = None,
        rate_limit: int | None = None,
        limit_window: float = 60.0,
    ) -> None:
        super().__init__()
        self.org = org if org is not None else OktaOrg()
        self.org_url = org_url.rstrip("/") if org_url else None
        """Absolute base for links (``https://acme.okta.com``); None: the origin the client used when
        served over HTTP(S), path-only links in-process."""
        self._origin = threading.local()
        self.rate_limit = rate_limit
        self.limit_window = limit_window
        self._window_started = 0.0
        self._used = 0

    @classmethod
    def from_fixtures(
        cls,
        path: str | Path | None = None,
        *,
        org_url: str | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> OktaMock:
        return cls(OktaOrg.load(path, clock=clock), org_url=org_url)

    # -- vendor hooks ----------------------------------------------------------------------------

    def authenticate(self, request: MockRequest) -> MockResponse | None:
        throttled = self._over_rate_limit(request)
        if throttled is not None:
            return throttled
        header = request.headers.get("Authorization", "")
        scheme, _, credential = header.partition(" ")
        credential = credential.strip()
        if scheme == "SSWS" and credential in self.org.api_tokens:
            return None
        if scheme == "Bearer":
            token = self.org.access_tokens.get(credential)
            if token is not None and token["expires_at"] > self.org.clock().timestamp():
                return None
        return self.error_response(401, "Invalid token provided", "E0000011")

    def error_response(self, status: int, message: str, code: str | None = None) -> MockResponse:
        if status == 429:
            code, message = "E0000047", "API call exceeded rate limit due to too many requests."
        elif not (code and code.startswith("E0")):
            code = _CODES.get(status, "E0000009")
            if status >= 500:
                message = "Internal Server Error"
        body = {
            "errorCode": code,
            "errorSummary": message,
            "errorLink": code,
            "errorId": "oae" + secrets.token_urlsafe(16),
            "errorCauses": [],
        }
        return json_response(body, status)

    def rate_limit_headers(
        self, request: MockRequest, *, limited: bool, retry_after: float
    ) -> dict[str, str]:
        with self.lock:
            now = self.org.clock().timestamp()
            if now - self._window_started >= self.limit_window:
                self._window_started, self._used = now, 0
            limit = self.rate_limit or 600
            if not limited:
                self._used += 1
            reset = now + retry_after if limited else self._window_started + self.limit_window
            remaining = 0 if limited else max(0, limit - self._used)
        return {
            "X-Rate-Limit-Limit": str(limit),
            "X-Rate-Limit-Remaining": str(remaining),
            "X-Rate-Limit-Reset": str(math.ceil(reset)),
        }

    def _over_rate_limit(self, request: MockRequest) -> MockResponse | None:
        """The 429 Okta sends once a window's budget is spent (only when ``rate_limit`` is set)."""
        if self.rate_limit is None or not request.path.startswith("/api/"):
            return None
        with self.lock:
            now = self.org.clock().timestamp()
            if now - self._window_started >= self.limit_window or self._used < self.rate_limit:
                return None
            wait = self._window_started + self.limit_window - now
        response = self.error_response(429, "rate limited")
        response.headers.update(self.rate_limit_headers(request, limited=True, retry_after=wait))
        return response

    def _with_limits(self, request: MockRequest, response: MockResponse) -> MockResponse:
        """5xx answers come from Okta's edge, not the API's rate limiter: no ``X-Rate-Limit-*`` on them."""
        if response.status >= 500:
            return response
        return super()._with_limits(request, response)

    # -- users -----------------------------------------------------------------------------------

    @route("GET", r"/api/v1/users")
    def list_users(self, request: MockRequest) -> MockResponse:
        users = list(self.org.users.values())
        if "search" in request.query:
            users = [u for u in users if self._search(request.query["search"])(u)]
        elif request.query.get("q"):
            prefix = request.query["q"].casefold()
            users = [
                u
                for u in users
                if any(
                    str(u["profile"].get(k) or "").casefold().startswith(prefix)
                    for k in ("firstName", "lastName", "email", "login")
                )
            ]
        return self._page(request, users, "/api/v1/users", self._user)

    @route("GET", rf"/api/v1/users/{_p('uid')}")
    def get_user(self, request: MockRequest, uid: str) -> dict[str, Any]:
        return self._user(self._find_user(uid))

    @route("GET", rf"/api/v1/users/{_p('uid')}/groups")
    def user_groups(self, request: MockRequest, uid: str) -> MockResponse:
        user = self._find_user(uid)
        return self._page(
            request, self.org.groups_of(user["id"]), f"/api/v1/users/{user['id']}/groups", self._group
        )

    @route("POST", rf"/api/v1/users/{_p('uid')}/lifecycle/reset_password")
    def reset_password(self, request: MockRequest, uid: str) -> dict[str, Any]:
        user = self._find_user(uid)
        if user["status"] not in _RESETTABLE:
            raise MockHttpError(
                403, "This operation is not allowed in the user's current status.", code="E0000038"
            )
        self.org.set_status(user["id"], "RECOVERY")
        self.org.resets[user["id"]] += 1
        if request.query.get("sendEmail", "true").lower() == "true":
            return {}
        token = secrets.token_urlsafe(24)
        return {
            "resetPasswordUrl": f"{self.org_url or 'https://acme.okta.mock'}/signin/reset-password/{token}"
        }

    @route("POST", rf"/api/v1/users/{_p('uid')}/lifecycle/unlock")
    def unlock(self, request: MockRequest, uid: str) -> dict[str, Any]:
        user = self._find_user(uid)
        if user["status"] != "LOCKED_OUT":
            raise MockHttpError(400, "Unlock is not allowed for this user.", code="E0000032")
        self.org.set_status(user["id"], "ACTIVE")
        self.org.unlocks[user["id"]] += 1
        return {}

    # -- groups ----------------------------------------------------------------------------------

    @route("GET", r"/api/v1/groups")
    def list_groups(self, request: MockRequest) -> MockResponse:
        groups = list(self.org.groups.values())
        if request.query.get("q"):
            prefix = request.query["q"].casefold()
            groups = [g for g in groups if g["profile"]["name"].casefold().startswith(prefix)]
        return self._page(request, groups, "/api/v1/groups", self._group)

    @route("GET", rf"/api/v1/groups/{_p('gid')}")
    def get_group(self, request: MockRequest, gid: str) -> dict[str, Any]:
        return self._group(self._find_group(gid))

    @route("GET", rf"/api/v1/groups/{_p('gid')}/users")
    def group_users(self, request: MockRequest, gid: str) -> MockResponse:
        self._find_group(gid)
        users = [self.org.users[uid] for uid in self.org.members[gid]]
        return self._page(request, users, f"/api/v1/groups/{gid}/users", self._user)

    @route("PUT", rf"/api/v1/groups/{_p('gid')}/users/{_p('uid')}")
    def add_member(self, request: MockRequest, gid: str, uid: str) -> None:
        self._find_group(gid)
        self.org.add_member(gid, self._find_user(uid, by_id_only=True)["id"])

    @route("DELETE", rf"/api/v1/groups/{_p('gid')}/users/{_p('uid')}")
    def remove_member(self, request: MockRequest, gid: str, uid: str) -> None:
        self._find_group(gid)
        self.org.remove_member(gid, self._find_user(uid, by_id_only=True)["id"])

    # -- rendering and paging --------------------------------------------------------------------

    def handle(self, request: MockRequest, *, strict: bool = False) -> MockResponse:
        self._origin.value = request.origin("")  # served over HTTP(S): links are absolute, as on Okta
        return super().handle(request, strict=strict)

    def _link(self, path: str, query: dict[str, str]) -> str:
        origin = self.org_url or getattr(self._origin, "value", "")
        return f"{origin}{path}" + (f"?{urlencode(query)}" if query else "")

    def _user(self, user: dict[str, Any]) -> dict[str, Any]:
        return {**user, "_links": {"self": {"href": self._link(f"/api/v1/users/{user['id']}", {})}}}

    def _group(self, group: dict[str, Any]) -> dict[str, Any]:
        return {**group, "_links": {"self": {"href": self._link(f"/api/v1/groups/{group['id']}", {})}}}

    def _page(
        self,
        request: MockRequest,
        items: list[dict[str, Any]],
        path: str,
        render: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> MockResponse:
        try:
            limit = min(200, max(1, int(request.query.get("limit", "200"))))
        except ValueError:
            raise MockHttpError(400, "Api validation failed: limit", code="E0000001") from None
        start = 0
        if request.query.get("after"):
            ids = [item["id"] for item in items]
            after = request.query["after"]
            start = ids.index(after) + 1 if after in ids else len(items)
        page = items[start : start + limit]
        kept = {k: request.query[k] for k in request.query if k != "after"}
        links = [f'<{self._link(path, kept)}>; rel="self"']
        if start + limit < len(items):
            links.append(f'<{self._link(path, {**kept, "after": page[-1]["id"]})}>; rel="next"')
        return json_response([render(item) for item in page], headers={"Link": ", ".join(links)})

    def _find_user(self, key: str, *, by_id_only: bool = False) -> dict[str, Any]:
        user = self.org.users.get(key) if by_id_only else self.org.user(key)
        if user is None:
            raise MockHttpError(404, f"Not found: Resource not found: {key} (User)", code="E0000007")
        return user

    def _find_group(self, gid: str) -> dict[str, Any]:
        if gid not in self.org.groups:
            raise MockHttpError(404, f"Not found: Resource not found: {gid} (UserGroup)", code="E0000007")
        return self.org.groups[gid]

    @staticmethod
    def _search(expression: str) -> Callable[[dict[str, Any]], bool]:
        found = _SEARCH.match(expression)
        if found is None:
            raise MockHttpError(400, "Invalid search criteria.", code="E0000031")
        attr, op = found["attr"], found["op"]
        value = re.sub(r"\\(.)", r"\1", found["value"], flags=re.DOTALL).casefold()

        def read(user: dict[str, Any]) -> str:
            holder: Any = user
            for part in attr.split("."):
                holder = holder.get(part) if isinstance(holder, dict) else None
            return str(holder or "").casefold()

        if op == "eq":
            return lambda user: read(user) == value
        return lambda user: read(user).startswith(value)

    # -- state inspection for tests --------------------------------------------------------------

    def user_id(self, login: str) -> str:
        user = self.org.user(login)
        if user is None:
            raise KeyError(f"no Okta mock user with login {login!r}")
        return str(user["id"])

    def group_id(self, name: str) -> str:
        for group in self.org.groups.values():
            if group["profile"]["name"] == name:
                return str(group["id"])
        raise KeyError(f"no Okta mock group named {name!r}")

    def lock_out(self, login: str) -> None:
        """Lock a user out, as too many failed sign-ins would."""
        with self.lock:
            self.org.set_status(self.user_id(login), "LOCKED_OUT")

    def password_resets(self, login: str) -> int:
        return self.org.resets[self.user_id(login)]

    def unlock_count(self, login: str) -> int:
        return self.org.unlocks[self.user_id(login)]
