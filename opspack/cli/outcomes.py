"""``opspack outcomes collect``: read people's outcomes of escalated cases from the systems of record.

One collection (`agents.outcome_readers.collect_with_connectors`): every escalated or shadowed
case still waiting for a person is looked up in the ITSM connections named with ``--itsm`` (read as
the agent identity ``--as``), the CRM connections named with ``--crm`` (read as ``--crm-as``) and
the ERP connections named with ``--erp`` (read as ``--erp-as``: who released a held invoice or posted
it, `agents.invoice_outcomes`), from ``--connections`` (default ``$OPSPACK_CONNECTIONS``);
what people resolved is recorded in the ledger with who, when and where. Safe to run as often as
wanted: an outcome already recorded is not recorded again. The runtime runs the same collection on
a schedule (docs/MEASUREMENT.md §3).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.console import Console

from agents.outcome_readers import collect_with_connectors
from connectors.errors import ConnectorError
from connectors.registry import build_connector, load_connections
from governance.errors import GovernanceError
from governance.identity import CredentialRegistry
from governance.ledger import Ledger
from governance.secrets import default_provider
from governance.store import Store
from opspack.cli.errors import describe, fail
from opspack.cli.options import ConnectionsOption, JsonOption
from opspack.settings import connections_path

outcomes_app = typer.Typer(help="Human outcomes read from the systems of record.", no_args_is_help=True)
console = Console()


@outcomes_app.command("collect")
def collect(
    itsm: Annotated[
        list[str] | None,
        typer.Option("--itsm", help="ITSM connection name(s) to read tickets from (default: servicenow)."),
    ] = None,
    crm: Annotated[
        list[str] | None, typer.Option("--crm", help="CRM connection name(s) to read closed cases from.")
    ] = None,
    identity: Annotated[
        str, typer.Option("--as", help="The agent identity whose credentials read the ITSM.")
    ] = "service_desk",
    crm_identity: Annotated[
        str, typer.Option("--crm-as", help="The agent identity whose credentials read the CRM.")
    ] = "customer_intake",
    erp: Annotated[
        list[str] | None, typer.Option("--erp", help="ERP connection name(s) to read held invoices from.")
    ] = None,
    erp_identity: Annotated[
        str, typer.Option("--erp-as", help="The agent identity whose credentials read the ERP.")
    ] = "ap_clerk",
    service_accounts: Annotated[
        list[str],
        typer.Option(
            "--service-account", help="opspack's own ITSM user names (their resolutions are not human)."
        ),
    ] = ["opspack.integration"],  # noqa: B006
    connections: ConnectionsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record how people finished escalated cases: tickets (ITSM), held invoices (ERP), customer cases (CRM)."""
    try:
        store = Store()
        config = load_connections(connections or connections_path())
        registry = CredentialRegistry(store, default_provider())
        if itsm is None and crm is None and erp is None:
            itsm = ["servicenow"]

        def connected(names: list[str] | None, agent: str) -> list[tuple[str, Any]]:
            return [
                (name, build_connector(config, name, agent=agent, secrets=registry.secrets_for(agent, name)))
                for name in names or ()
            ]

        report = collect_with_connectors(
            Ledger(store),
            datetime.now(UTC),
            itsm=connected(itsm, identity),
            crm=connected(crm, crm_identity),
            erp=connected(erp, erp_identity),
            service_accounts=service_accounts,
        )
    except (GovernanceError, ConnectorError) as exc:
        fail(describe(exc))
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2, default=str))
        return
    console.print(
        f"checked {report.checked} waiting case(s); recorded {len(report.recorded)} human outcome(s)"
    )
    for recorded in report.recorded:
        console.print(f"  {recorded.transaction_id}: {recorded.source} outcome recorded")
    for error in report.errors:
        console.print(f"  [red]{error}[/]")
