"""`opspack replay handoff SUITES`: replay the hand-off flows and their guards (docs/AGENTS_TOGETHER.md).

Each suite runs on freshly seeded in-memory systems under the policy; the exit code is 1 when any
case disagrees with its expectation (a guard that did not trip, an action that ran past one).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from agents.handoff_flows.replay import CaseResult, ScenarioError, load_suite, replay_suite, suite_files
from governance.policy import load_policy
from opspack.cli.errors import EXIT_USAGE, fail
from opspack.cli.options import JsonOption
from opspack.settings import policy_path


def _table(name: str, results: list[CaseResult]) -> Table:
    table = Table(title=name, title_justify="left")
    for column in ("case", "flow", "status", "guard", "outcomes", "blocked invoices", "agrees"):
        table.add_column(column, overflow="fold")
    for r in results:
        table.add_row(
            r.id,
            r.flow,
            r.status,
            r.guard or "",
            ", ".join(r.outcomes),
            ", ".join(r.on_hold),
            "[green]yes[/]" if r.agrees else "[red]no[/]",
        )
    return table


def replay_handoff(
    suites: Annotated[Path, typer.Argument(help="A hand-off suite (*.yaml) or a folder of them.")],
    as_json: JsonOption = False,
) -> None:
    """Replay hand-off suites: the flows between agents and the depth, budget and breaker guards."""
    policy = load_policy(policy_path())
    report: dict[str, list[CaseResult]] = {}
    try:
        for path in suite_files(suites):
            report[path.name] = replay_suite(load_suite(path), policy)
    except ScenarioError as error:
        fail(str(error), EXIT_USAGE)
    disagree = sum(not r.agrees for results in report.values() for r in results)
    if as_json:
        typer.echo(json.dumps({name: [r.as_dict() for r in rs] for name, rs in report.items()}, indent=2))
    else:
        console = Console()
        for name, results in report.items():
            console.print(_table(name, results))
        total = sum(len(rs) for rs in report.values())
        console.print(f"{total - disagree}/{total} cases agree")
    if disagree:
        raise typer.Exit(1)
