"""One SQLAlchemy Core store for everything governance keeps: ledger, approvals, idempotency
records, credentials metadata, autonomy state.

SQLite (WAL) at ``.opspack/opspack.db`` by default; any SQLAlchemy URL through
``OPSPACK_DATABASE_URL`` (PostgreSQL is tested). Each governance module declares its tables on
the shared `metadata`; `Store` creates them all on open, so a fresh database needs no migration
step.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, MetaData, create_engine, event
from sqlalchemy.pool import StaticPool

from governance.errors import LedgerError

metadata = MetaData()

DEFAULT_DATABASE_PATH = Path(".opspack") / "opspack.db"
DATABASE_URL_ENV = "OPSPACK_DATABASE_URL"


def default_database_url() -> str:
    """``OPSPACK_DATABASE_URL`` if set, else SQLite under ``.opspack/`` in the working directory."""
    url = os.environ.get(DATABASE_URL_ENV)
    if url:
        return url
    DEFAULT_DATABASE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_DATABASE_PATH}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for `url`, with SQLite tuned for one writer and many readers."""
    if url.startswith("sqlite"):
        if url in ("sqlite://", "sqlite:///:memory:"):
            engine = create_engine(
                url, connect_args={"check_same_thread": False}, poolclass=StaticPool, future=True
            )
        else:
            path = url.split("///", 1)[-1]
            if path:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _register_tables() -> None:
    """Import every module that declares tables so `metadata` knows them all."""
    import governance.approvals
    import governance.executor
    import governance.identity
    import governance.ledger  # noqa: F401


class Store:
    """The database every governance component shares. Cheap to pass around; one per process."""

    def __init__(self, url: str | None = None, *, engine: Engine | None = None) -> None:
        self.url = url or default_database_url()
        self.engine = engine or make_engine(self.url)
        _register_tables()
        try:
            metadata.create_all(self.engine)
        except Exception as exc:
            raise LedgerError(f"cannot open the opspack database ({self.redacted_url}): {exc}") from exc

    @property
    def redacted_url(self) -> str:
        """The URL with any password hidden, for messages."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A transaction: committed on success, rolled back on error."""
        with self.engine.begin() as connection:
            yield connection

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            yield connection

    def dispose(self) -> None:
        self.engine.dispose()
