"""Per-field accuracy of extractions against ground truth (the ``*.truth.json`` files the fixture
generator writes): what the tests assert and the benchmark prints."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from agents.ap.invoice import HEADER_FIELDS, ExtractedInvoice

SCORED_LINE_FIELDS = ("description", "quantity", "unit", "unit_price", "amount", "po_line")


def _same(expected: Any, actual: Any) -> bool:
    if expected is None:
        return actual is None
    if isinstance(actual, Decimal):
        return actual == Decimal(str(expected))
    if isinstance(actual, date):
        return actual.isoformat() == expected
    return bool(actual == expected)


def field_results(
    invoice: ExtractedInvoice, truth: Mapping[str, Any], unit_codes: Mapping[str, str] | None = None
) -> dict[str, bool]:
    """Field name → extracted correctly; ``lines`` is right only if every line and cell is.

    `unit_codes` maps a printed unit in the truth to the code an e-invoice carries (EA → C62).
    """
    results = {name: _same(truth.get(name), getattr(invoice, name).value) for name in HEADER_FIELDS}
    results["document_type"] = invoice.document_type == truth["document_type"]
    expected_lines = truth.get("lines", [])
    lines_ok = len(expected_lines) == len(invoice.lines)
    if lines_ok:
        for line, expected in zip(invoice.lines, expected_lines, strict=True):
            wanted = dict(expected)
            if unit_codes is not None and wanted.get("unit") is not None:
                wanted["unit"] = unit_codes.get(wanted["unit"], wanted["unit"])
            lines_ok = lines_ok and all(
                _same(wanted[name], getattr(line, name).value) for name in SCORED_LINE_FIELDS
            )
    results["lines"] = lines_ok
    return results


def accuracy(results: Iterable[Mapping[str, bool]]) -> dict[str, float]:
    """Share of documents with each field right."""
    totals: dict[str, list[int]] = {}
    for result in results:
        for name, ok in result.items():
            totals.setdefault(name, [0, 0])
            totals[name][0] += int(ok)
            totals[name][1] += 1
    return {name: right / count for name, (right, count) in totals.items()}
