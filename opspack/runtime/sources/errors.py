"""Errors a source raises: one small tree, so the runner can tell a source problem from an agent's."""

from __future__ import annotations

from opspack.errors import OpspackError


class SourceError(OpspackError):
    """A source could not be read or settled; the message names the source and what to check."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"source {source!r}: {message}")
        self.source = source


class SourceConfigurationError(SourceError):
    """The source is configured wrongly (a missing folder, an unreadable cursor, a bad queue)."""


class SourceUnavailableError(SourceError):
    """The system behind the source could not be reached or refused us (retry on the next poll)."""
