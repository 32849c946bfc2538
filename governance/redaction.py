"""Keep secrets out of every text opspack emits: logs, error lines, ``--json`` output.

Two layers. Every secret value opspack resolves is *registered* here, and `redact` replaces it --
and the encodings it commonly travels in (URL-quoted, JSON-escaped, base64) -- wherever it
appears. Patterns catch what was never registered: ``Authorization`` headers, ``Bearer``/``Basic``
/``SSWS`` tokens, ``password=...`` and ``"client_secret": "..."`` pairs in request dumps.

`install_log_redaction` scrubs every log record at creation time (a record factory, so records from
any logger and any handler added later are covered) and adds `RedactingFilter` to the root
logger's handlers for records created before installation.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote, quote_plus

REDACTED = "[redacted]"
"""The marker, the same as the connector layer's so all output reads alike."""
MIN_SECRET_LENGTH = 4
"""Shorter values are not registered: replacing every ``abc`` in every log line would destroy the
logs while protecting nothing (a three-character secret is not a secret)."""

_SENSITIVE_KEYS = (
    r"password|passwd|pwd|secret|client_secret|consumer_secret|token_secret|api[_-]?key|apikey"
    r"|access_token|refresh_token|id_token|token|private_key|authorization|x-csrf-token|cookie"
)

_TOKEN = r"(?=[A-Za-z0-9\-._~+/]*[0-9=+/._\-])[A-Za-z0-9\-._~+/]{8,}=*"

DEFAULT_PATTERNS: tuple[re.Pattern[str], ...] = (
    # Authorization: Bearer abc / Basic dXNlcjpwdw== / SSWS 00abc (the whole header value)
    re.compile(r"(?i)(?P<keep>\bauthorization[\"']?\s*[:=]\s*[\"']?)[^\r\n'\",}]+"),
    # a token after its scheme word, wherever it appears
    re.compile(r"(?P<keep>\b(?:Bearer|Basic|SSWS|bearer|basic)\s+)" + _TOKEN),
    # "password": "x"  /  'client_secret': 'x'
    re.compile(r"(?i)(?P<keep>[\"'](?:" + _SENSITIVE_KEYS + r")[\"']\s*:\s*[\"'])[^\"']*"),
    # password=x&... in query strings and form bodies; client_secret: x in YAML-ish dumps
    re.compile(r"(?i)(?P<keep>\b(?:" + _SENSITIVE_KEYS + r")\s*[=:]\s*)(?![\"'\s\[{])[^\s&,;)}\]]+"),
    # oauth_signature="..." and oauth_token="..." inside OAuth 1 headers
    re.compile(r"(?i)(?P<keep>\boauth_(?:signature|token)=\"?)[^\",\s]+"),
    # user:password@host in URLs
    re.compile(r"(?P<keep>://[^/\s:@]+:)[^@\s/]+(?P<tail>@)"),
)
"""Each pattern keeps its ``keep`` (and ``tail``) group and hides the rest of the match."""


def _pattern_replacement(match: re.Match[str]) -> str:
    groups = match.groupdict()
    return (groups.get("keep") or "") + REDACTED + (groups.get("tail") or "")


def encodings_of(value: str) -> set[str]:
    """The forms a secret is commonly found in besides itself."""
    forms = {value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]}
    encoded = base64.b64encode(value.encode("utf-8")).decode("ascii")
    forms.add(encoded)
    forms.add(encoded.rstrip("="))
    return {form for form in forms if len(form) >= MIN_SECRET_LENGTH}


