"""Embedded runtime vs today's `ap run` on the same folder of invoices (run with ``make bench``).

Both work the same generated folder against a fresh in-process SAP mock built by the wiring from
the example connections file, each on its own SQLite ledger: the baseline is what `opspack ap
run FOLDER` does (one agent, the files in name order); the runtime is `opspack run --once` (the
folder source, the runner's cursor, settle and approvals bookkeeping, JSON-line logging to a
null handler, and files moved to done/). Target: runtime throughput >= 0.9 x the baseline's.
Everything runs in this process (the mock too), so the clock is this process's CPU time: on a
shared machine wall-clock time measures the neighbours as much as the code.
"""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

import yaml

from agents.ap.synthetic_inbox import write_inbox
from opspack.cli.ap import invoice_files
from opspack.deployment import load_deployment
from opspack.runtime.build import build_runner
from opspack.wiring import Wiring, mock_erp

INVOICES = 100
ROUNDS = 3
TARGET = 0.9


def _baseline(folder: Path, database: Path) -> float:
    agent = Wiring.load(database=f"sqlite:///{database}").ap_agent(erp="sap")
    started = time.process_time()
    results = [agent.process(path) for path in invoice_files(folder)]
    elapsed = time.process_time() - started
    assert len(results) == INVOICES and not any(r.status == "failed" for r in results)
    return elapsed


def _runtime(folder: Path, workdir: Path) -> float:
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "opspack.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "database": f"sqlite:///{workdir / 'runtime.db'}",
                "sources": {"invoices": {"kind": "folder", "path": str(folder), "patterns": ["*.json"]}},
                "agents": {"ap": {"type": "ap", "connections": {"erp": "sap"}, "sources": ["invoices"]}},
            }
        )
    )
    runner, _ = build_runner(load_deployment(config))
    logging.getLogger("opspack").addHandler(logging.NullHandler())
    started = time.process_time()
    handled = runner.run(once=True)
    elapsed = time.process_time() - started
    settled = [p for p in (folder / "done").iterdir() if not p.name.endswith(".reason.txt")]
    assert handled == INVOICES and len(settled) == INVOICES
    return elapsed


def test_runtime_once_keeps_pace_with_ap_run(tmp_path: Path) -> None:
    """Interleaved rounds (alternating who goes first) on fresh copies of one folder; the best time of each side is compared
    (the machine is shared, so a single run measures the neighbours as much as the code)."""
    write_inbox(mock_erp("sap"), tmp_path / "inbox", INVOICES, seed=29)
    baseline, runtime = [], []
    for n in range(ROUNDS):
        shutil.copytree(tmp_path / "inbox", tmp_path / f"baseline-{n}")
        shutil.copytree(tmp_path / "inbox", tmp_path / f"runtime-{n}")
        sides = [
            lambda n=n: baseline.append(_baseline(tmp_path / f"baseline-{n}", tmp_path / f"baseline-{n}.db")),
            lambda n=n: runtime.append(_runtime(tmp_path / f"runtime-{n}", tmp_path / f"work-{n}")),
        ]
        for side in sides if n % 2 == 0 else reversed(sides):  # alternate who goes first
            side()
    best_baseline, best_runtime = min(baseline), min(runtime)
    ratio = best_baseline / best_runtime
    print()
    print(f"{'run (best of ' + str(ROUNDS) + ')':<28}{'CPU s':>10}{'invoices/s':>12}")
    print(f"{'ap run (baseline)':<28}{best_baseline:>10.2f}{INVOICES / best_baseline:>12.1f}")
    print(f"{'opspack run --once':<28}{best_runtime:>10.2f}{INVOICES / best_runtime:>12.1f}")
    print(
        f"runtime / baseline throughput: {ratio:.2f} (target >= {TARGET}: {'met' if ratio >= TARGET else 'MISSED'})"
    )
