"""``opspack credentials``: how old each agent's credentials are, and rotating them.

``status`` lists every credential's age against the policy's cadence (``--json`` for machines);
``rotate AGENT SYSTEM`` asks the system's adapter for a new secret and stores it; ``secrets set
PATH`` stores a value read from stdin or a hidden prompt (never from the command line, where it
would land in shell history and the process list). Output and errors pass through the redactor.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from governance.errors import CredentialError
from governance.identity import CredentialRegistry, CredentialStatus
from governance.policy import load_policy
from governance.redaction import redact
from governance.secrets import default_provider, iter_references, validate_path, writable_provider
from governance.store import Store
from opspack.cli.errors import one_line_errors
from opspack.cli.options import ConnectionsOption, JsonOption, PolicyOption
from opspack.cli.output import print_json
from opspack.settings import connections_path, policy_path

credentials_app = typer.Typer(no_args_is_help=True, help="Agent credentials: age, cadence, rotation.")
secrets_app = typer.Typer(no_args_is_help=True, help="Store secrets in the configured secret provider.")
credentials_app.add_typer(secrets_app, name="secrets")


def _registry() -> CredentialRegistry:
    return CredentialRegistry(Store(), default_provider())


def _state_cell(row: CredentialStatus) -> str:
    colours = {"overdue": "red", "ok": "green", "never_seen": "yellow", "not_in_policy": "magenta"}
    colour = colours.get(row.state, "white")
    return f"[{colour}]{row.state}[/]"


@credentials_app.command("status")
def status(
    policy_file: PolicyOption = None,
    as_json: JsonOption = False,
    as_of: Annotated[
        datetime | None, typer.Option("--as-of", help="Compute ages at this UTC time instead of now.")
    ] = None,
) -> None:
    """List each agent's credentials: age in days, rotation cadence, and whether rotation is overdue."""
    with one_line_errors(OSError, ValueError, with_type=True):
        policy = load_policy(policy_file or policy_path())
        now = (as_of.replace(tzinfo=UTC) if as_of.tzinfo is None else as_of) if as_of else datetime.now(UTC)
        rows = _registry().status(policy, now)
        if as_json:
            print_json({"as_of": now.isoformat(), "credentials": [row.to_json() for row in rows]})
            return
        table = Table(title=f"credentials as of {now:%Y-%m-%d %H:%M} UTC")
        for header in (
            "agent",
            "identity",
            "system",
            "credential",
            "age (days)",
            "cadence (days)",
            "due",
            "state",
        ):
            table.add_column(header, overflow="fold")
        for row in rows:
            table.add_row(
                row.agent,
                row.identity or "-",
                row.system,
                row.credential or "-",
                "-" if row.age_days is None else f"{row.age_days:.1f}",
                "-" if row.rotation_days is None else str(row.rotation_days),
                "-" if row.due_at is None else f"{row.due_at:%Y-%m-%d}",
                _state_cell(row),
            )
        Console().print(table)
        overdue = sum(row.overdue for row in rows)
        if overdue:
            typer.echo(f"{overdue} credential(s) overdue for rotation", err=True)


def _build_connector(
    connections_file: Path, connection_name: str, agent: str, system: str, registry: CredentialRegistry
) -> tuple[object, dict[str, str]]:
    """The connection's adapter authenticated as `agent` (its secrets resolved and recorded under the
    policy's `system`), and the agent's ``{credential key: secret path}`` for that connection."""
    from connectors.registry import build_connector, load_connections

    config = load_connections(connections_file)
    connection = config.get(connection_name)
    paths = dict(iter_references(connection.credentials.get(agent, {})))
    connector = build_connector(
        config, connection_name, agent=agent, secrets=registry.secrets_for(agent, system)
    )
    return connector, paths


@credentials_app.command("rotate")
def rotate(
    agent: Annotated[str, typer.Argument(help="Agent name as in the policy.")],
    system: Annotated[str, typer.Argument(help="System name as in the policy, e.g. servicenow.")],
    connections_file: ConnectionsOption = None,
    connection: Annotated[
        str | None, typer.Option("--connection", help="Connection name when it differs from SYSTEM.")
    ] = None,
    policy_file: PolicyOption = None,
    actor: Annotated[str, typer.Option(help="Who is rotating (recorded in the ledger).")] = "cli",
    as_json: JsonOption = False,
) -> None:
    """Rotate AGENT's credential on SYSTEM (a policy system) where the adapter supports it; the new
    secret is stored in the writable secret provider and the rotation recorded in the ledger."""
    with one_line_errors(OSError, ValueError, with_type=True):
        policy = load_policy(policy_file or policy_path())
        declared = policy.agent(agent)
        if system not in declared.systems:
            raise CredentialError(f"agent {agent!r} has no access to system {system!r} in the policy")
        registry = _registry()
        connector, paths = _build_connector(
            connections_file or connections_path(), connection or system, agent, system, registry
        )
        result = registry.rotate(agent, system, connector, secret_paths=paths, actor=actor)
        if as_json:
            print_json(result.to_json())
        else:
            typer.echo(
                f"rotated {result.credential} for {agent} on {system} via {result.adapter}: "
                f"stored at {result.path} in {result.stored_in}, fingerprint {result.fingerprint}"
            )
        if result.warning:
            typer.echo(f"opspack: warning: {redact(result.warning)}", err=True)
            raise typer.Exit(1)


@secrets_app.command("set")
def set_secret(
    path: Annotated[str, typer.Argument(help="Secret path, e.g. servicenow/service_desk/password.")],
    as_json: JsonOption = False,
) -> None:
    """Store the secret at PATH, read from stdin (piped) or a hidden prompt -- never from argv."""
    with one_line_errors(OSError, ValueError, with_type=True):
        path = validate_path(path)
        if sys.stdin is not None and not sys.stdin.isatty():
            value = sys.stdin.read().rstrip("\r\n")
        else:
            value = typer.prompt(f"value for {path}", hide_input=True, confirmation_prompt=True)
        provider = default_provider()
        target = writable_provider(provider)
        if target is None:
            raise CredentialError(f"no writable secret provider ({provider.describe()})")
        target.set(path, value)
        answering = provider.source_of(path)
        shadowed = answering is not None and answering is not target
        if as_json:  # never the value
            typer.echo(
                json.dumps(
                    {
                        "path": path,
                        "stored_in": target.describe(),
                        "answered_by": answering.describe() if answering else None,
                    },
                    indent=2,
                )
            )
        else:
            typer.echo(f"stored {path} in {target.describe()}")
        if shadowed and answering is not None:
            typer.echo(f"opspack: warning: {path} is still answered by {answering.describe()}", err=True)
