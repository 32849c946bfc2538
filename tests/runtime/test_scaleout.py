"""Scale-out on Celery with real processes: workers and a scheduler on RabbitMQ (and Redis) over
PostgreSQL, against served mocks with injected faults; a worker killed with kill -9 mid-run, a
SIGTERM that finishes the task in hand, a poison message on the dead-letter queue, the health
endpoint and `opspack metrics queues`. The SIGTERM and dead-letter tests share one fleet (served
mocks, schema, queue names and the warm worker the SIGTERM test leaves behind: `slow_fleet`), each
with invoices of its own; every other test takes its own queue names and database schema. Each
skips with the reason where RabbitMQ, Redis or PostgreSQL is not on 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import chdir, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from scaleout_harness import (
    RABBITMQ,
    REDIS,
    Fleet,
    broker_missing,
    env,
    free_port,
    run_fleet,
    served_mocks,
    wait_until,
    write_deployment,
)

from governance.ledger import Ledger
from governance.store import Store
from opspack.runtime.queueing import QueueNames, queue_depth, read_dead_letters
from opspack.runtime.sources.base import WorkItem
from opspack.runtime.work_items import WorkItems, work_items

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def rabbitmq() -> str:
    reason = broker_missing(RABBITMQ)
    if reason:
        pytest.skip(f"RabbitMQ is needed here: {reason}")
    return RABBITMQ


@pytest.fixture
def redis_broker() -> str:
    reason = broker_missing(REDIS)
    if reason:
        pytest.skip(f"Redis is needed here: {reason}")
    return REDIS


def _ticket(number: str, said: str) -> WorkItem:
    return WorkItem(
        "desk-queue", f"{number}@{said}", "ticket", {"number": number}, metadata={"number": number}
    )


# --- the claim table ------------------------------------------------------------------------------


def test_claims_tell_done_in_progress_elsewhere_busy_taken_over_and_poison(postgres_url: str) -> None:
    store = Store(postgres_url)
    claims = WorkItems(store, max_deliveries=3)
    first = _ticket("INC1", "a")
    assert claims.enqueue("desk", first) is True
    assert claims.enqueue("desk", first) is False  # queued already: not published twice
    mine = claims.claim("desk", first)
    assert mine.kind == "claimed"
    # another live worker (our parent process stands in for it) holds the row
    other = f"{os.uname().nodename}:{os.getppid()}"
    with store.begin() as connection:
        connection.execute(work_items.update().values(owner=other))
    assert claims.claim("desk", first).kind == "in_progress_elsewhere"
    reply = _ticket("INC1", "b")  # the caller answered: a newer version of the same ticket
    assert claims.enqueue("desk", reply) is True
    assert claims.claim("desk", reply).kind == "busy"  # wait until the earlier version is finished
    with store.begin() as connection:  # the holder died (kill -9): its row is taken over
        connection.execute(work_items.update().values(owner=f"{os.uname().nodename}:999999999"))
    taken = claims.claim("desk", first)
    assert taken.kind == "claimed" and taken.taken_over
    claims.finish(taken.key, first.key, status="done", outcome="resolved", reason="ok")
    assert claims.claim("desk", first).kind == "already_done"
    assert claims.rows()[0]["status"] == "queued"  # the reply is still to do
    assert claims.enqueue("desk", first) is False  # done at that version
    for _ in range(3):
        got = claims.claim("desk", reply)
        assert got.kind == "claimed"
        claims.release(got.key, reason="ServerError: try later")
    assert claims.claim("desk", reply).kind == "poison"  # delivered too often without finishing


def test_a_stale_queued_item_is_published_again(postgres_url: str) -> None:
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    claims = WorkItems(Store(postgres_url), requeue_after=timedelta(minutes=15), clock=lambda: now[0])
    item = _ticket("INC2", "a")
    assert claims.enqueue("desk", item)
    now[0] += timedelta(minutes=5)
    assert not claims.enqueue("desk", item)
    now[0] += timedelta(minutes=20)  # its message was lost (a broker restored from backup): again
    assert claims.enqueue("desk", item)


# --- real workers ---------------------------------------------------------------------------------


def test_two_workers_with_faults_and_a_kill_9_lose_nothing_and_do_nothing_twice(
    tmp_path: Path, postgres_url: str, rabbitmq: str
) -> None:
    # the scale-out configuration: a partitioned ledger (docs/OPERATIONS.md §10); the full-size
    # runs (1,000 invoices + 1,000 tickets, 2 and 4 workers) are in tests/bench/test_scaleout_bench.py
    report = run_fleet(
        tmp_path,
        postgres_url,
        rabbitmq,
        invoices=16,
        tickets=10,
        workers=2,
        faults=0.2,
        extra_env={"OPSPACK_LEDGER_PARTITIONS": "4"},
    )
    print(json.dumps(report.as_dict()))
    assert report.lost == 0 and report.dead == 0, report
    assert report.double_writes == 0 and report.double_in_erp == 0, report
    # A write whose outcome the faults made unknowable escalates (the executor's rule); never an
    # item reported failed or held because another worker had it.
    assert report.false_exceptions == 0 and report.mixed_timelines == 0 and report.false_failures == 0, report
    assert report.ledger_ok, report


def test_redis_as_the_broker_with_a_kill_9(tmp_path: Path, postgres_url: str, redis_broker: str) -> None:
    report = run_fleet(
        tmp_path,
        postgres_url,
        redis_broker,
        invoices=12,
        tickets=0,
        workers=2,
        faults=0.1,
        extra_env={"OPSPACK_REDIS_VISIBILITY_TIMEOUT": "20"},
    )
    print(json.dumps(report.as_dict()))
    assert report.lost == 0 and report.dead == 0 and report.double_writes == 0 and report.double_in_erp == 0
    assert report.false_exceptions == 0 and report.mixed_timelines == 0 and report.false_failures == 0
    assert report.ledger_ok


@dataclass
class SlowFleet:
    """One fleet the SIGTERM and dead-letter tests share (module-scoped): served mocks that take
    0.15 s per answer, one database schema, one deployment, one queue prefix and -- once the SIGTERM
    test has started it -- one warm worker with a health port, which the dead-letter test goes on
    using. Each test takes its own 8 invoices (different numbers) from a staging folder of 16."""

    workdir: Path
    config: Path
    database: str
    fleet: Fleet
    staging: Path
    inbox: Path
    health_port: int = field(default_factory=free_port)

    def deliver(self, count: int) -> list[str]:
        """Move the next `count` staged invoices into the watched folder; their file names."""
        files = sorted(self.staging.iterdir())[:count]
        assert len(files) == count, "the staging folder ran out of invoices"
        for path in files:
            shutil.move(str(path), self.inbox / path.name)
        return [path.name for path in files]

    def live_worker(self) -> subprocess.Popen[bytes] | None:
        return next((worker for worker in self.fleet.workers if worker.poll() is None), None)

    def start_worker(self) -> subprocess.Popen[bytes]:
        """The shared worker: health endpoint on `health_port`, a poison message retried once."""
        return self.fleet.start_worker("--health-port", str(self.health_port), "--max-retries", "1")


@pytest.fixture(scope="module")
def slow_fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlowFleet]:
    from agents.ap.synthetic_inbox import write_inbox
    from opspack.wiring import mock_erp

    reason = broker_missing(RABBITMQ)
    if reason:
        pytest.skip(f"RabbitMQ is needed here: {reason}")
    workdir = tmp_path_factory.mktemp("slow-fleet")
    with module_schema() as database, served_mocks(workdir, "--latency", "0.15") as url:
        staging, inbox = workdir / "staging", workdir / "inbox"
        write_inbox(mock_erp("sap", url), staging, 16, seed=5)
        inbox.mkdir()
        config = write_deployment(workdir, url, database, invoices=inbox, desk=False)
        with chdir(workdir):  # the ledger keys live beside the workers' (.opspack/)
            Ledger(Store(database)).keys  # noqa: B018
        shared = SlowFleet(workdir, config, database, Fleet(workdir, config, RABBITMQ), staging, inbox)
        try:
            yield shared
        finally:
            shared.fleet.stop()


@contextmanager
def module_schema() -> Iterator[str]:
    """A fresh schema in the local PostgreSQL for one module (as tests/conftest.py's `postgres_url`)."""
    try:
        import psycopg
    except ImportError:
        pytest.skip("psycopg is not installed")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    base = "host=127.0.0.1 port=5432 dbname=test user=postgres"
    try:
        with psycopg.connect(base, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    except psycopg.Error as exc:
        pytest.skip(f"PostgreSQL on 127.0.0.1:5432 is needed here: {exc}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(base, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def test_sigterm_finishes_the_task_in_hand_and_leaves_the_rest_queued(slow_fleet: SlowFleet) -> None:
    fleet = slow_fleet.fleet
    claims = WorkItems(Store(slow_fleet.database))
    names = QueueNames(fleet.prefix)
    for worker in list(fleet.workers):  # a worker left by another test would take the tasks first
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=120)
    before = claims.counts()["done"]
    slow_fleet.deliver(8)
    fleet.start_scheduler("--once")
    assert fleet.scheduler is not None and fleet.scheduler.wait(timeout=120) == 0, fleet.tail()
    assert queue_depth(RABBITMQ, names.work("ap")) == 8
    worker = fleet.start_worker()
    assert wait_until(lambda: claims.counts()["running"] == 1, 120, 0.05), fleet.tail()
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=120) == 0, fleet.tail()
    counts = claims.counts()
    done = counts["done"] - before
    assert counts["running"] == 0 and done >= 1, counts  # the task in hand finished
    assert claims.outcomes().get("failed", 0) == 0
    left = queue_depth(RABBITMQ, names.work("ap"))
    assert left >= 1 and left + done == 8, (left, counts)  # the rest back on the queue
    slow_fleet.start_worker()  # the replacement stays up: the dead-letter test goes on with it
    assert wait_until(lambda: claims.counts()["done"] == before + 8, 180), fleet.tail()


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return int(answer.status), answer.read().decode()
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read().decode()


def test_a_poison_message_goes_to_the_dead_letter_queue_and_shows_in_metrics(slow_fleet: SlowFleet) -> None:
    from celery import Celery

    from opspack.runtime.celery_app import TASK_NAME

    fleet, config, port = slow_fleet.fleet, slow_fleet.config, slow_fleet.health_port
    names = QueueNames(fleet.prefix)
    claims = WorkItems(Store(slow_fleet.database))
    before = claims.counts()["done"]
    expected = before + 8
    try:
        if slow_fleet.live_worker() is None:  # run on its own: start the shared worker here
            slow_fleet.start_worker()
        assert wait_until(lambda: _get(f"http://127.0.0.1:{port}/readyz")[0] == 200 if _listening(port) else False, 180), fleet.tail()  # fmt: skip
        sender = Celery(broker=RABBITMQ, set_as_current=False)
        sender.send_task(TASK_NAME, args=["ap", {"not": "a work item"}], queue=names.work("ap"))
        slow_fleet.deliver(8)
        fleet.start_scheduler("--once")  # the real invoices come after it and are not blocked
        assert wait_until(lambda: claims.counts()["done"] == expected, 240), fleet.tail()
        assert wait_until(lambda: queue_depth(RABBITMQ, names.dead("ap")) == 1, 30)
        [letter] = read_dead_letters(RABBITMQ, names.dead("ap"))
        assert "unreadable task" in letter["reason"] and letter["agent"] == "ap"
        status, text = _get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200
        assert 'opspack_dead_letter_size{agent="ap"} 1.0' in text
        assert 'opspack_queue_depth{agent="ap"} 0.0' in text
        assert f'opspack_work_items{{agent="ap",state="done"}} {expected}.0' in text
        assert 'opspack_worker_items_total{agent="ap",outcome="dead_lettered"} 1.0' in text
        shown = subprocess.run(
            [
                sys.executable,
                "-m",
                "opspack.cli",
                "metrics",
                "queues",
                "--config",
                str(config),
                "--broker",
                RABBITMQ,
                "--queue-prefix",
                fleet.prefix,
                "--json",
            ],
            cwd=slow_fleet.workdir,
            env=env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert shown.returncode == 0, shown.stderr
        data: dict[str, Any] = json.loads(shown.stdout)
        assert data["ap"]["dead_letters"] == 1 and data["ap"]["queued"] == 0
        assert data["ap"]["items"]["done"] == expected
    finally:
        fleet.stop()


def _listening(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_worker_refuses_an_agent_the_deployment_does_not_have(tmp_path: Path, postgres_url: str) -> None:
    config = write_deployment(tmp_path, "http://127.0.0.1:9", postgres_url, invoices=tmp_path, desk=False)
    run = subprocess.run(
        [sys.executable, "-m", "opspack.cli", "worker", "--config", str(config), "--agent", "nobody"],
        cwd=tmp_path,
        env=env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode != 0 and "not an enabled agent" in run.stderr
