"""Hole 5: someone with write access to the database tries to rewrite history.

A ledger of 12 records is written through the real `Ledger` (SQLite file, keys held outside the
database, anchors in a file), anchored after record 8 -- as at the end of a run -- and then, on a
fresh copy per case, attacked at every position with every kind of change: a single-record edit, a
delete, an insert, a swap, a tail truncation, a tail rewrite with recomputed hashes and a rewrite
with recomputed Merkle checkpoints. `audit verify` must fail and name the right record every time.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, select, text, update

from governance.anchor import FileAnchorLog
from governance.errors import LedgerIntegrityError
from governance.ledger import (
    Ledger,
    LedgerRecord,
    ledger_checkpoints,
    ledger_head,
    ledger_records,
    record_hash,
)
from governance.ledger_keys import LedgerKeys, generated_keys
from governance.merkle import merkle_root
from governance.store import Store

ANCHORED = 8
TOTAL = 12
KEYS = generated_keys()
ATTACKER_KEYS = generated_keys()
"""Someone who can write the database holds keys of their own, never the ledger's."""


@dataclasses.dataclass
class World:
    url: str
    anchors: Path

    def ledger(self, keys: LedgerKeys = KEYS, *, read_only: bool = True) -> Ledger:
        store = Store(self.url, create_tables=not read_only)
        return Ledger(store, keys=keys, anchors=FileAnchorLog(self.anchors), read_only=read_only)

    def records(self) -> list[LedgerRecord]:
        return self.ledger().records()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("ledger-template")
    world = World(f"sqlite:///{base / 'ledger.db'}", base / "anchors.jsonl")
    ledger = world.ledger(read_only=False)
    for i in range(TOTAL):
        ledger.append(f"txn-{i % 3}", "note", {"i": i, "amount": "10.50"}, agent="ap", actor="bot")
        if i + 1 == ANCHORED:
            ledger.checkpoint()
    ledger.store.dispose()  # the WAL is folded into the file: a plain copy is a whole database
    return base


@pytest.fixture
def world(template: Path, tmp_path: Path) -> World:
    for name in ("ledger.db", "anchors.jsonl"):
        shutil.copy(template / name, tmp_path / name)
    return World(f"sqlite:///{tmp_path / 'ledger.db'}", tmp_path / "anchors.jsonl")


def rechain(
    records: list[LedgerRecord], start: int, *, mac: Callable[[str], str | None]
) -> list[LedgerRecord]:
    """Renumber from `start` (index) and recompute every hash after it, as an attacker would;
    `mac` says what the attacker writes in the MAC column."""
    out = list(records[:start])
    prev = out[-1].hash if out else "0" * 64
    for offset, record in enumerate(records[start:], start + 1):
        fields = record.chain_fields() | {"seq": offset}
        digest = record_hash(prev, fields)
        out.append(dataclasses.replace(record, seq=offset, prev_hash=prev, hash=digest, mac=mac(digest)))
        prev = digest
    return out


def write_back(world: World, records: list[LedgerRecord], *, move_head: bool = True) -> None:
    """Replace the whole ledger table with `records` (and the head, as a careful attacker would)."""
    store = Store(world.url)
    with store.begin() as connection:
        connection.execute(delete(ledger_records))
        for record in records:
            connection.execute(
                insert(ledger_records).values(
                    **record.chain_fields(), prev_hash=record.prev_hash, hash=record.hash, mac=record.mac
                )
            )
        if move_head:
            last = records[-1] if records else None
            connection.execute(
                update(ledger_head).values(
                    seq=last.seq if last else 0,
                    record_id=last.id if last else None,
                    hash=last.hash if last else "0" * 64,
                )
            )
    store.dispose()


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


POSITIONS = range(1, TOTAL + 1)


def test_the_untouched_ledger_verifies(world: World) -> None:
    report = world.ledger().verify()
    assert report.ok and report.records_checked == TOTAL and report.anchors_checked == 1, report.message


@pytest.mark.parametrize("seq", POSITIONS)
def test_single_record_edit_is_named(world: World, seq: int) -> None:
    records = world.records()
    records[seq - 1] = edited(records[seq - 1])
    write_back(world, records, move_head=False)
    assert_named(world, seq, records[seq - 1].id, "edited")


@pytest.mark.parametrize("mac", [forged_mac, lambda digest: None], ids=["own-key-mac", "no-mac"])
@pytest.mark.parametrize("seq", POSITIONS)
def test_edit_with_recomputed_hashes_is_named(
    world: World, seq: int, mac: Callable[[str], str | None]
) -> None:
    records = world.records()
    records[seq - 1] = edited(records[seq - 1])
    write_back(world, rechain(records, seq - 1, mac=mac))
    assert_named(world, seq, records[seq - 1].id, "MAC")


