"""Property tests: every single edit, deletion, insertion and swap of a ledger is caught, and the
first bad record is the one named. Runs on the pure chain verifier over generated ledgers."""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from governance.action import canonical_json, sha256_hex
from governance.ledger import (
    GENESIS_HASH,
    RECORD_FIELDS,
    RECORD_KINDS,
    ChainHead,
    LedgerRecord,
    VerifyReport,
    payload_json,
    record_hash,
    verify_chain,
)
from governance.merkle import inclusion_path, merkle_root, verify_proof

FIELDS = [f.name for f in dataclasses.fields(LedgerRecord) if f.name != "mac"]
"""The chained fields; the keyed MAC is judged by `check_mac` (tests/security/test_ledger_tamper.py)."""
text = st.text(min_size=1, max_size=12)


@st.composite
def ledgers(draw: st.DrawFn) -> list[LedgerRecord]:
    size = draw(st.integers(min_value=1, max_value=10))
    records: list[LedgerRecord] = []
    prev = GENESIS_HASH
    for seq in range(1, size + 1):
        fields = {
            "seq": seq,
            "id": f"id-{seq}-{draw(st.integers(0, 999))}",
            "transaction_id": draw(st.sampled_from(["t1", "t2", "t3"])),
            "kind": draw(st.sampled_from(sorted(RECORD_KINDS))),
            "agent": draw(st.none() | st.sampled_from(["ap", "desk"])),
            "actor": draw(st.none() | text),
            "created_at": f"2026-01-01T00:00:{seq:02d}.000000+00:00",
            "payload": draw(st.sampled_from(['{"a":1}', '{"b":"x"}', "{}", '{"amount":10.5}'])),
        }
        digest = record_hash(prev, fields)
        records.append(LedgerRecord.from_row(fields | {"prev_hash": prev, "hash": digest}))
        prev = digest
    return records


def head_of(records: list[LedgerRecord]) -> ChainHead:
    return ChainHead(records[-1].seq, records[-1].id, records[-1].hash)


def check(records: list[LedgerRecord], head: ChainHead) -> VerifyReport:
    report = verify_chain(records, head)
    assert not report.ok, "tampering went unnoticed"
    assert report.first_bad is not None
    return report


def _different(data: st.DataObject, name: str, old: object) -> Any:
    if name == "seq":
        return data.draw(st.integers(-5, 50).filter(lambda v: v != old))
    if name == "kind":
        return data.draw(st.sampled_from(sorted(RECORD_KINDS | {"forged"})).filter(lambda v: v != old))
    return data.draw(text.filter(lambda v: v != old))


@settings(max_examples=300, deadline=None)
@given(data=st.data(), records=ledgers())
def test_untouched_ledgers_verify(data: st.DataObject, records: list[LedgerRecord]) -> None:
    assert verify_chain(records, head_of(records)).ok


@settings(max_examples=400, deadline=None)
@given(data=st.data(), records=ledgers())
def test_every_single_field_edit_is_caught_at_that_record(
    data: st.DataObject, records: list[LedgerRecord]
) -> None:
    head = head_of(records)
    index = data.draw(st.integers(0, len(records) - 1))
    name = data.draw(st.sampled_from(FIELDS))
    value = _different(data, name, getattr(records[index], name))
    tampered = list(records)
    tampered[index] = dataclasses.replace(records[index], **{name: value})
    bad = check(tampered, head).first_bad
    assert bad is not None
    assert (bad.seq, bad.id) == (tampered[index].seq, tampered[index].id)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), records=ledgers())
def test_every_deletion_is_caught(data: st.DataObject, records: list[LedgerRecord]) -> None:
    head = head_of(records)
    index = data.draw(st.integers(0, len(records) - 1))
    tampered = records[:index] + records[index + 1 :]
    bad = check(tampered, head).first_bad
    assert bad is not None
    if index < len(tampered):
        assert (bad.seq, bad.id) == (tampered[index].seq, tampered[index].id)
    else:  # the last record went: the head still names it
        assert (bad.seq, bad.id) == (records[-1].seq, records[-1].id)
        assert "missing" in bad.problem


