"""`opspack service-desk run` and `opspack replay service-desk CASES`: the service desk agent's commands.

`run` works the ticket queue of the ITSM connection ``--itsm NAME`` against the directory
connection ``--directory NAME`` (and the ERP connection ``--erp NAME`` for order questions), all
from the connections file through `opspack.wiring`; ``--queue FILE`` files tickets first (once per
business key), ``--ticket`` works only the given numbers. An in-process ``*.mock`` ITSM is seeded
with the service desk demo's people (``fixtures/service_desk/<adapter>``). The ledger is kept
between runs. `replay` scores the agent on scenario cases in shadow mode (docs/SERVICE_DESK.md)
and exits 1 on any wrong-autonomous case.
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
from governance.errors import PolicyError
from opspack.agent_runs.service_desk import desk_wiring, file_tickets, load_queue, results_table, summarise
from opspack.cli.errors import EXIT_FAILED, exit_if_failed, fail, one_line_errors
from opspack.cli.options import ConnectionsOption, DatabaseOption, JsonOption, PolicyOption, database_url
from opspack.cli.progress import Tracked, progress
from opspack.settings import policy_path

service_desk_app = typer.Typer(
    help="Service desk agent: tickets from an ITSM queue, resolved or escalated.", no_args_is_help=True
)


@service_desk_app.callback()
def service_desk_group() -> None:
    """Service desk resolution agent."""


FAILED_OUTCOMES = ("pending", "stuck")
"""A write failed this pass (resumed next pass) or kept failing: the run exits 1."""


@service_desk_app.command("run")
def run(
    itsm: Annotated[str, typer.Option(help="ITSM connection name in the connections file.")] = "servicenow",
    directory: Annotated[str, typer.Option(help="Directory connection name.")] = "okta",
    erp: Annotated[
        str | None, typer.Option(help="ERP connection for order-status answers (optional).")
    ] = None,
    queue: Annotated[
        Path | None, typer.Option(help="YAML list of tickets to file first (NewTicket fields).")
    ] = None,
    ticket: Annotated[
        list[str] | None, typer.Option("--ticket", help="Work only these ticket numbers (repeatable).")
    ] = None,
    connections: ConnectionsOption = None,
    policy: PolicyOption = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Work the ITSM queue through the real Governor (filing --queue first when given).

    Exits 1 when a ticket's write failed this pass (pending) or kept failing (stuck)."""
    try:
        with one_line_errors():
            wiring = desk_wiring(connections, policy, database_url(database), itsm)
            stack = wiring.service_desk(itsm=itsm, directory=directory, erp=erp)
            tickets = load_queue(queue) if queue is not None else []
            numbers = file_tickets(stack.systems.itsm, tickets)
            with progress("tickets", len(ticket) if ticket else None, quiet=as_json) as advance:
                if ticket:
                    results = stack.agent.handle_numbers(Tracked(ticket, advance))
                else:
                    results = stack.agent.poll(on_result=lambda _: advance())
            wiring.checkpoint()
    except (PolicyError, ServiceDeskConfigError, KnowledgeBaseError, ValueError) as error:
        fail(str(error))
    tally = summarise(results)
    if as_json:
        typer.echo(json.dumps(tally, indent=2))
    else:
        console = Console()
        console.print(results_table(results, dict(zip(numbers, (t.caller for t in tickets), strict=True))))
        console.print(" · ".join(f"{k} {v}" for k, v in tally.items() if k != "results"))
    exit_if_failed(sum(r.outcome.value in FAILED_OUTCOMES for r in results), "ticket")


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
    as_json: JsonOption = False,
    learn_into: Annotated[
        Path | None, typer.Option("--learn-into", help="Model registry root: record wrong labels as examples")
    ] = None,
) -> None:
    """Replay service desk cases in shadow mode: autonomous rate, agreement, wrong-autonomous count."""
    try:
        loaded = load_scenarios(cases)
        with progress("cases", len(loaded), quiet=as_json) as advance:
            report = replay(Tracked(loaded, advance), policy_path=policy_path(), config=load_config())
        if learn_into is not None:  # the replay's wrong labels become examples for `opspack models retrain`
            from agents.perception.label_corrections import learn_from_replay

            learned = learn_from_replay(learn_into, "service_desk", report.label_rows())
            typer.echo(f"{len(learned)} wrong labels recorded as examples under {learn_into}", err=True)
    except (ScenarioError, PolicyError, ServiceDeskConfigError, KnowledgeBaseError) as error:
        fail(str(error))
    if as_json:
        typer.echo(json.dumps(report.as_json(), indent=2))
    else:
        _print(report, Console())
    if report.figures()["wrong_autonomous"]:
        raise typer.Exit(EXIT_FAILED)


def mount_service_desk(app: typer.Typer, replay_app: typer.Typer) -> None:
    """Add `service-desk` to the root app and `replay service-desk` to the replay group."""
    replay_app.command("service-desk")(replay_service_desk)
    app.add_typer(
        service_desk_app, name="service-desk", help="Service desk agent: ITSM tickets, governed resolutions."
    )
