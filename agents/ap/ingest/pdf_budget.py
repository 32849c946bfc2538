"""Measure what a PDF inflates to before anything decodes it for real.

PDFium decodes content streams, form XObjects, fonts and attachments in full, with no cap: a
16 KB file whose content stream is a Flate bomb took 2.4 GB. So before PDFium touches a page or
an attachment, every stream object is decoded here with a budget -- Flate through a streaming
`zlib.decompressobj` that never produces more than what is left of the budget, the other
text-relevant filters (LZW, RunLength, ASCII85, ASCIIHex) through pypdf's decoders on input
already known to fit -- and a document whose streams add up to more than
`IngestLimits.max_decompressed_bytes` is refused. Page content streams and form XObjects (what
PDFium parses into text objects, at a measured ~13 MB of memory per MiB) have their own tighter
cap, `max_content_bytes`. Image codecs (DCT, JPX, CCITT, JBIG2) end a filter chain: PDFium
decodes images only to render, and the reader never renders.

pypdf parses the file structure (it is pure Python, so a hostile file costs time, not native
memory; simple objects are read from the bytes instead, by `pdf_stream_head`, only where that is
exactly pypdf's reading); a file pypdf cannot parse is reported as such and the caller refuses it
if PDFium can open it, because its streams could not be measured. One object pypdf cannot parse (a
malformed dictionary PDFium may still accept) is not skipped: its stream is found in the raw bytes
(`pdf_raw_stream`) and measured against both caps, as if it were page content. The whole scan runs
under the per-document time budget, `IngestLimits.max_seconds`, checked between objects.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.filters import ASCII85Decode, ASCIIHexDecode, LZWDecode, RunLengthDecode
from pypdf.generic import ArrayObject, IndirectObject, NameObject, StreamObject

from agents.ap.ingest.limits import Deadline, IngestLimits, refuse
from agents.ap.ingest.pdf_raw_stream import RawStream, object_end, raw_stream
from agents.ap.ingest.pdf_stream_head import Heads, StreamHead, holds_no_stream, stream_head

IMAGE_FILTERS = frozenset({"/DCTDecode", "/DCT", "/JPXDecode", "/CCITTFaxDecode", "/CCF", "/JBIG2Decode"})
FLATE = frozenset({"/FlateDecode", "/Fl"})
CHUNK = 1 << 20


class _Budget:
    def __init__(self, limits: IngestLimits, path: str) -> None:
        self.left = limits.max_decompressed_bytes
        self.content = 0
        self.limits, self.path = limits, path

    def content_stream(self, size: int, what: str = "PDF page content decompressed") -> None:
        self.content += size
        if self.content > self.limits.max_content_bytes:
            raise refuse(
                self.path,
                what,
                self.content,
                self.limits.max_content_bytes,
                "bytes",
            )

    def spend(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            used = self.limits.max_decompressed_bytes - self.left
            raise refuse(
                self.path, "PDF streams decompressed", used, self.limits.max_decompressed_bytes, "bytes"
            )


@dataclass(frozen=True)
class StreamScan:
    parsed: bool
    """False when pypdf could not read the structure (streams were not measured)."""
    decoded_bytes: int = 0
    streams: int = 0


def inflate(data: bytes, limit: int, *, keep: bool = True) -> tuple[bytes, int, bool]:
    """Flate-decode at most `limit` bytes: (output if `keep` else b"", size, whether more followed).

    Decodes in 1 MiB steps and keeps nothing when only the size is wanted, so measuring a bomb
    costs one step of memory. A corrupt stream yields what decoded before the error, as PDFium does.
    """
    decompressor = zlib.decompressobj(zlib.MAX_WBITS | 32)  # zlib or gzip header, like pypdf
    parts: list[bytes] = []
    produced = 0
    pending = data
    try:
        while pending and produced <= limit:
            piece = decompressor.decompress(pending, min(CHUNK, limit - produced + 1))
            produced += len(piece)
            if keep:
                parts.append(piece)
            pending = decompressor.unconsumed_tail
            if decompressor.eof or (not piece and not pending):
                break  # bytes after the end of the zlib data are not decoded, by zlib or PDFium
    except zlib.error:
        pass
    more = produced > limit
    return b"".join(parts)[:limit] if keep else b"", min(produced, limit), more


def _filters(stream: StreamObject) -> list[str]:
    value = stream.get("/Filter")
    if isinstance(value, IndirectObject):
        value = value.get_object()
    if isinstance(value, ArrayObject):
        return [str(item.get_object() if isinstance(item, IndirectObject) else item) for item in value]
    return [str(value)] if isinstance(value, NameObject | str) else []


def _decode(raw: bytes, filters: list[str], budget: _Budget) -> int:
    """Decoded size of one stream, spending the budget as it goes; raises once it is exceeded."""
    data = raw
    size = len(raw)
    for index, name in enumerate(filters):
        if name in IMAGE_FILTERS:
            break
        if name in FLATE:
            rest = [f for f in filters[index + 1 :] if f not in IMAGE_FILTERS]
            data, size, more = inflate(data, max(budget.left, 0), keep=bool(rest))
            if more:
                budget.spend(budget.left + 1)
            if not rest:
                break
        elif name in ("/LZWDecode", "/LZW"):
            data = LZWDecode.decode(data)  # pypdf caps LZW and RunLength output itself
        elif name in ("/RunLengthDecode", "/RL"):
            data = RunLengthDecode.decode(data)
        elif name in ("/ASCII85Decode", "/A85"):
            data = ASCII85Decode.decode(data)
        elif name in ("/ASCIIHexDecode", "/AHx"):
            data = ASCIIHexDecode.decode(data)
        else:
            break  # Crypt or an unknown filter: PDFium passes the bytes through at this size
        if isinstance(data, str):
            data = data.encode("latin-1")
        size = len(data)
    budget.spend(size)
    return size


def _refs(value: object) -> list[IndirectObject]:
    if isinstance(value, IndirectObject):
        return [value]
    if isinstance(value, ArrayObject):
        return [item for item in value if isinstance(item, IndirectObject)]
    return []


def _resolved(value: object) -> object:
    return value.get_object() if isinstance(value, IndirectObject) else value


def _content_streams(contents: object, heads: Heads) -> set[int]:
    """Object numbers of a page's content streams: one stream, an array of them, or an indirect
    reference to such an array (which PDFium follows too: without resolving it the streams in the
    array escaped the content cap). A reference to a stream read by `stream_head` is no array."""
    found = {ref.idnum for ref in _refs(contents)}
    if isinstance(contents, IndirectObject) and (contents.idnum, contents.generation) not in heads:
        array = contents.get_object()
        if isinstance(array, ArrayObject):
            found.update(ref.idnum for ref in _refs(array))
    return found


def content_ids(reader: PdfReader, max_pages: int, heads: Heads) -> set[int]:
    """Object numbers of the page content streams and form XObjects (nested) of the first pages.
    An XObject in `heads` is not parsed again: its head answers as pypdf's object would."""
    found: set[int] = set()
    resources: list[object] = []
    for index, page in enumerate(reader.pages):
        if index >= max_pages:
            break
        found.update(_content_streams(dict.get(page, "/Contents"), heads))
        resources.append(page.get("/Resources"))
    while resources:
        resource = _resolved(resources.pop())
        if not isinstance(resource, dict):
            continue
        xobjects = _resolved(resource.get("/XObject"))
        if not isinstance(xobjects, dict):
            continue
        for ref in (v for v in dict.values(xobjects) if isinstance(v, IndirectObject)):
            form = heads.get((ref.idnum, ref.generation)) or ref.get_object()
            if ref.idnum in found:
                continue
            if isinstance(form, StreamHead) and form.is_form:
                found.add(ref.idnum)
                resources.append(form.resources)
            elif isinstance(form, StreamObject) and form.get("/Subtype") == "/Form":
                found.add(ref.idnum)
                resources.append(form.get("/Resources"))
    return found


