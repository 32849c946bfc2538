"""Hole 3 (issue 14) and issue 16 item 6: approvers cannot be forged through the environment.

Approver secrets live only as salted scrypt hashes in the console users file that an admin pins
in the governance database; the CLI checks what the caller presents against that record, and
promotions and manual demotions need the same authenticated, entitled approver.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from governance import approvals
from governance.action import Action
from governance.approver_auth import (
    AuthenticatedApprover,
    FakeApproverDirectory,
    authenticate_approver,
    pin_approver_store,
    pinned_approver_store,
)
from governance.autonomy import AutonomyError, demote, promote
from governance.errors import ApprovalError
from governance.ledger import Ledger
from governance.policy import load_policy
from governance.runtime import Governor, Outcome
from governance.secrets import FileSecretStore
from governance.store import Store
from opspack.cli.autonomy import autonomy_app
from opspack.cli.console import console_app
from opspack.cli.governance import approvals_app
from opspack.console.passwords import hash_password
from opspack.console.users import Role, write_user
from opspack.settings import policy_path

runner = CliRunner()
SECRET = {"alice": "alice-real-secret", "bob": "bob-real-secret", "dave": "dave-real-secret"}
NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


@pytest.fixture
def company(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Store, Path]:
    """The example policy, a fresh default store, and the admin's pinned approver records."""
    for name in ("OPSPACK_APPROVER_TOKEN", "OPSPACK_CONSOLE_USERS", "OPSPACK_POLICY", "OPSPACK_SECRETS_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPSPACK_DATABASE_URL", f"sqlite:///{tmp_path / 'opspack.db'}")
    users = tmp_path / "admin" / "console-users.yaml"
    for name, secret in SECRET.items():
        write_user(
            users, name, role=Role.APPROVER, approver=name, password_hash=hash_password(secret, n=1024)
        )
    store = Store()
    pin_approver_store(store, users, registered_by="admin")
    return store, users


def held_payment(store: Store, reference: str = "PAY-1") -> Outcome:
    """A payment above ap_clerk's 10 000 EUR cap in the example policy: held for approval."""
    action = Action(
        agent="ap_clerk",
        system="sap",
        operation="erp.schedule_payment",
        target="5105600001",
        params={
            "payment_date": "2026-04-01",
            "amount": "12000.00",
            "currency": "EUR",
            "vendor_id": "17300015",
        },
        business_key=f"manual-payment:{reference}",
    )
    outcome = Governor(load_policy(policy_path()), store, {}).submit(action, transaction_id=reference)
    assert outcome.status == "held", outcome
    return outcome


def approve(approval_id: str, env: dict[str, str], approver: str = "alice") -> str:
    result = runner.invoke(
        approvals_app, ["approve", approval_id, "--as", approver, "--reason", "ok"], env=env
    )
    return f"{result.exit_code}:{result.output}"


def status_of(store: Store, approval_id: str) -> str:
    return approvals.get_request(store, approval_id).as_dict(NOW)["status"]


