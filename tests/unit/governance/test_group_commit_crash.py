"""A worker killed (SIGKILL) after the write and before its outcome's commit: while it lives, other
workers see the business key in flight; after its death the claim is reconciled -- found by
business key, recorded as done, never sent twice -- and the ledger verifies throughout."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from governance_doubles import FileTarget, invoice, make_policy
from sqlalchemy import select

from governance.executor import executions
from governance.runtime import Governor
from governance.store import Store

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]

WORKER = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, sys.argv[3])
    from pathlib import Path
    from governance_doubles import FileTarget, invoice, make_policy
    from governance.execution_group_commit import pending
    from governance.executor import Executor
    from governance.ledger import Ledger
    from governance.runtime import Governor
    from governance.store import Store
    store = Store(sys.argv[1])
    ledger = Ledger(store)
    executor = Executor(store, ledger, outcome_commit_delay=600)  # only the kill ends the wait
    target = Path(sys.argv[2])
    governor = Governor(make_policy(), store, {"sap": FileTarget(target)}, ledger=ledger, executor=executor)
    outcome = governor.submit(invoice(), transaction_id="t-crash")
    assert outcome.status == "executed" and pending(store.engine) == 1, outcome
    target.with_suffix(".ready").write_text(outcome.document_id)
    time.sleep(600)
    """
)


def stored_status(store: Store) -> str:
    with store.connect() as connection:
        found = connection.execute(
            select(executions.c.status).where(executions.c.idempotency_key == invoice().idempotency_key)
        )
        return str(found.scalar_one())


def test_kill_between_the_write_and_the_outcome_commit_is_reconciled(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    Store(url)
    script, target_file = tmp_path / "worker.py", tmp_path / "target.json"
    script.write_text(WORKER)
    env = os.environ | {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    }
    command = [sys.executable, str(script), url, str(target_file), str(HERE)]
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as worker:
        ready = target_file.with_suffix(".ready")
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert worker.poll() is None, worker.stderr.read().decode() if worker.stderr else ""
            assert time.monotonic() < deadline, "the worker never executed its action"
            time.sleep(0.02)

        # Alive, outcome not committed: the row is a claim in flight; another worker neither
        # sends again nor takes over.
        store = Store(url)
        assert stored_status(store) == "started"
        other = FileTarget(target_file)
        meanwhile = Governor(make_policy(), store, {"sap": other}).submit(invoice(), transaction_id="t-other")
        assert meanwhile.status == "duplicate" and "in progress" in meanwhile.message
        assert other.perform_calls == 0 and other.reconcile_calls == 0

        worker.send_signal(signal.SIGKILL)
        _, err = worker.communicate(timeout=30)
    assert worker.returncode in (137, -signal.SIGKILL), err.decode()

    store = Store(url)
    assert stored_status(store) == "started"  # the outcome died with the worker ...
    assert FileTarget(target_file).writes == ["V1:INV-1"]  # ... after the write was made
    governor = Governor(make_policy(), store, {"sap": (target := FileTarget(target_file))})
    assert [r.kind for r in governor.ledger.records("t-crash")] == ["verdict", "execution_started"]
    assert governor.ledger.verify().ok

    outcome = governor.submit(invoice(), transaction_id="t-crash")
    assert outcome.status == "executed" and outcome.document_id == ready.read_text()
    assert target.reconcile_calls == 1 and target.perform_calls == 0  # found, never sent again
    assert target.writes == ["V1:INV-1"]
    assert stored_status(store) == "succeeded"
    outcomes = governor.ledger.records("t-crash", kind="execution_outcome")
    assert len(outcomes) == 1 and outcomes[0].payload["reconciled"] is True
    assert governor.ledger.verify().ok
