"""Password hashes, the users file (fails closed) and `opspack console add-user`."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from governance.policy import load_policy
from opspack.cli.console import console_app
from opspack.console.errors import ConsoleConfigError
from opspack.console.passwords import DEFAULT_N, hash_password, verify_password
from opspack.console.sessions import SessionSigner
from opspack.console.users import Role, check_against_policy, load_users, parse_users, write_user
from opspack.settings import FIXTURES_DIR, policy_path


def test_default_hash_is_scrypt_at_owasp_cost_and_verifies() -> None:
    stored = hash_password("a long enough password")
    scheme, n, r, p, salt, key = stored.split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", DEFAULT_N, 8, 1) and salt and key
    assert verify_password("a long enough password", stored)
    assert not verify_password("a long enough passwore", stored)
    assert hash_password("a long enough password", n=1024) != hash_password("a long enough password", n=1024)


def test_short_passwords_and_foreign_hashes_are_refused() -> None:
    with pytest.raises(ConsoleConfigError, match="at least 12 characters"):
        hash_password("short")
    with pytest.raises(ConsoleConfigError, match="not an scrypt hash"):
        verify_password("whatever", "$2b$12$abcdefghijklmnopqrstuv")


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"users": {"al": {"role": "root"}}}, "users.al.role"),
        ({"users": {"al": {"role": "viewer", "colour": "red"}}}, "users.al.colour: unknown key"),
        ({"users": {"al": {"role": "approver"}}}, "role approver needs `approver:`"),
        ({"users": {"al": {"role": "viewer", "approver": "alice"}}}, "a viewer cannot decide"),
        ({"users": {"al": {"role": "viewer", "password_hash": "plain-text"}}}, "not an scrypt hash"),
        ({"users": {"al ice": {"role": "viewer"}}}, "is not a user name"),
        (["alice"], "must be a mapping"),
    ],
)
def test_users_file_fails_closed(data: object, problem: str) -> None:
    with pytest.raises(ConsoleConfigError, match=problem.replace("`", ".").replace("(", ".")):
        parse_users(data, source="users.yaml")


def test_approver_mapping_must_exist_in_the_policy() -> None:
    users = parse_users({"users": {"zed": {"role": "approver", "approver": "zed"}}}, source="u.yaml")
    with pytest.raises(ConsoleConfigError, match="'zed' is not an approver in the policy"):
        check_against_policy(users, load_policy(policy_path()), source="u.yaml")


def test_write_user_keeps_the_others_and_is_private(tmp_path: Path) -> None:
    path = tmp_path / "users.yaml"
    write_user(path, "alice", role=Role.APPROVER, approver="alice", password_hash=None)
    write_user(path, "victor", role=Role.VIEWER, approver=None, password_hash=None, name="Victor")
    users = load_users(path).users
    assert set(users) == {"alice", "victor"} and users["victor"].name == "Victor"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_example_users_file_is_valid_against_the_example_policy() -> None:
    example = FIXTURES_DIR / "console" / "users.example.yaml"
    users = load_users(example)
    check_against_policy(users, load_policy(policy_path()), source=str(example))
    assert {entry.role for entry in users.users.values()} == set(Role)


def test_add_user_hashes_a_password_from_stdin_and_never_prints_it(tmp_path: Path) -> None:
    path = tmp_path / "users.yaml"
    secret = "correct horse battery staple"
    result = CliRunner().invoke(
        console_app,
        [
            "add-user",
            "bob",
            "--role",
            "approver",
            "--approver",
            "bob",
            "--users",
            str(path),
            "--password-stdin",
        ],
        input=secret + "\n",
    )
    assert result.exit_code == 0, result.output
    assert secret not in result.output and "decides as bob" in result.output
    stored = yaml.safe_load(path.read_text())["users"]["bob"]
    assert secret not in path.read_text() and verify_password(secret, stored["password_hash"])
    assert (stored["role"], stored["approver"]) == ("approver", "bob")


def test_add_user_refuses_an_approver_the_policy_does_not_know(tmp_path: Path) -> None:
    path = tmp_path / "users.yaml"
    result = CliRunner().invoke(
        console_app,
        [
            "add-user",
            "eve",
            "--role",
            "approver",
            "--approver",
            "eve",
            "--users",
            str(path),
            "--no-password",
        ],
    )
    assert result.exit_code != 0 and not path.exists()
    assert "not an approver in the policy" in str(result.exception)


def test_signed_cookies_refuse_tampering_age_and_other_keys() -> None:
    signer = SessionSigner("k" * 40, max_age_seconds=3600)
    cookie = signer.issue("alice", "scrypt$1024$8$1$x$y", 1_000)
    session = signer.read(cookie, 1_100)
    assert session is not None and session.user == "alice"
    payload, signature = cookie.split(".")
    assert signer.read(payload[:-2] + "xx." + signature, 1_100) is None
    assert signer.read(cookie, 1_000 + 3601) is None
    assert SessionSigner("j" * 40, max_age_seconds=3600).read(cookie, 1_100) is None
    other = signer.read(signer.issue("alice", "scrypt$1024$8$1$x$y", 1_000), 1_100)
    assert other is not None and signer.csrf_token(other) != signer.csrf_token(session)
    assert session.fingerprint != signer.fingerprint("scrypt$1024$8$1$x$z")
    with pytest.raises(ValueError, match="at least 32 bytes"):
        SessionSigner("short", max_age_seconds=60)