_HEADER = re.compile(rb"\s*\d+\s+\d+\s+obj(?![^\s<\[/(%])")
_BEFORE_END = frozenset(b"\x00\t\n\x0c\r >]")
_AFTER_END = frozenset(b"\x00\t\n\x0c\r <[/(%")
_AMBIGUOUS = (b"stream", b"(", b"%")
"""Anything that could hide or be a stream keyword: the keyword itself, a string or a comment
(which may hold "endobj"); hex strings are told by their single angle brackets."""
MAX_PLAIN_OBJECT = 1 << 16
"""Objects longer than this up to their ``endobj`` are parsed, not skimmed."""
FIRST_LOOK = 1 << 11
"""How far the skim first looks for the ``endobj``. A stream's dictionary and keyword come first, so
when the first 2 KiB hold no ``endobj`` but an ambiguous token, the object is parsed without
searching up to `MAX_PLAIN_OBJECT` bytes of its stream data for an ``endobj``."""


def _may_hold_stream(data: bytes, reader: PdfReader) -> set[tuple[int, int]]:
    """(number, generation) of the objects that can be streams: only those are parsed.

    A stream is a dictionary followed by the ``stream`` keyword. An object whose bytes from its
    header to its ``endobj`` hold only names, numbers, references, arrays and dictionaries (no
    string, comment, hex string or the word "stream") cannot be one, to PDFium or anyone: such
    objects (tagged-PDF structure elements, font widths) are most of a PDF, and parsing them in pure
    Python was most of the scan's cost. The test reads only the object's own bytes; anything it
    cannot tell (no header at the offset, no ``endobj``, any ambiguous byte) is parsed in full.
    """
    wanted: set[tuple[int, int]] = set()
    for generation, objects in reader.xref.items():
        for number, offset in objects.items():
            if not _plain(data, offset):
                wanted.add((number, generation))
    return wanted


