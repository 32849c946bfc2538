"""The `opspack` command line: one root app, command groups mounted from their own modules.

Every error ends in one clear line on stderr and a non-zero exit; `--debug` (or
``OPSPACK_DEBUG=1``) shows the traceback instead. Messages pass through the secret redactor on the
way out, so a secret that slipped into an exception never reaches the terminal.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from governance.policy import Policy, load_policy
from governance.redaction import install_log_redaction
from opspack.cli.agent import agent_app
from opspack.cli.ap import ap_app
from opspack.cli.audit import audit_app
from opspack.cli.autonomy import autonomy_app
from opspack.cli.classify import classify_app
from opspack.cli.connections import connections_app
from opspack.cli.console import console_app  # light: FastAPI loads only when serving
from opspack.cli.credentials import credentials_app, secrets_app
from opspack.cli.erp import erp_app
from opspack.cli.errors import EXIT_FAILED, EXPECTED_ERRORS, debugging, describe, error_line
from opspack.cli.governance import approvals_app, corrections_app
from opspack.cli.handoff import replay_handoff
from opspack.cli.init import init as init_command
from opspack.cli.intake import intake_app, replay_intake
from opspack.cli.invoice import invoice_app
from opspack.cli.metrics import metrics_app
from opspack.cli.mocks import mocks_app
from opspack.cli.models import models_app
from opspack.cli.options import DebugOption, JsonOption
from opspack.cli.outcomes import outcomes_app
from opspack.cli.po import po_app
from opspack.cli.replay import replay_app
from opspack.cli.reports import readiness, report, roi
from opspack.cli.run import run as run_command
from opspack.cli.service_desk import mount_service_desk
from opspack.cli.spend import replay_spend, spend_app
from opspack.cli.suppliers import suppliers_app
from opspack.cli.worker import queues as queues_command
from opspack.cli.worker import scheduler as scheduler_command
from opspack.cli.worker import worker as worker_command
from opspack.settings import DEFAULT_POLICY_PATH, policy_path

app = typer.Typer(
    name="opspack",
    help="Governed AI agents for enterprise operations.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, PowerShell)
)
policy_app = typer.Typer(help="Validate and summarise the policy.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")
app.add_typer(approvals_app, name="approvals", help="Review and decide held actions.")
app.add_typer(audit_app, name="audit", help="Verify, show and export the ledger.")
app.add_typer(corrections_app, name="corrections", help="Record that a past action was wrong.")
app.add_typer(credentials_app, name="credentials", help="Agent credentials: age, cadence, rotation.")
app.add_typer(secrets_app, name="secrets", help="Store agent secrets (values read from stdin, never argv).")
app.add_typer(mocks_app, name="mocks", help="Serve the vendor mocks over HTTP.")
app.add_typer(models_app, name="models", help="Retrain, shadow and promote classifiers from corrections.")
app.add_typer(connections_app, name="connections", help="Check the configured connections.")
app.add_typer(console_app, name="console", help="The operations web console (and its users).")
app.add_typer(invoice_app, name="invoice", help="Read invoices: PDF, UBL, CII, Factur-X, ERP inbox files.")
app.add_typer(
    metrics_app, name="metrics", help="Metrics derived from the ledger; Prometheus endpoint; alerts."
)
app.add_typer(
    autonomy_app, name="autonomy", help="Earned autonomy: evidence, promotion with sign-off, demotion."
)
app.add_typer(outcomes_app, name="outcomes", help="Human outcomes read from the systems of record.")
app.command()(readiness)
app.command("run")(run_command)
app.command("worker")(worker_command)
app.command("scheduler")(scheduler_command)
metrics_app.command("queues")(queues_command)
app.command("init")(init_command)
app.command()(roi)
app.command()(report)
app.add_typer(
    spend_app, name="spend", help="Classify spend lines into a taxonomy; write back confident ones."
)
app.add_typer(suppliers_app, name="suppliers", help="Validate the supplier master: ids, IBANs, duplicates.")
app.add_typer(po_app, name="po", help="Follow up overdue purchase orders.")
app.add_typer(classify_app, name="classify", help="Train and evaluate text classifiers.")
app.add_typer(ap_app, name="ap", help="Accounts payable: three-way match agent.")
app.add_typer(agent_app, name="agent", help="Free-form governed agents: LangChain tool calling under policy.")
app.add_typer(erp_app, name="erp", help="Seed ERP state from a buyer's own trade documents.")
replay_app.command("spend")(replay_spend)
replay_app.command("intake")(replay_intake)
replay_app.command("handoff")(replay_handoff)
mount_service_desk(app, replay_app)
app.add_typer(intake_app, name="intake", help="Customer intake agent: e-mail, chat and web-form messages.")
app.add_typer(
    replay_app, name="replay", help="Replay labelled scenarios in shadow mode and measure agreement."
)

console = Console()


@app.callback()
def _root(
    debug: DebugOption = False,
) -> None:
    if debug:
        os.environ["OPSPACK_DEBUG"] = "1"  # command groups re-raise instead of printing one line
    install_log_redaction()


@app.command()
def demo(
    workdir: Annotated[Path, typer.Option(help="Where the demo keeps its database and outputs.")] = Path(
        ".opspack/demo"
    ),
    as_json: JsonOption = False,
) -> None:
    """Run the governed demo end to end on embedded defaults (SQLite, in-memory systems and in-process mocks, offline models)."""
    from opspack.demo.walkthrough import run_demo

    wide = Console(width=max(console.width, 150))
    summary = run_demo(workdir, console=None if as_json else wide)
    if as_json:
        typer.echo(json.dumps(summary, indent=2, default=str))


def _policy_summary(policy: Policy) -> dict[str, Any]:
    agents = {}
    for name, agent in policy.agents.items():
        agents[name] = {
            "identity": agent.identity.id,
            "owner": agent.identity.owner,
            "kill_switch": agent.kill_switch,
            "systems": {system: list(ops) for system, ops in agent.systems.items()},
            "tiers": {op: agent.autonomy.tier_for(op).value for op in sorted(agent.operations)},
            "thresholds": {
                op: {"max_amount": str(t.max_amount), "currency": t.currency}
                for op, t in agent.thresholds.items()
            },
            "aggregates": [a.name for a in agent.aggregates],
            "escalation_default": agent.escalation.default.queue,
        }
    return {
        "version": policy.version,
        "version_label": policy.version_label,
        "global_kill_switch": policy.settings.kill_switch,
        "systems": {name: decl.kind for name, decl in policy.systems.items()},
        "agents": agents,
        "approvers": {name: list(a.may_approve) for name, a in policy.approvers.items()},
        "sod_rules": [rule.name for rule in policy.segregation_of_duties],
    }


@policy_app.command("check")
def policy_check(
    file: Annotated[Path | None, typer.Argument(help=f"Policy YAML (default {DEFAULT_POLICY_PATH}).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Validate a policy file and summarise what it allows."""
    policy = load_policy(file or policy_path())
    summary = _policy_summary(policy)
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    console.print(f"[green]policy OK[/] version [bold]{policy.version[:16]}[/] {policy.version_label}")
    table = Table("agent", "identity", "systems", "operations (tier)", "thresholds", "aggregates")
    for name, agent in summary["agents"].items():
        table.add_row(
            name + (" [red](kill switch)[/]" if agent["kill_switch"] else ""),
            agent["identity"],
            ", ".join(agent["systems"]),
            "\n".join(f"{op} ({tier})" for op, tier in agent["tiers"].items()),
            "\n".join(f"{op} ≤ {t['max_amount']} {t['currency']}" for op, t in agent["thresholds"].items()),
            "\n".join(agent["aggregates"]),
        )
    console.print(table)
    console.print(
        "approvers: "
        + "; ".join(f"{name} → {', '.join(agents)}" for name, agents in summary["approvers"].items())
    )


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app, turn expected errors into one line and exit 1."""
    args = sys.argv[1:] if argv is None else argv
    try:
        app(args=args, prog_name="opspack")  # standalone: usage errors, Exit and Abort exit by themselves
    except EXPECTED_ERRORS as exc:
        if "--debug" in args or debugging():
            raise
        typer.echo(error_line(describe(exc)), err=True)
        sys.exit(EXIT_FAILED)
