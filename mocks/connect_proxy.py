"""A local HTTP ``CONNECT`` proxy that tunnels vendors' real host names to the served mocks.

Some clients build their URL from an account id and cannot be given a base URL: the PyPI
``netsuite`` client always calls ``https://<account>.suitetalk.api.netsuite.com``. Pointed at this
proxy through ``HTTPS_PROXY`` (which ``requests``, ``httpx`` and ``urllib`` honour), such a client
opens a ``CONNECT <host>:443`` tunnel; the proxy connects that tunnel to the mock server's port
when the host matches one of its routes and refuses every other host with ``403``, so nothing
leaves the machine. TLS stays end to end between the client and the mock server, whose
certificate must cover the host (``ensure_tls(extra_hosts=[...])``) and be trusted by the client
(``SSL_CERT_FILE`` / ``REQUESTS_CA_BUNDLE``).

Routes are host patterns with ``fnmatch`` wildcards (``*.suitetalk.api.netsuite.com``).
"""

from __future__ import annotations

import contextlib
import fnmatch
import logging
import select
import socket
import socketserver
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

__all__ = ["ConnectProxy", "serve_connect_proxy", "upstream_for"]

logger = logging.getLogger("opspack.mocks.connect_proxy")
_MAX_HEADER_BYTES = 16_384
_CHUNK = 65_536
_IDLE_SECONDS = 60.0


def _answer(sock: socket.socket, status: str) -> None:
    with contextlib.suppress(OSError):
        sock.sendall(f"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())


def _read_head(sock: socket.socket) -> tuple[bytes, bytes] | None:
    """The request head and whatever the client sent after it (None: no complete head)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(1024)
        if not chunk or len(data) > _MAX_HEADER_BYTES:
            return None
        data += chunk
    head, _, early = data.partition(b"\r\n\r\n")
    return head, early


def _pipe(a: socket.socket, b: socket.socket) -> None:
    """Copy bytes both ways until either side closes or the tunnel idles out."""
    peers = {a: b, b: a}
    while True:
        ready, _, _ = select.select(list(peers), [], [], _IDLE_SECONDS)
        if not ready:
            return
        for source in ready:
            try:
                data = source.recv(_CHUNK)
                if not data:
                    return
                peers[source].sendall(data)
            except OSError:
                return


def upstream_for(routes: Mapping[str, tuple[str, int]], target_host: str) -> tuple[str, int] | None:
    """The mock address a ``CONNECT`` to `target_host` is tunnelled to (None: refused)."""
    name = target_host.lower()
    for pattern, address in routes.items():
        if fnmatch.fnmatchcase(name, pattern.lower()):
            return address
    return None


@dataclass(frozen=True)
class ConnectProxy:
    """A running proxy: `url` is what ``HTTPS_PROXY`` should say."""

    host: str
    port: int
    routes: Mapping[str, tuple[str, int]]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def environment(self) -> dict[str, str]:
        """Variables that send a client's HTTPS traffic through the proxy (and nothing around it)."""
        return {"HTTPS_PROXY": self.url, "https_proxy": self.url, "NO_PROXY": "", "no_proxy": ""}


def _handler_class(routes: Mapping[str, tuple[str, int]]) -> type[socketserver.BaseRequestHandler]:
    class ConnectHandler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            client: socket.socket = self.request
            read = _read_head(client)
            if read is None:
                return
            head, early = read
            method, _, rest = head.split(b"\r\n", 1)[0].decode("latin-1").partition(" ")
            target = rest.split(" ", 1)[0]
            if method != "CONNECT":
                _answer(client, "405 Method Not Allowed")
                return
            host = target.rpartition(":")[0].strip("[]")
            upstream = upstream_for(routes, host)
            if upstream is None:
                logger.warning("refused CONNECT to %s: no mock serves that host", target)
                _answer(client, "403 Forbidden")
                return
            try:
                server = socket.create_connection(upstream, timeout=10)
            except OSError:
                _answer(client, "502 Bad Gateway")
                return
            with server:
                server.settimeout(None)
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                if early:
                    server.sendall(early)  # bytes a client sent without waiting for the 200
                _pipe(client, server)

    return ConnectHandler


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextlib.contextmanager
def serve_connect_proxy(
    routes: Mapping[str, tuple[str, int]], host: str = "127.0.0.1", port: int = 0
) -> Iterator[ConnectProxy]:
    """Run a `ConnectProxy` on `host`:`port` (0: any free port) until the block exits.

    `routes` maps host patterns to the ``(host, port)`` of the mock server that answers them.
    """
    table = dict(routes)
    server = _Server((host, port), _handler_class(table))
    thread = threading.Thread(target=server.serve_forever, name="mock-connect-proxy", daemon=True)
    thread.start()
    try:
        yield ConnectProxy(host, int(server.server_address[1]), table)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
