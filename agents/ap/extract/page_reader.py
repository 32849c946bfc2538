"""Reading an invoice from its *pages* only: the text layer of a PDF (any embedded Factur-X XML is
ignored), or Tesseract OCR for image-only PDFs and image files.

OCR is optional: without the ``tesseract`` binary or ``pytesseract`` a scan is refused with a reason,
never guessed. Fields read through OCR carry lower confidence: nothing from a scan reaches the
auto-post threshold unless the arithmetic confirms it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium

from agents.ap.extract.layout_memory import LayoutLesson, apply_lessons
from agents.ap.extract.page_text import Char, PageText, group_chars
from agents.ap.extract.pdf_invoice import extract_invoice
from agents.ap.ingest.limits import Deadline, IngestLimits
from agents.ap.ingest.pdf_budget import scan_streams
from agents.ap.ingest.pdf_source import open_pdf, text_pages
from agents.ap.invoice import ExtractedInvoice, Field, IngestionRejected

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"})
OCR_LANGUAGES = "eng+deu+fra+nld+spa+ita"
OCR_DPI = 300
OCR_CONFIRMED = 0.93
"""An OCR amount the arithmetic confirms: may auto-post."""
OCR_CAP = 0.85
"""Everything else read through OCR stays below the auto-post threshold."""


def ocr_available() -> str | None:
    """None when OCR can run, else the reason it cannot."""
    try:
        import pytesseract  # noqa: F401
    except ImportError:
        return "pytesseract is not installed"
    if shutil.which("tesseract") is None:
        return "the tesseract binary is not installed (Debian: tesseract-ocr and its language packs)"
    return None


def read_pages(path: Path, *, ocr: bool = True) -> tuple[list[PageText], bool]:
    """(positioned page text, whether it came from OCR); raises `IngestionRejected` with a reason."""
    name = str(path)
    if path.suffix.lower() in IMAGE_SUFFIXES:
        reason = ocr_available()
        if reason is not None or not ocr:
            raise IngestionRejected(
                "scanned_no_text", name, f"image needs OCR, which is off: {reason or 'disabled'}"
            )
        from PIL import Image

        with Image.open(path) as image:
            return [ocr_page(image.convert("RGB"), 1, 72.0 / _dpi(image))], True
    data, limits = path.read_bytes(), IngestLimits()
    scan = scan_streams(data, name, limits)  # the same decompression budget as ingestion, before PDFium
    document = open_pdf(data, name, limits.max_pages, measured=scan.parsed)
    try:
        try:
            deadline = Deadline(limits.max_seconds, name, "reading the PDF's page text")
            return text_pages(document, name, limits, deadline), False
        except IngestionRejected as rejected:
            if rejected.reason_code != "scanned_no_text" or not ocr:
                raise
            reason = ocr_available()
            if reason is not None:
                raise IngestionRejected(
                    "scanned_no_text", name, f"PDF has no text layer and OCR is unavailable: {reason}"
                ) from rejected
            return ocr_pdf(document), True
    finally:
        document.close()


def read_page_invoice(
    path: Path, *, ocr: bool = True, lessons: Iterable[LayoutLesson] = ()
) -> tuple[ExtractedInvoice, int]:
    """(extraction from the pages alone, pages read), with the vendor's learned layout applied."""
    pages, via_ocr = read_pages(path, ocr=ocr)
    invoice = apply_lessons(extract_invoice(pages, str(path)), pages, lessons)
    return (_ocr_confidence(invoice) if via_ocr else invoice), len(pages)


def _dpi(image: Any) -> float:
    dpi = image.info.get("dpi", (OCR_DPI, OCR_DPI))[0]
    return float(dpi) if dpi else float(OCR_DPI)


def ocr_pdf(document: pdfium.PdfDocument) -> list[PageText]:
    pages: list[PageText] = []
    for index in range(len(document)):
        page = document[index]
        try:
            image = page.render(scale=OCR_DPI / 72).to_pil()
        finally:
            page.close()
        pages.append(ocr_page(image, index + 1, 72.0 / OCR_DPI))
    return pages


def ocr_page(image: Any, number: int, points_per_pixel: float) -> PageText:
    """Tesseract's words with their boxes, in PDF points, grouped like a text layer's characters."""
    import pytesseract

    data = pytesseract.image_to_data(image, lang=OCR_LANGUAGES, output_type=pytesseract.Output.DICT)
    chars: list[Char] = []
    for text, left, top, width, height, conf in zip(
        data["text"], data["left"], data["top"], data["width"], data["height"], data["conf"], strict=True
    ):
        if not str(text).strip() or float(conf) < 0:
            continue
        x0, y0 = left * points_per_pixel, top * points_per_pixel
        chars.append((str(text), x0, y0, x0 + width * points_per_pixel, y0 + height * points_per_pixel))
    width, height = image.size
    return group_chars(chars, number, width * points_per_pixel, height * points_per_pixel)


def _capped(field: Field[Any]) -> Field[Any]:
    if field.value is None:
        return field
    confidence = OCR_CONFIRMED if field.confidence >= 0.97 else min(field.confidence, OCR_CAP)
    return field.model_copy(update={"confidence": confidence})


def _ocr_confidence(invoice: ExtractedInvoice) -> ExtractedInvoice:
    """Only arithmetic-confirmed amounts keep an auto-postable confidence after OCR."""
    update: dict[str, Any] = {}
    for name, value in invoice:
        if isinstance(value, Field):
            update[name] = (
                _capped(value)
                if name in ("subtotal", "tax", "total", "amount_due")
                else (value.model_copy(update={"confidence": min(value.confidence, OCR_CAP)}))
            )
    lines = tuple(
        line.model_copy(
            update={n: f.model_copy(update={"confidence": min(f.confidence, OCR_CAP)}) for n, f in line}
        )
        for line in invoice.lines
    )
    warnings = (*invoice.warnings, "read by OCR: only arithmetic-confirmed amounts may auto-post")
    kind_confidence = min(invoice.document_type_confidence, OCR_CAP)  # a title read by OCR may be misread
    return invoice.model_copy(
        update={**update, "lines": lines, "warnings": warnings, "document_type_confidence": kind_confidence}
    )
