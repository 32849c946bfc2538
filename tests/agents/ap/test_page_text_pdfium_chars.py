"""pdfium_chars against pypdfium2's public per-character API.

pdfium_chars calls PDFium's ``FPDFText_GetLooseCharBox`` and ``FPDFText_GetUnicode`` through function
objects without ctypes' argument conversion, for speed; this keeps its characters and boxes equal, float for float, to what
``PdfTextPage.get_charbox(index, loose=True)`` (the converted, checked call) gives, on the committed
sample invoices, the real invoices where present, and a page whose text PDFium reports with fewer
characters than its character count (characters outside the Basic Multilingual Plane)."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from agents.ap.extract.page_text import Char, pdfium_chars

ROOT = Path(__file__).resolve().parents[3]
REAL = Path(os.environ.get("OPSPACK_SHARED_DATA", ROOT.parent / "shared" / "data")) / "invoices-real"
REAL_EXTRA = os.environ.get("OPSPACK_REAL_EXTRA", "")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def reference_chars(textpage: pdfium.PdfTextPage, page_height: float) -> list[Char]:
    """The same characters through the public API, one checked call per character: the page's text
    where it has one character per index (PDFium's text, e.g. U+FFFE for a soft hyphen's marker),
    else each index's Unicode value."""
    chars: list[Char] = []
    count = textpage.count_chars()
    text = textpage.get_text_range(0, count)
    for index in range(count):
        char = text[index] if len(text) == count else chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, index))
        if char in "\r\n":
            continue
        try:
            left, bottom, right, top = textpage.get_charbox(index, loose=True)
        except pdfium.PdfiumError:
            continue
        chars.append((char, left, page_height - top, right, page_height - bottom))
    return chars


def _pages(data: bytes) -> Iterator[tuple[pdfium.PdfTextPage, float]]:
    document = pdfium.PdfDocument(data)
    try:
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            try:
                yield textpage, page.get_size()[1]
            finally:
                textpage.close()
                page.close()
    finally:
        document.close()


def _files() -> list[Path]:
    files = sorted((ROOT / "fixtures/invoices/samples").glob("*.pdf"))
    files += sorted(REAL.glob("*.pdf"))
    if REAL_EXTRA:
        files += sorted(Path(REAL_EXTRA).glob("*.pdf"))
    return files


@pytest.mark.parametrize("path", _files(), ids=lambda path: path.name)
def test_characters_and_boxes_match_the_public_api(path: Path) -> None:
    for textpage, height in _pages(path.read_bytes()):
        assert pdfium_chars(textpage, height) == reference_chars(textpage, height)


def test_a_page_whose_text_is_shorter_than_its_character_count() -> None:
    if not DEJAVU.is_file():
        pytest.skip(f"DejaVu Sans not installed at {DEJAVU} (Debian: fonts-dejavu-core)")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVuSans-chars-test", str(DEJAVU)))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.setFont("DejaVuSans-chars-test", 12)
    pdf.drawString(72, 700, "Total \U0001d400\U0001d7cf € 12,50 — ok")
    pdf.save()
    for textpage, height in _pages(buffer.getvalue()):
        count = textpage.count_chars()
        assert len(textpage.get_text_range(0, count)) != count, "the page no longer exercises that path"
        chars = pdfium_chars(textpage, height)
        assert chars == reference_chars(textpage, height)
        assert "".join(char[0] for char in chars).startswith("Total ")
