"""``opspack approvals`` and ``opspack corrections`` (``opspack audit`` is `opspack.cli.audit`): the human side of governance.

Every command opens the default store (``OPSPACK_DATABASE_URL`` or ``.opspack/opspack.db``) and,
where it needs the policy, ``--policy`` (default ``$OPSPACK_POLICY`` or the example policy).

``approvals approve`` re-gates and executes at once only when the command is handed a way to reach
the target system: an `opspack.wiring.ApprovalWiring` with a performers factory as its context
object (an embedding application or a test passes it to the command). Without one the approval is
recorded and the action executes when its agent next submits it (the Governor finds the granted
approval, re-gates it and uses it once) -- nothing is pretended.
"""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Column, Table

from governance import approvals
from governance.action import Action
from governance.corrections import Corrections
from governance.ledger import Ledger
from governance.policy import Policy, load_policy
from governance.runtime import Governor, Outcome
from governance.store import Store
from opspack.approval_findings import agent_findings, print_agent_findings
from opspack.cli.errors import one_line_errors
from opspack.cli.options import JsonOption, PolicyOption
from opspack.cli.output import print_json
from opspack.console.approver_records import authenticate_cli_approver
from opspack.settings import policy_path
from opspack.wiring import ApprovalWiring

approvals_app = typer.Typer(no_args_is_help=True, help="Review and decide held actions.")
corrections_app = typer.Typer(no_args_is_help=True, help="Record that a past action was wrong.")

console = Console()


def _now() -> datetime:
    return datetime.now(UTC)


def _authenticated(approver: str, store: Store) -> str:
    """The approver, once the secret they present matches the hash in the pinned approver records
    (the console users file; docs/IDENTITY.md). Nothing is read from the caller's environment but
    the secret they present."""
    return authenticate_cli_approver(approver, store).approver


def _governor(ctx: typer.Context, policy: Policy, store: Store, agent: str) -> Governor:
    wiring = ctx.find_object(ApprovalWiring) or ApprovalWiring()
    return wiring.governor(policy, store, agent)


def _print_outcome(outcome: Outcome, as_json: bool) -> None:
    if as_json:
        print_json(outcome.as_dict())
        return
    colour = {"executed": "green", "held": "yellow", "denied": "red", "failed": "red", "unknown": "red"}
    console.print(f"[{colour.get(outcome.status, 'white')}]{outcome.status}[/] {outcome.message}")
    if outcome.document_id:
        console.print(f"document id: {outcome.document_id}")


# --- approvals -------------------------------------------------------------------------------