def test_the_issue_reproduction_no_longer_approves_as_alice(company: tuple[Store, Path]) -> None:
    """``OPSPACK_SECRET_APPROVERS__ALICE__TOKEN=x OPSPACK_APPROVER_TOKEN=x opspack approvals approve``."""
    store, _ = company
    held = held_payment(store)
    env = {**os.environ, "OPSPACK_SECRET_APPROVERS__ALICE__TOKEN": "x", "OPSPACK_APPROVER_TOKEN": "x"}
    opspack = shutil.which("opspack") or str(Path(sys.executable).with_name("opspack"))
    answer = subprocess.run(
        [opspack, "approvals", "approve", str(held.approval_id), "--as", "alice", "--reason", "forged"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert answer.returncode == 1, answer.stdout + answer.stderr
    assert "not approver 'alice'" in answer.stderr
    assert status_of(store, str(held.approval_id)) == "pending"
    assert not Ledger(store).records(kind="approval_decided")


def test_a_token_in_the_encrypted_secret_store_is_not_an_approver_record(
    company: tuple[Store, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, _ = company
    held = held_payment(store)
    FileSecretStore().set("approvers/alice/token", "planted-token")
    assert "not approver 'alice'" in approve(
        str(held.approval_id), {"OPSPACK_APPROVER_TOKEN": "planted-token"}
    )
    assert status_of(store, str(held.approval_id)) == "pending"


def test_another_users_file_named_by_the_caller_is_refused(
    company: tuple[Store, Path], tmp_path: Path
) -> None:
    store, pinned = company
    held = held_payment(store)
    forged = tmp_path / "mine" / "users.yaml"
    write_user(
        forged,
        "alice",
        role=Role.APPROVER,
        approver="alice",
        password_hash=hash_password("chosen-by-me!", n=1024),
    )
    answer = approve(
        str(held.approval_id),
        {"OPSPACK_CONSOLE_USERS": str(forged), "OPSPACK_APPROVER_TOKEN": "chosen-by-me!"},
    )
    assert answer.startswith("1:") and f"approver records for this database are {pinned.resolve()}" in answer
    assert status_of(store, str(held.approval_id)) == "pending"


def test_the_real_secret_approves_and_the_wrong_one_does_not(company: tuple[Store, Path]) -> None:
    store, _ = company
    held = held_payment(store)
    wrong = approve(str(held.approval_id), {"OPSPACK_APPROVER_TOKEN": SECRET["bob"]})
    assert wrong.startswith("1:") and "not approver 'alice'" in wrong and SECRET["bob"] not in wrong
    missing = approve(str(held.approval_id), {})
    assert missing.startswith("1:") and "OPSPACK_APPROVER_TOKEN" in missing
    unknown = approve(str(held.approval_id), {"OPSPACK_APPROVER_TOKEN": "guess"}, approver="mallory")
    assert unknown.startswith("1:") and "not approver 'mallory'" in unknown
    assert approve(str(held.approval_id), {"OPSPACK_APPROVER_TOKEN": SECRET["alice"]}).startswith("0:")
    assert status_of(store, str(held.approval_id)) == "approved"
    (decided,) = Ledger(store).records(kind="approval_decided")
    assert decided.payload["approver"] == "alice"


def test_without_registered_records_nobody_approves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSPACK_DATABASE_URL", f"sqlite:///{tmp_path / 'bare.db'}")
    store = Store()
    held = held_payment(store)
    answer = approve(str(held.approval_id), {"OPSPACK_APPROVER_TOKEN": "anything"})
    assert answer.startswith("1:") and "no approver records are registered" in answer


def test_records_others_may_rewrite_are_refused(company: tuple[Store, Path]) -> None:
    store, users = company
    held = held_payment(store)
    users.chmod(0o666)
    answer = approve(str(held.approval_id), {"OPSPACK_APPROVER_TOKEN": SECRET["alice"]})
    assert answer.startswith("1:") and "group/others may write" in answer
    assert status_of(store, str(held.approval_id)) == "pending"


def test_add_user_writes_0600_pins_the_file_and_rotation_changes_the_cli_secret(
    company: tuple[Store, Path], tmp_path: Path
) -> None:
    store, _ = company
    users = tmp_path / "ops" / "console-users.yaml"
    added = runner.invoke(
        console_app,
        [
            "add-user",
            "alice",
            "--role",
            "approver",
            "--approver",
            "alice",
            "--users",
            str(users),
            "--password-stdin",
        ],
        input="first-password-of-alice\n",
    )
    assert added.exit_code == 0, added.output
    assert users.stat().st_mode & 0o777 == 0o600
    assert pinned_approver_store(store) == users.resolve()
    assert (
        "password_hash: scrypt$" in users.read_text() and "first-password-of-alice" not in users.read_text()
    )
    held = held_payment(store)
    env = {"OPSPACK_APPROVER_TOKEN": "first-password-of-alice"}
    rotated = runner.invoke(
        console_app,
        ["rotate-password", "alice", "--users", str(users), "--password-stdin"],
        input="second-password!!\n",
    )
    assert rotated.exit_code == 0, rotated.output
    assert users.stat().st_mode & 0o777 == 0o600
    assert "not approver 'alice'" in approve(str(held.approval_id), env)
    assert approve(str(held.approval_id), {"OPSPACK_APPROVER_TOKEN": "second-password!!"}).startswith("0:")
    listed = runner.invoke(console_app, ["list-users", "--users", str(users)])
    assert "alice: approver decides as alice; password" in listed.output and "scrypt" not in listed.output


# --- authenticated promotion and demotion sign-off (issue 16 item 6) ----------------------------


def signed(approver: str) -> AuthenticatedApprover:
    return authenticate_approver(approver, "s", FakeApproverDirectory({approver: "s"}))


def test_promotion_api_refuses_a_bare_name_and_an_unlisted_approver(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    shutil.copy(policy_path(), policy)
    ledger = Ledger(Store(f"sqlite:///{tmp_path / 'l.db'}"))
    common = {"agent": "procurement", "operation": "erp.update_po_status", "reason": "r", "now": NOW}
    with pytest.raises(AutonomyError, match="needs an authenticated approver"):
        promote(policy, ledger, [], _config(), signer="dave", **common)  # type: ignore[arg-type]
    with pytest.raises(AutonomyError, match="'alice' may not sign off autonomy for procurement"):
        promote(policy, ledger, [], _config(), signer=signed("alice"), **common)  # type: ignore[arg-type]
    with pytest.raises(AutonomyError, match="manual demotion needs an authenticated approver"):
        demote(
            policy,
            ledger,
            agent="procurement",
            operation="erp.set_spend_category",
            actor="dave",
            reasons=["x"],
        )
    with pytest.raises(AutonomyError, match="names 'bob' but 'dave' authenticated"):
        demote(
            policy,
            ledger,
            agent="procurement",
            operation="erp.set_spend_category",
            actor="bob",
            reasons=["x"],
            signer=signed("dave"),
        )
    with pytest.raises(ApprovalError, match="only from authenticate_approver"):
        AuthenticatedApprover("dave", "dave", "password", "nowhere")
    assert not ledger.records(kind="autonomy_changed")


def _config():  # type: ignore[no-untyped-def]
    from governance.autonomy import load_measurement_config
    from opspack.settings import FIXTURES_DIR

    return load_measurement_config(FIXTURES_DIR / "autonomy.yaml")


def test_cli_demotion_authenticates_and_the_ledger_names_the_signer(
    company: tuple[Store, Path], tmp_path: Path
) -> None:
    store, users = company
    policy = tmp_path / "policy.yaml"
    shutil.copy(policy_path(), policy)
    args = ["demote", "procurement", "erp.set_spend_category", "--by", "dave", "--reason", "new taxonomy"]
    args += ["--policy", str(policy)]
    forged = runner.invoke(
        autonomy_app, args, env={"OPSPACK_SECRET_APPROVERS__DAVE__TOKEN": "x", "OPSPACK_APPROVER_TOKEN": "x"}
    )
    assert forged.exit_code == 1 and "not approver 'dave'" in forged.output
    unlisted = runner.invoke(
        autonomy_app, [*args[:4], "alice", *args[5:]], env={"OPSPACK_APPROVER_TOKEN": SECRET["alice"]}
    )
    assert unlisted.exit_code == 1 and "'alice' may not sign off autonomy for procurement" in unlisted.output
    assert not Ledger(store).records(kind="autonomy_changed")
    done = runner.invoke(autonomy_app, [*args, "--json"], env={"OPSPACK_APPROVER_TOKEN": SECRET["dave"]})
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)[0]["new_tier"] == "hotl"
    (record,) = Ledger(store).records(kind="autonomy_changed")
    assert record.actor == "dave" and record.payload["signed_off_by"] == "dave"
    assert record.payload["authentication"] == {
        "approver": "dave",
        "principal": "dave",
        "method": "password",
        "store": f"the approver records in {users.resolve()}",
    }


def test_cli_promotion_without_a_secret_is_refused(company: tuple[Store, Path], tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    shutil.copy(policy_path(), policy)
    args = [
        "promote",
        "procurement",
        "erp.update_po_status",
        "--by",
        "dave",
        "--reason",
        "x",
        "--policy",
        str(policy),
    ]
    refused = runner.invoke(autonomy_app, args, env={})
    assert refused.exit_code == 1 and "needs your approver secret" in refused.output
    assert load_policy(policy).version == load_policy(policy_path()).version
