"""Measure what a PDF inflates to before anything decodes it for real.

PDFium decodes content streams, form XObjects, fonts and attachments in full, with no cap: a
16 KB file whose content stream is a Flate bomb took 2.4 GB. So before PDFium touches a page or
an attachment, every stream object is decoded here with a budget -- Flate through a streaming
`zlib.decompressobj` that never produces more than what is left of the budget, the other
text-relevant filters (LZW, RunLength, ASCII85, ASCIIHex) through pypdf's decoders on input
already known to fit -- and a document whose streams add up to more than
`IngestLimits.max_decompressed_bytes` is refused. Image codecs (DCT, JPX, CCITT, JBIG2) end a
filter chain: PDFium decodes images only to render, and the reader never renders.

pypdf parses the file structure (it is pure Python, so a hostile file costs time, not native
memory); a file pypdf cannot parse is reported as such and the caller refuses it if PDFium can
open it, because its streams could not be measured.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.filters import ASCII85Decode, ASCIIHexDecode, LZWDecode, RunLengthDecode
from pypdf.generic import ArrayObject, IndirectObject, NameObject, StreamObject

from agents.ap.ingest.limits import IngestLimits, refuse

IMAGE_FILTERS = frozenset({"/DCTDecode", "/DCT", "/JPXDecode", "/CCITTFaxDecode", "/CCF", "/JBIG2Decode"})
FLATE = frozenset({"/FlateDecode", "/Fl"})
CHUNK = 1 << 20


class _Budget:
    def __init__(self, limits: IngestLimits, path: str) -> None:
        self.left = limits.max_decompressed_bytes
        self.limits, self.path = limits, path

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


def inflate(data: bytes, limit: int) -> tuple[bytes, bool]:
    """Flate-decode at most `limit` bytes; (output, whether more would have followed).

    A corrupt stream yields what decoded before the error, as PDFium does.
    """
    decompressor = zlib.decompressobj(zlib.MAX_WBITS | 32)  # zlib or gzip header, like pypdf
    parts: list[bytes] = []
    produced = 0
    pending = data
    try:
        while pending and produced <= limit:
            piece = decompressor.decompress(pending, min(CHUNK, limit - produced + 1))
            parts.append(piece)
            produced += len(piece)
            pending = decompressor.unconsumed_tail
            if not piece and not pending:
                break
    except zlib.error:
        pass
    output = b"".join(parts)
    return output[:limit], produced > limit


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
    for name in filters:
        if name in IMAGE_FILTERS:
            break
        if name in FLATE:
            data, more = inflate(data, max(budget.left, 0))
            if more:
                budget.spend(budget.left + 1)
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
    budget.spend(len(data))
    return len(data)


def _streams(reader: PdfReader) -> Iterator[StreamObject]:
    for generation, objects in reader.xref.items():
        for number in objects:
            try:
                obj = reader.get_object(IndirectObject(number, generation, reader))
            except (PyPdfError, ValueError, KeyError, OSError):
                continue  # an unreadable object is one PDFium cannot decode either
            if isinstance(obj, StreamObject):
                yield obj


def scan_streams(data: bytes, path: str, limits: IngestLimits) -> StreamScan:
    """Decode every stream with a budget; refuse (IngestionRejected) once the budget is spent."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return StreamScan(parsed=False)
        streams = list(_streams(reader))
    except (PyPdfError, ValueError, KeyError, OSError, NotImplementedError):
        return StreamScan(parsed=False)
    budget = _Budget(limits, path)
    total = 0
    for stream in streams:
        raw = stream._data  # the stored (encoded, decrypted) bytes; pypdf has no public raw accessor
        if not isinstance(raw, bytes):
            continue
        total += _decode(raw, _filters(stream), budget)
    return StreamScan(parsed=True, decoded_bytes=total, streams=len(streams))