@pytest.mark.parametrize("seq", POSITIONS)
def test_delete_is_named(world: World, seq: int) -> None:
    records = world.records()
    del records[seq - 1]
    write_back(world, records, move_head=False)
    if seq < TOTAL:  # the record after the gap is out of place
        assert_named(world, seq + 1, problem=f"where {seq} was expected")
    else:  # the head still remembers the deleted last record
        assert_named(world, seq, problem="missing")


@pytest.mark.parametrize("seq", range(1, TOTAL))
def test_delete_with_renumbering_and_recomputed_hashes_is_named(world: World, seq: int) -> None:
    records = world.records()
    following = records[seq].id
    del records[seq - 1]
    write_back(world, rechain(records, seq - 1, mac=forged_mac))
    assert_named(world, seq, following, "MAC")


@pytest.mark.parametrize("seq", range(1, TOTAL + 2))
def test_insert_is_named(world: World, seq: int) -> None:
    records = world.records()
    forged = dataclasses.replace(
        records[0], id="forged", transaction_id="txn-forged", payload_text='{"pay":1}'
    )
    records.insert(seq - 1, forged)
    write_back(world, rechain(records, seq - 1, mac=forged_mac))
    assert_named(world, seq, "forged", "MAC")


@pytest.mark.parametrize("recompute", [False, True], ids=["as-is", "recomputed"])
@pytest.mark.parametrize("seq", range(1, TOTAL))
def test_swap_is_named(world: World, seq: int, recompute: bool) -> None:
    records = world.records()
    first, second = records[seq - 1], records[seq]
    records[seq - 1] = dataclasses.replace(second, seq=seq)
    records[seq] = dataclasses.replace(first, seq=seq + 1)
    if recompute:
        records = rechain(records, seq - 1, mac=lambda digest: next(r.mac for r in (first, second)))
    write_back(world, records, move_head=recompute)
    assert_named(world, seq, second.id)


@pytest.mark.parametrize("seq", range(1, ANCHORED + 1))
def test_tail_truncation_of_anchored_records_is_named(world: World, seq: int) -> None:
    records = world.records()[: seq - 1]
    write_back(world, records)  # the head is moved back too: only the anchor remembers
    assert_named(world, seq, problem="missing: signed anchor 1")


@pytest.mark.parametrize("seq", range(ANCHORED + 1, TOTAL + 1))
def test_tail_truncation_after_the_anchor_is_named_by_the_head(world: World, seq: int) -> None:
    write_back(world, world.records()[: seq - 1], move_head=False)
    assert_named(world, TOTAL, problem="missing")


@pytest.mark.parametrize("seq", range(ANCHORED + 1, TOTAL + 1))
def test_truncation_after_the_anchor_with_the_head_moved_is_the_documented_window(
    world: World, seq: int
) -> None:
    """The one thing a database writer can still do (docs/ARCHITECTURE.md, threat model): drop
    records written since the last anchor, head and all. The next anchor closes the window."""
    write_back(world, world.records()[: seq - 1])
    assert world.ledger().verify().ok


@pytest.mark.parametrize("seq", POSITIONS)
def test_tail_rewrite_with_recomputed_hashes_is_named(world: World, seq: int) -> None:
    records = world.records()
    records[seq - 1 :] = [edited(record) for record in records[seq - 1 :]]
    write_back(world, rechain(records, seq - 1, mac=forged_mac))
    assert_named(world, seq, records[seq - 1].id, "MAC")


def _recompute_checkpoints(world: World) -> None:
    store = Store(world.url)
    with store.begin() as connection:
        hashes = [
            row.hash
            for row in connection.execute(select(ledger_records.c.hash).order_by(ledger_records.c.seq))
        ]
        for row in connection.execute(select(ledger_checkpoints)).all():
            connection.execute(
                update(ledger_checkpoints)
                .where(ledger_checkpoints.c.id == row.id)
                .values(root=merkle_root(hashes[: row.size]))
            )
    store.dispose()


@pytest.mark.parametrize("seq", POSITIONS)
def test_rewrite_with_recomputed_checkpoints_is_named(world: World, seq: int) -> None:
    records = world.records()
    records[seq - 1] = edited(records[seq - 1])
    write_back(world, rechain(records, seq - 1, mac=forged_mac))
    _recompute_checkpoints(world)
    assert_named(world, seq, records[seq - 1].id, "MAC")


