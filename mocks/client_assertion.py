"""Verifying RFC 7523 client assertions (``private_key_jwt``) on the mocks' token endpoints.

Okta service apps keep public JWKs (``settings.oauthClient.jwks.keys``); Entra app registrations
keep certificates (``keyCredentials``) found by the assertion's ``x5t`` thumbprint. Either way the
token request carries ``client_assertion_type`` ``urn:ietf:params:oauth:client-assertion-type:jwt-bearer``
and a ``client_assertion`` JWT signed by one of those keys, with ``iss`` = ``sub`` = the client id,
``aud`` = the token endpoint URL, an ``exp`` in the future (at most an hour away) and a ``jti`` never
seen before. `verify_assertion` raises `AssertionRefused` with the reason; each mock answers it in
its vendor's error body.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from typing import Any

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from mocks.errors import MockError

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]


def compact(assertion: str) -> str:
    """The JWS compact form without base64 padding: MSAL / azure-identity pad their segments with
    ``=``, which Entra accepts and joserfc (strict RFC 7515) does not."""
    return ".".join(segment.rstrip("=") for segment in assertion.split("."))


_MAX_LIFETIME = 3600


class AssertionRefused(MockError, ValueError):
    """The client assertion is not acceptable; the message is what the vendor says."""


def unverified_header(assertion: str) -> dict[str, Any]:
    try:
        return dict(jws.extract_compact(compact(assertion).encode()).headers())
    except (JoseError, ValueError, AttributeError):
        raise AssertionRefused("The client_assertion token is malformed.") from None


def unverified_issuer(assertion: str) -> str:
    try:
        issuer = json.loads(jws.extract_compact(compact(assertion).encode()).payload).get("iss")
    except (JoseError, ValueError, AttributeError):
        raise AssertionRefused("The client_assertion token is malformed.") from None
    if not isinstance(issuer, str) or not issuer:
        raise AssertionRefused("The client_assertion token has no issuer.")
    return issuer


def _b64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _verified_claims(assertion: str, keys: KeySet) -> dict[str, Any]:
    """The claims of a JWS signed by one of `keys` (RFC 7515 form, or with MSAL's padded segments,
    whose signature covers the segments as sent)."""
    try:
        return dict(jwt.decode(assertion, keys, algorithms=_ALGORITHMS).claims)
    except JoseError as exc:
        if "=" not in assertion:
            raise AssertionRefused(f"The client_assertion signature is invalid. ({exc.error})") from None
    try:
        header_b64, payload_b64, signature_b64 = assertion.split(".")
        header, payload, signature = (
            json.loads(_b64(header_b64)),
            json.loads(_b64(payload_b64)),
            _b64(signature_b64),
        )
    except ValueError:
        raise AssertionRefused("The client_assertion token is malformed.") from None
    name = header.get("alg") if isinstance(header, dict) else None
    if name not in _ALGORITHMS or not isinstance(payload, dict):
        raise AssertionRefused(f"The client_assertion algorithm {name!r} is not accepted.")
    algorithm = JWSRegistry.algorithms[str(name)]
    signed = f"{header_b64}.{payload_b64}".encode()
    for key in keys.keys:
        if header.get("kid") not in (None, key.kid):
            continue
        try:
            if algorithm.verify(signed, signature, key):
                return payload
        except (JoseError, ValueError, TypeError, AttributeError):
            continue
    raise AssertionRefused("The client_assertion signature is invalid. (bad_signature)")


def verify_assertion(
    assertion: str, *, client_id: str, audiences: Iterable[str], jwks: list[dict[str, Any]], now: float,
    seen_jti: set[str],
) -> dict[str, Any]:  # fmt: skip
    """The verified claims, or `AssertionRefused` saying why not."""
    if not jwks:
        raise AssertionRefused("The client has no public keys registered for private_key_jwt.")
    claims = _verified_claims(assertion, KeySet.import_key_set({"keys": jwks}))
    if claims.get("iss") != client_id or claims.get("sub") != client_id:
        raise AssertionRefused("The issuer and subject of the client_assertion must be the client_id.")
    audience = claims.get("aud")
    wanted = set(audiences)
    if not (audience in wanted or (isinstance(audience, list) and wanted & set(audience))):
        raise AssertionRefused("The audience of the client_assertion is not the token endpoint.")
    expires = claims.get("exp")
    if not isinstance(expires, int | float) or expires <= now:
        raise AssertionRefused("The client_assertion token is expired.")
    if expires - now > _MAX_LIFETIME:
        raise AssertionRefused("The client_assertion token has an expiration too far in the future.")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti:
        raise AssertionRefused("The client_assertion token must have a jti claim.")
    if jti in seen_jti:
        raise AssertionRefused("The client_assertion token has already been used.")
    seen_jti.add(jti)
    return dict(claims)
