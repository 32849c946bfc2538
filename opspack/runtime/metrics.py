"""Prometheus metrics of the running service: what the sources hold and hand out, how the
connectors answer, and what the schedules ran. The ledger-derived business metrics
(`governance.metrics.MetricsCollector`) can join the same registry with `include`.

Where the numbers come from:

- connector latency and 429s: a `requests` response hook (`instrument_session`) on the session
  each connection's `VendorHttp` sends through, so every attempt is timed, retries included;
- retries: `VendorHttp` logs each retry it decides on ("<vendor> <endpoint>: retrying in ...") on
  the ``opspack.connectors.http`` logger; `watch_connector_retries` counts those lines per vendor;
- queue depth, items per outcome, source errors and schedule runs: the runner reports them
  through the small methods below.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import requests
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.registry import Collector

RETRY_LOGGER = "opspack.connectors.http"
_RETRY_LINE = re.compile(r"^(?P<vendor>\S+) .*: retrying in [\d.]+s after (?P<error>\w+)$")
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class RuntimeMetrics:
    """One registry with the runtime's metrics; pass it to `HealthServer` to serve ``/metrics``."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.queue_depth = Gauge(
            "opspack_source_queue_depth",
            "Work items a source holds that are not settled yet",
            ["source"],
            registry=r,
        )
        self.items = Counter(
            "opspack_source_items",
            "Work items settled, per source and outcome",
            ["source", "outcome"],
            registry=r,
        )
        self.source_errors = Counter(
            "opspack_source_errors", "Polls or settles of a source that failed", ["source"], registry=r
        )
        self.connector_latency = Histogram(
            "opspack_connector_request_seconds",
            "Time to each connector HTTP answer (every attempt)",
            ["connection", "method", "status"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.throttled = Counter(
            "opspack_connector_throttled",
            "429 Too Many Requests answers per connection",
            ["connection"],
            registry=r,
        )
        self.retries = Counter(
            "opspack_connector_retries",
            "Requests a connector sent again, per vendor and cause",
            ["vendor", "cause"],
            registry=r,
        )
        self.schedule_runs = Counter(
            "opspack_schedule_runs", "Scheduled jobs run, per job and outcome", ["job", "outcome"], registry=r
        )
        self._retry_handler: _RetryCounter | None = None

    # -- what the runner reports ---------------------------------------------------------------

    def set_queue_depth(self, source: str, depth: int) -> None:
        self.queue_depth.labels(source=source).set(depth)

    def item_settled(self, source: str, outcome: str) -> None:
        """`outcome`: the runner's word for how the item ended (done, failed, held, duplicate, ...)."""
        self.items.labels(source=source, outcome=outcome).inc()

    def source_failed(self, source: str) -> None:
        self.source_errors.labels(source=source).inc()

    def schedule_ran(self, job: str, outcome: str) -> None:
        self.schedule_runs.labels(job=job, outcome=outcome).inc()

    # -- what is observed on its own -----------------------------------------------------------

    def instrument_session(self, session: requests.Session, connection: str) -> requests.Session:
        """Time every answer `session` receives and count 429s, under the connection's name."""

        def observe(response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
            method = (response.request.method or "GET") if response.request is not None else "GET"
            status = str(response.status_code)
            self.connector_latency.labels(connection=connection, method=method, status=status).observe(
                response.elapsed.total_seconds()
            )
            if response.status_code == 429:
                self.throttled.labels(connection=connection).inc()
            return response

        session.hooks.setdefault("response", []).append(observe)
        return session

    def watch_connector_retries(self) -> None:
        """Count the retries `VendorHttp` logs (idempotent; `stop_watching` undoes it)."""
        if self._retry_handler is None:
            self._retry_handler = _RetryCounter(self)
            log = logging.getLogger(RETRY_LOGGER)
            log.addHandler(self._retry_handler)
            if log.getEffectiveLevel() > logging.INFO:
                log.setLevel(logging.INFO)

    def stop_watching(self) -> None:
        if self._retry_handler is not None:
            logging.getLogger(RETRY_LOGGER).removeHandler(self._retry_handler)
            self._retry_handler = None

    def include(self, collector: Collector) -> None:
        """Serve another collector (e.g. the ledger's `MetricsCollector`) from the same registry."""
        self.registry.register(collector)


class _RetryCounter(logging.Handler):
    def __init__(self, metrics: RuntimeMetrics) -> None:
        super().__init__(logging.INFO)
        self._metrics = metrics

    def emit(self, record: logging.LogRecord) -> None:
        found = _RETRY_LINE.match(record.getMessage())
        if found:
            self._metrics.retries.labels(vendor=found["vendor"], cause=found["error"]).inc()
