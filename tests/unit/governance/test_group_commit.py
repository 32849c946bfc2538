"""Group commit of execution outcomes: an executed outcome rides the next commit of the process,
every read sees it, a rolled-back carrier gives it back, and only safe outcomes wait."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from governance_doubles import DirectoryTarget, FileTarget, invoice, make_policy
from sqlalchemy import Engine, event, select

from governance import execution_group_commit
from governance.execution_group_commit import pending
from governance.executor import Executor, executions
from governance.ledger import Ledger
from governance.runtime import Governor
from governance.store import Store
from governance.worker_liveness import still_running, worker_token

LEASE = timedelta(minutes=10)
LONG_AGO = "2026-01-01T00:00:00+00:00"


def in_flight(key: str) -> bool:
    """Whether this process still counts `key` as being written (what another worker is told)."""
    return still_running(worker_token(), key, LONG_AGO, datetime.now(UTC), LEASE)


def governor_on(
    tmp_path: Path, *, delay: float | None = 60.0, threads: bool = False, **target: object
) -> Governor:
    """A Governor on a SQLite file; with a long delay no timer interferes with what is counted.
    `threads`: a target several threads may write to at once (one file per document)."""
    store = Store(f"sqlite:///{tmp_path / 'group.db'}")
    ledger = Ledger(store)
    executor = Executor(store, ledger, outcome_commit_delay=delay, sleep=lambda _: None)
    performer: FileTarget | DirectoryTarget = (
        DirectoryTarget(tmp_path / "documents") if threads else FileTarget(tmp_path / "target.json", **target)  # type: ignore[arg-type]
    )
    return Governor(make_policy(), store, {"sap": performer}, ledger=ledger, executor=executor)


def status(store: Store, key: str) -> str:
    with store.connect() as connection:
        found = connection.execute(select(executions.c.status).where(executions.c.idempotency_key == key))
        return str(found.scalar_one())


def commits(engine: Engine) -> list[int]:
    counted: list[int] = []
    event.listen(engine, "commit", lambda _connection: counted.append(1))
    return counted


def test_an_executed_outcome_waits_and_any_read_commits_it_first(tmp_path: Path) -> None:
    governor = governor_on(tmp_path)
    action = invoice("INV-1")
    outcome = governor.submit(action, transaction_id="t1")
    assert outcome.status == "executed" and pending(governor.store.engine) == 1
    assert in_flight(action.idempotency_key)  # until its commit, as during the call
    assert status(governor.store, action.idempotency_key) == "succeeded"  # the read flushed it
    assert pending(governor.store.engine) == 0
    assert not in_flight(action.idempotency_key)
    kinds = [record.kind for record in governor.ledger.records("t1")]
    assert kinds == ["verdict", "execution_started", "execution_outcome"]
    assert governor.ledger.verify().ok


def test_the_next_action_carries_the_outcome_in_its_own_commit(tmp_path: Path) -> None:
    governor = governor_on(tmp_path)
    counted = commits(governor.store.engine)
    for number in range(5):
        assert governor.submit(invoice(f"INV-{number}"), transaction_id=f"t{number}").status == "executed"
    assert len(counted) == 5  # one commit per action, not two
    governor.close()
    assert len(counted) == 6 and pending(governor.store.engine) == 0
    records = governor.ledger.records()
    assert [r.kind for r in records].count("execution_outcome") == 5
    for number in range(5):  # each outcome follows its own start, before the next verdict
        timeline = [record.kind for record in records if record.transaction_id == f"t{number}"]
        assert timeline == ["verdict", "execution_started", "execution_outcome"]
    assert governor.ledger.verify().ok


def test_a_carrier_that_rolls_back_gives_the_outcome_back(tmp_path: Path) -> None:
    governor = governor_on(tmp_path)
    action = invoice("INV-1")
    governor.submit(action, transaction_id="t1")
    with pytest.raises(RuntimeError), governor.store.begin():
        assert pending(governor.store.engine) == 0  # taken by this transaction ...
        raise RuntimeError("the carrying transaction fails")
    assert pending(governor.store.engine) == 1  # ... and given back when it rolled back
    assert status(governor.store, action.idempotency_key) == "succeeded"
    assert governor.ledger.verify().ok


def test_a_resubmission_sees_the_outcome_and_is_a_duplicate_of_the_document(tmp_path: Path) -> None:
    governor = governor_on(tmp_path)
    first = governor.submit(invoice("INV-1"), transaction_id="t1")
    again = governor.submit(invoice("INV-1"), transaction_id="t2")
    assert again.status == "duplicate" and again.document_id == first.document_id


@pytest.mark.parametrize(
    ("target", "expected"),
    [({"faults": ["reject"]}, "failed"), ({"reconcilable": False}, "executed")],
)
def test_only_executed_outcomes_of_reconcilable_performers_wait(
    tmp_path: Path, target: dict[str, object], expected: str
) -> None:
    """A failed write must not be re-sent after a crash, and a performer that cannot look the
    document up could not recover a lost outcome: both commit at once."""
    governor = governor_on(tmp_path, **target)
    assert governor.submit(invoice("INV-1"), transaction_id="t1").status == expected
    assert pending(governor.store.engine) == 0


def test_the_timer_commits_an_outcome_nobody_carries(tmp_path: Path) -> None:
    governor = governor_on(tmp_path, delay=0.01)
    governor.submit(invoice("INV-1"), transaction_id="t1")
    deadline = time.monotonic() + 20
    while pending(governor.store.engine) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert pending(governor.store.engine) == 0


def test_the_governor_as_a_context_commits_everything_on_exit(tmp_path: Path) -> None:
    with governor_on(tmp_path) as governor:
        governor.submit(invoice("INV-1"), transaction_id="t1")
        assert pending(governor.store.engine) == 1
    assert pending(governor.store.engine) == 0


def test_several_threads_each_outcome_written_once(tmp_path: Path) -> None:
    governor = governor_on(tmp_path, delay=0.005, threads=True)
    statuses: list[str] = []

    def work(thread: int) -> None:
        for number in range(8):
            action = invoice(f"T{thread}-{number}", vendor=f"V{thread}")
            statuses.append(governor.submit(action, transaction_id=f"t{thread}-{number}").status)

    threads = [threading.Thread(target=work, args=(thread,)) for thread in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    governor.flush()
    assert statuses == ["executed"] * 32
    records = governor.ledger.records(kind="execution_outcome")
    assert len(records) == 32 and len({record.transaction_id for record in records}) == 32
    with governor.store.connect() as connection:
        assert set(connection.execute(select(executions.c.status)).scalars()) == {"succeeded"}
    assert governor.ledger.verify().ok


def test_only_sqlite_files_defer(tmp_path: Path) -> None:
    assert execution_group_commit.supported(Store(f"sqlite:///{tmp_path / 'f.db'}").engine)
    assert not execution_group_commit.supported(Store("sqlite://").engine)


def test_postgresql_commits_each_outcome_on_its_own(postgres_url: str) -> None:
    store = Store(postgres_url)
    assert not execution_group_commit.supported(store.engine)
    assert Executor(store, Ledger(store)).outcome_commit_delay is None


def test_one_queue_per_database_file_not_per_spelling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same relative URL in two working directories is two databases: an outcome waiting for
    one is never written into the other."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    monkeypatch.chdir(tmp_path / "a")
    first = governor_on(tmp_path / "a")
    relative_a = Store("sqlite:///rel.db")
    monkeypatch.chdir(tmp_path / "b")
    relative_b = Store("sqlite:///rel.db")
    first.submit(invoice("INV-1"), transaction_id="t1")
    assert pending(first.store.engine) == 1
    assert pending(relative_a.engine) == pending(relative_b.engine) == 0
    assert pending(Store(f"sqlite:///{tmp_path / 'a' / 'group.db'}").engine) == 1  # same file, other engine
