"""The ServiceNow mock's OAuth 2.0 token endpoint (``POST /oauth_token.do``).

Clients are ``oauth_entity`` records (``client_id`` / ``client_secret``), so rotating a secret
through the Table API takes effect at once: the old secret gets the instance's 401
``{"error_description": "access_denied", "error": "server_error"}``. Grants: ``client_credentials``
(acting as the integration user), ``password`` and ``refresh_token`` (single use).
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mocks.base import MockRequest, MockResponse, json_response, route
from mocks.servicenow.rendering import flag

if TYPE_CHECKING:
    from mocks.servicenow.tables import Record, Tables

CLIENT_CREDENTIALS_USER = "opspack.integration"


class OAuthRoutes:
    """Mixed into `ServiceNowMock`."""

    tables: Tables
    clock: Callable[[], float]
    token_lifetime: int
    tokens: dict[str, tuple[str, float]]
    """``access:<token>`` / ``refresh:<token>`` -> (user name, expiry epoch seconds)."""

    if TYPE_CHECKING:  # provided by ServiceNowMock

        def _user(self, user_name: str) -> Record | None: ...

    def bearer_user(self, token: str) -> str | None:
        entry = self.tokens.get(f"access:{token}")
        if entry is None or entry[1] < self.clock():
            return None
        return entry[0]

    @route("POST", r"/oauth_token\.do", auth=False)
    def token(self, request: MockRequest) -> MockResponse:
        form = request.form()
        client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
        scheme, _, credential = (request.headers.get("authorization") or "").partition(" ")
        if scheme.lower() == "basic" and not client_id:
            try:
                client_id, _, client_secret = base64.b64decode(credential).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return _denied()
        app = next(
            (a for a in self.tables.rows.get("oauth_entity", {}).values() if a.get("client_id") == client_id),
            None,
        )
        if (
            app is None
            or not client_secret
            or app.get("client_secret") != client_secret
            or not flag(app.get("active"))
        ):
            return _denied()
        grant = form.get("grant_type", "")
        if grant == "client_credentials":
            return self._issue(CLIENT_CREDENTIALS_USER, refresh=False)
        if grant == "password":
            user = self._user(form.get("username", ""))
            if (
                user is None
                or user.get("user_password") != form.get("password")
                or not flag(user.get("active"))
            ):
                return _denied()
            return self._issue(user["user_name"], refresh=True)
        if grant == "refresh_token":
            entry = self.tokens.pop(f"refresh:{form.get('refresh_token', '')}", None)
            if entry is None or entry[1] < self.clock():
                return _denied()
            return self._issue(entry[0], refresh=True)
        return json_response(
            {"error_description": f"unsupported grant_type {grant!r}", "error": "invalid_request"}, 400
        )

    def _issue(self, user_name: str, *, refresh: bool) -> MockResponse:
        access = secrets.token_urlsafe(24)
        self.tokens[f"access:{access}"] = (user_name, self.clock() + self.token_lifetime)
        body: dict[str, Any] = {"access_token": access, "scope": "useraccount", "token_type": "Bearer",
                                "expires_in": self.token_lifetime - 1}  # fmt: skip
        if refresh:
            token = secrets.token_urlsafe(24)
            self.tokens[f"refresh:{token}"] = (user_name, self.clock() + 100 * self.token_lifetime)
            body["refresh_token"] = token
        return json_response(body)


def _denied() -> MockResponse:
    return json_response({"error_description": "access_denied", "error": "server_error"}, 401)
