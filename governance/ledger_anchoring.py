"""Taking a checkpoint: verify what was added since the latest anchor, sign, append, record.

The first checkpoint verifies the whole ledger. Later ones read only the records after the latest
anchor: the record at the anchor's count must still have the anchored head hash, the new records
must chain on from it with valid MACs, and the new Merkle root is the anchored tree
(`AnchorEntry.frontier`) extended by their hashes -- so the cost of a checkpoint follows the
records added since, not the size of the ledger, and a new anchor can only ever extend the history
the previous one signed. (A full `Ledger.verify` still checks everything.)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC

from sqlalchemy import insert, select

from governance.anchor import FIRST_PREV_ENTRY, AnchorEntry, check_anchor_log
from governance.errors import LedgerError, LedgerIntegrityError
from governance.ledger import Ledger, ledger_checkpoints, ledger_records
from governance.ledger_audit import MacRule
from governance.ledger_chain import LedgerRecord, VerifyReport, verify_chain
from governance.merkle import extend_frontier, frontier_root


def _refuse(report: VerifyReport) -> LedgerIntegrityError:
    seq = report.first_bad.seq if report.first_bad else None
    return LedgerIntegrityError(f"not anchoring: {report.message}", record_seq=seq)


def take_checkpoint(ledger: Ledger) -> int:
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
            frontier = extend_frontier([], added)
        else:
            added, first_mac = _verified_since(ledger, latest)
            frontier = extend_frontier(latest.frontier, added)
        count = (latest.records if latest else 0) + len(added)
        root = frontier_root(frontier)
        if added:
            entry = AnchorEntry(
                sequence=latest.sequence + 1 if latest else 1,
                records=count,
                head_hash=added[-1],
                merkle_root=root,
                macs_from=latest.macs_from if latest else (first_mac or count + 1),
                created_at=ledger.clock().astimezone(UTC).isoformat(timespec="microseconds"),
                prev_entry=latest.entry_hash() if latest else FIRST_PREV_ENTRY,
                frontier=frontier,
            )
            ledger.anchors.append(entry.signed(keys))
        with ledger.store.begin() as connection:
            inserted = connection.execute(
                insert(ledger_checkpoints).values(
                    size=count, root=root, created_at=ledger.clock().astimezone(UTC).isoformat()
                )
            )
    key = inserted.inserted_primary_key
    if key is None:  # pragma: no cover - every supported dialect returns it
        raise LedgerError("the database did not return the new checkpoint id")
    return int(key[0])


def _verified_since(ledger: Ledger, latest: AnchorEntry) -> tuple[list[str], int | None]:
    """Hashes of the records after `latest`, once they are shown to extend it (else raises)."""
    hashes: list[str] = []
    rule = MacRule(ledger.keys, latest.macs_from)
    with ledger._snapshot() as connection:
        head = ledger._read_head(connection)
        if latest.records:
            anchored = connection.execute(
                select(ledger_records.c.hash).where(ledger_records.c.seq == latest.records)
            ).scalar_one_or_none()
            if anchored != latest.head_hash:
                raise LedgerIntegrityError(
                    f"not anchoring: record {latest.records} no longer has the hash signed in anchor "
                    f"{latest.sequence}; run `opspack audit verify`",
                    record_seq=latest.records,
                )
        rule.first_mac = latest.macs_from if latest.macs_from and latest.macs_from <= latest.records else None

        def collect(records: Iterable[LedgerRecord]) -> Iterator[LedgerRecord]:
            for record in records:
                hashes.append(record.hash)
                yield record

        report = verify_chain(
            collect(ledger._stream(connection, after=latest.records)),
            head,
            first_seq=latest.records + 1,
            prev_hash=latest.head_hash,
            check_mac=rule,
        )
    if not report.ok:
        raise _refuse(report)
    return hashes, rule.first_mac
