"""Scale-out benchmarks and the must-show runs, with real Celery workers on RabbitMQ and PostgreSQL.

- throughput with 1, 2 and 4 workers when every mock answer takes 50 ms (``mocks serve --latency``):
  the work waits on I/O, so 2 workers should do close to twice what 1 does (ratio reported; the
  machine's other load is reported with it);
- chaos: 2 and 4 workers over OPSPACK_BENCH_INVOICES invoices and OPSPACK_BENCH_TICKETS tickets
  (1,000 each by default; the served SAP mock is seeded with 100 more received orders, so its
  goods receipts carry them) against served mocks with 20 % injected faults, one worker killed with
  kill -9 mid-run: nothing lost, nothing done twice, no false exception, the ledger verifies;
- soak: an AP worker, a service-desk worker and one scheduler for OPSPACK_SOAK_SECONDS (600) while
  invoices and tickets keep arriving against faulty mocks: worker memory at start and end, no
  stuck items, the ledger verifies.

Run with ``make bench`` (all benchmarks) or ``make bench-scaleout`` (these). Each skips with the
reason where RabbitMQ or PostgreSQL is not on 127.0.0.1. Figures print as JSON lines.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runtime"))

from scaleout_harness import (
    DESK_FIXTURES,
    RABBITMQ,
    Fleet,
    broker_missing,
    file_tickets,
    rss_kib,
    run_fleet,
    served_mocks,
    wait_until,
    write_deployment,
)

INVOICES = int(os.environ.get("OPSPACK_BENCH_INVOICES", "1000"))
TRADE_ORDERS = int(os.environ.get("OPSPACK_BENCH_TRADE_ORDERS", "100"))
"""Orders added to the served SAP mock for the chaos runs: its own received quantities carry about
700 synthetic invoices, these 100 (three lines of 15 each) about 1,000 more."""
TICKETS = int(os.environ.get("OPSPACK_BENCH_TICKETS", "1000"))
SOAK_SECONDS = float(os.environ.get("OPSPACK_SOAK_SECONDS", "600"))
THROUGHPUT_INVOICES = int(os.environ.get("OPSPACK_BENCH_THROUGHPUT_INVOICES", "80"))


@pytest.fixture
def rabbitmq() -> str:
    reason = broker_missing(RABBITMQ)
    if reason:
        pytest.skip(f"RabbitMQ is needed here: {reason}")
    return RABBITMQ


@pytest.fixture
def database() -> Iterator[str]:
    """A fresh schema in the local PostgreSQL (as tests/conftest.py's `postgres_url`)."""
    try:
        import psycopg
    except ImportError:
        pytest.skip("psycopg is not installed")
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    base = "host=127.0.0.1 port=5432 dbname=test user=postgres"
    try:
        with psycopg.connect(base, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    except psycopg.Error as exc:
        pytest.skip(f"PostgreSQL on 127.0.0.1:5432 is needed here: {exc}")
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
    with psycopg.connect(base, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _load() -> float:
    return os.getloadavg()[0]


def test_throughput_with_1_2_and_4_workers_on_50ms_mocks(rabbitmq: str, tmp_path_factory: Any) -> None:
    import psycopg

    figures: dict[int, dict[str, Any]] = {}
    for workers in (1, 2, 4):
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        base = "host=127.0.0.1 port=5432 dbname=test user=postgres"
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
        load = _load()
        report = run_fleet(
            tmp_path_factory.mktemp(f"w{workers}"),
            url,
            rabbitmq,
            invoices=THROUGHPUT_INVOICES,
            tickets=0,
            workers=workers,
            faults=0.0,
            latency=0.05,
            kill_one=False,
        )
        assert report.lost == 0 and report.double_writes == 0 and report.ledger_ok, report
        figures[workers] = {"items_per_second": round(report.throughput, 3), "seconds": round(report.seconds, 1), "load_before": round(load, 1)}  # fmt: skip
    one = figures[1]["items_per_second"]
    print(
        json.dumps(
            {
                "bench": "scaleout_throughput_50ms",
                "invoices": THROUGHPUT_INVOICES,
                "workers": figures,
                "ratio_2_over_1": round(figures[2]["items_per_second"] / one, 2),
                "ratio_4_over_1": round(figures[4]["items_per_second"] / one, 2),
            }
        )
    )


@pytest.mark.parametrize("workers", [2, 4])
def test_chaos_workers_over_invoices_and_tickets_with_faults_and_a_kill_9(
    workers: int, rabbitmq: str, database: str, tmp_path: Path
) -> None:
    report = run_fleet(
        tmp_path,
        database,
        rabbitmq,
        invoices=INVOICES,
        tickets=TICKETS,
        workers=workers,
        faults=0.2,
        timeout=7200,
        trade_orders=TRADE_ORDERS,
    )
    print(json.dumps({"bench": "scaleout_chaos", "workers": workers, **report.as_dict()}))
    assert report.lost == 0 and report.dead == 0, report
    assert report.double_writes == 0 and report.double_in_erp == 0, report
    assert report.false_exceptions == 0 and report.mixed_timelines == 0 and report.false_failures == 0, report
    assert report.ledger_ok, report


def test_soak_two_agents_workers_and_a_scheduler(rabbitmq: str, database: str, tmp_path: Path) -> None:
    from agents.ap.synthetic_inbox import write_inbox
    from connectors.errors import ConnectorError
    from governance.ledger import Ledger
    from governance.store import Store
    from opspack.runtime.work_items import WorkItems
    from opspack.wiring import mock_erp

    faults = "*=0.1,kinds=5xx+429+drop,retry_after=0.1,seed=11"
    with served_mocks(tmp_path, "--seed", f"servicenow={DESK_FIXTURES}", "--faults", faults) as url:
        staging = tmp_path / "staging"
        for attempt in range(20):
            try:
                write_inbox(mock_erp("sap", url), staging, 400, seed=13)
                break
            except ConnectorError:
                time.sleep(0.1 * attempt)
        inbox = tmp_path / "inbox"
        inbox.mkdir()
        config = write_deployment(tmp_path, url, database, invoices=inbox, desk=True, poll=1.0)
        store = Store(database)
        Ledger(store).keys  # noqa: B018
        claims = WorkItems(store)
        fleet = Fleet(tmp_path, config, rabbitmq)
        stop = threading.Event()
        fed = {"invoices": 0, "tickets": 0}

        def feed() -> None:  # a steady trickle: 2 invoices and 1 ticket every 3 seconds
            files = sorted(staging.iterdir())
            while not stop.is_set():
                for path in files[fed["invoices"] : fed["invoices"] + 2]:
                    shutil.move(str(path), inbox / path.name)
                    fed["invoices"] += 1
                fed["tickets"] += len(file_tickets(url, 1, tag=f"soak{fed['tickets']}"))
                stop.wait(3.0)

        try:
            ap = fleet.start_worker("--agent", "ap")
            desk = fleet.start_worker("--agent", "desk")
            assert wait_until(
                lambda: all("ready." in log.read_text(errors="replace") for log in fleet.logs), 240
            )
            fleet.start_scheduler()
            feeder = threading.Thread(target=feed, daemon=True)
            feeder.start()
            started = time.monotonic()
            time.sleep(60)  # after warm-up: the baseline
            memory = [{"t": 60, "ap_kib": rss_kib(ap.pid), "desk_kib": rss_kib(desk.pid)}]
            while time.monotonic() - started < SOAK_SECONDS:
                time.sleep(60)
                memory.append({"t": round(time.monotonic() - started), "ap_kib": rss_kib(ap.pid), "desk_kib": rss_kib(desk.pid)})  # fmt: skip
            stop.set()
            feeder.join(timeout=60)
            drained = wait_until(lambda: claims.counts()["queued"] + claims.counts()["running"] == 0, 600, 1)
            counts = claims.counts()
            verified = Ledger(store).verify()
        finally:
            stop.set()
            fleet.stop()
    growth = {k: memory[-1][k] - memory[0][k] for k in ("ap_kib", "desk_kib")}
    print(
        json.dumps(
            {
                "bench": "scaleout_soak",
                "seconds": SOAK_SECONDS,
                "fed": fed,
                "states": counts,
                "outcomes": claims.outcomes(),
                "drained": drained,
                "memory": memory,
                "growth_kib": growth,
                "ledger_ok": verified.ok,
                "ledger_records": verified.records_checked,
            }
        )
    )
    assert drained and counts["dead"] == 0, counts
    assert verified.ok
