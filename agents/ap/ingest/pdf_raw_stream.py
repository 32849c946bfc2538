"""The stream of an object pypdf cannot parse, found in the file's raw bytes.

A dictionary holding an invalid hex string, a stray ``endobj`` or a comment makes pypdf give up on
the object, while PDFium may still read it and decode its stream in full. So the stream scan does
not skip such an object: it takes the bytes between its ``stream`` keyword and the last
``endstream`` before the next object, and the filter names written in its dictionary, and measures
them like any other stream (fail closed: with no filter it can read, Flate is tried anyway).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

_STREAM = re.compile(rb">>\s*stream(?:\r\n|\r|\n)")
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[^\s/\[\]<>()%]+)")
_NAME = re.compile(rb"/[^\s/\[\]<>()%]+")
FLATE_NAME = "/FlateDecode"


@dataclass(frozen=True)
class RawStream:
    data: bytes
    """The encoded bytes between ``stream`` and ``endstream``."""
    filters: list[str]
    """The filter names found in the dictionary, or Flate when none could be read."""


def object_end(offsets: list[int], offset: int, size: int) -> int:
    """Where the object at `offset` ends at the latest: the next object's offset in `offsets`
    (sorted), or the end of the file."""
    index = bisect_right(offsets, offset)
    return offsets[index] if index < len(offsets) else size


def raw_stream(data: bytes, offset: int, end: int) -> RawStream | None:
    """The stream of the object at `offset` (its bytes end before `end`), or None when it has none."""
    found = _STREAM.search(data, offset, end)
    if found is None:
        return None
    start = found.end()
    stop = data.rfind(b"endstream", start, end)
    body = data[start : stop if stop != -1 else end]
    names = _FILTER.search(data, offset, found.start())
    filters = [name.decode("latin-1") for name in _NAME.findall(names.group(1))] if names else []
    return RawStream(body, filters or [FLATE_NAME])
