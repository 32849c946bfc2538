"""`read_invoice`: dispatch on what a file *is* (its bytes), not on its extension."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree.ElementTree import Element

from agents.ap.extract.layout_memory import LayoutMemory, LayoutMemoryError, apply_lessons
from agents.ap.extract.page_text import PageText, read_pdfplumber_pages
from agents.ap.extract.pdf_invoice import extract_invoice
from agents.ap.ingest.cii import is_cii, read_cii
from agents.ap.ingest.erp_inbox import read_csv, read_json
from agents.ap.ingest.limits import Deadline, IngestLimits, refuse
from agents.ap.ingest.page_agreement import hold_contradicted
from agents.ap.ingest.pdf_source import embedded_invoice_xml, open_pdf, text_pages
from agents.ap.ingest.safe_xml import parse_xml
from agents.ap.ingest.ubl import is_ubl, read_ubl
from agents.ap.ingest.zugferd1 import is_zugferd1, read_zugferd1
from agents.ap.invoice import ExtractedInvoice, IngestionRejected

if TYPE_CHECKING:
    import pypdfium2 as pdfium

__all__ = ["IngestLimits", "read_invoice"]


def read_invoice(
    path: str | Path, limits: IngestLimits | None = None, memory: LayoutMemory | None = None
) -> ExtractedInvoice:
    """Read one invoice file (PDF, Factur-X PDF, UBL, CII, JSON or CSV) into an `ExtractedInvoice`.

    A PDF read from its page text uses the vendor layouts learned from clerks' corrections
    (`memory`, default: the file `default_memory_path()` names, read on every call so a correction
    counts from the next invoice on).

    Raises `IngestionRejected` with a reason code for anything that cannot be read honestly: no
    guessing from a scan, an encrypted file or a truncated download; "oversized" for a document
    over any cap in `IngestLimits` (decompressed bytes, pages, characters, nesting, time).
    """
    limits = limits or IngestLimits()
    memory = memory if memory is not None else LayoutMemory()
    name = str(path)
    file = Path(path)
    if not file.is_file():
        raise IngestionRejected("unsupported_format", name, "not a readable file")
    size = file.stat().st_size
    if size == 0:
        raise IngestionRejected("empty", name, "file is empty (0 bytes)")
    if size > limits.max_bytes:
        raise IngestionRejected("oversized", name, f"file is {size} bytes, the limit is {limits.max_bytes}")
    data = file.read_bytes()
    try:
        return _dispatch(data, name, limits, memory)
    except RecursionError:
        raise IngestionRejected("oversized", name, "document is nested too deeply to read safely") from None
    except MemoryError:
        raise IngestionRejected(
            "oversized", name, "document needs more memory than allowed to read"
        ) from None


def _dispatch(data: bytes, name: str, limits: IngestLimits, memory: LayoutMemory) -> ExtractedInvoice:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise IngestionRejected("empty", name, "file holds only whitespace")
    if data[:1024].find(b"%PDF-") != -1:
        return _read_pdf(data, name, limits, memory)
    if head.startswith(b"<"):
        return _read_xml(data, name, limits)
    if head.startswith(b"{"):
        return read_json(data, name, max_depth=limits.max_json_depth)
    if _looks_like_csv(data):
        return read_csv(data, name)
    raise IngestionRejected("unsupported_format", name, "content is not PDF, UBL/CII XML, JSON or CSV")


def _read_pdf(data: bytes, name: str, limits: IngestLimits, memory: LayoutMemory) -> ExtractedInvoice:
    """The embedded e-invoice when the PDF carries one we can read, else the page text.

    An embedded XML that is read is checked against the printed page (`_checked_against_page`).
    An embedded XML of a kind no reader knows, or one that is not well-formed, does not make the
    PDF unreadable: its page text is read, with a warning naming the attachment and why it was
    not used. Caps (size, nesting) and DTDs in the attachment still refuse the PDF: those are
    hostile, not merely unknown.
    """
    from agents.ap.ingest.pdf_budget import scan_streams  # pypdf loads only when a PDF comes in

    scan = scan_streams(data, name, limits)  # before PDFium decodes anything
    document = open_pdf(data, name, limits.max_pages, measured=scan.parsed)
    try:
        ignored: str | None = None
        embedded = embedded_invoice_xml(document, name, limits.max_attachment_bytes)
        if embedded is not None:
            attachment, xml = embedded
            read = _read_embedded_xml(xml, f"{name}#{attachment}", limits)
            if isinstance(read, ExtractedInvoice):
                invoice = read.model_copy(update={"source_file": name})
                return _checked_against_page(invoice, document, name, limits, memory)
            ignored = f"embedded {attachment} not used ({read}); fields read from the page text"
        try:
            invoice = _read_page(document, name, limits, memory)
        except IngestionRejected as error:
            if ignored is None or error.reason_code != "scanned_no_text":
                raise
            raise IngestionRejected(error.reason_code, name, f"{error.problem}; {ignored}") from error
        if ignored is None:
            return invoice
        return invoice.model_copy(update={"warnings": (ignored, *invoice.warnings)})
    finally:
        document.close()


def _read_page(
    document: pdfium.PdfDocument, name: str, limits: IngestLimits, memory: LayoutMemory
) -> ExtractedInvoice:
    """The invoice the page text states, read within the caps (characters, time) of `text_pages`."""
    deadline = Deadline(limits.max_seconds, name, "reading the PDF's page text")
    pages = text_pages(document, name, limits, deadline)
    if limits.text_engine == "pdfplumber":
        pages = read_pdfplumber_pages(name, limits.max_pages)
        deadline.check()
    return _with_lessons(extract_invoice(pages, name), pages, memory)


def _checked_against_page(
    invoice: ExtractedInvoice,
    document: pdfium.PdfDocument,
    name: str,
    limits: IngestLimits,
    memory: LayoutMemory,
) -> ExtractedInvoice:
    """The embedded XML's invoice, each field the printed page contradicts held below auto-post.

    The page is the invoice a clerk (and in many countries the law) goes by; an attachment can
    describe another invoice. A page without a text layer leaves the XML as it is; a page over a
    cap (characters, time) is not compared, and the warnings say so.
    """
    try:
        page = _read_page(document, name, limits, memory)
    except IngestionRejected as error:
        if error.reason_code == "scanned_no_text":
            return invoice
        if error.reason_code != "oversized":
            raise
        skipped = f"page text not compared with the embedded XML: {error.problem}"
        return invoice.model_copy(update={"warnings": (*invoice.warnings, skipped)})
    return hold_contradicted(invoice, page)


def _read_embedded_xml(data: bytes, name: str, limits: IngestLimits) -> ExtractedInvoice | str:
    """The invoice an embedded XML states, or why it cannot be read (not well-formed, unknown
    root) when that is no reason to refuse the PDF around it."""
    try:
        root = _parse_capped(data, name, limits)
    except IngestionRejected as error:
        if error.reason_code == "corrupt":
            return error.problem
        raise
    reader = _xml_reader(root)
    if reader is None:
        return _unknown_root(root)
    return reader(root, name)


def _with_lessons(invoice: ExtractedInvoice, pages: list[PageText], memory: LayoutMemory) -> ExtractedInvoice:
    """The invoice re-read through its vendor's learned layouts; an unreadable memory file is
    named in the warnings and the invoice is read without it (never a reason to drop the invoice)."""
    try:
        lessons = memory.lessons()
    except LayoutMemoryError as error:
        return invoice.model_copy(
            update={"warnings": (*invoice.warnings, f"learned layouts not used: {error}")}
        )
    return apply_lessons(invoice, pages, lessons) if lessons else invoice


def _read_xml(data: bytes, name: str, limits: IngestLimits) -> ExtractedInvoice:
    root = _parse_capped(data, name, limits)
    reader = _xml_reader(root)
    if reader is None:
        raise IngestionRejected("unsupported_format", name, _unknown_root(root))
    return reader(root, name)


def _parse_capped(data: bytes, name: str, limits: IngestLimits) -> Element:
    if len(data) > limits.max_xml_bytes:
        raise refuse(name, "XML", len(data), limits.max_xml_bytes, "bytes")
    return parse_xml(data, name, limits.max_xml_depth)


def _xml_reader(root: Element) -> Callable[[Element, str], ExtractedInvoice] | None:
    if is_ubl(root):
        return read_ubl
    if is_cii(root):
        return read_cii
    if is_zugferd1(root):
        return read_zugferd1
    return None


def _unknown_root(root: Element) -> str:
    return f"XML root {root.tag} is neither UBL 2.1, CII nor ZUGFeRD 1.0"


def _looks_like_csv(data: bytes) -> bool:
    try:
        first = data[:4096].decode("utf-8-sig").splitlines()[0]
    except (UnicodeDecodeError, IndexError):
        return False
    return "invoice_number" in first and any(sep in first for sep in ",;\t")
