"""`opspack run --config opspack.yaml`: the embedded runtime in one process.

Sources are polled and their items worked in-process on SQLite (or the database the deployment
names); decided approvals are followed up within a second; SIGTERM finishes the item in hand and
stops; ``--once`` drains every source once and exits (cron, tests). Logs are JSON lines on stderr
with the transaction id (`opspack.runtime.logs`); traces go where the deployment's
``runtime.tracing`` or ``OPSPACK_TRACING`` says (`observability.tracing`, off by default);
health, readiness and Prometheus metrics are served on the port the deployment (or
``--health-port``) gives.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Annotated, Any

import typer

from opspack.cli.errors import one_line_errors
from opspack.cli.options import (
    DatabaseOption,
    DeploymentOption,
    HealthPortOption,
    LogLevelOption,
    database_url,
    start_observability,
)
from opspack.deployment import load_deployment
from opspack.runtime.runner import Runner, RuntimeMetrics


def serve_health(host: str, port: int, runner: Runner, metrics: RuntimeMetrics) -> Any:
    """``/healthz`` (alive), ``/readyz`` (looping) and ``/metrics`` (Prometheus) in a daemon thread."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/metrics":
                status, body, kind = 200, generate_latest(metrics.registry), CONTENT_TYPE_LATEST
            elif self.path == "/healthz":
                status, body, kind = 200, b'{"status": "ok"}', "application/json"
            elif self.path == "/readyz":
                ready = runner.ready and not runner.stopping
                status, body, kind = (200 if ready else 503), json.dumps({"ready": ready}).encode(), "application/json"  # fmt: skip
            else:
                status, body, kind = (
                    404,
                    b'{"error": "try /healthz, /readyz or /metrics"}',
                    "application/json",
                )
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True, name="opspack-health").start()
    return server


def run(
    config: DeploymentOption = Path("opspack.yaml"),
    once: Annotated[bool, typer.Option("--once", help="Drain every source once and exit.")] = False,
    log_level: LogLevelOption = "info",
    health_port: HealthPortOption = None,
    database: DatabaseOption = None,
) -> None:
    """Run the deployment's agents on their sources until SIGTERM (or once, with --once)."""
    logger = logging.getLogger("opspack.runtime")
    with one_line_errors(FileNotFoundError):
        deployment = load_deployment(config)
        start_observability(log_level, deployment.runtime.tracing.model_dump())
        from opspack.runtime.build import build_runner

        metrics = RuntimeMetrics()
        runner, wiring = build_runner(deployment, database=database_url(database), metrics=metrics)
        runner.install_signal_handlers()
        server = None
        health = deployment.runtime.health
        if health_port is not None or health is not None:
            host = health.host if health else "127.0.0.1"
            port = health_port if health_port is not None else (health.port if health else 0)
            server = serve_health(host, port, runner, metrics)
            logger.info("health and metrics on http://%s:%s/", host, server.server_address[1])
        logger.info(
            "running %s on %s", ", ".join(runner.routes) or "no sources", wiring.store.redacted_url,
            extra={"once": once},
        )  # fmt: skip
        try:
            handled = runner.run(once=once)
        finally:
            if server is not None:
                server.shutdown()
        logger.info("stopped after %d item(s)", handled)
