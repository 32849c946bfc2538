"""OAuth2 access tokens from a token URL, requested by authlib: client credentials, password, refresh.

authlib's `OAuth2Client` builds every token request (grant parameters, client authentication:
``client_secret_post``, ``client_secret_basic``, RFC 7523 ``private_key_jwt``) and parses the
answer; the request itself goes out through the adapter's own `VendorHttp` (same session, live-call
switch, retries and vendor error mapping), so a refused grant is an `AuthenticationError` naming the
token endpoint and never the secret. The token is cached until shortly before ``expires_in``,
refreshed with the refresh token when one was issued (falling back to the grant when the refresh is
refused) and renewed once after a 401. Assertion-signed variants (``private_key_jwt`` for Okta
service apps and Entra certificate credentials, Salesforce's JWT-bearer grant) are in
`connectors.auth_jwt`.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.integrations.requests_client.oauth2_session import OAuth2ClientAuth
from authlib.oauth2.client import OAuth2Client
from authlib.oauth2.rfc6749 import OAuth2Error

from connectors.auth_strategy import AuthStrategy, BoundHttp
from connectors.errors import (
    AuthenticationError,
    BadResponseError,
    BusinessError,
    ConfigurationError,
    register_secret,
)

__all__ = [
    "OAuth2ClientCredentials",
    "OAuth2Grant",
    "OAuth2PasswordGrant",
    "VendorHttpSession",
    "VendorOAuth2Client",
]


class VendorHttpSession:
    """The one thing authlib's `OAuth2Client` asks of its session: ``post`` a token request."""

    def __init__(self, http: BoundHttp) -> None:
        self.http = http

    def post(
        self,
        url: str,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: requests.auth.AuthBase | None = None,
        **_: Any,
    ) -> requests.Response:
        return self.http.send(
            "POST", url, data=dict(data or {}), headers=headers, auth=auth or False,
            idempotent=True, expect="json",
        )  # fmt: skip


class VendorOAuth2Client(OAuth2Client):
    client_auth_class = OAuth2ClientAuth  # a requests AuthBase: authenticates the prepared request


class OAuth2Grant(AuthStrategy):
    """An OAuth2 access token fetched from a token URL, cached until shortly before it expires."""

    grant_type = ""
    client_auth_method = "client_secret_post"

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str | None,
        scope: str | None = None,
        *,
        default_ttl: float = 3600.0,
        skew: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not token_url or not client_id or (client_secret is not None and not client_secret):
            raise ConfigurationError("OAuth2 needs token_url, client_id and client_secret")
        if client_secret:
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
        self.grants: deque[str] = deque(maxlen=64)
        """The ``grant_type`` of the latest token requests, in order (observability and tests)."""
        self._access_token: str | None = None
        self._refresh_token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()

    # -- what subclasses vary ---------------------------------------------------------------------

    def _grant_params(self, token_url: str) -> dict[str, str]:
        """Form fields of the grant besides ``grant_type`` and ``scope``."""
        return {}

    def _client(self, http: BoundHttp, token_url: str) -> OAuth2Client:
        """The authlib client that authenticates this client at `token_url`."""
        return VendorOAuth2Client(
            VendorHttpSession(http),
            client_id=self.client_id,
            client_secret=self._client_secret,
            token_endpoint_auth_method=self.client_auth_method,
            scope=self.scope,
            token_endpoint=token_url,
        )

    # -- the strategy -----------------------------------------------------------------------------

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
        http = self._bound_http()
        url = self.token_url if "://" in self.token_url else http.url_for(self.token_url)
        client = self._client(http, url)
        if self._refresh_token is not None:
            try:
                self._store(self._call(http, url, "refresh_token", lambda: client.refresh_token(
                    url, refresh_token=self._refresh_token)))  # fmt: skip
                return
            except AuthenticationError:
                self._refresh_token = None  # refresh token revoked or expired: fall back to the grant
        params = self._grant_params(url)
        self._store(self._call(http, url, self.grant_type, lambda: client.fetch_token(
            url, grant_type=self.grant_type, **params)))  # fmt: skip

    def _call(
        self, http: BoundHttp, url: str, grant: str, request: Callable[[], Mapping[str, Any]]
    ) -> Mapping[str, Any]:
        endpoint = f"POST {urlsplit(url).path}"
        self.fetch_count += 1
        self.grants.append(grant)
        try:
            return request()
        except (BusinessError, AuthenticationError) as exc:
            raise AuthenticationError(
                f"token request ({grant}) rejected: {exc.reason}",
                vendor=http.vendor,
                endpoint=endpoint,
                status=exc.status,
                code=exc.code,
            ) from None
        except OAuth2Error as exc:  # an error member in a 200 answer
            raise AuthenticationError(
                f"token request ({grant}) rejected: {exc.error}", vendor=http.vendor, endpoint=endpoint
            ) from None
        except ValueError as exc:  # not a JSON object
            raise BadResponseError(f"token answer: {exc}", vendor=http.vendor, endpoint=endpoint) from None

    def _store(self, body: Mapping[str, Any]) -> None:
        http = self._bound_http()
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise BadResponseError(
                "token answer has no access_token", vendor=http.vendor, endpoint=f"POST {self.token_url}"
            )
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
            k: v
            for k, v in body.items()
            if k not in ("access_token", "refresh_token", "id_token", "expires_at")
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}(token_url={self.token_url!r}, client_id={self.client_id!r})"


class OAuth2ClientCredentials(OAuth2Grant):
    """OAuth2 client-credentials grant (Graph, Salesforce, ServiceNow), ``client_secret_post``."""

    grant_type = "client_credentials"

    def __init__(
        self, token_url: str, client_id: str, client_secret: str, scope: str | None = None, **options: Any
    ) -> None:
        super().__init__(token_url, client_id, client_secret or "", scope, **options)


class OAuth2PasswordGrant(OAuth2Grant):
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

    def _grant_params(self, token_url: str) -> dict[str, str]:
        return {"username": self.username, "password": self._password}
