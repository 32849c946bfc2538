"""UBL, CII, Factur-X, JSON and CSV ingestion, dispatched by content rather than by extension."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agents.ap.extract.accuracy import field_results
from agents.ap.ingest import read_invoice
from agents.ap.invoice import HEADER_FIELDS

TruthOf = Callable[[Path], dict[str, Any]]
UNIT_CODES = {"EA": "C62", "H": "HUR", "PAK": "PK", "BOX": "BX", "SET": "SET", "BAG": "BG", "MON": "MON"}
"""Printed unit → UN/ECE Rec 20 code, as the generator writes it into UBL/CII."""


def _doc(structured_set: Any, name: str) -> Path:
    return next(path for path in structured_set.documents if path.name == name)


def test_ubl_invoice(structured_set: Any, truth_of: TruthOf) -> None:
    path = _doc(structured_set, "ubl-invoice.xml")
    invoice = read_invoice(path)
    assert invoice.source_kind == "ubl" and invoice.document_type == "invoice"
    assert all(field_results(invoice, truth_of(path), UNIT_CODES).values())
    assert invoice.total.confidence == 1.0
    assert invoice.invoice_number.evidence is not None and "cbc:ID" in invoice.invoice_number.evidence.text
    assert invoice.lines[0].unit.value in {"C62", "HUR", "PK", "BX", "SET", "BG", "MON"}


def test_ubl_credit_note(structured_set: Any, truth_of: TruthOf) -> None:
    path = _doc(structured_set, "ubl-credit-note.xml")
    invoice = read_invoice(path)
    assert invoice.document_type == "credit_note"
    assert all(field_results(invoice, truth_of(path), UNIT_CODES).values())


def test_cii_invoice(structured_set: Any, truth_of: TruthOf) -> None:
    path = _doc(structured_set, "cii-invoice.xml")
    invoice = read_invoice(path)
    assert invoice.source_kind == "cii"
    assert all(field_results(invoice, truth_of(path), UNIT_CODES).values())


def test_factur_x_pdf_uses_the_embedded_xml(structured_set: Any, truth_of: TruthOf) -> None:
    path = _doc(structured_set, "factur-x.pdf")
    invoice = read_invoice(path)
    assert invoice.source_kind == "cii"
    assert invoice.source_file == str(path)
    assert all(field_results(invoice, truth_of(path), UNIT_CODES).values())


def test_dispatch_is_by_content_not_extension(structured_set: Any, tmp_path: Path) -> None:
    disguised = tmp_path / "invoice.txt"
    shutil.copy(_doc(structured_set, "ubl-invoice.xml"), disguised)
    assert read_invoice(disguised).source_kind == "ubl"
    pdf_as_xml = tmp_path / "scan.xml"
    shutil.copy(_doc(structured_set, "factur-x.pdf"), pdf_as_xml)
    assert read_invoice(pdf_as_xml).source_kind == "cii"


def _plain(structured_set: Any, truth_of: TruthOf) -> dict[str, Any]:
    truth = truth_of(_doc(structured_set, "ubl-invoice.xml"))
    keys = ("document_type", *HEADER_FIELDS, "lines")
    return {key: truth[key] for key in keys}


def test_json_inbox(structured_set: Any, tmp_path: Path, truth_of: TruthOf) -> None:
    document = _plain(structured_set, truth_of)
    path = tmp_path / "erp.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    invoice = read_invoice(path)
    assert invoice.source_kind == "json"
    assert all(field_results(invoice, document).values())
    assert invoice.total.evidence is not None and invoice.total.evidence.source == "json"


def test_csv_inbox(structured_set: Any, tmp_path: Path, truth_of: TruthOf) -> None:
    document = _plain(structured_set, truth_of)
    header = [k for k in document if k != "lines"]
    line_keys = ["description", "quantity", "unit", "unit_price", "amount", "po_line"]
    rows = [";".join(header + [f"line_{k}" for k in line_keys])]
    for line in document["lines"]:
        rows.append(
            ";".join([str(document[k] or "") for k in header] + [str(line[k] or "") for k in line_keys])
        )
    path = tmp_path / "erp.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    invoice = read_invoice(path)
    assert invoice.source_kind == "csv"
    assert all(field_results(invoice, document).values())
