"""Auth strategies the vendor adapters hand to `VendorHttp` — import them all from here.

Static headers (Basic, Bearer, Okta SSWS), NetSuite token-based auth (OAuth 1.0a) and SAP's CSRF
protection live in this module; the OAuth2 grants in `connectors.oauth2` and `connectors.auth_jwt` and the hook contract
(`AuthStrategy`) in `connectors.auth_strategy` are re-exported. Every secret is registered with
`connectors.errors.register_secret` so it can never surface in an error message.
"""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

import requests
from requests.auth import AuthBase, _basic_auth_str
from requests_oauthlib import OAuth1

from connectors.auth_jwt import OAuth2JWTBearer, OAuth2PrivateKeyJWT
from connectors.auth_strategy import SAFE_METHODS, AuthStrategy, BoundHttp
from connectors.errors import (
    AuthenticationError,
    ConfigurationError,
    register_secret,
)
from connectors.oauth2 import OAuth2ClientCredentials, OAuth2PasswordGrant

__all__ = [
    "AuthStrategy",
    "BasicAuth",
    "BearerToken",
    "NetSuiteTBA",
    "OAuth2ClientCredentials",
    "OAuth2JWTBearer",
    "OAuth2PasswordGrant",
    "OAuth2PrivateKeyJWT",
    "OktaSSWS",
    "SapCsrf",
]


class _HeaderAuth(AuthStrategy):
    """A fixed ``Authorization`` header."""

    def __init__(self, scheme: str, credential: str) -> None:
        if not credential:
            raise ConfigurationError(f"{scheme} credential is empty")
        register_secret(credential)
        self._header = f"{scheme} {credential}"

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = self._header
        return r

    def __repr__(self) -> str:
        return f"{type(self).__name__}(***)"


class BasicAuth(_HeaderAuth):
    """HTTP Basic (ServiceNow, SAP, Jira Cloud email + API token)."""

    def __init__(self, username: str, password: str) -> None:
        if not username:
            raise ConfigurationError("basic auth username is empty")
        register_secret(password)
        self.username = username
        super().__init__("Basic", _basic_auth_str(username, password).split(" ", 1)[1])


class BearerToken(_HeaderAuth):
    """A static bearer token (HubSpot private app, Jira DC personal access token)."""

    def __init__(self, token: str) -> None:
        super().__init__("Bearer", token)


class OktaSSWS(_HeaderAuth):
    """Okta API token: ``Authorization: SSWS <token>``."""

    def __init__(self, token: str) -> None:
        super().__init__("SSWS", token)


class NetSuiteTBA(AuthStrategy):
    """NetSuite token-based auth: OAuth 1.0a, HMAC-SHA256, ``realm`` = account id."""

    def __init__(
        self, account: str, consumer_key: str, consumer_secret: str, token_id: str, token_secret: str
    ) -> None:
        if not all((account, consumer_key, consumer_secret, token_id, token_secret)):
            raise ConfigurationError(
                "NetSuite TBA needs account, consumer_key, consumer_secret, token_id and token_secret"
            )
        for secret in (consumer_secret, token_secret):
            register_secret(secret)
        self.account = account
        self.realm = account.upper().replace("-", "_")
        self._oauth = OAuth1(
            client_key=consumer_key,
            client_secret=consumer_secret,
            resource_owner_key=token_id,
            resource_owner_secret=token_secret,
            signature_method="HMAC-SHA256",
            realm=self.realm,
        )

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        signed: requests.PreparedRequest = self._oauth(r)
        return signed

    def __repr__(self) -> str:
        return f"NetSuiteTBA(account={self.account!r})"


class SapCsrf(AuthStrategy):
    """SAP Gateway CSRF protection around another auth.

    Before the first write it GETs the service root with ``X-CSRF-Token: Fetch`` (the session's
    cookie jar keeps the session cookies that bind the token); writes carry the token; a 403 with
    ``x-csrf-token: Required`` means the token expired, so it is fetched again and the write resent
    once (the vendor refused it, so nothing was applied).
    """

    def __init__(self, inner_auth: AuthBase, *, fetch_path: str | None = None) -> None:
        self.inner = inner_auth
        self.fetch_path = fetch_path
        self.token: str | None = None
        self.fetch_count = 0
        self._lock = threading.Lock()

    def bind(self, http: BoundHttp) -> None:
        super().bind(http)
        if isinstance(self.inner, AuthStrategy):
            self.inner.bind(http)

    def before_send(self, method: str, url: str) -> None:
        if isinstance(self.inner, AuthStrategy):
            self.inner.before_send(method, url)
        if method.upper() not in SAFE_METHODS:
            with self._lock:
                if self.token is None:
                    self._fetch(url)

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r = self.inner(r)
        if (r.method or "GET").upper() not in SAFE_METHODS and self.token:
            r.headers["X-CSRF-Token"] = self.token
        return r

    def renew_after(self, response: requests.Response) -> bool:
        if isinstance(self.inner, AuthStrategy) and self.inner.renew_after(response):
            self.token = None  # a new login session needs a new token
            return True
        required = response.headers.get("x-csrf-token", "").lower() == "required"
        if response.status_code == 403 and required:
            self.token = None
            return True
        return False

    def _fetch(self, url: str) -> None:
        http = self._bound_http()
        path = self.fetch_path or service_root(urlsplit(url).path)
        response = http.send(
            "GET",
            http.url_for(path),
            headers={"X-CSRF-Token": "Fetch"},
            auth=self.inner,
            expect="any",
            idempotent=True,
        )
        self.fetch_count += 1
        token = response.headers.get("x-csrf-token", "")
        if not token or token.lower() == "required":
            raise AuthenticationError(
                "SAP did not issue a CSRF token", vendor=http.vendor, endpoint=f"GET {path}", status=403
            )
        register_secret(token)
        self.token = token


def service_root(path: str) -> str:
    """The OData service root of an SAP path (``/sap/opu/odata/sap/<SERVICE>/``), used for CSRF fetches."""
    segments = [s for s in path.split("/") if s]
    for index, segment in enumerate(segments):
        if segment.upper().endswith("_SRV") or (index >= 4 and segments[:3] == ["sap", "opu", "odata"]):
            return "/" + "/".join(segments[: index + 1]) + "/"
    return "/" + "/".join(segments[:-1]) + "/" if len(segments) > 1 else "/"
