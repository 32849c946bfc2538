"""`opspack intake run INBOX` and `opspack replay intake CASES`: the customer intake agent's commands.

`run` processes an inbox folder (.eml, chat and web-form .json) against the in-memory sample
CRM and order book through the real Governor and prints each outcome; `run_intake_section` is
the same for `make demo`. `replay` scores the agent on scenario cases (docs/SCENARIOS.md) and
exits 1 when it resolved on its own anything it should have handed over.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from agents.intake.agent import IntakeResult
from agents.intake.config import IntakeConfigError, load_config
from agents.intake.inbox import read_inbox
from agents.intake.messages import MessageError
from agents.intake.replay import ReplayReport, replay
from agents.intake.scenarios import ScenarioError, load_scenarios
from agents.intake.wiring import IntakeStack
from governance.errors import PolicyError
from governance.policy import Policy, load_policy
from governance.store import Store
from opspack.settings import FIXTURES_DIR, policy_path

DEFAULT_INBOX = FIXTURES_DIR / "intake" / "inbox"
STYLE = {
    "resolved": "green",
    "held": "yellow",
    "awaiting_customer": "cyan",
    "routed": "blue",
    "escalated": "magenta",
}

CASE_BOOKKEEPING = frozenset({"crm.create_case", "crm.comment", "crm.update_case", "crm.send_reply"})

intake_app = typer.Typer(
    help="Customer intake agent: process an inbox, replay scenarios.", no_args_is_help=True
)


def run_intake_section(
    policy: Policy, store: Store, console: Console | None, inbox: Path = DEFAULT_INBOX
) -> dict[str, Any]:
    """Process every message in `inbox` through the governed intake agent; print a table."""
    stack = IntakeStack.build(store, policy=policy)
    rows: list[tuple[str, IntakeResult]] = []
    for path, message in read_inbox(inbox):
        rows.append((path.name, stack.agent.handle(message)))
    if console is not None:
        console.rule("[bold]Customer intake[/] — inbox against the sample CRM and order book")
        table = Table(show_lines=False)
        for column in ("message", "intent", "conf.", "outcome", "reasons", "actions"):
            table.add_column(column, overflow="fold")
        for name, result in rows:
            style = STYLE.get(result.outcome.value, "red")
            table.add_row(
                name,
                result.intent,
                f"{result.confidence:.2f}",
                f"[{style}]{result.outcome.value}[/]",
                ", ".join(result.reasons),
                _actions(result),
            )
        console.print(table)
        console.print(
            f"outbox: {len(stack.outbox.messages)} replies queued · credit memos: {len(stack.orders.credit_memos())}"
        )
    return {
        "messages": [{"file": name, **result.as_json()} for name, result in rows],
        "replies_queued": len(stack.outbox.messages),
        "credit_memos": [m.model_dump(mode="json") for m in stack.orders.credit_memos()],
    }


def _actions(result: IntakeResult) -> str:
    """The resolution's own writes in full; case bookkeeping (open, comment, update, reply) as a count."""
    own = [f"{op}:{status}" for op, status in result.actions if op not in CASE_BOOKKEEPING]
    rest = len(result.actions) - len(own)
    return ", ".join([*own, f"{rest} case ops"] if rest else own)


@intake_app.command("run")
def run(
    inbox: Annotated[Path, typer.Argument(help="Folder of .eml / .json messages.")] = DEFAULT_INBOX,
    database: Annotated[Path, typer.Option(help="SQLite file for the ledger (recreated).")] = Path(
        ".opspack/intake.db"
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print results as JSON.")] = False,
) -> None:
    """Process an inbox against the in-memory sample systems through the real Governor."""
    try:
        policy = load_policy(policy_path())
        database.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        summary = run_intake_section(
            policy, Store(f"sqlite:///{database}"), None if as_json else Console(), inbox
        )
    except (MessageError, PolicyError, IntakeConfigError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    if as_json:
        typer.echo(json.dumps(summary, indent=2))


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
    as_json: Annotated[bool, typer.Option("--json", help="Print the full report as JSON.")] = False,
) -> None:
    """Replay intake cases: intent accuracy, out-of-scope precision/recall, autonomy and errors."""
    try:
        loaded = load_scenarios(cases)
        report = replay(loaded, policy_path=policy_path(), config=load_config())
    except (ScenarioError, MessageError, PolicyError, IntakeConfigError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    if as_json:
        typer.echo(json.dumps(report.as_json(), indent=2))
    else:
        _print(report, Console())
    if report.figures()["wrong_autonomous"]:
        raise typer.Exit(1)
