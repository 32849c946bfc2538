"""A simple stream object read straight from the file's bytes, or None for pypdf to read it.

The stream scan (`pdf_budget`) needs, of each stream object, its filter names and its encoded
bytes; pypdf's pure-Python tokenizer spent ~40 us an object getting them. `stream_head` reads them
with a few regular expressions instead, but only from an object so plain that pypdf's reading of it
is fixed by the bytes checked here (pypdf 7.1, `PdfReader.get_object`, `read_object_header`,
`DictionaryObject.read_from_stream` and `_read_stream_data`):

- the document is not encrypted (pypdf would decrypt the bytes), the object is neither cached, nor
  free, nor in an object stream (pypdf would answer from those), and at its xref offset stands the
  header ``N G obj`` of exactly that number and generation, then ``<<`` (pypdf would search the file
  for another header, or read another object);
- the dictionary up to the first ``>>`` is keys and values of names (no ``#`` escape, printable
  ASCII), numbers, references written ``N G R`` with single spaces and arrays (two deep) of those:
  no string, hex string, comment, nested dictionary, ``null``/``true``/``false`` or the word
  "stream", each key once, every token ended by a delimiter that pypdf's tokenizer ends it at too,
  so each token is the one pypdf reads and none of its error or repair branches is reached;
- /Length is a non-negative integer within pypdf's declared-length limit: direct, or a reference
  to an object that pypdf holds in its cache as an integer, or that passes the same checks as the
  stream (own offset, matching header) and is written ``N G obj <digits> endobj`` (pypdf resolves it
  with the same `get_object`, to the same number); /Filter is a name or an array of names;
- after ``>>``: whitespace, ``stream``, spaces, one EOL (CRLF, LF or a lone CR, as pypdf takes
  them), exactly /Length bytes, whitespace, ``endstream``, whitespace and ``endobj``.

Where all of that holds, the strict and the lenient reader take the same path through that code
(their branches differ only on errors), so the head is exactly what pypdf's object would give:
`pdf_budget._filters` of it and its ``_data``, and the /Subtype and /Resources the page-content walk
reads. Anything else returns None and pypdf reads the object as before: the fast path can only
decline, never decide differently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from pypdf import PdfReader, get_configuration
from pypdf.generic import IndirectObject, NumberObject

_WS = rb"[\x00\t\n\x0c\r ]"
_BARE_NAME = rb"/[^\x00-\x20\x7f-\xff#%()/<>\[\]{}]{1,127}+"
_NAME = _BARE_NAME + rb"(?=[\t\n\x0c\r /\[\]>])"
"""A name pypdf reads as written: ended where pypdf's name delimiters end it (not at NUL)."""
_AFTER_NUMBER = rb"(?=[\x00\t\n\x0c\r /\[\]>])"
_REF = rb"\d{1,10}+ \d{1,5}+ R" + _AFTER_NUMBER
"""A reference pypdf's 20-byte look-ahead recognises: at most 18 bytes and a non-letter after it."""
_NUMBER = rb"[+-]?+(?:\d{1,12}+(?:\.\d{0,8}+)?+|\.\d{1,8}+)" + _AFTER_NUMBER
_ATOM = rb"(?:" + _REF + rb"|" + _NUMBER + rb"|" + _NAME + rb")"
_ARRAY_1 = rb"\[(?:" + _WS + rb"*+" + _ATOM + rb")*+" + _WS + rb"*+\]"
_ARRAY_2 = rb"\[(?:" + _WS + rb"*+(?:" + _ATOM + rb"|" + _ARRAY_1 + rb"))*+" + _WS + rb"*+\]"
_ENTRY = _WS + rb"*+(" + _NAME + rb")" + _WS + rb"*+(" + _ATOM + rb"|" + _ARRAY_2 + rb")"
_ENTRIES = re.compile(_ENTRY)
_DICTIONARY = re.compile(rb"(?:" + _ENTRY + rb")*+" + _WS + rb"*+>>")
"""Entries up to the first ``>>`` (the lookaheads need the ``>`` after the last token in view)."""
_NAME_VALUE = re.compile(_BARE_NAME)
_NAMES_VALUE = re.compile(rb"\[(?:" + _WS + rb"*+" + _BARE_NAME + rb")*+" + _WS + rb"*+\]")
"""A value already read as tokens: a name, or an array holding nothing but names."""
_REFERENCE = re.compile(rb"(\d{1,10}+) (\d{1,5}+) R")
_LENGTH = re.compile(rb"\d{1,12}+")
_HEADER = re.compile(_WS + rb"*+(\d{1,10}+)" + _WS + rb"++(\d{1,5}+)" + _WS + rb"++obj" + _WS + rb"*+<<")
_INTEGER_OBJECT = re.compile(
    _WS
    + rb"*+(\d{1,10}+)"
    + _WS
    + rb"++(\d{1,5}+)"
    + _WS
    + rb"++obj"
    + _WS
    + rb"*+(\d{1,12}+)"
    + _WS
    + rb"++endobj"
)
"""An object that is a non-negative integer, as a stream's indirect /Length often is."""
_STREAM = re.compile(_WS + rb"*+stream *+(?:\r\n?|\n)")
_TAIL = re.compile(_WS + rb"*+endstream" + _WS + rb"*+endobj")
MAX_DICTIONARY = 4096
"""Bytes from ``<<`` within which its ``>>`` must stand: a longer dictionary is pypdf's to read."""


