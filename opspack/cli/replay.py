"""`opspack replay <agent> CASES`: run scenario cases in shadow mode and score the decisions.

Cases follow docs/SCENARIOS.md. Each runs against freshly seeded in-memory systems with the
agent's tiers forced to shadow, so nothing is written anywhere. The exit code is 1 when the
agent would have auto-posted a case that should have been held: that error costs money.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from agents.ap.replay import ReplayReport, replay, shadow_policy
from agents.ap.scenarios import ScenarioError, load_scenarios
from opspack.cli.errors import EXIT_FAILED, fail
from opspack.cli.options import JsonOption
from opspack.cli.progress import Tracked, progress
from opspack.settings import policy_path

replay_app = typer.Typer(
    help="Replay scenario cases in shadow mode and score agreement.", no_args_is_help=True
)


@replay_app.callback()
def replay_group() -> None:
    """Scenario replay per agent (a group: each agent adds its own command)."""


def _print(report: ReplayReport, console: Console) -> None:
    data = report.as_dict()
    table = Table(title="agreement per expected outcome", title_justify="left")
    for column in ("expected", "cases", "agreed", "agreement", "code fired"):
        table.add_column(column, justify="right" if column != "expected" else "left")
    for label, row in data["per_reason"].items():
        table.add_row(
            label, str(row["cases"]), str(row["agreed"]), f"{row['agreement']:.1%}", str(row["detected"])
        )
    console.print(table)
    confusion = Table(title="confusion: expected vs actual leading reason", title_justify="left")
    confusion.add_column("expected")
    confusion.add_column("actual (count)", overflow="fold")
    for expected, row in data["confusion"].items():
        cells = [
            f"[{'green' if label == expected else 'red'}]{label} {count}[/]" for label, count in row.items()
        ]
        confusion.add_row(expected, ", ".join(cells))
    console.print(confusion)
    for case in report.cases:
        if not case.agrees:
            console.print(
                f"[red]disagree[/] {case.id}: expected {case.expected_outcome} {list(case.expected_reasons)}, "
                f"got {case.outcome} {list(case.reasons)} ({case.rule})"
            )
    wrong = len(report.wrong_auto_posts)
    console.print(
        f"{data['agreed']}/{data['cases']} agree ({data['agreement']:.1%}) · "
        f"wrong auto-posts [{'red' if wrong else 'green'}]{wrong}[/] · needless holds {len(report.needless_holds)}"
        f" · touchless {data['touchless']['rate']:.1%} · false-post rate {data['false_post_rate']:.1%}"
    )


@replay_app.command("ap")
def replay_ap(
    cases: Annotated[Path, typer.Argument(help="A scenario file or a folder of them (*.yaml).")],
    as_json: JsonOption = False,
    system: Annotated[str, typer.Option("--system", help="Policy system name the actions address.")] = "sap",
) -> None:
    """Replay AP cases: agreement per reason code, wrong auto-posts and a confusion summary."""
    try:
        loaded = load_scenarios(cases)
    except ScenarioError as error:
        fail(str(error))
    chosen = [case for case in loaded if case.agent == "ap"]
    with progress("cases", len(chosen), quiet=as_json) as advance:
        report = replay(Tracked(chosen, advance), shadow_policy(policy_path()), system=system)
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
    else:
        _print(report, Console())
    if report.wrong_auto_posts:
        raise typer.Exit(EXIT_FAILED)
