"""`opspack intake run INBOX` and `opspack replay intake CASES`: the customer intake agent's commands.

`run` processes an inbox folder (.eml, chat and web-form .json) through the real Governor against
the CRM connection ``--crm NAME`` and the ERP connection ``--erp NAME`` of the connections file
(built by `opspack.wiring`; ``*.mock`` hosts are the vendor mocks in-process) and prints each
outcome; the ledger is kept between runs (`opspack.agent_runs.intake`, which the demo runs too).
`replay` scores the agent on scenario cases (docs/SCENARIOS.md), each against a fresh in-process
mock of the chosen ERP connection, and exits 1 when it resolved on its own anything it should
have handed over.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from agents.intake.config import IntakeConfigError, load_config
from agents.intake.inbox import SUFFIXES
from agents.intake.messages import MessageError
from agents.intake.replay import ReplayReport, replay
from agents.intake.scenarios import ScenarioError, load_scenarios
from connectors.erp.protocol import ERPConnector
from governance.errors import PolicyError
from opspack.agent_runs.intake import DEFAULT_INBOX, run_intake_section
from opspack.cli.errors import EXIT_FAILED, exit_if_failed, fail, one_line_errors
from opspack.cli.options import ConnectionsOption, DatabaseOption, JsonOption, PolicyOption, database_url
from opspack.cli.progress import Tracked, progress
from opspack.settings import policy_path
from opspack.wiring import Wiring, mock_erp

intake_app = typer.Typer(
    help="Customer intake agent: process an inbox, replay scenarios.", no_args_is_help=True
)


ERP_OPTION = typer.Option("--erp", envvar="OPSPACK_INTAKE_ERP", help="ERP connection name.")
CRM_OPTION = typer.Option("--crm", envvar="OPSPACK_INTAKE_CRM", help="CRM connection name.")


def erp_factory(erp: str) -> Callable[[], ERPConnector]:
    """A fresh adapter on a fresh in-process mock of ERP connection `erp` per call (one per replayed case)."""
    return lambda: mock_erp(erp, agent="customer_intake")


@intake_app.command("run")
def run(
    inbox: Annotated[Path, typer.Argument(help="Folder of .eml / .json messages.")] = DEFAULT_INBOX,
    crm: Annotated[str, CRM_OPTION] = "salesforce",
    erp: Annotated[str, ERP_OPTION] = "sap",
    connections: ConnectionsOption = None,
    policy: PolicyOption = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Process an inbox against a CRM and an ERP connection through the real Governor.

    Exits 1 when any message failed."""
    total = sum(1 for p in inbox.iterdir() if p.suffix in SUFFIXES) if inbox.is_dir() else None
    try:
        with one_line_errors(), progress("messages", total, quiet=as_json) as advance:
            wiring = Wiring.load(connections=connections, policy=policy, database=database_url(database))
            summary = run_intake_section(
                wiring, None if as_json else Console(), inbox, crm=crm, erp=erp, advance=advance
            )
            wiring.checkpoint()
    except (MessageError, PolicyError, IntakeConfigError) as error:
        fail(str(error))
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
    exit_if_failed(sum(m["outcome"] == "failed" for m in summary["messages"]), "message")


def _print(report: ReplayReport, console: Console) -> None:
    figures = report.figures()
    table = Table(title="intake replay", title_justify="left")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key in (
        "cases",
        "agreement",
        "intent_accuracy",
        "out_of_scope_precision",
        "out_of_scope_recall",
        "resolved_autonomously",
    ):
        value = figures[key]
        table.add_row(key, "n/a" if value is None else (str(value) if key == "cases" else f"{value:.1%}"))
    wrong = figures["wrong_autonomous"]
    table.add_row("wrong_autonomous", f"[{'red' if wrong else 'green'}]{wrong}[/]")
    console.print(table)
    console.print("outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(figures["outcomes"].items())))
    for case in report.cases:
        if not case.agrees:
            console.print(
                f"[red]disagree[/] {case.case_id}: expected {case.expected_intent}/{case.expected_outcome} "
                f"{list(case.expected_reasons)}, got {case.result.intent}/{case.result.outcome.value} {list(case.result.reasons)}"
            )


@intake_app.command("replay")
def replay_intake(
    cases: Annotated[Path, typer.Argument(help="A scenario file or a folder of them (*.yaml).")],
    erp: Annotated[str, ERP_OPTION] = "sap",
    as_json: JsonOption = False,
    learn_into: Annotated[
        Path | None, typer.Option("--learn-into", help="Model registry root: record wrong labels as examples")
    ] = None,
) -> None:
    """Replay intake cases: intent accuracy, out-of-scope precision/recall, autonomy and errors."""
    try:
        loaded = load_scenarios(cases)
        with progress("cases", len(loaded), quiet=as_json) as advance:
            report = replay(
                Tracked(loaded, advance),
                policy_path=policy_path(),
                config=load_config(),
                erp=erp_factory(erp),
                erp_system=erp,
            )
        if learn_into is not None:  # the replay's wrong labels become examples for `opspack models retrain`
            from agents.perception.label_corrections import learn_from_replay

            learned = learn_from_replay(learn_into, "customer_intake", report.label_rows())
            typer.echo(f"{len(learned)} wrong labels recorded as examples under {learn_into}", err=True)
    except (ScenarioError, MessageError, PolicyError, IntakeConfigError) as error:
        fail(str(error))
    if as_json:
        typer.echo(json.dumps(report.as_json(), indent=2))
    else:
        _print(report, Console())
    if report.figures()["wrong_autonomous"]:
        raise typer.Exit(EXIT_FAILED)
