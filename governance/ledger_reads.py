"""Reading the ledger: records, timelines, chain heads and consistent snapshots (`Ledger`'s reads)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from governance.errors import NotFoundError
from governance.ledger_chain import GENESIS_HASH, ChainHead, LedgerRecord
from governance.ledger_partitions import base_seq, partition_of_head_row
from governance.schema import ledger_head, ledger_records
from governance.store import Store


class LedgerReader(ABC):
    """The read side of `governance.ledger.Ledger` (which sets `store` and `partitions`)."""

    store: Store

    @property
    @abstractmethod
    def partitions(self) -> int:
        """How many hash chains the ledger has (`governance.ledger_partitions`)."""

    def records(
        self,
        transaction_id: str | None = None,
        *,
        kind: str | None = None,
        agent: str | None = None,
        since: datetime | None = None,
    ) -> list[LedgerRecord]:
        """Records filtered by any of transaction, kind, agent and creation time: in chain order
        (one transaction lives in one partition), and across partitions by creation time."""
        order = (
            (ledger_records.c.seq,)
            if transaction_id is not None or self.partitions == 1
            else (ledger_records.c.created_at, ledger_records.c.seq)
        )
        query = select(ledger_records).order_by(*order)
        if since is not None:
            query = query.where(
                ledger_records.c.created_at >= since.astimezone(UTC).isoformat(timespec="microseconds")
            )
        if transaction_id is not None:
            query = query.where(ledger_records.c.transaction_id == transaction_id)
        if kind is not None:
            query = query.where(ledger_records.c.kind == kind)
        if agent is not None:
            query = query.where(ledger_records.c.agent == agent)
        with self.store.connect() as connection:
            return [LedgerRecord.from_row(row._mapping) for row in connection.execute(query)]

    def timeline(self, transaction_id: str) -> list[LedgerRecord]:
        """Every record of one transaction in order; raises `NotFoundError` if there is none."""
        found = self.records(transaction_id)
        if not found:
            raise NotFoundError(f"no ledger records for transaction {transaction_id!r}")
        return found

    def get(self, record_id: str) -> LedgerRecord:
        with self.store.connect() as connection:
            row = connection.execute(select(ledger_records).where(ledger_records.c.id == record_id)).first()
        if row is None:
            raise NotFoundError(f"no ledger record with id {record_id!r}")
        return LedgerRecord.from_row(row._mapping)

    def head(self) -> ChainHead:
        """Partition 0's head (the whole chain of a ledger with one partition)."""
        with self.store.connect() as connection:
            return self._read_heads(connection)[0]

    def has_records(self) -> bool:
        """Whether any partition holds a record (what "is there anything to anchor" asks)."""
        return any(head.seq > base_seq(partition) for partition, head in self.heads().items())

    def heads(self) -> dict[int, ChainHead]:
        """Every partition's head, by partition."""
        with self.store.connect() as connection:
            return self._read_heads(connection)

    @staticmethod
    def _read_heads(connection: Connection) -> dict[int, ChainHead]:
        """The head rows by partition; no rows at all read as one genesis head (records or anchors
        then show what was removed)."""
        heads = {
            partition_of_head_row(int(row.id)): ChainHead(int(row.seq), row.record_id, row.hash)
            for row in connection.execute(select(ledger_head).where(ledger_head.c.id >= 1))
        }
        return heads or {0: ChainHead(0, None, GENESIS_HASH)}

    @contextmanager
    def _snapshot(self) -> Iterator[Connection]:
        """A read-only connection that sees one moment of the ledger, head and records alike.

        Without it an append landing between reading the head and walking the records looks
        like a record "appended after the chain head" -- a false tamper alarm during live work.
        """
        with self.store.connect() as connection:
            if connection.dialect.name == "sqlite":
                raw = connection.connection.driver_connection
                if raw is not None and not raw.in_transaction:
                    connection.exec_driver_sql("BEGIN")  # WAL: the first read fixes the snapshot
            else:
                connection.execution_options(isolation_level="REPEATABLE READ")
            yield connection

    def _stream(
        self, connection: Connection, after: int = 0, before: int | None = None
    ) -> Iterator[LedgerRecord]:
        """Records in seq order (partition by partition), with ``after < seq < before``."""
        query = select(ledger_records).order_by(ledger_records.c.seq)
        if after:
            query = query.where(ledger_records.c.seq > after)
        if before is not None:
            query = query.where(ledger_records.c.seq < before)
        result = connection.execution_options(yield_per=2000).execute(query)
        for row in result:
            yield LedgerRecord.from_row(row._mapping)
