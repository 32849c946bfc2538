"""The OpenTelemetry SDK side of `observability.tracing`, imported only when tracing is switched on."""

from __future__ import annotations

import hashlib
from typing import IO, TYPE_CHECKING

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator

from observability.context import current_transaction

if TYPE_CHECKING:
    from observability.tracing_config import TracingConfig


def trace_id_for(transaction_id: str) -> int:
    """The 128-bit trace id of a transaction: the same in every process that works on it."""
    value = int.from_bytes(hashlib.sha256(transaction_id.encode("utf-8")).digest()[:16], "big")
    return value or 1  # zero is the invalid trace id


class TransactionIdGenerator(RandomIdGenerator):
    """Root spans of a transaction get its derived trace id; span ids stay random."""

    def generate_trace_id(self) -> int:
        transaction_id = current_transaction.get()
        return trace_id_for(transaction_id) if transaction_id else super().generate_trace_id()


def build_provider(
    config: TracingConfig, exporter: SpanExporter | None, *, console: IO[str]
) -> TracerProvider:
    """A tracer provider exporting to `exporter` (tests), the console (stderr) or OTLP over HTTP."""
    provider = TracerProvider(
        resource=Resource.create({"service.name": config.service_name}),
        id_generator=TransactionIdGenerator(),
    )
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    elif config.exporter == "console":
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter(out=console)))
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=config.endpoint)))
    return provider