@approvals_app.command("list")
def approvals_list(
    agent: Annotated[str | None, typer.Option("--agent", help="Only this agent's requests.")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help=f"Only this status: {', '.join(approvals.STATUSES)}.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List approval requests, newest first (expired ones shown as expired)."""
    with one_line_errors(OSError, ValueError, with_type=True):
        now = _now()
        requests = approvals.list_requests(Store(), agent=agent, status=status, now=now)
        if as_json:
            print_json([request.as_dict(now) for request in requests])
            return
        table = Table(
            Column("id", no_wrap=True),
            "agent",
            "operation",
            "target",
            "amount",
            "status",
            "expires",
            "reasons",
        )
        for request in requests:
            data = request.as_dict(now)
            amount = f"{data['amount']} {data['currency']}" if data["amount"] else "-"
            table.add_row(
                data["id"],
                data["agent"],
                data["operation"],
                data["target"],
                amount,
                data["status"],
                data["expires_at"][:16],
                ", ".join(r["code"] for r in data["reasons"]),
            )
        console.print(table if requests else "no approval requests")


@approvals_app.command("show")
def approvals_show(
    approval_id: Annotated[str, typer.Argument(help="Approval id.")], as_json: JsonOption = False
) -> None:
    """Show one request: the action, why it was held, its decision and what the agent found."""
    with one_line_errors(OSError, ValueError, with_type=True):
        store = Store()
        data = approvals.get_request(store, approval_id).as_dict(_now())
        found = agent_findings(Ledger(store).records(data["transaction_id"]))
        if as_json:
            print_json({**data, "agent_findings": found})
            return
        for key, value in data.items():
            if key == "reasons":
                value = "; ".join(f"{r['code']}: {r['message']}" for r in value)
            console.print(f"[bold]{key}[/]: {value if value is not None else '-'}")
        print_agent_findings(console, found)


@approvals_app.command("approve")
def approvals_approve(
    ctx: typer.Context,
    approval_id: Annotated[str, typer.Argument(help="Approval id.")],
    approver: Annotated[str, typer.Option("--as", help="Your approver identity, as named in the policy.")],
    reason: Annotated[str, typer.Option("--reason", help="Why you approve (recorded in the ledger).")],
    policy_file: PolicyOption = None,
    as_json: JsonOption = False,
) -> None:
    """Approve a held action: re-gated on the current state, then executed once."""
    with one_line_errors(OSError, ValueError, with_type=True):
        store = Store()
        approver = _authenticated(approver, store)
        policy = load_policy(policy_file or policy_path())
        request = approvals.get_request(store, approval_id)
        _print_outcome(
            _governor(ctx, policy, store, request.agent).approve(approval_id, approver, reason), as_json
        )


@approvals_app.command("reject")
def approvals_reject(
    approval_id: Annotated[str, typer.Argument(help="Approval id.")],
    approver: Annotated[str, typer.Option("--as", help="Your approver identity, as named in the policy.")],
    reason: Annotated[str, typer.Option("--reason", help="Why you reject (recorded in the ledger).")],
    policy_file: PolicyOption = None,
    as_json: JsonOption = False,
) -> None:
    """Reject a held action; it will never execute."""
    with one_line_errors(OSError, ValueError, with_type=True):
        store = Store()
        approver = _authenticated(approver, store)
        policy = load_policy(policy_file or policy_path())
        _print_outcome(Governor(policy, store, {}).reject(approval_id, approver, reason), as_json)


# --- corrections -----------------------------------------------------------------------------


@corrections_app.command("add")
def corrections_add(
    ctx: typer.Context,
    record_id: Annotated[
        str, typer.Option("--record", help="Ledger record id of the wrong outcome or decision.")
    ],
    reason: Annotated[str, typer.Option("--reason", help="What was wrong.")],
    root_cause: Annotated[str, typer.Option("--root-cause", help="Why it went wrong.")],
    actor: Annotated[str | None, typer.Option("--as", help="Who records it (default: your login).")] = None,
    compensate_json: Annotated[
        Path | None,
        typer.Option("--compensate-json", help="A compensating Action as JSON, sent through the gate."),
    ] = None,
    policy_file: PolicyOption = None,
    as_json: JsonOption = False,
    field: Annotated[
        str | None,
        typer.Option("--field", help="AP invoices: the misread field; its vendor's layout is learned."),
    ] = None,
    value: Annotated[str | None, typer.Option("--value", help="With --field: the right value.")] = None,
    memory: Annotated[
        Path | None,
        typer.Option(
            "--memory", help="With --field: learned layouts file (default: $OPSPACK_LAYOUT_MEMORY)."
        ),
    ] = None,
) -> None:
    """Record a correction against a past action and optionally request its compensation. With
    --field/--value on an AP invoice, the vendor's layout is learned from the invoice's file and the
    AP agent reads that vendor's next invoice through it."""
    with one_line_errors(OSError, ValueError, with_type=True):
        store = Store()
        ledger = Ledger(store)
        compensate = Action.model_validate_json(compensate_json.read_text()) if compensate_json else None
        governor = None
        if compensate is not None:
            governor = _governor(ctx, load_policy(policy_file or policy_path()), store, compensate.agent)
            governor.ledger = ledger
        corrections = Corrections(ledger, governor=governor)
        if (field is None) != (value is None):
            raise typer.BadParameter("--field and --value go together")
        if field is not None and value is not None:
            from agents.ap.extract.layout_corrections import correct_field, describe
            from agents.ap.extract.layout_memory import LayoutMemory

            learned = correct_field(
                corrections, record_id, field, value, actor=actor or getpass.getuser(),
                reason=reason, root_cause=root_cause, memory=LayoutMemory(memory), compensate=compensate,
            )  # fmt: skip
            result = learned.result
            if not as_json:
                console.print(f"learned {describe(learned.lesson)}")
        else:
            result = corrections.add_correction(
                record_id, reason, root_cause, actor or getpass.getuser(), compensate
            )
        if as_json:
            compensation = result.compensation.as_dict() if result.compensation else None
            print_json({"correction": result.correction.as_dict(), "compensation": compensation})
            return
        console.print(f"correction {result.correction.id} recorded against {record_id}")
        if result.compensation is not None:
            _print_outcome(result.compensation, False)


@corrections_app.command("list")
def corrections_list(
    agent: Annotated[str | None, typer.Option("--agent", help="Only this agent's corrections.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List recorded corrections, oldest first."""
    with one_line_errors(OSError, ValueError, with_type=True):
        found = Corrections(Ledger(Store())).list_corrections(agent=agent)
        if as_json:
            print_json([correction.as_dict() for correction in found])
            return
        table = Table(Column("id", no_wrap=True), "agent", "corrects", "reason", "root cause", "by", "when")
        for c in found:
            table.add_row(
                c.id, c.agent or "-", c.record_id, c.reason, c.root_cause, c.actor, c.created_at[:16]
            )
        console.print(table if found else "no corrections")
