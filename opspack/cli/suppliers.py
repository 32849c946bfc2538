"""`opspack suppliers validate`: the supplier (vendor) master checked -- ids, IBANs, duplicates."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from governance.runtime import Outcome
from opspack.cli.errors import one_line_errors
from opspack.cli.options import ConnectionsOption, DebugOption, JsonOption, PolicyOption
from opspack.cli.procurement import (
    PROCUREMENT_ERRORS,
    build_erp,
    build_governor,
    erp_system,
)

suppliers_app = typer.Typer(help="Validate the supplier (vendor) master.", no_args_is_help=True)


@suppliers_app.callback()
def suppliers_group() -> None:
    """Supplier master-data commands."""


@suppliers_app.command("validate")
def suppliers_validate(
    erp: Annotated[
        str, typer.Option("--erp", help="Vendor master to read: an ERP connection or fake.")
    ] = "fake",
    connections: ConnectionsOption = None,
    vendor_file: Annotated[
        Path | None, typer.Option("--file", help="Validate a vendor master CSV extract instead of the ERP.")
    ] = None,
    open_pos: Annotated[
        Path | None, typer.Option("--open-pos", help="With --file: po_id,vendor_id CSV of open orders.")
    ] = None,
    submit: Annotated[
        bool, typer.Option("--submit/--no-submit", help="Send the proposed changes through governance.")
    ] = True,
    policy_file: PolicyOption = None,
    as_json: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Check mandatory fields, tax ids, IBANs, duplicates and blocked vendors on open POs."""
    from agents.procurement.supplier_master import load_supplier_csv, load_supplier_erp
    from agents.procurement.supplier_validation import Proposal, submit_proposals, validate_suppliers

    with one_line_errors(*PROCUREMENT_ERRORS, debug=debug):
        connector = build_erp(erp, connections)
        master = load_supplier_csv(vendor_file, open_pos) if vendor_file else load_supplier_erp(connector)
        system = erp_system(erp)
        report = validate_suppliers(master, system=system)
        outcomes: list[tuple[Proposal, Outcome]] = []
        if submit and report.proposals:
            digest = hashlib.sha256(json.dumps(sorted(report.defects())).encode()).hexdigest()[:12]
            outcomes = submit_proposals(
                build_governor(connector, system, policy_file),
                report,
                transaction_id=f"suppliers-{digest}",
                source=master.source,
            )
        summary = {"source": master.source, **report.as_dict([outcome for _, outcome in outcomes])}
        if as_json:
            typer.echo(json.dumps(summary, indent=2, default=str))
            return
        console = Console()
        table = Table(title=f"supplier findings — {report.records} records from {master.source}")
        for column in ("vendor", "finding", "detail"):
            table.add_column(column, overflow="fold")
        for finding in report.findings:
            table.add_row(finding.vendor_id, finding.kind, finding.message)
        console.print(table)
        proposals = Table(title="proposed changes (governed)")
        for column in ("change", "operation → target", "reason", "outcome"):
            proposals.add_column(column, overflow="fold")
        for item in summary["proposals"]:
            proposals.add_row(
                item["kind"],
                f"{item['operation']} → {item['target']}",
                item["reason"],
                item.get("outcome", "not submitted"),
            )
        console.print(proposals)