@pytest.mark.parametrize("seq", range(1, ANCHORED + 1))
def test_a_writer_holding_the_mac_key_is_still_caught_by_the_signed_anchor(world: World, seq: int) -> None:
    records = world.records()
    records[seq - 1] = edited(records[seq - 1])
    write_back(world, rechain(records, seq - 1, mac=KEYS.mac))
    _recompute_checkpoints(world)
    assert_named(world, 1, problem="no longer match signed anchor 1")  # located to the anchored range


def test_a_total_wipe_fails_when_an_anchor_exists(world: World) -> None:
    store = Store(world.url)
    with store.begin() as connection:
        for table in (ledger_records, ledger_head, ledger_checkpoints):
            connection.execute(delete(table))
    store.dispose()
    assert_named(world, 1, problem=f"covers {ANCHORED} records, the database holds 0")


def test_dropped_tables_fail_when_an_anchor_exists(world: World) -> None:
    store = Store(world.url)
    with store.begin() as connection:
        connection.execute(text("DROP TABLE ledger_records"))
        connection.execute(text("DROP TABLE ledger_head"))
    store.dispose()
    assert_named(world, 1, problem="the ledger was removed")


def test_verify_is_read_only(world: World) -> None:
    store = Store(world.url)
    with store.begin() as connection:
        connection.execute(delete(ledger_head))
    store.dispose()
    before = (world.anchors.read_bytes(), Path(world.url.removeprefix("sqlite:///")).read_bytes())
    assert not world.ledger().verify().ok
    after = (world.anchors.read_bytes(), Path(world.url.removeprefix("sqlite:///")).read_bytes())
    assert before == after
    store = Store(world.url)
    with store.connect() as connection:
        assert connection.execute(select(ledger_head)).first() is None
    store.dispose()


@pytest.mark.parametrize("change", ["edit_root", "drop_signature", "remove_line", "reorder"])
def test_a_tampered_anchor_log_is_refused(world: World, change: str) -> None:
    ledger = world.ledger(read_only=False)
    ledger.checkpoint()  # a second anchor over all 12
    lines = world.anchors.read_text().splitlines()
    first = json.loads(lines[0])
    if change == "edit_root":
        first["merkle_root"] = "0" * 64
        lines[0] = json.dumps(first)
    elif change == "drop_signature":
        first["signature"] = ""
        lines[0] = json.dumps(first)
    elif change == "remove_line":
        del lines[0]
    else:
        lines.reverse()
    world.anchors.write_text("\n".join(lines) + "\n")
    report = world.ledger().verify()
    assert not report.ok and report.anchor_problem is not None, report.message


def test_anchors_signed_by_another_key_are_refused(world: World) -> None:
    report = world.ledger(ATTACKER_KEYS).verify()
    assert not report.ok and "no valid signature by a trusted key" in str(report.anchor_problem)


def test_checkpoint_refuses_to_anchor_a_tampered_ledger(world: World) -> None:
    records = world.records()
    records[ANCHORED + 1] = edited(records[ANCHORED + 1])
    write_back(world, rechain(records, ANCHORED + 1, mac=forged_mac))
    with pytest.raises(LedgerIntegrityError, match="MAC does not match"):
        world.ledger(read_only=False).checkpoint()
    assert len(world.anchors.read_text().splitlines()) == 1


@pytest.mark.parametrize("seq", POSITIONS)
def test_an_incremental_checkpoint_never_extends_a_rewritten_history(world: World, seq: int) -> None:
    """A checkpoint reads only what was added since the latest anchor; it must still refuse."""
    records = world.records()
    records[seq - 1] = edited(records[seq - 1])
    write_back(world, rechain(records, seq - 1, mac=forged_mac))
    with pytest.raises(LedgerIntegrityError) as refused:
        world.ledger(read_only=False).checkpoint()
    assert refused.value.record_seq == (ANCHORED if seq <= ANCHORED else seq)
    assert len(world.anchors.read_text().splitlines()) == 1


def test_checkpoints_extend_the_anchored_tree(world: World) -> None:
    ledger = world.ledger(read_only=False)
    ledger.checkpoint()
    ledger.append("late", "note", {"i": 100})
    ledger.checkpoint()
    entries = ledger.anchors.entries()
    hashes = [record.hash for record in world.records()]
    assert [entry.records for entry in entries] == [ANCHORED, TOTAL, TOTAL + 1]
    assert entries[-1].merkle_root == merkle_root(hashes) and world.ledger().verify().ok
