"""The approvals / audit / corrections command groups, end to end on a real store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from governance_doubles import FileTarget, invoice, payment, policy_data
from sqlalchemy import update
from typer.testing import CliRunner

from governance.approver_auth import pin_approver_store
from governance.ledger import ledger_records, verify_export
from governance.policy import load_policy
from governance.runtime import Governor
from governance.store import Store
from opspack.cli.audit import audit_app
from opspack.cli.governance import approvals_app, corrections_app
from opspack.console.passwords import hash_password
from opspack.console.users import Role, write_user
from opspack.wiring import ApprovalWiring

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Governor:
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(yaml.safe_dump(policy_data()))
    monkeypatch.setenv("OPSPACK_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("OPSPACK_POLICY", str(policy_file))
    users = tmp_path / "console-users.yaml"
    for name in ("alice", "bob", "carol"):  # each approver's record, as an admin writes it
        write_user(
            users,
            name,
            role=Role.APPROVER,
            approver=name,
            password_hash=hash_password(f"token-of-{name}", n=1024),
        )
    store = Store(sqlite_url)
    pin_approver_store(store, users, registered_by="admin")
    monkeypatch.delenv("OPSPACK_APPROVER_TOKEN", raising=False)
    monkeypatch.delenv("OPSPACK_CONSOLE_USERS", raising=False)
    return Governor(load_policy(policy_file), store, {"sap": FileTarget(tmp_path / "target.json")})


def approver_env(args: tuple[str, ...] | list[str]) -> dict[str, str]:
    """The token the approver named by ``--as`` presents (their own)."""
    return {"OPSPACK_APPROVER_TOKEN": f"token-of-{args[args.index('--as') + 1]}"} if "--as" in args else {}


def ok(app, *args: str) -> str:  # type: ignore[no-untyped-def]
    result = runner.invoke(app, list(args), env=approver_env(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_approvals_list_show_and_decide(env: Governor) -> None:
    held = env.submit(payment(), transaction_id="t1")
    rejected = env.submit(payment("PAY-2"), transaction_id="t2")
    listed = json.loads(ok(approvals_app, "list", "--json", "--status", "pending"))
    assert {item["id"] for item in listed} == {held.approval_id, rejected.approval_id}
    assert str(held.approval_id) in ok(approvals_app, "list", "--agent", "ap")
    assert (
        json.loads(ok(approvals_app, "show", str(held.approval_id), "--json"))["operation"]
        == "erp.schedule_payment"
    )

    args = ["approve", str(held.approval_id), "--as", "carol", "--reason", "x"]
    refused = runner.invoke(approvals_app, args, env=approver_env(args))
    assert refused.exit_code == 1 and "not an approver" in refused.output

    no_factory = json.loads(
        ok(approvals_app, "approve", str(held.approval_id), "--as", "alice", "--reason", "ok", "--json")
    )
    assert no_factory["status"] == "held" and "next submits" in no_factory["message"]
    assert env.submit(payment(), transaction_id="t1").status == "executed"

    ok(approvals_app, "reject", str(rejected.approval_id), "--as", "bob", "--reason", "duplicate")
    assert json.loads(ok(approvals_app, "list", "--json", "--status", "rejected"))[0]["decided_by"] == "bob"


def test_cli_approvers_must_present_their_own_secret(env: Governor) -> None:
    held = env.submit(payment(), transaction_id="t1")
    args = ["approve", str(held.approval_id), "--as", "alice", "--reason", "ok"]
    missing = runner.invoke(approvals_app, args)
    assert missing.exit_code == 1 and "OPSPACK_APPROVER_TOKEN" in missing.output
    impostor = runner.invoke(approvals_app, args, env={"OPSPACK_APPROVER_TOKEN": "token-of-bob"})
    assert impostor.exit_code == 1 and "not approver 'alice'" in impostor.output
    assert "token-of-bob" not in impostor.output
    nobody = runner.invoke(
        approvals_app,
        ["reject", str(held.approval_id), "--as", "dave", "--reason", "x"],
        env={"OPSPACK_APPROVER_TOKEN": "guess"},
    )
    assert nobody.exit_code == 1 and "not approver 'dave'" in nobody.output
    assert json.loads(ok(approvals_app, "list", "--json", "--status", "pending"))[0]["id"] == held.approval_id


def test_approve_executes_when_a_performers_factory_is_passed(env: Governor) -> None:
    held = env.submit(payment(), transaction_id="t1")
    args = ["approve", str(held.approval_id), "--as", "alice", "--reason", "checked"]
    wiring = ApprovalWiring(lambda policy, agent: env.performers)
    result = runner.invoke(approvals_app, args, obj=wiring, env=approver_env(args))
    assert result.exit_code == 0, result.output
    output = result.output
    assert "executed" in output and "DOC-0001" in output


def test_audit_verify_show_export_and_tamper(env: Governor, tmp_path: Path) -> None:
    env.submit(invoice(), transaction_id="t1")
    assert json.loads(ok(audit_app, "verify", "--json"))["ok"] is True
    shown = ok(audit_app, "show", "t1")
    assert "execution_outcome" in shown and "DOC-0001" in shown
    assert next(r["kind"] for r in json.loads(ok(audit_app, "show", "t1", "--json"))) == "verdict"
    out = tmp_path / "ledger.jsonl"
    ok(audit_app, "export", "--format", "jsonl", "--out", str(out))
    assert verify_export(out.read_text().splitlines()).ok
    ok(audit_app, "checkpoint")
    assert "proof" in ok(audit_app, "export", "--transaction", "t1")
    assert runner.invoke(audit_app, ["export", "--format", "csv"]).exit_code == 1
    assert runner.invoke(audit_app, ["show", "nope"]).exit_code == 1
    with env.store.begin() as connection:
        connection.execute(update(ledger_records).where(ledger_records.c.seq == 2).values(actor="mallory"))
    broken = runner.invoke(audit_app, ["verify"])
    assert broken.exit_code == 2 and "seq 2" in broken.output


def test_corrections_add_with_compensation_and_list(env: Governor, tmp_path: Path) -> None:
    env.submit(invoice(), transaction_id="t1")
    outcome_id = next(r.id for r in env.ledger.timeline("t1") if r.kind == "execution_outcome")
    compensation = tmp_path / "reverse.json"
    compensation.write_text(invoice("INV-1-REV", "5000.00").model_dump_json())
    added = json.loads(
        ok(
            corrections_app,
            "add",
            "--record",
            outcome_id,
            "--reason",
            "wrong vendor",
            "--root-cause",
            "ocr",
            "--as",
            "alice",
            "--compensate-json",
            str(compensation),
            "--json",
        )
    )
    assert added["correction"]["record_id"] == outcome_id and added["compensation"]["status"] == "held"
    listed = json.loads(ok(corrections_app, "list", "--json"))
    assert [c["root_cause"] for c in listed] == ["ocr"]
    bad = runner.invoke(corrections_app, ["add", "--record", "missing", "--reason", "x", "--root-cause", "y"])
    assert bad.exit_code == 1 and "no ledger record" in bad.output
