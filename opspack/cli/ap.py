"""`opspack ap run FOLDER`: the AP three-way match agent over a folder of invoices.

The ERP is a connection from the connections file (``--erp NAME``; a ``*.mock`` host is its mock
in-process, a served mock or a real SAP/NetSuite is just another URL), built by `opspack.wiring`.
The ledger is persistent (``.opspack/opspack.db`` by default): a rerun of the same folder reports
finished invoices as done and finishes half-done ones (a posted invoice's payment is scheduled),
with the executor reconciling against the ERP instead of writing twice. Every invoice goes through
the one governance path; the report lists what was posted, what is held (with reasons and the
queue it went to) and what awaits approval.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from opspack.agent_runs.ap import invoice_paths, results_table, summarise
from opspack.cli.errors import EXIT_USAGE, exit_if_failed, fail, one_line_errors
from opspack.cli.options import ConnectionsOption, DatabaseOption, JsonOption, PolicyOption, database_url
from opspack.cli.progress import progress
from opspack.wiring import Wiring, mock_erp

__all__ = ["ap_app", "invoice_files", "mock_erp", "summary_table"]


ap_app = typer.Typer(help="Accounts payable: three-way match agent.", no_args_is_help=True)


@ap_app.callback()
def ap_group() -> None:
    """AP agent commands (a group, so `run` stays a subcommand when mounted)."""


def invoice_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        fail(f"{folder} is not a folder", EXIT_USAGE)
    return invoice_paths(folder)


def summary_table(summary: dict[str, Any]) -> Table:
    """The run's counts, one row each; held invoices also counted by their first reason."""
    table = Table(title="Summary", title_justify="left", show_header=False)
    table.add_column("outcome")
    table.add_column("invoices", justify="right")
    for key in ("invoices", "posted", "held", "awaiting_approval", "shadowed", "failed", "resumed"):
        label = {"resumed": "already done (resumed)", "awaiting_approval": "awaiting approval"}.get(key, key)
        table.add_row(label, str(summary[key]))
        if key == "held":
            for reason, count in summary["held_by_reason"].items():
                table.add_row(f"  held: {reason}", str(count))
    return table


@ap_app.command("run")
def run(
    folder: Annotated[Path, typer.Argument(help="Folder of invoices (PDF, UBL/CII XML, JSON, CSV).")],
    erp: Annotated[
        str,
        typer.Option("--erp", envvar="OPSPACK_AP_ERP", help="ERP connection name in the connections file."),
    ] = "sap",
    connections: ConnectionsOption = None,
    policy: PolicyOption = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Process every invoice in FOLDER: post and pay clean matches, hold the rest with reasons.

    Exits 1 when any invoice failed (after printing every result)."""
    files = invoice_files(folder)
    with one_line_errors():
        wiring = Wiring.load(connections=connections, policy=policy, database=database_url(database))
        agent = wiring.ap_agent(erp=erp)
        results = []
        with progress("invoices", len(files), quiet=as_json) as advance:
            for file in files:
                results.append(agent.process(file))
                advance()
        wiring.checkpoint()  # end of run: a signed anchor over the ledger, outside the database
    summary = summarise(results)
    if as_json:
        typer.echo(json.dumps({"summary": summary, "results": [r.as_dict() for r in results]}, indent=2))
    else:
        console = Console()
        console.print(results_table(results))
        console.print(summary_table(summary))
    exit_if_failed(summary["failed"], "invoice")
