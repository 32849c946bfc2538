"""`kill -9` an `opspack run` mid-batch, run it again: every invoice ends exactly once.

The SAP mock is served over HTTP from this test process (its state outlives the runner, as a
real ERP's would); the runner knows it only through a connections file and a deployment file.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import yaml
from e2e_served import env, example_connections

from agents.ap.synthetic_inbox import write_inbox
from governance.ledger import Ledger
from governance.store import Store
from mocks.sap import SapMock
from mocks.server import serve_mocks
from opspack.mock_connections import served_connections
from opspack.wiring import mock_erp

BATCH = 150


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


def _runner(config: Path, workdir: Path, *extra: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "opspack.cli", "run", "--config", str(config), *extra]
    return subprocess.Popen(
        command, cwd=workdir, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_sigkill_mid_batch_then_rerun_ends_every_invoice_exactly_once(tmp_path: Path) -> None:
    mock = SapMock.from_fixtures()
    with serve_mocks({mock.NAME: mock}, port=0) as server:
        connections = tmp_path / "connections.yaml"
        connections.write_text(yaml.safe_dump(served_connections(server.url, ["sap"], example_connections())))
        inbox = tmp_path / "inbox"
        items = write_inbox(mock_erp("sap", server.url), inbox, BATCH, seed=17)
        database = tmp_path / "opspack.db"
        config = tmp_path / "opspack.yaml"
        config.write_text(
            yaml.safe_dump(
                {
                    "database": f"sqlite:///{database}",
                    "connections": str(connections),
                    "runtime": {"poll_seconds": 0.2},
                    "sources": {"invoices": {"kind": "folder", "path": str(inbox), "patterns": ["*.json"]}},
                    "agents": {"ap": {"type": "ap", "connections": {"erp": "sap"}, "sources": ["invoices"]}},
                }
            )
        )
        payments_before = mock.payment_count()

        first = _runner(config, tmp_path)
        deadline = time.monotonic() + 120
        while _completed(database) < 40:
            assert first.poll() is None, first.communicate()[1]
            assert time.monotonic() < deadline, "the runner made no progress"
            time.sleep(0.01)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = _completed(database)
        assert 40 <= killed_at < BATCH

        second = _runner(config, tmp_path, "--once")
        _, stderr = second.communicate(timeout=300)
        assert second.returncode == 0, stderr

        # Every file settled once, none failed, none left behind.
        assert sorted(
            p.name for p in (inbox / "done").iterdir() if not p.name.endswith(".reason.txt")
        ) == sorted(i.file for i in items)
        assert not (inbox / "failed").exists() and not list(inbox.glob("*.json"))

        # The ledger ends each invoice exactly once and its chain verifies.
        ledger = Ledger(Store(f"sqlite:///{database}"))
        completed = [r for r in ledger.records(kind="note") if r.payload.get("event") == "ap_completed"]
        per_txn = Counter(r.transaction_id for r in completed)
        assert len(per_txn) == BATCH and set(per_txn.values()) == {1}
        assert ledger.verify().ok

        # Payments equal the clean matches; duplicates are only the planted ones.
        clean = [item for item in items if item.expected == "post"]
        assert mock.payment_count() - payments_before == len(clean)
        first_reasons = Counter(
            (r.payload["result"]["reasons"] or ["post"])[0]
            for r in completed
            if r.payload["result"]["status"] == "held"
        )
        planted = Counter(item.expected for item in items)
        assert first_reasons["duplicate"] == planted["duplicate"]
        statuses = Counter(r.payload["result"]["status"] for r in completed)
        assert statuses["posted"] == len(clean) and statuses["failed"] == 0
