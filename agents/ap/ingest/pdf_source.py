"""Opening a PDF safely: refuse encrypted, corrupt, oversized and text-less (scanned) files, and find
an embedded Factur-X / ZUGFeRD / XRechnung XML when there is one."""

from __future__ import annotations

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from agents.ap.extract.page_text import PageText, read_pdfium_pages
from agents.ap.ingest.limits import Deadline, IngestLimits, refuse
from agents.ap.invoice import IngestionRejected

EMBEDDED_XML_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml")
"""Attachment names of the CII XML in Factur-X / ZUGFeRD 2 and 1 / XRechnung PDFs (compared lower-cased)."""
MIN_CHARS_PER_PAGE = 20
"""A page with fewer text characters than this counts as having no text layer."""


def open_pdf(data: bytes, path: str, max_pages: int, *, measured: bool) -> pdfium.PdfDocument:
    """The document, opened by PDFium; refused when it cannot be, or when `measured` is False (the
    stream scan could not read its structure: streams nobody measured are not handed to PDFium). A
    file PDFium cannot open either gets PDFium's more specific reason (encrypted, truncated…)."""
    if b"%%EOF" not in data[-2048:]:
        raise IngestionRejected("corrupt", path, "PDF is truncated (no %%EOF trailer)")
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if getattr(error, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise IngestionRejected("encrypted", path, "PDF is password-protected") from error
        raise IngestionRejected("corrupt", path, f"PDF cannot be parsed: {error}") from error
    if len(document) == 0:
        document.close()
        raise IngestionRejected("empty", path, "PDF has no pages")
    if len(document) > max_pages:
        pages = len(document)
        document.close()
        raise IngestionRejected("oversized", path, f"PDF has {pages} pages, the limit is {max_pages}")
    if not measured:
        document.close()
        raise IngestionRejected(
            "corrupt", path, "PDF structure cannot be read to measure its compressed streams"
        )
    return document


def embedded_invoice_xml(document: pdfium.PdfDocument, path: str, max_bytes: int) -> tuple[str, bytes] | None:
    """The Factur-X/ZUGFeRD/XRechnung attachment (name, bytes), if the PDF carries one.

    Call only after `pdf_budget.scan_streams`: PDFium decodes the whole attachment, so what it may
    inflate to must already be known to fit.
    """
    for index in range(document.count_attachments()):
        attachment = document.get_attachment(index)
        name = attachment.get_name()
        if name.lower() in EMBEDDED_XML_NAMES:
            data = bytes(attachment.get_data())
            if len(data) > max_bytes:
                raise refuse(path, f"embedded {name}", len(data), max_bytes, "bytes")
            return name, data
    return None


def text_pages(
    document: pdfium.PdfDocument, path: str, limits: IngestLimits, deadline: Deadline
) -> list[PageText]:
    """Every page's positioned text, refusing once `limits.max_chars` or the deadline is passed.

    The budget is checked page by page as each page is parsed and before its characters are read,
    so a text flood stops at the first page over a cap and no page is loaded twice."""
    total = 0

    def check(number: int, chars: int) -> None:
        nonlocal total
        deadline.check()
        total += chars
        if total > limits.max_chars:
            raise refuse(path, f"PDF text (after page {number})", total, limits.max_chars, "characters")

    pages = read_pdfium_pages(document, check=check)
    deadline.check()
    if sum(page.char_count for page in pages) < MIN_CHARS_PER_PAGE * len(pages) / 2:
        raise IngestionRejected(
            "scanned_no_text", path, "PDF has no text layer (a scan or image); run OCR before ingestion"
        )
    return pages
