"""Inputs that must be refused with a reason code — never guessed at."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agents.ap.ingest import IngestLimits, read_invoice
from agents.ap.invoice import IngestionRejected


def _reject(path: Path, limits: IngestLimits | None = None) -> IngestionRejected:
    with pytest.raises(IngestionRejected) as caught:
        read_invoice(path, limits)
    assert str(path) in str(caught.value)
    return caught.value


@pytest.mark.parametrize(
    ("negative", "reason"),
    [
        ("scanned_no_text", "scanned_no_text"),
        ("encrypted", "encrypted"),
        ("corrupt", "corrupt"),
        ("xxe", "unsupported_format"),
        ("bomb", "unsupported_format"),
    ],
)
def test_negative_samples(structured_set: Any, negative: str, reason: str) -> None:
    assert _reject(structured_set.negatives[negative]).reason_code == reason


def test_xxe_is_not_resolved(structured_set: Any) -> None:
    error = _reject(structured_set.negatives["xxe"])
    assert "DTD" in str(error) and "root:" not in str(error)


def test_empty_and_whitespace_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    assert _reject(empty).reason_code == "empty"
    blank = tmp_path / "blank.xml"
    blank.write_bytes(b"  \n\t ")
    assert _reject(blank).reason_code == "empty"


def test_binary_garbage_with_a_pdf_extension(tmp_path: Path) -> None:
    garbage = tmp_path / "invoice.pdf"
    garbage.write_bytes(bytes(range(256)) * 8)
    error = _reject(garbage)
    assert error.reason_code == "unsupported_format"
    assert "not PDF" in str(error)


def test_pdf_header_with_garbage_body_is_corrupt(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 100 + b"\n%%EOF\n")
    assert _reject(broken).reason_code == "corrupt"


def test_oversized_by_bytes_and_pages(tmp_path: Path, structured_set: Any) -> None:
    pdf = next(path for path in structured_set.documents if path.suffix == ".pdf")
    assert _reject(pdf, IngestLimits(max_bytes=100)).reason_code == "oversized"
    error = _reject(pdf, IngestLimits(max_pages=0))
    assert error.reason_code == "oversized" and "pages" in str(error)


def test_missing_file_and_unknown_xml(tmp_path: Path) -> None:
    assert _reject(tmp_path / "nope.pdf").reason_code == "unsupported_format"
    other = tmp_path / "order.xml"
    other.write_bytes(b'<?xml version="1.0"?><Order xmlns="urn:example"/>')
    assert "neither UBL" in str(_reject(other))
    malformed = tmp_path / "cut.xml"
    malformed.write_bytes(b"<Invoice><cbc:ID>")
    assert _reject(malformed).reason_code == "corrupt"


def test_malformed_json_and_csv(tmp_path: Path) -> None:
    bad_json = tmp_path / "a.json"
    bad_json.write_text("{not json", encoding="utf-8")
    assert _reject(bad_json).reason_code == "corrupt"
    not_invoice = tmp_path / "b.json"
    not_invoice.write_text(json.dumps({"hello": 1}), encoding="utf-8")
    assert _reject(not_invoice).reason_code == "unsupported_format"
    bad_amount = tmp_path / "c.json"
    bad_amount.write_text(json.dumps({"invoice_number": "1", "total": "lots"}), encoding="utf-8")
    assert "total" in str(_reject(bad_amount))
    two = tmp_path / "d.csv"
    two.write_text("invoice_number,total\nA,1\nB,2\n", encoding="utf-8")
    assert _reject(two).reason_code == "unsupported_format"
