"""Hole 5 on a partitioned ledger: every attack of test_ledger_tamper, per partition, plus the
attacks partitions make possible -- a record moved to another partition, one partition truncated
or wiped while the others stay intact.

A ledger of 4 partitions and 28 records (7 transactions, each in one partition) is written
through the real `Ledger` (SQLite file, keys outside the database, anchors in a file) and anchored
after record 20; each case attacks a fresh copy and `audit verify` must name the right record.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, select, update

from governance.anchor import FileAnchorLog
from governance.ledger import Ledger, LedgerRecord, record_hash
from governance.ledger_keys import LedgerKeys, generated_keys
from governance.ledger_partitions import base_seq, head_row_id, partition_of, partition_of_seq, position_of
from governance.ledger_tables import ledger_checkpoints, ledger_head, ledger_records
from governance.merkle import merkle_root
from governance.store import Store

PARTITIONS = 4
TOTAL, ANCHORED = 28, 20
KEYS = generated_keys()
ATTACKER_KEYS = generated_keys()


def _transactions() -> list[str]:
    """Seven transaction ids covering every partition (two partitions get two transactions)."""
    chosen: list[str] = []
    counts = dict.fromkeys(range(PARTITIONS), 0)
    n = 0
    while len(chosen) < 7:
        txn, n = f"txn-{n}", n + 1
        partition = partition_of(txn, PARTITIONS)
        if counts[partition] < (2 if partition < 3 else 1):
            counts[partition] += 1
            chosen.append(txn)
    return chosen


TRANSACTIONS = _transactions()


@dataclasses.dataclass
class World:
    url: str
    anchors: Path

    def ledger(self, keys: LedgerKeys = KEYS, *, read_only: bool = True) -> Ledger:
        store = Store(self.url, create_tables=not read_only)
        return Ledger(
            store,
            keys=keys,
            anchors=FileAnchorLog(self.anchors),
            read_only=read_only,
            partitions=None if read_only else PARTITIONS,
        )

    def records(self) -> list[LedgerRecord]:
        """Every record in seq order: partition 0's chain, then partition 1's, ..."""
        with self.ledger().store.connect() as connection:
            return [
                LedgerRecord.from_row(row._mapping)
                for row in connection.execute(select(ledger_records).order_by(ledger_records.c.seq))
            ]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("partitioned-template")
    world = World(f"sqlite:///{base / 'ledger.db'}", base / "anchors.jsonl")
    ledger = world.ledger(read_only=False)
    for i in range(TOTAL):
        ledger.append(TRANSACTIONS[i % 7], "note", {"i": i, "amount": "10.50"}, agent="ap", actor="bot")
        if i + 1 == ANCHORED:
            ledger.checkpoint()
    ledger.store.dispose()
    return base


@pytest.fixture
def world(template: Path, tmp_path: Path) -> World:
    for name in ("ledger.db", "anchors.jsonl"):
        shutil.copy(template / name, tmp_path / name)
    return World(f"sqlite:///{tmp_path / 'ledger.db'}", tmp_path / "anchors.jsonl")


def chain_of(records: list[LedgerRecord], partition: int) -> list[LedgerRecord]:
    return [r for r in records if partition_of_seq(r.seq) == partition]


def rechain(
    chain: list[LedgerRecord], start: int, partition: int, *, mac: Callable[[str], str | None]
) -> list[LedgerRecord]:
    """Renumber `chain` (one partition) from index `start` into `partition` and recompute every
    hash after it, as an attacker would."""
    out = list(chain[:start])
    prev = out[-1].hash if out else "0" * 64
    for position, record in enumerate(chain[start:], start + 1):
        seq = base_seq(partition) + position
        digest = record_hash(prev, record.chain_fields() | {"seq": seq})
        out.append(dataclasses.replace(record, seq=seq, prev_hash=prev, hash=digest, mac=mac(digest)))
        prev = digest
    return out


def write_back(world: World, chains: dict[int, list[LedgerRecord]], *, move_heads: bool = True) -> None:
    """Replace the ledger table with `chains` (and every partition head, as a careful attacker)."""
    store = Store(world.url)
    with store.begin() as connection:
        connection.execute(delete(ledger_records))
        for chain in chains.values():
            for record in chain:
                connection.execute(
                    insert(ledger_records).values(
                        **record.chain_fields(), prev_hash=record.prev_hash, hash=record.hash, mac=record.mac
                    )
                )
        if move_heads:
            for partition, chain in chains.items():
                last = chain[-1] if chain else None
                connection.execute(
                    update(ledger_head)
                    .where(ledger_head.c.id == head_row_id(partition))
                    .values(
                        seq=last.seq if last else base_seq(partition),
                        record_id=last.id if last else None,
                        hash=last.hash if last else "0" * 64,
                    )
                )
    store.dispose()


def chains(world: World) -> dict[int, list[LedgerRecord]]:
    records = world.records()
    return {p: chain_of(records, p) for p in range(PARTITIONS)}


def forged_mac(digest: str) -> str:
    return ATTACKER_KEYS.mac(digest)


def edited(record: LedgerRecord) -> LedgerRecord:
    return dataclasses.replace(record, payload_text=json.dumps({"i": 999, "amount": "99999"}))


def assert_named(world: World, seq: int, record_id: str | None = None, problem: str | None = None) -> None:
    report = world.ledger().verify()
    assert not report.ok, f"tampering at seq {seq} went unnoticed"
    assert report.first_bad is not None, report.message
    assert report.first_bad.seq == seq, report.message
    if record_id is not None:
        assert report.first_bad.id == record_id, report.message
    if problem is not None:
        assert problem in report.first_bad.problem, report.message


def _slots() -> list[tuple[int, int]]:
    """(partition, position) of every record of the template ledger."""
    counts = dict.fromkeys(range(PARTITIONS), 0)
    for i in range(TOTAL):
        counts[partition_of(TRANSACTIONS[i % 7], PARTITIONS)] += 1
    return [(p, k) for p in range(PARTITIONS) for k in range(1, counts[p] + 1)]


SLOTS = _slots()
ANCHORED_COUNTS = {
    p: sum(1 for i in range(ANCHORED) if partition_of(TRANSACTIONS[i % 7], PARTITIONS) == p)
    for p in range(PARTITIONS)
}


def test_the_template_uses_every_partition_and_verifies(world: World) -> None:
    ledger = world.ledger()
    assert all(chains(world)[p] for p in range(PARTITIONS))
    report = ledger.verify()
    assert report.ok and report.records_checked == TOTAL and report.anchors_checked == 1, report.message
    for txn in TRANSACTIONS:  # a transaction lives in one partition, read in order
        timeline = ledger.timeline(txn)
        assert {partition_of_seq(r.seq) for r in timeline} == {partition_of(txn, PARTITIONS)}
        assert [r.payload["i"] for r in timeline] == sorted(r.payload["i"] for r in timeline)


@pytest.mark.parametrize(("partition", "position"), SLOTS)
def test_single_record_edit_is_named(world: World, partition: int, position: int) -> None:
    state = chains(world)
    record = state[partition][position - 1] = edited(state[partition][position - 1])
    write_back(world, state, move_heads=False)
    assert_named(world, record.seq, record.id, "edited")


@pytest.mark.parametrize(("partition", "position"), SLOTS)
def test_edit_with_recomputed_hashes_is_named(world: World, partition: int, position: int) -> None:
    state = chains(world)
    state[partition][position - 1] = edited(state[partition][position - 1])
    state[partition] = rechain(state[partition], position - 1, partition, mac=forged_mac)
    write_back(world, state)
    target = state[partition][position - 1]
    assert_named(world, target.seq, target.id, "MAC")


@pytest.mark.parametrize(("partition", "position"), SLOTS)
def test_delete_is_named(world: World, partition: int, position: int) -> None:
    state = chains(world)
    last = position == len(state[partition])
    del state[partition][position - 1]
    write_back(world, state, move_heads=False)
    seq = base_seq(partition) + position
    if last:  # the partition's head still remembers the deleted record
        assert_named(world, seq, problem="missing")
    else:  # the record after the gap is out of place
        assert_named(world, seq + 1, problem=f"where {seq} was expected")


@pytest.mark.parametrize(("partition", "position"), SLOTS)
def test_insert_is_named(world: World, partition: int, position: int) -> None:
    state = chains(world)
    forged = dataclasses.replace(state[partition][0], id="forged", payload_text='{"pay":1}')
    state[partition].insert(position - 1, forged)
    state[partition] = rechain(state[partition], position - 1, partition, mac=forged_mac)
    write_back(world, state)
    assert_named(world, base_seq(partition) + position, "forged", "MAC")


@pytest.mark.parametrize(("partition", "position"), [s for s in SLOTS if s[1] > 1])
def test_swap_within_a_partition_is_named(world: World, partition: int, position: int) -> None:
    state = chains(world)
    chain = state[partition]
    first, second = chain[position - 2], chain[position - 1]
    chain[position - 2] = dataclasses.replace(second, seq=first.seq)
    chain[position - 1] = dataclasses.replace(first, seq=second.seq)
    write_back(world, state, move_heads=False)
    assert_named(world, first.seq, second.id)


PAIRS = [(a, b) for a in range(PARTITIONS) for b in range(PARTITIONS) if a < b]


@pytest.mark.parametrize("recompute", [False, True], ids=["as-is", "recomputed"])
@pytest.mark.parametrize(("low", "high"), PAIRS)
def test_cross_partition_swap_is_named(world: World, low: int, high: int, recompute: bool) -> None:
    """Records exchanged between two partitions, each taking the other's place (and, recomputed,
    each chain re-hashed from there with the attacker's MACs)."""
    state = chains(world)
    a, b = state[low][0], state[high][0]
    state[low][0] = dataclasses.replace(b, seq=a.seq)
    state[high][0] = dataclasses.replace(a, seq=b.seq)
    if recompute:
        state[low] = rechain(state[low], 0, low, mac=forged_mac)
        state[high] = rechain(state[high], 0, high, mac=forged_mac)
    write_back(world, state, move_heads=recompute)
    assert_named(world, a.seq, b.id)


