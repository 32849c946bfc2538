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
from collections.abc import Iterator

PREFIX_LENGTH = 3
"""Leading letters a pattern is indexed by (more would add keys, not remove many more patterns;
`vocabulary.LabelSet.candidates` looks a text up by its first three, two, then one)."""
_QUANTIFIERS = "?*+{"

Compiled = tuple[str, re.Pattern[str]]
"""A field name and one of its compiled label patterns."""


def structural_chars(source: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """(index, character) of each character of the regex `source` from `start` that is neither
    escaped nor inside a character class: the ones that open, close or split groups."""
    index = start
    while index < len(source):
        char = source[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            index = source.index("]", index + 2) + 1  # a class: its brackets and bars are literal
            continue
        yield index, char
        index += 1


def _top_level(source: str) -> Iterator[tuple[int, str]]:
    """(index, character) of the structural characters of the regex `source` outside every group."""
    depth = 0
    for index, char in structural_chars(source):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0:
            yield index, char


def _has_top_level_alternative(source: str) -> bool:
    """Whether `source` is itself a choice (``ab|ad``): then no letters after its first are required."""
    return any(char == "|" for _, char in _top_level(source))


def needs_percent(source: str) -> bool:
    """Whether every match of the regex `source` holds a "%": one printed outside any group and not
    made optional or repeated (``\\d+(?:[.,]\\d+)?\\s*%\\s*vat``), in a pattern that is not a choice."""
    return not _has_top_level_alternative(source) and any(
        char == "%" and source[index + 1 : index + 2] not in ("?", "*", "{")
        for index, char in _top_level(source)
    )


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


class PrefixIndex:
    """Label patterns by prefix key: a text is looked up by its longest leading characters that are
    a key (keys are letters, digits or "#", so a space ends the lookup) and tries that key's patterns."""

    def __init__(
        self,
        by_first: dict[str, list[tuple[str, Compiled]]],
        anywhere: list[Compiled],
        percent: set[Compiled],
    ) -> None:
        """`by_first` maps a first character to its patterns, each with its `literal_prefix`;
        `anywhere` (patterns tried at every start) follows each key's list, as it did the
        first-letter list. `percent` holds the patterns whose source `needs_percent`; `no_percent`
        holds each key's list without them, for texts with no "%" (most: a number's digits then try
        no pattern)."""
        self.anywhere = anywhere
        self.table: dict[str, list[Compiled]] = {}
        for patterns in by_first.values():
            for key in dict.fromkeys(prefix for prefix, _ in patterns):
                self.table[key] = [
                    compiled for prefix, compiled in patterns if key.startswith(prefix)
                ] + anywhere
        self.no_percent = {
            key: [compiled for compiled in found if compiled not in percent]
            for key, found in self.table.items()
        }
        self.fields = {key: frozenset(name for name, _ in found) for key, found in self.table.items()}
        self.fields_anywhere = frozenset(name for name, _ in anywhere)

    def candidates(
        self, folded: str, start: int, table: dict[str, list[Compiled]] | None = None
    ) -> list[Compiled]:
        """The patterns that may match `folded` at `start`, in their order. `table` picks the lists
        (by default `no_percent` when `folded` holds no "%")."""
        if table is None:
            table = self.table if "%" in folded else self.no_percent
        window = folded[start : start + PREFIX_LENGTH]
        found = table.get(window)
        if found is None:
            found = table.get(window[:2])
            if found is None:
                found = table.get(window[:1])
        return self.anywhere if found is None else found

    def fields_at(self, folded: str) -> frozenset[str]:
        """The fields whose labels may begin `folded` (or any text that starts with it and a space)."""
        window, fields = folded[:PREFIX_LENGTH], self.fields
        return fields.get(window) or fields.get(window[:2]) or fields.get(window[:1]) or self.fields_anywhere
