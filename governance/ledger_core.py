"""The ledger's core: append, read and verify the hash chains (`governance.ledger.Ledger` adds
checkpoints, proofs and export on top of it).

See `governance.ledger` for the records, hashes, MACs and partitions. `serialise_writers` is the
one lock every governed write takes; `utc_now` (from `governance.clock`) the ledger's clock.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from governance import fast_sql, ledger_batch
from governance.anchor import AnchorLog, default_anchor_log
from governance.clock import utc_now
from governance.errors import LedgerError, LedgerIntegrityError
from governance.evidence import check_record
from governance.ledger_audit import AuditResult, StoredCheckpoint, audit
from governance.ledger_chain import (
    GENESIS_HASH,
    RECORD_KINDS,
    BadRecord,
    ChainHead,
    LedgerRecord,
    VerifyReport,
    payload_json,
    record_hash,
)
from governance.ledger_keys import LedgerKeys, load_ledger_keys
from governance.ledger_partitions import (
    base_seq,
    configured_partitions,
    head_row_id,
    lock_names,
    partition_of,
    partition_of_head_row,
)
from governance.ledger_reads import LedgerReader
from governance.ledger_tables import INSERT_RECORD, MOVE_HEAD, READ_HEAD_FOR_UPDATE
from governance.schema import ledger_checkpoints, ledger_head
from governance.secrets import SecretProvider
from governance.store import Store


def serialise_writers(connection: Connection, *names: str) -> None:
    """Serialise this transaction with others that touch the same things, for its rest.

    SQLite starts an IMMEDIATE transaction (the database's one write lock) unless the transaction
    already holds it. PostgreSQL takes no global lock: each ledger partition's head row is locked
    by the first append to it (`Ledger.append`), and `names` (aggregate buckets, an action's
    business key) are locked as advisory locks (`governance.ledger_partitions.lock_names`), so
    what is read afterwards about them -- running totals, an idempotency record -- is consistent
    with what is written, while unrelated transactions proceed in parallel.
    """
    if connection.dialect.name == "sqlite":
        raw = connection.connection.driver_connection
        if raw is not None and not raw.in_transaction:
            raw.execute("BEGIN IMMEDIATE")  # on the driver: SQLAlchemy tracks no state for it
        return
    if names:
        lock_names(connection, names)


class LedgerCore(LedgerReader):
    """Appends, reads (`governance.ledger_reads`) and verifies the chains in `store`."""

    def __init__(
        self,
        store: Store,
        *,
        clock: Callable[[], datetime] = utc_now,
        keys: LedgerKeys | None = None,
        anchors: AnchorLog | None = None,
        secrets: SecretProvider | None = None,
        read_only: bool = False,
        partitions: int | None = None,
    ) -> None:
        """`keys` default to the ledger keys in `secrets` (default: the default secret provider),
        created there on first write; `anchors` to `default_anchor_log` for the store's URL.
        A `read_only` ledger writes nothing, not even the chain-head row (for `verify`).
        `partitions` (default ``$OPSPACK_LEDGER_PARTITIONS``, else what the database holds, else 1)
        is the number of hash chains appends spread over (`governance.ledger_partitions`)."""
        self.store = store
        self.clock = clock
        self._keys = keys
        self._secrets = secrets
        self.anchors: AnchorLog = anchors if anchors is not None else default_anchor_log(store.url)
        self.read_only = read_only
        self._partitions = configured_partitions(partitions)
        if not read_only:
            ledger_batch.install(store.engine)
            self._partitions = self._ensure_heads(self._partitions or 1)

    @property
    def keys(self) -> LedgerKeys:
        """The keys to write with (MAC key and signing key), created on first use."""
        if self._keys is None or self._keys.mac_key is None or self._keys.signing_key is None:
            self._keys = load_ledger_keys(self._secrets, create=True)
        return self._keys

    def verification_keys(self) -> LedgerKeys:
        """The keys to verify with; never creates one (a missing key is reported by `verify`)."""
        if self._keys is None:
            self._keys = load_ledger_keys(self._secrets, create=False)
        return self._keys

    @property
    def partitions(self) -> int:
        """How many hash chains the ledger spreads transactions over."""
        if self._partitions is None:
            with self.store.connect() as connection:
                self._partitions = max(1, len(self._read_heads(connection)))
        return self._partitions

    def _ensure_heads(self, wanted: int) -> int:
        """Create the head rows of partitions 0..wanted-1 that are missing; returns the partition
        count now in force (never fewer than the database already has)."""
        with self.store.connect() as connection:
            present = {
                int(row.id)
                for row in connection.execute(select(ledger_head.c.id).where(ledger_head.c.id >= 1))
            }
        count = max(wanted, max(present, default=0))
        for row_id in range(1, count + 1):
            if row_id in present:
                continue
            partition = partition_of_head_row(row_id)
            try:
                with self.store.begin() as connection:
                    connection.execute(
                        insert(ledger_head).values(
                            id=row_id, seq=base_seq(partition), record_id=None, hash=GENESIS_HASH
                        )
                    )
            except IntegrityError:
                pass  # another process created it first
        return count

    # --- writing -----------------------------------------------------------------------------

    def append(
        self,
        transaction_id: str,
        kind: str,
        payload: Mapping[str, Any],
        *,
        agent: str | None = None,
        actor: str | None = None,
        connection: Connection | None = None,
    ) -> LedgerRecord:
        """Append one record; inside `connection`'s transaction when given, else its own."""
        if self.read_only:
            raise LedgerError("this ledger was opened read-only (for verification)")
        if kind not in RECORD_KINDS:
            raise LedgerError(f"unknown ledger record kind {kind!r}; known kinds: {sorted(RECORD_KINDS)}")
        if not transaction_id:
            raise LedgerError("a ledger record needs a transaction id")
        check_record(kind, agent, payload)  # measurement's evidence schema (governance.evidence)
        text = payload_json(payload)
        if connection is not None:
            return self._append(connection, transaction_id, kind, text, agent, actor)
        with self.store.begin() as own:
            return self._append(own, transaction_id, kind, text, agent, actor)

    def _append(
        self,
        connection: Connection,
        transaction_id: str,
        kind: str,
        text: str,
        agent: str | None,
        actor: str | None,
    ) -> LedgerRecord:
        serialise_writers(connection)
        partition = partition_of(transaction_id, self.partitions)
        head = self._head_in(connection, partition)
        fields: dict[str, Any] = {
            "seq": int(head.seq) + 1,
            "id": str(uuid.uuid4()),
            "transaction_id": transaction_id,
            "kind": kind,
            "agent": agent,
            "actor": actor,
            "created_at": self.clock().astimezone(UTC).isoformat(timespec="microseconds"),
            "payload": text,
        }
        digest = record_hash(head.hash, fields)
        row = {**fields, "prev_hash": head.hash, "hash": digest, "mac": self.keys.mac(digest)}
        if connection.in_nested_transaction():  # written at once: a savepoint may roll back
            connection.execute(INSERT_RECORD, row)
            connection.execute(
                MOVE_HEAD,
                {
                    "head_id": head_row_id(partition),
                    "new_seq": row["seq"],
                    "new_id": row["id"],
                    "new_hash": digest,
                },
            )
        else:
            ledger_batch.remember(connection, partition, row)
        return LedgerRecord.from_row(row)

    @staticmethod
    def _head_in(connection: Connection, partition: int) -> ChainHead:
        """The partition's head as this transaction sees it, read (and on PostgreSQL row-locked) by
        the transaction's first append to the partition and remembered for the next ones.

        Safe because the transaction holds the partition's lock: nobody else can move that head
        until it ends, and a new transaction (or a savepoint) never reuses the remembered value.
        """
        cached = ledger_batch.cached_head(connection, partition)
        if cached is not None:
            return cached
        row = fast_sql.first(connection, READ_HEAD_FOR_UPDATE, {"head_id": head_row_id(partition)})
        if row is None:
            raise LedgerError(
                f"ledger partition {partition} has no chain head row; open the ledger with "
                "Ledger(store) so its partitions are set up"
            )
        return ChainHead(int(row[0]), None, row[1])

    # --- verification, checkpoints, export ---------------------------------------------------

    def _audit(self, keys: LedgerKeys) -> AuditResult:
        """Read the anchors, then the head, records and checkpoints from one snapshot, and judge."""
        try:
            anchors = self.anchors.entries()
        except LedgerError as exc:
            return AuditResult(VerifyReport(False, 0, anchor_problem=str(exc)))
        try:
            with self._snapshot() as connection:
                heads = self._read_heads(connection)
                checkpoints = [
                    StoredCheckpoint(int(row.id), int(row.size), row.root, int(row.partition or 0))
                    for row in connection.execute(
                        select(ledger_checkpoints).order_by(ledger_checkpoints.c.id)
                    )
                ]
                return audit(
                    self._stream(connection), heads, keys=keys, anchors=anchors, checkpoints=checkpoints
                )
        except SQLAlchemyError as exc:
            if not anchors:
                raise LedgerError(f"cannot read the ledger ({self.store.redacted_url}): {exc}") from exc
            bad = BadRecord(
                1,
                None,
                f"the ledger tables cannot be read ({type(exc).__name__}) "
                f"but {len(anchors)} signed anchors exist: the ledger was removed",
            )
            return AuditResult(VerifyReport(False, 0, bad, anchors_checked=len(anchors)))

    def verify(self) -> VerifyReport:
        """Check the anchor log, the whole chain with its MACs, the head, the latest signed anchor
        and every stored Merkle checkpoint; read-only (see `governance.ledger_audit`)."""
        return self._audit(self.verification_keys()).report

    def verify_or_raise(self) -> VerifyReport:
        report = self.verify()
        if not report.ok:
            seq = report.first_bad.seq if report.first_bad else None
            raise LedgerIntegrityError(report.message, record_seq=seq)
        return report
