"""An inbox through the governed intake agent, printed as a table: `opspack intake run` and the demo.

`run_intake_section` processes every message of an inbox folder (.eml, chat and web-form .json)
against the CRM and ERP connections of a `Wiring`, prints each outcome and the replies and credit
memos it led to, and returns the summary `intake run --json` prints.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from agents.intake.agent import IntakeResult
from agents.intake.inbox import read_inbox
from agents.intake.wiring import IntakeStack
from opspack.settings import FIXTURES_DIR
from opspack.wiring import Wiring

DEFAULT_INBOX = FIXTURES_DIR / "intake" / "inbox"
STYLE = {
    "resolved": "green",
    "held": "yellow",
    "awaiting_customer": "cyan",
    "routed": "blue",
    "escalated": "magenta",
}

CASE_BOOKKEEPING = frozenset({"crm.create_case", "crm.comment", "crm.update_case", "crm.send_reply"})


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
