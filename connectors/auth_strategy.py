"""The contract between `VendorHttp` and an auth strategy.

A strategy is a `requests.auth.AuthBase` (so it also works on a bare session) plus two hooks
`VendorHttp` calls around every attempt: `before_send` (acquire or refresh a token, fetch a CSRF
token before a write) and `renew_after` (the vendor said the credentials are stale: renew them
and let `VendorHttp` resend once).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, Literal, Protocol

import requests
from requests.auth import AuthBase

from connectors.errors import ConfigurationError
from connectors.response_checks import Expect

__all__ = ["SAFE_METHODS", "AuthStrategy", "BoundHttp"]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods that never change state, hence never need a CSRF token."""


class BoundHttp(Protocol):
    """What a strategy may use of the `VendorHttp` it is bound to (token and CSRF calls)."""

    vendor: str

    def url_for(self, path: str) -> str: ...

    def send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        expect: Expect = "json",
        ok_status: Collection[int] | None = None,
        auth: AuthBase | Literal[False] | None = None,
    ) -> requests.Response: ...


class AuthStrategy(AuthBase):
    """Credentials that `VendorHttp` can prepare before and renew after a request."""

    _http: BoundHttp | None = None

    def bind(self, http: BoundHttp) -> None:
        """Called by `VendorHttp`; gives token-fetching strategies a way to reach the vendor."""
        self._http = http

    def before_send(self, method: str, url: str) -> None:
        """Make sure credentials are ready for a request (no-op for static credentials)."""

    def renew_after(self, response: requests.Response) -> bool:
        """Return True if `response` showed stale credentials and they were renewed (resend once)."""
        return False

    def _bound_http(self) -> BoundHttp:
        if self._http is None:
            raise ConfigurationError(
                f"{type(self).__name__} must be used through VendorHttp (it is not bound)"
            )
        return self._http
