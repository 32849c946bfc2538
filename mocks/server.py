"""All vendor mocks on one real HTTP port, for the vendors' own Python clients and for humans.

Requests are dispatched by each mock's native path prefixes (``/api/now`` → ServiceNow,
``/services/data`` → Salesforce...) or explicitly under ``/_mock/<vendor>/...`` (the prefix is
stripped). A request no mock serves gets a 404 JSON body listing every vendor with its prefixes
and routes. Injected drops close the socket without an answer; latency and slow bodies really wait.

With ``tls=`` (a `mocks.tls.MockTls`) the port speaks HTTPS with a certificate from the local mock
CA, so clients that insist on ``https://`` (pysnc, simple-salesforce, the Okta and Graph SDKs)
work unpatched once they trust ``ca.pem``. `serve_vendor_ports` gives each vendor a port of its
own on which every path goes to that vendor, so an SDK's base URL can be the bare origin
(``https://127.0.0.1:PORT``) with the vendor's own paths, token endpoints included.
"""

from __future__ import annotations

import json
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from mocks.base import MockConnectionDropped, MockRequest, MockResponse, MockVendor, QueryParams

if TYPE_CHECKING:
    from mocks.tls import MockTls

__all__ = ["MockDispatcher", "MockServer", "serve_mocks", "serve_vendor_ports"]

logger = logging.getLogger("opspack.mocks.server")
_EXPLICIT_PREFIX = "/_mock/"
_SLOW_BODY_CHUNKS = 8
_HANDSHAKE_TIMEOUT = 10.0


def _under(path: str, prefix: str) -> bool:
    prefix = prefix.rstrip("/")
    return path == prefix or path.startswith(prefix + "/") or (not prefix and path.startswith("/"))


@dataclass
class MockDispatcher:
    """Finds the mock (and the path it should see) for a request path."""

    mocks: dict[str, MockVendor]
    sole: bool = False
    """Serving one vendor only: every path that is not ``/_mock/...`` goes to it."""

    def resolve(self, path: str) -> tuple[MockVendor, str] | None:
        if path.startswith(_EXPLICIT_PREFIX):
            name, _, rest = path[len(_EXPLICIT_PREFIX) :].partition("/")
            mock = self.mocks.get(name)
            return (mock, "/" + rest) if mock is not None else None
        if self.sole and len(self.mocks) == 1:
            return next(iter(self.mocks.values())), path
        best: tuple[int, MockVendor] | None = None
        for mock in self.mocks.values():
            for prefix in mock.PREFIXES:
                if _under(path, prefix) and (best is None or len(prefix) > best[0]):
                    best = (len(prefix), mock)
        return (best[1], path) if best is not None else None

    def listing(self) -> dict[str, dict[str, list[str]]]:
        return {
            name: {"prefixes": [*mock.PREFIXES, f"{_EXPLICIT_PREFIX}{name}/"], "routes": mock.routes()}
            for name, mock in self.mocks.items()
        }

    def unserved(self, method: str, path: str) -> MockResponse:
        body = {"error": f"no mock serves {method} {path}", "vendors": self.listing()}
        return MockResponse(404, json.dumps(body, indent=1), {"Content-Type": "application/json"})


