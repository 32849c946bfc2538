"""Crash safety: a worker dies between persisting the idempotency record and hearing back from the
target. After a restart the executor reconciles: no duplicate write, a reconciled or `unknown`
outcome, never a blind re-send."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from governance_doubles import DirectoryTarget, FileTarget, invoice, make_policy
from sqlalchemy import select

from governance.executor import executions
from governance.runtime import Governor
from governance.store import Store

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]

WORKER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[3])
    from pathlib import Path
    from governance_doubles import DirectoryTarget, FileTarget, invoice, make_policy
    from governance.runtime import Governor
    from governance.store import Store
    target = FileTarget(Path(sys.argv[2]), [sys.argv[4]])
    Governor(make_policy(), Store(sys.argv[1]), {"sap": target}).submit(invoice(), transaction_id="t-crash")
    print("survived")
    """
)


def crash_worker(database_url: str, tmp_path: Path, fault: str) -> Path:
    """Run a worker that dies at `fault`; return the target file it wrote to (if it did)."""
    script, target = tmp_path / "worker.py", tmp_path / "target.json"
    script.write_text(WORKER)
    env = os.environ | {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    }
    command = [sys.executable, str(script), database_url, str(target), str(HERE), fault]
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as worker:
        if fault.startswith("hang"):
            ready = target.with_suffix(".ready")
            deadline = time.monotonic() + 30
            while not ready.exists():
                assert worker.poll() is None, worker.stderr.read().decode() if worker.stderr else ""
                assert time.monotonic() < deadline, "worker never reached the connector call"
                time.sleep(0.02)
            worker.send_signal(signal.SIGKILL)
        _, err = worker.communicate(timeout=30)
    assert worker.returncode in (137, -signal.SIGKILL), err.decode()
    return target


def stored_status(store: Store) -> str:
    key = invoice().idempotency_key
    with store.connect() as connection:
        return str(
            connection.execute(
                select(executions.c.status).where(executions.c.idempotency_key == key)
            ).scalar_one()
        )


@pytest.mark.parametrize(
    ("fault", "wrote_before_dying"),
    [("exit_before", False), ("exit_after", True), ("hang_before", False), ("hang_after", True)],
)
def test_restart_after_a_crash_reconciles_without_a_duplicate_write(
    database_url: str, tmp_path: Path, fault: str, wrote_before_dying: bool
) -> None:
    target_file = crash_worker(database_url, tmp_path, fault)
    store = Store(database_url)
    assert stored_status(store) == "started"  # persisted before the call, never completed
    assert FileTarget(target_file).writes == (["V1:INV-1"] if wrote_before_dying else [])

    target = FileTarget(target_file)
    outcome = Governor(make_policy(), store, {"sap": target}).submit(invoice(), transaction_id="t-crash")
    assert outcome.status == "executed" and outcome.document_id == "DOC-0001"
    assert target.reconcile_calls == 1  # looked before sending
    assert target.perform_calls == (0 if wrote_before_dying else 1)
    assert target.writes == ["V1:INV-1"]  # exactly one write in every case
    assert stored_status(store) == "succeeded"


def test_restart_that_cannot_reconcile_reports_unknown_and_escalates(
    database_url: str, tmp_path: Path
) -> None:
    target_file = crash_worker(database_url, tmp_path, "exit_after")
    store = Store(database_url)
    target = FileTarget(target_file, reconcile_mode="cannot_tell")
    governor = Governor(make_policy(), store, {"sap": target})
    outcome = governor.submit(invoice(), transaction_id="t-crash")
    assert outcome.status == "unknown" and target.perform_calls == 0
    assert target.writes == ["V1:INV-1"]
    kinds = [record.kind for record in governor.ledger.records("t-crash")]
    assert kinds[-1] == "escalation" and "execution_outcome" in kinds
    assert governor.ledger.verify().ok


RACER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[3])
    from pathlib import Path
    from governance_doubles import DirectoryTarget, invoice, make_policy
    from governance.runtime import Governor
    from governance.store import Store
    governor = Governor(make_policy(), Store(sys.argv[1]), {"sap": DirectoryTarget(Path(sys.argv[2]))})
    statuses = [governor.submit(invoice(f"N{i}", "10.00", vendor=f"V{i % 7}"), transaction_id=f"t{i}").status
                for i in range(int(sys.argv[4]))]
    print(",".join(statuses))
    """
)


def test_two_workers_submitting_the_same_actions_write_each_once(database_url: str, tmp_path: Path) -> None:
    Store(database_url)  # schema first, so the racers only race on data
    script, folder = tmp_path / "racer.py", tmp_path / "documents"
    script.write_text(RACER)
    env = os.environ | {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    }
    command = [sys.executable, str(script), database_url, str(folder), str(HERE), "25"]
    racers = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)
    ]
    statuses = []
    for racer in racers:
        out, err = racer.communicate(timeout=60)
        assert racer.returncode == 0, err.decode()
        statuses.append(out.decode().strip().split(","))
    assert DirectoryTarget(folder).writes() == sorted(f"V{i % 7}:N{i}" for i in range(25))
    for first, second in zip(*statuses, strict=True):
        assert sorted([first, second]) == ["duplicate", "executed"]