@pytest.mark.parametrize("partition", range(PARTITIONS))
def test_a_record_moved_to_another_partition_is_named(world: World, partition: int) -> None:
    """A record taken out of its partition and appended, re-hashed, to the end of another one."""
    state = chains(world)
    other = (partition + 1) % PARTITIONS
    moved = state[partition].pop()
    state[other].append(moved)
    state[other] = rechain(state[other], len(state[other]) - 1, other, mac=forged_mac)
    write_back(world, state)
    # its old partition shrank below what the anchor covers, or its new place lacks the key's MAC
    report = world.ledger().verify()
    assert not report.ok and report.first_bad is not None, report.message
    named = report.first_bad
    if len(state[partition]) < ANCHORED_COUNTS[partition]:
        assert named.seq == base_seq(partition) + len(state[partition]) + 1 and "missing" in named.problem
    else:
        assert named.seq == state[other][-1].seq and "MAC" in named.problem, report.message


@pytest.mark.parametrize("partition", range(PARTITIONS))
def test_one_partition_truncated_is_named(world: World, partition: int) -> None:
    """Every anchored record of one partition removed, head moved back: the others are intact."""
    state = chains(world)
    state[partition] = []
    write_back(world, state)
    assert_named(
        world,
        base_seq(partition) + 1,
        problem=f"covers {ANCHORED_COUNTS[partition]} records"
        + (f" of partition {partition}" if partition else ""),
    )


