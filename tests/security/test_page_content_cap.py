"""A page's content streams count against the tighter content cap however `/Contents` names
them: one stream, an array of streams, or an indirect reference to such an array."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, NameObject

from agents.ap.ingest import IngestLimits
from agents.ap.ingest.pdf_budget import scan_streams
from agents.ap.invoice import IngestionRejected

from .bombs import TEXT_OPS, MiB, _flate_stream, _write, flate_bomb, text_pdf

TIGHT = IngestLimits(max_content_bytes=1 * MiB)
ROOMY = IngestLimits(max_content_bytes=16 * MiB)
"""8 MiB of page content is over the tight content cap, under the roomy one, and far under the
whole document's budget either way: only the content cap can refuse it."""


def _page_with_contents(how: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf())))
    page = writer.pages[0]
    bomb = writer._add_object(_flate_stream(flate_bomb(TEXT_OPS, 8 * MiB)))
    if how == "stream":
        page[NameObject("/Contents")] = bomb
    else:
        array = ArrayObject([page.raw_get("/Contents"), bomb])
        page[NameObject("/Contents")] = array if how == "array" else writer._add_object(array)
    return _write(writer)


@pytest.mark.parametrize("how", ["stream", "array", "indirect-array"])
def test_page_content_over_the_content_cap_is_refused(how: str) -> None:
    data = _page_with_contents(how)
    assert scan_streams(data, "fits.pdf", ROOMY).parsed
    with pytest.raises(IngestionRejected, match="page content") as refused:
        scan_streams(data, "bomb.pdf", TIGHT)
    assert refused.value.reason_code == "oversized"


def test_the_indirect_array_is_what_pypdf_and_pdfium_read() -> None:
    """The file really holds `/Contents n 0 R` with object n an array (not flattened by the writer)."""
    reader = PdfReader(io.BytesIO(_page_with_contents("indirect-array")))
    raw = reader.pages[0].raw_get("/Contents")
    assert raw.__class__.__name__ == "IndirectObject" and isinstance(raw.get_object(), ArrayObject)
