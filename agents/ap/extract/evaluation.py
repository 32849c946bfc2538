"""Measuring the page-text extractor on a folder of invoices: per-field accuracy, coverage at the
auto-post threshold, a reliability table (is a 0.9 really right 9 times in 10?) and pages per second.

Truth comes from a CSV (one row per file, the columns of ``truth.csv`` in the real development set)
or, where no CSV is given, from each PDF's embedded Factur-X/ZUGFeRD XML. Either way the *pages* are
read with the XML attachment ignored: this measures the extractor, not the XML reader.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from agents.ap.invoice import ExtractedInvoice
from agents.errors import AgentError

SCORED_FIELDS = (
    "invoice_number",
    "invoice_date",
    "due_date",
    "currency",
    "subtotal",
    "tax",
    "total",
    "amount_due",
    "vendor_name",
    "vendor_tax_id",
    "iban",
    "po_number",
    "document_type",
)
"""Fields compared with the truth (``document_type`` with `ExtractedInvoice.document_type_confidence`)."""
AMOUNT_FIELDS = frozenset({"subtotal", "tax", "total", "amount_due"})
AUTO_POST_THRESHOLD = 0.9
"""The AP matcher's default confidence threshold: fields at or above it may post without a person."""
BINS = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 0.95), (0.95, 1.01))


class EvaluationError(AgentError):
    """The folder or the truth file cannot be evaluated (missing, malformed)."""


@dataclass(frozen=True)
class Scored:
    """One field of one document: what was read, how sure, and whether it is right."""

    file: str
    field: str
    expected: Any
    value: Any
    confidence: float
    correct: bool


@dataclass
class Evaluation:
    scored: list[Scored] = field(default_factory=list)
    pages: int = 0
    seconds: float = 0.0
    failures: dict[str, str] = field(default_factory=dict)

    def accuracy(self) -> dict[str, dict[str, float | int]]:
        """Per field, over documents whose truth states the field: right / present."""
        table: dict[str, dict[str, float | int]] = {}
        for name in SCORED_FIELDS:
            present = [s for s in self.scored if s.field == name and s.expected is not None]
            spurious = [
                s for s in self.scored if s.field == name and s.expected is None and s.value is not None
            ]
            right = sum(s.correct for s in present)
            table[name] = {
                "present": len(present),
                "correct": right,
                "accuracy": round(right / len(present), 4) if present else 1.0,
                "spurious": len(spurious),
            }
        return table

    def reliability(self) -> list[dict[str, float | int | str]]:
        """Reported values binned by confidence: how many, how many wrong, observed accuracy."""
        reported = [s for s in self.scored if s.value is not None]
        rows: list[dict[str, float | int | str]] = []
        for low, high in BINS:
            inside = [s for s in reported if low <= s.confidence < high]
            wrong = sum(not s.correct for s in inside)
            rows.append(
                {
                    "confidence": f"[{low:.2f}, {min(high, 1.0):.2f}{']' if high > 1 else ')'}",
                    "fields": len(inside),
                    "wrong": wrong,
                    "accuracy": round(1 - wrong / len(inside), 4) if inside else 1.0,
                    "mean_confidence": round(sum(s.confidence for s in inside) / len(inside), 4)
                    if inside
                    else 0.0,
                }
            )
        return rows

    def confident_wrong(self, threshold: float = AUTO_POST_THRESHOLD) -> list[Scored]:
        return [s for s in self.scored if s.value is not None and s.confidence >= threshold and not s.correct]

    def summary(self, threshold: float = AUTO_POST_THRESHOLD) -> dict[str, Any]:
        scored = self.scored
        reported_high = [s for s in scored if s.value is not None and s.confidence >= threshold]
        wrong_high = [s for s in reported_high if not s.correct]
        present = [s for s in scored if s.expected is not None]
        return {
            "documents": len({s.file for s in self.scored}),
            "pages": self.pages,
            "pages_per_second": round(self.pages / self.seconds, 2) if self.seconds else None,
            "accuracy": self.accuracy(),
            "auto_post_threshold": threshold,
            "coverage_at_threshold": round(
                sum(s.confidence >= threshold and s.correct for s in present) / len(present), 4
            )
            if present
            else 0.0,
            "fields_at_or_above_threshold": len(reported_high),
            "wrong_at_or_above_threshold": len(wrong_high),
            "wrong_share_at_or_above_threshold": round(len(wrong_high) / len(reported_high), 4)
            if reported_high
            else 0.0,
            "reliability": self.reliability(),
            "confident_wrong": [
                {
                    "file": s.file,
                    "field": s.field,
                    "expected": _show(s.expected),
                    "value": _show(s.value),
                    "confidence": s.confidence,
                }
                for s in wrong_high
            ],
            "failures": self.failures,
        }


