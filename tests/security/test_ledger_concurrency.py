"""Issue 17: the ledger under concurrency -- many processes (and threads) append at once, on
SQLite and on PostgreSQL, partitioned and not; afterwards the ledger verifies, nothing is lost,
every transaction's records sit in one partition in the order each worker wrote them, anchors
taken while others wrote cover every partition, and tampering is still named.

No timing is asserted here (tests/bench/test_ledger_concurrency_bench.py measures throughput).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import update

from governance.anchor import FileAnchorLog
from governance.ledger import Ledger
from governance.ledger_keys import generated_keys
from governance.ledger_partitions import partition_of, partition_of_seq
from governance.ledger_tables import ledger_records
from governance.store import Store

ROOT = Path(__file__).resolve().parents[2]
WORKER_SCRIPT = Path(__file__).with_name("ledger_workers.py")
WORKERS, COUNT = 4, 60
KEYS = generated_keys()
MAC_HEX = (KEYS.mac_key or b"").hex()
SEED_HEX = KEYS.signing_key.private_bytes_raw().hex() if KEYS.signing_key else ""


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


def expected_records() -> int:
    """What one `mixed` worker appends: three records every fifth step, one otherwise."""
    return sum(3 if i % 5 == 0 else 1 for i in range(COUNT))


def run_workers(url: str, anchors: Path, partitions: int, mode: str = "mixed") -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(WORKER_SCRIPT),
                url,
                str(anchors),
                MAC_HEX,
                SEED_HEX,
                str(worker),
                str(COUNT),
                str(partitions),
                mode,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for worker in range(WORKERS)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0 and out.startswith("done"), err[-3000:]


def check_intact(ledger: Ledger, partitions: int, total: int) -> None:
    report = ledger.verify()
    assert report.ok, report.message
    assert report.records_checked == total and report.anchors_checked >= 1
    for n in range(10):
        txn = f"shared-{n}"
        timeline = ledger.timeline(txn)
        assert {partition_of_seq(r.seq) for r in timeline} == {partition_of(txn, partitions)}
        by_worker: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for record in timeline:
            payload = record.payload
            by_worker[payload["worker"]].append((payload["i"], payload.get("part", 0)))
        for steps in by_worker.values():  # each worker's records appear in the order it wrote them
            assert steps == sorted(steps)


@pytest.mark.parametrize("partitions", [1, 4])
def test_processes_appending_at_once_leave_a_ledger_that_verifies(
    database: str, tmp_path: Path, partitions: int
) -> None:
    anchors = tmp_path / "anchors.jsonl"
    store = Store(database)
    Ledger(store, keys=KEYS, anchors=FileAnchorLog(anchors), partitions=partitions)  # creates the heads
    run_workers(database, anchors, partitions)
    ledger = Ledger(store, keys=KEYS, anchors=FileAnchorLog(anchors))
    assert ledger.partitions == partitions
    ledger.checkpoint()
    total = WORKERS * expected_records()
    check_intact(ledger, partitions, total)
    assert sum(s.records for s in ledger.anchors.entries()[-1].states()) == total

    victim = ledger.timeline("shared-7")[3]  # tampering is still named after concurrent writing
    with store.begin() as connection:
        connection.execute(
            update(ledger_records).where(ledger_records.c.seq == victim.seq).values(payload='{"i":0}')
        )
    report = ledger.verify()
    assert not report.ok and report.first_bad is not None
    assert report.first_bad.seq == victim.seq and "edited" in report.first_bad.problem, report.message
    store.dispose()


def test_threads_sharing_one_ledger_append_at_once(database: str, tmp_path: Path) -> None:
    store = Store(database)
    ledger = Ledger(store, keys=KEYS, anchors=FileAnchorLog(tmp_path / "anchors.jsonl"), partitions=4)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(COUNT):
                ledger.append(f"shared-{i % 10}", "note", {"worker": worker, "i": i})
                if i % 20 == 19:
                    ledger.checkpoint()
        except BaseException as exc:  # reported below, with the thread's error
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not errors, errors
    ledger.checkpoint()
    check_intact(ledger, 4, WORKERS * COUNT)
    store.dispose()


GOVERNED_WORKER = """
import json, sys, time
sys.path.insert(0, sys.argv[3])
from test_governance_bench import NoOpTarget
from governance.action import Action
from governance.policy import parse_policy
from governance.runtime import Governor
from governance.store import Store
policy = parse_policy(json.loads(sys.argv[2]))
governor = Governor(policy, Store(sys.argv[1]), {"sap": NoOpTarget()})
statuses = []
governor.submit(Action(agent="ap", system="sap", operation="erp.post_invoice", target="V9",
    params={"invoice": {"reference": "warm", "vendor_id": "V9", "currency": "EUR", "gross_amount": "1.00"},
            "lines": []}, business_key=f"warm-{sys.argv[4]}"), transaction_id=f"warm-{sys.argv[4]}")
