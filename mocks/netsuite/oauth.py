"""OAuth 1.0a token-based authentication as the NetSuite mock checks it.

NetSuite TBA requests carry ``Authorization: OAuth realm="<ACCOUNT>", oauth_consumer_key,
oauth_token, oauth_signature_method="HMAC-SHA256", oauth_timestamp, oauth_nonce, oauth_version,
oauth_signature``. The mock checks the realm against its account id, insists on HMAC-SHA256,
recomputes the signature with oauthlib's server-side `SignatureOnlyEndpoint` (consumer secret +
token secret), requires the token to belong to the consumer and refuses a reused nonce.

The signature covers the URL the client used, which the in-process transport does not pass on:
the mock tries the ``Host`` header (plain and ``/_mock/netsuite``-prefixed) and the account's
own REST host, and accepts the request if one of them verifies.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from oauthlib.oauth1 import RequestValidator, SignatureOnlyEndpoint

from mocks.base import MockRequest

_PARAM = re.compile(r'(\w+)="([^"]*)"')
SIGNATURE_METHOD = "HMAC-SHA256"
_NONCE_WINDOW = 600
_NONCE_PRUNE_AT = 10_000


class _Validator(RequestValidator):
    def __init__(self, consumers: dict[str, str], tokens: dict[str, tuple[str, str]]) -> None:
        super().__init__()
        self.consumers = consumers
        self.tokens = tokens

    enforce_ssl = False
    allowed_signature_methods = (SIGNATURE_METHOD,)
    dummy_client = "dummy-client"
    dummy_access_token = "dummy-token"

    def check_client_key(self, client_key: str) -> bool:
        return bool(client_key)

    def check_access_token(self, request_token: str) -> bool:
        return bool(request_token)

    def check_nonce(self, nonce: str) -> bool:
        return bool(nonce)

    def validate_timestamp_and_nonce(self, *args: Any, **kwargs: Any) -> bool:
        return True  # replay is checked once the signature holds (several URLs may be tried)

    def validate_client_key(self, client_key: str, request: Any) -> bool:
        return client_key in self.consumers

    def get_client_secret(self, client_key: str, request: Any) -> str:
        return self.consumers.get(client_key, "dummy-secret")

    def get_access_token_secret(self, client_key: str, token: str, request: Any) -> str:
        owner, secret = self.tokens.get(token, ("", "dummy-token-secret"))
        return secret if owner == client_key else "dummy-token-secret"


class TokenBasedAuth:
    """Verifies NetSuite TBA headers for one account."""

    def __init__(
        self,
        account: str,
        consumers: dict[str, str],
        tokens: dict[str, tuple[str, str]],
        origins: Iterable[str],
    ) -> None:
        self.realm = account.upper().replace("-", "_")
        self.consumers = consumers
        self.tokens = tokens
        """token id -> (consumer key, token secret)."""
        self.origins = list(origins)
        self._endpoint = SignatureOnlyEndpoint(_Validator(consumers, tokens))
        self._nonces: dict[tuple[str, str], int] = {}
        """(consumer key, nonce) -> timestamp, kept for the 10-minute window oauthlib accepts."""
        self._lock = threading.Lock()

    @staticmethod
    def token_of(request: MockRequest) -> str:
        """The ``oauth_token`` a request was signed with (empty when there is none)."""
        return dict(_PARAM.findall(request.headers.get("Authorization", ""))).get("oauth_token", "")

    def problem(self, request: MockRequest, prefix: str) -> str | None:
        """None when the request is properly signed, else why not (for the 401 detail)."""
        header = request.headers.get("Authorization", "")
        if not header.startswith("OAuth "):
            return "missing OAuth Authorization header"
        params = dict(_PARAM.findall(header))
        if params.get("realm") != self.realm:
            return f"realm {params.get('realm')!r} does not match account {self.realm}"
        if params.get("oauth_signature_method") != SIGNATURE_METHOD:
            return f"signature method must be {SIGNATURE_METHOD}"
        token = params.get("oauth_token", "")
        if self.tokens.get(token, ("",))[0] != params.get("oauth_consumer_key"):
            return "unknown or revoked token"
        query = urlencode([(k, v) for k in request.query for v in request.query.getlist(k)])
        suffix = request.path + (f"?{query}" if query else "")
        content_type = request.headers.get("Content-Type", "")
        body = request.text if "application/x-www-form-urlencoded" in content_type else None
        for origin in self._candidates(request, prefix):
            valid, _ = self._endpoint.validate_request(
                origin + suffix, request.method, body, {"Authorization": header}
            )
            if valid:
                return self._spend_nonce(params)
        return "signature does not verify"

    def _spend_nonce(self, params: dict[str, str]) -> str | None:
        key = (params.get("oauth_consumer_key", ""), params.get("oauth_nonce", ""))
        stamp = int(params.get("oauth_timestamp", "0"))
        with self._lock:
            if key in self._nonces:
                return "nonce already used"
            if len(self._nonces) > _NONCE_PRUNE_AT:
                oldest = stamp - _NONCE_WINDOW
                self._nonces = {k: t for k, t in self._nonces.items() if t >= oldest}
            self._nonces[key] = stamp
        return None

    def _candidates(self, request: MockRequest, prefix: str) -> list[str]:
        found = []
        host = request.headers.get("Host")
        if host:
            for scheme in ("http", "https"):
                found += [f"{scheme}://{host}", f"{scheme}://{host}{prefix}"]
        return found + self.origins
