"""Anchors, ledger keys, batching and file modes: the parts of the ledger that live outside its rows."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from typer.testing import CliRunner

from governance.anchor import FileAnchorLog, MemoryAnchorLog, default_anchor_log
from governance.errors import CredentialError, LedgerError
from governance.ledger import Ledger, ledger_head, ledger_records
from governance.ledger_keys import MAC_KEY_PATH, SIGNING_KEY_PATH, generated_keys, load_ledger_keys
from governance.secrets import FileSecretStore, default_provider
from governance.store import Store, reset_sqlite_database
from opspack.cli.audit import audit_app

runner = CliRunner()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def wide_umask() -> object:
    previous = os.umask(0o022)  # what most shells hand a service: files would be 0644
    yield None
    os.umask(previous)


def test_database_files_and_key_files_are_created_owner_only(tmp_path: Path, wide_umask: object) -> None:
    database = tmp_path / "data" / "ops.db"
    ledger = Ledger(Store(f"sqlite:///{database}"))
    ledger.append("t", "note", {"i": 1})
    ledger.checkpoint()
    with ledger.store.connect() as connection:  # an open connection keeps -wal and -shm around
        connection.execute(select(func.count()).select_from(ledger_records)).scalar_one()
        for suffix in ("", "-wal", "-shm"):
            assert mode(Path(f"{database}{suffix}")) == 0o600, suffix
    assert mode(database.parent) == 0o700
    store = FileSecretStore()
    assert {MAC_KEY_PATH, SIGNING_KEY_PATH} <= set(store.paths())
    assert mode(store.path) == 0o600 and mode(store.key_path) == 0o600
    anchors = tmp_path / "data" / "anchors" / "ops.jsonl"
    assert mode(anchors) == 0o600 and mode(anchors.parent) == 0o700


def test_an_existing_world_readable_database_is_narrowed(tmp_path: Path) -> None:
    database = tmp_path / "old.db"
    database.touch(mode=0o644)
    os.chmod(database, 0o644)
    Store(f"sqlite:///{database}")
    assert mode(database) == 0o600


def test_keys_are_created_once_in_the_secret_store_and_reused() -> None:
    first = load_ledger_keys()
    again = load_ledger_keys(create=False)
    assert first.public_key_pem() == again.public_key_pem() and first.mac_key == again.mac_key
    assert FileSecretStore().set_if_absent(MAC_KEY_PATH, "another") != "another"


def test_verification_never_creates_keys(tmp_path: Path) -> None:
    keys = load_ledger_keys(create=False)
    assert keys.mac_key is None and keys.signing_key is None
    assert not FileSecretStore().path.exists()


def test_keys_from_the_environment_win_and_bad_ones_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSPACK_SECRET_LEDGER__MAC_KEY", "not base64!")
    with pytest.raises(CredentialError, match="ledger/mac_key"):
        load_ledger_keys(default_provider())
    monkeypatch.setenv("OPSPACK_SECRET_LEDGER__MAC_KEY", "QUJD")  # 3 bytes
    with pytest.raises(CredentialError, match="must hold 32 bytes"):
        load_ledger_keys(default_provider())


def test_without_the_mac_key_verify_fails_closed(sqlite_url: str) -> None:
    Ledger(Store(sqlite_url), keys=generated_keys()).append("t", "note", {})
    report = Ledger(Store(sqlite_url), read_only=True).verify()  # the store has no key
    assert not report.ok and "MAC cannot be checked" in report.message


def test_appends_in_one_transaction_are_written_at_commit_and_forgotten_on_rollback(sqlite_url: str) -> None:
    ledger = Ledger(Store(sqlite_url), keys=generated_keys())
    with ledger.store.begin() as connection:
        first = ledger.append("t", "note", {"i": 1}, connection=connection)
        second = ledger.append("t", "note", {"i": 2}, connection=connection)
        assert second.prev_hash == first.hash
        assert connection.execute(select(func.count()).select_from(ledger_records)).scalar_one() == 0
    assert [r.id for r in ledger.records()] == [first.id, second.id]
    with pytest.raises(RuntimeError), ledger.store.begin() as connection:
        ledger.append("t", "note", {"i": 3}, connection=connection)
        raise RuntimeError("the work failed")
    third = ledger.append("t", "note", {"i": 4})
    assert third.seq == 3 and ledger.verify().ok


def test_a_rolled_back_savepoint_keeps_records_appended_before_it(sqlite_url: str) -> None:
    ledger = Ledger(Store(sqlite_url), keys=generated_keys())
    with ledger.store.begin() as connection:
        kept = ledger.append("t", "note", {"i": 1}, connection=connection)
        savepoint = connection.begin_nested()
        ledger.append("t", "note", {"i": 2}, connection=connection)
        savepoint.rollback()
        after = ledger.append("t", "note", {"i": 3}, connection=connection)
    assert [r.id for r in ledger.records()] == [kept.id, after.id]
    assert ledger.verify().ok


def test_checkpoint_if_due_anchors_only_new_records_after_the_interval(sqlite_url: str) -> None:
    now = [datetime(2026, 3, 1, 12, 0, tzinfo=UTC)]
    log = MemoryAnchorLog()
    ledger = Ledger(Store(sqlite_url), keys=generated_keys(), anchors=log, clock=lambda: now[0])
    ledger.append("t", "note", {})
    assert ledger.checkpoint_if_due(timedelta(minutes=5)) is not None
    ledger.append("t", "note", {})
    now[0] += timedelta(minutes=1)
    assert ledger.checkpoint_if_due(timedelta(minutes=5)) is None
    now[0] += timedelta(minutes=5)
    assert ledger.checkpoint_if_due(timedelta(minutes=5)) is not None
    assert ledger.checkpoint_if_due(timedelta(minutes=5)) is None  # nothing new
    assert [entry.records for entry in log.entries()] == [1, 2]


def test_anchor_log_locations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sqlite_log = default_anchor_log(f"sqlite:///{tmp_path / 'x' / 'ops.db'}")
    assert (
        isinstance(sqlite_log, FileAnchorLog) and sqlite_log.path == tmp_path / "x" / "anchors" / "ops.jsonl"
    )
    assert isinstance(default_anchor_log("sqlite://"), MemoryAnchorLog)
    postgres = default_anchor_log("postgresql+psycopg://u@h/db")
    assert isinstance(postgres, FileAnchorLog) and postgres.path == Path(".opspack/anchors/ledger.jsonl")
    monkeypatch.setenv("OPSPACK_ANCHOR_DIR", str(tmp_path / "worm"))
    moved = default_anchor_log(f"sqlite:///{tmp_path / 'ops.db'}")
    assert isinstance(moved, FileAnchorLog) and moved.path == tmp_path / "worm" / "ops.jsonl"


def test_a_malformed_anchor_line_fails_verification(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    ledger = Ledger(Store(url), keys=generated_keys())
    ledger.append("t", "note", {})
    ledger.checkpoint()
    log = default_anchor_log(url)
    assert isinstance(log, FileAnchorLog)
    with log.path.open("a") as handle:
        handle.write('{"format": "opspack-anchor/1", "sequence": "two"}\n')
    report = ledger.verify()
    assert not report.ok and "anchor log line 2 is malformed" in str(report.anchor_problem)


def test_resetting_a_database_retires_its_anchor_log(tmp_path: Path) -> None:
    database = tmp_path / "run.db"
    ledger = Ledger(Store(reset_sqlite_database(database)))
    ledger.append("t", "note", {})
    ledger.checkpoint()
    ledger.store.dispose()
    fresh = Ledger(Store(reset_sqlite_database(database)))
    assert fresh.verify().ok and fresh.verify().anchors_checked == 0
    assert len(list((tmp_path / "anchors").glob("run.retired-*.jsonl"))) == 1


def test_read_only_ledger_refuses_writes(sqlite_url: str) -> None:
    ledger = Ledger(Store(sqlite_url), read_only=True)
    with pytest.raises(LedgerError, match="read-only"):
        ledger.append("t", "note", {})
    with pytest.raises(LedgerError, match="read-only"):
        ledger.checkpoint()


def test_cli_checkpoint_public_key_and_read_only_verify(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPSPACK_DATABASE_URL", sqlite_url)
    ledger = Ledger(Store(sqlite_url))
    for i in range(3):
        ledger.append("t", "note", {"i": i})
    assert "anchor 1 over 3 records" in runner.invoke(audit_app, ["checkpoint"]).output
    assert "no checkpoint due" in runner.invoke(audit_app, ["checkpoint", "--if-older-than", "3600"]).output
    key = tmp_path / "auditor.pem"
    assert runner.invoke(audit_app, ["public-key", "--out", str(key)]).exit_code == 0
    verified = runner.invoke(audit_app, ["verify", "--public-key", str(key), "--json"])
    assert verified.exit_code == 0 and json.loads(verified.output)["anchors_checked"] == 1
    stranger = tmp_path / "stranger.pem"
    stranger.write_text(generated_keys().public_key_pem())
    assert runner.invoke(audit_app, ["verify", "--public-key", str(stranger)]).exit_code == 2
    with ledger.store.begin() as connection:  # a total wipe, head row included
        connection.execute(delete(ledger_records))
        connection.execute(delete(ledger_head))
    wiped = runner.invoke(audit_app, ["verify"])
    assert wiped.exit_code == 2 and "the database holds 0" in wiped.output
    with ledger.store.connect() as connection:  # verify wrote nothing back
        assert connection.execute(select(func.count()).select_from(ledger_head)).scalar_one() == 0


def test_appends_on_a_connection_of_another_engine_are_written_too(sqlite_url: str) -> None:
    ledger = Ledger(Store(sqlite_url), keys=generated_keys())
    other = Store(sqlite_url)  # its own engine: no Ledger was built on it
    with other.begin() as connection:
        record = ledger.append("t", "note", {}, connection=connection)
    assert [r.id for r in ledger.records()] == [record.id] and ledger.verify().ok
