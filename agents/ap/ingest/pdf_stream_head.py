"""Simple objects read straight from the file's bytes where that is exactly pypdf's reading.

The stream scan (`pdf_budget`) needs each stream's filter names and encoded bytes, and of each other
object it cannot skim only that it is no stream; pypdf's pure-Python tokenizer spent ~40 us an
object on that. `stream_head` and `holds_no_stream` answer with regular expressions instead, only
for objects so plain that pypdf's reading (7.1: `PdfReader.get_object`, `read_object_header`,
`read_object`, `DictionaryObject.read_from_stream`, `_read_stream_data`, `read_string_from_stream`)
is fixed by the bytes checked:

- not encrypted (pypdf decrypts), not cached, free or in an object stream (pypdf answers from
  those); at the xref offset the header ``N G obj`` of exactly that object, then ``<<``;
- up to ``>>`` (within 4 KiB): names (printable ASCII, no ``#``), numbers, references ``N G R``
  (single spaces), arrays two deep of those, and literal strings (no unescaped parenthesis) only
  where no stream is claimed; no hex string, comment, nested dictionary, ``null``/``true``/
  ``false``, word "stream" or repeated key; every token ended where pypdf's tokenizer ends it, so
  each is the token pypdf reads and none of its error or repair branches is reached;
- a stream: /Length a non-negative integer within pypdf's limit, direct or a reference to an object
  pypdf has cached as an integer or that passes the same checks and reads ``N G obj <digits>
  endobj``; /Filter a name or array of names; then whitespace, ``stream``, spaces, one EOL (CRLF, LF
  or lone CR, as pypdf takes them), /Length bytes, whitespace, ``endstream``, whitespace, ``endobj``;
- no stream: after ``>>``, whitespace and anything but ``stream``.

There strict and lenient readers take the same path (they differ only on errors): the head is what
pypdf's object gives (`pdf_budget._filters`, ``_data``, the /Subtype and /Resources the page-content
walk reads), and "no stream" is what pypdf finds, without raising. Anything else is left to pypdf
(None, False): the fast path can only decline, never decide differently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from pypdf import PdfReader, get_configuration
from pypdf.generic import IndirectObject, NumberObject

_WS = rb"[\x00\t\n\x0c\r ]"
_BARE_NAME = rb"/[^\x00-\x20\x7f-\xff#%()/<>\[\]{}]{1,127}+"
_NAME = _BARE_NAME + rb"(?=[\t\n\x0c\r /\[\]>(])"
"""A name pypdf reads as written: ended where pypdf's name delimiters end it (not at NUL)."""
_AFTER_NUMBER = rb"(?=[\x00\t\n\x0c\r /\[\]>(])"
_REF = rb"\d{1,10}+ \d{1,5}+ R" + _AFTER_NUMBER
"""A reference pypdf's 20-byte look-ahead recognises: at most 18 bytes and a non-letter after it."""
_NUMBER = rb"[+-]?+(?:\d{1,12}+(?:\.\d{0,8}+)?+|\.\d{1,8}+)" + _AFTER_NUMBER
_STRING = rb"\((?:[^()\\]|\\[\x00-\xff])*+\)"
"""No unescaped parenthesis: pypdf reads it to its ``)`` and decodes it without error (or as bytes)."""


_Grammar = tuple[re.Pattern[bytes], re.Pattern[bytes]]
_Entries = tuple[dict[bytes, bytes], int]


def _dictionary(atom: bytes) -> _Grammar:
    """(one entry, all entries up to the first ``>>``) of a dictionary of `atom` values and
    arrays (two deep) of them; the lookaheads need the ``>`` after the last token in view."""
    array_1 = rb"\[(?:" + _WS + rb"*+" + atom + rb")*+" + _WS + rb"*+\]"
    array_2 = rb"\[(?:" + _WS + rb"*+(?:" + atom + rb"|" + array_1 + rb"))*+" + _WS + rb"*+\]"
    entry = _WS + rb"*+(" + _NAME + rb")" + _WS + rb"*+(" + atom + rb"|" + array_2 + rb")"
    return re.compile(entry), re.compile(rb"(?:" + entry + rb")*+" + _WS + rb"*+>>")


