"""One OpenTelemetry trace per transaction, one span per step; off (and free) unless configured.

    configure_tracing(TracingConfig.from_env())      # OPSPACK_TRACING=console|otlp, default off
    with transaction("ap-1f2e...", agent="ap_clerk"):
        with step("perceive") as span:
            span.set_attribute("opspack.invoice", "INV-7")

Steps are named `STEPS` (intake, perceive, decide, gate, approval_wait, execute, record). Every
span carries ``opspack.transaction_id``; the trace id is derived from the transaction id, so the
spans of one transaction written by several processes (the agent's run, the approval executed
later by a worker or the CLI) land in the same trace. A transaction started while another one's
span is open (a hand-off) begins its own trace, linked to the other.

While tracing is off, `step` returns one shared no-op context manager and OpenTelemetry is not even
imported; `transaction` only sets the transaction id the JSON logs carry.
"""

from __future__ import annotations

import atexit
import sys
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from observability.context import current_transaction, transaction_context
from observability.tracing_config import EXPORTERS, Exporter, TracingConfig, TracingError

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.trace import Tracer

__all__ = [
    "EXPORTERS",
    "STEPS",
    "TRANSACTION_ATTRIBUTE",
    "Exporter",
    "SpanLike",
    "TracingConfig",
    "TracingError",
    "configure_tracing",
    "current_ids",
    "shutdown_tracing",
    "step",
    "tracing_enabled",
    "transaction",
]

STEPS = ("intake", "perceive", "decide", "gate", "approval_wait", "execute", "record")
TRANSACTION_ATTRIBUTE = "opspack.transaction_id"


class SpanLike(Protocol):
    def set_attribute(self, key: str, value: Any) -> Any: ...


class _NoSpan:
    """What `step` yields while tracing is off."""

    def set_attribute(self, key: str, value: Any) -> None:
        return None

    def __enter__(self) -> _NoSpan:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


_OFF = _NoSpan()
_tracer: Tracer | None = None
_provider: TracerProvider | None = None


def tracing_enabled() -> bool:
    return _tracer is not None


def configure_tracing(config: TracingConfig | None = None, *, exporter: SpanExporter | None = None) -> bool:
    """Switch tracing on as `config` says (or to `exporter`, for tests); True when it is on.

    Replaces an earlier configuration (its spans are flushed first).
    """
    global _tracer, _provider
    shutdown_tracing()
    config = config or TracingConfig()
    if exporter is None and config.exporter == "off":
        return False
    from observability.tracing_sdk import build_provider

    _provider = build_provider(config, exporter, console=sys.stderr)
    _tracer = _provider.get_tracer("opspack")
    return True


def shutdown_tracing() -> None:
    """Flush and stop the exporter; tracing is off afterwards."""
    global _tracer, _provider
    provider, _tracer, _provider = _provider, None, None
    if provider is not None:
        provider.shutdown()


atexit.register(shutdown_tracing)


def transaction(transaction_id: str, *, agent: str, **attributes: Any) -> AbstractContextManager[SpanLike]:
    """The span of a whole transaction (log lines inside carry its id even with tracing off)."""
    if _tracer is None:
        return _logged_only(transaction_id)
    return _span("transaction", transaction_id, {"opspack.agent": agent, **attributes})


@contextmanager
def _logged_only(transaction_id: str) -> Iterator[SpanLike]:
    with transaction_context(transaction_id):
        yield _OFF


def step(name: str, transaction_id: str | None = None, **attributes: Any) -> AbstractContextManager[SpanLike]:
    """A span for one step of the transaction in hand (or of `transaction_id`); no-op when off."""
    if _tracer is None:
        return _OFF
    return _span(name, transaction_id, attributes)


@contextmanager
def _span(name: str, transaction_id: str | None, attributes: Mapping[str, Any]) -> Iterator[SpanLike]:
    from opentelemetry import context as otel_context
    from opentelemetry import trace

    assert _tracer is not None
    txn = transaction_id or current_transaction.get()
    current = trace.get_current_span().get_span_context()
    parent, links = None, []
    if not (current.is_valid and txn == current_transaction.get()):
        parent = otel_context.Context()  # a new trace, its id derived from the transaction id
        links = [trace.Link(current)] if current.is_valid else []
    values: dict[str, str | bool | int | float] = {TRANSACTION_ATTRIBUTE: txn or "", "opspack.step": name}
    values.update(
        {f"opspack.{k}" if "." not in k else k: _value(v) for k, v in attributes.items() if v is not None}
    )
    with (
        transaction_context(txn),
        _tracer.start_as_current_span(name, context=parent, links=links, attributes=values) as span,
    ):
        yield span


def current_ids() -> tuple[str, str] | None:
    """(trace id, span id) in hex of the open span, for log lines; None when off or outside a span."""
    if _tracer is None:
        return None
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return f"{context.trace_id:032x}", f"{context.span_id:016x}"


def _value(value: Any) -> str | bool | int | float:
    return value if isinstance(value, str | bool | int | float) else str(value)