@dataclass(frozen=True, slots=True)
class StreamHead:
    """What the stream scan reads of a simple stream object."""

    reference: tuple[int, int]
    """The object's (number, generation)."""
    filters: list[str]
    """The /Filter names in order, as `pdf_budget._filters` gives them."""
    data: bytes
    """The encoded bytes, as pypdf's ``StreamObject._data``."""
    is_form: bool
    """Whether /Subtype is the name /Form (pypdf's ``get("/Subtype") == "/Form"``)."""
    resources: IndirectObject | None
    """/Resources when it is a reference; None when absent or direct (a direct value here is a name,
    number or array: no dictionary, so no XObjects in it, as with None)."""


Heads = Mapping[tuple[int, int], StreamHead]
"""Stream heads by (number, generation)."""


def stream_head(data: bytes, reader: PdfReader, number: int, generation: int) -> StreamHead | None:
    """The head of stream object (`number`, `generation`) of `reader` (which reads `data`), or
    None when the object is not simple (see the module docstring) and pypdf must read it."""
    header = _at_offset(data, reader, number, generation, _HEADER)
    if header is None:
        return None
    start = header.end()
    dictionary = _DICTIONARY.match(data, start, start + MAX_DICTIONARY)
    if dictionary is None or data.find(b"stream", start, dictionary.end()) >= 0:
        return None
    pairs = _ENTRIES.findall(data, start, dictionary.end())
    entries = dict(pairs)
    if len(entries) != len(pairs):
        return None  # a key twice: the strict reader raises, the lenient one keeps the first
    filters = _filter_names(entries.get(b"/Filter"))
    length = _length(data, reader, entries.get(b"/Length", b""))
    keyword = _STREAM.match(data, dictionary.end())
    if filters is None or length is None or keyword is None:
        return None
    body_end = keyword.end() + length
    if body_end > len(data) or _TAIL.match(data, body_end) is None:
        return None
    resources = _REFERENCE.fullmatch(entries.get(b"/Resources", b""))
    return StreamHead(
        reference=(number, generation),
        filters=filters,
        data=data[keyword.end() : body_end],
        is_form=entries.get(b"/Subtype") == b"/Form",
        resources=IndirectObject(int(resources[1]), int(resources[2]), reader) if resources else None,
    )


def _at_offset(
    data: bytes, reader: PdfReader, number: int, generation: int, header: re.Pattern[bytes]
) -> re.Match[bytes] | None:
    """`header` matched at the object's xref offset, when that offset is where pypdf reads the
    object from and the header's numbers are the object's; otherwise None."""
    if reader.is_encrypted or (generation, number) in reader.resolved_objects:
        return None
    if generation == 0 and number in reader.xref_objStm:
        return None
    if reader.xref_free_entry.get(generation, {}).get(number, False):
        return None
    offset = reader.xref.get(generation, {}).get(number)
    if not isinstance(offset, int) or not 0 <= offset < len(data):
        return None
    found = header.match(data, offset)
    if found is None or int(found[1]) != number or int(found[2]) != generation:
        return None
    return found


def _length(data: bytes, reader: PdfReader, value: bytes) -> int | None:
    """/Length: a direct integer, or a reference to an object that is one (read as pypdf reads
    it, through its cache, or at its offset); None for anything else or beyond pypdf's limits."""
    configuration = get_configuration()
    if min(configuration.dictionary_maximum_element_count, configuration.array_maximum_element_count) < (
        MAX_DICTIONARY
    ):
        return None  # a token limit the dictionary could reach: pypdf enforces it
    reference = _REFERENCE.fullmatch(value)
    if reference is not None:
        number, generation = int(reference[1]), int(reference[2])
        cached = reader.resolved_objects.get((generation, number))
        if type(cached) is NumberObject:
            value = str(int(cached)).encode()
        else:
            found = _at_offset(data, reader, number, generation, _INTEGER_OBJECT)
            value = found[3] if found is not None else b""
    if not _LENGTH.fullmatch(value) or int(value) > configuration.maximum_declared_stream_length:
        return None
    return int(value)


def _filter_names(value: bytes | None) -> list[str] | None:
    """The names of a /Filter written as a name or an array of names; None for anything else."""
    if value is None:
        return []
    if _NAME_VALUE.fullmatch(value):
        return [value.decode("ascii")]
    if _NAMES_VALUE.fullmatch(value):
        return [name.decode("ascii") for name in _NAME_VALUE.findall(value)]
    return None
