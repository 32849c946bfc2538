"""The AP part of `opspack demo`: a folder of invoices through the three-way match agent.

The SAP S/4HANA mock runs in-process (the adapter speaks OData to it through the transport
seam). The inbox is drawn from the mock's own open, received purchase orders, so PO numbers
and vendor tax ids are the ERP's; a seeded share of invoices carries one defect each (price
variance, changed bank details, unknown vendor, duplicate, arithmetic error). Each invoice is
posted and paid, held with its reason in the ERP, or left awaiting approval -- by the same
Governor and ledger as the rest of the demo.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console

from agents.ap.synthetic_inbox import write_inbox
from opspack.agent_runs.ap import invoice_paths, results_table, summarise
from opspack.wiring import Wiring

INVOICES = 14
DEFECT_RATE = 0.4
SEED = 7


def run_ap_section(
    wiring: Wiring, workdir: Path, console: Console | None, *, erp_name: str = "sap"
) -> dict[str, Any]:
    """Process a generated inbox against ERP connection `erp_name` (the example's SAP mock) and return the summary."""
    erp = wiring.connector(erp_name, agent="ap_clerk", kind="erp")
    inbox = workdir / "ap-inbox"
    for stale in inbox.glob("*.json"):
        stale.unlink()
    manifest = write_inbox(erp, inbox, INVOICES, seed=SEED, defect_rate=DEFECT_RATE)
    agent = wiring.ap_agent(erp=erp_name)
    results = [agent.process(path) for path in invoice_paths(inbox)]
    expected = {item.file: item.expected for item in manifest}
    agreed = sum(
        (expected[Path(r.source).name] == "post") == (r.status == "posted")
        for r in results
        if r.status in ("posted", "held")
    )
    summary = summarise(results)
    summary["agreement_with_planted_outcome"] = (
        f"{agreed}/{sum(r.status in ('posted', 'held') for r in results)}"
    )
    if console is not None:
        console.rule(f"[bold]AP three-way match[/] — invoices against ERP connection {erp_name}")
        console.print(results_table(results))
        console.print(
            f"  posted {summary['posted']} · held {summary['held']} {summary['held_by_reason']} · "
            f"awaiting approval {summary['awaiting_approval']} · failed {summary['failed']}"
        )
    summary["results"] = [r.as_dict() for r in results]
    return summary
