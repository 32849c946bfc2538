"""Ledger: appends, verification against tampering in the database, checkpoints, export."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, insert, update

from governance.errors import LedgerError, LedgerIntegrityError, NotFoundError
from governance.ledger import (
    GENESIS_HASH,
    Ledger,
    is_secret_key,
    ledger_records,
    record_hash,
    verify_export,
)
from governance.merkle import verify_proof
from governance.store import Store

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def ledger(database_url: str) -> Ledger:
    return Ledger(Store(database_url))


def fill(ledger: Ledger, count: int = 6) -> list[str]:
    ids = []
    for i in range(count):
        record = ledger.append(
            f"txn-{i % 2}", "note", {"i": i, "amount": Decimal("10.50")}, agent="ap", actor="x"
        )
        ids.append(record.id)
    return ids


def test_append_chains_records_and_verifies(ledger: Ledger) -> None:
    first = ledger.append("t1", "intake", {"source": "inbox", "when": datetime(2026, 1, 2, tzinfo=UTC)})
    second = ledger.append("t1", "decision", {"rule": "three_way_match", "confidence": 0.97}, agent="ap")
    assert first.seq == 1 and first.prev_hash == GENESIS_HASH
    assert second.seq == 2 and second.prev_hash == first.hash
    assert second.payload == {"rule": "three_way_match", "confidence": Decimal("0.97")}
    assert first.created_at.endswith("+00:00")
    report = ledger.verify()
    assert report.ok and report.records_checked == 2
    assert [r.id for r in ledger.timeline("t1")] == [first.id, second.id]


def test_unknown_kind_and_unsupported_payload_are_refused(ledger: Ledger) -> None:
    with pytest.raises(LedgerError, match="unknown ledger record kind 'gossip'"):
        ledger.append("t1", "gossip", {})
    with pytest.raises(LedgerError, match="unsupported type object"):
        ledger.append("t1", "note", {"thing": object()})
    with pytest.raises(LedgerError, match="canonical JSON"):
        ledger.append("t1", "note", {"x": float("nan")})
    with pytest.raises(NotFoundError):
        ledger.timeline("nope")


class Colour(Enum):
    RED = "red"


def test_payload_conversions_keep_values(ledger: Ledger) -> None:
    record = ledger.append("t", "note", {"colour": Colour.RED, "tags": {"b", "a"}, "path": Path("x/y")})
    assert record.payload == {"colour": "red", "tags": ["a", "b"], "path": "x/y"}


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "client_secret",
        "apiKey",
        "api_key",
        "access_token",
        "Authorization",
        "privateKey",
        "token",
    ],
)
def test_secret_named_keys_never_enter_the_ledger(ledger: Ledger, key: str) -> None:
    with pytest.raises(LedgerError, match="named like a secret"):
        ledger.append("t1", "note", {"request": {"headers": [{key: "value"}]}})
    assert ledger.records() == []


@pytest.mark.parametrize("key", ["prompt_tokens", "credential", "rotated_at", "tokenizer_name", "keyword"])
def test_ordinary_keys_are_allowed(key: str) -> None:
    assert not is_secret_key(key)


def _tamper_and_verify(ledger: Ledger, change: str) -> tuple[str, int]:
    fill(ledger)
    records = ledger.records()
    with ledger.store.begin() as connection:
        if change == "edit_payload":
            connection.execute(
                update(ledger_records).where(ledger_records.c.seq == 3).values(payload='{"i":99}')
            )
        elif change == "edit_actor":
            connection.execute(
                update(ledger_records).where(ledger_records.c.seq == 3).values(actor="mallory")
            )
        elif change == "delete_middle":
            connection.execute(delete(ledger_records).where(ledger_records.c.seq == 3))
        elif change == "delete_last":
            connection.execute(delete(ledger_records).where(ledger_records.c.seq == 6))
        elif change == "insert_end":
            fields = records[-1].chain_fields() | {"seq": 7, "id": "forged"}
            digest = record_hash(records[-1].hash, fields)  # a well-forged record: only the head knows
            connection.execute(
                insert(ledger_records).values(**fields, prev_hash=records[-1].hash, hash=digest)
            )
        elif change == "swap":
            a, b = records[2], records[3]
            for target, source in ((a, b), (b, a)):
                values = source.chain_fields() | {"prev_hash": source.prev_hash, "hash": source.hash}
                values.pop("seq")
                values["id"] = "swapping" if target is a else source.id
                connection.execute(
                    update(ledger_records).where(ledger_records.c.seq == target.seq).values(**values)
                )
            connection.execute(update(ledger_records).where(ledger_records.c.seq == 3).values(id=b.id))
    report = ledger.verify()
    assert not report.ok and report.first_bad is not None
    with pytest.raises(LedgerIntegrityError):
        ledger.verify_or_raise()
    return report.first_bad.problem, report.first_bad.seq


@pytest.mark.parametrize(
    ("change", "seq", "problem"),
    [
        ("edit_payload", 3, "edited"),
        ("edit_actor", 3, "edited"),
        ("delete_middle", 4, "seq 4 where 3"),
        ("delete_last", 6, "missing"),
        ("insert_end", 7, "after the chain head"),
        ("swap", 3, "prev_hash"),
    ],
)
def test_verify_names_the_first_bad_record(ledger: Ledger, change: str, seq: int, problem: str) -> None:
    found_problem, found_seq = _tamper_and_verify(ledger, change)
    assert found_seq == seq
    assert problem in found_problem


def test_merkle_checkpoint_and_proof_round_trip(ledger: Ledger) -> None:
    ids = fill(ledger, 7)
    checkpoint_id = ledger.checkpoint()
    for record_id in ids:
        proof = ledger.proof(record_id)
        assert proof.checkpoint_id == checkpoint_id and proof.tree_size == 7
        assert verify_proof(proof.record_hash, proof.leaf_index, proof.tree_size, proof.path, proof.root)
        assert not verify_proof(proof.record_hash, (proof.leaf_index + 1) % 7, 7, proof.path, proof.root)
    ledger.append("t-late", "note", {})
    with pytest.raises(NotFoundError, match="run checkpoint"):
        ledger.proof(ledger.records("t-late")[0].id)
    assert ledger.verify().checkpoints_checked == 1


def test_checkpoint_detects_a_rewritten_chain(ledger: Ledger) -> None:
    fill(ledger, 4)
    ledger.checkpoint()
    with (
        ledger.store.begin() as connection
    ):  # a rewrite that keeps the chain consistent still breaks the root
        connection.execute(delete(ledger_records))
        connection.execute(
            update(ledger_records.metadata.tables["ledger_head"]).values(
                seq=0, record_id=None, hash=GENESIS_HASH
            )
        )
    fill(ledger, 4)
    report = ledger.verify()  # rewritten through the ledger (with its key): the signed anchor catches it
    assert not report.ok and report.first_bad is not None
    assert report.first_bad.seq == 1 and "signed anchor 1" in report.first_bad.problem


def test_export_reverifies_offline_and_detects_edits(ledger: Ledger) -> None:
    fill(ledger, 5)
    buffer = io.StringIO()
    assert ledger.export_jsonl(buffer) == 5
    lines = buffer.getvalue().splitlines()
    assert verify_export(lines).ok
    edited = json.loads(lines[3])
    edited["payload"]["i"] = 42
    report = verify_export([*lines[:3], json.dumps(edited), *lines[4:]])
    assert not report.ok and report.first_bad is not None and report.first_bad.seq == 3
    truncated = verify_export(lines[:-1])
    assert not truncated.ok and "missing" in truncated.first_bad.problem  # type: ignore[union-attr]
    with pytest.raises(LedgerError, match="not an opspack ledger export"):
        verify_export(lines[1:])


def test_transaction_export_carries_merkle_proofs(ledger: Ledger) -> None:
    fill(ledger, 6)
    ledger.checkpoint()
    buffer = io.StringIO()
    assert ledger.export_jsonl(buffer, transaction_id="txn-1") == 3
    lines = buffer.getvalue().splitlines()
    assert all("proof" in json.loads(line) for line in lines[1:])
    assert verify_export(lines).ok
    forged = json.loads(lines[1])
    forged["proof"]["root"] = "0" * 64
    assert not verify_export([lines[0], json.dumps(forged), *lines[2:]]).ok


def _append_while_streaming(ledger: Ledger, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make another writer append just after `verify`/`export` has read the chain head."""
    other = Ledger(Store(database_url))
    original = Ledger._stream

    def stream_after_a_concurrent_append(self: Ledger, connection: Any) -> Any:
        other.append("txn-late", "note", {"late": True})
        return original(self, connection)

    monkeypatch.setattr(Ledger, "_stream", stream_after_a_concurrent_append)


