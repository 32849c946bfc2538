"""When to try a request again: the retry policy, throttling waits and transport-failure triage.

urllib3's `Retry` does the policy math (attempt counting, backoff, ``Retry-After`` parsing,
which statuses are worth repeating); this module adds what it cannot know: each vendor's
rate-limit headers, and whether a failed request could have reached the vendor at all — the line
between "safe to repeat" and "outcome unknown" for a write.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests
from urllib3.exceptions import InvalidHeader, MaxRetryError, NameResolutionError, NewConnectionError
from urllib3.util.retry import Retry

from connectors.errors import ConfigurationError, ConnectorError, OutcomeUnknownError, TransportError

__all__ = ["RetryPolicy", "classify_transport_failure", "never_sent", "retry_after_seconds"]

logger = logging.getLogger("opspack.connectors.http")


@dataclass(frozen=True)
class RetryPolicy:
    """How idempotent requests are retried; turned into a urllib3 `Retry` per request."""

    total: int = 3
    """Retries after the first attempt (0 disables retrying)."""
    backoff_factor: float = 0.5
    """urllib3 backoff: the n-th consecutive retry waits ``factor * 2**(n-1)`` (the first is immediate)."""
    backoff_max: float = 30.0
    """Longest backoff wait between attempts, in seconds."""
    retry_statuses: frozenset[int] = frozenset({429, 500, 502, 503, 504})
    """Statuses that make an idempotent request worth repeating."""
    max_retry_after: float = 60.0
    """Longest rate-limit wait honoured; a vendor asking for more gets `RateLimitedError` at once."""
    retry_transport_errors: bool = True
    """Retry after timeouts and dropped connections (idempotent requests) and refused connections (all)."""

    def start(self) -> Retry:
        return Retry(
            total=self.total,
            allowed_methods=None,
            status_forcelist=self.retry_statuses,
            backoff_factor=self.backoff_factor,
            backoff_max=self.backoff_max,
            raise_on_status=False,
            respect_retry_after_header=True,
        )


def retry_after_seconds(
    response: requests.Response, retry: Retry, *, clock: Callable[[], float] = time.time
) -> float | None:
    """Seconds a throttled (429/503) response asks us to wait, from whichever header the vendor uses.

    ``Retry-After`` (seconds or HTTP date, parsed by urllib3) wins; then ``X-Rate-Limit-Reset`` /
    ``X-RateLimit-Reset`` (epoch seconds, or a delta when small); then, for a 429, HubSpot's
    ``X-HubSpot-RateLimit-Interval-Milliseconds`` (the window that must pass).
    """
    if response.status_code not in (429, 503):
        return None
    headers = response.headers
    value = headers.get("Retry-After")
    if value:
        try:
            return float(retry.parse_retry_after(value))
        except InvalidHeader:
            logger.debug("ignoring unparseable Retry-After header")
    reset = headers.get("X-Rate-Limit-Reset") or headers.get("X-RateLimit-Reset")
    if reset:
        try:
            moment = float(reset)
        except ValueError:
            moment = None
        if moment is not None:
            return max(0.0, moment - clock()) if moment > 1e9 else max(0.0, moment)
    interval = headers.get("X-HubSpot-RateLimit-Interval-Milliseconds")
    if response.status_code == 429 and interval:
        try:
            return max(0.0, float(interval) / 1000.0)
        except ValueError:
            return None
    return None


def never_sent(exc: BaseException) -> bool:
    """True when the failure happened while connecting (refused, DNS), before any byte left."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, NewConnectionError | NameResolutionError | ConnectionRefusedError):
            return True
        if isinstance(current, MaxRetryError):
            stack.append(current.reason)
        stack.extend(arg for arg in current.args if isinstance(arg, BaseException))
        stack.extend([current.__cause__, current.__context__])
    return False


def classify_transport_failure(
    exc: requests.RequestException, *, vendor: str, endpoint: str, idempotent: bool
) -> ConnectorError:
    """The error a network failure means: `TransportError` only when repeating it is safe."""
    kind = type(exc).__name__
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.InvalidSchema):
        return ConfigurationError(f"invalid request URL ({kind})", vendor=vendor, endpoint=endpoint)
    if isinstance(exc, requests.exceptions.SSLError):
        return ConfigurationError(
            f"TLS handshake failed ({kind}); check the certificate setup", vendor=vendor, endpoint=endpoint
        )
    if isinstance(exc, requests.exceptions.ConnectTimeout) or never_sent(exc):
        return TransportError(
            f"could not connect ({kind}); nothing was sent", vendor=vendor, endpoint=endpoint
        )
    if idempotent:
        return TransportError(
            f"connection failed after sending ({kind}); safe to repeat", vendor=vendor, endpoint=endpoint
        )
    return OutcomeUnknownError(
        f"connection failed after the write was sent ({kind}); it may or may not have been applied",
        vendor=vendor,
        endpoint=endpoint,
    )
