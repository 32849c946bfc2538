"""The service's health endpoint: ``/healthz`` (the process answers), ``/readyz`` (it can work:
store reachable, sources polled, not shutting down -- whatever the runner's callback says) and
``/metrics`` (Prometheus text format from a `RuntimeMetrics` registry).

A stdlib `ThreadingHTTPServer` in a daemon thread: nothing to install, and a slow scrape never
blocks the work loop.

    with HealthServer(port=9108, ready=runner.readiness, metrics=metrics):
        runner.run_forever()
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from governance.redaction import describe_exception
from opspack.runtime.metrics import RuntimeMetrics

logger = logging.getLogger("opspack.runtime.health")

Readiness = Callable[[], "bool | tuple[bool, str]"]
"""True (ready), False, or (ready, why) -- the why is shown on ``/readyz``."""


class HealthServer:
    """Serves the three endpoints on `host`:`port` (port 0: any free port, see `port`)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        ready: Readiness | None = None,
        metrics: RuntimeMetrics | None = None,
    ) -> None:
        self._ready = ready or (lambda: True)
        self.metrics = metrics if metrics is not None else RuntimeMetrics()
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        host = self._server.server_address[0]
        return f"http://{host.decode() if isinstance(host, bytes) else host}:{self.port}"

    def start(self) -> HealthServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever, name="opspack-health", daemon=True
            )
            self._thread.start()
            logger.info("health endpoint listening on %s", self.url)
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> HealthServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def readiness(self) -> tuple[bool, str]:
        try:
            answer = self._ready()
        except Exception as exc:  # a broken check means not ready, never a crashed endpoint
            return False, f"readiness check failed: {describe_exception(exc)}"
        if isinstance(answer, tuple):
            return bool(answer[0]), str(answer[1])
        return bool(answer), "ready" if answer else "not ready"

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "opspack-health"

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                if path == "/healthz":
                    self._json(HTTPStatus.OK, {"status": "ok"})
                elif path == "/readyz":
                    ready, why = owner.readiness()
                    status = HTTPStatus.OK if ready else HTTPStatus.SERVICE_UNAVAILABLE
                    self._json(status, {"status": "ready" if ready else "not ready", "reason": why})
                elif path == "/metrics":
                    self._send(HTTPStatus.OK, generate_latest(owner.metrics.registry), CONTENT_TYPE_LATEST)
                else:
                    self._json(HTTPStatus.NOT_FOUND, {"error": f"no such endpoint {path}"})

            def _json(self, status: HTTPStatus, body: dict[str, Any]) -> None:
                self._send(status, json.dumps(body).encode(), "application/json")

            def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                logger.debug("health %s", format % args)

        return Handler
