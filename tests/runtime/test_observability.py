"""JSON logs with the transaction id and no secrets; metrics from real connector traffic; the
health endpoint over real HTTP."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator

import pytest
import requests

from connectors.http import RetryPolicy
from connectors.servicenow import ServiceNowAdapter
from connectors.servicenow.auth_setup import auth_from_credentials
from governance.redaction import register_secret, uninstall_log_redaction
from mocks.servicenow import ServiceNowMock
from mocks.transport import MockTransportAdapter
from opspack.runtime.health import HealthServer
from opspack.runtime.logs import configure_logging, current_transaction, parse_level, transaction_context
from opspack.runtime.metrics import RuntimeMetrics

SN_URL = "https://servicenow.mock"
SN_BASIC = {"username": "opspack.integration", "password": "Integration!2026"}


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


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_every_line_is_json_with_the_transaction_id(log_stream: io.StringIO) -> None:
    log = logging.getLogger("opspack.test.runtime")
    log.info("between items")
    with transaction_context("ap:inv-1.pdf:9f2c"):
        log.info("posted %s", "5100000001", extra={"document": "5100000001", "amount": 12.5})
        seen_in_thread: list[str | None] = []
        worker = threading.Thread(target=lambda: seen_in_thread.append(current_transaction.get()))
        worker.start()
        worker.join()
        try:
            raise ValueError("supplier unknown")
        except ValueError:
            log.exception("could not match")
    between, posted, failed = _lines(log_stream)
    assert between["transaction_id"] is None and between["level"] == "info"
    assert posted["transaction_id"] == "ap:inv-1.pdf:9f2c" and posted["message"] == "posted 5100000001"
    assert posted["document"] == "5100000001" and posted["amount"] == 12.5
    assert posted["logger"] == "opspack.test.runtime" and str(posted["ts"]).endswith("+00:00")
    assert failed["transaction_id"] == "ap:inv-1.pdf:9f2c" and "ValueError: supplier unknown" in str(
        failed["exception"]
    )
    assert seen_in_thread == [None]  # a new thread starts outside any transaction


def test_secrets_never_reach_the_log(log_stream: io.StringIO) -> None:
    register_secret("s3cr3t-Runtime-Value")
    log = logging.getLogger("opspack.test.runtime")
    log.warning(
        "login with s3cr3t-Runtime-Value failed", extra={"header": "Authorization: Bearer abcdef123456"}
    )
    text = log_stream.getvalue()
    assert "s3cr3t-Runtime-Value" not in text and "abcdef123456" not in text
    assert "[redacted]" in _lines(log_stream)[0]["message"]


def test_log_levels_are_checked() -> None:
    assert parse_level("WARNING") == logging.WARNING
    with pytest.raises(ValueError, match="unknown log level 'chatty'; use one of debug"):
        parse_level("chatty")


def _servicenow(mock: ServiceNowMock, metrics: RuntimeMetrics) -> ServiceNowAdapter:
    session = requests.Session()
    session.mount(SN_URL, MockTransportAdapter(mock))
    metrics.instrument_session(session, "servicenow-prod")
    return ServiceNowAdapter.connect(
        SN_URL,
        auth_from_credentials(SN_BASIC).auth,
        session=session,
        sleep=lambda seconds: None,
        retry=RetryPolicy(total=4),
    )


def test_connector_latency_throttling_and_retries_are_counted() -> None:
    metrics = RuntimeMetrics()
    metrics.watch_connector_retries()
    try:
        mock = ServiceNowMock.from_fixtures()
        adapter = _servicenow(mock, metrics)
        mock.faults.add("*", kinds=("429",), retry_after=1, times=2)
        adapter.get_user("beth.anglin")  # two 429s, then an answer
    finally:
        metrics.stop_watching()
    sample = metrics.registry.get_sample_value
    assert sample("opspack_connector_throttled_total", {"connection": "servicenow-prod"}) == 2
    assert (
        sample("opspack_connector_retries_total", {"vendor": "servicenow", "cause": "RateLimitedError"}) == 2
    )
    ok = {"connection": "servicenow-prod", "method": "GET", "status": "200"}
    assert sample("opspack_connector_request_seconds_count", ok) == 1
    limited = {"connection": "servicenow-prod", "method": "GET", "status": "429"}
    assert sample("opspack_connector_request_seconds_count", limited) == 2


def test_health_readiness_and_metrics_over_http() -> None:
    state = {"ready": (False, "store not reachable yet")}
    metrics = RuntimeMetrics()
    metrics.set_queue_depth("ap-drop", 3)
    metrics.item_settled("ap-drop", "done")
    metrics.item_settled("ap-drop", "failed")
    metrics.schedule_ran("merkle-checkpoint", "ok")
    with HealthServer(ready=lambda: state["ready"], metrics=metrics) as server:
        assert requests.get(f"{server.url}/healthz", timeout=5).json() == {"status": "ok"}
        not_ready = requests.get(f"{server.url}/readyz", timeout=5)
        assert not_ready.status_code == 503
        assert not_ready.json() == {"status": "not ready", "reason": "store not reachable yet"}
        state["ready"] = (True, "polling 1 source")
        assert requests.get(f"{server.url}/readyz", timeout=5).status_code == 200
        scrape = requests.get(f"{server.url}/metrics", timeout=5)
        assert scrape.headers["Content-Type"].startswith("text/plain")
        assert 'opspack_source_queue_depth{source="ap-drop"} 3.0' in scrape.text
        assert 'opspack_source_items_total{outcome="failed",source="ap-drop"} 1.0' in scrape.text
        assert 'opspack_schedule_runs_total{job="merkle-checkpoint",outcome="ok"} 1.0' in scrape.text
        assert requests.get(f"{server.url}/nope", timeout=5).status_code == 404


def test_a_failing_readiness_check_reads_not_ready_without_leaking_secrets() -> None:
    register_secret("pg-Passw0rd-Runtime")

    def broken() -> bool:
        raise ConnectionError("postgresql://opspack:pg-Passw0rd-Runtime@db:5432 refused")

    with HealthServer(ready=broken) as server:
        answer = requests.get(f"{server.url}/readyz", timeout=5)
    assert answer.status_code == 503
    assert "ConnectionError" in answer.json()["reason"] and "pg-Passw0rd-Runtime" not in answer.text
