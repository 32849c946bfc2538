"""JSON and CSV invoices dropped into an AP inbox by an ERP or a portal export.

JSON: one object with the `ExtractedInvoice` field names holding plain values — ``vendor_name``,
``vendor_tax_id``, ``invoice_number``, ``po_number``, ``currency``, ``iban``, ``invoice_date`` and
``due_date`` (ISO 8601), ``subtotal``, ``tax``, ``total`` (decimal strings or numbers),
``document_type`` (``invoice``/``credit_note``, default invoice), ``preceding_invoice`` (for a
credit note: the number of the invoice it credits, BT-25) and ``lines``: a list of objects
with ``description``, ``quantity``, ``unit``, ``unit_price``, ``amount``, ``po_line``.

CSV: one row per invoice line, comma- or semicolon-separated, with a header row naming the same
header columns plus ``line_description``, ``line_quantity``, ``line_unit``, ``line_unit_price``,
``line_amount``, ``line_po_line``; header values repeat on every row and must agree (one invoice
per file). Numbers use ``.`` as the decimal separator.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from agents.ap.extract.cross_checks import check_totals
from agents.ap.ingest.limits import loads_json_bounded
from agents.ap.invoice import (
    HEADER_FIELDS,
    LINE_FIELDS,
    Evidence,
    ExtractedInvoice,
    ExtractedLine,
    Field,
    IngestionRejected,
)

InboxKind = Literal["json", "csv"]
DATE_FIELDS = ("invoice_date", "due_date")
AMOUNT_FIELDS = ("subtotal", "tax", "total")


def _value(raw: Any, name: str, kind: InboxKind, path: str) -> Field[Any]:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Field[Any].missing()
    text = str(raw).strip()
    evidence = Evidence(text=f"{name} = {text}", source=kind)
    try:
        if name in DATE_FIELDS:
            return Field[date](value=date.fromisoformat(text), confidence=1.0, evidence=evidence)
        if name in AMOUNT_FIELDS or name in ("quantity", "unit_price", "amount"):
            return Field[Decimal](value=abs(Decimal(text)), confidence=1.0, evidence=evidence)
    except (ValueError, InvalidOperation) as error:
        raise IngestionRejected(
            "corrupt", path, f"{kind.upper()} field {name!r} has an unreadable value {text!r}"
        ) from error
    return Field[str](value=text, confidence=1.0, evidence=evidence)


def _build(
    header: Mapping[str, Any], lines: Sequence[Mapping[str, Any]], kind: InboxKind, path: str
) -> ExtractedInvoice:
    fields = {name: _value(header.get(name), name, kind, path) for name in HEADER_FIELDS}
    extracted = tuple(
        ExtractedLine(**{name: _value(line.get(name), name, kind, path) for name in LINE_FIELDS})
        for line in lines
    )
    subtotal, tax, total, warnings = check_totals(
        extracted, fields["subtotal"], fields["tax"], fields["total"]
    )
    document_type = str(header.get("document_type") or "invoice")
    if document_type not in ("invoice", "credit_note"):
        raise IngestionRejected(
            "corrupt", path, f"document_type must be invoice or credit_note, got {document_type!r}"
        )
    fields.update(subtotal=subtotal, tax=tax, total=total)
    preceding = _value(header.get("preceding_invoice"), "preceding_invoice", kind, path)
    return ExtractedInvoice(
        source_file=path,
        source_kind=kind,
        document_type=document_type,
        lines=extracted,
        warnings=tuple(warnings),
        preceding_invoice=preceding,
        **fields,
    )


def read_json(data: bytes, path: str, *, max_depth: int = 64) -> ExtractedInvoice:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise IngestionRejected("corrupt", path, f"JSON is not readable: {error}") from error
    try:
        document = loads_json_bounded(text, max_depth)
    except json.JSONDecodeError as error:
        raise IngestionRejected("corrupt", path, f"JSON is not readable: {error}") from error
    except ValueError as error:  # nesting over the cap
        raise IngestionRejected("oversized", path, str(error)) from error
    if not isinstance(document, dict) or "invoice_number" not in document:
        raise IngestionRejected(
            "unsupported_format", path, "JSON is not an invoice object (no 'invoice_number')"
        )
    lines = document.get("lines") or []
    if not isinstance(lines, list) or not all(isinstance(line, dict) for line in lines):
        raise IngestionRejected("corrupt", path, "JSON 'lines' must be a list of objects")
    return _build(document, lines, "json", path)


def read_csv(data: bytes, path: str) -> ExtractedInvoice:
    text = data.decode("utf-8-sig")
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t")
    except csv.Error as error:
        raise IngestionRejected(
            "unsupported_format", path, "CSV header row has no recognisable delimiter"
        ) from error
    rows = list(csv.DictReader(io.StringIO(text), dialect=dialect))
    if not rows or "invoice_number" not in rows[0]:
        raise IngestionRejected("unsupported_format", path, "CSV has no 'invoice_number' column")
    numbers = {row["invoice_number"] for row in rows}
    if len(numbers) != 1:
        raise IngestionRejected(
            "unsupported_format", path, f"CSV holds {len(numbers)} invoices; one per file expected"
        )
    lines = [
        {name: row.get(f"line_{name}") for name in LINE_FIELDS}
        for row in rows
        if any(row.get(f"line_{name}") for name in LINE_FIELDS)
    ]
    return _build(rows[0], lines, "csv", path)
