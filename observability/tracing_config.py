"""Tracing settings: `TracingConfig` and the error for a setting that cannot be used.

Its own module so both `observability.tracing` (the switch) and `observability.tracing_sdk` (the
OpenTelemetry SDK side, imported only when tracing is on) read it without importing each other.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from observability.errors import ObservabilityError

Exporter = Literal["off", "console", "otlp"]
EXPORTERS: tuple[Exporter, ...] = ("off", "console", "otlp")


class TracingError(ObservabilityError, ValueError):
    """A tracing setting that cannot be used (unknown exporter)."""


@dataclass(frozen=True)
class TracingConfig:
    exporter: Exporter = "off"
    endpoint: str | None = None
    """OTLP/HTTP traces URL (default: ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` / ``..._ENDPOINT``, else
    http://localhost:4318/v1/traces, as the OpenTelemetry exporter reads them)."""
    service_name: str = "opspack"

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, default: TracingConfig | None = None
    ) -> TracingConfig:
        """``OPSPACK_TRACING`` (off, console, otlp), ``OPSPACK_TRACING_ENDPOINT`` and
        ``OTEL_SERVICE_NAME`` over `default` (the deployment file's settings)."""
        env = os.environ if environ is None else environ
        base = default or cls()
        exporter = env.get("OPSPACK_TRACING", "").strip().lower() or base.exporter
        if exporter in ("0", "false", "no", "none"):
            exporter = "off"
        if exporter not in EXPORTERS:
            raise TracingError(f"OPSPACK_TRACING={exporter!r}: use one of {', '.join(EXPORTERS)}")
        return cls(
            exporter=exporter,
            endpoint=env.get("OPSPACK_TRACING_ENDPOINT") or base.endpoint,
            service_name=env.get("OTEL_SERVICE_NAME") or base.service_name,
        )