def _plain(data: bytes, offset: object) -> bool:
    """Whether the object at `offset` is plain: a header, then the first delimited ``endobj``
    within `MAX_PLAIN_OBJECT` bytes, no ambiguous token before it, one complete value in between.

    The first look stops at `FIRST_LOOK` bytes. Finding no delimited ``endobj`` there but an
    ambiguous token settles it: any ``endobj`` further on starts after that token (neither token
    can overlap an ``endobj``), so the object is not plain, as the search to the limit would find."""
    if not isinstance(offset, int) or offset < 0:
        return False
    header = _HEADER.match(data, offset)
    if header is None:
        return False
    start = header.end()
    limit = min(len(data), start + MAX_PLAIN_OBJECT)
    first_look = min(limit, start + FIRST_LOOK)
    end = _end_keyword(data, start, first_look)
    if end < 0:
        if _ambiguous(data, start, first_look):
            return False
        end = _end_keyword(data, start, limit)
    if end < 0 or _ambiguous(data, start, end):
        return False
    return _complete_value(data[start:end].strip())


def _ambiguous(data: bytes, start: int, end: int) -> bool:
    """Whether one of `_AMBIGUOUS` lies wholly in data[start:end] (three C searches, no loop)."""
    return (
        data.find(b"stream", start, end) != -1
        or data.find(b"(", start, end) != -1
        or data.find(b"%", start, end) != -1
    )


def _complete_value(body: bytes) -> bool:
    """Whether `body` (no strings, comments or stream keyword in it) is one whole value that ends
    where its ``endobj`` starts: balanced dictionaries and arrays closing at the end, no hex string
    (a single angle bracket), so the ``endobj`` found cannot sit inside an open dictionary."""
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


def _end_keyword(data: bytes, start: int, limit: int) -> int:
    """Where the first ``endobj`` token (delimited on both sides) starts, or -1 before `limit`."""
    at = data.find(b"endobj", start, limit)
    while at != -1:
        after = at + len(b"endobj")
        if data[at - 1] in _BEFORE_END and (after == len(data) or data[after] in _AFTER_END):
            return at
        at = data.find(b"endobj", at + 1, limit)
    return -1


def _streams(
    data: bytes, reader: PdfReader, candidates: set[tuple[int, int]], deadline: Deadline
) -> Iterator[tuple[int, StreamObject | StreamHead | RawStream]]:
    """Each stream object: read from the bytes when it is simple (`stream_head`, exactly what pypdf
    would read), else parsed by pypdf or, when pypdf cannot parse it or reads no stream, found in
    the raw bytes.

    A strict reader's failure is raised instead: the whole scan is then read again leniently."""
    offsets = sorted({o for objects in reader.xref.values() for o in objects.values() if isinstance(o, int)})
    for number, generation in sorted(candidates):
        deadline.check()
        head = stream_head(data, reader, number, generation)
        if head is not None:
            yield number, head
            continue
        obj = None
        try:  # a dictionary pypdf would read as no stream (`holds_no_stream`) need not be parsed
            if not holds_no_stream(data, reader, number, generation):
                obj = reader.get_object(IndirectObject(number, generation, reader))
        except (PyPdfError, ValueError, KeyError, OSError, RecursionError, AttributeError):
            if reader.strict:
                raise
        if isinstance(obj, StreamObject):
            yield number, obj
            continue
        # pypdf gave up on the object (or read only its head): PDFium may still read its stream
        offset = reader.xref.get(generation, {}).get(number)
        if isinstance(offset, int) and 0 <= offset < len(data):
            raw = raw_stream(data, offset, object_end(offsets, offset, len(data)))
            if raw is not None:
                yield number, raw


