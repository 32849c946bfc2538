"""Salesforce's OAuth 2.0 JWT bearer flow on the mock's token endpoint (server-to-server).

A connected app with "Use digital signatures" keeps an uploaded X.509 certificate; the token request
is ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>``, the JWT signed RS256
with the certificate's private key, with ``iss`` = the app's consumer key, ``sub`` = the username,
``aud`` = ``https://login.salesforce.com`` (``https://test.salesforce.com`` for sandboxes, or the
site URL) and an ``exp`` no more than a few minutes away. Refusals are Salesforce's OAuth error
bodies (``invalid_grant`` / ``invalid_client_id`` with its descriptions); no refresh token is issued.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from mocks.errors import MockError

__all__ = ["GRANT_TYPE", "JwtBearerRefused", "verify_jwt_bearer"]

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
AUDIENCES = ("https://login.salesforce.com", "https://test.salesforce.com")
_MAX_LIFETIME = 300  # Salesforce asks for "within 3 minutes"; a little clock skew is tolerated


class JwtBearerRefused(MockError, ValueError):
    """The assertion is refused: `error` and `description` are what Salesforce answers."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description


def verify_jwt_bearer(
    form: Mapping[str, str], app: Mapping[str, Any], *, usernames: Iterable[str], now: float,
    extra_audiences: Iterable[str] = (),
) -> str:  # fmt: skip
    """The username the assertion logs in as, or `JwtBearerRefused`."""
    assertion = form.get("assertion", "")
    try:
        unverified = json.loads(jws.extract_compact(assertion.encode()).payload)
    except (JoseError, ValueError, AttributeError):
        raise JwtBearerRefused("invalid_grant", "invalid assertion") from None
    if not isinstance(unverified, dict) or unverified.get("iss") != app.get("clientId"):
        raise JwtBearerRefused("invalid_client_id", "client identifier invalid")
    certificate = app.get("certificate")
    if not certificate:
        raise JwtBearerRefused("invalid_grant", "invalid assertion")  # no certificate uploaded
    key = RSAKey.import_key(_public_pem(certificate))
    try:
        claims = jwt.decode(assertion, key, algorithms=["RS256"]).claims
    except JoseError:
        raise JwtBearerRefused("invalid_grant", "invalid assertion") from None
    audience = claims.get("aud")
    wanted = {*AUDIENCES, *extra_audiences}
    if not (audience in wanted or (isinstance(audience, list) and wanted & set(audience))):
        raise JwtBearerRefused("invalid_grant", "audience is invalid")
    expires = claims.get("exp")
    if not isinstance(expires, int | float) or expires <= now or expires - now > _MAX_LIFETIME:
        raise JwtBearerRefused("invalid_grant", "expired authorization code")
    subject = claims.get("sub")
    if subject not in set(usernames):
        raise JwtBearerRefused("invalid_grant", "user hasn't approved this consumer")
    return str(subject)


def _public_pem(certificate_pem: str) -> str:
    try:
        cert = x509.load_pem_x509_certificate(certificate_pem.encode())
    except ValueError:
        raise JwtBearerRefused("invalid_grant", "invalid assertion") from None
    return cert.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
