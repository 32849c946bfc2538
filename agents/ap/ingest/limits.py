"""Every cap the invoice reader applies to one document, in one place.

The file-size cap alone is not enough: 20 MB of compressed bytes can inflate to gigabytes (a
Flate "zip bomb" content stream, an embedded Factur-X XML), a small PDF can hold a page whose
text takes minutes, and 50,000 nested brackets overflow a recursive parser. Each cap below is
checked *before* or *while* the work is done, never after, and a document over a cap is refused
with `IngestionRejected` ("oversized", naming the cap), so the agent escalates it and goes on
with the next file. Defaults suit invoices (a few pages, tens of kilobytes of text); raise them
for unusual inboxes by passing your own `IngestLimits`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

from agents.ap.invoice import IngestionRejected
from agents.bounded_json import loads_json_bounded

__all__ = ["Deadline", "IngestLimits", "loads_json_bounded", "refuse"]

MiB = 1024 * 1024


@dataclass(frozen=True)
class IngestLimits:
    """Caps per document; one instance configures the whole reader."""

    max_bytes: int = 20 * MiB
    """The file as stored (compressed)."""
    max_pages: int = 50
    """PDF pages."""
    max_pdf_objects: int = 20_000
    """Objects in a PDF's cross-reference table (an invoice has hundreds; measuring a file's
    streams visits each object, about 40 microseconds apiece)."""
    max_decompressed_bytes: int = 64 * MiB
    """Sum of every decoded PDF stream (contents, forms, fonts, attachments, object streams); images
    are not decoded for text and do not count."""
    max_content_bytes: int = 4 * MiB
    """Sum of decoded page content streams and form XObjects: what PDFium parses into text
    objects. Measured: each MiB costs PDFium about 13 MB of memory and 0.3 s, so a 16 MB content
    stream (what a 16 KB file can inflate to) costs gigabytes; an invoice page needs tens of KB."""
    max_attachment_bytes: int = 5 * MiB
    """The embedded Factur-X / ZUGFeRD / XRechnung XML, decoded."""
    max_xml_bytes: int = 10 * MiB
    """An XML invoice (file or attachment) handed to the parser."""
    max_xml_depth: int = 100
    """Nesting of elements in an XML invoice (UBL and CII need about ten)."""
    max_chars: int = 500_000
    """Text characters over all pages of a PDF."""
    max_json_depth: int = 64
    """Nesting of objects and arrays in a JSON invoice."""
    max_seconds: float = 20.0
    """Wall-clock budget for reading one PDF's page text, checked between pages."""
    text_engine: Literal["pdfium", "pdfplumber"] = "pdfium"
    """Where PDF characters come from: PDFium (fast) or pdfplumber/pdfminer (slower, same result)."""


def refuse(path: str, what: str, size: int | float, limit: int | float, unit: str) -> IngestionRejected:
    """The rejection for a document over a cap (the agent escalates it with this reason)."""
    return IngestionRejected(
        "oversized", path, f"{what} exceeds the limit: {size:,} {unit} > {limit:,} {unit}"
    )


class Deadline:
    """A wall-clock budget checked between units of work (pages)."""

    def __init__(self, seconds: float, path: str, what: str) -> None:
        self.seconds, self.path, self.what = seconds, path, what
        self.start = time.monotonic()

    def check(self) -> None:
        elapsed = time.monotonic() - self.start
        if elapsed >= self.seconds:
            raise IngestionRejected(
                "oversized", self.path, f"{self.what} took longer than the limit of {self.seconds:g} s"
            )