def _measure_raw(stream: RawStream, budget: _Budget) -> int:
    """Decoded size of a stream whose dictionary could not be parsed, trying Flate whatever it
    declares (its filters are read from malformed bytes), counted against the content cap too."""
    size = _decode(stream.data, stream.filters, budget)
    if not FLATE.intersection(stream.filters):
        _, inflated, more = inflate(stream.data, max(budget.left, 0) + size, keep=False)
        if more:
            budget.spend(budget.left + 1)
        budget.spend(max(inflated - size, 0))
        size = max(size, inflated)
    budget.content_stream(size, "PDF stream of a malformed object decompressed")
    return size


_UNREADABLE = (PyPdfError, ValueError, KeyError, OSError, NotImplementedError, RecursionError, AttributeError)
"""What pypdf raises on a structure it cannot read (AttributeError: a reference to a reference in a
/Filter array, which pypdf fails to resolve)."""
_Structure = tuple[list[tuple[int, StreamObject | StreamHead | RawStream, list[str]]], set[int]]
_ENCRYPTED: _Structure = ([], set())


def _structure(
    data: bytes, path: str, limits: IngestLimits, deadline: Deadline, *, strict: bool
) -> _Structure:
    """(every stream object with its filters, the object numbers of the page contents), or
    `_ENCRYPTED`. Everything read through pypdf is read here, inside the caller's error handling.

    Read strictly first: a well-formed file (nearly every invoice) is then parsed without pypdf's
    lenient xref repair, which re-reads every object header and was a third of the scan. A strict
    reader raises wherever the lenient one would repair or guess (a wrong xref offset, an object
    number that does not match, a damaged dictionary), and the caller then reads the file again
    leniently, so a file that reads strictly yields exactly the streams the lenient reading would."""
    reader = PdfReader(io.BytesIO(data), strict=strict)
    if reader.is_encrypted and not reader.decrypt(""):
        return _ENCRYPTED
    objects = sum(len(numbers) for numbers in reader.xref.values()) + len(reader.xref_objStm)
    if objects > limits.max_pdf_objects:
        raise refuse(path, "PDF objects", objects, limits.max_pdf_objects, "objects")
    streams = [
        (number, stream, stream.filters if isinstance(stream, RawStream | StreamHead) else _filters(stream))
        for number, stream in _streams(data, reader, _may_hold_stream(data, reader), deadline)
    ]
    heads = {stream.reference: stream for _, stream, _ in streams if isinstance(stream, StreamHead)}
    return streams, content_ids(reader, limits.max_pages, heads)


def scan_streams(data: bytes, path: str, limits: IngestLimits) -> StreamScan:
    """Decode every stream with a budget; refuse (IngestionRejected) once the budget or the
    time budget is spent."""
    deadline = Deadline(limits.max_seconds, path, "measuring the PDF's streams")
    try:
        found = _structure(data, path, limits, deadline, strict=True)
    except _UNREADABLE:
        found = None  # something a strict reader will not pass: read it again leniently, repairing
    if found is None:
        try:
            found = _structure(data, path, limits, deadline, strict=False)
        except _UNREADABLE:
            return StreamScan(parsed=False)
    if found is _ENCRYPTED:
        return StreamScan(parsed=False)
    streams, contents = found
    budget = _Budget(limits, path)
    total = 0
    for number, stream, filters in streams:
        deadline.check()
        if isinstance(stream, RawStream):
            total += _measure_raw(stream, budget)
            continue
        raw = stream.data if isinstance(stream, StreamHead) else stream._data  # pypdf: no raw accessor
        if not isinstance(raw, bytes):
            continue
        size = _decode(raw, filters, budget)
        total += size
        if number in contents:
            budget.content_stream(size)
    return StreamScan(parsed=True, decoded_bytes=total, streams=len(streams))
