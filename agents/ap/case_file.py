"""The case file a reviewer gets with a held invoice: facts with evidence, lines side by side, rules.

Everything a buyer or AP clerk needs to decide without opening three systems: each extracted
field with its confidence and where it was read, the vendor match, the PO and receipt lines next
to the invoice lines with their variances, and every rule that fired.
"""

from __future__ import annotations

from typing import Any

from agents.ap.invoice import HEADER_FIELDS, LINE_FIELDS, ExtractedInvoice, Field
from agents.ap.matcher import MatchDecision


def field_record(field: Field[Any]) -> dict[str, Any]:
    value = field.value
    return {
        "value": None if value is None else str(value),
        "confidence": field.confidence,
        "evidence": None if field.evidence is None else field.evidence.model_dump(mode="json"),
    }


def perception_record(invoice: ExtractedInvoice) -> dict[str, Any]:
    """Every extracted field with confidence and evidence (the ledger's perception payload)."""
    return {
        "source_file": invoice.source_file,
        "source_kind": invoice.source_kind,
        "document_type": invoice.document_type,
        "fields": {name: field_record(getattr(invoice, name)) for name in HEADER_FIELDS},
        "lines": [
            {name: field_record(getattr(line, name)) for name in LINE_FIELDS} for line in invoice.lines
        ],
        "warnings": list(invoice.warnings),
        "min_confidence": invoice.min_confidence([*HEADER_FIELDS, "lines"]),
    }


def build_case_file(invoice: ExtractedInvoice, decision: MatchDecision) -> dict[str, Any]:
    vendor = decision.vendor.vendor
    order = decision.order
    return {
        "summary": decision.rationale,
        "rule": decision.rule,
        "reasons": [reason.value for reason in decision.reasons],
        "extracted": perception_record(invoice),
        "vendor": {
            "id": vendor.id if vendor else None,
            "name": vendor.name if vendor else None,
            "matched_by": decision.vendor.method,
            "score": decision.vendor.score,
            "candidates": [list(candidate) for candidate in decision.vendor.candidates],
            "blocked": vendor.blocked if vendor else None,
        },
        "purchase_order": None
        if order is None
        else {
            "id": order.id,
            "status": order.status.value,
            "currency": order.currency,
            "vendor_id": order.vendor_id,
        },
        "lines": [match.as_dict() for match in decision.lines],
        "findings": [finding.as_dict() for finding in decision.findings],
    }