@settings(max_examples=300, deadline=None)
@given(data=st.data(), records=ledgers(), forged_well=st.booleans())
def test_every_insertion_is_caught(
    data: st.DataObject, records: list[LedgerRecord], forged_well: bool
) -> None:
    head = head_of(records)
    index = data.draw(st.integers(0, len(records)))
    prev = records[index - 1].hash if index else GENESIS_HASH
    fields = {
        "seq": index + 1 if forged_well else data.draw(st.integers(0, 20)),
        "id": "inserted",
        "transaction_id": "t1",
        "kind": "note",
        "agent": None,
        "actor": "mallory",
        "created_at": "2026-01-01T00:00:00.000000+00:00",
        "payload": '{"forged":true}',
    }
    prev_hash = (
        prev
        if forged_well
        else data.draw(st.sampled_from([GENESIS_HASH, "a" * 64]).filter(lambda h: h != prev))
    )
    forged = LedgerRecord.from_row(fields | {"prev_hash": prev_hash, "hash": record_hash(prev_hash, fields)})
    tampered = [*records[:index], forged, *records[index:]]
    bad = check(tampered, head).first_bad
    assert bad is not None
    # A perfectly linked forgery is betrayed by the record it displaced, or by the chain head when
    # it claims the head's seq or a later one.
    expected = index + 1 if forged_well and index + 1 < len(records) else index
    assert (bad.seq, bad.id) == (tampered[expected].seq, tampered[expected].id)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), records=ledgers().filter(lambda r: len(r) >= 2))
def test_every_swap_is_caught_at_the_first_moved_record(
    data: st.DataObject, records: list[LedgerRecord]
) -> None:
    head = head_of(records)
    i = data.draw(st.integers(0, len(records) - 2))
    j = data.draw(st.integers(i + 1, len(records) - 1))
    tampered = list(records)
    tampered[i], tampered[j] = tampered[j], tampered[i]
    bad = check(tampered, head).first_bad
    assert bad is not None
    assert (bad.seq, bad.id) == (tampered[i].seq, tampered[i].id)


@settings(max_examples=100, deadline=None)
@given(size=st.integers(1, 70), data=st.data())
def test_merkle_proofs_round_trip_and_bind_position_and_root(size: int, data: st.DataObject) -> None:
    hashes = [
        record_hash(
            GENESIS_HASH,
            {
                "seq": i,
                "id": str(i),
                "transaction_id": "t",
                "kind": "note",
                "agent": None,
                "actor": None,
                "created_at": "",
                "payload": "{}",
            },
        )
        for i in range(size)
    ]
    root = merkle_root(hashes)
    index = data.draw(st.integers(0, size - 1))
    path = inclusion_path(hashes, index)
    assert verify_proof(hashes[index], index, size, path, root)
    other = data.draw(
        st.integers(0, size - 1).filter(lambda k: hashes[k] != hashes[index]) if size > 1 else st.none()
    )
    if other is not None:
        assert not verify_proof(hashes[other], index, size, path, root)
    assert not verify_proof(hashes[index], index, size, path, "0" * 64)
    if path:
        assert not verify_proof(hashes[index], index, size, path[:-1], root)


@settings(max_examples=300, deadline=None)
@given(
    values=st.fixed_dictionaries(
        {name: st.none() | st.integers(-(10**12), 10**12) | st.text() for name in RECORD_FIELDS}
    )
)
def test_fast_record_encoding_is_the_canonical_json(values: dict[str, Any]) -> None:
    expected = sha256_hex(GENESIS_HASH + canonical_json(values))
    assert record_hash(GENESIS_HASH, values) == expected


_numbers = (
    st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(lambda d: abs(d.adjusted()) < 40)
)
_payload_values = st.recursive(
    st.none() | st.booleans() | st.text(max_size=8) | _numbers,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text("abcxyz", max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(payload=st.dictionaries(st.text("abcxyz", max_size=5), _payload_values, max_size=5))
def test_fast_payload_encoding_is_the_canonical_json(payload: dict[str, Any]) -> None:
    assert payload_json(payload) == canonical_json(payload)
