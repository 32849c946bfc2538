"""Taking a checkpoint: verify what was added since the latest anchor, sign, append, record.

The first checkpoint verifies the whole ledger. Later ones read, partition by partition, only the
records after the latest anchor: the record at the anchor's count must still have the anchored
head hash, the new records must chain on from it with valid MACs, and the new Merkle root is the
anchored tree (`PartitionState.frontier`) extended by their hashes -- so the cost of a checkpoint
follows the records added since, not the size of the ledger, and a new anchor can only ever
extend the history the previous one signed. (A full `Ledger.verify` still checks everything.)
One anchor covers every partition (`governance.anchor`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, insert, select

from governance.anchor import FIRST_PREV_ENTRY, AnchorEntry, PartitionState, check_anchor_log
from governance.errors import LedgerError, LedgerIntegrityError
from governance.ledger_audit import MacRule
from governance.ledger_chain import GENESIS_HASH, ChainHead, LedgerRecord, VerifyReport, verify_chain
from governance.ledger_core import LedgerCore
from governance.ledger_partitions import base_seq, position_of
from governance.merkle import extend_frontier, frontier_root
from governance.schema import ledger_checkpoints, ledger_records


def _refuse(report: VerifyReport) -> LedgerIntegrityError:
    seq = report.first_bad.seq if report.first_bad else None
    return LedgerIntegrityError(f"not anchoring: {report.message}", record_seq=seq)


def take_checkpoint(ledger: LedgerCore) -> int:
    """`Ledger.checkpoint`: anchor and store a checkpoint over what was added since the last one."""
    if ledger.read_only:
        raise LedgerError("this ledger was opened read-only (for verification)")
    keys = ledger.keys
    with ledger.anchors.locked():
        anchors = ledger.anchors.entries()
        problem = check_anchor_log(anchors, keys)
        if problem is not None:
            raise LedgerIntegrityError(f"not anchoring: the anchor log cannot be trusted: {problem}")
        latest = anchors[-1] if anchors else None
        if latest is None:
            result = ledger._audit(keys)
            if not result.report.ok:
                raise _refuse(result.report)
            added, first_mac = result.hashes, result.macs_from
        else:
            added, first_mac = _verified_since(ledger, latest)
        states: list[PartitionState] = []
        for partition in sorted(
            set(added) | {0} | {s.partition for s in (latest.states() if latest else [])}
        ):
            before = latest.state(partition) if latest else None
            new = added.get(partition, [])
            frontier = extend_frontier(before.frontier if before else [], new)
            records = (before.records if before else 0) + len(new)
            head = new[-1] if new else (before.head_hash if before else GENESIS_HASH)
            if records or partition == 0:
                states.append(PartitionState(partition, records, head, frontier_root(frontier), frontier))
        zero, others = states[0], states[1:]
        created = ledger.clock().astimezone(UTC)
        if any(added.values()):
            entry = AnchorEntry(
                sequence=latest.sequence + 1 if latest else 1,
                records=zero.records,
                head_hash=zero.head_hash,
                merkle_root=zero.merkle_root,
                macs_from=latest.macs_from if latest else (first_mac or zero.records + 1),
                created_at=created.isoformat(timespec="microseconds"),
                prev_entry=latest.entry_hash() if latest else FIRST_PREV_ENTRY,
                frontier=zero.frontier,
                partitions=others,
            )
            ledger.anchors.append(entry.signed(keys))
        with ledger.store.begin() as connection:
            ids = [
                connection.execute(
                    insert(ledger_checkpoints).values(
                        size=state.records,
                        root=state.merkle_root,
                        created_at=created.isoformat(),
                        partition=state.partition or None,
                    )
                ).inserted_primary_key
                for state in states
            ]
    key = ids[0]
    if key is None:  # pragma: no cover - every supported dialect returns it
        raise LedgerError("the database did not return the new checkpoint id")
    return int(key[0])


def _verified_since(ledger: LedgerCore, latest: AnchorEntry) -> tuple[dict[int, list[str]], int | None]:
    """Hashes of each partition's records after `latest`, once they are shown to extend it."""
    added: dict[int, list[str]] = {}
    first_mac: int | None = None
    with ledger._snapshot() as connection:
        heads = ledger._read_heads(connection)
        for partition in sorted(set(heads) | {s.partition for s in latest.states()}):
            state = latest.state(partition) or PartitionState(partition, 0, GENESIS_HASH, "", [])
            rule = MacRule(ledger.keys, latest.macs_from if partition == 0 else 0)
            if partition == 0:
                macs_from = latest.macs_from
                rule.first_mac = macs_from if macs_from and macs_from <= latest.records else None
            added[partition] = _partition_since(connection, ledger, state, heads.get(partition), rule, latest)
            if partition == 0:
                first_mac = rule.first_mac
    return added, first_mac


def _partition_since(
    connection: Connection,
    ledger: LedgerCore,
    state: PartitionState,
    head: ChainHead | None,
    rule: MacRule,
    latest: AnchorEntry,
) -> list[str]:
    base = base_seq(state.partition)
    if state.records:
        anchored = connection.execute(
            select(ledger_records.c.hash).where(ledger_records.c.seq == base + state.records)
        ).scalar_one_or_none()
        if anchored != state.head_hash:
            raise LedgerIntegrityError(
                f"not anchoring: record {base + state.records} no longer has the hash signed in anchor "
                f"{latest.sequence}; run `opspack audit verify`",
                record_seq=base + state.records,
            )
    if head is None:
        raise LedgerIntegrityError(
            f"not anchoring: partition {state.partition} has no chain head row; run `opspack audit verify`",
            record_seq=base + 1,
        )
    hashes: list[str] = []

    def collect(records: Iterable[LedgerRecord]) -> Iterator[LedgerRecord]:
        for record in records:
            hashes.append(record.hash)
            yield record

    report = verify_chain(
        collect(ledger._stream(connection, after=base + state.records, before=base_seq(state.partition + 1))),
        head,
        first_seq=base + state.records + 1,
        prev_hash=state.head_hash if state.records else GENESIS_HASH,
        check_mac=rule,
    )
    if not report.ok:
        raise _refuse(report)
    return hashes


def checkpoint_if_due(ledger: LedgerCore, every: timedelta) -> int | None:
    """`Ledger.checkpoint` when records were added since the latest anchor and it is older than
    `every` (or there is none); else None."""
    anchors = ledger.anchors.entries()
    latest = anchors[-1] if anchors else None
    if latest is not None:
        age = ledger.clock() - datetime.fromisoformat(latest.created_at)
        if age < every:
            return None
        with ledger.store.connect() as connection:
            heads = ledger._read_heads(connection)
        anchored = {state.partition: state.records for state in latest.states()}
        if all(position_of(head.seq) <= anchored.get(partition, 0) for partition, head in heads.items()):
            return None
    return take_checkpoint(ledger)
