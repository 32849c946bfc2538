"""Judging a ledger against its keys and its signed anchors -- pure, no database.

`audit` walks the records once and, in this order, names the first thing that is wrong:

1. the anchor log itself: every entry signed by a trusted key, numbered without gaps, each
   linked to the one before (`governance.anchor.check_anchor_log`);
2. each partition's chain (`governance.ledger_partitions`): sequence, ``prev_hash`` link, SHA-256
   over the content, then the record's MAC under the ledger MAC key -- so a record rewritten by
   someone without that key is named even when every hash after it was recomputed
   (`governance.ledger_chain.verify_chain`), and against the partition's head row;
3. the latest anchor, partition by partition: at least as many records as it covers (else the
   tail was truncated or the partition wiped), the same head hash at its count and the same
   Merkle root over the records it covers; on a mismatch the first record that no signed anchor
   still vouches for is named;
4. the Merkle checkpoints kept in the database (a convenience for proofs, not a trust root).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from governance.anchor import AnchorEntry, PartitionState, check_anchor_log
from governance.ledger_chain import BadRecord, ChainHead, LedgerRecord, VerifyReport
from governance.ledger_keys import MAC_KEY_PATH, LedgerKeys
from governance.ledger_partitions import base_seq, partition_of_seq, verify_partitions
from governance.merkle import merkle_root


@dataclass
class AuditResult:
    report: VerifyReport
    hashes: dict[int, list[str]] = field(default_factory=dict)
    """Record hashes of each partition in chain order (complete when the chains were intact)."""
    macs_from: int | None = None
    """The first seq of partition 0 that carries a MAC, or None when no record does (records
    of every other partition always carry one)."""


@dataclass(frozen=True)
class StoredCheckpoint:
    id: int
    size: int
    root: str
    partition: int = 0


class MacRule:
    """Records carry a valid MAC; only a prefix written before keying (and before the first anchor's
    ``macs_from``) may carry none."""

    def __init__(self, keys: LedgerKeys, macs_from: int | None) -> None:
        self.keys, self.anchored_from = keys, macs_from
        self.first_mac: int | None = None

    def __call__(self, record: LedgerRecord) -> str | None:
        if record.mac is None:
            if self.first_mac is not None or (
                self.anchored_from is not None and record.seq >= self.anchored_from
            ):
                return "carries no MAC where one is required (the record was inserted or rewritten)"
            return None
        if self.first_mac is None:
            self.first_mac = record.seq
        if self.keys.mac_key is None:
            return f"its MAC cannot be checked: the ledger MAC key (secret {MAC_KEY_PATH!r}) is not available"
        if not self.keys.mac_matches(record.hash, record.mac):
            return "MAC does not match: the record was written or rewritten without the ledger key"
        return None


def _matches(state: PartitionState | None, hashes: Sequence[str]) -> bool:
    if state is None or state.records == 0:
        return True
    if state.records > len(hashes):
        return False
    return (
        hashes[state.records - 1] == state.head_hash
        and merkle_root(hashes[: state.records]) == state.merkle_root
    )


def _first_unvouched(
    anchors: Sequence[AnchorEntry], partition: int, hashes: Sequence[str]
) -> tuple[int, AnchorEntry]:
    """The first position in `partition` no matching anchor covers, and the first anchor that
    fails (bisection: an anchor matching implies every earlier one does, their prefixes being
    nested)."""
    low, high = 0, len(anchors) - 1  # anchors[high] is known to fail
    while low < high:
        middle = (low + high) // 2
        if _matches(anchors[middle].state(partition), hashes):
            low = middle + 1
        else:
            high = middle
    before = anchors[high - 1].state(partition) if high > 0 else None
    return (before.records if before else 0) + 1, anchors[high]


def _against_anchor(
    anchors: Sequence[AnchorEntry], hashes: Mapping[int, list[str]], ids: Mapping[int, list[str]]
) -> BadRecord | None:
    """The first record of any partition the latest anchor no longer vouches for."""
    latest = anchors[-1]
    for state in latest.states():
        partition, base = state.partition, base_seq(state.partition)
        held = hashes.get(partition, [])
        where = f" of partition {partition}" if partition else ""
        if len(held) < state.records:
            missing = len(held) + 1
            return BadRecord(
                base + missing,
                None,
                f"missing: signed anchor {latest.sequence} ({latest.created_at}) covers {state.records} "
                f"records{where}, the database holds {len(held)} (records from seq {base + missing} were deleted)",
            )
        if not _matches(state, held):
            start, failing = _first_unvouched(anchors, partition, held)
            failing_state = failing.state(partition)
            end = base + (failing_state.records if failing_state else 0)
            return BadRecord(
                base + start,
                ids[partition][start - 1] if start <= len(ids[partition]) else None,
                f"records {base + start}-{end}{where} no longer match signed anchor {failing.sequence} "
                f"({failing.created_at}): the first difference is at or after seq {base + start} (rewritten "
                "by someone holding the ledger MAC key, or the anchor log belongs to another ledger)",
            )
    return None


def audit(
    records: Iterable[LedgerRecord],
    heads: Mapping[int, ChainHead] | ChainHead | None,
    *,
    keys: LedgerKeys,
    anchors: list[AnchorEntry],
    checkpoints: Sequence[StoredCheckpoint] = (),
) -> AuditResult:
    """Everything `Ledger.verify` checks, over records already read (see the module docstring).

    `heads` are the partitions' head rows by partition (one `ChainHead`: a single-chain ledger)."""
    if isinstance(heads, ChainHead):
        heads = {partition_of_seq(heads.seq): heads}
    problem = check_anchor_log(anchors, keys)
    if problem is not None:
        return AuditResult(VerifyReport(False, 0, anchor_problem=problem))
    hashes: dict[int, list[str]] = {}
    ids: dict[int, list[str]] = {}

    def collect(record: LedgerRecord) -> None:
        partition = partition_of_seq(record.seq)
        hashes.setdefault(partition, []).append(record.hash)
        ids.setdefault(partition, []).append(record.id)

    legacy = MacRule(keys, anchors[0].macs_from if anchors else None)
    report = verify_partitions(
        records,
        heads,
        check_mac=lambda partition: legacy if partition == 0 else MacRule(keys, 0),
        on_record=collect,
    )
    result = AuditResult(report, hashes, legacy.first_mac)
    if not report.ok:
        return result
    count = len(anchors)
    if anchors:
        bad = _against_anchor(anchors, hashes, ids)
        if bad is not None:
            result.report = VerifyReport(False, report.records_checked, bad, anchors_checked=count)
            return result
    for checkpoint in checkpoints:
        held = hashes.get(checkpoint.partition, [])
        if checkpoint.size > len(held) or merkle_root(held[: checkpoint.size]) != checkpoint.root:
            where = f" of partition {checkpoint.partition}" if checkpoint.partition else ""
            result.report = VerifyReport(
                False,
                report.records_checked,
                BadRecord(
                    base_seq(checkpoint.partition) + checkpoint.size,
                    None,
                    f"Merkle checkpoint {checkpoint.id} over {checkpoint.size} records{where} no longer "
                    "matches the chain",
                ),
                checkpoints_checked=len(checkpoints),
                anchors_checked=count,
            )
            return result
    result.report = VerifyReport(
        True, report.records_checked, checkpoints_checked=len(checkpoints), anchors_checked=count
    )
    return result
