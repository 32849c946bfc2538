"""Kill the AP agent (a real subprocess, SIGKILL) twice during a batch of 500 invoices, restart it.

The ERP is the SAP or the NetSuite mock served over HTTP from this test process, so its state
survives the kill exactly as a remote system's would -- including writes the agent sent but never
heard back about.
After the restart every invoice must end posted or held exactly once, and the payments in the
ERP must be exactly the clean matches.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from agents.ap.synthetic_inbox import write_inbox
from governance.ledger import Ledger
from governance.store import Store
from mocks.netsuite import NetSuiteMock
from mocks.sap import SapMock
from mocks.server import serve_mocks
from opspack.mock_connections import served_connections
from opspack.settings import DEFAULT_CONNECTIONS_PATH
from opspack.wiring import mock_erp

ROOT = Path(__file__).resolve().parents[3]
BATCH = 500
ERPS: dict[str, tuple[Callable[[], SapMock | NetSuiteMock], str, str]] = {
    # erp: (mock, the invoice-create request the second kill is aimed at, the held-status name)
    "sap": (SapMock.from_fixtures, r"A_SupplierInvoice$", "blocked"),
    "netsuite": (NetSuiteMock.from_fixtures, r"/record/v1/vendorBill$", "on_hold"),
}


def _completed(database: Path) -> int:
    if not database.exists():
        return 0
    try:
        with sqlite3.connect(database, timeout=5) as connection:
            row = connection.execute(
                "SELECT count(*) FROM ledger_records WHERE kind = 'note' AND payload LIKE '%ap_completed%'"
            ).fetchone()
    except sqlite3.OperationalError:
        return 0
    return int(row[0])


def _agent(erp: str, inbox: Path, url: str, database: Path, workdir: Path) -> subprocess.Popen[bytes]:
    """`opspack ap run` on the served mock, named only through a connections file."""
    example = yaml.safe_load(DEFAULT_CONNECTIONS_PATH.read_text(encoding="utf-8"))
    connections = workdir / "connections.yaml"
    connections.write_text(yaml.safe_dump(served_connections(url, [erp], example)), encoding="utf-8")
    command = [
        sys.executable,
        "-c",
        "from opspack.cli.ap import ap_app; ap_app()",
        "run",
        str(inbox),
        "--erp",
        erp,
        "--connections",
        str(connections),
        "--database",
        f"sqlite:///{database}",
        "--json",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(command, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait(process: subprocess.Popen[bytes], ready: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 180  # liveness bound, generous for loaded CI machines
    while not ready():
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        assert time.monotonic() < deadline, "the agent made no progress"
        time.sleep(0.05)  # each look scans the ledger and holds its lock: not too often


def _kill_after(process: subprocess.Popen[bytes], database: Path, completed: int) -> int:
    _wait(process, lambda: _completed(database) >= completed)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL
    return _completed(database)


@pytest.mark.parametrize("erp_name", sorted(ERPS))
def test_sigkill_mid_batch_then_restart_posts_or_holds_every_invoice_exactly_once(
    tmp_path: Path, erp_name: str
) -> None:
    make_mock, create_path, held_name = ERPS[erp_name]
    mock: SapMock | NetSuiteMock = make_mock()
    erp = erp_name
    with serve_mocks({mock.NAME: mock}, port=0) as server:
        payments_before = mock.payment_count()
        held_before = mock.invoices_by_status()[held_name]
        items = write_inbox(mock_erp(erp, server.url), tmp_path / "inbox", BATCH, seed=11)
        database = tmp_path / "ledger.db"
        inbox = tmp_path / "inbox"
        first = _kill_after(_agent(erp, inbox, server.url, database, tmp_path), database, 120)
        # Second kill: while an invoice POST has changed the ERP but its answer is held back.
        process = _agent(erp, inbox, server.url, database, tmp_path)
        _wait(process, lambda: _completed(database) >= 330)
        stored = sum(mock.invoices_by_status().values())
        in_flight = mock.faults.add(create_path, methods=["POST"], kinds=("latency",), delay=10, times=1)
        _wait(
            process,
            lambda: in_flight.injected == 1 and sum(mock.invoices_by_status().values()) > stored,
        )
        second = _kill_after(process, database, 0)
        mock.faults.clear()
        assert 120 <= first < second < BATCH
        final = _agent(erp, inbox, server.url, database, tmp_path)
        stdout, stderr = final.communicate(timeout=120)
        assert final.returncode == 0, stderr.decode()
        report = json.loads(stdout)

        # Every invoice ended once, as the inbox was built to end.
        results = {Path(r["source"]).name: r for r in report["results"]}
        assert len(results) == BATCH and report["summary"]["failed"] == 0
        assert report["summary"]["resumed"] >= second
        for item in items:
            result = results[item.file]
            expected_status = "posted" if item.expected == "post" else "held"
            assert result["status"] == expected_status, (item, result)
            assert (result["reasons"] or ["post"])[0] == item.expected, (item, result)

        # The ledger says so exactly once per invoice, and its chain is intact.
        ledger = Ledger(Store(f"sqlite:///{database}"))
        notes = Counter(
            record.transaction_id
            for record in ledger.records(kind="note")
            if record.payload.get("event") == "ap_completed"
        )
        assert len(notes) == BATCH and set(notes.values()) == {1}
        for kind in ("intake", "decision"):
            assert Counter(r.transaction_id for r in ledger.records(kind=kind)) == Counter(notes), kind
        assert ledger.verify().ok
        # The write whose answer died with the process was found by reconciliation, not re-sent.
        resumed = [
            r.payload
            for r in ledger.records(kind="execution_started")
            if r.payload.get("previous_status") == "started"
        ]
        # The aimed kill leaves one; the first, randomly timed kill may leave another. Each resumed
        # write ends exactly once, and the aimed one -- already booked in the ERP -- is reconciled.
        assert "erp.post_invoice" in [p["operation"] for p in resumed]
        resumed_keys = {p["business_key"] for p in resumed}
        outcomes = [
            r.payload
            for r in ledger.records(kind="execution_outcome")
            if r.payload.get("business_key") in resumed_keys
        ]
        assert Counter(o["business_key"] for o in outcomes if o["status"] == "executed") == Counter(
            resumed_keys
        )
        reconciled = [o for o in outcomes if o.get("reconciled")]
        assert reconciled and all(o["status"] == "executed" for o in reconciled)

        # The ERP holds each invoice once and paid exactly the clean matches.
        clean = [item for item in items if item.expected == "post"]
        posted_or_held = [
            item for item in items if item.expected not in ("unknown_vendor", "math_error", "duplicate")
        ]
        fresh = mock_erp(erp, server.url)
        for item in posted_or_held:
            found = fresh.find_invoice(item.vendor_id, item.reference)
            assert found is not None and found.id == results[item.file]["document_id"]
        assert mock.payment_count() - payments_before == len(clean)
        for item in clean:
            document_id = results[item.file]["document_id"]
            payment = fresh.find_payment_for_invoice(document_id)
            assert payment is not None and payment.invoice_id == document_id
        held = mock.invoices_by_status()[held_name] - held_before
        assert held == len(posted_or_held) - len(clean)
