"""Judging a ledger against its keys and its signed anchors -- pure, no database.

`audit` walks the records once and, in this order, names the first thing that is wrong:

1. the anchor log itself: every entry signed by a trusted key, numbered without gaps, each
   linked to the one before (`governance.anchor.check_anchor_log`);
2. the chain: sequence, ``prev_hash`` link, SHA-256 over the content, then the record's MAC under
   the ledger MAC key -- so a record rewritten by someone without that key is named even when
   every hash after it was recomputed (`governance.ledger_chain.verify_chain`);
3. the latest anchor: at least as many records as it covers (else the tail was truncated or the
   ledger wiped), the same head hash at its count and the same Merkle root over the records it
   covers; on a mismatch the first record that no signed anchor still vouches for is named;
4. the Merkle checkpoints kept in the database (a convenience for proofs, not a trust root).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from governance.anchor import AnchorEntry, check_anchor_log
from governance.ledger_chain import BadRecord, ChainHead, LedgerRecord, VerifyReport, verify_chain
from governance.ledger_keys import MAC_KEY_PATH, LedgerKeys
from governance.merkle import merkle_root


@dataclass
class AuditResult:
    report: VerifyReport
    hashes: list[str] = field(default_factory=list)
    """Record hashes in chain order (complete when the chain itself was intact)."""
    macs_from: int | None = None
    """The first seq that carries a MAC, or None when no record does."""


@dataclass(frozen=True)
class StoredCheckpoint:
    id: int
    size: int
    root: str


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


def _bad(report: VerifyReport, anchors: int, seq: int, record_id: str | None, problem: str) -> VerifyReport:
    return VerifyReport(
        False, report.records_checked, BadRecord(seq, record_id, problem), anchors_checked=anchors
    )


def _matches(anchor: AnchorEntry, hashes: Sequence[str]) -> bool:
    if anchor.records > len(hashes):
        return False
    head = hashes[anchor.records - 1] if anchor.records else None
    return (head is None or head == anchor.head_hash) and merkle_root(
        hashes[: anchor.records]
    ) == anchor.merkle_root


def _first_unvouched(anchors: Sequence[AnchorEntry], hashes: Sequence[str]) -> tuple[int, AnchorEntry]:
    """The first seq no matching anchor covers, and the first anchor that fails (bisection: an
    anchor matching implies every earlier one does, their prefixes being nested)."""
    low, high = 0, len(anchors) - 1  # anchors[high] is known to fail
    while low < high:
        middle = (low + high) // 2
        if _matches(anchors[middle], hashes):
            low = middle + 1
        else:
            high = middle
    start = anchors[high - 1].records + 1 if high > 0 else 1
    return start, anchors[high]


def audit(
    records: Iterable[LedgerRecord],
    head: ChainHead | None,
    *,
    keys: LedgerKeys,
    anchors: list[AnchorEntry],
    checkpoints: Sequence[StoredCheckpoint] = (),
) -> AuditResult:
    """Everything `Ledger.verify` checks, over records already read (see the module docstring)."""
    problem = check_anchor_log(anchors, keys)
    if problem is not None:
        return AuditResult(VerifyReport(False, 0, anchor_problem=problem))
    hashes: list[str] = []
    ids: list[str] = []

    def collect(stream: Iterable[LedgerRecord]) -> Iterable[LedgerRecord]:
        for record in stream:
            hashes.append(record.hash)
            ids.append(record.id)
            yield record

    rule = MacRule(keys, anchors[0].macs_from if anchors else None)
    report = verify_chain(collect(records), head, check_mac=rule)
    result = AuditResult(report, hashes, rule.first_mac)
    if not report.ok:
        return result
    count = len(anchors)
    if anchors:
        latest = anchors[-1]
        if len(hashes) < latest.records:
            missing = len(hashes) + 1
            result.report = _bad(
                report,
                count,
                missing,
                None,
                f"missing: signed anchor {latest.sequence} ({latest.created_at}) covers {latest.records} "
                f"records, the database holds {len(hashes)} (records from seq {missing} were deleted)",
            )
            return result
        if not _matches(latest, hashes):
            start, failing = _first_unvouched(anchors, hashes)
            result.report = _bad(
                report,
                count,
                start,
                ids[start - 1] if start <= len(ids) else None,
                f"records {start}-{failing.records} no longer match signed anchor {failing.sequence} "
                f"({failing.created_at}): the first difference is at or after seq {start} (rewritten "
                "by someone holding the ledger MAC key, or the anchor log belongs to another ledger)",
            )
            return result
    for checkpoint in checkpoints:
        if checkpoint.size > len(hashes) or merkle_root(hashes[: checkpoint.size]) != checkpoint.root:
            result.report = VerifyReport(
                False,
                report.records_checked,
                BadRecord(
                    checkpoint.size,
                    None,
                    f"Merkle checkpoint {checkpoint.id} over {checkpoint.size} records no longer matches the chain",
                ),
                checkpoints_checked=len(checkpoints),
                anchors_checked=count,
            )
            return result
    result.report = VerifyReport(
        True, report.records_checked, checkpoints_checked=len(checkpoints), anchors_checked=count
    )
    return result
