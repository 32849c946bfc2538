"""A clerk's field correction, recorded in the ledger and learned as the vendor's layout.

`correct_field` is what ``opspack corrections add --field F --value V``, ``opspack invoice correct
--record`` and the console call: it finds the invoice file of the corrected transaction (its intake
record), finds where the right value is printed (`layout_memory.learn`), records the governance
correction — the root cause names the lesson: field, label, relation, page and box — and stores the
lesson with the correction's id. `read_invoice` then reads that vendor's next invoice through it,
and the warnings in its perception record name the correction.

The lesson is learned *before* anything is recorded, so a value that is not on the page is refused
and nothing half-done stays behind.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from agents.ap.extract.layout_memory import LayoutLesson, LayoutMemory, LayoutMemoryError, learn
from agents.ap.extract.page_reader import IMAGE_SUFFIXES, read_pages
from agents.ap.extract.pdf_invoice import extract_invoice
from agents.ap.invoice import IngestionRejected
from governance.action import Action
from governance.corrections import CorrectionResult, Corrections


@dataclass(frozen=True)
class LayoutCorrection:
    result: CorrectionResult
    lesson: LayoutLesson


def source_file(corrections: Corrections, record_id: str) -> Path:
    """The invoice file of the transaction `record_id` belongs to (from its intake record)."""
    original = corrections.ledger.get(record_id)
    for record in corrections.ledger.records(original.transaction_id):
        if record.kind == "intake" and record.payload.get("source"):
            path = Path(str(record.payload["source"]))
            if not path.is_file():
                raise LayoutMemoryError(
                    f"the invoice file {path} of transaction {original.transaction_id} is gone"
                )
            return path
    raise LayoutMemoryError(
        f"transaction {original.transaction_id} has no intake record naming an invoice file"
    )


def lesson_for(path: Path, field: str, value: str) -> LayoutLesson:
    """Where `value` of `field` is printed on the invoice `path` (page text, OCR for scans)."""
    with path.open("rb") as handle:
        is_pdf = b"%PDF-" in handle.read(1024)
    if not is_pdf and path.suffix.lower() not in IMAGE_SUFFIXES:
        raise LayoutMemoryError(
            f"{path.name} is not a PDF or a scan: a layout is learned from a printed page only "
            "(structured invoices are read field by field; correct them at their source)"
        )
    try:
        pages, _ = read_pages(path)
    except IngestionRejected as error:
        raise LayoutMemoryError(f"{path}: {error}") from error
    return replace(learn(extract_invoice(pages, str(path)), pages, field, value), learned_from=str(path))


def describe(lesson: LayoutLesson) -> str:
    where = f"page {lesson.page} box ({', '.join(f'{v:.0f}' for v in lesson.bbox)})"
    label = f"{lesson.relation} of label {lesson.label!r}" if lesson.label else "by position"
    return f"vendor {lesson.vendor}: {lesson.field} {lesson.example!r} printed {label} at {where}"


def correct_field(
    corrections: Corrections,
    record_id: str,
    field: str,
    value: str,
    *,
    actor: str,
    reason: str | None = None,
    root_cause: str | None = None,
    memory: LayoutMemory | None = None,
    compensate: Action | None = None,
    path: Path | None = None,
) -> LayoutCorrection:
    """Record a correction of `field` (right value `value`) against `record_id` and learn the
    vendor's layout from the invoice file (`path`, default: the transaction's intake source)."""
    lesson = lesson_for(path or source_file(corrections, record_id), field, value)
    result = corrections.add_correction(
        record_id,
        reason or f"{field} misread; right value {value}",
        f"{root_cause or 'layout not recognised'}; lesson learned — {describe(lesson)}",
        actor,
        compensate,
    )
    lesson = replace(lesson, correction_id=result.correction.id)
    (memory or LayoutMemory()).remember(lesson)
    return LayoutCorrection(result, lesson)
