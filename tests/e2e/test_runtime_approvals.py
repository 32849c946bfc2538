"""Approvals close the loop: a payment held for approval and approved with the CLI is executed by
the running `opspack run` within 10 s; a rejected one puts the invoice on hold in SAP with the
rejection as its reason. SIGTERM then stops the runner cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml
from e2e_served import env, example_connections

from agents.ap.synthetic_inbox import write_inbox
from connectors.erp import InvoiceStatus
from governance import approvals
from governance.approver_auth import pin_approver_store
from governance.ledger import Ledger
from governance.store import Store
from mocks.sap import SapMock
from mocks.server import serve_mocks
from opspack.console.passwords import hash_password
from opspack.console.users import Role, write_user
from opspack.mock_connections import served_connections
from opspack.settings import DEFAULT_POLICY_PATH
from opspack.wiring import mock_erp

LOOP_SECONDS = 10


def _until(condition: Callable[[], bool], seconds: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, f"not within {seconds} s: {what}"
        time.sleep(0.05)
    return time.monotonic() - started


def _cli(workdir: Path, environ: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "opspack.cli", *args],
        cwd=workdir,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_decisions_are_executed_or_closed_by_the_running_runtime(tmp_path: Path) -> None:
    policy = yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
    policy["agents"]["ap_clerk"]["thresholds"]["erp.schedule_payment"]["max_amount"] = (
        1.0  # every payment waits
    )
    (tmp_path / "policy.yaml").write_text(yaml.safe_dump(policy), encoding="utf-8")
    mock = SapMock.from_fixtures()
    with serve_mocks({mock.NAME: mock}, port=0) as server:
        (tmp_path / "connections.yaml").write_text(
            yaml.safe_dump(served_connections(server.url, ["sap"], example_connections()))
        )
        inbox = tmp_path / "inbox"
        items = write_inbox(mock_erp("sap", server.url), inbox, 8, seed=3, defect_rate=0.0)
        database = tmp_path / "opspack.db"
        (tmp_path / "opspack.yaml").write_text(
            yaml.safe_dump(
                {
                    "database": f"sqlite:///{database}",
                    "policy": "policy.yaml",
                    "connections": "connections.yaml",
                    "runtime": {"poll_seconds": 0.5, "approvals_seconds": 0.2},
                    "sources": {"invoices": {"kind": "folder", "path": "inbox", "patterns": ["*.json"]}},
                    "agents": {"ap": {"type": "ap", "connections": {"erp": "sap"}, "sources": ["invoices"]}},
                }
            )
        )
        environ = {
            **env(),
            "OPSPACK_DATABASE_URL": f"sqlite:///{database}",
            "OPSPACK_POLICY": str(tmp_path / "policy.yaml"),
        }
        # The admin registers the approver records (what `opspack console add-user` does).
        users = tmp_path / "admin" / "console-users.yaml"
        for name in ("alice", "bob"):
            write_user(users, name, role=Role.APPROVER, approver=name, password_hash=hash_password(f"token-of-{name}", n=1024))  # fmt: skip
        pin_approver_store(Store(f"sqlite:///{database}"), users, registered_by="admin")
        runner = subprocess.Popen(
            [sys.executable, "-m", "opspack.cli", "run", "--config", "opspack.yaml"],
            cwd=tmp_path,
            env=environ,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            store = Store(f"sqlite:///{database}")

            def pending() -> list[approvals.ApprovalRequest]:
                try:
                    return approvals.list_requests(store, status="pending", now=_now())
                except Exception:  # the runner has not created the tables yet
                    return []

            _until(lambda: len(pending()) == len(items), 120, "every payment waiting for approval")
            payments = mock.payment_count()
            approve, reject = pending()[:2]
            erp = mock_erp("sap", server.url)

            decided = _cli(
                tmp_path,
                {**environ, "OPSPACK_APPROVER_TOKEN": "token-of-alice"},
                "approvals", "approve", approve.id, "--as", "alice", "--reason", "statement checked", "--json",
            )  # fmt: skip
            assert decided.returncode == 0, decided.stderr
            assert json.loads(decided.stdout)["status"] == "held"  # the CLI only records: the runner acts
            took = _until(
                lambda: mock.payment_count() == payments + 1, LOOP_SECONDS, "approved payment executed"
            )
            assert erp.find_payment_for_invoice(approve.action.target) is not None
            assert took < LOOP_SECONDS

            refused = _cli(
                tmp_path,
                {**environ, "OPSPACK_APPROVER_TOKEN": "token-of-bob"},
                "approvals", "reject", reject.id, "--as", "bob", "--reason", "bank details unconfirmed",
            )  # fmt: skip
            assert refused.returncode == 0, refused.stderr
            ledger = Ledger(store)

            def hold_recorded() -> list[dict[str, object]]:
                return [
                    r.payload
                    for r in ledger.records(reject.transaction_id, kind="execution_outcome")
                    if r.payload.get("operation") == "erp.hold_invoice"
                ]

            _until(lambda: bool(hold_recorded()), LOOP_SECONDS, "rejected invoice put on hold")
            # SAP posted it with a payment block and the release was refused: it stays blocked. S/4
            # keeps no reason on a posted invoice; the approver's words are on the governed hold.
            held = erp.get_invoice(reject.action.target)
            assert held.status is InvoiceStatus.AWAITING_RELEASE and held.released_by is None
            assert hold_recorded()[0]["status"] == "executed"
            verdict = next(
                r.payload["action"]
                for r in ledger.records(reject.transaction_id, kind="verdict")
                if r.payload["action"]["operation"] == "erp.hold_invoice"
            )
            assert "bank details unconfirmed" in verdict["params"]["reason"]
            assert erp.find_payment_for_invoice(reject.action.target) is None
            assert mock.payment_count() == payments + 1
        finally:
            os.kill(runner.pid, signal.SIGTERM)
            _, stderr = runner.communicate(timeout=30)
            print(stderr[-4000:])
        assert runner.returncode == 0, stderr
        log = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
        assert any("executed" in line["message"] and line.get("approval_id") == approve.id for line in log)
        assert any(line.get("approval_id") == reject.id and "closed" in line["message"] for line in log)
        assert log[-1]["message"].startswith("stopped after")


def _now():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_an_approval_given_in_the_console_is_executed_by_the_running_runner(tmp_path: Path) -> None:
    """In one process: the runner loops in a thread; alice approves in the web console (TestClient)."""
    import re
    import threading

    from fastapi.testclient import TestClient

    from opspack.console.app import create_app
    from opspack.console.settings import ConsoleSettings
    from opspack.deployment import load_deployment
    from opspack.runtime.build import build_runner

    policy = yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
    policy["agents"]["ap_clerk"]["thresholds"]["erp.schedule_payment"]["max_amount"] = 1.0
    (tmp_path / "policy.yaml").write_text(yaml.safe_dump(policy), encoding="utf-8")
    items = write_inbox(mock_erp("sap"), tmp_path / "inbox", 2, seed=3, defect_rate=0.0)
    for item in items:  # dropped a while ago: the folder source takes files once they are complete
        os.utime(tmp_path / "inbox" / item.file, (time.time() - 60, time.time() - 60))
    (tmp_path / "opspack.yaml").write_text(
        yaml.safe_dump(
            {
                "database": "opspack.db",
                "policy": "policy.yaml",
                "runtime": {"poll_seconds": 0.3, "approvals_seconds": 0.1},
                "sources": {"invoices": {"kind": "folder", "path": "inbox", "patterns": ["*.json"]}},
                "agents": {"ap": {"type": "ap", "connections": {"erp": "sap"}, "sources": ["invoices"]}},
            }
        )
    )
    deployment = load_deployment(tmp_path / "opspack.yaml")
    runner, wiring = build_runner(deployment, database=f"sqlite:///{tmp_path / 'opspack.db'}")
    assert runner.run(once=True) == 2
    [first, _] = approvals.list_requests(wiring.store, status="pending", now=_now())
    erp = wiring.connector("sap", agent="ap_clerk", kind="erp")  # the runner's in-process SAP mock
    assert erp.find_payment_for_invoice(first.action.target) is None

    users = tmp_path / "users.yaml"
    write_user(users, "alice", role=Role.APPROVER, approver="alice", password_hash=hash_password("pw-alice-console", n=1024), name="Alice")  # fmt: skip
    app = create_app(
        ConsoleSettings(
            users_file=users,
            secret_key="k" * 48,
            database_url=f"sqlite:///{tmp_path / 'opspack.db'}",
            policy_file=tmp_path / "policy.yaml",
        )
    )
    csrf = re.compile(r'name="csrf_token" value="([^"]+)"')
    loop = threading.Thread(target=runner.run, daemon=True)
    loop.start()
    try:
        client = TestClient(app, base_url="https://testserver")
        token = csrf.search(client.get("/login").text).group(1)  # type: ignore[union-attr]
        client.post("/login", data={"username": "alice", "password": "pw-alice-console", "csrf_token": token, "next": "/inbox"})  # fmt: skip
        token = csrf.search(client.get(f"/approvals/{first.id}").text).group(1)  # type: ignore[union-attr]
        answer = client.post(
            f"/approvals/{first.id}/approve",
            data={"reason": "statement checked", "csrf_token": token},
            follow_redirects=False,
        )
        assert answer.status_code in (200, 303), answer.text
        took = _until(
            lambda: erp.find_payment_for_invoice(first.action.target) is not None,
            LOOP_SECONDS,
            "payment approved in the console executed by the runner",
        )
        assert took < LOOP_SECONDS
        assert approvals.get_request(wiring.store, first.id).status == "used"
    finally:
        runner.stop()
        loop.join(timeout=30)
    assert not loop.is_alive()