_HEAD = _dictionary(rb"(?:" + _REF + rb"|" + _NUMBER + rb"|" + _NAME + rb")")
_TEXT = _dictionary(rb"(?:" + _REF + rb"|" + _NUMBER + rb"|" + _NAME + rb"|" + _STRING + rb")")
"""No string in a stream's head: a string /Subtype or /Filter compares as a name in the scan."""
_NO_STREAM = re.compile(_WS + rb"*+(?!stream)")
_NAME_VALUE = re.compile(_BARE_NAME)
_NAMES_VALUE = re.compile(rb"\[(?:" + _WS + rb"*+" + _BARE_NAME + rb")*+" + _WS + rb"*+\]")
"""A value already read as tokens: a name, or an array holding nothing but names."""
_REFERENCE = re.compile(rb"(\d{1,10}+) (\d{1,5}+) R")
_LENGTH = re.compile(rb"\d{1,12}+")
_OBJ = _WS + rb"*+(\d{1,10}+)" + _WS + rb"++(\d{1,5}+)" + _WS + rb"++obj" + _WS + rb"*+"
_HEADER = re.compile(_OBJ + rb"<<")
_INTEGER_OBJECT = re.compile(_OBJ + rb"(\d{1,12}+)" + _WS + rb"++endobj")
"""An object that is a non-negative integer, as a stream's indirect /Length often is."""
_STREAM = re.compile(_WS + rb"*+stream *+(?:\r\n?|\n)")
_TAIL = re.compile(_WS + rb"*+endstream" + _WS + rb"*+endobj")
MAX_DICTIONARY = 4096
"""Bytes from ``<<`` within which its ``>>`` must stand: fewer tokens than pypdf's default caps."""


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
    """/Resources if a reference; else None (a direct value here is no dictionary: no XObjects)."""


Heads = Mapping[tuple[int, int], StreamHead]  # by (number, generation)


def stream_head(data: bytes, reader: PdfReader, number: int, generation: int) -> StreamHead | None:
    """The head of stream object (`number`, `generation`) of `reader` (reading `data`), or None."""
    found = _entries(data, reader, number, generation, _HEAD)
    if found is None:
        return None
    entries, end = found
    filters = _filter_names(entries.get(b"/Filter"))
    length = _length(data, reader, entries.get(b"/Length", b""))
    keyword = _STREAM.match(data, end)
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


def holds_no_stream(data: bytes, reader: PdfReader, number: int, generation: int) -> bool:
    """Whether pypdf reads the object, without error, as a dictionary that is no stream: a simple
    one (strings allowed) followed by anything but the word ``stream``. False means: ask pypdf."""
    found = _entries(data, reader, number, generation, _TEXT)
    return found is not None and _NO_STREAM.match(data, found[1]) is not None


def _entries(
    data: bytes, reader: PdfReader, number: int, generation: int, grammar: _Grammar
) -> _Entries | None:
    """(the raw value of each key, where the ``>>`` ends) of a simple dictionary at the object's
    offset, written in `grammar` (one entry, all of them), each key once; else None."""
    header = _at_offset(data, reader, number, generation, _HEADER)
    if header is None:
        return None
    entry, entries = grammar
    start = header.end()
    dictionary = entries.match(data, start, start + MAX_DICTIONARY)
    if dictionary is None or data.find(b"stream", start, dictionary.end()) >= 0:
        return None
    pairs = entry.findall(data, start, dictionary.end())
    found = dict(pairs)
    if len(found) != len(pairs):
        return None  # a key twice: the strict reader raises, the lenient one keeps the first
    return found, dictionary.end()


def _at_offset(
    data: bytes, reader: PdfReader, number: int, generation: int, header: re.Pattern[bytes]
) -> re.Match[bytes] | None:
    """`header` matched at the object's xref offset, when that offset is where pypdf reads the
    object from and the header's numbers are the object's; otherwise None."""
    limits = get_configuration()
    if min(limits.dictionary_maximum_element_count, limits.array_maximum_element_count) < MAX_DICTIONARY:
        return None  # a dictionary here could reach pypdf's token cap: pypdf's to enforce
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
    reference = _REFERENCE.fullmatch(value)
    if reference is not None:
        number, generation = int(reference[1]), int(reference[2])
        cached = reader.resolved_objects.get((generation, number))
        if type(cached) is NumberObject:
            value = str(int(cached)).encode()
        else:
            found = _at_offset(data, reader, number, generation, _INTEGER_OBJECT)
            value = found[3] if found is not None else b""
    if not _LENGTH.fullmatch(value) or int(value) > get_configuration().maximum_declared_stream_length:
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
