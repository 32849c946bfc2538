"""One invoice through the AP agent is one trace: a span per step, the transaction id on each, and
the same id on every JSON log line written meanwhile. Tracing is off unless configured."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from test_agent_governed import NOW, company, write

import observability.tracing as tracing
from agents.ap.agent import APAgent
from agents.performers import ERPPerformer
from governance.policy import load_policy
from governance.redaction import uninstall_log_redaction
from governance.runtime import Governor
from governance.store import Store
from observability.tracing import TRANSACTION_ATTRIBUTE, TracingConfig, configure_tracing, shutdown_tracing
from opspack.runtime.logs import configure_logging
from opspack.settings import policy_path


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    assert configure_tracing(TracingConfig(), exporter=exporter)
    yield exporter
    shutdown_tracing()


@pytest.fixture
def agent(tmp_path: Path) -> APAgent:
    erp = company()
    governor = Governor(
        load_policy(policy_path()),
        Store(f"sqlite:///{tmp_path / 'ap.db'}"),
        {"sap": ERPPerformer(erp)},
        clock=lambda: NOW,
    )
    return APAgent(governor, erp, system="sap")


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    configure_logging("debug", stream)
    yield stream
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    uninstall_log_redaction(root)


def test_one_invoice_is_one_trace_with_a_span_per_step(
    spans: InMemorySpanExporter, agent: APAgent, tmp_path: Path
) -> None:
    result = agent.process(write(tmp_path, "BS-1", 4))
    assert result.status == "posted"
    finished = spans.get_finished_spans()
    assert {span.context.trace_id for span in finished} == {finished[0].context.trace_id}
    names = [span.name for span in sorted(finished, key=lambda s: s.start_time or 0)]
    # post the invoice, then schedule the payment: two gate/execute pairs
    assert names == ["transaction", "intake", "perceive", "decide"] + ["gate", "execute"] * 2 + ["record"]
    assert all(
        span.attributes and span.attributes[TRANSACTION_ATTRIBUTE] == result.transaction_id
        for span in finished
    )
    root = next(span for span in finished if span.name == "transaction")
    assert (
        root.parent is None and root.attributes is not None and root.attributes["opspack.status"] == "posted"
    )
    assert all(
        span.parent is not None and span.parent.span_id == root.context.span_id
        for span in finished
        if span is not root
    )
    operations = [
        span.attributes["opspack.operation"] for span in finished if span.name == "gate" and span.attributes
    ]
    assert operations == ["erp.post_invoice", "erp.schedule_payment"]


def test_a_held_invoice_has_an_approval_wait_span_and_the_approval_joins_its_trace(
    spans: InMemorySpanExporter, agent: APAgent, tmp_path: Path
) -> None:
    result = agent.process(write(tmp_path, "BS-BIG", 200))  # 59,500 EUR: above the payment cap
    assert result.status == "awaiting_approval" and result.approval_id
    first = spans.get_finished_spans()
    assert "approval_wait" in [span.name for span in first]
    trace_id = first[0].context.trace_id
    spans.clear()
    # approved later, outside the agent's transaction span (the CLI, the console, a worker)
    agent.governor.approve(result.approval_id, "alice", "contract price checked")
    later = spans.get_finished_spans()
    assert [span.name for span in later] == ["gate", "execute"]  # judged again with the approver named
    assert later[0].attributes is not None and later[0].attributes["opspack.approver"] == "alice"
    assert {span.context.trace_id for span in later} == {trace_id}
    assert all(
        span.attributes and span.attributes[TRANSACTION_ATTRIBUTE] == result.transaction_id for span in later
    )


def test_log_lines_carry_the_transaction_and_trace_ids(
    spans: InMemorySpanExporter, agent: APAgent, tmp_path: Path, log_stream: io.StringIO
) -> None:
    logging.getLogger("opspack.test.ap").info("before")
    erp_logger = logging.getLogger("connectors.test")
    original = agent.matcher.match

    def match_and_log(invoice):  # type: ignore[no-untyped-def]
        erp_logger.info("matching %s", invoice.invoice_number.value)
        return original(invoice)

    agent.matcher.match = match_and_log  # type: ignore[method-assign]
    result = agent.process(write(tmp_path, "BS-2", 4))
    lines = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    before = next(line for line in lines if line["message"] == "before")
    during = next(line for line in lines if line["message"] == "matching BS-2")
    assert before["transaction_id"] is None and "trace_id" not in before
    assert during["transaction_id"] == result.transaction_id
    decide = next(span for span in spans.get_finished_spans() if span.name == "decide")
    assert during["trace_id"] == f"{decide.context.trace_id:032x}"
    assert during["span_id"] == f"{decide.context.span_id:016x}"


def test_off_by_default_records_nothing_and_logs_still_carry_the_transaction(
    agent: APAgent, tmp_path: Path, log_stream: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPSPACK_TRACING", raising=False)
    assert configure_tracing(TracingConfig.from_env()) is False and not tracing.tracing_enabled()
    assert tracing.step("gate", "t-1") is tracing.step("execute", "t-2")  # one shared no-op
    original = agent.matcher.match

    def match_and_log(invoice):  # type: ignore[no-untyped-def]
        logging.getLogger("connectors.test").info("matching")
        return original(invoice)

    agent.matcher.match = match_and_log  # type: ignore[method-assign]
    result = agent.process(write(tmp_path, "BS-3", 4))
    during = next(json.loads(line) for line in log_stream.getvalue().splitlines() if '"matching"' in line)
    assert during["transaction_id"] == result.transaction_id and "trace_id" not in during
