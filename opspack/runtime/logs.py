"""Structured logs for the running service: one JSON object per line, secrets removed, and the
transaction id of the work in hand on every line (and, while tracing is on, the trace and span id).

    configure_logging("info", sys.stderr)
    with transaction_context("ap:inv-1.pdf:9f2c..."):
        logger.info("posted", extra={"document": "5100000001"})

gives ``{"ts": "...", "level": "info", "logger": "...", "message": "posted",
"transaction_id": "ap:inv-1.pdf:9f2c...", "document": "5100000001"}``. Secret values and
credential-shaped text are removed by `governance.redaction` from the message, the extra fields and
the traceback before anything is written.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import IO, Any

from governance.redaction import install_log_redaction, redact, redact_data
from observability.context import current_transaction, transaction_context
from observability.tracing import current_ids

__all__ = ["LEVELS", "configure_logging", "current_transaction", "parse_level", "transaction_context"]
LEVELS = ("debug", "info", "warning", "error", "critical")

_STANDARD = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)).keys()
    | {"message", "asctime", "transaction_id", "_opspack_redacted"}
)


class TransactionFilter(logging.Filter):
    """Copies the current transaction id onto each record in the thread that logs it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "transaction_id", None) is None:
            record.transaction_id = current_transaction.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record; `extra` fields become keys; everything redacted."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
            "transaction_id": getattr(record, "transaction_id", None) or current_transaction.get(),
        }
        ids = current_ids()  # None unless tracing is on and a span is open
        if ids is not None:
            line["trace_id"], line["span_id"] = ids
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = redact_data(value if _is_json(value) else str(value))
        if record.exc_info:
            line["exception"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            line["exception"] = redact(record.exc_text)
        return json.dumps(line, default=str, ensure_ascii=False)


def parse_level(level: str | int) -> int:
    """A logging level from ``debug`` ... ``critical`` (any case) or a number; ValueError otherwise."""
    if isinstance(level, int):
        return level
    name = level.strip().lower()
    if name not in LEVELS:
        raise ValueError(f"unknown log level {level!r}; use one of {', '.join(LEVELS)}")
    return int(getattr(logging, name.upper()))


def configure_logging(level: str | int = "info", stream: IO[str] | None = None) -> logging.Handler:
    """Send every log record to `stream` (stderr) as JSON lines at `level`; replaces an earlier call's handler."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler.formatter, JsonFormatter):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(TransactionFilter())
    root.addHandler(handler)
    root.setLevel(parse_level(level))
    install_log_redaction(root)
    return handler


def _is_json(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool | list | dict | tuple)
