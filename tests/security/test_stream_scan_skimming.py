"""The stream scan parses only objects that can be streams (`pdf_budget._may_hold_stream`): it must
never skip a stream, however the object's bytes try to look like a plain dictionary."""

from __future__ import annotations

import io
import itertools
import os
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter
from pypdf.generic import IndirectObject, NameObject, StreamObject, TextStringObject

from agents.ap.ingest import IngestLimits, pdf_budget
from agents.ap.ingest.limits import Deadline
from agents.ap.ingest.pdf_budget import _may_hold_stream, _plain, _structure, scan_streams
from agents.ap.invoice import IngestionRejected

from .bombs import TEXT_OPS, MiB, _flate_stream, _write, facturx_pdf, flate_bomb, text_pdf

TIGHT = IngestLimits(max_content_bytes=1 * MiB)
MARK = b"(MARKMARK)"
"""A placeholder string in the bomb's dictionary, overwritten in place (offsets kept) below."""
REAL = Path(os.environ.get("OPSPACK_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"))
REAL_EXTRA = os.environ.get("OPSPACK_REAL_EXTRA", "")


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


def _reference_plain(data: bytes, offset: object, max_object: int) -> bool:
    """The skim as first written, one object at a time with no shortcut: the definition the
    faster `_plain` must agree with byte for byte."""
    if not isinstance(offset, int) or offset < 0:
        return False
    header = pdf_budget._HEADER.match(data, offset)
    if header is None:
        return False
    start = header.end()
    limit = min(len(data), start + max_object)
    end = data.find(b"endobj", start, limit)
    while end != -1:
        after = end + len(b"endobj")
        if data[end - 1] in b"\x00\t\n\x0c\r >]" and (
            after == len(data) or data[after] in b"\x00\t\n\x0c\r <[/(%"
        ):
            break
        end = data.find(b"endobj", end + 1, limit)
    if end < 0 or any(data.find(word, start, end) != -1 for word in (b"stream", b"(", b"%")):
        return False
    body = data[start:end].strip()
    opened, closed = body.count(b"<<"), body.count(b">>")
    if body.count(b"<") != 2 * opened or body.count(b">") != 2 * closed or opened != closed:
        return False
    if body.count(b"[") != body.count(b"]"):
        return False
    if body.startswith(b"<<"):
        return body.endswith(b">>")
    if body.startswith(b"["):
        return body.endswith(b"]")
    return opened == 0 and b"[" not in body


def _real_pdfs() -> list[Path]:
    folders = [REAL / "invoices-real"] + ([Path(REAL_EXTRA)] if REAL_EXTRA else [])
    return [path for folder in folders if folder.is_dir() for path in sorted(folder.glob("*.pdf"))]


def test_the_skim_agrees_with_its_reference_on_every_line_of_the_real_invoices() -> None:
    """Every xref offset and every line start (object headers, and stream data that looks like one)."""
    paths = _real_pdfs()
    if not paths:
        pytest.skip(f"real invoices not found under {REAL}")
    for path in paths:
        data = path.read_bytes()
        reader = PdfReader(io.BytesIO(data), strict=False)
        offsets = {o for objects in reader.xref.values() for o in objects.values()}
        offsets.update(at + 1 for at in range(len(data)) if data[at] in b"\r\n")
        for offset in sorted(offsets):
            assert _plain(data, offset) == _reference_plain(data, offset, pdf_budget.MAX_PLAIN_OBJECT), (
                path,
                offset,
            )


_PIECES = [
    b"1 0 obj", b"12 3 obj", b" ", b"\n", b"\r", b"\x00", b"endobj", b"end", b"obj", b"stream", b"str",
    b"eam", b"(", b")", b"%", b"<<", b">>", b"<", b">", b"[", b"]", b"/N", b"7", b"R", b"e", b"s",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    data=st.lists(st.sampled_from(_PIECES), max_size=40).map(b"".join),
    max_object=st.sampled_from([6, 11, 24, 64, 1 << 16]),
    first_look=st.sampled_from([1, 5, 6, 7, 12, 30, 1 << 11]),
)
def test_the_first_look_never_changes_the_skim(data: bytes, max_object: int, first_look: int) -> None:
    """At every offset of generated bytes, with limits small enough that the first look, the
    object limit and the tokens straddle one another, the skim decides as its reference does."""
    with mock.patch.multiple(pdf_budget, MAX_PLAIN_OBJECT=max_object, FIRST_LOOK=first_look):
        for offset in range(-1, len(data) + 1):
            assert _plain(data, offset) == _reference_plain(data, offset, max_object), offset


_BODY = [b" ", b"7", b"<<", b">>", b"[", b"]", b"<", b"(", b"%", b"stream", b"\n"]
_AFTER = [b"", b" ", b"(", b"%", b"stream", b" endobj", b"<", b"x"]


def test_the_first_look_decides_as_the_full_search_at_every_boundary() -> None:
    """Every short body, delimited or not ``endobj``, tokens after it, and every first-look length
    up to the object's end: wherever the first look stops (before, across or after the ``endobj``
    and the tokens), the skim decides as its reference does."""
    pairs = (a + b for a, b in itertools.product([b" ", b"<<", b">>", b"(", b"stream"], repeat=2))
    bodies = itertools.chain([b""], _BODY, pairs)
    objects = [
        b"1 0 obj" + body + before + b"endobj" + after + tail
        for body in bodies
        for before, after, tail in itertools.product([b" ", b"x", b"]"], _AFTER, _AFTER)
    ]
    longest = max(len(data) for data in objects)
    for max_object, first_look in itertools.product([12, 1 << 16], range(1, longest)):
        with mock.patch.multiple(pdf_budget, MAX_PLAIN_OBJECT=max_object, FIRST_LOOK=first_look):
            for data in objects:
                assert _plain(data, 0) == _reference_plain(data, 0, max_object), (
                    data,
                    max_object,
                    first_look,
                )
