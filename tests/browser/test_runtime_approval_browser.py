"""Approvals close the loop, in a real browser: a running runtime executes what alice approves in the
console and closes the case bob rejects there.

`opspack run`'s runner (built from a deployment file, as the command builds it) works an inbox of
two invoices whose payments the policy holds, then keeps looping in a thread; the console is served
by uvicorn on a loopback port and driven through Debian's chromium with Playwright. The console
only records the decisions (it has no performer of its own here): the runner picks them up, re-judges
and executes the approved payment in the SAP mock within seconds, and puts the rejected invoice on
hold with the approver's words. Skips with the reason where chromium or Playwright is absent.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from served_console import ServedConsole

from agents.ap.synthetic_inbox import write_inbox
from connectors.erp import InvoiceStatus
from governance import approvals
from governance.approver_auth import pin_approver_store
from governance.ledger import Ledger
from opspack.console.passwords import hash_password
from opspack.console.settings import ConsoleSettings
from opspack.console.users import Role, write_user
from opspack.deployment import load_deployment
from opspack.runtime.build import build_runner
from opspack.settings import DEFAULT_POLICY_PATH
from opspack.wiring import mock_erp

pytestmark = pytest.mark.browser

LOOP_SECONDS = 10.0
PASSWORDS = {"alice": "pw-alice-console", "bob": "pw-bob-console"}


def _until(condition: Callable[[], bool], seconds: float, what: str) -> float:
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < seconds, f"not within {seconds} s: {what}"
        time.sleep(0.05)
    return time.monotonic() - start


def _decide(browser: Any, url: str, user: str, approval_id: str, button: str, reason: str) -> str:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{url}/inbox")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORDS[user])
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/inbox")
    page.click(f'tr[data-approval="{approval_id}"] a')
    page.fill(f"#{button}-form input[name=reason]", reason)
    page.click(f"#{button}")
    page.wait_for_url(f"{url}/approvals/{approval_id}")
    status: str = page.locator("#approval-status").inner_text()
    page.context.close()
    return status


def test_decisions_in_the_browser_are_executed_or_closed_by_the_running_runtime(
    browser: Any, tmp_path: Path
) -> None:
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
    database = f"sqlite:///{tmp_path / 'opspack.db'}"
    runner, wiring = build_runner(load_deployment(tmp_path / "opspack.yaml"), database=database)
    assert runner.run(once=True) == 2
    approve, reject = approvals.list_requests(wiring.store, status="pending", now=datetime.now(UTC))
    erp = wiring.connector("sap", agent="ap_clerk", kind="erp")  # the runner's in-process SAP mock
    assert erp.find_payment_for_invoice(approve.action.target) is None

    users = tmp_path / "admin" / "console-users.yaml"
    for name, password in PASSWORDS.items():
        write_user(users, name, role=Role.APPROVER, approver=name, password_hash=hash_password(password, n=1024))  # fmt: skip
    pin_approver_store(wiring.store, users, registered_by="admin")
    console = ServedConsole(
        ConsoleSettings(
            users_file=users, secret_key="k" * 48, database_url=database, policy_file=tmp_path / "policy.yaml"
        )
    )
    loop = threading.Thread(target=runner.run, daemon=True)
    loop.start()
    try:
        assert _decide(browser, console.url, "alice", approve.id, "approve", "statement checked") != "pending"
        took = _until(
            lambda: erp.find_payment_for_invoice(approve.action.target) is not None,
            LOOP_SECONDS,
            "payment approved in the browser executed by the runner",
        )
        assert took < LOOP_SECONDS
        assert (
            _decide(browser, console.url, "bob", reject.id, "reject", "bank details unconfirmed")
            == "rejected"
        )
        ledger = Ledger(wiring.store)

        def held() -> list[dict[str, Any]]:
            return [
                r.payload["action"]
                for r in ledger.records(reject.transaction_id, kind="verdict")
                if r.payload["action"]["operation"] == "erp.hold_invoice"
            ]

        _until(lambda: bool(held()), LOOP_SECONDS, "invoice rejected in the browser put on hold in the ERP")
        # SAP posted it blocked and its release was refused: it stays blocked; S/4 keeps no reason on
        # a posted invoice, the approver's words are on the governed hold
        assert "bank details unconfirmed" in held()[0]["params"]["reason"]
        assert erp.get_invoice(reject.action.target).status is InvoiceStatus.AWAITING_RELEASE
        assert erp.find_payment_for_invoice(reject.action.target) is None
        assert approvals.get_request(wiring.store, approve.id).status == "used"
    finally:
        runner.stop()
        loop.join(timeout=30)
        console.stop()
    assert not loop.is_alive()
