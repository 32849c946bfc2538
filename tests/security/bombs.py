"""Hostile inputs built for real: Flate bombs in PDF content and Factur-X attachments, page and
text floods, billion laughs, deep JSON. Shared by the security tests and the ingestion bench."""

from __future__ import annotations

import io
import zlib

from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, StreamObject
from reportlab.pdfgen import canvas

MiB = 1 << 20
TEXT_OPS = b"BT /F1 9 Tf 40 800 Td (Invoice INV-1 total 100.00 EUR) Tj ET\n"
CII_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">'
)


def flate_bomb(unit: bytes, size: int) -> bytes:
    """`size` bytes of `unit` repeated, Flate-compressed (level 1: fast to build, still ~1:300)."""
    compressor = zlib.compressobj(1)
    chunk = unit * (MiB // len(unit))
    parts = [compressor.compress(chunk) for _ in range(size // len(chunk))]
    return b"".join([*parts, compressor.flush()])


def text_pdf(pages: int = 1) -> bytes:
    """A real text PDF (reportlab) with an invoice-looking line per page."""
    buffer = io.BytesIO()
    drawing = canvas.Canvas(buffer)
    for page in range(pages):
        drawing.drawString(72, 760, f"Invoice INV-{page} from ACME GmbH, total 100.00 EUR, page {page + 1}")
        drawing.showPage()
    drawing.save()
    return buffer.getvalue()


def _write(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _flate_stream(compressed: bytes, **entries: object) -> StreamObject:
    stream = StreamObject()
    stream.set_data(compressed)
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    for key, value in entries.items():
        stream[NameObject(f"/{key}")] = value  # type: ignore[assignment]
    return stream


def content_bomb_pdf(size: int) -> bytes:
    """A one-page PDF whose content stream inflates to `size` bytes of text operators."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf())))
    page = writer.pages[0]
    page[NameObject("/Contents")] = writer._add_object(_flate_stream(flate_bomb(TEXT_OPS, size)))
    return _write(writer)


UBL_NS = b"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CAC_NS = b"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"


def deep_ubl(depth: int = 200_000) -> bytes:
    """A UBL invoice whose body is one element chain `depth` levels deep (about 10 bytes a level)."""
    return (
        b'<?xml version="1.0"?>\n<Invoice xmlns="'
        + UBL_NS
        + b'" xmlns:cac="'
        + CAC_NS
        + b'">'
        + b"<cac:Note>" * depth
        + b"</cac:Note>" * depth
        + b"</Invoice>"
    )


def deep_cii(depth: int = 200_000) -> bytes:
    """A CII (Factur-X) invoice nested `depth` levels deep."""
    return CII_HEAD + b"<rsm:X>" * depth + b"</rsm:X>" * depth + b"</rsm:CrossIndustryInvoice>"


def facturx_pdf(xml: bytes) -> bytes:
    """A text PDF carrying `xml` as its factur-x.xml attachment."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf())))
    writer.add_attachment("factur-x.xml", xml)
    return _write(writer)


def facturx_bomb_pdf(size: int) -> bytes:
    """A Factur-X-looking PDF whose factur-x.xml attachment inflates to `size` bytes."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf())))
    writer.add_attachment("factur-x.xml", CII_HEAD + b"</rsm:CrossIndustryInvoice>")
    names = writer._root_object["/Names"]["/EmbeddedFiles"]["/Names"]  # type: ignore[index]
    filespec = names[1].get_object()
    bomb = zlib.compressobj(1)
    body = b"".join(
        [
            bomb.compress(CII_HEAD),
            *(bomb.compress(b"<!-- padding -->" * (MiB // 16)) for _ in range(size // MiB)),
            bomb.compress(b"</rsm:CrossIndustryInvoice>"),
            bomb.flush(),
        ]
    )
    embedded = _flate_stream(body, Type=NameObject("/EmbeddedFile"))
    filespec[NameObject("/EF")] = DictionaryObject({NameObject("/F"): writer._add_object(embedded)})
    return _write(writer)


def many_pages_pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    return _write(writer)


def dense_text_pdf(pages: int, lines: int = 300) -> bytes:
    """Pages packed with tiny real text (reportlab): small file, far more text than an invoice."""
    buffer = io.BytesIO()
    drawing = canvas.Canvas(buffer)
    for page in range(pages):
        drawing.setFont("Helvetica", 2)
        for line in range(lines):
            drawing.drawString(10, 830 - line * 2.7, f"{page:03d}-{line:03d} " + "lorem ipsum dolor " * 5)
        drawing.showPage()
    drawing.save()
    return buffer.getvalue()


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode()
        for i in range(1, 10)
    )
    + b']>\n<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&lol9;</Invoice>\n'
)


def deep_json(depth: int = 50_000) -> bytes:
    return b'{"invoice_number": "INV-1", "lines": ' + b"[" * depth + b"]" * depth + b"}"


def many_objects_pdf(objects: int) -> bytes:
    """A one-page PDF carrying `objects` tiny indirect objects (each one costs the stream scan a visit)."""
    from pypdf.generic import ArrayObject, NumberObject

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    junk = ArrayObject(
        [writer._add_object(DictionaryObject({NameObject("/N"): NumberObject(i)})) for i in range(objects)]
    )
    writer._root_object[NameObject("/Junk")] = writer._add_object(junk)
    return _write(writer)
