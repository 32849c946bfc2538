"""``opspack autonomy``: the autonomy ladder -- evidence per action class, promotion with a signed-off
approver, demotion, and recording a human's outcome for a shadowed action.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from governance.autonomy import (
    AUTOMATIC_ACTOR,
    demote,
    demote_regressions,
    ladder,
    promote,
    tiers_as_of,
)
from governance.ledger import Ledger
from governance.metrics import MeasurementError, read_transactions
from governance.shadow import ProposedOutcome, record_human_outcome
from governance.store import Store
from opspack.cli.errors import one_line_errors
from opspack.cli.measurement import (
    console,
    measurement_config,
    now_or,
    print_data,
)
from opspack.cli.options import (
    AsOfOption,
    JsonOption,
    MeasurementConfigOption,
    PolicyOption,
)
from opspack.console.approver_records import authenticate_cli_approver
from opspack.settings import policy_path

autonomy_app = typer.Typer(help="The autonomy ladder: evidence, promotion, demotion.", no_args_is_help=True)


def _rungs(
    policy: Path | None, config: Path | None, as_of: str | None, agent: str | None
) -> list[dict[str, Any]]:
    settings, now = measurement_config(config), now_or(as_of)
    ledger = Ledger(Store())
    views = read_transactions(ledger, settings.metrics, as_of=now)
    tiers = tiers_as_of(ledger, now) if as_of is not None else None  # the tiers as they were then
    rungs = ladder(policy or policy_path(), views, settings, now, tiers=tiers)
    return [r.as_dict() for r in rungs if agent is None or r.agent == agent]


def _print_rungs(rungs: list[dict[str, Any]]) -> None:
    if not rungs:
        console.print("no action class to show")
        return
    table = Table(
        "agent", "action class", "tier", "next", "recommendation", "volume", "agreement ≥", "errors", "why"
    )
    for r in rungs:
        e = r["evidence"]
        table.add_row(
            r["agent"],
            r["operation"],
            r["tier"],
            r["next_tier"] or "—",
            r["recommendation"],
            str(e["volume"]),
            f"{e['agreement_lower']:.3f}",
            f"{e['errors']}/{e['executed']}",
            "; ".join(r["regressions"] or r["blockers"]),
        )
    console.print(table)


@autonomy_app.command("status")
def autonomy_status(
    agent: Annotated[str | None, typer.Option("--agent")] = None,
    policy: PolicyOption = None,
    config: MeasurementConfigOption = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every action class: its tier, its evidence, and what the next tier still needs."""
    with one_line_errors(OSError, ValueError):
        rungs = _rungs(policy, config, as_of, agent)
    print_data(rungs) if as_json else _print_rungs(rungs)