@pytest.mark.parametrize(("partition", "position"), [s for s in SLOTS if s[1] <= ANCHORED_COUNTS[s[0]]])
def test_partition_tail_truncation_of_anchored_records_is_named(
    world: World, partition: int, position: int
) -> None:
    state = chains(world)
    state[partition] = state[partition][: position - 1]
    write_back(world, state)
    assert_named(world, base_seq(partition) + position, problem="missing: signed anchor 1")


@pytest.mark.parametrize(("partition", "position"), SLOTS)
def test_partition_tail_rewrite_with_recomputed_hashes_is_named(
    world: World, partition: int, position: int
) -> None:
    state = chains(world)
    chain = state[partition]
    chain[position - 1 :] = [edited(r) for r in chain[position - 1 :]]
    state[partition] = rechain(chain, position - 1, partition, mac=forged_mac)
    write_back(world, state)
    target = state[partition][position - 1]
    assert_named(world, target.seq, target.id, "MAC")


@pytest.mark.parametrize(("partition", "position"), SLOTS)
def test_rewrite_with_recomputed_checkpoints_is_named(world: World, partition: int, position: int) -> None:
    state = chains(world)
    state[partition][position - 1] = edited(state[partition][position - 1])
    state[partition] = rechain(state[partition], position - 1, partition, mac=forged_mac)
    write_back(world, state)
    store = Store(world.url)
    with store.begin() as connection:  # every partition's checkpoint recomputed over the new hashes
        for row in connection.execute(select(ledger_checkpoints)).all():
            hashes = [r.hash for r in state[int(row.partition or 0)]]
            connection.execute(
                update(ledger_checkpoints)
                .where(ledger_checkpoints.c.id == row.id)
                .values(root=merkle_root(hashes[: row.size]))
            )
    store.dispose()
    target = state[partition][position - 1]
    assert_named(world, target.seq, target.id, "MAC")