def _show(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else str(value) if value is not None else None


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def load_truth_csv(path: Path) -> dict[str, dict[str, Any]]:
    """File name → expected values, typed like the extractor's output; blank cells mean "not stated"."""
    if not path.is_file():
        raise EvaluationError(f"{path}: truth CSV not found")
    truth: dict[str, dict[str, Any]] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or "file" not in reader.fieldnames:
            raise EvaluationError(f"{path}: truth CSV needs a 'file' column")
        for number, row in enumerate(reader, start=2):
            try:
                truth[row["file"]] = _typed(row)
            except (ValueError, InvalidOperation) as error:
                raise EvaluationError(f"{path}:{number}: {error}") from error
    return truth


def _typed(row: Mapping[str, str | None]) -> dict[str, Any]:
    typed: dict[str, Any] = {}
    for name in SCORED_FIELDS:
        raw = row.get(name)
        if _blank(raw):
            typed[name] = None
        elif name in AMOUNT_FIELDS:
            typed[name] = Decimal(str(raw).strip())
        elif name in ("invoice_date", "due_date"):
            typed[name] = date.fromisoformat(str(raw).strip())
        else:
            typed[name] = str(raw).strip()
    typed["document_type"] = typed.get("document_type") or "invoice"
    return typed


def truth_from_xml(invoice: ExtractedInvoice) -> dict[str, Any]:
    """Expected values from an embedded-XML reading (credit-note amounts are compared by magnitude)."""
    typed: dict[str, Any] = {name: None for name in SCORED_FIELDS}
    for name in SCORED_FIELDS:
        if name == "document_type":
            typed[name] = invoice.document_type
        else:
            typed[name] = getattr(invoice, name).value
    return typed


def _normal(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in AMOUNT_FIELDS:
        return abs(Decimal(value))
    if name in ("vendor_tax_id", "iban", "invoice_number", "po_number", "currency"):
        return "".join(str(value).split()).upper()
    if name == "vendor_name":
        return " ".join(str(value).split()).casefold()
    return value


def score(file: str, invoice: ExtractedInvoice, truth: Mapping[str, Any]) -> list[Scored]:
    """Compare each scored field; amounts by magnitude (credit notes are stored positive)."""
    results: list[Scored] = []
    for name in SCORED_FIELDS:
        if name == "document_type":
            value: Any = invoice.document_type
            confidence = invoice.document_type_confidence
        else:
            extracted = getattr(invoice, name)
            value, confidence = extracted.value, extracted.confidence
        expected = truth.get(name)
        correct = _normal(name, expected) == _normal(name, value)
        results.append(Scored(file, name, expected, value, confidence, correct))
    return results


Reader = Callable[[Path], tuple[ExtractedInvoice, int]]
"""Path → (page-text extraction, pages read)."""


def evaluate(
    files: Sequence[Path],
    truth: Mapping[str, Mapping[str, Any]] | Callable[[Path], Mapping[str, Any] | None],
    reader: Reader,
) -> Evaluation:
    """Run `reader` on every file that has truth and score it."""
    result = Evaluation()
    for path in files:
        expected = truth(path) if callable(truth) else truth.get(path.name)
        if expected is None:
            continue
        started = time.perf_counter()
        try:
            invoice, pages = reader(path)
        except Exception as error:
            result.failures[path.name] = f"{type(error).__name__}: {error}"
            continue
        result.seconds += time.perf_counter() - started
        result.pages += pages
        result.scored.extend(score(path.name, invoice, expected))
    return result


def pdf_files(folder: Path, patterns: Iterable[str] = ("*.pdf", "*.PDF")) -> list[Path]:
    if not folder.is_dir():
        raise EvaluationError(f"{folder}: not a folder")
    return sorted({p for pattern in patterns for p in folder.glob(pattern)})
