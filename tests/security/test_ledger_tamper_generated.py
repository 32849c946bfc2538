"""Hole 5 as properties: on generated ledgers of any size, anchored at any point, every single
tampering of each kind is caught by `governance.ledger_audit.audit` at the right record."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from governance.anchor import FIRST_PREV_ENTRY, AnchorEntry
from governance.ledger_audit import audit
from governance.ledger_chain import GENESIS_HASH, ChainHead, LedgerRecord, record_hash
from governance.ledger_keys import LedgerKeys, generated_keys
from governance.merkle import extend_frontier, frontier_root

KEYS = generated_keys()
ATTACKER = generated_keys()


def chain(
    payloads: list[str],
    *,
    mac_keys: LedgerKeys = KEYS,
    start: int = 0,
    base: list[LedgerRecord] | None = None,
) -> list[LedgerRecord]:
    records = list(base[:start]) if base else []
    prev = records[-1].hash if records else GENESIS_HASH
    for seq, payload in enumerate(payloads[start:], start + 1):
        fields = {
            "seq": seq,
            "id": f"id-{payload}",
            "transaction_id": "t",
            "kind": "note",
            "agent": "ap",
            "actor": None,
            "created_at": f"2026-01-01T00:00:{seq % 60:02d}.000000+00:00",
            "payload": f'{{"p":"{payload}"}}',
        }
        digest = record_hash(prev, fields)
        records.append(
            LedgerRecord.from_row(fields | {"prev_hash": prev, "hash": digest, "mac": mac_keys.mac(digest)})
        )
        prev = digest
    return records


def anchor(records: list[LedgerRecord], count: int) -> list[AnchorEntry]:
    if count == 0:
        return []
    frontier = extend_frontier([], [r.hash for r in records[:count]])
    entry = AnchorEntry(
        sequence=1,
        records=count,
        head_hash=records[count - 1].hash,
        merkle_root=frontier_root(frontier),
        macs_from=1,
        created_at="2026-01-01T00:01:00+00:00",
        prev_entry=FIRST_PREV_ENTRY,
        frontier=frontier,
    )
    return [entry.signed(KEYS)]


def head(records: list[LedgerRecord]) -> ChainHead:
    return (
        ChainHead(records[-1].seq, records[-1].id, records[-1].hash)
        if records
        else ChainHead(0, None, GENESIS_HASH)
    )


@st.composite
def ledgers(draw: st.DrawFn) -> tuple[list[str], list[LedgerRecord], int]:
    size = draw(st.integers(2, 30))
    payloads = [f"r{i}" for i in range(size)]
    records = chain(payloads)
    return payloads, records, draw(st.integers(1, size))


KINDS = [
    "edit",
    "edit_rechained",
    "delete",
    "delete_renumbered",
    "insert",
    "swap",
    "swap_rechained",
    "truncate",
    "tail_rewrite",
]


@settings(max_examples=1500, deadline=None)
@given(ledger=ledgers(), kind=st.sampled_from(KINDS), data=st.data())
def test_every_tampering_is_named_at_the_right_record(
    ledger: tuple[list[str], list[LedgerRecord], int], kind: str, data: st.DataObject
) -> None:
    payloads, records, anchored = ledger
    anchors = anchor(records, anchored)
    assert audit(records, head(records), keys=KEYS, anchors=anchors).report.ok
    size = len(records)
    remembered = head(records)
    if kind in ("edit", "edit_rechained", "tail_rewrite"):
        k = data.draw(st.integers(1, size))
        if kind == "edit":
            tampered = list(records)
            tampered[k - 1] = dataclasses.replace(records[k - 1], payload_text='{"p":"forged"}')
        else:
            changed = [
                *payloads[: k - 1],
                *(f"x{i}" for i in range(k - 1, k if kind == "edit_rechained" else size)),
            ]
            changed += payloads[len(changed) :]
            tampered = chain(changed, mac_keys=ATTACKER, start=k - 1, base=records)
            remembered = head(tampered)
        expected = k
    elif kind == "delete":
        k = data.draw(st.integers(1, size))
        tampered = records[: k - 1] + records[k:]
        expected = k + 1 if k < size else k
    elif kind == "delete_renumbered":
        k = data.draw(st.integers(1, size - 1))
        tampered = chain(payloads[: k - 1] + payloads[k:], mac_keys=ATTACKER, start=k - 1, base=records)
        remembered, expected = head(tampered), k
    elif kind == "insert":
        k = data.draw(st.integers(1, size + 1))
        tampered = chain(
            [*payloads[: k - 1], "forged", *payloads[k - 1 :]], mac_keys=ATTACKER, start=k - 1, base=records
        )
        remembered, expected = head(tampered), k
    elif kind in ("swap", "swap_rechained"):
        k = data.draw(st.integers(1, size - 1))
        order = [*payloads[: k - 1], payloads[k], payloads[k - 1], *payloads[k + 1 :]]
        if kind == "swap":
            tampered = list(records)
            tampered[k - 1] = dataclasses.replace(records[k], seq=k)
            tampered[k] = dataclasses.replace(records[k - 1], seq=k + 1)
        else:
            tampered = chain(order, mac_keys=ATTACKER, start=k - 1, base=records)
            remembered = head(tampered)
        expected = k
    else:  # truncate anchored records, head moved back too
        k = data.draw(st.integers(1, anchored))
        tampered = records[: k - 1]
        remembered, expected = head(tampered), k
    report = audit(tampered, remembered, keys=KEYS, anchors=anchors).report
    assert not report.ok, f"{kind} at {k} went unnoticed"
    assert report.first_bad is not None and report.first_bad.seq == expected, (kind, k, report.message)