@pytest.mark.parametrize("partition", range(PARTITIONS))
def test_a_mac_key_holder_rewriting_a_partition_is_caught_by_the_signed_anchor(
    world: World, partition: int
) -> None:
    state = chains(world)
    state[partition][0] = edited(state[partition][0])
    state[partition] = rechain(state[partition], 0, partition, mac=KEYS.mac)
    write_back(world, state)
    assert_named(world, base_seq(partition) + 1, problem="no longer match signed anchor 1")


def test_a_wipe_of_every_partition_fails(world: World) -> None:
    write_back(world, {partition: [] for partition in range(PARTITIONS)})
    assert_named(world, 1, problem=f"covers {ANCHORED_COUNTS[0]} records")


def test_a_record_in_a_partition_without_a_head_is_named(world: World) -> None:
    state = chains(world)
    stray = rechain([dataclasses.replace(state[1][0], id="stray")], 0, PARTITIONS + 2, mac=forged_mac)[0]
    store = Store(world.url)
    with store.begin() as connection:
        connection.execute(
            insert(ledger_records).values(
                **stray.chain_fields(), prev_hash=stray.prev_hash, hash=stray.hash, mac=stray.mac
            )
        )
    store.dispose()
    assert_named(world, stray.seq, stray.id, "no chain head")


def test_anchoring_after_tampering_refuses_and_the_next_anchor_extends_every_partition(world: World) -> None:
    ledger = world.ledger(read_only=False)
    ledger.append(TRANSACTIONS[3], "note", {"i": 100})
    ledger.checkpoint()
    latest = ledger.anchors.entries()[-1]
    assert {s.partition for s in latest.states()} == set(range(PARTITIONS))
    assert sum(s.records for s in latest.states()) == TOTAL + 1
    assert ledger.verify().ok
    assert position_of(ledger.heads()[partition_of(TRANSACTIONS[3], PARTITIONS)].seq) >= 1


def test_a_single_chain_ledger_grows_partitions_and_keeps_verifying(tmp_path: Path) -> None:
    """An existing ledger (one chain, anchored) is partition 0 unchanged: its records, head and
    anchor lines keep their bytes; after growing to 4 partitions it verifies as one ledger."""
    world = World(f"sqlite:///{tmp_path / 'old.db'}", tmp_path / "anchors.jsonl")
    store = Store(world.url)
    old = Ledger(store, keys=KEYS, anchors=FileAnchorLog(world.anchors))
    assert old.partitions == 1
    for i in range(6):
        old.append(f"legacy-{i % 2}", "note", {"i": i})
    old.checkpoint()
    before_records, before_anchor = world.records(), world.anchors.read_bytes()
    assert [r.seq for r in before_records] == list(range(1, 7))
    assert b'"partitions"' not in before_anchor
    grown = Ledger(store, keys=KEYS, anchors=FileAnchorLog(world.anchors), partitions=PARTITIONS)
    assert grown.partitions == PARTITIONS and set(grown.heads()) == set(range(PARTITIONS))
    for txn in TRANSACTIONS:
        grown.append(txn, "note", {"txn": txn})
    grown.checkpoint()
    assert world.records()[:6] == before_records
    assert world.anchors.read_bytes().startswith(before_anchor)
    report = world.ledger().verify()
    assert report.ok and report.records_checked == 6 + len(TRANSACTIONS) and report.anchors_checked == 2
    assert (
        Ledger(store, keys=KEYS, anchors=FileAnchorLog(world.anchors)).partitions == PARTITIONS
    )  # never shrinks
