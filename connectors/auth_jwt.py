"""OAuth2 grants whose client proves itself with a signed JWT (RFC 7523), signed by authlib.

- `OAuth2PrivateKeyJWT`: client credentials with a ``private_key_jwt`` client assertion instead of a
  secret (Okta service apps, which only get ``okta.*`` scopes this way; Microsoft Entra certificate
  credentials).
- `OAuth2JWTBearer`: the JWT-bearer grant itself (Salesforce's server-to-server flow for a connected
  app with a certificate: ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`` and an
  ``assertion`` whose ``iss`` is the consumer key, ``sub`` the user, ``aud`` the login host).
"""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING, Any

from authlib.oauth2.rfc7523 import JWTBearerGrant, PrivateKeyJWT

from connectors.auth_strategy import BoundHttp
from connectors.errors import ConfigurationError, register_secret
from connectors.oauth2 import OAuth2Grant, VendorHttpSession, VendorOAuth2Client

if TYPE_CHECKING:
    from authlib.oauth2.client import OAuth2Client

__all__ = [
    "CLIENT_ASSERTION_TYPE",
    "JWT_BEARER_GRANT_TYPE",
    "OAuth2JWTBearer",
    "OAuth2PrivateKeyJWT",
    "certificate_thumbprint",
]

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
JWT_BEARER_GRANT_TYPE = JWTBearerGrant.GRANT_TYPE


class _ShortLivedPrivateKeyJWT(PrivateKeyJWT):
    """authlib's ``private_key_jwt`` client auth with a given assertion lifetime and algorithm."""

    def __init__(self, lifetime: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lifetime = lifetime

    def sign(self, auth: Any, token_endpoint: str) -> Any:
        from authlib.oauth2.rfc7523 import private_key_jwt_sign

        return private_key_jwt_sign(
            auth.client_secret, client_id=auth.client_id, token_endpoint=token_endpoint,
            header=dict(self.headers or {}), alg=self.alg, expires_in=self.lifetime,
        )  # fmt: skip


class OAuth2PrivateKeyJWT(OAuth2Grant):
    """Client credentials with a ``private_key_jwt`` client assertion instead of a secret.

    Each token request carries a fresh JWT (``iss`` = ``sub`` = client id, ``aud`` = the token URL,
    a random ``jti``, five minutes of validity) signed with the app's private key (PEM; RSA or EC).
    `key_id` goes into the ``kid`` header (Okta matches it against the app's JWKS);
    `certificate` (PEM) adds the ``x5t`` SHA-1 thumbprint Microsoft Entra uses to find the key.
    """

    grant_type = "client_credentials"
    client_auth_method = "private_key_jwt"
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
        self._private_key, algorithm_of_key = load_private_key(private_key)
        register_secret(private_key.strip())
        self.algorithm = algorithm or algorithm_of_key
        self.header: dict[str, str] = {"typ": "JWT"}
        if key_id:
            self.header["kid"] = key_id
        if certificate:
            self.header["x5t"] = certificate_thumbprint(certificate)

    def _grant_params(self, token_url: str) -> dict[str, str]:
        return {"client_id": self.client_id}  # optional in RFC 7523, expected by Okta and Entra

    def _client(self, http: BoundHttp, token_url: str) -> OAuth2Client:
        client = VendorOAuth2Client(
            VendorHttpSession(http),
            client_id=self.client_id,
            client_secret=self._private_key,
            token_endpoint_auth_method=self.client_auth_method,
            scope=self.scope,
            token_endpoint=token_url,
        )
        client.register_client_auth_method(
            _ShortLivedPrivateKeyJWT(
                self.assertion_lifetime, token_endpoint=token_url, headers=self.header, alg=self.algorithm
            )
        )
        return client


class OAuth2JWTBearer(OAuth2Grant):
    """The RFC 7523 JWT-bearer grant: a signed assertion *is* the grant (Salesforce server-to-server).

    The assertion carries ``iss`` = the connected app's consumer key (`client_id`), ``sub`` = the
    user the integration acts as, ``aud`` = `audience` (``https://login.salesforce.com``,
    ``https://test.salesforce.com`` for sandboxes, or the Experience Cloud site URL) and three minutes
    of validity, signed RS256 with the key whose certificate is uploaded to the app. No client secret
    is sent and no refresh token comes back: a new assertion is signed whenever the token expires.
    """

    grant_type = JWT_BEARER_GRANT_TYPE
    client_auth_method = "none"
    assertion_lifetime = 180

    def __init__(
        self,
        token_url: str,
        client_id: str,
        private_key: str,
        subject: str,
        audience: str,
        scope: str | None = None,
        *,
        algorithm: str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(token_url, client_id, None, scope, **options)
        if not subject or not audience:
            raise ConfigurationError("the JWT-bearer grant needs the subject (user) and the audience")
        self._private_key, algorithm_of_key = load_private_key(private_key)
        register_secret(private_key.strip())
        self.algorithm = algorithm or algorithm_of_key
        self.subject = subject
        self.audience = audience

    def _grant_params(self, token_url: str) -> dict[str, str]:
        assertion = JWTBearerGrant.sign(
            self._private_key, issuer=self.client_id, audience=self.audience, subject=self.subject,
            header={"alg": self.algorithm}, expires_in=self.assertion_lifetime,
        )  # fmt: skip
        text = assertion.decode() if isinstance(assertion, bytes) else str(assertion)
        register_secret(text)
        return {"assertion": text}

    def _client(self, http: BoundHttp, token_url: str) -> OAuth2Client:
        return VendorOAuth2Client(
            VendorHttpSession(http), client_id=None, token_endpoint_auth_method="none",
            scope=self.scope, token_endpoint=token_url,
        )  # fmt: skip


def load_private_key(pem: str) -> tuple[Any, str]:
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
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    try:
        cert = x509.load_pem_x509_certificate(certificate_pem.encode())
    except ValueError:
        raise ConfigurationError("certificate is not a PEM X.509 certificate") from None
    digest = hashlib.sha1(cert.public_bytes(Encoding.DER), usedforsecurity=False).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")
