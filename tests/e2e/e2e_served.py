"""`opspack mocks serve` in a subprocess on a free loopback port, and connections files that point at it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from opspack.mock_connections import served_connections
from opspack.settings import DEFAULT_CONNECTIONS_PATH

ROOT = Path(__file__).resolve().parents[2]


def env() -> dict[str, str]:
    """The environment for CLI subprocesses: this checkout first on the path, no live calls."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, "OPSPACK_NO_LIVE_CALLS": "1"}


def opspack(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "opspack.cli", *args],
        cwd=cwd,
        env=env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def served_mocks(workdir: Path, *extra: str) -> Iterator[str]:
    """Serve every vendor mock with `opspack mocks serve [extra...]`; yields the server's base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "opspack.cli", "mocks", "serve", "--port", str(port), *extra],
        cwd=workdir,
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not _listening(port):
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            assert time.monotonic() < deadline, "opspack mocks serve did not start listening"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def example_connections() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(DEFAULT_CONNECTIONS_PATH.read_text(encoding="utf-8"))
    return loaded


def write_connections(path: Path, url: str, names: list[str] | None = None) -> Path:
    example = example_connections()
    document = served_connections(url, names or sorted(example["connections"]), example)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path