def test_verify_during_concurrent_appends_is_not_a_false_alarm(
    ledger: Ledger, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(ledger, 3)
    _append_while_streaming(ledger, database_url, monkeypatch)
    report = ledger.verify()
    assert report.ok, report.message
    assert report.records_checked == 3
    monkeypatch.undo()
    assert ledger.verify().records_checked == 4


def test_full_export_during_concurrent_appends_reverifies(
    ledger: Ledger, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(ledger, 3)
    _append_while_streaming(ledger, database_url, monkeypatch)
    buffer = io.StringIO()
    assert ledger.export_jsonl(buffer) == 3
    report = verify_export(buffer.getvalue().splitlines())
    assert report.ok, report.message


WRITER = textwrap.dedent(
    """
    import sys
    from governance.ledger import Ledger
    from governance.store import Store
    ledger = Ledger(Store(sys.argv[1]))
    for i in range(int(sys.argv[3])):
        ledger.append("txn-" + sys.argv[2], "note", {"writer": sys.argv[2], "i": i})
    """
)


def test_concurrent_appends_from_two_processes_keep_one_chain(database_url: str, tmp_path: Path) -> None:
    Ledger(Store(database_url))  # create the schema before the writers race
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    env = os.environ | {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    }
    writers = [
        subprocess.Popen(
            [sys.executable, str(script), database_url, name, "60"], env=env, stderr=subprocess.PIPE
        )
        for name in ("a", "b")
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, err.decode()
    ledger = Ledger(Store(database_url))
    report = ledger.verify()
    assert report.ok, report.message
    assert report.records_checked == 120
    assert len(ledger.records("txn-a")) == len(ledger.records("txn-b")) == 60
