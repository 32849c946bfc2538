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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
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
    # bottom less the font's descent (about a fifth of the box), computed once per character
    ordered = sorted(
        ((c[4] - DESCENT * (c[4] - c[2]), c[4] - c[2], c) for c in chars if c[4] > c[2]), key=itemgetter(0)
    )
    rows: list[list[Char]] = []
    row: list[Char] = []
    row_baseline = row_height = 0.0
    for baseline, size, char in ordered:
        # one line = one baseline: a tall title beside two stacked small lines must not merge them,
        # and a small label beside a larger value on the same baseline stays one line
        if row and baseline - row_baseline <= BASELINE_TOLERANCE * min(size, row_height):
            row.append(char)
        else:
            row = [char]
            rows.append(row)
            row_baseline, row_height = baseline, size
    return PageText(page, width, height, [_line(row, page) for row in rows if _has_text(row)])


def _has_text(row: Sequence[Char]) -> bool:
    return any(not char[0].isspace() for char in row)


def _line(row: list[Char], page: int) -> TextLine:
    row.sort(key=itemgetter(1))  # by x0
    height = max(c[4] - c[2] for c in row)
    word_gap = WORD_GAP * height
    words: list[Word] = []
    gaps: list[float] = []
    parts: list[str] = []
    x0 = top = bottom = last_x1 = 0.0
    for char in row:
        text = char[0]
        if text.isspace():
            if parts:
                words.append(Word("".join(parts), x0, top, last_x1, bottom))
                parts = []
            continue
        if parts and char[1] - last_x1 > word_gap:
            words.append(Word("".join(parts), x0, top, last_x1, bottom))
            parts = []
        if not parts:
            if words:
                gaps.append(char[1] - words[-1].x1)
            x0, top, bottom = char[1], char[2], char[4]
        else:
            top, bottom = min(top, char[2]), max(bottom, char[4])
        parts.append(text)
        last_x1 = char[3]
    if parts:
        words.append(Word("".join(parts), x0, top, last_x1, bottom))
    phrases: list[Phrase] = []
    group: list[Word] = []
    for index, word in enumerate(words):
        if group and gaps[index - 1] > PHRASE_GAP * height:
            phrases.append(Phrase(page, group))
            group = []
        group.append(word)
    if group:
        phrases.append(Phrase(page, group))
    return TextLine(page, min(w.top for w in words), max(w.bottom for w in words), words, phrases)


def pdfium_chars(textpage: pdfium.PdfTextPage, page_height: float) -> list[Char]:
    """Every character of a PDFium text page with its loose (font-height) box."""
    count = textpage.count_chars()
    if count <= 0:
        return []
    text = textpage.get_text_range(0, count)
    raw = textpage.raw
    rect = pdfium_c.FS_RECTF()
    pointer = ctypes.byref(rect)
    get_box = pdfium_c.FPDFText_GetLooseCharBox
    chars: list[Char] = []
    append = chars.append
    same_length = len(text) == count
    for index in range(count):
        char = text[index] if same_length else chr(pdfium_c.FPDFText_GetUnicode(raw, index))
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