def _handler_class(
    dispatcher: MockDispatcher, sleep: Callable[[float], None]
) -> type[BaseHTTPRequestHandler]:
    class MockRequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as separate writes
        server_version = "opspack-mocks/0.1"

        def setup(self) -> None:
            if isinstance(self.request, ssl.SSLSocket):
                self.request.settimeout(_HANDSHAKE_TIMEOUT)
                self.request.do_handshake()
                self.request.settimeout(None)
            super().setup()

        def log_message(self, format: str, *args: object) -> None:
            logger.debug("%s " + format, self.address_string(), *args)

        def _read_body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                chunks: list[bytes] = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        self.rfile.readline()
                        return b"".join(chunks)
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _dispatch(self) -> None:
            parts = urlsplit(self.path)
            path = unquote(parts.path) or "/"
            body = self._read_body()
            resolved = dispatcher.resolve(path)
            if resolved is None:
                self._write(dispatcher.unserved(self.command, path))
                return
            mock, relative = resolved
            scheme = "https" if isinstance(self.request, ssl.SSLSocket) else "http"
            request = MockRequest(
                method=self.command,
                path=relative,
                query=QueryParams(parts.query),
                headers={
                    **{k: v for k, v in self.headers.items() if k.lower() != "x-forwarded-proto"},
                    "X-Forwarded-Proto": scheme,
                },
                body=body,
            )
            try:
                answer = mock.handle(request)
            except MockConnectionDropped:
                self.close_connection = True  # no answer at all: the client sees a dropped connection
                return
            except Exception as exc:  # a crashing handler is a mock bug: say so instead of hanging up
                logger.exception("%s mock handler failed on %s %s", mock.NAME, self.command, relative)
                answer = MockResponse(
                    500,
                    json.dumps({"error": f"{mock.NAME} mock handler crashed: {type(exc).__name__}: {exc}"}),
                    {"Content-Type": "application/json", "X-Mock-Crash": "1"},
                )
            self._write(answer)

        def _write(self, answer: MockResponse) -> None:
            if answer.delay > 0:
                sleep(answer.delay)
            payload = answer.body_bytes()
            self.send_response(answer.status)
            for name, value in answer.header_items():
                if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command == "HEAD" or not payload:
                return
            if answer.body_delay <= 0:
                self.wfile.write(payload)
                return
            step = max(1, len(payload) // _SLOW_BODY_CHUNKS)
            for start in range(0, len(payload), step):
                sleep(answer.body_delay / _SLOW_BODY_CHUNKS)
                self.wfile.write(payload[start : start + step])
                self.wfile.flush()

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_MERGE = _dispatch

    return MockRequestHandler


class _MockHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default backlog of 5 makes bursts of clients wait a second for SYN retries
    tls_context: ssl.SSLContext | None = None

    def get_request(self) -> tuple[socket.socket, object]:
        connection, address = super().get_request()
        if self.tls_context is None:
            return connection, address
        # the handshake runs lazily in the handler thread, so one slow client cannot stall accept()
        return self.tls_context.wrap_socket(
            connection, server_side=True, do_handshake_on_connect=False
        ), address

    def handle_error(self, request: object, client_address: object) -> None:
        logger.debug("mock server connection from %s failed", client_address, exc_info=True)


@dataclass
class MockServer:
    """A running mock server; `shutdown` stops it (it is also a context manager)."""

    url: str
    mocks: dict[str, MockVendor]
    tls: MockTls | None
    _server: ThreadingHTTPServer = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def vendor_url(self, name: str) -> str:
        """Base URL serving only `name`'s mock (``/_mock/<name>``)."""
        if name not in self.mocks:
            raise KeyError(f"no mock named {name!r}; serving {sorted(self.mocks)}")
        return f"{self.url}{_EXPLICIT_PREFIX}{name}"

    def shutdown(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> MockServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()


def serve_mocks(
    mocks: Mapping[str, MockVendor] | Iterable[MockVendor],
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    sleep: Callable[[float], None] = time.sleep,
    log_limit: int | None = 10_000,
    tls: MockTls | None = None,
    sole: bool = False,
) -> MockServer:
    """Serve `mocks` (by name, or a list keyed by their ``NAME``) in a background thread; port 0 = any.

    `log_limit` bounds each mock's request log, since a served mock may run for days. `tls` serves
    HTTPS with that certificate; `sole` (one mock only) sends every path to that mock.
    """
    by_name = dict(mocks) if isinstance(mocks, Mapping) else {m.NAME: m for m in mocks}
    if not by_name:
        raise ValueError("serve_mocks needs at least one mock")
    for mock in by_name.values():
        if log_limit is not None and (mock.log_limit is None or mock.log_limit > log_limit):
            mock.log_limit = log_limit
    if sole and len(by_name) != 1:
        raise ValueError(f"sole=True serves exactly one mock, got {sorted(by_name)}")
    dispatcher = MockDispatcher(by_name, sole=sole)
    server = _MockHTTPServer((host, port), _handler_class(dispatcher, sleep))
    server.tls_context = tls.server_context() if tls is not None else None
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="opspack-mocks", daemon=True
    )
    thread.start()
    bound_host = host if ":" not in host else f"[{host}]"
    scheme = "https" if tls is not None else "http"
    url = f"{scheme}://{bound_host}:{server.server_address[1]}"
    logger.info("serving mocks %s at %s", sorted(by_name), url)
    return MockServer(url=url, mocks=by_name, tls=tls, _server=server, _thread=thread)


def serve_vendor_ports(
    mocks: Mapping[str, MockVendor],
    host: str = "127.0.0.1",
    first_port: int = 0,
    *,
    tls: MockTls | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, MockServer]:
    """One server per vendor, each sending every path to its vendor; ports ``first_port + i``.

    ``first_port=0`` lets the system pick a free port for each. On failure, whatever was started
    is shut down again before the error propagates.
    """
    servers: dict[str, MockServer] = {}
    try:
        for index, (name, mock) in enumerate(mocks.items()):
            port = first_port + index if first_port else 0
            servers[name] = serve_mocks({name: mock}, host, port, sleep=sleep, tls=tls, sole=True)
    except BaseException:
        for started in servers.values():
            started.shutdown()
        raise
    return servers
