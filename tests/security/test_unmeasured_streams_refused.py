"""A PDF whose structure pypdf cannot read has streams nobody measured: neither ingestion nor the
page reader hands it to PDFium. Built here from a real malformation: a /Filter array holding a
reference to a reference, which pypdf fails to resolve with an AttributeError that once escaped the
scan as a crash instead of a refusal."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, NameObject, NumberObject, StreamObject

from agents.ap.extract.page_reader import read_page_invoice
from agents.ap.ingest import IngestLimits, read_invoice
from agents.ap.ingest.pdf_budget import scan_streams
from agents.ap.invoice import IngestionRejected

from .bombs import text_pdf


def _filter_through_two_references() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf())))
    target = writer._add_object(NameObject("/FlateDecode"))
    middle = writer._add_object(NumberObject(0))
    stream = StreamObject()
    stream._data = b"x"
    stream[NameObject("/Filter")] = ArrayObject([middle])
    writer._add_object(stream)
    buffer = io.BytesIO()
    writer.write(buffer)
    written = b"\n%d 0 obj\n0\nendobj" % middle.idnum
    pointing = b"\n%d 0 obj %d 0 R endobj" % (middle.idnum, target.idnum)
    assert buffer.getvalue().count(written) == 1 and len(pointing) <= len(written) + 4
    return buffer.getvalue().replace(written, pointing)  # offsets after it move: pypdf repairs them


@pytest.fixture
def malformed(tmp_path: Path) -> Path:
    path = tmp_path / "filter-through-two-references.pdf"
    path.write_bytes(_filter_through_two_references())
    return path


def test_the_scan_reports_the_structure_unread_instead_of_crashing(malformed: Path) -> None:
    scan = scan_streams(malformed.read_bytes(), str(malformed), IngestLimits())
    assert not scan.parsed


@pytest.mark.parametrize(
    "reader",
    [read_invoice, lambda path: read_page_invoice(path, ocr=False)],
    ids=["ingestion", "page reader"],
)
def test_neither_reader_hands_unmeasured_streams_to_pdfium(malformed: Path, reader: object) -> None:
    with pytest.raises(IngestionRejected) as refused:
        reader(malformed)  # type: ignore[operator]
    assert refused.value.reason_code == "corrupt"
    assert re.search(r"cannot be read to measure", str(refused.value)), str(refused.value)
