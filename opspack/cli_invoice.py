"""`opspack invoice extract FILE`: read one invoice and show every field with confidence and evidence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from agents.ap.ingest import read_invoice
from agents.ap.invoice import HEADER_FIELDS, LINE_FIELDS, ExtractedInvoice, Field, IngestionRejected

invoice_app = typer.Typer(
    help="Read supplier invoices (PDF, Factur-X, UBL, CII, JSON, CSV).", no_args_is_help=True
)


@invoice_app.callback()
def invoice_group() -> None:
    """Supplier invoice commands (a group, so `extract` stays a subcommand when mounted)."""


def _evidence(field: Field[Any]) -> str:
    if field.evidence is None:
        return ""
    where = f"p{field.evidence.page} " if field.evidence.page else ""
    if field.evidence.bbox:
        where += "({:.0f},{:.0f},{:.0f},{:.0f}) ".format(*field.evidence.bbox)
    return f"{where}{field.evidence.text!r}"


def _render(invoice: ExtractedInvoice, console: Console) -> None:
    header = Table(title=f"{invoice.source_file} — {invoice.source_kind}, {invoice.document_type}")
    for column in ("field", "value", "confidence", "evidence"):
        header.add_column(column)
    for name in HEADER_FIELDS:
        field = getattr(invoice, name)
        value = "—" if field.value is None else str(field.value)
        header.add_row(name, value, f"{field.confidence:.2f}", _evidence(field))
    console.print(header)
    if invoice.lines:
        lines = Table(title=f"{len(invoice.lines)} lines")
        for name in LINE_FIELDS:
            lines.add_column(name)
        lines.add_column("min conf.")
        for line in invoice.lines:
            cells = [getattr(line, name) for name in LINE_FIELDS]
            lines.add_row(
                *("" if cell.value is None else str(cell.value) for cell in cells),
                f"{min(c.confidence for c in cells if c.value is not None):.2f}",
            )
        console.print(lines)
    for warning in invoice.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")


@invoice_app.command("extract")
def extract(
    file: Annotated[Path, typer.Argument(help="Invoice file: PDF, Factur-X PDF, UBL/CII XML, JSON or CSV.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the full extraction as JSON.")] = False,
) -> None:
    """Extract the invoice fields, each with its confidence and where it was read."""
    try:
        invoice = read_invoice(file)
    except IngestionRejected as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    if as_json:
        typer.echo(json.dumps(invoice.model_dump(mode="json"), indent=2, ensure_ascii=False))
        return
    _render(invoice, Console())
