"""`opspack invoice extract FILE`: read one invoice and show every field with confidence and evidence."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from agents.ap.extract.evaluation import (
    EvaluationError,
    Reader,
    evaluate,
    load_truth_csv,
    pdf_files,
    truth_from_xml,
)
from agents.ap.extract.layout_corrections import correct_field, describe, lesson_for
from agents.ap.extract.layout_memory import LayoutMemory, LayoutMemoryError, default_memory_path
from agents.ap.extract.page_reader import IMAGE_SUFFIXES, read_page_invoice
from agents.ap.ingest import read_invoice
from agents.ap.invoice import HEADER_FIELDS, LINE_FIELDS, ExtractedInvoice, Field, IngestionRejected
from opspack.cli.errors import fail
from opspack.cli.options import JsonOption

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
    as_json: JsonOption = False,
) -> None:
    """Extract the invoice fields, each with its confidence and where it was read."""
    try:
        invoice = read_invoice(file)
    except IngestionRejected as error:
        fail(str(error))
    if as_json:
        typer.echo(json.dumps(invoice.model_dump(mode="json"), indent=2, ensure_ascii=False))
        return
    _render(invoice, Console())


def memory_path() -> Path:
    """Where learned vendor layouts are kept (``OPSPACK_LAYOUT_MEMORY`` overrides)."""
    return default_memory_path()


MemoryOption = Annotated[
    Path | None, typer.Option("--memory", help="Learned vendor layouts (default: $OPSPACK_LAYOUT_MEMORY).")
]


def _reader(ocr: bool, memory: Path | None = None) -> Reader:
    lessons = LayoutMemory(memory).lessons() if memory is not None else []

    def read(path: Path) -> tuple[ExtractedInvoice, int]:
        return read_page_invoice(path, ocr=ocr, lessons=lessons)

    return read


@invoice_app.command("correct")
def correct(
    file: Annotated[Path, typer.Argument(help="The invoice PDF (or scan) whose field was wrong.")],
    field: Annotated[str, typer.Option("--field", help="Field to correct, e.g. invoice_number, total.")],
    value: Annotated[str, typer.Option("--value", help="The right value (ISO date, decimal with '.').")],
    memory: MemoryOption = None,
    record_id: Annotated[
        str | None,
        typer.Option("--record", help="Also record a governance correction against this ledger record."),
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="With --record: what was wrong.")] = None,
    actor: Annotated[str | None, typer.Option("--as", help="Who corrects (default: your login).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Correct one field and teach the vendor's layout: the next invoice from the same vendor reads
    that field where this one prints it (page, box, label) — in `opspack invoice extract` and in the
    AP agent's reader. With --record, the correction is recorded in the ledger too."""
    store = LayoutMemory(memory or memory_path())
    try:
        if record_id is None:
            lesson = lesson_for(file, field, value)
            store.remember(lesson)
        else:
            from governance.corrections import Corrections
            from governance.errors import GovernanceError
            from governance.ledger import Ledger
            from governance.store import Store

            try:
                lesson = correct_field(
                    Corrections(Ledger(Store())), record_id, field, value,
                    actor=actor or getpass.getuser(), reason=reason, memory=store, path=file,
                ).lesson  # fmt: skip
            except GovernanceError as error:
                raise LayoutMemoryError(str(error)) from error
    except (IngestionRejected, LayoutMemoryError) as error:
        fail(str(error))
    if as_json:
        typer.echo(json.dumps(lesson.__dict__, ensure_ascii=False))
        return
    typer.echo(f"learned {describe(lesson)}")


def _xml_truth(path: Path) -> dict[str, Any] | None:
    """Expected values from the PDF's own embedded XML (None when it has none)."""
    try:
        invoice = read_invoice(path)
    except IngestionRejected:
        return None
    return truth_from_xml(invoice) if invoice.source_kind != "pdf" else None


@invoice_app.command("evaluate")
def evaluate_command(
    folder: Annotated[Path, typer.Argument(help="Folder of invoice PDFs (and images, with --ocr).")],
    truth: Annotated[
        Path | None,
        typer.Option("--truth", help="CSV with a 'file' column; default: each PDF's embedded XML."),
    ] = None,
    as_json: JsonOption = False,
    ocr: Annotated[
        bool, typer.Option("--ocr/--no-ocr", help="OCR image-only pages (needs tesseract).")
    ] = True,
    memory: MemoryOption = None,
) -> None:
    """Measure the page-text extractor (embedded XML ignored): per-field accuracy, coverage at the
    auto-post threshold, a reliability table and pages per second."""
    try:
        files = pdf_files(folder, ("*.pdf", "*.PDF", *(f"*{s}" for s in IMAGE_SUFFIXES)))
        expected = load_truth_csv(truth) if truth is not None else _xml_truth
        result = evaluate(files, expected, _reader(ocr, memory))
    except (EvaluationError, LayoutMemoryError) as error:
        fail(str(error))
    summary = result.summary()
    if as_json:
        typer.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    console = Console()
    table = Table(title=f"{summary['documents']} documents, {summary['pages']} pages")
    for column in ("field", "present", "correct", "accuracy", "spurious"):
        table.add_column(column)
    for name, row in summary["accuracy"].items():
        table.add_row(name, *(str(row[key]) for key in ("present", "correct", "accuracy", "spurious")))
    console.print(table)
    reliability = Table(title="reliability (reported values by confidence)")
    for column in ("confidence", "fields", "wrong", "accuracy", "mean_confidence"):
        reliability.add_column(column)
    for row in summary["reliability"]:
        reliability.add_row(
            *(str(row[key]) for key in ("confidence", "fields", "wrong", "accuracy", "mean_confidence"))
        )
    console.print(reliability)
    console.print(
        f"coverage at {summary['auto_post_threshold']}: {summary['coverage_at_threshold']}; "
        f"wrong at or above it: {summary['wrong_at_or_above_threshold']} of "
        f"{summary['fields_at_or_above_threshold']}; {summary['pages_per_second']} pages/s"
    )
    for name, problem in summary["failures"].items():
        console.print(f"[yellow]not read:[/yellow] {name}: {problem}")
