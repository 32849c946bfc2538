"""The one clock and the one timestamp spelling governance stores (UTC, ISO 8601, microseconds)."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """`moment` as stored in text columns: UTC, ISO 8601 with microseconds (sorts as it compares)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
