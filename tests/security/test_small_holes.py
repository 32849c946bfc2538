"""Hole 8 (issue 14), the parts about files: secret files are 0600 whatever the umask, and a spend
CSV that names a column twice is refused instead of silently keeping one of the two values."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from governance.secrets import FileSecretStore
from opspack.cli.spend import spend_app
from opspack.console.passwords import hash_password
from opspack.console.users import Role, load_users, write_user

runner = CliRunner()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The most careless umask: anything created with default permissions would be 0666/0777."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_the_encrypted_secret_store_its_key_and_lock_are_owner_only(
    tmp_path: Path, open_umask: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPSPACK_SECRETS_KEY", raising=False)
    store = FileSecretStore(tmp_path / "fresh" / "secrets.json")
    store.set("sap/ap_clerk/password", "s3cret-value")
    assert mode(tmp_path / "fresh") == 0o700
    assert mode(tmp_path / "fresh" / "secrets.json") == 0o600
    assert mode(tmp_path / "fresh" / "secrets.key") == 0o600
    assert mode(tmp_path / "fresh" / "secrets.json.lock") == 0o600
    assert store.get("sap/ap_clerk/password") == "s3cret-value"


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_the_console_users_file_is_written_0600_even_over_a_stale_world_readable_temp(
    tmp_path: Path, open_umask: None
) -> None:
    users = tmp_path / "users.yaml"
    users.write_text("users: {}\n")
    users.chmod(0o644)  # written by hand, readable by all
    stale = tmp_path / ".users.yaml.tmp"  # what an interrupted earlier write left behind
    stale.write_text("")
    stale.chmod(0o666)
    write_user(
        users, "alice", role=Role.APPROVER, approver="alice", password_hash=hash_password("a" * 12, n=1024)
    )
    assert mode(users) == 0o600
    assert "alice" in load_users(users).users


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("line_id,description,vendor,amount,amount", "'amount' in columns 4, 5"),
        ("description,vendor,description", "'description' in columns 1, 3"),
        ("description,,vendor,", "'(blank)' in columns 2, 4"),
    ],
)
def test_spend_classify_refuses_duplicated_column_names(tmp_path: Path, header: str, expected: str) -> None:
    source = tmp_path / "spend.csv"
    columns = header.count(",") + 1
    source.write_text(header + "\n" + ",".join(["Laptop 14 inch"] * columns) + "\n", encoding="utf-8")
    result = runner.invoke(spend_app, ["classify", str(source), "--out", str(tmp_path / "out.csv")])
    assert result.exit_code == 1
    assert "duplicated column name(s)" in result.stderr and expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out.csv").exists() or "Laptop" not in (tmp_path / "out.csv").read_text()


def test_a_labelled_history_with_duplicated_columns_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "spend.csv"
    source.write_text("description,vendor\nLaptop 14 inch,Dell\n", encoding="utf-8")
    history = tmp_path / "history.csv"
    history.write_text("description,vendor,code,code\nToner,HP,44100000,43210000\n", encoding="utf-8")
    result = runner.invoke(
        spend_app, ["classify", str(source), "--out", str(tmp_path / "o.csv"), "--history", str(history)]
    )
    assert result.exit_code == 1 and "'code' in columns 3, 4" in result.stderr
