"""The one HTTP exit point every vendor adapter goes through.

`VendorHttp` wraps a caller-supplied `requests.Session` (the transport seam: mount a mock's
adapter on it) and adds what every vendor needs once: the live-call switch, timeouts, retries
with backoff for idempotent requests (urllib3 `Retry` does the policy math), rate-limit waits,
auth renewal, bad-response detection and the mapping of statuses onto `connectors.errors`.

Writes that are not idempotent are never re-sent automatically: when their outcome is uncertain
(read timeout, connection dropped after sending, 5xx) the caller gets `OutcomeUnknownError` and
the executor reconciles by business key. Only failures that prove nothing was sent (connection
refused, connect timeout, a throttling 429 for idempotent calls) are retried.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import requests
from requests.auth import AuthBase
from urllib3.exceptions import MaxRetryError
from urllib3.response import HTTPResponse
from urllib3.util.retry import Retry

from connectors.auth_strategy import AuthStrategy
from connectors.errors import (
    BadResponseError,
    BadWriteResponseError,
    ConfigurationError,
    ConnectorError,
    TransportError,
    status_to_error,
)
from connectors.live import ensure_live_allowed
from connectors.response_checks import ErrorParser, Expect, describe_error, find_body_problem
from connectors.retrying import RetryPolicy, classify_transport_failure, retry_after_seconds

__all__ = [
    "IDEMPOTENT_METHODS",
    "ErrorParser",
    "Expect",
    "RetryPolicy",
    "VendorHttp",
    "join_url",
    "retry_after_seconds",
]

logger = logging.getLogger("opspack.connectors.http")

EnvelopeCheck = Callable[[Any], "str | None"]
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass
class _Attempt:
    """Bookkeeping for one logical request across its retries."""

    method: str
    url: str
    endpoint: str
    idempotent: bool
    retry: Retry
    renewed: bool = False
    attempts: int = field(default=0)


class VendorHttp:
    """Shared HTTP behaviour for one vendor connection; see the module docstring."""

    def __init__(
        self,
        vendor: str,
        base_url: str,
        *,
        session: requests.Session | None = None,
        auth: AuthBase | None = None,
        error_parser: ErrorParser | None = None,
        timeout: tuple[float, float] | float = (5, 30),
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        envelope_error: EnvelopeCheck | None = None,
        headers: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(f"base URL {base_url!r} must be an absolute http(s) URL", vendor=vendor)
        self.vendor = vendor
        self.base_url = base_url.rstrip("/")
        self.session = session if session is not None else requests.Session()
        self.auth = auth
        self.error_parser = error_parser
        self.envelope_error = envelope_error
        self.timeout = timeout
        self.retry = retry if retry is not None else RetryPolicy()
        self.sleep = sleep
        self.clock = clock
        self.headers: dict[str, str] = {"User-Agent": "opspack-connector/0.1", **(headers or {})}
        self._origin = (parts.scheme, parts.netloc.lower())
        if isinstance(auth, AuthStrategy):
            auth.bind(self)

    # -- public API -------------------------------------------------------------------------------

    def url_for(self, path: str) -> str:
        """Absolute URL for `path`; absolute URLs must stay on the base URL's origin."""
        if "://" in path:
            parts = urlsplit(path)
            if (parts.scheme, parts.netloc.lower()) != self._origin:
                raise ConfigurationError(
                    f"refusing to send credentials to {parts.scheme}://{parts.netloc} "
                    f"(connection base URL is {self.base_url})",
                    vendor=self.vendor,
                )
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        expect: Expect = "json",
        ok_status: Collection[int] | None = None,
    ) -> requests.Response:
        """Send one logical request (retrying where safe) and return the checked response."""
        return self.send(
            method,
            self.url_for(path),
            params=params,
            json=json,
            data=data,
            headers=headers,
            idempotent=idempotent,
            expect=expect,
            ok_status=ok_status,
        )

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET `path` and return its decoded JSON body."""
        return self.json_of(self.request("GET", path, params=params))

    def send_json(
        self,
        method: str,
        path: str,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        idempotent: bool = False,
        *,
        headers: Mapping[str, str] | None = None,
        ok_status: Collection[int] | None = None,
    ) -> Any:
        """Send a JSON body; return the decoded JSON answer, or None when the vendor sent no body."""
        response = self.request(
            method,
            path,
            json=json,
            params=params,
            idempotent=idempotent,
            headers=headers,
            ok_status=ok_status,
        )
        return self.json_of(response)

    @staticmethod
    def json_of(response: requests.Response) -> Any:
        """The JSON already decoded by the body check (None for an empty body)."""
        if hasattr(response, "_opspack_json"):
            return response._opspack_json
        return response.json() if response.content else None

    # -- the request loop -------------------------------------------------------------------------

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
    ) -> requests.Response:
        """Like `request` but with an absolute URL; `auth=False` sends without credentials (token calls)."""
        method = method.upper()
        attempt = _Attempt(
            method=method,
            url=url,
            endpoint=f"{method} {urlsplit(url).path or '/'}",
            idempotent=method in IDEMPOTENT_METHODS if idempotent is None else idempotent,
            retry=self.retry.start(),
        )
        ensure_live_allowed(f"{self.vendor} {attempt.endpoint}", url=url)
        use_auth = None if auth is False else (auth or self.auth)
        strategy = use_auth if isinstance(use_auth, AuthStrategy) else None
        merged = dict(self.headers)
        if expect == "json":
            merged.setdefault("Accept", "application/json")
        merged.update(headers or {})
        while True:
            attempt.attempts += 1
            if strategy is not None:
                strategy.before_send(method, url)
            started = time.perf_counter()
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    data=data,
                    headers=merged,
                    auth=use_auth,
                    timeout=self.timeout,
                    # A redirect would turn a POST into a GET behind our back; writes never follow one.
                    allow_redirects=attempt.idempotent,
                )
            except requests.RequestException as exc:
                error = classify_transport_failure(
                    exc, vendor=self.vendor, endpoint=attempt.endpoint, idempotent=attempt.idempotent
                )
                if not isinstance(error, TransportError) or not self.retry.retry_transport_errors:
                    raise error from exc
                self._wait_before_retry(attempt, None, None, error)
                continue
            logger.debug(
                "%s %s -> %s in %.3fs (attempt %d)",
                self.vendor,
                attempt.endpoint,
                response.status_code,
                time.perf_counter() - started,
                attempt.attempts,
            )
            if strategy is not None and not attempt.renewed and strategy.renew_after(response):
                attempt.renewed = True
                continue
            if self._status_ok(response.status_code, ok_status):
                problem, body = find_body_problem(response, expect, self.envelope_error)
                if problem is not None:
                    raise self._bad(response, attempt, problem)
                response._opspack_json = body  # type: ignore[attr-defined]
                return response
            wait = retry_after_seconds(response, attempt.retry, clock=self.clock)
            failure = self._status_error(response, attempt, wait)
            if attempt.idempotent and attempt.retry.is_retry(method, response.status_code, wait is not None):
                if wait is not None and wait > self.retry.max_retry_after:
                    raise failure
                self._wait_before_retry(attempt, response, wait, failure)
                continue
            raise failure

    def _wait_before_retry(
        self,
        attempt: _Attempt,
        response: requests.Response | None,
        retry_after: float | None,
        failure: ConnectorError,
    ) -> None:
        shim = None
        if response is not None:
            shim = HTTPResponse(body=b"", headers=dict(response.headers), status=response.status_code)
        try:
            attempt.retry = attempt.retry.increment(attempt.method, attempt.url, response=shim)
        except MaxRetryError:
            raise failure from None
        wait = retry_after if retry_after is not None else attempt.retry.get_backoff_time()
        logger.info(
            "%s %s: retrying in %.2fs after %s", self.vendor, attempt.endpoint, wait, type(failure).__name__
        )
        if wait > 0:
            self.sleep(wait)

    # -- classification ---------------------------------------------------------------------------

    @staticmethod
    def _status_ok(status: int, ok_status: Collection[int] | None) -> bool:
        return status in ok_status if ok_status is not None else 200 <= status < 300

    def _status_error(
        self, response: requests.Response, attempt: _Attempt, retry_after: float | None
    ) -> ConnectorError:
        message, code = describe_error(response, self.error_parser, self.vendor)
        return status_to_error(
            response.status_code,
            vendor=self.vendor,
            endpoint=attempt.endpoint,
            message=message,
            code=code,
            idempotent=attempt.idempotent,
            retry_after=retry_after,
        )

    def _bad(self, response: requests.Response, attempt: _Attempt, problem: str) -> ConnectorError:
        if not attempt.idempotent:
            # The vendor accepted the write but we cannot read its answer: only a reconcile can tell.
            return BadWriteResponseError(
                f"unreadable answer to a write, it may or may not have been applied: {problem}",
                vendor=self.vendor,
                endpoint=attempt.endpoint,
                status=response.status_code,
            )
        return BadResponseError(
            problem, vendor=self.vendor, endpoint=attempt.endpoint, status=response.status_code
        )


def join_url(base: str, reference: str) -> str:
    """Resolve a vendor-supplied link (absolute, or a path like ``/services/data/...``) against `base`."""
    return urljoin(base + "/", reference)
