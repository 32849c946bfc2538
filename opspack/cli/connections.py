"""`opspack connections check [NAME...] [--json]`: is every connection usable, and if not, why."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from connectors.errors import ConnectorError
from opspack.cli.errors import EXIT_FAILED, describe, error_line
from opspack.cli.options import ConnectionsOption, DatabaseOption, JsonOption, database_url
from opspack.connection_check import check_connections
from opspack.wiring import Wiring, describe_error

connections_app = typer.Typer(help="Check the configured connections.", no_args_is_help=True)


@connections_app.callback()
def connections_group() -> None:
    """Connections commands."""


@connections_app.command("check")
def check(
    names: Annotated[list[str] | None, typer.Argument(help="Connections to check (default: all).")] = None,
    connections: ConnectionsOption = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Authenticate and make one harmless read per connection and agent; exit 1 if any fails."""
    try:
        wiring = Wiring.load(connections=connections, database=database_url(database))
        results = check_connections(wiring, names or None)
    except ConnectorError as exc:  # the file itself, or an unknown name
        if as_json:
            typer.echo(json.dumps({"ok": False, "error": describe_error(exc)}, indent=2))
        else:
            typer.echo(error_line(describe(exc)), err=True)
        raise typer.Exit(EXIT_FAILED) from None
    ok = all(result.ok for result in results)
    if as_json:
        typer.echo(json.dumps({"ok": ok, "connections": [r.as_json() for r in results]}, indent=2))
    else:
        table = Table(title="connections", title_justify="left")
        for column in ("connection", "agent", "adapter", "host", "result", "endpoint", "what to do"):
            table.add_column(column, overflow="fold")
        for r in results:
            verdict = "[green]OK[/]" if r.ok else f"[red]{r.problem}[/]: {r.error}"
            table.add_row(r.connection, r.agent, r.adapter, r.host, verdict, r.endpoint or "", r.advice)
        Console(width=160).print(table)
    if not ok:
        raise typer.Exit(1)
