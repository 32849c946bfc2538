"""`opspack service-desk run` and `opspack replay service-desk CASES`: the service desk agent's commands.

`run` files a ticket queue into the ITSM mock of choice (ServiceNow or Jira Service Management,
in-process and fresh from ``fixtures/service_desk``), lets the agent work it against the
directory mock of choice (Okta or Microsoft Graph) through the real Governor, and prints each
ticket's outcome; ``--ticket`` works only the given numbers. `replay` scores the agent on
scenario cases in shadow mode (docs/SERVICE_DESK.md) and exits 1 on any wrong-autonomous case.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from agents.service_desk.config import ServiceDeskConfigError, load_config
from agents.service_desk.knowledge import KnowledgeBaseError
from agents.service_desk.replay import ReplayReport, replay
from agents.service_desk.scenarios import ScenarioError, load_scenarios
from agents.service_desk.wiring import ServiceDeskStack
from governance.errors import PolicyError
from governance.ledger import Ledger
from governance.policy import load_policy
from governance.store import Store, reset_sqlite_database
from opspack.demo_service_desk import (
    DEMO_QUEUE,
    DirectoryVendor,
    ItsmVendor,
    file_tickets,
    load_queue,
    mock_desk,
    results_table,
    summarise,
)
from opspack.settings import policy_path

service_desk_app = typer.Typer(
    help="Service desk agent: tickets from an ITSM queue, resolved or escalated.", no_args_is_help=True
)
_ITSM = ("servicenow", "jsm")
_DIRECTORIES = ("okta", "msgraph")


@service_desk_app.callback()
def service_desk_group() -> None:
    """Service desk resolution agent."""


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


@service_desk_app.command("run")
def run(
    queue: Annotated[
        Path, typer.Option(help="YAML list of tickets to file first (NewTicket fields).")
    ] = DEMO_QUEUE,
    itsm: Annotated[str, typer.Option(help="ITSM mock: servicenow or jsm.")] = "servicenow",
    directory: Annotated[str, typer.Option(help="Directory mock: okta or msgraph.")] = "okta",
    ticket: Annotated[
        list[str] | None, typer.Option("--ticket", help="Work only these ticket numbers (repeatable).")
    ] = None,
    database: Annotated[Path, typer.Option(help="SQLite file for the ledger (recreated).")] = Path(
        ".opspack/service-desk.db"
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print results as JSON.")] = False,
) -> None:
    """File a queue on the ITSM mock and let the agent work it through the real Governor."""
    if itsm not in _ITSM or directory not in _DIRECTORIES:
        raise _fail(
            f"--itsm must be one of {', '.join(_ITSM)} and --directory one of {', '.join(_DIRECTORIES)}"
        )
    itsm_vendor: ItsmVendor = "jsm" if itsm == "jsm" else "servicenow"
    directory_vendor: DirectoryVendor = "msgraph" if directory == "msgraph" else "okta"
    try:
        policy = load_policy(policy_path())
        tickets = load_queue(queue)
        desk = mock_desk(itsm_vendor, directory_vendor)
        store = Store(reset_sqlite_database(database))
        stack = ServiceDeskStack.build(store, desk.systems, policy=policy)
        numbers = file_tickets(desk.systems.itsm, tickets)
        results = stack.agent.handle_numbers(ticket) if ticket else stack.agent.poll()
        Ledger(store).checkpoint()  # end of run: a signed anchor over the ledger, outside the database
    except (PolicyError, ServiceDeskConfigError, KnowledgeBaseError, ValueError) as error:
        raise _fail(str(error)) from error
    if as_json:
        typer.echo(json.dumps(summarise(results), indent=2))
        return
    console = Console()
    console.print(results_table(results, dict(zip(numbers, (t.caller for t in tickets), strict=True))))
    tally = summarise(results)
    console.print(" · ".join(f"{k} {v}" for k, v in tally.items() if k != "results"))


def _print(report: ReplayReport, console: Console) -> None:
    figures = report.figures()
    table = Table(title="service desk replay (shadow mode)", title_justify="left")
    table.add_column("measure")
    table.add_column("value", justify="right")
    adversarial = figures["adversarial"]
    rows: list[tuple[str, Any]] = [
        ("cases", figures["cases"]),
        ("autonomous rate", f"{figures['autonomous_rate']:.1%}"),
        ("agreement with expected outcome", f"{figures['agreement']:.1%}"),
        ("category accuracy", f"{figures['category_accuracy']:.1%}" if figures["category_accuracy"] else "-"),
        ("wrong autonomous", figures["wrong_autonomous"]),
        ("adversarial: escalated / executed", f"{adversarial['escalated']}/{adversarial['cases']} / {adversarial['executed']}"),
        ("outcomes", ", ".join(f"{k} {v}" for k, v in sorted(figures["outcomes"].items()))),
    ]  # fmt: skip
    for name, value in rows:
        table.add_row(name, str(value))
    console.print(table)
    for case in report.cases:
        if not case.agrees:
            e, r = case.case.expected, case.result
            mark = "[red]WRONG AUTONOMOUS[/]" if case.wrong_autonomous else "[yellow]disagree[/]"
            console.print(
                f"{mark} {case.case.id}: expected {e.outcome} {list(e.reasons)}, "
                f"got {r.outcome.value} {list(r.reasons)} ({r.category} {r.confidence:.2f})"
            )


def replay_service_desk(
    cases: Annotated[Path, typer.Argument(help="A scenario file or a folder of them (*.yaml).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the full report as JSON.")] = False,
) -> None:
    """Replay service desk cases in shadow mode: autonomous rate, agreement, wrong-autonomous count."""
    try:
        loaded = load_scenarios(cases)
        report = replay(loaded, policy_path=policy_path(), config=load_config())
    except (ScenarioError, PolicyError, ServiceDeskConfigError, KnowledgeBaseError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    if as_json:
        typer.echo(json.dumps(report.as_json(), indent=2))
    else:
        _print(report, Console())
    if report.figures()["wrong_autonomous"]:
        raise typer.Exit(1)


def mount_service_desk(app: typer.Typer, replay_app: typer.Typer) -> None:
    """Add `service-desk` to the root app and `replay service-desk` to the replay group."""
    replay_app.command("service-desk")(replay_service_desk)
    app.add_typer(
        service_desk_app, name="service-desk", help="Service desk agent: ITSM tickets, governed resolutions."
    )
