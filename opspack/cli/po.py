"""`opspack po follow-up`: overdue purchase orders found and their status updates proposed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from agents.procurement.errors import ProcurementError
from opspack.cli.errors import one_line_errors
from opspack.cli.options import ConnectionsOption, DebugOption, JsonOption, PolicyOption
from opspack.cli.procurement import (
    PROCUREMENT_ERRORS,
    build_erp,
    build_governor,
    erp_system,
)

po_app = typer.Typer(help="Follow up purchase orders.", no_args_is_help=True)


@po_app.callback()
def po_group() -> None:
    """Purchase-order commands."""


@po_app.command("follow-up")
def po_follow_up(
    erp: Annotated[str, typer.Option("--erp", help="ERP to read: an ERP connection or fake.")] = "fake",
    connections: ConnectionsOption = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Treat this ISO date as today (default: today).")
    ] = None,
    close_after: Annotated[
        int,
        typer.Option(
            "--close-after-days",
            min=1,
            help="Propose closing orders with nothing received this long after the due date.",
        ),
    ] = 90,
    submit: Annotated[
        bool, typer.Option("--submit/--no-submit", help="Send the status updates through governance.")
    ] = True,
    drafts: Annotated[
        Path | None, typer.Option("--drafts", help="Directory to write the drafted status requests to.")
    ] = None,
    policy_file: PolicyOption = None,
    as_json: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Flag open POs past delivery without receipt, draft status requests, update status (governed)."""
    from datetime import date

    from agents.procurement.po_followup import follow_up

    with one_line_errors(*PROCUREMENT_ERRORS, debug=debug):
        try:
            today = date.fromisoformat(as_of) if as_of else date.today()
        except ValueError:
            raise ProcurementError(f"--as-of {as_of!r} is not an ISO date (YYYY-MM-DD)") from None
        connector = build_erp(erp, connections)
        system = erp_system(erp)
        governor = build_governor(connector, system, policy_file) if submit else None
        results = follow_up(connector, today, governor=governor, system=system, close_after_days=close_after)
        if drafts is not None:
            drafts.mkdir(parents=True, exist_ok=True)
            for item in results:
                (drafts / f"{item.order.po_id}.txt").write_text(item.request, encoding="utf-8")
        rows = [r.as_dict() for r in results]
        if as_json:
            typer.echo(json.dumps({"as_of": today.isoformat(), "overdue": rows}, indent=2))
            return
        table = Table(title=f"overdue purchase orders as of {today.isoformat()}")
        for column in ("PO", "vendor", "late lines", "days late", "proposed status", "outcome"):
            table.add_column(column)
        for row in rows:
            table.add_row(
                row["po_id"],
                row["vendor"],
                str(row["late_lines"]),
                str(row["days_late"]),
                str(row["proposed_status"]),
                row["outcome"],
            )
        Console().print(table)
