"""An intake message is one trace: intake, perceive, decide, the governed writes, record."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agents.intake.agent import IntakeOutcome
from agents.intake.wiring import IntakeStack
from observability.tracing import TRANSACTION_ATTRIBUTE, configure_tracing, shutdown_tracing

from .conftest import mail


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    configure_tracing(exporter=exporter)
    yield exporter
    shutdown_tracing()


def test_a_resolved_message_is_one_trace(stack: IntakeStack, spans: InMemorySpanExporter) -> None:
    result = stack.agent.handle(mail("Where is my order SO-100001?"))
    assert result.outcome is IntakeOutcome.RESOLVED
    finished = sorted(spans.get_finished_spans(), key=lambda s: s.start_time or 0)
    assert {s.context.trace_id for s in finished} == {finished[0].context.trace_id}
    names = [s.name for s in finished]
    assert names[:4] == ["transaction", "intake", "perceive", "decide"] and names[-1] == "record"
    assert names.count("gate") == names.count("execute") >= 2  # the case, the reply
    assert all(
        s.attributes and s.attributes[TRANSACTION_ATTRIBUTE] == result.transaction_id for s in finished
    )