class SecretRegistry:
    """The live secret values of this process; thread-safe, values never leave it."""

    def __init__(self, patterns: Iterable[re.Pattern[str]] = DEFAULT_PATTERNS) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._patterns = tuple(patterns)
        self._compiled: re.Pattern[str] | None = None

    def register(self, value: str) -> None:
        """Remember `value` (and its encodings) so `redact` hides it from now on."""
        if not isinstance(value, str) or len(value) < MIN_SECRET_LENGTH:
            return
        with self._lock:
            before = len(self._values)
            self._values.update(encodings_of(value))
            if len(self._values) != before:
                self._compiled = None

    def add_pattern(self, pattern: str | re.Pattern[str]) -> None:
        """A pattern whose whole match (or the part after its first group) is hidden."""
        compiled = re.compile(pattern) if isinstance(pattern, str) else pattern
        with self._lock:
            self._patterns = (*self._patterns, compiled)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._compiled = None

    def __len__(self) -> int:
        return len(self._values)

    def _values_regex(self) -> re.Pattern[str] | None:
        with self._lock:
            if self._compiled is None and self._values:
                ordered = sorted(self._values, key=len, reverse=True)
                self._compiled = re.compile("|".join(re.escape(v) for v in ordered))
            return self._compiled

    def redact(self, text: str) -> str:
        """`text` with every registered secret and every pattern match replaced by ``[redacted]``."""
        if not text:
            return text
        values = self._values_regex()
        if values is not None:
            text = values.sub(REDACTED, text)
        for pattern in self._patterns:
            text = pattern.sub(_pattern_replacement, text)
        return text


registry = SecretRegistry()
"""The process-wide registry; `governance.secrets` registers every value it hands out."""


def register_secret(value: str) -> None:
    """Hide `value` from now on, here and in connector error messages (which redact on their own)."""
    registry.register(value)
    if isinstance(value, str) and len(value) >= MIN_SECRET_LENGTH:
        from connectors.errors import register_secret as register_with_connectors

        register_with_connectors(value)


def redact(text: str) -> str:
    """`text` without any secret known here or to the connector layer (tokens it fetched itself)."""
    from connectors.errors import redact as redact_connector_secrets

    return registry.redact(redact_connector_secrets(text)) if text else text


def redact_data(value: Any) -> Any:
    """Redact every string inside nested dicts/lists (for ``--json`` output and ledger payloads)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: redact_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_data(item) for item in value]
    return value


def describe_exception(exc: BaseException) -> str:
    """One safe line for an error: ``TypeName: message`` with secrets removed."""
    message = str(exc) or type(exc).__name__
    return redact(f"{type(exc).__name__}: {message}")


def _scrub(record: logging.LogRecord) -> None:
    """Rewrite `record` in place so no handler or formatter can see a secret."""
    if getattr(record, "_opspack_redacted", False):
        return
    try:
        message = record.getMessage()
    except Exception:  # a broken format string must not hide the record, only its args
        message = str(record.msg)
    record.msg = redact(message)
    record.args = None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record._opspack_redacted = True


class RedactingFilter(logging.Filter):
    """Rewrites each record's message, traceback and stack with secrets removed; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        _scrub(record)
        return True


_install_lock = threading.Lock()
_previous_factory: Callable[..., logging.LogRecord] | None = None


def install_log_redaction(logger: logging.Logger | None = None) -> RedactingFilter:
    """Scrub every log record from now on. Idempotent; returns the filter it attached."""
    global _previous_factory
    target = logger or logging.getLogger()
    with _install_lock:
        if _previous_factory is None:
            previous = logging.getLogRecordFactory()
            _previous_factory = previous

            def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
                record = previous(*args, **kwargs)
                _scrub(record)
                return record

            logging.setLogRecordFactory(factory)
        existing = next((f for f in target.filters if isinstance(f, RedactingFilter)), None)
        log_filter = existing or RedactingFilter()
        if existing is None:
            target.addFilter(log_filter)
        for handler in target.handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(log_filter)
        return log_filter


def uninstall_log_redaction(logger: logging.Logger | None = None) -> None:
    """Undo `install_log_redaction` (tests use it to leave logging as they found it)."""
    global _previous_factory
    target = logger or logging.getLogger()
    with _install_lock:
        if _previous_factory is not None:
            logging.setLogRecordFactory(_previous_factory)
            _previous_factory = None
        for holder in (target, *target.handlers):
            for log_filter in [f for f in holder.filters if isinstance(f, RedactingFilter)]:
                holder.removeFilter(log_filter)
