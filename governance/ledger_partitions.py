"""Ledger partitions: one hash chain per partition, so concurrent writers do not queue on one lock.

A transaction's records all go to one partition, chosen stably from its id (`partition_of`:
SHA-256 of the id, modulo the partition count). Each partition is a chain of its own, with its
own head row, so two workers appending for transactions in different partitions never wait for
each other; a transaction's timeline stays one ordered run of one chain.

A record's ``seq`` carries its partition in the high bits: ``seq = partition << 40 | position``
(position 1, 2, ... within the partition). Partition 0 therefore *is* the single chain of a ledger
written before partitions existed (seq 1, 2, ...), which keeps verifying unchanged; and because
``seq`` is inside every record's hash, a record moved to another partition no longer matches its
hash. Head row ``id`` is ``partition + 1`` (partition 0 keeps the historical row id 1).

Signed anchors (`governance.anchor`) commit to every partition's record count, head hash and
Merkle root in one signature; `governance.ledger_audit` verifies each chain and each partition's
anchored state.

The partition count is configured per deployment (``Ledger(partitions=...)`` or
``OPSPACK_LEDGER_PARTITIONS``) and recorded by the head rows: it may grow (new head rows are added)
but never shrinks, so a record's partition never disappears. Growing it moves some transactions to
new partitions for their later records; grow it when no transaction is open.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import groupby

from sqlalchemy import Connection, text

from governance.errors import LedgerError
from governance.ledger_chain import (
    GENESIS_HASH,
    PARTITION_SHIFT,
    BadRecord,
    ChainHead,
    LedgerRecord,
    VerifyReport,
    verify_chain,
)

PARTITIONS_ENV = "OPSPACK_LEDGER_PARTITIONS"
SHIFT = PARTITION_SHIFT
"""Bits of a partition's position in ``seq``: 2**40 records per partition."""
POSITION_MASK = (1 << SHIFT) - 1
MAX_PARTITIONS = 4096


def partition_of(transaction_id: str, partitions: int) -> int:
    """The partition a transaction's records go to: stable across processes and restarts."""
    if partitions <= 1:
        return 0
    digest = hashlib.sha256(transaction_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % partitions


def partition_of_seq(seq: int) -> int:
    return seq >> SHIFT


def position_of(seq: int) -> int:
    """1 for the first record of a partition, 2 for the next, ..."""
    return seq & POSITION_MASK


def base_seq(partition: int) -> int:
    """The seq before a partition's first record (its empty head)."""
    return partition << SHIFT


def head_row_id(partition: int) -> int:
    return partition + 1


def partition_of_head_row(row_id: int) -> int:
    return row_id - 1


def configured_partitions(explicit: int | None, environ: Mapping[str, str] | None = None) -> int | None:
    """The partition count asked for (argument, then environment), or None when not configured."""
    env = os.environ if environ is None else environ
    value: int | str | None = explicit if explicit is not None else env.get(PARTITIONS_ENV)
    if value is None or value == "":
        return None
    try:
        count = int(value)
    except ValueError:
        raise LedgerError(f"{PARTITIONS_ENV} must be a whole number, not {value!r}") from None
    if not 1 <= count <= MAX_PARTITIONS:
        raise LedgerError(f"the ledger partition count must be between 1 and {MAX_PARTITIONS}, not {count}")
    return count


# --- serialising only what must be serialised --------------------------------------------------


def lock_number(name: str) -> int:
    """A signed 64-bit lock id for a name (PostgreSQL advisory locks take a bigint)."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big", signed=True)


def lock_names(connection: Connection, names: Iterable[str]) -> None:
    """PostgreSQL: take transaction-scoped advisory locks on `names`, in one fixed order (so two
    transactions wanting the same names cannot deadlock). Other databases: nothing (SQLite
    transactions that write already hold the database's one write lock)."""
    if connection.dialect.name != "postgresql":
        return
    held: set[int] = connection.info.setdefault("opspack.advisory_locks", set())
    transaction = connection.get_transaction()
    if connection.info.get("opspack.advisory_owner") is not transaction:
        held.clear()
        connection.info["opspack.advisory_owner"] = transaction
    wanted = sorted({lock_number(name) for name in names} - held)
    for number in wanted:
        connection.execute(text("SELECT pg_advisory_xact_lock(:n)"), {"n": number})
        held.add(number)


# --- verification, partition by partition -----------------------------------------------------


def by_partition(records: Iterable[LedgerRecord]) -> Iterator[tuple[int, Iterator[LedgerRecord]]]:
    """Records in seq order, grouped by partition (each group is one chain, in order)."""
    return groupby(records, key=lambda record: partition_of_seq(record.seq))


def verify_partitions(
    records: Iterable[LedgerRecord],
    heads: Mapping[int, ChainHead] | None,
    *,
    check_mac: Callable[[int], Callable[[LedgerRecord], str | None] | None] | None = None,
    on_record: Callable[[LedgerRecord], None] | None = None,
) -> VerifyReport:
    """Verify every partition's chain (records in seq order) against its head; the first misfit,
    in partition order, is named. `heads` None skips the head checks (exports without heads)."""
    checked, seen = 0, set()

    def tap(stream: Iterable[LedgerRecord]) -> Iterator[LedgerRecord]:
        for record in stream:
            if on_record is not None:
                on_record(record)
            yield record

    for partition, group in by_partition(records):
        seen.add(partition)
        head = _head_for(heads, partition)
        if heads is not None and head is None:
            first = next(group)
            return VerifyReport(
                False,
                checked,
                BadRecord(
                    first.seq,
                    first.id,
                    f"belongs to partition {partition}, which has no chain head (inserted outside the ledger)",
                ),
            )
        report = verify_chain(
            tap(group),
            head,
            first_seq=base_seq(partition) + 1,
            prev_hash=GENESIS_HASH,
            check_mac=check_mac(partition) if check_mac else None,
        )
        if not report.ok:
            return VerifyReport(False, checked + report.records_checked, report.first_bad)
        checked += report.records_checked
    for partition, head in sorted((heads or {}).items()):
        if partition not in seen and head.seq > base_seq(partition):
            return VerifyReport(
                False,
                checked,
                BadRecord(
                    head.seq,
                    head.record_id,
                    f"missing: partition {partition}'s chain head ends at position {position_of(head.seq)}, "
                    "the partition holds no records",
                ),
            )
    return VerifyReport(True, checked)


def _head_for(heads: Mapping[int, ChainHead] | None, partition: int) -> ChainHead | None:
    if heads is None:
        return None
    return heads.get(partition)
