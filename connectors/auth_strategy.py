"""The contract between `VendorHttp` and an auth strategy.

A strategy is a `requests.auth.AuthBase` (so it also works on a bare session) plus two hooks
`VendorHttp` calls around every attempt: `before_send` (acquire or refresh a token, fetch a CSRF
token before a write) and `renew_after` (the vendor said the credentials are stale: renew them
and let `VendorHttp` resend once).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import requests
from requests.auth import AuthBase

from connectors.errors import ConfigurationError

if TYPE_CHECKING:
    from connectors.http import VendorHttp

__all__ = ["SAFE_METHODS", "AuthStrategy"]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods that never change state, hence never need a CSRF token."""


class AuthStrategy(AuthBase):
    """Credentials that `VendorHttp` can prepare before and renew after a request."""

    _http: VendorHttp | None = None

    def bind(self, http: VendorHttp) -> None:
        """Called by `VendorHttp`; gives token-fetching strategies a way to reach the vendor."""
        self._http = http

    def before_send(self, method: str, url: str) -> None:
        """Make sure credentials are ready for a request (no-op for static credentials)."""

    def renew_after(self, response: requests.Response) -> bool:
        """Return True if `response` showed stale credentials and they were renewed (resend once)."""
        return False

    def _bound_http(self) -> VendorHttp:
        if self._http is None:
            raise ConfigurationError(
                f"{type(self).__name__} must be used through VendorHttp (it is not bound)"
            )
        return self._http
