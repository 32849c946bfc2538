"""One SQLAlchemy Core store for everything governance keeps: ledger, approvals, idempotency
records, credentials metadata, kill switches, the service desk's queue state, the runtime's cursors.

SQLite (WAL) at ``.opspack/opspack.db`` by default; any SQLAlchemy URL through
``OPSPACK_DATABASE_URL`` (PostgreSQL is tested). Every table is declared in `governance.schema`
on one `metadata`; `Store` creates them all on open, so a fresh database needs no migration step.
This module knows the schema only: it imports none of the modules that read or write the tables.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, inspect
from sqlalchemy.exc import IntegrityError, ProgrammingError
from sqlalchemy.pool import StaticPool

from governance import aggregate_buckets, execution_group_commit
from governance.anchor import retire_anchor_log
from governance.errors import LedgerError
from governance.schema import metadata

__all__ = [
    "DATABASE_URL_ENV",
    "DEFAULT_DATABASE_PATH",
    "PRIVATE_FILE_MODE",
    "Store",
    "add_missing_columns",
    "create_all",
    "create_table",
    "default_database_url",
    "make_engine",
    "metadata",
    "prepare_sqlite_file",
    "reset_sqlite_database",
]

DEFAULT_DATABASE_PATH = Path(".opspack") / "opspack.db"
DATABASE_URL_ENV = "OPSPACK_DATABASE_URL"


PRIVATE_FILE_MODE = 0o600
"""Database files (and the WAL and shared-memory files SQLite derives from them) are owner-only."""


def default_database_url() -> str:
    """``OPSPACK_DATABASE_URL`` if set, else SQLite under ``.opspack/`` in the working directory."""
    url = os.environ.get(DATABASE_URL_ENV)
    if url:
        return url
    DEFAULT_DATABASE_PATH.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_DATABASE_PATH}"


def prepare_sqlite_file(path: Path) -> None:
    """Create the database file 0600 before SQLite opens it, and narrow an existing one (and its
    ``-wal``/``-shm`` companions) to 0600. SQLite gives the WAL and shared-memory files the
    database file's permissions, so they are born 0600 too."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
    if os.name != "posix":  # pragma: no cover - POSIX permissions only
        return
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            info = candidate.stat()
        except FileNotFoundError:
            continue
        if info.st_mode & 0o077 and info.st_uid == os.getuid():
            os.chmod(candidate, PRIVATE_FILE_MODE)


def reset_sqlite_database(path: Path) -> str:
    """Start a deliberately fresh SQLite ledger at `path` (demos, one-off runs); returns its URL.

    Removes the database and its ``-wal``/``-shm`` files and *retires* its anchor log (renamed
    with a timestamp, never deleted): a database that vanishes while its anchors remain is
    otherwise exactly what a wipe looks like, and `Ledger.verify` reports it as one.
    """
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    retire_anchor_log(url)
    prepare_sqlite_file(path)
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: every commit is fsynced to the WAL, so a committed ledger record or idempotency claim
    # survives a power loss (NORMAL would only protect against a process crash).
    cursor.execute("PRAGMA synchronous=FULL")
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
            path = url.split("///", 1)[-1].split("?", 1)[0]
            if path and not path.startswith("file:"):
                prepare_sqlite_file(Path(path))
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def add_missing_columns(engine: Engine) -> None:
    """Add nullable columns declared since a table was created (``create_all`` leaves existing
    tables alone): the one schema upgrade opspack does by itself."""
    inspector = inspect(engine)
    existing_tables = set(inspector.get_table_names())
    for table in metadata.sorted_tables:
        if table.name not in existing_tables:
            continue
        present = {column["name"] for column in inspector.get_columns(table.name)}
        missing = [column for column in table.columns if column.name not in present and column.nullable]
        if not missing:
            continue
        with engine.begin() as connection:
            for column in missing:
                kind = column.type.compile(dialect=engine.dialect)
                connection.exec_driver_sql(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}')


def create_table(engine: Engine, table: Table) -> None:
    """Create `table` if it is missing, tolerating another process creating it at the same moment
    (scale-out workers starting together on a fresh PostgreSQL schema race between the check and
    the CREATE; the loser sees a duplicate type or table)."""
    try:
        table.create(engine, checkfirst=True)
    except (IntegrityError, ProgrammingError):
        if not inspect(engine).has_table(table.name, schema=table.schema):
            raise


def create_all(engine: Engine) -> None:
    """Create every governance table that is missing, then add columns declared since.

    One ``create_all`` when nobody else is at it; if another process created a table in between
    (scale-out workers opening a fresh PostgreSQL schema together), table by table, tolerantly.
    """
    existing = set(inspect(engine).get_table_names())
    try:
        metadata.create_all(engine)
    except (IntegrityError, ProgrammingError):
        for table in metadata.sorted_tables:
            create_table(engine, table)
    add_missing_columns(engine)
    if "executions" in existing and "aggregate_buckets" not in existing:
        aggregate_buckets.rebuild(engine)  # executions from before the buckets existed


class Store:
    """The database every governance component shares. Cheap to pass around; one per process."""

    def __init__(
        self, url: str | None = None, *, engine: Engine | None = None, create_tables: bool = True
    ) -> None:
        """`create_tables=False` opens without any schema change (for read-only verification)."""
        self.url = url or default_database_url()
        self.engine = engine or make_engine(self.url)
        if not create_tables:
            return
        try:
            create_all(self.engine)
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
        """A transaction: committed on success, rolled back on error. It first writes the execution
        outcomes of this process still waiting for a commit (`governance.execution_group_commit`)."""
        with execution_group_commit.transaction(self.engine) as connection:
            yield connection

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection for reading, once this process's waiting execution outcomes are committed."""
        execution_group_commit.flush(self.engine)
        with self.engine.connect() as connection:
            yield connection

    def dispose(self) -> None:
        execution_group_commit.flush(self.engine)
        self.engine.dispose()
