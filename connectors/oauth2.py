"""OAuth2 access tokens fetched from a token URL: client credentials and password grants.

The token is fetched through the adapter's own `VendorHttp` (same session, live-call switch and
error mapping), cached until shortly before ``expires_in``, refreshed with the refresh token when
one was issued (falling back to the grant when it is refused) and renewed once after a 401.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from connectors.auth_strategy import AuthStrategy
from connectors.errors import (
    AuthenticationError,
    BadResponseError,
    BusinessError,
    ConfigurationError,
    register_secret,
)

__all__ = ["OAuth2ClientCredentials", "OAuth2PasswordGrant"]


class _OAuth2Grant(AuthStrategy):
    """An OAuth2 access token fetched from a token URL, cached until shortly before it expires."""

    grant_type = ""

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        scope: str | None = None,
        *,
        default_ttl: float = 3600.0,
        skew: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not token_url or not client_id or not client_secret:
            raise ConfigurationError("OAuth2 needs token_url, client_id and client_secret")
        register_secret(client_secret)
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        self.scope = scope
        self.default_ttl = default_ttl
        self.skew = skew
        self.clock = clock
        self.token_info: dict[str, Any] = {}
        """Non-secret members of the last token answer (``instance_url``, ``token_type``...)."""
        self.fetch_count = 0
        """How many token requests were made (observability and tests)."""
        self._access_token: str | None = None
        self._refresh_token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()

    def _grant_params(self) -> dict[str, str]:
        return {"grant_type": self.grant_type}

    def access_token(self) -> str:
        """A valid access token, fetching or refreshing it when needed."""
        with self._lock:
            if self._access_token is None or self.clock() >= self._expires_at:
                self._obtain()
            assert self._access_token is not None
            return self._access_token

    def invalidate(self) -> None:
        """Forget the access token (the refresh token, if any, is kept)."""
        with self._lock:
            self._access_token = None

    def before_send(self, method: str, url: str) -> None:
        self.access_token()

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self.access_token()}"
        return r

    def renew_after(self, response: requests.Response) -> bool:
        if response.status_code != 401:
            return False
        self.invalidate()
        return True

    def _obtain(self) -> None:
        if self._refresh_token is not None:
            try:
                self._request_token({"grant_type": "refresh_token", "refresh_token": self._refresh_token})
                return
            except AuthenticationError:
                self._refresh_token = None  # refresh token revoked or expired: fall back to the grant
        self._request_token(self._grant_params())

    def _request_token(self, grant: Mapping[str, str]) -> None:
        http = self._bound_http()
        form = {**grant, "client_id": self.client_id, "client_secret": self._client_secret}
        if self.scope:
            form["scope"] = self.scope
        url = self.token_url if "://" in self.token_url else http.url_for(self.token_url)
        endpoint = f"POST {urlsplit(url).path}"
        self.fetch_count += 1
        try:
            response = http.send("POST", url, data=form, auth=False, idempotent=True, expect="json")
        except (BusinessError, AuthenticationError) as exc:
            raise AuthenticationError(
                f"token request ({grant['grant_type']}) rejected: {exc.reason}",
                vendor=http.vendor,
                endpoint=endpoint,
                status=exc.status,
                code=exc.code,
            ) from None
        body = http.json_of(response)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise BadResponseError("token answer has no access_token", vendor=http.vendor, endpoint=endpoint)
        register_secret(token)
        refresh = body.get("refresh_token")
        if isinstance(refresh, str) and refresh:
            register_secret(refresh)
            self._refresh_token = refresh
        try:
            ttl = float(body.get("expires_in", self.default_ttl))
        except (TypeError, ValueError):
            ttl = self.default_ttl
        self._access_token = token
        self._expires_at = self.clock() + max(0.0, ttl - self.skew)
        self.token_info = {
            k: v for k, v in body.items() if k not in ("access_token", "refresh_token", "id_token")
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}(token_url={self.token_url!r}, client_id={self.client_id!r})"


class OAuth2ClientCredentials(_OAuth2Grant):
    """OAuth2 client-credentials grant (Graph, Salesforce, ServiceNow)."""

    grant_type = "client_credentials"


class OAuth2PasswordGrant(_OAuth2Grant):
    """OAuth2 resource-owner password grant (ServiceNow ``/oauth_token.do``, Salesforce)."""

    grant_type = "password"

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        username: str,
        password: str,
        scope: str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(token_url, client_id, client_secret, scope, **options)
        if not username or not password:
            raise ConfigurationError("OAuth2 password grant needs username and password")
        register_secret(password)
        self.username = username
        self._password = password

    def _grant_params(self) -> dict[str, str]:
        return {"grant_type": self.grant_type, "username": self.username, "password": self._password}