@autonomy_app.command("recommend")
def autonomy_recommend(
    agent: Annotated[str | None, typer.Option("--agent")] = None,
    policy: PolicyOption = None,
    config: MeasurementConfigOption = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Only the action classes whose evidence says promote or demote."""
    with one_line_errors(OSError, ValueError):
        rungs = [r for r in _rungs(policy, config, as_of, agent) if r["recommendation"] != "hold"]
    print_data(rungs) if as_json else _print_rungs(rungs)


@autonomy_app.command("promote")
def autonomy_promote(
    agent: Annotated[str, typer.Argument()],
    operation: Annotated[str, typer.Argument(help="Action class, e.g. erp.update_po_status.")],
    signer: Annotated[
        str,
        typer.Option(
            "--by",
            help="Your approver id (listed for the agent in the policy); your secret is checked "
            "($OPSPACK_APPROVER_TOKEN or a prompt).",
        ),
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why, for the ledger.")],
    policy: PolicyOption = None,
    config: MeasurementConfigOption = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Promote one tier if the evidence clears the targets; writes a new policy version."""
    with one_line_errors(OSError, ValueError):
        store = Store()
        authenticated = authenticate_cli_approver(signer, store)
        settings, now, ledger = measurement_config(config), now_or(as_of), Ledger(store)
        views = read_transactions(ledger, settings.metrics, as_of=now)
        change = promote(
            policy or policy_path(),
            ledger,
            views,
            settings,
            agent=agent,
            operation=operation,
            signer=authenticated,
            reason=reason,
            now=now,
        )
    print_data(change.as_dict()) if as_json else console.print(
        f"[green]promoted[/] {agent} {operation}: {change.old_tier} → {change.new_tier}; policy "
        f"{change.old_policy_version[:16]} → {change.new_policy_version[:16]} (previous kept at {change.archived_previous})"
    )


@autonomy_app.command("demote")
def autonomy_demote(
    agent: Annotated[str | None, typer.Argument()] = None,
    operation: Annotated[str | None, typer.Argument()] = None,
    signer: Annotated[
        str | None,
        typer.Option(
            "--by", help="Your approver id (manual demotion; your secret is checked as for promote)."
        ),
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    auto: Annotated[
        bool, typer.Option("--auto", help="Demote every action class whose evidence regressed.")
    ] = False,
    policy: PolicyOption = None,
    config: MeasurementConfigOption = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Demote one tier: by hand (AGENT OPERATION --by --reason) or automatically on regression (--auto)."""
    with one_line_errors(OSError, ValueError):
        store = Store()
        ledger, path = Ledger(store), policy or policy_path()
        if auto:
            settings = measurement_config(config)
            changes = demote_regressions(
                path,
                ledger,
                read_transactions(ledger, settings.metrics, as_of=now_or(as_of)),
                settings,
                now_or(as_of),
            )
        elif agent and operation and signer and reason:
            authenticated = authenticate_cli_approver(signer, store)
            single = demote(
                path,
                ledger,
                agent=agent,
                operation=operation,
                actor=authenticated.approver,
                reasons=[reason],
                signer=authenticated,
            )
            changes = [single] if single else []
        else:
            raise MeasurementError("give AGENT OPERATION --by NAME --reason TEXT, or --auto")
    if as_json:
        print_data([c.as_dict() for c in changes])
        return
    for c in changes:
        console.print(
            f"[yellow]demoted[/] {c.agent} {c.operation}: {c.old_tier} → {c.new_tier} "
            f"({'automatic' if auto else signer}; actor {AUTOMATIC_ACTOR if auto else signer})"
        )
    if not changes:
        console.print("nothing to demote")


@autonomy_app.command("shadow-outcome")
def autonomy_shadow_outcome(
    transaction: Annotated[str, typer.Argument(help="The transaction whose shadow decision to compare.")],
    actor: Annotated[
        str,
        typer.Option(
            "--by",
            help="Your approver id: who produced the human outcome; your secret is checked "
            "($OPSPACK_APPROVER_TOKEN or a prompt), as for an approval.",
        ),
    ],
    operation: Annotated[
        str | None, typer.Option("--operation", help="What the human did (omit: nothing).")
    ] = None,
    target: Annotated[str, typer.Option("--target")] = "",
    amount: Annotated[str | None, typer.Option("--amount")] = None,
    label: Annotated[str, typer.Option("--label", help="e.g. resolved, posted, held.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Record the human's actual outcome for a shadowed transaction and whether the agent agreed."""
    with one_line_errors(OSError, ValueError):
        human = ProposedOutcome(operation, target, Decimal(amount) if amount is not None else None)
        store = Store()
        actor = authenticate_cli_approver(actor, store).approver  # typed in: only by a known person
        result = record_human_outcome(Ledger(store), transaction, human, actor=actor, label=label)
    if as_json:
        print_data(result.__dict__)
        return
    verdict = "[green]agreed[/]" if result.agreed else "[red]disagreed[/]: " + "; ".join(result.differences)
    console.print(f"{transaction}: agent and {actor} {verdict}")
