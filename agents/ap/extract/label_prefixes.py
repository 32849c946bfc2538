"""Label patterns indexed by the letters every match of them begins with, so that matching a phrase
tries only the labels that can start with its first few letters.

Indexing by the first letter alone still leaves a hundred-odd patterns under ``n`` or ``t``, and
`vocabulary.match_label` runs on every phrase start of every document: keyed by up to three leading
letters, a phrase start tries a handful. The index only drops patterns that cannot match where they
are not tried, and keeps the others in their order, so the longest (and, on a tie, first) label
still wins exactly as before.
"""

from __future__ import annotations

import re

PREFIX_LENGTH = 3
"""Leading letters a pattern is indexed by (more would add keys, not remove many more patterns;
`vocabulary.LabelSet.candidates` looks a text up by its first three, two, then one)."""
_QUANTIFIERS = "?*+{"

Compiled = tuple[str, re.Pattern[str]]
"""A field name and one of its compiled label patterns."""


def _has_top_level_alternative(source: str) -> bool:
    """Whether `source` is itself a choice (``ab|ad``): then no letters after its first are required."""
    depth, index = 0, 0
    while index < len(source):
        char = source[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            index = source.index("]", index + 2) + 1  # a class: its brackets and bars are literal
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
        index += 1
    return False


def literal_prefix(source: str, first: str) -> str:
    """The letters (at most `PREFIX_LENGTH`) every match of `source` begins with, when it is indexed
    under `first`: its leading letters and digits up to the first optional or repeated one.

    A pattern not opening with a letter (``#``, ``\\d``) or opening with a choice is keyed by
    `first` alone."""
    if not source[:1].isalnum() or _has_top_level_alternative(source):
        return first
    prefix = source[0]
    for index in range(1, min(len(source), PREFIX_LENGTH)):
        char, after = source[index], source[index + 1 : index + 2]
        if not char.isalnum() or (after and after in _QUANTIFIERS):
            break
        prefix += char
    return prefix


def prefix_table(
    by_first: dict[str, list[tuple[str, Compiled]]], anywhere: list[Compiled]
) -> dict[str, list[Compiled]]:
    """Every prefix key → the patterns that may match a text starting with it, in their order.

    `by_first` maps a first character to its patterns, each with its `literal_prefix`; `anywhere`
    (patterns tried at every start) follows each list, as it did the first-letter list. A text is
    looked up by its longest leading letters that are a key (`LabelSet.candidates`)."""
    table: dict[str, list[Compiled]] = {}
    for patterns in by_first.values():
        for key in dict.fromkeys(prefix for prefix, _ in patterns):
            table[key] = [compiled for prefix, compiled in patterns if key.startswith(prefix)] + anywhere
    return table
