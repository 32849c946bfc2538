"""Tracing is off unless configured; the deployment file and the environment choose the console or
an OTLP exporter; spans carry the transaction id and one transaction is one trace in any process."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import observability.tracing as tracing
from governance.redaction import uninstall_log_redaction
from observability.context import current_transaction
from observability.tracing import (
    TRANSACTION_ATTRIBUTE,
    TracingConfig,
    TracingError,
    configure_tracing,
    shutdown_tracing,
    step,
    transaction,
)
from observability.tracing_sdk import trace_id_for
from opspack.cli.options import start_observability
from opspack.deployment import RuntimeConfig


@pytest.fixture(autouse=True)
def _tracing_off_after() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    shutdown_tracing()
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    uninstall_log_redaction(root)


def test_environment_over_the_deployment_file() -> None:
    assert TracingConfig.from_env({}) == TracingConfig()  # off
    file = TracingConfig(
        **RuntimeConfig.model_validate({"tracing": {"exporter": "otlp"}}).tracing.model_dump()
    )
    assert TracingConfig.from_env({}, default=file).exporter == "otlp"
    assert TracingConfig.from_env({"OPSPACK_TRACING": "off"}, default=file).exporter == "off"
    env = {
        "OPSPACK_TRACING": "OTLP",
        "OPSPACK_TRACING_ENDPOINT": "http://collector:4318/v1/traces",
        "OTEL_SERVICE_NAME": "ap-worker",
    }
    assert TracingConfig.from_env(env) == TracingConfig(
        "otlp", "http://collector:4318/v1/traces", "ap-worker"
    )
    with pytest.raises(TracingError, match="OPSPACK_TRACING='jaeger'"):
        TracingConfig.from_env({"OPSPACK_TRACING": "jaeger"})
    assert (
        RuntimeConfig.model_validate({"tracing": {"exporter": False}}).tracing.exporter == "off"
    )  # YAML `off`
    with pytest.raises(ValueError, match="exporter"):
        RuntimeConfig.model_validate({"tracing": {"exporter": "zipkin"}})


def test_off_costs_one_shared_no_op() -> None:
    assert not configure_tracing(TracingConfig())
    assert step("gate", "t-1") is step("execute")
    with transaction("t-1", agent="ap_clerk") as span:
        span.set_attribute("opspack.status", "posted")  # accepted and dropped
        assert current_transaction.get() == "t-1"
    assert current_transaction.get() is None
    assert "opentelemetry.sdk.trace" not in sys.modules or tracing._tracer is None


def test_console_exporter_writes_spans_to_stderr_never_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert configure_tracing(TracingConfig(exporter="console", service_name="opspack-test"))
    with transaction("ap-123", agent="ap_clerk"), step("decide"):
        pass
    shutdown_tracing()
    out, err = capsys.readouterr()
    assert out == ""
    spans = [json.loads(chunk) for chunk in _json_objects(err)]
    assert [s["name"] for s in spans] == ["decide", "transaction"]
    assert all(s["attributes"][TRANSACTION_ATTRIBUTE] == "ap-123" for s in spans)
    assert spans[0]["resource"]["attributes"]["service.name"] == "opspack-test"
    assert spans[0]["context"]["trace_id"] == f"0x{trace_id_for('ap-123'):032x}"


def test_otlp_exporter_is_configured_with_the_endpoint() -> None:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    assert configure_tracing(TracingConfig(exporter="otlp", endpoint="http://127.0.0.1:9/v1/traces"))
    provider = tracing._provider
    assert provider is not None
    processors = provider._active_span_processor._span_processors  # the SDK keeps no public accessor
    exporters = [p.span_exporter for p in processors]  # type: ignore[attr-defined]
    assert len(exporters) == 1 and isinstance(exporters[0], OTLPSpanExporter)
    assert exporters[0]._endpoint == "http://127.0.0.1:9/v1/traces"
    shutdown_tracing()  # nothing was recorded, so nothing is sent


def test_a_hand_off_starts_its_own_trace_linked_to_the_first() -> None:
    spans = InMemorySpanExporter()
    configure_tracing(exporter=spans)
    with (
        transaction("intake-1", agent="customer_intake"),
        step("decide"),
        transaction("ap-9", agent="ap_clerk"),
        step("gate"),
    ):
        pass
    finished = {
        s.name + ":" + str(s.attributes[TRANSACTION_ATTRIBUTE] if s.attributes else ""): s
        for s in spans.get_finished_spans()
    }
    inner, outer = finished["transaction:ap-9"], finished["transaction:intake-1"]
    assert inner.context.trace_id == trace_id_for("ap-9") and outer.context.trace_id == trace_id_for(
        "intake-1"
    )
    assert inner.parent is None and [link.context.span_id for link in inner.links] == [
        finished["decide:intake-1"].context.span_id
    ]
    assert (
        finished["gate:ap-9"].parent is not None
        and finished["gate:ap-9"].parent.span_id == inner.context.span_id
    )


def test_start_observability_for_long_running_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    monkeypatch.setenv("OPSPACK_TRACING", "console")
    start_observability("warning", {"exporter": "off", "endpoint": None, "service_name": "opspack"})
    assert tracing.tracing_enabled()
    logging.getLogger("opspack.test").info("quiet")
    with transaction("t-7", agent="ap_clerk"):
        logging.getLogger("opspack.test").warning("loud")
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith('{"ts"')]
    assert [(line["message"], line["transaction_id"]) for line in lines] == [("loud", "t-7")]
    assert lines[0]["trace_id"] == f"{trace_id_for('t-7'):032x}"
    import typer

    with pytest.raises(typer.BadParameter, match="unknown log level"):
        start_observability("loud")


def _json_objects(text: str) -> Iterator[str]:
    """The console exporter writes indented JSON objects one after another."""
    depth, start = 0, 0
    for index, char in enumerate(text):
        if char == "{":
            depth, start = depth + 1, start if depth else index
        elif char == "}":
            depth -= 1
            if depth == 0:
                yield text[start : index + 1]
