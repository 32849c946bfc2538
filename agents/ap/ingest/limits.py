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

import json
import time
from dataclasses import dataclass
from typing import Any, Literal

from agents.ap.invoice import IngestionRejected

MiB = 1024 * 1024


@dataclass(frozen=True)
class IngestLimits:
    """Caps per document; one instance configures the whole reader."""

    max_bytes: int = 20 * MiB
    """The file as stored (compressed)."""
    max_pages: int = 50
    """PDF pages."""
    max_decompressed_bytes: int = 64 * MiB
    """Sum of every decoded PDF stream (contents, forms, fonts, attachments, object streams); images
    are not decoded for text and do not count."""
    max_attachment_bytes: int = 5 * MiB
    """The embedded Factur-X / ZUGFeRD / XRechnung XML, decoded."""
    max_xml_bytes: int = 10 * MiB
    """An XML invoice (file or attachment) handed to the parser."""
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
        if elapsed > self.seconds:
            raise IngestionRejected(
                "oversized", self.path, f"{self.what} took longer than the limit of {self.seconds:g} s"
            )


def json_depth(value: Any) -> int:
    """Nesting depth of parsed JSON (a scalar is 0), computed without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, depth + 1)
        stack.extend((child, depth + 1) for child in children)
    return deepest


def loads_json_bounded(text: str | bytes, max_depth: int) -> Any:
    """`json.loads` that refuses nesting deeper than `max_depth` with `ValueError` (never a
    RecursionError): the C parser stops at the interpreter's recursion limit, the walk after it
    at `max_depth`."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError(f"JSON is nested deeper than the limit of {max_depth} levels") from None
    depth = json_depth(value)
    if depth > max_depth:
        raise ValueError(f"JSON is nested {depth} levels deep, the limit is {max_depth}")
    return value
