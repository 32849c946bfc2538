"""OAuth2 access tokens fetched from a token URL: client credentials and password grants.

Clients authenticate with a client secret (``client_secret_post``) or, with
`OAuth2PrivateKeyJWT`, with a signed client assertion (RFC 7523 ``private_key_jwt``: Okta service
apps, Microsoft Entra certificate credentials), signed by authlib.

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

__all__ = ["CLIENT_ASSERTION_TYPE", "OAuth2ClientCredentials", "OAuth2PasswordGrant", "OAuth2PrivateKeyJWT"]

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class _OAuth2Grant(AuthStrategy):
    """An OAuth2 access token fetched from a token URL, cached until shortly before it expires."""

    grant_type = ""

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
        self._access_token: str | None = None
        self._refresh_token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()

    def _grant_params(self) -> dict[str, str]:
        return {"grant_type": self.grant_type}

    def _client_auth(self, token_url: str) -> dict[str, str]:
        """Form fields that authenticate the client (``client_secret_post`` here)."""
        return {"client_id": self.client_id, "client_secret": self._client_secret or ""}

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
        url = self.token_url if "://" in self.token_url else http.url_for(self.token_url)
        form = {**grant, **self._client_auth(url)}
        if self.scope:
            form["scope"] = self.scope
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

    def __init__(
        self, token_url: str, client_id: str, client_secret: str, scope: str | None = None, **options: Any
    ) -> None:
        super().__init__(token_url, client_id, client_secret or "", scope, **options)


class OAuth2PrivateKeyJWT(_OAuth2Grant):
    """Client credentials with a ``private_key_jwt`` client assertion instead of a secret.

    Each token request carries a fresh JWT (``iss`` = ``sub`` = client id, ``aud`` = the token URL,
    a random ``jti``, five minutes of validity) signed with the app's private key (PEM; RSA or EC).
    `key_id` goes into the ``kid`` header (Okta matches it against the app's JWKS);
    `certificate` (PEM) adds the ``x5t`` SHA-1 thumbprint Microsoft Entra uses to find the key.
    """

    grant_type = "client_credentials"
    assertion_lifetime = 300

    def __init__(
        self,
        token_url: str,
        client_id: str,
        private_key: str,
        scope: str | None = None,
        *,
        key_id: str | None = None,
        certificate: str | None = None,
        algorithm: str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(token_url, client_id, None, scope, **options)
        self._private_key, algorithm_of_key = _load_private_key(private_key)
        register_secret(private_key.strip())
        self.algorithm = algorithm or algorithm_of_key
        self.header: dict[str, str] = {"typ": "JWT"}
        if key_id:
            self.header["kid"] = key_id
        if certificate:
            self.header["x5t"] = certificate_thumbprint(certificate)

    def _client_auth(self, token_url: str) -> dict[str, str]:
        from authlib.oauth2.rfc7523 import private_key_jwt_sign

        assertion = private_key_jwt_sign(
            self._private_key,
            self.client_id,
            token_url,
            alg=self.algorithm,
            header=dict(self.header),
            expires_in=self.assertion_lifetime,
        )
        text = assertion.decode() if isinstance(assertion, bytes) else str(assertion)
        return {"client_id": self.client_id, "client_assertion_type": CLIENT_ASSERTION_TYPE,
                "client_assertion": text}  # fmt: skip


def _load_private_key(pem: str) -> tuple[Any, str]:
    """The PEM as a signing key (joserfc, which authlib signs with) and its default JWS algorithm."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key
    from joserfc.jwk import ECKey, RSAKey

    try:
        key = load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(
            f"private_key is not an unencrypted PEM private key ({type(exc).__name__})"
        ) from None
    if isinstance(key, rsa.RSAPrivateKey):
        return RSAKey.import_key(pem), "RS256"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return ECKey.import_key(pem), "ES256"
    raise ConfigurationError("private_key must be an RSA or EC key")


def certificate_thumbprint(certificate_pem: str) -> str:
    """The base64url SHA-1 thumbprint of a PEM certificate (JWS ``x5t``)."""
    import base64
    import hashlib

    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    try:
        cert = x509.load_pem_x509_certificate(certificate_pem.encode())
    except ValueError:
        raise ConfigurationError("certificate is not a PEM X.509 certificate") from None
    digest = hashlib.sha1(cert.public_bytes(Encoding.DER), usedforsecurity=False).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


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
