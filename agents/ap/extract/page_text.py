"""Positioned page text: characters grouped into words, phrases and visual lines.

Two character sources feed one grouping algorithm: pypdfium2 (PDFium's text page, loose character
boxes — the fast path) and pdfplumber (pdfminer's layout analysis — slower, kept as a cross-check
and for callers who already hold a pdfplumber page). Coordinates are PDF points with the origin at
the page's top-left, like pdfplumber's ``top``/``bottom``.

A *word* is a run of characters without whitespace or a visible gap; a *phrase* is a run of words
separated by at most a couple of spaces (a label, a value, a table cell); a *line* is everything
whose vertical centres overlap.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import compress, pairwise, repeat
from operator import gt, itemgetter, ne, or_, sub
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

Char = tuple[str, float, float, float, float]
"""(text, x0, top, x1, bottom)"""

WORD_GAP = 0.12
"""A horizontal gap wider than this fraction of the line height splits a word."""
PHRASE_GAP = 0.85
"""A gap wider than this fraction of the line height splits a phrase (about three spaces)."""
DESCENT = 0.2
"""Share of a loose character box below the baseline (Helvetica 0.21, Times 0.22, Courier 0.16 of
ascent + descent)."""
BASELINE_TOLERANCE = 0.3
"""Characters whose baselines differ by less than this share of the smaller one's height share a line."""


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(slots=True)
class Phrase:
    """Words close enough to read as one unit: a label, a value, a table cell."""

    page: int
    words: list[Word]
    text: str = ""
    starts: list[int] = field(default_factory=list)
    """Character offset in `text` where each word starts."""
    top: float = field(init=False, default=0.0)
    bottom: float = field(init=False, default=0.0)
    """The words' extent, computed once (the words of a phrase never change)."""

    def __post_init__(self) -> None:
        offset, parts = 0, []
        for word in self.words:
            self.starts.append(offset)
            parts.append(word.text)
            offset += len(word.text) + 1
        self.text = " ".join(parts)
        self.top = min(word.top for word in self.words)
        self.bottom = max(word.bottom for word in self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def bbox(self, start: int = 0, end: int | None = None) -> tuple[float, float, float, float]:
        """Box of the words overlapping characters ``start:end`` of `text`."""
        end = len(self.text) if end is None else end
        chosen = [
            word
            for word, offset in zip(self.words, self.starts, strict=True)
            if offset < end and offset + len(word.text) > start
        ] or self.words
        return (
            round(min(w.x0 for w in chosen), 2),
            round(min(w.top for w in chosen), 2),
            round(max(w.x1 for w in chosen), 2),
            round(max(w.bottom for w in chosen), 2),
        )


@dataclass(slots=True)
class TextLine:
    page: int
    top: float
    bottom: float
    words: list[Word]
    phrases: list[Phrase]
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """Per-line results computed once and asked for several times (e.g. "is this a table header")."""

    @property
    def text(self) -> str:
        return "   ".join(phrase.text for phrase in self.phrases)


@dataclass(slots=True)
class PageText:
    number: int
    """1-based page number."""
    width: float
    height: float
    lines: list[TextLine]

    @property
    def char_count(self) -> int:
        return sum(len(word.text) for line in self.lines for word in line.words)


def group_chars(chars: Iterable[Char], page: int, width: float, height: float) -> PageText:
    """Group positioned characters into lines, words and phrases."""
    # (baseline, height, char), sorted stably by baseline alone; a character sits on its loose box's
    # bottom less the font's descent (about a fifth of the box), computed once per character (a
    # float difference is positive exactly when bottom > top, so the filter is unchanged)
    ordered = [(c[4] - DESCENT * size, size, c) for c in chars if (size := c[4] - c[2]) > 0]
    ordered.sort(key=itemgetter(0))
    lines: list[TextLine] = []
    row: list[Char] = []
    row_baseline = row_height = row_max = 0.0
    for baseline, size, char in ordered:
        # one line = one baseline: a tall title beside two stacked small lines must not merge them,
        # and a small label beside a larger value on the same baseline stays one line;
        # min(size, row_height) spelled out (the same value) and the row's tallest size kept on the way
        if row and baseline - row_baseline <= BASELINE_TOLERANCE * (
            row_height if row_height < size else size
        ):
            row.append(char)
            if size > row_max:
                row_max = size
        else:
            if row and (line := _line(row, row_max, page)) is not None:
                lines.append(line)
            row = [char]
            row_baseline, row_height, row_max = baseline, size, size
    if row and (line := _line(row, row_max, page)) is not None:
        lines.append(line)
    return PageText(page, width, height, lines)


def _line(row: list[Char], height: float, page: int) -> TextLine | None:
    """The row's words and phrases, or None when it holds only whitespace.

    `height` is the row's tallest character. A word ends where whitespace starts or stops or the
    gap to the next character exceeds the word gap; those cut positions come from C-level map passes
    instead of a per-character loop, and every float is the one that loop produced."""
    row.sort(key=itemgetter(1))  # by x0
    texts, x0s, tops, x1s, bottoms = zip(*row, strict=True)
    spaces = list(map(str.isspace, texts))
    bounds = [0]
    bounds += compress(
        range(1, len(row)),
        map(or_, map(ne, spaces, spaces[1:]), map(gt, map(sub, x0s[1:], x1s), repeat(WORD_GAP * height))),
    )
    bounds.append(len(row))
    phrase_gap = PHRASE_GAP * height
    words: list[Word] = []
    word_texts: list[str] = []
    word_tops: list[float] = []
    word_bottoms: list[float] = []
    phrases: list[Phrase] = []
    first = 0  # index of the current phrase's first word
    last_x1 = 0.0
    for start, end in pairwise(bounds):
        if spaces[start]:
            continue
        if end - start == 1:
            text, top, bottom = texts[start], tops[start], bottoms[start]
        else:
            text, top, bottom = "".join(texts[start:end]), min(tops[start:end]), max(bottoms[start:end])
        if words and x0s[start] - last_x1 > phrase_gap:
            phrases.append(
                _phrase(page, words[first:], word_texts[first:], word_tops[first:], word_bottoms[first:])
            )
            first = len(words)
        last_x1 = x1s[end - 1]
        words.append(_word(text, x0s[start], top, last_x1, bottom))
        word_texts.append(text)
        word_tops.append(top)
        word_bottoms.append(bottom)
    if not words:
        return None
    phrases.append(_phrase(page, words[first:], word_texts[first:], word_tops[first:], word_bottoms[first:]))
    return TextLine(page, min(word_tops), max(word_bottoms), words, phrases)


_new = object.__new__
_set_text, _set_x0, _set_top, _set_x1, _set_bottom = (
    Word.__dict__[name].__set__ for name in ("text", "x0", "top", "x1", "bottom")
)


def _word(text: str, x0: float, top: float, x1: float, bottom: float) -> Word:
    """``Word(text, x0, top, x1, bottom)`` through the slots' own setters: a frozen dataclass's
    __init__ calls ``object.__setattr__`` per field, about three times slower, and a page has
    thousands of words."""
    word = _new(Word)
    _set_text(word, text)
    _set_x0(word, x0)
    _set_top(word, top)
    _set_x1(word, x1)
    _set_bottom(word, bottom)
    return word


def _phrase(
    page: int, words: list[Word], texts: list[str], tops: list[float], bottoms: list[float]
) -> Phrase:
    """``Phrase(page, words)`` from the words' already known texts and extents: the same field
    values, computed the same way, without __init__ + __post_init__ reading every word's attributes
    again (a page has over a thousand phrases). Sets every field, so a new field must be set here."""
    phrase = _new(Phrase)
    if len(texts) == 1:
        starts = [0]
    else:
        starts, offset = [], 0
        for text in texts:
            starts.append(offset)
            offset += len(text) + 1
    phrase.page = page
    phrase.words = words
    phrase.text = " ".join(texts)
    phrase.starts = starts
    phrase.top = min(tops)
    phrase.bottom = max(bottoms)
    return phrase


def _unconverted(function: Any, restype: Any) -> Any:
    """PDFium's `function` called without ctypes' per-argument conversion (no ``argtypes``):
    converting the arguments was two thirds of the cost of a call made once per character. Its
    callers pass exactly the C types the function takes -- the text page pointer PDFium gave, a
    Python int below 2**31 (ctypes passes it as a C int) and, for a box, a ``byref`` of an FS_RECTF."""
    unconverted = type(function)(ctypes.cast(function, ctypes.c_void_p).value)
    unconverted.restype = restype
    return unconverted


_loose_char_box = _unconverted(pdfium_c.FPDFText_GetLooseCharBox, ctypes.c_int)
_unicode = _unconverted(pdfium_c.FPDFText_GetUnicode, ctypes.c_uint)


def pdfium_chars(textpage: pdfium.PdfTextPage, page_height: float) -> list[Char]:
    """Every character of a PDFium text page with its loose (font-height) box."""
    count = textpage.count_chars()
    if count <= 0:
        return []
    text = textpage.get_text_range(0, count)
    raw = textpage.raw
    if len(text) != count:  # a surrogate pair is one character of the text, two of the page
        text = "".join([chr(_unicode(raw, index)) for index in range(count)])
    rect = pdfium_c.FS_RECTF()
    pointer = ctypes.byref(rect)
    get_box = _loose_char_box
    chars: list[Char] = []
    append = chars.append
    for index, char in enumerate(text):
        if char in "\r\n" or not get_box(raw, index, pointer):
            continue
        append((char, rect.left, page_height - rect.top, rect.right, page_height - rect.bottom))
    return chars


def read_pdfium_pages(
    document: pdfium.PdfDocument,
    max_pages: int | None = None,
    check: Callable[[int, int], None] | None = None,
) -> list[PageText]:
    """Positioned text of every page (up to `max_pages`) via PDFium.

    `check(page_number, characters_on_page)` runs once a page is parsed and before its characters
    are read, so a caller can refuse a text flood (by raising) without loading any page twice."""
    pages: list[PageText] = []
    for index in range(min(len(document), max_pages or len(document))):
        page = document[index]
        width, height = page.get_size()
        textpage = page.get_textpage()
        try:
            if check is not None:
                check(index + 1, textpage.count_chars())
            pages.append(group_chars(pdfium_chars(textpage, height), index + 1, width, height))
        finally:
            textpage.close()
            page.close()
    return pages


def read_pdfplumber_pages(path: str, max_pages: int | None = None) -> list[PageText]:
    """The same positioned text via pdfplumber's character objects (pdfminer layout analysis)."""
    import pdfplumber

    pages: list[PageText] = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages[: max_pages or len(pdf.pages)]:
            chars = [(c["text"], c["x0"], c["top"], c["x1"], c["bottom"]) for c in page.chars]
            pages.append(group_chars(chars, page.page_number, float(page.width), float(page.height)))
    return pages
