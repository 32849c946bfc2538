"""`opspack intake run INBOX` and `opspack replay intake CASES`: the customer intake agent's commands.

`run` processes an inbox folder (.eml, chat and web-form .json) through the real Governor against
the CRM connection ``--crm NAME`` and the ERP connection ``--erp NAME`` of the connections file
(built by `opspack.wiring`; ``*.mock`` hosts are the vendor mocks in-process) and prints each
outcome; the ledger is kept between runs. `run_intake_section` is the same for `make demo`.
`replay` scores the agent on scenario cases (docs/SCENARIOS.md), each against a fresh in-process
mock of the chosen ERP connection, and exits 1 when it resolved on its own anything it should
have handed over.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from agents.intake.agent import IntakeResult
from agents.intake.config import IntakeConfigError, load_config
from agents.intake.inbox import SUFFIXES, read_inbox
from agents.intake.messages import MessageError
from agents.intake.replay import ReplayReport, replay
from agents.intake.scenarios import ScenarioError, load_scenarios
from agents.intake.wiring import IntakeStack
from connectors.erp.protocol import ERPConnector
from governance.errors import PolicyError
from opspack.cli_options import (
    EXIT_FAILED,
    ConnectionsOption,
    DatabaseOption,
    JsonOption,
    PolicyOption,
    Tracked,
    database_url,
    exit_if_failed,
    fail,
    one_line_errors,
    progress,
)
from opspack.settings import FIXTURES_DIR, policy_path
from opspack.wiring import Wiring, mock_erp

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


ERP_OPTION = typer.Option("--erp", envvar="OPSPACK_INTAKE_ERP", help="ERP connection name.")
CRM_OPTION = typer.Option("--crm", envvar="OPSPACK_INTAKE_CRM", help="CRM connection name.")


def erp_factory(erp: str) -> Callable[[], ERPConnector]:
    """A fresh adapter on a fresh in-process mock of ERP connection `erp` per call (one per replayed case)."""
    return lambda: mock_erp(erp, agent="customer_intake")


def run_intake_section(
    wiring: Wiring,
    console: Console | None,
    inbox: Path = DEFAULT_INBOX,
    *,
    crm: str,
    erp: str,
    advance: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Process every message in `inbox` through the governed intake agent; print a table.
    `advance` is called after each message (a progress bar)."""
    started = datetime.now(UTC).date()
    stack = wiring.intake(crm=crm, erp=erp)
    rows: list[tuple[str, IntakeResult]] = []
    for path, message in read_inbox(inbox):
        rows.append((path.name, stack.agent.handle(message)))
        if advance is not None:
            advance()
    credits = _credits_booked(stack, [r for _, r in rows], started)
    if console is not None:
        console.rule(
            f"[bold]Customer intake[/] — inbox against CRM connection {crm} and ERP connection {erp}"
        )
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
        attached = sum(len(m.attachments) for m in stack.outbox.messages)
        console.print(
            f"outbox: {len(stack.outbox.messages)} replies queued ({attached} with a file) · "
            f"credit memos booked in {erp}: {len(credits)}"
        )
    return {
        "crm": crm,
        "erp": erp,
        "messages": [{"file": name, **result.as_json()} for name, result in rows],
        "replies_queued": len(stack.outbox.messages),
        "credit_memos": credits,
    }


def _credits_booked(stack: IntakeStack, results: list[IntakeResult], since: date) -> list[dict[str, Any]]:
    """The credit memos this run booked, read back from the ERP (a credit is dated the day it is booked)."""
    customers = {
        stack.crm.get_account(r.account_id).account_number
        for r in results
        if r.account_id and ("erp.create_credit_memo", "executed") in r.actions
    }
    memos = [m for c in sorted(filter(None, customers)) for m in stack.erp.list_credit_memos(c, since=since)]
    return [m.model_dump(mode="json") for m in memos]


def _actions(result: IntakeResult) -> str:
    """The resolution's own writes in full; case bookkeeping (open, comment, update, reply) as a count."""
    own = [f"{op}:{status}" for op, status in result.actions if op not in CASE_BOOKKEEPING]
    rest = len(result.actions) - len(own)
    return ", ".join([*own, f"{rest} case ops"] if rest else own)


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
