"""A folder of invoices through the AP agent, summarised and tabled: `opspack ap run` and the demo."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from rich.table import Table

from agents.ap.result import APResult

INVOICE_SUFFIXES = {".pdf", ".xml", ".json", ".csv"}


def invoice_paths(folder: Path) -> list[Path]:
    """The invoice files directly in `folder` (PDF, XML, JSON, CSV), sorted by name."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in INVOICE_SUFFIXES)


def summarise(results: list[APResult]) -> dict[str, Any]:
    held = Counter(reason for r in results if r.status == "held" for reason in r.reasons[:1])
    return {
        "invoices": len(results),
        "posted": sum(r.status == "posted" for r in results),
        "held": sum(r.status == "held" for r in results),
        "held_by_reason": dict(sorted(held.items())),
        "awaiting_approval": sum(r.status == "awaiting_approval" for r in results),
        "shadowed": sum(r.status == "shadowed" for r in results),
        "failed": sum(r.status == "failed" for r in results),
        "resumed": sum(r.resumed for r in results),
    }


def results_table(results: list[APResult]) -> Table:
    table = Table(title="AP agent run", title_justify="left")
    for column in ("file", "status", "reasons", "rule", "document", "queue / approval"):
        table.add_column(column, overflow="fold")
    style = {"posted": "green", "held": "yellow", "awaiting_approval": "cyan", "failed": "red"}
    for result in results:
        queue = (result.route or {}).get("queue", "") if result.status != "posted" else ""
        table.add_row(
            Path(result.source).name,
            f"[{style.get(result.status, 'white')}]{result.status}[/]",
            ", ".join(result.reasons or result.gate_reasons),
            result.rule,
            result.document_id or "",
            result.approval_id or queue,
        )
    return table
