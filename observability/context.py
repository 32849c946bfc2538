"""The transaction the current thread or task is working on: stamped on every log line and span."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

current_transaction: ContextVar[str | None] = ContextVar("opspack_transaction_id", default=None)
"""The transaction in hand (None between items); a new thread starts outside any transaction."""


@contextmanager
def transaction_context(transaction_id: str | None) -> Iterator[None]:
    """Stamp every log line (and span) made inside the block with `transaction_id`."""
    token = current_transaction.set(transaction_id)
    try:
        yield
    finally:
        current_transaction.reset(token)
