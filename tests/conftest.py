"""Suite-wide guards and shared fixtures.

Every test runs with the global "no live calls" switch on, against a fresh database in its own
temporary directory. Tests that need PostgreSQL use the `postgres_url` fixture, which skips with a
clear reason where no server answers.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ["OPSPACK_NO_LIVE_CALLS"] = "1"

POSTGRES_HOST = os.environ.get("OPSPACK_TEST_PG_HOST", "127.0.0.1")
POSTGRES_PORT = int(os.environ.get("OPSPACK_TEST_PG_PORT", "5432"))
POSTGRES_DB = os.environ.get("OPSPACK_TEST_PG_DB", "test")


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(autouse=True)
def _isolated_workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own working directory, so `.opspack/` never leaks between tests."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPSPACK_DATABASE_URL", raising=False)
    monkeypatch.setenv("OPSPACK_NO_LIVE_CALLS", "1")
    # Learned invoice layouts live in ~/.opspack by default: a developer's own lessons must not
    # change what a test reads, so each test starts with an empty lessons file of its own.
    monkeypatch.setenv("OPSPACK_LAYOUT_MEMORY", str(tmp_path / "ap-layouts.json"))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'opspack-test.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL to a fresh schema in the local PostgreSQL `test` database; skips where there is none."""
    if not _port_open(POSTGRES_HOST, POSTGRES_PORT):
        pytest.skip(f"PostgreSQL not reachable on {POSTGRES_HOST}:{POSTGRES_PORT} (needed for this test)")
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is in the test extras
        pytest.skip("psycopg is not installed (pip install -e '.[test]')")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    base = f"host={POSTGRES_HOST} port={POSTGRES_PORT} dbname={POSTGRES_DB} user=postgres"
    try:
        with psycopg.connect(base, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    except psycopg.Error as exc:
        pytest.skip(f"PostgreSQL on {POSTGRES_HOST}:{POSTGRES_PORT} refused the test connection: {exc}")
    url = (
        f"postgresql+psycopg://postgres@{POSTGRES_HOST}:{POSTGRES_PORT}/{POSTGRES_DB}"
        f"?options=-csearch_path%3D{schema}"
    )
    yield url
    with psycopg.connect(base, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Runs a test once on SQLite and once on PostgreSQL (the latter skips where absent)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'opspack-test.db'}"
    return str(request.getfixturevalue("postgres_url"))
