"""A ticket worked by the service desk agent is one trace with its steps; so is an intake message."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agents.service_desk.plan import Outcome
from observability.tracing import TRANSACTION_ATTRIBUTE, configure_tracing, shutdown_tracing

from .conftest import DeskFactory, ticket


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    configure_tracing(exporter=exporter)
    yield exporter
    shutdown_tracing()


def test_a_resolved_ticket_is_one_trace_with_a_span_per_step(
    make_desk: DeskFactory, spans: InMemorySpanExporter
) -> None:
    desk = make_desk([ticket("INC1", "jsmith", "I forgot my password, please reset it.")])
    ticked: list[str] = []
    [result] = desk.stack().agent.poll(on_result=lambda r: ticked.append(r.number))
    assert result.outcome is Outcome.RESOLVED and ticked == ["INC1"]
    finished = sorted(spans.get_finished_spans(), key=lambda s: s.start_time or 0)
    assert {s.context.trace_id for s in finished} == {finished[0].context.trace_id}
    names = [s.name for s in finished]
    assert names[:4] == ["transaction", "intake", "perceive", "decide"] and names[-1] == "record"
    assert "gate" in names and "execute" in names
    assert all(
        s.attributes and s.attributes[TRANSACTION_ATTRIBUTE] == result.transaction_id for s in finished
    )
    root = finished[0]
    assert root.attributes is not None and root.attributes["opspack.status"] == "resolved"
    assert root.attributes["opspack.ticket"] == "INC1"
