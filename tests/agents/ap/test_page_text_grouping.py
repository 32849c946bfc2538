"""group_chars against the plain per-character algorithm it replaced.

group_chars finds word cuts with C-level map passes and builds words and phrases through their slot
setters, for speed; this keeps it equal, float for float, to the straightforward loop (kept here as
the reference) on generated characters: spaces, multi-character and empty texts (OCR and pdfplumber
feed those), overlapping boxes, ties and zero-height boxes."""

from __future__ import annotations

import dataclasses
from operator import itemgetter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.ap.extract.page_text import (
    BASELINE_TOLERANCE,
    DESCENT,
    PHRASE_GAP,
    WORD_GAP,
    Char,
    PageText,
    Phrase,
    TextLine,
    Word,
    group_chars,
)


def reference_group_chars(chars: list[Char], page: int, width: float, height: float) -> PageText:
    ordered = sorted(
        ((c[4] - DESCENT * (c[4] - c[2]), c[4] - c[2], c) for c in chars if c[4] > c[2]), key=itemgetter(0)
    )
    rows: list[list[Char]] = []
    row: list[Char] = []
    row_baseline = row_height = 0.0
    for baseline, size, char in ordered:
        if row and baseline - row_baseline <= BASELINE_TOLERANCE * min(size, row_height):
            row.append(char)
        else:
            row = [char]
            rows.append(row)
            row_baseline, row_height = baseline, size
    lines = [_reference_line(row, page) for row in rows if any(not c[0].isspace() for c in row)]
    return PageText(page, width, height, lines)


def _reference_line(row: list[Char], page: int) -> TextLine:
    row.sort(key=itemgetter(1))
    height = max(c[4] - c[2] for c in row)
    words: list[Word] = []
    gaps: list[float] = []
    parts: list[str] = []
    x0 = top = bottom = last_x1 = 0.0
    for char in row:
        if char[0].isspace():
            if parts:
                words.append(Word("".join(parts), x0, top, last_x1, bottom))
                parts = []
            continue
        if parts and char[1] - last_x1 > WORD_GAP * height:
            words.append(Word("".join(parts), x0, top, last_x1, bottom))
            parts = []
        if not parts:
            if words:
                gaps.append(char[1] - words[-1].x1)
            x0, top, bottom = char[1], char[2], char[4]
        else:
            top, bottom = min(top, char[2]), max(bottom, char[4])
        parts.append(char[0])
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


# coarse coordinates make ties, touching boxes and exact-threshold gaps common
coordinate = st.integers(0, 400).map(lambda n: n / 4)
text = st.sampled_from(
    ["a", "b", "Z", "1", ".", " ", " ", "\t", "\u00a0", "", "fi", "(cid:3)", "ab c", "\ud83d"]
)


@st.composite
def scattered(draw: st.DrawFn) -> list[Char]:
    """Boxes anywhere, some empty or upside down."""
    result: list[Char] = []
    for _ in range(draw(st.integers(0, 40))):
        x0, top = draw(coordinate), draw(coordinate)
        result.append((draw(text), x0, top, x0 + draw(coordinate) / 8, top + draw(st.integers(-1, 16))))
    return result


@st.composite
def lines(draw: st.DrawFn) -> list[Char]:
    """Runs of characters along a few baselines with mixed sizes and gaps around the word and
    phrase thresholds, drawn in an arbitrary order."""
    result: list[Char] = []
    for _ in range(draw(st.integers(1, 4))):
        baseline, x = draw(st.integers(20, 60).map(float)), draw(coordinate)
        for _ in range(draw(st.integers(1, 30))):
            size = draw(st.sampled_from([6.0, 8.0, 10.0, 10.5, 12.0, 14.0, 20.0]))
            width = draw(st.sampled_from([0.0, 2.5, 5.0, 6.25]))
            bottom = baseline + DESCENT * size + draw(st.sampled_from([0.0, 0.0, 0.5, -1.25, 3.0]))
            result.append((draw(text), x, bottom - size, x + width, bottom))
            x += width + draw(st.sampled_from([0.0, 0.0, 0.5, 1.0, 1.25, 2.0, 6.0, 8.5, 12.0, -1.0]))
    return draw(st.permutations(result))


@settings(max_examples=400, deadline=None)
@given(st.one_of(scattered(), lines()))
def test_group_chars_matches_the_per_character_algorithm(sample: list[Char]) -> None:
    expected = reference_group_chars([*sample], 2, 595.0, 842.0)
    actual = group_chars([*sample], 2, 595.0, 842.0)
    assert actual == expected
    assert repr(actual) == repr(expected)


def test_lines_of_one_baseline_split_into_words_and_phrases() -> None:
    line = [(c, 10.0 + 6 * i, 100.0, 15.0 + 6 * i, 110.0) for i, c in enumerate("Total: 12,50")]
    line += [(c, 200.0 + 6 * i, 101.0, 205.0 + 6 * i, 111.0) for i, c in enumerate("EUR")]
    blank = [(" ", 10.0, 300.0, 15.0, 310.0)]
    page = group_chars(line + blank, 1, 595.0, 842.0)
    assert page == reference_group_chars(line + blank, 1, 595.0, 842.0)
    assert [p.text for p in page.lines[0].phrases] == ["Total: 12,50", "EUR"]
    assert page.lines[0].phrases[0].starts == [0, 7]
    assert len(page.lines) == 1


def test_words_built_through_slot_setters_stay_frozen_and_hashable() -> None:
    page = group_chars([(c, 1.0 + i, 2.0, 2.0 + i, 4.0) for i, c in enumerate("Net")], 3, 1.0, 1.0)
    word = page.lines[0].words[0]
    assert word == Word("Net", 1.0, 2.0, 4.0, 4.0)
    assert hash(word) == hash(Word("Net", 1.0, 2.0, 4.0, 4.0))
    with pytest.raises(dataclasses.FrozenInstanceError):
        word.text = "Gross"  # type: ignore[misc]
    assert page.lines[0].phrases[0] == Phrase(3, [word])
