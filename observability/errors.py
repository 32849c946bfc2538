"""One exception tree for the observability layer.

ObservabilityError        root of every error the observability layer defines
└── TracingError          (observability.tracing_config; also ValueError) an unusable tracing setting
"""

from __future__ import annotations

__all__ = ["ObservabilityError"]


class ObservabilityError(Exception):
    """Root of every error the observability layer defines."""
