"""One exception tree for the connectors layer, sorted by what the caller does next.

    ConnectorLayerError           root of everything the connectors layer raises
    ├── LiveCallBlocked           (connectors.live; also RuntimeError) the live-call switch is on
    ├── WriteNotPermittedError    (connectors.readonly; also AttributeError) a write on a read-only view
    ├── UnclassifiedMethodError   (connectors.readonly; also TypeError) a Protocol member nobody classified
    ├── TradeDocumentError        (connectors.erp.trade_documents; also ValueError) unreadable trade file
    └── ConnectorError            a call to a vendor system failed:
        ├── ConfigurationError        fix the config (bad base URL, missing credential key, unknown adapter)
        ├── AuthenticationError       fatal: credentials rejected (401/403 auth)
        ├── BusinessError             the system said no; a business outcome, not a fault
        │   ├── NotFoundError         (404)
        │   ├── ConflictError         (409, duplicate, stale version)
        │   │   └── AmbiguousUserError  (connectors.directory.errors) several users match
        │   └── RejectedError         (400/422 validation, business rule)
        ├── RetriableError            try again later
        │   ├── RateLimitedError      (429; .retry_after seconds)
        │   ├── ServerError           (5xx)
        │   └── TransportError        (timeout, connection refused/dropped before anything was sent)
        ├── OutcomeUnknownError       a write may or may not have happened (timeout or drop after sending,
        │                              5xx on a non-idempotent request); the executor reconciles
        └── BadResponseError          HTML instead of JSON, truncated body, wrong content type, 200 with an
                                       error envelope

`BadWriteResponseError` is both a `BadResponseError` and an `OutcomeUnknownError`: an unreadable
answer to a non-idempotent write leaves its outcome unknown, so the executor must reconcile.

Every error carries ``.vendor``, ``.endpoint`` ("METHOD /path", never the query string) and
``.status`` (int or None), and its message names them. Messages pass through `redact` so that a
secret which slipped into a vendor's error text (or a caller's message) never reaches a log line.
"""

from __future__ import annotations

import re
import threading

__all__ = [
    "AuthenticationError",
    "BadResponseError",
    "BadWriteResponseError",
    "BusinessError",
    "ConfigurationError",
    "ConflictError",
    "ConnectorError",
    "ConnectorLayerError",
    "NotFoundError",
    "OutcomeUnknownError",
    "RateLimitedError",
    "RejectedError",
    "RetriableError",
    "ServerError",
    "TransportError",
    "redact",
    "register_secret",
    "status_to_error",
]

_REDACTED = "[redacted]"
_MIN_SECRET_LENGTH = 8
"""Shorter values are not remembered: redacting 'admin' everywhere would garble messages, and the
credential-shaped patterns below still catch them in ``password=...`` form."""
_known_secrets: set[str] = set()
_secrets_lock = threading.Lock()

# Shapes in which credentials travel: headers, form/query pairs and JSON members.
_SECRET_PATTERNS = (
    re.compile(r"(?i)(authorization|proxy-authorization|cookie|x-csrf-token)(\s*[:=]\s*)([^\r\n,;]+)"),
    re.compile(
        r"(?i)(\"?(?:password|passwd|client_secret|consumer_secret|token_secret|access_token|"
        r"refresh_token|api_token|api_key|apikey|session_id|oauth_signature)\"?)"
        r"(\s*[:=]\s*)(\"[^\"]*\"|'[^']*'|[^\s&,;}\]]+)"
    ),
    re.compile(r"(?i)\b(bearer|basic|ssws|oauth)(\s+)([A-Za-z0-9._~+/=\-]{6,})"),
)


def register_secret(value: str | None) -> None:
    """Remember a credential value so that `redact` removes it wherever it appears verbatim."""
    if value and len(value) >= _MIN_SECRET_LENGTH:
        with _secrets_lock:
            _known_secrets.add(value)


def redact(text: str) -> str:
    """Remove registered secrets and credential-shaped fragments from `text`."""
    with _secrets_lock:
        secrets = sorted(_known_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, _REDACTED)
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}{_REDACTED}", text)
    return text


class ConnectorLayerError(Exception):
    """Root of every error the connectors layer defines: vendor failures and the layer's own guards."""


