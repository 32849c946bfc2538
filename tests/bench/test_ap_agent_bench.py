"""AP agent end to end: invoices per second against in-process ERPs (run with ``make bench``).

Each invoice is read from its JSON file, matched (vendor, PO, receipts, duplicate look-ups),
decided, governed (gate, exactly-once executor, hash-chained ledger in SQLite) and executed
(post + payment or post + hold) against `FakeERP`, the SAP mock and the NetSuite mock over the
in-process transport. `FakeERP` (no HTTP) is the baseline the ratios refer to; a second table
splits one SAP run into matching vs governing + executing.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from agents.ap.agent import APAgent
from agents.ap.ingest import read_invoice
from agents.ap.register import InvoiceRegister
from agents.ap.synthetic_inbox import write_inbox
from agents.performers import ERPPerformer
from connectors.erp.fake import FakeERP
from connectors.erp.protocol import ERPConnector
from governance.policy import load_policy
from governance.runtime import Governor
from governance.store import Store
from opspack.cli.ap import mock_erp
from opspack.settings import policy_path

INVOICES = 300


def _erp(name: str) -> ERPConnector:
    return FakeERP.sample() if name == "fake" else mock_erp("sap" if name == "sap" else "netsuite")


def _run(name: str, folder: Path, database: Path) -> tuple[float, Counter[str], APAgent]:
    erp = _erp(name)
    inbox = folder / name
    items = write_inbox(erp, inbox, INVOICES, seed=21)
    system = "netsuite" if name == "netsuite" else "sap"
    governor = Governor(
        load_policy(policy_path()), Store(f"sqlite:///{database}"), {system: ERPPerformer(erp)}
    )
    agent = APAgent(governor, erp, system=system, register=InvoiceRegister())
    started = time.perf_counter()
    results = [agent.process(inbox / item.file) for item in items]
    elapsed = time.perf_counter() - started
    assert sum(r.status == "failed" for r in results) == 0
    return elapsed, Counter(r.status for r in results), agent


def test_ap_agent_invoices_per_second(tmp_path: Path) -> None:
    rows = {}
    for name in ("fake", "sap", "netsuite"):
        elapsed, statuses, _ = _run(name, tmp_path, tmp_path / f"{name}.db")
        rows[name] = (INVOICES / elapsed, elapsed, statuses)
    base = rows["fake"][0]
    print(f"\nAP agent end to end, {INVOICES} JSON invoices each (read, match, gate, execute, ledger)")
    print(f"{'erp':<10}{'invoices/s':>12}{'ms/invoice':>12}{'vs fake':>9}  outcomes")
    for name, (rate, elapsed, statuses) in rows.items():
        print(
            f"{name:<10}{rate:>12.1f}{1000 * elapsed / INVOICES:>12.2f}{rate / base:>9.2f}  {dict(statuses)}"
        )

    # Where the time goes on SAP: perception + matching alone vs the whole path.
    erp = _erp("sap")
    items = write_inbox(erp, tmp_path / "split", INVOICES, seed=21)
    agent = APAgent(
        Governor(
            load_policy(policy_path()),
            Store(f"sqlite:///{tmp_path / 'split.db'}"),
            {"sap": ERPPerformer(erp)},
        ),
        erp,
        system="sap",
    )
    started = time.perf_counter()
    for item in items:
        agent.matcher.match(read_invoice(tmp_path / "split" / item.file))
    matching = time.perf_counter() - started
    whole = rows["sap"][1]
    print(f"{'sap split':<10}{'read+match':>12}{'whole':>12}{'share':>9}")
    print(
        f"{'':<10}{1000 * matching / INVOICES:>10.2f}ms{1000 * whole / INVOICES:>10.2f}ms{matching / whole:>9.2f}"
    )
    assert rows["sap"][2]["posted"] > INVOICES // 2
