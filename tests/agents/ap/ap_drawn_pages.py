"""Invoice pages drawn from positioned text rows, for the extraction tests of one kind of page.

A row is ``(x, top, text, size)`` or ``(x, top, text, size, style)``: `top` is measured from the top
of an A4 page to the top of the text's box (the baseline sits `cap` x `size` below it); `style` is
True for Helvetica-Bold, ``"r"`` for a right-aligned string ending at `x`, False or ``"l"`` for plain
left-aligned Helvetica."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from agents.ap.extract.page_reader import read_page_invoice
from agents.ap.invoice import ExtractedInvoice

Row = tuple[float, float, str, float] | tuple[float, float, str, float, bool | str]


def draw_pages(path: Path, *pages: Sequence[Row], cap: float = 1.0) -> Path:
    """One A4 page per sequence of rows, written to `path`."""
    pdf = Canvas(str(path), pagesize=A4, invariant=1)
    for rows in pages:
        for row in rows:
            x, top, text, size = row[:4]
            style = row[4] if len(row) == 5 else False
            pdf.setFont("Helvetica-Bold" if style is True else "Helvetica", size)
            draw = pdf.drawRightString if style == "r" else pdf.drawString
            draw(x, A4[1] - top - cap * size, text)
        pdf.showPage()
    pdf.save()
    return path


def read_drawn(path: Path, *pages: Sequence[Row], cap: float = 1.0) -> ExtractedInvoice:
    """The invoice read from the drawn page text alone (no OCR)."""
    return read_page_invoice(draw_pages(path, *pages, cap=cap), ocr=False)[0]