class ConnectorError(ConnectorLayerError):
    """Root of every vendor-call error; names the vendor, the endpoint and the HTTP status."""

    def __init__(
        self,
        message: str,
        *,
        vendor: str = "unknown",
        endpoint: str | None = None,
        status: int | None = None,
        code: str | None = None,
    ) -> None:
        self.vendor = vendor
        """Connection or vendor name, e.g. ``servicenow``."""
        self.endpoint = endpoint
        """``METHOD /path`` of the call that failed (no query string), or None."""
        self.status = status
        """HTTP status when the vendor answered, else None."""
        self.code = code
        """The vendor's own error code (``E0000007``, ``INVALID_FIELD``...) when it gave one."""
        self.reason = redact(message)
        """The problem in the vendor's or caller's words, secrets removed."""
        super().__init__(self._compose())

    def _compose(self) -> str:
        where = self.vendor if not self.endpoint else f"{self.vendor} {self.endpoint}"
        extras = [f"HTTP {self.status}"] if self.status is not None else []
        if self.code:
            extras.append(f"code {self.code}")
        suffix = f" ({', '.join(extras)})" if extras else ""
        return f"{where}: {self.reason}{suffix}"


class ConfigurationError(ConnectorError):
    """The connection is configured wrongly; retrying will not help, fixing the config will."""


class AuthenticationError(ConnectorError):
    """The vendor rejected the credentials or their permissions; fatal for this identity."""


class BusinessError(ConnectorError):
    """The system answered and said no: a business outcome to record, not a fault to retry."""


class NotFoundError(BusinessError):
    """The record, path or object does not exist."""


class ConflictError(BusinessError):
    """Duplicate, stale version or concurrent change."""

    @classmethod
    def from_rejection(cls, rejected: ConnectorError) -> ConflictError:
        """The vendor refused a write as a duplicate: the same refusal, as the conflict it is."""
        return cls(
            rejected.reason,
            vendor=rejected.vendor,
            endpoint=rejected.endpoint,
            status=rejected.status,
            code=rejected.code,
        )


class RejectedError(BusinessError):
    """Validation or a business rule refused the request."""


class RetriableError(ConnectorError):
    """A transient condition; the same request may succeed later."""


class RateLimitedError(RetriableError):
    """The vendor throttled the caller; ``retry_after`` says how long it asked us to wait."""

    def __init__(
        self,
        message: str,
        *,
        vendor: str = "unknown",
        endpoint: str | None = None,
        status: int | None = 429,
        code: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        """Seconds the vendor asked us to wait, when it said."""
        super().__init__(message, vendor=vendor, endpoint=endpoint, status=status, code=code)


class ServerError(RetriableError):
    """The vendor failed (5xx) on a request that is safe to repeat."""


class TransportError(RetriableError):
    """The network failed before the vendor could have acted (refused, connect timeout, idempotent drop)."""


class OutcomeUnknownError(ConnectorError):
    """A write was sent and we cannot tell whether it took effect; reconcile before sending again."""


class BadResponseError(ConnectorError):
    """The vendor answered with something that is not a usable response."""


class BadWriteResponseError(BadResponseError, OutcomeUnknownError):
    """A write got an answer we cannot read; whether it was applied is unknown until reconciled."""


def status_to_error(
    status: int,
    *,
    vendor: str,
    endpoint: str,
    message: str,
    code: str | None = None,
    idempotent: bool = True,
    retry_after: float | None = None,
) -> ConnectorError:
    """Map an HTTP error status to the error class that tells the caller what to do next.

    A 5xx on a non-idempotent request becomes `OutcomeUnknownError`: the vendor may have
    committed the write before failing, so only a reconcile can say.
    """

    def make(cls: type[ConnectorError], text: str = message) -> ConnectorError:
        return cls(text, vendor=vendor, endpoint=endpoint, status=status, code=code)

    if status in (401, 403, 407):
        return make(AuthenticationError)
    if status in (404, 410):
        return make(NotFoundError)
    if status in (409, 412, 428):
        return make(ConflictError)
    if status == 429:
        return RateLimitedError(
            message, vendor=vendor, endpoint=endpoint, status=status, code=code, retry_after=retry_after
        )
    if 400 <= status < 500:
        return make(RejectedError)
    if 500 <= status < 600:
        if idempotent:
            return make(ServerError)
        return make(OutcomeUnknownError, f"{message}; the write may or may not have been applied")
    return make(BadResponseError, f"unexpected status: {message}")
