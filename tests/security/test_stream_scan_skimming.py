"""The stream scan parses only objects that can be streams (`pdf_budget._may_hold_stream`): it must
never skip a stream, however the object's bytes try to look like a plain dictionary."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import IndirectObject, NameObject, StreamObject, TextStringObject

from agents.ap.ingest import IngestLimits
from agents.ap.ingest.limits import Deadline
from agents.ap.ingest.pdf_budget import _may_hold_stream, _structure, scan_streams
from agents.ap.invoice import IngestionRejected

from .bombs import TEXT_OPS, MiB, _flate_stream, _write, facturx_pdf, flate_bomb, text_pdf

TIGHT = IngestLimits(max_content_bytes=1 * MiB)
MARK = b"(MARKMARK)"
"""A placeholder string in the bomb's dictionary, overwritten in place (offsets kept) below."""
REAL = Path(os.environ.get("OPSPACK_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"))


def _all_streams(data: bytes) -> int:
    reader = PdfReader(io.BytesIO(data), strict=False)
    return sum(
        isinstance(reader.get_object(IndirectObject(number, generation, reader)), StreamObject)
        for generation, objects in reader.xref.items()
        for number in objects
    )


def _marked_bomb() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf())))
    bomb = _flate_stream(flate_bomb(TEXT_OPS, 8 * MiB))
    bomb[NameObject("/Note")] = TextStringObject("MARKMARK")
    writer.pages[0][NameObject("/Contents")] = writer._add_object(bomb)
    data = _write(writer)
    assert data.count(MARK) == 1
    return data


def _bomb_id(data: bytes) -> tuple[int, int]:
    start = data.index(b"/FlateDecode")
    header = data.rindex(b" obj", 0, start)
    number, generation = data[data.rindex(b"\n", 0, header) + 1 : header].split()
    return int(number), int(generation)


@pytest.mark.parametrize(
    "disguise",
    [MARK, b"( endobj )", b"< endobj >", b"<<endobj>>", b"% endobj \n", b"/X endobj", b">> endobj"],
    ids=["plain", "string", "hex", "nested", "comment", "bare-keyword", "early-close"],
)
def test_a_bomb_dressed_as_a_plain_object_is_never_skimmed(disguise: bytes) -> None:
    """Whatever sits in the bomb's dictionary, the skim hands its object to the full parse."""
    data = _marked_bomb().replace(MARK, disguise.ljust(len(MARK))[: len(MARK)])
    reader = PdfReader(io.BytesIO(data), strict=False)
    assert _bomb_id(data) in _may_hold_stream(data, reader)


@pytest.mark.parametrize("disguise", [MARK, b"( endobj )"], ids=["plain", "string"])
def test_a_bomb_with_a_string_in_its_dictionary_is_refused(disguise: bytes) -> None:
    data = _marked_bomb().replace(MARK, disguise.ljust(len(MARK))[: len(MARK)])
    with pytest.raises(IngestionRejected) as refused:
        scan_streams(data, "bomb.pdf", TIGHT)
    assert refused.value.reason_code == "oversized"


def test_an_xref_entry_pointing_inside_a_stream_dictionary_hides_nothing() -> None:
    data = _marked_bomb()
    reader = PdfReader(io.BytesIO(data), strict=False)
    inside = data.index(MARK)
    objects = reader.xref[0]
    decoy = next(number for number in objects if (number, 0) != _bomb_id(data))
    objects[decoy] = inside  # a fake entry in the middle of the bomb's dictionary
    assert _bomb_id(data) in _may_hold_stream(data, reader)


@pytest.mark.parametrize(
    "data", [text_pdf(3), facturx_pdf(b"<x/>"), _write(PdfWriter())], ids=["text", "facturx", "empty"]
)
def test_every_stream_is_counted(data: bytes) -> None:
    assert scan_streams(data, "x.pdf", IngestLimits()).streams == _all_streams(data)


def test_every_stream_of_the_real_invoices_is_counted() -> None:
    folder = REAL / "invoices-real"
    if not folder.is_dir():
        pytest.skip(f"real invoices not found at {folder}")
    for path in sorted(folder.glob("*.pdf")):
        data = path.read_bytes()
        assert scan_streams(data, path.name, IngestLimits()).streams == _all_streams(data), path.name


def _shifted(data: bytes, pad: bytes = b"%" + b"x" * 40 + b"\n") -> bytes:
    """Bytes inserted after the header: every xref offset now points 42 bytes early, which a strict
    reader refuses and a lenient one repairs by scanning the file for object headers."""
    end_of_header = data.index(b"\n") + 1
    return data[:end_of_header] + pad + data[end_of_header:]


def test_a_bomb_in_a_file_a_strict_reader_refuses_is_still_measured() -> None:
    data = _shifted(_marked_bomb())
    with pytest.raises(Exception):  # noqa: B017 - pypdf's strict reader refuses it (any error)
        _structure(data, "bomb.pdf", TIGHT, Deadline(20, "bomb.pdf", "test"), strict=True)
    with pytest.raises(IngestionRejected) as refused:
        scan_streams(data, "bomb.pdf", TIGHT)
    assert refused.value.reason_code == "oversized"


def test_the_strict_reading_finds_what_the_lenient_one_finds_on_real_invoices() -> None:
    """Well-formed files take the strict path (no xref repair); it must see every stream, with the
    same filters, that the lenient reading sees."""
    folder = REAL / "invoices-real"
    if not folder.is_dir():
        pytest.skip(f"real invoices not found at {folder}")
    files = [path.read_bytes() for path in sorted(folder.glob("*.pdf"))] + [text_pdf(3), facturx_pdf(b"<x/>")]
    for data in files:
        readings = [
            _structure(data, "x.pdf", IngestLimits(), Deadline(20, "x.pdf", "test"), strict=strict)
            for strict in (True, False)
        ]
        (strict_streams, strict_contents), (lenient_streams, lenient_contents) = readings
        assert strict_contents == lenient_contents
        assert [(n, f) for n, _, f in strict_streams] == [(n, f) for n, _, f in lenient_streams]
