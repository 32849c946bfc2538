"""What the agent found, shown beside an approval request.

The gate's reason says why an action waits (above a cap, a currency it cannot judge); the
approver also needs what the agent found on the way -- a quantity variance, lines side by side
with the order -- or an approval can wave through a problem nobody showed. Read from the
request's transaction: the latest ledger record carrying a ``case_file`` (any agent's).
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from governance.ledger import LedgerRecord


def agent_findings(records: list[LedgerRecord]) -> dict[str, Any] | None:
    """Summary, reasons, findings and line comparison of the transaction's latest case file."""
    for record in reversed(records):
        case = record.payload.get("case_file")
        if isinstance(case, dict):
            return {
                "record": record.kind,
                "summary": case.get("summary"),
                "reasons": case.get("reasons", []),
                "findings": case.get("findings", []),
                "lines": case.get("lines", []),
            }
    return None


def print_agent_findings(console: Console, found: dict[str, Any] | None) -> None:
    if found is None:
        console.print("[bold]agent findings[/]: none recorded for this transaction")
        return
    console.print(f"[bold]agent findings[/] ({found['record']} record): {escape(str(found['summary']))}")
    for finding in found["findings"]:
        console.print(escape(f"  - {finding.get('code')} ({finding.get('rule')}): {finding.get('message')}"))
    if not found["lines"]:
        return
    table = Table(
        "invoice line", "qty", "price", "PO line", "PO qty", "PO price", "received", "invoiced before"
    )
    for line in found["lines"]:
        invoice, po = line.get("invoice") or {}, line.get("po_line") or {}
        table.add_row(
            *(
                escape(cell)
                for cell in (
                    str(invoice.get("description", ""))[:40],
                    f"{invoice.get('quantity')} {invoice.get('unit') or ''}",
                    str(invoice.get("unit_price")),
                    f"{po.get('line', '-')} {str(po.get('description', ''))[:30]}",
                    f"{po.get('quantity', '-')} {po.get('unit', '')}",
                    str(po.get("unit_price", "-")),
                    str(line.get("received", "-")),
                    str(line.get("previously_invoiced", "-")),
                )
            )
        )
    console.print(table)