time.sleep(max(0.0, float(sys.argv[5]) - time.time()))  # every worker starts at the same moment
for i in range(6):
    action = Action(
        agent="ap", system="sap", operation="erp.post_invoice", target="V1",
        params={"invoice": {"reference": f"w{sys.argv[4]}-{i}", "vendor_id": "V1", "currency": "EUR",
                            "gross_amount": "20.00"}, "lines": []},
        business_key=f"w{sys.argv[4]}-{i}",
    )
    statuses.append(governor.submit(action, transaction_id=f"w{sys.argv[4]}-{i}").status)
print(json.dumps(statuses))
"""


def test_governed_workers_on_postgres_never_slip_under_a_limit_together(
    postgres_url: str, tmp_path: Path
) -> None:
    """Four processes submit 20 EUR invoices to vendor V1 against a 100 EUR/day limit at the same
    moment: without a global lock, the bucket's advisory lock still lets exactly five through."""
    import base64
    import json

    policy = {
        "systems": {"sap": {"kind": "erp"}},
        "agents": {
            "ap": {
                "identity": {"id": "agent-ap", "owner": "lead@example.com"},
                "systems": {"sap": ["erp.post_invoice"]},
                "autonomy": {"default": "hootl"},
                "aggregates": [
                    {
                        "name": "per_vendor_day",
                        "operations": ["erp.post_invoice"],
                        "measure": "sum",
                        "per": "counterparty",
                        "window": "day",
                        "limit": 100,
                        "currency": "EUR",
                    }
                ],
                "escalation": {"default": {"queue": "ap", "sla_hours": 8}},
            }
        },
    }
    assert KEYS.mac_key is not None and KEYS.signing_key is not None
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "OPSPACK_ANCHOR_DIR": str(tmp_path / "anchors"),
        "OPSPACK_LEDGER_PARTITIONS": "4",
        "OPSPACK_SECRET_LEDGER__MAC_KEY": base64.urlsafe_b64encode(KEYS.mac_key).decode(),
        "OPSPACK_SECRET_LEDGER__ANCHOR_SIGNING_KEY": base64.urlsafe_b64encode(
            KEYS.signing_key.private_bytes_raw()
        ).decode(),
    }
    Ledger(
        Store(postgres_url),
        keys=KEYS,
        anchors=FileAnchorLog(tmp_path / "anchors" / "ledger.jsonl"),
        partitions=4,
    )
    bench = str(ROOT / "tests" / "bench")
    start = str(time.time() + 8)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", GOVERNED_WORKER, postgres_url, json.dumps(policy), bench, str(w), start],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(WORKERS)
    ]
    statuses: list[str] = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-3000:]
        statuses += json.loads(out.strip().splitlines()[-1])
    assert statuses.count("executed") == 5 and statuses.count("held") == 6 * WORKERS - 5, statuses
    ledger = Ledger(
        Store(postgres_url), keys=KEYS, anchors=FileAnchorLog(tmp_path / "anchors" / "ledger.jsonl")
    )
    ledger.checkpoint()
    assert ledger.partitions == 4
    report = ledger.verify()
    assert report.ok, report.message
